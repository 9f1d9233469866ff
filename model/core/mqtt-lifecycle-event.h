/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Connection lifecycle events as AWS IoT Core publishes them ("Lifecycle events" in the AWS IoT
 * Core Developer Guide): a JSON document on <prefix>connected/<clientId> and
 * <prefix>disconnected/<clientId>. The broker engine publishes them when the profile's
 * lifecycleTopicPrefix is set; subscribers receive them like any other message.
 */
#ifndef MQTT_LIFECYCLE_EVENT_H
#define MQTT_LIFECYCLE_EVENT_H

#include "mqtt-event.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ns3
{
namespace mqtt
{

/** One connect or disconnect event, and its JSON form. */
struct MqttLifecycleEvent
{
    bool connected = true; //!< "connected" or "disconnected"
    std::string clientId;
    /** Milliseconds on the driver's clock (the engines' time origin; AWS uses the Unix epoch). */
    int64_t timestampMs = 0;
    /** Identifies one connection; its connect and disconnect events carry the same one. */
    std::string sessionIdentifier;
    /** The user name the client authenticated with, if any (AWS: the certificate or role). */
    std::optional<std::string> principalIdentifier;
    /** Increases with every connection of a client id (the order of its events). */
    uint64_t versionNumber = 0;
    /** Disconnects only: the client sent DISCONNECT. */
    bool clientInitiatedDisconnect = false;
    /** Disconnects only: LifecycleDisconnectReason() of the close. */
    std::string disconnectReason;

    /**
     * The JSON document, keys in a fixed order (clientId, timestamp, eventType,
     * sessionIdentifier, principalIdentifier if known, then for disconnects
     * clientInitiatedDisconnect and disconnectReason, versionNumber), no white space.
     */
    std::string ToJson() const;

    /** @p prefix + "connected/" or "disconnected/" + clientId. */
    std::string Topic(std::string_view prefix) const;
};

/**
 * The AWS disconnectReason for a broker close: CLIENT_INITIATED_DISCONNECT, CONNECTION_LOST,
 * MQTT_KEEP_ALIVE_TIMEOUT, CLIENT_ERROR, DUPLICATE_CLIENTID, SERVER_INITIATED_DISCONNECT,
 * THROTTLED, AUTH_ERROR, or UNKNOWN.
 */
const char* LifecycleDisconnectReason(CloseReason reason);

/** Whether a client id gets lifecycle events: AWS sends none for ids holding '#' or '+'. */
bool HasLifecycleEvents(std::string_view clientId);

/** A deterministic session identifier in the UUID layout: the number @p n in 32 hex digits. */
std::string LifecycleSessionIdentifier(uint64_t n);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_LIFECYCLE_EVENT_H
