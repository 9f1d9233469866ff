/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Packets from the broker: decoding, CONNACK, incoming PUBLISH (QoS 2 ids held until PUBREL),
 * and the acknowledgements that complete the client's requests.
 */
#include "mqtt-client-engine-impl.h"
#include "mqtt-utf8.h"

namespace ns3
{
namespace mqtt
{

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
    if (type == PacketType::Auth && V5())
    {
        // Before the CONNACK (the CONNECT's exchange) or after it (a re-authentication); a
        // Reason String on it needs Request Problem Information (3.1.2.11.7).
        if (UnrequestedProblemInformation(m_packet))
        {
            Violation5(ReasonCode::ProtocolError, 0, now, out);
            return;
        }
        HandleAuth5(std::get<AuthPacket>(m_packet), now, out);
        return;
    }
    if (m_state != ClientState::Connected)
    {
        ProtocolViolation(0, now, out); // the broker's first packet is CONNACK (or AUTH)
        return;
    }
    if (V5())
    {
        if (type == PacketType::Disconnect)
        {
            HandleDisconnect5(std::get<DisconnectPacket>(m_packet), now, out);
            return;
        }
        if (UnrequestedProblemInformation(m_packet))
        {
            Violation5(ReasonCode::ProtocolError, 0, now, out);
            return;
        }
    }
    switch (type)
    {
    case PacketType::Publish:
        HandlePublish(std::get<PublishPacket>(m_packet), now, out);
        return;
    case PacketType::Puback:
    {
        const auto& ack = std::get<PubackPacket>(m_packet);
        HandlePublishAck(type, ack.packetId, ack.reasonCode, now, out);
        return;
    }
    case PacketType::Pubrec:
    {
        const auto& ack = std::get<PubrecPacket>(m_packet);
        HandlePublishAck(type, ack.packetId, ack.reasonCode, now, out);
        return;
    }
    case PacketType::Pubcomp:
    {
        const auto& ack = std::get<PubcompPacket>(m_packet);
        HandlePublishAck(type, ack.packetId, ack.reasonCode, now, out);
        return;
    }
    case PacketType::Pubrel:
    {
        // Release the id and complete; an unknown id is a PUBREL re-sent after our PUBCOMP was
        // lost, which still gets its PUBCOMP [MQTT-4.3.3-2] (in 5.0 with 0x92, Packet
        // Identifier not found).
        uint16_t packetId = std::get<PubrelPacket>(m_packet).packetId;
        bool known = m_receivedQos2.Release(packetId);
        PubcompPacket pubcomp{packetId};
        if (!known)
        {
            pubcomp.reasonCode = ReasonCode::PacketIdentifierNotFound;
        }
        SendAck(pubcomp, now, out);
        return;
    }
    case PacketType::Suback:
        HandleSuback(std::get<SubackPacket>(m_packet), now, out);
        return;
    case PacketType::Unsuback:
        HandleUnsuback(std::get<UnsubackPacket>(m_packet), now, out);
        return;
    case PacketType::Pingresp:
        if (m_pingOutstanding)
        {
            m_pingOutstanding = false;
            CancelTimer(PING_TIMER, out);
        }
        return;
    default:
        // CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ and (3.1.1) DISCONNECT only go to a server;
        // AUTH with no Authentication Method in our CONNECT is a Protocol Error (4.12).
        ProtocolViolation(0, now, out);
        return;
    }
}

void
MqttClientEngine::Impl::HandleConnack(const ConnackPacket& connack, Nanos now, MqttActions& out)
{
    CancelTimer(CONNACK_TIMER, out);
    if (V5() && RefusedConnack5(connack, now, out))
    {
        return;
    }
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
    if (V5())
    {
        if (!FinishConnectAuth5(connack, now, out) || !AcceptConnack5(connack, now, out))
        {
            return;
        }
    }
    else if (m_config.cleanSession && connack.sessionPresent)
    {
        ProtocolViolation(0, now, out); // a clean session cannot be present [MQTT-3.2.2-1]
        return;
    }
    SetState(ClientState::Connected, out);
    Notify(EventType::SessionStarted, out).sessionPresent = connack.sessionPresent;
    m_backoffNanos = static_cast<double>(m_config.reconnectInitialDelay.count());
    if (!connack.sessionPresent)
    {
        // The broker holds no session: it will never send the PUBRELs those ids wait for. A 5.0
        // client discards all of its session state [MQTT5-3.2.2-5].
        m_receivedQos2.Clear();
        if (V5())
        {
            DiscardCleanSession(out);
        }
    }
    // Re-send what is unacknowledged, with the original ids, in the original order: PUBLISH
    // with DUP = 1, PUBREL as PUBREL [MQTT-4.4.0-1], [MQTT-4.6.0-1], [MQTT-3.3.1-1].
    for (auto& [order, entry] : m_inflight)
    {
        SendRequest(entry, true, now, out);
    }
    Pump(now, out);
    if (m_keepAliveSeconds > 0)
    {
        ArmTimer(KEEP_ALIVE_TIMER, m_lastSend + std::chrono::seconds(m_keepAliveSeconds), out);
    }
}

void
MqttClientEngine::Impl::HandlePublish(PublishPacket& publish, Nanos now, MqttActions& out)
{
    uint16_t packetId = publish.packetId;
    Qos qos = publish.qos;
    ReasonCode reason = ReasonCode::Success;
    if (V5())
    {
        if (!ResolveInbound5(publish, now, out))
        {
            return;
        }
        if (publish.properties.Number(PropertyId::PayloadFormatIndicator).value_or(0) == 1 &&
            CheckUtf8(std::string_view(reinterpret_cast<const char*>(publish.payload.data()),
                                       publish.payload.size())) == Utf8Status::Malformed)
        {
            // A payload that says it is UTF-8 and is not: refused with 0x99, not delivered
            // (3.3.2.3.2); a refused QoS 2 id is not kept [MQTT5-4.3.3-9].
            reason = ReasonCode::PayloadFormatInvalid;
        }
        else if (qos == Qos::ExactlyOnce &&
                 m_receivedQos2.Size() >= m_config.receiveMaximum &&
                 !m_receivedQos2.Contains(packetId))
        {
            // More unacknowledged QoS 2 PUBLISHes than our Receive Maximum (3.3.4).
            Violation5(ReasonCode::ReceiveMaximumExceeded, 0, now, out);
            return;
        }
    }
    bool repeat = false;
    if (qos == Qos::ExactlyOnce && reason == ReasonCode::Success)
    {
        // Store the id, deliver once; a repeat before PUBREL only gets its PUBREC again.
        repeat = !m_receivedQos2.Reserve(packetId);
    }
    if (!repeat && reason == ReasonCode::Success)
    {
        auto message = std::make_shared<MqttMessage>();
        message->id = ++m_lastReceivedId;
        message->topic = std::move(publish.topic);
        message->payload = std::move(publish.payload);
        message->qos = qos;
        message->retain = publish.retain;
        message->properties = std::move(publish.properties);
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
        SendAck(PubackPacket{packetId, reason, {}}, now, out);
    }
    else if (qos == Qos::ExactlyOnce)
    {
        SendAck(PubrecPacket{packetId, reason, {}}, now, out);
    }
}

void
MqttClientEngine::Impl::HandlePublishAck(
    PacketType type, uint16_t packetId, ReasonCode reason, Nanos now, MqttActions& out)
{
    auto byId = m_orderById.find(packetId);
    if (byId == m_orderById.end())
    {
        if (V5() && type == PacketType::Pubrec)
        {
            // 5.0 answers a PUBREC it has no message for with PUBREL 0x92 (3.6.2.1).
            SendAck(PubrelPacket{packetId, ReasonCode::PacketIdentifierNotFound, {}}, now, out);
            return;
        }
        ProtocolViolation(0, now, out);
        return;
    }
    auto it = m_inflight.find(byId->second);
    InFlight& entry = it->second;
    const auto code = static_cast<uint8_t>(reason);
    if (IsFailure(reason) && type != PacketType::Pubcomp &&
        (entry.stage == Stage::AwaitPuback || entry.stage == Stage::AwaitPubrec))
    {
        // The broker refused the message: it is acknowledged, never sent again
        // [MQTT5-4.4.0-2], and a PUBREC >= 0x80 ends the QoS 2 exchange with no PUBREL
        // [MQTT5-4.3.3-4]. Reported as dropped with the code, the id freed.
        DeliverDropped(entry.request.message, DropReason::RefusedByServer, packetId, out);
        std::get<NotifyAction>(out.back()).event.code = code;
        --m_inflightPublishes;
        m_ids.Release(entry.packetId);
        m_orderById.erase(byId);
        m_inflight.erase(it);
        Pump(now, out);
        return;
    }
    if (type == PacketType::Puback && entry.stage == Stage::AwaitPuback)
    {
        Complete(it, now, out, code);
    }
    else if (type == PacketType::Pubrec && entry.stage == Stage::AwaitPubrec)
    {
        // PUBREL at once, so PUBRELs follow the order of the PUBRECs [MQTT-4.6.0-4].
        entry.stage = Stage::AwaitPubcomp;
        SendRequest(entry, false, now, out);
    }
    else if (type == PacketType::Pubcomp && entry.stage == Stage::AwaitPubcomp)
    {
        Complete(it, now, out, code);
    }
    else
    {
        ProtocolViolation(0, now, out);
    }
}

void
MqttClientEngine::Impl::Complete(std::map<uint64_t, InFlight>::iterator it,
                                 Nanos now,
                                 MqttActions& out,
                                 uint8_t code)
{
    InFlight& entry = it->second;
    if (entry.request.kind == Kind::Publish)
    {
        MqttEvent& event = Notify(EventType::PublishCompleted, out);
        event.code = code;
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
        // 3.1.1 refuses with 0x80 only; 5.0 with any code from 0x80 (the codec checked them).
        uint8_t code = suback.returnCodes[i];
        const bool denied = code >= SUBACK_FAILURE;
        MqttEvent& event =
            Notify(denied ? EventType::SubscriptionDenied : EventType::SubscriptionGranted, out);
        event.packetId = suback.packetId;
        event.topic = topics[i].filter;
        event.code = code;
        if (!denied)
        {
            event.qos = static_cast<Qos>(code);
        }
    }
    Complete(it, now, out);
}

void
MqttClientEngine::Impl::HandleUnsuback(const UnsubackPacket& unsuback,
                                       Nanos now,
                                       MqttActions& out)
{
    const uint16_t packetId = unsuback.packetId;
    auto byId = m_orderById.find(packetId);
    if (byId == m_orderById.end())
    {
        ProtocolViolation(0, now, out);
        return;
    }
    auto it = m_inflight.find(byId->second);
    const auto& filters = it->second.request.filters;
    if (it->second.stage != Stage::AwaitUnsuback ||
        (V5() && unsuback.reasonCodes.size() != filters.size()))
    {
        ProtocolViolation(0, now, out);
        return;
    }
    for (std::size_t i = 0; i < filters.size(); ++i)
    {
        // 5.0: the filter's Unsubscribe Reason Code (0x00, 0x11 none existed, or a failure).
        MqttEvent& event = Notify(EventType::Unsubscribed, out);
        event.packetId = packetId;
        event.topic = filters[i];
        event.code = V5() ? unsuback.reasonCodes[i] : 0;
    }
    Complete(it, now, out);
}

} // namespace mqtt
} // namespace ns3
