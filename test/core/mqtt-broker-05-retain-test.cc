/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: retained messages (section 3.3.1.3) and the profile's retain policies.
 */
#include "mqtt-broker-test-harness.h"

using namespace brokertest;

TEST(BrokerRetain, Mqtt_3_3_1_5_StoredAndSentToNewSubscriptionsWithRetainSet)
{
    // [MQTT-3.3.1-5] [MQTT-3.3.1-6] [MQTT-3.3.1-8]: stored with its QoS; a new subscription
    // gets it after the SUBACK, RETAIN=1, at min(stored QoS, granted QoS).
    BrokerHarness h;
    h.Connect(1, "pub");
    h.FeedHex(1, "33 06 00 01 74 00 01 61"); // QoS 1, RETAIN
    EXPECT_EQ(h.TakeHex(1), "40 02 00 01");
    EXPECT_EQ(h.Engine().RetainedCount(), 1u);
    auto stored = h.Events(EventType::RetainedStored);
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].topic, "t");
    h.Connect(2, "s1");
    h.FeedHex(2, "82 06 00 01 00 01 74 01");
    EXPECT_EQ(h.TakeHex(2), "90 03 00 01 01 33 06 00 01 74 00 01 61");
    h.Connect(3, "s0");
    h.FeedHex(3, "82 06 00 01 00 01 74 00");
    EXPECT_EQ(h.TakeHex(3), "90 03 00 01 00 31 04 00 01 74 61");
    auto sent = h.Events(EventType::MessageSent);
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_TRUE(sent[0].retain);
    EXPECT_EQ(sent[0].message.get(), stored[0].message.get());
}

TEST(BrokerRetain, Mqtt_3_3_1_9_ForwardedToExistingSubscriptionsWithRetainClear)
{
    // [MQTT-3.3.1-9]
    BrokerHarness h;
    h.ConnectPubSub("t", Qos::AtLeastOnce);
    h.FeedHex(1, "33 06 00 01 74 00 01 61");
    EXPECT_EQ(h.TakeHex(2), "32 06 00 01 74 00 01 61");
}

TEST(BrokerRetain, Mqtt_3_3_1_7_NewerRetainedMessageReplacesTheOld)
{
    // [MQTT-3.3.1-5] [MQTT-3.3.1-7]: a QoS 0 retained message replaces a QoS 1 one; the
    // subscriber gets the new one at its stored QoS 0.
    BrokerHarness h;
    h.Connect(1, "pub");
    h.FeedHex(1, "33 06 00 01 74 00 01 61");
    h.FeedHex(1, "31 04 00 01 74 62");
    EXPECT_EQ(h.Engine().RetainedCount(), 1u);
    h.Connect(2, "sub");
    h.Send(2, MakeSubscribe(1, {{"t", Qos::ExactlyOnce}}));
    EXPECT_EQ(h.TakeHex(2), "90 03 00 01 02 31 04 00 01 74 62");
}

TEST(BrokerRetain, Mqtt_3_3_1_10_EmptyRetainedPayloadDeletesAndIsForwarded)
{
    // [MQTT-3.3.1-10] [MQTT-3.3.1-11]: forwarded to the current subscriber as usual, removes
    // the stored message, and is not stored itself.
    BrokerHarness h;
    h.ConnectPubSub("t", Qos::AtMostOnce);
    h.FeedHex(1, "31 04 00 01 74 61");
    h.TakeHex(2);
    h.FeedHex(1, "31 03 00 01 74");
    EXPECT_EQ(h.TakeHex(2), "30 03 00 01 74");
    EXPECT_EQ(h.Engine().RetainedCount(), 0u);
    EXPECT_EQ(h.Count(EventType::RetainedDeleted), 1u);
    h.Connect(3, "late");
    h.FeedHex(3, "82 06 00 01 00 01 74 00");
    EXPECT_EQ(h.TakeHex(3), "90 03 00 01 00");
    // Deleting what is not there stores nothing and reports nothing.
    h.FeedHex(1, "31 03 00 01 75");
    EXPECT_EQ(h.Engine().RetainedCount(), 0u);
    EXPECT_EQ(h.Count(EventType::RetainedDeleted), 1u);
}

TEST(BrokerRetain, Mqtt_3_3_1_12_NonRetainedPublishLeavesTheRetainedMessage)
{
    // [MQTT-3.3.1-12]
    BrokerHarness h;
    h.Connect(1, "pub");
    h.FeedHex(1, "31 04 00 01 74 61");
    h.FeedHex(1, "30 04 00 01 74 62");
    h.FeedHex(1, "30 03 00 01 74");
    h.Connect(2, "sub");
    h.FeedHex(2, "82 06 00 01 00 01 74 00");
    EXPECT_EQ(h.TakeHex(2), "90 03 00 01 00 31 04 00 01 74 61");
}

TEST(BrokerRetain, Mqtt_3_1_2_7_RetainedMessagesOutliveTheSessions)
{
    // [MQTT-3.1.2-7]: the publisher's clean session ends; its retained message stays.
    BrokerHarness h;
    h.Connect(1, "pub");
    h.FeedHex(1, "31 04 00 01 74 61");
    h.Send(1, DisconnectPacket{});
    EXPECT_EQ(h.Engine().SessionCount(), 0u);
    EXPECT_EQ(h.Engine().RetainedCount(), 1u);
    h.Connect(2, "sub");
    h.FeedHex(2, "82 06 00 01 00 01 74 00");
    EXPECT_EQ(h.TakeHex(2), "90 03 00 01 00 31 04 00 01 74 61");
}

TEST(BrokerRetain, Mqtt_3_8_4_3_RepeatedSubscriptionGetsRetainedAgain)
{
    // [MQTT-3.8.4-3]: replacing a subscription re-sends the matching retained messages.
    BrokerHarness h;
    h.Connect(1, "pub");
    h.FeedHex(1, "31 04 00 01 74 61");
    h.Connect(2, "sub");
    h.FeedHex(2, "82 06 00 01 00 01 74 00");
    EXPECT_EQ(h.TakeHex(2), "90 03 00 01 00 31 04 00 01 74 61");
    h.FeedHex(2, "82 06 00 02 00 01 74 01");
    EXPECT_EQ(h.TakeHex(2), "90 03 00 02 01 31 04 00 01 74 61");
}

TEST(BrokerRetain, WildcardSubscriptionGetsEveryMatchingRetainedTopicSorted)
{
    BrokerHarness h;
    h.Connect(1, "pub");
    h.FeedHex(1, "31 06 00 03 61 2f 32 32"); // "a/2"
    h.FeedHex(1, "31 06 00 03 61 2f 31 31"); // "a/1"
    h.FeedHex(1, "31 06 00 03 62 2f 31 31"); // "b/1"
    h.Connect(2, "sub");
    h.FeedHex(2, "82 08 00 01 00 03 61 2f 2b 00");
    EXPECT_EQ(h.TakeHex(2), "90 03 00 01 00 31 06 00 03 61 2f 31 31 31 06 00 03 61 2f 32 32");
}

TEST(BrokerRetain, Mqtt_4_7_2_1_DollarRetainedNotSentToLeadingWildcards)
{
    // [MQTT-4.7.2-1]
    BrokerHarness h;
    h.Connect(1, "pub");
    h.Send(1, MakePublish("$SYS/up", "1", Qos::AtMostOnce, 0, true));
    h.Connect(2, "all");
    h.Send(2, MakeSubscribe(1, {{"#", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(2), "90 03 00 01 00");
    h.Send(2, MakeSubscribe(2, {{"$SYS/#", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(2), "90 03 00 02 00 31 0a 00 07 24 53 59 53 2f 75 70 31");
}

TEST(BrokerRetain, ExactMatchOnlyPolicyDeliversOnlyToEqualFilters)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.retain = RetainPolicy::StoreExactMatchOnly;
    BrokerHarness h(profile);
    h.Connect(1, "pub");
    h.FeedHex(1, "31 06 00 03 61 2f 62 78");
    EXPECT_EQ(h.Engine().RetainedCount(), 1u);
    h.Connect(2, "sub");
    h.FeedHex(2, "82 08 00 01 00 03 61 2f 2b 00");
    EXPECT_EQ(h.TakeHex(2), "90 03 00 01 00");
    h.FeedHex(2, "82 08 00 02 00 03 61 2f 62 00");
    EXPECT_EQ(h.TakeHex(2), "90 03 00 02 00 31 06 00 03 61 2f 62 78");
}

TEST(BrokerRetain, DisconnectPolicyClosesOnRetainedPublish)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.retain = RetainPolicy::Disconnect;
    BrokerHarness h(profile);
    h.ConnectPubSub("t", Qos::AtMostOnce);
    h.FeedHex(1, "33 06 00 01 74 00 01 61");
    EXPECT_EQ(h.TakeHex(1), ""); // no PUBACK
    EXPECT_EQ(h.ClosedWith(1), CloseReason::PolicyViolation);
    EXPECT_EQ(h.TakeHex(2), "");
    EXPECT_EQ(h.Engine().RetainedCount(), 0u);
}

TEST(BrokerRetain, Mqtt_3_8_4_6_RetainedQos2SentAtGrantedQos1)
{
    // [MQTT-3.8.4-6] applied to retained delivery: min(stored QoS 2, granted 1).
    BrokerHarness h;
    h.Connect(1, "pub");
    h.FeedHex(1, "35 06 00 01 74 00 01 61");
    EXPECT_EQ(h.TakeHex(1), "50 02 00 01");
    h.Connect(2, "sub");
    h.FeedHex(2, "82 06 00 01 00 01 74 01");
    EXPECT_EQ(h.TakeHex(2), "90 03 00 01 01 33 06 00 01 74 00 01 61");
}
