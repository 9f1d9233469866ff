/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Bad networks and restarts: lossy device links per QoS, a link cut in the middle of a run (keep
 * alive expiry, will, reconnect, queued messages of a persistent session), and a broker stopped
 * and started again.
 */
#include "mqtt-sim-fixture.h"

#include "ns3/boolean.h"

using namespace mqtt_sim;

namespace
{

struct LossCase
{
    double rate;
    uint8_t qos;
};

class LossyLinkTest : public SimTest, public ::testing::WithParamInterface<LossCase>
{
};

std::string
LossCaseName(const ::testing::TestParamInfo<LossCase>& info)
{
    return "Loss" + std::to_string(static_cast<int>(info.param.rate * 100)) + "PercentQos" +
           std::to_string(info.param.qos);
}

} // namespace

// Both device links drop packets at the given rate in both directions. TCP repairs most losses;
// what it cannot (a connection that dies, ack timeouts, reconnects) QoS must: QoS 1 delivers
// every message at least once, QoS 2 exactly once (section 4.3, end to end).
TEST_P(LossyLinkTest, DeliversPerQosGuarantee)
{
    const LossCase param = GetParam();
    constexpr uint32_t COUNT = 50;
    Star star(2);
    star.InstallBroker();
    MqttClientHelper subHelper = ClientHelper("sub");
    subHelper.SetAttribute("Subscriptions", StringValue("lossy/#:" + std::to_string(param.qos)));
    subHelper.SetAttribute("CleanSession", BooleanValue(false));
    subHelper.SetAttribute("KeepAlive", UintegerValue(5));
    subHelper.SetAttribute("AckTimeout", TimeValue(Seconds(5)));
    subHelper.SetAttribute("ReconnectMaxDelay", TimeValue(Seconds(2)));
    Ptr<MqttClient> sub = star.InstallClient(0, subHelper, 0.1);
    Receiver received;
    received.Attach(sub);

    MqttClientHelper pubHelper = ClientHelper("pub");
    pubHelper.SetAttribute("Topic", StringValue("lossy/data"));
    pubHelper.SetAttribute("Qos", UintegerValue(param.qos));
    pubHelper.SetAttribute("CleanSession", BooleanValue(false));
    pubHelper.SetAttribute("KeepAlive", UintegerValue(5));
    pubHelper.SetAttribute("AckTimeout", TimeValue(Seconds(5)));
    pubHelper.SetAttribute("ReconnectMaxDelay", TimeValue(Seconds(2)));
    pubHelper.SetAttribute("PayloadSize", Constant(100));
    pubHelper.SetAttribute("Interval", Constant(0.2));
    pubHelper.SetAttribute("MaxMessages", UintegerValue(COUNT));
    Ptr<MqttClient> pub = star.InstallClient(1, pubHelper, 1.0);
    star.SetLoss(0, param.rate);
    star.SetLoss(1, param.rate);

    Simulator::Stop(Seconds(300));
    Simulator::Run();

    EXPECT_EQ(pub->GetPublishesSent(), COUNT);
    EXPECT_EQ(pub->GetPublishesCompleted(), COUNT);
    if (param.rate >= 0.10)
    {
        // Loss this heavy breaks connections (keep-alive and ack timeouts), so QoS, not only
        // TCP, is what delivers here.
        EXPECT_GT(pub->GetSessionsStarted() + sub->GetSessionsStarted(), 4u);
    }
    EXPECT_EQ(received.Unique(), COUNT);
    if (param.qos == 2)
    {
        EXPECT_EQ(received.stamped.size(), COUNT);
        EXPECT_EQ(sub->GetDuplicatesReceived(), 0u);
    }
    else
    {
        EXPECT_GE(received.stamped.size(), COUNT);
    }
}

INSTANTIATE_TEST_SUITE_P(Rates,
                         LossyLinkTest,
                         ::testing::Values(LossCase{0.01, 1},
                                           LossCase{0.05, 1},
                                           LossCase{0.10, 1},
                                           LossCase{0.01, 2},
                                           LossCase{0.05, 2},
                                           LossCase{0.10, 2}),
                         LossCaseName);

// The device's link drops everything from 2 s to 12 s. The broker closes it after 1.5 x keep
// alive without a packet [MQTT-3.1.2-24] and publishes its will [MQTT-3.1.2-8]; QoS 1 messages
// for its persistent session are queued [MQTT-3.1.2-5] and delivered once it reconnects, with
// session present set [MQTT-3.2.2-2].
TEST_F(SimTest, LinkCutExpiresKeepAliveFiresWillAndPersistentSessionResumes)
{
    Star star(2);
    Ptr<MqttBroker> broker = star.InstallBroker();
    std::vector<std::string> closeReasons;
    RecordClosedConnections(broker, closeReasons);

    MqttClientHelper deviceHelper = ClientHelper("device");
    deviceHelper.SetAttribute("CleanSession", BooleanValue(false));
    deviceHelper.SetAttribute("KeepAlive", UintegerValue(2));
    deviceHelper.SetAttribute("WillTopic", StringValue("status/device"));
    deviceHelper.SetAttribute("WillPayload", StringValue("offline"));
    deviceHelper.SetAttribute("WillQos", UintegerValue(1));
    deviceHelper.SetAttribute("Subscriptions", StringValue("cmd/device:1"));
    deviceHelper.SetAttribute("ReconnectInitialDelay", TimeValue(Seconds(1)));
    deviceHelper.SetAttribute("ReconnectMaxDelay", TimeValue(Seconds(2)));
    deviceHelper.SetAttribute("PingTimeout", TimeValue(Seconds(2)));
    Ptr<MqttClient> device = star.InstallClient(0, deviceHelper, 0.1);
    Receiver deviceReceived;
    deviceReceived.Attach(device);
    std::vector<bool> sessionPresent;
    RecordSessionPresent(device, sessionPresent);

    // On the other node a controller watches the device's status, and a commander sends the
    // device five commands during the cut.
    MqttClientHelper controllerHelper = ClientHelper("controller");
    controllerHelper.SetAttribute("Subscriptions", StringValue("status/#:1"));
    Ptr<MqttClient> controller = star.InstallClient(1, controllerHelper, 0.1);
    Receiver controllerReceived;
    controllerReceived.Attach(controller);
    MqttClientHelper commanderHelper = ClientHelper("commander");
    commanderHelper.SetAttribute("Topic", StringValue("cmd/device"));
    commanderHelper.SetAttribute("Qos", UintegerValue(1));
    commanderHelper.SetAttribute("Interval", Constant(0.5));
    commanderHelper.SetAttribute("MaxMessages", UintegerValue(5));
    Ptr<MqttClient> commander = star.InstallClient(1, commanderHelper, 6.0);

    auto cut = star.SetLoss(0, 1.0);
    CutLink(cut, false);
    Simulator::Schedule(Seconds(2), &CutLink, cut, true);
    Simulator::Schedule(Seconds(12), &CutLink, cut, false);

    Simulator::Stop(Seconds(40));
    Simulator::Run();

    ASSERT_EQ(controllerReceived.topics.size(), 1u);
    EXPECT_EQ(controllerReceived.topics[0], "status/device");
    EXPECT_EQ(controllerReceived.payloads[0], "offline");
    ASSERT_FALSE(closeReasons.empty());
    EXPECT_EQ(closeReasons[0], "device:KeepAliveTimeout");
    ASSERT_EQ(sessionPresent.size(), 2u);
    EXPECT_FALSE(sessionPresent[0]);
    EXPECT_TRUE(sessionPresent[1]);
    EXPECT_EQ(deviceReceived.Unique(), 5u);
    EXPECT_EQ(commander->GetPublishesCompleted(), 5u);
    EXPECT_EQ(device->GetState(), ClientState::Connected);
}

// Stopping the broker closes every connection (ServerShutdown); the clients reconnect once it
// listens again. The restarted broker has no sessions (no persistence), so the subscriber makes
// its subscription again; the publisher's QoS 1 messages made while the broker was down wait in
// its engine and are all acknowledged after the restart.
TEST_F(SimTest, BrokerStoppedAndRestarted)
{
    Star star(2);
    Ptr<MqttBroker> broker = star.InstallBroker();
    std::vector<std::string> closeReasons;
    RecordClosedConnections(broker, closeReasons);
    Simulator::Schedule(Seconds(3), &MqttBroker::StopApplication, broker);
    Simulator::Schedule(Seconds(5), &MqttBroker::StartApplication, broker);

    MqttClientHelper subHelper = ClientHelper("sub");
    subHelper.SetAttribute("Subscriptions", StringValue("r/#:1"));
    subHelper.SetAttribute("ReconnectMaxDelay", TimeValue(Seconds(1)));
    Ptr<MqttClient> sub = star.InstallClient(0, subHelper, 0.1);
    Receiver received;
    received.Attach(sub);
    std::vector<bool> sessionPresent;
    RecordSessionPresent(sub, sessionPresent);

    MqttClientHelper pubHelper = ClientHelper("pub");
    pubHelper.SetAttribute("Topic", StringValue("r/1"));
    pubHelper.SetAttribute("Qos", UintegerValue(1));
    pubHelper.SetAttribute("Interval", Constant(1.0));
    pubHelper.SetAttribute("MaxMessages", UintegerValue(15));
    pubHelper.SetAttribute("ReconnectMaxDelay", TimeValue(Seconds(1)));
    Ptr<MqttClient> pub = star.InstallClient(1, pubHelper, 0.5);

    Simulator::Stop(Seconds(20));
    Simulator::Run();

    EXPECT_EQ(closeReasons, (std::vector<std::string>{"sub:ServerShutdown", "pub:ServerShutdown"}));
    EXPECT_EQ(broker->GetConnectionsAccepted(), 4u);
    EXPECT_EQ(sessionPresent, (std::vector<bool>{false, false}));
    EXPECT_EQ(pub->GetPublishesCompleted(), 15u);
    // Before the stop: sequences 0 to 2; well after the restart: 8 to 14, each once.
    for (uint64_t sequence : {0, 1, 2, 8, 9, 10, 11, 12, 13, 14})
    {
        EXPECT_EQ(received.stamped.count({pub->GetPublisherId(), sequence}), 1u) << sequence;
    }
    EXPECT_EQ(sub->GetDuplicatesReceived(), 0u);
    EXPECT_EQ(sub->GetState(), ClientState::Connected);
}
