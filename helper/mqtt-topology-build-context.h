/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Inside MqttTopologyBuilder (not for users): the state its build phases share, and the phases
 * themselves. mqtt-topology-builder.cc runs the phases in order; mqtt-topology-links.cc wires
 * links and instruments them; mqtt-topology-access.cc builds the clients' access networks.
 * Node, device and random-stream creation order is part of a run's identity (pinned figures
 * depend on it): a phase keeps the order of what it creates.
 */
#ifndef MQTT_TOPOLOGY_BUILD_CONTEXT_H
#define MQTT_TOPOLOGY_BUILD_CONTEXT_H

#include "mqtt-graph-routes.h"
#include "mqtt-topology-builder.h"

#include "ns3/ipv4-interface-container.h"
#include "ns3/ipv6-interface-container.h"
#include "ns3/random-variable-stream.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ns3
{
class WifiMac;
class WifiMacQueue;

namespace mqtt
{

/** Hands out aligned IPv4 subnets of 10.0.0.0/8, one per link or segment. */
class MqttSubnetAllocator
{
  public:
    /** A subnet with room for @p hosts addresses: (network, mask). */
    std::pair<Ipv4Address, Ipv4Mask> Next(uint32_t hosts);

  private:
    uint32_t m_cursor = 0;
};

/**
 * fd00:0:K::/64 (unique local) for the K-th IPv6 link; not 2001:db8::/32, which ns-3 refuses
 * to forward (documentation prefix).
 */
Ipv6Address MqttIpv6Net(uint32_t k);

/** The transmit queues of a Wi-Fi MAC: one per access category, or the one of a non-QoS MAC. */
std::vector<Ptr<WifiMacQueue>> MqttWifiTxQueues(Ptr<WifiMac> mac);

/** The build context: what the phases of Build share, and the run-time handles after it. */
struct MqttTopologyBuilder::Impl
{
    const MqttScenario& s;
    std::vector<Ptr<Node>> vertexNodes;
    std::map<std::string, Ptr<Node>> byName;
    NodeContainer all;
    std::deque<MqttBuiltLink> links;
    std::vector<MqttBuiltClient> clients;
    bool ipv6 = false;
    int64_t nextStream = 0;
    int64_t lateStream = 0;
    MqttSubnetAllocator v4;
    uint32_t v6Nets = 0;
    /** Per graph edge: the IPv6 address of each end on it (when IPv6 is on). */
    std::vector<std::pair<Ipv6Address, Ipv6Address>> edgeV6;
    /** Per graph edge: the IPv4 interface index and address of each end on it. */
    std::vector<std::pair<std::pair<uint32_t, Ipv4Address>, std::pair<uint32_t, Ipv4Address>>>
        edgeV4;
    /** The IPv4 routes every node shares. */
    std::shared_ptr<MqttGraphRoutes> routes;
    /** Per graph edge: the interface index at each end. */
    std::vector<std::pair<uint32_t, uint32_t>> edgeIf;
    /** 6LoWPAN prefixes and the vertex of their border router. */
    std::vector<std::pair<Ipv6Address, uint32_t>> panPrefixes;
    /** Per client group: the vertex each member attaches to. */
    std::vector<std::vector<uint32_t>> placements;
    /** Interfaces a crash took down, to bring up again. */
    std::map<Ptr<Node>, std::pair<std::vector<uint32_t>, std::vector<uint32_t>>> crashed;
    /** For BuiltGraph: client vertices and access edges, added as built. */
    MqttTopologyGraph built;
    std::map<const MqttBuiltLink*, std::vector<std::function<uint32_t()>>> depth;
    Ipv4Address brokerV4;
    Ipv6Address brokerV6;
    /** Broker front ends, their addresses, and the delay of their links. */
    std::vector<Ptr<Node>> frontEnds;
    std::vector<Ipv4Address> frontEndV4;
    ScenarioTime frontEndDelay{0};
    uint32_t brokerVertex = 0;

    explicit Impl(const MqttScenario& scenario);

    // --- Phases of Build, in order (mqtt-topology-builder.cc) ---------------------------------

    /** IPv6 on or off, and the ns-3 defaults every study needs. */
    void ConfigureDefaults();
    /** One node per graph vertex, with its internet stack. */
    void CreateVertexNodes();
    /** One link per graph edge, addressed. */
    void WireGraphEdges();
    /** Access networks of the client groups (mqtt-topology-access.cc). */
    void BuildAccessNetworks();
    /** Broker front ends, each on a p2p link to the broker vertex. */
    void BuildFrontEnds();
    /** IPv4 next hops on the graph's shortest paths. */
    void RouteIpv4();
    /** IPv6 static routes towards the broker and the 6LoWPAN prefixes. */
    void RouteIpv6();
    /** The broker's addresses: those of its first interface. */
    void FindBrokerAddresses();
    /** The clients: node, broker address and path delay of every member of every group. */
    void PlaceClients();

    // --- Steps of the phases -----------------------------------------------------------------

    void WireGraphEdge(uint32_t i);
    void BuildFrontEnd(uint32_t i, const MqttLinkSpec& cls);
    MqttBuiltClient NewClient(const MqttClientGroupSpec& g,
                              uint32_t i,
                              uint32_t vertex,
                              const std::vector<std::optional<uint32_t>>& brokerHops,
                              uint32_t* devices) const;
    /** One-way propagation delay from vertex @p v to the broker along the routes. */
    ScenarioTime DelayToBroker(uint32_t v, const std::vector<std::optional<uint32_t>>& hops) const;

    // --- Nodes, addresses, the exported graph (mqtt-topology-builder.cc) ---------------------

    /** A named node that is not a graph vertex (a client, a broker front end), with its stack. */
    Ptr<Node> NewNode(const std::string& name, bool v4, bool v6);
    Ptr<Node> NewClientNode(const MqttClientGroupSpec& g, uint32_t i, bool v4, bool v6);
    static void Place(Ptr<Node> node, double x, double y);
    /**
     * Addresses a link's devices from a fresh subnet that hangs off vertex @p home. Clients on
     * it (every device but the one at @p vertexDevice, the vertex's own) route everything off
     * the subnet through the vertex; -1 for a link between vertices.
     */
    Ipv4InterfaceContainer AssignV4(NetDeviceContainer devices,
                                    uint32_t home,
                                    int32_t vertexDevice);
    Ipv6InterfaceContainer AssignV6(NetDeviceContainer devices);
    /** Adds a client vertex to the exported graph. */
    void ExportVertex(const MqttClientGroupSpec& g, uint32_t i, double x, double y);
    /** Adds the access edge of a client to the exported graph (wireless: to the AP or parent). */
    void ExportEdge(const MqttClientGroupSpec& g,
                    uint32_t i,
                    const std::string& peer,
                    const std::string& linkName,
                    const MqttLinkSpec& cls);
    void Export(const MqttClientGroupSpec& g,
                uint32_t i,
                const std::string& peer,
                const std::string& linkName,
                const MqttLinkSpec& cls,
                double x,
                double y);

    // --- Links: devices, loss models, counters (mqtt-topology-links.cc) ----------------------

    NetDeviceContainer Wire(const MqttLinkSpec& cls,
                            NodeContainer nodes,
                            uint64_t rate,
                            ScenarioTime delay);
    MqttBuiltLink& NewLink(const std::string& name,
                           const MqttLinkSpec& cls,
                           NetDeviceContainer devices,
                           const std::string& a,
                           const std::string& b,
                           uint64_t rate,
                           ScenarioTime delay,
                           const MqttLossSpec& loss);
    /** A fresh error model for @p loss (null for none), its stream taken from @p stream. */
    static Ptr<ErrorModel> MakeModel(const MqttLossSpec& loss, int64_t* stream);
    /** Sets the receive-side error model of @p dev, whatever its technology. */
    static void InstallModel(Ptr<NetDevice> dev, Ptr<ErrorModel> em);
    /** Installs fresh models of @p loss on every device of @p link. */
    void ApplyLoss(MqttBuiltLink& link, const MqttLossSpec& loss, int64_t* stream);
    /** Connects the counters and queue-depth probes of every device of @p link. */
    void Instrument(MqttBuiltLink& link);

    // --- Access networks (mqtt-topology-access.cc) -------------------------------------------

    void BuildWiredAccess(const MqttClientGroupSpec& g,
                          const MqttLinkSpec& cls,
                          const std::vector<uint32_t>& place);
    void BuildP2pAccess(const MqttClientGroupSpec& g,
                        const MqttLinkSpec& cls,
                        const std::vector<uint32_t>& place);
    void BuildCsmaSegment(const MqttClientGroupSpec& g,
                          const MqttLinkSpec& cls,
                          uint32_t vertex,
                          const std::vector<uint32_t>& members);
    void BuildWifi(const MqttClientGroupSpec& g,
                   const MqttLinkSpec& cls,
                   const std::vector<uint32_t>& place);
    void BuildWifiBss(const MqttClientGroupSpec& g,
                      const MqttLinkSpec& cls,
                      uint32_t vertex,
                      const std::vector<uint32_t>& members,
                      Ptr<UniformRandomVariable> u);
    void BuildLowPan(const MqttClientGroupSpec& g,
                     const MqttLinkSpec& cls,
                     const std::vector<uint32_t>& place);
    void BuildPan(const MqttClientGroupSpec& g,
                  const MqttLinkSpec& cls,
                  uint32_t vertex,
                  const std::vector<uint32_t>& members);
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_TOPOLOGY_BUILD_CONTEXT_H
