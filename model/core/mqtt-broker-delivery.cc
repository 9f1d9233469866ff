/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Delivery to a session: written at once, sent into the in-flight window, or queued; the
 * acknowledgements that free the window and drain the queue; the paced drain after a resume;
 * delivery and drop events.
 *
 * Rules: a fresh packet id per QoS 1/2 delivery [MQTT-2.3.1-4], DUP=0 on a first send
 * [MQTT-4.3.1-1]; the queue drains in order through the window; PUBREC moves a flow to PUBREL
 * for good [MQTT-4.3.3-1].
 */
#include "mqtt-broker-engine-impl.h"

namespace ns3
{
namespace mqtt
{

namespace
{

/** The bytes of a 3.1.1 PUBLISH: fixed header, topic, packet id (QoS 1, 2), payload. */
std::size_t
PublishWireSize(std::size_t topic, Qos qos, std::size_t payload)
{
    const std::size_t body = 2 + topic + (qos == Qos::AtMostOnce ? 0 : 2) + payload;
    std::size_t lengthBytes = 1;
    for (std::size_t rest = body >> 7; rest != 0; rest >>= 7)
    {
        ++lengthBytes;
    }
    return 1 + lengthBytes + body;
}

} // namespace

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
    // An unknown identifier also gets PUBREL, so the client can finish the flow; 5.0 says that
    // it was unknown (0x92).
    PubrelPacket pubrel{id};
    if (s.Connection()->V5())
    {
        if (f == nullptr)
        {
            pubrel.reasonCode = ReasonCode::PacketIdentifierNotFound;
        }
        SendPacket5(*s.Connection(), pubrel, out);
        return;
    }
    SendPacket(s.Connection()->Id(), pubrel, out); // [MQTT-2.3.1-6], [MQTT-4.6.0-4]
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

void
MqttBrokerEngine::Impl::Deliver(MqttSession& s,
                                const MqttMessagePtr& m,
                                Qos qos,
                                bool retain,
                                Nanos now,
                                MqttActions& out,
                                uint32_t sharedGroup)
{
    MarkSession(s);
    if (!Deliverable5(s, m, qos, out))
    {
        return; // 5.0: expired, or too large for the subscriber
    }
    if (s.Connection() != nullptr)
    {
        if (qos == Qos::AtMostOnce)
        {
            SendQos0(s, m, retain, now, out);
        }
        else if (s.QueuedCount() == 0 && s.Paced() == nullptr && WindowHasRoom(s))
        {
            SendNew(s, m, qos, retain, now, out, sharedGroup);
        }
        else
        {
            // Behind earlier ones, in order.
            Enqueue(s, QueuedMessage{m, qos, retain, sharedGroup}, out);
            if (m_pauseDepth != 0 && m_publishing != nullptr && s.QueuedCount() >= m_pauseDepth)
            {
                PausePublisher(s, now, out);
            }
        }
        return;
    }
    // A disconnected persistent session keeps collecting QoS 1 and 2 [MQTT-3.1.2-5], and
    // QoS 0 only when the profile says so.
    if (!QueuesOffline(m_profile, qos))
    {
        NotifyDrop(&s, 0, m, qos, DropReason::QosZeroOffline, out);
        return;
    }
    // The account's queued messages per second: past it a new message is not stored (AWS keeps
    // what it queued before and drops the new one).
    if (!m_account->Admit(AccountQuota::QueuedRate, now))
    {
        NotifyDrop(&s, 0, m, qos, DropReason::ThrottledAccountQueuedRate, out);
        return;
    }
    Enqueue(s, QueuedMessage{m, qos, retain, sharedGroup}, out);
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
        if (WritePublish(s, m, Qos::AtMostOnce, 0, retain, true, out) && duplicate)
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
MqttBrokerEngine::Impl::SendNew(MqttSession& s,
                                const MqttMessagePtr& m,
                                Qos qos,
                                bool retain,
                                Nanos now,
                                MqttActions& out,
                                uint32_t sharedGroup)
{
    // An identifier no delivery in flight uses [MQTT-2.3.1-4]; DUP=0 on the first send
    // [MQTT-4.3.2-1], [MQTT-4.3.3-1], whatever the publisher's DUP was [MQTT-3.3.1-3].
    uint16_t packetId = s.AllocatePacketId();
    InflightMessage f;
    f.message = m;
    f.packetId = packetId;
    f.qos = qos;
    f.retain = retain;
    f.sharedGroup = sharedGroup;
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
    const ConnectionId c = ConnectionOf(s);
    if (MemoryRefusesToKeep())
    {
        // Over the memory limit: not queued for this session (MqttMemoryBudget).
        NotifyDrop(&s, c, q.message, q.qos, DropReason::MemoryLimit, out);
        return;
    }
    switch (QueuePolicy(m_profile, s.QueuedCount()))
    {
    case QueueVerdict::Append:
        break;
    case QueueVerdict::DropNewest:
        NotifyDrop(&s, c, q.message, q.qos, DropReason::QueueFull, out);
        return;
    case QueueVerdict::DropOldest:
    {
        QueuedMessage oldest = s.PopQueued();
        NotifyDrop(&s, c, oldest.message, oldest.qos, DropReason::QueueFull, out);
        break;
    }
    }
    MqttMessagePtr m = q.message;
    Qos qos = q.qos;
    bool retain = q.retain;
    s.PushQueued(std::move(q));
    NotifyDelivery(EventType::MessageQueued, s, m, qos, 0, false, retain, out);
}

void
MqttBrokerEngine::Impl::Drain(MqttSession& s, Nanos now, MqttActions& out)
{
    MarkSession(s);
    DrainQueue(s, now, out);
    if (!m_pauses.empty())
    {
        ReleaseWaiters(s, false, out);
    }
}

void
MqttBrokerEngine::Impl::DrainQueue(MqttSession& s, Nanos now, MqttActions& out)
{
    if (s.Connection() == nullptr || (s.Paced() != nullptr && !DrainPaced(s, now, out)))
    {
        return;
    }
    while (s.QueuedCount() != 0)
    {
        const QueuedMessage& front = s.FrontQueued();
        if (front.qos != Qos::AtMostOnce && !WindowHasRoom(s))
        {
            return; // the rest waits for an acknowledgement, in order
        }
        SendQueued(s, s.PopQueued(), now, out);
    }
}

bool
MqttBrokerEngine::Impl::DrainPaced(MqttSession& s, Nanos now, MqttActions& out)
{
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
            return true;
        }
        if (fromQueue && s.FrontQueued().qos != Qos::AtMostOnce && !WindowHasRoom(s))
        {
            return false; // an acknowledgement calls Drain again
        }
        if (paced->timer != 0)
        {
            return false; // waiting for the next slot
        }
        if (!paced->limiter.TryTake(1, now))
        {
            paced->timer =
                StartTimer(TimerKind::Drain, s.Handle(), paced->limiter.WhenFits(1), out);
            return false;
        }
        if (resend != nullptr)
        {
            resend->resendPending = false;
            ResendInflight(s, *resend, out);
            continue;
        }
        --paced->backlog;
        SendQueued(s, s.PopQueued(), now, out);
    }
    return true;
}

void
MqttBrokerEngine::Impl::SendQueued(MqttSession& s, QueuedMessage q, Nanos now, MqttActions& out)
{
    if (!Deliverable5(s, q.message, q.qos, out))
    {
        return; // 5.0: expired while it waited, or too large for the subscriber
    }
    if (q.qos == Qos::AtMostOnce)
    {
        SendQos0(s, q.message, q.retain, now, out);
    }
    else
    {
        SendNew(s, q.message, q.qos, q.retain, now, out, q.sharedGroup);
    }
}

bool
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
    m_work.Add(MqttServiceOp::Delivery);
    const ConnectionId id = s.Connection()->Id();
    // Charged before it is encoded (a 5.0 copy may take a topic alias): the 3.1.1 size, then
    // what 5.0's properties add.
    const std::size_t wire = PublishWireSize(m->topic.size(), qos, m->payload.size());
    if (!ChargeDelivery(id, wire, qos == Qos::AtMostOnce))
    {
        // Over the memory limit: this copy is not written (the others of the call may be).
        NotifyDrop(&s, id, m, qos, DropReason::MemoryLimit, out);
        return false;
    }
    std::vector<uint8_t>& buffer = SendBuffer(*s.Connection(), out);
    const std::size_t before = buffer.size();
    if (s.Connection()->V5())
    {
        EncodePublish5To(s, m, qos, packetId, retain, false, buffer);
    }
    else
    {
        // A 5.0 message reaches a 3.1.1 subscriber without its properties (doc/mqtt5.md).
        EncodePublish(
            false, qos, retain, m->topic, packetId, m->payload.data(), m->payload.size(), buffer);
    }
    if (buffer.size() - before > wire)
    {
        ChargeDelivery(id, buffer.size() - before - wire, false);
    }
    NotifyDelivery(EventType::MessageSent, s, m, qos, packetId, false, retain, out);
    if (qos == Qos::AtMostOnce && countDelivered)
    {
        NotifyDelivery(EventType::MessageDelivered, s, m, qos, 0, false, retain, out);
    }
    return true;
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
    if (!m_eventInterest.Has(type))
    {
        return; // the hot path of a fan-out: not even the depth is worked out
    }
    MqttEvent& e = NotifyMessage(type, ConnectionOf(s), m->publisherId, m, out);
    e.peerId = s.ClientId();
    e.qos = qos;
    e.packetId = packetId;
    e.dup = dup;
    e.retain = retain;
    e.queueDepth = DepthOf(s);
}

MqttEvent&
MqttBrokerEngine::Impl::NotifyDrop(const MqttSession* s,
                                   ConnectionId connection,
                                   const MqttMessagePtr& m,
                                   Qos qos,
                                   DropReason reason,
                                   MqttActions& out)
{
    MqttEvent& e = NotifyMessage(EventType::MessageDropped, connection, m->publisherId, m, out);
    if (s != nullptr)
    {
        e.peerId = s->ClientId();
        e.queueDepth = DepthOf(*s);
    }
    e.qos = qos;
    e.dropReason = reason;
    return e;
}

} // namespace mqtt
} // namespace ns3
