/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What the broker keeps of a connection that speaks MQTT 5.0 (its CONNECT had Protocol Level 5):
 * the client's limits from its CONNECT properties and the connection's topic aliases. A 3.1.1
 * connection has none of it (MqttBrokerConnection::V5() is null), so it costs them nothing.
 */
#ifndef MQTT_BROKER_V5_STATE_H
#define MQTT_BROKER_V5_STATE_H

#include "mqtt-broker-v5-auth-state.h"
#include "mqtt-memory-budget.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace ns3
{
namespace mqtt
{

/** Session Expiry Interval 0xFFFFFFFF: the session does not expire (section 3.1.2.11.2). */
static constexpr uint32_t SESSION_NEVER_EXPIRES = 0xFFFFFFFF;

struct Mqtt5ConnectionState
{
    /** The client's Receive Maximum: QoS 1/2 PUBLISHes we may have unacknowledged (4.9). */
    uint16_t clientReceiveMaximum = 65535;
    /** The client's Maximum Packet Size (0: none given, the protocol's limit). */
    uint32_t clientMaximumPacketSize = 0;
    /** The client's Topic Alias Maximum: aliases we may use towards it (0: none). */
    uint16_t clientTopicAliasMaximum = 0;
    /** Request Problem Information (default 1): Reason Strings and User Properties allowed. */
    bool requestProblemInformation = true;
    /** Request Response Information (default 0). */
    bool requestResponseInformation = false;
    /** The Session Expiry Interval in force, seconds (CONNECT's, lowered by the profile). */
    uint32_t sessionExpiry = 0;
    /** Whether the CONNECT asked for a non-zero Session Expiry Interval (3.14.2.2.2). */
    bool connectHadExpiry = false;
    /** Aliases the client set on its PUBLISHes, each bounded by our Topic Alias Maximum. */
    std::map<uint16_t, std::string> inboundAliases;
    /** Their estimated heap, and its charge to the memory budget (ChargeInboundAlias5). */
    std::size_t inboundAliasBytes = 0;
    MqttMemoryCharge inboundAliasCharge;
    /** Aliases we set on PUBLISHes to the client: topic -> alias, and the next to hand out. */
    std::map<std::string, uint16_t, std::less<>> outboundAliases;
    uint16_t nextOutboundAlias = 1;
    /** Enhanced authentication: null when the CONNECT named no Authentication Method. */
    std::unique_ptr<Mqtt5AuthState> auth;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_BROKER_V5_STATE_H
