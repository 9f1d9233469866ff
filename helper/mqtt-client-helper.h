/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Installs MqttClient applications on nodes.
 */
#ifndef MQTT_CLIENT_HELPER_H
#define MQTT_CLIENT_HELPER_H

#include "ns3/address.h"
#include "ns3/application-container.h"
#include "ns3/attribute.h"
#include "ns3/node-container.h"
#include "ns3/object-factory.h"

#include <string>

namespace ns3
{
namespace mqtt
{

/** Creates ns3::mqtt::MqttClient applications with the Attributes set on it. */
class MqttClientHelper
{
  public:
    MqttClientHelper();
    /** @param broker the broker's address (Ipv4Address, Ipv6Address or a socket address) */
    explicit MqttClientHelper(const Address& broker, uint16_t port = 1883);

    void SetAttribute(const std::string& name, const AttributeValue& value);

    ApplicationContainer Install(Ptr<Node> node) const;
    ApplicationContainer Install(const std::string& nodeName) const;
    ApplicationContainer Install(NodeContainer nodes) const;

    /**
     * Assigns fixed random streams, from @p stream on, to the clients in @p apps.
     * @return the number of streams used
     */
    static int64_t AssignStreams(ApplicationContainer apps, int64_t stream);
    /** The same for every MqttClient on @p nodes. */
    static int64_t AssignStreams(NodeContainer nodes, int64_t stream);

  private:
    ObjectFactory m_factory;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_CLIENT_HELPER_H
