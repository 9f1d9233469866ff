/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The timers of one engine on a real-socket driver.
 */
#ifndef MQTT_POSIX_TIMER_QUEUE_H
#define MQTT_POSIX_TIMER_QUEUE_H

#include "mqtt-action.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace ns3
{
namespace mqtt
{

/**
 * Deadlines of an engine's timers (StartTimerAction / CancelTimerAction) in a binary heap with
 * lazy cancellation.
 *
 * Engines restart keep-alive timers on nearly every packet, almost always to a later deadline.
 * Such a restart only records the new deadline: the heap keeps the old, earlier entry, and when
 * that entry comes due it is pushed again at the recorded deadline. So a restart costs one hash
 * update, not a heap operation. Cancelled and superseded entries are skipped when they surface
 * and the heap is rebuilt when they outnumber the live timers.
 *
 * Due timers come out in order of deadline, ties by timer id, so a run does not depend on hash
 * order. A timer that was cancelled or restarted never fires with its old deadline.
 */
class MqttPosixTimerQueue
{
  public:
    /** Starts @p timer at @p at, replacing an earlier start of the same timer. */
    void Start(TimerId timer, Nanos at);

    /** Cancels @p timer; nothing happens if it is not running. */
    void Cancel(TimerId timer);

    /** The earliest deadline of a running timer, if any (may be earlier than the true one). */
    std::optional<Nanos> NextDeadline() const;

    /** A mark for PopDue(): timers started after this call do not come out with it. */
    uint64_t Mark() const;

    /**
     * Removes and returns the earliest timer due at @p now (deadline <= now) that was started
     * before @p mark. Taking one at a time lets the caller handle a timer whose handling
     * cancels or restarts another that is also due; the mark stops a timer restarted at "now"
     * from firing again in the same round.
     */
    std::optional<TimerId> PopDue(Nanos now, uint64_t mark);

    /** Timers running. */
    std::size_t Size() const;

    /** Entries in the heap, live and stale (for tests of the compaction). */
    std::size_t HeapSize() const;

  private:
    struct Entry
    {
        Nanos at;
        TimerId timer;
        uint64_t generation;
    };

    struct State
    {
        Nanos deadline{0};
        /** The deadline of this timer's live heap entry (never later than deadline). */
        Nanos queuedAt{0};
        /** Tags the live heap entry; other entries of this timer are stale. */
        uint64_t generation = 0;
        /** When Start() was last called, in Start() calls (see Mark()). */
        uint64_t started = 0;
    };

    /** Orders the heap so the earliest (deadline, timer) is at the front. */
    static bool Later(const Entry& a, const Entry& b);

    void Push(TimerId timer, State& state, Nanos at);
    void CompactIfStale();

    std::vector<Entry> m_heap;
    std::unordered_map<TimerId, State> m_timers;
    uint64_t m_nextGeneration = 1;
    uint64_t m_starts = 0;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_POSIX_TIMER_QUEUE_H
