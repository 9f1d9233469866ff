/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: the CONNECT / CONNACK exchange (sections 3.1, 3.2).
 */
#include "mqtt-broker-test-harness.h"

using namespace brokertest;

namespace
{

/** CONNECT, client id "c1", CleanSession=1, keep-alive 0, written out by hand. */
constexpr const char* CONNECT_C1 = "10 0e 00 04 4d 51 54 54 04 02 00 00 00 02 63 31";

} // namespace

TEST(BrokerConnect, Mqtt_3_1_4_4_ConnectAcceptedWithConnackZero)
{
    // [MQTT-3.1.4-4] [MQTT-3.2.0-1] [MQTT-3.2.2-1]: CONNACK 0, Session Present 0.
    BrokerHarness h;
    h.Open(1);
    EXPECT_EQ(h.Count(EventType::ConnectionOpened), 1u);
    h.FeedHex(1, CONNECT_C1);
    EXPECT_EQ(h.TakeHex(1), "20 02 00 00");
    EXPECT_TRUE(h.IsOpen(1));
    auto started = h.Events(EventType::SessionStarted);
    ASSERT_EQ(started.size(), 1u);
    EXPECT_EQ(started[0].clientId, "c1");
    EXPECT_EQ(started[0].connection, 1u);
    EXPECT_FALSE(started[0].sessionPresent);
    EXPECT_EQ(h.Engine().ConnectionCount(), 1u);
    EXPECT_EQ(h.Engine().SessionCount(), 1u);
    EXPECT_TRUE(h.Engine().IsConnected("c1"));
}

TEST(BrokerConnect, ConnectSplitIntoSingleBytes)
{
    BrokerHarness h;
    h.Open(1);
    for (uint8_t b : FromHex(CONNECT_C1))
    {
        EXPECT_EQ(h.TakeHex(1), "");
        h.Feed(1, {b});
    }
    EXPECT_EQ(h.TakeHex(1), "20 02 00 00");
}

TEST(BrokerConnect, Mqtt_3_2_0_1_ConnackIsFirstEvenWhenPacketsArePipelined)
{
    // [MQTT-3.2.0-1]: a client may send packets before the CONNACK arrives; the broker still
    // answers the CONNECT first. CONNECT + PINGREQ in one segment.
    BrokerHarness h;
    h.Open(1);
    h.FeedHex(1, std::string(CONNECT_C1) + " c0 00");
    EXPECT_EQ(h.TakeHex(1), "20 02 00 00 d0 00");
}

TEST(BrokerConnect, Mqtt_3_1_0_1_FirstPacketOtherThanConnectCloses)
{
    // [MQTT-3.1.0-1] [MQTT-4.8.0-1]: PINGREQ, PUBLISH or SUBSCRIBE before CONNECT close the
    // connection without any answer.
    for (const char* first : {"c0 00", "30 05 00 01 61 68 69", "82 06 00 01 00 01 61 00"})
    {
        BrokerHarness h;
        h.Open(1);
        h.FeedHex(1, first);
        EXPECT_EQ(h.TakeHex(1), "") << first;
        EXPECT_EQ(h.ClosedWith(1), CloseReason::ProtocolError) << first;
        auto closed = h.Events(EventType::ConnectionClosed);
        ASSERT_EQ(closed.size(), 1u);
        EXPECT_EQ(closed[0].closeReason, CloseReason::ProtocolError);
        EXPECT_EQ(closed[0].code, static_cast<uint8_t>(DecodeError::None));
        EXPECT_EQ(h.Engine().ConnectionCount(), 0u);
    }
}

TEST(BrokerConnect, Mqtt_3_1_0_2_SecondConnectIsAViolation)
{
    // [MQTT-3.1.0-2]: a second CONNECT on the connection closes it.
    BrokerHarness h;
    h.Open(1);
    h.FeedHex(1, CONNECT_C1);
    EXPECT_EQ(h.TakeHex(1), "20 02 00 00");
    h.FeedHex(1, CONNECT_C1);
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ProtocolError);
    EXPECT_FALSE(h.Engine().IsConnected("c1"));
    EXPECT_EQ(h.Engine().SessionCount(), 0u); // the clean session ended with it
}

TEST(BrokerConnect, Mqtt_3_1_2_1_WrongProtocolNameClosesWithoutConnack)
{
    // [MQTT-3.1.2-1] [MQTT-3.1.4-1]: "MQTX" is not MQTT; nothing is answered.
    BrokerHarness h;
    h.Open(1);
    h.FeedHex(1, "10 0e 00 04 4d 51 54 58 04 02 00 00 00 02 63 31");
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ProtocolError);
    auto closed = h.Events(EventType::ConnectionClosed);
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(closed[0].code, static_cast<uint8_t>(DecodeError::InvalidProtocolName));
}

TEST(BrokerConnect, Mqtt_3_1_2_2_UnsupportedLevelGetsConnack01ThenClose)
{
    // [MQTT-3.1.2-2] [MQTT-3.2.2-4] [MQTT-3.2.2-5]: level 3 with "MQTT", and the MQTT 3.1
    // "MQIsdp", get CONNACK 0x01 and the connection is closed.
    for (const char* connect : {"10 0e 00 04 4d 51 54 54 03 02 00 00 00 02 63 31",
                                "10 0e 00 04 4d 51 54 54 05 02 00 00 00 02 63 31",
                                "10 10 00 06 4d 51 49 73 64 70 03 02 00 00 00 02 63 31"})
    {
        BrokerHarness h;
        h.Open(1);
        h.FeedHex(1, connect);
        EXPECT_EQ(h.TakeHex(1), "20 02 00 01") << connect;
        EXPECT_EQ(h.ClosedWith(1), CloseReason::ConnectRefused) << connect;
        auto refused = h.Events(EventType::ConnectRefused);
        ASSERT_EQ(refused.size(), 1u);
        EXPECT_EQ(refused[0].code, 1);
        EXPECT_EQ(h.Engine().SessionCount(), 0u);
    }
}

TEST(BrokerConnect, Mqtt_3_1_2_3_ReservedConnectFlagClosesWithoutConnack)
{
    // [MQTT-3.1.2-3] [MQTT-3.1.4-1] [MQTT-3.2.2-6]: flags 0x03 (reserved bit set).
    BrokerHarness h;
    h.Open(1);
    h.FeedHex(1, "10 0e 00 04 4d 51 54 54 04 03 00 00 00 02 63 31");
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ProtocolError);
    EXPECT_EQ(h.Events(EventType::ConnectionClosed).at(0).code,
              static_cast<uint8_t>(DecodeError::ConnectReservedFlagSet));
    EXPECT_EQ(h.Count(EventType::ConnectRefused), 0u);
}

TEST(BrokerConnect, Mqtt_3_1_4_1_MalformedConnectClosesWithoutConnack)
{
    // [MQTT-3.1.4-1] [MQTT-3.2.2-6]: will flags without a will, and a truncated client id.
    for (const char* connect : {"10 0e 00 04 4d 51 54 54 04 22 00 00 00 02 63 31",
                                "10 0e 00 04 4d 51 54 54 04 02 00 00 00 05 63 31"})
    {
        BrokerHarness h;
        h.Open(1);
        h.FeedHex(1, connect);
        EXPECT_EQ(h.TakeHex(1), "") << connect;
        EXPECT_EQ(h.ClosedWith(1), CloseReason::ProtocolError) << connect;
        EXPECT_EQ(h.Engine().SessionCount(), 0u);
    }
}

TEST(BrokerConnect, Mqtt_3_1_3_5_ShortAlphanumericIdsAlwaysAccepted)
{
    // [MQTT-3.1.3-5]: 1 to 23 alphanumerics are accepted even by a profile whose
    // maxClientIdLength is lower.
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxClientIdLength = 4;
    BrokerHarness h(profile);
    EXPECT_FALSE(h.Connect(1, "abcdefghijklmnopqrstuvW"));
    EXPECT_FALSE(h.Connect(2, "0"));
    EXPECT_TRUE(h.IsOpen(1));
    EXPECT_TRUE(h.IsOpen(2));
    // 24 alphanumerics or 5 non-alphanumeric bytes exceed this profile: 0x02 [MQTT-3.1.3-9].
    for (const char* id : {"abcdefghijklmnopqrstuvWX", "a-b-c"})
    {
        h.Open(3);
        h.Send(3, MakeConnect(id));
        EXPECT_EQ(h.TakeHex(3), "20 02 00 02") << id;
        EXPECT_EQ(h.ClosedWith(3), CloseReason::ConnectRefused) << id;
    }
}

TEST(BrokerConnect, LongerIdsAcceptedUpToTheProfileLimit)
{
    BrokerHarness h;
    std::string id(65535, 'x'); // 3.1.1 lets a server accept more than 23 bytes
    EXPECT_FALSE(h.Connect(1, id));
    EXPECT_TRUE(h.Engine().IsConnected(id));
}

TEST(BrokerConnect, Mqtt_3_1_3_6_ZeroLengthIdGetsAUniqueAssignedId)
{
    // [MQTT-3.1.3-6]: the broker assigns a unique id and processes the CONNECT as if the
    // client had sent it. An id a client took itself is skipped.
    BrokerHarness h;
    EXPECT_FALSE(h.Connect(1, "auto-2"));
    h.Open(2);
    h.FeedHex(2, "10 0c 00 04 4d 51 54 54 04 02 00 00 00 00");
    EXPECT_EQ(h.TakeHex(2), "20 02 00 00");
    h.Open(3);
    h.FeedHex(3, "10 0c 00 04 4d 51 54 54 04 02 00 00 00 00");
    EXPECT_EQ(h.TakeHex(3), "20 02 00 00");
    auto started = h.Events(EventType::SessionStarted);
    ASSERT_EQ(started.size(), 3u);
    EXPECT_EQ(started[1].clientId, "auto-1");
    EXPECT_EQ(started[2].clientId, "auto-3");
    EXPECT_TRUE(h.Engine().IsConnected("auto-1"));
    EXPECT_TRUE(h.Engine().IsConnected("auto-3"));
    EXPECT_EQ(h.Engine().SessionCount(), 3u);
}

TEST(BrokerConnect, Mqtt_3_1_3_8_ZeroLengthIdWithoutCleanSessionRejected)
{
    // [MQTT-3.1.3-8] [MQTT-3.2.2-4] [MQTT-3.2.2-5]: CONNACK 0x02, Session Present 0, close.
    BrokerHarness h;
    h.Open(1);
    h.FeedHex(1, "10 0c 00 04 4d 51 54 54 04 00 00 00 00 00");
    EXPECT_EQ(h.TakeHex(1), "20 02 00 02");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ConnectRefused);
    EXPECT_EQ(h.Engine().SessionCount(), 0u);
}

TEST(BrokerConnect, Mqtt_3_1_3_9_ProfileWithoutAssignmentRejectsZeroLengthId)
{
    // [MQTT-3.1.3-9]: a rejected client id gets CONNACK 0x02 and the connection closes.
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.assignClientIds = false;
    BrokerHarness h(profile);
    h.Open(1);
    h.FeedHex(1, "10 0c 00 04 4d 51 54 54 04 02 00 00 00 00");
    EXPECT_EQ(h.TakeHex(1), "20 02 00 02");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ConnectRefused);
}

TEST(BrokerConnect, Mqtt_3_1_4_5_NothingAfterARejectedConnectIsProcessed)
{
    // [MQTT-3.1.4-5]: the client pipelines a PUBLISH (retained) and a SUBSCRIBE after a
    // CONNECT that is rejected; neither takes effect, in the same segment or a later one.
    BrokerHarness h;
    h.Connect(2, "watcher");
    h.Subscribe(2, "t", Qos::AtMostOnce);
    h.Open(1);
    std::vector<uint8_t> bytes = FromHex("10 0c 00 04 4d 51 54 54 04 00 00 00 00 00");
    std::vector<uint8_t> publish = Bytes(MakePublish("t", "x", Qos::AtMostOnce, 0, true));
    bytes.insert(bytes.end(), publish.begin(), publish.end());
    h.Feed(1, bytes);
    EXPECT_EQ(h.TakeHex(1), "20 02 00 02");
    h.Feed(1, publish);
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.TakeHex(2), "");
    EXPECT_EQ(h.Engine().RetainedCount(), 0u);
    EXPECT_EQ(h.Count(EventType::PublishReceived), 0u);
}

TEST(BrokerConnect, Mqtt_3_2_2_2_SessionPresentFollowsStoredSession)
{
    // [MQTT-3.2.2-3]: CleanSession=0 without a stored session: Session Present 0.
    // [MQTT-3.2.2-2]: CleanSession=0 with one: Session Present 1.
    // [MQTT-3.2.2-1]: CleanSession=1: Session Present 0 (and the stored one is gone).
    BrokerHarness h;
    h.Open(1);
    h.Send(1, MakeConnect("p", false));
    EXPECT_EQ(h.TakeHex(1), "20 02 00 00");
    h.NetClose(1);
    h.Open(2);
    h.Send(2, MakeConnect("p", false));
    EXPECT_EQ(h.TakeHex(2), "20 02 01 00");
    h.NetClose(2);
    h.Open(3);
    h.Send(3, MakeConnect("p", true));
    EXPECT_EQ(h.TakeHex(3), "20 02 00 00");
    auto started = h.Events(EventType::SessionStarted);
    ASSERT_EQ(started.size(), 3u);
    EXPECT_FALSE(started[0].sessionPresent);
    EXPECT_TRUE(started[1].sessionPresent);
    EXPECT_FALSE(started[2].sessionPresent);
}

TEST(BrokerConnect, Mqtt_3_2_2_5_CloseComesAfterTheRefusingConnack)
{
    // [MQTT-3.2.2-5]: the CloseAction follows the SendAction carrying CONNACK 0x02.
    BrokerHarness h;
    h.Open(1);
    h.FeedHex(1, "10 0c 00 04 4d 51 54 54 04 00 00 00 00 00");
    const MqttActions& log = h.Log();
    int sendAt = -1;
    int closeAt = -1;
    for (std::size_t i = 0; i < log.size(); ++i)
    {
        if (std::holds_alternative<SendAction>(log[i]))
        {
            sendAt = static_cast<int>(i);
        }
        if (std::holds_alternative<CloseAction>(log[i]))
        {
            closeAt = static_cast<int>(i);
        }
    }
    ASSERT_GE(sendAt, 0);
    EXPECT_GT(closeAt, sendAt);
    EXPECT_EQ(Hex(std::get<SendAction>(log[sendAt]).bytes), "20 02 00 02");
}

TEST(BrokerConnect, ConnectTimeoutClosesASilentConnection)
{
    BrokerHarness h; // connectTimeout 30 s
    h.Open(1);
    ASSERT_EQ(h.Timers().size(), 1u);
    EXPECT_EQ(h.Timers().begin()->second, seconds(30));
    h.Advance(seconds(29));
    EXPECT_TRUE(h.IsOpen(1));
    h.Advance(seconds(1));
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ConnectTimeout);
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.Engine().ConnectionCount(), 0u);
    EXPECT_EQ(h.Engine().ActiveTimerCount(), 0u);
}

TEST(BrokerConnect, ConnectTimeoutStopsOnceConnected)
{
    BrokerHarness h;
    h.Open(1);
    h.Advance(seconds(10));
    h.FeedHex(1, CONNECT_C1); // keep-alive 0: no timer at all afterwards
    EXPECT_EQ(h.TakeHex(1), "20 02 00 00");
    EXPECT_TRUE(h.Timers().empty());
    EXPECT_EQ(h.Engine().ActiveTimerCount(), 0u);
    h.Advance(seconds(100));
    EXPECT_TRUE(h.IsOpen(1));
}

TEST(BrokerConnect, PartialConnectDoesNotStopTheTimeout)
{
    BrokerHarness h;
    h.Open(1);
    h.FeedHex(1, "10 0e 00 04 4d 51");
    h.Advance(seconds(30));
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ConnectTimeout);
}

TEST(BrokerConnect, NoConnectTimeoutWhenTheProfileHasNone)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.connectTimeout = Nanos(0);
    BrokerHarness h(profile);
    h.Open(1);
    EXPECT_TRUE(h.Timers().empty());
}

TEST(BrokerConnect, ServerUnavailableBeyondMaxConnectedClients)
{
    // CONNACK 0x03 when the profile's client limit is reached; a takeover needs no new slot.
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxConnectedClients = 2;
    BrokerHarness h(profile);
    h.Connect(1, "a");
    h.Connect(2, "b");
    h.Open(3);
    h.Send(3, MakeConnect("c"));
    EXPECT_EQ(h.TakeHex(3), "20 02 00 03");
    // The limit is the account's concurrent connections (doc/aws-iot-core.md).
    EXPECT_EQ(h.ClosedWith(3), CloseReason::ThrottledAccountConnections);
    EXPECT_EQ(h.Events(EventType::ConnectRefused).at(0).code, 3);
    h.Connect(4, "b"); // takes over b
    EXPECT_EQ(h.ClosedWith(2), CloseReason::Takeover);
    h.NetClose(1);
    h.Connect(5, "c");
    EXPECT_TRUE(h.Engine().IsConnected("c"));
}

TEST(BrokerConnect, ShutdownClosesEveryConnectionAndRefusesNewOnes)
{
    BrokerHarness h;
    h.Connect(1, "a", false);
    h.Connect(2, "b");
    h.Open(3);
    h.Shutdown();
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ServerShutdown);
    EXPECT_EQ(h.ClosedWith(2), CloseReason::ServerShutdown);
    EXPECT_EQ(h.ClosedWith(3), CloseReason::ServerShutdown);
    EXPECT_EQ(h.Engine().SessionCount(), 1u); // a's persistent session is kept
    h.Open(4);
    h.Send(4, MakeConnect("a", false));
    EXPECT_EQ(h.TakeHex(4), "20 02 00 03");
}

TEST(BrokerConnect, EventsOfAConnectionLife)
{
    BrokerHarness h;
    h.Connect(7, "life");
    h.Send(7, DisconnectPacket{});
    EXPECT_EQ(h.ClosedWith(7), CloseReason::ClientDisconnect);
    std::vector<EventType> types;
    for (const MqttEvent& e : h.TakeEvents())
    {
        types.push_back(e.type);
        EXPECT_EQ(e.connection, 7u);
    }
    EXPECT_EQ(types,
              (std::vector<EventType>{EventType::ConnectionOpened,
                                      EventType::SessionStarted,
                                      EventType::ConnectionClosed}));
}

TEST(BrokerConnect, BytesForUnknownConnectionsAreIgnored)
{
    BrokerHarness h;
    MqttActions out;
    std::vector<uint8_t> bytes = FromHex(CONNECT_C1);
    h.Engine().OnBytes(99, bytes.data(), bytes.size(), Nanos(0), out);
    h.Engine().OnConnectionClosed(99, Nanos(0), out);
    EXPECT_TRUE(out.empty());
}

TEST(BrokerProfile, StandardIsKnownByName)
{
    EXPECT_EQ(MqttBrokerProfile::Names(),
              (std::vector<std::string>{
                  "standard", "standard-5", "aws-iot-core", "aws-iot-core-2021", "aws-iot-core-5"}));
    for (const std::string& name : MqttBrokerProfile::Names())
    {
        ASSERT_TRUE(MqttBrokerProfile::ByName(name).has_value()) << name;
        EXPECT_EQ(MqttBrokerProfile::ByName(name)->name, name);
    }
    auto p = MqttBrokerProfile::ByName("standard");
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->name, "standard");
    EXPECT_EQ(p->maxQos, Qos::ExactlyOnce);
    EXPECT_EQ(p->keepAliveFactor, 1.5);
    EXPECT_EQ(p->takeoverWill, TakeoverWillPolicy::Publish);
    EXPECT_FALSE(MqttBrokerProfile::ByName("nonsense").has_value());
}

TEST(BrokerEventNames, EveryValueHasAName)
{
    EXPECT_STREQ(CloseReasonName(CloseReason::ClientDisconnect), "ClientDisconnect");
    EXPECT_STREQ(CloseReasonName(CloseReason::Throttled), "Throttled");
    EXPECT_STREQ(DropReasonName(DropReason::None), "None");
    EXPECT_STREQ(DropReasonName(DropReason::SessionDiscarded), "SessionDiscarded");
    EXPECT_STREQ(EventTypeName(EventType::ConnectionOpened), "ConnectionOpened");
    EXPECT_STREQ(EventTypeName(EventType::AckTimeout), "AckTimeout");
    EXPECT_STREQ(CloseReasonName(CloseReason::AckTimeout), "AckTimeout");
    EXPECT_STREQ(DropReasonName(DropReason::RetainedStoreFull), "RetainedStoreFull");
    EXPECT_STREQ(EventTypeName(EventType::LifecyclePublished), "LifecyclePublished");
    for (int i = 0; i <= static_cast<int>(CloseReason::AckTimeout); ++i)
    {
        EXPECT_STRNE(CloseReasonName(static_cast<CloseReason>(i)), "Unknown");
    }
    for (int i = 0; i <= static_cast<int>(DropReason::RetainedStoreFull); ++i)
    {
        EXPECT_STRNE(DropReasonName(static_cast<DropReason>(i)), "Unknown");
    }
    for (int i = 0; i <= static_cast<int>(EventType::LifecyclePublished); ++i)
    {
        EXPECT_STRNE(EventTypeName(static_cast<EventType>(i)), "Unknown");
    }
}
