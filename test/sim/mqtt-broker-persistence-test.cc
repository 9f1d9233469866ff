/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttBroker restarts with and without the Persistence Attribute: what a persistent QoS 1
 * subscriber receives across the restart, its Session Present, and retained messages.
 */
#include "mqtt-sim-fixture.h"

#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/integer.h"

using namespace mqtt_sim;

namespace
{

/** What one run of the restart script observed. */
struct RestartRun
{
    std::vector<bool> sessionPresent;
    /** Sequences of pub's messages the broker queued for the offline subscriber. */
    std::vector<uint64_t> queuedForSub;
    std::set<uint64_t> received;
    uint64_t duplicates = 0;
    uint64_t completed = 0;
    std::vector<bool> lateRetainFlags;
    bool engineWhileDown = false;
};

// The broker stops at 3 s and starts again at 5 s. A persistent subscriber (QoS 1, clean session
// 0) reconnects 4 s after it lost the broker, at 7 s; a publisher (QoS 1, one message a second at
// x.5 s, reconnecting every 0.5 s) is back at 5 s. A status client published a retained message
// at 1 s; a late client subscribes to it at 10 s.
RestartRun
RunRestart(bool persistence)
{
    Star star(2);
    MqttBrokerHelper brokerHelper;
    brokerHelper.SetAttribute("Persistence", BooleanValue(persistence));
    Ptr<MqttBroker> broker = star.InstallBroker(brokerHelper);
    Simulator::Schedule(Seconds(3), &MqttBroker::StopApplication, broker);
    Simulator::Schedule(Seconds(5), &MqttBroker::StartApplication, broker);

    RestartRun run;
    Simulator::Schedule(Seconds(4),
                        [&]() { run.engineWhileDown = broker->GetEngine() != nullptr; });

    MqttClientHelper subHelper = ClientHelper("sub");
    subHelper.SetAttribute("CleanSession", BooleanValue(false));
    subHelper.SetAttribute("Subscriptions", StringValue("r/#:1"));
    subHelper.SetAttribute("ReconnectInitialDelay", TimeValue(Seconds(4)));
    subHelper.SetAttribute("ReconnectMaxDelay", TimeValue(Seconds(4)));
    subHelper.SetAttribute("ReconnectJitter", DoubleValue(0));
    Ptr<MqttClient> sub = star.InstallClient(0, subHelper, 0.1);
    Receiver received;
    received.Attach(sub);
    RecordSessionPresent(sub, run.sessionPresent);

    MqttClientHelper pubHelper = ClientHelper("pub");
    pubHelper.SetAttribute("Topic", StringValue("r/1"));
    pubHelper.SetAttribute("Qos", UintegerValue(1));
    pubHelper.SetAttribute("Interval", Constant(1.0));
    pubHelper.SetAttribute("MaxMessages", UintegerValue(15));
    pubHelper.SetAttribute("ReconnectInitialDelay", TimeValue(Seconds(0.5)));
    pubHelper.SetAttribute("ReconnectMaxDelay", TimeValue(Seconds(0.5)));
    pubHelper.SetAttribute("ReconnectJitter", DoubleValue(0));
    Ptr<MqttClient> pub = star.InstallClient(1, pubHelper, 0.5);

    MqttClientHelper statusHelper = ClientHelper("status");
    statusHelper.SetAttribute("Topic", StringValue("status/1"));
    statusHelper.SetAttribute("Retain", BooleanValue(true));
    statusHelper.SetAttribute("MaxMessages", UintegerValue(1));
    statusHelper.SetAttribute("AutoReconnect", BooleanValue(false));
    ApplicationContainer statusApps = statusHelper.Install(star.devices.Get(1));
    statusApps.Get(0)->SetAttribute("BrokerAddress", AddressValue(star.brokerAddress[1]));
    statusApps.Start(Seconds(1));
    statusApps.Stop(Seconds(2));

    MqttClientHelper lateHelper = ClientHelper("late");
    lateHelper.SetAttribute("Subscriptions", StringValue("status/#:0"));
    Ptr<MqttClient> late = star.InstallClient(0, lateHelper, 10);
    Receiver lateReceived;
    lateReceived.Attach(late);

    broker->TraceConnectWithoutContext(
        "Event",
        Callback<void, const MqttEvent&>(
            [&](const MqttEvent& e)
            {
                if (e.type == EventType::MessageQueued && e.peerId == "sub" && e.message)
                {
                    auto stamp = MqttPayloadStamp::Decode(e.message->payload.data(),
                                                          e.message->payload.size());
                    run.queuedForSub.push_back(stamp ? stamp->sequence : 999);
                }
            }));

    Simulator::Stop(Seconds(20));
    Simulator::Run();

    for (const auto& [publisher, sequence] : received.stamped)
    {
        if (publisher == pub->GetPublisherId())
        {
            run.received.insert(sequence);
        }
    }
    run.duplicates = sub->GetDuplicatesReceived();
    run.completed = pub->GetPublishesCompleted();
    run.lateRetainFlags = lateReceived.retainFlags;
    Simulator::Destroy();
    return run;
}

std::set<uint64_t>
Range(uint64_t from, uint64_t to)
{
    std::set<uint64_t> s;
    for (uint64_t i = from; i <= to; ++i)
    {
        s.insert(i);
    }
    return s;
}

} // namespace

// With Persistence the restarted broker still holds sub's session [MQTT-3.1.2-4]: Session
// Present 1 on its reconnect [MQTT-3.2.2-2], and the QoS 1 messages published after the
// restart while it was still away (3 and 4, sent by pub after its own reconnect at 5 s; 5 and 6
// at 5.5 s and 6.5 s) were queued for it [MQTT-3.1.2-5] and delivered: all 15, once each. The
// retained message of 1 s reaches the client that subscribes at 10 s [MQTT-3.3.1-6].
TEST_F(SimTest, BrokerWithPersistenceKeepsSessionsAndRetainedMessagesAcrossARestart)
{
    RestartRun run = RunRestart(true);
    EXPECT_TRUE(run.engineWhileDown);
    EXPECT_EQ(run.sessionPresent, (std::vector<bool>{false, true}));
    EXPECT_EQ(run.queuedForSub, (std::vector<uint64_t>{3, 4, 5, 6}));
    EXPECT_EQ(run.received, Range(0, 14));
    EXPECT_EQ(run.duplicates, 0u);
    EXPECT_EQ(run.completed, 15u);
    EXPECT_EQ(run.lateRetainFlags, (std::vector<bool>{true}));
}

// Without it (the default) the restart empties the broker: sub finds no session, subscribes
// again at 7 s, and the messages published before that (3 to 6) had no subscriber; the
// retained message is gone too.
TEST_F(SimTest, BrokerWithoutPersistenceStartsEmptyAfterARestart)
{
    RestartRun run = RunRestart(false);
    EXPECT_FALSE(run.engineWhileDown);
    EXPECT_EQ(run.sessionPresent, (std::vector<bool>{false, false}));
    EXPECT_TRUE(run.queuedForSub.empty());
    std::set<uint64_t> expected = Range(0, 2);
    for (uint64_t i : Range(7, 14))
    {
        expected.insert(i);
    }
    EXPECT_EQ(run.received, expected);
    EXPECT_EQ(run.completed, 15u);
    EXPECT_TRUE(run.lateRetainFlags.empty());
}

// SetProfile replaces the named profile; the limit Attributes still override single fields.
TEST_F(SimTest, SetProfileTakesPrecedenceOverTheProfileNameAndAttributesOverrideIt)
{
    Star star(1);
    MqttBrokerProfile profile = MqttBrokerProfile::AwsIotCore();
    profile.maxQueuedMessages = 7;
    profile.closeOnThrottle = true;
    MqttBrokerHelper helper;
    helper.SetAttribute("Profile", StringValue("standard"));
    helper.SetAttribute("MaxInflight", IntegerValue(3));
    helper.SetProfile(profile);
    Ptr<MqttBroker> broker = star.InstallBroker(helper);
    MqttBrokerProfile effective = broker->GetEffectiveProfile();
    EXPECT_EQ(effective.name, "aws-iot-core");
    EXPECT_EQ(effective.maxQueuedMessages, 7u);
    EXPECT_TRUE(effective.closeOnThrottle);
    EXPECT_EQ(effective.maxInflightOut, 3u);
    Simulator::Stop(Seconds(1));
    Simulator::Run();
    ASSERT_NE(broker->GetEngine(), nullptr);
    EXPECT_EQ(broker->GetEngine()->Profile().maxQueuedMessages, 7u);
    EXPECT_EQ(broker->GetEngine()->Profile().maxInflightOut, 3u);
    EXPECT_EQ(broker->GetEngine()->Profile().retain, RetainPolicy::Disconnect);
}
