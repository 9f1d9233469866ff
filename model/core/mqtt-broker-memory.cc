/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The memory budget (profile memoryLimit, MqttMemoryBudget): what the engine stores is charged
 * where it is created and released where it goes, and what would pass the limit is refused.
 *
 * Rules: a partial packet over the limit closes its own connection (its peer is the one sending
 * it), unless it is small (PARTIAL_ALLOWANCE). A message is charged when it is made; while the
 * charges are over the limit it is not queued for a session (dropped for that subscriber) nor
 * stored as a new retained topic (still forwarded). A message that only passes through, or goes
 * into an in-flight window (bounded by the profile), is never refused, so clients that keep up
 * are served whatever fills the budget. A new session gets CONNACK 3 (Server unavailable,
 * 3.1.1's "not now"); a new subscription gets 0x80 [MQTT-3.9.3-2]. What exists already is
 * never taken away.
 */
#include "mqtt-broker-engine-impl.h"

#include "mqtt-frame-reader.h"

namespace ns3
{
namespace mqtt
{

const MqttMemoryBudget&
MqttBrokerEngine::Memory() const
{
    return *m_impl->m_memory;
}

bool
MqttBrokerEngine::Impl::ChargePartialPacket(MqttBrokerConnection& conn, Nanos now, MqttActions& out)
{
    if (!m_memory->Enabled() || m_memory->Partial(conn.Id(), conn.Reader().Buffered()))
    {
        return true;
    }
    CloseWithWill(conn, CloseReason::MemoryLimit, now, out);
    return false;
}

bool
MqttBrokerEngine::Impl::MemoryRefusesToKeep()
{
    return m_memory->RefuseIfOver(MemoryUse::Messages);
}

std::shared_ptr<MqttMessage>
MqttBrokerEngine::Impl::NewMessage()
{
    if (!m_memory->Enabled())
    {
        return std::make_shared<MqttMessage>();
    }
    // The last holder (queue, window, retained store, event) gives the bytes back.
    std::shared_ptr<MqttMemoryBudget> budget = m_memory;
    return std::shared_ptr<MqttMessage>(new MqttMessage,
                                        [budget](MqttMessage* m)
                                        {
                                            budget->Release(MemoryUse::Messages,
                                                            MqttMemoryBudget::MessageCost(*m));
                                            delete m;
                                        });
}

void
MqttBrokerEngine::Impl::ChargeMessage(const MqttMessage& m)
{
    if (m_memory->Enabled())
    {
        m_memory->Charge(MemoryUse::Messages, MqttMemoryBudget::MessageCost(m));
    }
}

bool
MqttBrokerEngine::Impl::MemoryRefusesSession(const std::string& clientId)
{
    const std::size_t cost = MqttMemoryBudget::SessionCost(clientId);
    if (!m_memory->Enabled() || m_memory->Fits(cost))
    {
        return false;
    }
    m_memory->TryCharge(MemoryUse::Sessions, cost); // counts the refusal
    return true;
}

void
MqttBrokerEngine::Impl::ChargeSession(const std::string& clientId)
{
    if (m_memory->Enabled())
    {
        m_memory->Charge(MemoryUse::Sessions, MqttMemoryBudget::SessionCost(clientId));
    }
}

void
MqttBrokerEngine::Impl::ReleaseSession(const MqttSession& s)
{
    if (!m_memory->Enabled())
    {
        return;
    }
    m_memory->Release(MemoryUse::Sessions, MqttMemoryBudget::SessionCost(s.ClientId()));
    for (const MqttSubscription& sub : s.Subscriptions())
    {
        ReleaseSubscription(sub.filter);
    }
}

bool
MqttBrokerEngine::Impl::ChargeSubscription(const std::string& filter, bool force)
{
    if (!m_memory->Enabled())
    {
        return true;
    }
    const std::size_t cost = MqttMemoryBudget::SubscriptionCost(filter);
    if (force)
    {
        m_memory->Charge(MemoryUse::Subscriptions, cost);
        return true;
    }
    return m_memory->TryCharge(MemoryUse::Subscriptions, cost);
}

void
MqttBrokerEngine::Impl::ReleaseSubscription(const std::string& filter)
{
    if (m_memory->Enabled())
    {
        m_memory->Release(MemoryUse::Subscriptions, MqttMemoryBudget::SubscriptionCost(filter));
    }
}

} // namespace mqtt
} // namespace ns3
