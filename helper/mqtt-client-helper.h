/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Installs MqttClient applications on nodes.
 */
#ifndef MQTT_CLIENT_HELPER_H
#define MQTT_CLIENT_HELPER_H

#include "mqtt-app-helper.h"

#include "ns3/address.h"

namespace ns3
{
namespace mqtt
{

/** Creates ns3::mqtt::MqttClient applications with the Attributes set on it. */
class MqttClientHelper : public MqttAppHelper<MqttClient>
{
  public:
    MqttClientHelper() = default;
    /** @param broker the broker's address (Ipv4Address, Ipv6Address or a socket address) */
    explicit MqttClientHelper(const Address& broker, uint16_t port = 1883);
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_CLIENT_HELPER_H
