/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine, MQTT 5.0: PUBLISH forwarding (properties unchanged, the 3.1.1 subscriber's
 * view), Message Expiry, Topic Aliases both ways, Receive Maximum both ways, the subscriber's
 * Maximum Packet Size, the 5.0-only checks of an inbound PUBLISH, and reason-coded
 * acknowledgements.
 */
#include "mqtt-broker5-test-util.h"

using namespace brokertest;

namespace
{

/** Plain5 without Subscription Identifiers: its CONNACK announces 29 00. */
MqttBrokerProfile
NoIds5()
{
    MqttBrokerProfile p = Plain5();
    p.subscriptionIdentifiers = false;
    return p;
}

/** A PUBLISH with every property a broker forwards unchanged. */
PublishPacket
Rich(uint16_t packetId = 1)
{
    PublishPacket p = MakePublish("a/b", "hello", Qos::AtLeastOnce, packetId);
    p.properties.AddNumber(PropertyId::PayloadFormatIndicator, 1)
        .AddText(PropertyId::ContentType, "text/plain")
        .AddText(PropertyId::ResponseTopic, "reply/here")
        .AddBinary(PropertyId::CorrelationData, {1, 2, 3})
        .AddUserProperty("k", "v1")
        .AddUserProperty("k", "v2")
        .AddUserProperty("a", "z");
    return p;
}

} // namespace

TEST(Broker5Publish, Mqtt5_3_3_2_17_PropertiesAreForwardedUnchangedAndInOrder)
{
    // [MQTT5-3.3.2-4] [MQTT5-3.3.2-15] [MQTT5-3.3.2-16] [MQTT5-3.3.2-17] [MQTT5-3.3.2-18]
    // [MQTT5-3.3.2-20]: Payload Format Indicator, Response Topic, Correlation Data, User
    // Properties (in their order) and Content Type reach the subscriber as sent.
    // [MQTT5-3.3.4-1] [MQTT5-4.3.2-4] [MQTT5-2.2.1-5]: the publisher gets the PUBACK its QoS
    // asks for, with its identifier; [MQTT5-4.5.0-1]: the subscriber gets the message;
    // [MQTT5-2.2.1-4] [MQTT5-4.3.2-2]: with a fresh identifier, QoS 1 and DUP 0.
    BrokerHarness h(NoIds5());
    Connect5(h, 1, MakeConnect5("pub"));
    Connect5(h, 2, MakeConnect5("sub"));
    Subscribe5(h, 2, {"a/+", Qos::AtLeastOnce}, 0x01);
    h.Feed(1, Bytes5(Rich(7)));
    EXPECT_EQ(h.TakeHex(1), "40 02 00 07"); // PUBACK Success: the short form
    PublishPacket want = Rich(1);
    EXPECT_EQ(h.TakeHex(2), HexOf5(want));
}

TEST(Broker5Publish, A311SubscriberGetsThe311PublishWithoutProperties)
{
    // doc/mqtt5.md: a 3.1.1 subscriber of a 5.0 publish gets topic, payload, QoS and flags.
    BrokerHarness h(NoIds5());
    Connect5(h, 1, MakeConnect5("pub"));
    h.Connect(2, "old");
    h.Subscribe(2, "a/b", Qos::AtLeastOnce);
    h.Feed(1, Bytes5(Rich(7)));
    EXPECT_EQ(h.TakeHex(2), HexOf(MakePublish("a/b", "hello", Qos::AtLeastOnce, 1)));
    // And a 3.1.1 publish reaches a 5.0 subscriber with no properties.
    Connect5(h, 3, MakeConnect5("new"));
    Subscribe5(h, 3, {"x", Qos::AtMostOnce}, 0x00);
    h.Send(2, MakePublish("x", "hi"));
    EXPECT_EQ(h.TakeHex(3), "30 06 00 01 78 00 68 69");
}

TEST(Broker5Publish, Mqtt5_3_3_2_6_MessageExpiryCountsDownWhileQueued)
{
    // [MQTT5-3.3.2-6]: a message queued for an offline session is forwarded with what is left
    // of its interval; [MQTT5-3.3.2-5]: one whose interval ran out is not delivered at all.
    BrokerHarness h(NoIds5());
    PubAndSub5(h, Qos::AtLeastOnce, MakeConnect5("sub", false, 3600));
    h.NetClose(2);
    PublishPacket ten = MakePublish("t", "ten", Qos::AtLeastOnce, 1);
    ten.properties.AddNumber(PropertyId::MessageExpiryInterval, 10);
    PublishPacket hundred = MakePublish("t", "hundred", Qos::AtLeastOnce, 2);
    hundred.properties.AddNumber(PropertyId::MessageExpiryInterval, 100);
    h.Feed(1, Bytes5(ten));
    h.Feed(1, Bytes5(hundred));
    h.Advance(seconds(4));
    std::vector<Packet> got = ConnectAll5(h, 3, MakeConnect5("sub", false, 3600));
    ASSERT_EQ(got.size(), 3u); // CONNACK and the two messages
    EXPECT_TRUE(std::get<ConnackPacket>(got[0]).sessionPresent);
    EXPECT_EQ(std::get<PublishPacket>(got[1]).properties.Number(PropertyId::MessageExpiryInterval),
              6u);
    EXPECT_EQ(std::get<PublishPacket>(got[2]).properties.Number(PropertyId::MessageExpiryInterval),
              96u);
    h.Feed(3, Bytes5(PubackPacket{1}));
    h.Feed(3, Bytes5(PubackPacket{2}));
    h.NetClose(3);

    h.Feed(1, Bytes5(ten));
    h.Advance(seconds(11));
    h.TakeEvents();
    got = ConnectAll5(h, 4, MakeConnect5("sub", false, 3600));
    ASSERT_EQ(got.size(), 1u); // the CONNACK alone
    EXPECT_TRUE(std::get<ConnackPacket>(got[0]).sessionPresent);
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::MessageExpired);
}

TEST(Broker5Publish, ExpiredRetainedMessageIsNotSent)
{
    BrokerHarness h(NoIds5());
    Connect5(h, 1, MakeConnect5("pub"));
    PublishPacket r = MakePublish("r", "old", Qos::AtMostOnce, 0, true);
    r.properties.AddNumber(PropertyId::MessageExpiryInterval, 5);
    h.Feed(1, Bytes5(r));
    Connect5(h, 2, MakeConnect5("early"));
    h.Advance(seconds(2));
    h.Feed(2, Bytes5(MakeSubscribe(1, {{"r", Qos::AtMostOnce}})));
    std::vector<Packet> got = Packets5(h.TakeHex(2));
    ASSERT_EQ(got.size(), 2u); // SUBACK, then the retained message with 3 s left
    EXPECT_EQ(std::get<PublishPacket>(got[1]).properties.Number(PropertyId::MessageExpiryInterval),
              3u);
    h.Advance(seconds(3));
    Connect5(h, 3, MakeConnect5("late"));
    h.Feed(3, Bytes5(MakeSubscribe(1, {{"r", Qos::AtMostOnce}})));
    EXPECT_EQ(h.TakeHex(3), "90 04 00 01 00 00"); // the SUBACK alone
    EXPECT_EQ(h.Events(EventType::MessageDropped).back().dropReason, DropReason::MessageExpired);
}

TEST(Broker5Publish, Mqtt5_3_3_2_12_InboundTopicAliases)
{
    // [MQTT5-3.3.2-12]: every alias from 1 to the announced maximum is accepted; a PUBLISH
    // with an empty topic and a known alias goes to the aliased topic.
    MqttBrokerProfile p = NoIds5();
    p.topicAliasMaximum = 2;
    BrokerHarness h(p);
    Connect5(h, 1, MakeConnect5("pub"));
    Connect5(h, 2, MakeConnect5("sub"));
    Subscribe5(h, 2, {"#", Qos::AtMostOnce}, 0x00);
    PublishPacket set = MakePublish("long/topic/name", "1");
    set.properties.AddNumber(PropertyId::TopicAlias, 2);
    PublishPacket use = MakePublish("", "2");
    use.properties.AddNumber(PropertyId::TopicAlias, 2);
    h.Feed(1, Bytes5(set));
    h.Feed(1, Bytes5(use));
    EXPECT_EQ(h.TakeHex(2),
              HexOf5(MakePublish("long/topic/name", "1")) + " " +
                  HexOf5(MakePublish("long/topic/name", "2")));
}

TEST(Broker5Publish, Mqtt5_3_3_2_7_AliasesDoNotOutliveTheConnection)
{
    // [MQTT5-3.3.2-7]: a new connection starts without the old mappings: an empty topic with
    // alias 1 is then a Protocol Error (DISCONNECT 0x82).
    MqttBrokerProfile p = NoIds5();
    p.topicAliasMaximum = 2;
    BrokerHarness h(p);
    Connect5(h, 1, MakeConnect5("pub"));
    PublishPacket set = MakePublish("t", "1");
    set.properties.AddNumber(PropertyId::TopicAlias, 1);
    h.Feed(1, Bytes5(set));
    h.NetClose(1);
    Connect5(h, 2, MakeConnect5("pub"));
    PublishPacket use = MakePublish("", "2");
    use.properties.AddNumber(PropertyId::TopicAlias, 1);
    h.Feed(2, Bytes5(use));
    EXPECT_EQ(h.TakeHex(2), "e0 01 82");
    EXPECT_FALSE(h.IsOpen(2));
}

TEST(Broker5Publish, AliasAboveTheMaximumGetsDisconnect0x94)
{
    MqttBrokerProfile p = NoIds5();
    p.topicAliasMaximum = 2;
    BrokerHarness h(p);
    Connect5(h, 1, MakeConnect5("pub"));
    PublishPacket set = MakePublish("t", "1");
    set.properties.AddNumber(PropertyId::TopicAlias, 3);
    h.Feed(1, Bytes5(set));
    EXPECT_EQ(h.TakeHex(1), "e0 01 94");
}

TEST(Broker5Publish, Mqtt5_3_3_2_11_OutboundTopicAliasesWithinTheClientsMaximum)
{
    // [MQTT5-3.1.2-26] [MQTT5-3.3.2-11]: aliases 1..the client's maximum (1 here): the first
    // PUBLISH on a topic sets alias 1 with the topic, later ones send an empty topic; a second
    // topic gets no alias. [MQTT5-3.1.2-27]: a client with no maximum gets none.
    MqttBrokerProfile p = NoIds5();
    p.outboundTopicAliases = 10;
    BrokerHarness h(p);
    Connect5(h, 1, MakeConnect5("pub"));
    Connect5(h, 2, ConnectWith5("sub", PropertyId::TopicAliasMaximum, 1));
    Connect5(h, 3, MakeConnect5("plain"));
    Subscribe5(h, 2, {"#", Qos::AtMostOnce}, 0x00);
    Subscribe5(h, 3, {"#", Qos::AtMostOnce}, 0x00);
    for (const char* t : {"a/long/topic", "a/long/topic", "other"})
    {
        h.Feed(1, Bytes5(MakePublish(t, "x")));
    }
    PublishPacket first = MakePublish("a/long/topic", "x");
    first.properties.AddNumber(PropertyId::TopicAlias, 1);
    PublishPacket again = MakePublish("", "x");
    again.properties.AddNumber(PropertyId::TopicAlias, 1);
    EXPECT_EQ(h.TakeHex(2),
              HexOf5(first) + " " + HexOf5(again) + " " + HexOf5(MakePublish("other", "x")));
    EXPECT_EQ(h.TakeHex(3),
              HexOf5(MakePublish("a/long/topic", "x")) + " " +
                  HexOf5(MakePublish("a/long/topic", "x")) + " " +
                  HexOf5(MakePublish("other", "x")));
}

TEST(Broker5Publish, Mqtt5_3_3_4_9_ClientsReceiveMaximumBoundsDeliveriesInFlight)
{
    // [MQTT5-3.3.4-9] [MQTT5-4.9.0-1] [MQTT5-4.9.0-2]: with Receive Maximum 2, two QoS 1
    // deliveries go out and the third waits for a PUBACK; [MQTT5-3.3.4-10] [MQTT5-4.9.0-3]:
    // other packets are answered meanwhile; QoS 0 is not counted.
    BrokerHarness h(NoIds5());
    PubAndSub5(h, Qos::AtLeastOnce, ConnectWith5("sub", PropertyId::ReceiveMaximum, 2));
    for (uint16_t i = 1; i <= 3; ++i)
    {
        h.Feed(1, Bytes5(MakePublish("t", std::to_string(i), Qos::AtLeastOnce, i)));
    }
    h.Feed(1, Bytes5(MakePublish("t", "q0")));
    EXPECT_EQ(h.TakeHex(2),
              HexOf5(MakePublish("t", "1", Qos::AtLeastOnce, 1)) + " " +
                  HexOf5(MakePublish("t", "2", Qos::AtLeastOnce, 2)) + " " +
                  HexOf5(MakePublish("t", "q0")));
    h.Feed(2, Bytes5(PingreqPacket{}));
    EXPECT_EQ(h.TakeHex(2), "d0 00");
    h.Feed(2, Bytes5(PubackPacket{1}));
    EXPECT_EQ(h.TakeHex(2), HexOf5(MakePublish("t", "3", Qos::AtLeastOnce, 3)));
}

TEST(Broker5Publish, BrokersReceiveMaximumExceededGetsDisconnect0x93)
{
    // CONNACK announces Receive Maximum 2; a third QoS 2 PUBLISH before any PUBREL exceeds it.
    MqttBrokerProfile p = NoIds5();
    p.receiveMaximum = 2;
    BrokerHarness h(p);
    h.Open(1);
    h.Feed(1, Bytes5(MakeConnect5("pub")));
    EXPECT_EQ(h.TakeHex(1), "20 08 00 00 05 21 00 02 29 00");
    h.Feed(1, Bytes5(MakePublish("t", "1", Qos::ExactlyOnce, 1)));
    h.Feed(1, Bytes5(MakePublish("t", "2", Qos::ExactlyOnce, 2)));
    EXPECT_EQ(h.TakeHex(1), "50 02 00 01 50 02 00 02");
    h.Feed(1, Bytes5(MakePublish("t", "3", Qos::ExactlyOnce, 3)));
    EXPECT_EQ(h.TakeHex(1), "e0 01 93");
    EXPECT_FALSE(h.IsOpen(1));
}

TEST(Broker5Publish, Mqtt5_3_1_2_25_TooLargeForTheClientIsDroppedAsIfDelivered)
{
    // [MQTT5-3.1.2-24]: nothing larger than the client's Maximum Packet Size is sent;
    // [MQTT5-3.1.2-25]: it is dropped and the broker goes on as if delivered (no identifier
    // held: the next delivery gets identifier 1).
    BrokerHarness h(NoIds5());
    PubAndSub5(h, Qos::AtLeastOnce, ConnectWith5("sub", PropertyId::MaximumPacketSize, 20));
    h.Feed(1, Bytes5(MakePublish("t", std::string(40, 'x'), Qos::AtLeastOnce, 1)));
    EXPECT_EQ(h.TakeHex(2), "");
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::TooLargeForClient);
    h.Feed(1, Bytes5(MakePublish("t", "small", Qos::AtLeastOnce, 2)));
    EXPECT_EQ(h.TakeHex(2), HexOf5(MakePublish("t", "small", Qos::AtLeastOnce, 1)));
}

TEST(Broker5Publish, Mqtt5_3_3_4_6_SubscriptionIdentifierFromAClientIsAProtocolError)
{
    // [MQTT5-3.3.4-6]: DISCONNECT 0x82.
    BrokerHarness h(NoIds5());
    Connect5(h, 1, MakeConnect5("pub"));
    PublishPacket p = MakePublish("t", "x");
    p.properties.AddNumber(PropertyId::SubscriptionIdentifier, 3);
    h.Feed(1, Bytes5(p));
    EXPECT_EQ(h.TakeHex(1), "e0 01 82");
}

TEST(Broker5Publish, Mqtt5_3_2_2_9_MaximumQosAnnouncedAndEnforced)
{
    // [MQTT5-3.2.2-9]: a broker without QoS 2 says Maximum QoS 1; [MQTT5-3.2.2-10]: it still
    // accepts a SUBSCRIBE for QoS 2 (granted 1); a QoS 2 PUBLISH is DISCONNECT 0x9B.
    MqttBrokerProfile p = NoIds5();
    p.maxQos = Qos::AtLeastOnce;
    BrokerHarness h(p);
    h.Open(1);
    h.Feed(1, Bytes5(MakeConnect5("c")));
    EXPECT_EQ(h.TakeHex(1), "20 07 00 00 04 24 01 29 00");
    Subscribe5(h, 1, {"t", Qos::ExactlyOnce}, 0x01);
    h.Feed(1, Bytes5(MakePublish("t", "x", Qos::ExactlyOnce, 1)));
    EXPECT_EQ(h.TakeHex(1), "e0 01 9b");
}

TEST(Broker5Publish, RetainNotAvailableAnnouncedAndEnforced)
{
    MqttBrokerProfile p = NoIds5();
    p.retain = RetainPolicy::Disconnect;
    BrokerHarness h(p);
    h.Open(1);
    h.Feed(1, Bytes5(MakeConnect5("c")));
    EXPECT_EQ(h.TakeHex(1), "20 07 00 00 04 25 00 29 00");
    h.Feed(1, Bytes5(MakePublish("t", "x", Qos::AtMostOnce, 0, true)));
    EXPECT_EQ(h.TakeHex(1), "e0 01 9a");
}

TEST(Broker5Publish, InvalidUtf8PayloadIsRefusedWith0x99)
{
    // Payload Format Indicator 1 and a payload that is not UTF-8: PUBACK 0x99 (a PUBACK code,
    // [MQTT5-3.4.2-1]), PUBREC 0x99 for QoS 2 ([MQTT5-3.5.2-1]), not forwarded;
    // [MQTT5-3.1.2-29]: with Request Problem Information 0 the acknowledgement has no Reason
    // String or User Property (no properties at all).
    BrokerHarness h(NoIds5());
    PubAndSub5(h, Qos::AtLeastOnce, MakeConnect5("sub"));
    PublishPacket p = MakePublish("t", "\xff\xfe", Qos::AtLeastOnce, 5);
    p.properties.AddNumber(PropertyId::PayloadFormatIndicator, 1);
    h.Feed(1, Bytes5(p));
    EXPECT_EQ(h.TakeHex(1), "40 03 00 05 99");
    EXPECT_EQ(h.TakeHex(2), "");
    PublishPacket q2 = p;
    q2.qos = Qos::ExactlyOnce;
    q2.packetId = 6;
    h.Feed(1, Bytes5(q2));
    EXPECT_EQ(h.TakeHex(1), "50 03 00 06 99");

    Connect5(h, 3, ConnectWith5("quiet", PropertyId::RequestProblemInformation, 0));
    h.Feed(3, Bytes5(p));
    EXPECT_EQ(h.TakeHex(3), "40 03 00 05 99");
    EXPECT_EQ(h.TakeHex(2), "");
}

TEST(Broker5Publish, Mqtt5_4_3_3_10_RepeatedQos2PublishIsNotDeliveredTwice)
{
    // [MQTT5-4.3.3-8] [MQTT5-4.3.3-10]: PUBREC with the identifier, again for a repeat before
    // PUBREL, and one onward delivery; [MQTT5-4.3.3-11] [MQTT5-4.3.3-12]: PUBCOMP, after which
    // the identifier carries a new message.
    BrokerHarness h(NoIds5());
    PubAndSub5(h, Qos::AtMostOnce, MakeConnect5("sub"));
    PublishPacket p = MakePublish("t", "once", Qos::ExactlyOnce, 9);
    h.Feed(1, Bytes5(p));
    p.dup = true;
    h.Feed(1, Bytes5(p));
    EXPECT_EQ(h.TakeHex(1), "50 02 00 09 50 02 00 09");
    EXPECT_EQ(h.TakeHex(2), HexOf5(MakePublish("t", "once")));
    h.Feed(1, Bytes5(PubrelPacket{9}));
    EXPECT_EQ(h.TakeHex(1), "70 02 00 09");
    h.Feed(1, Bytes5(MakePublish("t", "again", Qos::ExactlyOnce, 9)));
    EXPECT_EQ(h.TakeHex(2), HexOf5(MakePublish("t", "again")));
}

TEST(Broker5Publish, Mqtt5_3_7_2_1_UnknownIdentifiersGetReasonCode0x92)
{
    // [MQTT5-3.7.2-1] [MQTT5-3.6.2-1]: PUBCOMP for a PUBREL of an unknown identifier, and
    // PUBREL for a PUBREC of one, carry 0x92 Packet Identifier not found; [MQTT5-4.3.3-11]:
    // a known one is answered with the same identifier and Success.
    BrokerHarness h(NoIds5());
    Connect5(h, 1, MakeConnect5("c"));
    h.Feed(1, Bytes5(PubrelPacket{9}));
    EXPECT_EQ(h.TakeHex(1), "70 03 00 09 92");
    h.Feed(1, Bytes5(PubrecPacket{8}));
    EXPECT_EQ(h.TakeHex(1), "62 03 00 08 92");
    h.Feed(1, Bytes5(MakePublish("t", "x", Qos::ExactlyOnce, 4)));
    EXPECT_EQ(h.TakeHex(1), "50 02 00 04");
    h.Feed(1, Bytes5(PubrelPacket{4}));
    EXPECT_EQ(h.TakeHex(1), "70 02 00 04");
}

TEST(Broker5Publish, Mqtt5_3_11_3_2_UnsubackHasAReasonCodePerFilter)
{
    // [MQTT5-3.11.3-1] [MQTT5-3.11.3-2] [MQTT5-3.10.4-4] [MQTT5-3.10.4-5] [MQTT5-2.2.1-6]
    // [MQTT5-3.10.4-1] [MQTT5-3.10.4-6]: one UNSUBACK, with the identifier, one code per filter,
    // in order:
    // Success for a removed subscription, 0x11 No subscription existed otherwise.
    BrokerHarness h(NoIds5());
    Connect5(h, 1, MakeConnect5("c"));
    Subscribe5(h, 1, {"b", Qos::AtMostOnce}, 0x00);
    UnsubscribePacket u;
    u.packetId = 3;
    u.filters = {"a", "b", "c"};
    h.Feed(1, Bytes5(u));
    EXPECT_EQ(h.TakeHex(1), "b0 06 00 03 00 11 00 11");
}

TEST(Broker5Publish, SharedSubscriptionsNotAvailableGet0x9E)
{
    // A profile without them announces Shared Subscription Available 0 and refuses $share
    // filters alone.
    MqttBrokerProfile p = MqttBrokerProfile::Standard5();
    p.sharedSubscriptions = false;
    BrokerHarness h(p);
    h.Open(1);
    h.Feed(1, Bytes5(MakeConnect5("c")));
    EXPECT_EQ(h.TakeHex(1), "20 0a 00 00 07 22 00 0a 29 00 2a 00");
    SubscribePacket s = MakeSubscribe(2, {{"$share/g/t", Qos::AtMostOnce}, {"t", Qos::AtLeastOnce}});
    h.Feed(1, Bytes5(s));
    EXPECT_EQ(h.TakeHex(1), "90 05 00 02 00 9e 01");
}

TEST(Broker5Publish, Mqtt5_3_3_1_3_OutgoingDupSaysOnlyWhetherThatPublishIsARepeat)
{
    // [MQTT5-3.3.1-3]: the publisher's DUP 1 is not passed on: the subscriber's first copy has
    // DUP 0; the copy re-sent when the subscriber's session resumes has DUP 1, whatever the
    // publisher's flag was.
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("pub"));
    Connect5(h, 2, MakeConnect5("sub", true, 300));
    Subscribe5(h, 2, {"t", Qos::AtLeastOnce}, 0x01);
    h.Feed(1, Bytes5(MakePublish("t", "m", Qos::AtLeastOnce, 7, false, true)));
    EXPECT_EQ(h.TakeHex(1), "40 02 00 07");
    EXPECT_EQ(h.TakeHex(2), "32 07 00 01 74 00 01 00 6d");
    h.Feed(1, Bytes5(MakePublish("t", "n", Qos::AtLeastOnce, 8)));
    EXPECT_EQ(h.TakeHex(2), "32 07 00 01 74 00 02 00 6e");
    h.NetClose(2);
    std::vector<Packet> got = ConnectAll5(h, 3, MakeConnect5("sub", false, 300));
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(HexOf5(got[1]), "3a 07 00 01 74 00 01 00 6d");
    EXPECT_EQ(HexOf5(got[2]), "3a 07 00 01 74 00 02 00 6e");
}

TEST(Broker5Publish, Mqtt5_3_3_2_3_TheTopicNameSentMatchesTheSubscriptionsFilter)
{
    // [MQTT5-3.3.2-3]: the subscriber of "a/+" and the member of "$share/g/x/#" get the topic the
    // publisher used, which their filter matches (not the filter, not the $share prefix).
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("pub"));
    Connect5(h, 2, MakeConnect5("sub"));
    Subscribe5(h, 2, {"a/+", Qos::AtMostOnce}, 0x00);
    Connect5(h, 3, MakeConnect5("member"));
    Subscribe5(h, 3, {"$share/g/x/#", Qos::AtMostOnce}, 0x00);
    h.Feed(1, Bytes5(MakePublish("a/b", "1")));
    EXPECT_EQ(h.TakeHex(2), "30 07 00 03 61 2f 62 00 31");
    h.Feed(1, Bytes5(MakePublish("x/y/z", "2")));
    EXPECT_EQ(h.TakeHex(3), "30 09 00 05 78 2f 79 2f 7a 00 32");
    EXPECT_EQ(h.TakeHex(2), "");
}

TEST(Broker5Publish, Mqtt5_3_3_4_5_SeparateCopiesEachCarryTheirOwnSubscriptionIdentifier)
{
    // [MQTT5-3.3.4-5]: a session that is a member of "$share/g/t" (Subscription Identifier 1)
    // and also subscribed to "t" (identifier 2) gets two copies of a message to t, each with
    // the identifier of the subscription it came through, and only that one.
    MqttBrokerProfile p = Plain5();
    p.subscriptionIdentifiers = true;
    BrokerHarness h(p);
    Connect5(h, 1, MakeConnect5("pub"));
    Connect5(h, 2, MakeConnect5("sub"));
    Properties id1;
    id1.AddNumber(PropertyId::SubscriptionIdentifier, 1);
    Subscribe5(h, 2, {"$share/g/t", Qos::AtMostOnce}, 0x00, 1, id1);
    Properties id2;
    id2.AddNumber(PropertyId::SubscriptionIdentifier, 2);
    Subscribe5(h, 2, {"t", Qos::AtMostOnce}, 0x00, 2, id2);
    h.Feed(1, Bytes5(MakePublish("t", "m")));
    // Each copy: topic t, Property Length 2, Subscription Identifier (0x0b) n, payload m.
    const std::string viaShared = "30 07 00 01 74 02 0b 01 6d";
    const std::string viaOwn = "30 07 00 01 74 02 0b 02 6d";
    EXPECT_EQ(h.TakeHex(2), viaOwn + " " + viaShared);
}
