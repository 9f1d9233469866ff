/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine, MQTT 5.0: shared subscriptions $share/NAME/FILTER (section 4.8.2): the
 * distribution policy, each member's QoS and options, what a departing member's deliveries
 * become, retained messages and No Local.
 */
#include "mqtt-broker5-test-util.h"

#include <algorithm>

using namespace brokertest;

namespace
{

MqttBrokerProfile
Shared5(SharedSubscriptionPolicy policy = SharedSubscriptionPolicy::RoundRobin)
{
    MqttBrokerProfile p = Plain5();
    p.sharedSubscriptionPolicy = policy;
    return p;
}

TopicRequest
Req(const std::string& filter, Qos qos, bool noLocal = false, bool rap = false)
{
    TopicRequest r{filter, qos};
    r.noLocal = noLocal;
    r.retainAsPublished = rap;
    return r;
}

std::string
Pub0(const std::string& topic, const std::string& payload)
{
    return HexOf5(MakePublish(topic, payload));
}

/** "pub" on connection 1; @p a on 2 and @p b on 3, members of $share/g/t at @p qos. */
void
PubAndMembers(BrokerHarness& h, const ConnectPacket& a, const ConnectPacket& b, Qos qos)
{
    Connect5(h, 1, MakeConnect5("pub"));
    JoinShared5(h, 2, a, qos);
    JoinShared5(h, 3, b, qos);
}

} // namespace

TEST(Broker5Shared, Mqtt5_4_8_2_1_EachMessageGoesToOneMemberInTurn)
{
    // [MQTT5-4.8.2-1] [MQTT5-4.8.2-2]: "$share/g/t" is group g on filter t; each message goes
    // to one member, round robin in join order (the profile's default policy); a non-shared
    // subscriber to t gets every message.
    BrokerHarness h(Shared5());
    Connect5(h, 1, MakeConnect5("pub"));
    for (ConnectionId c : {2, 3, 4})
    {
        Connect5(h, c, MakeConnect5("m" + std::to_string(c)));
        Subscribe5(h, c, Req("$share/g/t", Qos::AtMostOnce), 0x00);
    }
    Connect5(h, 5, MakeConnect5("all"));
    Subscribe5(h, 5, Req("t", Qos::AtMostOnce), 0x00);
    for (const char* payload : {"1", "2", "3", "4"})
    {
        h.Feed(1, Bytes5(MakePublish("t", payload)));
    }
    EXPECT_EQ(h.TakeHex(2), Pub0("t", "1") + " " + Pub0("t", "4"));
    EXPECT_EQ(h.TakeHex(3), Pub0("t", "2"));
    EXPECT_EQ(h.TakeHex(4), Pub0("t", "3"));
    EXPECT_EQ(h.TakeHex(5),
              Pub0("t", "1") + " " + Pub0("t", "2") + " " + Pub0("t", "3") + " " + Pub0("t", "4"));
    EXPECT_EQ(h.TakeHex(1), "");
}

TEST(Broker5Shared, EveryGroupGetsItsOwnCopyAndWildcardsWork)
{
    // Two groups on overlapping filters each get one copy; a member of both gets both.
    BrokerHarness h(Shared5());
    Connect5(h, 1, MakeConnect5("pub"));
    Connect5(h, 2, MakeConnect5("a"));
    Subscribe5(h, 2, Req("$share/x/s/+", Qos::AtMostOnce), 0x00);
    Subscribe5(h, 2, Req("$share/y/s/#", Qos::AtMostOnce), 0x00, 2);
    h.Feed(1, Bytes5(MakePublish("s/1", "v")));
    EXPECT_EQ(h.TakeHex(2), Pub0("s/1", "v") + " " + Pub0("s/1", "v"));
    h.Feed(1, Bytes5(MakePublish("s/1/deep", "w")));
    EXPECT_EQ(h.TakeHex(2), Pub0("s/1/deep", "w"));
}

TEST(Broker5Shared, Mqtt5_4_8_2_3_EachMemberGetsItsOwnGrantedQos)
{
    // [MQTT5-4.8.2-3]: member m2 was granted QoS 0, m3 QoS 1: a QoS 1 message reaches m2 at
    // QoS 0 and m3 at QoS 1.
    BrokerHarness h(Shared5());
    Connect5(h, 1, MakeConnect5("pub"));
    JoinShared5(h, 2, MakeConnect5("m2"), Qos::AtMostOnce);
    JoinShared5(h, 3, MakeConnect5("m3"), Qos::AtLeastOnce);
    h.Feed(1, Bytes5(MakePublish("t", "a", Qos::AtLeastOnce, 1)));
    h.Feed(1, Bytes5(MakePublish("t", "b", Qos::AtLeastOnce, 2)));
    EXPECT_EQ(h.TakeHex(1), "40 02 00 01 40 02 00 02");
    EXPECT_EQ(h.TakeHex(2), Pub0("t", "a"));
    EXPECT_EQ(h.TakeHex(3), HexOf5(MakePublish("t", "b", Qos::AtLeastOnce, 1)));
}

TEST(Broker5Shared, Mqtt5_3_8_3_4_NoLocalOnASharedSubscriptionIsAProtocolError)
{
    // [MQTT5-3.8.3-4]: DISCONNECT 0x82 (Protocol Error), and the connection is closed.
    BrokerHarness h(Shared5());
    Connect5(h, 1, MakeConnect5("c"));
    h.Feed(1, Bytes5(MakeSubscribe(1, {Req("$share/g/t", Qos::AtMostOnce, true)})));
    EXPECT_EQ(h.TakeHex(1), "e0 01 82");
    EXPECT_FALSE(h.IsOpen(1));
}

TEST(Broker5Shared, NoRetainedMessageIsSentOnASharedSubscribe)
{
    // Section 4.8.2: retained messages are not sent to a shared subscription when it is made;
    // new retained PUBLISHes still reach one member (RETAIN 0 without Retain As Published).
    BrokerHarness h(Shared5());
    Connect5(h, 1, MakeConnect5("pub"));
    h.Feed(1, Bytes5(MakePublish("t", "kept", Qos::AtMostOnce, 0, true)));
    Connect5(h, 2, MakeConnect5("m"));
    h.Feed(2, Bytes5(MakeSubscribe(1, {Req("$share/g/t", Qos::AtMostOnce)})));
    EXPECT_EQ(h.TakeHex(2), "90 04 00 01 00 00");
    h.Feed(1, Bytes5(MakePublish("t", "new", Qos::AtMostOnce, 0, true)));
    EXPECT_EQ(h.TakeHex(2), Pub0("t", "new"));
    Subscribe5(h, 2, Req("$share/r/t", Qos::AtMostOnce, false, true), 0x00, 2);
    h.Feed(1, Bytes5(MakePublish("t", "rap", Qos::AtMostOnce, 0, true)));
    EXPECT_EQ(h.TakeHex(2),
              Pub0("t", "rap") + " " + HexOf5(MakePublish("t", "rap", Qos::AtMostOnce, 0, true)));
}

TEST(Broker5Shared, ConnectedMembersFirstThenTheOfflineOnesQueue)
{
    // A member that is offline (persistent session) gets nothing while another is connected;
    // with every member offline, the messages queue for them in turn.
    BrokerHarness h(Shared5());
    PubAndMembers(h, Persistent5("a"), Persistent5("b"), Qos::AtLeastOnce);
    h.NetClose(2);
    h.Feed(1, Bytes5(MakePublish("t", "1", Qos::AtLeastOnce, 1)));
    h.Feed(1, Bytes5(MakePublish("t", "2", Qos::AtLeastOnce, 2)));
    EXPECT_EQ(h.TakeHex(3),
              HexOf5(MakePublish("t", "1", Qos::AtLeastOnce, 1)) + " " +
                  HexOf5(MakePublish("t", "2", Qos::AtLeastOnce, 2)));
    h.Feed(3, Bytes5(PubackPacket{1}));
    h.Feed(3, Bytes5(PubackPacket{2}));
    h.NetClose(3);
    for (const char* payload : {"3", "4", "5"})
    {
        h.Feed(1, Bytes5(MakePublish("t", payload, Qos::AtLeastOnce, 3)));
    }
    // Round robin over the offline members, from the start of the list: a gets 3 and 5, b 4.
    std::vector<Packet> a = ConnectAll5(h, 2, Persistent5("a"));
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(std::get<PublishPacket>(a[1]).payload, Payload("3"));
    EXPECT_EQ(std::get<PublishPacket>(a[2]).payload, Payload("5"));
    std::vector<Packet> b = ConnectAll5(h, 3, Persistent5("b"));
    ASSERT_EQ(b.size(), 2u);
    EXPECT_EQ(std::get<PublishPacket>(b[1]).payload, Payload("4"));
}

TEST(Broker5Shared, Mqtt5_4_8_2_4_AnInterruptedQos2DeliveryIsCompletedToTheSameMember)
{
    // [MQTT5-4.8.2-4]: member a loses its connection before PUBREC; the message is not sent to
    // b, and a gets it again (DUP 1, same identifier) when it comes back.
    BrokerHarness h(Shared5());
    PubAndMembers(h, Persistent5("a"), MakeConnect5("b"), Qos::ExactlyOnce);
    h.Feed(1, Bytes5(MakePublish("t", "q2", Qos::ExactlyOnce, 1)));
    EXPECT_EQ(h.TakeHex(2), HexOf5(MakePublish("t", "q2", Qos::ExactlyOnce, 1)));
    h.NetClose(2);
    EXPECT_EQ(h.TakeHex(3), "");
    h.Open(2);
    h.Feed(2, Bytes5(Persistent5("a")));
    EXPECT_EQ(h.TakeHex(2),
              "20 03 01 00 00 " +
                  HexOf5(MakePublish("t", "q2", Qos::ExactlyOnce, 1, false, true)));
    EXPECT_EQ(h.TakeHex(3), "");
}

TEST(Broker5Shared, Mqtt5_4_8_2_5_WhenTheMemberSessionEndsQos2IsNotResentElsewhere)
{
    // [MQTT5-4.8.2-5]: a's session expires with a QoS 2 delivery in flight: it goes to no other
    // member. Its QoS 1 delivery in flight and its queued one go to b (the specification's
    // SHOULD for QoS 1); b was not a member when they were published.
    BrokerHarness h(Shared5());
    Connect5(h, 1, MakeConnect5("pub"));
    JoinShared5(h, 2, Persistent5("a", 10, 2), Qos::ExactlyOnce);
    h.Feed(1, Bytes5(MakePublish("t", "two", Qos::ExactlyOnce, 1)));
    h.Feed(1, Bytes5(MakePublish("t", "one", Qos::AtLeastOnce, 2)));
    h.Feed(1, Bytes5(MakePublish("t", "queued", Qos::AtLeastOnce, 3)));
    EXPECT_EQ(h.TakeHex(2),
              HexOf5(MakePublish("t", "two", Qos::ExactlyOnce, 1)) + " " +
                  HexOf5(MakePublish("t", "one", Qos::AtLeastOnce, 2)));
    JoinShared5(h, 3, MakeConnect5("b"), Qos::ExactlyOnce);
    h.NetClose(2);
    // Offline, a keeps what is in flight [MQTT5-4.8.2-4]; its queued message moves to b.
    EXPECT_EQ(h.TakeHex(3), HexOf5(MakePublish("t", "queued", Qos::AtLeastOnce, 1)));
    h.Advance(std::chrono::seconds(10));
    EXPECT_EQ(h.TakeHex(3), HexOf5(MakePublish("t", "one", Qos::AtLeastOnce, 2)));
    EXPECT_EQ(h.Engine().SessionCount(), 2u); // a's ended
}

TEST(Broker5Shared, Mqtt5_4_8_2_6_ARefusedMessageIsNotSentToAnotherMember)
{
    // [MQTT5-4.8.2-6]: a answers PUBACK 0x80: the message is discarded, b does not get it; the
    // next message goes to b in turn.
    BrokerHarness h(Shared5());
    PubAndMembers(h, MakeConnect5("a"), MakeConnect5("b"), Qos::AtLeastOnce);
    h.Feed(1, Bytes5(MakePublish("t", "x", Qos::AtLeastOnce, 1)));
    EXPECT_EQ(h.TakeHex(2), HexOf5(MakePublish("t", "x", Qos::AtLeastOnce, 1)));
    h.Feed(2, Bytes5(PubackPacket{1, ReasonCode::UnspecifiedError}));
    EXPECT_EQ(h.TakeHex(3), "");
    EXPECT_EQ(h.TakeHex(2), "");
    h.Feed(1, Bytes5(MakePublish("t", "y", Qos::AtLeastOnce, 2)));
    EXPECT_EQ(h.TakeHex(3), HexOf5(MakePublish("t", "y", Qos::AtLeastOnce, 1)));
}

TEST(Broker5Shared, AMemberThatUnsubscribesLeavesTheGroupAndKeepsWhatItHad)
{
    // UNSUBSCRIBE of the shared filter: 0x00; what it has in flight completes to it
    // [MQTT-3.10.4-3]; later messages go to the others only.
    BrokerHarness h(Shared5());
    PubAndMembers(h, MakeConnect5("a"), MakeConnect5("b"), Qos::AtLeastOnce);
    h.Feed(1, Bytes5(MakePublish("t", "1", Qos::AtLeastOnce, 1)));
    EXPECT_EQ(h.TakeHex(2), HexOf5(MakePublish("t", "1", Qos::AtLeastOnce, 1)));
    UnsubscribePacket u;
    u.packetId = 5;
    u.filters = {"$share/g/t"};
    h.Feed(2, Bytes5(u));
    EXPECT_EQ(h.TakeHex(2), "b0 04 00 05 00 00");
    h.Feed(1, Bytes5(MakePublish("t", "2", Qos::AtLeastOnce, 2)));
    h.Feed(1, Bytes5(MakePublish("t", "3", Qos::AtLeastOnce, 3)));
    EXPECT_EQ(h.TakeHex(3),
              HexOf5(MakePublish("t", "2", Qos::AtLeastOnce, 1)) + " " +
                  HexOf5(MakePublish("t", "3", Qos::AtLeastOnce, 2)));
    h.Feed(2, Bytes5(PubackPacket{1}));
    EXPECT_EQ(h.Count(EventType::MessageDelivered), 1u);
    EXPECT_EQ(h.TakeHex(2), "");
}

TEST(Broker5Shared, SharedAndNonSharedSubscriptionsEachDeliverACopy)
{
    // One session holding "t" and "$share/g/t" gets two copies, each with the identifier of
    // its own subscription only.
    BrokerHarness h(Shared5());
    Connect5(h, 1, MakeConnect5("pub"));
    Connect5(h, 2, MakeConnect5("s"));
    Properties seven;
    seven.AddNumber(PropertyId::SubscriptionIdentifier, 7);
    Properties nine;
    nine.AddNumber(PropertyId::SubscriptionIdentifier, 9);
    Subscribe5(h, 2, Req("t", Qos::AtMostOnce), 0x00, 1, seven);
    Subscribe5(h, 2, Req("$share/g/t", Qos::AtMostOnce), 0x00, 2, nine);
    h.Feed(1, Bytes5(MakePublish("t", "x")));
    PublishPacket viaPlain = MakePublish("t", "x");
    viaPlain.properties.AddNumber(PropertyId::SubscriptionIdentifier, 7);
    PublishPacket viaShared = MakePublish("t", "x");
    viaShared.properties.AddNumber(PropertyId::SubscriptionIdentifier, 9);
    EXPECT_EQ(h.TakeHex(2), HexOf5(viaPlain) + " " + HexOf5(viaShared));
}

TEST(Broker5Shared, A311ClientMayJoinAGroup)
{
    // Like mosquitto and AWS IoT Core, a 3.1.1 client's "$share/g/t" joins group g on a
    // profile with shared subscriptions; a malformed one ("$share/g") gets 0x80.
    BrokerHarness h(Shared5());
    Connect5(h, 1, MakeConnect5("pub"));
    h.Connect(2, "old");
    h.Subscribe(2, "$share/g/t", Qos::AtMostOnce);
    h.TakeHex(2);
    JoinShared5(h, 3, MakeConnect5("new"), Qos::AtMostOnce);
    h.Feed(1, Bytes5(MakePublish("t", "1")));
    h.Feed(1, Bytes5(MakePublish("t", "2")));
    EXPECT_EQ(h.TakeHex(2), Hex(Bytes(MakePublish("t", "1"))));
    EXPECT_EQ(h.TakeHex(3), Pub0("t", "2"));
    h.Feed(2, Bytes(MakeSubscribe(4, {{"$share/g", Qos::AtMostOnce}})));
    EXPECT_EQ(h.TakeHex(2), "90 03 00 04 80");
}

TEST(Broker5Shared, RandomPolicyIsSeededAndSpreadsTheMessages)
{
    // The random policy draws one member per message from the engine's seeded generator: the
    // same seed gives the same sequence, and both members get messages.
    auto run = [](uint64_t seed) {
        BrokerHarness h(Shared5(SharedSubscriptionPolicy::Random), seed);
        PubAndMembers(h, MakeConnect5("a"), MakeConnect5("b"), Qos::AtMostOnce);
        std::string order;
        for (int i = 0; i < 100; ++i)
        {
            h.Feed(1, Bytes5(MakePublish("t", "m")));
            order += h.TakeHex(2).empty() ? "b" : "a";
            h.TakeHex(3);
        }
        return order;
    };
    const std::string first = run(7);
    EXPECT_EQ(first, run(7));
    const auto a = std::count(first.begin(), first.end(), 'a');
    EXPECT_GT(a, 25);
    EXPECT_LT(a, 75);
}

TEST(Broker5Shared, AwsIotCoreFiveSharesAtRandom)
{
    // doc/aws-iot-core.md: AWS IoT Core supports shared subscriptions and distributes at random.
    const MqttBrokerProfile p = MqttBrokerProfile::AwsIotCore5();
    EXPECT_TRUE(p.sharedSubscriptions);
    EXPECT_EQ(p.sharedSubscriptionPolicy, SharedSubscriptionPolicy::Random);
    EXPECT_TRUE(MqttBrokerProfile::Standard5().sharedSubscriptions);
    EXPECT_EQ(MqttBrokerProfile::Standard5().sharedSubscriptionPolicy,
              SharedSubscriptionPolicy::RoundRobin);
}
