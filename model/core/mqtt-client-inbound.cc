/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Packets from the broker: decoding, CONNACK, incoming PUBLISH (QoS 2 ids held until PUBREL),
 * and the acknowledgements that complete the client's requests.
 */
#include "mqtt-client-engine-impl.h"

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

} // namespace mqtt
} // namespace ns3
