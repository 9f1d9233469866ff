/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The AWS IoT Core broker profile in simulation, where timing matters: the subscription delay,
 * the paced drain of stored messages, the publish rate limit, the persistent session expiry,
 * lifecycle events and the account's connect quota against a fleet reconnecting at once, with
 * devices on point-to-point links (doc/aws-iot-core.md).
 */
#include "mqtt-sim-fixture.h"

#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/nstime.h"

#include <algorithm>

using namespace mqtt_sim;

namespace
{

MqttBrokerHelper
AwsBroker()
{
    MqttBrokerHelper helper;
    helper.SetAttribute("Profile", StringValue("aws-iot-core"));
    return helper;
}

/** Counts the broker's drops by reason. */
struct DropCounter
{
    std::map<DropReason, uint64_t> byReason;
    std::vector<Time> pendingTimes;

    void
    Attach(Ptr<MqttBroker> broker)
    {
        broker->TraceConnectWithoutContext("Dropped",
                                           Callback<void, const MqttEvent&>(
                                               [this](const MqttEvent& event)
                                               {
                                                   ++byReason[event.dropReason];
                                                   if (event.dropReason ==
                                                       DropReason::SubscriptionPending)
                                                   {
                                                       pendingTimes.push_back(Simulator::Now());
                                                   }
                                               }));
    }
};

/** Arrival times of the stamped messages a client receives, with their sequence numbers. */
struct Arrivals
{
    std::vector<Time> times;
    std::vector<uint64_t> sequences;

    void
    Attach(Ptr<MqttClient> client)
    {
        client->TraceConnectWithoutContext(
            "PublishReceived",
            Callback<void, const MqttEvent&, const MqttPayloadStamp&, Time, bool>(
                [this](const MqttEvent&, const MqttPayloadStamp& stamp, Time latency, bool)
                {
                    if (!latency.IsNegative())
                    {
                        times.push_back(Simulator::Now());
                        sequences.push_back(stamp.sequence);
                    }
                }));
    }
};

} // namespace

TEST_F(SimTest, AwsProfileIsSelectedByName)
{
    Star star(1);
    Ptr<MqttBroker> broker = star.InstallBroker(AwsBroker());
    EXPECT_EQ(broker->GetEffectiveProfile().name, "aws-iot-core");
    EXPECT_EQ(broker->GetEffectiveProfile().maxQos, Qos::AtLeastOnce);
    MqttBrokerHelper newer;
    newer.SetAttribute("Profile", StringValue("aws-iot-core-2021"));
    EXPECT_EQ(star.InstallBroker(newer)->GetEffectiveProfile().retain,
              RetainPolicy::StoreExactMatchOnly);
}

// AWS doc point 4: messages published before a new subscription is active are not delivered
// through it (the broker reports SubscriptionPending); every message after the first delivered one
// arrives.
TEST_F(SimTest, AwsSubscriptionDelayHoldsBackTheFirstMessages)
{
    Star star(2);
    MqttBrokerHelper brokerHelper = AwsBroker();
    brokerHelper.SetAttribute("SubscriptionDelay", TimeValue(MilliSeconds(300)));
    Ptr<MqttBroker> broker = star.InstallBroker(brokerHelper);
    // The profile's delay is exponential: its draw comes from the broker's seed, pinned here so
    // that it does not depend on how many random variables earlier tests of the process made.
    broker->AssignStreams(1000);
    DropCounter drops;
    drops.Attach(broker);

    MqttClientHelper pubHelper = ClientHelper("pub");
    pubHelper.SetAttribute("Topic", StringValue("t/x"));
    pubHelper.SetAttribute("Qos", UintegerValue(1));
    pubHelper.SetAttribute("PayloadSize", Constant(40));
    pubHelper.SetAttribute("Interval", Constant(0.01));
    pubHelper.SetAttribute("MaxMessages", UintegerValue(150));
    Ptr<MqttClient> pub = star.InstallClient(1, pubHelper, 0.5);

    MqttClientHelper subHelper = ClientHelper("sub");
    subHelper.SetAttribute("Subscriptions", StringValue("t/x:1"));
    Ptr<MqttClient> sub = star.InstallClient(0, subHelper, 1.0);
    Arrivals arrivals;
    arrivals.Attach(sub);

    Simulator::Stop(Seconds(4));
    Simulator::Run();

    EXPECT_EQ(pub->GetPublishesCompleted(), 150u);
    uint64_t pending = drops.byReason[DropReason::SubscriptionPending];
    EXPECT_GT(pending, 0u);
    ASSERT_FALSE(arrivals.sequences.empty());
    // Before the subscription: messages with no subscriber at all are simply not routed.
    uint64_t first = *std::min_element(arrivals.sequences.begin(), arrivals.sequences.end());
    std::set<uint64_t> unique(arrivals.sequences.begin(), arrivals.sequences.end());
    EXPECT_EQ(unique.size(), 150 - first);
    EXPECT_EQ(*unique.rbegin(), 149u);
    // Every pending drop happened before the first delivery arrived.
    for (const Time& t : drops.pendingTimes)
    {
        EXPECT_LT(t, arrivals.times.front());
    }
    // The drops are exactly the messages published while the subscription was pending: at
    // 100 messages per second over (delay) seconds.
    EXPECT_LE(pending, first);
}

// Persistent sessions: after the reconnect the stored messages arrive at most 10 per second.
TEST_F(SimTest, AwsStoredMessagesDrainAt10PerSecond)
{
    Star star(2);
    star.InstallBroker(AwsBroker());

    MqttClientHelper subHelper = ClientHelper("sub");
    subHelper.SetAttribute("CleanSession", BooleanValue(false));
    subHelper.SetAttribute("Subscriptions", StringValue("t/x:1"));
    ApplicationContainer first = subHelper.Install(star.devices.Get(0));
    DynamicCast<MqttClient>(first.Get(0))
        ->SetAttribute("BrokerAddress", AddressValue(star.brokerAddress[0]));
    first.Start(Seconds(0.1));
    first.Stop(Seconds(2)); // DISCONNECT: the session stays

    MqttClientHelper pubHelper = ClientHelper("pub");
    pubHelper.SetAttribute("Topic", StringValue("t/x"));
    pubHelper.SetAttribute("Qos", UintegerValue(1));
    pubHelper.SetAttribute("PayloadSize", Constant(40));
    pubHelper.SetAttribute("Interval", Constant(0.01));
    pubHelper.SetAttribute("MaxMessages", UintegerValue(30));
    star.InstallClient(1, pubHelper, 3.0);

    Ptr<MqttClient> again = star.InstallClient(0, subHelper, 5.0); // the same client id
    bool sessionPresent = false;
    again->TraceConnectWithoutContext(
        "Connected",
        Callback<void, bool>([&sessionPresent](bool present) { sessionPresent = present; }));
    Arrivals arrivals;
    arrivals.Attach(again);

    Simulator::Stop(Seconds(10));
    Simulator::Run();

    EXPECT_TRUE(sessionPresent);
    ASSERT_EQ(arrivals.times.size(), 30u);
    for (std::size_t i = 0; i < 30; ++i)
    {
        EXPECT_EQ(arrivals.sequences[i], i); // 100 ms apart: the 10 ms reorder jitter cannot swap
    }
    for (std::size_t i = 1; i < 30; ++i)
    {
        Time gap = arrivals.times[i] - arrivals.times[i - 1];
        EXPECT_GE(gap, MilliSeconds(90)) << i;
        EXPECT_LE(gap, MilliSeconds(110)) << i;
    }
    Time span = arrivals.times.back() - arrivals.times.front();
    EXPECT_GE(span, MilliSeconds(2890));
    EXPECT_LE(span, MilliSeconds(2910));
}

// Quotas: 100 publishes per second per connection; the excess is discarded (Throttled).
TEST_F(SimTest, AwsPublishRateDiscardsTheExcess)
{
    Star star(2);
    Ptr<MqttBroker> broker = star.InstallBroker(AwsBroker());
    DropCounter drops;
    drops.Attach(broker);
    uint64_t accepted = 0;
    broker->TraceConnectWithoutContext(
        "PublishReceived",
        Callback<void, const MqttEvent&>([&accepted](const MqttEvent&) { ++accepted; }));

    MqttClientHelper subHelper = ClientHelper("sub");
    subHelper.SetAttribute("Subscriptions", StringValue("t/x:0"));
    Ptr<MqttClient> sub = star.InstallClient(0, subHelper, 0.1);

    // 200 per second for 2 s at QoS 0: a burst of 100, then 100 per second get through.
    MqttClientHelper pubHelper = ClientHelper("pub");
    pubHelper.SetAttribute("Topic", StringValue("t/x"));
    pubHelper.SetAttribute("Qos", UintegerValue(0));
    pubHelper.SetAttribute("PayloadSize", Constant(40));
    pubHelper.SetAttribute("Interval", Constant(0.005));
    pubHelper.SetAttribute("MaxMessages", UintegerValue(400));
    Ptr<MqttClient> pub = star.InstallClient(1, pubHelper, 1.0);

    Simulator::Stop(Seconds(5));
    Simulator::Run();

    EXPECT_EQ(pub->GetPublishesSent(), 400u);
    EXPECT_EQ(accepted, 400u); // PublishReceived comes before the rate decision
    uint64_t throttled = drops.byReason[DropReason::Throttled];
    uint64_t delivered = sub->GetMessagesReceived() - sub->GetDuplicatesReceived();
    EXPECT_EQ(throttled + delivered, 400u);
    EXPECT_GE(delivered, 295u);
    EXPECT_LE(delivered, 305u);
}

// Quotas / persistent sessions: a disconnected persistent session is discarded after one hour,
// with its stored messages (SessionExpired); the next CONNECT finds no session.
TEST_F(SimTest, AwsPersistentSessionExpiresAfterOneHour)
{
    Star star(2);
    Ptr<MqttBroker> broker = star.InstallBroker(AwsBroker());
    DropCounter drops;
    drops.Attach(broker);

    MqttClientHelper subHelper = ClientHelper("sub");
    subHelper.SetAttribute("CleanSession", BooleanValue(false));
    subHelper.SetAttribute("Subscriptions", StringValue("t/x:1"));
    ApplicationContainer first = subHelper.Install(star.devices.Get(0));
    DynamicCast<MqttClient>(first.Get(0))
        ->SetAttribute("BrokerAddress", AddressValue(star.brokerAddress[0]));
    first.Start(Seconds(0.1));
    first.Stop(Seconds(2));

    MqttClientHelper pubHelper = ClientHelper("pub");
    pubHelper.SetAttribute("Topic", StringValue("t/x"));
    pubHelper.SetAttribute("Qos", UintegerValue(1));
    pubHelper.SetAttribute("PayloadSize", Constant(40));
    pubHelper.SetAttribute("MaxMessages", UintegerValue(1));
    ApplicationContainer pubApps = pubHelper.Install(star.devices.Get(1));
    DynamicCast<MqttClient>(pubApps.Get(0))
        ->SetAttribute("BrokerAddress", AddressValue(star.brokerAddress[1]));
    pubApps.Start(Seconds(3));
    pubApps.Stop(Seconds(4));

    // The DISCONNECT reaches the broker a few ms after 2 s: the session lives until then + 1 h.
    std::size_t before = 0;
    std::size_t after = 0;
    std::size_t queued = 0;
    Simulator::Schedule(Seconds(3600 + 2),
                        [&]()
                        {
                            before = broker->GetEngine()->SessionCount();
                            queued = broker->GetEngine()->QueueDepth("sub");
                        });
    Simulator::Schedule(Seconds(3600 + 2.1),
                        [&]() { after = broker->GetEngine()->SessionCount(); });
    Ptr<MqttClient> late = star.InstallClient(0, subHelper, 3700);
    bool sessionPresent = true;
    late->TraceConnectWithoutContext(
        "Connected",
        Callback<void, bool>([&sessionPresent](bool present) { sessionPresent = present; }));

    Simulator::Stop(Seconds(3705));
    Simulator::Run();

    EXPECT_EQ(before, 1u);
    EXPECT_EQ(queued, 1u);
    EXPECT_EQ(after, 0u);
    EXPECT_EQ(drops.byReason[DropReason::SessionExpired], 1u);
    EXPECT_FALSE(sessionPresent);
}

// Lifecycle events: a device's connect and disconnect reach a subscriber of
// $aws/events/presence/#, with the simulation time in milliseconds.
TEST_F(SimTest, AwsLifecycleEventsReachAPresenceSubscriber)
{
    Star star(2);
    star.InstallBroker(AwsBroker());
    MqttClientHelper watchHelper = ClientHelper("watch");
    watchHelper.SetAttribute("Subscriptions", StringValue("$aws/events/presence/#:1"));
    Ptr<MqttClient> watch = star.InstallClient(0, watchHelper, 0.1);
    Receiver received;
    received.Attach(watch);

    MqttClientHelper devHelper = ClientHelper("dev");
    ApplicationContainer dev = devHelper.Install(star.devices.Get(1));
    DynamicCast<MqttClient>(dev.Get(0))
        ->SetAttribute("BrokerAddress", AddressValue(star.brokerAddress[1]));
    dev.Start(Seconds(1));
    dev.Stop(Seconds(2));

    Simulator::Stop(Seconds(3));
    Simulator::Run();

    ASSERT_EQ(received.topics.size(), 2u);
    EXPECT_EQ(received.topics[0], "$aws/events/presence/connected/dev");
    EXPECT_EQ(received.topics[1], "$aws/events/presence/disconnected/dev");
    // The CONNECT takes a TCP handshake and a 2 ms hop: between 1.004 s and 1.100 s.
    const std::string& connected = received.payloads[0];
    auto at = connected.find("\"timestamp\":");
    ASSERT_NE(at, std::string::npos);
    long ms = std::stol(connected.substr(at + 12));
    EXPECT_GE(ms, 1004);
    EXPECT_LT(ms, 1100);
    EXPECT_NE(received.payloads[1].find("\"disconnectReason\":\"CLIENT_INITIATED_DISCONNECT\""),
              std::string::npos);
}

// Quotas, account-wide: connect requests per second per account. A fleet that (re)connects at
// once gets a bucket's worth in and the rest closed without CONNACK (ThrottledAccountConnectRate);
// without jitter the clients retry in lockstep after 1, 2 and 4 s, so each wave admits exactly
// the bucket again: 5 + 5 + 5 + 5 of 20, 15 + 10 + 5 closes.
TEST_F(SimTest, AwsAccountConnectRateThrottlesAFleetReconnectingAtOnce)
{
    const uint32_t devices = 20;
    Star star(devices);
    Ptr<MqttBroker> broker = star.InstallBroker(AwsBroker());
    ASSERT_FALSE(broker->SetSetting("account-connect-rate", "5"));
    std::vector<std::string> closed;
    RecordClosedConnections(broker, closed);
    std::vector<Time> connectedAt;
    for (uint32_t i = 0; i < devices; ++i)
    {
        MqttClientHelper helper = ClientHelper("dev-" + std::to_string(i));
        helper.SetAttribute("ReconnectJitter", DoubleValue(0));
        Ptr<MqttClient> client = star.InstallClient(i, helper, 1.0);
        client->TraceConnectWithoutContext(
            "Connected",
            Callback<void, bool>([&connectedAt](bool)
                                 { connectedAt.push_back(Simulator::Now()); }));
    }

    Simulator::Stop(Seconds(12));
    Simulator::Run();

    ASSERT_EQ(connectedAt.size(), devices);
    auto inWave = [&connectedAt](double from)
    {
        return std::count_if(connectedAt.begin(),
                             connectedAt.end(),
                             [from](Time t)
                             { return t >= Seconds(from) && t < Seconds(from + 0.5); });
    };
    EXPECT_EQ(inWave(1), 5);
    EXPECT_EQ(inWave(2), 5);
    EXPECT_EQ(inWave(4), 5);
    EXPECT_EQ(inWave(8), 5);
    auto throttled = std::count_if(closed.begin(),
                                   closed.end(),
                                   [](const std::string& c)
                                   { return c.find(":ThrottledAccountConnectRate") != c.npos; });
    EXPECT_EQ(throttled, 30);
    EXPECT_EQ(closed.size(), 30u); // nothing else closed
    const MqttAccountQuotaStats& s = broker->GetAccount()->Stats(AccountQuota::ConnectRate);
    EXPECT_EQ(s.limit, 5);
    EXPECT_EQ(s.requests, 50u);
    EXPECT_EQ(s.throttled, 30u);
    EXPECT_EQ(s.peak, 20u);
    EXPECT_EQ(s.peakAt, std::chrono::seconds(1));
    EXPECT_EQ(broker->GetAccount()->Stats(AccountQuota::Connections).peak, devices);
}
