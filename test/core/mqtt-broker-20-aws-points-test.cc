/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The AWS IoT Core profile: each of the eight differences from MQTT 3.1.1 that the AWS IoT Core
 * documentation lists ("AWS doc point N", doc/aws-iot-core.md), through the broker engine.
 */
#include "mqtt-broker-aws-test-util.h"

#include <algorithm>
#include <set>

using namespace brokertest;

namespace
{

ConnectPacket
WithWill(const std::string& clientId, Qos qos, bool retain = false, bool clean = true)
{
    ConnectPacket p = MakeConnect(clientId, clean);
    p.will = Will{"w", Payload("gone"), qos, retain};
    return p;
}

} // namespace

// --- Point 1: QoS 0 and 1 only ---------------------------------------------------------------

TEST(BrokerAwsPoints, Point1_Qos2PublishIsNeitherAcknowledgedNorForwarded)
{
    // AWS doc point 1: a QoS 2 PUBLISH gets no PUBREC (no PUBACK either); the message is not
    // forwarded; the connection stays and later QoS 1 traffic works.
    BrokerHarness h(QuietAws());
    h.Connect(1, "sub");
    h.Subscribe(1, "t", Qos::AtLeastOnce);
    h.Connect(2, "pub");
    h.TakeEvents();
    h.Send(2, MakePublish("t", "a", Qos::ExactlyOnce, 7));
    EXPECT_EQ(h.TakeHex(2), "");
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_TRUE(h.IsOpen(2));
    EXPECT_EQ(h.Engine().PendingPubrelCount("pub"), 0u);
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::QosNotSupported);
    EXPECT_EQ(dropped[0].clientId, "pub");
    EXPECT_EQ(dropped[0].peerId, "");
    EXPECT_EQ(dropped[0].qos, Qos::ExactlyOnce);
    h.Send(2, MakePublish("t", "b", Qos::AtLeastOnce, 8));
    EXPECT_EQ(h.TakeHex(2), "40 02 00 08");
    EXPECT_EQ(h.TakeHex(1), "32 06 00 01 74 00 01 62");
}

TEST(BrokerAwsPoints, Point1_Qos2SubscribeGetsNoSubackAndNoneOfItsFilters)
{
    // AWS doc point 1: a SUBSCRIBE asking for QoS 2 gets no SUBACK. Chosen: the whole SUBSCRIBE
    // is unanswered and none of its filters is made, even those asking for QoS 0 or 1.
    BrokerHarness h(QuietAws());
    h.Connect(1, "sub");
    h.Send(1, MakeSubscribe(1, {{"t", Qos::ExactlyOnce}}));
    EXPECT_EQ(h.TakeHex(1), "");
    h.Send(1, MakeSubscribe(2, {{"a", Qos::AtLeastOnce}, {"b", Qos::ExactlyOnce}}));
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.Engine().SubscriptionCount("sub"), 0u);
    EXPECT_EQ(h.Count(EventType::SubscriptionDenied), 3u);
    h.Connect(2, "pub");
    h.Send(2, MakePublish("a", "x", Qos::AtLeastOnce, 1));
    EXPECT_EQ(h.TakeHex(2), "40 02 00 01");
    EXPECT_EQ(h.TakeHex(1), "");
    // QoS 0 and 1 subscriptions are granted as asked.
    h.Send(1, MakeSubscribe(3, {{"a", Qos::AtLeastOnce}, {"b", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(1), "90 04 00 03 01 00");
}

TEST(BrokerAwsPoints, Point1_Qos2WillIsNotPublished)
{
    // AWS doc point 1: a will asking for QoS 2 is a QoS 2 publish: the CONNECT is accepted, the
    // will is dropped (QosNotSupported) when the connection dies.
    BrokerHarness h(QuietAws());
    h.Connect(1, "watcher");
    h.Subscribe(1, "w", Qos::AtLeastOnce);
    h.Connect(2, WithWill("dev", Qos::ExactlyOnce));
    h.TakeEvents();
    h.NetClose(2);
    EXPECT_EQ(h.TakeHex(1), "");
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::QosNotSupported);
    EXPECT_EQ(dropped[0].clientId, "dev");
    // A QoS 1 will is published as usual.
    h.Advance(seconds(1));
    h.Connect(3, WithWill("dev", Qos::AtLeastOnce));
    h.NetClose(3);
    EXPECT_EQ(h.TakeHex(1), "32 09 00 01 77 00 01 67 6f 6e 65");
}

// --- Point 2: QoS 0 means zero or more deliveries --------------------------------------------

TEST(BrokerAwsPoints, Point2_Qos0DeliveryRepeatedWithoutDup)
{
    // AWS doc point 2: a QoS 0 subscription may get a message more than once; the repeat is a
    // second identical PUBLISH (QoS 0 has no packet id) with DUP=0 [MQTT-3.3.1-2].
    MqttBrokerProfile p = QuietAws();
    p.qos0DuplicateProbability = 1.0;
    BrokerHarness h(p);
    h.Connect(1, "sub");
    h.Subscribe(1, "t", Qos::AtMostOnce);
    h.Connect(2, "pub");
    h.TakeEvents();
    h.Send(2, MakePublish("t", "a", Qos::AtLeastOnce, 1)); // delivered at QoS 0
    EXPECT_EQ(h.TakeHex(1), "30 04 00 01 74 61 30 04 00 01 74 61");
    auto sent = h.Events(EventType::MessageSent);
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_FALSE(sent[0].dup);
    EXPECT_FALSE(sent[1].dup);
    EXPECT_EQ(sent[0].message.get(), sent[1].message.get());
    EXPECT_EQ(h.Count(EventType::MessageDelivered), 1u); // one delivery, one repeat
    // A QoS 1 delivery is not repeated by this field (point 7 covers QoS 1).
    h.Subscribe(1, "u", Qos::AtLeastOnce, 2);
    h.Send(2, MakePublish("u", "b", Qos::AtLeastOnce, 2));
    EXPECT_EQ(h.TakeHex(1), "32 06 00 01 75 00 01 62");
}

namespace
{

/** Which of 40 QoS 0 messages were repeated, with probability 0.5 and @p seed. */
std::vector<bool>
DuplicatePattern(uint64_t seed)
{
    MqttBrokerProfile p = QuietAws();
    p.qos0DuplicateProbability = 0.5;
    BrokerHarness h(p, seed);
    h.Connect(1, "sub");
    h.Subscribe(1, "t", Qos::AtMostOnce);
    h.Connect(2, "pub");
    std::vector<bool> repeated;
    for (int i = 0; i < 40; ++i)
    {
        h.Send(2, MakePublish("t", Numbered(i)));
        auto got = PayloadTexts(h.TakePackets(1));
        EXPECT_TRUE(got.size() == 1 || got.size() == 2);
        EXPECT_EQ(std::count(got.begin(), got.end(), Numbered(i)),
                  static_cast<std::ptrdiff_t>(got.size()));
        repeated.push_back(got.size() == 2);
    }
    return repeated;
}

} // namespace

TEST(BrokerAwsPoints, Point2_DuplicatesFollowTheSeed)
{
    // AWS doc point 2: the repeats are drawn from the engine's seeded generator.
    std::vector<bool> a = DuplicatePattern(1);
    EXPECT_EQ(DuplicatePattern(1), a);
    EXPECT_NE(DuplicatePattern(2), a);
    auto count = std::count(a.begin(), a.end(), true);
    EXPECT_GT(count, 0);
    EXPECT_LT(count, 40);
}

// --- Point 3: session present ------------------------------------------------------------------

TEST(BrokerAwsPoints, Point3_ConnackSaysWhetherTheSessionIsResumed)
{
    // AWS doc point 3 [MQTT-3.2.2-1] [MQTT-3.2.2-2] [MQTT-3.2.2-3]: CONNACK carries Session
    // Present; reconnects wait out the profile's one CONNECT per second per client id.
    BrokerHarness h(QuietAws());
    h.Open(1);
    h.Send(1, MakeConnect("dev", false));
    EXPECT_EQ(h.TakeHex(1), "20 02 00 00");
    h.Subscribe(1, "t", Qos::AtLeastOnce);
    h.Send(1, DisconnectPacket{});
    h.Advance(seconds(1));
    h.Open(2);
    h.Send(2, MakeConnect("dev", false));
    EXPECT_EQ(h.TakeHex(2), "20 02 01 00");
    EXPECT_EQ(h.Engine().SubscriptionCount("dev"), 1u);
    h.Send(2, DisconnectPacket{});
    h.Advance(seconds(1));
    h.Open(3);
    h.Send(3, MakeConnect("dev", true)); // CleanSession=1 discards it
    EXPECT_EQ(h.TakeHex(3), "20 02 00 00");
    EXPECT_EQ(h.Engine().SubscriptionCount("dev"), 0u);
}

// --- Point 4: a delay after SUBACK -----------------------------------------------------------

TEST(BrokerAwsPoints, Point4_MessagesInsideTheSubscriptionDelayAreNotDelivered)
{
    // AWS doc point 4: the SUBACK comes at once; a message published before the delay is over
    // is not delivered through the new subscription (SubscriptionPending); from then on it is.
    MqttBrokerProfile p = QuietAws();
    p.subscriptionDelay = milliseconds(500);
    p.subscriptionDelayShape = DelayShape::Fixed;
    BrokerHarness h(p);
    h.Connect(1, "sub");
    h.Connect(2, "pub");
    h.Subscribe(1, "t", Qos::AtLeastOnce); // SUBACK at t = 0
    h.TakeEvents();
    h.Advance(milliseconds(499));
    h.Send(2, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    EXPECT_EQ(h.TakeHex(2), "40 02 00 01"); // still acknowledged to the publisher
    EXPECT_EQ(h.TakeHex(1), "");
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::SubscriptionPending);
    EXPECT_EQ(dropped[0].clientId, "pub");
    EXPECT_EQ(dropped[0].peerId, "sub");
    h.Advance(milliseconds(1));
    h.Send(2, MakePublish("t", "b", Qos::AtLeastOnce, 2));
    EXPECT_EQ(h.TakeHex(1), "32 06 00 01 74 00 01 62");
    // Subscribing again to an active filter keeps it active (its flow is not interrupted
    // [MQTT-3.8.4-3]); a new filter waits for its own delay.
    h.Send(1, MakeSubscribe(2, {{"t", Qos::AtMostOnce}, {"u", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(1), "90 04 00 02 00 00");
    h.Send(2, MakePublish("t", "c"));
    h.Send(2, MakePublish("u", "d"));
    EXPECT_EQ(h.TakeHex(1), "30 04 00 01 74 63");
    h.Advance(milliseconds(500));
    h.Send(2, MakePublish("u", "e"));
    EXPECT_EQ(h.TakeHex(1), "30 04 00 01 75 65");
}

TEST(BrokerAwsPoints, Point4_AnActiveOverlappingFilterStillDelivers)
{
    // AWS doc point 4: only the new subscription waits; an active one that also matches still
    // delivers, at its own QoS, until the new one is active [MQTT-3.3.5-1].
    MqttBrokerProfile p = QuietAws();
    p.subscriptionDelay = milliseconds(200);
    BrokerHarness h(p);
    h.Connect(1, "sub");
    h.Connect(2, "pub");
    h.Subscribe(1, "a/#", Qos::AtMostOnce);
    h.Advance(milliseconds(200));
    h.Subscribe(1, "a/b", Qos::AtLeastOnce, 2);
    h.Send(2, MakePublish("a/b", "x", Qos::AtLeastOnce, 1));
    EXPECT_EQ(h.TakeHex(1), "30 06 00 03 61 2f 62 78");
    h.Advance(milliseconds(200));
    h.Send(2, MakePublish("a/b", "y", Qos::AtLeastOnce, 2));
    EXPECT_EQ(h.TakeHex(1), "32 08 00 03 61 2f 62 00 01 79");
}

namespace
{

/**
 * Subscribes at t = 0 with @p profile and @p seed, publishes every millisecond, and returns the
 * time of the first delivery in milliseconds (-1 if none within @p limitMs).
 */
int
FirstDeliveryMs(const MqttBrokerProfile& profile, uint64_t seed, int limitMs)
{
    BrokerHarness h(profile, seed);
    h.Connect(1, "sub");
    h.Connect(2, "pub");
    h.Subscribe(1, "t", Qos::AtMostOnce);
    for (int ms = 0; ms <= limitMs; ++ms)
    {
        h.AdvanceTo(milliseconds(ms));
        h.Send(2, MakePublish("t", "x"));
        if (!h.TakeHex(1).empty())
        {
            return ms;
        }
    }
    return -1;
}

} // namespace

TEST(BrokerAwsPoints, Point4_UniformDelayStaysWithinItsSpreadAndFollowsTheSeed)
{
    // AWS doc point 4: a uniform delay lies in [mean - spread, mean + spread]; the seed decides.
    MqttBrokerProfile p = QuietAws();
    p.subscriptionDelay = milliseconds(100);
    p.subscriptionDelayShape = DelayShape::Uniform;
    p.subscriptionDelaySpread = milliseconds(50);
    std::set<int> seen;
    for (uint64_t seed = 1; seed <= 8; ++seed)
    {
        int ms = FirstDeliveryMs(p, seed, 200);
        EXPECT_GE(ms, 50) << seed;
        EXPECT_LE(ms, 150) << seed;
        EXPECT_EQ(FirstDeliveryMs(p, seed, 200), ms) << seed;
        seen.insert(ms);
    }
    EXPECT_GT(seen.size(), 4u);
}

TEST(BrokerAwsPoints, Point4_ExponentialDelayFollowsTheSeed)
{
    // AWS doc point 4: the profile's own shape (exponential, mean 100 ms), seeded.
    MqttBrokerProfile p = QuietAws();
    p.subscriptionDelay = MqttBrokerProfile::AwsIotCore().subscriptionDelay;
    p.subscriptionDelayShape = MqttBrokerProfile::AwsIotCore().subscriptionDelayShape;
    ASSERT_EQ(p.subscriptionDelayShape, DelayShape::Exponential);
    std::vector<int> delays;
    for (uint64_t seed = 1; seed <= 8; ++seed)
    {
        int ms = FirstDeliveryMs(p, seed, 2000);
        EXPECT_GE(ms, 0) << seed;
        EXPECT_EQ(FirstDeliveryMs(p, seed, 2000), ms) << seed;
        delays.push_back(ms);
    }
    EXPECT_NE(std::set<int>(delays.begin(), delays.end()).size(), 1u);
}

TEST(BrokerAwsPoints, Point4_RetainedMessagesAreSentOnSubscribeRegardless)
{
    // AWS doc point 4 with the 2021 retained messages: the delay holds back new messages; the
    // retained one comes right after the SUBACK.
    MqttBrokerProfile p = QuietAws("aws-iot-core-2021");
    p.subscriptionDelay = milliseconds(500);
    BrokerHarness h(p);
    h.Connect(2, "pub");
    h.Send(2, MakePublish("t", "r", Qos::AtLeastOnce, 1, true));
    h.Connect(1, "sub");
    h.Send(1, MakeSubscribe(1, {{"t", Qos::AtLeastOnce}}));
    EXPECT_EQ(h.TakeHex(1), "90 03 00 01 01 33 06 00 01 74 00 01 72");
}

// --- Point 5: retained messages ----------------------------------------------------------------

TEST(BrokerAwsPoints, Point5_RetainRequestDisconnects)
{
    // AWS doc point 5: "aws-iot-core" has no retained messages; a PUBLISH with RETAIN=1 closes
    // the connection (PolicyViolation), unacknowledged, not forwarded, nothing stored.
    BrokerHarness h(QuietAws());
    h.Connect(1, "sub");
    h.Subscribe(1, "t", Qos::AtLeastOnce);
    for (Qos qos : {Qos::AtMostOnce, Qos::AtLeastOnce})
    {
        h.Advance(seconds(1));
        h.Connect(2, "pub");
        h.Send(2, MakePublish("t", "a", qos, qos == Qos::AtMostOnce ? 0 : 1, true));
        EXPECT_EQ(h.TakeHex(2), "");
        EXPECT_EQ(h.ClosedWith(2), CloseReason::PolicyViolation);
        EXPECT_EQ(h.TakeHex(1), "");
        EXPECT_EQ(h.Engine().RetainedCount(), 0u);
    }
    // An empty retained PUBLISH (a delete) is a retain request too.
    h.Advance(seconds(1));
    h.Connect(3, "pub");
    h.Send(3, MakePublish("t", "", Qos::AtMostOnce, 0, true));
    EXPECT_EQ(h.ClosedWith(3), CloseReason::PolicyViolation);
}

TEST(BrokerAwsPoints, Point5_WillWithRetainDisconnectsAtConnect)
{
    // AWS doc point 5: a will with Will Retain = 1 asks the broker to retain it: the CONNECT is
    // not answered and the connection is closed; no session is made.
    BrokerHarness h(QuietAws());
    h.Open(1);
    h.Send(1, WithWill("dev", Qos::AtMostOnce, true));
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::PolicyViolation);
    EXPECT_EQ(h.Engine().SessionCount(), 0u);
    auto closed = h.Events(EventType::ConnectionClosed);
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(closed[0].clientId, "dev");
    // The 2021 profile stores retained messages, so the same CONNECT is accepted.
    BrokerHarness h2(QuietAws("aws-iot-core-2021"));
    h2.Connect(1, WithWill("dev", Qos::AtMostOnce, true));
    EXPECT_TRUE(h2.IsOpen(1));
}

TEST(BrokerAwsPoints, Point5_2021RetainedOnePerTopicDeliveredToEqualFiltersOnly)
{
    // AWS doc point 5, "aws-iot-core-2021": stored one per topic [MQTT-3.3.1-5], replaced by the
    // next, deleted by an empty one [MQTT-3.3.1-10]; sent on subscribe only to a filter equal to
    // the topic (RETAIN=1 [MQTT-3.3.1-8]), never to a wildcard filter; forwarded to existing
    // subscribers with RETAIN=0 [MQTT-3.3.1-9].
    BrokerHarness h(QuietAws("aws-iot-core-2021"));
    h.Connect(1, "live");
    h.Subscribe(1, "t/#", Qos::AtMostOnce);
    h.Connect(2, "pub");
    h.Send(2, MakePublish("t/a", "1", Qos::AtLeastOnce, 1, true));
    h.Send(2, MakePublish("t/a", "2", Qos::AtLeastOnce, 2, true));
    h.Send(2, MakePublish("t/b", "3", Qos::AtMostOnce, 0, true));
    EXPECT_EQ(h.TakeHex(2), "40 02 00 01 40 02 00 02");
    EXPECT_EQ(h.TakeHex(1),
              "30 06 00 03 74 2f 61 31 30 06 00 03 74 2f 61 32 30 06 00 03 74 2f 62 33");
    EXPECT_EQ(h.Engine().RetainedCount(), 2u);
    h.Connect(3, "late");
    h.Send(3,
           MakeSubscribe(1,
                         {{"t/#", Qos::AtLeastOnce},
                          {"+/a", Qos::AtLeastOnce},
                          {"t/a", Qos::AtLeastOnce},
                          {"t/b", Qos::AtLeastOnce}}));
    EXPECT_EQ(h.TakeHex(3),
              "90 06 00 01 01 01 01 01 "
              "33 08 00 03 74 2f 61 00 01 32 " // t/a: the latest, RETAIN=1, QoS 1
              "31 06 00 03 74 2f 62 33");      // t/b: stored at QoS 0
    h.Send(2, MakePublish("t/a", "", Qos::AtMostOnce, 0, true));
    EXPECT_EQ(h.Engine().RetainedCount(), 1u);
}

TEST(BrokerAwsPoints, Point5_2021RetainedStoreBound)
{
    // AWS doc point 5 with the quota on retained messages (maxRetainedMessages, lowered here):
    // a new topic beyond it is not stored (RetainedStoreFull) but still forwarded; replacing a
    // stored topic is allowed.
    MqttBrokerProfile p = QuietAws("aws-iot-core-2021");
    p.maxRetainedMessages = 2;
    BrokerHarness h(p);
    h.Connect(1, "sub");
    h.Subscribe(1, "c", Qos::AtMostOnce);
    h.Connect(2, "pub");
    h.Send(2, MakePublish("a", "1", Qos::AtMostOnce, 0, true));
    h.Send(2, MakePublish("b", "2", Qos::AtMostOnce, 0, true));
    h.TakeEvents();
    h.Send(2, MakePublish("c", "3", Qos::AtMostOnce, 0, true));
    EXPECT_EQ(h.TakeHex(1), "30 04 00 01 63 33");
    EXPECT_EQ(h.Engine().RetainedCount(), 2u);
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::RetainedStoreFull);
    EXPECT_EQ(dropped[0].peerId, "");
    EXPECT_EQ(h.Count(EventType::RetainedStored), 0u);
    h.Send(2, MakePublish("a", "4", Qos::AtMostOnce, 0, true));
    EXPECT_EQ(h.Count(EventType::RetainedStored), 1u);
    EXPECT_EQ(h.Engine().RetainedCount(), 2u);
}

// --- Point 6: a client id in use ----------------------------------------------------------------

TEST(BrokerAwsPoints, Point6_NewConnectionAcceptedAndTheOldOneClosed)
{
    // AWS doc point 6 [MQTT-3.1.4-2]: the new connection with a client id in use is accepted and
    // the previous one disconnected (Takeover); its will is published.
    BrokerHarness h(QuietAws());
    h.Connect(1, "watcher");
    h.Subscribe(1, "w", Qos::AtMostOnce);
    h.Connect(2, WithWill("dev", Qos::AtMostOnce));
    h.Advance(seconds(1)); // one CONNECT per second per client id
    h.Open(3);
    h.Send(3, MakeConnect("dev"));
    EXPECT_EQ(h.TakeHex(3), "20 02 00 00");
    EXPECT_EQ(h.ClosedWith(2), CloseReason::Takeover);
    EXPECT_TRUE(h.IsOpen(3));
    EXPECT_EQ(h.TakeHex(1), "30 07 00 01 77 67 6f 6e 65");
    EXPECT_EQ(h.Engine().ConnectionCount(), 2u);
}

// --- Point 7: the same PUBLISH again with a new packet id --------------------------------------

TEST(BrokerAwsPoints, Point7_ResentWithANewPacketIdAndDupZero)
{
    // AWS doc point 7: after the PUBACK the same message comes again as a new PUBLISH: a new
    // packet id, DUP=0.
    MqttBrokerProfile p = QuietAws();
    p.resendNewPacketIdProbability = 1.0;
    BrokerHarness h(p);
    h.Connect(1, "sub");
    h.Subscribe(1, "t", Qos::AtLeastOnce);
    h.Connect(2, "pub");
    h.Send(2, MakePublish("t", "a", Qos::AtLeastOnce, 9));
    EXPECT_EQ(h.TakeHex(1), "32 06 00 01 74 00 01 61");
    h.TakeEvents();
    h.Send(1, PubackPacket{1});
    EXPECT_EQ(h.TakeHex(1), "32 06 00 01 74 00 02 61");
    auto delivered = h.Events(EventType::MessageDelivered);
    auto sent = h.Events(EventType::MessageSent);
    ASSERT_EQ(delivered.size(), 1u);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(delivered[0].packetId, 1u);
    EXPECT_EQ(sent[0].packetId, 2u);
    EXPECT_FALSE(sent[0].dup);
    EXPECT_EQ(sent[0].message.get(), delivered[0].message.get());
    EXPECT_EQ(h.Engine().InflightCount("sub"), 1u);
}

namespace
{

/** (payload, packet id) of everything "sub" receives for 20 messages, acking each at once. */
std::vector<std::pair<std::string, uint16_t>>
ResendPattern(uint64_t seed)
{
    MqttBrokerProfile p = QuietAws();
    p.resendNewPacketIdProbability = 0.5;
    BrokerHarness h(p, seed);
    h.Connect(1, "sub");
    h.Subscribe(1, "t", Qos::AtLeastOnce);
    h.Connect(2, "pub");
    std::vector<std::pair<std::string, uint16_t>> got;
    for (int i = 0; i < 20; ++i)
    {
        h.Send(2, MakePublish("t", Numbered(i), Qos::AtLeastOnce, 1));
        for (;;)
        {
            auto publishes = Publishes(h.TakePackets(1));
            if (publishes.empty())
            {
                break;
            }
            for (const PublishPacket& pub : publishes)
            {
                EXPECT_FALSE(pub.dup);
                got.emplace_back(Text(pub.payload), pub.packetId);
                h.Send(1, PubackPacket{pub.packetId});
            }
        }
    }
    return got;
}

} // namespace

TEST(BrokerAwsPoints, Point7_ResendsFollowTheSeed)
{
    // AWS doc point 7: which messages come again is drawn from the seeded generator; every
    // repeat has an id no earlier delivery in flight had [MQTT-2.3.1-4].
    auto a = ResendPattern(3);
    EXPECT_EQ(ResendPattern(3), a);
    EXPECT_NE(ResendPattern(4), a);
    EXPECT_GT(a.size(), 20u);
    for (std::size_t i = 1; i < a.size(); ++i)
    {
        EXPECT_NE(a[i].second, a[i - 1].second);
    }
}

// --- Point 8: no order guarantee ---------------------------------------------------------------

namespace
{

/** The order in which 20 QoS 0 messages published at once reach the subscriber. */
std::vector<std::string>
ReleaseOrder(uint64_t seed)
{
    MqttBrokerProfile p = QuietAws();
    p.reorderJitter = milliseconds(10);
    BrokerHarness h(p, seed);
    h.Connect(1, "sub");
    h.Subscribe(1, "t", Qos::AtMostOnce);
    h.Connect(2, "pub");
    for (int i = 0; i < 20; ++i)
    {
        h.Send(2, MakePublish("t", Numbered(i)));
    }
    EXPECT_EQ(h.TakeHex(1), ""); // every one held for its delay
    h.Advance(milliseconds(10));
    return PayloadTexts(h.TakePackets(1));
}

} // namespace

TEST(BrokerAwsPoints, Point8_MessagesToOneSubscriberAreReordered)
{
    // AWS doc point 8: each delivery is held for a random delay in [0, reorderJitter), so later
    // messages can overtake earlier ones; the seed reproduces the order; nothing is lost.
    std::vector<std::string> order = ReleaseOrder(1);
    ASSERT_EQ(order.size(), 20u);
    std::vector<std::string> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::string> expected;
    for (int i = 0; i < 20; ++i)
    {
        expected.push_back(Numbered(i));
    }
    EXPECT_EQ(sorted, expected);
    EXPECT_NE(order, expected);
    EXPECT_EQ(ReleaseOrder(1), order);
    EXPECT_NE(ReleaseOrder(2), order);
}

TEST(BrokerAwsPoints, Point8_HeldQos1DeliveriesCountInFlight)
{
    // AWS doc point 8: a held QoS 1 delivery has its packet id and counts in the window from the
    // moment it is decided; MessageSent is reported when it is written.
    MqttBrokerProfile p = QuietAws();
    p.reorderJitter = milliseconds(10);
    p.maxInflightOut = 3;
    BrokerHarness h(p);
    h.Connect(1, "sub");
    h.Subscribe(1, "t", Qos::AtLeastOnce);
    h.Connect(2, "pub");
    h.TakeEvents();
    for (int i = 0; i < 4; ++i)
    {
        h.Send(2, MakePublish("t", Numbered(i), Qos::AtLeastOnce, static_cast<uint16_t>(i + 1)));
    }
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.Engine().InflightCount("sub"), 3u);
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 4u);
    EXPECT_EQ(h.Count(EventType::MessageSent), 0u);
    EXPECT_EQ(h.Count(EventType::MessageQueued), 1u);
    h.Advance(milliseconds(10));
    auto publishes = Publishes(h.TakePackets(1));
    ASSERT_EQ(publishes.size(), 3u);
    EXPECT_EQ(h.Count(EventType::MessageSent), 3u);
    std::set<uint16_t> ids;
    for (const auto& pub : publishes)
    {
        ids.insert(pub.packetId);
    }
    EXPECT_EQ(ids, (std::set<uint16_t>{1, 2, 3}));
    h.Send(1, PubackPacket{publishes[0].packetId});
    h.Advance(milliseconds(10));
    EXPECT_EQ(Publishes(h.TakePackets(1)).size(), 1u); // the fourth, now that there is room
}

TEST(BrokerAwsPoints, Point8_AcknowledgementsAreReordered)
{
    // AWS doc point 8: PUBACKs to a publisher are held too and can come in another order.
    MqttBrokerProfile p = QuietAws();
    p.reorderJitter = milliseconds(10);
    BrokerHarness h(p, 5);
    h.Connect(2, "pub");
    for (uint16_t id = 1; id <= 10; ++id)
    {
        h.Send(2, MakePublish("t", "x", Qos::AtLeastOnce, id));
    }
    EXPECT_EQ(h.TakeHex(2), "");
    h.Advance(milliseconds(10));
    std::vector<uint16_t> acked;
    for (const Packet& pkt : h.TakePackets(2))
    {
        ASSERT_TRUE(std::holds_alternative<PubackPacket>(pkt));
        acked.push_back(std::get<PubackPacket>(pkt).packetId);
    }
    ASSERT_EQ(acked.size(), 10u);
    EXPECT_FALSE(std::is_sorted(acked.begin(), acked.end()));
    EXPECT_EQ(std::set<uint16_t>(acked.begin(), acked.end()).size(), 10u);
}

TEST(BrokerAwsPoints, Point8_HeldOutputOfAClosedConnection)
{
    // AWS doc point 8: a held QoS 0 delivery dies with its connection (MessageDropped,
    // QosZeroOffline); a held QoS 1 delivery stays in flight and is re-sent with DUP=1 when the
    // persistent session resumes [MQTT-4.4.0-1].
    MqttBrokerProfile p = QuietAws();
    p.reorderJitter = milliseconds(10);
    p.offlineDrainRate = 0;
    BrokerHarness h(p);
    h.Connect(1, "sub", false);
    h.Send(1, MakeSubscribe(1, {{"t", Qos::AtLeastOnce}, {"z", Qos::AtMostOnce}}));
    h.Advance(milliseconds(10));
    EXPECT_EQ(h.TakeHex(1), "90 04 00 01 01 00");
    h.Connect(2, "pub");
    h.Send(2, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    h.Send(2, MakePublish("z", "b"));
    h.TakeEvents();
    h.NetClose(1);
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::QosZeroOffline);
    EXPECT_EQ(Text(dropped[0].message->payload), "b");
    EXPECT_EQ(h.Engine().InflightCount("sub"), 1u);
    h.Advance(seconds(1));
    EXPECT_TRUE(h.Connect(3, "sub", false));
    EXPECT_EQ(h.TakeHex(3), "3a 06 00 01 74 00 01 61");
}
