/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: the broker profile's limits and policies, each read where it applies.
 */
#include "mqtt-broker-test-harness.h"

using namespace brokertest;

TEST(BrokerLimits, MaxFiltersPerSubscribeClosesTheConnection)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxFiltersPerSubscribe = 2;
    BrokerHarness h(profile);
    h.Connect(1, "c");
    h.Send(1, MakeSubscribe(1, {{"a", Qos::AtMostOnce}, {"b", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(1), "90 04 00 01 00 00");
    h.Send(
        1,
        MakeSubscribe(2, {{"a", Qos::AtMostOnce}, {"b", Qos::AtMostOnce}, {"c", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::PolicyViolation);
}

TEST(BrokerLimits, MaxSubscriptionsPerSessionRefusesNewFiltersOnly)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxSubscriptionsPerSession = 2;
    BrokerHarness h(profile);
    h.Connect(1, "c");
    h.Send(1,
           MakeSubscribe(1,
                         {{"a", Qos::AtMostOnce},
                          {"b", Qos::AtMostOnce},
                          {"c", Qos::AtMostOnce},
                          {"a", Qos::AtLeastOnce}}));
    // The third is refused; replacing "a" needs no new slot.
    EXPECT_EQ(h.TakeHex(1), "90 06 00 01 00 00 80 01");
    EXPECT_EQ(h.Engine().SubscriptionCount("c"), 2u);
}

TEST(BrokerLimits, TopicLengthAndDepthLimits)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxTopicLength = 5;
    profile.maxTopicSlashes = 1;
    BrokerHarness h(profile);
    h.Connect(1, "c");
    // Filters beyond the limits get 0x80.
    h.Send(
        1,
        MakeSubscribe(
            1,
            {{"abcdef", Qos::AtMostOnce}, {"a/b/c", Qos::AtMostOnce}, {"a/b", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(1), "90 05 00 01 80 80 00");
    // A publish beyond them closes the connection, reported TopicRejected.
    h.Connect(2, "p1");
    h.Send(2, MakePublish("a/b/c", "x"));
    EXPECT_EQ(h.ClosedWith(2), CloseReason::PolicyViolation);
    h.Connect(3, "p2");
    h.Send(3, MakePublish("abcdef", "x", Qos::AtLeastOnce, 1));
    EXPECT_EQ(h.TakeHex(3), "");
    EXPECT_EQ(h.ClosedWith(3), CloseReason::PolicyViolation);
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 2u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::TopicRejected);
    EXPECT_EQ(dropped[1].dropReason, DropReason::TopicRejected);
    EXPECT_EQ(h.TakeHex(1), "");
}

TEST(BrokerLimits, ReservedTopicPrefixesCannotBePublishedTo)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.reservedTopicPrefixes = {"$SYS/", "admin/"};
    BrokerHarness h(profile);
    h.Connect(1, "sub");
    h.Subscribe(1, "$SYS/#", Qos::AtMostOnce); // reading is allowed
    h.Connect(2, "pub");
    h.Send(2, MakePublish("$SYS/x", "v"));
    EXPECT_EQ(h.ClosedWith(2), CloseReason::PolicyViolation);
    EXPECT_EQ(h.TakeHex(1), "");
    h.Connect(3, "pub2");
    h.Send(3, MakePublish("adminx", "v"));
    EXPECT_TRUE(h.IsOpen(3));
}

TEST(BrokerLimits, PayloadLimitClosesTheConnection)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxPayloadSize = 3;
    BrokerHarness h(profile);
    h.Connect(1, "sub");
    h.Subscribe(1, "t", Qos::AtMostOnce);
    h.Connect(2, "pub");
    h.Send(2, MakePublish("t", "abc"));
    EXPECT_EQ(h.TakeHex(1), "30 06 00 01 74 61 62 63");
    h.Send(2, MakePublish("t", "abcd"));
    EXPECT_EQ(h.ClosedWith(2), CloseReason::PolicyViolation);
    EXPECT_EQ(h.Events(EventType::MessageDropped).at(0).dropReason, DropReason::PayloadTooLarge);
    EXPECT_EQ(h.TakeHex(1), "");
}

TEST(BrokerLimits, Mqtt_3_8_3_2_WildcardsRefusedWhenNotSupported)
{
    // [MQTT-3.8.3-2]: a server without wildcard support rejects every filter holding one.
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.wildcardSubscriptions = false;
    BrokerHarness h(profile);
    h.Connect(1, "c");
    h.Send(1,
           MakeSubscribe(1,
                         {{"#", Qos::AtMostOnce},
                          {"+", Qos::AtMostOnce},
                          {"a/+/b", Qos::AtMostOnce},
                          {"a/b", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(1), "90 06 00 01 80 80 80 00");
}

TEST(BrokerLimits, MaxQosDowngradeGrantsAndForwardsAtMaxQos)
{
    // Publish QoS 2 to a maxQos 1 broker: acknowledged as QoS 2 (PUBREC), forwarded at QoS 1;
    // SUBSCRIBE QoS 2 granted QoS 1 (section 3.9.3 lets a server grant less).
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxQos = Qos::AtLeastOnce;
    BrokerHarness h(profile);
    h.Connect(1, "sub");
    h.Send(1, MakeSubscribe(1, {{"t", Qos::ExactlyOnce}}));
    EXPECT_EQ(h.TakeHex(1), "90 03 00 01 01");
    h.Connect(2, "pub");
    h.Send(2, MakePublish("t", "a", Qos::ExactlyOnce, 7));
    EXPECT_EQ(h.TakeHex(2), "50 02 00 07");
    EXPECT_EQ(h.TakeHex(1), "32 06 00 01 74 00 01 61");
}

TEST(BrokerLimits, MaxQosRefuse)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxQos = Qos::AtLeastOnce;
    profile.qosRequestPolicy = QosRequestPolicy::Refuse;
    BrokerHarness h(profile);
    h.Connect(1, "sub");
    h.Send(1, MakeSubscribe(1, {{"t", Qos::ExactlyOnce}, {"u", Qos::AtLeastOnce}}));
    EXPECT_EQ(h.TakeHex(1), "90 04 00 01 80 01");
    h.Connect(2, "pub");
    h.Send(2, MakePublish("u", "a", Qos::ExactlyOnce, 7));
    EXPECT_EQ(h.TakeHex(2), "");
    EXPECT_EQ(h.ClosedWith(2), CloseReason::PolicyViolation);
    EXPECT_EQ(h.Events(EventType::MessageDropped).at(0).dropReason, DropReason::QosNotSupported);
    EXPECT_EQ(h.TakeHex(1), "");
}

TEST(BrokerLimits, MaxQosIgnore)
{
    // No PUBACK/PUBREC, no SUBACK: the request is ignored (AWS IoT Core's documented QoS 2
    // behaviour); the connection stays.
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxQos = Qos::AtLeastOnce;
    profile.qosRequestPolicy = QosRequestPolicy::Ignore;
    BrokerHarness h(profile);
    h.Connect(1, "sub");
    h.Send(1, MakeSubscribe(1, {{"t", Qos::ExactlyOnce}}));
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.Engine().SubscriptionCount("sub"), 0u);
    h.Subscribe(1, "u", Qos::AtLeastOnce, 2);
    h.Connect(2, "pub");
    h.Send(2, MakePublish("u", "a", Qos::ExactlyOnce, 7));
    EXPECT_EQ(h.TakeHex(2), "");
    EXPECT_TRUE(h.IsOpen(2));
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.Engine().PendingPubrelCount("pub"), 0u);
    h.Send(2, MakePublish("u", "b", Qos::AtLeastOnce, 8));
    EXPECT_EQ(h.TakeHex(2), "40 02 00 08");
    EXPECT_EQ(h.TakeHex(1), "32 06 00 01 75 00 01 62");
}

TEST(BrokerLimits, MaxQosIgnoreLeavesTheWholeSubscribeUnanswered)
{
    // One filter asking too much: no SUBACK, and none of the SUBSCRIBE's filters is made (a
    // client that gets no SUBACK holds no subscription from it); each is reported denied.
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxQos = Qos::AtLeastOnce;
    profile.qosRequestPolicy = QosRequestPolicy::Ignore;
    BrokerHarness h(profile);
    h.Connect(1, "sub");
    h.TakeEvents();
    h.Send(1,
           MakeSubscribe(3,
                         {{"a", Qos::AtMostOnce}, {"b", Qos::ExactlyOnce}, {"c", Qos::AtLeastOnce}}));
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.Engine().SubscriptionCount("sub"), 0u);
    EXPECT_EQ(h.Count(EventType::SubscriptionGranted), 0u);
    auto denied = h.Events(EventType::SubscriptionDenied);
    ASSERT_EQ(denied.size(), 3u);
    EXPECT_EQ(denied[0].topic, "a");
    EXPECT_EQ(denied[1].topic, "b");
    EXPECT_EQ(denied[2].topic, "c");
    for (const MqttEvent& e : denied)
    {
        EXPECT_EQ(e.dropReason, DropReason::QosNotSupported);
        EXPECT_EQ(e.packetId, 3u);
    }
    h.Connect(2, "pub");
    h.Send(2, MakePublish("a", "x"));
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_TRUE(h.IsOpen(1));
}

TEST(BrokerLimits, MaxQosAppliesToTheWill)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxQos = Qos::AtMostOnce;
    BrokerHarness h(profile);
    h.Connect(1, "sub");
    h.Send(1, MakeSubscribe(1, {{"w", Qos::ExactlyOnce}}));
    EXPECT_EQ(h.TakeHex(1), "90 03 00 01 00");
    ConnectPacket p = MakeConnect("dev");
    p.will = Will{"w", Payload("x"), Qos::ExactlyOnce, false};
    h.Connect(2, p);
    h.NetClose(2);
    EXPECT_EQ(h.TakeHex(1), "30 04 00 01 77 78");
}

TEST(BrokerLimits, Qos0DuplicateProbabilityIsSeeded)
{
    // Probability 1: every QoS 0 delivery goes out twice, without DUP.
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.qos0DuplicateProbability = 1.0;
    BrokerHarness h(profile);
    h.Connect(1, "sub");
    h.Subscribe(1, "t", Qos::AtMostOnce);
    h.Connect(2, "pub");
    h.Send(2, MakePublish("t", "a"));
    EXPECT_EQ(h.TakeHex(1), "30 04 00 01 74 61 30 04 00 01 74 61");
    EXPECT_EQ(h.Count(EventType::MessageSent), 2u);
    EXPECT_EQ(h.Count(EventType::MessageDelivered), 1u);

    // Probability 0.5: the same seed gives the same duplicates; counts are plausible.
    auto run = [](uint64_t seed)
    {
        MqttBrokerProfile p = MqttBrokerProfile::Standard311();
        p.qos0DuplicateProbability = 0.5;
        BrokerHarness hh(p, seed);
        hh.Connect(1, "sub");
        hh.Subscribe(1, "t", Qos::AtMostOnce);
        hh.Connect(2, "pub");
        for (int i = 0; i < 200; ++i)
        {
            hh.Send(2, MakePublish("t", "a"));
        }
        return hh.TakeHex(1);
    };
    std::string a = run(7);
    EXPECT_EQ(a, run(7));
    EXPECT_NE(a, run(8));
    std::size_t copies = (a.size() + 1) / std::string("30 04 00 01 74 61 ").size();
    EXPECT_GT(copies, 250u);
    EXPECT_LT(copies, 350u);
}

TEST(BrokerLimits, ResendWithNewPacketIdProbability)
{
    // Probability 1: after each PUBACK the message goes out again as a new PUBLISH with a new
    // id (DUP 0). Acknowledging twice then stops... never; check the first repeat only.
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.resendNewPacketIdProbability = 1.0;
    BrokerHarness h(profile);
    h.Connect(1, "sub");
    h.Subscribe(1, "t", Qos::AtLeastOnce);
    h.Connect(2, "pub");
    h.Send(2, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    EXPECT_EQ(h.TakeHex(1), "32 06 00 01 74 00 01 61");
    h.Send(1, PubackPacket{1});
    EXPECT_EQ(h.TakeHex(1), "32 06 00 01 74 00 02 61");
}

TEST(BrokerLimits, ProfileWithoutQueueBoundQueuesEverything)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxQueuedMessages = 0;
    BrokerHarness h(profile);
    h.ConnectPubAndOfflineSub("t", Qos::AtLeastOnce);
    for (int i = 0; i < 5000; ++i)
    {
        h.Send(1, MakePublish("t", "x", Qos::AtLeastOnce, 1));
    }
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 5000u);
    EXPECT_EQ(h.Count(EventType::MessageDropped), 0u);
}
