/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Durable persistence: the changes of each driver call become one PersistAction (images of the
 * sessions and retained topics the call touched, and of the messages they refer to), and the
 * call's output waits until the driver reports that batch durable, so no PUBACK or PUBREC
 * leaves before the message it acknowledges is stored. Design: doc/broker-engine.md, "Durable
 * persistence".
 */
#include "mqtt-broker-engine-impl.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

namespace
{

/** How long a failed store waits before the whole state is written again. */
constexpr Nanos PERSIST_RETRY = std::chrono::seconds(1);

PersistOp
Op(PersistOp::Kind kind, std::string key = {}, uint64_t messageId = 0)
{
    PersistOp op;
    op.kind = kind;
    op.key = std::move(key);
    op.messageId = messageId;
    return op;
}

DurableDelivery
ToDurable(const MqttMessagePtr& m, Qos qos, bool retain)
{
    DurableDelivery d;
    d.messageId = m->id;
    d.qos = qos;
    d.retain = retain;
    // 5.0: the identifiers of this session's subscriptions that its copy of the message carries
    // (Route5, DeliverShared); the message image leaves them out.
    for (const Property& p : m->properties.items)
    {
        if (p.id == PropertyId::SubscriptionIdentifier)
        {
            d.subscriptionIds5.push_back(p.number);
        }
    }
    return d;
}

/** The message of a restored delivery: @p m, or a copy carrying the delivery's identifiers. */
MqttMessagePtr
WithSubscriptionIds(const MqttMessagePtr& m, const std::vector<uint32_t>& ids)
{
    if (ids.empty())
    {
        return m;
    }
    auto copy = std::make_shared<MqttMessage>(*m);
    for (uint32_t id : ids)
    {
        copy->properties.AddNumber(PropertyId::SubscriptionIdentifier, id);
    }
    return copy;
}

/**
 * Whether a packet the broker sends (by its first byte) tells the client that something is
 * stored, so must wait for the store: everything but PINGRESP and PUBLISH at QoS 0 or 1 (a QoS 1
 * delivery may arrive twice; a QoS 2 one carries a packet id the subscriber keeps until PUBREL,
 * so the id must be stored first).
 */
bool
WaitsForStore(uint8_t first)
{
    const auto type = static_cast<PacketType>(first >> 4);
    if (type == PacketType::Publish)
    {
        return ((first >> 1) & 0x03) == static_cast<uint8_t>(Qos::ExactlyOnce);
    }
    return type != PacketType::Pingresp;
}

/** Where the first packet of @p bytes that waits for the store starts (size: none). */
std::size_t
FirstWaiting(const std::vector<uint8_t>& bytes)
{
    std::size_t at = 0;
    while (at < bytes.size() && !WaitsForStore(bytes[at]))
    {
        at += EncodedPacketSize(bytes.data() + at, bytes.size() - at);
    }
    return std::min(at, bytes.size());
}

ConnectionId
TargetOf(const MqttAction& action)
{
    if (const auto* send = std::get_if<SendAction>(&action))
    {
        return send->connection;
    }
    return std::get<CloseAction>(action).connection;
}

} // namespace

void
MqttBrokerEngine::Impl::Ref(const MqttMessagePtr& m, std::vector<PersistOp>& ops)
{
    if (m_storedRefs[m->id]++ == 0)
    {
        PersistOp op = Op(PersistOp::Kind::PutMessage, {}, m->id);
        op.value = EncodeMessageImage(*m, m_now);
        ops.push_back(std::move(op));
    }
}

void
MqttBrokerEngine::Impl::PersistSession(const std::string& clientId,
                                       std::vector<PersistOp>& ops,
                                       std::vector<uint64_t>& unrefs)
{
    auto stored = m_storedSessions.find(clientId);
    if (stored != m_storedSessions.end())
    {
        unrefs.insert(unrefs.end(), stored->second.begin(), stored->second.end());
    }
    const MqttSession* s = m_sessions.Find(clientId);
    if (s == nullptr || s->IsClean())
    {
        if (stored != m_storedSessions.end())
        {
            ops.push_back(Op(PersistOp::Kind::DeleteSession, clientId));
            m_storedSessions.erase(stored);
        }
        return;
    }
    DurableSession d;
    d.userName = s->UserName();
    d.expiryInterval5 = s->ExpiryInterval5();
    std::vector<uint64_t> refs;
    for (const MqttSubscription& sub : s->Subscriptions())
    {
        d.subscriptions.emplace_back(sub.filter, sub.qos);
        if (s->HasOptions5())
        {
            d.options5.push_back({sub.noLocal, sub.retainAsPublished, sub.subscriptionId});
        }
    }
    auto groupKey = [this](uint32_t group) -> std::string
    {
        const MqttSharedGroup* g = group != 0 ? m_shared.Find(group) : nullptr;
        return g != nullptr ? g->key : std::string();
    };
    for (const InflightMessage& f : s->Inflight())
    {
        DurableDelivery delivery = ToDurable(f.message, f.qos, f.retain);
        delivery.packetId = f.packetId;
        delivery.state = static_cast<uint8_t>(f.state);
        delivery.sharedGroup5 = groupKey(f.sharedGroup);
        d.inflight.push_back(std::move(delivery));
        refs.push_back(f.message->id);
        Ref(f.message, ops);
    }
    s->ForEachQueued(
        [&](const QueuedMessage& q)
        {
            DurableDelivery delivery = ToDurable(q.message, q.qos, q.retain);
            delivery.sharedGroup5 = groupKey(q.sharedGroup);
            d.queued.push_back(std::move(delivery));
            refs.push_back(q.message->id);
            Ref(q.message, ops);
        });
    d.inboundQos2 = s->InboundQos2Ids();
    if (auto will = m_delayedWills.find(clientId); will != m_delayedWills.end())
    {
        d.will5 = DurableWill{
            will->second.will, will->second.userName, std::max(Nanos(1), will->second.due - m_now)};
    }
    PersistOp op = Op(PersistOp::Kind::PutSession, clientId);
    op.value = EncodeSessionImage(d);
    ops.push_back(std::move(op));
    m_storedSessions[clientId] = std::move(refs);
}

void
MqttBrokerEngine::Impl::PersistRetained(const std::string& topic,
                                        std::vector<PersistOp>& ops,
                                        std::vector<uint64_t>& unrefs)
{
    auto stored = m_storedRetained.find(topic);
    MqttMessagePtr m = m_retained.Find(topic);
    if (stored != m_storedRetained.end())
    {
        if (m != nullptr && m->id == stored->second)
        {
            return; // unchanged
        }
        unrefs.push_back(stored->second);
        m_storedRetained.erase(stored);
        if (m == nullptr)
        {
            ops.push_back(Op(PersistOp::Kind::DeleteRetained, topic));
        }
    }
    if (m != nullptr)
    {
        Ref(m, ops);
        ops.push_back(Op(PersistOp::Kind::PutRetained, topic, m->id));
        m_storedRetained.emplace(topic, m->id);
    }
}

void
MqttBrokerEngine::Impl::EndTurn(std::size_t mark, MqttActions& out)
{
    ReleasePacketHandling(); // the driver carries the actions out and frees them
    if (!m_durable || (m_storageFailed && !m_retryDue))
    {
        // While the store fails, changes wait for the retry (which writes everything) and the
        // output of the call (CONNACK 0x03 and closes) depends on nothing stored: it goes now.
        return;
    }
    m_retryDue = false;
    std::vector<PersistOp> ops;
    if (m_clearPending)
    {
        m_clearPending = false;
        m_clearBatch = m_batch + 1;
        ops.push_back(Op(PersistOp::Kind::Clear));
    }
    // References first, then releases: a message moving from one holder to another in the same
    // call is neither deleted nor written again.
    std::vector<uint64_t> unrefs;
    unrefs.swap(m_orphans);
    for (const std::string& clientId : m_dirtySessions)
    {
        PersistSession(clientId, ops, unrefs);
    }
    m_dirtySessions.clear();
    for (const std::string& topic : m_dirtyRetained)
    {
        PersistRetained(topic, ops, unrefs);
    }
    m_dirtyRetained.clear();
    for (uint64_t id : unrefs)
    {
        auto it = m_storedRefs.find(id);
        if (it != m_storedRefs.end() && --it->second == 0)
        {
            m_storedRefs.erase(it);
            ops.push_back(Op(PersistOp::Kind::DeleteMessage, {}, id));
        }
        else if (it == m_storedRefs.end())
        {
            ops.push_back(Op(PersistOp::Kind::DeleteMessage, {}, id)); // an orphan
        }
    }
    bool emitted = !ops.empty();
    if (emitted)
    {
        ++m_batch;
    }
    if (m_batch > m_durableBatch)
    {
        // Output of this call that tells a client something is stored waits for the batch,
        // and so does everything after it on the same connection (order per connection is
        // kept); the rest (QoS 0/1 deliveries, PINGRESP, closes of connections with nothing
        // held, timers, notifications) goes on.
        MqttActions kept;
        for (std::size_t i = mark; i < out.size(); ++i)
        {
            MqttAction& action = out[i];
            auto* send = std::get_if<SendAction>(&action);
            if (send == nullptr && !std::holds_alternative<CloseAction>(action))
            {
                kept.push_back(std::move(action));
                continue;
            }
            const ConnectionId id = TargetOf(action);
            std::size_t& held = m_heldPerConnection[id];
            if (held == 0 && send != nullptr)
            {
                const std::size_t split = FirstWaiting(send->bytes);
                if (split != 0)
                {
                    SendAction now{id, {send->bytes.begin(), send->bytes.begin() + split}};
                    send->bytes.erase(send->bytes.begin(), send->bytes.begin() + split);
                    kept.emplace_back(std::move(now));
                }
                if (send->bytes.empty())
                {
                    continue;
                }
            }
            else if (held == 0)
            {
                kept.push_back(std::move(action)); // a close with nothing held before it
                continue;
            }
            ++held;
            m_heldForStore.emplace_back(m_batch, std::move(action));
        }
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(mark), out.end());
        for (MqttAction& action : kept)
        {
            out.push_back(std::move(action));
        }
        for (auto it = m_heldPerConnection.begin(); it != m_heldPerConnection.end();)
        {
            it = it->second == 0 ? m_heldPerConnection.erase(it) : std::next(it);
        }
    }
    if (emitted)
    {
        out.emplace_back(PersistAction{m_batch, std::move(ops)});
    }
}

void
MqttBrokerEngine::Impl::OnPersisted(uint64_t batch, MqttActions& out)
{
    m_durableBatch = std::max(m_durableBatch, std::min(batch, m_batch));
    while (!m_heldForStore.empty() && m_heldForStore.front().first <= m_durableBatch)
    {
        MqttAction& action = m_heldForStore.front().second;
        auto it = m_heldPerConnection.find(TargetOf(action));
        if (it != m_heldPerConnection.end() && --it->second == 0)
        {
            m_heldPerConnection.erase(it);
        }
        out.push_back(std::move(action));
        m_heldForStore.pop_front();
    }
    if (m_storageFailed && m_clearBatch != 0 && m_durableBatch >= m_clearBatch)
    {
        m_storageFailed = false; // the whole state is stored again: serve
        m_shutdown = false;
    }
}

void
MqttBrokerEngine::Impl::OnPersistFailed(uint64_t /* batch */, Nanos now, MqttActions& out)
{
    // Nothing of what waited may be sent (it acknowledges what is not stored); the engine
    // forgot the connections it closed, so those closes still go out.
    for (auto& [waitFor, action] : m_heldForStore)
    {
        if (std::holds_alternative<CloseAction>(action))
        {
            out.push_back(std::move(action));
        }
    }
    m_heldForStore.clear();
    m_heldPerConnection.clear();
    m_durableBatch = m_batch; // the failed batches are abandoned: the retry rewrites everything
    if (!m_storageFailed)
    {
        m_storageFailed = true;
        m_clearBatch = 0;
        Shutdown(now, out); // every client disconnected: what it was not acknowledged it resends
    }
    // The state kept in memory is written whole when the store works again.
    MarkEverything();
    if (m_persistRetry == 0)
    {
        m_persistRetry = StartTimer(TimerKind::PersistRetry, 0, now + PERSIST_RETRY, out);
    }
}

void
MqttBrokerEngine::Impl::MarkEverything()
{
    m_clearPending = true;
    m_storedSessions.clear();
    m_storedRefs.clear();
    m_orphans.clear();
    for (const auto& entry : m_storedRetained)
    {
        m_dirtyRetained.insert(entry.first);
    }
    m_storedRetained.clear();
    m_sessions.ForEach(
        [this](MqttSession& s)
        {
            if (!s.IsClean())
            {
                m_dirtySessions.insert(s.ClientId());
            }
        });
}

void
MqttBrokerEngine::Impl::DropHeldFor(ConnectionId id)
{
    m_heldForStore.erase(std::remove_if(m_heldForStore.begin(),
                                        m_heldForStore.end(),
                                        [id](const auto& held)
                                        { return TargetOf(held.second) == id; }),
                         m_heldForStore.end());
    m_heldPerConnection.erase(id);
}

bool
MqttBrokerEngine::Impl::Restore(const MqttDurableState& state,
                                Nanos now,
                                MqttActions& out,
                                std::string& error)
{
    m_durable = true;
    std::unordered_map<uint64_t, MqttMessagePtr> messages;
    for (const auto& [id, bytes] : state.messages)
    {
        auto m = DecodeMessageImage(id, bytes);
        if (!m)
        {
            error = "message " + std::to_string(id) + " is not a message image";
            return false;
        }
        std::shared_ptr<MqttMessage> restored = NewMessage();
        *restored = std::move(*m);
        if (restored->expiresAt > Nanos(0))
        {
            // What was left of its Message Expiry when written counts again from the load,
            // like a session's expiry (the store keeps no clock).
            restored->expiresAt += now;
        }
        ChargeMessage(*restored);
        messages.emplace(id, std::move(restored));
        m_nextMessageId = std::max(m_nextMessageId, id + 1);
    }
    auto find = [&](uint64_t id, const std::string& holder) -> MqttMessagePtr
    {
        auto it = messages.find(id);
        if (it == messages.end())
        {
            error = holder + " refers to message " + std::to_string(id) + ", which is missing";
            return nullptr;
        }
        ++m_storedRefs[id];
        return it->second;
    };
    for (const auto& [topic, id] : state.retained)
    {
        MqttMessagePtr m = find(id, "retained topic '" + topic + "'");
        if (m == nullptr)
        {
            return false;
        }
        if (m->topic != topic || m->payload.empty())
        {
            error = "retained topic '" + topic + "' holds a message of another topic";
            return false;
        }
        m_retained.Store(m);
        m_storedRetained.emplace(topic, id);
    }
    // Every session's subscriptions first, so that each shared group a stored delivery names
    // exists whichever session holds the delivery.
    std::vector<std::pair<MqttSession*, DurableSession>> sessions;
    for (const auto& [clientId, bytes] : state.sessions)
    {
        auto d = DecodeSessionImage(bytes);
        if (!d)
        {
            error = "session '" + clientId + "' is not a session image";
            return false;
        }
        ChargeSession(clientId);
        MqttSession& s = m_sessions.Create(clientId, false);
        s.SetUserName(d->userName);
        s.SetExpiryInterval5(d->expiryInterval5);
        for (std::size_t i = 0; i < d->subscriptions.size(); ++i)
        {
            const auto& [filter, qos] = d->subscriptions[i];
            s.AddSubscription(filter, qos);
            if (!d->options5.empty())
            {
                const DurableSubscriptionOptions& o = d->options5[i];
                s.SetOptions5(filter, o.noLocal, o.retainAsPublished, o.subscriptionId);
            }
            ChargeSubscription(filter, true);
            if (!SubscribeShared(s, filter))
            {
                m_tree.Subscribe(filter, s.Handle(), qos);
            }
        }
        sessions.emplace_back(&s, std::move(*d));
    }
    auto groupOf = [this](const std::string& key) -> uint32_t
    {
        // A group no member subscribes to any more: the delivery stays with its session.
        const MqttSharedGroup* g = key.empty() ? nullptr : m_shared.FindByKey(key);
        return g != nullptr ? g->id : 0;
    };
    for (auto& [session, image] : sessions)
    {
        MqttSession& s = *session;
        const DurableSession* d = &image;
        const std::string& clientId = s.ClientId();
        const std::string holder = "session '" + clientId + "'";
        std::vector<uint64_t> refs;
        for (const DurableDelivery& f : d->inflight)
        {
            MqttMessagePtr m = find(f.messageId, holder);
            if (m == nullptr)
            {
                return false;
            }
            if (f.packetId == 0 || f.qos == Qos::AtMostOnce ||
                f.state > static_cast<uint8_t>(InflightState::AwaitingPubcomp))
            {
                error = holder + " has a delivery in flight in no valid state";
                return false;
            }
            InflightMessage inflight;
            inflight.message = WithSubscriptionIds(m, f.subscriptionIds5);
            inflight.packetId = f.packetId;
            inflight.qos = f.qos;
            inflight.retain = f.retain;
            inflight.state = static_cast<InflightState>(f.state);
            inflight.sharedGroup = groupOf(f.sharedGroup5);
            s.AddInflight(std::move(inflight));
            refs.push_back(f.messageId);
        }
        for (const DurableDelivery& q : d->queued)
        {
            MqttMessagePtr m = find(q.messageId, holder);
            if (m == nullptr)
            {
                return false;
            }
            s.PushQueued(QueuedMessage{WithSubscriptionIds(m, q.subscriptionIds5),
                                       q.qos,
                                       q.retain,
                                       groupOf(q.sharedGroup5)});
            refs.push_back(q.messageId);
        }
        for (uint16_t id : d->inboundQos2)
        {
            s.AddInboundQos2(id);
        }
        ChargeInboundQos2(d->inboundQos2.size());
        // The expiry clock of a stored session starts again at the load: a 5.0 session's with
        // its own Session Expiry Interval (0xFFFFFFFF: none), a 3.1.1 one's with the profile's.
        const Nanos expiry = d->expiryInterval5
                                 ? (*d->expiryInterval5 == SESSION_NEVER_EXPIRES
                                        ? Nanos(0)
                                        : Nanos(std::chrono::seconds(*d->expiryInterval5)))
                                 : m_profile.sessionExpiry;
        if (expiry > Nanos(0))
        {
            s.SetExpiryTimer(StartTimer(TimerKind::SessionExpiry, s.Handle(), now + expiry, out));
        }
        if (d->will5)
        {
            // What was left of the Will Delay when the image was written counts again from the
            // load, like a message's expiry; the session's own expiry may still end it sooner.
            DelayedWill& will = m_delayedWills[clientId];
            will.will = d->will5->will;
            will.userName = d->will5->userName;
            will.due = now + d->will5->delayLeft;
            will.timer = StartTimer(TimerKind::WillDelay, s.Handle(), will.due, out);
            if (m_memory->Enabled())
            {
                // Held as before the crash (ChargeWill's cost), whatever the limit: a restore
                // refuses nothing it stored.
                will.charge = MqttMemoryCharge(
                    m_memory,
                    MemoryUse::Wills,
                    MqttMemoryBudget::MessageCost(
                        clientId.size(), will.will.topic.size(), will.will.payload.size()));
            }
        }
        m_storedSessions.emplace(clientId, std::move(refs));
    }
    for (const auto& entry : messages)
    {
        if (m_storedRefs.count(entry.first) == 0)
        {
            m_orphans.push_back(entry.first); // left by a crash between two batches: deleted
        }
    }
    return true;
}

} // namespace mqtt
} // namespace ns3
