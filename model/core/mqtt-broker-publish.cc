/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * PUBLISH and wills: the inbound checks (rate, window, QoS, publish limits, retain), the
 * acknowledgement, the ACL, the retained store and routing to the matching sessions.
 *
 * Rules: acknowledged per the received QoS [MQTT-3.3.4-1] in arrival order [MQTT-4.6.0-2];
 * QoS 2 method B: delivered onward on PUBLISH, a repeat before PUBREL answered PUBREC only
 * [MQTT-4.3.3-2]; one copy per session at the highest matching QoS [MQTT-3.3.5-1].
 */
#include "mqtt-broker-engine-impl.h"

#include "mqtt-acl.h"
#include "mqtt-topic.h"

namespace ns3
{
namespace mqtt
{

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
    Nanos expiresAt{0};
    if (conn.V5())
    {
        switch (AdmitPublish5(conn, p, expiresAt, now, out))
        {
        case Publish5Verdict::Go:
            break;
        case Publish5Verdict::Handled:
            return true;
        case Publish5Verdict::Closed:
            return false;
        }
    }
    const Qos received = p.qos;
    // Inbound limits come first: a PUBLISH over them is not taken over at all.
    const DropReason throttled = PublishThrottled(conn, received, p.retain, now);
    // Under Downgrade acknowledged as received and forwarded at maxQos.
    const std::optional<Qos> granted = GrantedQos(m_profile, received);
    MqttMessagePtr m = MakeMessage(conn.ClientId(),
                                   std::move(p.topic),
                                   std::move(p.payload),
                                   granted.value_or(received),
                                   p.retain,
                                   std::move(p.properties),
                                   expiresAt);
    MqttEvent& e = NotifyMessage(EventType::PublishReceived, id, conn.ClientId(), m, out);
    e.qos = received;
    e.packetId = p.packetId;
    e.dup = p.dup;
    e.retain = p.retain;

    if (throttled != DropReason::None)
    {
        // Discarded: no acknowledgement, so a QoS 1/2 publisher sends it again later.
        NotifyDrop(nullptr, id, m, received, throttled, out).packetId = p.packetId;
        const CloseReason close =
            throttled == DropReason::ThrottledAccountPublishInRate
                ? CloseReason::ThrottledAccountPublishInRate
                : (throttled == DropReason::ThrottledAccountRetainedPublishRate
                       ? CloseReason::ThrottledAccountRetainedPublishRate
                       : CloseReason::Throttled);
        return !m_profile.closeOnThrottle || CloseWithWill(conn, close, now, out);
    }
    if (!granted)
    {
        NotifyDrop(nullptr, id, m, received, DropReason::QosNotSupported, out).packetId =
            p.packetId;
        // Refuse closes; Ignore sends no acknowledgement at all.
        return m_profile.qosRequestPolicy != QosRequestPolicy::Refuse ||
               CloseWithWill(conn, CloseReason::PolicyViolation, now, out);
    }
    DropReason limit = PublishLimitsVerdict(m_profile, m->topic, m->payload.size());
    if (limit != DropReason::None || RefusesRetain(m_profile, p.retain))
    {
        if (limit != DropReason::None)
        {
            NotifyDrop(nullptr, id, m, received, limit, out).packetId = p.packetId;
        }
        return CloseWithWill(conn, CloseReason::PolicyViolation, now, out);
    }

    // Acknowledge per the received QoS [MQTT-3.3.4-1], in arrival order [MQTT-4.6.0-2/3].
    if (received == Qos::AtLeastOnce)
    {
        SendAck(conn, PacketType::Puback, p.packetId, now, out); // [MQTT-4.3.2-2]
    }
    else if (received == Qos::ExactlyOnce)
    {
        if (!AdmitInboundQos2(s))
        {
            // Not acknowledged: the publisher sends it again once reconnected [MQTT-4.4.0-1].
            NotifyDrop(nullptr, id, m, received, DropReason::MemoryLimit, out).packetId =
                p.packetId;
            return CloseWithWill(conn, CloseReason::MemoryLimit, now, out);
        }
        s.AddInboundQos2(p.packetId);
        SendAck(conn, PacketType::Pubrec, p.packetId, now, out);
    }
    m_publishing = &conn;
    Accept(m, id, conn.ClientId(), conn.UserName(), now, out);
    m_publishing = nullptr;
    return true;
}

DropReason
MqttBrokerEngine::Impl::PublishThrottled(MqttBrokerConnection& conn,
                                         Qos qos,
                                         bool retain,
                                         Nanos now)
{
    // Held acknowledgements are the inbound messages in flight (maxInflightIn). The account
    // counts only what the connection's own limits let through.
    if ((m_profile.maxPublishRate > 0 && !conn.Limits().publishes.TryTake(1, now)) ||
        (conn.HasExtras() && InboundWindowFull(m_profile, qos, conn.Held().acks)))
    {
        return DropReason::Throttled;
    }
    if (!m_account->Admit(AccountQuota::PublishInRate, now))
    {
        return DropReason::ThrottledAccountPublishInRate;
    }
    // Retained publishes count once more, where the profile stores them (a retain request
    // that disconnects is refused later, whatever the rate).
    if (retain && m_profile.retain != RetainPolicy::Disconnect &&
        !m_account->Admit(AccountQuota::RetainedPublishRate, now))
    {
        return DropReason::ThrottledAccountRetainedPublishRate;
    }
    return DropReason::None;
}

MqttMessagePtr
MqttBrokerEngine::Impl::MakeMessage(const std::string& publisherId,
                                    std::string topic,
                                    std::vector<uint8_t> payload,
                                    Qos qos,
                                    bool retain,
                                    Properties properties,
                                    Nanos expiresAt)
{
    std::shared_ptr<MqttMessage> m = NewMessage();
    m->id = m_nextMessageId++;
    m->publisherId = publisherId;
    m->topic = std::move(topic);
    m->payload = std::move(payload);
    m->qos = qos;
    m->retain = retain;
    m->properties = std::move(properties);
    m->expiresAt = expiresAt;
    ChargeMessage(*m);
    return m;
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
    UpdateRetained(m, from, clientId, out);
    // RETAIN=0 leaves the retained store alone [MQTT-3.3.1-12].
    Route(m, now, out);
}

void
MqttBrokerEngine::Impl::UpdateRetained(const MqttMessagePtr& m,
                                       ConnectionId from,
                                       const std::string& clientId,
                                       MqttActions& out)
{
    MarkRetained(m->topic);
    switch (RetainedPolicy(m_profile, m_retained, *m))
    {
    case RetainedVerdict::Leave:
        return;
    case RetainedVerdict::Delete:
        // Deletes the retained message and is never stored itself [MQTT-3.3.1-10],
        // [MQTT-3.3.1-11].
        if (m_retained.Erase(m->topic))
        {
            NotifyMessage(EventType::RetainedDeleted, from, clientId, m, out);
        }
        return;
    case RetainedVerdict::Full:
        // Not stored; the message itself is still forwarded.
        NotifyDrop(nullptr, from, m, m->qos, DropReason::RetainedStoreFull, out);
        return;
    case RetainedVerdict::Store:
    {
        if (m_retained.Find(m->topic) == nullptr && MemoryRefusesToKeep())
        {
            // A new retained topic over the memory limit: forwarded, not stored.
            NotifyDrop(nullptr, from, m, m->qos, DropReason::MemoryLimit, out);
            return;
        }
        m_retained.Store(m); // [MQTT-3.3.1-5]
        MqttEvent& e = NotifyMessage(EventType::RetainedStored, from, clientId, m, out);
        e.qos = m->qos;
        e.retain = true;
        return;
    }
    }
}

void
MqttBrokerEngine::Impl::PublishWill(ConnectionId from,
                                    const std::string& clientId,
                                    const std::optional<std::string>& userName,
                                    Will will,
                                    Nanos now,
                                    MqttActions& out)
{
    // Published with its own QoS and RETAIN flag [MQTT-3.1.2-16], [MQTT-3.1.2-17], as far as
    // the profile grants it (a refused QoS is reported at maxQos, then dropped).
    const std::optional<Qos> granted = GrantedQos(m_profile, will.qos);
    Nanos expiresAt{0};
    Properties properties = will.properties.Empty()
                                ? Properties{}
                                : ForwardedProperties5(std::move(will.properties),
                                                       expiresAt,
                                                       now,
                                                       m_profile.maxMessageExpiryInterval);
    MqttMessagePtr m = MakeMessage(clientId,
                                   std::move(will.topic),
                                   std::move(will.payload),
                                   granted.value_or(m_profile.maxQos),
                                   will.retain,
                                   std::move(properties),
                                   expiresAt);
    MqttEvent& e = NotifyMessage(EventType::WillPublished, from, clientId, m, out);
    e.qos = will.qos;
    e.retain = will.retain;
    DropReason limit = !granted ? DropReason::QosNotSupported
                                : PublishLimitsVerdict(m_profile, m->topic, m->payload.size());
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
    m_work.Add(MqttServiceOp::Match, matches.size());
    for (const SubscriberMatch& match : matches)
    {
        MqttSession* s = m_sessions.FindByHandle(match.subscriber);
        if (s == nullptr)
        {
            continue;
        }
        Qos qos = DeliveryQos(m->qos, match.maxQos);
        ConnectionId c = ConnectionOf(*s);
        if (s->HasPendingSubscriptions(now))
        {
            // Only subscriptions past their delay count (the tree does not know the times).
            std::optional<Qos> active = ActiveMatchQos(*s, m->topic, now);
            if (!active)
            {
                NotifyDrop(s, c, m, qos, DropReason::SubscriptionPending, out);
                continue;
            }
            qos = DeliveryQos(m->qos, *active);
        }
        bool retain = false;
        MqttMessagePtr delivered = m;
        if (s->HasOptions5() && !Route5(*s, m, now, qos, retain, delivered))
        {
            continue; // No Local: its own message [MQTT5-3.8.3-3]
        }
        if (m_acl && !m_acl->MayReceive(s->ClientId(), s->UserName(), m->topic))
        {
            NotifyDrop(s, c, m, qos, DropReason::NotAuthorized, out);
            continue;
        }
        if (!m_account->Admit(AccountQuota::PublishOutRate, now))
        {
            NotifyDrop(s, c, m, qos, DropReason::ThrottledAccountPublishOutRate, out);
            continue;
        }
        // Forwarded through an established subscription: RETAIN=0 [MQTT-3.3.1-9] (5.0: unless
        // Retain As Published).
        Deliver(*s, delivered, qos, retain, now, out);
    }
    m_matches = std::move(matches);
    if (!m_shared.Empty())
    {
        RouteShared(m, now, out);
    }
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

void
MqttBrokerEngine::Impl::SendRetained(
    MqttSession& s, const std::string& filter, Qos granted, Nanos now, MqttActions& out)
{
    if (m_profile.retain == RetainPolicy::Disconnect)
    {
        return; // nothing is ever stored
    }
    std::vector<MqttMessagePtr> retained;
    m_retained.Match(filter, retained);
    for (const MqttMessagePtr& m : retained)
    {
        if (!SendsRetained(m_profile, filter, m->topic))
        {
            continue;
        }
        Qos qos = DeliveryQos(m->qos, granted); // section 3.8.4: min(stored QoS, granted QoS)
        if (m_acl && !m_acl->MayReceive(s.ClientId(), s.UserName(), m->topic))
        {
            NotifyDrop(&s, s.Connection()->Id(), m, qos, DropReason::NotAuthorized, out);
            continue;
        }
        Deliver(s, m, qos, true, now, out); // RETAIN=1 [MQTT-3.3.1-8]
    }
}

} // namespace mqtt
} // namespace ns3
