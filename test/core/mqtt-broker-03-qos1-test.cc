/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: QoS 1 in both directions (sections 2.3.1, 4.3.2, 4.4).
 */
#include "mqtt-broker-test-harness.h"

using namespace brokertest;

TEST(BrokerQos1, Mqtt_3_3_4_1_Qos1PublishGetsPubackWithItsId)
{
    // [MQTT-3.3.4-1] [MQTT-2.3.1-6] [MQTT-4.3.2-2]
    BrokerHarness h;
    h.Connect(1, "pub");
    h.FeedHex(1, "32 06 00 01 74 ab cd 78");
    EXPECT_EQ(h.TakeHex(1), "40 02 ab cd");
    // QoS 0 gets nothing back.
    h.FeedHex(1, "30 04 00 01 74 78");
    EXPECT_EQ(h.TakeHex(1), "");
}

TEST(BrokerQos1, Mqtt_4_3_2_2_IdReusedAfterPubackIsANewMessage)
{
    // [MQTT-4.3.2-2]: once PUBACK was sent, a PUBLISH with the same id (even DUP=1) is a new
    // message and goes out again.
    BrokerHarness h;
    h.ConnectPubSub("t", Qos::AtMostOnce);
    h.FeedHex(1, "32 06 00 01 74 00 07 78");
    h.FeedHex(1, "3a 06 00 01 74 00 07 78");
    EXPECT_EQ(h.TakeHex(1), "40 02 00 07 40 02 00 07");
    EXPECT_EQ(h.TakeHex(2), "30 04 00 01 74 78 30 04 00 01 74 78");
    EXPECT_EQ(h.Count(EventType::PublishReceived), 2u);
}

TEST(BrokerQos1, Mqtt_4_3_2_1_OutboundQos1UsesFreshIdsAndAwaitsPuback)
{
    // [MQTT-4.3.2-1] [MQTT-2.3.1-4]: ids 1, 2, 3, DUP 0; each unacknowledged until its PUBACK;
    // MessageDelivered only at PUBACK.
    BrokerHarness h;
    h.ConnectPubSub("t", Qos::AtLeastOnce);
    for (int i = 0; i < 3; ++i)
    {
        h.Send(1, MakePublish("t", "m", Qos::AtLeastOnce, 100));
    }
    EXPECT_EQ(h.TakeHex(2),
              "32 06 00 01 74 00 01 6d 32 06 00 01 74 00 02 6d 32 06 00 01 74 00 03 6d");
    EXPECT_EQ(h.Engine().InflightCount("sub"), 3u);
    EXPECT_EQ(h.Count(EventType::MessageDelivered), 0u);
    h.FeedHex(2, "40 02 00 02");
    EXPECT_EQ(h.Engine().InflightCount("sub"), 2u);
    auto delivered = h.Events(EventType::MessageDelivered);
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(delivered[0].packetId, 2);
    EXPECT_EQ(delivered[0].peerId, "sub");
    EXPECT_EQ(delivered[0].message->id, 2u);
    // A PUBACK for an id not in flight, or repeated, is ignored.
    h.FeedHex(2, "40 02 00 02 40 02 00 63");
    EXPECT_TRUE(h.IsOpen(2));
    EXPECT_EQ(h.Count(EventType::MessageDelivered), 1u);
    h.FeedHex(2, "40 02 00 01 40 02 00 03");
    EXPECT_EQ(h.Engine().InflightCount("sub"), 0u);
    EXPECT_EQ(h.Count(EventType::MessageDelivered), 3u);
}

TEST(BrokerQos1, Mqtt_2_3_1_4_IdsStillInFlightAreNeverReused)
{
    // [MQTT-2.3.1-4]: with id 1 still unacknowledged, the ids go round 2..65535 and then skip
    // 1: the next one is 2 again (free since its PUBACK).
    BrokerHarness h;
    h.ConnectPubSub("t", Qos::AtLeastOnce);
    h.Send(1, MakePublish("t", "", Qos::AtLeastOnce, 1));
    EXPECT_EQ(h.TakeHex(2), "32 05 00 01 74 00 01");
    std::vector<uint8_t> publish = Bytes(MakePublish("t", "", Qos::AtLeastOnce, 1));
    for (uint32_t id = 2; id <= 65535; ++id)
    {
        h.Feed(1, publish);
        std::vector<Packet> got = h.TakePackets(2);
        ASSERT_EQ(got.size(), 1u);
        ASSERT_EQ(std::get<PublishPacket>(got[0]).packetId, id);
        h.Send(2, PubackPacket{static_cast<uint16_t>(id)});
        h.TakeEvents();
        h.ClearLog();
    }
    h.TakeHex(1);
    h.Feed(1, publish);
    EXPECT_EQ(h.TakeHex(2), "32 05 00 01 74 00 02");
}

TEST(BrokerQos1, Mqtt_4_4_0_1_UnacknowledgedPublishResentWithDupOnReconnect)
{
    // [MQTT-4.4.0-1] [MQTT-3.3.1-1] [MQTT-4.6.0-1] [MQTT-3.1.2-4]: the persistent session's
    // unacknowledged QoS 1 messages go out again first, DUP=1, same ids, original order; then
    // what was queued while offline, DUP=0, fresh ids.
    BrokerHarness h;
    h.ConnectPubAndPersistentSub("t", Qos::AtLeastOnce);
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    h.Send(1, MakePublish("t", "b", Qos::AtLeastOnce, 2));
    h.Send(1, MakePublish("t", "c", Qos::AtLeastOnce, 3));
    EXPECT_EQ(h.TakeHex(2),
              "32 06 00 01 74 00 01 61 32 06 00 01 74 00 02 62 32 06 00 01 74 00 03 63");
    h.FeedHex(2, "40 02 00 02");
    h.NetClose(2);
    h.Send(1, MakePublish("t", "d", Qos::AtLeastOnce, 4));
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 3u);
    EXPECT_TRUE(h.Connect(3, "sub", false));
    EXPECT_EQ(h.TakeHex(3),
              "3a 06 00 01 74 00 01 61 3a 06 00 01 74 00 03 63 32 06 00 01 74 00 04 64");
    auto sent = h.Events(EventType::MessageSent);
    ASSERT_GE(sent.size(), 3u);
    EXPECT_TRUE(sent[sent.size() - 3].dup);
    EXPECT_TRUE(sent[sent.size() - 2].dup);
    EXPECT_FALSE(sent[sent.size() - 1].dup);
    EXPECT_EQ(sent.back().connection, 3u);
}

TEST(BrokerQos1, InflightWindowHoldsFurtherMessagesInOrder)
{
    // profile.maxInflightOut = 2: the third and fourth wait (MessageQueued) and go out in order
    // as PUBACKs free the window.
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxInflightOut = 2;
    BrokerHarness h(profile);
    h.ConnectPubSub("t", Qos::AtLeastOnce);
    for (const char* p : {"1", "2", "3", "4"})
    {
        h.Send(1, MakePublish("t", p, Qos::AtLeastOnce, 1));
    }
    EXPECT_EQ(h.TakeHex(2), "32 06 00 01 74 00 01 31 32 06 00 01 74 00 02 32");
    auto queued = h.Events(EventType::MessageQueued);
    ASSERT_EQ(queued.size(), 2u);
    EXPECT_EQ(queued[0].queueDepth, 3u);
    EXPECT_EQ(queued[1].queueDepth, 4u);
    EXPECT_EQ(queued[1].peerId, "sub");
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 4u);
    h.FeedHex(2, "40 02 00 02");
    EXPECT_EQ(h.TakeHex(2), "32 06 00 01 74 00 03 33");
    h.FeedHex(2, "40 02 00 01");
    EXPECT_EQ(h.TakeHex(2), "32 06 00 01 74 00 04 34");
    h.FeedHex(2, "40 02 00 03 40 02 00 04");
    EXPECT_EQ(h.TakeHex(2), "");
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 0u);
}

TEST(BrokerQos1, Qos0OvertakesQos1WaitingForTheWindow)
{
    // QoS 0 is never held back by the QoS 1/2 window (ordering is per QoS, section 4.6).
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxInflightOut = 1;
    BrokerHarness h(profile);
    h.ConnectPubSub("t", Qos::AtLeastOnce);
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    h.Send(1, MakePublish("t", "b", Qos::AtLeastOnce, 2));
    h.Send(1, MakePublish("t", "c"));
    EXPECT_EQ(h.TakeHex(2), "32 06 00 01 74 00 01 61 30 04 00 01 74 63");
    h.FeedHex(2, "40 02 00 01");
    EXPECT_EQ(h.TakeHex(2), "32 06 00 01 74 00 02 62");
}

TEST(BrokerQos1, Mqtt_4_8_0_1_PubrecForAQos1FlowClosesAndCompletesNothing)
{
    // A PUBREC for a QoS 1 delivery is the wrong kind of acknowledgement: a protocol violation
    // that closes the connection [MQTT-4.8.0-1] (doc/conformance.md); the persistent session
    // keeps the delivery in flight, and it completes with PUBACK after the reconnect.
    BrokerHarness h;
    h.ConnectPubAndPersistentSub("t", Qos::AtLeastOnce);
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    h.TakeHex(2);
    h.FeedHex(2, "50 02 00 01");
    EXPECT_EQ(h.ClosedWith(2), CloseReason::ProtocolError);
    EXPECT_EQ(h.TakeHex(2), "");
    EXPECT_EQ(h.Engine().InflightCount("sub"), 1u);
    EXPECT_TRUE(h.Connect(3, "sub", false));
    EXPECT_EQ(h.TakeHex(3), "3a 06 00 01 74 00 01 61"); // re-sent with DUP [MQTT-4.4.0-1]
    h.FeedHex(3, "40 02 00 01");
    EXPECT_EQ(h.Engine().InflightCount("sub"), 0u);
}
