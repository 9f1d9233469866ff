/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: QoS 2 in both directions (section 4.3.3; method B for inbound messages).
 */
#include "mqtt-broker-test-harness.h"

using namespace brokertest;

TEST(BrokerQos2, Mqtt_4_3_3_2_InboundExactlyOnceByStoredPacketId)
{
    // [MQTT-4.3.3-2] [MQTT-3.3.4-1] [MQTT-2.3.1-6]: PUBREC; delivered onward at once (method
    // B); a repeat PUBLISH with the stored id (DUP=1) gets PUBREC again and is not delivered
    // again; PUBREL gets PUBCOMP; after that the id starts a new message.
    BrokerHarness h;
    h.ConnectPubSub("t", Qos::AtMostOnce);
    h.FeedHex(1, "34 06 00 01 74 00 0a 61");
    EXPECT_EQ(h.TakeHex(1), "50 02 00 0a");
    EXPECT_EQ(h.TakeHex(2), "30 04 00 01 74 61");
    EXPECT_EQ(h.Engine().PendingPubrelCount("pub"), 1u);
    h.FeedHex(1, "3c 06 00 01 74 00 0a 61");
    EXPECT_EQ(h.TakeHex(1), "50 02 00 0a");
    EXPECT_EQ(h.TakeHex(2), "");
    EXPECT_EQ(h.Count(EventType::PublishReceived), 1u);
    h.FeedHex(1, "62 02 00 0a");
    EXPECT_EQ(h.TakeHex(1), "70 02 00 0a");
    EXPECT_EQ(h.Engine().PendingPubrelCount("pub"), 0u);
    h.FeedHex(1, "34 06 00 01 74 00 0a 62");
    EXPECT_EQ(h.TakeHex(1), "50 02 00 0a");
    EXPECT_EQ(h.TakeHex(2), "30 04 00 01 74 62");
}

TEST(BrokerQos2, PubrelForAnUnknownIdStillGetsPubcomp)
{
    // [MQTT-4.3.3-2]: PUBREL is answered by PUBCOMP with its id, also when the id was already
    // released (a PUBREL re-sent after a reconnect).
    BrokerHarness h;
    h.Connect(1, "pub");
    h.FeedHex(1, "62 02 12 34");
    EXPECT_EQ(h.TakeHex(1), "70 02 12 34");
}

TEST(BrokerQos2, Mqtt_4_3_3_1_OutboundExactlyOnceFlow)
{
    // [MQTT-4.3.3-1] [MQTT-2.3.1-6]: PUBLISH QoS 2 DUP 0 with a fresh id; PUBREC -> PUBREL
    // with the same id; PUBCOMP completes (MessageDelivered). A repeated PUBREC gets PUBREL again.
    BrokerHarness h;
    h.ConnectPubSub("t", Qos::ExactlyOnce);
    h.Send(1, MakePublish("t", "a", Qos::ExactlyOnce, 5));
    EXPECT_EQ(h.TakeHex(2), "34 06 00 01 74 00 01 61");
    h.FeedHex(2, "50 02 00 01");
    EXPECT_EQ(h.TakeHex(2), "62 02 00 01");
    EXPECT_EQ(h.Count(EventType::MessageDelivered), 0u);
    h.FeedHex(2, "50 02 00 01");
    EXPECT_EQ(h.TakeHex(2), "62 02 00 01");
    h.FeedHex(2, "70 02 00 01");
    EXPECT_EQ(h.TakeHex(2), "");
    auto delivered = h.Events(EventType::MessageDelivered);
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(delivered[0].qos, Qos::ExactlyOnce);
    EXPECT_EQ(h.Engine().InflightCount("sub"), 0u);
    // PUBCOMP again: nothing in flight, ignored.
    h.FeedHex(2, "70 02 00 01");
    EXPECT_TRUE(h.IsOpen(2));
    EXPECT_EQ(h.Count(EventType::MessageDelivered), 1u);
}

TEST(BrokerQos2, PubrecForAnUnknownIdGetsPubrel)
{
    BrokerHarness h;
    h.Connect(1, "sub");
    h.FeedHex(1, "50 02 00 33");
    EXPECT_EQ(h.TakeHex(1), "62 02 00 33");
}

TEST(BrokerQos2, Mqtt_4_3_3_1_PublishNeverResentAfterPubrel)
{
    // [MQTT-4.3.3-1] [MQTT-4.4.0-1] [MQTT-4.6.0-1]: on reconnect of the persistent session, the
    // flow that got PUBREC is resumed with PUBREL only, the one that did not with PUBLISH DUP=1,
    // in the order they were first sent, original ids.
    BrokerHarness h;
    h.ConnectPubAndPersistentSub("t", Qos::ExactlyOnce);
    h.Send(1, MakePublish("t", "a", Qos::ExactlyOnce, 1));
    h.Send(1, MakePublish("t", "b", Qos::ExactlyOnce, 2));
    h.Send(1, MakePublish("t", "c", Qos::ExactlyOnce, 3));
    EXPECT_EQ(h.TakeHex(2),
              "34 06 00 01 74 00 01 61 34 06 00 01 74 00 02 62 34 06 00 01 74 00 03 63");
    h.FeedHex(2, "50 02 00 02");
    EXPECT_EQ(h.TakeHex(2), "62 02 00 02");
    h.NetClose(2);
    EXPECT_TRUE(h.Connect(3, "sub", false));
    EXPECT_EQ(h.TakeHex(3), "3c 06 00 01 74 00 01 61 62 02 00 02 3c 06 00 01 74 00 03 63");
    h.FeedHex(3, "70 02 00 02 50 02 00 01 50 02 00 03");
    EXPECT_EQ(h.TakeHex(3), "62 02 00 01 62 02 00 03");
    h.FeedHex(3, "70 02 00 01 70 02 00 03");
    EXPECT_EQ(h.Count(EventType::MessageDelivered), 3u);
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 0u);
}

TEST(BrokerQos2, Mqtt_4_6_0_4_PubrelsFollowTheOrderOfPubrecs)
{
    // [MQTT-4.6.0-4] [MQTT-4.6.0-3]: PUBRECs to the publisher in PUBLISH order; PUBRELs to the
    // subscriber in the order its PUBRECs arrive.
    BrokerHarness h;
    h.ConnectPubSub("t", Qos::ExactlyOnce);
    h.FeedHex(1, "34 06 00 01 74 00 09 61 34 06 00 01 74 00 04 62 34 06 00 01 74 00 07 63");
    EXPECT_EQ(h.TakeHex(1), "50 02 00 09 50 02 00 04 50 02 00 07");
    h.TakeHex(2);
    h.FeedHex(2, "50 02 00 03 50 02 00 01 50 02 00 02");
    EXPECT_EQ(h.TakeHex(2), "62 02 00 03 62 02 00 01 62 02 00 02");
}

TEST(BrokerQos2, Mqtt_4_3_3_2_InboundIdsSurviveAReconnect)
{
    // [MQTT-4.3.3-2] [MQTT-3.1.2-4]: the stored id belongs to the persistent session: the
    // client re-sends its PUBLISH (DUP=1) after reconnecting; it is not delivered twice.
    BrokerHarness h;
    h.Connect(1, "pub", false);
    h.Connect(2, "sub");
    h.Subscribe(2, "t", Qos::AtMostOnce);
    h.FeedHex(1, "34 06 00 01 74 00 01 61");
    EXPECT_EQ(h.TakeHex(2), "30 04 00 01 74 61");
    h.NetClose(1);
    EXPECT_TRUE(h.Connect(3, "pub", false));
    h.FeedHex(3, "3c 06 00 01 74 00 01 61");
    EXPECT_EQ(h.TakeHex(3), "50 02 00 01");
    EXPECT_EQ(h.TakeHex(2), "");
    h.FeedHex(3, "62 02 00 01");
    EXPECT_EQ(h.TakeHex(3), "70 02 00 01");
}

TEST(BrokerQos2, SameIdInBothDirectionsAtOnce)
{
    // Section 2.3.1: client and server ids are independent; id 1 in flight both ways.
    BrokerHarness h;
    h.Connect(1, "both");
    h.Subscribe(1, "t", Qos::ExactlyOnce);
    h.FeedHex(1, "34 06 00 01 74 00 01 61");
    EXPECT_EQ(h.TakeHex(1), "50 02 00 01 34 06 00 01 74 00 01 61");
    h.FeedHex(1, "50 02 00 01 62 02 00 01");
    EXPECT_EQ(h.TakeHex(1), "62 02 00 01 70 02 00 01");
    h.FeedHex(1, "70 02 00 01");
    EXPECT_EQ(h.Engine().InflightCount("both"), 0u);
    EXPECT_EQ(h.Engine().PendingPubrelCount("both"), 0u);
}
