/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: SUBSCRIBE, UNSUBSCRIBE, PINGREQ and plain routing (sections 3.3, 3.8 to 3.12,
 * 4.5, 4.7).
 */
#include "mqtt-broker-test-harness.h"

using namespace brokertest;

TEST(BrokerSubPub, Mqtt_4_5_0_1_Qos0RoutedToEveryMatchingSubscriber)
{
    // [MQTT-4.5.0-1] [MQTT-3.3.2-3] [MQTT-4.3.1-1]: QoS 0, DUP 0, no packet id, to both
    // matching subscribers and not to the one whose filter does not match.
    BrokerHarness h;
    h.Connect(1, "pub");
    h.Connect(2, "s1");
    h.Connect(3, "s2");
    h.Connect(4, "s3");
    h.FeedHex(2, "82 08 00 01 00 03 61 2f 62 00"); // SUBSCRIBE id 1, "a/b" QoS 0
    EXPECT_EQ(h.TakeHex(2), "90 03 00 01 00");
    h.FeedHex(3, "82 08 00 05 00 03 61 2f 2b 00"); // "a/+"
    EXPECT_EQ(h.TakeHex(3), "90 03 00 05 00");
    h.FeedHex(4, "82 08 00 01 00 03 61 2f 63 00"); // "a/c"
    EXPECT_EQ(h.TakeHex(4), "90 03 00 01 00");
    h.FeedHex(1, "30 07 00 03 61 2f 62 68 69");
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.TakeHex(2), "30 07 00 03 61 2f 62 68 69");
    EXPECT_EQ(h.TakeHex(3), "30 07 00 03 61 2f 62 68 69");
    EXPECT_EQ(h.TakeHex(4), "");

    // One stored message, shared by both deliveries, with a broker-assigned id.
    auto received = h.Events(EventType::PublishReceived);
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(received[0].clientId, "pub");
    EXPECT_EQ(received[0].topic, "a/b");
    ASSERT_TRUE(received[0].message);
    EXPECT_EQ(received[0].message->id, 1u);
    auto sent = h.Events(EventType::MessageSent);
    auto delivered = h.Events(EventType::MessageDelivered);
    ASSERT_EQ(sent.size(), 2u);
    ASSERT_EQ(delivered.size(), 2u); // QoS 0: delivered when written
    EXPECT_EQ(sent[0].peerId, "s1");
    EXPECT_EQ(sent[0].connection, 2u);
    EXPECT_EQ(sent[1].peerId, "s2");
    EXPECT_EQ(delivered[1].peerId, "s2");
    EXPECT_EQ(sent[0].message.get(), received[0].message.get());
    EXPECT_EQ(sent[1].message.get(), received[0].message.get());
}

TEST(BrokerSubPub, DeliveryEventsNameThePublisherAndTheSubscriber)
{
    // clientId is the publisher (MqttMessage::publisherId), peerId the subscriber, for every
    // delivery event; a will's publisher is the client that owned it.
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxInflightOut = 1;
    BrokerHarness h(profile);
    h.ConnectPubSub("t", Qos::AtLeastOnce);
    h.Connect(3, "off", false);
    h.Subscribe(3, "t", Qos::AtMostOnce);
    h.NetClose(3);
    h.TakeEvents();
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    h.Send(1, MakePublish("t", "b", Qos::AtLeastOnce, 2)); // waits behind "a"
    h.Send(2, PubackPacket{1});
    ConnectPacket w = MakeConnect("dev");
    w.will = Will{"t", Payload("w"), Qos::AtMostOnce, false};
    h.Connect(4, w);
    h.NetClose(4);
    std::vector<std::string> seen;
    for (const MqttEvent& e : h.TakeEvents())
    {
        if (e.type == EventType::MessageSent || e.type == EventType::MessageDelivered ||
            e.type == EventType::MessageQueued || e.type == EventType::MessageDropped)
        {
            ASSERT_TRUE(e.message);
            EXPECT_EQ(e.clientId, e.message->publisherId);
            seen.push_back(std::string(EventTypeName(e.type)) + " " + e.clientId + "->" +
                           e.peerId);
        }
    }
    EXPECT_EQ(seen,
              (std::vector<std::string>{
                  "MessageSent pub->sub",           // "a"
                  "MessageDropped pub->off",        // QoS 0 for an offline session
                  "MessageQueued pub->sub",         // "b" behind "a"
                  "MessageDropped pub->off",
                  "MessageDelivered pub->sub",      // PUBACK of "a"
                  "MessageSent pub->sub",           // "b"
                  "MessageSent dev->sub",           // the will, QoS 0: sent and delivered
                  "MessageDelivered dev->sub",
                  "MessageDropped dev->off",
              }));
}

TEST(BrokerSubPub, MessageIdsIncreaseInArrivalOrder)
{
    BrokerHarness h;
    h.Connect(1, "pub");
    for (int i = 0; i < 3; ++i)
    {
        h.Send(1, MakePublish("t", "x"));
    }
    auto received = h.Events(EventType::PublishReceived);
    ASSERT_EQ(received.size(), 3u);
    EXPECT_EQ(received[0].message->id, 1u);
    EXPECT_EQ(received[1].message->id, 2u);
    EXPECT_EQ(received[2].message->id, 3u);
}

TEST(BrokerSubPub, Mqtt_3_3_5_1_OverlappingSubscriptionsGiveOneDeliveryAtTheHighestQos)
{
    // [MQTT-3.3.5-1]: our choice is one copy per session, at the highest QoS granted among
    // the matching filters, capped by the publish QoS [MQTT-3.8.4-6].
    BrokerHarness h;
    h.ConnectPubSub("a/+", Qos::AtLeastOnce, 1);
    h.Subscribe(2, "a/#", Qos::AtMostOnce, 2);
    h.Subscribe(2, "#", Qos::ExactlyOnce, 3);
    h.Send(1, MakePublish("a/b", "m", Qos::AtLeastOnce, 9));
    EXPECT_EQ(h.TakeHex(1), "40 02 00 09");
    EXPECT_EQ(h.TakeHex(2), "32 08 00 03 61 2f 62 00 01 6d"); // once, QoS 1
    h.Send(1, MakePublish("a/b", "n"));
    EXPECT_EQ(h.TakeHex(2), "30 06 00 03 61 2f 62 6e"); // once, QoS 0
}

TEST(BrokerSubPub, Mqtt_3_8_4_6_DeliveryQosIsTheMinimumOfPublishAndGrant)
{
    // [MQTT-3.8.4-6]
    BrokerHarness h;
    h.Connect(1, "pub");
    h.Connect(2, "q0");
    h.Connect(3, "q2");
    h.Subscribe(2, "t", Qos::AtMostOnce);
    h.Subscribe(3, "t", Qos::ExactlyOnce);
    h.Send(1, MakePublish("t", "a", Qos::ExactlyOnce, 1));
    EXPECT_EQ(h.TakeHex(1), "50 02 00 01");
    EXPECT_EQ(h.TakeHex(2), "30 04 00 01 74 61");
    EXPECT_EQ(h.TakeHex(3), "34 06 00 01 74 00 01 61");
    h.Send(1, MakePublish("t", "b", Qos::AtLeastOnce, 2));
    EXPECT_EQ(h.TakeHex(2), "30 04 00 01 74 62");
    EXPECT_EQ(h.TakeHex(3), "32 06 00 01 74 00 02 62");
    h.Send(1, MakePublish("t", "c"));
    EXPECT_EQ(h.TakeHex(3), "30 04 00 01 74 63");
}

TEST(BrokerSubPub, Mqtt_3_8_4_4_MultiFilterSubscribeAnsweredInOrder)
{
    // [MQTT-3.8.4-1] [MQTT-3.8.4-2] [MQTT-3.8.4-4] [MQTT-3.8.4-5] [MQTT-3.9.3-1]
    // [MQTT-2.3.1-7]: one SUBACK with the SUBSCRIBE's id and one code per filter, in order,
    // including a failure (wildcards refused by this profile) in the middle. Only 0x00, 0x01,
    // 0x02 and 0x80 appear [MQTT-3.9.3-2].
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.wildcardSubscriptions = false;
    BrokerHarness h(profile);
    h.Connect(1, "sub");
    h.Send(1,
           MakeSubscribe(0x1234,
                         {{"x", Qos::ExactlyOnce},
                          {"y/#", Qos::AtLeastOnce},
                          {"z", Qos::AtMostOnce},
                          {"w", Qos::AtLeastOnce}}));
    EXPECT_EQ(h.TakeHex(1), "90 06 12 34 02 80 00 01");
    EXPECT_EQ(h.Engine().SubscriptionCount("sub"), 3u);
    auto granted = h.Events(EventType::SubscriptionGranted);
    ASSERT_EQ(granted.size(), 3u);
    EXPECT_EQ(granted[0].topic, "x");
    EXPECT_EQ(granted[0].code, 2);
    EXPECT_EQ(granted[2].topic, "w");
    auto denied = h.Events(EventType::SubscriptionDenied);
    ASSERT_EQ(denied.size(), 1u);
    EXPECT_EQ(denied[0].topic, "y/#");
    EXPECT_EQ(denied[0].code, SUBACK_FAILURE);
}

TEST(BrokerSubPub, Mqtt_3_8_4_3_IdenticalFilterReplacesTheSubscription)
{
    // [MQTT-3.8.4-3]: same filter again: one subscription, new QoS, flow uninterrupted.
    BrokerHarness h;
    h.ConnectPubSub("t", Qos::AtMostOnce, 1);
    h.Subscribe(2, "t", Qos::AtLeastOnce, 2);
    EXPECT_EQ(h.Engine().SubscriptionCount("sub"), 1u);
    EXPECT_EQ(h.Engine().TotalSubscriptionCount(), 1u);
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    EXPECT_EQ(h.TakeHex(2), "32 06 00 01 74 00 01 61");
    h.Subscribe(2, "t", Qos::AtMostOnce, 3);
    h.Send(1, MakePublish("t", "b", Qos::AtLeastOnce, 2));
    EXPECT_EQ(h.TakeHex(2), "30 04 00 01 74 62");
    // The QoS 1 delivery made before the replacement still completes.
    h.Send(2, PubackPacket{1});
    EXPECT_EQ(h.Count(EventType::MessageDelivered), 2u);
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 0u);
}

TEST(BrokerSubPub, Mqtt_3_10_4_1_UnsubscribeMatchesFiltersCharacterByCharacter)
{
    // [MQTT-3.10.4-1] [MQTT-3.10.4-4] [MQTT-3.10.4-5] [MQTT-2.3.1-7]: "a/b" does not remove
    // "a/+" (no wildcard interpretation), but UNSUBACK comes anyway, with the same id.
    BrokerHarness h;
    h.Connect(1, "sub");
    h.Subscribe(1, "a/+", Qos::AtMostOnce);
    h.FeedHex(1, "a2 07 00 07 00 03 61 2f 62"); // UNSUBSCRIBE id 7 "a/b"
    EXPECT_EQ(h.TakeHex(1), "b0 02 00 07");
    EXPECT_EQ(h.Engine().SubscriptionCount("sub"), 1u);
    EXPECT_EQ(h.Count(EventType::Unsubscribed), 0u);
    h.FeedHex(1, "a2 07 00 08 00 03 61 2f 2b"); // "a/+"
    EXPECT_EQ(h.TakeHex(1), "b0 02 00 08");
    EXPECT_EQ(h.Engine().SubscriptionCount("sub"), 0u);
    EXPECT_EQ(h.Events(EventType::Unsubscribed).at(0).topic, "a/+");
}

TEST(BrokerSubPub, Mqtt_3_10_4_6_MultiFilterUnsubscribeGetsOneUnsuback)
{
    // [MQTT-3.10.4-6] [MQTT-3.10.4-2]: both removed, one UNSUBACK, no new messages after it.
    BrokerHarness h;
    h.ConnectPubSub("a", Qos::AtMostOnce, 1);
    h.Subscribe(2, "b", Qos::AtMostOnce, 2);
    UnsubscribePacket u;
    u.packetId = 3;
    u.filters = {"a", "nothing", "b"};
    h.Send(2, u);
    EXPECT_EQ(h.TakeHex(2), "b0 02 00 03");
    EXPECT_EQ(h.Count(EventType::Unsubscribed), 2u);
    h.Send(1, MakePublish("a", "x", Qos::AtLeastOnce, 1));
    h.Send(1, MakePublish("b", "x"));
    EXPECT_EQ(h.TakeHex(2), "");
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 0u);
}

TEST(BrokerSubPub, Mqtt_3_10_4_3_InflightDeliveryCompletesAfterUnsubscribe)
{
    // [MQTT-3.10.4-3]: a QoS 1 and a QoS 2 delivery started before UNSUBSCRIBE complete.
    BrokerHarness h;
    h.ConnectPubSub("t", Qos::ExactlyOnce);
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    h.Send(1, MakePublish("t", "b", Qos::ExactlyOnce, 2));
    EXPECT_EQ(h.TakeHex(2), "32 06 00 01 74 00 01 61 34 06 00 01 74 00 02 62");
    h.FeedHex(2, "a2 05 00 09 00 01 74");
    EXPECT_EQ(h.TakeHex(2), "b0 02 00 09");
    h.Send(2, PubackPacket{1});
    h.Send(2, PubrecPacket{2});
    EXPECT_EQ(h.TakeHex(2), "62 02 00 02");
    h.Send(2, PubcompPacket{2});
    EXPECT_EQ(h.Count(EventType::MessageDelivered), 2u);
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 0u);
}

TEST(BrokerSubPub, Mqtt_3_12_4_1_PingreqGetsPingresp)
{
    // [MQTT-3.12.4-1]
    BrokerHarness h;
    h.Connect(1, "c");
    h.FeedHex(1, "c0 00 c0 00");
    EXPECT_EQ(h.TakeHex(1), "d0 00 d0 00");
}

TEST(BrokerSubPub, Mqtt_4_7_2_1_WildcardFiltersDoNotMatchDollarTopics)
{
    // [MQTT-4.7.2-1]: "#" and "+/x" do not get "$SYS/x"; "$SYS/#" does.
    BrokerHarness h;
    h.Connect(1, "pub");
    h.Connect(2, "all");
    h.Connect(3, "sys");
    h.Connect(4, "plus");
    h.Subscribe(2, "#", Qos::AtMostOnce);
    h.Subscribe(3, "$SYS/#", Qos::AtMostOnce);
    h.Subscribe(4, "+/x", Qos::AtMostOnce);
    h.Send(1, MakePublish("$SYS/x", "v"));
    EXPECT_EQ(h.TakeHex(2), "");
    EXPECT_EQ(h.TakeHex(4), "");
    EXPECT_EQ(h.TakeHex(3), "30 09 00 06 24 53 59 53 2f 78 76");
    h.Send(1, MakePublish("a/x", "v"));
    EXPECT_EQ(h.TakeHex(2), "30 06 00 03 61 2f 78 76");
    EXPECT_EQ(h.TakeHex(4), "30 06 00 03 61 2f 78 76");
}

TEST(BrokerSubPub, Mqtt_4_7_1_2_WildcardLevelsMatchAsSpecified)
{
    // [MQTT-4.7.1-2] [MQTT-4.7.1-3]: "sport/#" matches "sport"; "sport/+" matches "sport/"
    // but not "sport"; "+/+" matches "/finance".
    BrokerHarness h;
    h.Connect(1, "pub");
    h.Connect(2, "hash");
    h.Connect(3, "plus");
    h.Connect(4, "twoplus");
    h.Subscribe(2, "sport/#", Qos::AtMostOnce);
    h.Subscribe(3, "sport/+", Qos::AtMostOnce);
    h.Subscribe(4, "+/+", Qos::AtMostOnce);
    h.Send(1, MakePublish("sport", "1"));
    EXPECT_EQ(h.TakeHex(2), "30 08 00 05 73 70 6f 72 74 31");
    EXPECT_EQ(h.TakeHex(3), "");
    h.Send(1, MakePublish("sport/", "2"));
    EXPECT_EQ(h.TakeHex(2), "30 09 00 06 73 70 6f 72 74 2f 32");
    EXPECT_EQ(h.TakeHex(3), "30 09 00 06 73 70 6f 72 74 2f 32");
    EXPECT_EQ(h.TakeHex(4), "30 09 00 06 73 70 6f 72 74 2f 32");
    h.Send(1, MakePublish("/finance", "3"));
    EXPECT_EQ(h.TakeHex(4), "30 0b 00 08 2f 66 69 6e 61 6e 63 65 33");
}

TEST(BrokerSubPub, Mqtt_4_7_3_4_TopicsCompareAsRawBytes)
{
    // [MQTT-4.7.3-4]: U+00E9 precomposed (c3 a9) and decomposed (65 cc 81) are different
    // topics; no normalisation. Case matters too.
    BrokerHarness h;
    h.ConnectPubSub("caf\xc3\xa9", Qos::AtMostOnce);
    h.Send(1, MakePublish("cafe\xcc\x81", "x"));
    h.Send(1, MakePublish("CAF\xc3\xa9", "x"));
    EXPECT_EQ(h.TakeHex(2), "");
    h.Send(1, MakePublish("caf\xc3\xa9", "x"));
    EXPECT_EQ(h.TakeHex(2), "30 08 00 05 63 61 66 c3 a9 78");
}

TEST(BrokerSubPub, Mqtt_3_3_1_3_OutgoingDupDoesNotCopyTheIncomingOne)
{
    // [MQTT-3.3.1-3]: the publisher's DUP=1 is not passed on; the first delivery has DUP=0.
    BrokerHarness h;
    h.ConnectPubSub("t", Qos::AtLeastOnce);
    h.FeedHex(1, "3a 06 00 01 74 00 05 61"); // PUBLISH QoS 1, DUP 1, id 5
    EXPECT_EQ(h.TakeHex(1), "40 02 00 05");
    EXPECT_EQ(h.TakeHex(2), "32 06 00 01 74 00 01 61");
    auto received = h.Events(EventType::PublishReceived);
    ASSERT_EQ(received.size(), 1u);
    EXPECT_TRUE(received[0].dup);
}

TEST(BrokerSubPub, PublisherReceivesItsOwnMessageWhenSubscribed)
{
    BrokerHarness h;
    h.Connect(1, "self");
    h.Subscribe(1, "t", Qos::AtLeastOnce);
    h.Send(1, MakePublish("t", "x", Qos::AtLeastOnce, 3));
    EXPECT_EQ(h.TakeHex(1), "40 02 00 03 32 06 00 01 74 00 01 78");
}

TEST(BrokerSubPub, EmptyPayloadIsForwarded)
{
    BrokerHarness h;
    h.ConnectPubSub("t", Qos::AtMostOnce);
    h.FeedHex(1, "30 03 00 01 74");
    EXPECT_EQ(h.TakeHex(2), "30 03 00 01 74");
}

TEST(BrokerSubPub, ManySubscribersEachGetOneCopy)
{
    BrokerHarness h;
    h.Connect(1, "pub");
    for (ConnectionId c = 2; c < 52; ++c)
    {
        h.Connect(c, "s" + std::to_string(c));
        h.Subscribe(c, "fan/+", Qos::AtMostOnce);
    }
    h.Send(1, MakePublish("fan/out", "z"));
    for (ConnectionId c = 2; c < 52; ++c)
    {
        EXPECT_EQ(h.TakeHex(c), "30 0a 00 07 66 61 6e 2f 6f 75 74 7a") << c;
    }
    EXPECT_EQ(h.Count(EventType::MessageSent), 50u);
}

TEST(BrokerSubPub, Mqtt_4_7_3_3_LongestTopicIsRoutedAndRetained)
{
    // [MQTT-4.7.3-3]: a 65535-byte topic name (the most a string can hold) is a valid topic:
    // routed, retained and matched by a 65535-byte filter.
    BrokerHarness h;
    std::string topic(65535, 'x');
    h.Connect(1, "pub");
    h.Connect(2, "all");
    h.Subscribe(2, "#", Qos::AtMostOnce);
    h.Send(1, MakePublish(topic, "v", Qos::AtMostOnce, 0, true));
    std::vector<Packet> got = h.TakePackets(2);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(std::get<PublishPacket>(got[0]).topic, topic);
    EXPECT_EQ(h.Engine().RetainedCount(), 1u);
    h.Connect(3, "exact");
    h.Send(3, MakeSubscribe(1, {{topic, Qos::AtMostOnce}}));
    ASSERT_TRUE(h.TakeFirstPacket(3).has_value()); // SUBACK
    got = h.TakePackets(3);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(std::get<PublishPacket>(got[0]).retain);
}
