/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: will messages (sections 3.1.2.5 to 3.1.2.7, 3.14.4).
 */
#include "mqtt-broker-test-harness.h"

using namespace brokertest;

namespace
{

ConnectPacket
WithWill(const std::string& clientId, Qos qos, bool retain, bool clean = true)
{
    ConnectPacket p = MakeConnect(clientId, clean);
    p.will = Will{"w", Payload("bye"), qos, retain};
    return p;
}

} // namespace

TEST(BrokerWill, Mqtt_3_1_2_8_WillPublishedWhenTheNetworkCloses)
{
    // [MQTT-3.1.2-8] [MQTT-3.1.2-16]: stored at CONNECT, published when the connection ends
    // without DISCONNECT, as a non-retained message with its QoS.
    BrokerHarness h;
    h.Connect(1, "watcher");
    h.Subscribe(1, "w", Qos::ExactlyOnce);
    // CONNECT "dev", will "w"/"bye" QoS 1, by hand: flags 0x0e (will QoS 1, will, clean).
    h.Open(2);
    h.FeedHex(2, "10 17 00 04 4d 51 54 54 04 0e 00 00 00 03 64 65 76 00 01 77 00 03 62 79 65");
    EXPECT_EQ(h.TakeHex(2), "20 02 00 00");
    EXPECT_EQ(h.TakeHex(1), "");
    h.NetClose(2);
    EXPECT_EQ(h.TakeHex(1), "32 08 00 01 77 00 01 62 79 65");
    auto wills = h.Events(EventType::WillPublished);
    ASSERT_EQ(wills.size(), 1u);
    EXPECT_EQ(wills[0].clientId, "dev");
    EXPECT_EQ(wills[0].topic, "w");
    EXPECT_EQ(wills[0].qos, Qos::AtLeastOnce);
    EXPECT_EQ(h.Engine().RetainedCount(), 0u);
    EXPECT_EQ(h.Events(EventType::ConnectionClosed).back().closeReason, CloseReason::NetworkClosed);
}

TEST(BrokerWill, Mqtt_3_1_2_17_RetainedWillIsStoredAsRetained)
{
    // [MQTT-3.1.2-17]: will retain 1: stored as the topic's retained message; an existing
    // subscriber gets it with RETAIN=0 [MQTT-3.3.1-9], a later one with RETAIN=1.
    BrokerHarness h;
    h.Connect(1, "watcher");
    h.Subscribe(1, "w", Qos::AtMostOnce);
    h.Connect(2, WithWill("dev", Qos::AtMostOnce, true));
    h.NetClose(2);
    EXPECT_EQ(h.TakeHex(1), "30 06 00 01 77 62 79 65");
    EXPECT_EQ(h.Engine().RetainedCount(), 1u);
    h.Connect(3, "late");
    h.Send(3, MakeSubscribe(1, {{"w", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(3), "90 03 00 01 00 31 06 00 01 77 62 79 65");
}

TEST(BrokerWill, Mqtt_3_14_4_3_DisconnectDiscardsTheWill)
{
    // [MQTT-3.14.4-3] [MQTT-3.1.2-10]
    BrokerHarness h;
    h.Connect(1, "watcher");
    h.Subscribe(1, "w", Qos::AtMostOnce);
    h.Connect(2, WithWill("dev", Qos::AtLeastOnce, false));
    h.FeedHex(2, "e0 00");
    EXPECT_EQ(h.ClosedWith(2), CloseReason::ClientDisconnect);
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.Count(EventType::WillPublished), 0u);
}

TEST(BrokerWill, Mqtt_3_1_2_12_NoWillNoPublication)
{
    // [MQTT-3.1.2-12]
    BrokerHarness h;
    h.Connect(1, "watcher");
    h.Subscribe(1, "#", Qos::AtMostOnce);
    h.Connect(2, "dev");
    h.NetClose(2);
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.Count(EventType::WillPublished), 0u);
}

TEST(BrokerWill, WillPublishedAfterAProtocolError)
{
    // Section 3.1.2.5: a server close for a protocol error fires the will; [MQTT-3.1.2-10]:
    // once only.
    BrokerHarness h;
    h.Connect(1, "watcher");
    h.Subscribe(1, "w", Qos::AtMostOnce);
    h.Connect(2, WithWill("dev", Qos::AtMostOnce, false));
    h.FeedHex(2, "60 02 00 01"); // PUBREL with flags 0
    EXPECT_EQ(h.ClosedWith(2), CloseReason::ProtocolError);
    EXPECT_EQ(h.TakeHex(1), "30 06 00 01 77 62 79 65");
    h.NetClose(2); // the driver reports it anyway: nothing happens
    h.FeedHex(2, "c0 00");
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.Count(EventType::WillPublished), 1u);
}

TEST(BrokerWill, Qos2WillReachesAQos2SubscriberAtQos2)
{
    BrokerHarness h;
    h.Connect(1, "watcher");
    h.Subscribe(1, "w", Qos::ExactlyOnce);
    h.Connect(2, WithWill("dev", Qos::ExactlyOnce, false));
    h.NetClose(2);
    EXPECT_EQ(h.TakeHex(1), "34 08 00 01 77 00 01 62 79 65");
}

TEST(BrokerWill, WillReachesAnOfflinePersistentSubscriberLater)
{
    BrokerHarness h;
    h.Connect(1, "watcher", false);
    h.Subscribe(1, "w", Qos::AtLeastOnce);
    h.NetClose(1);
    h.Connect(2, WithWill("dev", Qos::AtLeastOnce, false));
    h.NetClose(2);
    EXPECT_EQ(h.Engine().QueueDepth("watcher"), 1u);
    EXPECT_TRUE(h.Connect(3, "watcher", false));
    EXPECT_EQ(h.TakeHex(3), "32 08 00 01 77 00 01 62 79 65");
}

TEST(BrokerWill, WillIsNotPublishedOnShutdown)
{
    BrokerHarness h;
    h.Connect(1, "watcher", false);
    h.Subscribe(1, "w", Qos::AtLeastOnce);
    h.Connect(2, WithWill("dev", Qos::AtLeastOnce, false));
    h.Shutdown();
    EXPECT_EQ(h.Count(EventType::WillPublished), 0u);
    EXPECT_EQ(h.Engine().QueueDepth("watcher"), 0u);
}
