/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * IPv4 routing on a scenario's graph, with lookups that cost the same for 10 nodes and for
 * 100,000: the IPv4 routing a study's topology is built with.
 */
#ifndef MQTT_GRAPH_ROUTING_H
#define MQTT_GRAPH_ROUTING_H

#include "mqtt-graph-routes.h"

#include "ns3/ipv4-address.h"
#include "ns3/ipv4-routing-protocol.h"
#include "ns3/ipv4.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace ns3
{
namespace mqtt
{

/**
 * The IPv4 routing protocol of a study's nodes. A vertex node forwards by the shared
 * MqttGraphRoutes; any other node (a client hanging off a vertex) sends everything that is not
 * on one of its own subnets to its default gateway. Directly connected subnets and local
 * delivery are looked up in sorted tables of the node's own addresses, so a gateway with a
 * thousand access links spends no time scanning its interfaces per packet. Down interfaces
 * carry nothing; routes do not change when links fail (like the global routing it replaces).
 */
class MqttGraphRouting : public Ipv4RoutingProtocol
{
  public:
    static TypeId GetTypeId();
    MqttGraphRouting();
    ~MqttGraphRouting() override;

    /** The shared table; vertex nodes need it. */
    void SetRoutes(std::shared_ptr<const MqttGraphRoutes> routes);
    /** This node is graph vertex @p vertex. */
    void SetVertex(uint32_t vertex);
    /** Everything off this node's subnets goes to @p gateway on @p interface. */
    void SetDefaultRoute(Ipv4Address gateway, uint32_t interface);

    Ptr<Ipv4Route> RouteOutput(Ptr<Packet> p,
                               const Ipv4Header& header,
                               Ptr<NetDevice> oif,
                               Socket::SocketErrno& sockerr) override;
    bool RouteInput(Ptr<const Packet> p,
                    const Ipv4Header& header,
                    Ptr<const NetDevice> idev,
                    UnicastForwardCallback ucb,
                    MulticastForwardCallback mcb,
                    LocalDeliverCallback lcb,
                    ErrorCallback ecb) override;
    void NotifyInterfaceUp(uint32_t interface) override;
    void NotifyInterfaceDown(uint32_t interface) override;
    void NotifyAddAddress(uint32_t interface, Ipv4InterfaceAddress address) override;
    void NotifyRemoveAddress(uint32_t interface, Ipv4InterfaceAddress address) override;
    void SetIpv4(Ptr<Ipv4> ipv4) override;
    void PrintRoutingTable(Ptr<OutputStreamWrapper> stream,
                           Time::Unit unit = Time::S) const override;

  protected:
    void DoDispose() override;

  private:
    /** A route: out of @p interface, to @p gateway (any: the destination is on the link). */
    struct Choice
    {
        uint32_t interface;
        Ipv4Address gateway;
    };

    /** A subnet on one of this node's interfaces. */
    struct Connected
    {
        uint32_t network;
        uint8_t prefixLength;
        uint32_t interface;
    };

    std::optional<Choice> Lookup(Ipv4Address destination) const;
    std::optional<Choice> LookupConnected(Ipv4Address destination) const;
    bool IsLocal(Ipv4Address destination, uint32_t iif) const;
    Ptr<Ipv4Route> MakeRoute(const Choice& choice, Ipv4Address destination) const;
    void AddConnected(uint32_t interface, const Ipv4InterfaceAddress& address);
    void RemoveConnected(uint32_t interface, const Ipv4InterfaceAddress& address);

    Ptr<Ipv4> m_ipv4;
    std::shared_ptr<const MqttGraphRoutes> m_routes;
    std::optional<uint32_t> m_vertex;
    std::optional<Choice> m_default;
    /** Sorted by (network, prefix length); a handful of prefix lengths in use. */
    std::vector<Connected> m_connected;
    std::vector<uint8_t> m_prefixLengths;
    /** This node's addresses, sorted. */
    std::vector<uint32_t> m_local;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_GRAPH_ROUTING_H
