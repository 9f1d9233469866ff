/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine, MQTT 5.0: CONNECT and CONNACK (Clean Start, Session Expiry Interval, the
 * capabilities a CONNACK announces, Assigned Client Identifier, Server Keep Alive), reason-coded
 * refusals, the DISCONNECT the broker sends and the one it receives.
 */
#include "mqtt-broker-settings.h"
#include "mqtt-broker5-test-util.h"

using namespace brokertest;

namespace
{

} // namespace

TEST(Broker5Connect, Mqtt5_3_1_4_5_AcceptedWithSuccessAndEmptyProperties)
{
    // [MQTT5-3.1.4-5] [MQTT5-3.2.0-1] [MQTT5-3.2.2-1] [MQTT5-3.2.2-2] [MQTT5-2.2.2-1]: CONNACK
    // 0x00, Session Present 0, reserved flag bits 0, and a Property Length of 0.
    BrokerHarness h(Plain5());
    h.Open(1);
    h.Feed(1, Bytes5(MakeConnect5("c1")));
    EXPECT_EQ(h.TakeHex(1), "20 03 00 00 00");
    EXPECT_TRUE(h.Engine().IsConnected("c1"));
}

TEST(Broker5Connect, StandardFiveAnnouncesWhatItLacks)
{
    // standard-5: Topic Alias Maximum 10, no Subscription Identifiers; shared subscriptions are
    // available (the default, so not announced).
    BrokerHarness h(MqttBrokerProfile::Standard5());
    h.Open(1);
    h.Feed(1, Bytes5(MakeConnect5("c1")));
    EXPECT_EQ(h.TakeHex(1), "20 08 00 00 05 22 00 0a 29 00");
}

TEST(Broker5Connect, A311ClientOnAFiveBrokerGetsThe311Connack)
{
    // The version is the CONNECT's: a level 4 CONNECT is answered in 3.1.1.
    BrokerHarness h(Plain5());
    h.Open(1);
    h.Send(1, MakeConnect("c1"));
    EXPECT_EQ(h.TakeHex(1), "20 02 00 00");
}

TEST(Broker5Connect, A311ProfileRefusesLevelFive)
{
    // The plain 3.1.1 profile does not speak 5.0: CONNACK 0x01 in 3.1.1's layout, then close.
    BrokerHarness h;
    h.Open(1);
    h.Feed(1, Bytes5(MakeConnect5("c1")));
    EXPECT_EQ(h.TakeHex(1), "20 02 00 01");
    EXPECT_FALSE(h.IsOpen(1));
}

TEST(Broker5Connect, Mqtt5_4_1_0_2_SessionExpiryIntervalKeepsTheSessionThatLong)
{
    // [MQTT5-3.1.2-23]: kept after the disconnect while the interval runs; [MQTT5-3.1.2-5]
    // [MQTT5-3.2.2-3]: Clean Start 0 resumes it (Session Present 1, the subscription still
    // there); [MQTT5-4.1.0-2]: deleted once the interval has run out.
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("s", false, 60));
    Subscribe5(h, 1, {"t", Qos::AtLeastOnce}, 0x01);
    h.NetClose(1);
    h.Advance(seconds(59));
    ConnackPacket ack = Connect5(h, 2, MakeConnect5("s", false, 60));
    EXPECT_TRUE(ack.sessionPresent);
    EXPECT_EQ(ack.reasonCode, ReasonCode::Success);
    h.NetClose(2);
    EXPECT_EQ(h.Engine().SessionCount(), 1u);
    h.Advance(seconds(60));
    EXPECT_EQ(h.Engine().SessionCount(), 0u);
    ack = Connect5(h, 3, MakeConnect5("s", false, 60));
    EXPECT_FALSE(ack.sessionPresent); // [MQTT5-3.1.2-6]: a new one
}

TEST(Broker5Connect, Mqtt5_3_1_2_23_NoIntervalMeansTheSessionEndsWithTheConnection)
{
    // Clean Start 0 without a Session Expiry Interval: resumed if present, ended at the close.
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("s", false));
    EXPECT_EQ(h.Engine().SessionCount(), 1u);
    h.NetClose(1);
    EXPECT_EQ(h.Engine().SessionCount(), 0u);
}

TEST(Broker5Connect, Mqtt5_3_1_2_4_CleanStartDropsTheStoredSession)
{
    // [MQTT5-3.1.2-4] [MQTT5-3.2.2-2]: Clean Start 1 discards the stored session, Session
    // Present 0, and the new session may itself outlive its connection.
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("s", false, 100));
    Subscribe5(h, 1, {"t", Qos::AtLeastOnce}, 0x01);
    h.NetClose(1);
    ConnackPacket ack = Connect5(h, 2, MakeConnect5("s", true, 100));
    EXPECT_FALSE(ack.sessionPresent);
    Connect5(h, 3, MakeConnect5("p"));
    h.Feed(3, Bytes5(MakePublish("t", "x", Qos::AtLeastOnce, 1)));
    EXPECT_EQ(h.TakeHex(2), ""); // the old subscription went with the old session
    h.NetClose(2);
    EXPECT_TRUE(Connect5(h, 4, MakeConnect5("s", false, 100)).sessionPresent);
}

TEST(Broker5Connect, SessionExpiryAboveTheProfileMaximumIsLoweredAndSaid)
{
    MqttBrokerProfile p = Plain5();
    p.maxSessionExpiryInterval = 100;
    BrokerHarness h(p);
    h.Open(1);
    h.Feed(1, Bytes5(MakeConnect5("s", false, 1000)));
    // Session Expiry Interval 100 in the CONNACK.
    EXPECT_EQ(h.TakeHex(1), "20 08 00 00 05 11 00 00 00 64");
    h.NetClose(1);
    h.Advance(seconds(100));
    EXPECT_EQ(h.Engine().SessionCount(), 0u);
}

TEST(Broker5Connect, Mqtt5_3_2_2_16_EmptyClientIdGetsAnAssignedIdentifier)
{
    // [MQTT5-3.1.3-6] [MQTT5-3.1.3-7] [MQTT5-3.2.2-16]: assigned even with Clean Start 0, and
    // returned as Assigned Client Identifier.
    BrokerHarness h(Plain5());
    ConnackPacket ack = Connect5(h, 1, MakeConnect5("", false, 30));
    EXPECT_EQ(ack.reasonCode, ReasonCode::Success);
    EXPECT_EQ(ack.properties.Text(PropertyId::AssignedClientIdentifier).value_or(""), "auto-1");
    EXPECT_TRUE(h.Engine().IsConnected("auto-1"));
    // Another one gets another identifier, unused by any current session.
    ack = Connect5(h, 2, MakeConnect5("", true));
    EXPECT_EQ(ack.properties.Text(PropertyId::AssignedClientIdentifier).value_or(""), "auto-2");
}

TEST(Broker5Connect, Mqtt5_3_1_3_8_RejectedClientIdGetsConnack0x85)
{
    // [MQTT5-3.1.3-8] [MQTT5-3.2.2-6] [MQTT5-3.2.2-7] [MQTT5-3.2.2-8]: CONNACK 0x85, Session
    // Present 0, then the connection is closed.
    MqttBrokerProfile p = Plain5();
    p.assignClientIds = false;
    BrokerHarness h(p);
    h.Open(1);
    h.Feed(1, Bytes5(MakeConnect5("")));
    EXPECT_EQ(h.TakeHex(1), "20 03 00 85 00");
    EXPECT_FALSE(h.IsOpen(1));
}

TEST(Broker5Connect, ShutdownRefusesWithConnack0x88)
{
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("a"));
    h.Shutdown();
    EXPECT_EQ(h.TakeHex(1), "e0 01 8b"); // DISCONNECT Server shutting down
    h.Open(2);
    h.Feed(2, Bytes5(MakeConnect5("b")));
    EXPECT_EQ(h.TakeHex(2), "20 03 00 88 00");
}

TEST(Broker5Connect, Mqtt5_3_2_2_22_ServerKeepAliveWhenTheProfileChangesIt)
{
    // Server Keep Alive: the profile clamps 120 s to 60 s and says so; 1.5 x 60 s of silence
    // then closes with DISCONNECT 0x8D [MQTT5-3.1.2-22]. [MQTT5-3.2.2-22]: a keep-alive the
    // profile leaves alone is not announced, and the client's is used.
    MqttBrokerProfile p = Plain5();
    p.maxKeepAlive = 60;
    BrokerHarness h(p);
    h.Open(1);
    h.Feed(1, Bytes5(MakeConnect5("k", true, 0, 120)));
    EXPECT_EQ(h.TakeHex(1), "20 06 00 00 03 13 00 3c");
    h.Advance(milliseconds(89999));
    EXPECT_TRUE(h.IsOpen(1));
    h.Advance(milliseconds(1));
    EXPECT_EQ(h.TakeHex(1), "e0 01 8d");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::KeepAliveTimeout);

    h.Open(2);
    h.Feed(2, Bytes5(MakeConnect5("k2", true, 0, 10)));
    EXPECT_EQ(h.TakeHex(2), "20 03 00 00 00");
    h.Advance(milliseconds(14999));
    EXPECT_TRUE(h.IsOpen(2));
    h.Advance(milliseconds(1));
    EXPECT_FALSE(h.IsOpen(2));
}

TEST(Broker5Connect, Mqtt5_3_1_4_3_TakeoverSendsDisconnect0x8E)
{
    // [MQTT5-3.1.4-3]: the connection of the client id gets DISCONNECT 0x8E and is closed;
    // [MQTT5-3.14.2-2]: no Session Expiry Interval in it (the exact bytes);
    // [MQTT5-3.14.4-1] [MQTT5-3.14.4-2]: nothing after it, and the broker closes.
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("c", false, 100));
    Connect5(h, 2, MakeConnect5("c", false, 100));
    EXPECT_EQ(h.TakeHex(1), "e0 01 8e");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::Takeover);
    h.Feed(2, Bytes5(PingreqPacket{}));
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.TakeHex(2), "d0 00");
}

TEST(Broker5Connect, Mqtt5_4_13_1_1_MalformedPacketGetsDisconnect0x81)
{
    // [MQTT5-4.13.1-1]: a malformed packet (PUBLISH with QoS 3) closes with 0x81;
    // [MQTT5-3.1.0-2]: a second CONNECT is a protocol error, 0x82; [MQTT5-4.13.2-1] the
    // connection is closed after either.
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("a"));
    h.FeedHex(1, "36 06 00 01 61 00 01 00");
    EXPECT_EQ(h.TakeHex(1), "e0 01 81");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ProtocolError);

    Connect5(h, 2, MakeConnect5("b"));
    h.Feed(2, Bytes5(MakeConnect5("b")));
    EXPECT_EQ(h.TakeHex(2), "e0 01 82");
    EXPECT_FALSE(h.IsOpen(2));
}

TEST(Broker5Connect, PacketAboveTheMaximumGetsDisconnect0x95)
{
    // The server's side of the client's duty not to exceed it: Maximum Packet Size 64 announced,
    // a larger packet closes with 0x95 Packet too large.
    MqttBrokerProfile p = Plain5();
    p.maxPacketSize = 64;
    BrokerHarness h(p);
    h.Open(1);
    h.Feed(1, Bytes5(MakeConnect5("a")));
    EXPECT_EQ(h.TakeHex(1), "20 08 00 00 05 27 00 00 00 40");
    h.Feed(1, Bytes5(MakePublish("t", std::string(80, 'x'))));
    EXPECT_EQ(h.TakeHex(1), "e0 01 95");
    EXPECT_FALSE(h.IsOpen(1));
}

namespace
{

ConnectPacket
WithWill(ConnectPacket p)
{
    Will w;
    w.topic = "will";
    w.payload = Payload("gone");
    p.will = w;
    return p;
}

} // namespace

TEST(Broker5Connect, Mqtt5_3_14_4_3_NormalDisconnectDropsTheWill)
{
    // [MQTT5-3.14.4-3] [MQTT5-3.1.2-10]: DISCONNECT 0x00: the will is deleted, not published.
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("w"));
    Subscribe5(h, 1, {"will", Qos::AtMostOnce}, 0x00);
    Connect5(h, 2, WithWill(MakeConnect5("x")));
    h.Feed(2, Bytes5(DisconnectPacket{}));
    EXPECT_FALSE(h.IsOpen(2));
    EXPECT_EQ(h.TakeHex(2), ""); // no DISCONNECT back to a client that sent one
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.Count(EventType::WillPublished), 0u);
}

TEST(Broker5Connect, DisconnectWithWillMessagePublishesTheWill)
{
    // DISCONNECT 0x04 (Disconnect with Will Message): the will is published.
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("w"));
    Subscribe5(h, 1, {"will", Qos::AtMostOnce}, 0x00);
    Connect5(h, 2, WithWill(MakeConnect5("x")));
    DisconnectPacket d;
    d.reasonCode = ReasonCode::DisconnectWithWillMessage;
    h.Feed(2, Bytes5(d));
    EXPECT_FALSE(h.IsOpen(2));
    EXPECT_EQ(h.TakeHex(1), HexOf5(MakePublish("will", "gone")));
    EXPECT_EQ(h.Count(EventType::WillPublished), 1u);
}

TEST(Broker5Connect, DisconnectSetsTheSessionExpiryInterval)
{
    // Section 3.14.2.2.2: the DISCONNECT's Session Expiry Interval replaces the CONNECT's;
    // 0 ends the session at once; setting one when CONNECT had 0 is a Protocol Error (0x82).
    BrokerHarness h(Plain5());
    Connect5(h, 1, MakeConnect5("s", false, 100));
    DisconnectPacket d;
    d.properties.AddNumber(PropertyId::SessionExpiryInterval, 0);
    h.Feed(1, Bytes5(d));
    EXPECT_EQ(h.Engine().SessionCount(), 0u);

    Connect5(h, 2, MakeConnect5("s", false, 100));
    DisconnectPacket longer;
    longer.properties.AddNumber(PropertyId::SessionExpiryInterval, 1000);
    h.Feed(2, Bytes5(longer));
    h.Advance(seconds(999));
    EXPECT_EQ(h.Engine().SessionCount(), 1u);
    h.Advance(seconds(1));
    EXPECT_EQ(h.Engine().SessionCount(), 0u);

    Connect5(h, 3, MakeConnect5("z"));
    h.Feed(3, Bytes5(longer));
    EXPECT_EQ(h.TakeHex(3), "e0 01 82");
    EXPECT_EQ(h.ClosedWith(3), CloseReason::ProtocolError);
}

namespace
{

/** aws-iot-core-5 without its random deviations and delays, so bytes can be compared. */
MqttBrokerProfile
QuietAws5()
{
    MqttBrokerProfile p = MqttBrokerProfile::AwsIotCore5();
    p.subscriptionDelay = Nanos(0);
    p.qos0DuplicateProbability = 0;
    p.resendNewPacketIdProbability = 0;
    p.reorderJitter = Nanos(0);
    p.lifecycleTopicPrefix.clear();
    p.minConnectInterval = Nanos(0);
    return p;
}

} // namespace

TEST(Broker5Connect, AwsIotCoreFiveConnackSaysWhatAwsSupports)
{
    // doc/aws-iot-core.md, "MQTT 5": Receive Maximum 100, Maximum QoS 1, Topic Alias Maximum
    // 8, no Subscription Identifiers, shared subscriptions available (not announced), and a
    // Session Expiry Interval lowered to the 1-hour quota.
    BrokerHarness h(QuietAws5());
    h.Open(1);
    h.Feed(1, Bytes5(MakeConnect5("thing", false, 86400, 60)));
    EXPECT_EQ(h.TakeHex(1),
              "20 12 00 00 0f 11 00 00 0e 10 21 00 64 24 01 22 00 08 29 00");
}

TEST(Broker5Connect, AwsIotCoreFiveKeepsMessagesAtMostSevenDays)
{
    // A message without a Message Expiry Interval is kept 7 days at most: forwarded with what
    // is left of 604,800 s; a longer interval is lowered to it.
    BrokerHarness h(QuietAws5());
    Connect5(h, 1, MakeConnect5("pub", true, 0, 60));
    Connect5(h, 2, MakeConnect5("sub", true, 0, 60));
    Subscribe5(h, 2, {"t", Qos::AtMostOnce}, 0x00);
    h.Feed(1, Bytes5(MakePublish("t", "x")));
    PublishPacket longer = MakePublish("t", "y");
    longer.properties.AddNumber(PropertyId::MessageExpiryInterval, 10000000);
    h.Feed(1, Bytes5(longer));
    std::vector<Packet> got = Packets5(h.TakeHex(2));
    ASSERT_EQ(got.size(), 2u);
    for (const Packet& p : got)
    {
        EXPECT_EQ(std::get<PublishPacket>(p).properties.Number(PropertyId::MessageExpiryInterval),
                  604800u);
    }
}

// --- Protocol name and level, a CONNECT that does not conform, one CONNACK, the will ---------

TEST(Broker5Connect, Mqtt5_3_1_2_1_AnotherProtocolNameAtLevelFiveGetsConnack84ThenClose)
{
    // [MQTT5-3.1.2-1]: "MQTX" at level 5 is not MQTT 5.0: CONNACK 0x84 in the 5.0 layout, then
    // the close; nothing after it is read, no session is made. At level 4 the broker answers as
    // a 3.1.1 server does: the close alone.
    BrokerHarness h(Plain5());
    h.Open(1);
    h.FeedHex(1, "10 0f 00 04 4d 51 54 58 05 02 00 00 00 00 02 63 31  c0 00");
    EXPECT_EQ(h.TakeHex(1), "20 03 00 84 00");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ConnectRefused);
    auto refused = h.Events(EventType::ConnectRefused);
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_EQ(refused[0].reasonCode, ReasonCode::UnsupportedProtocolVersion);
    EXPECT_EQ(h.Engine().SessionCount(), 0u);
    h.Open(2);
    h.FeedHex(2, "10 0e 00 04 4d 51 54 58 04 02 00 00 00 02 63 31");
    EXPECT_EQ(h.TakeHex(2), "");
    EXPECT_EQ(h.ClosedWith(2), CloseReason::ProtocolError);
}

TEST(Broker5Connect, Mqtt5_3_1_2_2_ALaterLevelGetsConnack84AnOlderOneConnack01)
{
    // [MQTT5-3.1.2-2]: "MQTT" level 6 is a version this broker does not speak: CONNACK 0x84
    // (5.0 layout), then the close. Level 3 (and MQIsdp) are older clients: they get the CONNACK
    // they can read, 0x01 in the 3.1.1 layout, and the close as well.
    BrokerHarness h(Plain5());
    h.Open(1);
    h.FeedHex(1, "10 0f 00 04 4d 51 54 54 06 02 00 00 00 00 02 63 31");
    EXPECT_EQ(h.TakeHex(1), "20 03 00 84 00");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ConnectRefused);
    h.Open(2);
    h.FeedHex(2, "10 0e 00 04 4d 51 54 54 03 02 00 00 00 02 63 31");
    EXPECT_EQ(h.TakeHex(2), "20 02 00 01");
    EXPECT_EQ(h.ClosedWith(2), CloseReason::ConnectRefused);
    EXPECT_EQ(h.Count(EventType::ConnectRefused), 2u);
    EXPECT_EQ(h.Engine().SessionCount(), 0u);
}

TEST(Broker5Connect, Mqtt5_3_1_4_1_ANonConformingConnectIsClosedUnanswered)
{
    // [MQTT5-3.1.4-1]: a level 5 CONNECT that breaks section 3.1 closes the connection, no
    // CONNACK, no session: Will QoS 1 without the Will Flag [MQTT5-3.1.2-11], and a Session
    // Expiry Interval given twice (section 2.2.2.2).
    struct Case
    {
        const char* hex;
        DecodeError error;
    };
    for (const Case& c :
         {Case{"10 0f 00 04 4d 51 54 54 05 0a 00 00 00 00 02 63 31",
               DecodeError::WillFlagsWithoutWill},
          Case{"10 19 00 04 4d 51 54 54 05 02 00 00 0a 11 00 00 00 0a 11 00 00 00 0a 00 02 63 31",
               DecodeError::DuplicateProperty}})
    {
        BrokerHarness h(Plain5());
        h.Open(1);
        h.FeedHex(1, c.hex);
        EXPECT_EQ(h.TakeHex(1), "") << c.hex;
        EXPECT_EQ(h.ClosedWith(1), CloseReason::ProtocolError) << c.hex;
        auto closed = h.Events(EventType::ConnectionClosed);
        ASSERT_EQ(closed.size(), 1u);
        EXPECT_EQ(closed[0].code, static_cast<uint8_t>(c.error)) << c.hex;
        EXPECT_EQ(h.Engine().SessionCount(), 0u);
    }
}

TEST(Broker5Connect, Mqtt5_3_2_0_2_ASecondConnectGetsNoSecondConnack)
{
    // [MQTT5-3.2.0-2]: one CONNACK per connection; a second CONNECT is a Protocol Error
    // answered with DISCONNECT 0x82 (not a CONNACK), then the close.
    BrokerHarness h(Plain5());
    h.Open(1);
    h.Feed(1, Bytes5(MakeConnect5("c1")));
    EXPECT_EQ(h.TakeHex(1), "20 03 00 00 00");
    h.Feed(1, Bytes5(MakeConnect5("c1")));
    EXPECT_EQ(h.TakeHex(1), "e0 01 82");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ProtocolError);
    EXPECT_EQ(h.Count(EventType::SessionStarted), 1u);
}

namespace
{

ConnectPacket
WithWillOf(Qos qos, bool retain, const std::string& clientId = "w")
{
    ConnectPacket p = MakeConnect5(clientId);
    Will w;
    w.topic = "will";
    w.payload = Payload("gone");
    w.qos = qos;
    w.retain = retain;
    p.will = w;
    return p;
}

} // namespace

TEST(Broker5Connect, Mqtt5_3_2_2_12_WillQosAboveMaximumQosGetsConnack9B)
{
    // [MQTT5-3.2.2-12]: a will of QoS 2 on a broker of Maximum QoS 1 is refused with CONNACK
    // 0x9B and the close: standard-5 with max-qos 1, and aws-iot-core-5 (no QoS 2). A will of
    // QoS 1 is accepted on both.
    MqttBrokerProfile standard = Plain5();
    ASSERT_FALSE(MqttBrokerSettings::Apply(&standard, "max-qos", "1"));
    for (const MqttBrokerProfile& p : {standard, MqttBrokerProfile::AwsIotCore5()})
    {
        BrokerHarness h(p);
        h.Open(1);
        h.Feed(1, Bytes5(WithWillOf(Qos::ExactlyOnce, false)));
        EXPECT_EQ(h.TakeHex(1), "20 03 00 9b 00") << p.name;
        EXPECT_EQ(h.ClosedWith(1), CloseReason::PolicyViolation) << p.name;
        EXPECT_EQ(h.Events(EventType::ConnectRefused).at(0).reasonCode,
                  ReasonCode::QosNotSupported);
        EXPECT_EQ(h.Engine().SessionCount(), 0u);
        ConnackPacket ok = Connect5(h, 2, WithWillOf(Qos::AtLeastOnce, false, "w2"));
        EXPECT_EQ(ok.reasonCode, ReasonCode::Success) << p.name;
        EXPECT_TRUE(h.Engine().IsConnected("w2")) << p.name;
    }
}

TEST(Broker5Connect, Mqtt5_3_2_2_13_WillRetainWithoutRetainGetsConnack9A)
{
    // [MQTT5-3.2.2-13]: Will Retain 1 on a broker without retained messages (Retain Available
    // 0: standard-5 with retain disconnect, and an AWS profile that refuses retain) is refused
    // with CONNACK 0x9A and the close; Will Retain 0 is accepted.
    MqttBrokerProfile standard = Plain5();
    ASSERT_FALSE(MqttBrokerSettings::Apply(&standard, "retain", "disconnect"));
    MqttBrokerProfile aws = MqttBrokerProfile::AwsIotCore5();
    ASSERT_FALSE(MqttBrokerSettings::Apply(&aws, "retain", "disconnect"));
    for (const MqttBrokerProfile& p : {standard, aws})
    {
        BrokerHarness h(p);
        h.Open(1);
        h.Feed(1, Bytes5(WithWillOf(Qos::AtMostOnce, true)));
        EXPECT_EQ(h.TakeHex(1), "20 03 00 9a 00") << p.name;
        EXPECT_EQ(h.ClosedWith(1), CloseReason::PolicyViolation) << p.name;
        EXPECT_EQ(h.Events(EventType::ConnectRefused).at(0).reasonCode,
                  ReasonCode::RetainNotSupported);
        EXPECT_EQ(h.Engine().SessionCount(), 0u);
        ConnackPacket ok = Connect5(h, 2, WithWillOf(Qos::AtMostOnce, false, "w2"));
        EXPECT_EQ(ok.reasonCode, ReasonCode::Success) << p.name;
    }
}
