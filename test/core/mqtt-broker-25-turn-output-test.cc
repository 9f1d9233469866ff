/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: the shape of one call's output. Every packet of one call to one connection is
 * in one SendAction (a fan-out writes each subscriber once per call, not once per delivery),
 * never in an action of an earlier call; events the driver left out of SetEventInterest are not
 * emitted, and the bytes are the same whatever the set.
 */
#include "mqtt-broker-test-harness.h"

using namespace brokertest;

namespace
{

/** Three QoS 0 PUBLISHes on "t" with payloads a, b, c, in one buffer. */
std::vector<uint8_t>
ThreePublishes()
{
    std::vector<uint8_t> bytes;
    for (const char* payload : {"a", "b", "c"})
    {
        Encode(MakePublish("t", payload), bytes);
    }
    return bytes;
}

/** The SendActions of @p actions, in order. */
std::vector<SendAction>
Sends(const MqttActions& actions)
{
    std::vector<SendAction> sends;
    for (const MqttAction& a : actions)
    {
        if (const auto* send = std::get_if<SendAction>(&a))
        {
            sends.push_back(*send);
        }
    }
    return sends;
}

/** "pub" on 1, "s1" on 2 and "s2" on 3, both subscribed to "t" at QoS 0. */
void
ConnectFanOut(BrokerHarness& h)
{
    h.Connect(1, "pub");
    h.Connect(2, "s1");
    h.Connect(3, "s2");
    h.Subscribe(2, "t", Qos::AtMostOnce);
    h.Subscribe(3, "t", Qos::AtMostOnce);
}

// PUBLISH QoS 0 "t", payload a / b / c: 30 04 00 01 74 and the byte.
constexpr const char* THREE_DELIVERIES = "30 04 00 01 74 61 30 04 00 01 74 62 30 04 00 01 74 63";

} // namespace

TEST(BrokerTurnOutput, OneCallWritesEachSubscriberOneSendActionWithItsDeliveriesInOrder)
{
    BrokerHarness h;
    ConnectFanOut(h);
    h.ClearLog();
    h.Feed(1, ThreePublishes());
    // Events (PublishReceived, MessageSent, MessageDelivered) come between the deliveries; the
    // bytes to each subscriber still form one action.
    std::vector<SendAction> sends = Sends(h.Log());
    ASSERT_EQ(sends.size(), 2u);
    EXPECT_EQ(sends[0].connection, 2u);
    EXPECT_EQ(sends[1].connection, 3u);
    EXPECT_EQ(Hex(sends[0].bytes), THREE_DELIVERIES);
    EXPECT_EQ(Hex(sends[1].bytes), THREE_DELIVERIES);
    EXPECT_EQ(h.Count(EventType::MessageSent), 6u);
}

TEST(BrokerTurnOutput, ACallNeverAddsToASendActionOfAnEarlierCall)
{
    BrokerHarness h;
    ConnectFanOut(h);
    // Two calls on one action list, as a driver that carries them out later would make them: the
    // second call's bytes are new actions (an earlier call's may already be released or held
    // for the store).
    MqttActions out;
    std::vector<uint8_t> one;
    Encode(MakePublish("t", "a"), one);
    std::vector<uint8_t> two;
    Encode(MakePublish("t", "b"), two);
    h.Engine().OnBytes(1, one.data(), one.size(), h.Now(), out);
    h.Engine().OnBytes(1, two.data(), two.size(), h.Now(), out);
    std::vector<SendAction> sends = Sends(out);
    ASSERT_EQ(sends.size(), 4u);
    EXPECT_EQ(sends[0].connection, 2u);
    EXPECT_EQ(Hex(sends[0].bytes), "30 04 00 01 74 61");
    EXPECT_EQ(sends[1].connection, 3u);
    EXPECT_EQ(sends[2].connection, 2u);
    EXPECT_EQ(Hex(sends[2].bytes), "30 04 00 01 74 62");
    EXPECT_EQ(sends[3].connection, 3u);
}

TEST(BrokerTurnOutput, AQos1FanOutAcknowledgesThePublisherInOneActionToo)
{
    BrokerHarness h;
    h.Connect(1, "pub");
    h.Connect(2, "s1");
    h.Connect(3, "s2");
    h.Subscribe(2, "t", Qos::AtLeastOnce);
    h.Subscribe(3, "t", Qos::AtLeastOnce);
    h.ClearLog();
    std::vector<uint8_t> bytes;
    Encode(MakePublish("t", "a", Qos::AtLeastOnce, 7), bytes);
    Encode(MakePublish("t", "b", Qos::AtLeastOnce, 8), bytes);
    h.Feed(1, bytes);
    std::vector<SendAction> sends = Sends(h.Log());
    ASSERT_EQ(sends.size(), 3u);
    // PUBACK 7 is written before the deliveries of 7 and PUBACK 8
    // joins it; each subscriber gets ids 1 and 2.
    EXPECT_EQ(sends[0].connection, 1u);
    EXPECT_EQ(Hex(sends[0].bytes), "40 02 00 07 40 02 00 08");
    EXPECT_EQ(sends[1].connection, 2u);
    EXPECT_EQ(Hex(sends[1].bytes), "32 06 00 01 74 00 01 61 32 06 00 01 74 00 02 62");
    EXPECT_EQ(sends[2].connection, 3u);
    EXPECT_EQ(Hex(sends[2].bytes), Hex(sends[1].bytes));
}

TEST(BrokerTurnOutput, BytesWrittenAfterAConnectionsStateChangedComeAfterItsEvent)
{
    // A stored session resumes with a QoS 1 delivery in flight: the CONNACK, the SessionStarted
    // event, then the re-sent PUBLISH in an action of its own, as written (only per-message
    // events let one call's packets join one action). The same actions without events.
    for (bool all : {true, false})
    {
        BrokerHarness h;
        if (!all)
        {
            h.Engine().SetEventInterest(MqttEventSet::Of({}));
        }
        h.ConnectPubAndPersistentSub("t", Qos::AtLeastOnce);
        h.Send(1, MakePublish("t", "m", Qos::AtLeastOnce, 1));
        h.TakeHex(2); // delivered, never acknowledged
        h.NetClose(2);
        h.Open(3);
        h.ClearLog();
        h.Send(3, MakeConnect("sub", false));
        const MqttActions& log = h.Log();
        std::vector<SendAction> sends = Sends(log);
        ASSERT_EQ(sends.size(), 2u) << all;
        EXPECT_EQ(Hex(sends[0].bytes), "20 02 01 00");
        EXPECT_EQ(Hex(sends[1].bytes), "3a 06 00 01 74 00 01 6d");
        if (all)
        {
            ASSERT_GE(log.size(), 3u);
            EXPECT_TRUE(std::holds_alternative<SendAction>(log[0]));
            EXPECT_EQ(std::get<NotifyAction>(log[1]).event.type, EventType::SessionStarted);
        }
    }
}

TEST(BrokerEventInterest, LeftOutEventsAreNotEmittedAndTheBytesAreTheSame)
{
    BrokerHarness all;
    BrokerHarness few;
    few.Engine().SetEventInterest(
        MqttEventSet::Of({EventType::SessionStarted, EventType::ConnectionClosed}));
    for (BrokerHarness* h : {&all, &few})
    {
        ConnectFanOut(*h);
        h->Feed(1, ThreePublishes());
        h->Send(2, DisconnectPacket{});
    }
    for (ConnectionId c : {1u, 2u, 3u})
    {
        EXPECT_EQ(Hex(few.AllSent(c)), Hex(all.AllSent(c))) << "connection " << c;
    }
    EXPECT_EQ(all.Count(EventType::MessageSent), 6u);
    EXPECT_EQ(all.Count(EventType::MessageDelivered), 6u);
    EXPECT_EQ(all.Count(EventType::PublishReceived), 3u);
    EXPECT_EQ(all.Count(EventType::SubscriptionGranted), 2u);
    EXPECT_EQ(few.Count(EventType::SessionStarted), 3u);
    EXPECT_EQ(few.Count(EventType::ConnectionClosed), 1u);
    EXPECT_EQ(few.TakeEvents().size(), 4u); // nothing else
}

TEST(BrokerEventInterest, DropsAndClosesBehaveTheSameWithoutTheirEvents)
{
    // The engine fills in an event it does not emit (NotifyDrop's callers set fields on it):
    // a policy close after a refused publish goes out exactly as with every event.
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxPayloadSize = 4;
    BrokerHarness all(profile);
    BrokerHarness none(profile);
    none.Engine().SetEventInterest(MqttEventSet::Of({}));
    for (BrokerHarness* h : {&all, &none})
    {
        h->ConnectPubSub("t", Qos::AtMostOnce);
        h->Send(1, MakePublish("t", "12345"));
    }
    EXPECT_EQ(all.ClosedWith(1), none.ClosedWith(1));
    EXPECT_TRUE(none.ClosedWith(1).has_value());
    EXPECT_EQ(Hex(none.AllSent(2)), Hex(all.AllSent(2)));
    EXPECT_EQ(all.Count(EventType::MessageDropped), 1u);
    EXPECT_TRUE(none.TakeEvents().empty());
}
