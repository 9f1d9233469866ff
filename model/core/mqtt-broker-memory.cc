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
 *
 * A connection that has not sent its CONNECT yet has an allowance of 8 KiB only
 * (PRE_CONNECT_ALLOWANCE): thousands of connections each trickling 64 KiB of a CONNECT would
 * otherwise pass any limit.
 *
 * The same rule as for partial packets holds for what the peer alone makes the broker hold: a
 * new inbound QoS 2 id over the limit, once the session holds INBOUND_QOS2_ALLOWANCE, closes its
 * connection unacknowledged (the publisher sends it again after reconnecting); so does output the
 * driver could not write past PARTIAL_ALLOWANCE (a subscriber that does not read), and a packet
 * whose handling (HandlingFootprint: a SUBSCRIBE of 100,000 filters) would pass the limit, found
 * before it is decoded. Handling over the allowance is charged until the end of the driver's
 * call (so the subscriptions of a huge SUBSCRIBE are decided beside it); within it, not at all.
 *
 * The deliveries a call writes are charged to their connection's output as they are written
 * (ChargeDelivery), until the call ends and the driver reports what it holds: a SUBSCRIBE that
 * matches 1,000 retained messages, or one large message fanned out to many subscribers, cannot
 * make more than the budget in one call. A QoS 0 copy past the allowance that would pass the
 * limit is dropped and reported (MessageDropped MemoryLimit), the connection kept: its
 * subscriber did nothing wrong, and closing it would close it again at each resubscription.
 * QoS 1 and 2 copies are charged, never refused: the in-flight window bounds them and the rest
 * wait in the session's queue. A connection whose copy is refused while its driver already held
 * more than the allowance for it is a peer that does not read: it is closed at the end of the
 * call (CloseSlowReaders), as a report of that output over the limit would close it.
 *
 * A will is charged as a message from its CONNECT until it is published or discarded, and moves
 * with a 5.0 delayed will (MqttMemoryCharge): a CONNECT whose will is over the allowance and would
 * pass the limit gets CONNACK 3 (Server unavailable), like a new session; a small one is always
 * taken, so a device that reconnects with an ordinary will is never refused for it.
 *
 * The topics a 5.0 client sets as topic aliases (up to our Topic Alias Maximum, each as long as
 * a topic may be) are the client's doing: past the allowance, an alias that would pass the limit
 * closes its connection (DISCONNECT 0x97 Quota exceeded, CloseReason::MemoryLimit).
 */
#include "mqtt-broker-engine-impl.h"

#include "mqtt-frame-reader.h"
#include "mqtt-packet-footprint.h"

namespace ns3
{
namespace mqtt
{

namespace
{

/**
 * Inbound QoS 2 ids a session may hold whatever the budget: more than a client's usual window
 * (mosquitto's max_inflight_messages is 20), so a well-behaved publisher is never refused.
 */
constexpr std::size_t INBOUND_QOS2_ALLOWANCE = 32;

/**
 * What a connection that has not sent its CONNECT yet may buffer whatever the budget: a CONNECT
 * with credentials and a small will. The 64 KiB allowance of a client (PARTIAL_ALLOWANCE) times
 * thousands of connections that never send a whole CONNECT would be unbounded.
 */
constexpr std::size_t PRE_CONNECT_ALLOWANCE = 8 * 1024;

/** A topic alias besides its topic's bytes: the std::map node and the std::string. */
constexpr std::size_t ALIAS_OVERHEAD = 80;

} // namespace

const MqttMemoryBudget&
MqttBrokerEngine::Memory() const
{
    return *m_impl->m_memory;
}

void
MqttBrokerEngine::OnOutputBuffered(ConnectionId connection,
                                   std::size_t unsent,
                                   Nanos now,
                                   MqttActions& out)
{
    const std::size_t mark = m_impl->BeginTurn(out);
    m_impl->OutputBuffered(connection, unsent, now, out);
    m_impl->CloseSlowReaders(now, out);
    m_impl->EndTurn(mark, out);
}

void
MqttBrokerEngine::Impl::OutputBuffered(ConnectionId id,
                                       std::size_t unsent,
                                       Nanos now,
                                       MqttActions& out)
{
    m_now = now;
    auto it = m_connections.find(id);
    if (!m_memory->Enabled() || it == m_connections.end() || m_memory->Output(id, unsent))
    {
        return;
    }
    CloseWithWill(*it->second, CloseReason::MemoryLimit, now, out);
    ProcessResumed(now, out);
}

void
MqttBrokerEngine::Impl::CloseSlowReaders(Nanos now, MqttActions& out)
{
    if (!m_memory->Enabled())
    {
        return;
    }
    // A close publishes a will and lets paused publishers go on: their deliveries may find more.
    for (std::vector<uint64_t> slow = m_memory->TakeSlowReaders(); !slow.empty();
         slow = m_memory->TakeSlowReaders())
    {
        for (uint64_t id : slow)
        {
            auto it = m_connections.find(id);
            if (it != m_connections.end())
            {
                CloseWithWill(*it->second, CloseReason::MemoryLimit, now, out);
            }
        }
        ProcessResumed(now, out);
    }
}

bool
MqttBrokerEngine::Impl::ChargePacketHandling(MqttBrokerConnection& conn,
                                             Nanos now,
                                             MqttActions& out)
{
    const auto [packet, size] = conn.Reader().PeekPacket();
    const std::size_t cost =
        HandlingFootprint(packet, size, conn.Reader().Version(), conn.ClientId().size());
    if (cost <= MqttMemoryBudget::PARTIAL_ALLOWANCE)
    {
        // Within the allowance: not charged at all, so that the subscriptions of an ordinary
        // SUBSCRIBE are decided as before.
        return true;
    }
    if (!m_memory->TryCharge(MemoryUse::PacketHandling, cost))
    {
        CloseWithWill(conn, CloseReason::MemoryLimit, now, out);
        return false;
    }
    m_handlingCharged += cost;
    return true;
}

void
MqttBrokerEngine::Impl::ReleasePacketHandling()
{
    if (m_handlingCharged != 0)
    {
        m_memory->Release(MemoryUse::PacketHandling, m_handlingCharged);
        m_handlingCharged = 0;
    }
    // The deliveries the call wrote go to the driver, which reports what it cannot write.
    m_memory->EndProduced();
}

bool
MqttBrokerEngine::Impl::ChargeWill(MqttBrokerConnection& conn,
                                   const std::string& clientId,
                                   const Will& will)
{
    if (!m_memory->Enabled())
    {
        return true;
    }
    const std::size_t cost =
        MqttMemoryBudget::MessageCost(clientId.size(), will.topic.size(), will.payload.size());
    if (cost > MqttMemoryBudget::PARTIAL_ALLOWANCE && !m_memory->Fits(cost))
    {
        m_memory->TryCharge(MemoryUse::Wills, cost); // counts the refusal
        return false;
    }
    conn.WillCharge() = MqttMemoryCharge(m_memory, MemoryUse::Wills, cost);
    return true;
}

bool
MqttBrokerEngine::Impl::ChargeInboundAlias5(MqttBrokerConnection& conn,
                                            uint16_t alias,
                                            std::size_t topicSize)
{
    Mqtt5ConnectionState& v5 = *conn.V5();
    auto it = v5.inboundAliases.find(alias);
    const std::size_t replaced =
        it == v5.inboundAliases.end() ? 0 : ALIAS_OVERHEAD + it->second.size();
    const std::size_t bytes = v5.inboundAliasBytes - replaced + ALIAS_OVERHEAD + topicSize;
    if (m_memory->Enabled())
    {
        const std::size_t charged = v5.inboundAliasCharge.Bytes();
        if (bytes > charged && bytes > MqttMemoryBudget::PARTIAL_ALLOWANCE &&
            !m_memory->Fits(bytes - charged))
        {
            m_memory->TryCharge(MemoryUse::TopicAliases, bytes - charged); // counts the refusal
            return false;
        }
        // The new charge is made before the old one is given back.
        v5.inboundAliasCharge = MqttMemoryCharge(m_memory, MemoryUse::TopicAliases, bytes);
    }
    v5.inboundAliasBytes = bytes;
    return true;
}

bool
MqttBrokerEngine::Impl::ChargeDelivery(ConnectionId id, std::size_t bytes, bool refusable)
{
    return !m_memory->Enabled() || m_memory->Produced(id, bytes, refusable);
}

bool
MqttBrokerEngine::Impl::AdmitInboundQos2(const MqttSession& s)
{
    if (!m_memory->Enabled())
    {
        return true;
    }
    if (s.InboundQos2Count() < INBOUND_QOS2_ALLOWANCE)
    {
        m_memory->Charge(MemoryUse::InboundQos2, MqttMemoryBudget::InboundQos2Cost());
        return true;
    }
    return m_memory->TryCharge(MemoryUse::InboundQos2, MqttMemoryBudget::InboundQos2Cost());
}

void
MqttBrokerEngine::Impl::ChargeInboundQos2(std::size_t count)
{
    if (m_memory->Enabled())
    {
        m_memory->Charge(MemoryUse::InboundQos2, count * MqttMemoryBudget::InboundQos2Cost());
    }
}

void
MqttBrokerEngine::Impl::ReleaseInboundQos2(std::size_t count)
{
    if (m_memory->Enabled())
    {
        m_memory->Release(MemoryUse::InboundQos2, count * MqttMemoryBudget::InboundQos2Cost());
    }
}

bool
MqttBrokerEngine::Impl::ChargePartialPacket(MqttBrokerConnection& conn, Nanos now, MqttActions& out)
{
    if (!m_memory->Enabled())
    {
        return true;
    }
    const std::size_t buffered = conn.Reader().Buffered();
    if (conn.State() == BrokerConnectionState::AwaitingConnect && buffered > PRE_CONNECT_ALLOWANCE)
    {
        // No CONNECT yet: the allowance of a client is not for it. Its charge is replaced by
        // what it buffers now, if that fits.
        m_memory->ForgetPartial(conn.Id());
        if (!m_memory->TryCharge(MemoryUse::PartialPackets, buffered))
        {
            CloseWithWill(conn, CloseReason::MemoryLimit, now, out);
            return false;
        }
        m_memory->Release(MemoryUse::PartialPackets, buffered); // charged again per connection
    }
    if (m_memory->Partial(conn.Id(), buffered))
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
    ReleaseInboundQos2(s.InboundQos2Count());
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
