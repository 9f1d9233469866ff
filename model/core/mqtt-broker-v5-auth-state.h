/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What the broker keeps of a 5.0 connection whose CONNECT named an Authentication Method
 * (enhanced authentication, section 4.12; mqtt-broker-v5-auth.cc). Connections without one have
 * none of it (Mqtt5ConnectionState::auth is null).
 */
#ifndef MQTT_BROKER_V5_AUTH_STATE_H
#define MQTT_BROKER_V5_AUTH_STATE_H

#include "mqtt-auth-method.h"
#include "mqtt-packets.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

struct Mqtt5AuthState
{
    /** The CONNECT's Authentication Method: every AUTH must repeat it [MQTT5-4.12.0-5]. */
    std::string method;
    std::shared_ptr<const MqttAuthMethod> impl;
    /** The exchange under way (CONNECT or re-authentication); null between exchanges. */
    std::unique_ptr<MqttAuthMethod::ServerExchange> exchange;
    /** The CONNECT waiting for its exchange to end, and the client id its checks gave. */
    std::optional<ConnectPacket> pendingConnect;
    std::string pendingClientId;
    /** The final data of a successful exchange, for the CONNACK. */
    std::vector<uint8_t> finalData;
    /** Who the CONNECT's exchange authenticated: a re-authentication must prove the same. */
    std::optional<std::string> identity;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_BROKER_V5_AUTH_STATE_H
