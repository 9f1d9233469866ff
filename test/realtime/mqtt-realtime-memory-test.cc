/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The memory limit on the real sockets of a simulated broker (MqttRealtimeHelper::ListenReal):
 * the bridge holds what the kernel does not take, and reports it to the broker's engine
 * (MqttTransportBase::NotifyUnsent, as the ns-3 transport does; the standalone broker reports its
 * output buffers the same way), so a subscriber that never reads is closed with MemoryLimit and
 * what it did not read is dropped, while a bystander is served. The standalone broker's case is
 * MemoryLimit.SubscribersThatNeverRead (test/posix/mqtt-posix-memory-test.cc). Without a limit, a
 * connection closed while its peer does not read keeps its output for the close linger (2 s) only.
 */
#include "mqtt-bystander-expect.h"
#include "mqtt-memory-budget.h"
#include "mqtt-posix-test-util.h"
#include "mqtt-realtime-test-broker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <mutex>

using namespace ns3;
using namespace ns3::mqtt;
using namespace ns3::mqtt::test;

TEST(RealtimeMemoryLimit, ASubscriberThatNeverReadsIsClosedAndTheBystanderServed)
{
    RealtimeTestBroker real;
    ASSERT_FALSE(real.Broker()->SetSetting("memory-limit", "4MiB"));
    std::mutex closedMutex;
    std::vector<std::string> closed;
    real.Broker()->TraceConnectWithoutContext(
        "ConnectionClosed",
        Callback<void, uint64_t, const std::string&, const std::string&>(
            [&](uint64_t, const std::string& clientId, const std::string& reason)
            {
                std::lock_guard<std::mutex> lock(closedMutex);
                closed.push_back(clientId + ":" + reason);
            }));
    bool readerClosed = false;
    bool publisherServed = false;
    real.Run(
        [&](uint16_t port)
        {
            RawClient reader;
            RawClient bystander;
            RawClient publisher;
            reader.SetReceiveBuffer(4096);
            if (!(reader.Connect(port) && reader.MqttConnect("never-reads") == 0 &&
                  reader.MqttSubscribe("fan/#", Qos::AtMostOnce) == 0 &&
                  bystander.Connect(port) && bystander.MqttConnect("bystander") == 0 &&
                  bystander.MqttSubscribe("bystander/echo", Qos::AtLeastOnce) == 1 &&
                  publisher.Connect(port) && publisher.MqttConnect("fan-publisher") == 0))
            {
                return;
            }
            // 16 MiB of QoS 0 messages for the reader, which reads none of it: the bridge would
            // hold it all (4 MiB budget).
            std::vector<uint8_t> message = RawClient::PublishBytes(
                "fan/x", std::vector<uint8_t>(64 * 1024, 0x42), Qos::AtMostOnce, 0);
            for (int i = 0; i < 256 && publisher.SendBytes(message); ++i)
            {
                if (i == 128)
                {
                    ExpectServedWithinOneSecond(
                        bystander, "bystander/echo", 1, "while the reader falls behind");
                }
            }
            publisher.Send(PingreqPacket{});
            std::optional<mqtt::Packet> pong = publisher.Read(std::chrono::milliseconds(10000));
            publisherServed = pong && std::holds_alternative<PingrespPacket>(*pong);
            readerClosed = reader.WaitClosed(std::chrono::milliseconds(5000));
            ExpectServedWithinOneSecond(bystander, "bystander/echo", 2, "after the reader was closed");
        });
    EXPECT_TRUE(publisherServed);
    EXPECT_TRUE(readerClosed) << "the reader that never reads was not closed";
    EXPECT_GE(real.Broker()->GetEngine()->Memory().Refused(MemoryUse::OutputBuffers), 1u);
    std::lock_guard<std::mutex> lock(closedMutex);
    // Only the reader was closed for memory (the others close when the client thread ends).
    EXPECT_EQ(std::count_if(closed.begin(),
                            closed.end(),
                            [](const std::string& c)
                            { return c.find(":MemoryLimit") != std::string::npos; }),
              1);
    EXPECT_NE(std::find(closed.begin(), closed.end(), "never-reads:MemoryLimit"), closed.end());
}

// No memory limit: a subscriber that stops reading and sending is closed by its keep-alive (1 s,
// so after 1.5 s) with 16 MiB for it still in the bridge. The bridge writes what is pending for
// 2 s, then drops the rest and closes (the standalone broker's close linger); it used to keep the
// connection, and the bytes, until the peer read them, if ever. Read afterwards, the subscriber
// gets what the kernel's buffers took, not the 16 MiB.
TEST(RealtimeMemoryLimit, AClosedConnectionsUnsentOutputIsDroppedAfterTheLinger)
{
    constexpr std::size_t FLOOD = 256 * 64 * 1024;
    std::size_t payloadRead = 0;
    bool setUp = false;
    RealtimeTestBroker real;
    real.Run(
        [&](uint16_t port)
        {
            RawClient reader;
            RawClient publisher;
            reader.SetReceiveBuffer(4096);
            setUp = reader.Connect(port) && reader.MqttConnect("stops-reading", 1) == 0 &&
                    reader.MqttSubscribe("fan/#", Qos::AtMostOnce) == 0 &&
                    publisher.Connect(port) && publisher.MqttConnect("fan-publisher") == 0;
            if (!setUp)
            {
                return;
            }
            std::vector<uint8_t> message = RawClient::PublishBytes(
                "fan/x", std::vector<uint8_t>(64 * 1024, 0x42), Qos::AtMostOnce, 0);
            for (std::size_t sent = 0; sent < FLOOD && publisher.SendBytes(message);
                 sent += 64 * 1024)
            {
            }
            // The keep-alive closes the reader after 1.5 s; the linger ends 2 s later.
            std::this_thread::sleep_for(std::chrono::milliseconds(4500));
            while (std::optional<mqtt::Packet> p = reader.Read(std::chrono::milliseconds(2000)))
            {
                if (const auto* publish = std::get_if<PublishPacket>(&*p))
                {
                    payloadRead += publish->payload.size();
                }
            }
        });
    ASSERT_TRUE(setUp);
    std::printf("[ info ] the reader got %zu of %zu bytes after its close\n", payloadRead, FLOOD);
    EXPECT_GT(payloadRead, 0u);
    EXPECT_LT(payloadRead, FLOOD / 2);
}
