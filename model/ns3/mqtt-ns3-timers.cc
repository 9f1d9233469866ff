/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-ns3-timers.h"

#include "ns3/simulator.h"

namespace ns3
{
namespace mqtt
{

MqttNs3Timers::MqttNs3Timers(Callback<void, TimerId> expired)
    : m_expired(expired)
{
}

MqttNs3Timers::~MqttNs3Timers()
{
    CancelAll();
}

Nanos
MqttNs3Timers::Now()
{
    return ToNanos(Simulator::Now());
}

Time
MqttNs3Timers::ToTime(Nanos t)
{
    return NanoSeconds(t.count());
}

Nanos
MqttNs3Timers::ToNanos(Time t)
{
    return Nanos(t.GetNanoSeconds());
}

void
MqttNs3Timers::Start(TimerId timer, Nanos at)
{
    Nanos now = Now();
    auto it = m_timers.find(timer);
    if (it != m_timers.end() && it->second.event.IsRunning() && it->second.scheduled <= at)
    {
        // The pending event fires no later than the new deadline: it re-arms itself then.
        it->second.deadline = at;
        return;
    }
    Entry& entry = m_timers[timer];
    entry.event.Cancel();
    entry.deadline = at;
    Schedule(timer, entry, now);
}

void
MqttNs3Timers::Schedule(TimerId timer, Entry& entry, Nanos now)
{
    entry.scheduled = std::max(entry.deadline, now);
    entry.event =
        Simulator::Schedule(ToTime(entry.scheduled - now), &MqttNs3Timers::Fire, this, timer);
}

void
MqttNs3Timers::Cancel(TimerId timer)
{
    auto it = m_timers.find(timer);
    if (it != m_timers.end())
    {
        it->second.event.Cancel();
        m_timers.erase(it);
    }
}

void
MqttNs3Timers::CancelAll()
{
    for (auto& [id, entry] : m_timers)
    {
        entry.event.Cancel();
    }
    m_timers.clear();
}

std::size_t
MqttNs3Timers::Count() const
{
    return m_timers.size();
}

void
MqttNs3Timers::Fire(TimerId timer)
{
    auto it = m_timers.find(timer);
    if (it == m_timers.end())
    {
        return;
    }
    Nanos now = Now();
    if (it->second.deadline > now)
    {
        Schedule(timer, it->second, now);
        return;
    }
    m_timers.erase(it);
    m_expired(timer);
}

} // namespace mqtt
} // namespace ns3
