/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine, MQTT 5.0: Will Delay Interval and its interplay with session expiry and
 * reconnects, Will Properties, Response Information, Reason Strings on the broker's packets.
 */
#include "mqtt-broker5-test-util.h"

using namespace brokertest;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace
{

MqttBrokerProfile
Reasons5()
{
    MqttBrokerProfile p = Plain5();
    p.reasonStrings = true;
    p.wildcardSubscriptions = false;
    return p;
}

SubackPacket
Suback(uint16_t id, uint8_t code, bool withReason)
{
    SubackPacket s;
    s.packetId = id;
    s.returnCodes = {code};
    if (withReason)
    {
        s.properties.AddText(PropertyId::ReasonString,
                             ReasonCodeName(static_cast<ReasonCode>(code)));
    }
    return s;
}

/** A QoS 1 PUBLISH whose payload says UTF-8 (Payload Format Indicator 1) and is not. */
PublishPacket
NotUtf8(uint16_t packetId)
{
    PublishPacket bad = MakePublish("a", "\xff", Qos::AtLeastOnce, packetId);
    bad.properties.AddNumber(PropertyId::PayloadFormatIndicator, 1);
    return bad;
}

/**
 * Connection 1 sends a PUBLISH with a Subscription Identifier [MQTT5-3.3.4-6]: it gets
 * DISCONNECT 0x82 with the Reason String "Protocol Error" (Reasons5).
 */
void
SendSubscriptionIdentifier(BrokerHarness& h)
{
    PublishPacket withId = MakePublish("a", "x");
    withId.properties.AddNumber(PropertyId::SubscriptionIdentifier, 1);
    h.Feed(1, Bytes5(withId));
    DisconnectPacket d;
    d.reasonCode = ReasonCode::ProtocolError;
    d.properties.AddText(PropertyId::ReasonString, "Protocol Error");
    EXPECT_EQ(h.TakeHex(1), HexOf5(d));
}

} // namespace

TEST(Broker5Will, Mqtt5_3_1_2_8_TheWillWaitsForItsDelay)
{
    // [MQTT5-3.1.2-7] [MQTT5-3.1.2-8]: the connection ends without DISCONNECT; the will is
    // published once its Will Delay Interval (30 s) has passed, not before.
    BrokerHarness h(Plain5());
    WatchWills5(h);
    Connect5(h, 1, WithWill5("dev", 100, 30));
    h.NetClose(1);
    EXPECT_EQ(h.TakeHex(9), "");
    h.Advance(milliseconds(29999));
    EXPECT_EQ(h.TakeHex(9), "");
    h.Advance(milliseconds(1));
    EXPECT_EQ(h.TakeHex(9), WILL5);
    h.Advance(seconds(100));
    EXPECT_EQ(h.TakeHex(9), "");
}

TEST(Broker5Will, Mqtt5_3_1_3_9_AReconnectBeforeTheDelayCancelsTheWill)
{
    // [MQTT5-3.1.3-9]: back after 10 s of a 30 s delay: the will is never sent, also after the
    // new connection ends with DISCONNECT 0x00.
    BrokerHarness h(Plain5());
    WatchWills5(h);
    Connect5(h, 1, WithWill5("dev", 100, 30));
    h.NetClose(1);
    h.Advance(seconds(10));
    Connect5(h, 2, MakeConnect5("dev", false, 100));
    h.Advance(seconds(60));
    h.Feed(2, Bytes5(DisconnectPacket{}));
    h.Advance(seconds(60));
    EXPECT_EQ(h.TakeHex(9), "");
    EXPECT_EQ(h.Count(EventType::WillPublished), 0u);
}

TEST(Broker5Will, Mqtt5_3_1_2_8_TheSessionEndingFirstPublishesTheWill)
{
    // [MQTT5-3.1.2-8]: Session Expiry 10 s, Will Delay 30 s: the will goes when the session
    // ends, at 10 s; with Session Expiry 0 the session ends with the connection, so at once.
    BrokerHarness h(Plain5());
    WatchWills5(h);
    Connect5(h, 1, WithWill5("dev", 10, 30));
    h.NetClose(1);
    h.Advance(milliseconds(9999));
    EXPECT_EQ(h.TakeHex(9), "");
    h.Advance(milliseconds(1));
    EXPECT_EQ(h.TakeHex(9), WILL5);
    Connect5(h, 2, WithWill5("eph", 0, 30, false, true));
    h.NetClose(2);
    EXPECT_EQ(h.TakeHex(9), WILL5);
}

TEST(Broker5Will, Mqtt5_3_1_2_8_ANormalDisconnectDiscardsADelayedWill)
{
    // [MQTT5-3.1.2-8]: DISCONNECT 0x00 removes the will; nothing after the delay either.
    BrokerHarness h(Plain5());
    WatchWills5(h);
    Connect5(h, 1, WithWill5("dev", 100, 5));
    h.Feed(1, Bytes5(DisconnectPacket{}));
    h.Advance(seconds(10));
    EXPECT_EQ(h.TakeHex(9), "");
}

TEST(Broker5Will, Mqtt5_3_1_2_15_WillRetainDecidesTheRetainedWill)
{
    // [MQTT5-3.1.2-14]: Will Retain 0 is published as a non-retained message (a later
    // subscriber gets nothing); [MQTT5-3.1.2-15]: Will Retain 1 as a retained one.
    BrokerHarness h(Plain5());
    WatchWills5(h);
    Connect5(h, 1, WithWill5("plain", 0, 0, false, true));
    h.NetClose(1);
    EXPECT_EQ(h.TakeHex(9), WILL5);
    Connect5(h, 2, MakeConnect5("late"));
    h.Feed(2, Bytes5(MakeSubscribe(1, {{"w", Qos::AtMostOnce}})));
    EXPECT_EQ(h.TakeHex(2), "90 04 00 01 00 00");
    Connect5(h, 3, WithWill5("kept", 0, 0, true, true));
    h.NetClose(3);
    EXPECT_EQ(h.TakeHex(9), WILL5); // RETAIN 0 through the established subscriptions
    EXPECT_EQ(h.TakeHex(2), WILL5);
    h.Feed(2, Bytes5(MakeSubscribe(2, {{"w", Qos::AtMostOnce}})));
    EXPECT_EQ(h.TakeHex(2),
              "90 04 00 02 00 00 " + HexOf5(MakePublish("w", "gone", Qos::AtMostOnce, 0, true)));
}

TEST(Broker5Will, Mqtt5_3_1_3_10_WillUserPropertiesKeepTheirOrder)
{
    // [MQTT5-3.1.3-10]: the will is published with its User Properties in their order (and
    // its Content Type), the Will Delay Interval not forwarded.
    BrokerHarness h(Plain5());
    WatchWills5(h);
    ConnectPacket c = WithWill5("dev", 0, 0, false, true);
    c.will->properties.AddUserProperty("z", "1");
    c.will->properties.AddUserProperty("a", "2");
    c.will->properties.AddUserProperty("z", "3");
    c.will->properties.AddText(PropertyId::ContentType, "text/plain");
    Connect5(h, 1, c);
    h.NetClose(1);
    PublishPacket want = MakePublish("w", "gone");
    want.properties.AddUserProperty("z", "1");
    want.properties.AddUserProperty("a", "2");
    want.properties.AddUserProperty("z", "3");
    want.properties.AddText(PropertyId::ContentType, "text/plain");
    EXPECT_EQ(h.TakeHex(9), HexOf5(want));
}

TEST(Broker5Info, Mqtt5_3_1_2_28_ResponseInformationOnlyWhenRequested)
{
    // [MQTT5-3.1.2-28]: Request Response Information 0 (or absent): no Response Information;
    // 1: standard-5 returns "response/" and the client id.
    BrokerHarness h(Plain5());
    h.Open(1);
    h.Feed(1, Bytes5(MakeConnect5("c1")));
    EXPECT_EQ(h.TakeHex(1), "20 03 00 00 00");
    ConnectPacket zero = MakeConnect5("c2");
    zero.properties.AddNumber(PropertyId::RequestResponseInformation, 0);
    h.Open(2);
    h.Feed(2, Bytes5(zero));
    EXPECT_EQ(h.TakeHex(2), "20 03 00 00 00");
    ConnectPacket asks = MakeConnect5("c3");
    asks.properties.AddNumber(PropertyId::RequestResponseInformation, 1);
    h.Open(3);
    h.Feed(3, Bytes5(asks));
    ConnackPacket want;
    want.properties.AddText(PropertyId::ResponseInformation, "response/c3");
    EXPECT_EQ(h.TakeHex(3), HexOf5(want));
    EXPECT_EQ(HexOf5(want), "20 11 00 00 0e 1a 00 0b 72 65 73 70 6f 6e 73 65 2f 63 33");
}

TEST(Broker5Info, NoResponseInformationWithoutAPrefix)
{
    // aws-iot-core-5 and a profile with response-information-prefix "" return none.
    MqttBrokerProfile p = Plain5();
    p.responseInformationPrefix.clear();
    BrokerHarness h(p);
    ConnectPacket asks = MakeConnect5("c");
    asks.properties.AddNumber(PropertyId::RequestResponseInformation, 1);
    h.Open(1);
    h.Feed(1, Bytes5(asks));
    EXPECT_EQ(h.TakeHex(1), "20 03 00 00 00");
    EXPECT_TRUE(MqttBrokerProfile::AwsIotCore5().responseInformationPrefix.empty());
}

TEST(Broker5Info, ReasonStringsOnTheBrokersFailures)
{
    // With reason-strings a SUBACK failure, a PUBACK 0x99 and a DISCONNECT carry the code's
    // name (table 2-6) as Reason String; successes carry none.
    BrokerHarness h(Reasons5());
    Connect5(h, 1, MakeConnect5("c"));
    h.Feed(1, Bytes5(MakeSubscribe(1, {{"a/+", Qos::AtMostOnce}})));
    EXPECT_EQ(h.TakeHex(1), HexOf5(Suback(1, 0xA2, true)));
    h.Feed(1, Bytes5(MakeSubscribe(2, {{"a", Qos::AtMostOnce}})));
    EXPECT_EQ(h.TakeHex(1), HexOf5(Suback(2, 0x00, false)));
    h.Feed(1, Bytes5(NotUtf8(3)));
    PubackPacket refused{3, ReasonCode::PayloadFormatInvalid};
    refused.properties.AddText(PropertyId::ReasonString, "Payload format invalid");
    EXPECT_EQ(h.TakeHex(1), HexOf5(refused));
    SendSubscriptionIdentifier(h); // a Protocol Error: DISCONNECT 0x82 with its name
}

TEST(Broker5Info, Mqtt5_3_1_2_29_NoProblemInformationOnlyOnConnackAndDisconnect)
{
    // [MQTT5-3.1.2-29]: Request Problem Information 0: no Reason String on the SUBACK, but the
    // DISCONNECT may still carry one.
    BrokerHarness h(Reasons5());
    Connect5(h, 1, ConnectWith5("c", PropertyId::RequestProblemInformation, 0));
    h.Feed(1, Bytes5(MakeSubscribe(1, {{"a/+", Qos::AtMostOnce}})));
    EXPECT_EQ(h.TakeHex(1), HexOf5(Suback(1, 0xA2, false)));
    SendSubscriptionIdentifier(h); // a Protocol Error: DISCONNECT 0x82 with its name
}

TEST(Broker5Info, Mqtt5_3_14_2_3_AReasonStringTooLargeForTheClientIsLeftOut)
{
    // The client's Maximum Packet Size 12: a Reason String would pass it, so the SUBACK
    // [MQTT5-3.9.2-1], the PUBACK [MQTT5-3.4.2-2] and the DISCONNECT [MQTT5-3.14.2-3] go
    // without one (the broker sends no User Properties of its own [MQTT5-3.9.2-2]
    // [MQTT5-3.4.2-3] [MQTT5-3.14.2-4]).
    BrokerHarness h(Reasons5());
    Connect5(h, 1, ConnectWith5("c", PropertyId::MaximumPacketSize, 12));
    h.Feed(1, Bytes5(MakeSubscribe(1, {{"a/+", Qos::AtMostOnce}})));
    EXPECT_EQ(h.TakeHex(1), "90 04 00 01 00 a2");
    h.Feed(1, Bytes5(NotUtf8(3)));
    EXPECT_EQ(h.TakeHex(1), "40 03 00 03 99");
    PublishPacket withId = MakePublish("a", "x");
    withId.properties.AddNumber(PropertyId::SubscriptionIdentifier, 1);
    h.Feed(1, Bytes5(withId));
    EXPECT_EQ(h.TakeHex(1), "e0 01 82");
}

TEST(Broker5Info, Mqtt5_3_2_2_19_ARefusingConnackCarriesItsReasonWhenItFits)
{
    // CONNACK 0x85 with its Reason String; with a Maximum Packet Size of 8 the Reason String
    // is left out [MQTT5-3.2.2-19] (and no User Property is sent [MQTT5-3.2.2-20]).
    MqttBrokerProfile p = Reasons5();
    p.maxClientIdLength = 4;
    BrokerHarness h(p);
    h.Open(1);
    h.Feed(1, Bytes5(MakeConnect5("too-long")));
    ConnackPacket want;
    want.reasonCode = ReasonCode::ClientIdentifierNotValid;
    want.properties.AddText(PropertyId::ReasonString, "Client Identifier not valid");
    EXPECT_EQ(h.TakeHex(1), HexOf5(want));
    ConnectPacket small = MakeConnect5("too-long");
    small.properties.AddNumber(PropertyId::MaximumPacketSize, 8);
    h.Open(2);
    h.Feed(2, Bytes5(small));
    EXPECT_EQ(h.TakeHex(2), "20 03 00 85 00");
}
