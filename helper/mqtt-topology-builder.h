/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The ns-3 side of a scenario's topology: nodes for the graph's vertices and for the clients,
 * point-to-point and CSMA links with rate, delay and loss, Wi-Fi and 802.15.4/6LoWPAN access
 * networks at gateway vertices, IPv4 addresses per link with global routing, and IPv6 with
 * routes computed on the graph where 6LoWPAN needs it. Also the run-time handles faults and
 * statistics need: links that go down and up or change their loss, nodes that crash.
 */
#ifndef MQTT_TOPOLOGY_BUILDER_H
#define MQTT_TOPOLOGY_BUILDER_H

#include "mqtt-scenario.h"

#include "ns3/address.h"
#include "ns3/error-model.h"
#include "ns3/ipv4-address.h"
#include "ns3/ipv6-address.h"
#include "ns3/net-device-container.h"
#include "ns3/node-container.h"
#include "ns3/ptr.h"

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** Cumulative counters of one link, summed over its devices. */
struct MqttLinkCounters
{
    uint64_t txPackets = 0;
    uint64_t rxPackets = 0;
    uint64_t txBytes = 0;
    uint64_t rxBytes = 0;
    uint64_t lostPackets = 0; //!< dropped at a receiver (loss model, outage, radio errors)
    uint64_t queueDrops = 0;  //!< dropped by a full transmit queue
};

/** A link as built: a graph edge, a client's access link, or a shared access network. */
struct MqttBuiltLink
{
    std::string name;
    std::string linkClass;
    MqttLinkType type = MqttLinkType::PointToPoint;
    /** End nodes; b is "" for a shared medium (csma segment, Wi-Fi BSS, 6LoWPAN PAN). */
    std::string a;
    std::string b;
    uint64_t rateBps = 0;
    ScenarioTime delay{0};
    /** The loss model in force when the link is up. */
    MqttLossSpec loss;
    bool up = true;
    /** Devices on the link; their receive (or post-reception) error models are the link's. */
    NetDeviceContainer devices;
    MqttLinkCounters counters;
};

/** Where a client runs and how it reaches the broker. */
struct MqttBuiltClient
{
    const MqttClientGroupSpec* group = nullptr;
    uint32_t index = 0;
    std::string clientId;
    Ptr<Node> node;
    /** The broker's address and port, IPv4 or (for 6LoWPAN devices) IPv6. */
    Address broker;
    /** Sum of one-way propagation delays on the route to the broker (wired hops only). */
    ScenarioTime pathDelay{0};
    /** The broker front end the client connects to, if the broker has several. */
    std::optional<uint32_t> frontEnd;
};

class MqttTopologyBuilder
{
  public:
    explicit MqttTopologyBuilder(const MqttScenario& scenario);
    ~MqttTopologyBuilder();

    /**
     * Creates everything. The scenario must have been validated; streams for the loss models,
     * positions and radios are assigned from @p stream on (see AssignedStreams()).
     */
    void Build(int64_t stream);

    /** Streams Build used. */
    int64_t AssignedStreams() const;

    Ptr<Node> BrokerNode() const;
    /** The broker's IPv4 address (and IPv6 address when 6LoWPAN groups exist). */
    Ipv4Address BrokerAddress() const;
    Ipv6Address BrokerAddress6() const;

    /** The broker's front-end nodes (none unless the scenario asks for several). */
    const std::vector<Ptr<Node>>& FrontEnds() const;
    const std::vector<MqttBuiltClient>& Clients() const;
    std::deque<MqttBuiltLink>& Links();
    const std::deque<MqttBuiltLink>& Links() const;

    /** The node of a vertex or client node name, or null. */
    Ptr<Node> FindNode(const std::string& name) const;

    /** Every node built (vertices first, then client nodes). */
    NodeContainer AllNodes() const;

    /** Outage: every packet arriving on the link is lost until SetLinkUp. */
    void SetLinkDown(MqttBuiltLink& link);
    void SetLinkUp(MqttBuiltLink& link);
    /** A new loss model; in force at once when the link is up, else when it comes up. */
    void SetLinkLoss(MqttBuiltLink& link, const MqttLossSpec& loss);

    /** Links a fault names: by link name, or every link of a class. */
    std::vector<MqttBuiltLink*> FindLinks(const std::string& name, const std::string& linkClass);

    /** Crash: every IP interface of the node goes down (it neither sends nor receives). */
    void CrashNode(Ptr<Node> node);
    /** Its interfaces come up again. */
    void RestartNode(Ptr<Node> node);

    /** Packets now in the link's transmit queues. */
    uint32_t QueueDepth(const MqttBuiltLink& link) const;

    /**
     * The graph as built: the scenario's vertices and edges, plus client nodes (role device
     * or backend) and their access links (wireless ones as edges to the AP or the routing
     * parent), with resolved rate, delay and loss. For topology.graphml.
     */
    MqttTopologyGraph BuiltGraph() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_TOPOLOGY_BUILDER_H
