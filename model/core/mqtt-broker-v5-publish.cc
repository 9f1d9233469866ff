/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT 5.0 PUBLISH in the broker: the checks of an inbound PUBLISH that need the connection
 * (topic aliases, Subscription Identifier, Receive Maximum, Maximum QoS, Retain Available,
 * Payload Format Indicator), the properties a message keeps and forwards, Message Expiry
 * (counted down while a message waits, expired copies dropped), and the 5.0 PUBLISH written to
 * a subscriber within its Maximum Packet Size and Topic Alias Maximum.
 *
 * Forwarding: Payload Format Indicator, Content Type, Response Topic, Correlation Data and User
 * Properties go to every subscriber unchanged and in order; Topic Alias and Subscription
 * Identifier are per hop; Message Expiry Interval is what remains. A 3.1.1 subscriber gets the
 * PUBLISH without any of them (its layout has no place for properties; doc/mqtt5.md).
 */
#include "mqtt-broker-engine-impl.h"
#include "mqtt-publish-properties.h"

#include "mqtt-acl.h"
#include "mqtt-topic.h"
#include "mqtt-utf8.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

namespace
{

/** Seconds of @p d, rounded up (a message with 0.2 s left still has 1 s to go). */
uint32_t
CeilSeconds(Nanos d)
{
    const auto s = (d.count() + 999999999) / 1000000000;
    return static_cast<uint32_t>(std::clamp<Nanos::rep>(s, 0, 0xFFFFFFFF));
}

} // namespace

MqttBrokerEngine::Impl::Publish5Verdict
MqttBrokerEngine::Impl::AdmitPublish5(MqttBrokerConnection& conn,
                                      PublishPacket& p,
                                      Nanos& expiresAt,
                                      Nanos now,
                                      MqttActions& out)
{
    Mqtt5ConnectionState& v5 = *conn.V5();
    if (p.properties.Has(PropertyId::SubscriptionIdentifier))
    {
        // [MQTT5-3.3.4-6]: only the server sets it; from a client it is a Protocol Error.
        Disconnect5(conn, CloseReason::ProtocolError, ReasonCode::ProtocolError, now, out);
        return Publish5Verdict::Closed;
    }
    if (std::optional<uint32_t> alias = p.properties.Number(PropertyId::TopicAlias))
    {
        // Above our Topic Alias Maximum (none announced: 0) is 0x94 [MQTT5-3.3.2-12 accepts
        // every one up to it]; a topic sets the alias, an empty topic uses it.
        if (*alias > m_profile.topicAliasMaximum)
        {
            Disconnect5(conn, CloseReason::ProtocolError, ReasonCode::TopicAliasInvalid, now, out);
            return Publish5Verdict::Closed;
        }
        const auto key = static_cast<uint16_t>(*alias);
        if (!p.topic.empty())
        {
            if (!ChargeInboundAlias5(conn, key, p.topic.size()))
            {
                Disconnect5(conn, CloseReason::MemoryLimit, ReasonCode::QuotaExceeded, now, out);
                return Publish5Verdict::Closed;
            }
            v5.inboundAliases[key] = p.topic;
        }
        else
        {
            auto it = v5.inboundAliases.find(key);
            if (it == v5.inboundAliases.end())
            {
                Disconnect5(conn, CloseReason::ProtocolError, ReasonCode::ProtocolError, now, out);
                return Publish5Verdict::Closed;
            }
            p.topic = it->second;
        }
    }
    if (static_cast<uint8_t>(p.qos) > static_cast<uint8_t>(m_profile.maxQos))
    {
        // Above the Maximum QoS of our CONNACK [MQTT5-3.2.2-11]: DISCONNECT 0x9B.
        Disconnect5(conn, CloseReason::PolicyViolation, ReasonCode::QosNotSupported, now, out);
        return Publish5Verdict::Closed;
    }
    if (p.retain && m_profile.retain == RetainPolicy::Disconnect)
    {
        // Retain Available 0 in our CONNACK [MQTT5-3.2.2-14]: DISCONNECT 0x9A.
        Disconnect5(conn, CloseReason::PolicyViolation, ReasonCode::RetainNotSupported, now, out);
        return Publish5Verdict::Closed;
    }
    if (p.qos != Qos::AtMostOnce)
    {
        // Unacknowledged QoS 1/2 PUBLISHes of the client: QoS 2 ones until PUBREL, and acks held
        // back by the profile. One more than our Receive Maximum is DISCONNECT 0x93 (4.9).
        const std::size_t held = conn.HasExtras() ? conn.Held().acks : 0;
        if (conn.Session()->InboundQos2Count() + held >= m_profile.receiveMaximum)
        {
            Disconnect5(
                conn, CloseReason::Throttled, ReasonCode::ReceiveMaximumExceeded, now, out);
            return Publish5Verdict::Closed;
        }
    }
    if (p.properties.Number(PropertyId::PayloadFormatIndicator).value_or(0) == 1 &&
        CheckUtf8(std::string_view(reinterpret_cast<const char*>(p.payload.data()),
                                   p.payload.size())) == Utf8Status::Malformed)
    {
        // Said to be UTF-8 and it is not: refused with 0x99 Payload format invalid (a MAY of
        // section 3.3.2.3.2), acknowledged so the publisher does not send it again.
        if (p.qos == Qos::AtLeastOnce)
        {
            SendPacket5(conn, PubackPacket{p.packetId, ReasonCode::PayloadFormatInvalid}, out);
        }
        else if (p.qos == Qos::ExactlyOnce)
        {
            SendPacket5(conn, PubrecPacket{p.packetId, ReasonCode::PayloadFormatInvalid}, out);
        }
        return Publish5Verdict::Handled;
    }
    p.properties = ForwardedProperties5(
        std::move(p.properties), expiresAt, now, m_profile.maxMessageExpiryInterval);
    return Publish5Verdict::Go;
}

Properties
MqttBrokerEngine::Impl::ForwardedProperties5(Properties properties,
                                             Nanos& expiresAt,
                                             Nanos now,
                                             uint32_t maxMessageExpiry)
{
    // Per hop: the alias and identifiers are set again (or not) on each outgoing PUBLISH.
    std::optional<uint32_t> expiry = TakePerHopProperties(properties);
    if (maxMessageExpiry != 0 && (!expiry || *expiry > maxMessageExpiry))
    {
        expiry = maxMessageExpiry; // the profile keeps no message longer
    }
    expiresAt = expiry ? now + std::chrono::seconds(*expiry) : Nanos(0);
    return properties;
}

bool
MqttBrokerEngine::Impl::Deliverable5(MqttSession& s,
                                     const MqttMessagePtr& m,
                                     Qos qos,
                                     MqttActions& out)
{
    const MqttBrokerConnection* c = s.Connection();
    if (m->expiresAt > Nanos(0) && m->expiresAt <= m_now)
    {
        // Expired before its delivery to this subscriber started: this copy is deleted
        // [MQTT5-3.3.2-5].
        NotifyDrop(&s, ConnectionOf(s), m, qos, DropReason::MessageExpired, out);
        return false;
    }
    if (c == nullptr || c->V5() == nullptr || c->V5()->clientMaximumPacketSize == 0)
    {
        return true;
    }
    // Sized as written: the largest form (no alias) counts, so an alias never makes a
    // delivery fit that the next one without it would not.
    m_sizeScratch.clear();
    EncodePublish5(false,
                   qos,
                   false,
                   m->topic,
                   qos == Qos::AtMostOnce ? 0 : 1,
                   m->properties,
                   m->payload.data(),
                   m->payload.size(),
                   m_sizeScratch);
    std::size_t size = m_sizeScratch.size();
    if (m->expiresAt > Nanos(0))
    {
        size += 5; // the Message Expiry Interval property added on the way out
    }
    if (m_profile.outboundTopicAliases != 0)
    {
        size += 3; // a Topic Alias set with its topic
    }
    if (size <= c->V5()->clientMaximumPacketSize)
    {
        return true;
    }
    // [MQTT5-3.1.2-24]: never sent; [MQTT5-3.1.2-25]: dropped as if delivered.
    NotifyDrop(&s, ConnectionOf(s), m, qos, DropReason::TooLargeForClient, out);
    return false;
}

void
MqttBrokerEngine::Impl::EncodePublish5To(MqttSession& s,
                                         const MqttMessagePtr& m,
                                         Qos qos,
                                         uint16_t packetId,
                                         bool retain,
                                         bool dup,
                                         std::vector<uint8_t>& buffer)
{
    Mqtt5ConnectionState& v5 = *s.Connection()->V5();
    std::optional<uint16_t> alias;
    bool aliasKnown = false;
    if (m_profile.outboundTopicAliases != 0 && v5.clientTopicAliasMaximum != 0)
    {
        // Our aliases stay within the client's Topic Alias Maximum [MQTT5-3.1.2-26],
        // [MQTT5-3.3.2-11], none when it gave none [MQTT5-3.1.2-27]; first come first served,
        // never reassigned, so a re-sent PUBLISH means what it meant.
        auto it = v5.outboundAliases.find(m->topic);
        if (it != v5.outboundAliases.end())
        {
            alias = it->second;
            aliasKnown = true;
        }
        else if (v5.nextOutboundAlias <=
                 std::min(m_profile.outboundTopicAliases, v5.clientTopicAliasMaximum))
        {
            alias = v5.nextOutboundAlias++;
            v5.outboundAliases.emplace(m->topic, *alias);
        }
    }
    if (m->expiresAt == Nanos(0) && !alias)
    {
        // Forwarded as received: Payload Format Indicator, Content Type, Response Topic,
        // Correlation Data, User Properties in order [MQTT5-3.3.2-4], [MQTT5-3.3.2-15],
        // [MQTT5-3.3.2-16], [MQTT5-3.3.2-17], [MQTT5-3.3.2-18], [MQTT5-3.3.2-20].
        EncodePublish5(dup,
                       qos,
                       retain,
                       m->topic,
                       packetId,
                       m->properties,
                       m->payload.data(),
                       m->payload.size(),
                       buffer);
        return;
    }
    // What is left of the Message Expiry Interval [MQTT5-3.3.2-6]; an expired message that is
    // re-sent keeps 0 (section 4.3.3: a flow once started is completed).
    Properties props = m->properties;
    if (m->expiresAt > Nanos(0))
    {
        const Nanos left = m->expiresAt > m_now ? m->expiresAt - m_now : Nanos(0);
        props.items.insert(props.items.begin(),
                           Property{PropertyId::MessageExpiryInterval, CeilSeconds(left)});
    }
    if (alias)
    {
        props.AddNumber(PropertyId::TopicAlias, *alias);
    }
    // A known alias stands for the topic: the topic is sent empty (section 3.3.2.3.4).
    const std::string_view topic = aliasKnown ? std::string_view() : std::string_view(m->topic);
    EncodePublish5(
        dup, qos, retain, topic, packetId, props, m->payload.data(), m->payload.size(), buffer);
}

bool
MqttBrokerEngine::Impl::Route5(const MqttSession& s,
                               const MqttMessagePtr& m,
                               Nanos now,
                               Qos& qos,
                               bool& retain,
                               MqttMessagePtr& delivered) const
{
    std::optional<Qos> best;
    std::vector<uint32_t> ids;
    for (const MqttSubscription& sub : s.Subscriptions())
    {
        if (sub.activeFrom > now || !TopicMatches(sub.filter, m->topic) ||
            IsSharedFilter(sub.filter))
        {
            continue; // a shared subscription delivers through its group (RouteShared)
        }
        if (sub.noLocal && m->publisherId == s.ClientId())
        {
            continue; // [MQTT5-3.8.3-3]
        }
        if (!best || static_cast<uint8_t>(sub.qos) > static_cast<uint8_t>(*best))
        {
            best = sub.qos;
        }
        // [MQTT5-3.3.1-12] RETAIN 0, unless Retain As Published [MQTT5-3.3.1-13].
        retain = retain || (sub.retainAsPublished && m->retain);
        if (sub.subscriptionId != 0)
        {
            ids.push_back(sub.subscriptionId);
        }
    }
    if (!best)
    {
        return false;
    }
    qos = DeliveryQos(m->qos, *best);
    if (!ids.empty())
    {
        // One copy for the session, carrying the identifiers of every matching subscription
        // [MQTT5-3.3.4-3], [MQTT5-3.3.4-4] (ascending, duplicates once).
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        auto copy = std::make_shared<MqttMessage>(*m);
        for (uint32_t id : ids)
        {
            copy->properties.AddNumber(PropertyId::SubscriptionIdentifier, id);
        }
        delivered = std::move(copy);
    }
    return true;
}

uint8_t
MqttBrokerEngine::Impl::SubscribeFailure5(const MqttBrokerConnection& conn,
                                          const TopicRequest& req) const
{
    if (!m_profile.sharedSubscriptions && req.filter.rfind("$share/", 0) == 0)
    {
        return static_cast<uint8_t>(ReasonCode::SharedSubscriptionsNotSupported);
    }
    if (!m_profile.wildcardSubscriptions &&
        req.filter.find_first_of("+#") != std::string::npos)
    {
        return static_cast<uint8_t>(ReasonCode::WildcardSubscriptionsNotSupported);
    }
    if (m_acl && !m_acl->MaySubscribe(conn.ClientId(), conn.UserName(), req.filter))
    {
        return static_cast<uint8_t>(ReasonCode::NotAuthorized);
    }
    return SUBACK_FAILURE; // no 5.0 reason more precise than Unspecified error
}

} // namespace mqtt
} // namespace ns3
