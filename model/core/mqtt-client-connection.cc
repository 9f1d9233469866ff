/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The client's connection life cycle: connect, CONNACK deadline, end of a connection (clean
 * session discarded or kept), reconnects with backoff and jitter, DISCONNECT, and the timers
 * (keep-alive pings, acknowledgement timeouts).
 */
#include "mqtt-client-engine-impl.h"

#include <algorithm>
#include <cmath>

namespace ns3
{
namespace mqtt
{

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
    m_firstConnect = true;
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
    m_keepAliveSeconds = m_config.keepAliveSeconds;
    if (V5())
    {
        PrepareConnect5(connect, now, out);
        if (!PrepareConnectAuth5(connect, now, out))
        {
            return;
        }
    }
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
    bool wasConnected = m_state == ClientState::Connected || m_state == ClientState::Disconnecting;
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
        event.reasonCode = m_disconnectReason;
    }
    m_disconnectReason.reset();
    m_authExchange.reset(); // an exchange lives on its connection
    if (V5())
    {
        SessionEnds5(wasConnected, now, out);
    }
    else if (m_config.cleanSession)
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
    if (V5())
    {
        // 5.0 says why before closing (4.13): too large, malformed, or a well-formed packet
        // out of place.
        ReasonCode reason = ReasonCode::MalformedPacket;
        if (code == static_cast<uint8_t>(DecodeError::PacketTooLarge))
        {
            reason = ReasonCode::PacketTooLarge;
        }
        else if (code == 0)
        {
            reason = ReasonCode::ProtocolError;
        }
        Violation5(reason, code, now, out);
        return;
    }
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
MqttClientEngine::Impl::Disconnect(Nanos now, MqttActions& out, ReasonCode reason)
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
        // 5.0: with its reason code (3.1.1 has no place for it).
        SendPacket(DisconnectPacket{reason, {}}, now, out);
        if (V5())
        {
            m_disconnectReason = reason;
        }
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
    Nanos period = std::chrono::seconds(m_keepAliveSeconds);
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

} // namespace mqtt
} // namespace ns3
