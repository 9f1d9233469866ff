/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Publish and subscribe between devices on point-to-point links: exact delivery counts per QoS,
 * retained messages and the will across nodes, IPv6, and the client's Attribute parsing.
 */
#include "mqtt-sim-fixture.h"

#include "ns3/boolean.h"
#include "ns3/inet6-socket-address.h"
#include "ns3/ipv6-address-helper.h"

using namespace mqtt_sim;

namespace
{

/** Device 0 subscribes to "t/x" at QoS @p qos; device 1 publishes @p count messages there. */
void
RunPubSub(uint8_t qos, uint32_t count)
{
    Star star(2);
    Ptr<MqttBroker> broker = star.InstallBroker();
    uint64_t brokerReceived = 0;
    broker->TraceConnectWithoutContext(
        "PublishReceived",
        Callback<void, const MqttEvent&>([&](const MqttEvent&) { ++brokerReceived; }));

    MqttClientHelper subHelper = ClientHelper("sub");
    subHelper.SetAttribute("Subscriptions", StringValue("t/x:" + std::to_string(qos)));
    Ptr<MqttClient> sub = star.InstallClient(0, subHelper, 0.1);
    Receiver received;
    received.Attach(sub);

    MqttClientHelper pubHelper = ClientHelper("pub");
    pubHelper.SetAttribute("Topic", StringValue("t/x"));
    pubHelper.SetAttribute("Qos", UintegerValue(qos));
    pubHelper.SetAttribute("PayloadSize", Constant(40));
    pubHelper.SetAttribute("Interval", Constant(0.05));
    pubHelper.SetAttribute("MaxMessages", UintegerValue(count));
    Ptr<MqttClient> pub = star.InstallClient(1, pubHelper, 1.0);

    Simulator::Stop(Seconds(10));
    Simulator::Run();

    EXPECT_EQ(pub->GetPublishesSent(), count);
    EXPECT_EQ(pub->GetPublishesCompleted(), qos == 0 ? 0u : count);
    EXPECT_EQ(brokerReceived, count);
    EXPECT_EQ(sub->GetMessagesReceived(), count);
    EXPECT_EQ(received.Unique(), count);
    EXPECT_EQ(sub->GetDuplicatesReceived(), 0u);
    ASSERT_EQ(received.latencies.size(), count);
    for (const Time& latency : received.latencies)
    {
        // Two 2 ms hops at least; nothing queues on an idle 10 Mb/s link.
        EXPECT_GE(latency, MilliSeconds(4));
        EXPECT_LT(latency, MilliSeconds(100));
    }
    for (const std::string& topic : received.topics)
    {
        EXPECT_EQ(topic, "t/x");
    }
    EXPECT_EQ(sub->GetState(), ClientState::Connected);
}

} // namespace

TEST_F(SimTest, PubSubQos0ExactCount)
{
    RunPubSub(0, 20);
}

TEST_F(SimTest, PubSubQos1ExactCount)
{
    RunPubSub(1, 20);
}

TEST_F(SimTest, PubSubQos2ExactCount)
{
    RunPubSub(2, 20);
}

// [MQTT-3.3.1-6]: a new subscription receives the last retained message of a matching topic.
TEST_F(SimTest, RetainedMessageReachesLaterSubscriberOnAnotherNode)
{
    Star star(2);
    star.InstallBroker();
    MqttClientHelper pubHelper = ClientHelper("pub");
    pubHelper.SetAttribute("Topic", StringValue("status/lamp"));
    pubHelper.SetAttribute("Qos", UintegerValue(1));
    pubHelper.SetAttribute("Retain", BooleanValue(true));
    pubHelper.SetAttribute("PayloadSize", Constant(30));
    pubHelper.SetAttribute("MaxMessages", UintegerValue(3));
    pubHelper.SetAttribute("Interval", Constant(0.1));
    Ptr<MqttClient> pub = star.InstallClient(0, pubHelper, 0.1);

    MqttClientHelper subHelper = ClientHelper("late");
    subHelper.SetAttribute("Subscriptions", StringValue("status/+:1"));
    Ptr<MqttClient> sub = star.InstallClient(1, subHelper, 2.0);
    Receiver received;
    received.Attach(sub);

    Simulator::Stop(Seconds(4));
    Simulator::Run();

    EXPECT_EQ(pub->GetPublishesCompleted(), 3u);
    ASSERT_EQ(received.topics.size(), 1u);
    EXPECT_EQ(received.topics[0], "status/lamp");
    EXPECT_TRUE(received.retainFlags[0]);
    // Only the last retained message is kept: sequence 2 of the publisher.
    ASSERT_EQ(received.stamped.size(), 1u);
    EXPECT_EQ(received.stamped.begin()->second, 2u);
    EXPECT_EQ(received.stamped.begin()->first, pub->GetPublisherId());
}

// [MQTT-3.1.2-8]: the will is published when the network connection closes without DISCONNECT.
// [MQTT-3.14.4-3]: a DISCONNECT discards the will.
TEST_F(SimTest, WillReachesSubscriberOnAnotherNodeOnlyWithoutDisconnect)
{
    Star star(3);
    star.InstallBroker();
    MqttClientHelper watcherHelper = ClientHelper("watcher");
    watcherHelper.SetAttribute("Subscriptions", StringValue("will/#:1"));
    Ptr<MqttClient> watcher = star.InstallClient(0, watcherHelper, 0.1);
    Receiver received;
    received.Attach(watcher);

    for (uint32_t i = 1; i <= 2; ++i)
    {
        MqttClientHelper helper = ClientHelper("dev-%n");
        helper.SetAttribute("WillTopic", StringValue("will/%n"));
        helper.SetAttribute("WillPayload", StringValue("gone"));
        helper.SetAttribute("WillQos", UintegerValue(1));
        helper.SetAttribute("KeepAlive", UintegerValue(2));
        star.InstallClient(i, helper, 0.5);
    }
    // Device 1 (node 2) loses its link for good; device 2 (node 3) disconnects cleanly.
    auto cut = star.SetLoss(1, 1.0);
    CutLink(cut, false);
    Simulator::Schedule(Seconds(1.0), &CutLink, cut, true);
    Ptr<MqttClient> polite = DynamicCast<MqttClient>(star.devices.Get(2)->GetApplication(0));
    Simulator::Schedule(Seconds(1.0), &MqttClient::StopApplication, polite);

    Simulator::Stop(Seconds(8));
    Simulator::Run();

    ASSERT_EQ(received.topics.size(), 1u);
    EXPECT_EQ(received.topics[0], "will/2");
    EXPECT_EQ(received.payloads[0], "gone");
}

TEST_F(SimTest, PubSubOverIpv6)
{
    NodeContainer nodes;
    nodes.Create(3);
    InternetStackHelper stack;
    stack.Install(nodes);
    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue("10Mbps"));
    p2p.SetChannelAttribute("Delay", StringValue("2ms"));
    Ipv6AddressHelper addresses;
    addresses.SetBase(Ipv6Address("2001:db8:1::"), Ipv6Prefix(64));
    std::vector<Ipv6Address> brokerAddress;
    for (uint32_t i = 1; i <= 2; ++i)
    {
        Ipv6InterfaceContainer interfaces =
            addresses.Assign(p2p.Install(nodes.Get(0), nodes.Get(i)));
        interfaces.SetForwarding(0, true);
        brokerAddress.push_back(interfaces.GetAddress(0, 1));
        addresses.NewNetwork();
    }
    MqttBrokerHelper().Install(nodes.Get(0));

    MqttClientHelper subHelper(brokerAddress[0]);
    subHelper.SetAttribute("Subscriptions", StringValue("v6/#:2"));
    ApplicationContainer subApps = subHelper.Install(nodes.Get(1));
    subApps.Start(Seconds(2));
    Ptr<MqttClient> sub = DynamicCast<MqttClient>(subApps.Get(0));
    Receiver received;
    received.Attach(sub);

    MqttClientHelper pubHelper(brokerAddress[1]);
    pubHelper.SetAttribute("Topic", StringValue("v6/%n"));
    pubHelper.SetAttribute("Qos", UintegerValue(2));
    pubHelper.SetAttribute("MaxMessages", UintegerValue(5));
    pubHelper.SetAttribute("Interval", Constant(0.1));
    ApplicationContainer pubApps = pubHelper.Install(nodes.Get(2));
    // IPv6 duplicate address detection holds new addresses for about a second.
    pubApps.Start(Seconds(3));

    Simulator::Stop(Seconds(6));
    Simulator::Run();

    EXPECT_EQ(received.Unique(), 5u);
    ASSERT_FALSE(received.topics.empty());
    EXPECT_EQ(received.topics[0], "v6/2");
}

TEST(MqttClientAttributes, ParsesSubscriptions)
{
    std::vector<TopicRequest> out;
    ASSERT_TRUE(MqttClient::ParseSubscriptions("a/b:1;c/#;+/x:2;;", out));
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].filter, "a/b");
    EXPECT_EQ(out[0].qos, Qos::AtLeastOnce);
    EXPECT_EQ(out[1].filter, "c/#");
    EXPECT_EQ(out[1].qos, Qos::AtMostOnce);
    EXPECT_EQ(out[2].filter, "+/x");
    EXPECT_EQ(out[2].qos, Qos::ExactlyOnce);
    // A colon that is not followed by a single digit belongs to the filter.
    ASSERT_TRUE(MqttClient::ParseSubscriptions("urn:dev:x7;urn:dev:7:1", out));
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].filter, "urn:dev:x7");
    EXPECT_EQ(out[0].qos, Qos::AtMostOnce);
    EXPECT_EQ(out[1].filter, "urn:dev:7");
    EXPECT_EQ(out[1].qos, Qos::AtLeastOnce);
    // A single digit that is no QoS is an error rather than part of the filter.
    EXPECT_FALSE(MqttClient::ParseSubscriptions("a:3", out));
    EXPECT_FALSE(MqttClient::ParseSubscriptions(":1", out));
    ASSERT_TRUE(MqttClient::ParseSubscriptions("", out));
    EXPECT_TRUE(out.empty());
}

TEST(MqttClientAttributes, ExpandsTemplates)
{
    EXPECT_EQ(MqttClient::ExpandTemplate("dev-%n-%a", 12, 3), "dev-12-3");
    EXPECT_EQ(MqttClient::ExpandTemplate("%n/%n", 7, 0), "7/7");
    EXPECT_EQ(MqttClient::ExpandTemplate("100%%-%x%", 1, 2), "100%-%x%");
}
