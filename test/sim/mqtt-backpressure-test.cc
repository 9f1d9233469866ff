/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Back-pressure in the simulated broker: a subscriber on a slow link makes the broker stop
 * reading a fast QoS 1 publisher (TCP flow control then holds it back) instead of dropping what
 * the subscriber's queue cannot take. The same engine feature as the standalone broker's
 * --backpressure (test/posix/mqtt-posix-backpressure-test.cc).
 */
#include "mqtt-sim-fixture.h"

#include "ns3/integer.h"
#include "ns3/nstime.h"

#include <optional>

using namespace mqtt_sim;

namespace
{

constexpr uint32_t MESSAGES = 400;
/** The subscriber's queue bound: far below what the publisher sends ahead. */
constexpr int64_t QUEUE_BOUND = 50;

struct BackPressureRun
{
    std::vector<uint64_t> sequences; //!< stamp sequence of every message the subscriber got
    uint64_t brokerDropped = 0;
    uint64_t readPauses = 0;
    uint64_t completed = 0; //!< PUBACKs the publisher got
    uint64_t duplicates = 0;
    std::size_t transports = 0; //!< the broker's open connections at the end
};

/**
 * Device 0 subscribes at QoS 1 over a 1 Mb/s link, one message in flight at a time; device 1
 * publishes MESSAGES QoS 1 messages of 1000 bytes every 0.5 ms over 100 Mb/s, with room for all
 * of them in flight, from 1 s on, and stops (DISCONNECT) at @p publisherStop if given.
 */
BackPressureRun
RunFlood(uint32_t backPressureDepth, std::optional<Time> publisherStop = std::nullopt)
{
    Star star(2, "100Mbps", "2ms");
    star.links[0].Get(0)->SetAttribute("DataRate", StringValue("1Mbps"));
    star.links[0].Get(1)->SetAttribute("DataRate", StringValue("1Mbps"));

    MqttBrokerHelper brokerHelper;
    brokerHelper.SetAttribute("MaxInflight", IntegerValue(1));
    brokerHelper.SetAttribute("MaxQueuedMessages", IntegerValue(QUEUE_BOUND));
    brokerHelper.SetAttribute("BackPressureQueueDepth", UintegerValue(backPressureDepth));
    Ptr<MqttBroker> broker = star.InstallBroker(brokerHelper);
    BackPressureRun run;
    broker->TraceConnectWithoutContext(
        "Dropped",
        Callback<void, const MqttEvent&>([&run](const MqttEvent&) { ++run.brokerDropped; }));

    MqttClientHelper subHelper = ClientHelper("slow-sub");
    subHelper.SetAttribute("Subscriptions", StringValue("t/x:1"));
    Ptr<MqttClient> sub = star.InstallClient(0, subHelper, 0.1);
    sub->TraceConnectWithoutContext(
        "PublishReceived",
        Callback<void, const MqttEvent&, const MqttPayloadStamp&, Time, bool>(
            [&run](const MqttEvent&, const MqttPayloadStamp& stamp, Time, bool duplicate)
            {
                run.sequences.push_back(stamp.sequence);
                run.duplicates += duplicate ? 1 : 0;
            }));

    MqttClientHelper pubHelper = ClientHelper("fast-pub");
    pubHelper.SetAttribute("Topic", StringValue("t/x"));
    pubHelper.SetAttribute("Qos", UintegerValue(1));
    pubHelper.SetAttribute("PayloadSize", Constant(1000));
    pubHelper.SetAttribute("Interval", Constant(0.0005));
    pubHelper.SetAttribute("MaxMessages", UintegerValue(MESSAGES));
    pubHelper.SetAttribute("MaxInflight", UintegerValue(MESSAGES));
    pubHelper.SetAttribute("MaxQueued", UintegerValue(MESSAGES));
    Ptr<MqttClient> pub = star.InstallClient(1, pubHelper, 1.0);
    if (publisherStop)
    {
        pub->SetStopTime(*publisherStop);
    }

    Simulator::Stop(Seconds(30));
    Simulator::Run();
    run.readPauses = broker->GetReadPauses();
    run.completed = pub->GetPublishesCompleted();
    run.transports = broker->GetTransportCount();
    EXPECT_EQ(pub->GetPublishesSent(), MESSAGES);
    if (!publisherStop)
    {
        EXPECT_EQ(pub->GetMessagesDropped(), 0u);
    }
    // else: the messages it had not seen acknowledged when it left count as its own drops.
    return run;
}

} // namespace

TEST_F(SimTest, BackPressurePausesAFastPublisherAndNothingIsLost)
{
    BackPressureRun run = RunFlood(20);
    EXPECT_GT(run.readPauses, 0u);
    EXPECT_EQ(run.brokerDropped, 0u);
    EXPECT_EQ(run.completed, MESSAGES);
    EXPECT_EQ(run.duplicates, 0u);
    // Every message, once, in the order published.
    ASSERT_EQ(run.sequences.size(), MESSAGES);
    for (uint32_t i = 0; i < MESSAGES; ++i)
    {
        ASSERT_EQ(run.sequences[i], i) << "message " << i;
    }
}

TEST_F(SimTest, WithoutBackPressureTheSlowSubscribersQueueBoundDrops)
{
    // The same flood without back-pressure: the broker takes every message at once, and what
    // exceeds the subscriber's queue bound is dropped. This is what the test above prevents.
    BackPressureRun run = RunFlood(0);
    EXPECT_EQ(run.readPauses, 0u);
    EXPECT_EQ(run.completed, MESSAGES);
    EXPECT_GT(run.brokerDropped, 0u);
    EXPECT_EQ(run.sequences.size() + run.brokerDropped, MESSAGES);
    EXPECT_LT(run.sequences.size(), MESSAGES);
}

TEST_F(SimTest, APublisherLeavingWhilePausedStillDeliversWhatItSent)
{
    // The publisher has handed all its messages to TCP by 1.2 s and disconnects at 1.5 s, while
    // the broker is not reading it: its FIN waits behind the unread messages, which are read and
    // delivered once the subscriber catches up; then the broker closes its side.
    BackPressureRun run = RunFlood(20, Seconds(1.5));
    EXPECT_GT(run.readPauses, 0u);
    EXPECT_EQ(run.brokerDropped, 0u);
    ASSERT_EQ(run.sequences.size(), MESSAGES);
    for (uint32_t i = 0; i < MESSAGES; ++i)
    {
        ASSERT_EQ(run.sequences[i], i) << "message " << i;
    }
    EXPECT_EQ(run.transports, 1u); // the subscriber's; the publisher's is closed
}
