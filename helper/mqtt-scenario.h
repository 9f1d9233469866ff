/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A study as plain data: topology, link technologies, broker, client groups and their
 * workloads, faults on a timeline, duration, seed, outputs. MqttScenarioLoader builds it from a
 * YAML file (doc/scenarios.md); Validate() checks it completely before anything runs.
 */
#ifndef MQTT_SCENARIO_H
#define MQTT_SCENARIO_H

#include "mqtt-service-costs.h"
#include "mqtt-tls-model.h"
#include "mqtt-topology-graph.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ns3
{
namespace mqtt
{

using ScenarioTime = std::chrono::nanoseconds;

// Not included: mqtt-packets.h (through the profile) names a Packet of its own, which code that
// includes this header next to ns-3's Packet must not see.
struct MqttBrokerProfile;

/** A random time: constant, exponential with a mean, or uniform in [min, max]. */
struct MqttRandomTime
{
    enum class Kind : uint8_t
    {
        Constant = 0,
        Exponential,
        Uniform,
    };

    Kind kind = Kind::Constant;
    /** Constant: the value; exponential: the mean; uniform: the minimum. */
    ScenarioTime a{0};
    /** Uniform: the maximum. */
    ScenarioTime b{0};

    ScenarioTime Mean() const;
};

/** Packet loss of a link: none, independent (rate), or bursty (Gilbert-Elliott). */
struct MqttLossSpec
{
    enum class Model : uint8_t
    {
        None = 0,
        Rate,           //!< each packet lost with probability rate
        GilbertElliott, //!< two-state Markov chain, per-packet transitions, per-state loss
    };

    Model model = Model::None;
    double rate = 0;
    /** Gilbert-Elliott: P(good -> bad) and P(bad -> good) per packet, loss in each state. */
    double pGoodBad = 0;
    double pBadGood = 1;
    double lossGood = 0;
    double lossBad = 1;

    /** Long-run fraction of packets lost. */
    double MeanLoss() const;
};

enum class MqttLinkType : uint8_t
{
    PointToPoint = 0, //!< "p2p"
    Csma,             //!< "csma"
    Wifi,             //!< "wifi": an access point on the vertex, stations around it
    LowPan,           //!< "lowpan": IEEE 802.15.4 with 6LoWPAN, multi-hop to a border router
};

const char* MqttLinkTypeName(MqttLinkType type);

/** A link class: the technology and parameters of every link that names it. */
struct MqttLinkSpec
{
    std::string name;
    MqttLinkType type = MqttLinkType::PointToPoint;
    /** p2p, csma: data rate and one-way propagation delay. */
    uint64_t rateBps = 100000000;
    ScenarioTime delay = std::chrono::milliseconds(1);
    /** Receive loss (p2p, csma, wifi and lowpan alike: applied after the receiver's PHY). */
    MqttLossSpec loss;
    /** Packets the device transmit queue holds (p2p, csma, wifi). */
    uint32_t queuePackets = 100;
    /** wifi: 802.11b, 802.11g, 802.11n (2.4 GHz) or 802.11ac (5 GHz). */
    std::string wifiStandard = "802.11n";
    /** wifi: stations are placed uniformly in a disc of this radius (m) around the AP. */
    double radius = 20;
    /** lowpan: devices on a square grid (or a line) with this spacing (m), the router at a corner.
     */
    double spacing = 10;
    /** lowpan: radio range (m): no frame is received farther; routes follow this range. */
    double range = 15;
    /** lowpan: "grid" or "line". */
    std::string layout = "grid";

    /** p2p or csma: a link with its own rate and delay (wireless links have neither). */
    bool IsWired() const;
};

struct MqttSubscriptionSpec
{
    /** A topic filter; {group}, {id} and {client} are replaced per client. */
    std::string filter;
    uint8_t qos = 0;
};

struct MqttReconnectSpec
{
    bool enabled = true;
    ScenarioTime initial = std::chrono::seconds(1);
    ScenarioTime max = std::chrono::seconds(60);
    double multiplier = 2;
    double jitter = 0.2;
};

enum class MqttClientRole : uint8_t
{
    Device = 0, //!< a group under "devices"
    Backend,    //!< a group under "backends"
};

/**
 * A group of identical clients. Placement: with a link class, count new nodes each attached
 * by that link to the attach vertices (round robin); without, the clients run on the attach
 * vertices themselves. A group publishes when it has an interval.
 */
/**
 * A radio's energy parameters, read from energy/NAME.yaml (doc/device-cost.md): the part, the
 * supply voltage, one value per state and, for cellular modems, the timers.
 */
struct MqttRadioEnergySpec
{
    /** "cellular" (point-to-point links), "802.15.4" (6LoWPAN) or "wifi". */
    std::string radio;
    std::string part;
    double volts = 0;
    /** Per state, in the file's order: watts for cellular, amperes for 802.15.4 and Wi-Fi. */
    std::vector<std::pair<std::string, double>> states;
    /** Cellular timers in seconds (setup, inactivity, active; active < 0: PSM off). */
    std::vector<std::pair<std::string, double>> timers;

    /** The value of state or timer @p name (0 if absent: the loader requires them all). */
    double State(const std::string& name) const;
    double Timer(const std::string& name) const;
};

/** A group's energy: its radio's parameters and the battery life is given for. */
struct MqttEnergySpec
{
    /** As written: a name (energy/NAME.yaml at the repository root) or a path with a '/'. */
    std::string parameters;
    /** The file read. */
    std::string file;
    MqttRadioEnergySpec radio;
    /** Battery capacity (mAh) at its voltage (V). */
    double batteryMah = 0;
    double batteryVolts = 0;
};

/** Reads an energy parameter file; the errors name the file, the line and the field. */
std::vector<std::string> MqttLoadRadioEnergy(const std::string& path, MqttRadioEnergySpec* out);

struct MqttTlsCpuCosts; // mqtt-tls-cpu.h (which brings the packet types: not in this header)

/**
 * TLS of a device group (the client's offer) or of the broker (the server's side): tls:,
 * doc/tls-sim.md. Absent or off: plain MQTT.
 */
struct MqttTlsSpec
{
    MqttTlsClientProfile client;
    MqttTlsServerProfile server;
    /** cpu: as written (a name under tls/ or a path), the file, and its figures. */
    std::string cpu;
    std::string cpuFile;
    std::shared_ptr<const MqttTlsCpuCosts> cpuCosts;
};

/** Reads a device CPU figures file (tls/NAME.yaml); the errors name file, line and field. */
std::vector<std::string> MqttLoadTlsCpu(const std::string& path, MqttTlsCpuCosts* out);

struct MqttClientGroupSpec
{
    std::string name;
    MqttClientRole role = MqttClientRole::Device;
    /** Clients in the group; 0 means one per attach vertex. */
    uint32_t count = 0;
    /** Vertex selectors (see MqttTopologyGraph::Select); empty: "group:NAME". */
    std::vector<std::string> attach;
    /** Link class from each client node to its vertex; "" runs clients on the vertices. */
    std::string link;

    /** Publish process: time between messages; nothing means the group does not publish. */
    std::optional<MqttRandomTime> interval;
    /** Topic of published messages; {group}, {id} and {client} are replaced. */
    std::string topic = "{group}/{id}";
    uint8_t qos = 0;
    uint32_t payload = 64;
    bool retain = false;
    /** Messages per client; 0: until the end of the run. */
    uint64_t messages = 0;
    /** QoS 1/2 publishes each client has in flight at most (the client's MaxInflight). */
    uint32_t maxInflight = 20;
    /**
     * Closed loop (end-to-end-window): each client's messages not yet received by every
     * subscriber they go to, at most (MqttEndToEndWindow); 0: open loop, the interval alone.
     */
    uint32_t endToEndWindow = 0;
    /** When each client starts (connects), after the start of the run. */
    MqttRandomTime start;

    std::vector<MqttSubscriptionSpec> subscriptions;
    std::string clientId = "{group}-{id}";
    ScenarioTime keepAlive = std::chrono::seconds(60);
    bool cleanSession = true;
    MqttReconnectSpec reconnect;
    /** Radio energy and battery life of its clients (devices only). */
    std::optional<MqttEnergySpec> energy;
    /** Simulated TLS to the broker (devices only). */
    std::optional<MqttTlsSpec> tls;

    /** MQTT protocol level: 4 (3.1.1) or 5 (5.0); the options below need 5. */
    uint8_t protocol = 4;
    /** 5.0 Session Expiry Interval (0: the session ends with the connection). */
    ScenarioTime sessionExpiry{0};
    /** 5.0 topic aliases, each way: the client's Topic Alias Maximum and the aliases it uses. */
    uint16_t topicAliases = 0;
    /** 5.0 Receive Maximum of the clients. */
    uint16_t receiveMaximum = 65535;
    /** 5.0 Message Expiry Interval of the group's publishes (0: none). */
    ScenarioTime messageExpiry{0};
    /** 5.0 backends: the clients subscribe as one shared subscription group ($share/NAME/...). */
    std::string shareGroup;
    /** 5.0 enhanced authentication (auth:): SCRAM-SHA-256 or empty, its user and password. */
    std::string authMethod;
    std::string authUser;
    std::string authPassword;
    /** Duty cycle: connected for awake, then disconnected for asleep (both 0: always on). */
    ScenarioTime awake{0};
    ScenarioTime asleep{0};
    /** 5.0: the Session Expiry Interval of the DISCONNECT before each sleep (none: CONNECT's). */
    std::optional<ScenarioTime> sleepSessionExpiry;

    /** The client id, topic or filter of member @p index: {group}, {id}, {client} replaced. */
    std::string Expand(const std::string& pattern, uint32_t index) const;
};

/**
 * The broker's service model as a scenario gives it (broker: service:, doc/scenarios.md): off,
 * or a calibration and/or cores, an input limit and costs that override the calibration's.
 */
struct MqttServiceSpec
{
    /**
     * The block is there. Absent: a self-hosted profile gets the calibration DEFAULT_CALIBRATION
     * (defaulted), a managed one (the AWS profiles) no model; either way only when no
     * broker.overrides key sets a service-* field (those decide then).
     */
    bool given = false;
    /** The calibration is the default for a scenario without the block. */
    bool defaulted = false;
    /** The calibration a self-hosted broker gets without a block (calibrations/NAME.yaml). */
    static constexpr const char* DEFAULT_CALIBRATION = "ours";
    /** service: off. */
    bool off = false;
    /** calibration: as written (a name or a path), and the file it names. */
    std::string calibration;
    std::string calibrationFile;
    std::optional<uint32_t> cores;
    std::optional<uint64_t> inputLimit;
    /** read-per: turn or packet (service-read-per). */
    std::optional<MqttServiceReadPer> readPer;
    /** write-per: turn or packet (service-write-per). */
    std::optional<MqttServiceWritePer> writePer;
    /** costs: NAME: DURATION, in file order. */
    std::vector<std::pair<MqttServiceOp, Picos>> costs;
    /**
     * The broker settings (service-* keys) the block amounts to: the calibration's cores and
     * costs, then the block's own values. Applied after broker.overrides.
     */
    std::vector<std::pair<std::string, std::string>> settings;
};

struct MqttBrokerSpec
{
    /** A name MqttBrokerProfile::ByName knows ("standard", ...). */
    std::string profile = "standard";
    uint16_t port = 1883;
    /** Profile fields overridden, in file order (keys of MqttBrokerSettings). */
    std::vector<std::pair<std::string, std::string>> overrides;
    /**
     * Front-end nodes serving the one broker engine, each with its own address; devices are
     * spread over them round robin (like DNS or a load balancer). 1: the broker vertex alone.
     */
    uint32_t frontEnds = 1;
    /** Link class from each front end to the broker vertex ("": 10 Gb/s, no delay). */
    std::string frontEndLink;

    /** The node name of front end @p i: "VERTEX.feI". */
    static std::string FrontEndName(const std::string& brokerVertex, uint32_t i);

    /**
     * The broker keeps its state across a restart (broker-restart, or a crash of its node):
     * persistent sessions, queued messages, retained messages (MqttBroker's Persistence).
     */
    bool persistence = false;

    /** The service model (broker: service:). */
    MqttServiceSpec service;

    /** Simulated TLS on the broker's port (broker: tls:). */
    std::optional<MqttTlsSpec> tls;

    /**
     * SCRAM-SHA-256 credentials for 5.0 enhanced authentication (broker: scram-users:,
     * doc/auth.md), resolved against the scenario's folder; empty: none.
     */
    std::string scramUsers;

    /**
     * The named profile with every override and the service settings applied; nothing if the
     * name or one of them is wrong.
     */
    std::optional<MqttBrokerProfile> Profile() const;
};

enum class MqttFaultAction : uint8_t
{
    LinkDown = 0,  //!< every packet on the link(s) lost until link-up
    LinkUp,        //!< the link's own loss model again
    SetLoss,       //!< a new loss model on the link(s)
    NodeCrash,     //!< the node drops everything, its applications stop
    NodeRestart,   //!< the node's devices work again, its applications start again
    BrokerRestart, //!< the broker stops, and starts again after duration
};

const char* MqttFaultActionName(MqttFaultAction action);

struct MqttFaultSpec
{
    ScenarioTime at{0};
    MqttFaultAction action = MqttFaultAction::LinkDown;
    /** Link faults: a link name (graph edge, or a client's access link) ... */
    std::string link;
    /** ... or every link of this class. */
    std::string linkClass;
    /** Node faults: a vertex name or a client node name. */
    std::string node;
    /** SetLoss: the new loss model. */
    MqttLossSpec loss;
    /**
     * LinkDown and NodeCrash: back up after this (0: stays down until an explicit up/restart).
     * BrokerRestart: down time (0: restarts at once). What survives a restart is
     * MqttBrokerSpec::persistence.
     */
    ScenarioTime duration{0};
};

struct MqttOutputSpec
{
    /** Where files go; "" means results/NAME. --out on the command line replaces it. */
    std::string dir;
    /** Period of broker and link statistics rows. */
    ScenarioTime statsInterval = std::chrono::seconds(1);
    /** Which datasets are recorded. */
    bool publishes = true;
    bool deliveries = true;
    bool connections = true;
    bool drops = true;
    bool brokerStats = true;
    bool linkStats = true;
    /** What each device's frames carried, by cause and layer (doc/device-cost.md). */
    bool deviceBytes = true;
    /** Write the built topology as topology.graphml. */
    bool graphml = true;
    /** Write pcap traces of the broker's devices. */
    bool pcap = false;
};

struct MqttTopologySpec
{
    /** GraphML or DOT file (resolved against the scenario file's directory); "" to generate. */
    std::string file;
    MqttGraphGeneratorParams generator;
    /** Link class of edges that name none. */
    std::string link;
    /** Role assignments: (role, selectors), applied in order after generating or reading. */
    std::vector<std::pair<MqttNodeRole, std::vector<std::string>>> roles;
};

/** A graph edge's link class and parameters, the edge's own overrides applied. */
struct MqttEdgeLink
{
    const MqttLinkSpec* spec = nullptr; //!< null when the class does not exist
    uint64_t rateBps = 0;
    ScenarioTime delay{0};
    /** The class's loss model, or a rate model when the edge has its own loss. */
    MqttLossSpec loss;
};

/** A validation error: the dotted path of the field and what is wrong with it. */
struct MqttScenarioError
{
    std::string path;
    std::string message;
};

struct MqttScenario
{
    /** Most front ends a broker can have. */
    static constexpr uint32_t MAX_FRONT_ENDS = 1000;

    std::string name;
    std::string description;
    ScenarioTime duration = std::chrono::seconds(60);
    uint64_t seed = 1;
    uint64_t run = 1;

    MqttTopologySpec topology;
    std::vector<MqttLinkSpec> links;
    MqttBrokerSpec broker;
    std::vector<MqttClientGroupSpec> groups;
    std::vector<MqttFaultSpec> faults;
    MqttOutputSpec output;

    /** The graph after generation or reading and role assignment (BuildGraph). */
    MqttTopologyGraph graph;

    /** The effective scenario text (the file with every --set applied), for the results. */
    std::string sourceText;
    /** Where it came from, for messages. */
    std::string sourceFile;
    /** The --set overrides applied, as given ("devices.sensors.qos=1"). */
    std::vector<std::string> overrides;

    const MqttLinkSpec* FindLink(const std::string& name) const;
    const MqttClientGroupSpec* FindGroup(const std::string& name) const;

    /**
     * Generates or reads the graph and assigns roles. @p baseDir resolves a relative
     * topology.file. Errors are returned (path "topology..."), the graph is left empty then.
     */
    std::vector<MqttScenarioError> BuildGraph(const std::string& baseDir);

    /**
     * Checks everything that can be checked without running: ranges, references between
     * sections (link classes, groups, vertices, links and nodes named by faults), topic
     * names and filters, the broker profile and its overrides, that the graph is connected and
     * has one broker, that every client has a route to it. Needs BuildGraph first.
     */
    std::vector<MqttScenarioError> Validate() const;

    /** Name of the ns-3 node of client @p index of @p group (members with a link). */
    static std::string ClientNodeName(const MqttClientGroupSpec& group, uint32_t index);

    /** Name of the shared access network (csma, wifi, lowpan) of @p group at a vertex. */
    static std::string SegmentName(const MqttClientGroupSpec& group, const std::string& vertex);

    /** Name of the link class of edge @p e: its own, else topology.link. */
    const std::string& EdgeLinkName(const MqttGraphEdge& e) const;

    /** The class and parameters of edge @p e. */
    MqttEdgeLink ResolveEdge(const MqttGraphEdge& e) const;

    /**
     * Vertex each client of @p group attaches to (or runs on), in member order; empty when the
     * selectors do not resolve.
     */
    std::vector<uint32_t> PlaceGroup(const MqttClientGroupSpec& group) const;

    /** Index of the broker vertex (the one vertex with role broker), if any. */
    std::optional<uint32_t> BrokerVertex() const;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SCENARIO_H
