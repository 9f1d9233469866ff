/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A broker profile: the limits and policies a broker follows, as a value. The engine reads these
 * fields at its decision points; profiles differ in data, never in code paths keyed on a name.
 */
#ifndef MQTT_BROKER_PROFILE_H
#define MQTT_BROKER_PROFILE_H

#include "mqtt-action.h"
#include "mqtt-packets.h"
#include "mqtt-service-costs.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** What the broker does with a PUBLISH or SUBSCRIBE asking for more than maxQos. */
enum class QosRequestPolicy : uint8_t
{
    Downgrade = 0, //!< grant / forward at maxQos (SUBACK says the lower QoS)
    Refuse,        //!< SUBACK 0x80 for the filter; PUBLISH closes the connection
    Ignore,        //!< no PUBACK/SUBACK at all; the message is not forwarded, the filter not made
};

/** What the broker does with a PUBLISH that has RETAIN=1. */
enum class RetainPolicy : uint8_t
{
    Store = 0,           //!< store per section 3.3.1.3
    Disconnect,          //!< close the connection (AWS IoT Core as first documented)
    StoreExactMatchOnly, //!< store; deliver on subscribe only to filters equal to the topic
};

/** What happens to the older connection when a client id connects again. */
enum class TakeoverPolicy : uint8_t
{
    CloseExisting = 0, //!< [MQTT-3.1.4-2]
    RejectNew,         //!< refuse the new CONNECT (CONNACK 2); not 3.1.1 behaviour, for studies
};

/** When the will of a connection taken over is published. */
enum class TakeoverWillPolicy : uint8_t
{
    Publish = 0, //!< the old connection ended without DISCONNECT, so its will fires [MQTT-3.1.2-8]
    Discard,
    /**
     * Discarded when the new CONNECT resumes the persistent session (CleanSession 0 finding a
     * stored session: the device is evidently alive), published otherwise.
     */
    DiscardOnResume,
};

/** The distribution of a random delay with a given mean. */
enum class DelayShape : uint8_t
{
    Fixed = 0,   //!< always the mean
    Uniform,     //!< uniform in [mean - spread, mean + spread] (clamped at 0)
    Exponential, //!< exponential with this mean (spread unused)
};

/** Which member of a shared subscription group a message goes to (5.0, section 4.8.2). */
enum class SharedSubscriptionPolicy : uint8_t
{
    RoundRobin = 0, //!< the members in join order, one message each, skipping ineligible ones
    Random,         //!< a member drawn uniformly from the seeded generator per message
};

/** Which message an offline queue drops when it is full. */
enum class QueueDropPolicy : uint8_t
{
    DropNewest = 0, //!< refuse the arriving message (what was queued earlier stays)
    DropOldest,     //!< make room by dropping the oldest queued message
};

/**
 * Every field is read by MqttBrokerEngine where it applies: doc/broker-engine.md has the table,
 * doc/aws-iot-core.md the AWS IoT Core profiles and the source of each of their values. Zero
 * means "no limit" / "off" unless a field says otherwise, so Standard311() leaves every
 * deviation off and consumes no random numbers.
 */
struct MqttBrokerProfile
{
    /** Name used by Attributes, scenario files and the --profile option. */
    std::string name = "standard";

    // --- Connection -------------------------------------------------------------------------
    /** Time after the transport opens within which CONNECT must arrive (0: no limit). */
    Nanos connectTimeout = std::chrono::seconds(30);
    /** Largest packet the broker accepts; larger ones close the connection. */
    std::size_t maxPacketSize = 268435460;
    /** Longest client id accepted (3.1.1 requires accepting 1..23 bytes [MQTT-3.1.3-5]). */
    std::size_t maxClientIdLength = 65535;
    /** Accept a zero-length client id with clean session and assign one [MQTT-3.1.3-6]. */
    bool assignClientIds = true;
    /** Prefix of assigned client ids. */
    std::string assignedClientIdPrefix = "auto-";
    TakeoverPolicy takeover = TakeoverPolicy::CloseExisting;
    TakeoverWillPolicy takeoverWill = TakeoverWillPolicy::Publish;
    /**
     * Minimum time between accepted CONNECTs of one client id (0: no limit). A CONNECT that comes
     * sooner is not answered: the connection is closed (Throttled) and nothing else changes (the
     * connected client, if any, stays). Only accepted CONNECTs count, like a token bucket of one
     * per interval. Assigned client ids are not limited.
     */
    Nanos minConnectInterval{0};
    /**
     * Most clients connected at once (0: no limit): the account's concurrent connections. A
     * CONNECT beyond it gets CONNACK 3 and the connection is closed (ThrottledAccountConnections);
     * a takeover needs no new slot.
     */
    std::size_t maxConnectedClients = 0;
    /**
     * Most subscriptions at once over the connected sessions of the account (0: no limit). A new
     * topic filter beyond it gets 0x80 in the SUBACK (SubscriptionDenied
     * ThrottledAccountSubscriptions) and the connection stays; a session's stored subscriptions
     * come back with its connection whatever the count.
     */
    std::size_t maxAccountSubscriptions = 0;

    // --- Keep-alive -------------------------------------------------------------------------
    /** The broker closes after keepAliveFactor x keep-alive without a packet [MQTT-3.1.2-24]. */
    double keepAliveFactor = 1.5;
    /** Keep-alive 0 is replaced by this (0: keep-alive stays off). */
    uint16_t keepAliveWhenZero = 0;
    /** Keep-alive values are clamped to [min, max] (0 max: no clamp). */
    uint16_t minKeepAlive = 0;
    uint16_t maxKeepAlive = 0;

    // --- QoS --------------------------------------------------------------------------------
    Qos maxQos = Qos::ExactlyOnce;
    QosRequestPolicy qosRequestPolicy = QosRequestPolicy::Downgrade;
    /**
     * QoS 1/2 messages in flight to one client at once; more wait in order (0: only the 65535
     * packet identifiers bound it).
     */
    uint32_t maxInflightOut = 20;
    /**
     * QoS 1/2 PUBLISHes from one connection whose acknowledgement the broker has not sent yet
     * (0: no limit). The broker acknowledges as soon as it has routed a message, so this binds
     * only while acknowledgements are held back (reorderJitter). A QoS 1/2 PUBLISH beyond it is
     * not accepted: not acknowledged, not forwarded (MessageDropped, Throttled).
     */
    uint32_t maxInflightIn = 0;

    // --- Sessions and queues ----------------------------------------------------------------
    /** Messages queued per session (waiting, not counting in flight; 0: no limit). */
    uint32_t maxQueuedMessages = 1000;
    QueueDropPolicy queueDropPolicy = QueueDropPolicy::DropNewest;
    /** Queue QoS 0 messages for offline persistent sessions too (optional in 3.1.1). */
    bool queueQos0Offline = false;
    /** A disconnected persistent session is discarded after this (0: never). */
    Nanos sessionExpiry{0};
    /**
     * Messages stored for a session (unacknowledged ones re-sent, then the queue) go out after a
     * reconnect at most this many per second, the first at once (0: no limit). Messages that
     * arrive meanwhile queue behind them.
     */
    double offlineDrainRate = 0;

    // --- Retained messages ------------------------------------------------------------------
    RetainPolicy retain = RetainPolicy::Store;
    /**
     * Bound on retained messages held (0: no limit). A retained PUBLISH for a topic that has none
     * while the store is full is forwarded as usual but not stored (MessageDropped,
     * RetainedStoreFull, without peerId).
     */
    std::size_t maxRetainedMessages = 0;

    // --- Topics and payloads ----------------------------------------------------------------
    /** Longest topic in bytes (65535 is the 3.1.1 maximum). */
    std::size_t maxTopicLength = 65535;
    /** Most '/' separators in a topic (0: no limit). */
    std::size_t maxTopicSlashes = 0;
    /** Largest PUBLISH payload (0: no limit beyond maxPacketSize); larger closes. */
    std::size_t maxPayloadSize = 0;
    /** Topic prefixes clients may not publish to (e.g. "$aws/"); such a publish closes. */
    std::vector<std::string> reservedTopicPrefixes;
    /** Allow SUBSCRIBE filters with wildcards [MQTT-3.8.3-2]. */
    bool wildcardSubscriptions = true;
    /**
     * Close the connection on a topic name, topic filter, user name or will topic holding a
     * control character U+0001..U+001F or U+007F..U+009F (section 1.5.3 allows it); a client id
     * holding one gets CONNACK 0x02. Off: such strings are accepted as they are. doc/conformance.md.
     */
    bool closeOnControlCharacters = true;

    // --- Subscriptions ----------------------------------------------------------------------
    /** Most filters in one SUBSCRIBE (0: no limit); excess closes the connection. */
    std::size_t maxFiltersPerSubscribe = 0;
    /** Most subscriptions per session (0: no limit); excess filters get 0x80. */
    std::size_t maxSubscriptionsPerSession = 0;
    /**
     * Delay after SUBACK before a new subscription receives messages (mean; 0: none). Messages
     * published in that window are not delivered through it (MessageDropped,
     * SubscriptionPending). Replacing a subscription that is active keeps it active. Retained
     * messages are sent on subscribe regardless.
     */
    Nanos subscriptionDelay{0};
    DelayShape subscriptionDelayShape = DelayShape::Fixed;
    /** Half-width of a Uniform subscription delay. */
    Nanos subscriptionDelaySpread{0};

    // --- Memory -----------------------------------------------------------------------------
    /**
     * Bytes the broker may hold for its peers (0: no limit; MqttMemoryBudget): partial packets,
     * messages, sessions and subscriptions count against it. What would pass it is refused: a
     * large partial packet closes its connection (MemoryLimit), a message is not queued nor
     * stored as a new retained topic (MessageDropped MemoryLimit), a new session gets CONNACK 3,
     * a new subscription 0x80.
     */
    std::size_t memoryLimit = 0;

    // --- Service model (simulation only) -----------------------------------------------------
    /**
     * The broker's CPU: cores and the cost of each operation (MqttServiceModel). Off (0 cores,
     * the infinitely fast broker) in every built-in profile; the ns-3 MqttBroker applies it, the
     * real-socket broker has a real CPU and ignores it.
     */
    MqttServiceConfig service;

    // --- Rates ------------------------------------------------------------------------------
    /**
     * Inbound PUBLISH per second per connection (0: no limit), with a burst of one second's
     * worth. A PUBLISH beyond it is discarded: not acknowledged, not forwarded (MessageDropped,
     * Throttled), or with closeOnThrottle the connection is closed (Throttled).
     */
    double maxPublishRate = 0;
    /**
     * Inbound bytes per second per connection (0: no limit), with a burst of one second's
     * worth. Beyond it the connection's input is processed later (packets wait, in order, until
     * the rate allows them), not dropped.
     */
    double maxInboundBytesRate = 0;
    /** A PUBLISH beyond maxPublishRate closes the connection instead of being discarded. */
    bool closeOnThrottle = false;

    // --- Account-wide quotas ----------------------------------------------------------------
    // Per second, over every connection of the engine (and of every engine sharing its
    // MqttAccountQuotas), with a burst of one second's worth; 0: no limit. doc/aws-iot-core.md
    // has the published values and the behaviour at each limit.
    /**
     * CONNECT requests per second. A CONNECT beyond it is not answered: the connection is closed
     * (ThrottledAccountConnectRate).
     */
    double accountConnectRate = 0;
    /**
     * Inbound PUBLISH requests per second. One beyond it is discarded like one over
     * maxPublishRate (MessageDropped ThrottledAccountPublishInRate; with closeOnThrottle the
     * connection is closed, ThrottledAccountPublishInRate).
     */
    double accountPublishInRate = 0;
    /**
     * Outbound PUBLISH requests per second: deliveries through a subscription. One beyond it is
     * not made (MessageDropped ThrottledAccountPublishOutRate, with the subscriber as peerId).
     */
    double accountPublishOutRate = 0;
    /**
     * Topic filters subscribed per second. A filter beyond it gets 0x80 in the SUBACK
     * (SubscriptionDenied, ThrottledAccountSubscribeRate); the rest of the SUBSCRIBE is handled.
     */
    double accountSubscribeRate = 0;
    /**
     * Messages queued per second for disconnected persistent sessions. One beyond it is not
     * stored (MessageDropped ThrottledAccountQueuedRate, with the subscriber as peerId): AWS
     * keeps what was queued before the limit and drops new messages past it.
     */
    double accountQueuedRate = 0;
    /**
     * Retained PUBLISH requests per second (only where the profile stores retained messages).
     * One beyond it is discarded like one over accountPublishInRate (MessageDropped
     * ThrottledAccountRetainedPublishRate; with closeOnThrottle the connection is closed).
     */
    double accountRetainedPublishRate = 0;

    // --- Probabilistic deviations (seeded) --------------------------------------------------
    /** Probability a QoS 0 delivery is sent a second time, with no DUP flag. */
    double qos0DuplicateProbability = 0;
    /**
     * Probability a QoS 1/2 delivery, once acknowledged, is sent again as a new PUBLISH with a
     * new packet id and DUP=0.
     */
    double resendNewPacketIdProbability = 0;
    /**
     * Upper bound of a random delay, uniform in [0, reorderJitter), given to every PUBLISH the
     * broker sends (except re-sends on resume) and to every PUBACK/PUBREC it sends, so messages
     * and acknowledgements to one client can overtake each other (0: in order, no delay). A
     * delayed QoS 1/2 delivery has its packet id and counts in flight from the start.
     */
    Nanos reorderJitter{0};

    // --- MQTT 5.0 (doc/mqtt5.md) --------------------------------------------------------------
    /**
     * The highest protocol version the broker speaks: Mqtt311 refuses a level 5 CONNECT with
     * CONNACK 0x01 (3.1.1 behaviour); Mqtt5 serves each connection in the version of its CONNECT.
     */
    ProtocolVersion protocolVersion = ProtocolVersion::Mqtt311;
    /**
     * The broker's Receive Maximum (5.0 clients): QoS 1/2 PUBLISHes a client may have
     * unacknowledged; one more is DISCONNECT 0x93. 65535 is not announced in CONNACK.
     */
    uint16_t receiveMaximum = 65535;
    /** Topic aliases a 5.0 client may set per connection (0: none; CONNACK Topic Alias Maximum). */
    uint16_t topicAliasMaximum = 0;
    /** Topic aliases the broker uses towards a 5.0 client, within the client's own maximum. */
    uint16_t outboundTopicAliases = 0;
    /** Longest Session Expiry Interval granted, seconds (0xFFFFFFFF: never expires allowed). */
    uint32_t maxSessionExpiryInterval = 0xFFFFFFFF;
    /**
     * Longest Message Expiry Interval kept, seconds (0: as the publisher asked). A longer or
     * missing one is lowered to it (AWS IoT Core's 7 days).
     */
    uint32_t maxMessageExpiryInterval = 0;
    /** Subscription Identifiers accepted (CONNACK Subscription Identifier Available). */
    bool subscriptionIdentifiers = true;
    /**
     * Shared subscriptions $share/GROUP/FILTER accepted (CONNACK Shared Subscription
     * Available); 0x9E for each such filter otherwise.
     */
    bool sharedSubscriptions = false;
    /**
     * How a shared subscription group's member is chosen per message (connected members first;
     * doc/mqtt5.md, "Shared subscriptions").
     */
    SharedSubscriptionPolicy sharedSubscriptionPolicy = SharedSubscriptionPolicy::RoundRobin;
    /**
     * Response Information returned in CONNACK to a 5.0 client that sets Request Response
     * Information 1: this prefix followed by the client id ("" = none is ever returned).
     */
    std::string responseInformationPrefix;
    /**
     * Reason Strings on the broker's own packets: a 5.0 DISCONNECT or refusing CONNACK with a
     * reason code >= 0x80 carries the code's name, and so do PUBACK/PUBREC/PUBREL/PUBCOMP,
     * SUBACK and UNSUBACK with such a code (UNSUBACK also with 0x11, No subscription existed)
     * when the client allows it (Request Problem Information), each left out where it would
     * pass the client's Maximum Packet Size.
     */
    bool reasonStrings = false;
    /**
     * User Properties the broker adds, in order, to its acknowledgements of a 5.0 client
     * (PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK), each item "name=value", when the
     * client allows them (Request Problem Information 1, [MQTT5-3.1.2-29]). A packet they would
     * make larger than the client's Maximum Packet Size goes without them (and then without its
     * Reason String if that is still too large). Empty (both 5.0 profiles): none.
     */
    std::vector<std::string> ackUserProperties;
    /**
     * Enhanced authentication (AUTH, section 4.12) with the methods the driver registers
     * (MqttBrokerEngine::SetAuthMethods); false: a CONNECT naming a method gets CONNACK 0x8C.
     */
    bool enhancedAuthentication = true;

    // --- Events -----------------------------------------------------------------------------
    /**
     * Publish lifecycle events (MqttLifecycleEvent: JSON on <prefix>connected/<clientId> and
     * <prefix>disconnected/<clientId>) for every connection that completed CONNECT ("" = off).
     */
    std::string lifecycleTopicPrefix;
    /** QoS the lifecycle events are published with. */
    Qos lifecycleQos = Qos::AtLeastOnce;

    /** Plain MQTT 3.1.1 as the specification describes it. */
    static MqttBrokerProfile Standard311();

    /**
     * AWS IoT Core as its MQTT documentation describes its differences from MQTT 3.1.1 (no
     * retained messages: a retain request disconnects), with its published quotas. Name
     * "aws-iot-core". Sources: doc/aws-iot-core.md.
     */
    static MqttBrokerProfile AwsIotCore();

    /** AwsIotCore() with retained messages as supported since 2021. Name "aws-iot-core-2021". */
    static MqttBrokerProfile AwsIotCore2021();

    /** Standard311() speaking MQTT 5.0 as well (each connection by its CONNECT). "standard-5". */
    static MqttBrokerProfile Standard5();

    /**
     * AwsIotCore2021() speaking MQTT 5.0 as AWS IoT Core documents it ("MQTT 5 supported
     * features"). Name "aws-iot-core-5". Sources: doc/aws-iot-core.md, "MQTT 5".
     */
    static MqttBrokerProfile AwsIotCore5();

    /** The profile with this name ("standard", "aws-iot-core", ...), or nothing. */
    static std::optional<MqttBrokerProfile> ByName(const std::string& name);

    /** Names ByName() knows. */
    static std::vector<std::string> Names();
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_BROKER_PROFILE_H
