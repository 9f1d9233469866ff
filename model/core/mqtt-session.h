/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker's state for one client id (section 3.1.2.4): subscriptions, outbound messages in
 * flight and waiting, and inbound QoS 2 packet identifiers not yet released.
 */
#ifndef MQTT_SESSION_H
#define MQTT_SESSION_H

#include "mqtt-action.h"
#include "mqtt-message.h"
#include "mqtt-packets.h"
#include "mqtt-rate-limiter.h"
#include "mqtt-topic-tree.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{

class MqttBrokerConnection;

/** Where an outbound QoS 1/2 delivery stands (section 4.3). */
enum class InflightState : uint8_t
{
    AwaitingPuback = 0, //!< QoS 1 PUBLISH sent
    AwaitingPubrec,     //!< QoS 2 PUBLISH sent
    AwaitingPubcomp,    //!< QoS 2 PUBREL sent; the PUBLISH is never sent again [MQTT-4.3.3-1]
};

/** An outbound QoS 1/2 delivery that has a packet identifier and awaits its acknowledgement. */
struct InflightMessage
{
    MqttMessagePtr message;
    uint16_t packetId = 0;
    Qos qos = Qos::AtLeastOnce;
    /** RETAIN flag of this delivery (1 only for retained messages sent on subscribe). */
    bool retain = false;
    InflightState state = InflightState::AwaitingPuback;
    /** Sent on an earlier connection; waits for its paced re-send after a resume. */
    bool resendPending = false;
    /** 5.0: the shared subscription group it was sent through (0: none; doc/mqtt5.md). */
    uint32_t sharedGroup = 0;
};

/** A delivery waiting for the client to come back or for room in the in-flight window. */
struct QueuedMessage
{
    MqttMessagePtr message;
    Qos qos = Qos::AtMostOnce;
    bool retain = false;
    /** 5.0: the shared subscription group it is for (0: none; doc/mqtt5.md). */
    uint32_t sharedGroup = 0;
};

/** One subscription of a session: a filter and its granted QoS. */
struct MqttSubscription
{
    std::string filter;
    Qos qos = Qos::AtMostOnce;
    /** Messages are delivered through it from this time on (the profile's subscription delay). */
    Nanos activeFrom{0};
    /** 5.0 subscription options (section 3.8.3.1) and Subscription Identifier (0: none). */
    bool noLocal = false;
    bool retainAsPublished = false;
    uint32_t subscriptionId = 0;
};

/** Orders subscriptions by filter, and finds them by a filter alone. */
struct SubscriptionOrder
{
    using is_transparent = void;

    bool
    operator()(const MqttSubscription& a, const MqttSubscription& b) const
    {
        return a.filter < b.filter;
    }

    bool
    operator()(const MqttSubscription& a, std::string_view b) const
    {
        return a.filter < b;
    }

    bool
    operator()(std::string_view a, const MqttSubscription& b) const
    {
        return a < b.filter;
    }
};

/**
 * A session's subscriptions, in filter order. A tree, not a sorted vector: one connection may
 * hold 100,000 filters, and each new one must cost O(log n), not a shift of the rest.
 */
using MqttSubscriptions = std::set<MqttSubscription, SubscriptionOrder>;

/**
 * The paced drain of a resumed session (the profile's offlineDrainRate): what is left of the
 * stored messages and when the next may go.
 */
struct PacedDrain
{
    MqttRateLimiter limiter;
    /** Queue entries that were stored at the resume and not yet sent. */
    std::size_t backlog = 0;
    /** The timer for the next paced send (0: none running). */
    TimerId timer = 0;
};

/**
 * Session state of one client id [MQTT-3.1.3-2]. Messages are shared pointers to the one stored
 * copy. Nothing here allocates while the session is idle beyond its subscriptions, so a broker
 * can hold many disconnected persistent sessions cheaply.
 */
class MqttSession
{
  public:
    MqttSession(std::string clientId, SubscriberId handle, bool cleanSession);

    const std::string& ClientId() const;
    /** The handle the topic tree knows this session by. */
    SubscriberId Handle() const;
    /** Whether the session ends with its connection (CleanSession=1) [MQTT-3.1.2-6]. */
    bool IsClean() const;
    /** 5.0: whether it ends with its connection (Session Expiry Interval 0), set per CONNECT. */
    void SetClean(bool clean);

    /** The connection the client is on, or null while it is disconnected. */
    MqttBrokerConnection* Connection() const;
    void SetConnection(MqttBrokerConnection* connection);

    /** User name of the latest connection, for ACL checks while the client is offline. */
    const std::optional<std::string>& UserName() const;
    void SetUserName(const std::optional<std::string>& userName);

    /** The session-expiry timer while disconnected (0: none). */
    TimerId ExpiryTimer() const;
    void SetExpiryTimer(TimerId timer);

    /**
     * 5.0: the Session Expiry Interval in force, seconds, set by each CONNECT and DISCONNECT of
     * a 5.0 client (nothing: a 3.1.1 session, which expires by the profile). Kept here so that
     * durable persistence can write it.
     */
    std::optional<uint32_t>
    ExpiryInterval5() const
    {
        return m_expiryInterval5;
    }

    void
    SetExpiryInterval5(std::optional<uint32_t> seconds)
    {
        m_expiryInterval5 = seconds;
    }

    // --- Subscriptions --------------------------------------------------------------------
    /** The granted QoS of exactly this filter, if subscribed. */
    std::optional<Qos> FindSubscription(std::string_view filter) const;
    /**
     * Adds or replaces a subscription. A new one is active from @p activeFrom; a replaced one
     * keeps its time. @return true when it replaced one.
     */
    bool AddSubscription(std::string_view filter, Qos qos, Nanos activeFrom = Nanos(0));
    /** Whether some subscription is not active yet at @p now. */
    bool HasPendingSubscriptions(Nanos now) const;
    /**
     * 5.0: sets the options of the subscription to exactly @p filter (added first). A session
     * with options set routes through its subscription list (HasOptions5).
     */
    void SetOptions5(std::string_view filter,
                     bool noLocal,
                     bool retainAsPublished,
                     uint32_t subscriptionId);
    /** Whether some subscription has 5.0 options (No Local, Retain As Published, identifier). */
    bool HasOptions5() const;
    /** @return whether a subscription with exactly this filter existed [MQTT-3.10.4-1]. */
    bool RemoveSubscription(std::string_view filter);
    /** Sorted by filter. */
    const MqttSubscriptions& Subscriptions() const;

    // --- Outbound QoS 1/2 ------------------------------------------------------------------
    /**
     * A packet identifier not used by any delivery in flight [MQTT-2.3.1-4], or 0 when all
     * 65535 are in use.
     */
    uint16_t AllocatePacketId();
    /** Appends a delivery in flight (in send order); new ids are allocated after its id. */
    InflightMessage& AddInflight(InflightMessage message);
    /** The delivery in flight with this identifier, or null. */
    InflightMessage* FindInflight(uint16_t packetId);
    /** Removes the delivery in flight with this identifier. @return it, if there was one. */
    std::optional<InflightMessage> TakeInflight(uint16_t packetId);
    /** Deliveries in flight, in the order they were first sent [MQTT-4.6.0-1]. */
    const std::vector<InflightMessage>& Inflight() const;
    std::vector<InflightMessage>& Inflight();

    // --- Paced drain after a resume ----------------------------------------------------------
    /** The paced drain in progress, or null. */
    PacedDrain* Paced();
    /** Starts a paced drain (replacing any). */
    PacedDrain& StartPaced(double ratePerSecond);
    void StopPaced();

    // --- Waiting deliveries ----------------------------------------------------------------
    std::size_t QueuedCount() const;
    /** Appends a waiting delivery; the caller has checked the bound. */
    void PushQueued(QueuedMessage message);
    /** The oldest waiting delivery; the queue must not be empty. */
    const QueuedMessage& FrontQueued() const;
    /** Removes and returns the oldest waiting delivery; the queue must not be empty. */
    QueuedMessage PopQueued();
    /** Calls @p f with each waiting delivery, oldest first. */
    template<class F>
    void
    ForEachQueued(F&& f) const
    {
        if (m_queue)
        {
            for (const QueuedMessage& q : *m_queue)
            {
                f(q);
            }
        }
    }

    /**
     * Removes every queued and in-flight delivery (in-flight first, in send order, then the
     * queue in order) and the inbound QoS 2 identifiers, for reporting when a session ends.
     */
    std::vector<QueuedMessage> TakeAllMessages();

    // --- Inbound QoS 2 ---------------------------------------------------------------------
    /** Whether a QoS 2 PUBLISH with this identifier was received and not yet released. */
    bool HasInboundQos2(uint16_t packetId) const;
    void AddInboundQos2(uint16_t packetId);
    /** Forgets an identifier on PUBREL. @return whether it was held. */
    bool ReleaseInboundQos2(uint16_t packetId);
    std::size_t InboundQos2Count() const;
    /** The inbound QoS 2 identifiers held, ascending. */
    std::vector<uint16_t> InboundQos2Ids() const;

  private:
    std::string m_clientId;
    SubscriberId m_handle;
    bool m_clean;
    uint16_t m_nextPacketId = 1;
    TimerId m_expiryTimer = 0;
    std::optional<uint32_t> m_expiryInterval5;
    bool m_hasOptions5 = false;
    /** Latest activeFrom of the subscriptions: none is pending from then on. */
    Nanos m_pendingUntil{0};
    MqttBrokerConnection* m_connection = nullptr;
    std::optional<std::string> m_userName;
    /** Sorted by filter; a vector keeps an idle session small. */
    MqttSubscriptions m_subscriptions;
    /** Send order; the window is small, so a vector with linear lookup beats a map. */
    std::vector<InflightMessage> m_inflight;
    /** Created on first use: an empty std::deque allocates, and most sessions never queue. */
    std::unique_ptr<std::deque<QueuedMessage>> m_queue;
    /** Only while a resumed session drains at a bounded rate. */
    std::unique_ptr<PacedDrain> m_paced;
    std::set<uint16_t> m_inboundQos2;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SESSION_H
