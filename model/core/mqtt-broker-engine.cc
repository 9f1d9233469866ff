/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker engine's public face and the driver's entry points. The handlers live by concern
 * in model/core/mqtt-broker-*.cc around one state object (mqtt-broker-engine-impl.h); design
 * notes, the file map and the choices the specification leaves open are in
 * doc/broker-engine.md.
 */
#include "mqtt-broker-engine.h"

#include "mqtt-broker-engine-impl.h"

#include <algorithm>
#include <utility>

namespace ns3
{
namespace mqtt
{

// ===============================================================================================
// Construction and driver entry points
// ===============================================================================================

MqttBrokerEngine::Impl::Impl(MqttBrokerProfile profile, uint64_t seed)
    : m_profile(std::move(profile))
    , m_account(std::make_shared<MqttAccountQuotas>(m_profile))
    , m_memory(std::make_shared<MqttMemoryBudget>(m_profile.memoryLimit))
    , m_rng(seed)
{
}

void
MqttBrokerEngine::Impl::OnConnectionOpened(ConnectionId id, Nanos now, MqttActions& out)
{
    m_now = now;
    if (m_connections.count(id) != 0)
    {
        return; // the driver reused a live id; keep the first connection
    }
    auto conn = std::make_unique<MqttBrokerConnection>(
        id, m_profile.maxPacketSize, now, m_profile.protocolVersion);
    if (m_profile.maxPublishRate > 0 || m_profile.maxInboundBytesRate > 0)
    {
        // Burst of one second's worth of each rate.
        conn->Limits().publishes =
            MqttRateLimiter(m_profile.maxPublishRate, m_profile.maxPublishRate);
        conn->Limits().bytes =
            MqttRateLimiter(m_profile.maxInboundBytesRate, m_profile.maxInboundBytesRate);
    }
    if (m_profile.connectTimeout > Nanos(0))
    {
        conn->SetTimer(StartTimer(TimerKind::Connection, id, now + m_profile.connectTimeout, out));
    }
    m_connections.emplace(id, std::move(conn));
    m_work.Add(MqttServiceOp::Accept);
    Notify(EventType::ConnectionOpened, id, out);
}

void
MqttBrokerEngine::Impl::OnBytes(
    ConnectionId id, const uint8_t* data, std::size_t size, Nanos now, MqttActions& out)
{
    m_now = now;
    auto it = m_connections.find(id);
    if (it == m_connections.end())
    {
        return; // closed by the engine: nothing more of it is processed [MQTT-3.1.4-5]
    }
    it->second->Reader().Append(data, size);
    ProcessInput(*it->second, now, out);
    if (auto still = m_connections.find(id); still != m_connections.end())
    {
        ChargePartialPacket(*still->second, now, out); // what stays buffered is a partial packet
    }
    ProcessResumed(now, out);
}

void
MqttBrokerEngine::Impl::OnConnectionClosed(ConnectionId id, Nanos now, MqttActions& out)
{
    m_now = now;
    DropHeldFor(id);
    auto it = m_connections.find(id);
    if (it == m_connections.end())
    {
        return;
    }
    m_work.Add(MqttServiceOp::Disconnect);
    CloseSpec spec;
    spec.reason = CloseReason::NetworkClosed;
    spec.publishWill = true; // closed without DISCONNECT (section 3.1.2.5)
    spec.emitClose = false;
    CloseConnection(*it->second, spec, now, out);
    ProcessResumed(now, out);
}

void
MqttBrokerEngine::Impl::OnTimer(TimerId timer, Nanos now, MqttActions& out)
{
    m_now = now;
    FireTimer(timer, now, out);
    ProcessResumed(now, out);
}

void
MqttBrokerEngine::Impl::Shutdown(Nanos now, MqttActions& out)
{
    m_now = now;
    m_shutdown = true;
    std::vector<ConnectionId> ids;
    ids.reserve(m_connections.size());
    for (const auto& entry : m_connections)
    {
        ids.push_back(entry.first);
    }
    std::sort(ids.begin(), ids.end()); // unordered_map order must not reach the output
    for (ConnectionId id : ids)
    {
        auto it = m_connections.find(id);
        if (it == m_connections.end())
        {
            continue;
        }
        CloseConnection(*it->second, CloseSpec{CloseReason::ServerShutdown}, now, out);
    }
}

// ===============================================================================================
// Public face
// ===============================================================================================

MqttBrokerEngine::MqttBrokerEngine(MqttBrokerProfile profile, uint64_t seed)
    : m_impl(std::make_unique<Impl>(std::move(profile), seed))
{
}

MqttBrokerEngine::~MqttBrokerEngine() = default;

void
MqttBrokerEngine::SetAuthenticator(std::shared_ptr<const MqttAuthenticator> authenticator)
{
    m_impl->m_authenticator = std::move(authenticator);
}

void
MqttBrokerEngine::SetAuthMethods(std::shared_ptr<const MqttAuthMethods> methods)
{
    m_impl->m_authMethods = std::move(methods);
}

void
MqttBrokerEngine::SetEventInterest(MqttEventSet events)
{
    m_impl->m_eventInterest = events;
}

void
MqttBrokerEngine::SetBackPressure(std::size_t queueDepth, Nanos maxPause)
{
    m_impl->SetBackPressure(queueDepth, maxPause);
}

bool
MqttBrokerEngine::IsInputPaused(ConnectionId connection) const
{
    return m_impl->IsInputPaused(connection);
}

void
MqttBrokerEngine::SetAcl(std::shared_ptr<const MqttAcl> acl)
{
    m_impl->m_acl = std::move(acl);
}

void
MqttBrokerEngine::SetPeerIdentity(ConnectionId connection, std::string identity)
{
    auto it = m_impl->m_connections.find(connection);
    if (it != m_impl->m_connections.end())
    {
        it->second->SetIdentity(std::move(identity));
    }
}

void
MqttBrokerEngine::SetAccount(std::shared_ptr<MqttAccountQuotas> account)
{
    if (account)
    {
        m_impl->MoveSubscriptionsTo(account);
        m_impl->m_account = std::move(account);
    }
}

const MqttAccountQuotas&
MqttBrokerEngine::Account() const
{
    return *m_impl->m_account;
}

void
MqttBrokerEngine::OnConnectionOpened(ConnectionId connection, Nanos now, MqttActions& out)
{
    const std::size_t mark = m_impl->BeginTurn(out);
    m_impl->OnConnectionOpened(connection, now, out);
    m_impl->EndTurn(mark, out);
}

void
MqttBrokerEngine::OnBytes(
    ConnectionId connection, const uint8_t* data, std::size_t size, Nanos now, MqttActions& out)
{
    const std::size_t mark = m_impl->BeginTurn(out);
    m_impl->OnBytes(connection, data, size, now, out);
    m_impl->CloseSlowReaders(now, out);
    m_impl->EndTurn(mark, out);
}

void
MqttBrokerEngine::OnConnectionClosed(ConnectionId connection, Nanos now, MqttActions& out)
{
    const std::size_t mark = m_impl->BeginTurn(out);
    m_impl->OnConnectionClosed(connection, now, out);
    m_impl->CloseSlowReaders(now, out);
    m_impl->EndTurn(mark, out);
}

void
MqttBrokerEngine::OnTimer(TimerId timer, Nanos now, MqttActions& out)
{
    const std::size_t mark = m_impl->BeginTurn(out);
    m_impl->OnTimer(timer, now, out);
    m_impl->CloseSlowReaders(now, out);
    m_impl->EndTurn(mark, out);
}

void
MqttBrokerEngine::Shutdown(Nanos now, MqttActions& out)
{
    const std::size_t mark = m_impl->BeginTurn(out);
    m_impl->Shutdown(now, out);
    m_impl->EndTurn(mark, out);
}

void
MqttBrokerEngine::Resume(Nanos /* now */, MqttActions& /* out */)
{
    // Shutdown() left nothing half-done: no connection, no timer but session expiries (which
    // ran on while down), every session detached. Accepting CONNECTs again is all there is.
    m_impl->m_shutdown = false;
}

MqttServiceWork
MqttBrokerEngine::TakeWork()
{
    return std::exchange(m_impl->m_work, MqttServiceWork{});
}

bool
MqttBrokerEngine::IsShutDown() const
{
    return m_impl->m_shutdown;
}

void
MqttBrokerEngine::EnablePersistence()
{
    m_impl->m_durable = true;
}

bool
MqttBrokerEngine::Restore(const MqttDurableState& state,
                          Nanos now,
                          MqttActions& out,
                          std::string& error)
{
    m_impl->BeginTurn(out);
    return m_impl->Restore(state, now, out, error);
}

void
MqttBrokerEngine::OnPersisted(uint64_t batch, Nanos /* now */, MqttActions& out)
{
    m_impl->BeginTurn(out);
    m_impl->OnPersisted(batch, out);
}

void
MqttBrokerEngine::OnPersistFailed(uint64_t batch, Nanos now, MqttActions& out)
{
    m_impl->BeginTurn(out);
    m_impl->OnPersistFailed(batch, now, out);
}

bool
MqttBrokerEngine::IsPersistent() const
{
    return m_impl->m_durable;
}

const MqttBrokerProfile&
MqttBrokerEngine::Profile() const
{
    return m_impl->m_profile;
}

std::size_t
MqttBrokerEngine::ConnectionCount() const
{
    return m_impl->m_connections.size();
}

std::size_t
MqttBrokerEngine::SessionCount() const
{
    return m_impl->m_sessions.Size();
}

std::size_t
MqttBrokerEngine::QueueDepth(const std::string& clientId) const
{
    const MqttSession* s = m_impl->m_sessions.Find(clientId);
    return s == nullptr ? 0 : s->QueuedCount() + s->Inflight().size();
}

std::size_t
MqttBrokerEngine::RetainedCount() const
{
    return m_impl->m_retained.Size();
}

bool
MqttBrokerEngine::IsConnected(const std::string& clientId) const
{
    const MqttSession* s = m_impl->m_sessions.Find(clientId);
    return s != nullptr && s->Connection() != nullptr;
}

std::size_t
MqttBrokerEngine::InflightCount(const std::string& clientId) const
{
    const MqttSession* s = m_impl->m_sessions.Find(clientId);
    return s == nullptr ? 0 : s->Inflight().size();
}

std::size_t
MqttBrokerEngine::SubscriptionCount(const std::string& clientId) const
{
    const MqttSession* s = m_impl->m_sessions.Find(clientId);
    return s == nullptr ? 0 : s->Subscriptions().size();
}

std::size_t
MqttBrokerEngine::PendingPubrelCount(const std::string& clientId) const
{
    const MqttSession* s = m_impl->m_sessions.Find(clientId);
    return s == nullptr ? 0 : s->InboundQos2Count();
}

std::size_t
MqttBrokerEngine::ActiveTimerCount() const
{
    return m_impl->m_timers.size();
}

std::size_t
MqttBrokerEngine::TotalSubscriptionCount() const
{
    return m_impl->m_tree.Size();
}

} // namespace mqtt
} // namespace ns3
