/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Malformed and hostile peers against the standalone broker. In every case the broker must keep
 * serving a well-behaved client (ProbeBroker), stay within a memory bound, and not crash.
 */
#include "mqtt-codec.h"
#include "mqtt-posix-socket.h"
#include "mqtt-posix-test-util.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace ns3::mqtt;
using namespace ns3::mqtt::test;

namespace
{

using Clock = std::chrono::steady_clock;

/** Stated memory bounds of the broker process (VmRSS, KiB). */
constexpr long FLOOD_RSS_BOUND_KB = 32 * 1024;
constexpr long IDLE_10K_RSS_BOUND_KB = 64 * 1024;

class Hostile : public ::testing::Test
{
  protected:
    void
    StartBroker(std::vector<std::string> extra = {})
    {
        std::vector<std::string> args = {"--connect-timeout", "1", "--max-unsent-bytes", "1048576"};
        args.insert(args.end(), extra.begin(), extra.end());
        ASSERT_TRUE(m_broker.Start(args)) << m_broker.Output();
        m_baseRssKb = m_broker.RssKb();
    }

    /** The broker still runs and serves a well-behaved client promptly. */
    void
    ExpectServing(const std::string& probeId)
    {
        ASSERT_TRUE(m_broker.Running()) << m_broker.Output();
        auto roundTrip = ProbeBroker(m_broker.Port(), probeId, 5000ms);
        ASSERT_TRUE(roundTrip.has_value()) << "the broker does not serve " << probeId;
        EXPECT_LT(roundTrip->count(), 1000000) << "round trip " << roundTrip->count() << " us";
    }

    void
    ExpectRssBelow(long boundKb, const std::string& what)
    {
        long rss = m_broker.RssKb();
        RecordProperty(what + "_rss_kb", std::to_string(rss));
        std::printf("[ info ] broker VmRSS %s: %ld KiB (at start %ld KiB, bound %ld KiB)\n",
                    what.c_str(),
                    rss,
                    m_baseRssKb,
                    boundKb);
        if (CHECK_RSS)
        {
            EXPECT_LT(rss, boundKb) << what;
        }
    }

    BrokerProcess m_broker;
    long m_baseRssKb = 0;
};

std::vector<uint8_t>
ConnectBytes(const std::string& clientId, uint16_t keepAlive = 0)
{
    ConnectPacket connect;
    connect.clientId = clientId;
    connect.keepAliveSeconds = keepAlive;
    std::vector<uint8_t> bytes;
    Encode(connect, bytes);
    return bytes;
}

/** Non-blocking loopback connections opened in bulk. */
class ConnectionSwarm
{
  public:
    ~ConnectionSwarm()
    {
        CloseAll();
    }

    /** Opens @p count connections; each sends CONNECT (id prefix + index) at once. */
    bool
    Open(uint16_t port, int count, const std::string& prefix, std::string& error)
    {
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_port = htons(port);
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        for (int i = 0; i < count; ++i)
        {
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0)
            {
                error = "socket #" + std::to_string(i) + ": " + std::strerror(errno);
                return false;
            }
            m_fds.push_back(fd);
            if (connect(fd, reinterpret_cast<sockaddr*>(&sin), sizeof(sin)) != 0)
            {
                error = "connect #" + std::to_string(i) + ": " + std::strerror(errno);
                return false;
            }
            std::vector<uint8_t> bytes = ConnectBytes(prefix + std::to_string(i));
            if (send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) !=
                static_cast<ssize_t>(bytes.size()))
            {
                error = "send #" + std::to_string(i);
                return false;
            }
        }
        return true;
    }

    /** Waits until every connection got a CONNACK with return code 0; returns how many did. */
    std::size_t
    AwaitConnacks(std::chrono::milliseconds timeout)
    {
        std::vector<std::size_t> got(m_fds.size(), 0);
        std::vector<uint8_t> expected = {0x20, 0x02, 0x00, 0x00};
        std::size_t complete = 0;
        auto deadline = Clock::now() + timeout;
        while (complete < m_fds.size() && Clock::now() < deadline)
        {
            std::vector<pollfd> pfds;
            std::vector<std::size_t> index;
            for (std::size_t i = 0; i < m_fds.size(); ++i)
            {
                if (got[i] < expected.size())
                {
                    pfds.push_back(pollfd{m_fds[i], POLLIN, 0});
                    index.push_back(i);
                }
            }
            if (poll(pfds.data(), pfds.size(), 100) <= 0)
            {
                continue;
            }
            for (std::size_t k = 0; k < pfds.size(); ++k)
            {
                if (!(pfds[k].revents & (POLLIN | POLLHUP | POLLERR)))
                {
                    continue;
                }
                std::size_t i = index[k];
                uint8_t buffer[16];
                ssize_t n = recv(m_fds[i], buffer, expected.size() - got[i], MSG_DONTWAIT);
                if (n <= 0)
                {
                    got[i] = expected.size() + 1; // closed or failed: counted as not accepted
                    continue;
                }
                bool match =
                    std::memcmp(buffer, expected.data() + got[i], static_cast<std::size_t>(n)) == 0;
                got[i] = match ? got[i] + static_cast<std::size_t>(n) : expected.size() + 1;
                complete += got[i] == expected.size() ? 1 : 0;
            }
        }
        return complete;
    }

    void
    CloseAll()
    {
        for (int fd : m_fds)
        {
            close(fd);
        }
        m_fds.clear();
    }

  private:
    std::vector<int> m_fds;
};

} // namespace

// Bytes that are no MQTT at all: the first byte is a reserved packet type, so the broker closes
// at once without a CONNACK [MQTT-4.8.0-1] [MQTT-3.1.4-1].
TEST_F(Hostile, GarbageBytesCloseTheConnection)
{
    StartBroker();
    std::mt19937 random(42);
    for (int round = 0; round < 20; ++round)
    {
        RawClient client;
        ASSERT_TRUE(client.Connect(m_broker.Port()));
        std::vector<uint8_t> garbage(1 + random() % 65536);
        for (uint8_t& byte : garbage)
        {
            byte = static_cast<uint8_t>(random());
        }
        garbage[0] = round % 2 == 0 ? 0x00 : 0xF0; // reserved types 0 and 15
        client.SendBytes(garbage);
        EXPECT_TRUE(client.WaitClosed(3000ms)) << "round " << round;
    }
    // A remaining length whose 4th byte still has the continuation bit (section 2.2.3).
    RawClient lengthBomb;
    ASSERT_TRUE(lengthBomb.Connect(m_broker.Port()));
    ASSERT_EQ(lengthBomb.MqttConnect("length-bomb"), 0);
    lengthBomb.SendBytes({0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F});
    EXPECT_TRUE(lengthBomb.WaitClosed(3000ms));
    // A second CONNECT on a connection is a protocol violation [MQTT-3.1.0-2].
    RawClient twice;
    ASSERT_TRUE(twice.Connect(m_broker.Port()));
    ASSERT_EQ(twice.MqttConnect("connect-twice"), 0);
    twice.SendBytes(ConnectBytes("connect-twice"));
    EXPECT_TRUE(twice.WaitClosed(3000ms));
    ExpectServing("after-garbage");
    ExpectRssBelow(FLOOD_RSS_BOUND_KB, "garbage");
}

// Half a CONNECT, then silence: the connect timeout (1 s here) closes it. Half a PUBLISH after
// a CONNECT with keep-alive 1 s: closed after 1.5 x keep-alive [MQTT-3.1.2-24].
TEST_F(Hostile, HalfAPacketThenSilenceTimesOut)
{
    StartBroker();
    std::vector<uint8_t> connect = ConnectBytes("half");
    RawClient half;
    ASSERT_TRUE(half.Connect(m_broker.Port()));
    auto start = Clock::now();
    half.SendBytes(std::vector<uint8_t>(connect.begin(), connect.begin() + connect.size() / 2));
    EXPECT_TRUE(half.WaitClosed(5000ms));
    auto closedAfter = Clock::now() - start;
    EXPECT_GE(closedAfter, 900ms);
    EXPECT_LE(closedAfter, 3000ms);

    RawClient stalled;
    ASSERT_TRUE(stalled.Connect(m_broker.Port()));
    ASSERT_EQ(stalled.MqttConnect("stalled", 1), 0);
    std::vector<uint8_t> publish = RawClient::PublishBytes(
        "stalled/topic", std::vector<uint8_t>(100, 'x'), Qos::AtMostOnce, 0);
    start = Clock::now();
    stalled.SendBytes(std::vector<uint8_t>(publish.begin(), publish.begin() + 10));
    EXPECT_TRUE(stalled.WaitClosed(5000ms));
    closedAfter = Clock::now() - start;
    EXPECT_GE(closedAfter, 1400ms);
    EXPECT_LE(closedAfter, 3500ms);
    EXPECT_TRUE(m_broker.WaitForOutput("client=stalled", 1000ms));
    ExpectServing("after-half");
}

// 1000 connections, each sending CONNECT at once: every one gets CONNACK 0.
TEST_F(Hostile, ConnectFloodIsServed)
{
    PosixRaiseFileLimit();
    StartBroker({"--quiet"});
    ConnectionSwarm swarm;
    std::string error;
    ASSERT_TRUE(swarm.Open(m_broker.Port(), 1000, "flood-", error)) << error;
    EXPECT_EQ(swarm.AwaitConnacks(30000ms), 1000u);
    ExpectServing("during-flood");
    swarm.CloseAll();
    ExpectServing("after-flood");
    ExpectRssBelow(FLOOD_RSS_BOUND_KB, "connect_flood");
}

// 10000 idle MQTT connections (CONNECT with keep-alive 0, then nothing) while a well-behaved
// client is served promptly; the broker raised its own descriptor limit to get there.
TEST_F(Hostile, TenThousandIdleConnections)
{
    constexpr int COUNT = 10000;
    uint64_t limit = PosixRaiseFileLimit();
    if (limit < COUNT + 100)
    {
        GTEST_SKIP() << "the hard limit of open files is " << limit << " (< " << COUNT + 100
                     << "); raise it (ulimit -Hn) to run this test";
    }
    StartBroker({"--quiet"});
    ConnectionSwarm swarm;
    std::string error;
    ASSERT_TRUE(swarm.Open(m_broker.Port(), COUNT, "idle-", error)) << error;
    EXPECT_EQ(swarm.AwaitConnacks(60000ms), static_cast<std::size_t>(COUNT));
    ExpectServing("among-idle");
    ExpectRssBelow(IDLE_10K_RSS_BOUND_KB, "idle_10k");
    swarm.CloseAll();
    ExpectServing("after-idle");
}

// A subscriber that never reads while a publisher floods its topic: the broker closes it once
// more than --max-unsent-bytes wait for it, keeps serving others, and memory stays bounded.
TEST_F(Hostile, NonReadingSubscriberIsCutOffAndMemoryStaysBounded)
{
    StartBroker();
    RawClient lazy;
    lazy.SetReceiveBuffer(4096);
    ASSERT_TRUE(lazy.Connect(m_broker.Port()));
    ASSERT_EQ(lazy.MqttConnect("lazy-subscriber"), 0);
    ASSERT_EQ(lazy.MqttSubscribe("flood/#", Qos::AtMostOnce), 0);
    // A QoS 1 subscriber that never reads nor acknowledges: the engine's in-flight window and
    // queue bound hold it, and the transport bound closes it if bytes pile up.
    RawClient lazyQos1;
    lazyQos1.SetReceiveBuffer(4096);
    ASSERT_TRUE(lazyQos1.Connect(m_broker.Port()));
    ASSERT_EQ(lazyQos1.MqttConnect("lazy-qos1", 0, false), 0);
    ASSERT_EQ(lazyQos1.MqttSubscribe("flood/#", Qos::AtLeastOnce), 1);

    std::atomic<bool> stop{false};
    std::atomic<uint64_t> sentBytes{0};
    std::thread publisher(
        [&]
        {
            RawClient flood;
            if (!flood.Connect(m_broker.Port()) || flood.MqttConnect("flooder") != 0)
            {
                return;
            }
            std::vector<uint8_t> batch;
            uint16_t id = 1;
            for (int i = 0; i < 64; ++i)
            {
                Qos qos = i % 8 == 0 ? Qos::AtLeastOnce : Qos::AtMostOnce;
                std::vector<uint8_t> one = RawClient::PublishBytes(
                    "flood/" + std::to_string(i % 4), std::vector<uint8_t>(1024, 'f'), qos, id++);
                batch.insert(batch.end(), one.begin(), one.end());
            }
            auto end = Clock::now() + 4s;
            while (!stop.load() && Clock::now() < end)
            {
                if (!flood.SendBytes(batch)) // PUBACKs pile up unread in our buffer: fine
                {
                    return;
                }
                sentBytes += batch.size();
            }
        });
    for (int i = 0; i < 5; ++i)
    {
        std::this_thread::sleep_for(500ms);
        ExpectServing("during-flood-" + std::to_string(i));
    }
    stop = true;
    publisher.join();
    std::printf("[ info ] flooded %llu bytes\n", static_cast<unsigned long long>(sentBytes.load()));
    EXPECT_GT(sentBytes.load(), 8u * 1024 * 1024) << "the flood was too small to test anything";
    EXPECT_TRUE(m_broker.WaitForOutput("slow consumer", 3000ms)) << m_broker.Output();
    EXPECT_NE(m_broker.Output().find("client=lazy-subscriber"), std::string::npos);
    ExpectRssBelow(FLOOD_RSS_BOUND_KB, "slow_consumer");
    ExpectServing("after-flood");
}

// The broker exits 0 on SIGTERM and SIGINT, after closing every connection.
TEST_F(Hostile, CleanShutdownOnSignals)
{
    for (int signal : {SIGTERM, SIGINT})
    {
        BrokerProcess broker;
        ASSERT_TRUE(broker.Start());
        RawClient client;
        ASSERT_TRUE(client.Connect(broker.Port()));
        ASSERT_EQ(client.MqttConnect("shutdown-" + std::to_string(signal)), 0);
        broker.Signal(signal);
        EXPECT_EQ(broker.Wait(5000ms), 0) << broker.Output();
        EXPECT_TRUE(client.WaitClosed(1000ms));
        EXPECT_NE(broker.Output().find("reason=ServerShutdown"), std::string::npos)
            << broker.Output();
    }
}
