/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-client-engine.h"

#include "mqtt-codec.h"
#include "mqtt-frame-reader.h"
#include "mqtt-packet-id-allocator.h"
#include "mqtt-topic.h"
#include "mqtt-utf8.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <random>
#include <utility>

namespace ns3
{
namespace mqtt
{

const char*
ClientStateName(ClientState state)
{
    switch (state)
    {
    case ClientState::Idle:
        return "Idle";
    case ClientState::Connecting:
        return "Connecting";
    case ClientState::AwaitingConnack:
        return "AwaitingConnack";
    case ClientState::Connected:
        return "Connected";
    case ClientState::Disconnecting:
        return "Disconnecting";
    case ClientState::WaitingToReconnect:
        return "WaitingToReconnect";
    }
    return "Unknown";
}

const char*
ClientConfigErrorName(ClientConfigError error)
{
    switch (error)
    {
    case ClientConfigError::None:
        return "None";
    case ClientConfigError::EmptyClientIdNeedsCleanSession:
        return "EmptyClientIdNeedsCleanSession";
    case ClientConfigError::InvalidClientId:
        return "InvalidClientId";
    case ClientConfigError::InvalidWillTopic:
        return "InvalidWillTopic";
    case ClientConfigError::InvalidWillQos:
        return "InvalidWillQos";
    case ClientConfigError::WillPayloadTooLong:
        return "WillPayloadTooLong";
    case ClientConfigError::InvalidUserName:
        return "InvalidUserName";
    case ClientConfigError::PasswordWithoutUserName:
        return "PasswordWithoutUserName";
    case ClientConfigError::PasswordTooLong:
        return "PasswordTooLong";
    }
    return "Unknown";
}

namespace
{

/** The longest string or binary field (a two-byte length prefix, section 1.5.3). */
constexpr std::size_t MAX_FIELD = 65535;

bool
ValidString(const std::string& s)
{
    return s.size() <= MAX_FIELD && CheckUtf8(s) == Utf8Status::Valid;
}

bool
ValidQos(Qos qos)
{
    return static_cast<uint8_t>(qos) <= 2;
}

/** A generator seeded from the config; the conversion to [0, 1) is ours, so it is portable. */
MqttClientEngine::UniformSource
SeededUniform(uint64_t seed)
{
    auto gen = std::make_shared<std::mt19937_64>(seed);
    return [gen]() { return static_cast<double>((*gen)() >> 11) * 0x1.0p-53; };
}

} // namespace

ClientConfigError
MqttClientEngine::CheckConfig(const MqttClientConfig& config)
{
    if (!ValidString(config.clientId))
    {
        return ClientConfigError::InvalidClientId;
    }
    if (config.clientId.empty() && !config.cleanSession)
    {
        return ClientConfigError::EmptyClientIdNeedsCleanSession; // [MQTT-3.1.3-7]
    }
    if (config.will)
    {
        if (ValidateTopicName(config.will->topic) != TopicError::None)
        {
            return ClientConfigError::InvalidWillTopic;
        }
        if (!ValidQos(config.will->qos))
        {
            return ClientConfigError::InvalidWillQos;
        }
        if (config.will->payload.size() > MAX_FIELD)
        {
            return ClientConfigError::WillPayloadTooLong;
        }
    }
    if (config.userName && !ValidString(*config.userName))
    {
        return ClientConfigError::InvalidUserName;
    }
    if (config.password)
    {
        if (!config.userName)
        {
            return ClientConfigError::PasswordWithoutUserName; // [MQTT-3.1.2-22]
        }
        if (config.password->size() > MAX_FIELD)
        {
            return ClientConfigError::PasswordTooLong;
        }
    }
    return ClientConfigError::None;
}

class MqttClientEngine::Impl
{
  public:
    Impl(MqttClientConfig config, UniformSource uniform);

    void Connect(Nanos now, MqttActions& out);
    void OnTransportConnected(Nanos now, MqttActions& out);
    void OnTransportFailed(Nanos now, MqttActions& out);
    void OnBytes(const uint8_t* data, std::size_t size, Nanos now, MqttActions& out);
    void OnTransportClosed(Nanos now, MqttActions& out);
    void OnTimer(TimerId timer, Nanos now, MqttActions& out);
    uint64_t Publish(const std::string& topic,
                     std::vector<uint8_t> payload,
                     Qos qos,
                     bool retain,
                     Nanos now,
                     MqttActions& out);
    void Subscribe(std::vector<TopicRequest> topics, Nanos now, MqttActions& out);
    void Unsubscribe(std::vector<std::string> filters, Nanos now, MqttActions& out);
    void Disconnect(Nanos now, MqttActions& out);

    MqttClientConfig m_config;
    ClientState m_state = ClientState::Idle;
    std::size_t m_queuedPublishes = 0;
    std::size_t m_inflightPublishes = 0;
    MqttPacketIdAllocator m_receivedQos2; //!< QoS 2 ids received, PUBREL not yet seen
    ConnectionId m_connection = 0;

  private:
    enum class Kind : uint8_t
    {
        Publish,
        Subscribe,
        Unsubscribe,
    };

    /** What a sent request waits for. */
    enum class Stage : uint8_t
    {
        AwaitPuback,
        AwaitPubrec,
        AwaitPubcomp,
        AwaitSuback,
        AwaitUnsuback,
    };

    /** An application request (QoS 1/2 publish, subscribe, unsubscribe). */
    struct Request
    {
        Kind kind = Kind::Publish;
        MqttMessagePtr message;           //!< Publish
        std::vector<TopicRequest> topics; //!< Subscribe
        std::vector<std::string> filters; //!< Unsubscribe
    };

    /** A request sent and waiting for its ack. */
    struct InFlight
    {
        Request request;
        uint16_t packetId = 0;
        Stage stage = Stage::AwaitPuback;
        Nanos sentAt{0};              //!< when the packet now waiting for its ack was sent
        bool timeoutReported = false; //!< AckTimeout already reported for this send
    };

    struct Timer
    {
        bool armed = false;
        Nanos at{0};
    };

    MqttEvent& Notify(EventType type, MqttActions& out);
    void SetState(ClientState state, MqttActions& out);
    void ArmTimer(TimerId id, Nanos at, MqttActions& out);
    void CancelTimer(TimerId id, MqttActions& out);
    Timer& TimerFor(TimerId id);

    void OpenConnection(MqttActions& out);
    void SendPacket(const Packet& packet, Nanos now, MqttActions& out);
    void SendPublish(
        const MqttMessage& message, uint16_t packetId, bool dup, Nanos now, MqttActions& out);
    void SendPublish(bool dup,
                     Qos qos,
                     bool retain,
                     const std::string& topic,
                     uint16_t packetId,
                     const std::vector<uint8_t>& payload,
                     Nanos now,
                     MqttActions& out);
    void SendRequest(InFlight& entry, bool dup, Nanos now, MqttActions& out);

    /**
     * Ends the current connection: @p close emits a CloseAction (the engine's decision); the
     * ConnectionClosed event only for a transport that was up. Then either schedules a
     * reconnect or goes Idle.
     */
    void EndConnection(
        CloseReason reason, uint8_t code, bool close, bool reconnect, Nanos now, MqttActions& out);
    void ProtocolViolation(uint8_t code, Nanos now, MqttActions& out);
    void DiscardCleanSession(MqttActions& out);
    void ScheduleReconnect(Nanos now, MqttActions& out);

    void HandlePacket(Nanos now, MqttActions& out);
    void HandleConnack(const ConnackPacket& connack, Nanos now, MqttActions& out);
    void HandlePublish(PublishPacket& publish, Nanos now, MqttActions& out);
    void HandlePublishAck(PacketType type, uint16_t packetId, Nanos now, MqttActions& out);
    void HandleSuback(const SubackPacket& suback, Nanos now, MqttActions& out);
    void HandleUnsuback(uint16_t packetId, Nanos now, MqttActions& out);
    void Complete(std::map<uint64_t, InFlight>::iterator it, Nanos now, MqttActions& out);

    /** Sends queued requests while the window and the packet ids allow. */
    void Pump(Nanos now, MqttActions& out);
    void KeepAliveTick(Nanos now, MqttActions& out);
    void AckTick(Nanos now, MqttActions& out);
    /** Arms the ack timer for a packet sent at @p sentAt unless it is already armed. */
    void WatchAck(Nanos sentAt, MqttActions& out);
    void DeliverDropped(const MqttMessagePtr& message,
                        DropReason reason,
                        uint16_t packetId,
                        MqttActions& out);
    void DenyRequest(const std::vector<std::string>& filters, MqttActions& out);

    UniformSource m_uniform;
    MqttFrameReader m_reader;
    Packet m_packet; //!< reused by every decode, so PUBLISH storage is not reallocated
    bool m_transportUp = false;
    ConnectionId m_nextConnection = 1;
    Nanos m_lastSend{0};
    bool m_pingOutstanding = false;
    double m_backoffNanos = 0; //!< base of the next reconnect delay, before jitter
    uint64_t m_lastPublishId = 0;
    uint64_t m_lastReceivedId = 0;
    uint64_t m_nextSendOrder = 1;

    std::deque<Request> m_queue;              //!< not sent yet, in request order
    std::map<uint64_t, InFlight> m_inflight;  //!< by first-send order
    std::map<uint16_t, uint64_t> m_orderById; //!< packet id -> key in m_inflight
    MqttPacketIdAllocator m_ids;

    Timer m_connackTimer;
    Timer m_keepAliveTimer;
    Timer m_pingTimer;
    Timer m_ackTimer;
    Timer m_reconnectTimer;
};

MqttClientEngine::Impl::Impl(MqttClientConfig config, UniformSource uniform)
    : m_config(std::move(config))
    , m_uniform(uniform ? std::move(uniform) : SeededUniform(m_config.seed))
    , m_reader(m_config.maxPacketSize)
{
    m_config.maxInflight = std::max<uint16_t>(m_config.maxInflight, 1);
    m_config.reconnectMultiplier = std::max(m_config.reconnectMultiplier, 1.0);
    m_config.reconnectJitter = std::clamp(m_config.reconnectJitter, 0.0, 1.0);
    m_backoffNanos = static_cast<double>(m_config.reconnectInitialDelay.count());
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

MqttEvent&
MqttClientEngine::Impl::Notify(EventType type, MqttActions& out)
{
    NotifyAction action;
    action.event.type = type;
    action.event.connection = m_connection;
    action.event.clientId = m_config.clientId;
    out.emplace_back(std::move(action));
    return std::get<NotifyAction>(out.back()).event;
}

void
MqttClientEngine::Impl::SetState(ClientState state, MqttActions& out)
{
    if (state == m_state)
    {
        return;
    }
    m_state = state;
    Notify(EventType::StateChanged, out).code = static_cast<uint8_t>(state);
}

MqttClientEngine::Impl::Timer&
MqttClientEngine::Impl::TimerFor(TimerId id)
{
    switch (id)
    {
    case CONNACK_TIMER:
        return m_connackTimer;
    case KEEP_ALIVE_TIMER:
        return m_keepAliveTimer;
    case PING_TIMER:
        return m_pingTimer;
    case ACK_TIMER:
        return m_ackTimer;
    default:
        return m_reconnectTimer;
    }
}

void
MqttClientEngine::Impl::ArmTimer(TimerId id, Nanos at, MqttActions& out)
{
    Timer& timer = TimerFor(id);
    timer.armed = true;
    timer.at = at;
    out.emplace_back(StartTimerAction{id, at});
}

void
MqttClientEngine::Impl::CancelTimer(TimerId id, MqttActions& out)
{
    Timer& timer = TimerFor(id);
    if (timer.armed)
    {
        timer.armed = false;
        out.emplace_back(CancelTimerAction{id});
    }
}

void
MqttClientEngine::Impl::SendPacket(const Packet& packet, Nanos now, MqttActions& out)
{
    SendAction action;
    action.connection = m_connection;
    Encode(packet, action.bytes);
    out.emplace_back(std::move(action));
    m_lastSend = now;
}

void
MqttClientEngine::Impl::SendPublish(
    const MqttMessage& message, uint16_t packetId, bool dup, Nanos now, MqttActions& out)
{
    SendPublish(
        dup, message.qos, message.retain, message.topic, packetId, message.payload, now, out);
}

void
MqttClientEngine::Impl::SendPublish(bool dup,
                                    Qos qos,
                                    bool retain,
                                    const std::string& topic,
                                    uint16_t packetId,
                                    const std::vector<uint8_t>& payload,
                                    Nanos now,
                                    MqttActions& out)
{
    SendAction action;
    action.connection = m_connection;
    action.bytes.reserve(topic.size() + payload.size() + 9);
    EncodePublish(dup, qos, retain, topic, packetId, payload.data(), payload.size(), action.bytes);
    out.emplace_back(std::move(action));
    m_lastSend = now;
}

void
MqttClientEngine::Impl::SendRequest(InFlight& entry, bool dup, Nanos now, MqttActions& out)
{
    switch (entry.stage)
    {
    case Stage::AwaitPuback:
    case Stage::AwaitPubrec:
        SendPublish(*entry.request.message, entry.packetId, dup, now, out);
        break;
    case Stage::AwaitPubcomp:
        // Once PUBREL was sent the PUBLISH is never sent again [MQTT-4.3.3-1].
        SendPacket(PubrelPacket{entry.packetId}, now, out);
        break;
    case Stage::AwaitSuback:
        SendPacket(SubscribePacket{entry.packetId, entry.request.topics}, now, out);
        break;
    case Stage::AwaitUnsuback:
        SendPacket(UnsubscribePacket{entry.packetId, entry.request.filters}, now, out);
        break;
    }
    entry.sentAt = now;
    entry.timeoutReported = false;
    WatchAck(now, out);
}

void
MqttClientEngine::Impl::DeliverDropped(const MqttMessagePtr& message,
                                       DropReason reason,
                                       uint16_t packetId,
                                       MqttActions& out)
{
    MqttEvent& event = Notify(EventType::MessageDropped, out);
    event.dropReason = reason;
    event.message = message;
    event.qos = message->qos;
    event.retain = message->retain;
    event.packetId = packetId;
}

void
MqttClientEngine::Impl::DenyRequest(const std::vector<std::string>& filters, MqttActions& out)
{
    if (filters.empty())
    {
        Notify(EventType::SubscriptionDenied, out).code = SUBACK_FAILURE;
        return;
    }
    for (const auto& filter : filters)
    {
        MqttEvent& event = Notify(EventType::SubscriptionDenied, out);
        event.code = SUBACK_FAILURE;
        event.topic = filter;
    }
}

// ---------------------------------------------------------------------------------------------
// Connection life cycle
// ---------------------------------------------------------------------------------------------

void
MqttClientEngine::Impl::Connect(Nanos now, MqttActions& out)
{
    (void)now;
    if (m_state != ClientState::Idle)
    {
        return;
    }
    ClientConfigError error = CheckConfig(m_config);
    if (error != ClientConfigError::None)
    {
        MqttEvent& event = Notify(EventType::ConnectRefused, out);
        event.connection = 0;
        event.code = static_cast<uint8_t>(error);
        return;
    }
    m_backoffNanos = static_cast<double>(m_config.reconnectInitialDelay.count());
    OpenConnection(out);
}

void
MqttClientEngine::Impl::OpenConnection(MqttActions& out)
{
    m_connection = m_nextConnection++;
    SetState(ClientState::Connecting, out);
    out.emplace_back(OpenConnectionAction{m_connection});
}

void
MqttClientEngine::Impl::OnTransportConnected(Nanos now, MqttActions& out)
{
    if (m_state != ClientState::Connecting)
    {
        return;
    }
    m_transportUp = true;
    m_reader.Reset();
    m_pingOutstanding = false;
    Notify(EventType::ConnectionOpened, out);
    SetState(ClientState::AwaitingConnack, out);

    // The first packet on a new connection is CONNECT [MQTT-3.1.0-1].
    ConnectPacket connect;
    connect.cleanSession = m_config.cleanSession;
    connect.keepAliveSeconds = m_config.keepAliveSeconds;
    connect.clientId = m_config.clientId;
    connect.will = m_config.will;
    connect.userName = m_config.userName;
    connect.password = m_config.password;
    SendPacket(connect, now, out);
    ArmTimer(CONNACK_TIMER, now + m_config.connackTimeout, out);
}

void
MqttClientEngine::Impl::OnTransportFailed(Nanos now, MqttActions& out)
{
    if (m_state != ClientState::Connecting)
    {
        return;
    }
    EndConnection(CloseReason::NetworkClosed, 0, false, true, now, out);
}

void
MqttClientEngine::Impl::OnTransportClosed(Nanos now, MqttActions& out)
{
    if (!m_transportUp)
    {
        return;
    }
    EndConnection(CloseReason::NetworkClosed, 0, false, true, now, out);
}

void
MqttClientEngine::Impl::EndConnection(
    CloseReason reason, uint8_t code, bool close, bool reconnect, Nanos now, MqttActions& out)
{
    if (close)
    {
        out.emplace_back(CloseAction{m_connection, reason});
    }
    bool wasUp = m_transportUp;
    m_transportUp = false;
    m_pingOutstanding = false;
    m_reader.Reset();
    CancelTimer(CONNACK_TIMER, out);
    CancelTimer(KEEP_ALIVE_TIMER, out);
    CancelTimer(PING_TIMER, out);
    CancelTimer(ACK_TIMER, out);
    if (wasUp)
    {
        MqttEvent& event = Notify(EventType::ConnectionClosed, out);
        event.closeReason = reason;
        event.code = code;
    }
    if (m_config.cleanSession)
    {
        DiscardCleanSession(out);
    }
    if (reconnect && m_config.autoReconnect)
    {
        ScheduleReconnect(now, out);
    }
    else
    {
        SetState(ClientState::Idle, out);
    }
}

void
MqttClientEngine::Impl::ProtocolViolation(uint8_t code, Nanos now, MqttActions& out)
{
    EndConnection(CloseReason::ProtocolError, code, true, true, now, out);
}

void
MqttClientEngine::Impl::DiscardCleanSession(MqttActions& out)
{
    // A clean session lives as long as its connection and nothing of it is reused
    // [MQTT-3.1.2-6]. Unacknowledged subscribe requests go back to the queue, in order.
    std::deque<Request> requeue;
    for (auto& [order, entry] : m_inflight)
    {
        if (entry.request.kind == Kind::Publish)
        {
            DeliverDropped(
                entry.request.message, DropReason::SessionDiscarded, entry.packetId, out);
        }
        else
        {
            requeue.push_back(std::move(entry.request));
        }
    }
    m_inflight.clear();
    m_orderById.clear();
    m_inflightPublishes = 0;
    m_ids.Clear();
    m_receivedQos2.Clear();
    m_queue.insert(m_queue.begin(),
                   std::make_move_iterator(requeue.begin()),
                   std::make_move_iterator(requeue.end()));
}

void
MqttClientEngine::Impl::ScheduleReconnect(Nanos now, MqttActions& out)
{
    double maxNanos = static_cast<double>(m_config.reconnectMaxDelay.count());
    double base = std::min(m_backoffNanos, maxNanos);
    double jitter = m_config.reconnectJitter;
    double factor = 1.0 - jitter + 2.0 * jitter * m_uniform();
    auto delay = static_cast<int64_t>(std::llround(std::max(base * factor, 0.0)));
    m_backoffNanos = std::min(base * m_config.reconnectMultiplier, maxNanos);
    SetState(ClientState::WaitingToReconnect, out);
    ArmTimer(RECONNECT_TIMER, now + Nanos(delay), out);
}

void
MqttClientEngine::Impl::Disconnect(Nanos now, MqttActions& out)
{
    switch (m_state)
    {
    case ClientState::Idle:
    case ClientState::Disconnecting:
        return;
    case ClientState::WaitingToReconnect:
        CancelTimer(RECONNECT_TIMER, out);
        SetState(ClientState::Idle, out);
        return;
    case ClientState::Connecting:
        // Abort the transport being opened; no CONNECT went out, so no DISCONNECT either.
        EndConnection(CloseReason::ClientDisconnect, 0, true, false, now, out);
        return;
    case ClientState::AwaitingConnack:
    case ClientState::Connected:
        // DISCONNECT, then close; nothing more on this connection [MQTT-3.14.4-1], [MQTT-3.14.4-2].
        SetState(ClientState::Disconnecting, out);
        SendPacket(DisconnectPacket{}, now, out);
        EndConnection(CloseReason::ClientDisconnect, 0, true, false, now, out);
        return;
    }
}

void
MqttClientEngine::Impl::OnTimer(TimerId id, Nanos now, MqttActions& out)
{
    if (id < CONNACK_TIMER || id > RECONNECT_TIMER)
    {
        return;
    }
    Timer& timer = TimerFor(id);
    if (!timer.armed)
    {
        return;
    }
    timer.armed = false;
    switch (id)
    {
    case CONNACK_TIMER:
        if (m_state == ClientState::AwaitingConnack)
        {
            EndConnection(CloseReason::ConnectTimeout, 0, true, true, now, out);
        }
        break;
    case KEEP_ALIVE_TIMER:
        if (m_state == ClientState::Connected)
        {
            KeepAliveTick(now, out);
        }
        break;
    case PING_TIMER:
        if (m_state == ClientState::Connected && m_pingOutstanding)
        {
            // No PINGRESP in time: the broker or the path is dead (section 3.1.2.10).
            EndConnection(CloseReason::KeepAliveTimeout, 0, true, true, now, out);
        }
        break;
    case ACK_TIMER:
        if (m_state == ClientState::Connected)
        {
            AckTick(now, out);
        }
        break;
    case RECONNECT_TIMER:
        if (m_state == ClientState::WaitingToReconnect)
        {
            OpenConnection(out);
        }
        break;
    }
}

void
MqttClientEngine::Impl::KeepAliveTick(Nanos now, MqttActions& out)
{
    // The timer is not restarted for every packet sent: it fires at most once per keep-alive
    // period and compares with the time of the last packet [MQTT-3.1.2-23].
    Nanos period = std::chrono::seconds(m_config.keepAliveSeconds);
    if (now >= m_lastSend + period)
    {
        SendPacket(PingreqPacket{}, now, out);
        if (!m_pingOutstanding)
        {
            m_pingOutstanding = true;
            ArmTimer(PING_TIMER, now + m_config.pingTimeout, out);
        }
    }
    ArmTimer(KEEP_ALIVE_TIMER, m_lastSend + period, out);
}

void
MqttClientEngine::Impl::WatchAck(Nanos sentAt, MqttActions& out)
{
    // Deadlines only grow with time, so an armed timer is never later than this one.
    if (!m_ackTimer.armed && m_config.ackTimeout > Nanos::zero())
    {
        ArmTimer(ACK_TIMER, sentAt + m_config.ackTimeout, out);
    }
}

void
MqttClientEngine::Impl::AckTick(Nanos now, MqttActions& out)
{
    bool expired = false;
    bool haveNext = false;
    Nanos next{0};
    for (auto& [order, entry] : m_inflight)
    {
        if (entry.timeoutReported)
        {
            continue;
        }
        Nanos deadline = entry.sentAt + m_config.ackTimeout;
        if (deadline <= now)
        {
            entry.timeoutReported = true;
            expired = true;
            MqttEvent& event = Notify(EventType::AckTimeout, out);
            event.packetId = entry.packetId;
            if (entry.request.kind == Kind::Publish)
            {
                event.message = entry.request.message;
                event.qos = entry.request.message->qos;
            }
            else
            {
                event.code = static_cast<uint8_t>(entry.request.kind == Kind::Subscribe
                                                      ? PacketType::Subscribe
                                                      : PacketType::Unsubscribe);
            }
        }
        else if (!haveNext || deadline < next)
        {
            haveNext = true;
            next = deadline;
        }
    }
    if (expired && m_config.closeOnAckTimeout)
    {
        EndConnection(CloseReason::AckTimeout, 0, true, true, now, out);
        return;
    }
    if (haveNext)
    {
        ArmTimer(ACK_TIMER, next, out);
    }
}

// ---------------------------------------------------------------------------------------------
// Inbound packets
// ---------------------------------------------------------------------------------------------

void
MqttClientEngine::Impl::OnBytes(const uint8_t* data, std::size_t size, Nanos now, MqttActions& out)
{
    if (!m_transportUp)
    {
        return;
    }
    m_reader.Append(data, size);
    ConnectionId connection = m_connection;
    while (m_transportUp && m_connection == connection)
    {
        DecodeResult result = m_reader.Next(m_packet);
        if (result.status == DecodeStatus::NeedMore)
        {
            break;
        }
        if (result.status == DecodeStatus::Error)
        {
            ProtocolViolation(static_cast<uint8_t>(result.error), now, out);
            break;
        }
        HandlePacket(now, out);
    }
}

void
MqttClientEngine::Impl::HandlePacket(Nanos now, MqttActions& out)
{
    PacketType type = TypeOf(m_packet);
    if (type == PacketType::Connack)
    {
        if (m_state != ClientState::AwaitingConnack)
        {
            ProtocolViolation(0, now, out); // a second CONNACK
            return;
        }
        HandleConnack(std::get<ConnackPacket>(m_packet), now, out);
        return;
    }
    if (m_state != ClientState::Connected)
    {
        ProtocolViolation(0, now, out); // the broker's first packet is CONNACK
        return;
    }
    switch (type)
    {
    case PacketType::Publish:
        HandlePublish(std::get<PublishPacket>(m_packet), now, out);
        return;
    case PacketType::Puback:
        HandlePublishAck(type, std::get<PubackPacket>(m_packet).packetId, now, out);
        return;
    case PacketType::Pubrec:
        HandlePublishAck(type, std::get<PubrecPacket>(m_packet).packetId, now, out);
        return;
    case PacketType::Pubcomp:
        HandlePublishAck(type, std::get<PubcompPacket>(m_packet).packetId, now, out);
        return;
    case PacketType::Pubrel:
    {
        // Release the id and complete; an unknown id is a PUBREL re-sent after our PUBCOMP was
        // lost, which still gets its PUBCOMP [MQTT-4.3.3-2].
        uint16_t packetId = std::get<PubrelPacket>(m_packet).packetId;
        m_receivedQos2.Release(packetId);
        SendPacket(PubcompPacket{packetId}, now, out);
        return;
    }
    case PacketType::Suback:
        HandleSuback(std::get<SubackPacket>(m_packet), now, out);
        return;
    case PacketType::Unsuback:
        HandleUnsuback(std::get<UnsubackPacket>(m_packet).packetId, now, out);
        return;
    case PacketType::Pingresp:
        if (m_pingOutstanding)
        {
            m_pingOutstanding = false;
            CancelTimer(PING_TIMER, out);
        }
        return;
    default:
        // CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ and DISCONNECT only go to a server.
        ProtocolViolation(0, now, out);
        return;
    }
}

void
MqttClientEngine::Impl::HandleConnack(const ConnackPacket& connack, Nanos now, MqttActions& out)
{
    CancelTimer(CONNACK_TIMER, out);
    if (connack.returnCode != ConnectReturnCode::Accepted)
    {
        auto code = static_cast<uint8_t>(connack.returnCode);
        Notify(EventType::ConnectRefused, out).code = code;
        bool auth = connack.returnCode == ConnectReturnCode::BadUserNameOrPassword ||
                    connack.returnCode == ConnectReturnCode::NotAuthorized;
        bool retry = connack.returnCode == ConnectReturnCode::ServerUnavailable ||
                     m_config.retryRefusedConnect;
        EndConnection(auth ? CloseReason::AuthFailure : CloseReason::ConnectRefused,
                      code,
                      true,
                      retry,
                      now,
                      out);
        return;
    }
    if (m_config.cleanSession && connack.sessionPresent)
    {
        ProtocolViolation(0, now, out); // a clean session cannot be present [MQTT-3.2.2-1]
        return;
    }
    SetState(ClientState::Connected, out);
    Notify(EventType::SessionStarted, out).sessionPresent = connack.sessionPresent;
    m_backoffNanos = static_cast<double>(m_config.reconnectInitialDelay.count());
    if (!connack.sessionPresent)
    {
        // The broker holds no session: it will never send the PUBRELs those ids wait for.
        m_receivedQos2.Clear();
    }
    // Re-send what is unacknowledged, with the original ids, in the original order: PUBLISH
    // with DUP = 1, PUBREL as PUBREL [MQTT-4.4.0-1], [MQTT-4.6.0-1], [MQTT-3.3.1-1].
    for (auto& [order, entry] : m_inflight)
    {
        SendRequest(entry, true, now, out);
    }
    Pump(now, out);
    if (m_config.keepAliveSeconds > 0)
    {
        ArmTimer(
            KEEP_ALIVE_TIMER, m_lastSend + std::chrono::seconds(m_config.keepAliveSeconds), out);
    }
}

void
MqttClientEngine::Impl::HandlePublish(PublishPacket& publish, Nanos now, MqttActions& out)
{
    uint16_t packetId = publish.packetId;
    Qos qos = publish.qos;
    bool repeat = false;
    if (qos == Qos::ExactlyOnce)
    {
        // Store the id, deliver once; a repeat before PUBREL only gets its PUBREC again.
        repeat = !m_receivedQos2.Reserve(packetId);
    }
    if (!repeat)
    {
        auto message = std::make_shared<MqttMessage>();
        message->id = ++m_lastReceivedId;
        message->topic = std::move(publish.topic);
        message->payload = std::move(publish.payload);
        message->qos = qos;
        message->retain = publish.retain;
        MqttEvent& event = Notify(EventType::PublishReceived, out);
        event.qos = qos;
        event.packetId = packetId;
        event.dup = publish.dup;
        event.retain = publish.retain;
        event.message = std::move(message);
    }
    // Acknowledge at once, so acks leave in the order the PUBLISHes arrived [MQTT-4.6.0-2],
    // [MQTT-4.6.0-3]; every PUBLISH is acknowledged [MQTT-4.5.0-2].
    if (qos == Qos::AtLeastOnce)
    {
        SendPacket(PubackPacket{packetId}, now, out);
    }
    else if (qos == Qos::ExactlyOnce)
    {
        SendPacket(PubrecPacket{packetId}, now, out);
    }
}

void
MqttClientEngine::Impl::HandlePublishAck(PacketType type,
                                         uint16_t packetId,
                                         Nanos now,
                                         MqttActions& out)
{
    auto byId = m_orderById.find(packetId);
    if (byId == m_orderById.end())
    {
        ProtocolViolation(0, now, out);
        return;
    }
    auto it = m_inflight.find(byId->second);
    InFlight& entry = it->second;
    if (type == PacketType::Puback && entry.stage == Stage::AwaitPuback)
    {
        Complete(it, now, out);
    }
    else if (type == PacketType::Pubrec && entry.stage == Stage::AwaitPubrec)
    {
        // PUBREL at once, so PUBRELs follow the order of the PUBRECs [MQTT-4.6.0-4].
        entry.stage = Stage::AwaitPubcomp;
        SendRequest(entry, false, now, out);
    }
    else if (type == PacketType::Pubcomp && entry.stage == Stage::AwaitPubcomp)
    {
        Complete(it, now, out);
    }
    else
    {
        ProtocolViolation(0, now, out);
    }
}

void
MqttClientEngine::Impl::Complete(std::map<uint64_t, InFlight>::iterator it,
                                 Nanos now,
                                 MqttActions& out)
{
    InFlight& entry = it->second;
    if (entry.request.kind == Kind::Publish)
    {
        MqttEvent& event = Notify(EventType::PublishCompleted, out);
        event.message = entry.request.message;
        event.qos = entry.request.message->qos;
        event.retain = entry.request.message->retain;
        event.packetId = entry.packetId;
        --m_inflightPublishes;
    }
    // The id is free only now, after the final ack [MQTT-2.3.1-3].
    m_ids.Release(entry.packetId);
    m_orderById.erase(entry.packetId);
    m_inflight.erase(it);
    Pump(now, out);
}

void
MqttClientEngine::Impl::HandleSuback(const SubackPacket& suback, Nanos now, MqttActions& out)
{
    auto byId = m_orderById.find(suback.packetId);
    if (byId == m_orderById.end())
    {
        ProtocolViolation(0, now, out);
        return;
    }
    auto it = m_inflight.find(byId->second);
    const auto& topics = it->second.request.topics;
    if (it->second.stage != Stage::AwaitSuback || suback.returnCodes.size() != topics.size())
    {
        ProtocolViolation(0, now, out);
        return;
    }
    for (std::size_t i = 0; i < topics.size(); ++i)
    {
        uint8_t code = suback.returnCodes[i];
        MqttEvent& event = Notify(code == SUBACK_FAILURE ? EventType::SubscriptionDenied
                                                         : EventType::SubscriptionGranted,
                                  out);
        event.packetId = suback.packetId;
        event.topic = topics[i].filter;
        event.code = code;
        if (code != SUBACK_FAILURE)
        {
            event.qos = static_cast<Qos>(code);
        }
    }
    Complete(it, now, out);
}

void
MqttClientEngine::Impl::HandleUnsuback(uint16_t packetId, Nanos now, MqttActions& out)
{
    auto byId = m_orderById.find(packetId);
    if (byId == m_orderById.end())
    {
        ProtocolViolation(0, now, out);
        return;
    }
    auto it = m_inflight.find(byId->second);
    if (it->second.stage != Stage::AwaitUnsuback)
    {
        ProtocolViolation(0, now, out);
        return;
    }
    for (const auto& filter : it->second.request.filters)
    {
        MqttEvent& event = Notify(EventType::Unsubscribed, out);
        event.packetId = packetId;
        event.topic = filter;
    }
    Complete(it, now, out);
}

// ---------------------------------------------------------------------------------------------
// Application requests
// ---------------------------------------------------------------------------------------------

void
MqttClientEngine::Impl::Pump(Nanos now, MqttActions& out)
{
    while (!m_queue.empty())
    {
        Request& front = m_queue.front();
        bool publish = front.kind == Kind::Publish;
        if (publish && m_inflightPublishes >= m_config.maxInflight)
        {
            return; // the window is full; later requests wait behind this one
        }
        // An id not in use [MQTT-2.3.1-2]; when all are taken, wait for an ack to free one.
        uint16_t packetId = m_ids.Allocate();
        if (packetId == 0)
        {
            return;
        }
        InFlight entry;
        entry.packetId = packetId;
        switch (front.kind)
        {
        case Kind::Publish:
            entry.stage =
                front.message->qos == Qos::AtLeastOnce ? Stage::AwaitPuback : Stage::AwaitPubrec;
            --m_queuedPublishes;
            ++m_inflightPublishes;
            break;
        case Kind::Subscribe:
            entry.stage = Stage::AwaitSuback;
            break;
        case Kind::Unsubscribe:
            entry.stage = Stage::AwaitUnsuback;
            break;
        }
        entry.request = std::move(front);
        m_queue.pop_front();
        uint64_t order = m_nextSendOrder++;
        m_orderById[packetId] = order;
        InFlight& stored = m_inflight.emplace(order, std::move(entry)).first->second;
        // A first send has DUP = 0 [MQTT-4.3.2-1], [MQTT-4.3.3-1].
        SendRequest(stored, false, now, out);
    }
}

uint64_t
MqttClientEngine::Impl::Publish(const std::string& topic,
                                std::vector<uint8_t> payload,
                                Qos qos,
                                bool retain,
                                Nanos now,
                                MqttActions& out)
{
    uint64_t id = ++m_lastPublishId;
    DropReason refused = DropReason::None;
    if (!ValidQos(qos))
    {
        refused = DropReason::QosNotSupported;
    }
    else if (ValidateTopicName(topic) != TopicError::None)
    {
        refused = DropReason::TopicRejected;
    }
    else if (2 + topic.size() + (qos == Qos::AtMostOnce ? 0 : 2) + payload.size() >
             MAX_REMAINING_LENGTH)
    {
        refused = DropReason::PayloadTooLarge;
    }
    else if (qos == Qos::AtMostOnce && m_state != ClientState::Connected)
    {
        refused = DropReason::QosZeroOffline;
    }
    else if (qos != Qos::AtMostOnce &&
             m_queuedPublishes + m_inflightPublishes >= m_config.maxQueued)
    {
        refused = DropReason::QueueFull;
    }

    if (qos == Qos::AtMostOnce && refused == DropReason::None)
    {
        // QoS 0: sent once with DUP = 0, never kept [MQTT-4.3.1-1]; no message object needed.
        SendPublish(false, qos, retain, topic, 0, payload, now, out);
        return id;
    }
    auto message = std::make_shared<MqttMessage>();
    message->id = id;
    message->topic = topic;
    message->payload = std::move(payload);
    message->qos = qos;
    message->retain = retain;
    if (refused != DropReason::None)
    {
        DeliverDropped(message, refused, 0, out);
        return id;
    }
    Request request;
    request.kind = Kind::Publish;
    request.message = std::move(message);
    m_queue.push_back(std::move(request));
    ++m_queuedPublishes;
    if (m_state == ClientState::Connected)
    {
        Pump(now, out);
    }
    return id;
}

void
MqttClientEngine::Impl::Subscribe(std::vector<TopicRequest> topics, Nanos now, MqttActions& out)
{
    std::size_t size = 2;
    bool valid = !topics.empty();
    for (const auto& topic : topics)
    {
        size += 2 + topic.filter.size() + 1;
        valid =
            valid && ValidQos(topic.qos) && ValidateTopicFilter(topic.filter) == TopicError::None;
    }
    if (!valid || size > MAX_REMAINING_LENGTH)
    {
        std::vector<std::string> filters;
        for (const auto& topic : topics)
        {
            filters.push_back(topic.filter);
        }
        DenyRequest(filters, out);
        return;
    }
    Request request;
    request.kind = Kind::Subscribe;
    request.topics = std::move(topics);
    m_queue.push_back(std::move(request));
    if (m_state == ClientState::Connected)
    {
        Pump(now, out);
    }
}

void
MqttClientEngine::Impl::Unsubscribe(std::vector<std::string> filters, Nanos now, MqttActions& out)
{
    std::size_t size = 2;
    bool valid = !filters.empty();
    for (const auto& filter : filters)
    {
        size += 2 + filter.size();
        valid = valid && ValidateTopicFilter(filter) == TopicError::None;
    }
    if (!valid || size > MAX_REMAINING_LENGTH)
    {
        DenyRequest(filters, out);
        return;
    }
    Request request;
    request.kind = Kind::Unsubscribe;
    request.filters = std::move(filters);
    m_queue.push_back(std::move(request));
    if (m_state == ClientState::Connected)
    {
        Pump(now, out);
    }
}

// ---------------------------------------------------------------------------------------------
// The public class forwards to Impl.
// ---------------------------------------------------------------------------------------------

MqttClientEngine::MqttClientEngine(MqttClientConfig config, UniformSource uniform)
    : m_impl(std::make_unique<Impl>(std::move(config), std::move(uniform)))
{
}

MqttClientEngine::~MqttClientEngine() = default;

void
MqttClientEngine::Connect(Nanos now, MqttActions& out)
{
    m_impl->Connect(now, out);
}

void
MqttClientEngine::OnTransportConnected(Nanos now, MqttActions& out)
{
    m_impl->OnTransportConnected(now, out);
}

void
MqttClientEngine::OnTransportFailed(Nanos now, MqttActions& out)
{
    m_impl->OnTransportFailed(now, out);
}

void
MqttClientEngine::OnBytes(const uint8_t* data, std::size_t size, Nanos now, MqttActions& out)
{
    m_impl->OnBytes(data, size, now, out);
}

void
MqttClientEngine::OnTransportClosed(Nanos now, MqttActions& out)
{
    m_impl->OnTransportClosed(now, out);
}

void
MqttClientEngine::OnTimer(TimerId timer, Nanos now, MqttActions& out)
{
    m_impl->OnTimer(timer, now, out);
}

uint64_t
MqttClientEngine::Publish(const std::string& topic,
                          std::vector<uint8_t> payload,
                          Qos qos,
                          bool retain,
                          Nanos now,
                          MqttActions& out)
{
    return m_impl->Publish(topic, std::move(payload), qos, retain, now, out);
}

void
MqttClientEngine::Subscribe(std::vector<TopicRequest> topics, Nanos now, MqttActions& out)
{
    m_impl->Subscribe(std::move(topics), now, out);
}

void
MqttClientEngine::Unsubscribe(std::vector<std::string> filters, Nanos now, MqttActions& out)
{
    m_impl->Unsubscribe(std::move(filters), now, out);
}

void
MqttClientEngine::Disconnect(Nanos now, MqttActions& out)
{
    m_impl->Disconnect(now, out);
}

ClientState
MqttClientEngine::State() const
{
    return m_impl->m_state;
}

const MqttClientConfig&
MqttClientEngine::Config() const
{
    return m_impl->m_config;
}

const std::string&
MqttClientEngine::ClientId() const
{
    return m_impl->m_config.clientId;
}

std::size_t
MqttClientEngine::PendingPublishes() const
{
    return m_impl->m_queuedPublishes + m_impl->m_inflightPublishes;
}

std::size_t
MqttClientEngine::InflightPublishes() const
{
    return m_impl->m_inflightPublishes;
}

std::size_t
MqttClientEngine::ReceivedQos2Pending() const
{
    return m_impl->m_receivedQos2.Size();
}

ConnectionId
MqttClientEngine::Connection() const
{
    return m_impl->m_connection;
}

} // namespace mqtt
} // namespace ns3
