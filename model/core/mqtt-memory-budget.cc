/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-memory-budget.h"

#include "mqtt-message.h"

#include <utility>

namespace ns3
{
namespace mqtt
{

namespace
{

// Heap overheads besides the bytes a thing carries, per thing (glibc malloc, 64-bit). Measured
// with the hostile tests (doc/real-socket.md, "Memory limit"); deliberately on the high side, so
// the limit is met in VmRSS too.
/** MqttMessage, its shared_ptr control block, the queue or store entries pointing at it. */
constexpr std::size_t MESSAGE_OVERHEAD = 256;
/** MqttSession, its entries in the session store's two maps, its timers and durable marks. */
constexpr std::size_t SESSION_OVERHEAD = 512;
/** The session's subscription entry and the topic-tree node and subscriber entry. */
constexpr std::size_t SUBSCRIPTION_OVERHEAD = 320;
/** A std::set<uint16_t> node: three pointers, the colour and the id, in a 48-byte chunk. */
constexpr std::size_t INBOUND_QOS2_COST = 48;

constexpr std::size_t
Index(MemoryUse use)
{
    return static_cast<std::size_t>(use);
}

} // namespace

const char*
MemoryUseName(MemoryUse use)
{
    switch (use)
    {
    case MemoryUse::PartialPackets:
        return "partial-packets";
    case MemoryUse::Messages:
        return "messages";
    case MemoryUse::Sessions:
        return "sessions";
    case MemoryUse::Subscriptions:
        return "subscriptions";
    case MemoryUse::InboundQos2:
        return "inbound-qos2";
    case MemoryUse::OutputBuffers:
        return "output-buffers";
    case MemoryUse::PacketHandling:
        return "packet-handling";
    case MemoryUse::Wills:
        return "wills";
    case MemoryUse::TopicAliases:
        return "topic-aliases";
    case MemoryUse::Count:
        break;
    }
    return "unknown";
}

MqttMemoryBudget::MqttMemoryBudget(std::size_t limit)
    : m_limit(limit)
{
}

std::size_t
MqttMemoryBudget::Limit() const
{
    return m_limit;
}

bool
MqttMemoryBudget::Enabled() const
{
    return m_limit != 0;
}

std::size_t
MqttMemoryBudget::Used() const
{
    return m_used;
}

std::size_t
MqttMemoryBudget::Used(MemoryUse use) const
{
    return m_byUse[Index(use)];
}

bool
MqttMemoryBudget::Fits(std::size_t bytes) const
{
    return m_limit == 0 || (m_used <= m_limit && bytes <= m_limit - m_used);
}

bool
MqttMemoryBudget::TryCharge(MemoryUse use, std::size_t bytes)
{
    if (!Fits(bytes))
    {
        ++m_refused[Index(use)];
        return false;
    }
    Charge(use, bytes);
    return true;
}

bool
MqttMemoryBudget::RefuseIfOver(MemoryUse use)
{
    if (m_limit == 0 || m_used <= m_limit)
    {
        return false;
    }
    ++m_refused[Index(use)];
    return true;
}

void
MqttMemoryBudget::Charge(MemoryUse use, std::size_t bytes)
{
    m_used += bytes;
    m_byUse[Index(use)] += bytes;
}

void
MqttMemoryBudget::Release(MemoryUse use, std::size_t bytes)
{
    // Never below zero, whatever a caller releases (a bug there must not wrap the sum).
    std::size_t& mine = m_byUse[Index(use)];
    const std::size_t n = bytes < mine ? bytes : mine;
    mine -= n;
    m_used -= n;
}

uint64_t
MqttMemoryBudget::Refused(MemoryUse use) const
{
    return m_refused[Index(use)];
}

bool
MqttMemoryBudget::Partial(uint64_t connection, std::size_t buffered)
{
    return PerConnection(MemoryUse::PartialPackets, m_partial, connection, buffered);
}

void
MqttMemoryBudget::ForgetPartial(uint64_t connection)
{
    Forget(MemoryUse::PartialPackets, m_partial, connection);
}

bool
MqttMemoryBudget::Output(uint64_t connection, std::size_t unsent)
{
    return PerConnection(MemoryUse::OutputBuffers, m_output, connection, unsent);
}

void
MqttMemoryBudget::ForgetOutput(uint64_t connection)
{
    Forget(MemoryUse::OutputBuffers, m_output, connection);
    m_produced.erase(connection);
}

bool
MqttMemoryBudget::Produced(uint64_t connection, std::size_t bytes, bool refusable)
{
    auto it = m_output.find(connection);
    const std::size_t held = it == m_output.end() ? 0 : it->second;
    if (refusable)
    {
        if (!PerConnection(MemoryUse::OutputBuffers, m_output, connection, held + bytes))
        {
            auto produced = m_produced.find(connection);
            const std::size_t before = held - (produced == m_produced.end() ? 0 : produced->second);
            if (before > PARTIAL_ALLOWANCE &&
                (m_slowReaders.empty() || m_slowReaders.back() != connection))
            {
                m_slowReaders.push_back(connection);
            }
            return false;
        }
    }
    else
    {
        Charge(MemoryUse::OutputBuffers, bytes);
        m_output[connection] = held + bytes;
    }
    m_produced[connection] += bytes;
    return true;
}

std::vector<uint64_t>
MqttMemoryBudget::TakeSlowReaders()
{
    std::vector<uint64_t> slow;
    slow.swap(m_slowReaders);
    return slow;
}

void
MqttMemoryBudget::EndProduced()
{
    for (const auto& [connection, bytes] : m_produced)
    {
        auto it = m_output.find(connection);
        if (it == m_output.end())
        {
            continue;
        }
        const std::size_t n = bytes < it->second ? bytes : it->second;
        Release(MemoryUse::OutputBuffers, n);
        it->second -= n;
        if (it->second == 0)
        {
            m_output.erase(it);
        }
    }
    m_produced.clear();
}

bool
MqttMemoryBudget::PerConnection(MemoryUse use,
                                std::unordered_map<uint64_t, std::size_t>& held,
                                uint64_t connection,
                                std::size_t bytes)
{
    auto it = held.find(connection);
    const std::size_t before = it == held.end() ? 0 : it->second;
    if (bytes <= before)
    {
        Release(use, before - bytes);
    }
    else if (bytes <= PARTIAL_ALLOWANCE)
    {
        Charge(use, bytes - before);
    }
    else if (!TryCharge(use, bytes - before))
    {
        return false;
    }
    if (bytes == 0)
    {
        if (it != held.end())
        {
            held.erase(it);
        }
    }
    else if (it == held.end())
    {
        held.emplace(connection, bytes);
    }
    else
    {
        it->second = bytes;
    }
    return true;
}

void
MqttMemoryBudget::Forget(MemoryUse use,
                         std::unordered_map<uint64_t, std::size_t>& held,
                         uint64_t connection)
{
    auto it = held.find(connection);
    if (it != held.end())
    {
        Release(use, it->second);
        held.erase(it);
    }
}

std::size_t
MqttMemoryBudget::MessageCost(const MqttMessage& m)
{
    return MessageCost(m.publisherId.size(), m.topic.size(), m.payload.size());
}

std::size_t
MqttMemoryBudget::MessageCost(std::size_t publisherId, std::size_t topic, std::size_t payload)
{
    return MESSAGE_OVERHEAD + publisherId + topic + payload;
}

std::size_t
MqttMemoryBudget::SessionCost(std::string_view clientId)
{
    // The client id is kept by the session and as the store's key.
    return SESSION_OVERHEAD + 2 * clientId.size();
}

std::size_t
MqttMemoryBudget::SubscriptionCost(std::string_view filter)
{
    // The filter is kept by the session and, level by level, by the topic tree.
    return SUBSCRIPTION_OVERHEAD + 2 * filter.size();
}

std::size_t
MqttMemoryBudget::InboundQos2Cost()
{
    return INBOUND_QOS2_COST;
}

MqttMemoryCharge::MqttMemoryCharge(std::shared_ptr<MqttMemoryBudget> budget,
                                   MemoryUse use,
                                   std::size_t bytes)
    : m_budget(std::move(budget))
    , m_use(use)
    , m_bytes(bytes)
{
    if (m_budget)
    {
        m_budget->Charge(m_use, m_bytes);
    }
}

MqttMemoryCharge::~MqttMemoryCharge()
{
    Release();
}

MqttMemoryCharge::MqttMemoryCharge(MqttMemoryCharge&& other) noexcept
    : m_budget(std::move(other.m_budget))
    , m_use(other.m_use)
    , m_bytes(other.m_bytes)
{
    other.m_budget = nullptr;
    other.m_bytes = 0;
}

MqttMemoryCharge&
MqttMemoryCharge::operator=(MqttMemoryCharge&& other) noexcept
{
    if (this != &other)
    {
        Release();
        m_budget = std::move(other.m_budget);
        m_use = other.m_use;
        m_bytes = other.m_bytes;
        other.m_budget = nullptr;
        other.m_bytes = 0;
    }
    return *this;
}

std::size_t
MqttMemoryCharge::Bytes() const
{
    return m_bytes;
}

void
MqttMemoryCharge::Release()
{
    if (m_budget)
    {
        m_budget->Release(m_use, m_bytes);
        m_budget = nullptr;
        m_bytes = 0;
    }
}

} // namespace mqtt
} // namespace ns3
