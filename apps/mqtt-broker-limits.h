/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The standalone broker's memory limits: --memory-limit, --max-packet-size and
 * --persistent-client-expiration (mosquitto's memory_limit, message_size_limit and
 * persistent_client_expiration), and the defaults a broker facing real peers starts with.
 */
#ifndef MQTT_BROKER_LIMITS_H
#define MQTT_BROKER_LIMITS_H

#include "mqtt-broker-profile.h"
#include "mqtt-command-line.h"

#include <string>

namespace ns3
{
namespace mqtt
{

/** The options as given (text, checked by ApplyBrokerLimits). */
struct BrokerLimitArgs
{
    std::string memoryLimit;
    std::string maxPacketSize;
    std::string persistentClientExpiration;
};

/** Declares the three options on @p cli. */
void DeclareBrokerLimitOptions(MqttCommandLine& cli, BrokerLimitArgs& args);

/**
 * The defaults of a standalone broker (doc/real-socket.md, "Memory limits"), each only where
 * @p profile sets no bound of its own: memory-limit 256MiB, max-packet-size 16MiB,
 * session-expiry 7 days, max-retained-messages 100000, max-subscriptions-per-session 10000.
 */
void ApplyStandaloneDefaults(MqttBrokerProfile& profile);

/**
 * The standalone defaults (doc/real-socket.md, "Memory limits"), each only where @p profile sets
 * no bound of its own, then the options over them. False: @p cli holds the error.
 */
bool ApplyBrokerLimits(const BrokerLimitArgs& args,
                       MqttBrokerProfile& profile,
                       MqttCommandLine& cli);

/**
 * A session expiry as mosquitto's persistent_client_expiration writes it (a whole number and h,
 * d, w, m for 30 days or y for 365 days), as a broker setting duration ("90s", "2h"), or "never"
 * or "0" (no expiry, Nanos 0). Nothing if malformed.
 */
std::optional<Nanos> ParseClientExpiration(const std::string& text);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_BROKER_LIMITS_H
