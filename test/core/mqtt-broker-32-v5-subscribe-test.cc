/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine, MQTT 5.0: subscription options (No Local, Retain As Published, Retain
 * Handling), Subscription Identifiers, and the 5.0 SUBACK codes.
 */
#include "mqtt-broker5-test-util.h"

using namespace brokertest;

namespace
{

TopicRequest
Req(const std::string& filter,
    Qos qos,
    bool noLocal = false,
    bool rap = false,
    RetainHandling rh = RetainHandling::SendOnSubscribe)
{
    TopicRequest r{filter, qos};
    r.noLocal = noLocal;
    r.retainAsPublished = rap;
    r.retainHandling = rh;
    return r;
}

Properties
SubId(uint32_t id)
{
    Properties p;
    p.AddNumber(PropertyId::SubscriptionIdentifier, id);
    return p;
}

} // namespace

TEST(Broker5Subscribe, Mqtt5_3_8_3_3_NoLocalKeepsAClientsOwnMessagesFromIt)
{
    // [MQTT5-3.8.3-3]: with No Local a client does not get what it published itself; others
    // still do, and without No Local it does.
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("me"));
    Connect5(h, 2, MakeConnect5("other"));
    Subscribe5(h, 1, Req("t", Qos::AtMostOnce, true), 0x00);
    Subscribe5(h, 2, Req("t", Qos::AtMostOnce, true), 0x00);
    h.Feed(1, Bytes5(MakePublish("t", "mine")));
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.TakeHex(2), HexOf5(MakePublish("t", "mine")));
    Subscribe5(h, 1, Req("t", Qos::AtMostOnce, false), 0x00, 2);
    h.Feed(1, Bytes5(MakePublish("t", "again")));
    EXPECT_EQ(h.TakeHex(1), HexOf5(MakePublish("t", "again")));
}

TEST(Broker5Subscribe, Mqtt5_3_3_1_13_RetainAsPublishedKeepsTheFlag)
{
    // [MQTT5-3.3.1-12]: RETAIN 0 on forwarded messages without it; [MQTT5-3.3.1-13]: the
    // publisher's flag with it.
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("pub"));
    Connect5(h, 2, MakeConnect5("rap"));
    Connect5(h, 3, MakeConnect5("plain"));
    Subscribe5(h, 2, Req("t", Qos::AtMostOnce, false, true), 0x00);
    Subscribe5(h, 3, Req("t", Qos::AtMostOnce), 0x00);
    h.Feed(1, Bytes5(MakePublish("t", "r", Qos::AtMostOnce, 0, true)));
    EXPECT_EQ(h.TakeHex(2), HexOf5(MakePublish("t", "r", Qos::AtMostOnce, 0, true)));
    EXPECT_EQ(h.TakeHex(3), HexOf5(MakePublish("t", "r")));
}

TEST(Broker5Subscribe, Mqtt5_3_3_1_10_RetainHandling)
{
    // [MQTT5-3.3.1-9]: 0 sends the retained message at every subscribe; [MQTT5-3.3.1-10]: 1
    // only when the subscription is new; [MQTT5-3.3.1-11]: 2 never.
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("pub"));
    h.Feed(1, Bytes5(MakePublish("t", "kept", Qos::AtMostOnce, 0, true)));
    const std::string retained = HexOf5(MakePublish("t", "kept", Qos::AtMostOnce, 0, true));
    Connect5(h, 2, MakeConnect5("s"));
    const std::string suback = "90 04 00 01 00 00";
    h.Feed(2, Bytes5(MakeSubscribe(1, {Req("t", Qos::AtMostOnce)})));
    EXPECT_EQ(h.TakeHex(2), suback + " " + retained);
    h.Feed(2, Bytes5(MakeSubscribe(1, {Req("t", Qos::AtMostOnce)})));
    EXPECT_EQ(h.TakeHex(2), suback + " " + retained);
    h.Feed(2,
           Bytes5(MakeSubscribe(
               1, {Req("t", Qos::AtMostOnce, false, false, RetainHandling::SendIfNew)})));
    EXPECT_EQ(h.TakeHex(2), suback);
    h.Feed(2,
           Bytes5(MakeSubscribe(
               1, {Req("t/#", Qos::AtMostOnce, false, false, RetainHandling::SendIfNew)})));
    EXPECT_EQ(h.TakeHex(2), suback + " " + retained);
    h.Feed(2,
           Bytes5(MakeSubscribe(
               1, {Req("+", Qos::AtMostOnce, false, false, RetainHandling::DoNotSend)})));
    EXPECT_EQ(h.TakeHex(2), suback);
}

TEST(Broker5Subscribe, Mqtt5_3_3_4_4_OneCopyCarriesEveryMatchingIdentifier)
{
    // [MQTT5-3.3.4-3] [MQTT5-3.3.4-4]: overlapping subscriptions with identifiers 7 and 3: one
    // PUBLISH at the highest QoS [MQTT5-3.3.4-2] with both identifiers; a subscription without
    // one adds none.
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("pub"));
    Connect5(h, 2, MakeConnect5("s"));
    Subscribe5(h, 2, Req("a/#", Qos::AtMostOnce), 0x00, 1, SubId(7));
    Subscribe5(h, 2, Req("a/b", Qos::AtLeastOnce), 0x01, 2, SubId(3));
    Subscribe5(h, 2, Req("+/b", Qos::AtMostOnce), 0x00, 3);
    h.Feed(1, Bytes5(MakePublish("a/b", "x", Qos::AtLeastOnce, 1)));
    PublishPacket want = MakePublish("a/b", "x", Qos::AtLeastOnce, 1);
    want.properties.AddNumber(PropertyId::SubscriptionIdentifier, 3)
        .AddNumber(PropertyId::SubscriptionIdentifier, 7);
    EXPECT_EQ(h.TakeHex(2), HexOf5(want));
    // The publisher's next message on a topic only one of them matches carries that one.
    h.Feed(1, Bytes5(MakePublish("a/c", "y")));
    PublishPacket one = MakePublish("a/c", "y");
    one.properties.AddNumber(PropertyId::SubscriptionIdentifier, 7);
    EXPECT_EQ(h.TakeHex(2), HexOf5(one));
}

TEST(Broker5Subscribe, SubscriptionIdentifierRefusedWhenNotAvailable)
{
    // standard-5 announces Subscription Identifier Available 0: one in a SUBSCRIBE is
    // DISCONNECT 0xA1.
    BrokerHarness h(MqttBrokerProfile::Standard5());
    Connect5(h, 1, MakeConnect5("s"));
    SubscribePacket s = MakeSubscribe(1, {Req("t", Qos::AtMostOnce)});
    s.properties = SubId(1);
    h.Feed(1, Bytes5(s));
    EXPECT_EQ(h.TakeHex(1), "e0 01 a1");
    EXPECT_FALSE(h.IsOpen(1));
}

TEST(Broker5Subscribe, Mqtt5_3_9_3_2_SubackCodesSayWhyAFilterWasRefused)
{
    // [MQTT5-3.9.3-1] [MQTT5-3.9.3-2] [MQTT5-3.8.4-6] [MQTT5-3.8.4-7] [MQTT5-3.8.4-5]
    // [MQTT5-3.8.4-1] [MQTT5-3.8.4-2]: one SUBACK with the SUBSCRIBE's identifier and one code
    // per filter, in order: granted QoS, or 0xA2 Wildcard Subscriptions not supported.
    MqttBrokerProfile p = Plain5();
    p.wildcardSubscriptions = false;
    BrokerHarness h(p);
    h.Open(1);
    h.Feed(1, Bytes5(MakeConnect5("s")));
    EXPECT_EQ(Packets5(h.TakeHex(1)).size(), 1u);
    h.Feed(1,
           Bytes5(MakeSubscribe(
               4, {Req("a", Qos::ExactlyOnce), Req("a/+", Qos::AtMostOnce), Req("b", Qos::AtLeastOnce)})));
    EXPECT_EQ(h.TakeHex(1), "90 06 00 04 00 02 a2 01");
}

TEST(Broker5Subscribe, Mqtt5_3_2_2_10_AwsFiveGrantsQos2RequestsAtQos1)
{
    // [MQTT5-3.2.2-10]: a broker without QoS 2 still accepts a SUBSCRIBE asking for it; on
    // aws-iot-core-5 it is granted QoS 1 (3.1.1's aws-iot-core leaves it unanswered).
    MqttBrokerProfile p = MqttBrokerProfile::AwsIotCore5();
    p.subscriptionDelay = Nanos(0);
    p.lifecycleTopicPrefix.clear();
    BrokerHarness h(p);
    Connect5(h, 1, MakeConnect5("s", true, 0, 60));
    Subscribe5(h, 1, Req("t", Qos::ExactlyOnce), 0x01);
}
