/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Output held back for a random delay (reorderJitter, a study of brokers that reorder): every
 * first PUBLISH and every PUBACK/PUBREC waits in the connection's HeldOutput and is written by the
 * release timer in release order. A held QoS 1/2 delivery is in flight from the start.
 */
#include "mqtt-broker-engine-impl.h"

#include <cmath>

namespace ns3
{
namespace mqtt
{

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
        WriteAck(conn.Id(), type, packetId, out);
        return;
    }
    HeldPacket h;
    h.kind = HeldPacket::Kind::Ack;
    h.ackType = type;
    h.packetId = packetId;
    Hold(conn, std::move(h), now, out);
}

void
MqttBrokerEngine::Impl::WriteAck(ConnectionId id,
                                 PacketType type,
                                 uint16_t packetId,
                                 MqttActions& out)
{
    if (type == PacketType::Pubrec)
    {
        SendPacket(id, PubrecPacket{packetId}, out);
    }
    else
    {
        SendPacket(id, PubackPacket{packetId}, out);
    }
}

void
MqttBrokerEngine::Impl::Write(MqttBrokerConnection& conn, const HeldPacket& h, MqttActions& out)
{
    if (h.kind == HeldPacket::Kind::Ack)
    {
        WriteAck(conn.Id(), h.ackType, h.packetId, out);
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
MqttBrokerEngine::Impl::DropHeldOutput(MqttBrokerConnection& conn,
                                       const MqttSession& s,
                                       MqttActions& out)
{
    // A QoS 0 delivery is lost; a QoS 1/2 one stays in flight and is re-sent on resume; a held
    // acknowledgement is never sent (the publisher sends its PUBLISH again).
    for (const auto& [key, h] : conn.Held().packets)
    {
        if (h.kind == HeldPacket::Kind::Publish && h.qos == Qos::AtMostOnce && h.countDelivered)
        {
            NotifyDrop(&s, conn.Id(), h.message, h.qos, DropReason::QosZeroOffline, out);
        }
    }
    conn.Held().packets.clear();
    conn.Held().acks = 0;
}

} // namespace mqtt
} // namespace ns3
