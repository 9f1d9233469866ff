/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Installs MqttGraphRouting on nodes through InternetStackHelper::SetRoutingHelper.
 */
#ifndef MQTT_GRAPH_ROUTING_HELPER_H
#define MQTT_GRAPH_ROUTING_HELPER_H

#include "mqtt-graph-routes.h"

#include "ns3/ipv4-routing-helper.h"

#include <memory>

namespace ns3
{
namespace mqtt
{

class MqttGraphRouting;

/** Every node it is installed on shares @p routes (filled in before the simulation runs). */
class MqttGraphRoutingHelper : public Ipv4RoutingHelper
{
  public:
    explicit MqttGraphRoutingHelper(std::shared_ptr<const MqttGraphRoutes> routes);

    MqttGraphRoutingHelper* Copy() const override;
    Ptr<Ipv4RoutingProtocol> Create(Ptr<Node> node) const override;

    /** The protocol of @p node (null when it has another). */
    static Ptr<MqttGraphRouting> Get(Ptr<Node> node);

  private:
    std::shared_ptr<const MqttGraphRoutes> m_routes;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_GRAPH_ROUTING_HELPER_H
