/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The memory budget (profile memoryLimit, MqttMemoryBudget): what the engine stores is charged
 * where it is created and released where it goes, and what would pass the limit is refused.
 *
 * Rules: a partial packet over the limit closes its own connection (the peer is the one sending
 * it); a PUBLISH over it is discarded without acknowledgement, so a QoS 1/2 publisher keeps it
 * and sends it again; a new session gets CONNACK 3 (Server unavailable, 3.1.1's "not now"); a
 * new subscription gets 0x80 [MQTT-3.9.3-2]. What exists already is never taken away.
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
MqttBrokerEngine::Impl::MemoryRefusesPublish(const std::string& publisherId, const PublishPacket& p)
{
    if (!m_memory->Enabled())
    {
        return false;
    }
    const std::size_t cost =
        MqttMemoryBudget::MessageCost(publisherId.size(), p.topic.size(), p.payload.size());
    if (m_memory->Fits(cost))
    {
        return false;
    }
    m_memory->TryCharge(MemoryUse::Messages, cost); // counts the refusal
    return true;
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
