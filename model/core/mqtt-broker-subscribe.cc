/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * SUBSCRIBE and UNSUBSCRIBE: each filter decided alone [MQTT-3.8.4-4], one return code each in
 * order [MQTT-3.8.4-5], retained messages after the SUBACK [MQTT-3.3.1-6]; UNSUBSCRIBE always
 * answered [MQTT-3.10.4-4].
 */
#include "mqtt-broker-engine-impl.h"

#include "mqtt-acl.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

bool
MqttBrokerEngine::Impl::HandleSubscribe(MqttBrokerConnection& conn,
                                        const SubscribePacket& p,
                                        Nanos now,
                                        MqttActions& out)
{
    const ConnectionId id = conn.Id();
    MqttSession& s = *conn.Session();
    const uint32_t subscriptionId =
        conn.V5() ? p.properties.Number(PropertyId::SubscriptionIdentifier).value_or(0) : 0;
    if (subscriptionId != 0 && !m_profile.subscriptionIdentifiers)
    {
        // Subscription Identifier Available 0 in our CONNACK: DISCONNECT 0xA1.
        return Disconnect5(conn,
                           CloseReason::ProtocolError,
                           ReasonCode::SubscriptionIdentifiersNotSupported,
                           now,
                           out);
    }
    if (TooManyFilters(m_profile, p.topics.size()))
    {
        return CloseWithWill(conn, CloseReason::PolicyViolation, now, out);
    }
    // 5.0: a broker without QoS 2 still grants a QoS 2 request at its maximum [MQTT5-3.2.2-10].
    if (!conn.V5() && IgnoresSubscribe(m_profile, p.topics))
    {
        // A SUBSCRIBE asking for an unsupported QoS is not answered, so none of it takes effect:
        // a client that never sees a SUBACK holds no subscription from it. Each filter is
        // reported denied (QosNotSupported), though no SUBACK says so.
        for (const TopicRequest& req : p.topics)
        {
            MqttEvent& e = NotifySubscription(
                EventType::SubscriptionDenied, conn, req.filter, req.qos, SUBACK_FAILURE, out);
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
    std::vector<bool> existed(p.topics.size(), false); // 5.0 Retain Handling 1
    // A filter refused by an account quota fails alone and the connection stays (AWS logs a
    // throttled subscribe as a failure; 3.1.1's SUBACK has only 0x80).
    auto refuseForQuota = [&](const TopicRequest& req, DropReason reason) {
        suback.returnCodes.push_back(
            conn.V5() ? static_cast<uint8_t>(ReasonCode::QuotaExceeded) : SUBACK_FAILURE);
        NotifySubscription(
            EventType::SubscriptionDenied, conn, req.filter, req.qos, SUBACK_FAILURE, out)
            .dropReason = reason;
    };
    for (std::size_t i = 0; i < p.topics.size(); ++i)
    {
        const TopicRequest& req = p.topics[i];
        // Every filter counts against the account's subscriptions per second.
        if (!m_account->Admit(AccountQuota::SubscribeRate, now))
        {
            refuseForQuota(req, DropReason::ThrottledAccountSubscribeRate);
            continue;
        }
        const bool replaces = s.FindSubscription(req.filter).has_value();
        existed[i] = replaces;
        std::optional<Qos> qos = SubscriptionGrant(conn, req, replaces);
        if (!qos)
        {
            suback.returnCodes.push_back(conn.V5() ? SubscribeFailure5(conn, req) : SUBACK_FAILURE);
            NotifySubscription(
                EventType::SubscriptionDenied, conn, req.filter, req.qos, SUBACK_FAILURE, out);
            continue;
        }
        // A new filter needs one of the account's subscriptions (over its connected sessions).
        if (!replaces && !m_account->AdmitSubscription())
        {
            refuseForQuota(req, DropReason::ThrottledAccountSubscriptions);
            continue;
        }
        if (!replaces && !ChargeSubscription(req.filter))
        {
            suback.returnCodes.push_back(SUBACK_FAILURE);
            NotifySubscription(
                EventType::SubscriptionDenied, conn, req.filter, req.qos, SUBACK_FAILURE, out)
                .dropReason = DropReason::MemoryLimit;
            continue;
        }
        // An identical filter replaces the subscription, keeping its flow [MQTT-3.8.4-3] (and,
        // when active, staying active); a new one waits out the profile's subscription delay.
        Nanos activeFrom = now;
        if (m_profile.subscriptionDelay > Nanos(0) && !replaces)
        {
            activeFrom = now + DrawSubscriptionDelay();
        }
        s.AddSubscription(req.filter, *qos, activeFrom);
        if (!replaces)
        {
            ActivateSubscriptions(1, now);
        }
        if (conn.V5())
        {
            s.SetOptions5(req.filter, req.noLocal, req.retainAsPublished, subscriptionId);
        }
        if (!SubscribeShared(s, req.filter))
        {
            m_tree.Subscribe(req.filter, s.Handle(), *qos);
        }
        suback.returnCodes.push_back(static_cast<uint8_t>(*qos));
        granted.emplace_back(i, *qos);
        NotifySubscription(EventType::SubscriptionGranted,
                           conn,
                           req.filter,
                           *qos,
                           static_cast<uint8_t>(*qos),
                           out);
    }
    if (conn.V5())
    {
        SendPacket5(conn, std::move(suback), out); // with a Reason String if any (5.0)
    }
    else
    {
        SendPacket(id, suback, out); // [MQTT-3.8.4-1]
    }
    // Retained messages for each new or replaced subscription, after the SUBACK
    // [MQTT-3.3.1-6], [MQTT-3.8.4-3].
    for (const auto& [index, qos] : granted)
    {
        // 5.0 Retain Handling: 1 only for a new subscription [MQTT5-3.3.1-10], 2 never
        // [MQTT5-3.3.1-11]; 3.1.1 requests are 0 [MQTT5-3.3.1-9].
        // A shared subscription gets none (section 4.8.2).
        const RetainHandling rh = p.topics[index].retainHandling;
        if (rh == RetainHandling::DoNotSend ||
            (rh == RetainHandling::SendIfNew && existed[index]) ||
            IsSharedFilter(p.topics[index].filter))
        {
            continue;
        }
        SendRetained(s, p.topics[index].filter, qos, now, out);
    }
    return true;
}

std::optional<Qos>
MqttBrokerEngine::Impl::SubscriptionGrant(const MqttBrokerConnection& conn,
                                          const TopicRequest& req,
                                          bool replaces) const
{
    if ((conn.V5() && SubscribeFailure5(conn, req) != SUBACK_FAILURE) ||
        !FilterAllowed(m_profile, req.filter) || SharedFilterRefused(req.filter) ||
        (m_acl && !m_acl->MaySubscribe(conn.ClientId(), conn.UserName(), req.filter)))
    {
        return std::nullopt;
    }
    std::optional<Qos> qos =
        conn.V5() ? std::min(req.qos, m_profile.maxQos) : GrantedQos(m_profile, req.qos);
    if (qos && SubscriptionsFull(m_profile, conn.Session()->Subscriptions().size(), replaces))
    {
        return std::nullopt;
    }
    return qos;
}

MqttEvent&
MqttBrokerEngine::Impl::NotifySubscription(EventType type,
                                           const MqttBrokerConnection& conn,
                                           const std::string& filter,
                                           Qos qos,
                                           uint8_t code,
                                           MqttActions& out)
{
    MqttEvent& e = Notify(type, conn.Id(), out);
    e.clientId = conn.ClientId();
    e.topic = filter;
    e.qos = qos;
    e.code = code;
    return e;
}

void
MqttBrokerEngine::Impl::HandleUnsubscribe(MqttBrokerConnection& conn,
                                          const UnsubscribePacket& p,
                                          MqttActions& out)
{
    MqttSession& s = *conn.Session();
    UnsubackPacket unsuback{p.packetId};
    // [MQTT-3.10.4-6]: one filter after the other; [MQTT-3.10.4-1]: exact string comparison.
    for (const std::string& filter : p.filters)
    {
        const bool removed = s.RemoveSubscription(filter);
        if (conn.V5())
        {
            // One reason code per filter, in order [MQTT5-3.11.3-1], [MQTT5-3.11.3-2].
            unsuback.reasonCodes.push_back(static_cast<uint8_t>(
                removed ? ReasonCode::Success : ReasonCode::NoSubscriptionExisted));
        }
        if (removed)
        {
            DeactivateSubscriptions(1);
            ReleaseSubscription(filter);
            // No new messages for it [MQTT-3.10.4-2]; what is in flight or queued completes
            // [MQTT-3.10.4-3].
            if (!UnsubscribeShared(s, filter))
            {
                m_tree.Unsubscribe(filter, s.Handle());
            }
            MqttEvent& e = Notify(EventType::Unsubscribed, conn.Id(), out);
            e.clientId = conn.ClientId();
            e.topic = filter;
        }
    }
    // Always answered, with the same identifier [MQTT-3.10.4-4], [MQTT-3.10.4-5].
    SendPacket(conn.Id(), unsuback, out);
}

} // namespace mqtt
} // namespace ns3
