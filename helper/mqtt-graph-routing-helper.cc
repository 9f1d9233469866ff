/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-graph-routing-helper.h"

#include "mqtt-graph-routing.h"

#include "ns3/ipv4.h"
#include "ns3/node.h"

namespace ns3
{
namespace mqtt
{

MqttGraphRoutingHelper::MqttGraphRoutingHelper(std::shared_ptr<const MqttGraphRoutes> routes)
    : m_routes(std::move(routes))
{
}

MqttGraphRoutingHelper*
MqttGraphRoutingHelper::Copy() const
{
    return new MqttGraphRoutingHelper(*this);
}

Ptr<Ipv4RoutingProtocol>
MqttGraphRoutingHelper::Create(Ptr<Node>) const
{
    Ptr<MqttGraphRouting> routing = CreateObject<MqttGraphRouting>();
    routing->SetRoutes(m_routes);
    return routing;
}

Ptr<MqttGraphRouting>
MqttGraphRoutingHelper::Get(Ptr<Node> node)
{
    Ptr<Ipv4> ipv4 = node->GetObject<Ipv4>();
    return ipv4 ? DynamicCast<MqttGraphRouting>(ipv4->GetRoutingProtocol()) : nullptr;
}

} // namespace mqtt
} // namespace ns3
