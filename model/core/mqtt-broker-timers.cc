/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Timers and randomness: what a timer that fell due does (CONNECT deadline, keep-alive, session
 * expiry, paced drain, held output, paused input), starting and cancelling timers, and the
 * engine's seeded generator (drawn only where a profile field asks, so runs without those fields
 * consume no random numbers).
 */
#include "mqtt-broker-engine-impl.h"

#include <algorithm>
#include <cmath>

namespace ns3
{
namespace mqtt
{

void
MqttBrokerEngine::Impl::FireTimer(TimerId timer, Nanos now, MqttActions& out)
{
    auto it = m_timers.find(timer);
    if (it == m_timers.end())
    {
        return; // unknown, cancelled or already fired
    }
    TimerTarget target = it->second;
    m_timers.erase(it);
    if (target.kind == TimerKind::SessionExpiry || target.kind == TimerKind::Drain ||
        target.kind == TimerKind::WillDelay)
    {
        FireSessionTimer(target, timer, now, out);
        return;
    }
    if (target.kind == TimerKind::PersistRetry)
    {
        m_persistRetry = 0;
        if (m_storageFailed)
        {
            MarkEverything(); // written whole at the end of this call
            m_retryDue = true;
        }
        return;
    }
    auto c = m_connections.find(target.key);
    if (c == m_connections.end())
    {
        return;
    }
    MqttBrokerConnection& conn = *c->second;
    switch (target.kind)
    {
    case TimerKind::Release:
        if (conn.Held().timer == timer)
        {
            conn.Held().timer = 0;
            Release(conn, now, out);
        }
        return;
    case TimerKind::Resume:
        if (conn.Limits().resumeTimer == timer)
        {
            conn.Limits().resumeTimer = 0;
            ProcessInput(conn, now, out);
        }
        return;
    case TimerKind::Pause:
        EndPause(conn, timer, out);
        return;
    case TimerKind::Connection:
        FireConnectionTimer(conn, target, timer, now, out);
        return;
    case TimerKind::SessionExpiry:
    case TimerKind::Drain:
    case TimerKind::PersistRetry:
    case TimerKind::WillDelay:
        return; // handled above
    }
}

void
MqttBrokerEngine::Impl::FireSessionTimer(TimerTarget target,
                                         TimerId timer,
                                         Nanos now,
                                         MqttActions& out)
{
    MqttSession* s = m_sessions.FindByHandle(target.key);
    if (s == nullptr)
    {
        return;
    }
    if (target.kind == TimerKind::WillDelay)
    {
        auto it = m_delayedWills.find(s->ClientId());
        if (it != m_delayedWills.end() && it->second.timer == timer)
        {
            PublishDelayedWill(s->ClientId(), out); // [MQTT5-3.1.2-8]
        }
        return;
    }
    if (target.kind == TimerKind::Drain)
    {
        PacedDrain* paced = s->Paced();
        if (paced != nullptr && paced->timer == timer)
        {
            paced->timer = 0;
            Drain(*s, now, out);
        }
    }
    else if (s->Connection() == nullptr && s->ExpiryTimer() == timer)
    {
        s->SetExpiryTimer(0);
        DiscardSession(*s, DropReason::SessionExpired, out);
    }
}

void
MqttBrokerEngine::Impl::FireConnectionTimer(
    MqttBrokerConnection& conn, TimerTarget target, TimerId timer, Nanos now, MqttActions& out)
{
    if (conn.Timer() != timer)
    {
        return;
    }
    conn.SetTimer(0);
    CloseSpec spec;
    if (conn.State() == BrokerConnectionState::AwaitingConnect)
    {
        spec.reason = CloseReason::ConnectTimeout;
        CloseConnection(conn, spec, now, out);
        return;
    }
    if (conn.KeepAlivePeriod() <= Nanos(0))
    {
        return;
    }
    // Keep-alive is checked lazily: packets only move LastActivity, and the timer, when it
    // fires, either finds the deadline passed or re-arms for the real deadline. Input held back
    // by the byte rate has arrived, so it counts as activity; input paused by back-pressure may
    // not even have been read, and the broker does not hold its own silence against the client.
    if (conn.HasExtras() && (conn.Limits().resumeTimer != 0 || conn.Limits().pauseTimer != 0))
    {
        conn.SetLastActivity(now);
    }
    Nanos deadline = conn.LastActivity() + conn.KeepAlivePeriod();
    if (now < deadline)
    {
        m_timers.emplace(timer, target);
        conn.SetTimer(timer);
        out.emplace_back(StartTimerAction{timer, deadline});
        return;
    }
    spec.reason = CloseReason::KeepAliveTimeout;
    spec.publishWill = true; // as if the network failed [MQTT-3.1.2-24]
    CloseConnection(conn, spec, now, out);
}

TimerId
MqttBrokerEngine::Impl::StartTimer(TimerKind kind, uint64_t key, Nanos at, MqttActions& out)
{
    TimerId id = m_nextTimer++;
    m_timers.emplace(id, TimerTarget{kind, key});
    out.emplace_back(StartTimerAction{id, at});
    return id;
}

void
MqttBrokerEngine::Impl::CancelTimer(TimerId timer, MqttActions& out)
{
    m_timers.erase(timer);
    out.emplace_back(CancelTimerAction{timer});
}

double
MqttBrokerEngine::Impl::Uniform()
{
    // 53 random bits: the same value on every platform, unlike std::uniform_real_distribution.
    return static_cast<double>(m_rng() >> 11) * (1.0 / 9007199254740992.0);
}

Nanos
MqttBrokerEngine::Impl::DrawSubscriptionDelay()
{
    const double mean = static_cast<double>(m_profile.subscriptionDelay.count());
    double delay = mean;
    switch (m_profile.subscriptionDelayShape)
    {
    case DelayShape::Fixed:
        break;
    case DelayShape::Uniform:
    {
        const double spread = static_cast<double>(m_profile.subscriptionDelaySpread.count());
        delay = std::max(0.0, mean - spread + 2 * spread * Uniform());
        break;
    }
    case DelayShape::Exponential:
        delay = -mean * std::log1p(-Uniform()); // Uniform() < 1, so the log is finite
        break;
    }
    return Nanos(static_cast<Nanos::rep>(std::llround(delay)));
}

} // namespace mqtt
} // namespace ns3
