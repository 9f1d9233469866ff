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

#include <chrono>
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
    /**
     * 5.0: the Subscription Identifiers this delivery carries (the message image leaves them
     * out: one message may go to several sessions, each with its own), in PUBLISH order.
     */
    std::vector<uint32_t> subscriptionIds5;
    /** 5.0: the shared subscription it came through, "$share/NAME/FILTER" (empty: none). */
    std::string sharedGroup5;
};

/** 5.0: a will waiting for its Will Delay Interval (section 3.1.3.2.2). */
struct DurableWill
{
    Will will;
    /** The user name of the connection that set it (ACL checks when it is published). */
    std::optional<std::string> userName;
    /** What was left of the delay when the image was written (at least 1 ns). */
    std::chrono::nanoseconds delayLeft{1};
};

/** 5.0 options of one subscription (section 3.8.3.1) and its Subscription Identifier. */
struct DurableSubscriptionOptions
{
    bool noLocal = false;
    bool retainAsPublished = false;
    uint32_t subscriptionId = 0;
};

/** What survives of a persistent session (section 3.1.2.4). */
struct DurableSession
{
    std::optional<std::string> userName;
    /** Filter and granted QoS, sorted by filter. */
    std::vector<std::pair<std::string, Qos>> subscriptions;
    /**
     * 5.0: the Session Expiry Interval in force (seconds; nothing: a 3.1.1 session, which
     * expires by the profile) and, when any subscription has options, one entry per
     * subscription in the order above (else empty). A session with either is written in image
     * format 2; without, in format 1 as before.
     */
    std::optional<uint32_t> expiryInterval5;
    std::vector<DurableSubscriptionOptions> options5;
    /** In first-send order. */
    std::vector<DurableDelivery> inflight;
    /** In queue order. */
    std::vector<DurableDelivery> queued;
    std::vector<uint16_t> inboundQos2;
    /**
     * 5.0: the delayed will of the session's last connection, if its delay has not passed. A
     * session with one, or with a delivery that has Subscription Identifiers or a shared group,
     * is written in image format 3 (format 2 followed by these).
     */
    std::optional<DurableWill> will5;
};

/** Everything a store holds, as the engine's Restore() takes it. */
struct MqttDurableState
{
    std::map<uint64_t, std::vector<uint8_t>> messages;
    std::map<std::string, std::vector<uint8_t>> sessions;
    /** Topic -> message id. */
    std::map<std::string, uint64_t> retained;
};

/**
 * A message with 5.0 properties or a Message Expiry is written in format 2: its properties
 * (Subscription Identifiers left out: they belong to a delivery, not the message) and the
 * expiry left at @p now; DecodeMessageImage gives that remainder back in expiresAt (0: none),
 * for the loader to add its own clock's time.
 */
std::vector<uint8_t> EncodeMessageImage(const MqttMessage& m,
                                        std::chrono::nanoseconds now = std::chrono::nanoseconds(0));
/** @return the message (with @p id), or nothing if @p bytes are not a message image. */
std::optional<MqttMessage> DecodeMessageImage(uint64_t id, const std::vector<uint8_t>& bytes);

std::vector<uint8_t> EncodeSessionImage(const DurableSession& s);
std::optional<DurableSession> DecodeSessionImage(const std::vector<uint8_t>& bytes);

/** Applies one batch to an in-memory state, as a store would: the reference store. */
void ApplyPersistOps(MqttDurableState& state, const std::vector<PersistOp>& ops);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_DURABLE_IMAGE_H
