/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Installs MqttBroker applications on nodes.
 */
#ifndef MQTT_BROKER_HELPER_H
#define MQTT_BROKER_HELPER_H

#include "mqtt-app-helper.h"
#include "mqtt-broker-profile.h"

#include <optional>

namespace ns3
{
namespace mqtt
{

/** Creates ns3::mqtt::MqttBroker applications with the Attributes set on it. */
class MqttBrokerHelper : public MqttAppHelper<MqttBroker>
{
  public:
    /** @param port the TCP port to listen on */
    explicit MqttBrokerHelper(uint16_t port = 1883);

    /** Every broker installed follows @p profile (MqttBroker::SetProfile). */
    void SetProfile(const MqttBrokerProfile& profile);

  private:
    void Configure(Ptr<MqttBroker> app) const override;

    std::optional<MqttBrokerProfile> m_profile;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_BROKER_HELPER_H
