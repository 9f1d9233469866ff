/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Application requests: publish, subscribe and unsubscribe, checked, queued in request order and
 * sent while the in-flight window and the packet ids allow (Pump).
 */
#include "mqtt-client-engine-impl.h"

#include "mqtt-topic.h"

#include <cstddef>

namespace ns3
{
namespace mqtt
{

void
MqttClientEngine::Impl::Pump(Nanos now, MqttActions& out)
{
    // 3.1.1: strictly in request order. 5.0: a publish waiting for the window does not hold
    // back the subscribes and unsubscribes behind it [MQTT5-3.3.4-8], [MQTT5-4.9.0-3]; the
    // publishes keep their order.
    std::size_t i = 0;
    while (i < m_queue.size())
    {
        Request& front = m_queue[i];
        bool publish = front.kind == Kind::Publish;
        if (publish && m_inflightPublishes >= SendWindow())
        {
            // The window is full; later requests wait behind this one (3.1.1) ...
            if (!V5() || m_queue.size() == m_queuedPublishes)
            {
                return;
            }
            ++i; // ... or only later publishes do (5.0)
            continue;
        }
        if (publish && V5() && !Admit5(front.message, false, now, out))
        {
            --m_queuedPublishes;
            m_queue.erase(m_queue.begin() + static_cast<std::ptrdiff_t>(i));
            continue;
        }
        if (front.kind == Kind::Subscribe && V5() && !AdmitSubscribe5(front, out))
        {
            m_queue.erase(m_queue.begin() + static_cast<std::ptrdiff_t>(i));
            continue;
        }
        // An id not in use [MQTT-2.3.1-2]; when all are taken, wait for an ack to free one.
        uint16_t packetId = m_ids.Allocate();
        if (packetId == 0)
        {
            return;
        }
        InFlight entry;
        entry.packetId = packetId;
        switch (front.kind)
        {
        case Kind::Publish:
            entry.stage =
                front.message->qos == Qos::AtLeastOnce ? Stage::AwaitPuback : Stage::AwaitPubrec;
            --m_queuedPublishes;
            ++m_inflightPublishes;
            break;
        case Kind::Subscribe:
            entry.stage = Stage::AwaitSuback;
            break;
        case Kind::Unsubscribe:
            entry.stage = Stage::AwaitUnsuback;
            break;
        }
        entry.request = std::move(front);
        m_queue.erase(m_queue.begin() + static_cast<std::ptrdiff_t>(i));
        uint64_t order = m_nextSendOrder++;
        m_orderById[packetId] = order;
        InFlight& stored = m_inflight.emplace(order, std::move(entry)).first->second;
        // A first send has DUP = 0 [MQTT-4.3.2-1], [MQTT-4.3.3-1].
        SendRequest(stored, false, now, out);
    }
}

uint64_t
MqttClientEngine::Impl::Publish(const std::string& topic,
                                std::vector<uint8_t> payload,
                                Qos qos,
                                bool retain,
                                Properties properties,
                                Nanos now,
                                MqttActions& out)
{
    uint64_t id = ++m_lastPublishId;
    DropReason refused = DropReason::None;
    if (!ValidQos(qos))
    {
        refused = DropReason::QosNotSupported;
    }
    else if (ValidateTopicName(topic) != TopicError::None)
    {
        refused = DropReason::TopicRejected;
    }
    else if (2 + topic.size() + (qos == Qos::AtMostOnce ? 0 : 2) + payload.size() >
             MAX_REMAINING_LENGTH)
    {
        refused = DropReason::PayloadTooLarge;
    }
    else if (qos == Qos::AtMostOnce && m_state != ClientState::Connected)
    {
        refused = DropReason::QosZeroOffline;
    }
    else if (qos != Qos::AtMostOnce &&
             m_queuedPublishes + m_inflightPublishes >= m_config.maxQueued)
    {
        refused = DropReason::QueueFull;
    }

    if (qos == Qos::AtMostOnce && refused == DropReason::None && !V5())
    {
        // QoS 0: sent once with DUP = 0, never kept [MQTT-4.3.1-1]; no message object needed.
        SendPublish(false, qos, retain, topic, 0, payload, now, out);
        return id;
    }
    std::shared_ptr<MqttMessage> message;
    if (V5())
    {
        message = MakeMessage5(topic, std::move(payload), qos, retain, std::move(properties), now);
    }
    else
    {
        message = std::make_shared<MqttMessage>();
        message->topic = topic;
        message->payload = std::move(payload);
        message->qos = qos;
        message->retain = retain;
    }
    message->id = id;
    if (qos == Qos::AtMostOnce && refused == DropReason::None)
    {
        // 5.0 QoS 0: within the broker's limits, sent once with DUP = 0 [MQTT5-4.3.1-1].
        if (Admit5(message, false, now, out))
        {
            SendPublish5(*message, 0, false, now, out);
        }
        return id;
    }
    if (refused != DropReason::None)
    {
        DeliverDropped(message, refused, 0, out);
        return id;
    }
    Request request;
    request.kind = Kind::Publish;
    request.message = std::move(message);
    ++m_queuedPublishes;
    Enqueue(std::move(request), now, out);
    return id;
}

void
MqttClientEngine::Impl::Enqueue(Request request, Nanos now, MqttActions& out)
{
    m_queue.push_back(std::move(request));
    if (m_state == ClientState::Connected)
    {
        Pump(now, out);
    }
}

void
MqttClientEngine::Impl::Submit(Request request, bool valid, Nanos now, MqttActions& out)
{
    if (valid)
    {
        Enqueue(std::move(request), now, out);
        return;
    }
    if (request.kind == Kind::Unsubscribe)
    {
        DenyRequest(request.filters, out);
        return;
    }
    std::vector<std::string> filters;
    for (const auto& topic : request.topics)
    {
        filters.push_back(topic.filter);
    }
    DenyRequest(filters, out);
}

void
MqttClientEngine::Impl::Subscribe(std::vector<TopicRequest> topics,
                                  Properties properties,
                                  Nanos now,
                                  MqttActions& out)
{
    std::size_t size = 2;
    bool valid = !topics.empty();
    for (const auto& topic : topics)
    {
        size += 2 + topic.filter.size() + 1;
        valid =
            valid && ValidQos(topic.qos) && ValidateTopicFilter(topic.filter) == TopicError::None;
    }
    if (V5())
    {
        // A SUBSCRIBE carries one Subscription Identifier, 1 to 268,435,455 (3.8.2.1.2), and
        // User Properties; anything else would not decode at the broker.
        int identifiers = 0;
        for (const Property& prop : properties.items)
        {
            const bool identifier = prop.id == PropertyId::SubscriptionIdentifier;
            identifiers += identifier ? 1 : 0;
            valid =
                valid && (prop.id == PropertyId::UserProperty ||
                          (identifier && prop.number != 0 && prop.number <= MAX_REMAINING_LENGTH));
        }
        valid = valid && identifiers <= 1;
    }
    Request request;
    request.kind = Kind::Subscribe;
    request.topics = std::move(topics);
    if (V5())
    {
        request.properties = std::move(properties);
    }
    Submit(std::move(request), valid && size <= MAX_REMAINING_LENGTH, now, out);
}

void
MqttClientEngine::Impl::Unsubscribe(std::vector<std::string> filters, Nanos now, MqttActions& out)
{
    std::size_t size = 2;
    bool valid = !filters.empty();
    for (const auto& filter : filters)
    {
        size += 2 + filter.size();
        valid = valid && ValidateTopicFilter(filter) == TopicError::None;
    }
    Request request;
    request.kind = Kind::Unsubscribe;
    request.filters = std::move(filters);
    Submit(std::move(request), valid && size <= MAX_REMAINING_LENGTH, now, out);
}

} // namespace mqtt
} // namespace ns3
