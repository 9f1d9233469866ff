/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The properties of a 5.0 PUBLISH as a message is stored, by the broker (what it forwards) and by
 * the client (what it queues): the properties that belong to one hop are taken out and set again
 * on each PUBLISH sent (Topic Alias [MQTT5-3.3.2-7], Subscription Identifiers [MQTT5-3.3.4-6],
 * and a Will Delay Interval, which belongs to the Will Properties only), and the Message Expiry
 * Interval becomes the message's expiry time, since the interval sent is what is left of it.
 */
#ifndef MQTT_PUBLISH_PROPERTIES_H
#define MQTT_PUBLISH_PROPERTIES_H

#include "mqtt-properties.h"

#include <cstdint>
#include <optional>

namespace ns3
{
namespace mqtt
{

/**
 * Removes the per-hop properties and the Message Expiry Interval from @p properties, keeping the
 * others in their order. @return the Message Expiry Interval it held, if any.
 */
std::optional<uint32_t> TakePerHopProperties(Properties& properties);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_PUBLISH_PROPERTIES_H
