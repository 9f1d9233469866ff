/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A broker with front ends (MqttBroker::AddFrontEnd): clients that reach the broker through
 * different nodes share one engine (messages, sessions, takeover), and the front ends stop and
 * start with the broker.
 */
#include "mqtt-sim-fixture.h"

#include "ns3/boolean.h"

using namespace mqtt_sim;

namespace
{

/** The broker's node, two front-end nodes, and a device on its own link to each front end. */
struct FrontEnds
{
    Ptr<Node> broker;
    NodeContainer frontEnds;
    NodeContainer devices;
    /** Device i reaches front end i at this address. */
    std::vector<Ipv4Address> frontEndAddress;

    FrontEnds()
    {
        NodeContainer all;
        all.Create(5);
        broker = all.Get(0);
        InternetStackHelper().Install(all);
        PointToPointHelper p2p;
        p2p.SetDeviceAttribute("DataRate", StringValue("10Mbps"));
        p2p.SetChannelAttribute("Delay", StringValue("2ms"));
        Ipv4AddressHelper addresses("10.2.0.0", "255.255.255.0");
        for (uint32_t i = 0; i < 2; ++i)
        {
            frontEnds.Add(all.Get(1 + i));
            devices.Add(all.Get(3 + i));
            Ipv4InterfaceContainer ifc =
                addresses.Assign(p2p.Install(all.Get(1 + i), all.Get(3 + i)));
            frontEndAddress.push_back(ifc.GetAddress(0));
            addresses.NewNetwork();
        }
    }

    Ptr<MqttBroker>
    InstallBroker() const
    {
        ApplicationContainer apps = MqttBrokerHelper().Install(broker);
        Ptr<MqttBroker> b = DynamicCast<MqttBroker>(apps.Get(0));
        for (uint32_t i = 0; i < frontEnds.GetN(); ++i)
        {
            b->AddFrontEnd(frontEnds.Get(i));
        }
        apps.Start(Seconds(0));
        return b;
    }

    Ptr<MqttClient>
    InstallClient(uint32_t i, MqttClientHelper helper, double start) const
    {
        helper.SetAttribute("BrokerAddress", AddressValue(frontEndAddress[i]));
        ApplicationContainer apps = helper.Install(devices.Get(i));
        apps.Start(Seconds(start));
        return DynamicCast<MqttClient>(apps.Get(0));
    }
};

TEST_F(SimTest, FrontEndsShareOneEngine)
{
    FrontEnds net;
    Ptr<MqttBroker> broker = net.InstallBroker();
    MqttClientHelper subHelper = ClientHelper("sub");
    subHelper.SetAttribute("Subscriptions", StringValue("t/#:1"));
    Ptr<MqttClient> sub = net.InstallClient(0, subHelper, 0.1);
    Receiver received;
    received.Attach(sub);
    MqttClientHelper pubHelper = ClientHelper("pub");
    pubHelper.SetAttribute("Topic", StringValue("t/x"));
    pubHelper.SetAttribute("Qos", UintegerValue(1));
    pubHelper.SetAttribute("PayloadSize", Constant(40));
    pubHelper.SetAttribute("Interval", Constant(0.05));
    pubHelper.SetAttribute("MaxMessages", UintegerValue(20));
    Ptr<MqttClient> pub = net.InstallClient(1, pubHelper, 1.0);

    Simulator::Stop(Seconds(5));
    Simulator::Run();

    EXPECT_EQ(pub->GetPublishesCompleted(), 20u);
    EXPECT_EQ(sub->GetMessagesReceived(), 20u);
    EXPECT_EQ(received.Unique(), 20u);
    for (const Time& latency : received.latencies)
    {
        // Each device is one 2 ms hop from its front end; the engine behind them costs nothing.
        EXPECT_GE(latency, MilliSeconds(4));
        EXPECT_LT(latency, MilliSeconds(20));
    }
    EXPECT_EQ(broker->GetConnectionsAccepted(), 2u);
    ASSERT_NE(broker->GetEngine(), nullptr);
    EXPECT_EQ(broker->GetEngine()->SessionCount(), 2u);
}

// [MQTT-3.1.4-2]: a client id connecting through another front end takes the session over.
TEST_F(SimTest, TakeoverAcrossFrontEnds)
{
    FrontEnds net;
    Ptr<MqttBroker> broker = net.InstallBroker();
    std::vector<std::string> closed;
    RecordClosedConnections(broker, closed);
    MqttClientHelper first = ClientHelper("meter");
    first.SetAttribute("AutoReconnect", BooleanValue(false));
    Ptr<MqttClient> a = net.InstallClient(0, first, 0.1);
    Ptr<MqttClient> b = net.InstallClient(1, ClientHelper("meter"), 1.0);

    Simulator::Stop(Seconds(3));
    Simulator::Run();

    EXPECT_EQ(b->GetState(), ClientState::Connected);
    EXPECT_NE(a->GetState(), ClientState::Connected);
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(closed[0], "meter:Takeover");
}

TEST_F(SimTest, FrontEndsStopAndStartWithTheBroker)
{
    FrontEnds net;
    Ptr<MqttBroker> broker = net.InstallBroker();
    broker->SetStopTime(Seconds(1));
    MqttClientHelper early = ClientHelper("early");
    Ptr<MqttClient> a = net.InstallClient(0, early, 0.1);
    MqttClientHelper late = ClientHelper("late");
    late.SetAttribute("AutoReconnect", BooleanValue(false));
    Ptr<MqttClient> b = net.InstallClient(1, late, 2.0);

    Simulator::Stop(Seconds(4));
    Simulator::Run();

    // The first connected, then lost its broker; nobody listens on the front end any more.
    EXPECT_EQ(a->GetSessionsStarted(), 1u);
    EXPECT_NE(a->GetState(), ClientState::Connected);
    EXPECT_EQ(b->GetSessionsStarted(), 0u);
    EXPECT_EQ(broker->GetConnectionsAccepted(), 1u);
}

} // namespace

// The account's quotas span the front ends: two devices connecting at once through different
// front ends against an account connect rate of 1 per second: one is let in, the other closed.
TEST_F(SimTest, AccountQuotasSpanTheFrontEnds)
{
    FrontEnds net;
    Ptr<MqttBroker> broker = net.InstallBroker();
    ASSERT_FALSE(broker->SetSetting("account-connect-rate", "1"));
    std::vector<std::string> closed;
    RecordClosedConnections(broker, closed);
    std::vector<Ptr<MqttClient>> clients;
    for (uint32_t i = 0; i < 2; ++i)
    {
        MqttClientHelper helper = ClientHelper("dev-" + std::to_string(i));
        helper.SetAttribute("AutoReconnect", BooleanValue(false));
        clients.push_back(net.InstallClient(i, helper, 1.0));
    }

    Simulator::Stop(Seconds(3));
    Simulator::Run();

    EXPECT_EQ(clients[0]->GetSessionsStarted() + clients[1]->GetSessionsStarted(), 1u);
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_NE(closed[0].find(":ThrottledAccountConnectRate"), std::string::npos) << closed[0];
    const MqttAccountQuotaStats& s = broker->GetAccount()->Stats(AccountQuota::ConnectRate);
    EXPECT_EQ(s.requests, 2u);
    EXPECT_EQ(s.throttled, 1u);
}
