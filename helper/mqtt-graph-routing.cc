/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-graph-routing.h"

#include "ns3/ipv4-route.h"
#include "ns3/log.h"
#include "ns3/net-device.h"
#include "ns3/node.h"
#include "ns3/output-stream-wrapper.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

NS_LOG_COMPONENT_DEFINE("MqttGraphRouting");
NS_OBJECT_ENSURE_REGISTERED(MqttGraphRouting);

TypeId
MqttGraphRouting::GetTypeId()
{
    static TypeId tid = TypeId("ns3::mqtt::MqttGraphRouting")
                            .SetParent<Ipv4RoutingProtocol>()
                            .SetGroupName("Mqtt")
                            .AddConstructor<MqttGraphRouting>();
    return tid;
}

MqttGraphRouting::MqttGraphRouting() = default;

MqttGraphRouting::~MqttGraphRouting() = default;

void
MqttGraphRouting::SetRoutes(std::shared_ptr<const MqttGraphRoutes> routes)
{
    m_routes = std::move(routes);
}

void
MqttGraphRouting::SetVertex(uint32_t vertex)
{
    m_vertex = vertex;
}

void
MqttGraphRouting::SetDefaultRoute(Ipv4Address gateway, uint32_t interface)
{
    m_default = Choice{interface, gateway};
}

std::optional<MqttGraphRouting::Choice>
MqttGraphRouting::LookupConnected(Ipv4Address destination) const
{
    uint32_t d = destination.Get();
    for (uint8_t length : m_prefixLengths)
    {
        uint32_t network = MqttGraphRoutes::Network(d, length);
        auto it = std::lower_bound(m_connected.begin(),
                                   m_connected.end(),
                                   std::make_pair(network, length),
                                   [](const Connected& c, const std::pair<uint32_t, uint8_t>& k)
                                   { return std::make_pair(c.network, c.prefixLength) < k; });
        for (; it != m_connected.end() && it->network == network && it->prefixLength == length;
             ++it)
        {
            if (m_ipv4->IsUp(it->interface))
            {
                return Choice{it->interface, Ipv4Address::GetAny()};
            }
        }
    }
    return std::nullopt;
}

std::optional<MqttGraphRouting::Choice>
MqttGraphRouting::Lookup(Ipv4Address destination) const
{
    if (auto direct = LookupConnected(destination))
    {
        return direct;
    }
    if (m_vertex && m_routes)
    {
        std::optional<uint32_t> home = m_routes->Home(destination);
        if (!home)
        {
            return std::nullopt;
        }
        const MqttGraphRoutes::Hop* hop = m_routes->NextHop(*m_vertex, *home);
        if (!hop || !m_ipv4->IsUp(hop->interface))
        {
            return std::nullopt;
        }
        return Choice{hop->interface, hop->gateway};
    }
    if (m_default && m_ipv4->IsUp(m_default->interface))
    {
        return m_default;
    }
    return std::nullopt;
}

Ptr<Ipv4Route>
MqttGraphRouting::MakeRoute(const Choice& choice, Ipv4Address destination) const
{
    Ptr<Ipv4Route> route = Create<Ipv4Route>();
    route->SetDestination(destination);
    route->SetGateway(choice.gateway);
    route->SetOutputDevice(m_ipv4->GetNetDevice(choice.interface));
    route->SetSource(m_ipv4->SourceAddressSelection(choice.interface, destination));
    return route;
}

Ptr<Ipv4Route>
MqttGraphRouting::RouteOutput(Ptr<Packet>,
                              const Ipv4Header& header,
                              Ptr<NetDevice> oif,
                              Socket::SocketErrno& sockerr)
{
    Ipv4Address destination = header.GetDestination();
    std::optional<Choice> choice;
    if (destination.IsMulticast() || destination.IsBroadcast())
    {
        // Out of the bound interface if any, else the first real one: no multicast routing.
        int32_t i = oif ? m_ipv4->GetInterfaceForDevice(oif) : 1;
        if (i >= 0 && static_cast<uint32_t>(i) < m_ipv4->GetNInterfaces())
        {
            choice = Choice{static_cast<uint32_t>(i), Ipv4Address::GetAny()};
        }
    }
    else
    {
        choice = Lookup(destination);
        if (choice && oif && m_ipv4->GetNetDevice(choice->interface) != oif)
        {
            choice.reset();
        }
    }
    if (!choice)
    {
        NS_LOG_LOGIC("no route to " << destination);
        sockerr = Socket::ERROR_NOROUTETOHOST;
        return nullptr;
    }
    sockerr = Socket::ERROR_NOTERROR;
    return MakeRoute(*choice, destination);
}

bool
MqttGraphRouting::IsLocal(Ipv4Address destination, uint32_t iif) const
{
    if (std::binary_search(m_local.begin(), m_local.end(), destination.Get()) ||
        destination.IsBroadcast())
    {
        return true;
    }
    // The directed broadcast of the arrival subnet.
    for (uint32_t j = 0; j < m_ipv4->GetNAddresses(iif); ++j)
    {
        Ipv4InterfaceAddress a = m_ipv4->GetAddress(iif, j);
        if (destination == a.GetBroadcast())
        {
            return true;
        }
    }
    return false;
}

bool
MqttGraphRouting::RouteInput(Ptr<const Packet> p,
                             const Ipv4Header& header,
                             Ptr<const NetDevice> idev,
                             UnicastForwardCallback ucb,
                             MulticastForwardCallback,
                             LocalDeliverCallback lcb,
                             ErrorCallback ecb)
{
    NS_LOG_FUNCTION(this << p << header << idev);
    uint32_t iif = m_ipv4->GetInterfaceForDevice(idev);
    Ipv4Address destination = header.GetDestination();
    if (destination.IsMulticast())
    {
        return false;
    }
    if (IsLocal(destination, iif))
    {
        if (lcb.IsNull())
        {
            return false;
        }
        lcb(p, header, iif);
        return true;
    }
    if (!m_ipv4->IsForwarding(iif))
    {
        ecb(p, header, Socket::ERROR_NOROUTETOHOST);
        return true;
    }
    std::optional<Choice> choice = Lookup(destination);
    if (!choice)
    {
        return false;
    }
    ucb(MakeRoute(*choice, destination), p, header);
    return true;
}

void
MqttGraphRouting::AddConnected(uint32_t interface, const Ipv4InterfaceAddress& address)
{
    if (address.GetLocal() == Ipv4Address())
    {
        return;
    }
    uint8_t length = address.GetMask().GetPrefixLength();
    Connected c{MqttGraphRoutes::Network(address.GetLocal().Get(), length), length, interface};
    auto key = [](const Connected& x)
    { return std::make_tuple(x.network, x.prefixLength, x.interface); };
    auto it =
        std::lower_bound(m_connected.begin(),
                         m_connected.end(),
                         c,
                         [&](const Connected& x, const Connected& y) { return key(x) < key(y); });
    if (it == m_connected.end() || key(*it) != key(c))
    {
        m_connected.insert(it, c);
    }
    if (std::find(m_prefixLengths.begin(), m_prefixLengths.end(), length) == m_prefixLengths.end())
    {
        m_prefixLengths.push_back(length);
        std::sort(m_prefixLengths.begin(), m_prefixLengths.end(), std::greater<>());
    }
}

void
MqttGraphRouting::RemoveConnected(uint32_t interface, const Ipv4InterfaceAddress& address)
{
    uint8_t length = address.GetMask().GetPrefixLength();
    uint32_t network = MqttGraphRoutes::Network(address.GetLocal().Get(), length);
    m_connected.erase(std::remove_if(m_connected.begin(),
                                     m_connected.end(),
                                     [&](const Connected& c) {
                                         return c.interface == interface && c.network == network &&
                                                c.prefixLength == length;
                                     }),
                      m_connected.end());
}

void
MqttGraphRouting::NotifyInterfaceUp(uint32_t interface)
{
    for (uint32_t j = 0; j < m_ipv4->GetNAddresses(interface); ++j)
    {
        AddConnected(interface, m_ipv4->GetAddress(interface, j));
    }
}

void
MqttGraphRouting::NotifyInterfaceDown(uint32_t)
{
    // Lookups skip down interfaces, so the routes can stay for when it comes up again.
}

void
MqttGraphRouting::NotifyAddAddress(uint32_t interface, Ipv4InterfaceAddress address)
{
    uint32_t a = address.GetLocal().Get();
    auto it = std::lower_bound(m_local.begin(), m_local.end(), a);
    if (it == m_local.end() || *it != a)
    {
        m_local.insert(it, a);
    }
    if (m_ipv4->IsUp(interface))
    {
        AddConnected(interface, address);
    }
}

void
MqttGraphRouting::NotifyRemoveAddress(uint32_t interface, Ipv4InterfaceAddress address)
{
    uint32_t a = address.GetLocal().Get();
    auto it = std::lower_bound(m_local.begin(), m_local.end(), a);
    if (it != m_local.end() && *it == a)
    {
        m_local.erase(it);
    }
    RemoveConnected(interface, address);
}

void
MqttGraphRouting::SetIpv4(Ptr<Ipv4> ipv4)
{
    NS_ASSERT(!m_ipv4 && ipv4);
    m_ipv4 = ipv4;
    for (uint32_t i = 0; i < m_ipv4->GetNInterfaces(); ++i)
    {
        for (uint32_t j = 0; j < m_ipv4->GetNAddresses(i); ++j)
        {
            NotifyAddAddress(i, m_ipv4->GetAddress(i, j));
        }
        if (m_ipv4->IsUp(i))
        {
            NotifyInterfaceUp(i);
        }
    }
}

void
MqttGraphRouting::PrintRoutingTable(Ptr<OutputStreamWrapper> stream, Time::Unit) const
{
    std::ostream& os = *stream->GetStream();
    os << "MqttGraphRouting on node " << m_ipv4->GetObject<Node>()->GetId();
    if (m_vertex)
    {
        os << " (graph vertex " << *m_vertex << ", " << m_routes->GetNSubnets() << " subnets)";
    }
    os << "\n";
    for (const Connected& c : m_connected)
    {
        os << "  " << Ipv4Address(c.network) << "/" << int(c.prefixLength) << " if "
           << c.interface << "\n";
    }
    if (m_default)
    {
        os << "  default via " << m_default->gateway << " if " << m_default->interface << "\n";
    }
}

void
MqttGraphRouting::DoDispose()
{
    m_ipv4 = nullptr;
    m_routes.reset();
    Ipv4RoutingProtocol::DoDispose();
}

} // namespace mqtt
} // namespace ns3
