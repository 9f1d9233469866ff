/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: clean and persistent sessions, the offline queue and session expiry
 * (sections 3.1.2.4, 4.1).
 */
#include "mqtt-broker-test-harness.h"

using namespace brokertest;

TEST(BrokerSession, Mqtt_3_1_2_4_PersistentSessionKeepsItsSubscriptions)
{
    // [MQTT-3.1.2-4] [MQTT-4.1.0-1] [MQTT-3.1.3-2]: the session, keyed by client id, outlives
    // the connection; the client gets messages without subscribing again.
    BrokerHarness h;
    h.Connect(1, "pub");
    EXPECT_FALSE(h.Connect(2, "sub", false));
    h.Subscribe(2, "t", Qos::AtLeastOnce);
    h.Send(2, DisconnectPacket{});
    EXPECT_EQ(h.Engine().SessionCount(), 2u);
    EXPECT_FALSE(h.Engine().IsConnected("sub"));
    EXPECT_TRUE(h.Connect(3, "sub", false));
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    EXPECT_EQ(h.TakeHex(3), "32 06 00 01 74 00 01 61");
}

TEST(BrokerSession, Mqtt_3_1_2_5_OfflineSessionCollectsQos1And2ButNotQos0)
{
    // [MQTT-3.1.2-5]: QoS 1 and 2 messages are kept for the disconnected client and sent in
    // order when it returns; QoS 0 is dropped (QosZeroOffline) with this profile.
    BrokerHarness h;
    h.ConnectPubAndOfflineSub("t", Qos::ExactlyOnce);
    h.Send(1, MakePublish("t", "1", Qos::AtLeastOnce, 1));
    h.Send(1, MakePublish("t", "0"));
    h.Send(1, MakePublish("t", "2", Qos::ExactlyOnce, 2));
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 2u);
    auto queued = h.Events(EventType::MessageQueued);
    ASSERT_EQ(queued.size(), 2u);
    EXPECT_EQ(queued[0].connection, 0u);
    EXPECT_EQ(queued[0].peerId, "sub");
    EXPECT_EQ(queued[1].queueDepth, 2u);
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::QosZeroOffline);
    EXPECT_EQ(dropped[0].peerId, "sub");
    EXPECT_TRUE(h.Connect(3, "sub", false));
    EXPECT_EQ(h.TakeHex(3), "32 06 00 01 74 00 01 31 34 06 00 01 74 00 02 32");
}

TEST(BrokerSession, QueueQos0OfflineWhenTheProfileSaysSo)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.queueQos0Offline = true;
    BrokerHarness h(profile);
    h.ConnectPubAndOfflineSub("t", Qos::AtLeastOnce);
    h.Send(1, MakePublish("t", "a"));
    h.Send(1, MakePublish("t", "b", Qos::AtLeastOnce, 1));
    h.Send(1, MakePublish("t", "c"));
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 3u);
    EXPECT_TRUE(h.Connect(3, "sub", false));
    EXPECT_EQ(h.TakeHex(3), "30 04 00 01 74 61 32 06 00 01 74 00 01 62 30 04 00 01 74 63");
}

TEST(BrokerSession, Mqtt_3_1_2_6_CleanSessionDiscardsTheStoredOne)
{
    // [MQTT-3.1.2-6] [MQTT-3.1.4-3]: CleanSession=1 drops the stored session, its
    // subscriptions and queued messages (reported SessionDiscarded); its state is not reused
    // by a later session.
    BrokerHarness h;
    h.ConnectPubAndOfflineSub("t", Qos::AtLeastOnce);
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    EXPECT_FALSE(h.Connect(3, "sub", true));
    EXPECT_EQ(h.TakeHex(3), "");
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::SessionDiscarded);
    EXPECT_EQ(h.Engine().SubscriptionCount("sub"), 0u);
    EXPECT_EQ(h.Engine().TotalSubscriptionCount(), 0u);
    h.Send(1, MakePublish("t", "b", Qos::AtLeastOnce, 2));
    EXPECT_EQ(h.TakeHex(3), "");
    h.NetClose(3);
    EXPECT_EQ(h.Engine().SessionCount(), 1u); // the clean session ended with its connection
    EXPECT_FALSE(h.Connect(4, "sub", false));
}

TEST(BrokerSession, Mqtt_4_1_0_2_CleanSessionLastsAsLongAsItsConnection)
{
    // [MQTT-4.1.0-2] [MQTT-4.1.0-1]: the session holds state for the whole connection,
    // in-flight messages included; it ends with the connection, reporting what was pending.
    BrokerHarness h;
    h.ConnectPubSub("t", Qos::AtLeastOnce);
    h.Advance(seconds(3600));
    EXPECT_EQ(h.Engine().SessionCount(), 2u);
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 1u);
    h.NetClose(2);
    EXPECT_EQ(h.Engine().SessionCount(), 1u);
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::SessionDiscarded);
    EXPECT_EQ(dropped[0].message->id, 1u);
}

TEST(BrokerSession, QueueFullDropsTheNewestByDefault)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxQueuedMessages = 2;
    BrokerHarness h(profile);
    h.ConnectPubAndOfflineSub("t", Qos::AtLeastOnce);
    for (const char* p : {"1", "2", "3"})
    {
        h.Send(1, MakePublish("t", p, Qos::AtLeastOnce, 1));
    }
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 2u);
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::QueueFull);
    EXPECT_EQ(dropped[0].message->id, 3u);
    h.Connect(3, "sub", false);
    EXPECT_EQ(h.TakeHex(3), "32 06 00 01 74 00 01 31 32 06 00 01 74 00 02 32");
}

TEST(BrokerSession, QueueFullDropsTheOldestWhenTheProfileSaysSo)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxQueuedMessages = 2;
    profile.queueDropPolicy = QueueDropPolicy::DropOldest;
    BrokerHarness h(profile);
    h.ConnectPubAndOfflineSub("t", Qos::AtLeastOnce);
    for (const char* p : {"1", "2", "3"})
    {
        h.Send(1, MakePublish("t", p, Qos::AtLeastOnce, 1));
    }
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].message->id, 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::QueueFull);
    h.Connect(3, "sub", false);
    EXPECT_EQ(h.TakeHex(3), "32 06 00 01 74 00 01 32 32 06 00 01 74 00 02 33");
}

TEST(BrokerSession, QueueBoundAppliesWhileConnectedBehindTheWindow)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxInflightOut = 1;
    profile.maxQueuedMessages = 1;
    BrokerHarness h(profile);
    h.ConnectPubSub("t", Qos::AtLeastOnce);
    for (const char* p : {"1", "2", "3"})
    {
        h.Send(1, MakePublish("t", p, Qos::AtLeastOnce, 1));
    }
    EXPECT_EQ(h.Engine().InflightCount("sub"), 1u);
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 2u);
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].connection, 2u);
}

TEST(BrokerSession, SessionExpiryDiscardsADisconnectedPersistentSession)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.sessionExpiry = seconds(60);
    BrokerHarness h(profile);
    h.ConnectPubAndPersistentSub("t", Qos::AtLeastOnce);
    h.NetClose(2); // t = 0
    h.Advance(seconds(59));
    EXPECT_TRUE(h.Connect(3, "sub", false)); // resumed in time: the expiry is cancelled
    h.Advance(seconds(100));
    EXPECT_EQ(h.Engine().SessionCount(), 2u);
    h.Send(3, DisconnectPacket{}); // t = 159
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    h.Send(1, MakePublish("t", "b", Qos::ExactlyOnce, 2));
    h.Advance(seconds(59));
    EXPECT_EQ(h.Engine().SessionCount(), 2u);
    h.Advance(seconds(1));
    EXPECT_EQ(h.Engine().SessionCount(), 1u);
    EXPECT_EQ(h.Engine().TotalSubscriptionCount(), 0u);
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 2u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::SessionExpired);
    EXPECT_EQ(dropped[1].dropReason, DropReason::SessionExpired);
    EXPECT_EQ(dropped[0].peerId, "sub");
    EXPECT_FALSE(h.Connect(4, "sub", false));
    EXPECT_EQ(h.Engine().ActiveTimerCount(), 0u);
}

TEST(BrokerSession, PersistentSessionsNeverExpireByDefault)
{
    BrokerHarness h;
    h.Connect(1, "sub", false);
    h.NetClose(1);
    EXPECT_TRUE(h.Timers().empty());
    h.Advance(seconds(1000000));
    EXPECT_TRUE(h.Connect(2, "sub", false));
}

TEST(BrokerSession, InflightAndQueuedSurviveADisconnect)
{
    // In flight (window 1) and waiting messages both stay with the persistent session.
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxInflightOut = 1;
    BrokerHarness h(profile);
    h.ConnectPubAndPersistentSub("t", Qos::AtLeastOnce);
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    h.Send(1, MakePublish("t", "b", Qos::AtLeastOnce, 2));
    EXPECT_EQ(h.TakeHex(2), "32 06 00 01 74 00 01 61");
    h.NetClose(2);
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 2u);
    EXPECT_TRUE(h.Connect(3, "sub", false));
    EXPECT_EQ(h.TakeHex(3), "3a 06 00 01 74 00 01 61");
    h.FeedHex(3, "40 02 00 01");
    EXPECT_EQ(h.TakeHex(3), "32 06 00 01 74 00 02 62");
}
