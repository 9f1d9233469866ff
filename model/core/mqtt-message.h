/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * An application message as a broker stores it: once, shared by every subscriber's queue and by
 * the retained store.
 */
#ifndef MQTT_MESSAGE_H
#define MQTT_MESSAGE_H

#include "mqtt-packets.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

struct MqttMessage
{
    /** Broker-assigned identity, unique within one engine, increasing in arrival order. */
    uint64_t id = 0;
    /**
     * Client id of the publisher, set by the broker engine: the client whose PUBLISH this is,
     * or for a will the client that owned it. Empty for messages the broker makes itself
     * (lifecycle events) and in the client engine's messages.
     */
    std::string publisherId;
    std::string topic;
    std::vector<uint8_t> payload;
    /** QoS the message was published (or stored as retained) with. */
    Qos qos = Qos::AtMostOnce;
    bool retain = false;
    /**
     * 5.0: the PUBLISH (or Will) properties forwarded to subscribers, without the per-hop Topic
     * Alias and Subscription Identifiers and without the Message Expiry Interval (expiresAt).
     */
    Properties properties{};
    /** 5.0: when the Message Expiry Interval runs out (0: never). */
    std::chrono::nanoseconds expiresAt{0};
};

using MqttMessagePtr = std::shared_ptr<const MqttMessage>;

} // namespace mqtt
} // namespace ns3

#endif // MQTT_MESSAGE_H
