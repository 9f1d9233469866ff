/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-session.h"

#include <algorithm>
#include <utility>

namespace ns3
{
namespace mqtt
{

namespace
{

/** Largest number of identifiers a session can have in flight (section 2.3.1). */
constexpr std::size_t MAX_PACKET_IDS = 65535;

} // namespace

MqttSession::MqttSession(std::string clientId, SubscriberId handle, bool cleanSession)
    : m_clientId(std::move(clientId))
    , m_handle(handle)
    , m_clean(cleanSession)
{
}

const std::string&
MqttSession::ClientId() const
{
    return m_clientId;
}

SubscriberId
MqttSession::Handle() const
{
    return m_handle;
}

bool
MqttSession::IsClean() const
{
    return m_clean;
}

void
MqttSession::SetClean(bool clean)
{
    m_clean = clean;
}

MqttBrokerConnection*
MqttSession::Connection() const
{
    return m_connection;
}

void
MqttSession::SetConnection(MqttBrokerConnection* connection)
{
    m_connection = connection;
}

const std::optional<std::string>&
MqttSession::UserName() const
{
    return m_userName;
}

void
MqttSession::SetUserName(const std::optional<std::string>& userName)
{
    m_userName = userName;
}

TimerId
MqttSession::ExpiryTimer() const
{
    return m_expiryTimer;
}

void
MqttSession::SetExpiryTimer(TimerId timer)
{
    m_expiryTimer = timer;
}

std::optional<Qos>
MqttSession::FindSubscription(std::string_view filter) const
{
    auto it = m_subscriptions.find(filter);
    if (it != m_subscriptions.end())
    {
        return it->qos;
    }
    return std::nullopt;
}

bool
MqttSession::AddSubscription(std::string_view filter, Qos qos, Nanos activeFrom)
{
    auto it = m_subscriptions.find(filter);
    if (it != m_subscriptions.end())
    {
        // Set elements are const: the replaced one goes back in its place with the new QoS.
        MqttSubscription replaced = *it;
        replaced.qos = qos;
        m_subscriptions.insert(m_subscriptions.erase(it), std::move(replaced));
        return true;
    }
    m_subscriptions.insert(MqttSubscription{std::string(filter), qos, activeFrom});
    m_pendingUntil = std::max(m_pendingUntil, activeFrom);
    return false;
}

void
MqttSession::SetOptions5(std::string_view filter,
                         bool noLocal,
                         bool retainAsPublished,
                         uint32_t subscriptionId)
{
    auto it = m_subscriptions.find(filter);
    if (it == m_subscriptions.end())
    {
        return;
    }
    // Set elements are const: the changed one goes back in its place (as in AddSubscription).
    MqttSubscription changed = *it;
    changed.noLocal = noLocal;
    changed.retainAsPublished = retainAsPublished;
    changed.subscriptionId = subscriptionId;
    m_subscriptions.insert(m_subscriptions.erase(it), std::move(changed));
    m_hasOptions5 = m_hasOptions5 || noLocal || retainAsPublished || subscriptionId != 0;
}

bool
MqttSession::HasOptions5() const
{
    return m_hasOptions5;
}

bool
MqttSession::HasPendingSubscriptions(Nanos now) const
{
    return now < m_pendingUntil;
}

bool
MqttSession::RemoveSubscription(std::string_view filter)
{
    auto it = m_subscriptions.find(filter);
    if (it == m_subscriptions.end())
    {
        return false;
    }
    m_subscriptions.erase(it);
    return true;
}

const MqttSubscriptions&
MqttSession::Subscriptions() const
{
    return m_subscriptions;
}

uint16_t
MqttSession::AllocatePacketId()
{
    if (m_inflight.size() >= MAX_PACKET_IDS)
    {
        return 0;
    }
    // Identifiers go round 1..65535; one still in flight is skipped, so with fewer than 65535
    // in flight the loop ends.
    for (;;)
    {
        uint16_t id = m_nextPacketId;
        m_nextPacketId = (id == 65535) ? 1 : static_cast<uint16_t>(id + 1);
        if (FindInflight(id) == nullptr)
        {
            return id;
        }
    }
}

InflightMessage&
MqttSession::AddInflight(InflightMessage message)
{
    // New ids go after every id added, so a restored session (whose deliveries come back with
    // their stored ids) does not hand out an id its subscriber has just acknowledged and may
    // acknowledge once more for the re-sent copy (BrokerPersistence, "ARestoredSession...").
    if (message.packetId >= m_nextPacketId)
    {
        m_nextPacketId =
            message.packetId == 65535 ? 1 : static_cast<uint16_t>(message.packetId + 1);
    }
    m_inflight.push_back(std::move(message));
    return m_inflight.back();
}

InflightMessage*
MqttSession::FindInflight(uint16_t packetId)
{
    // Acknowledgements mostly come in send order, so the match is usually the first entry.
    for (auto& m : m_inflight)
    {
        if (m.packetId == packetId)
        {
            return &m;
        }
    }
    return nullptr;
}

std::optional<InflightMessage>
MqttSession::TakeInflight(uint16_t packetId)
{
    for (auto it = m_inflight.begin(); it != m_inflight.end(); ++it)
    {
        if (it->packetId == packetId)
        {
            InflightMessage m = std::move(*it);
            m_inflight.erase(it);
            return m;
        }
    }
    return std::nullopt;
}

const std::vector<InflightMessage>&
MqttSession::Inflight() const
{
    return m_inflight;
}

std::vector<InflightMessage>&
MqttSession::Inflight()
{
    return m_inflight;
}

PacedDrain*
MqttSession::Paced()
{
    return m_paced.get();
}

PacedDrain&
MqttSession::StartPaced(double ratePerSecond)
{
    // A bucket of one: the first message at once, then one every 1 / rate.
    m_paced = std::make_unique<PacedDrain>();
    m_paced->limiter = MqttRateLimiter(ratePerSecond, 1);
    return *m_paced;
}

void
MqttSession::StopPaced()
{
    m_paced.reset();
}

std::size_t
MqttSession::QueuedCount() const
{
    return m_queue ? m_queue->size() : 0;
}

void
MqttSession::PushQueued(QueuedMessage message)
{
    if (!m_queue)
    {
        m_queue = std::make_unique<std::deque<QueuedMessage>>();
    }
    m_queue->push_back(std::move(message));
}

const QueuedMessage&
MqttSession::FrontQueued() const
{
    return m_queue->front();
}

QueuedMessage
MqttSession::PopQueued()
{
    QueuedMessage m = std::move(m_queue->front());
    m_queue->pop_front();
    return m;
}

std::vector<QueuedMessage>
MqttSession::TakeAllMessages()
{
    std::vector<QueuedMessage> all;
    all.reserve(m_inflight.size() + QueuedCount());
    for (auto& m : m_inflight)
    {
        all.push_back(QueuedMessage{std::move(m.message), m.qos, m.retain});
    }
    m_inflight.clear();
    if (m_queue)
    {
        for (auto& m : *m_queue)
        {
            all.push_back(std::move(m));
        }
        m_queue.reset();
    }
    m_inboundQos2.clear();
    return all;
}

bool
MqttSession::HasInboundQos2(uint16_t packetId) const
{
    return m_inboundQos2.count(packetId) != 0;
}

void
MqttSession::AddInboundQos2(uint16_t packetId)
{
    m_inboundQos2.insert(packetId);
}

bool
MqttSession::ReleaseInboundQos2(uint16_t packetId)
{
    return m_inboundQos2.erase(packetId) != 0;
}

std::size_t
MqttSession::InboundQos2Count() const
{
    return m_inboundQos2.size();
}

std::vector<uint16_t>
MqttSession::InboundQos2Ids() const
{
    return {m_inboundQos2.begin(), m_inboundQos2.end()};
}

} // namespace mqtt
} // namespace ns3
