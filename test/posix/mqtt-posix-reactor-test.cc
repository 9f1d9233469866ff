/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttPosixReactor, the one epoll loop of the POSIX drivers: readiness reported under the
 * driver's key, interest changes, the wakeup from another thread, and the wait to the next
 * deadline.
 */
#include "mqtt-posix-reactor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <utility>
#include <vector>

#include <sys/socket.h>
#include <unistd.h>

using namespace ns3::mqtt;
using namespace std::chrono_literals;

namespace
{

/** A connected pair of stream sockets, closed at the end. */
struct SocketPair
{
    int fd[2] = {-1, -1};

    SocketPair()
    {
        EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fd), 0);
    }

    ~SocketPair()
    {
        close(fd[0]);
        close(fd[1]);
    }
};

/** (key, events) of what one Wait() found ready. */
std::vector<std::pair<uint64_t, uint32_t>>
Ready(MqttPosixReactor& reactor, Nanos timeout)
{
    std::vector<std::pair<uint64_t, uint32_t>> ready;
    EXPECT_TRUE(reactor.Wait(timeout));
    reactor.Dispatch([&ready](uint64_t key, uint32_t events) { ready.emplace_back(key, events); });
    return ready;
}

} // namespace

TEST(PosixReactor, ReportsReadinessUnderTheDriversKey)
{
    MqttPosixReactor reactor;
    std::string error;
    ASSERT_TRUE(reactor.Open(error)) << error;
    SocketPair pair;
    uint32_t interest = 0;
    ASSERT_TRUE(reactor.Add(pair.fd[0], 42, EPOLLIN, interest));
    EXPECT_EQ(interest, uint32_t{EPOLLIN});

    EXPECT_TRUE(Ready(reactor, Nanos(0)).empty()); // nothing to read yet
    ASSERT_EQ(write(pair.fd[1], "x", 1), 1);
    auto ready = Ready(reactor, Nanos(std::chrono::seconds(1)));
    ASSERT_EQ(ready.size(), 1u);
    EXPECT_EQ(ready[0].first, 42u);
    EXPECT_TRUE(ready[0].second & EPOLLIN);

    // Not reading any more (back-pressure): the unread byte is not reported; writable is.
    reactor.SetInterest(pair.fd[0], 42, EPOLLOUT, interest);
    EXPECT_EQ(interest, uint32_t{EPOLLOUT});
    ready = Ready(reactor, Nanos(0));
    ASSERT_EQ(ready.size(), 1u);
    EXPECT_EQ(ready[0].second & (EPOLLIN | EPOLLOUT), uint32_t{EPOLLOUT});

    reactor.SetInterest(pair.fd[0], 42, 0, interest);
    EXPECT_TRUE(Ready(reactor, Nanos(0)).empty());
    reactor.Remove(pair.fd[0]);
}

TEST(PosixReactor, WakeEndsAWaitFromAnotherThreadAndIsNotReported)
{
    MqttPosixReactor reactor;
    std::string error;
    ASSERT_TRUE(reactor.Open(error)) << error;
    auto start = std::chrono::steady_clock::now();
    std::thread waker(
        [&reactor]
        {
            std::this_thread::sleep_for(50ms);
            reactor.Wake();
        });
    auto ready = Ready(reactor, Nanos(-1)); // no limit: only the wakeup ends it
    waker.join();
    EXPECT_TRUE(ready.empty());
    EXPECT_GE(std::chrono::steady_clock::now() - start, 40ms);
    // Drained: the next wait times out.
    EXPECT_TRUE(Ready(reactor, Nanos(0)).empty());
}

TEST(PosixReactor, WaitsUntilTheEarliestDeadline)
{
    Nanos now(1'000'000);
    EXPECT_EQ(MqttPosixReactor::WaitFor(now, Nanos(500), {}), Nanos(500));
    EXPECT_EQ(MqttPosixReactor::WaitFor(now, Nanos(1'000'000), {std::nullopt, Nanos(1'000'300)}),
              Nanos(300));
    EXPECT_EQ(
        MqttPosixReactor::WaitFor(now, Nanos(1'000'000), {Nanos(1'000'900), Nanos(1'000'200)}),
        Nanos(200));
    // A deadline already passed: do not wait at all.
    EXPECT_EQ(MqttPosixReactor::WaitFor(now, Nanos(1'000'000), {Nanos(10)}), Nanos(0));
}

TEST(PosixReactor, ATimeoutShorterThanAMillisecondStillWaitsForIt)
{
    MqttPosixReactor reactor;
    std::string error;
    ASSERT_TRUE(reactor.Open(error)) << error;
    // Rounded up to 1 ms, so a wakeup for a deadline finds it passed.
    auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(Ready(reactor, Nanos(std::chrono::microseconds(200))).empty());
    EXPECT_GE(std::chrono::steady_clock::now() - start, 200us);
}
