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
#include "mqtt-broker-helper.h"
#include "mqtt-broker.h"
#include "mqtt-memory-budget.h"
#include "mqtt-bystander-expect.h"
#include "mqtt-posix-test-util.h"
#include "mqtt-realtime-helper.h"

#include "ns3/global-value.h"
#include "ns3/node.h"
#include "ns3/simulator.h"
#include "ns3/string.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <thread>

using namespace ns3;
using namespace ns3::mqtt;
using namespace ns3::mqtt::test;

TEST(RealtimeMemoryLimit, ASubscriberThatNeverReadsIsClosedAndTheBystanderServed)
{
    MqttRealtimeHelper::EnableRealtime();
    Ptr<Node> node = CreateObject<Node>();
    MqttBrokerHelper helper;
    ApplicationContainer apps = helper.Install(node);
    auto broker = DynamicCast<MqttBroker>(apps.Get(0));
    ASSERT_FALSE(broker->SetSetting("memory-limit", "4MiB"));
    std::mutex closedMutex;
    std::vector<std::string> closed;
    broker->TraceConnectWithoutContext(
        "ConnectionClosed",
        Callback<void, uint64_t, const std::string&, const std::string&>(
            [&](uint64_t, const std::string& clientId, const std::string& reason)
            {
                std::lock_guard<std::mutex> lock(closedMutex);
                closed.push_back(clientId + ":" + reason);
            }));
    MqttPosixEndpoint real = MqttRealtimeHelper::ListenReal(broker, "127.0.0.1:0");

    bool readerClosed = false;
    bool publisherServed = false;
    std::thread clients(
        [&]
        {
            RawClient reader;
            RawClient bystander;
            RawClient publisher;
            reader.SetReceiveBuffer(4096);
            if (reader.Connect(real.Port()) && reader.MqttConnect("never-reads") == 0 &&
                reader.MqttSubscribe("fan/#", Qos::AtMostOnce) == 0 &&
                bystander.Connect(real.Port()) && bystander.MqttConnect("bystander") == 0 &&
                bystander.MqttSubscribe("bystander/echo", Qos::AtLeastOnce) == 1 &&
                publisher.Connect(real.Port()) && publisher.MqttConnect("fan-publisher") == 0)
            {
                // 16 MiB of QoS 0 messages for the reader, which reads none of it: the bridge
                // would hold it all (4 MiB budget).
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
                ExpectServedWithinOneSecond(
                    bystander, "bystander/echo", 2, "after the reader was closed");
            }
            Simulator::ScheduleWithContext(Simulator::NO_CONTEXT, Seconds(0), &Simulator::Stop);
        });
    Simulator::Stop(Seconds(60)); // a bound; the clients stop it much sooner
    Simulator::Run();
    clients.join();
    const uint64_t outputRefusals =
        broker->GetEngine()->Memory().Refused(MemoryUse::OutputBuffers);
    Simulator::Destroy();
    GlobalValue::Bind("SimulatorImplementationType", StringValue("ns3::DefaultSimulatorImpl"));

    EXPECT_TRUE(publisherServed);
    EXPECT_TRUE(readerClosed) << "the reader that never reads was not closed";
    EXPECT_GE(outputRefusals, 1u);
    std::lock_guard<std::mutex> lock(closedMutex);
    EXPECT_NE(std::find(closed.begin(), closed.end(), "never-reads:MemoryLimit"), closed.end());
    EXPECT_EQ(std::count_if(closed.begin(),
                            closed.end(),
                            [](const std::string& c) { return c.rfind("bystander:", 0) == 0; }),
              0);
}

// No memory limit: a subscriber that stops reading and sending is closed by its keep-alive (1 s,
// so after 1.5 s) with 16 MiB for it still in the bridge. The bridge writes what is pending for
// 2 s, then drops the rest and closes (the standalone broker's close linger); it used to keep the
// connection, and the bytes, until the peer read them, if ever. Read afterwards, the subscriber
// gets what the kernel's buffers took, not the 16 MiB.
TEST(RealtimeMemoryLimit, AClosedConnectionsUnsentOutputIsDroppedAfterTheLinger)
{
    MqttRealtimeHelper::EnableRealtime();
    Ptr<Node> node = CreateObject<Node>();
    MqttBrokerHelper helper;
    ApplicationContainer apps = helper.Install(node);
    auto broker = DynamicCast<MqttBroker>(apps.Get(0));
    MqttPosixEndpoint real = MqttRealtimeHelper::ListenReal(broker, "127.0.0.1:0");

    constexpr int MESSAGES = 256;
    std::size_t payloadRead = 0;
    bool setUp = false;
    std::thread clients(
        [&]
        {
            RawClient reader;
            RawClient publisher;
            reader.SetReceiveBuffer(4096);
            if (reader.Connect(real.Port()) && reader.MqttConnect("stops-reading", 1) == 0 &&
                reader.MqttSubscribe("fan/#", Qos::AtMostOnce) == 0 &&
                publisher.Connect(real.Port()) && publisher.MqttConnect("fan-publisher") == 0)
            {
                std::vector<uint8_t> message = RawClient::PublishBytes(
                    "fan/x", std::vector<uint8_t>(64 * 1024, 0x42), Qos::AtMostOnce, 0);
                setUp = true;
                for (int i = 0; i < MESSAGES && publisher.SendBytes(message); ++i)
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
            }
            Simulator::ScheduleWithContext(Simulator::NO_CONTEXT, Seconds(0), &Simulator::Stop);
        });
    Simulator::Stop(Seconds(60));
    Simulator::Run();
    clients.join();
    Simulator::Destroy();
    GlobalValue::Bind("SimulatorImplementationType", StringValue("ns3::DefaultSimulatorImpl"));

    ASSERT_TRUE(setUp);
    std::printf("[ info ] the reader got %zu of %d bytes after its close\n",
                payloadRead,
                MESSAGES * 64 * 1024);
    EXPECT_GT(payloadRead, 0u);
    EXPECT_LT(payloadRead, static_cast<std::size_t>(MESSAGES) * 64 * 1024 / 2);
}
