/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT 5.0 PUBLISHes in the client engine: what is kept of a message (properties, expiry time),
 * what the broker's CONNACK lets out (Maximum QoS, Retain Available, Maximum Packet Size, the
 * message not expired), the PUBLISH on the wire (remaining Message Expiry Interval, topic alias
 * policy), inbound topic aliases, and the send window of the broker's Receive Maximum.
 */
#include "mqtt-client-engine-impl.h"

#include "mqtt-codec-impl.h"
#include "mqtt-publish-properties.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

namespace
{

/** Whole seconds left before @p expiresAt, rounded up (what a re-sent interval says). */
uint32_t
SecondsLeft(Nanos expiresAt, Nanos now)
{
    const int64_t left = (expiresAt - now).count();
    if (left <= 0)
    {
        return 0;
    }
    return static_cast<uint32_t>((left + 999999999) / 1000000000);
}

} // namespace

std::size_t
MqttClientEngine::Impl::SendWindow() const
{
    // [MQTT5-3.3.4-7], [MQTT5-4.9.0-2]: no more than the broker's Receive Maximum.
    if (V5())
    {
        return std::min<std::size_t>(m_config.maxInflight, m_v5.server.receiveMaximum);
    }
    return m_config.maxInflight;
}

std::shared_ptr<MqttMessage>
MqttClientEngine::Impl::MakeMessage5(const std::string& topic,
                                     std::vector<uint8_t> payload,
                                     Qos qos,
                                     bool retain,
                                     Properties properties,
                                     Nanos now)
{
    auto message = std::make_shared<MqttMessage>();
    message->topic = topic;
    message->payload = std::move(payload);
    message->qos = qos;
    message->retain = retain;
    // The alias is ours to set; a client sends no Subscription Identifier [MQTT5-3.3.4-6].
    const uint32_t expiry =
        TakePerHopProperties(properties).value_or(m_config.messageExpiryInterval);
    message->properties = std::move(properties);
    // The interval counts from now: time in our queue is taken off what the broker is told.
    message->expiresAt = expiry != 0 ? now + std::chrono::seconds(expiry) : Nanos(0);
    return message;
}

bool
MqttClientEngine::Impl::Admit5(const MqttMessagePtr& message,
                               bool sentBefore,
                               Nanos now,
                               MqttActions& out)
{
    DropReason refused = DropReason::None;
    if (!sentBefore && message->expiresAt != Nanos(0) && now >= message->expiresAt)
    {
        // Expired while it waited in our queue. Once sent it is never expired by us: the
        // broker may have it [MQTT5-4.3.3-7].
        refused = DropReason::MessageExpired;
    }
    else if (static_cast<uint8_t>(message->qos) > static_cast<uint8_t>(m_v5.server.maximumQos))
    {
        refused = DropReason::QosNotSupported; // [MQTT5-3.2.2-11]
    }
    else if (message->retain && !m_v5.server.retainAvailable)
    {
        refused = DropReason::RetainNotAvailable; // [MQTT5-3.2.2-14]
    }
    else if (m_v5.server.maximumPacketSize != 0)
    {
        // [MQTT5-3.2.2-15]: sized as it would go with a new alias (the longest form).
        Properties props = message->properties;
        if (message->expiresAt != Nanos(0))
        {
            props.AddNumber(PropertyId::MessageExpiryInterval, 1);
        }
        if (std::min(m_config.outboundTopicAliases, m_v5.server.topicAliasMaximum) != 0)
        {
            props.AddNumber(PropertyId::TopicAlias, 1);
        }
        const std::size_t remaining = 2 + message->topic.size() +
                                      (message->qos == Qos::AtMostOnce ? 0 : 2) +
                                      wire::PropertySectionSize(props) + message->payload.size();
        if (1 + wire::VariableByteIntegerSize(remaining) + remaining > m_v5.server.maximumPacketSize)
        {
            refused = DropReason::PayloadTooLarge;
        }
    }
    if (refused == DropReason::None)
    {
        return true;
    }
    DeliverDropped(message, refused, 0, out);
    return false;
}

void
MqttClientEngine::Impl::SendPublish5(
    const MqttMessage& message, uint16_t packetId, bool dup, Nanos now, MqttActions& out)
{
    Properties props = message.properties;
    if (message.expiresAt != Nanos(0))
    {
        // What is left of the interval, at least 1 s for a message re-sent after it ran out
        // (the broker drops it then; the client does not, [MQTT5-4.3.3-7]).
        props.AddNumber(PropertyId::MessageExpiryInterval,
                        std::max<uint32_t>(SecondsLeft(message.expiresAt, now), 1));
    }
    // Topic alias policy: a topic gets the next free alias on its first PUBLISH of the
    // connection (topic name and alias), later PUBLISHes carry the alias and an empty topic.
    // Aliases are never reassigned; topics beyond the limit go with their name.
    std::string_view topic = message.topic;
    const uint16_t limit = std::min(m_config.outboundTopicAliases, m_v5.server.topicAliasMaximum);
    if (limit != 0) // [MQTT5-3.2.2-18]: none when the broker allows none
    {
        auto known = m_v5.outboundAliases.find(message.topic);
        if (known != m_v5.outboundAliases.end())
        {
            props.AddNumber(PropertyId::TopicAlias, known->second);
            topic = std::string_view();
        }
        else if (m_v5.nextOutboundAlias <= limit) // [MQTT5-3.2.2-17], [MQTT5-3.3.2-9]
        {
            const uint16_t alias = m_v5.nextOutboundAlias++;
            m_v5.outboundAliases.emplace(message.topic, alias);
            props.AddNumber(PropertyId::TopicAlias, alias);
        }
    }
    SendAction action;
    action.connection = m_connection;
    EncodePublish5(dup,
                   message.qos,
                   message.retain,
                   topic,
                   packetId,
                   props,
                   message.payload.data(),
                   message.payload.size(),
                   action.bytes);
    out.emplace_back(std::move(action));
    m_lastSend = now;
}

bool
MqttClientEngine::Impl::ResolveInbound5(PublishPacket& publish, Nanos now, MqttActions& out)
{
    std::optional<uint32_t> alias = publish.properties.Number(PropertyId::TopicAlias);
    if (!alias)
    {
        return true;
    }
    if (*alias > m_config.topicAliasMaximum)
    {
        // Above the maximum of our CONNECT (0 when we allow none): DISCONNECT 0x94 (3.3.2.3.4).
        // Every alias from 1 to it is accepted [MQTT5-3.3.2-10].
        Violation5(ReasonCode::TopicAliasInvalid, 0, now, out);
        return false;
    }
    const auto key = static_cast<uint16_t>(*alias);
    if (publish.topic.empty())
    {
        auto it = m_v5.inboundAliases.find(key);
        if (it == m_v5.inboundAliases.end())
        {
            Violation5(ReasonCode::ProtocolError, 0, now, out); // an alias never set
            return false;
        }
        publish.topic = it->second;
    }
    else
    {
        m_v5.inboundAliases[key] = publish.topic;
    }
    // The alias is per hop: the application sees the topic name.
    auto& items = publish.properties.items;
    items.erase(std::remove_if(items.begin(),
                               items.end(),
                               [](const Property& p) { return p.id == PropertyId::TopicAlias; }),
                items.end());
    return true;
}

} // namespace mqtt
} // namespace ns3
