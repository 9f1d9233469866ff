/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: a client id connecting again while connected (section 3.1.4).
 */
#include "mqtt-broker-test-harness.h"

using namespace brokertest;

namespace
{

ConnectPacket
WithWill(const std::string& clientId, bool clean)
{
    ConnectPacket p = MakeConnect(clientId, clean);
    p.will = Will{"w", Payload("gone"), Qos::AtMostOnce, false};
    return p;
}

} // namespace

TEST(BrokerTakeover, Mqtt_3_1_4_2_NewConnectionClosesTheExistingOne)
{
    // [MQTT-3.1.4-2]: the existing connection is closed (Takeover); by default its will fires,
    // since it ended without DISCONNECT. The new one is accepted.
    BrokerHarness h;
    h.Connect(1, "watcher");
    h.Subscribe(1, "w", Qos::AtMostOnce);
    h.Connect(2, WithWill("dev", true));
    h.Connect(3, "dev");
    EXPECT_EQ(h.ClosedWith(2), CloseReason::Takeover);
    EXPECT_TRUE(h.IsOpen(3));
    EXPECT_EQ(h.TakeHex(1), "30 07 00 01 77 67 6f 6e 65");
    EXPECT_EQ(h.Engine().ConnectionCount(), 2u);
    EXPECT_TRUE(h.Engine().IsConnected("dev"));
    // Bytes that still arrive for the old connection are ignored.
    h.FeedHex(2, "c0 00");
    EXPECT_EQ(h.TakeHex(2), "");
}

TEST(BrokerTakeover, TakeoverWillCanBeDiscardedByTheProfile)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.takeoverWill = TakeoverWillPolicy::Discard;
    BrokerHarness h(profile);
    h.Connect(1, "watcher");
    h.Subscribe(1, "w", Qos::AtMostOnce);
    h.Connect(2, WithWill("dev", true));
    h.Connect(3, "dev");
    EXPECT_EQ(h.ClosedWith(2), CloseReason::Takeover);
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.Count(EventType::WillPublished), 0u);
}

TEST(BrokerTakeover, Mqtt_3_1_4_2_PersistentSessionMovesToTheNewConnection)
{
    // [MQTT-3.1.4-2] [MQTT-3.2.2-2] [MQTT-4.4.0-1]: the session is resumed by the new
    // connection (Session Present 1) and its unacknowledged message is re-sent there.
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.sessionExpiry = seconds(60);
    BrokerHarness h(profile);
    h.ConnectPubAndPersistentSub("t", Qos::AtLeastOnce);
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    EXPECT_EQ(h.TakeHex(2), "32 06 00 01 74 00 01 61");
    EXPECT_TRUE(h.Connect(3, "sub", false));
    EXPECT_EQ(h.ClosedWith(2), CloseReason::Takeover);
    EXPECT_EQ(h.TakeHex(3), "3a 06 00 01 74 00 01 61");
    EXPECT_EQ(h.Engine().SessionCount(), 2u);
    EXPECT_TRUE(h.Timers().empty()); // the session never waited: no expiry timer
}

TEST(BrokerTakeover, CleanTakeoverOfAPersistentSessionStartsAfresh)
{
    BrokerHarness h;
    h.Connect(2, "sub", false);
    h.Subscribe(2, "t", Qos::AtLeastOnce);
    EXPECT_FALSE(h.Connect(3, "sub", true));
    EXPECT_EQ(h.ClosedWith(2), CloseReason::Takeover);
    EXPECT_EQ(h.Engine().SubscriptionCount("sub"), 0u);
}

TEST(BrokerTakeover, RejectNewPolicyRefusesTheSecondConnection)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.takeover = TakeoverPolicy::RejectNew;
    BrokerHarness h(profile);
    h.Connect(1, "dev");
    h.Open(2);
    h.Send(2, MakeConnect("dev"));
    EXPECT_EQ(h.TakeHex(2), "20 02 00 02");
    EXPECT_EQ(h.ClosedWith(2), CloseReason::ConnectRefused);
    EXPECT_TRUE(h.IsOpen(1));
    h.FeedHex(1, "c0 00");
    EXPECT_EQ(h.TakeHex(1), "d0 00");
}
