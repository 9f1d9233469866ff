/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-posix-timer-queue.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

bool
MqttPosixTimerQueue::Later(const Entry& a, const Entry& b)
{
    if (a.at != b.at)
    {
        return a.at > b.at;
    }
    return a.timer > b.timer;
}

void
MqttPosixTimerQueue::Push(TimerId timer, State& state, Nanos at)
{
    state.queuedAt = at;
    state.generation = m_nextGeneration++;
    m_heap.push_back(Entry{at, timer, state.generation});
    std::push_heap(m_heap.begin(), m_heap.end(), Later);
}

void
MqttPosixTimerQueue::Start(TimerId timer, Nanos at)
{
    auto [it, inserted] = m_timers.try_emplace(timer);
    State& state = it->second;
    state.deadline = at;
    state.started = m_starts++;
    if (inserted || at < state.queuedAt)
    {
        // A new timer, or the live entry would be too late: queue an entry (any older one of
        // this timer becomes stale).
        Push(timer, state, at);
        CompactIfStale();
    }
}

void
MqttPosixTimerQueue::Cancel(TimerId timer)
{
    if (m_timers.erase(timer) > 0)
    {
        CompactIfStale();
    }
}

std::optional<Nanos>
MqttPosixTimerQueue::NextDeadline() const
{
    if (m_timers.empty() || m_heap.empty())
    {
        return std::nullopt;
    }
    return m_heap.front().at;
}

uint64_t
MqttPosixTimerQueue::Mark() const
{
    return m_starts;
}

std::optional<TimerId>
MqttPosixTimerQueue::PopDue(Nanos now, uint64_t mark)
{
    while (!m_heap.empty() && m_heap.front().at <= now)
    {
        const Entry& front = m_heap.front();
        auto it = m_timers.find(front.timer);
        if (it != m_timers.end() && it->second.generation == front.generation &&
            it->second.deadline == front.at && it->second.started >= mark)
        {
            return std::nullopt; // due, but started during this round: the next round fires it
        }
        Entry entry = front;
        std::pop_heap(m_heap.begin(), m_heap.end(), Later);
        m_heap.pop_back();
        if (it == m_timers.end() || it->second.generation != entry.generation)
        {
            continue; // cancelled or superseded
        }
        if (it->second.deadline != entry.at)
        {
            // Restarted to a later deadline since this entry was queued: queue it there, so
            // timers still come out in deadline order.
            Push(entry.timer, it->second, it->second.deadline);
            continue;
        }
        m_timers.erase(it);
        return entry.timer;
    }
    return std::nullopt;
}

std::size_t
MqttPosixTimerQueue::Size() const
{
    return m_timers.size();
}

std::size_t
MqttPosixTimerQueue::HeapSize() const
{
    return m_heap.size();
}

void
MqttPosixTimerQueue::CompactIfStale()
{
    if (m_heap.size() <= 2 * m_timers.size() + 64)
    {
        return;
    }
    m_heap.clear();
    for (auto& [timer, state] : m_timers)
    {
        m_heap.push_back(Entry{state.queuedAt, timer, state.generation});
    }
    std::make_heap(m_heap.begin(), m_heap.end(), Later);
}

} // namespace mqtt
} // namespace ns3
