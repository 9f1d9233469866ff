/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Input: buffered bytes decoded while the byte rate and back-pressure allow, and each packet
 * dispatched to its handler by the connection's state.
 *
 * Rules: before CONNECT only CONNECT is accepted [MQTT-3.1.0-1]; a second CONNECT and packets
 * only a server sends are protocol violations [MQTT-3.1.0-2]; a malformed packet closes its
 * connection and only it [MQTT-4.8.0-1]; nothing after a packet that closed the connection is
 * processed [MQTT-3.1.4-5].
 */
#include "mqtt-broker-engine-impl.h"

#include "mqtt-frame-reader.h"

namespace ns3
{
namespace mqtt
{

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
        if (byteRate && HeldByByteRate(conn, now, out))
        {
            return;
        }
        if (m_memory->Enabled() && !ChargePacketHandling(conn, now, out))
        {
            return; // closed: handling the packet would pass the memory limit
        }
        DecodeResult r = conn.Reader().Next(m_packet);
        if (r.status == DecodeStatus::NeedMore)
        {
            return;
        }
        if (r.status == DecodeStatus::Error)
        {
            RejectMalformed(conn, r.error, now, out);
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

bool
MqttBrokerEngine::Impl::HeldByByteRate(MqttBrokerConnection& conn, Nanos now, MqttActions& out)
{
    InboundLimits& limits = conn.Limits();
    if (limits.resumeTimer != 0)
    {
        return true; // paused by the byte rate: the Resume timer goes on
    }
    if (limits.bytes.Fits(0, now))
    {
        return false;
    }
    // Over the byte rate: what is buffered waits, in order, for the rate to allow it.
    if (conn.Reader().Buffered() != 0)
    {
        limits.resumeTimer =
            StartTimer(TimerKind::Resume, conn.Id(), limits.bytes.WhenFits(0), out);
    }
    return true;
}

void
MqttBrokerEngine::Impl::RejectMalformed(MqttBrokerConnection& conn,
                                        DecodeError error,
                                        Nanos now,
                                        MqttActions& out)
{
    const bool unknownProtocol = error == DecodeError::UnsupportedProtocolLevel ||
                                 error == DecodeError::InvalidProtocolName;
    const auto* connect = std::get_if<ConnectPacket>(&m_packet); // name and level as received
    if (conn.State() == BrokerConnectionState::AwaitingConnect && unknownProtocol &&
        m_profile.protocolVersion == ProtocolVersion::Mqtt5 && connect != nullptr &&
        connect->protocolLevel >= 5)
    {
        // A broker that speaks 5.0 answers a CONNECT of level 5 or later that it cannot take (a
        // later level, or level 5 under another name) with the 5.0 CONNACK 0x84, then closes
        // [MQTT5-3.1.2-1], [MQTT5-3.1.2-2]. An older level keeps the CONNACK it can read (0x01).
        conn.MakeV5();
        RefuseConnect(conn, ConnectReturnCode::UnacceptableProtocolVersion, "", now, out);
    }
    else if (conn.State() == BrokerConnectionState::AwaitingConnect &&
             error == DecodeError::UnsupportedProtocolLevel)
    {
        // [MQTT-3.1.2-2]: CONNACK 0x01, then close.
        RefuseConnect(conn, ConnectReturnCode::UnacceptableProtocolVersion, "", now, out);
    }
    else
    {
        // [MQTT-4.8.0-1]: a malformed packet closes this connection, and only it.
        ProtocolViolation(conn, error, std::nullopt, now, out);
    }
}

void
MqttBrokerEngine::Impl::CountWork()
{
    switch (TypeOf(m_packet))
    {
    case PacketType::Publish:
    {
        static constexpr MqttServiceOp BY_QOS[] = {
            MqttServiceOp::PublishQos0, MqttServiceOp::PublishQos1, MqttServiceOp::PublishQos2};
        m_work.Add(BY_QOS[static_cast<uint8_t>(std::get<PublishPacket>(m_packet).qos) % 3]);
        return;
    }
    case PacketType::Puback:
    case PacketType::Pubrec:
    case PacketType::Pubrel:
    case PacketType::Pubcomp:
        m_work.Add(MqttServiceOp::Ack);
        return;
    case PacketType::Subscribe:
        m_work.Add(MqttServiceOp::Subscribe);
        m_work.Add(MqttServiceOp::Filter, std::get<SubscribePacket>(m_packet).topics.size());
        return;
    case PacketType::Unsubscribe:
        m_work.Add(MqttServiceOp::Unsubscribe);
        m_work.Add(MqttServiceOp::Filter, std::get<UnsubscribePacket>(m_packet).filters.size());
        return;
    case PacketType::Pingreq:
        m_work.Add(MqttServiceOp::Pingreq);
        return;
    case PacketType::Disconnect:
        m_work.Add(MqttServiceOp::Disconnect);
        return;
    default:
        return; // protocol violations: the close is all there is
    }
}

bool
MqttBrokerEngine::Impl::HandlePacket(MqttBrokerConnection& conn, Nanos now, MqttActions& out)
{
    const ConnectionId id = conn.Id();
    if (RefusesPacket(conn, now, out))
    {
        return m_connections.count(id) != 0;
    }
    if (conn.State() == BrokerConnectionState::AwaitingConnect)
    {
        if (auto* connect = std::get_if<ConnectPacket>(&m_packet))
        {
            m_work.Add(MqttServiceOp::Connect);
            HandleConnect(conn, *connect, now, out);
        }
        else if (auto* auth = std::get_if<AuthPacket>(&m_packet);
                 auth != nullptr && conn.V5() != nullptr && conn.V5()->auth)
        {
            HandleAuth5(conn, *auth, now, out); // the CONNECT's exchange goes on (section 4.12)
        }
        else
        {
            ProtocolViolation(
                conn, DecodeError::None, TypeOf(m_packet), now, out); // [MQTT-3.1.0-1]
        }
        return m_connections.count(id) != 0;
    }
    MqttSession& s = *conn.Session();
    MarkSession(s);
    CountWork();
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
        PubcompPacket pubcomp{packetId};
        if (s.ReleaseInboundQos2(packetId))
        {
            ReleaseInboundQos2(1);
        }
        else if (conn.V5())
        {
            pubcomp.reasonCode = ReasonCode::PacketIdentifierNotFound; // 5.0 says so (0x92)
        }
        if (conn.V5())
        {
            SendPacket5(conn, pubcomp, out);
        }
        else
        {
            SendPacket(id, pubcomp, out);
        }
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
        if (conn.V5())
        {
            return HandleDisconnect5(conn, std::get<DisconnectPacket>(m_packet), now, out);
        }
        conn.StoredWill().reset(); // [MQTT-3.1.2-10], [MQTT-3.14.4-3]
        CloseConnection(conn, CloseSpec{CloseReason::ClientDisconnect}, now, out);
        return false;
    }
    case PacketType::Auth:
        if (conn.V5())
        {
            return HandleAuth5(conn, std::get<AuthPacket>(m_packet), now, out);
        }
        ProtocolViolation(conn, DecodeError::None, TypeOf(m_packet), now, out);
        return false;
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

} // namespace mqtt
} // namespace ns3
