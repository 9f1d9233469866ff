/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The pieces of the POSIX transport on their own: timer queue, endpoint parsing, output buffer.
 */
#include "mqtt-posix-endpoint.h"
#include "mqtt-posix-output-buffer.h"
#include "mqtt-posix-socket.h"
#include "mqtt-posix-timer-queue.h"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace ns3::mqtt;
using namespace std::chrono_literals;

namespace
{

std::vector<TimerId>
PopAll(MqttPosixTimerQueue& queue, Nanos now)
{
    std::vector<TimerId> due;
    uint64_t mark = queue.Mark();
    while (auto timer = queue.PopDue(now, mark))
    {
        due.push_back(*timer);
    }
    return due;
}

} // namespace

TEST(PosixTimerQueue, FiresInDeadlineOrderTiesByTimerId)
{
    MqttPosixTimerQueue queue;
    queue.Start(5, Nanos(300));
    queue.Start(9, Nanos(100));
    queue.Start(2, Nanos(100));
    queue.Start(7, Nanos(200));
    EXPECT_EQ(queue.NextDeadline(), Nanos(100));
    EXPECT_EQ(PopAll(queue, Nanos(99)), std::vector<TimerId>{});
    EXPECT_EQ(PopAll(queue, Nanos(200)), (std::vector<TimerId>{2, 9, 7}));
    EXPECT_EQ(queue.Size(), 1u);
    EXPECT_EQ(PopAll(queue, Nanos(1000)), std::vector<TimerId>{5});
    EXPECT_EQ(queue.Size(), 0u);
    EXPECT_FALSE(queue.NextDeadline().has_value());
}

TEST(PosixTimerQueue, RestartToLaterDeadlineDoesNotFireEarly)
{
    MqttPosixTimerQueue queue;
    queue.Start(1, Nanos(100));
    queue.Start(1, Nanos(500)); // a keep-alive restarted by a packet
    EXPECT_EQ(queue.HeapSize(), 1u) << "a later restart only records the deadline";
    EXPECT_EQ(PopAll(queue, Nanos(100)), std::vector<TimerId>{});
    EXPECT_EQ(PopAll(queue, Nanos(499)), std::vector<TimerId>{});
    EXPECT_EQ(PopAll(queue, Nanos(500)), std::vector<TimerId>{1});
}

TEST(PosixTimerQueue, RestartToEarlierDeadlineFiresOnceEarly)
{
    MqttPosixTimerQueue queue;
    queue.Start(1, Nanos(500));
    queue.Start(1, Nanos(100));
    EXPECT_EQ(PopAll(queue, Nanos(100)), std::vector<TimerId>{1});
    EXPECT_EQ(PopAll(queue, Nanos(1000)), std::vector<TimerId>{}) << "the stale entry is skipped";
}

TEST(PosixTimerQueue, LazilyExtendedTimersStillComeOutInDeadlineOrder)
{
    MqttPosixTimerQueue queue;
    queue.Start(1, Nanos(10));
    queue.Start(2, Nanos(40));
    queue.Start(1, Nanos(50)); // entry stays at 10, real deadline 50
    EXPECT_EQ(PopAll(queue, Nanos(100)), (std::vector<TimerId>{2, 1}));
}

TEST(PosixTimerQueue, CancelledTimerNeverFires)
{
    MqttPosixTimerQueue queue;
    queue.Start(1, Nanos(100));
    queue.Start(2, Nanos(100));
    queue.Cancel(1);
    queue.Cancel(42); // not running: nothing happens
    EXPECT_EQ(PopAll(queue, Nanos(100)), std::vector<TimerId>{2});
    queue.Start(1, Nanos(300)); // started again after the cancel
    EXPECT_EQ(PopAll(queue, Nanos(300)), std::vector<TimerId>{1});
}

TEST(PosixTimerQueue, CancelWhileHandlingAnotherDueTimer)
{
    // Timers 1 and 2 are both due; handling 1 cancels 2, which then must not come out.
    MqttPosixTimerQueue queue;
    queue.Start(1, Nanos(100));
    queue.Start(2, Nanos(100));
    uint64_t mark = queue.Mark();
    EXPECT_EQ(queue.PopDue(Nanos(100), mark), TimerId{1});
    queue.Cancel(2);
    EXPECT_EQ(queue.PopDue(Nanos(100), mark), std::nullopt);
}

TEST(PosixTimerQueue, TimerStartedDuringARoundWaitsForTheNext)
{
    MqttPosixTimerQueue queue;
    queue.Start(1, Nanos(100));
    uint64_t mark = queue.Mark();
    EXPECT_EQ(queue.PopDue(Nanos(100), mark), TimerId{1});
    queue.Start(1, Nanos(100)); // the handler restarts it at "now"
    EXPECT_EQ(queue.PopDue(Nanos(100), mark), std::nullopt);
    EXPECT_EQ(queue.NextDeadline(), Nanos(100));
    EXPECT_EQ(queue.PopDue(Nanos(100), queue.Mark()), TimerId{1});
}

TEST(PosixTimerQueue, StaleEntriesAreCompacted)
{
    MqttPosixTimerQueue queue;
    for (int round = 0; round < 1000; ++round)
    {
        // Restarting earlier each time leaves a stale entry behind each time.
        queue.Start(1, Nanos(100000 - round));
        queue.Start(2, Nanos(100000 - round));
    }
    EXPECT_EQ(queue.Size(), 2u);
    EXPECT_LE(queue.HeapSize(), 2u * 2 + 64 + 1);
    EXPECT_EQ(PopAll(queue, Nanos(100000)), (std::vector<TimerId>{1, 2}));
}

TEST(PosixEndpoint, ParsesIpv4Ipv6AndNames)
{
    MqttPosixEndpoint endpoint;
    std::string error;
    ASSERT_TRUE(MqttPosixEndpoint::Parse("127.0.0.1:1883", endpoint, error)) << error;
    EXPECT_EQ(endpoint.Family(), AF_INET);
    EXPECT_EQ(endpoint.Port(), 1883);
    EXPECT_EQ(endpoint.ToString(), "127.0.0.1:1883");
    ASSERT_TRUE(MqttPosixEndpoint::Parse("[::1]:0", endpoint, error)) << error;
    EXPECT_EQ(endpoint.Family(), AF_INET6);
    EXPECT_EQ(endpoint.ToString(), "[::1]:0");
    ASSERT_TRUE(MqttPosixEndpoint::Parse("localhost:65535", endpoint, error)) << error;
    EXPECT_EQ(endpoint.Port(), 65535);
}

TEST(PosixEndpoint, RejectsMalformedAddresses)
{
    MqttPosixEndpoint endpoint;
    for (const char* text : {"",
                             "1883",
                             "127.0.0.1",
                             "127.0.0.1:",
                             ":1883",
                             "127.0.0.1:65536",
                             "127.0.0.1:12a",
                             "::1:1883",
                             "[::1]1883",
                             "[::1",
                             "[]:1883",
                             "127.0.0.1:123456"})
    {
        std::string error;
        EXPECT_FALSE(MqttPosixEndpoint::Parse(text, endpoint, error)) << text;
        EXPECT_FALSE(error.empty()) << text;
    }
}

TEST(PosixOutputBuffer, KeepsWhatTheKernelRefusesAndWritesItLater)
{
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    int small = 4096;
    setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));

    MqttPosixOutputBuffer out;
    std::vector<uint8_t> expected;
    for (int i = 0; i < 100000; ++i)
    {
        uint8_t byte = static_cast<uint8_t>(i * 7);
        expected.push_back(byte);
    }
    // Append in uneven pieces, write after each: the socket fills up (a partial write).
    std::size_t at = 0;
    bool blocked = false;
    for (std::size_t piece = 1; at < expected.size(); piece = piece % 997 + 13)
    {
        std::size_t n = std::min(piece, expected.size() - at);
        out.Append(expected.data() + at, n);
        at += n;
        blocked = out.Write(fds[0]) == MqttPosixOutputBuffer::WriteResult::Blocked || blocked;
    }
    EXPECT_TRUE(blocked);
    EXPECT_GT(out.Size(), 0u);
    EXPECT_EQ(out.Written() + out.Size(), expected.size());

    // Drain the reader and keep writing until everything arrived, in order.
    std::vector<uint8_t> received;
    while (received.size() < expected.size())
    {
        uint8_t buffer[8192];
        ssize_t n = recv(fds[1], buffer, sizeof(buffer), 0);
        if (n > 0)
        {
            received.insert(received.end(), buffer, buffer + n);
        }
        out.Write(fds[0]);
    }
    EXPECT_TRUE(out.Empty());
    EXPECT_EQ(received, expected);
    close(fds[0]);
    close(fds[1]);
}

TEST(PosixOutputBuffer, ReportsABrokenConnection)
{
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    close(fds[1]);
    MqttPosixOutputBuffer out;
    out.Append(std::vector<uint8_t>{1, 2, 3});
    EXPECT_EQ(out.Write(fds[0]), MqttPosixOutputBuffer::WriteResult::Failed);
    EXPECT_EQ(out.Error(), EPIPE);
    close(fds[0]);
}

TEST(PosixOutputBuffer, TakesAMovedBufferWhenEmptyAndAppendsAfterWhatWaits)
{
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    MqttPosixOutputBuffer out;
    std::vector<uint8_t> first{1, 2, 3};
    out.Append(std::move(first));
    // Nothing was waiting: the bytes were not copied, the caller's vector is left empty.
    EXPECT_TRUE(first.empty());
    EXPECT_EQ(out.Size(), 3u);
    out.Append(std::vector<uint8_t>{4, 5});
    out.Append(std::vector<uint8_t>{});
    EXPECT_EQ(out.Size(), 5u);
    EXPECT_EQ(out.Write(fds[0]), MqttPosixOutputBuffer::WriteResult::Drained);
    uint8_t buffer[16];
    ASSERT_EQ(recv(fds[1], buffer, sizeof(buffer), 0), 5);
    EXPECT_EQ(std::vector<uint8_t>(buffer, buffer + 5), (std::vector<uint8_t>{1, 2, 3, 4, 5}));
    EXPECT_EQ(out.Written(), 5u);
    close(fds[0]);
    close(fds[1]);
}

TEST(PosixSocket, ListensOnIpv4AndIpv6WithKernelChosenPorts)
{
    for (const char* text : {"127.0.0.1:0", "[::1]:0"})
    {
        MqttPosixEndpoint endpoint;
        std::string error;
        ASSERT_TRUE(MqttPosixEndpoint::Parse(text, endpoint, error));
        int fd = PosixListen(endpoint, 16, error);
        if (fd < 0 && endpoint.Family() == AF_INET6)
        {
            GTEST_SKIP() << "no IPv6 loopback here: " << error;
        }
        ASSERT_GE(fd, 0) << error;
        MqttPosixEndpoint bound = PosixLocalEndpoint(fd);
        EXPECT_EQ(bound.Family(), endpoint.Family());
        EXPECT_NE(bound.Port(), 0);
        // A second listener on the same port fails and names the address.
        int second = PosixListen(bound, 16, error);
        EXPECT_LT(second, 0);
        EXPECT_NE(error.find(bound.ToString()), std::string::npos) << error;
        close(fd);
    }
}

TEST(PosixSocket, RaisesTheDescriptorLimitToTheHardLimit)
{
    uint64_t soft = PosixRaiseFileLimit();
    rlimit limit{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
    EXPECT_EQ(soft, limit.rlim_cur);
    EXPECT_EQ(limit.rlim_cur, limit.rlim_max);
}
