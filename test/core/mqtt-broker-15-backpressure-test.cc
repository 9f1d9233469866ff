/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: back-pressure on publishers (MqttBrokerEngine::SetBackPressure). A publisher
 * whose messages queue up behind a connected subscriber has its input paused, in order, until
 * that queue is half as long; pauses are bounded in time.
 */
#include "mqtt-broker-test-harness.h"

using namespace brokertest;

namespace
{

/** One window slot per subscriber, so every message after the first queues. */
MqttBrokerProfile
OneInFlight()
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxInflightOut = 1;
    profile.maxQueuedMessages = 10;
    return profile;
}

/** QoS 1 PUBLISHes on "t" with ids @p first..@p last, one byte payload, in one buffer. */
std::vector<uint8_t>
Publishes(uint16_t first, uint16_t last)
{
    std::vector<uint8_t> bytes;
    for (uint16_t id = first; id <= last; ++id)
    {
        Encode(MakePublish("t", "m", Qos::AtLeastOnce, id), bytes);
    }
    return bytes;
}

std::string
Pubacks(uint16_t first, uint16_t last)
{
    std::string hex;
    for (uint16_t id = first; id <= last; ++id)
    {
        hex += (hex.empty() ? "" : " ") + HexOf(PubackPacket{id});
    }
    return hex;
}

} // namespace

TEST(BrokerBackPressure, OffByDefault)
{
    BrokerHarness h(OneInFlight());
    h.ConnectPubSub("t", Qos::AtLeastOnce);
    h.Feed(1, Publishes(1, 8));
    EXPECT_EQ(h.TakeHex(1), Pubacks(1, 8));
    EXPECT_FALSE(h.Engine().IsInputPaused(1));
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 8u); // 1 in flight, 7 queued
}

TEST(BrokerBackPressure, PausesThePublisherUntilTheQueueIsHalfAsLong)
{
    // [MQTT-4.6.0-2]: the PUBACKs still go out in the order the PUBLISHes came, across pauses.
    BrokerHarness h(OneInFlight());
    h.Engine().SetBackPressure(4, seconds(1));
    h.ConnectPubSub("t", Qos::AtLeastOnce);
    h.Feed(1, Publishes(1, 8));
    // Message 1 goes out, 2..5 queue; the fifth finds 4 queued and pauses the publisher. 6..8
    // wait in the engine.
    EXPECT_EQ(h.TakeHex(1), Pubacks(1, 5));
    EXPECT_TRUE(h.Engine().IsInputPaused(1));
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 5u);
    EXPECT_EQ(h.TakeHex(2), HexOf(MakePublish("t", "m", Qos::AtLeastOnce, 1)));
    // More bytes of a paused publisher wait too.
    h.Feed(1, Publishes(9, 9));
    EXPECT_EQ(h.TakeHex(1), "");

    h.Send(2, PubackPacket{1}); // message 2 out, 3 queued: still more than 4 / 2
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_TRUE(h.Engine().IsInputPaused(1));
    h.Send(2, PubackPacket{2}); // message 3 out, 2 queued: the publisher goes on
    // 6 and 7 queue (4 again): paused once more, with 8 and 9 waiting.
    EXPECT_EQ(h.TakeHex(1), Pubacks(6, 7));
    EXPECT_TRUE(h.Engine().IsInputPaused(1));
    EXPECT_EQ(h.Count(EventType::MessageDropped), 0u);

    // The subscriber takes everything: nothing is lost, all in order.
    std::vector<uint16_t> got;
    for (uint16_t id = 3; id <= 9; ++id)
    {
        h.Send(2, PubackPacket{id});
    }
    for (const Packet& p : h.TakePackets(2))
    {
        ASSERT_TRUE(std::holds_alternative<PublishPacket>(p));
        got.push_back(std::get<PublishPacket>(p).packetId);
    }
    EXPECT_EQ(got, (std::vector<uint16_t>{2, 3, 4, 5, 6, 7, 8, 9}));
    EXPECT_EQ(h.TakeHex(1), Pubacks(8, 9));
    EXPECT_FALSE(h.Engine().IsInputPaused(1));
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 0u);
    // Each release cancelled its pause timer.
    EXPECT_EQ(h.Engine().ActiveTimerCount(), 0u);
    EXPECT_EQ(h.Count(EventType::MessageDropped), 0u);
}

TEST(BrokerBackPressure, APauseEndsAfterMaxPauseAndTheStalledSessionPausesNoOne)
{
    BrokerHarness h(OneInFlight());
    h.Engine().SetBackPressure(4, seconds(1));
    h.ConnectPubSub("t", Qos::AtLeastOnce);
    h.Feed(1, Publishes(1, 12));
    EXPECT_EQ(h.TakeHex(1), Pubacks(1, 5));
    ASSERT_EQ(h.Timers().size(), 1u);
    EXPECT_EQ(h.Timers().begin()->second, seconds(1));

    // The subscriber never acknowledges: after 1 s the publisher goes on, and the queue's
    // bound applies as without back-pressure (10 queued; 12 is dropped, the newest).
    h.Advance(milliseconds(999));
    EXPECT_EQ(h.TakeHex(1), "");
    h.Advance(milliseconds(1));
    EXPECT_EQ(h.TakeHex(1), Pubacks(6, 12));
    EXPECT_FALSE(h.Engine().IsInputPaused(1));
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::QueueFull);
    EXPECT_EQ(dropped[0].message->id, 12u);
    h.Send(1, MakePublish("t", "m", Qos::AtLeastOnce, 13));
    EXPECT_EQ(h.TakeHex(1), Pubacks(13, 13));
    EXPECT_FALSE(h.Engine().IsInputPaused(1));

    // Once its queue is down to 2 the session may pause again.
    for (uint16_t id = 1; id <= 8; ++id)
    {
        h.Send(2, PubackPacket{id});
    }
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 3u); // 1 in flight, 2 queued
    h.Feed(1, Publishes(14, 16));
    EXPECT_EQ(h.TakeHex(1), Pubacks(14, 15));
    EXPECT_TRUE(h.Engine().IsInputPaused(1));
}

TEST(BrokerBackPressure, TheSubscribersDisconnectReleasesThePublisher)
{
    BrokerHarness h(OneInFlight());
    h.Engine().SetBackPressure(4, seconds(10));
    h.ConnectPubSub("t", Qos::AtLeastOnce);
    h.Feed(1, Publishes(1, 7));
    EXPECT_EQ(h.TakeHex(1), Pubacks(1, 5));
    h.NetClose(2); // a clean session: gone with its queue, so 6 and 7 reach no one
    EXPECT_EQ(h.TakeHex(1), Pubacks(6, 7));
    EXPECT_FALSE(h.Engine().IsInputPaused(1));
    EXPECT_EQ(h.Engine().ActiveTimerCount(), 0u);
}

TEST(BrokerBackPressure, AnOfflineSessionPausesNoOne)
{
    BrokerHarness h(OneInFlight());
    h.Engine().SetBackPressure(4, seconds(10));
    h.Connect(2, "sub", false);
    h.Subscribe(2, "t", Qos::AtLeastOnce);
    h.NetClose(2);
    h.Connect(1, "pub");
    h.Feed(1, Publishes(1, 8));
    EXPECT_EQ(h.TakeHex(1), Pubacks(1, 8));
    EXPECT_FALSE(h.Engine().IsInputPaused(1));
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 8u);
}

TEST(BrokerBackPressure, ASubscribersOwnPublishesDoNotPauseIt)
{
    // Its acknowledgements travel on the same connection: pausing it would stop the drain.
    BrokerHarness h(OneInFlight());
    h.Engine().SetBackPressure(2, seconds(10));
    h.Connect(1, "self");
    h.Subscribe(1, "t", Qos::AtLeastOnce);
    h.Feed(1, Publishes(1, 6));
    EXPECT_FALSE(h.Engine().IsInputPaused(1));
    EXPECT_EQ(h.Engine().QueueDepth("self"), 6u);
}

TEST(BrokerBackPressure, APausedPublisherIsNotClosedForSilence)
{
    // Keep-alive 2 s (closed after 3 s of silence), paused for up to 10 s: the broker does not
    // read it, so its silence does not count.
    BrokerHarness h(OneInFlight());
    h.Engine().SetBackPressure(4, seconds(10));
    h.Connect(1, "pub", true, 2);
    h.Connect(2, "sub");
    h.Subscribe(2, "t", Qos::AtLeastOnce);
    h.Feed(1, Publishes(1, 6));
    EXPECT_EQ(h.TakeHex(1), Pubacks(1, 5));
    h.Advance(seconds(5));
    EXPECT_TRUE(h.IsOpen(1));
    EXPECT_TRUE(h.Engine().IsInputPaused(1));
    for (uint16_t id = 1; id <= 3; ++id)
    {
        h.Send(2, PubackPacket{id});
    }
    EXPECT_EQ(h.TakeHex(1), Pubacks(6, 6));
    // From the release on, silence counts again.
    h.Advance(seconds(3) - Nanos(1));
    EXPECT_TRUE(h.IsOpen(1));
    h.Advance(seconds(3));
    EXPECT_EQ(h.ClosedWith(1), CloseReason::KeepAliveTimeout);
}

TEST(BrokerBackPressure, APausedPublisherThatClosesLeavesNoTimer)
{
    BrokerHarness h(OneInFlight());
    h.Engine().SetBackPressure(4, seconds(10));
    h.ConnectPubSub("t", Qos::AtLeastOnce);
    h.Feed(1, Publishes(1, 7));
    EXPECT_TRUE(h.Engine().IsInputPaused(1));
    h.NetClose(1);
    EXPECT_EQ(h.Engine().ActiveTimerCount(), 0u);
    EXPECT_TRUE(h.Timers().empty());
    // The subscriber drains as usual; the release finds the publisher gone.
    for (uint16_t id = 1; id <= 5; ++id)
    {
        h.Send(2, PubackPacket{id});
    }
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 0u);
    EXPECT_EQ(h.Engine().ConnectionCount(), 1u);
}

TEST(BrokerBackPressure, ShutdownWhilePausedLeavesNoPauseBehind)
{
    // The subscriber's connection (2) closes before the paused publisher's (3), so the release
    // comes first; neither leaves a timer, and after Resume back-pressure works as before.
    BrokerHarness h(OneInFlight());
    h.Engine().SetBackPressure(4, seconds(10));
    h.Connect(2, "sub");
    h.Subscribe(2, "t", Qos::AtLeastOnce);
    h.Connect(3, "pub");
    h.Feed(3, Publishes(1, 7));
    EXPECT_EQ(h.TakeHex(3), Pubacks(1, 5));
    h.Shutdown();
    EXPECT_EQ(h.TakeHex(3), "");
    EXPECT_EQ(h.TakeHex(2), HexOf(MakePublish("t", "m", Qos::AtLeastOnce, 1)));
    EXPECT_EQ(h.Engine().ActiveTimerCount(), 0u);
    EXPECT_EQ(h.Engine().ConnectionCount(), 0u);

    h.Resume();
    h.Connect(2, "sub");
    h.Subscribe(2, "t", Qos::AtLeastOnce);
    h.Connect(3, "pub");
    EXPECT_FALSE(h.Engine().IsInputPaused(3));
    h.Feed(3, Publishes(1, 7));
    EXPECT_EQ(h.TakeHex(3), Pubacks(1, 5));
    EXPECT_TRUE(h.Engine().IsInputPaused(3));
}
