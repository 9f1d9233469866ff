/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Every broker setting is an Attribute of MqttBroker (mqtt-broker-setting-attributes.h): set by
 * its name and value type it reaches the engine's profile; its initial value keeps the
 * profile's; a value the settings table refuses is refused.
 */
#include "mqtt-broker-setting-attributes.h"
#include "mqtt-broker-settings.h"
#include "mqtt-sim-fixture.h"

#include "ns3/double.h"
#include "ns3/enum.h"
#include "ns3/integer.h"
#include "ns3/object-factory.h"

using namespace mqtt_sim;

TEST_F(SimTest, EveryBrokerSettingIsAnAttribute)
{
    TypeId tid = MqttBroker::GetTypeId();
    TypeId::AttributeInformation info;
    for (const std::string& key : MqttBrokerSettings::Keys())
    {
        EXPECT_TRUE(tid.LookupAttributeByName(BrokerSettingAttributeName(key), &info)) << key;
    }
    EXPECT_EQ(BrokerSettingAttributeName("queue-qos0-offline"), "QueueQos0Offline");
    // The names the hand-written Attributes had before the table.
    for (const char* name : {"MaxQueuedMessages",
                             "MaxInflight",
                             "MaxInflightIn",
                             "KeepAliveFactor",
                             "ConnectTimeout",
                             "MaxPacketSize",
                             "MaxPayloadSize",
                             "QueueQos0Offline",
                             "SessionExpiry",
                             "MaxQos",
                             "MaxRetainedMessages",
                             "SubscriptionDelay",
                             "MaxPublishRate",
                             "OfflineDrainRate"})
    {
        EXPECT_TRUE(tid.LookupAttributeByName(name, &info)) << name;
    }
}

TEST_F(SimTest, BrokerSettingAttributesReachTheEngineProfile)
{
    Star star(1);
    MqttBrokerHelper helper;
    helper.SetAttribute("Profile", StringValue("aws-iot-core"));
    helper.SetAttribute("MaxInflightOut", IntegerValue(7));
    helper.SetAttribute("MaxQos", IntegerValue(1));
    helper.SetAttribute("KeepAliveFactor", DoubleValue(2.5));
    helper.SetAttribute("SessionExpiry", TimeValue(Minutes(5)));
    helper.SetAttribute("QueueQos0Offline", EnumValue(MqttBroker::ON));
    helper.SetAttribute("Retain", StringValue("store-exact-match-only"));
    helper.SetAttribute("ReservedTopicPrefixes", StringValue("$ctl/,$sys/"));
    helper.SetAttribute("LifecycleTopicPrefix", StringValue(""));
    Ptr<MqttBroker> broker = star.InstallBroker(helper);

    IntegerValue inflight;
    broker->GetAttribute("MaxInflightOut", inflight);
    EXPECT_EQ(inflight.Get(), 7);
    IntegerValue untouched;
    broker->GetAttribute("MaxQueuedMessages", untouched);
    EXPECT_EQ(untouched.Get(), -1);
    StringValue retain;
    broker->GetAttribute("Retain", retain);
    EXPECT_EQ(retain.Get(), "store-exact-match-only");

    Simulator::Stop(Seconds(1));
    Simulator::Run();
    ASSERT_NE(broker->GetEngine(), nullptr);
    const MqttBrokerProfile& p = broker->GetEngine()->Profile();
    MqttBrokerProfile aws = MqttBrokerProfile::AwsIotCore();
    EXPECT_EQ(p.name, "aws-iot-core");
    EXPECT_EQ(p.maxInflightOut, 7u);
    EXPECT_EQ(p.maxQos, Qos::AtLeastOnce);
    EXPECT_EQ(p.keepAliveFactor, 2.5);
    EXPECT_EQ(p.sessionExpiry, std::chrono::minutes(5));
    EXPECT_TRUE(p.queueQos0Offline);
    EXPECT_EQ(p.retain, RetainPolicy::StoreExactMatchOnly);
    EXPECT_EQ(p.reservedTopicPrefixes, (std::vector<std::string>{"$ctl/", "$sys/"}));
    EXPECT_EQ(p.lifecycleTopicPrefix, "");
    EXPECT_EQ(p.maxQueuedMessages, aws.maxQueuedMessages);
    EXPECT_EQ(p.maxPublishRate, aws.maxPublishRate);
}

TEST_F(SimTest, MaxInflightIsTheOlderNameOfMaxInflightOut)
{
    ObjectFactory factory("ns3::mqtt::MqttBroker");
    factory.Set("MaxInflight", IntegerValue(3));
    EXPECT_EQ(factory.Create<MqttBroker>()->GetEffectiveProfile().maxInflightOut, 3u);
    // The older name's initial value does not undo a value given under the new one.
    factory = ObjectFactory("ns3::mqtt::MqttBroker");
    factory.Set("MaxInflightOut", IntegerValue(4));
    EXPECT_EQ(factory.Create<MqttBroker>()->GetEffectiveProfile().maxInflightOut, 4u);
}

TEST_F(SimTest, BrokerSettingAttributesRefuseWhatTheTableRefuses)
{
    Ptr<MqttBroker> broker = CreateObject<MqttBroker>();
    EXPECT_FALSE(broker->SetAttributeFailSafe("KeepAliveFactor", DoubleValue(0.5)));
    EXPECT_FALSE(broker->SetAttributeFailSafe("Retain", StringValue("keep")));
    EXPECT_FALSE(broker->SetAttributeFailSafe("MaxQos", IntegerValue(3)));
    EXPECT_EQ(broker->GetEffectiveProfile().keepAliveFactor, 1.5);
    std::optional<MqttSettingError> error = broker->SetSetting("retain", "keep");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->ToString(),
              "broker setting 'retain': expected one of store, disconnect, "
              "store-exact-match-only, got 'keep'");
    EXPECT_FALSE(broker->SetSetting("max-queued-messages", "9"));
    EXPECT_EQ(broker->GetEffectiveProfile().maxQueuedMessages, 9u);
    // Back to the profile's with the initial value.
    EXPECT_TRUE(broker->SetAttributeFailSafe("MaxQueuedMessages", IntegerValue(-1)));
    EXPECT_EQ(broker->GetEffectiveProfile().maxQueuedMessages, 1000u);
}
