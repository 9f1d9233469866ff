/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Notifications from the engines: every event a study needs to compute delivery, loss,
 * duplicates, latency and connection behaviour.
 */
#ifndef MQTT_EVENT_H
#define MQTT_EVENT_H

#include "mqtt-message.h"
#include "mqtt-packets.h"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

namespace ns3
{
namespace mqtt
{

/** Why a connection ended. */
enum class CloseReason : uint8_t
{
    ClientDisconnect = 0, //!< DISCONNECT received (broker) or sent (client)
    NetworkClosed,        //!< the peer or the network closed the transport without DISCONNECT
    KeepAliveTimeout,     //!< no packet within 1.5 x keep-alive [MQTT-3.1.2-24], or no PINGRESP
    ProtocolError,        //!< a malformed or out-of-order packet (section 4.8); see MqttEvent::decodeError
    Takeover,             //!< another connection took over the client id [MQTT-3.1.4-2]
    AuthFailure,          //!< CONNACK 4 or 5
    ConnectRefused,       //!< another non-zero CONNACK (1, 2, 3)
    ConnectTimeout,       //!< no CONNECT (broker) or CONNACK (client) in time
    PolicyViolation,      //!< a broker profile rule closed it (e.g. a retained publish on AWS IoT)
    ServerShutdown,       //!< the broker is stopping
    Throttled,            //!< a rate limit of the broker profile
    AckTimeout,           //!< client: an ack did not arrive in time (closeOnAckTimeout)
    ThrottledAccountConnectRate,   //!< over the account's CONNECT requests per second
    ThrottledAccountConnections,   //!< the account's concurrent connections were all taken
    ThrottledAccountPublishInRate, //!< over the account's inbound publishes (closeOnThrottle)
    ThrottledAccountRetainedPublishRate, //!< over the account's retained publishes (same)
    MemoryLimit, //!< what its peer made the broker hold (a partial packet, unsent output, inbound
                 //!< QoS 2 ids, a packet's handling) would pass the memory limit (MqttMemoryBudget)
    ServerDisconnect, //!< client, 5.0: the broker sent DISCONNECT (MqttEvent::reasonCode says why)
};

const char* CloseReasonName(CloseReason reason);

/** Why a message was not delivered to a subscriber (or not accepted at all). */
enum class DropReason : uint8_t
{
    None = 0,
    QueueFull,           //!< the session's offline or in-flight queue hit its bound
    QosZeroOffline,      //!< QoS 0 message for a disconnected session, QoS 0 queueing off
    NotAuthorized,       //!< the ACL denied the publish
    QosNotSupported,     //!< the profile refuses this QoS (e.g. QoS 2 on AWS IoT Core)
    SessionExpired,      //!< the persistent session expired with the message queued
    SubscriptionPending, //!< the profile's subscription delay had not elapsed
    Throttled,           //!< a rate limit of the broker profile
    PayloadTooLarge,     //!< the profile's payload limit
    TopicRejected,       //!< the profile's topic limits, or a reserved topic
    SessionDiscarded,    //!< a clean session ended with the message still queued
    RetainedStoreFull,   //!< not stored as retained (still forwarded): the profile's bound
    ThrottledAccountPublishInRate,  //!< over the account's inbound publishes per second
    ThrottledAccountPublishOutRate, //!< over the account's outbound publishes per second
    ThrottledAccountSubscribeRate,  //!< SubscriptionDenied: over the account's subscriptions/s
    ThrottledAccountQueuedRate,     //!< over the account's messages queued offline per second
    ThrottledAccountRetainedPublishRate, //!< over the account's retained publishes per second
    MessageExpired,      //!< 5.0: its Message Expiry Interval ran out while it waited
    TooLargeForClient,   //!< 5.0: larger than the subscriber's Maximum Packet Size
    MemoryLimit, //!< refused: storing it would pass the broker's memory limit (MqttMemoryBudget)
    RefusedByServer,    //!< client, 5.0: PUBACK/PUBREC with a reason code >= 0x80 (in code)
    RetainNotAvailable, //!< client, 5.0: a retained publish to a broker without Retain Available
    ThrottledAccountSubscriptions, //!< SubscriptionDenied: the account's subscriptions all taken
};

const char* DropReasonName(DropReason reason);

enum class EventType : uint8_t
{
    ConnectionOpened,     //!< transport up (broker: accepted; client: connected)
    ConnectionClosed,     //!< transport closed; closeReason says why
    SessionStarted,       //!< CONNACK 0 sent (broker) or received (client); sessionPresent set
    ConnectRefused,       //!< CONNACK != 0; code holds the return code
    PublishReceived,      //!< a PUBLISH taken over (broker: from a client; client: from the broker)
    MessageDelivered,     //!< broker: a message sent to a subscriber (QoS 0) or acknowledged (QoS 1, 2)
    MessageSent,          //!< broker: a PUBLISH written to a subscriber's connection (first or repeat)
    MessageQueued,        //!< broker: stored for a subscriber that is offline or at its window
    MessageDropped,       //!< dropReason says why
    PublishCompleted,     //!< client: own QoS 1/2 publish acknowledged (PUBACK / PUBCOMP)
    SubscriptionGranted,  //!< code holds the granted QoS
    SubscriptionDenied,   //!< SUBACK 0x80
    Unsubscribed,
    WillPublished,
    RetainedStored,
    RetainedDeleted,
    StateChanged,         //!< client: state machine transition; code holds the new state
    AckTimeout,           //!< client: no ack for a packet within its timeout
    LifecyclePublished,   //!< broker: a lifecycle event (connected/disconnected) was published
    Reauthenticated,      //!< client, 5.0: a re-authentication (AUTH 0x19) ended with AUTH 0x00
};

const char* EventTypeName(EventType type);

/**
 * A set of event types: the events a driver wants its engine to emit. Events left out are not
 * built at all, which matters for the per-delivery ones (MessageSent, MessageDelivered): a
 * fan-out to many subscribers spent about 40 % of a real broker's CPU building events nobody read.
 */
class MqttEventSet
{
  public:
    static MqttEventSet All()
    {
        MqttEventSet s;
        s.m_bits = ~uint64_t{0};
        return s;
    }

    static MqttEventSet Of(std::initializer_list<EventType> types)
    {
        MqttEventSet s;
        for (EventType t : types)
        {
            s.m_bits |= Bit(t);
        }
        return s;
    }

    bool Has(EventType type) const
    {
        return (m_bits & Bit(type)) != 0;
    }

  private:
    static uint64_t Bit(EventType type)
    {
        static_assert(static_cast<int>(EventType::Reauthenticated) < 64, "one bit per type");
        return uint64_t{1} << static_cast<unsigned>(type);
    }

    uint64_t m_bits = 0;
};

/**
 * One notification. Fields not meaningful for a type keep their defaults. Message events carry
 * the stored message, so a subscriber's driver can read the payload (and the identity and send
 * time the ns-3 applications put there) without a copy.
 */
struct MqttEvent
{
    EventType type = EventType::ConnectionOpened;
    uint64_t connection = 0;
    /**
     * The client the event is about. Broker message events (PublishReceived, MessageSent,
     * MessageDelivered, MessageQueued, MessageDropped, WillPublished, Retained*) name the
     * publisher here (MqttMessage::publisherId).
     */
    std::string clientId;
    /** Broker delivery events: the subscriber (empty for drops of a publish as a whole). */
    std::string peerId;
    MqttMessagePtr message;
    Qos qos = Qos::AtMostOnce;
    uint16_t packetId = 0;
    bool dup = false;
    bool retain = false;
    bool sessionPresent = false;
    CloseReason closeReason = CloseReason::ClientDisconnect;
    DropReason dropReason = DropReason::None;
    /** DecodeError value for protocol errors, CONNACK/SUBACK code, or client state. */
    uint8_t code = 0;
    /** Current queue depth of the subscriber's session for queue events. */
    uint32_t queueDepth = 0;
    std::string topic;
    /**
     * ConnectionClosed with ProtocolError for a well-formed packet at the wrong time (anything
     * before CONNECT, a second CONNECT, a packet only the other side sends): its type. Empty
     * for malformed bytes (code holds the DecodeError) and for every other event.
     */
    std::optional<PacketType> packetType;
    /**
     * 5.0, client: ConnectionClosed with the reason code of the DISCONNECT the client sent, or
     * (closeReason ServerDisconnect) received. Empty when no DISCONNECT went either way.
     */
    std::optional<ReasonCode> reasonCode;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_EVENT_H
