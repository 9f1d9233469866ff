/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Installs MqttBroker applications on nodes.
 */
#ifndef MQTT_BROKER_HELPER_H
#define MQTT_BROKER_HELPER_H

#include "mqtt-broker-profile.h"

#include "ns3/application-container.h"
#include "ns3/attribute.h"
#include "ns3/node-container.h"
#include "ns3/object-factory.h"

#include <optional>
#include <string>

namespace ns3
{
namespace mqtt
{

/** Creates ns3::mqtt::MqttBroker applications with the Attributes set on it. */
class MqttBrokerHelper
{
  public:
    /** @param port the TCP port to listen on */
    explicit MqttBrokerHelper(uint16_t port = 1883);

    void SetAttribute(const std::string& name, const AttributeValue& value);

    /** Every broker installed follows @p profile (MqttBroker::SetProfile). */
    void SetProfile(const MqttBrokerProfile& profile);

    ApplicationContainer Install(Ptr<Node> node) const;
    ApplicationContainer Install(const std::string& nodeName) const;
    ApplicationContainer Install(NodeContainer nodes) const;

    /**
     * Assigns fixed random streams, from @p stream on, to the brokers in @p apps.
     * @return the number of streams used
     */
    static int64_t AssignStreams(ApplicationContainer apps, int64_t stream);
    /** The same for every MqttBroker on @p nodes. */
    static int64_t AssignStreams(NodeContainer nodes, int64_t stream);

  private:
    ObjectFactory m_factory;
    std::optional<MqttBrokerProfile> m_profile;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_BROKER_HELPER_H
