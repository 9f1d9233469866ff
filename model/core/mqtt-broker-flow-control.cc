/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Back-pressure on publishers (SetBackPressure): the input of a connection whose message made a
 * subscriber's queue long waits until that queue is short again or the longest pause ran out.
 * Released input is processed at the end of the driver's call (ProcessResumed).
 */
#include "mqtt-broker-engine-impl.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

void
MqttBrokerEngine::Impl::PausePublisher(MqttSession& s, Nanos now, MqttActions& out)
{
    MqttBrokerConnection& publisher = *m_publishing;
    if (s.Connection() == &publisher)
    {
        return; // pausing a subscriber's own input would stop its acknowledgements too
    }
    InboundLimits& limits = publisher.Limits();
    if (limits.pauseTimer != 0)
    {
        return; // already paused by another session this message went to
    }
    SessionPause& pause = m_pauses[s.Handle()];
    if (pause.exempt)
    {
        return;
    }
    limits.pauseTimer = StartTimer(TimerKind::Pause, publisher.Id(), now + m_maxPause, out);
    limits.pausedBy = s.Handle();
    pause.waiters.push_back(publisher.Id());
}

void
MqttBrokerEngine::Impl::ReleaseWaiters(const MqttSession& s, bool force, MqttActions& out)
{
    auto it = m_pauses.find(s.Handle());
    if (it == m_pauses.end() || (!force && s.QueuedCount() > m_pauseDepth / 2))
    {
        return;
    }
    for (ConnectionId id : it->second.waiters)
    {
        auto c = m_connections.find(id);
        if (c == m_connections.end() || !c->second->HasExtras())
        {
            continue; // closed since
        }
        InboundLimits& limits = c->second->Limits();
        if (limits.pauseTimer != 0 && limits.pausedBy == s.Handle())
        {
            CancelTimer(limits.pauseTimer, out);
            limits.pauseTimer = 0;
            m_resumeInput.push_back(id);
        }
    }
    m_pauses.erase(it);
}

void
MqttBrokerEngine::Impl::ProcessResumed(Nanos now, MqttActions& out)
{
    // Not nested in the handling that released them: that may be in the middle of a drain or a
    // route, and the released input may route to the same session.
    while (!m_resumeInput.empty())
    {
        std::vector<ConnectionId> ids;
        ids.swap(m_resumeInput);
        for (ConnectionId id : ids)
        {
            auto c = m_connections.find(id);
            if (c != m_connections.end())
            {
                ProcessInput(*c->second, now, out);
            }
        }
    }
}

bool
MqttBrokerEngine::Impl::IsInputPaused(ConnectionId id) const
{
    auto c = m_connections.find(id);
    if (c == m_connections.end() || !c->second->HasExtras())
    {
        return false;
    }
    const InboundLimits& limits = c->second->Limits();
    return limits.resumeTimer != 0 || limits.pauseTimer != 0;
}

void
MqttBrokerEngine::Impl::SetBackPressure(std::size_t queueDepth, Nanos maxPause)
{
    m_pauseDepth = maxPause > Nanos(0) ? queueDepth : 0;
    m_maxPause = maxPause;
}

void
MqttBrokerEngine::Impl::EndPause(MqttBrokerConnection& conn, TimerId timer, MqttActions& out)
{
    InboundLimits& limits = conn.Limits();
    if (limits.pauseTimer != timer)
    {
        return;
    }
    // The session stopped draining (a subscriber that does not acknowledge, or two connections
    // pausing each other): everyone it paused goes on, and it pauses no one until its queue is
    // short again.
    limits.pauseTimer = 0;
    m_resumeInput.push_back(conn.Id());
    if (MqttSession* s = m_sessions.FindByHandle(limits.pausedBy))
    {
        ReleaseWaiters(*s, true, out);
        m_pauses[s->Handle()].exempt = true;
    }
}

} // namespace mqtt
} // namespace ns3
