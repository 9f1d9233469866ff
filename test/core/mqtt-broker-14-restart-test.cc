/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: Shutdown() and Resume(), a broker restart that keeps its state (a broker with
 * persistence). What survives: persistent sessions (subscriptions, queued and in-flight
 * deliveries, inbound QoS 2 ids), retained messages, session-expiry timers. What does not:
 * connections, clean sessions, per-connection timers.
 */
#include "mqtt-broker-test-harness.h"

using namespace brokertest;

TEST(BrokerRestart, PersistentSubscriberFindsItsSessionAndWhatWasQueuedWhileItWasAway)
{
    // [MQTT-3.1.2-4] [MQTT-3.1.2-5] [MQTT-3.2.2-2]: the session outlives the broker's restart;
    // a QoS 1 message published after the restart, while the subscriber has not yet come back,
    // is queued for it and sent after the CONNACK with Session Present 1.
    BrokerHarness h;
    EXPECT_FALSE(h.Connect(1, "sub", false));
    h.Subscribe(1, "t", Qos::AtLeastOnce);
    h.Connect(2, "pub");
    h.Shutdown();
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ServerShutdown);
    EXPECT_EQ(h.ClosedWith(2), CloseReason::ServerShutdown);
    EXPECT_TRUE(h.Engine().IsShutDown());
    EXPECT_EQ(h.Engine().SessionCount(), 1u); // pub's clean session ended with its connection
    EXPECT_EQ(h.Engine().SubscriptionCount("sub"), 1u);
    h.Advance(seconds(10));
    h.TakeEvents();

    h.Resume();
    EXPECT_FALSE(h.Engine().IsShutDown());
    EXPECT_FALSE(h.Connect(3, "pub")); // [MQTT-3.2.2-1]
    h.Send(3, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    EXPECT_EQ(h.TakeHex(3), "40 02 00 01");
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 1u);
    ASSERT_EQ(h.Count(EventType::MessageQueued), 1u);
    EXPECT_EQ(h.Events(EventType::MessageQueued)[0].peerId, "sub");

    h.Open(4);
    h.Send(4, MakeConnect("sub", false));
    EXPECT_EQ(h.TakeHex(4), "20 02 01 00 32 06 00 01 74 00 01 61");
    h.FeedHex(4, "40 02 00 01");
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 0u);
    EXPECT_EQ(h.Count(EventType::MessageDelivered), 1u);
}

TEST(BrokerRestart, Mqtt_4_4_0_1_DeliveryInFlightAtShutdownIsResentWithDupAfterResume)
{
    // [MQTT-4.4.0-1]: the PUBLISH the subscriber never acknowledged goes again with DUP=1 and
    // its original packet id when the subscriber reconnects to the restarted broker.
    BrokerHarness h;
    h.Connect(1, "sub", false);
    h.Subscribe(1, "t", Qos::AtLeastOnce);
    h.Connect(2, "pub");
    h.Send(2, MakePublish("t", "a", Qos::AtLeastOnce, 9));
    EXPECT_EQ(h.TakeHex(1), "32 06 00 01 74 00 01 61");
    h.Shutdown();
    EXPECT_EQ(h.Engine().InflightCount("sub"), 1u);
    h.Resume();
    h.Open(3);
    h.Send(3, MakeConnect("sub", false));
    EXPECT_EQ(h.TakeHex(3), "20 02 01 00 3a 06 00 01 74 00 01 61");
    h.FeedHex(3, "40 02 00 01");
    EXPECT_EQ(h.Engine().InflightCount("sub"), 0u);
}

TEST(BrokerRestart, Mqtt_4_3_3_2_InboundQos2IdSurvivesTheRestart)
{
    // [MQTT-4.3.3-2]: the publisher's QoS 2 id awaiting PUBREL is part of its session; the
    // PUBLISH it sends again after the restart (DUP=1, same id) is answered PUBREC and not
    // delivered a second time.
    BrokerHarness h;
    h.Connect(1, "watch", false);
    h.Subscribe(1, "t", Qos::AtMostOnce);
    h.Connect(2, "pub", false);
    h.Send(2, MakePublish("t", "q", Qos::ExactlyOnce, 7));
    EXPECT_EQ(h.TakeHex(2), "50 02 00 07");
    EXPECT_EQ(h.TakeHex(1), "30 04 00 01 74 71");
    h.Shutdown();
    EXPECT_EQ(h.Engine().PendingPubrelCount("pub"), 1u);
    h.Resume();
    EXPECT_TRUE(h.Connect(3, "watch", false));
    EXPECT_TRUE(h.Connect(4, "pub", false));
    h.TakeEvents();
    h.Send(4, MakePublish("t", "q", Qos::ExactlyOnce, 7, false, true));
    EXPECT_EQ(h.TakeHex(4), "50 02 00 07");
    EXPECT_EQ(h.Count(EventType::PublishReceived), 0u);
    EXPECT_EQ(h.TakeHex(3), "");
    h.FeedHex(4, "62 02 00 07");
    EXPECT_EQ(h.TakeHex(4), "70 02 00 07");
    EXPECT_EQ(h.Engine().PendingPubrelCount("pub"), 0u);
}

TEST(BrokerRestart, RetainedMessagesSurviveTheRestart)
{
    // [MQTT-3.3.1-5] [MQTT-3.3.1-6]: stored before the shutdown, sent to a subscription made
    // after the resume.
    BrokerHarness h;
    h.Connect(1, "pub");
    h.Send(1, MakePublish("r", "x", Qos::AtMostOnce, 0, true));
    h.Shutdown();
    EXPECT_EQ(h.Engine().RetainedCount(), 1u);
    h.Resume();
    h.Connect(2, "late");
    h.Subscribe(2, "r", Qos::AtMostOnce);
    EXPECT_EQ(h.TakeHex(2), "31 04 00 01 72 78");
}

TEST(BrokerRestart, RefusedWhileShutDownAcceptedAfterResume)
{
    BrokerHarness h;
    h.Connect(1, "a", false);
    h.Shutdown();
    h.Open(2);
    h.Send(2, MakeConnect("a", false));
    EXPECT_EQ(h.TakeHex(2), "20 02 00 03");
    EXPECT_EQ(h.ClosedWith(2), CloseReason::ConnectRefused);
    h.Resume();
    h.Open(3);
    h.Send(3, MakeConnect("a", false));
    EXPECT_EQ(h.TakeHex(3), "20 02 01 00");
}

TEST(BrokerRestart, ResumeOfARunningEngineDoesNothing)
{
    BrokerHarness h;
    h.Connect(1, "a", false, 10);
    const std::size_t actions = h.Log().size();
    h.Resume();
    EXPECT_EQ(h.Log().size(), actions);
    EXPECT_FALSE(h.Engine().IsShutDown());
    EXPECT_TRUE(h.IsOpen(1));
    EXPECT_TRUE(h.Engine().IsConnected("a"));
}

TEST(BrokerRestart, ShutdownLeavesOnlySessionExpiryTimersAndTheyRunWhileDown)
{
    // Keep-alive and CONNECT deadlines are cancelled with their connections; the expiry of the
    // persistent session, started at the shutdown, keeps running across it.
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.sessionExpiry = seconds(60);
    BrokerHarness h(profile);
    h.Connect(1, "sub", false, 10);
    h.Subscribe(1, "t", Qos::AtLeastOnce);
    h.Connect(2, "pub", true, 10);
    h.Open(3); // no CONNECT yet: its deadline is running
    EXPECT_EQ(h.Timers().size(), 3u);
    h.Advance(seconds(5));
    h.Shutdown();
    ASSERT_EQ(h.Timers().size(), 1u);
    EXPECT_EQ(h.Timers().begin()->second, Nanos(seconds(65)));
    EXPECT_EQ(h.Engine().ActiveTimerCount(), 1u);

    h.Advance(seconds(15));
    h.Resume();
    h.Connect(4, "pub");
    h.Send(4, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 1u);
    h.TakeEvents();
    h.AdvanceTo(seconds(65) - Nanos(1));
    EXPECT_EQ(h.Engine().SessionCount(), 2u);
    h.AdvanceTo(seconds(65));
    EXPECT_EQ(h.Engine().SessionCount(), 1u);
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::SessionExpired);
    EXPECT_EQ(dropped[0].peerId, "sub");
    EXPECT_FALSE(h.Connect(5, "sub", false)); // [MQTT-3.2.2-3]
}

TEST(BrokerRestart, ReconnectBeforeExpiryAfterResumeCancelsIt)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.sessionExpiry = seconds(60);
    BrokerHarness h(profile);
    h.Connect(1, "sub", false);
    h.Shutdown(); // t = 0: expiry at 60 s
    h.Advance(seconds(10));
    h.Resume();
    h.Advance(seconds(20));
    EXPECT_TRUE(h.Connect(2, "sub", false));
    EXPECT_TRUE(h.Timers().empty());
    h.Advance(seconds(100));
    EXPECT_EQ(h.Engine().SessionCount(), 1u);
    EXPECT_TRUE(h.Engine().IsConnected("sub"));
}

TEST(BrokerRestart, PacedDrainStopsAtShutdownAndStartsAgainOnTheNextResume)
{
    // offlineDrainRate 10/s: the stored messages go one per 100 ms after each reconnect; the
    // drain timer dies with the connection at the shutdown, and the restarted broker paces what
    // is left (the unacknowledged re-send first) from the reconnect on.
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.offlineDrainRate = 10;
    BrokerHarness h(profile);
    h.Connect(1, "sub", false);
    h.Subscribe(1, "t", Qos::AtLeastOnce);
    h.NetClose(1);
    h.Connect(2, "pub");
    h.Send(2, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    h.Send(2, MakePublish("t", "b", Qos::AtLeastOnce, 2));
    h.Send(2, MakePublish("t", "c", Qos::AtLeastOnce, 3));
    h.TakeHex(2);
    h.Connect(3, "sub", false);
    EXPECT_EQ(h.TakeHex(3), "32 06 00 01 74 00 01 61");
    EXPECT_EQ(h.Timers().size(), 1u); // the next drain slot
    h.Advance(milliseconds(50));
    h.Shutdown();
    EXPECT_TRUE(h.Timers().empty());
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 3u);
    h.Advance(seconds(1));
    h.Resume();
    EXPECT_TRUE(h.Connect(4, "sub", false)); // t = 1.05 s
    EXPECT_EQ(h.TakeHex(4), "3a 06 00 01 74 00 01 61");
    h.Advance(milliseconds(99));
    EXPECT_EQ(h.TakeHex(4), "");
    h.Advance(milliseconds(1));
    EXPECT_EQ(h.TakeHex(4), "32 06 00 01 74 00 02 62");
    h.Advance(milliseconds(100));
    EXPECT_EQ(h.TakeHex(4), "32 06 00 01 74 00 03 63");
}
