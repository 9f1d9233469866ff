/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What the client engine keeps of an MQTT 5.0 connection: what the broker's CONNACK announced
 * (the limits the client keeps to when it sends) and the topic aliases of both directions. A
 * 3.1.1 client has none of it.
 */
#ifndef MQTT_CLIENT_V5_STATE_H
#define MQTT_CLIENT_V5_STATE_H

#include "mqtt-packet-type.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace ns3
{
namespace mqtt
{

/** What a 5.0 CONNACK said; each field holds the default the specification gives when absent. */
struct Mqtt5ServerLimits
{
    /** QoS 1/2 PUBLISHes we may have unacknowledged (section 4.9). */
    uint16_t receiveMaximum = 65535;
    /** Aliases we may use on our PUBLISHes (0: none, [MQTT5-3.2.2-18]). */
    uint16_t topicAliasMaximum = 0;
    /** The largest packet the broker accepts (0: the protocol's limit). */
    uint32_t maximumPacketSize = 0;
    Qos maximumQos = Qos::ExactlyOnce;
    bool retainAvailable = true;
    bool wildcardSubscriptionAvailable = true;
    bool subscriptionIdentifierAvailable = true;
    bool sharedSubscriptionAvailable = true;
    /** The Session Expiry Interval in force: the CONNACK's, else the CONNECT's. */
    uint32_t sessionExpiryInterval = 0;
    /** Server Keep Alive, when the broker set one. */
    std::optional<uint16_t> serverKeepAlive;
    /** The identifier the broker assigned to an empty client id. */
    std::string assignedClientIdentifier;
    /** Response Information (when Request Response Information was 1). */
    std::string responseInformation;
};

/** The state of one 5.0 connection, reset when it ends (aliases live per connection). */
struct Mqtt5ClientConnection
{
    Mqtt5ServerLimits server;
    /** Aliases the broker set on its PUBLISHes: alias -> topic. */
    std::map<uint16_t, std::string> inboundAliases;
    /** Aliases we set: topic -> alias, and the next to hand out. */
    std::map<std::string, uint16_t, std::less<>> outboundAliases;
    uint16_t nextOutboundAlias = 1;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_CLIENT_V5_STATE_H
