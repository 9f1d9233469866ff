/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker's durable state as byte images: one per message and one per persistent session,
 * encoded and decoded here only, so a store keeps opaque values under their keys (the SQLite
 * store of the standalone broker, the in-memory one of the tests).
 */
#ifndef MQTT_DURABLE_IMAGE_H
#define MQTT_DURABLE_IMAGE_H

#include "mqtt-action.h"
#include "mqtt-message.h"
#include "mqtt-packets.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** One stored delivery of a session: in flight (with its id and state) or waiting. */
struct DurableDelivery
{
    uint64_t messageId = 0;
    Qos qos = Qos::AtLeastOnce;
    bool retain = false;
    /** In flight only: the packet id and the InflightState as a number. */
    uint16_t packetId = 0;
    uint8_t state = 0;
};

/** What survives of a persistent session (section 3.1.2.4). */
struct DurableSession
{
    std::optional<std::string> userName;
    /** Filter and granted QoS, sorted by filter. */
    std::vector<std::pair<std::string, Qos>> subscriptions;
    /** In first-send order. */
    std::vector<DurableDelivery> inflight;
    /** In queue order. */
    std::vector<DurableDelivery> queued;
    std::vector<uint16_t> inboundQos2;
};

/** Everything a store holds, as the engine's Restore() takes it. */
struct MqttDurableState
{
    std::map<uint64_t, std::vector<uint8_t>> messages;
    std::map<std::string, std::vector<uint8_t>> sessions;
    /** Topic -> message id. */
    std::map<std::string, uint64_t> retained;
};

std::vector<uint8_t> EncodeMessageImage(const MqttMessage& m);
/** @return the message (with @p id), or nothing if @p bytes are not a message image. */
std::optional<MqttMessage> DecodeMessageImage(uint64_t id, const std::vector<uint8_t>& bytes);

std::vector<uint8_t> EncodeSessionImage(const DurableSession& s);
std::optional<DurableSession> DecodeSessionImage(const std::vector<uint8_t>& bytes);

/** Applies one batch to an in-memory state, as a store would: the reference store. */
void ApplyPersistOps(MqttDurableState& state, const std::vector<PersistOp>& ops);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_DURABLE_IMAGE_H
