/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker engine: connection life cycle, packet handling, routing and delivery. Session
 * state lives in MqttSession, per-connection state in MqttBrokerConnection; design notes and
 * the choices the specification leaves open are in doc/broker-engine.md.
 */
#include "mqtt-broker-engine.h"

#include "mqtt-acl.h"
#include "mqtt-authenticator.h"
#include "mqtt-broker-connection.h"
#include "mqtt-codec.h"
#include "mqtt-frame-reader.h"
#include "mqtt-lifecycle-event.h"
#include "mqtt-message.h"
#include "mqtt-retained-store.h"
#include "mqtt-session-store.h"
#include "mqtt-session.h"
#include "mqtt-topic-tree.h"
#include "mqtt-topic.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ns3
{
namespace mqtt
{

namespace
{

/** Packet identifiers a session can have in flight at once (section 2.3.1). */
constexpr uint32_t MAX_INFLIGHT_IDS = 65535;

/** Longest UTF-8 string, so the longest topic (section 1.5.3). */
constexpr std::size_t MAX_TOPIC_LENGTH = 65535;

/** Longest client id every server must accept [MQTT-3.1.3-5]. */
constexpr std::size_t ALWAYS_ACCEPTED_ID_LENGTH = 23;

Qos
MinQos(Qos a, Qos b)
{
    return static_cast<uint8_t>(a) < static_cast<uint8_t>(b) ? a : b;
}

bool
IsAlphanumeric(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/** 1..23 bytes of 0-9, a-z, A-Z: accepted whatever the profile says [MQTT-3.1.3-5]. */
bool
IsAlwaysAcceptedClientId(const std::string& id)
{
    return !id.empty() && id.size() <= ALWAYS_ACCEPTED_ID_LENGTH &&
           std::all_of(id.begin(), id.end(), IsAlphanumeric);
}

bool
HasWildcard(std::string_view filter)
{
    return filter.find_first_of("+#") != std::string_view::npos;
}

std::size_t
SlashCount(std::string_view topic)
{
    return static_cast<std::size_t>(std::count(topic.begin(), topic.end(), '/'));
}

} // namespace

/** What a timer the engine started is for. */
enum class TimerKind : uint8_t
{
    Connection,    //!< the CONNECT deadline, then keep-alive; key is the connection id
    SessionExpiry, //!< a disconnected persistent session; key is its topic-tree handle
    Release,       //!< held output of a connection is due (reorderJitter); key: connection id
    Resume,        //!< paused input may go on (maxInboundBytesRate); key: connection id
    Drain,         //!< the next paced message of a resumed session; key: its handle
    Pause,         //!< the longest back-pressure pause of a connection's input; key: its id
};

class MqttBrokerEngine::Impl
{
  public:
    Impl(MqttBrokerProfile profile, uint64_t seed);

    void OnConnectionOpened(ConnectionId id, Nanos now, MqttActions& out);
    void OnBytes(
        ConnectionId id, const uint8_t* data, std::size_t size, Nanos now, MqttActions& out);
    void OnConnectionClosed(ConnectionId id, Nanos now, MqttActions& out);
    void OnTimer(TimerId timer, Nanos now, MqttActions& out);
    void Shutdown(Nanos now, MqttActions& out);
    bool IsInputPaused(ConnectionId id) const;
    void SetBackPressure(std::size_t queueDepth, Nanos maxPause);

    MqttBrokerProfile m_profile;
    std::shared_ptr<const MqttAuthenticator> m_authenticator;
    std::shared_ptr<const MqttAcl> m_acl;
    std::unordered_map<ConnectionId, std::unique_ptr<MqttBrokerConnection>> m_connections;
    MqttSessionStore m_sessions;
    MqttTopicTree m_tree;
    MqttRetainedStore m_retained;

  private:
    struct TimerTarget
    {
        TimerKind kind;
        uint64_t key;
    };

    /** How a connection ends: what the driver is told and what the engine does. */
    struct CloseSpec
    {
        CloseReason reason = CloseReason::ProtocolError;
        uint8_t code = 0;
        bool publishWill = false;
        /** Emit a CloseAction (false when the transport already closed). */
        bool emitClose = true;
        /** The session is about to be resumed by a new connection: no expiry timer. */
        bool takeover = false;
        /** The well-formed packet that was out of order (ProtocolError), if that was it. */
        std::optional<PacketType> packetType;
    };

    /** OnTimer without processing the input of connections it released. */
    void FireTimer(TimerId timer, Nanos now, MqttActions& out);

    // --- Packets ---------------------------------------------------------------------------
    /** Decodes and handles buffered input while the byte rate and back-pressure allow. */
    void ProcessInput(MqttBrokerConnection& conn, Nanos now, MqttActions& out);
    /** @return false when the connection was closed. */
    bool HandlePacket(MqttBrokerConnection& conn, Nanos now, MqttActions& out);
    void HandleConnect(MqttBrokerConnection& conn, ConnectPacket& p, Nanos now, MqttActions& out);
    bool HandlePublish(MqttBrokerConnection& conn, PublishPacket& p, Nanos now, MqttActions& out);
    void HandlePuback(MqttSession& s, uint16_t id, Nanos now, MqttActions& out);
    void HandlePubrec(MqttSession& s, uint16_t id, MqttActions& out);
    void HandlePubcomp(MqttSession& s, uint16_t id, Nanos now, MqttActions& out);
    bool HandleSubscribe(MqttBrokerConnection& conn,
                         const SubscribePacket& p,
                         Nanos now,
                         MqttActions& out);
    void HandleUnsubscribe(MqttBrokerConnection& conn,
                           const UnsubscribePacket& p,
                           MqttActions& out);

    // --- Connection life cycle -------------------------------------------------------------
    void RefuseConnect(MqttBrokerConnection& conn,
                       ConnectReturnCode code,
                       const std::string& clientId,
                       Nanos now,
                       MqttActions& out);
    void CloseConnection(MqttBrokerConnection& conn,
                         const CloseSpec& spec,
                         Nanos now,
                         MqttActions& out);
    /** Closes with ProtocolError: malformed bytes (@p error) or an out-of-order packet. */
    void ProtocolViolation(MqttBrokerConnection& conn,
                           DecodeError error,
                           std::optional<PacketType> packetType,
                           Nanos now,
                           MqttActions& out);
    /** Keep-alive after the profile's substitution for 0 and its clamp. */
    uint16_t EffectiveKeepAlive(uint16_t requested) const;
    std::string AssignClientId();
    /** minConnectInterval: whether a CONNECT of @p clientId may proceed now (and note it). */
    bool AdmitConnect(const std::string& clientId, Nanos now);
    /** A lifecycle event for @p conn, if the profile publishes them and the client gets them. */
    void PublishLifecycle(const MqttBrokerConnection& conn,
                          bool connected,
                          CloseReason reason,
                          Nanos now,
                          MqttActions& out);

    // --- Sessions --------------------------------------------------------------------------
    void DiscardSession(MqttSession& s, DropReason reason, MqttActions& out);
    void Resume(MqttSession& s, Nanos now, MqttActions& out);
    /** Sends a delivery in flight again after a resume: PUBLISH with DUP=1, or PUBREL. */
    void ResendInflight(MqttSession& s, const InflightMessage& f, MqttActions& out);
    /** Stops a session's paced drain, cancelling its timer. */
    void StopPaced(MqttSession& s, MqttActions& out);
    /** The highest QoS among @p s's subscriptions that are active and match @p topic. */
    std::optional<Qos> ActiveMatchQos(const MqttSession& s,
                                      std::string_view topic,
                                      Nanos now) const;

    // --- Messages --------------------------------------------------------------------------
    MqttMessagePtr MakeMessage(const std::string& publisherId,
                               std::string topic,
                               std::vector<uint8_t> payload,
                               Qos qos,
                               bool retain);
    /** Why a topic or payload breaks the profile's publish limits (None: within them). */
    DropReason CheckPublishLimits(std::string_view topic, std::size_t payloadSize) const;
    bool FilterWithinLimits(std::string_view filter) const;
    /** ACL, retained store and routing: what every accepted message goes through. */
    void Accept(const MqttMessagePtr& m,
                ConnectionId from,
                const std::string& clientId,
                const std::optional<std::string>& userName,
                Nanos now,
                MqttActions& out);
    void PublishWill(ConnectionId from,
                     const std::string& clientId,
                     const std::optional<std::string>& userName,
                     Will will,
                     Nanos now,
                     MqttActions& out);
    void Route(const MqttMessagePtr& m, Nanos now, MqttActions& out);
    void SendRetained(
        MqttSession& s, const std::string& filter, Qos granted, Nanos now, MqttActions& out);
    void Deliver(
        MqttSession& s, const MqttMessagePtr& m, Qos qos, bool retain, Nanos now, MqttActions& out);
    void SendQos0(
        MqttSession& s, const MqttMessagePtr& m, bool retain, Nanos now, MqttActions& out);
    void SendNew(
        MqttSession& s, const MqttMessagePtr& m, Qos qos, bool retain, Nanos now, MqttActions& out);
    void Enqueue(MqttSession& s, QueuedMessage q, MqttActions& out);
    /**
     * Sends waiting deliveries in order while the window has room; during a paced drain, one
     * stored message per slot of the drain rate. Then lets the publishers that @p s paused go
     * on if its queue is short enough again.
     */
    void Drain(MqttSession& s, Nanos now, MqttActions& out);
    void DrainQueue(MqttSession& s, Nanos now, MqttActions& out);
    bool WindowHasRoom(const MqttSession& s) const;

    // --- Back-pressure on publishers (SetBackPressure) -------------------------------------
    /** Pauses the input of m_publishing, whose message @p s queued as the queue grew long. */
    void PausePublisher(MqttSession& s, Nanos now, MqttActions& out);
    /**
     * Lets the connections paused by @p s go on (their input is processed by ProcessResumed):
     * when its queue is down to half the pause depth, or always with @p force.
     */
    void ReleaseWaiters(const MqttSession& s, bool force, MqttActions& out);
    /** Processes the buffered input of connections released since the last call. */
    void ProcessResumed(Nanos now, MqttActions& out);

    // --- Output of deliveries and acknowledgements, held back with reorderJitter ----------
    /** Whether the profile holds output back (reorderJitter). */
    bool Reorders() const;
    /** Holds @p h for a random delay in [0, reorderJitter) on the release timer. */
    void Hold(MqttBrokerConnection& conn, HeldPacket h, Nanos now, MqttActions& out);
    /** A PUBLISH to @p s now (DUP=0), with its MessageSent (and MessageDelivered for QoS 0). */
    void WritePublish(MqttSession& s,
                      const MqttMessagePtr& m,
                      Qos qos,
                      uint16_t packetId,
                      bool retain,
                      bool countDelivered,
                      MqttActions& out);
    /** PUBACK or PUBREC to a publisher, now or held (held acks count as inbound in flight). */
    void SendAck(MqttBrokerConnection& conn,
                 PacketType type,
                 uint16_t packetId,
                 Nanos now,
                 MqttActions& out);
    /** Writes a held packet; a QoS 1/2 delivery only if it is still in flight. */
    void Write(MqttBrokerConnection& conn, const HeldPacket& h, MqttActions& out);
    /** Writes every held packet due at @p now, in release order, and re-arms the timer. */
    void Release(MqttBrokerConnection& conn, Nanos now, MqttActions& out);

    // --- Output ----------------------------------------------------------------------------
    /** The byte buffer of a SendAction for @p id: the last action's if it is one, else new. */
    std::vector<uint8_t>& SendBuffer(ConnectionId id, MqttActions& out);
    void SendPacket(ConnectionId id, const Packet& packet, MqttActions& out);
    MqttEvent& Notify(EventType type, ConnectionId connection, MqttActions& out);
    void NotifyDelivery(EventType type,
                        const MqttSession& s,
                        const MqttMessagePtr& m,
                        Qos qos,
                        uint16_t packetId,
                        bool dup,
                        bool retain,
                        MqttActions& out);
    /** clientId is the publisher; peerId the subscriber @p s (none for a refused publish). */
    MqttEvent& NotifyDrop(const MqttSession* s,
                          ConnectionId connection,
                          const MqttMessagePtr& m,
                          Qos qos,
                          DropReason reason,
                          MqttActions& out);

    // --- Timers and randomness -------------------------------------------------------------
    TimerId StartTimer(TimerKind kind, uint64_t key, Nanos at, MqttActions& out);
    void CancelTimer(TimerId timer, MqttActions& out);
    /** Uniform in [0, 1) from the engine's seeded generator. */
    double Uniform();
    /** A new subscription's delay (subscriptionDelay, its shape and spread). */
    Nanos DrawSubscriptionDelay();

    std::unordered_map<TimerId, TimerTarget> m_timers;
    TimerId m_nextTimer = 1;
    uint64_t m_nextMessageId = 1;
    uint64_t m_nextAssignedId = 1;
    std::size_t m_connectedClients = 0;
    bool m_shutdown = false;
    /** Time of the latest admitted CONNECT per client id (minConnectInterval). */
    std::map<std::string, Nanos, std::less<>> m_lastConnect;
    /** m_lastConnect is pruned of expired entries when it grows past this. */
    std::size_t m_lastConnectPruneAt = 64;
    /** Lifecycle version numbers (and session identifiers) are taken from this counter. */
    uint64_t m_lifecycleSeq = 0;
    std::mt19937_64 m_rng;
    /** Decoding target, reused so that PUBLISH storage is recycled between packets. */
    Packet m_packet;
    /** Scratch for topic-tree matches (taken and given back so nesting stays safe). */
    std::vector<SubscriberMatch> m_matches;

    /** Sessions that paused publishers, by handle (ordered: determinism). */
    struct SessionPause
    {
        /** Connections it paused, in pause order (some may be gone or released since). */
        std::vector<ConnectionId> waiters;
        /** A pause ran out: this session pauses no one until its queue is short again. */
        bool exempt = false;
    };

    /** SetBackPressure's queue depth (0: off) and longest pause. */
    std::size_t m_pauseDepth = 0;
    Nanos m_maxPause{0};
    /** The connection whose PUBLISH is being routed (null: none, e.g. a will). */
    MqttBrokerConnection* m_publishing = nullptr;
    std::map<SubscriberId, SessionPause> m_pauses;
    /** Connections released from a pause whose buffered input is still to be processed. */
    std::vector<ConnectionId> m_resumeInput;

    friend class MqttBrokerEngine;
};

// ===============================================================================================
// Construction and driver entry points
// ===============================================================================================

MqttBrokerEngine::Impl::Impl(MqttBrokerProfile profile, uint64_t seed)
    : m_profile(std::move(profile))
    , m_rng(seed)
{
}

void
MqttBrokerEngine::Impl::OnConnectionOpened(ConnectionId id, Nanos now, MqttActions& out)
{
    if (m_connections.count(id) != 0)
    {
        return; // the driver reused a live id; keep the first connection
    }
    auto conn = std::make_unique<MqttBrokerConnection>(id, m_profile.maxPacketSize, now);
    if (m_profile.maxPublishRate > 0 || m_profile.maxInboundBytesRate > 0)
    {
        // Burst of one second's worth of each rate.
        conn->Limits().publishes =
            MqttRateLimiter(m_profile.maxPublishRate, m_profile.maxPublishRate);
        conn->Limits().bytes =
            MqttRateLimiter(m_profile.maxInboundBytesRate, m_profile.maxInboundBytesRate);
    }
    if (m_profile.connectTimeout > Nanos(0))
    {
        conn->SetTimer(StartTimer(TimerKind::Connection, id, now + m_profile.connectTimeout, out));
    }
    m_connections.emplace(id, std::move(conn));
    Notify(EventType::ConnectionOpened, id, out);
}

void
MqttBrokerEngine::Impl::OnBytes(
    ConnectionId id, const uint8_t* data, std::size_t size, Nanos now, MqttActions& out)
{
    auto it = m_connections.find(id);
    if (it == m_connections.end())
    {
        return; // closed by the engine: nothing more of it is processed [MQTT-3.1.4-5]
    }
    it->second->Reader().Append(data, size);
    ProcessInput(*it->second, now, out);
    ProcessResumed(now, out);
}

void
MqttBrokerEngine::Impl::ProcessInput(MqttBrokerConnection& conn, Nanos now, MqttActions& out)
{
    // The limits live apart from the hot connection state: touched only when the profile has a
    // byte rate.
    const bool byteRate = m_profile.maxInboundBytesRate > 0;
    for (;;)
    {
        if (m_pauseDepth != 0 && conn.HasExtras() && conn.Limits().pauseTimer != 0)
        {
            return; // paused by back-pressure: released by the session's drain or the timer
        }
        if (byteRate)
        {
            InboundLimits& limits = conn.Limits();
            if (limits.resumeTimer != 0)
            {
                return; // paused by the byte rate: the Resume timer goes on
            }
            if (!limits.bytes.Fits(0, now))
            {
                // Over the byte rate: what is buffered waits, in order, for the rate to allow it.
                if (conn.Reader().Buffered() != 0)
                {
                    limits.resumeTimer =
                        StartTimer(TimerKind::Resume, conn.Id(), limits.bytes.WhenFits(0), out);
                }
                return;
            }
        }
        DecodeResult r = conn.Reader().Next(m_packet);
        if (r.status == DecodeStatus::NeedMore)
        {
            return;
        }
        if (r.status == DecodeStatus::Error)
        {
            if (conn.State() == BrokerConnectionState::AwaitingConnect &&
                r.error == DecodeError::UnsupportedProtocolLevel)
            {
                // [MQTT-3.1.2-2]: CONNACK 0x01, then close.
                RefuseConnect(conn, ConnectReturnCode::UnacceptableProtocolVersion, "", now, out);
            }
            else
            {
                // [MQTT-4.8.0-1]: a malformed packet closes this connection, and only it.
                ProtocolViolation(conn, r.error, std::nullopt, now, out);
            }
            return;
        }
        if (byteRate)
        {
            conn.Limits().bytes.Take(static_cast<double>(r.consumed), now);
        }
        conn.SetLastActivity(now);
        if (!HandlePacket(conn, now, out))
        {
            return; // closed: the bytes after the packet are not processed [MQTT-3.1.4-5]
        }
    }
}

void
MqttBrokerEngine::Impl::OnConnectionClosed(ConnectionId id, Nanos now, MqttActions& out)
{
    auto it = m_connections.find(id);
    if (it == m_connections.end())
    {
        return;
    }
    CloseSpec spec;
    spec.reason = CloseReason::NetworkClosed;
    spec.publishWill = true; // closed without DISCONNECT (section 3.1.2.5)
    spec.emitClose = false;
    CloseConnection(*it->second, spec, now, out);
    ProcessResumed(now, out);
}

void
MqttBrokerEngine::Impl::OnTimer(TimerId timer, Nanos now, MqttActions& out)
{
    FireTimer(timer, now, out);
    ProcessResumed(now, out);
}

void
MqttBrokerEngine::Impl::FireTimer(TimerId timer, Nanos now, MqttActions& out)
{
    auto it = m_timers.find(timer);
    if (it == m_timers.end())
    {
        return; // unknown, cancelled or already fired
    }
    TimerTarget target = it->second;
    m_timers.erase(it);
    if (target.kind == TimerKind::SessionExpiry || target.kind == TimerKind::Drain)
    {
        MqttSession* s = m_sessions.FindByHandle(target.key);
        if (s == nullptr)
        {
            return;
        }
        if (target.kind == TimerKind::Drain)
        {
            PacedDrain* paced = s->Paced();
            if (paced != nullptr && paced->timer == timer)
            {
                paced->timer = 0;
                Drain(*s, now, out);
            }
        }
        else if (s->Connection() == nullptr && s->ExpiryTimer() == timer)
        {
            s->SetExpiryTimer(0);
            DiscardSession(*s, DropReason::SessionExpired, out);
        }
        return;
    }
    auto c = m_connections.find(target.key);
    if (c == m_connections.end())
    {
        return;
    }
    if (target.kind == TimerKind::Release)
    {
        if (c->second->Held().timer == timer)
        {
            c->second->Held().timer = 0;
            Release(*c->second, now, out);
        }
        return;
    }
    if (target.kind == TimerKind::Resume)
    {
        if (c->second->Limits().resumeTimer == timer)
        {
            c->second->Limits().resumeTimer = 0;
            ProcessInput(*c->second, now, out);
        }
        return;
    }
    if (target.kind == TimerKind::Pause)
    {
        InboundLimits& limits = c->second->Limits();
        if (limits.pauseTimer == timer)
        {
            // The session stopped draining (a subscriber that does not acknowledge, or two
            // connections pausing each other): everyone it paused goes on, and it pauses no
            // one until its queue is short again.
            limits.pauseTimer = 0;
            m_resumeInput.push_back(c->first);
            if (MqttSession* s = m_sessions.FindByHandle(limits.pausedBy))
            {
                ReleaseWaiters(*s, true, out);
                m_pauses[s->Handle()].exempt = true;
            }
        }
        return;
    }
    if (c->second->Timer() != timer)
    {
        return;
    }
    MqttBrokerConnection& conn = *c->second;
    conn.SetTimer(0);
    CloseSpec spec;
    if (conn.State() == BrokerConnectionState::AwaitingConnect)
    {
        spec.reason = CloseReason::ConnectTimeout;
        CloseConnection(conn, spec, now, out);
        return;
    }
    if (conn.KeepAlivePeriod() <= Nanos(0))
    {
        return;
    }
    // Keep-alive is checked lazily: packets only move LastActivity, and the timer, when it
    // fires, either finds the deadline passed or re-arms for the real deadline. Input held back
    // by the byte rate has arrived, so it counts as activity; input paused by back-pressure may
    // not even have been read, and the broker does not hold its own silence against the client.
    if (conn.HasExtras() && (conn.Limits().resumeTimer != 0 || conn.Limits().pauseTimer != 0))
    {
        conn.SetLastActivity(now);
    }
    Nanos deadline = conn.LastActivity() + conn.KeepAlivePeriod();
    if (now < deadline)
    {
        m_timers.emplace(timer, target);
        conn.SetTimer(timer);
        out.emplace_back(StartTimerAction{timer, deadline});
        return;
    }
    spec.reason = CloseReason::KeepAliveTimeout;
    spec.publishWill = true; // as if the network failed [MQTT-3.1.2-24]
    CloseConnection(conn, spec, now, out);
}

void
MqttBrokerEngine::Impl::Shutdown(Nanos now, MqttActions& out)
{
    m_shutdown = true;
    std::vector<ConnectionId> ids;
    ids.reserve(m_connections.size());
    for (const auto& entry : m_connections)
    {
        ids.push_back(entry.first);
    }
    std::sort(ids.begin(), ids.end()); // unordered_map order must not reach the output
    for (ConnectionId id : ids)
    {
        auto it = m_connections.find(id);
        if (it == m_connections.end())
        {
            continue;
        }
        CloseSpec spec;
        spec.reason = CloseReason::ServerShutdown;
        CloseConnection(*it->second, spec, now, out);
    }
}

// ===============================================================================================
// Packets
// ===============================================================================================

bool
MqttBrokerEngine::Impl::HandlePacket(MqttBrokerConnection& conn, Nanos now, MqttActions& out)
{
    const ConnectionId id = conn.Id();
    if (conn.State() == BrokerConnectionState::AwaitingConnect)
    {
        if (auto* connect = std::get_if<ConnectPacket>(&m_packet))
        {
            HandleConnect(conn, *connect, now, out);
        }
        else
        {
            ProtocolViolation(
                conn, DecodeError::None, TypeOf(m_packet), now, out); // [MQTT-3.1.0-1]
        }
        return m_connections.count(id) != 0;
    }
    MqttSession& s = *conn.Session();
    switch (TypeOf(m_packet))
    {
    case PacketType::Publish:
        return HandlePublish(conn, std::get<PublishPacket>(m_packet), now, out);
    case PacketType::Puback:
        HandlePuback(s, std::get<PubackPacket>(m_packet).packetId, now, out);
        return true;
    case PacketType::Pubrec:
        HandlePubrec(s, std::get<PubrecPacket>(m_packet).packetId, out);
        return true;
    case PacketType::Pubrel:
    {
        // [MQTT-4.3.3-2]: forget the identifier, answer PUBCOMP (also for an identifier already
        // forgotten, so a PUBREL re-sent after a reconnect completes).
        uint16_t packetId = std::get<PubrelPacket>(m_packet).packetId;
        s.ReleaseInboundQos2(packetId);
        SendPacket(id, PubcompPacket{packetId}, out);
        return true;
    }
    case PacketType::Pubcomp:
        HandlePubcomp(s, std::get<PubcompPacket>(m_packet).packetId, now, out);
        return true;
    case PacketType::Subscribe:
        return HandleSubscribe(conn, std::get<SubscribePacket>(m_packet), now, out);
    case PacketType::Unsubscribe:
        HandleUnsubscribe(conn, std::get<UnsubscribePacket>(m_packet), out);
        return true;
    case PacketType::Pingreq:
        SendPacket(id, PingrespPacket{}, out); // [MQTT-3.12.4-1]
        return true;
    case PacketType::Disconnect:
    {
        conn.StoredWill().reset(); // [MQTT-3.1.2-10], [MQTT-3.14.4-3]
        CloseSpec spec;
        spec.reason = CloseReason::ClientDisconnect;
        CloseConnection(conn, spec, now, out);
        return false;
    }
    case PacketType::Connect: // a second CONNECT [MQTT-3.1.0-2]
    case PacketType::Connack: // packets only a server sends
    case PacketType::Suback:
    case PacketType::Unsuback:
    case PacketType::Pingresp:
        ProtocolViolation(conn, DecodeError::None, TypeOf(m_packet), now, out);
        return false;
    }
    return true;
}

void
MqttBrokerEngine::Impl::HandleConnect(MqttBrokerConnection& conn,
                                      ConnectPacket& p,
                                      Nanos now,
                                      MqttActions& out)
{
    if (p.will && ValidateTopicName(p.will->topic) != TopicError::None)
    {
        // The codec checks the will topic too; this keeps a wildcard out of the router
        // whatever a decoder let through [MQTT-3.1.4-1].
        ProtocolViolation(conn, DecodeError::InvalidTopicName, std::nullopt, now, out);
        return;
    }
    std::string clientId = p.clientId;
    if (clientId.empty())
    {
        // [MQTT-3.1.3-8]: a zero-length id needs CleanSession=1; [MQTT-3.1.3-6]: the broker
        // assigns a unique one, or rejects it when the profile does not [MQTT-3.1.3-9].
        if (!p.cleanSession || !m_profile.assignClientIds)
        {
            RefuseConnect(conn, ConnectReturnCode::IdentifierRejected, clientId, now, out);
            return;
        }
        clientId = AssignClientId();
    }
    else if (clientId.size() > m_profile.maxClientIdLength && !IsAlwaysAcceptedClientId(clientId))
    {
        RefuseConnect(conn, ConnectReturnCode::IdentifierRejected, clientId, now, out);
        return;
    }
    else if (!AdmitConnect(clientId, now))
    {
        // Too soon after the previous CONNECT of this id: not answered, the connection closed;
        // a client connected with this id stays.
        conn.SetClientId(clientId);
        CloseSpec spec;
        spec.reason = CloseReason::Throttled;
        CloseConnection(conn, spec, now, out);
        return;
    }
    if (p.will && p.will->retain && m_profile.retain == RetainPolicy::Disconnect)
    {
        // A will with Will Retain = 1 is a request to retain a message: the connection ends.
        conn.SetClientId(clientId);
        CloseSpec spec;
        spec.reason = CloseReason::PolicyViolation;
        CloseConnection(conn, spec, now, out);
        return;
    }
    if (m_shutdown)
    {
        RefuseConnect(conn, ConnectReturnCode::ServerUnavailable, clientId, now, out);
        return;
    }
    if (m_authenticator)
    {
        ConnectReturnCode rc = m_authenticator->Authenticate(p.userName, p.password);
        if (rc != ConnectReturnCode::Accepted)
        {
            RefuseConnect(conn, rc, clientId, now, out);
            return;
        }
    }
    MqttSession* session = m_sessions.Find(clientId);
    MqttBrokerConnection* previous = session != nullptr ? session->Connection() : nullptr;
    if (previous != nullptr && m_profile.takeover == TakeoverPolicy::RejectNew)
    {
        RefuseConnect(conn, ConnectReturnCode::IdentifierRejected, clientId, now, out);
        return;
    }
    // A takeover frees the slot the new connection needs.
    std::size_t connected = m_connectedClients - (previous != nullptr ? 1 : 0);
    if (m_profile.maxConnectedClients != 0 && connected >= m_profile.maxConnectedClients)
    {
        RefuseConnect(conn, ConnectReturnCode::ServerUnavailable, clientId, now, out);
        return;
    }
    if (previous != nullptr)
    {
        // [MQTT-3.1.4-2]: the existing connection of this client id is closed. It ended without
        // DISCONNECT, so its will fires unless the profile says otherwise.
        CloseSpec spec;
        spec.reason = CloseReason::Takeover;
        spec.publishWill = m_profile.takeoverWill == TakeoverWillPolicy::Publish;
        spec.takeover = true;
        CloseConnection(*previous, spec, now, out);
        session = m_sessions.Find(clientId); // a clean session ended with that connection
    }

    // Clean session processing [MQTT-3.1.4-3], [MQTT-3.1.2-4], [MQTT-3.1.2-6].
    bool sessionPresent = false;
    if (session != nullptr && (p.cleanSession || session->IsClean()))
    {
        DiscardSession(*session, DropReason::SessionDiscarded, out);
        session = nullptr;
    }
    if (session != nullptr)
    {
        sessionPresent = true; // [MQTT-3.2.2-2]
        if (session->ExpiryTimer() != 0)
        {
            CancelTimer(session->ExpiryTimer(), out);
            session->SetExpiryTimer(0);
        }
    }
    else
    {
        session = &m_sessions.Create(clientId, p.cleanSession); // [MQTT-3.2.2-1], [MQTT-3.2.2-3]
    }

    const ConnectionId id = conn.Id();
    conn.SetState(BrokerConnectionState::Connected);
    conn.SetClientId(clientId);
    conn.SetUserName(p.userName);
    conn.StoredWill() = std::move(p.will); // [MQTT-3.1.2-8]
    conn.SetSession(session);
    session->SetConnection(&conn);
    session->SetUserName(p.userName);
    ++m_connectedClients;

    // The first packet the broker sends is this CONNACK [MQTT-3.2.0-1], [MQTT-3.1.4-4].
    SendPacket(id, ConnackPacket{sessionPresent, ConnectReturnCode::Accepted}, out);
    MqttEvent& e = Notify(EventType::SessionStarted, id, out);
    e.clientId = clientId;
    e.sessionPresent = sessionPresent;

    uint16_t keepAlive = EffectiveKeepAlive(p.keepAliveSeconds);
    conn.SetKeepAliveSeconds(keepAlive);
    Nanos period(static_cast<Nanos::rep>(
        std::llround(m_profile.keepAliveFactor * static_cast<double>(keepAlive) * 1e9)));
    conn.SetKeepAlivePeriod(period);
    if (period > Nanos(0))
    {
        if (conn.Timer() != 0)
        {
            // The CONNECT deadline timer becomes the keep-alive timer.
            out.emplace_back(StartTimerAction{conn.Timer(), now + period});
        }
        else
        {
            conn.SetTimer(StartTimer(TimerKind::Connection, id, now + period, out));
        }
    }
    else if (conn.Timer() != 0)
    {
        CancelTimer(conn.Timer(), out);
        conn.SetTimer(0);
    }
    Resume(*session, now, out);
    if (!m_profile.lifecycleTopicPrefix.empty() && HasLifecycleEvents(clientId))
    {
        conn.SetLifecycleVersion(++m_lifecycleSeq);
        PublishLifecycle(conn, true, CloseReason::ClientDisconnect, now, out);
    }
}

bool
MqttBrokerEngine::Impl::HandlePublish(MqttBrokerConnection& conn,
                                      PublishPacket& p,
                                      Nanos now,
                                      MqttActions& out)
{
    const ConnectionId id = conn.Id();
    MqttSession& s = *conn.Session();
    if (p.qos == Qos::ExactlyOnce && s.HasInboundQos2(p.packetId))
    {
        // [MQTT-4.3.3-2] (method B: delivered onward when first received): a repeat before
        // PUBREL is acknowledged again and not delivered again.
        SendPacket(id, PubrecPacket{p.packetId}, out);
        return true;
    }
    const Qos received = p.qos;
    // Inbound limits come first: a PUBLISH over them is not taken over at all. Held
    // acknowledgements are the inbound messages in flight (maxInflightIn).
    bool throttled = (m_profile.maxPublishRate > 0 && !conn.Limits().publishes.TryTake(1, now)) ||
                     (received != Qos::AtMostOnce && m_profile.maxInflightIn != 0 &&
                      conn.HasExtras() && conn.Held().acks >= m_profile.maxInflightIn);
    Qos qos = received;
    bool ignore = false;
    if (static_cast<uint8_t>(received) > static_cast<uint8_t>(m_profile.maxQos))
    {
        switch (m_profile.qosRequestPolicy)
        {
        case QosRequestPolicy::Downgrade:
            qos = m_profile.maxQos; // acknowledged as received, forwarded at maxQos
            break;
        case QosRequestPolicy::Refuse:
        case QosRequestPolicy::Ignore:
            ignore = true;
            break;
        }
    }
    MqttMessagePtr m =
        MakeMessage(conn.ClientId(), std::move(p.topic), std::move(p.payload), qos, p.retain);
    MqttEvent& e = Notify(EventType::PublishReceived, id, out);
    e.clientId = conn.ClientId();
    e.message = m;
    e.qos = received;
    e.packetId = p.packetId;
    e.dup = p.dup;
    e.retain = p.retain;
    e.topic = m->topic;

    if (throttled)
    {
        // Discarded: no acknowledgement, so a QoS 1/2 publisher sends it again later.
        NotifyDrop(nullptr, id, m, received, DropReason::Throttled, out).packetId = p.packetId;
        if (m_profile.closeOnThrottle)
        {
            CloseSpec spec;
            spec.reason = CloseReason::Throttled;
            spec.publishWill = true;
            CloseConnection(conn, spec, now, out);
            return false;
        }
        return true;
    }
    if (ignore)
    {
        NotifyDrop(nullptr, id, m, received, DropReason::QosNotSupported, out).packetId =
            p.packetId;
        if (m_profile.qosRequestPolicy == QosRequestPolicy::Refuse)
        {
            CloseSpec spec;
            spec.reason = CloseReason::PolicyViolation;
            spec.publishWill = true;
            CloseConnection(conn, spec, now, out);
            return false;
        }
        return true; // Ignore: no acknowledgement at all
    }
    DropReason limit = CheckPublishLimits(m->topic, m->payload.size());
    if (limit != DropReason::None || (p.retain && m_profile.retain == RetainPolicy::Disconnect))
    {
        if (limit != DropReason::None)
        {
            NotifyDrop(nullptr, id, m, received, limit, out).packetId = p.packetId;
        }
        CloseSpec spec;
        spec.reason = CloseReason::PolicyViolation;
        spec.publishWill = true;
        CloseConnection(conn, spec, now, out);
        return false;
    }

    // Acknowledge per the received QoS [MQTT-3.3.4-1], in arrival order [MQTT-4.6.0-2/3].
    if (received == Qos::AtLeastOnce)
    {
        SendAck(conn, PacketType::Puback, p.packetId, now, out); // [MQTT-4.3.2-2]
    }
    else if (received == Qos::ExactlyOnce)
    {
        s.AddInboundQos2(p.packetId);
        SendAck(conn, PacketType::Pubrec, p.packetId, now, out);
    }
    m_publishing = &conn;
    Accept(m, id, conn.ClientId(), conn.UserName(), now, out);
    m_publishing = nullptr;
    return true;
}

void
MqttBrokerEngine::Impl::HandlePuback(MqttSession& s, uint16_t id, Nanos now, MqttActions& out)
{
    InflightMessage* f = s.FindInflight(id);
    if (f == nullptr || f->state != InflightState::AwaitingPuback)
    {
        return; // unknown or not a QoS 1 flow: nothing to complete
    }
    InflightMessage done = *s.TakeInflight(id); // the identifier is free again [MQTT-2.3.1-4]
    NotifyDelivery(
        EventType::MessageDelivered, s, done.message, done.qos, id, false, done.retain, out);
    if (m_profile.resendNewPacketIdProbability > 0 &&
        Uniform() < m_profile.resendNewPacketIdProbability)
    {
        // A profile deviation: the same message again as a new PUBLISH with a new identifier.
        Deliver(s, done.message, done.qos, done.retain, now, out);
    }
    Drain(s, now, out);
}

void
MqttBrokerEngine::Impl::HandlePubrec(MqttSession& s, uint16_t id, MqttActions& out)
{
    InflightMessage* f = s.FindInflight(id);
    if (f != nullptr && f->state == InflightState::AwaitingPuback)
    {
        return; // a QoS 1 flow has no PUBREC
    }
    if (f != nullptr)
    {
        // From now on only PUBREL is re-sent, never the PUBLISH [MQTT-4.3.3-1] (not even one
        // waiting for its paced re-send).
        f->state = InflightState::AwaitingPubcomp;
        f->resendPending = false;
    }
    // An unknown identifier also gets PUBREL, so the client can finish the flow.
    SendPacket(s.Connection()->Id(), PubrelPacket{id}, out); // [MQTT-2.3.1-6], [MQTT-4.6.0-4]
}

void
MqttBrokerEngine::Impl::HandlePubcomp(MqttSession& s, uint16_t id, Nanos now, MqttActions& out)
{
    InflightMessage* f = s.FindInflight(id);
    if (f == nullptr || f->state != InflightState::AwaitingPubcomp)
    {
        return;
    }
    InflightMessage done = *s.TakeInflight(id);
    NotifyDelivery(
        EventType::MessageDelivered, s, done.message, done.qos, id, false, done.retain, out);
    Drain(s, now, out);
}

bool
MqttBrokerEngine::Impl::HandleSubscribe(MqttBrokerConnection& conn,
                                        const SubscribePacket& p,
                                        Nanos now,
                                        MqttActions& out)
{
    const ConnectionId id = conn.Id();
    MqttSession& s = *conn.Session();
    if (m_profile.maxFiltersPerSubscribe != 0 && p.topics.size() > m_profile.maxFiltersPerSubscribe)
    {
        CloseSpec spec;
        spec.reason = CloseReason::PolicyViolation;
        spec.publishWill = true;
        CloseConnection(conn, spec, now, out);
        return false;
    }
    if (m_profile.qosRequestPolicy == QosRequestPolicy::Ignore &&
        std::any_of(p.topics.begin(),
                    p.topics.end(),
                    [this](const TopicRequest& req) {
                        return static_cast<uint8_t>(req.qos) >
                               static_cast<uint8_t>(m_profile.maxQos);
                    }))
    {
        // A SUBSCRIBE asking for an unsupported QoS is not answered, so none of it takes effect:
        // a client that never sees a SUBACK holds no subscription from it. Each filter is
        // reported denied (QosNotSupported), though no SUBACK says so.
        for (const TopicRequest& req : p.topics)
        {
            MqttEvent& e = Notify(EventType::SubscriptionDenied, id, out);
            e.clientId = conn.ClientId();
            e.topic = req.filter;
            e.qos = req.qos;
            e.code = SUBACK_FAILURE;
            e.packetId = p.packetId;
            e.dropReason = DropReason::QosNotSupported;
        }
        return true;
    }
    // [MQTT-3.8.4-4]: each filter is handled as if it came alone; one code each, in order
    // [MQTT-3.8.4-5], [MQTT-3.9.3-1].
    SubackPacket suback;
    suback.packetId = p.packetId; // [MQTT-3.8.4-2]
    suback.returnCodes.reserve(p.topics.size());
    std::vector<std::pair<std::size_t, Qos>> granted; // index in p.topics, granted QoS
    for (std::size_t i = 0; i < p.topics.size(); ++i)
    {
        const TopicRequest& req = p.topics[i];
        bool deny = false;
        Qos qos = req.qos;
        if (!m_profile.wildcardSubscriptions && HasWildcard(req.filter))
        {
            deny = true; // [MQTT-3.8.3-2]
        }
        else if (!FilterWithinLimits(req.filter))
        {
            deny = true;
        }
        else if (m_acl && !m_acl->MaySubscribe(conn.ClientId(), conn.UserName(), req.filter))
        {
            deny = true;
        }
        else if (static_cast<uint8_t>(req.qos) > static_cast<uint8_t>(m_profile.maxQos))
        {
            switch (m_profile.qosRequestPolicy)
            {
            case QosRequestPolicy::Downgrade:
                qos = m_profile.maxQos; // a server may grant less than asked (section 3.9.3)
                break;
            case QosRequestPolicy::Refuse:
            case QosRequestPolicy::Ignore: // handled above, for the whole SUBSCRIBE
                deny = true;
                break;
            }
        }
        if (!deny && m_profile.maxSubscriptionsPerSession != 0 && !s.FindSubscription(req.filter) &&
            s.Subscriptions().size() >= m_profile.maxSubscriptionsPerSession)
        {
            deny = true;
        }
        if (deny)
        {
            suback.returnCodes.push_back(SUBACK_FAILURE);
            MqttEvent& e = Notify(EventType::SubscriptionDenied, id, out);
            e.clientId = conn.ClientId();
            e.topic = req.filter;
            e.qos = req.qos;
            e.code = SUBACK_FAILURE;
            continue;
        }
        // An identical filter replaces the subscription, keeping its flow [MQTT-3.8.4-3] (and,
        // when active, staying active); a new one waits out the profile's subscription delay.
        Nanos activeFrom = now;
        if (m_profile.subscriptionDelay > Nanos(0) && !s.FindSubscription(req.filter))
        {
            activeFrom = now + DrawSubscriptionDelay();
        }
        s.AddSubscription(req.filter, qos, activeFrom);
        m_tree.Subscribe(req.filter, s.Handle(), qos);
        suback.returnCodes.push_back(static_cast<uint8_t>(qos));
        granted.emplace_back(i, qos);
        MqttEvent& e = Notify(EventType::SubscriptionGranted, id, out);
        e.clientId = conn.ClientId();
        e.topic = req.filter;
        e.qos = qos;
        e.code = static_cast<uint8_t>(qos);
    }
    SendPacket(id, suback, out); // [MQTT-3.8.4-1]
    // Retained messages for each new or replaced subscription, after the SUBACK
    // [MQTT-3.3.1-6], [MQTT-3.8.4-3].
    for (const auto& [index, qos] : granted)
    {
        SendRetained(s, p.topics[index].filter, qos, now, out);
    }
    return true;
}

void
MqttBrokerEngine::Impl::HandleUnsubscribe(MqttBrokerConnection& conn,
                                          const UnsubscribePacket& p,
                                          MqttActions& out)
{
    MqttSession& s = *conn.Session();
    // [MQTT-3.10.4-6]: one filter after the other; [MQTT-3.10.4-1]: exact string comparison.
    for (const std::string& filter : p.filters)
    {
        if (s.RemoveSubscription(filter))
        {
            // No new messages for it [MQTT-3.10.4-2]; what is in flight or queued completes
            // [MQTT-3.10.4-3].
            m_tree.Unsubscribe(filter, s.Handle());
            MqttEvent& e = Notify(EventType::Unsubscribed, conn.Id(), out);
            e.clientId = conn.ClientId();
            e.topic = filter;
        }
    }
    // Always answered, with the same identifier [MQTT-3.10.4-4], [MQTT-3.10.4-5].
    SendPacket(conn.Id(), UnsubackPacket{p.packetId}, out);
}

// ===============================================================================================
// Connection life cycle
// ===============================================================================================

void
MqttBrokerEngine::Impl::RefuseConnect(MqttBrokerConnection& conn,
                                      ConnectReturnCode code,
                                      const std::string& clientId,
                                      Nanos now,
                                      MqttActions& out)
{
    // Session Present is 0 with a non-zero code [MQTT-3.2.2-4]; then close [MQTT-3.2.2-5].
    SendPacket(conn.Id(), ConnackPacket{false, code}, out);
    MqttEvent& e = Notify(EventType::ConnectRefused, conn.Id(), out);
    e.clientId = clientId;
    e.code = static_cast<uint8_t>(code);
    CloseSpec spec;
    spec.reason = (code == ConnectReturnCode::BadUserNameOrPassword ||
                   code == ConnectReturnCode::NotAuthorized)
                      ? CloseReason::AuthFailure
                      : CloseReason::ConnectRefused;
    spec.code = static_cast<uint8_t>(code);
    CloseConnection(conn, spec, now, out);
}

void
MqttBrokerEngine::Impl::ProtocolViolation(MqttBrokerConnection& conn,
                                          DecodeError error,
                                          std::optional<PacketType> packetType,
                                          Nanos now,
                                          MqttActions& out)
{
    CloseSpec spec;
    spec.reason = CloseReason::ProtocolError;
    spec.code = static_cast<uint8_t>(error);
    spec.packetType = packetType;
    spec.publishWill = true; // section 3.1.2.5: a protocol error fires the will
    CloseConnection(conn, spec, now, out);
}

void
MqttBrokerEngine::Impl::CloseConnection(MqttBrokerConnection& conn,
                                        const CloseSpec& spec,
                                        Nanos now,
                                        MqttActions& out)
{
    const ConnectionId id = conn.Id();
    // Keep the object alive to the end of this function; it leaves the table now so nothing
    // below can send to it.
    std::unique_ptr<MqttBrokerConnection> owned = std::move(m_connections[id]);
    m_connections.erase(id);

    if (conn.Timer() != 0)
    {
        CancelTimer(conn.Timer(), out);
        conn.SetTimer(0);
    }
    if (!m_resumeInput.empty())
    {
        // Released, not processed yet: nothing of it is processed any more (the id may be
        // reused after a Shutdown).
        m_resumeInput.erase(std::remove(m_resumeInput.begin(), m_resumeInput.end(), id),
                            m_resumeInput.end());
    }
    if (conn.HasExtras())
    {
        for (TimerId* t :
             {&conn.Held().timer, &conn.Limits().resumeTimer, &conn.Limits().pauseTimer})
        {
            if (*t != 0)
            {
                CancelTimer(*t, out);
                *t = 0;
            }
        }
    }
    if (spec.emitClose)
    {
        out.emplace_back(CloseAction{id, spec.reason});
    }
    MqttEvent& e = Notify(EventType::ConnectionClosed, id, out);
    e.clientId = conn.ClientId();
    e.closeReason = spec.reason;
    e.code = spec.code;
    e.packetType = spec.packetType;

    MqttSession* s = conn.Session();
    if (s == nullptr)
    {
        return; // CONNECT was never accepted: no session, no will
    }
    // Held output dies with the connection: a QoS 0 delivery is lost; a QoS 1/2 one stays in
    // flight and is re-sent on resume; a held acknowledgement is never sent (the publisher
    // sends its PUBLISH again).
    if (conn.HasExtras())
    {
        for (const auto& [key, h] : conn.Held().packets)
        {
            if (h.kind == HeldPacket::Kind::Publish && h.qos == Qos::AtMostOnce && h.countDelivered)
            {
                NotifyDrop(s, id, h.message, h.qos, DropReason::QosZeroOffline, out);
            }
        }
        conn.Held().packets.clear();
        conn.Held().acks = 0;
    }
    StopPaced(*s, out);
    if (!m_pauses.empty())
    {
        ReleaseWaiters(*s, true, out); // an offline session pauses no one
    }
    s->SetConnection(nullptr);
    conn.SetSession(nullptr);
    --m_connectedClients;
    std::optional<Will> will = std::move(conn.StoredWill());
    const std::string clientId = conn.ClientId();
    const std::optional<std::string> userName = conn.UserName();

    if (s->IsClean())
    {
        // A clean session lives as long as its connection [MQTT-3.1.2-6].
        DiscardSession(*s, DropReason::SessionDiscarded, out);
    }
    else if (!spec.takeover && m_profile.sessionExpiry > Nanos(0))
    {
        s->SetExpiryTimer(
            StartTimer(TimerKind::SessionExpiry, s->Handle(), now + m_profile.sessionExpiry, out));
    }
    if (conn.LifecycleVersion() != 0)
    {
        PublishLifecycle(conn, false, spec.reason, now, out);
    }
    // The will is published on every end but DISCONNECT [MQTT-3.1.2-8]; never when there was
    // none [MQTT-3.1.2-12]; and only once [MQTT-3.1.2-10].
    if (spec.publishWill && will)
    {
        PublishWill(id, clientId, userName, std::move(*will), now, out);
    }
}

uint16_t
MqttBrokerEngine::Impl::EffectiveKeepAlive(uint16_t requested) const
{
    uint16_t keepAlive = requested == 0 ? m_profile.keepAliveWhenZero : requested;
    if (keepAlive == 0)
    {
        return 0;
    }
    if (m_profile.minKeepAlive != 0 && keepAlive < m_profile.minKeepAlive)
    {
        keepAlive = m_profile.minKeepAlive;
    }
    if (m_profile.maxKeepAlive != 0 && keepAlive > m_profile.maxKeepAlive)
    {
        keepAlive = m_profile.maxKeepAlive;
    }
    return keepAlive;
}

bool
MqttBrokerEngine::Impl::AdmitConnect(const std::string& clientId, Nanos now)
{
    const Nanos interval = m_profile.minConnectInterval;
    if (interval <= Nanos(0))
    {
        return true;
    }
    auto it = m_lastConnect.find(clientId);
    if (it != m_lastConnect.end())
    {
        if (now - it->second < interval)
        {
            return false;
        }
        it->second = now;
        return true;
    }
    m_lastConnect.emplace(clientId, now);
    if (m_lastConnect.size() > m_lastConnectPruneAt)
    {
        // Entries older than the interval no longer limit anything; pruning when the map has
        // doubled keeps the cost per CONNECT constant on average.
        for (auto e = m_lastConnect.begin(); e != m_lastConnect.end();)
        {
            e = now - e->second >= interval ? m_lastConnect.erase(e) : std::next(e);
        }
        m_lastConnectPruneAt = std::max<std::size_t>(64, 2 * m_lastConnect.size());
    }
    return true;
}

void
MqttBrokerEngine::Impl::PublishLifecycle(const MqttBrokerConnection& conn,
                                         bool connected,
                                         CloseReason reason,
                                         Nanos now,
                                         MqttActions& out)
{
    MqttLifecycleEvent ev;
    ev.connected = connected;
    ev.clientId = conn.ClientId();
    ev.timestampMs = static_cast<int64_t>(now.count() / 1000000);
    ev.sessionIdentifier = LifecycleSessionIdentifier(conn.LifecycleVersion());
    ev.principalIdentifier = conn.UserName();
    ev.versionNumber = conn.LifecycleVersion();
    if (!connected)
    {
        ev.clientInitiatedDisconnect = reason == CloseReason::ClientDisconnect;
        ev.disconnectReason = LifecycleDisconnectReason(reason);
    }
    std::string topic = ev.Topic(m_profile.lifecycleTopicPrefix);
    if (topic.size() > MAX_TOPIC_LENGTH)
    {
        return; // a client id so long that the topic cannot be encoded
    }
    std::string json = ev.ToJson();
    // The broker's own message: no publisher, no ACL or publish limits (it uses a reserved
    // topic), never retained.
    MqttMessagePtr m = MakeMessage("",
                                   std::move(topic),
                                   std::vector<uint8_t>(json.begin(), json.end()),
                                   MinQos(m_profile.lifecycleQos, m_profile.maxQos),
                                   false);
    MqttEvent& e = Notify(EventType::LifecyclePublished, conn.Id(), out);
    e.clientId = conn.ClientId();
    e.message = m;
    e.qos = m->qos;
    e.topic = m->topic;
    e.closeReason = reason;
    Route(m, now, out);
}

std::string
MqttBrokerEngine::Impl::AssignClientId()
{
    // Unique among the sessions held: a counter, skipping ids a client chose itself.
    for (;;)
    {
        std::string id = m_profile.assignedClientIdPrefix + std::to_string(m_nextAssignedId++);
        if (m_sessions.Find(id) == nullptr)
        {
            return id;
        }
    }
}

// ===============================================================================================
// Sessions
// ===============================================================================================

void
MqttBrokerEngine::Impl::DiscardSession(MqttSession& s, DropReason reason, MqttActions& out)
{
    StopPaced(s, out);
    for (const MqttSubscription& sub : s.Subscriptions())
    {
        m_tree.Unsubscribe(sub.filter, s.Handle());
    }
    if (s.ExpiryTimer() != 0)
    {
        CancelTimer(s.ExpiryTimer(), out);
        s.SetExpiryTimer(0);
    }
    for (const QueuedMessage& q : s.TakeAllMessages())
    {
        NotifyDrop(&s, 0, q.message, q.qos, reason, out);
    }
    const std::string clientId = s.ClientId();
    m_sessions.Erase(clientId);
}

void
MqttBrokerEngine::Impl::Resume(MqttSession& s, Nanos now, MqttActions& out)
{
    // [MQTT-4.4.0-1]: unacknowledged PUBLISH again with DUP=1 [MQTT-3.3.1-1] and unacknowledged
    // PUBREL again, original identifiers, in the original order [MQTT-4.6.0-1].
    if (m_profile.offlineDrainRate > 0 && (!s.Inflight().empty() || s.QueuedCount() != 0))
    {
        // Stored messages go out at the drain rate: the unacknowledged ones first (still in
        // their order), then the queue. PUBRELs are not messages: at once.
        PacedDrain& paced = s.StartPaced(m_profile.offlineDrainRate);
        paced.backlog = s.QueuedCount();
        for (InflightMessage& f : s.Inflight())
        {
            f.resendPending = f.state != InflightState::AwaitingPubcomp;
            if (!f.resendPending)
            {
                ResendInflight(s, f, out);
            }
        }
        Drain(s, now, out);
        return;
    }
    for (const InflightMessage& f : s.Inflight())
    {
        ResendInflight(s, f, out);
    }
    Drain(s, now, out);
}

void
MqttBrokerEngine::Impl::ResendInflight(MqttSession& s, const InflightMessage& f, MqttActions& out)
{
    const ConnectionId id = s.Connection()->Id();
    if (f.state == InflightState::AwaitingPubcomp)
    {
        SendPacket(id, PubrelPacket{f.packetId}, out);
        return;
    }
    const MqttMessage& m = *f.message;
    EncodePublish(true,
                  f.qos,
                  f.retain,
                  m.topic,
                  f.packetId,
                  m.payload.data(),
                  m.payload.size(),
                  SendBuffer(id, out));
    NotifyDelivery(EventType::MessageSent, s, f.message, f.qos, f.packetId, true, f.retain, out);
}

void
MqttBrokerEngine::Impl::StopPaced(MqttSession& s, MqttActions& out)
{
    PacedDrain* paced = s.Paced();
    if (paced == nullptr)
    {
        return;
    }
    if (paced->timer != 0)
    {
        CancelTimer(paced->timer, out);
    }
    for (InflightMessage& f : s.Inflight())
    {
        f.resendPending = false;
    }
    s.StopPaced();
}

std::optional<Qos>
MqttBrokerEngine::Impl::ActiveMatchQos(const MqttSession& s,
                                       std::string_view topic,
                                       Nanos now) const
{
    std::optional<Qos> best;
    for (const MqttSubscription& sub : s.Subscriptions())
    {
        if (sub.activeFrom <= now && TopicMatches(sub.filter, topic) &&
            (!best || static_cast<uint8_t>(sub.qos) > static_cast<uint8_t>(*best)))
        {
            best = sub.qos;
        }
    }
    return best;
}

// ===============================================================================================
// Messages
// ===============================================================================================

MqttMessagePtr
MqttBrokerEngine::Impl::MakeMessage(const std::string& publisherId,
                                    std::string topic,
                                    std::vector<uint8_t> payload,
                                    Qos qos,
                                    bool retain)
{
    auto m = std::make_shared<MqttMessage>();
    m->id = m_nextMessageId++;
    m->publisherId = publisherId;
    m->topic = std::move(topic);
    m->payload = std::move(payload);
    m->qos = qos;
    m->retain = retain;
    return m;
}

DropReason
MqttBrokerEngine::Impl::CheckPublishLimits(std::string_view topic, std::size_t payloadSize) const
{
    if (topic.size() > m_profile.maxTopicLength ||
        (m_profile.maxTopicSlashes != 0 && SlashCount(topic) > m_profile.maxTopicSlashes))
    {
        return DropReason::TopicRejected;
    }
    for (const std::string& prefix : m_profile.reservedTopicPrefixes)
    {
        if (topic.substr(0, prefix.size()) == prefix)
        {
            return DropReason::TopicRejected;
        }
    }
    if (m_profile.maxPayloadSize != 0 && payloadSize > m_profile.maxPayloadSize)
    {
        return DropReason::PayloadTooLarge;
    }
    return DropReason::None;
}

bool
MqttBrokerEngine::Impl::FilterWithinLimits(std::string_view filter) const
{
    return filter.size() <= m_profile.maxTopicLength &&
           (m_profile.maxTopicSlashes == 0 || SlashCount(filter) <= m_profile.maxTopicSlashes);
}

void
MqttBrokerEngine::Impl::Accept(const MqttMessagePtr& m,
                               ConnectionId from,
                               const std::string& clientId,
                               const std::optional<std::string>& userName,
                               Nanos now,
                               MqttActions& out)
{
    if (m_acl && !m_acl->MayPublish(clientId, userName, m->topic))
    {
        // Acknowledged as usual but not forwarded: the client cannot be told [MQTT-3.3.5-2].
        NotifyDrop(nullptr, from, m, m->qos, DropReason::NotAuthorized, out);
        return;
    }
    if (m->retain && m_profile.retain != RetainPolicy::Disconnect)
    {
        if (m->payload.empty())
        {
            // Deletes the retained message and is never stored itself [MQTT-3.3.1-10],
            // [MQTT-3.3.1-11]. A non-empty QoS 0 one replaces it like any other [MQTT-3.3.1-7].
            if (m_retained.Erase(m->topic))
            {
                MqttEvent& e = Notify(EventType::RetainedDeleted, from, out);
                e.clientId = clientId;
                e.message = m;
                e.topic = m->topic;
            }
        }
        else if (m_profile.maxRetainedMessages != 0 &&
                 m_retained.Size() >= m_profile.maxRetainedMessages &&
                 m_retained.Find(m->topic) == nullptr)
        {
            // The store is full and this topic would take a new place: not stored; the message
            // itself is still forwarded below.
            NotifyDrop(nullptr, from, m, m->qos, DropReason::RetainedStoreFull, out);
        }
        else
        {
            m_retained.Store(m); // [MQTT-3.3.1-5]
            MqttEvent& e = Notify(EventType::RetainedStored, from, out);
            e.clientId = clientId;
            e.message = m;
            e.qos = m->qos;
            e.retain = true;
            e.topic = m->topic;
        }
    }
    // RETAIN=0 leaves the retained store alone [MQTT-3.3.1-12].
    Route(m, now, out);
}

void
MqttBrokerEngine::Impl::PublishWill(ConnectionId from,
                                    const std::string& clientId,
                                    const std::optional<std::string>& userName,
                                    Will will,
                                    Nanos now,
                                    MqttActions& out)
{
    Qos qos = will.qos;
    bool unsupported = false;
    if (static_cast<uint8_t>(qos) > static_cast<uint8_t>(m_profile.maxQos))
    {
        unsupported = m_profile.qosRequestPolicy != QosRequestPolicy::Downgrade;
        qos = m_profile.maxQos;
    }
    // Published with its own QoS and RETAIN flag [MQTT-3.1.2-16], [MQTT-3.1.2-17].
    MqttMessagePtr m =
        MakeMessage(clientId, std::move(will.topic), std::move(will.payload), qos, will.retain);
    MqttEvent& e = Notify(EventType::WillPublished, from, out);
    e.clientId = clientId;
    e.message = m;
    e.qos = will.qos;
    e.retain = will.retain;
    e.topic = m->topic;
    DropReason limit =
        unsupported ? DropReason::QosNotSupported : CheckPublishLimits(m->topic, m->payload.size());
    if (limit != DropReason::None)
    {
        NotifyDrop(nullptr, from, m, will.qos, limit, out);
        return;
    }
    Accept(m, from, clientId, userName, now, out);
}

void
MqttBrokerEngine::Impl::Route(const MqttMessagePtr& m, Nanos now, MqttActions& out)
{
    // [MQTT-4.5.0-1]: every session with a matching subscription gets the message once, at
    // the highest QoS among its matching filters [MQTT-3.3.5-1] (the tree already merged
    // overlapping filters), capped by the message's QoS [MQTT-3.8.4-6].
    std::vector<SubscriberMatch> matches = std::move(m_matches);
    m_tree.Match(m->topic, matches);
    for (const SubscriberMatch& match : matches)
    {
        MqttSession* s = m_sessions.FindByHandle(match.subscriber);
        if (s == nullptr)
        {
            continue;
        }
        Qos qos = MinQos(m->qos, match.maxQos);
        ConnectionId c = s->Connection() != nullptr ? s->Connection()->Id() : 0;
        if (s->HasPendingSubscriptions(now))
        {
            // Only subscriptions past their delay count (the tree does not know the times).
            std::optional<Qos> active = ActiveMatchQos(*s, m->topic, now);
            if (!active)
            {
                NotifyDrop(s, c, m, qos, DropReason::SubscriptionPending, out);
                continue;
            }
            qos = MinQos(m->qos, *active);
        }
        if (m_acl && !m_acl->MayReceive(s->ClientId(), s->UserName(), m->topic))
        {
            NotifyDrop(s, c, m, qos, DropReason::NotAuthorized, out);
            continue;
        }
        // Forwarded through an established subscription: RETAIN=0 [MQTT-3.3.1-9].
        Deliver(*s, m, qos, false, now, out);
    }
    m_matches = std::move(matches);
}

void
MqttBrokerEngine::Impl::SendRetained(
    MqttSession& s, const std::string& filter, Qos granted, Nanos now, MqttActions& out)
{
    if (m_profile.retain == RetainPolicy::Disconnect)
    {
        return;
    }
    std::vector<MqttMessagePtr> retained;
    m_retained.Match(filter, retained);
    for (const MqttMessagePtr& m : retained)
    {
        if (m_profile.retain == RetainPolicy::StoreExactMatchOnly && m->topic != filter)
        {
            continue;
        }
        Qos qos = MinQos(m->qos, granted); // section 3.8.4: min(stored QoS, granted QoS)
        if (m_acl && !m_acl->MayReceive(s.ClientId(), s.UserName(), m->topic))
        {
            NotifyDrop(&s, s.Connection()->Id(), m, qos, DropReason::NotAuthorized, out);
            continue;
        }
        Deliver(s, m, qos, true, now, out); // RETAIN=1 [MQTT-3.3.1-8]
    }
}

void
MqttBrokerEngine::Impl::Deliver(
    MqttSession& s, const MqttMessagePtr& m, Qos qos, bool retain, Nanos now, MqttActions& out)
{
    if (s.Connection() != nullptr)
    {
        if (qos == Qos::AtMostOnce)
        {
            SendQos0(s, m, retain, now, out);
        }
        else if (s.QueuedCount() == 0 && s.Paced() == nullptr && WindowHasRoom(s))
        {
            SendNew(s, m, qos, retain, now, out);
        }
        else
        {
            Enqueue(s, QueuedMessage{m, qos, retain}, out); // behind earlier ones, in order
            if (m_pauseDepth != 0 && m_publishing != nullptr && s.QueuedCount() >= m_pauseDepth)
            {
                PausePublisher(s, now, out);
            }
        }
        return;
    }
    // A disconnected persistent session keeps collecting QoS 1 and 2 [MQTT-3.1.2-5], and
    // QoS 0 only when the profile says so.
    if (qos == Qos::AtMostOnce && !m_profile.queueQos0Offline)
    {
        NotifyDrop(&s, 0, m, qos, DropReason::QosZeroOffline, out);
        return;
    }
    Enqueue(s, QueuedMessage{m, qos, retain}, out);
}

void
MqttBrokerEngine::Impl::SendQos0(
    MqttSession& s, const MqttMessagePtr& m, bool retain, Nanos now, MqttActions& out)
{
    // A profile deviation: with this probability the same QoS 0 message once more, with no DUP
    // flag, reported MessageSent only (the first copy is the delivery). Decided first: with
    // reorderJitter each copy then draws its own delay.
    bool duplicate =
        m_profile.qos0DuplicateProbability > 0 && Uniform() < m_profile.qos0DuplicateProbability;
    if (!Reorders())
    {
        WritePublish(s, m, Qos::AtMostOnce, 0, retain, true, out);
        if (duplicate)
        {
            WritePublish(s, m, Qos::AtMostOnce, 0, retain, false, out);
        }
        return;
    }
    HeldPacket h;
    h.message = m;
    h.qos = Qos::AtMostOnce;
    h.retain = retain;
    Hold(*s.Connection(), h, now, out);
    if (duplicate)
    {
        h.countDelivered = false;
        Hold(*s.Connection(), std::move(h), now, out);
    }
}

void
MqttBrokerEngine::Impl::SendNew(
    MqttSession& s, const MqttMessagePtr& m, Qos qos, bool retain, Nanos now, MqttActions& out)
{
    // An identifier no delivery in flight uses [MQTT-2.3.1-4]; DUP=0 on the first send
    // [MQTT-4.3.2-1], [MQTT-4.3.3-1], whatever the publisher's DUP was [MQTT-3.3.1-3].
    uint16_t packetId = s.AllocatePacketId();
    InflightMessage f;
    f.message = m;
    f.packetId = packetId;
    f.qos = qos;
    f.retain = retain;
    f.state =
        qos == Qos::AtLeastOnce ? InflightState::AwaitingPuback : InflightState::AwaitingPubrec;
    s.AddInflight(std::move(f));
    if (!Reorders())
    {
        WritePublish(s, m, qos, packetId, retain, true, out);
        return;
    }
    HeldPacket h;
    h.message = m;
    h.qos = qos;
    h.packetId = packetId;
    h.retain = retain;
    Hold(*s.Connection(), std::move(h), now, out); // in flight from now, even while held
}

void
MqttBrokerEngine::Impl::Enqueue(MqttSession& s, QueuedMessage q, MqttActions& out)
{
    const uint32_t bound = m_profile.maxQueuedMessages;
    ConnectionId c = s.Connection() != nullptr ? s.Connection()->Id() : 0;
    if (bound != 0 && s.QueuedCount() >= bound)
    {
        if (m_profile.queueDropPolicy == QueueDropPolicy::DropNewest)
        {
            NotifyDrop(&s, c, q.message, q.qos, DropReason::QueueFull, out);
            return;
        }
        QueuedMessage oldest = s.PopQueued();
        NotifyDrop(&s, c, oldest.message, oldest.qos, DropReason::QueueFull, out);
    }
    MqttMessagePtr m = q.message;
    Qos qos = q.qos;
    bool retain = q.retain;
    s.PushQueued(std::move(q));
    MqttEvent& e = Notify(EventType::MessageQueued, c, out);
    e.clientId = m->publisherId;
    e.peerId = s.ClientId();
    e.message = m;
    e.qos = qos;
    e.retain = retain;
    e.topic = m->topic;
    e.queueDepth = static_cast<uint32_t>(s.QueuedCount() + s.Inflight().size());
}

void
MqttBrokerEngine::Impl::Drain(MqttSession& s, Nanos now, MqttActions& out)
{
    DrainQueue(s, now, out);
    if (!m_pauses.empty())
    {
        ReleaseWaiters(s, false, out);
    }
}

void
MqttBrokerEngine::Impl::DrainQueue(MqttSession& s, Nanos now, MqttActions& out)
{
    if (s.Connection() == nullptr)
    {
        return;
    }
    while (PacedDrain* paced = s.Paced())
    {
        // The next stored message: an unacknowledged one to re-send, else the queue's head.
        InflightMessage* resend = nullptr;
        for (InflightMessage& f : s.Inflight())
        {
            if (f.resendPending)
            {
                resend = &f;
                break;
            }
        }
        const bool fromQueue = resend == nullptr && paced->backlog != 0 && s.QueuedCount() != 0;
        if (resend == nullptr && !fromQueue)
        {
            StopPaced(s, out); // everything stored went out; what follows flows normally
            break;
        }
        if (fromQueue && s.FrontQueued().qos != Qos::AtMostOnce && !WindowHasRoom(s))
        {
            return; // an acknowledgement calls Drain again
        }
        if (paced->timer != 0)
        {
            return; // waiting for the next slot
        }
        if (!paced->limiter.TryTake(1, now))
        {
            paced->timer =
                StartTimer(TimerKind::Drain, s.Handle(), paced->limiter.WhenFits(1), out);
            return;
        }
        if (resend != nullptr)
        {
            resend->resendPending = false;
            ResendInflight(s, *resend, out);
            continue;
        }
        --paced->backlog;
        QueuedMessage q = s.PopQueued();
        if (q.qos == Qos::AtMostOnce)
        {
            SendQos0(s, q.message, q.retain, now, out);
        }
        else
        {
            SendNew(s, q.message, q.qos, q.retain, now, out);
        }
    }
    while (s.QueuedCount() != 0)
    {
        const QueuedMessage& front = s.FrontQueued();
        if (front.qos == Qos::AtMostOnce)
        {
            QueuedMessage q = s.PopQueued();
            SendQos0(s, q.message, q.retain, now, out);
        }
        else if (WindowHasRoom(s))
        {
            QueuedMessage q = s.PopQueued();
            SendNew(s, q.message, q.qos, q.retain, now, out);
        }
        else
        {
            return; // the rest waits for an acknowledgement, in order
        }
    }
}

bool
MqttBrokerEngine::Impl::Reorders() const
{
    return m_profile.reorderJitter > Nanos(0);
}

void
MqttBrokerEngine::Impl::Hold(MqttBrokerConnection& conn, HeldPacket h, Nanos now, MqttActions& out)
{
    Nanos at = now + Nanos(static_cast<Nanos::rep>(std::floor(
                         Uniform() * static_cast<double>(m_profile.reorderJitter.count()))));
    HeldOutput& held = conn.Held();
    if (h.kind == HeldPacket::Kind::Ack)
    {
        ++held.acks;
    }
    held.packets.emplace(std::make_pair(at, held.nextSeq++), std::move(h));
    if (held.timer == 0)
    {
        held.timer = StartTimer(TimerKind::Release, conn.Id(), at, out);
        held.timerAt = at;
    }
    else if (at < held.timerAt)
    {
        out.emplace_back(StartTimerAction{held.timer, at}); // restarted for the earlier time
        held.timerAt = at;
    }
}

void
MqttBrokerEngine::Impl::SendAck(
    MqttBrokerConnection& conn, PacketType type, uint16_t packetId, Nanos now, MqttActions& out)
{
    if (!Reorders())
    {
        if (type == PacketType::Pubrec)
        {
            SendPacket(conn.Id(), PubrecPacket{packetId}, out);
        }
        else
        {
            SendPacket(conn.Id(), PubackPacket{packetId}, out);
        }
        return;
    }
    HeldPacket h;
    h.kind = HeldPacket::Kind::Ack;
    h.ackType = type;
    h.packetId = packetId;
    Hold(conn, std::move(h), now, out);
}

void
MqttBrokerEngine::Impl::Write(MqttBrokerConnection& conn, const HeldPacket& h, MqttActions& out)
{
    const ConnectionId id = conn.Id();
    if (h.kind == HeldPacket::Kind::Ack)
    {
        if (h.ackType == PacketType::Pubrec)
        {
            SendPacket(id, PubrecPacket{h.packetId}, out);
        }
        else
        {
            SendPacket(id, PubackPacket{h.packetId}, out);
        }
        return;
    }
    MqttSession& s = *conn.Session();
    if (h.qos != Qos::AtMostOnce)
    {
        // Held, a delivery can have been completed by an acknowledgement guessing its id.
        InflightMessage* f = s.FindInflight(h.packetId);
        InflightState sent = h.qos == Qos::AtLeastOnce ? InflightState::AwaitingPuback
                                                       : InflightState::AwaitingPubrec;
        if (f == nullptr || f->message != h.message || f->state != sent)
        {
            return;
        }
    }
    WritePublish(s, h.message, h.qos, h.packetId, h.retain, h.countDelivered, out);
}

void
MqttBrokerEngine::Impl::WritePublish(MqttSession& s,
                                     const MqttMessagePtr& m,
                                     Qos qos,
                                     uint16_t packetId,
                                     bool retain,
                                     bool countDelivered,
                                     MqttActions& out)
{
    // DUP=0 on a first send [MQTT-4.3.1-1], [MQTT-4.3.2-1], [MQTT-4.3.3-1] whatever the
    // publisher's DUP was [MQTT-3.3.1-3]; QoS 0 has no identifier [MQTT-3.3.1-2].
    EncodePublish(false,
                  qos,
                  retain,
                  m->topic,
                  packetId,
                  m->payload.data(),
                  m->payload.size(),
                  SendBuffer(s.Connection()->Id(), out));
    NotifyDelivery(EventType::MessageSent, s, m, qos, packetId, false, retain, out);
    if (qos == Qos::AtMostOnce && countDelivered)
    {
        NotifyDelivery(EventType::MessageDelivered, s, m, qos, 0, false, retain, out);
    }
}

void
MqttBrokerEngine::Impl::Release(MqttBrokerConnection& conn, Nanos now, MqttActions& out)
{
    HeldOutput& held = conn.Held();
    while (!held.packets.empty() && held.packets.begin()->first.first <= now)
    {
        HeldPacket h = std::move(held.packets.begin()->second);
        held.packets.erase(held.packets.begin());
        if (h.kind == HeldPacket::Kind::Ack)
        {
            --held.acks;
        }
        Write(conn, h, out);
    }
    if (!held.packets.empty())
    {
        held.timerAt = held.packets.begin()->first.first;
        held.timer = StartTimer(TimerKind::Release, conn.Id(), held.timerAt, out);
    }
}

void
MqttBrokerEngine::Impl::PausePublisher(MqttSession& s, Nanos now, MqttActions& out)
{
    MqttBrokerConnection& publisher = *m_publishing;
    if (s.Connection() == &publisher)
    {
        return; // pausing a subscriber's own input would stop its acknowledgements too
    }
    InboundLimits& limits = publisher.Limits();
    if (limits.pauseTimer != 0)
    {
        return; // already paused by another session this message went to
    }
    SessionPause& pause = m_pauses[s.Handle()];
    if (pause.exempt)
    {
        return;
    }
    limits.pauseTimer = StartTimer(TimerKind::Pause, publisher.Id(), now + m_maxPause, out);
    limits.pausedBy = s.Handle();
    pause.waiters.push_back(publisher.Id());
}

void
MqttBrokerEngine::Impl::ReleaseWaiters(const MqttSession& s, bool force, MqttActions& out)
{
    auto it = m_pauses.find(s.Handle());
    if (it == m_pauses.end() || (!force && s.QueuedCount() > m_pauseDepth / 2))
    {
        return;
    }
    for (ConnectionId id : it->second.waiters)
    {
        auto c = m_connections.find(id);
        if (c == m_connections.end() || !c->second->HasExtras())
        {
            continue; // closed since
        }
        InboundLimits& limits = c->second->Limits();
        if (limits.pauseTimer != 0 && limits.pausedBy == s.Handle())
        {
            CancelTimer(limits.pauseTimer, out);
            limits.pauseTimer = 0;
            m_resumeInput.push_back(id);
        }
    }
    m_pauses.erase(it);
}

void
MqttBrokerEngine::Impl::ProcessResumed(Nanos now, MqttActions& out)
{
    // Not nested in the handling that released them: that may be in the middle of a drain or a
    // route, and the released input may route to the same session.
    while (!m_resumeInput.empty())
    {
        std::vector<ConnectionId> ids;
        ids.swap(m_resumeInput);
        for (ConnectionId id : ids)
        {
            auto c = m_connections.find(id);
            if (c != m_connections.end())
            {
                ProcessInput(*c->second, now, out);
            }
        }
    }
}

bool
MqttBrokerEngine::Impl::IsInputPaused(ConnectionId id) const
{
    auto c = m_connections.find(id);
    if (c == m_connections.end() || !c->second->HasExtras())
    {
        return false;
    }
    const InboundLimits& limits = c->second->Limits();
    return limits.resumeTimer != 0 || limits.pauseTimer != 0;
}

void
MqttBrokerEngine::Impl::SetBackPressure(std::size_t queueDepth, Nanos maxPause)
{
    m_pauseDepth = maxPause > Nanos(0) ? queueDepth : 0;
    m_maxPause = maxPause;
}

bool
MqttBrokerEngine::Impl::WindowHasRoom(const MqttSession& s) const
{
    uint32_t window = m_profile.maxInflightOut == 0
                          ? MAX_INFLIGHT_IDS
                          : std::min(m_profile.maxInflightOut, MAX_INFLIGHT_IDS);
    return s.Inflight().size() < window;
}

// ===============================================================================================
// Output
// ===============================================================================================

std::vector<uint8_t>&
MqttBrokerEngine::Impl::SendBuffer(ConnectionId id, MqttActions& out)
{
    if (!out.empty())
    {
        if (auto* send = std::get_if<SendAction>(&out.back()); send && send->connection == id)
        {
            return send->bytes;
        }
    }
    out.emplace_back(SendAction{id, {}});
    return std::get<SendAction>(out.back()).bytes;
}

void
MqttBrokerEngine::Impl::SendPacket(ConnectionId id, const Packet& packet, MqttActions& out)
{
    Encode(packet, SendBuffer(id, out));
}

MqttEvent&
MqttBrokerEngine::Impl::Notify(EventType type, ConnectionId connection, MqttActions& out)
{
    NotifyAction action;
    action.event.type = type;
    action.event.connection = connection;
    out.emplace_back(std::move(action));
    return std::get<NotifyAction>(out.back()).event;
}

void
MqttBrokerEngine::Impl::NotifyDelivery(EventType type,
                                       const MqttSession& s,
                                       const MqttMessagePtr& m,
                                       Qos qos,
                                       uint16_t packetId,
                                       bool dup,
                                       bool retain,
                                       MqttActions& out)
{
    ConnectionId c = s.Connection() != nullptr ? s.Connection()->Id() : 0;
    MqttEvent& e = Notify(type, c, out);
    e.clientId = m->publisherId;
    e.peerId = s.ClientId();
    e.message = m;
    e.qos = qos;
    e.packetId = packetId;
    e.dup = dup;
    e.retain = retain;
    e.topic = m->topic;
    e.queueDepth = static_cast<uint32_t>(s.QueuedCount() + s.Inflight().size());
}

MqttEvent&
MqttBrokerEngine::Impl::NotifyDrop(const MqttSession* s,
                                   ConnectionId connection,
                                   const MqttMessagePtr& m,
                                   Qos qos,
                                   DropReason reason,
                                   MqttActions& out)
{
    MqttEvent& e = Notify(EventType::MessageDropped, connection, out);
    e.clientId = m->publisherId;
    if (s != nullptr)
    {
        e.peerId = s->ClientId();
        e.queueDepth = static_cast<uint32_t>(s->QueuedCount() + s->Inflight().size());
    }
    e.message = m;
    e.qos = qos;
    e.dropReason = reason;
    e.topic = m->topic;
    return e;
}

// ===============================================================================================
// Timers and randomness
// ===============================================================================================

TimerId
MqttBrokerEngine::Impl::StartTimer(TimerKind kind, uint64_t key, Nanos at, MqttActions& out)
{
    TimerId id = m_nextTimer++;
    m_timers.emplace(id, TimerTarget{kind, key});
    out.emplace_back(StartTimerAction{id, at});
    return id;
}

void
MqttBrokerEngine::Impl::CancelTimer(TimerId timer, MqttActions& out)
{
    m_timers.erase(timer);
    out.emplace_back(CancelTimerAction{timer});
}

double
MqttBrokerEngine::Impl::Uniform()
{
    // 53 random bits: the same value on every platform, unlike std::uniform_real_distribution.
    return static_cast<double>(m_rng() >> 11) * (1.0 / 9007199254740992.0);
}

Nanos
MqttBrokerEngine::Impl::DrawSubscriptionDelay()
{
    const double mean = static_cast<double>(m_profile.subscriptionDelay.count());
    double delay = mean;
    switch (m_profile.subscriptionDelayShape)
    {
    case DelayShape::Fixed:
        break;
    case DelayShape::Uniform:
    {
        const double spread = static_cast<double>(m_profile.subscriptionDelaySpread.count());
        delay = std::max(0.0, mean - spread + 2 * spread * Uniform());
        break;
    }
    case DelayShape::Exponential:
        delay = -mean * std::log1p(-Uniform()); // Uniform() < 1, so the log is finite
        break;
    }
    return Nanos(static_cast<Nanos::rep>(std::llround(delay)));
}

// ===============================================================================================
// Public face
// ===============================================================================================

MqttBrokerEngine::MqttBrokerEngine(MqttBrokerProfile profile, uint64_t seed)
    : m_impl(std::make_unique<Impl>(std::move(profile), seed))
{
}

MqttBrokerEngine::~MqttBrokerEngine() = default;

void
MqttBrokerEngine::SetAuthenticator(std::shared_ptr<const MqttAuthenticator> authenticator)
{
    m_impl->m_authenticator = std::move(authenticator);
}

void
MqttBrokerEngine::SetBackPressure(std::size_t queueDepth, Nanos maxPause)
{
    m_impl->SetBackPressure(queueDepth, maxPause);
}

bool
MqttBrokerEngine::IsInputPaused(ConnectionId connection) const
{
    return m_impl->IsInputPaused(connection);
}

void
MqttBrokerEngine::SetAcl(std::shared_ptr<const MqttAcl> acl)
{
    m_impl->m_acl = std::move(acl);
}

void
MqttBrokerEngine::OnConnectionOpened(ConnectionId connection, Nanos now, MqttActions& out)
{
    m_impl->OnConnectionOpened(connection, now, out);
}

void
MqttBrokerEngine::OnBytes(
    ConnectionId connection, const uint8_t* data, std::size_t size, Nanos now, MqttActions& out)
{
    m_impl->OnBytes(connection, data, size, now, out);
}

void
MqttBrokerEngine::OnConnectionClosed(ConnectionId connection, Nanos now, MqttActions& out)
{
    m_impl->OnConnectionClosed(connection, now, out);
}

void
MqttBrokerEngine::OnTimer(TimerId timer, Nanos now, MqttActions& out)
{
    m_impl->OnTimer(timer, now, out);
}

void
MqttBrokerEngine::Shutdown(Nanos now, MqttActions& out)
{
    m_impl->Shutdown(now, out);
}

void
MqttBrokerEngine::Resume(Nanos /* now */, MqttActions& /* out */)
{
    // Shutdown() left nothing half-done: no connection, no timer but session expiries (which
    // ran on while down), every session detached. Accepting CONNECTs again is all there is.
    m_impl->m_shutdown = false;
}

bool
MqttBrokerEngine::IsShutDown() const
{
    return m_impl->m_shutdown;
}

const MqttBrokerProfile&
MqttBrokerEngine::Profile() const
{
    return m_impl->m_profile;
}

std::size_t
MqttBrokerEngine::ConnectionCount() const
{
    return m_impl->m_connections.size();
}

std::size_t
MqttBrokerEngine::SessionCount() const
{
    return m_impl->m_sessions.Size();
}

std::size_t
MqttBrokerEngine::QueueDepth(const std::string& clientId) const
{
    const MqttSession* s = m_impl->m_sessions.Find(clientId);
    return s == nullptr ? 0 : s->QueuedCount() + s->Inflight().size();
}

std::size_t
MqttBrokerEngine::RetainedCount() const
{
    return m_impl->m_retained.Size();
}

bool
MqttBrokerEngine::IsConnected(const std::string& clientId) const
{
    const MqttSession* s = m_impl->m_sessions.Find(clientId);
    return s != nullptr && s->Connection() != nullptr;
}

std::size_t
MqttBrokerEngine::InflightCount(const std::string& clientId) const
{
    const MqttSession* s = m_impl->m_sessions.Find(clientId);
    return s == nullptr ? 0 : s->Inflight().size();
}

std::size_t
MqttBrokerEngine::SubscriptionCount(const std::string& clientId) const
{
    const MqttSession* s = m_impl->m_sessions.Find(clientId);
    return s == nullptr ? 0 : s->Subscriptions().size();
}

std::size_t
MqttBrokerEngine::PendingPubrelCount(const std::string& clientId) const
{
    const MqttSession* s = m_impl->m_sessions.Find(clientId);
    return s == nullptr ? 0 : s->InboundQos2Count();
}

std::size_t
MqttBrokerEngine::ActiveTimerCount() const
{
    return m_impl->m_timers.size();
}

std::size_t
MqttBrokerEngine::TotalSubscriptionCount() const
{
    return m_impl->m_tree.Size();
}

} // namespace mqtt
} // namespace ns3
