/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: the memory budget (profile memoryLimit, MqttMemoryBudget). Partial packets,
 * messages, sessions and subscriptions are charged at their estimated cost; what would pass the
 * limit is refused (the connection of a large partial packet closed, a message not queued or not
 * stored as retained, CONNACK 3, SUBACK 0x80) and everything else goes on. The costs used below: a
 * session 512 + 2 x client id bytes, a subscription 320 + 2 x filter bytes, a message 256 +
 * publisher id + topic + payload bytes.
 */
#include "mqtt-broker-settings.h"
#include "mqtt-broker-test-harness.h"
#include "mqtt-memory-budget.h"

using namespace brokertest;

TEST(BrokerMemory, BudgetChargesReleasesAndRefusesPerUse)
{
    MqttMemoryBudget b(1000);
    EXPECT_TRUE(b.Enabled());
    EXPECT_TRUE(b.TryCharge(MemoryUse::Sessions, 600));
    EXPECT_TRUE(b.Fits(400));
    EXPECT_FALSE(b.Fits(401));
    EXPECT_FALSE(b.TryCharge(MemoryUse::Messages, 401));
    EXPECT_EQ(b.Refused(MemoryUse::Messages), 1u);
    EXPECT_EQ(b.Used(MemoryUse::Messages), 0u);
    b.Release(MemoryUse::Sessions, 10000); // never below zero
    EXPECT_EQ(b.Used(), 0u);
    // A connection's partial packet is replaced, not added up; one read's worth is never refused.
    constexpr std::size_t A = MqttMemoryBudget::PARTIAL_ALLOWANCE;
    MqttMemoryBudget p(2 * A);
    EXPECT_TRUE(p.Partial(7, A));
    EXPECT_TRUE(p.Partial(7, 2 * A));
    EXPECT_EQ(p.Used(MemoryUse::PartialPackets), 2 * A);
    EXPECT_TRUE(p.Partial(8, 10)); // small: accepted over the limit
    EXPECT_EQ(p.Used(), 2 * A + 10);
    EXPECT_FALSE(p.Partial(8, A + 1)); // large and over: refused, the charge stays
    EXPECT_EQ(p.Refused(MemoryUse::PartialPackets), 1u);
    EXPECT_EQ(p.Used(), 2 * A + 10);
    EXPECT_TRUE(p.Partial(7, 100));
    EXPECT_EQ(p.Used(), 110u);
    p.ForgetPartial(7);
    p.ForgetPartial(8);
    EXPECT_EQ(p.Used(), 0u);
    EXPECT_STREQ(MemoryUseName(MemoryUse::PartialPackets), "partial-packets");
    EXPECT_STREQ(MemoryUseName(MemoryUse::Subscriptions), "subscriptions");
    // No limit: everything fits.
    MqttMemoryBudget none;
    EXPECT_FALSE(none.Enabled());
    EXPECT_TRUE(none.Fits(SIZE_MAX));
}

TEST(BrokerMemory, MemoryLimitIsABrokerSetting)
{
    MqttBrokerProfile p = MqttBrokerProfile::Standard311();
    EXPECT_EQ(p.memoryLimit, 0u); // simulated studies keep their behaviour: no limit
    EXPECT_FALSE(MqttBrokerSettings::Apply(&p, "memory-limit", "64MiB"));
    EXPECT_EQ(p.memoryLimit, 64u << 20);
    EXPECT_EQ(MqttBrokerSettings::Find("memory-limit")->format(p), "64MiB");
    auto error = MqttBrokerSettings::Apply(&p, "memory-limit", "lots");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->ToString(),
              "broker setting 'memory-limit': expected a size like 64MiB or 65536, got 'lots'");
}

TEST(BrokerMemory, SubscriptionOverTheLimitGetsFailureAndTheOthersAreGranted)
{
    // Session "a" (514) and two subscriptions "t/1", "t/2" (326 each) fill 1166 bytes exactly.
    BrokerHarness h(WithMemoryLimit(514 + 2 * 326));
    h.Connect(1, "a");
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::Sessions), 514u);
    h.TakeEvents();
    h.Send(1,
           MakeSubscribe(
               1, {{"t/1", Qos::AtMostOnce}, {"t/2", Qos::AtMostOnce}, {"t/3", Qos::AtMostOnce}}));
    // [MQTT-3.9.3-2]: 0x80 for the filter that could not be stored, in its place.
    EXPECT_EQ(h.TakeHex(1), "90 05 00 01 00 00 80");
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::Subscriptions), 652u);
    EXPECT_EQ(h.Engine().Memory().Refused(MemoryUse::Subscriptions), 1u);
    auto denied = h.Events(EventType::SubscriptionDenied);
    ASSERT_EQ(denied.size(), 1u);
    EXPECT_EQ(denied[0].dropReason, DropReason::MemoryLimit);
    EXPECT_STREQ(DropReasonName(denied[0].dropReason), "MemoryLimit");
    EXPECT_EQ(h.Engine().SubscriptionCount("a"), 2u);
    // Replacing a subscription stores nothing new: granted while full.
    h.Subscribe(1, "t/1", Qos::AtLeastOnce, 2);
    // UNSUBSCRIBE gives the bytes back, and the filter refused before now fits.
    UnsubscribePacket u;
    u.packetId = 3;
    u.filters = {"t/1"};
    h.Send(1, u);
    EXPECT_EQ(h.TakeHex(1), "b0 02 00 03");
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::Subscriptions), 326u);
    h.Subscribe(1, "t/3", Qos::AtMostOnce, 4);
    // The end of the clean session gives back the session and its subscriptions.
    h.NetClose(1);
    EXPECT_EQ(h.Engine().Memory().Used(), 0u);
}

TEST(BrokerMemory, NewSessionOverTheLimitGetsConnackServerUnavailable)
{
    BrokerHarness h(WithMemoryLimit(514 + 513));
    h.Connect(1, "a");
    h.Open(2);
    h.Send(2, MakeConnect("b"));
    EXPECT_EQ(h.TakeHex(2), "20 02 00 03"); // [MQTT-3.2.2-4]: then the connection is closed
    EXPECT_EQ(h.ClosedWith(2), CloseReason::MemoryLimit);
    EXPECT_EQ(h.Engine().Memory().Refused(MemoryUse::Sessions), 1u);
    EXPECT_TRUE(h.IsOpen(1));
    h.NetClose(1); // the clean session of "a" ends: its bytes come back
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::Sessions), 0u);
    h.Connect(3, "b");
}

TEST(BrokerMemory, MessageOverTheLimitIsNotQueued)
{
    // "pub" and "sub" (518 each), the subscription "t" (322), then one queued message of 100
    // bytes from "pub" on "t" (360): a second one does not fit. The publisher is acknowledged
    // (the message was routed); the offline subscriber's copy is dropped and reported.
    BrokerHarness h(WithMemoryLimit(518 + 518 + 322 + 360 + 359));
    h.ConnectPubAndOfflineSub("t", Qos::AtLeastOnce);
    const std::string payload(100, 'x');
    h.Send(1, MakePublish("t", payload, Qos::AtLeastOnce, 1));
    EXPECT_EQ(h.TakeHex(1), "40 02 00 01");
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 1u);
    h.TakeEvents();
    h.ClearLog();
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::Messages), 360u);
    h.Send(1, MakePublish("t", payload, Qos::AtLeastOnce, 2));
    EXPECT_EQ(h.TakeHex(1), "40 02 00 02");
    {
        auto drops = h.Events(EventType::MessageDropped); // holds the message while in scope
        ASSERT_EQ(drops.size(), 1u);
        EXPECT_EQ(drops[0].dropReason, DropReason::MemoryLimit);
        EXPECT_EQ(drops[0].peerId, "sub");
    }
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 1u);
    EXPECT_EQ(h.Engine().Memory().Refused(MemoryUse::Messages), 1u);
    EXPECT_TRUE(h.IsOpen(1));
    // Delivered and acknowledged, the message gives its bytes back.
    h.TakeEvents();
    h.ClearLog();
    h.Connect(2, "sub", false);
    EXPECT_EQ(h.TakeHex(2), "32 69 00 01 74 00 01 " + Hex(Payload(payload)));
    h.Send(2, PubackPacket{1});
    EXPECT_EQ(h.Engine().InflightCount("sub"), 0u);
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 0u);
    h.TakeEvents();
    h.ClearLog();
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::Messages), 0u);
}

TEST(BrokerMemory, PartialPacketOverTheLimitClosesItsConnectionOnly)
{
    BrokerHarness h(WithMemoryLimit(514 + 100000));
    h.Connect(1, "a");
    h.Open(2);
    // A CONNECT announcing 200,000 bytes, trickled: every byte received counts while it waits.
    h.Feed(2, std::vector<uint8_t>{0x10, 0xc0, 0x9a, 0x0c});
    h.Feed(2, std::vector<uint8_t>(50000, 0));
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::PartialPackets), 50004u);
    h.Feed(2, std::vector<uint8_t>(49996, 0)); // 100,000 buffered: exactly at the limit
    EXPECT_TRUE(h.IsOpen(2));
    // Half a PINGREQ from the well-behaved client: a small partial packet is never refused.
    h.FeedHex(1, "c0");
    EXPECT_TRUE(h.IsOpen(1));
    h.Feed(2, std::vector<uint8_t>(1, 0));
    EXPECT_EQ(h.ClosedWith(2), CloseReason::MemoryLimit);
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::PartialPackets), 1u);
    EXPECT_EQ(h.Engine().Memory().Refused(MemoryUse::PartialPackets), 1u);
    h.FeedHex(1, "00");
    EXPECT_EQ(h.TakeHex(1), "d0 00");
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::PartialPackets), 0u);
}

TEST(BrokerMemory, NewRetainedTopicOverTheLimitIsForwardedButNotStored)
{
    // "pub" (518) and one retained message "r/1" of 1 byte (256 + 3 + 3 + 1 = 263) fill it.
    BrokerHarness h(WithMemoryLimit(518 + 263));
    h.Connect(1, "pub");
    h.Send(1, MakePublish("r/1", "x", Qos::AtMostOnce, 0, true));
    EXPECT_EQ(h.Engine().RetainedCount(), 1u);
    h.TakeEvents();
    h.ClearLog();
    h.Send(1, MakePublish("r/2", "x", Qos::AtMostOnce, 0, true));
    EXPECT_EQ(h.Engine().RetainedCount(), 1u);
    {
        auto drops = h.Events(EventType::MessageDropped);
        ASSERT_EQ(drops.size(), 1u);
        EXPECT_EQ(drops[0].dropReason, DropReason::MemoryLimit);
    }
    // Replacing the message of a retained topic is not refused: the old one goes.
    h.Send(1, MakePublish("r/1", "y", Qos::AtMostOnce, 0, true));
    EXPECT_EQ(h.Engine().RetainedCount(), 1u);
    h.TakeEvents();
    h.ClearLog();
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::Messages), 263u);
    EXPECT_EQ(h.Engine().Memory().Refused(MemoryUse::Messages), 1u);
}
