/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The routes of a study's graph that every node's MqttGraphRouting shares.
 */
#ifndef MQTT_GRAPH_ROUTES_H
#define MQTT_GRAPH_ROUTES_H

#include "ns3/ipv4-address.h"

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace ns3
{
namespace mqtt
{

/**
 * What every node's MqttGraphRouting shares: which graph vertex each subnet hangs off (its
 * home), and per vertex the first hop towards every other vertex.
 *
 * ns-3's global routing computes a shortest-path tree per node over every node (quadratic in
 * the nodes, and a route per subnet on every router, scanned per packet); a study's topology is
 * a graph of a few hundred routers with up to 100,000 clients hanging off them, so the routes
 * only need the graph: a subnet's home vertex, then the graph's next hop to it. Lookups are
 * binary searches, memory is one entry per subnet plus one per pair of vertices.
 */
class MqttGraphRoutes
{
  public:
    /** The first hop from a vertex towards another: an interface and the neighbour's address. */
    struct Hop
    {
        uint32_t interface = 0;
        Ipv4Address gateway;
    };

    /** Sizes the next-hop table for @p vertices vertices (all unreachable). */
    explicit MqttGraphRoutes(uint32_t vertices);

    /** The subnet @p network / @p mask hangs off vertex @p home. */
    void AddSubnet(Ipv4Address network, Ipv4Mask mask, uint32_t home);
    /** From vertex @p from, packets for vertex @p to leave by @p hop. */
    void SetHop(uint32_t from, uint32_t to, Hop hop);

    /** The home vertex of the longest registered prefix holding @p address. */
    std::optional<uint32_t> Home(Ipv4Address address) const;
    /** The first hop from @p from to @p to, if any. */
    const Hop* NextHop(uint32_t from, uint32_t to) const;

    /** The first @p length bits of @p address (a network number). */
    static uint32_t Network(uint32_t address, uint8_t length);

    uint32_t GetNVertices() const;
    std::size_t GetNSubnets() const;

  private:
    struct Subnet
    {
        uint32_t network;
        uint32_t home;
    };

    /** Per prefix length (longest first), subnets sorted by network. */
    mutable std::vector<std::pair<uint8_t, std::vector<Subnet>>> m_subnets;
    mutable bool m_sorted = true;
    uint32_t m_vertices;
    std::vector<Hop> m_hops;
    std::vector<bool> m_hasHop;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_GRAPH_ROUTES_H
