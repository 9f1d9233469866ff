/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-graph-routes.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

MqttGraphRoutes::MqttGraphRoutes(uint32_t vertices)
    : m_vertices(vertices)
    , m_hops(static_cast<std::size_t>(vertices) * vertices)
    , m_hasHop(static_cast<std::size_t>(vertices) * vertices, false)
{
}

void
MqttGraphRoutes::AddSubnet(Ipv4Address network, Ipv4Mask mask, uint32_t home)
{
    uint8_t length = mask.GetPrefixLength();
    // Longest prefixes first: the first hit of a lookup is the longest match.
    auto it = std::lower_bound(m_subnets.begin(),
                               m_subnets.end(),
                               length,
                               [](const auto& p, uint8_t l) { return p.first > l; });
    if (it == m_subnets.end() || it->first != length)
    {
        it = m_subnets.insert(it, {length, std::vector<Subnet>()});
    }
    it->second.push_back(Subnet{Network(network.Get(), length), home});
    m_sorted = false;
}

void
MqttGraphRoutes::SetHop(uint32_t from, uint32_t to, Hop hop)
{
    std::size_t k = static_cast<std::size_t>(from) * m_vertices + to;
    m_hops[k] = hop;
    m_hasHop[k] = true;
}

std::optional<uint32_t>
MqttGraphRoutes::Home(Ipv4Address address) const
{
    if (!m_sorted)
    {
        for (auto& [length, subnets] : m_subnets)
        {
            std::stable_sort(subnets.begin(),
                             subnets.end(),
                             [](const Subnet& x, const Subnet& y)
                             { return x.network < y.network; });
        }
        m_sorted = true;
    }
    for (const auto& [length, subnets] : m_subnets)
    {
        uint32_t network = Network(address.Get(), length);
        auto it = std::lower_bound(subnets.begin(),
                                   subnets.end(),
                                   network,
                                   [](const Subnet& s, uint32_t n) { return s.network < n; });
        if (it != subnets.end() && it->network == network)
        {
            return it->home;
        }
    }
    return std::nullopt;
}

const MqttGraphRoutes::Hop*
MqttGraphRoutes::NextHop(uint32_t from, uint32_t to) const
{
    if (from >= m_vertices || to >= m_vertices)
    {
        return nullptr;
    }
    std::size_t k = static_cast<std::size_t>(from) * m_vertices + to;
    return m_hasHop[k] ? &m_hops[k] : nullptr;
}

uint32_t
MqttGraphRoutes::Network(uint32_t address, uint8_t length)
{
    return length == 0 ? 0 : address & ~static_cast<uint32_t>((1ull << (32 - length)) - 1);
}

uint32_t
MqttGraphRoutes::GetNVertices() const
{
    return m_vertices;
}

std::size_t
MqttGraphRoutes::GetNSubnets() const
{
    std::size_t n = 0;
    for (const auto& [length, subnets] : m_subnets)
    {
        n += subnets.size();
    }
    return n;
}

} // namespace mqtt
} // namespace ns3
