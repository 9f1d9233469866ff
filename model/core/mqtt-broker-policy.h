/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker's decisions as pure functions: the profile (and what the handler knows) in, a value
 * out. The engine's handlers ask these and apply the answer, so every rule can be tested alone
 * (test/core/mqtt-broker-policy-test.cc) and read in one place.
 */
#ifndef MQTT_BROKER_POLICY_H
#define MQTT_BROKER_POLICY_H

#include "mqtt-action.h"
#include "mqtt-broker-profile.h"
#include "mqtt-event.h"
#include "mqtt-packets.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{

class MqttRetainedStore;
struct MqttMessage;

/** Packet identifiers a session can have in flight at once (section 2.3.1). */
constexpr uint32_t MAX_INFLIGHT_IDS = 65535;

/** Longest UTF-8 string, so the longest topic (section 1.5.3). */
constexpr std::size_t MAX_TOPIC_LENGTH = 65535;

/** Longest client id every server must accept [MQTT-3.1.3-5]. */
constexpr std::size_t ALWAYS_ACCEPTED_ID_LENGTH = 23;

/** The lower of two QoS levels. */
Qos MinQos(Qos a, Qos b);

// --- CONNECT ---------------------------------------------------------------------------------

/** What the client id of a CONNECT gets. */
enum class ClientIdVerdict : uint8_t
{
    Accept, //!< used as sent
    Assign, //!< zero-length: the broker assigns one [MQTT-3.1.3-6]
    Reject, //!< CONNACK 0x02 [MQTT-3.1.3-8], [MQTT-3.1.3-9]
};

/** 1..23 bytes of 0-9, a-z, A-Z: accepted whatever the profile says [MQTT-3.1.3-5]. */
bool IsAlwaysAcceptedClientId(const std::string& id);

/**
 * A zero-length id needs CleanSession=1 and a profile that assigns ids; a longer id than the
 * profile allows is still accepted when it is one every server must accept.
 */
ClientIdVerdict ClientIdPolicy(const MqttBrokerProfile& profile,
                               const std::string& clientId,
                               bool cleanSession);

/** Whether a request to retain (PUBLISH RETAIN=1, or Will Retain=1) ends the connection. */
bool RefusesRetain(const MqttBrokerProfile& profile, bool retain);

/**
 * 5.0: why a CONNECT's will is refused, or nothing: Will QoS above the profile's Maximum QoS is
 * QoS not supported (0x9B) [MQTT5-3.2.2-12], Will Retain 1 where retain is not available is
 * Retain not supported (0x9A) [MQTT5-3.2.2-13].
 */
std::optional<ReasonCode> WillRefusal5(const MqttBrokerProfile& profile, const Will& will);

/** Whether a CONNECT of a client id that is connected now is refused (CONNACK 0x02). */
bool RefusesTakeover(const MqttBrokerProfile& profile, bool idConnected);

/**
 * Whether the will of a connection taken over is published (section 3.1.2.5); @p resumes: the new
 * CONNECT resumes the persistent session (ResumesStoredSession).
 */
bool TakeoverPublishesWill(const MqttBrokerProfile& profile, bool resumes);

/** Whether @p text makes the broker close the connection: a control character (1.5.3). */
bool RefusesControlCharacters(const MqttBrokerProfile& profile, std::string_view text);

/**
 * Whether a CONNECT finds no free place (CONNACK 0x03) with @p connectedClients connected; a
 * takeover frees the place of the connection it closes.
 */
bool ConnectionSlotsFull(const MqttBrokerProfile& profile,
                         std::size_t connectedClients,
                         bool takesOver);

/**
 * Whether a stored session is resumed: not when the CONNECT asks for a clean session
 * [MQTT-3.1.2-4] nor when the stored one was clean [MQTT-3.1.2-6].
 */
bool ResumesStoredSession(bool cleanSessionRequested, bool storedIsClean);

/** How a connection refused with CONNACK @p code is reported closed. */
CloseReason RefusalCloseReason(ConnectReturnCode code);

/** Keep-alive seconds after the profile's substitution for 0 and its clamp (0: off). */
uint16_t EffectiveKeepAlive(const MqttBrokerProfile& profile, uint16_t requested);

/** Silence allowed on a connection with @p keepAliveSeconds: keepAliveFactor times it. */
Nanos KeepAlivePeriod(const MqttBrokerProfile& profile, uint16_t keepAliveSeconds);

// --- QoS -------------------------------------------------------------------------------------

/**
 * The QoS a request for @p requested gets (a PUBLISH forwarded, a subscription, a will): itself
 * up to maxQos; above it maxQos under Downgrade, none (refused) under Refuse and Ignore.
 */
std::optional<Qos> GrantedQos(const MqttBrokerProfile& profile, Qos requested);

/** QoS of a delivery: the message's, capped by the subscription's [MQTT-3.3.5-1]. */
Qos DeliveryQos(Qos messageQos, Qos subscriptionQos);

// --- PUBLISH and topics ----------------------------------------------------------------------

/** Why a topic or payload breaks the profile's publish limits (None: within them). */
DropReason PublishLimitsVerdict(const MqttBrokerProfile& profile,
                                std::string_view topic,
                                std::size_t payloadSize);

/** Whether a subscription filter is within the profile's topic length and depth. */
bool FilterWithinLimits(const MqttBrokerProfile& profile, std::string_view filter);

/**
 * Whether a QoS @p qos PUBLISH finds the inbound window full: @p heldAcks acknowledgements
 * held back already (maxInflightIn).
 */
bool InboundWindowFull(const MqttBrokerProfile& profile, Qos qos, std::size_t heldAcks);

/** What a PUBLISH does to the retained store. */
enum class RetainedVerdict : uint8_t
{
    Leave,  //!< RETAIN=0 [MQTT-3.3.1-12], or the profile refuses retained messages
    Delete, //!< an empty payload deletes the topic's message [MQTT-3.3.1-10], [MQTT-3.3.1-11]
    Store,  //!< stored, replacing the topic's message [MQTT-3.3.1-5], [MQTT-3.3.1-7]
    Full,   //!< the store is full and this topic would take a new place: not stored
};

RetainedVerdict RetainedPolicy(const MqttBrokerProfile& profile,
                               const MqttRetainedStore& store,
                               const MqttMessage& message);

/** Whether a retained message on @p topic goes to a new subscription with @p filter. */
bool SendsRetained(const MqttBrokerProfile& profile,
                   std::string_view filter,
                   std::string_view topic);

// --- SUBSCRIBE -------------------------------------------------------------------------------

/** Whether a SUBSCRIBE with @p filterCount filters ends the connection (no SUBACK). */
bool TooManyFilters(const MqttBrokerProfile& profile, std::size_t filterCount);

/**
 * Whether a SUBSCRIBE is ignored as a whole: under QosRequestPolicy::Ignore, one filter asking
 * for more than maxQos is enough.
 */
bool IgnoresSubscribe(const MqttBrokerProfile& profile, const std::vector<TopicRequest>& topics);

/** Whether the profile allows a subscription to @p filter at all (wildcards [MQTT-3.8.3-2]). */
bool FilterAllowed(const MqttBrokerProfile& profile, std::string_view filter);

/**
 * Whether a session holding @p held subscriptions may not add one more (a filter it holds
 * already, @p replaces, is replaced [MQTT-3.8.4-3], which is always allowed).
 */
bool SubscriptionsFull(const MqttBrokerProfile& profile, std::size_t held, bool replaces);

// --- Delivery --------------------------------------------------------------------------------

/**
 * How many QoS 1/2 deliveries a session may have in flight (the ids bound it). Inline: asked
 * on every delivery.
 */
inline uint32_t
InflightWindow(const MqttBrokerProfile& profile)
{
    return profile.maxInflightOut == 0 || profile.maxInflightOut > MAX_INFLIGHT_IDS
               ? MAX_INFLIGHT_IDS
               : profile.maxInflightOut;
}

/**
 * Whether a disconnected persistent session keeps a delivery of QoS @p qos: QoS 1 and 2 always
 * [MQTT-3.1.2-5], QoS 0 only with queueQos0Offline.
 */
bool QueuesOffline(const MqttBrokerProfile& profile, Qos qos);

/** What a delivery that must wait does to a session's waiting queue. */
enum class QueueVerdict : uint8_t
{
    Append,     //!< room: appended
    DropNewest, //!< full: the arriving delivery is dropped
    DropOldest, //!< full: the head is dropped, the arriving one appended
};

QueueVerdict QueuePolicy(const MqttBrokerProfile& profile, std::size_t queued);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_BROKER_POLICY_H
