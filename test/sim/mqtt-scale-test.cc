/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Many clients on one CSMA segment, and determinism: one seed and run number reproduce a run
 * exactly; another run number gives another run.
 */
#include "mqtt-sim-fixture.h"

#include "ns3/csma-helper.h"
#include "ns3/double.h"

using namespace mqtt_sim;

TEST_F(SimTest, HundredClientsOnOneCsmaSegment)
{
    constexpr uint32_t CLIENTS = 100;
    constexpr uint32_t MESSAGES = 5;
    NodeContainer nodes;
    nodes.Create(CLIENTS + 2); // broker, observer, clients
    CsmaHelper csma;
    csma.SetChannelAttribute("DataRate", StringValue("100Mbps"));
    csma.SetChannelAttribute("Delay", TimeValue(MicroSeconds(5)));
    NetDeviceContainer devices = csma.Install(nodes);
    InternetStackHelper stack;
    stack.Install(nodes);
    Ipv4AddressHelper addresses("10.2.0.0", "255.255.0.0");
    Ipv4InterfaceContainer interfaces = addresses.Assign(devices);

    Ptr<MqttBroker> broker =
        DynamicCast<MqttBroker>(MqttBrokerHelper().Install(nodes.Get(0)).Get(0));
    uint64_t brokerReceived = 0;
    broker->TraceConnectWithoutContext(
        "PublishReceived",
        Callback<void, const MqttEvent&>([&](const MqttEvent&) { ++brokerReceived; }));

    MqttClientHelper observerHelper(interfaces.GetAddress(0));
    observerHelper.SetAttribute("Subscriptions", StringValue("csma/#:1"));
    ApplicationContainer observerApps = observerHelper.Install(nodes.Get(1));
    observerApps.Start(Seconds(0.1));
    Ptr<MqttClient> observer = DynamicCast<MqttClient>(observerApps.Get(0));
    Receiver received;
    received.Attach(observer);

    MqttClientHelper clientHelper(interfaces.GetAddress(0));
    clientHelper.SetAttribute("ClientId", StringValue("csma-%n"));
    clientHelper.SetAttribute("Topic", StringValue("csma/%n"));
    clientHelper.SetAttribute("Qos", UintegerValue(1));
    clientHelper.SetAttribute("Interval", StringValue("ns3::ExponentialRandomVariable[Mean=0.5]"));
    clientHelper.SetAttribute("MaxMessages", UintegerValue(MESSAGES));
    ApplicationContainer clients;
    for (uint32_t i = 0; i < CLIENTS; ++i)
    {
        clients.Add(clientHelper.Install(nodes.Get(i + 2)));
    }
    clients.Start(Seconds(1));
    EXPECT_EQ(MqttClientHelper::AssignStreams(clients, 10), 3 * CLIENTS);

    Simulator::Stop(Seconds(30));
    Simulator::Run();

    EXPECT_EQ(broker->GetEngine()->SessionCount(), CLIENTS + 1);
    EXPECT_EQ(brokerReceived, CLIENTS * MESSAGES);
    EXPECT_EQ(received.Unique(), CLIENTS * MESSAGES);
    EXPECT_EQ(observer->GetDuplicatesReceived(), 0u);
    for (uint32_t i = 0; i < CLIENTS; ++i)
    {
        EXPECT_EQ(DynamicCast<MqttClient>(clients.Get(i))->GetPublishesCompleted(), MESSAGES);
    }
}

namespace
{

/**
 * A small star with random intervals, payload sizes and a lossy link (so reconnect jitter is
 * drawn too); returns a text trace of everything the subscriber and the broker saw, with times.
 */
std::string
RunRecorded(uint32_t run)
{
    RngSeedManager::SetSeed(7);
    RngSeedManager::SetRun(run);
    Star star(4);
    Ptr<MqttBroker> broker = star.InstallBroker();
    std::ostringstream trace;
    broker->TraceConnectWithoutContext("Event",
                                       Callback<void, const MqttEvent&>(
                                           [&](const MqttEvent& event)
                                           {
                                               trace << Simulator::Now().GetNanoSeconds() << " B "
                                                     << EventTypeName(event.type) << " "
                                                     << event.clientId << " " << event.peerId
                                                     << "\n";
                                           }));
    MqttClientHelper subHelper = ClientHelper("sub");
    subHelper.SetAttribute("Subscriptions", StringValue("d/#:1"));
    Ptr<MqttClient> sub = star.InstallClient(0, subHelper, 0.1);
    sub->TraceConnectWithoutContext(
        "PublishReceived",
        Callback<void, const MqttEvent&, const MqttPayloadStamp&, Time, bool>(
            [&](const MqttEvent&, const MqttPayloadStamp& stamp, Time latency, bool)
            {
                trace << Simulator::Now().GetNanoSeconds() << " R " << stamp.publisher << "/"
                      << stamp.sequence << " " << latency.GetNanoSeconds() << "\n";
            }));
    ApplicationContainer apps;
    for (uint32_t i = 1; i < 4; ++i)
    {
        MqttClientHelper helper = ClientHelper("d-%n");
        helper.SetAttribute("Topic", StringValue("d/%n"));
        helper.SetAttribute("Qos", UintegerValue(1));
        helper.SetAttribute("KeepAlive", UintegerValue(3));
        helper.SetAttribute("PingTimeout", TimeValue(Seconds(2)));
        helper.SetAttribute("AckTimeout", TimeValue(Seconds(3)));
        helper.SetAttribute("PayloadSize",
                            StringValue("ns3::UniformRandomVariable[Min=30|Max=300]"));
        helper.SetAttribute("Interval", StringValue("ns3::ExponentialRandomVariable[Mean=0.3]"));
        helper.SetAttribute("MaxMessages", UintegerValue(30));
        Ptr<MqttClient> client = star.InstallClient(i, helper, 0.5);
        client->TraceConnectWithoutContext(
            "StateTransition",
            Callback<void, const std::string&, const std::string&>(
                [&, i](const std::string& from, const std::string& to) {
                    trace << Simulator::Now().GetNanoSeconds() << " S" << i << " " << from << ">"
                          << to << "\n";
                }));
        apps.Add(client);
    }
    auto lossy = star.SetLoss(3, 0.05);
    MqttClientHelper::AssignStreams(apps, 0);
    MqttClientHelper::AssignStreams(ApplicationContainer(sub), 100);
    MqttBrokerHelper::AssignStreams(NodeContainer(star.broker), 200);
    Simulator::Stop(Seconds(30));
    Simulator::Run();
    Simulator::Destroy();
    return trace.str();
}

} // namespace

TEST_F(SimTest, SameSeedAndRunGiveIdenticalTraces)
{
    std::string first = RunRecorded(1);
    std::string second = RunRecorded(1);
    EXPECT_GT(first.size(), 1000u);
    EXPECT_EQ(first, second);
    std::string other = RunRecorded(2);
    EXPECT_NE(first, other);
}
