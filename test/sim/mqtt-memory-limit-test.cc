/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The memory limit (broker setting memory-limit, MqttMemoryBudget) on the simulated broker: the
 * same engine budget as the standalone broker's --memory-limit (test/posix/mqtt-posix-memory-
 * test.cc), with the ns-3 transport's unsent bytes charged as the POSIX output buffers are.
 * Costs: a session 512 + 2 x client id bytes, a subscription 320 + 2 x filter bytes, a message
 * 256 + publisher id + topic + payload bytes.
 */
#include "mqtt-memory-budget.h"
#include "mqtt-sim-fixture.h"

#include "ns3/boolean.h"
#include "ns3/nstime.h"

using namespace mqtt_sim;

namespace
{

/** Counts the broker's Dropped events by reason name, with the subscriber they were for. */
struct Drops
{
    std::map<std::string, uint64_t> byReason;
    std::map<std::string, uint64_t> bySubscriber;

    void
    Attach(Ptr<MqttBroker> broker)
    {
        broker->TraceConnectWithoutContext(
            "Dropped",
            Callback<void, const MqttEvent&>(
                [this](const MqttEvent& e)
                {
                    ++byReason[DropReasonName(e.dropReason)];
                    ++bySubscriber[e.peerId];
                }));
    }
};

} // namespace

// A persistent subscriber goes offline; 25 QoS 1 messages of 100 bytes come for it. The budget
// holds both sessions (518 each), the subscription (326) and exactly 10 messages (362 each): the
// publisher is acknowledged for all 25, the 15 that do not fit are dropped for the subscriber
// with MemoryLimit, and the 10 kept reach it when it comes back. No connection is closed for
// memory.
TEST_F(SimTest, MemoryLimitDropsWhatTheOfflineQueueCannotHold)
{
    Star star(2);
    MqttBrokerHelper brokerHelper;
    Ptr<MqttBroker> broker = star.InstallBroker(brokerHelper);
    ASSERT_FALSE(broker->SetSetting("memory-limit", std::to_string(518 + 518 + 326 + 10 * 362)));
    Drops drops;
    drops.Attach(broker);
    std::vector<std::string> closed;
    RecordClosedConnections(broker, closed);

    MqttClientHelper subHelper = ClientHelper("sub");
    subHelper.SetAttribute("CleanSession", BooleanValue(false));
    subHelper.SetAttribute("Subscriptions", StringValue("t/x:1"));
    Ptr<MqttClient> sub = star.InstallClient(0, subHelper, 0.1);
    sub->SetStopTime(Seconds(1));
    MqttClientHelper backHelper = ClientHelper("sub");
    backHelper.SetAttribute("CleanSession", BooleanValue(false));
    Ptr<MqttClient> back = star.InstallClient(0, backHelper, 6.0);
    Receiver received;
    received.Attach(back);

    MqttClientHelper pubHelper = ClientHelper("pub");
    pubHelper.SetAttribute("Topic", StringValue("t/x"));
    pubHelper.SetAttribute("Qos", UintegerValue(1));
    pubHelper.SetAttribute("PayloadSize", Constant(100));
    pubHelper.SetAttribute("Interval", Constant(0.1));
    pubHelper.SetAttribute("MaxMessages", UintegerValue(25));
    Ptr<MqttClient> pub = star.InstallClient(1, pubHelper, 2.0);

    Simulator::Stop(Seconds(10));
    Simulator::Run();

    EXPECT_EQ(pub->GetPublishesCompleted(), 25u);
    EXPECT_EQ(drops.byReason, (std::map<std::string, uint64_t>{{"MemoryLimit", 15}}));
    EXPECT_EQ(drops.bySubscriber, (std::map<std::string, uint64_t>{{"sub", 15}}));
    EXPECT_EQ(received.Unique(), 10u);
    EXPECT_EQ(received.duplicates, 0u);
    EXPECT_EQ(closed, (std::vector<std::string>{"sub:ClientDisconnect"}));
    const MqttMemoryBudget& memory = broker->GetEngine()->Memory();
    EXPECT_EQ(memory.Refused(MemoryUse::Messages), 15u);
    // Delivered and acknowledged, the 10 gave their bytes back.
    EXPECT_EQ(memory.Used(MemoryUse::Messages), 0u);
    EXPECT_EQ(memory.Used(), 518u + 518u + 326u);
}

// A QoS 0 subscriber on a 64 kb/s link falls behind a publisher sending 200 messages of 10,000
// bytes at 1 MB/s: what its TCP socket does not take waits in the broker's transport and is
// charged to the 1 MiB budget, until it passes it and that one connection is closed
// (MemoryLimit): the copy that would have passed it is refused as it is written (reported
// dropped, MemoryLimit) and, the subscriber having that much unread already, it is closed at the
// end of the call. A subscriber on a fast link gets every message, and nothing else is closed.
TEST_F(SimTest, MemoryLimitClosesTheSubscriberWhoseUnsentOutputPassesIt)
{
    Star star(3, "100Mbps", "2ms");
    star.links[0].Get(0)->SetAttribute("DataRate", StringValue("64kbps"));
    star.links[0].Get(1)->SetAttribute("DataRate", StringValue("64kbps"));
    Ptr<MqttBroker> broker = star.InstallBroker();
    ASSERT_FALSE(broker->SetSetting("memory-limit", "1MiB"));
    Drops drops;
    drops.Attach(broker);
    std::vector<std::string> closed;
    RecordClosedConnections(broker, closed);

    MqttClientHelper slowHelper = ClientHelper("slow");
    slowHelper.SetAttribute("Subscriptions", StringValue("big/#:0"));
    slowHelper.SetAttribute("AutoReconnect", BooleanValue(false));
    star.InstallClient(0, slowHelper, 0.1);
    MqttClientHelper fastHelper = ClientHelper("fast");
    fastHelper.SetAttribute("Subscriptions", StringValue("big/#:0"));
    Ptr<MqttClient> fast = star.InstallClient(1, fastHelper, 0.1);

    MqttClientHelper pubHelper = ClientHelper("firehose");
    pubHelper.SetAttribute("Topic", StringValue("big/x"));
    pubHelper.SetAttribute("Qos", UintegerValue(0));
    pubHelper.SetAttribute("PayloadSize", Constant(10000));
    pubHelper.SetAttribute("Interval", Constant(0.01));
    pubHelper.SetAttribute("MaxMessages", UintegerValue(200));
    Ptr<MqttClient> pub = star.InstallClient(2, pubHelper, 1.0);

    Simulator::Stop(Seconds(6));
    Simulator::Run();

    EXPECT_EQ(closed, (std::vector<std::string>{"slow:MemoryLimit"}));
    EXPECT_EQ(fast->GetMessagesReceived(), 200u);
    EXPECT_EQ(drops.byReason, (std::map<std::string, uint64_t>{{"MemoryLimit", 1}}));
    EXPECT_EQ(drops.bySubscriber, (std::map<std::string, uint64_t>{{"slow", 1}}));
    const MqttMemoryBudget& memory = broker->GetEngine()->Memory();
    EXPECT_EQ(memory.Refused(MemoryUse::OutputBuffers), 1u);
    EXPECT_EQ(memory.Used(MemoryUse::OutputBuffers), 0u);
    // "fast", "firehose" and the subscription to "big/#": the closed clean session is gone.
    EXPECT_EQ(memory.Used(), (512u + 2 * 4) + (512u + 2 * 8) + (320u + 2 * 5));
}
