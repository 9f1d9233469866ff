/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The one epoll loop of the POSIX drivers: the standalone broker, the POSIX client and the I/O
 * thread of the real-time bridge all wait and dispatch through it.
 */
#ifndef MQTT_POSIX_REACTOR_H
#define MQTT_POSIX_REACTOR_H

#include "mqtt-action.h"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include <sys/epoll.h>

namespace ns3
{
namespace mqtt
{

/**
 * An epoll instance (level-triggered) with a wakeup. Descriptors are registered under a key of
 * the driver's choosing (a connection id, a tagged kind); Wait() waits for readiness or a
 * timeout and Dispatch() hands each ready (key, events) to the driver, the wakeup excepted. What a
 * driver wants of a descriptor (EPOLLIN, EPOLLOUT) is cached by the driver, so an unchanged
 * interest costs no system call.
 *
 * Add, SetInterest and Remove may be called from another thread than Wait() (epoll itself is
 * thread-safe); the caller guards its own cache. Wake() is safe from any thread and from signal
 * handlers.
 */
class MqttPosixReactor
{
  public:
    /** The key of the wakeup descriptor; not available to drivers. */
    static constexpr uint64_t WAKE_KEY = ~uint64_t{0};
    /** Ready descriptors taken per Wait(). */
    static constexpr int MAX_EVENTS = 256;

    MqttPosixReactor() = default;
    ~MqttPosixReactor();
    MqttPosixReactor(const MqttPosixReactor&) = delete;
    MqttPosixReactor& operator=(const MqttPosixReactor&) = delete;

    /** Creates the epoll instance and the wakeup. @return false with @p error set. */
    bool Open(std::string& error);

    /** Whether Open() succeeded. */
    bool IsOpen() const;

    /** Watches @p fd for @p events under @p key; @p interest caches them. */
    bool Add(int fd, uint64_t key, uint32_t events, uint32_t& interest);
    /** Watches @p fd (added before) for @p events instead of @p interest, if they differ. */
    void SetInterest(int fd, uint64_t key, uint32_t events, uint32_t& interest);
    /** Stops watching @p fd (closing a descriptor does this too). */
    void Remove(int fd);

    /** Makes a Wait() in progress (or the next one) return at once. */
    void Wake();

    /**
     * Waits at most @p timeout (negative: without limit; rounded up to a whole millisecond, so
     * that a wakeup for a deadline finds it passed) for ready descriptors. @return false if
     * epoll_wait failed (errno tells why; EINTR is no failure).
     */
    bool Wait(Nanos timeout);

    /**
     * Calls @p ready(key, events) for each descriptor the last Wait() found ready, the wakeup
     * excepted (it is drained here).
     */
    template<typename Ready>
    void Dispatch(Ready&& ready);

    /** The wait from @p now until the earliest of @p deadlines, at most @p limit, never negative.
     */
    static Nanos WaitFor(Nanos now,
                         Nanos limit,
                         std::initializer_list<std::optional<Nanos>> deadlines);

  private:
    static int TimeoutMs(Nanos timeout);
    void DrainWake();

    int m_epoll = -1;
    int m_wake = -1;
    epoll_event m_events[MAX_EVENTS];
    /** Ready descriptors in m_events, from the last Wait(). */
    int m_ready = 0;
};

template<typename Ready>
void
MqttPosixReactor::Dispatch(Ready&& ready)
{
    for (int i = 0; i < m_ready; ++i)
    {
        if (m_events[i].data.u64 == WAKE_KEY)
        {
            DrainWake();
            continue;
        }
        ready(m_events[i].data.u64, m_events[i].events);
    }
}

} // namespace mqtt
} // namespace ns3

#endif // MQTT_POSIX_REACTOR_H
