/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Sessions: discarding one (its deliveries reported dropped), resuming one on a new connection
 * (deliveries in flight sent again, then the queue), and stopping a paced drain.
 */
#include "mqtt-broker-engine-impl.h"

namespace ns3
{
namespace mqtt
{

void
MqttBrokerEngine::Impl::DiscardSession(MqttSession& s, DropReason reason, MqttActions& out)
{
    MarkSession(s);
    StopPaced(s, out);
    SharedSessionEnds(s, out);
    for (const MqttSubscription& sub : s.Subscriptions())
    {
        m_tree.Unsubscribe(sub.filter, s.Handle());
    }
    if (s.ExpiryTimer() != 0)
    {
        CancelTimer(s.ExpiryTimer(), out);
        s.SetExpiryTimer(0);
    }
    ReleaseSession(s); // before its inbound QoS 2 ids go with its messages
    for (const QueuedMessage& q : s.TakeAllMessages())
    {
        NotifyDrop(&s, 0, q.message, q.qos, reason, out);
    }
    const std::string clientId = s.ClientId();
    m_sessions.Erase(clientId);
    // 5.0: a will waiting for its delay goes when the session ends [MQTT5-3.1.2-8].
    if (!m_delayedWills.empty())
    {
        PublishDelayedWill(clientId, out);
    }
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
    m_work.Add(MqttServiceOp::Delivery);
    if (s.Connection()->V5())
    {
        EncodePublish5To(s, f.message, f.qos, f.packetId, f.retain, true, SendBuffer(*s.Connection(), out));
    }
    else
    {
        EncodePublish(true,
                      f.qos,
                      f.retain,
                      m.topic,
                      f.packetId,
                      m.payload.data(),
                      m.payload.size(),
                      SendBuffer(*s.Connection(), out));
    }
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

} // namespace mqtt
} // namespace ns3
