/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine, MQTT 5.0: the statements of chapters 3 and 4 the broker keeps as a sender and
 * receiver of 5.0 packets: QoS flows and their identifiers, re-sending on resume, ordering,
 * retained messages, replaced subscriptions, Clean Start, topic matching, refused CONNECTs.
 */
#include "mqtt-broker5-test-util.h"

using namespace brokertest;
using std::chrono::seconds;

namespace
{

std::string
Pub(const std::string& topic,
    const std::string& payload,
    Qos qos = Qos::AtMostOnce,
    uint16_t id = 0,
    bool retain = false,
    bool dup = false)
{
    return HexOf5(MakePublish(topic, payload, qos, id, retain, dup));
}

} // namespace

TEST(Broker5Flows, Mqtt5_4_3_1_1_Qos0IsSentWithQos0AndDupZero)
{
    // [MQTT5-4.3.1-1]: the publisher's DUP does not reach the subscriber.
    BrokerHarness h(Plain5());
    PubAndSub5(h, Qos::AtMostOnce);
    h.Feed(1, Bytes5(MakePublish("t", "x", Qos::AtLeastOnce, 1, false, true)));
    EXPECT_EQ(h.TakeHex(2), "30 05 00 01 74 00 78");
}

TEST(Broker5Flows, Mqtt5_4_3_2_1_Qos1TakesAFreshIdentifierAndWaitsForPuback)
{
    // [MQTT5-4.3.2-1]: identifiers 1 and 2 for two messages; [MQTT5-4.3.2-3]: each is
    // unacknowledged (in flight, sent again on resume) until its PUBACK.
    BrokerHarness h(Plain5());
    PubAndSub5(h, Qos::AtLeastOnce);
    h.Feed(1, Bytes5(MakePublish("t", "a", Qos::AtLeastOnce, 7)));
    h.Feed(1, Bytes5(MakePublish("t", "b", Qos::AtLeastOnce, 8)));
    EXPECT_EQ(h.TakeHex(2),
              Pub("t", "a", Qos::AtLeastOnce, 1) + " " + Pub("t", "b", Qos::AtLeastOnce, 2));
    EXPECT_EQ(h.Engine().InflightCount("sub"), 2u);
    h.Feed(2, Bytes5(PubackPacket{1}));
    EXPECT_EQ(h.Engine().InflightCount("sub"), 1u);
    h.NetClose(2);
    h.Open(2);
    h.Feed(2, Bytes5(MakeConnect5("sub", false, 100)));
    EXPECT_EQ(h.TakeHex(2), "20 03 01 00 00 " + Pub("t", "b", Qos::AtLeastOnce, 2, false, true));
}

TEST(Broker5Flows, Mqtt5_4_3_2_5_AnIdentifierReusedAfterPubackIsANewMessage)
{
    // [MQTT5-4.3.2-5]: after the PUBACK for 5, a PUBLISH with 5 (even DUP 1) is a new message.
    BrokerHarness h(Plain5());
    PubAndSub5(h, Qos::AtMostOnce);
    h.Feed(1, Bytes5(MakePublish("t", "a", Qos::AtLeastOnce, 5)));
    EXPECT_EQ(h.TakeHex(1), "40 02 00 05");
    h.Feed(1, Bytes5(MakePublish("t", "b", Qos::AtLeastOnce, 5, false, true)));
    EXPECT_EQ(h.TakeHex(1), "40 02 00 05");
    EXPECT_EQ(h.TakeHex(2), Pub("t", "a") + " " + Pub("t", "b"));
}

TEST(Broker5Flows, Mqtt5_4_3_3_6_TheQos2FlowOfTheBroker)
{
    // [MQTT5-4.3.3-1] [MQTT5-4.3.3-2]: a fresh identifier, QoS 2, DUP 0; [MQTT5-4.3.3-3]
    // unacknowledged until PUBREC; [MQTT5-4.3.3-4] PUBREL with the same identifier after a
    // PUBREC below 0x80; [MQTT5-4.3.3-5] PUBREL unacknowledged until PUBCOMP; [MQTT5-4.3.3-6]
    // [MQTT5-4.4.0-1]: on resume only the PUBREL is sent again, never the PUBLISH.
    BrokerHarness h(Plain5());
    PubAndSub5(h, Qos::ExactlyOnce);
    h.Feed(1, Bytes5(MakePublish("t", "q", Qos::ExactlyOnce, 9)));
    EXPECT_EQ(h.TakeHex(2), Pub("t", "q", Qos::ExactlyOnce, 1));
    EXPECT_EQ(h.Engine().InflightCount("sub"), 1u);
    h.Feed(2, Bytes5(PubrecPacket{1}));
    EXPECT_EQ(h.TakeHex(2), "62 02 00 01");
    EXPECT_EQ(h.Engine().InflightCount("sub"), 1u);
    h.NetClose(2);
    h.Open(2);
    h.Feed(2, Bytes5(MakeConnect5("sub", false, 100)));
    EXPECT_EQ(h.TakeHex(2), "20 03 01 00 00 62 02 00 01");
    h.Feed(2, Bytes5(PubcompPacket{1}));
    EXPECT_EQ(h.Engine().InflightCount("sub"), 0u);
    EXPECT_EQ(h.TakeHex(2), "");
}

TEST(Broker5Flows, Mqtt5_4_3_3_7_AQos2MessageSentIsNotExpired)
{
    // [MQTT5-4.3.3-7]: Message Expiry 1 s, the PUBLISH went out; 5 s later the subscriber
    // returns and gets it again (DUP 1) with a Message Expiry Interval of 0, not dropped.
    BrokerHarness h(Plain5());
    PubAndSub5(h, Qos::ExactlyOnce);
    PublishPacket p = MakePublish("t", "q", Qos::ExactlyOnce, 9);
    p.properties.AddNumber(PropertyId::MessageExpiryInterval, 1);
    h.Feed(1, Bytes5(p));
    EXPECT_EQ(h.TakeHex(2), HexOf5([] {
                  PublishPacket w = MakePublish("t", "q", Qos::ExactlyOnce, 1);
                  w.properties.AddNumber(PropertyId::MessageExpiryInterval, 1);
                  return w;
              }()));
    h.NetClose(2);
    h.Advance(seconds(5));
    h.Open(2);
    h.Feed(2, Bytes5(MakeConnect5("sub", false, 100)));
    PublishPacket again = MakePublish("t", "q", Qos::ExactlyOnce, 1, false, true);
    again.properties.AddNumber(PropertyId::MessageExpiryInterval, 0);
    EXPECT_EQ(h.TakeHex(2), "20 03 01 00 00 " + HexOf5(again));
}

TEST(Broker5Flows, Mqtt5_4_3_3_9_AfterAFailedPubrecTheIdentifierIsNew)
{
    // [MQTT5-4.3.3-9]: PUBREC 0x99 for identifier 4 (a payload said to be UTF-8 that is not);
    // the next PUBLISH with 4 is a new message, answered PUBREC 0x00 and forwarded.
    BrokerHarness h(Plain5());
    PubAndSub5(h, Qos::AtMostOnce);
    PublishPacket bad = MakePublish("t", "\xff", Qos::ExactlyOnce, 4);
    bad.properties.AddNumber(PropertyId::PayloadFormatIndicator, 1);
    h.Feed(1, Bytes5(bad));
    EXPECT_EQ(h.TakeHex(1), "50 03 00 04 99");
    h.Feed(1, Bytes5(MakePublish("t", "ok", Qos::ExactlyOnce, 4)));
    EXPECT_EQ(h.TakeHex(1), "50 02 00 04");
    EXPECT_EQ(h.TakeHex(2), Pub("t", "ok"));
}

TEST(Broker5Flows, Mqtt5_4_3_3_13_TheBrokerCompletesAnExpiredQos2Exchange)
{
    // [MQTT5-4.3.3-13]: the message expired (1 s) before the publisher's PUBREL; PUBCOMP 0x00.
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("pub"));
    PublishPacket p = MakePublish("t", "q", Qos::ExactlyOnce, 3);
    p.properties.AddNumber(PropertyId::MessageExpiryInterval, 1);
    h.Feed(1, Bytes5(p));
    EXPECT_EQ(h.TakeHex(1), "50 02 00 03");
    h.Advance(seconds(5));
    h.Feed(1, Bytes5(PubrelPacket{3}));
    EXPECT_EQ(h.TakeHex(1), "70 02 00 03");
}

TEST(Broker5Flows, Mqtt5_4_4_0_2_ARefusedDeliveryIsNotSentAgain)
{
    // [MQTT5-4.4.0-2]: the subscriber answers PUBACK 0x80: acknowledged, not re-sent on resume.
    BrokerHarness h(Plain5());
    PubAndSub5(h, Qos::AtLeastOnce);
    h.Feed(1, Bytes5(MakePublish("t", "a", Qos::AtLeastOnce, 1)));
    h.TakeHex(2);
    h.Feed(2, Bytes5(PubackPacket{1, ReasonCode::UnspecifiedError}));
    h.NetClose(2);
    h.Open(2);
    h.Feed(2, Bytes5(MakeConnect5("sub", false, 100)));
    EXPECT_EQ(h.TakeHex(2), "20 03 01 00 00");
}

TEST(Broker5Flows, Mqtt5_4_6_0_5_MessagesOfOneTopicAreForwardedInArrivalOrder)
{
    // [MQTT5-4.6.0-5] [MQTT5-4.6.0-6]: every topic is ordered: five QoS 1 messages reach the
    // subscriber in the order they arrived, also through its queue (Receive Maximum 1).
    BrokerHarness h(Plain5());
    PubAndSub5(h, Qos::AtLeastOnce, ConnectWith5("sub", PropertyId::ReceiveMaximum, 1));
    for (uint16_t i = 1; i <= 5; ++i)
    {
        h.Feed(1, Bytes5(MakePublish("t", std::to_string(i), Qos::AtLeastOnce, i)));
    }
    for (uint16_t i = 1; i <= 5; ++i)
    {
        EXPECT_EQ(h.TakeHex(2), Pub("t", std::to_string(i), Qos::AtLeastOnce, i));
        h.Feed(2, Bytes5(PubackPacket{i}));
    }
}

TEST(Broker5Flows, Mqtt5_4_7_2_1_WildcardsDoNotReachDollarTopics)
{
    // [MQTT5-4.7.2-1]: "#" and "+/x" do not match "$SYS/x"; "$SYS/#" does. [MQTT5-4.7.3-4]: no
    // normalization: "a/b" matches neither "a//b" nor "A/b".
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("pub"));
    Connect5(h, 2, MakeConnect5("wild"));
    Subscribe5(h, 2, {"#", Qos::AtMostOnce}, 0x00);
    Subscribe5(h, 2, {"+/x", Qos::AtMostOnce}, 0x00, 2);
    Connect5(h, 3, MakeConnect5("sys"));
    Subscribe5(h, 3, {"$SYS/#", Qos::AtMostOnce}, 0x00);
    Connect5(h, 4, MakeConnect5("exact"));
    Subscribe5(h, 4, {"a/b", Qos::AtMostOnce}, 0x00);
    h.Feed(1, Bytes5(MakePublish("$SYS/x", "s")));
    EXPECT_EQ(h.TakeHex(2), "");
    EXPECT_EQ(h.TakeHex(3), Pub("$SYS/x", "s"));
    h.Feed(1, Bytes5(MakePublish("a//b", "1")));
    h.Feed(1, Bytes5(MakePublish("A/b", "2")));
    EXPECT_EQ(h.TakeHex(4), "");
    EXPECT_EQ(h.TakeHex(2), Pub("a//b", "1") + " " + Pub("A/b", "2"));
}

TEST(Broker5Flows, Mqtt5_3_3_1_6_RetainedMessagesIn5)
{
    // [MQTT5-3.3.1-5]: RETAIN 1 replaces the topic's retained message; [MQTT5-3.3.1-8]: RETAIN 0
    // changes nothing; [MQTT5-3.3.1-6]: an empty retained PUBLISH is delivered and removes it;
    // [MQTT5-3.3.1-7]: and is not stored itself.
    BrokerHarness h(Plain5());
    PubAndSub5(h, Qos::AtMostOnce, MakeConnect5("live"));
    h.Feed(1, Bytes5(MakePublish("t", "one", Qos::AtMostOnce, 0, true)));
    h.Feed(1, Bytes5(MakePublish("t", "two", Qos::AtMostOnce, 0, true)));
    h.Feed(1, Bytes5(MakePublish("t", "plain")));
    h.TakeHex(2);
    Connect5(h, 3, MakeConnect5("late"));
    h.Feed(3, Bytes5(MakeSubscribe(1, {{"t", Qos::AtMostOnce}})));
    EXPECT_EQ(h.TakeHex(3), "90 04 00 01 00 00 " + Pub("t", "two", Qos::AtMostOnce, 0, true));
    h.Feed(1, Bytes5(MakePublish("t", "", Qos::AtMostOnce, 0, true)));
    EXPECT_EQ(h.TakeHex(2), Pub("t", ""));
    EXPECT_EQ(h.Engine().RetainedCount(), 0u);
    h.Feed(3, Bytes5(MakeSubscribe(2, {{"t", Qos::AtMostOnce}})));
    EXPECT_EQ(h.TakeHex(3), Pub("t", "") + " 90 04 00 02 00 00");
}

TEST(Broker5Flows, Mqtt5_3_8_4_3_AnIdenticalFilterReplacesTheSubscription)
{
    // [MQTT5-3.8.4-3]: "t" at QoS 0, then "t" at QoS 1: one subscription, one copy per message;
    // [MQTT5-3.8.4-4]: with Retain Handling 0 the retained message is sent again;
    // [MQTT5-3.8.4-8]: delivered at the lower of published QoS (2) and granted QoS (1).
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("pub"));
    h.Feed(1, Bytes5(MakePublish("t", "r", Qos::AtMostOnce, 0, true)));
    Connect5(h, 2, MakeConnect5("sub"));
    h.Feed(2, Bytes5(MakeSubscribe(1, {{"t", Qos::AtMostOnce}})));
    EXPECT_EQ(h.TakeHex(2), "90 04 00 01 00 00 " + Pub("t", "r", Qos::AtMostOnce, 0, true));
    h.Feed(2, Bytes5(MakeSubscribe(2, {{"t", Qos::AtLeastOnce}})));
    EXPECT_EQ(h.TakeHex(2), "90 04 00 02 00 01 " + Pub("t", "r", Qos::AtMostOnce, 0, true));
    EXPECT_EQ(h.Engine().SubscriptionCount("sub"), 1u);
    h.Feed(1, Bytes5(MakePublish("t", "x", Qos::ExactlyOnce, 1)));
    EXPECT_EQ(h.TakeHex(2), Pub("t", "x", Qos::AtLeastOnce, 1));
}

TEST(Broker5Flows, Mqtt5_3_1_4_4_CleanStartDecidesWhetherTheSessionIsResumed)
{
    // [MQTT5-3.1.4-4] [MQTT5-3.1.3-2]: the session is found by client id; Clean Start 0
    // resumes it (Session Present 1, subscription kept), Clean Start 1 discards it (Session
    // Present 0, no subscription). [MQTT5-4.1.0-1]: while connected it is kept.
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("dev", false, 100));
    Subscribe5(h, 1, {"t", Qos::AtLeastOnce}, 0x01);
    EXPECT_EQ(h.Engine().SubscriptionCount("dev"), 1u);
    h.NetClose(1);
    h.Open(2);
    h.Feed(2, Bytes5(MakeConnect5("dev", false, 100)));
    EXPECT_EQ(h.TakeHex(2), "20 03 01 00 00");
    EXPECT_EQ(h.Engine().SubscriptionCount("dev"), 1u);
    h.NetClose(2);
    h.Open(3);
    h.Feed(3, Bytes5(MakeConnect5("dev", true, 100)));
    EXPECT_EQ(h.TakeHex(3), "20 03 00 00 00");
    EXPECT_EQ(h.Engine().SubscriptionCount("dev"), 0u);
}

TEST(Broker5Flows, Mqtt5_3_1_4_6_NothingIsProcessedAfterARefusedConnect)
{
    // [MQTT5-3.1.4-2] [MQTT5-3.1.4-6]: a CONNECT refused by a check of the broker's (client id
    // longer than the profile allows) gets CONNACK 0x85 and the connection is closed; the
    // PUBLISH that came in the same bytes is not processed.
    MqttBrokerProfile p = Plain5();
    p.maxClientIdLength = 4;
    BrokerHarness h(p);
    Connect5(h, 2, MakeConnect5("sub"));
    Subscribe5(h, 2, {"t", Qos::AtMostOnce}, 0x00);
    std::vector<uint8_t> bytes = Bytes5(MakeConnect5("too-long"));
    std::vector<uint8_t> publish = Bytes5(MakePublish("t", "x"));
    bytes.insert(bytes.end(), publish.begin(), publish.end());
    h.Open(1);
    h.Feed(1, bytes);
    EXPECT_EQ(h.TakeHex(1), "20 03 00 85 00");
    EXPECT_FALSE(h.IsOpen(1));
    EXPECT_EQ(h.TakeHex(2), "");
}

TEST(Broker5Flows, Mqtt5_3_1_3_5_ShortAlphanumericClientIdsAreAccepted)
{
    // [MQTT5-3.1.3-5]: 23 bytes of digits and letters.
    BrokerHarness h(Plain5());
    h.Open(1);
    h.Feed(1, Bytes5(MakeConnect5("abcdefghijklmnopqrstuv0")));
    EXPECT_EQ(h.TakeHex(1), "20 03 00 00 00");
}

TEST(Broker5Flows, Mqtt5_3_10_4_2_AfterUnsubscribeNewMessagesStopButStartedOnesComplete)
{
    // [MQTT5-3.10.4-2]: once "t" is unsubscribed, a message published to t is not delivered;
    // [MQTT5-3.10.4-3]: the QoS 1 delivery already started for it is completed: sent again when
    // the session resumes, and its PUBACK ends it.
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("pub"));
    Connect5(h, 2, MakeConnect5("sub", true, 100));
    Subscribe5(h, 2, {"t", Qos::AtLeastOnce}, 0x01);
    h.Feed(1, Bytes5(MakePublish("t", "1", Qos::AtLeastOnce, 1)));
    EXPECT_EQ(h.TakeHex(1), "40 02 00 01");
    EXPECT_EQ(h.TakeHex(2), Pub("t", "1", Qos::AtLeastOnce, 1));
    UnsubscribePacket u;
    u.packetId = 9;
    u.filters = {"t"};
    h.Feed(2, Bytes5(u));
    EXPECT_EQ(h.TakeHex(2), "b0 04 00 09 00 00");
    h.Feed(1, Bytes5(MakePublish("t", "2", Qos::AtLeastOnce, 2)));
    EXPECT_EQ(h.TakeHex(1), "40 02 00 02");
    EXPECT_EQ(h.TakeHex(2), "");
    h.NetClose(2);
    std::vector<Packet> got = ConnectAll5(h, 3, MakeConnect5("sub", false, 100));
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(HexOf5(got[1]), Pub("t", "1", Qos::AtLeastOnce, 1, false, true));
    h.TakeEvents();
    h.Feed(3, Bytes5(PubackPacket{1}));
    EXPECT_EQ(h.Count(EventType::MessageDelivered), 1u);
    h.Feed(1, Bytes5(MakePublish("t", "3")));
    EXPECT_EQ(h.TakeHex(3), "");
}

TEST(Broker5Flows, Mqtt5_3_12_4_1_EveryPingreqGetsAPingresp)
{
    // [MQTT5-3.12.4-1]: each PINGREQ is answered with one PINGRESP, also several in one read.
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("c", true, 0, 30));
    h.FeedHex(1, "c0 00");
    EXPECT_EQ(h.TakeHex(1), "d0 00");
    h.FeedHex(1, "c0 00 c0 00 c0 00");
    EXPECT_EQ(h.TakeHex(1), "d0 00 d0 00 d0 00");
    EXPECT_TRUE(h.IsOpen(1));
}
