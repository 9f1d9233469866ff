/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT 5.0 shared subscriptions in the broker (section 4.8.2): "$share/NAME/FILTER" makes the
 * session a member of group NAME for FILTER, and each message matching FILTER goes to one member
 * of each group, chosen by the profile's sharedSubscriptionPolicy (round robin by default, or
 * random), at that member's granted QoS [MQTT5-4.8.2-3] and with its subscription's options
 * and Subscription Identifier. A session may hold shared and non-shared subscriptions that
 * match one topic: it then gets a copy through each.
 *
 * Choice: connected members first; only when none is connected does a message go to a
 * disconnected member's session (queued as any offline delivery). What a departing member had:
 * - it goes offline and keeps its session: its queued shared deliveries move to a connected
 *   member (none: they stay); those in flight stay to be sent again on its return
 *   [MQTT5-4.8.2-4] (QoS 1 too: the specification lets the server wait);
 * - its session ends (expiry, Session Expiry 0, Clean Start): its queued shared deliveries and
 *   its QoS 1 ones in flight go to another member; a QoS 2 one in flight is not sent elsewhere
 *   [MQTT5-4.8.2-5];
 * - it unsubscribes: what it has queued or in flight is still delivered to it [MQTT-3.10.4-3];
 * - it refuses a message (PUBACK/PUBREC >= 0x80): the message is discarded [MQTT5-4.8.2-6].
 * No retained message is sent on a shared subscribe; No Local on one is a Protocol Error (the
 * codec refuses it, DISCONNECT 0x82).
 */
#include "mqtt-broker-engine-impl.h"

#include "mqtt-acl.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

namespace
{

/** @p m carrying only the Subscription Identifier @p id (none for 0). */
MqttMessagePtr
WithSubscriptionId(const MqttMessagePtr& m, uint32_t id)
{
    const bool hasAny = m->properties.Has(PropertyId::SubscriptionIdentifier);
    if (id == 0 && !hasAny)
    {
        return m;
    }
    auto copy = std::make_shared<MqttMessage>(*m);
    auto& items = copy->properties.items;
    items.erase(std::remove_if(items.begin(),
                               items.end(),
                               [](const Property& p) {
                                   return p.id == PropertyId::SubscriptionIdentifier;
                               }),
                items.end());
    if (id != 0)
    {
        copy->properties.AddNumber(PropertyId::SubscriptionIdentifier, id);
    }
    return copy;
}

} // namespace

bool
MqttBrokerEngine::Impl::IsSharedFilter(std::string_view filter) const
{
    return m_profile.sharedSubscriptions && MqttSharedSubscriptions::IsShared(filter);
}

bool
MqttBrokerEngine::Impl::SharedFilterRefused(std::string_view filter) const
{
    // A 5.0 codec has refused such a filter already; a 3.1.1 one lets it through.
    return m_profile.sharedSubscriptions && filter.rfind("$share/", 0) == 0 &&
           !MqttSharedSubscriptions::IsShared(filter);
}

bool
MqttBrokerEngine::Impl::SubscribeShared(const MqttSession& s, const std::string& filter)
{
    if (!IsSharedFilter(filter))
    {
        return false;
    }
    m_shared.Join(filter, s.Handle());
    return true;
}

bool
MqttBrokerEngine::Impl::UnsubscribeShared(const MqttSession& s, const std::string& filter)
{
    if (!IsSharedFilter(filter))
    {
        return false;
    }
    m_shared.Leave(filter, s.Handle());
    return true;
}

void
MqttBrokerEngine::Impl::RouteShared(const MqttMessagePtr& m, Nanos now, MqttActions& out)
{
    std::vector<uint32_t> groups;
    m_shared.Match(m->topic, groups);
    m_work.Add(MqttServiceOp::Match, groups.size());
    for (uint32_t id : groups)
    {
        MqttSharedGroup* g = m_shared.Find(id);
        MqttSession* s = g != nullptr ? ChooseMember(*g, false, 0, now) : nullptr;
        if (s == nullptr)
        {
            continue; // every member's subscription is still pending
        }
        if (!m_account->Admit(AccountQuota::PublishOutRate, now))
        {
            NotifyDrop(
                s, ConnectionOf(*s), m, m->qos, DropReason::ThrottledAccountPublishOutRate, out);
            continue;
        }
        DeliverShared(*g, *s, m, now, out);
    }
}

MqttSession*
MqttBrokerEngine::Impl::ChooseMember(MqttSharedGroup& g,
                                     bool connectedOnly,
                                     SubscriberId except,
                                     Nanos now)
{
    const std::size_t n = g.members.size();
    auto eligible = [&](std::size_t i, bool connected) -> MqttSession* {
        MqttSession* s = g.members[i] == except ? nullptr : m_sessions.FindByHandle(g.members[i]);
        if (s == nullptr || (connected && s->Connection() == nullptr))
        {
            return nullptr;
        }
        auto sub = s->Subscriptions().find(g.key);
        return sub != s->Subscriptions().end() && sub->activeFrom <= now ? s : nullptr;
    };
    for (const bool connected : {true, false})
    {
        if (!connected && connectedOnly)
        {
            break;
        }
        std::size_t count = 0;
        for (std::size_t i = 0; i < n; ++i)
        {
            count += eligible(i, connected) != nullptr ? 1 : 0;
        }
        if (count == 0)
        {
            continue;
        }
        // Round robin: the first eligible member from the cursor on. Random: the k-th eligible
        // member, k uniform (one draw per message, only with this policy).
        std::size_t skip = 0;
        if (m_profile.sharedSubscriptionPolicy == SharedSubscriptionPolicy::Random)
        {
            skip = std::min(count - 1, static_cast<std::size_t>(Uniform() * count));
        }
        const std::size_t start =
            m_profile.sharedSubscriptionPolicy == SharedSubscriptionPolicy::Random ? 0 : g.next;
        for (std::size_t k = 0; k < n; ++k)
        {
            const std::size_t i = (start + k) % n;
            MqttSession* s = eligible(i, connected);
            if (s != nullptr && skip-- == 0)
            {
                g.next = (i + 1) % n;
                return s;
            }
        }
    }
    return nullptr;
}

void
MqttBrokerEngine::Impl::DeliverShared(MqttSharedGroup& g,
                                      MqttSession& s,
                                      const MqttMessagePtr& m,
                                      Nanos now,
                                      MqttActions& out)
{
    auto sub = s.Subscriptions().find(g.key);
    if (sub == s.Subscriptions().end())
    {
        return;
    }
    // The member's own granted QoS [MQTT5-4.8.2-3]; RETAIN 0 unless Retain As Published.
    const Qos qos = DeliveryQos(m->qos, sub->qos);
    const bool retain = sub->retainAsPublished && m->retain;
    if (m_acl && !m_acl->MayReceive(s.ClientId(), s.UserName(), m->topic))
    {
        NotifyDrop(&s, ConnectionOf(s), m, qos, DropReason::NotAuthorized, out);
        return;
    }
    Deliver(s, WithSubscriptionId(m, sub->subscriptionId), qos, retain, now, out, g.id);
}

void
MqttBrokerEngine::Impl::SharedMemberOffline(MqttSession& s, MqttActions& out)
{
    if (m_shared.Empty() || s.QueuedCount() == 0)
    {
        return;
    }
    std::vector<QueuedMessage> kept;
    while (s.QueuedCount() != 0)
    {
        QueuedMessage q = s.PopQueued();
        MqttSharedGroup* g = q.sharedGroup != 0 ? m_shared.Find(q.sharedGroup) : nullptr;
        MqttSession* to = g != nullptr ? ChooseMember(*g, true, s.Handle(), m_now) : nullptr;
        if (to == nullptr)
        {
            kept.push_back(std::move(q));
            continue;
        }
        DeliverShared(*g, *to, q.message, m_now, out);
    }
    for (QueuedMessage& q : kept)
    {
        s.PushQueued(std::move(q));
    }
    MarkSession(s);
}

void
MqttBrokerEngine::Impl::SharedSessionEnds(MqttSession& s, MqttActions& out)
{
    if (m_shared.Empty())
    {
        return;
    }
    for (const MqttSubscription& sub : s.Subscriptions())
    {
        UnsubscribeShared(s, sub.filter);
    }
    // In send order, then the queue in order, like the session would have had them.
    std::vector<std::pair<uint32_t, MqttMessagePtr>> redistribute;
    std::vector<uint16_t> taken;
    for (const InflightMessage& f : s.Inflight())
    {
        if (f.sharedGroup != 0 && f.state == InflightState::AwaitingPuback)
        {
            taken.push_back(f.packetId);
        }
    }
    for (uint16_t id : taken)
    {
        std::optional<InflightMessage> f = s.TakeInflight(id);
        redistribute.emplace_back(f->sharedGroup, f->message);
    }
    std::vector<QueuedMessage> kept;
    while (s.QueuedCount() != 0)
    {
        QueuedMessage q = s.PopQueued();
        if (q.sharedGroup != 0)
        {
            redistribute.emplace_back(q.sharedGroup, q.message);
        }
        else
        {
            kept.push_back(std::move(q));
        }
    }
    for (QueuedMessage& q : kept)
    {
        s.PushQueued(std::move(q));
    }
    for (const auto& [id, m] : redistribute)
    {
        MqttSharedGroup* g = m_shared.Find(id);
        MqttSession* to = g != nullptr ? ChooseMember(*g, false, s.Handle(), m_now) : nullptr;
        if (to == nullptr)
        {
            // No member left: the message ends with the session.
            NotifyDrop(&s, 0, m, m->qos, DropReason::SessionDiscarded, out);
            continue;
        }
        DeliverShared(*g, *to, m, m_now, out);
    }
}

} // namespace mqtt
} // namespace ns3
