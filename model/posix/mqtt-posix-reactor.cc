/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-posix-reactor.h"

#include "mqtt-posix-socket.h"

#include <algorithm>
#include <cerrno>
#include <limits>

#include <sys/eventfd.h>
#include <unistd.h>

namespace ns3
{
namespace mqtt
{

MqttPosixReactor::~MqttPosixReactor()
{
    for (int fd : {m_epoll, m_wake})
    {
        if (fd >= 0)
        {
            close(fd);
        }
    }
}

bool
MqttPosixReactor::Open(std::string& error)
{
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    if (m_epoll < 0)
    {
        error = "epoll_create1: " + PosixErrorString(errno);
        return false;
    }
    m_wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_wake < 0)
    {
        error = "eventfd: " + PosixErrorString(errno);
        return false;
    }
    uint32_t interest = 0;
    if (!Add(m_wake, WAKE_KEY, EPOLLIN, interest))
    {
        error = "epoll_ctl(eventfd): " + PosixErrorString(errno);
        return false;
    }
    return true;
}

bool
MqttPosixReactor::IsOpen() const
{
    return m_epoll >= 0 && m_wake >= 0;
}

bool
MqttPosixReactor::Wait(Nanos timeout)
{
    m_ready = epoll_wait(m_epoll, m_events, MAX_EVENTS, TimeoutMs(timeout));
    if (m_ready < 0)
    {
        bool interrupted = errno == EINTR;
        m_ready = 0;
        return interrupted;
    }
    return true;
}

bool
MqttPosixReactor::Add(int fd, uint64_t key, uint32_t events, uint32_t& interest)
{
    epoll_event event{};
    event.events = events;
    event.data.u64 = key;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event) != 0)
    {
        return false;
    }
    interest = events;
    return true;
}

void
MqttPosixReactor::SetInterest(int fd, uint64_t key, uint32_t events, uint32_t& interest)
{
    if (events == interest)
    {
        return;
    }
    epoll_event event{};
    event.events = events;
    event.data.u64 = key;
    epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event);
    interest = events;
}

void
MqttPosixReactor::Remove(int fd)
{
    epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
}

void
MqttPosixReactor::Wake()
{
    if (m_wake >= 0)
    {
        uint64_t one = 1;
        ssize_t ignored = write(m_wake, &one, sizeof(one));
        (void)ignored;
    }
}

void
MqttPosixReactor::DrainWake()
{
    uint64_t count = 0;
    ssize_t ignored = read(m_wake, &count, sizeof(count));
    (void)ignored;
}

int
MqttPosixReactor::TimeoutMs(Nanos timeout)
{
    if (timeout < Nanos(0))
    {
        return -1;
    }
    constexpr int64_t MAX_MS = std::numeric_limits<int>::max();
    return static_cast<int>(std::min<int64_t>((timeout.count() + 999999) / 1000000, MAX_MS));
}

Nanos
MqttPosixReactor::WaitFor(Nanos now,
                          Nanos limit,
                          std::initializer_list<std::optional<Nanos>> deadlines)
{
    Nanos wait = limit;
    for (const std::optional<Nanos>& deadline : deadlines)
    {
        if (deadline)
        {
            wait = std::min(wait, std::max(Nanos(0), *deadline - now));
        }
    }
    return wait;
}

} // namespace mqtt
} // namespace ns3
