/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: keep-alive (section 3.1.2.10) and timer handling.
 */
#include "mqtt-broker-test-harness.h"

using namespace brokertest;

namespace
{

std::size_t
CountStarts(const MqttActions& log)
{
    std::size_t n = 0;
    for (const MqttAction& a : log)
    {
        n += std::holds_alternative<StartTimerAction>(a) ? 1 : 0;
    }
    return n;
}

} // namespace

TEST(BrokerKeepAlive, Mqtt_3_1_2_24_SilenceForOneAndAHalfKeepAlivesCloses)
{
    // [MQTT-3.1.2-24]: keep-alive 10 s, nothing received: closed at exactly 15 s, as if the
    // network had failed, so the will is published.
    BrokerHarness h;
    h.Connect(1, "watcher");
    h.Subscribe(1, "w", Qos::AtMostOnce);
    ConnectPacket p = MakeConnect("dev", true, 10);
    p.will = Will{"w", Payload("x"), Qos::AtMostOnce, false};
    h.Connect(2, p);
    h.AdvanceTo(Nanos(seconds(15)) - Nanos(1));
    EXPECT_TRUE(h.IsOpen(2));
    h.AdvanceTo(seconds(15));
    EXPECT_EQ(h.ClosedWith(2), CloseReason::KeepAliveTimeout);
    EXPECT_EQ(h.TakeHex(1), "30 04 00 01 77 78");
    EXPECT_EQ(h.Engine().ActiveTimerCount(), 0u);
}

TEST(BrokerKeepAlive, Mqtt_3_1_2_24_ActivityPostponesTheDeadlineWithoutTimerChurn)
{
    // [MQTT-3.1.2-24]: any packet restarts the 15 s window. Packets do not touch the timer;
    // when it fires it re-arms for last activity + 15 s.
    BrokerHarness h;
    h.Connect(1, "dev", true, 10);
    std::size_t starts = CountStarts(h.Log());
    for (int i = 1; i <= 100; ++i)
    {
        h.AdvanceTo(milliseconds(100 * i));
        h.FeedHex(1, "c0 00");
    }
    EXPECT_EQ(CountStarts(h.Log()), starts); // 100 packets, no timer action
    // Last packet at 10 s: the timer fires at 15 s and re-arms for 25 s.
    h.AdvanceTo(seconds(15));
    EXPECT_TRUE(h.IsOpen(1));
    EXPECT_EQ(CountStarts(h.Log()), starts + 1);
    ASSERT_EQ(h.Timers().size(), 1u);
    EXPECT_EQ(h.Timers().begin()->second, seconds(25));
    h.AdvanceTo(Nanos(seconds(25)) - Nanos(1));
    EXPECT_TRUE(h.IsOpen(1));
    h.AdvanceTo(seconds(25));
    EXPECT_EQ(h.ClosedWith(1), CloseReason::KeepAliveTimeout);
}

TEST(BrokerKeepAlive, KeepAliveZeroMeansNoTimeout)
{
    BrokerHarness h;
    h.Connect(1, "dev", true, 0);
    EXPECT_TRUE(h.Timers().empty());
    h.Advance(seconds(1000000));
    EXPECT_TRUE(h.IsOpen(1));
}

TEST(BrokerKeepAlive, ProfileFactorAndClamp)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.keepAliveFactor = 2.0;
    profile.minKeepAlive = 30;
    profile.maxKeepAlive = 60;
    profile.keepAliveWhenZero = 45;
    profile.connectTimeout = Nanos(0);
    BrokerHarness h(profile);
    h.Connect(1, "low", true, 10);   // -> 30 s, x2
    h.Connect(2, "high", true, 100); // -> 60 s
    h.Connect(3, "zero", true, 0);   // -> 45 s
    h.Connect(4, "mid", true, 40);
    std::vector<Nanos> deadlines;
    for (const auto& t : h.Timers())
    {
        deadlines.push_back(t.second);
    }
    EXPECT_EQ(deadlines, (std::vector<Nanos>{seconds(60), seconds(120), seconds(90), seconds(80)}));
}

TEST(BrokerKeepAlive, FractionalFactor)
{
    BrokerHarness h;
    h.Connect(1, "dev", true, 1);
    ASSERT_EQ(h.Timers().size(), 1u);
    EXPECT_EQ(h.Timers().begin()->second, milliseconds(1500));
}

TEST(BrokerKeepAlive, ConnectTimerBecomesTheKeepAliveTimer)
{
    BrokerHarness h;
    h.Open(1);
    ASSERT_EQ(h.Timers().size(), 1u);
    TimerId id = h.Timers().begin()->first;
    h.Advance(seconds(5));
    h.Send(1, MakeConnect("dev", true, 20));
    ASSERT_EQ(h.Timers().size(), 1u);
    EXPECT_EQ(h.Timers().begin()->first, id);
    EXPECT_EQ(h.Timers().begin()->second, seconds(35));
}

TEST(BrokerKeepAlive, UnknownAndStaleTimersAreIgnored)
{
    BrokerHarness h;
    h.Connect(1, "dev", true, 10);
    TimerId id = h.Timers().begin()->first;
    h.FireTimer(id + 1000); // never started
    EXPECT_TRUE(h.IsOpen(1));
    h.FireTimer(id); // early (t = 0 < 15 s): re-armed, not closed
    EXPECT_TRUE(h.IsOpen(1));
    h.NetClose(1);
    h.Connect(2, "dev", true, 10);
    std::size_t before = h.Log().size();
    h.FireTimer(id); // the old connection's timer: stale
    EXPECT_EQ(h.Log().size(), before);
    EXPECT_TRUE(h.IsOpen(2));
}

TEST(BrokerKeepAlive, ClosingCancelsTheTimer)
{
    BrokerHarness h;
    h.Connect(1, "dev", true, 10);
    EXPECT_EQ(h.Timers().size(), 1u);
    h.FeedHex(1, "e0 00");
    EXPECT_TRUE(h.Timers().empty());
    EXPECT_EQ(h.Engine().ActiveTimerCount(), 0u);
}
