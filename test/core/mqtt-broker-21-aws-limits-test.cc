/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The AWS IoT Core profile's published limits ("AWS IoT Core endpoints and quotas: Message
 * broker and protocol limits", "MQTT persistent sessions"; doc/aws-iot-core.md), each through
 * the broker engine with the exact behaviour at the limit.
 */
#include "mqtt-broker-aws-test-util.h"

using namespace brokertest;

namespace
{

/** A QoS 0 PUBLISH of exactly @p size bytes on topic "t" (size between 132 and 16387). */
std::vector<uint8_t>
PublishOfSize(std::size_t size)
{
    // 1 fixed-header byte + 2 Remaining Length bytes + 3 topic bytes + payload.
    return Bytes(MakePublish("t", std::string(size - 6, 'p')));
}

} // namespace

TEST(BrokerAwsLimits, ClientIdAtMost128Bytes)
{
    // Quotas: client ID size 128 bytes. 129 gets CONNACK 2 (identifier rejected).
    BrokerHarness h(QuietAws());
    h.Connect(1, std::string(128, 'c'));
    EXPECT_TRUE(h.IsOpen(1));
    h.Open(2);
    h.Send(2, MakeConnect(std::string(129, 'c')));
    EXPECT_EQ(h.TakeHex(2), "20 02 00 02");
    EXPECT_EQ(h.ClosedWith(2), CloseReason::ConnectRefused);
}

TEST(BrokerAwsLimits, OneConnectPerSecondPerClientId)
{
    // Quotas: connect requests per second per client ID, 1. A CONNECT sooner than 1 s after the
    // last admitted one of its client id is not answered and its connection closed (Throttled);
    // the connected client stays. Refused CONNECTs do not count; other ids are not affected.
    BrokerHarness h(QuietAws());
    h.Connect(1, "d");
    h.AdvanceTo(seconds(1) - Nanos(1));
    h.Open(2);
    h.TakeEvents();
    h.Send(2, MakeConnect("d"));
    EXPECT_EQ(h.TakeHex(2), "");
    EXPECT_EQ(h.ClosedWith(2), CloseReason::Throttled);
    auto closed = h.Events(EventType::ConnectionClosed);
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(closed[0].clientId, "d");
    EXPECT_EQ(closed[0].closeReason, CloseReason::Throttled);
    EXPECT_TRUE(h.IsOpen(1));
    h.Connect(3, "e"); // another id
    h.AdvanceTo(seconds(1));
    h.Connect(4, "d"); // exactly 1 s later: admitted (a takeover)
    EXPECT_EQ(h.ClosedWith(1), CloseReason::Takeover);
    h.AdvanceTo(milliseconds(1500));
    h.Open(5);
    h.Send(5, MakeConnect("d"));
    EXPECT_EQ(h.ClosedWith(5), CloseReason::Throttled);
    h.AdvanceTo(seconds(2)); // 1 s after the last admitted one, not after the refused one
    h.Connect(6, "d");
    EXPECT_TRUE(h.IsOpen(6));
}

TEST(BrokerAwsLimits, TopicAtMost256BytesAnd7Slashes)
{
    // Quotas: topic size 256 bytes; at most 7 forward slashes in a topic or a topic filter. A
    // PUBLISH beyond either closes the connection (TopicRejected); a filter beyond gets 0x80.
    BrokerHarness h(QuietAws());
    h.Connect(1, "sub");
    h.Send(1,
           MakeSubscribe(1,
                         {{"#", Qos::AtMostOnce},
                          {"a/b/c/d/e/f/g/+", Qos::AtMostOnce},
                          {"a/b/c/d/e/f/g/h/#", Qos::AtMostOnce},
                          {std::string(256, 'f'), Qos::AtMostOnce},
                          {std::string(257, 'f'), Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(1), "90 07 00 01 00 00 80 00 80");
    h.Connect(2, "p1");
    h.Send(2, MakePublish(std::string(256, 't'), "x"));
    h.Send(2, MakePublish("a/b/c/d/e/f/g/h", "y"));
    EXPECT_EQ(PayloadTexts(h.TakePackets(1)), (std::vector<std::string>{"x", "y"}));
    EXPECT_TRUE(h.IsOpen(2));
    h.TakeEvents();
    h.Send(2, MakePublish(std::string(257, 't'), "x"));
    EXPECT_EQ(h.ClosedWith(2), CloseReason::PolicyViolation);
    h.Connect(3, "p2");
    h.Send(3, MakePublish("a/b/c/d/e/f/g/h/i", "x"));
    EXPECT_EQ(h.ClosedWith(3), CloseReason::PolicyViolation);
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 2u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::TopicRejected);
    EXPECT_EQ(dropped[1].dropReason, DropReason::TopicRejected);
    EXPECT_EQ(h.TakeHex(1), "");
}

TEST(BrokerAwsLimits, ReservedAwsTopicsCannotBePublishedTo)
{
    // Quotas / reserved topics: $aws/ belongs to the service; a client publishing there (to a
    // topic the broker does not implement: all of them here) is disconnected. Subscribing to
    // reserved topics is how a study reads lifecycle events, so it is allowed.
    BrokerHarness h(QuietAws());
    h.Connect(1, "sub");
    h.Subscribe(1, "$aws/things/x/shadow/update", Qos::AtMostOnce);
    h.Connect(2, "pub");
    h.TakeEvents();
    h.Send(2, MakePublish("$aws/things/x/shadow/update", "{}"));
    EXPECT_EQ(h.ClosedWith(2), CloseReason::PolicyViolation);
    EXPECT_EQ(h.Events(EventType::MessageDropped).at(0).dropReason, DropReason::TopicRejected);
    EXPECT_EQ(h.TakeHex(1), "");
    h.Connect(3, "pub2");
    h.Send(3, MakePublish("$awsx/t", "ok")); // only the "$aws/" prefix is reserved
    EXPECT_TRUE(h.IsOpen(3));
}

TEST(BrokerAwsLimits, PayloadAtMost128KiB)
{
    // Quotas: message size, 128 KB payload. 131072 bytes pass, 131073 close the connection
    // (PayloadTooLarge).
    BrokerHarness h(QuietAws());
    h.Connect(1, "sub");
    h.Subscribe(1, "t", Qos::AtMostOnce);
    h.Connect(2, "p1");
    h.Send(2, MakePublish("t", std::string(131072, 'a')));
    auto got = Publishes(h.TakePackets(1));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].payload.size(), 131072u);
    h.Connect(3, "p2");
    h.TakeEvents();
    h.Send(3, MakePublish("t", std::string(131073, 'a')));
    EXPECT_EQ(h.ClosedWith(3), CloseReason::PolicyViolation);
    EXPECT_EQ(h.Events(EventType::MessageDropped).at(0).dropReason, DropReason::PayloadTooLarge);
    EXPECT_EQ(h.TakeHex(1), "");
}

TEST(BrokerAwsLimits, KeepAliveClampedTo30To1200AndClosedAt1point5Times)
{
    // Quotas: keep-alive 30..1200 s, 0 (and more than 1200) meaning 1200; the connection is
    // closed after 1.5 x the interval without a packet [MQTT-3.1.2-24].
    struct Row
    {
        uint16_t requested;
        Nanos closedAt;
    };
    const Row rows[] = {
        {0, seconds(1800)},
        {1, seconds(45)},
        {29, seconds(45)},
        {30, seconds(45)},
        {60, seconds(90)},
        {1200, seconds(1800)},
        {1201, seconds(1800)},
        {65535, seconds(1800)},
    };
    for (const Row& row : rows)
    {
        BrokerHarness h(QuietAws());
        h.Connect(1, "dev", true, row.requested);
        h.AdvanceTo(row.closedAt - Nanos(1));
        EXPECT_TRUE(h.IsOpen(1)) << row.requested;
        h.AdvanceTo(row.closedAt);
        EXPECT_EQ(h.ClosedWith(1), CloseReason::KeepAliveTimeout) << row.requested;
    }
}

TEST(BrokerAwsLimits, AtMost100UnacknowledgedMessagesOut)
{
    // Quotas: maximum in-flight unacknowledged messages, 100 to a client; the 101st waits for an
    // acknowledgement.
    BrokerHarness h(QuietAws());
    h.Connect(1, "sub");
    h.Subscribe(1, "t", Qos::AtLeastOnce);
    h.Connect(2, "pub");
    for (int i = 0; i < 100; ++i)
    {
        h.Send(2, MakePublish("t", "m", Qos::AtLeastOnce, 1));
    }
    h.Advance(seconds(1)); // the publish rate allows another 100
    h.Send(2, MakePublish("t", "last", Qos::AtLeastOnce, 1));
    EXPECT_EQ(Publishes(h.TakePackets(1)).size(), 100u);
    EXPECT_EQ(h.Engine().InflightCount("sub"), 100u);
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 101u);
    h.Send(1, PubackPacket{1});
    auto next = Publishes(h.TakePackets(1));
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(Text(next[0].payload), "last");
    EXPECT_EQ(next[0].packetId, 101u);
}

TEST(BrokerAwsLimits, AtMost100UnacknowledgedMessagesIn)
{
    // Quotas: maximum in-flight unacknowledged messages, 100 from a client. The broker's
    // acknowledgements are held back only with reorderJitter; while 100 are held a further QoS 1
    // PUBLISH is not accepted (MessageDropped Throttled, no PUBACK, not forwarded). The publish
    // rate is lifted here so that only this limit acts.
    MqttBrokerProfile p = QuietAws();
    p.reorderJitter = milliseconds(10);
    p.maxPublishRate = 0;
    BrokerHarness h(p);
    h.Connect(1, "sub");
    h.Subscribe(1, "t", Qos::AtMostOnce);
    h.Connect(2, "pub");
    h.TakeEvents();
    for (int i = 1; i <= 101; ++i)
    {
        h.Send(2, MakePublish("t", "m", Qos::AtLeastOnce, static_cast<uint16_t>(i)));
    }
    EXPECT_EQ(h.TakeHex(2), "");
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::Throttled);
    EXPECT_EQ(dropped[0].packetId, 101u);
    // QoS 0 needs no acknowledgement and is not limited by it.
    h.Send(2, MakePublish("t", "q0"));
    h.Advance(milliseconds(10));
    EXPECT_EQ(h.TakePackets(2).size(), 100u);
    EXPECT_EQ(Publishes(h.TakePackets(1)).size(), 101u);
    h.Send(2, MakePublish("t", "m", Qos::AtLeastOnce, 101));
    h.Advance(milliseconds(10));
    EXPECT_EQ(h.TakeHex(2), "40 02 00 65");
}

TEST(BrokerAwsLimits, AtMost8FiltersPerSubscribeAnd50SubscriptionsPerConnection)
{
    // Quotas: 8 subscriptions per SUBSCRIBE (a 9th closes the connection without SUBACK); 50 per
    // connection (the 51st filter gets 0x80; replacing one is allowed).
    BrokerHarness h(QuietAws());
    h.Connect(1, "c");
    for (int batch = 0; batch < 6; ++batch)
    {
        std::vector<TopicRequest> filters;
        for (int i = 0; i < 8; ++i)
        {
            filters.push_back({"f/" + Numbered(batch * 8 + i), Qos::AtMostOnce});
        }
        h.Send(1, MakeSubscribe(static_cast<uint16_t>(batch + 1), filters));
        auto suback = h.TakePackets(1);
        ASSERT_EQ(suback.size(), 1u);
        EXPECT_EQ(std::get<SubackPacket>(suback[0]).returnCodes, std::vector<uint8_t>(8, 0));
    }
    h.Send(1,
           MakeSubscribe(7,
                         {{"f/48", Qos::AtMostOnce},
                          {"f/49", Qos::AtMostOnce},
                          {"f/50", Qos::AtMostOnce},
                          {"f/00", Qos::AtLeastOnce}}));
    EXPECT_EQ(h.TakeHex(1), "90 06 00 07 00 00 80 01");
    EXPECT_EQ(h.Engine().SubscriptionCount("c"), 50u);
    h.Connect(2, "d");
    std::vector<TopicRequest> nine;
    for (int i = 0; i < 9; ++i)
    {
        nine.push_back({"g/" + Numbered(i), Qos::AtMostOnce});
    }
    h.Send(2, MakeSubscribe(1, nine));
    EXPECT_EQ(h.TakeHex(2), "");
    EXPECT_EQ(h.ClosedWith(2), CloseReason::PolicyViolation);
}

TEST(BrokerAwsLimits, AtMost100PublishesPerSecondPerConnection)
{
    // Quotas: publish requests per second per connection, 100. Chosen: a token bucket holding
    // one second's worth; a PUBLISH beyond it is discarded (MessageDropped Throttled): not
    // acknowledged, not forwarded; the connection stays. Tokens come back at 1 per 10 ms.
    BrokerHarness h(QuietAws());
    h.Connect(1, "sub");
    h.Subscribe(1, "t", Qos::AtMostOnce);
    h.Connect(2, "pub");
    for (int i = 1; i <= 100; ++i)
    {
        h.Send(2, MakePublish("t", "m", Qos::AtLeastOnce, static_cast<uint16_t>(i)));
    }
    EXPECT_EQ(h.TakePackets(2).size(), 100u);
    EXPECT_EQ(Publishes(h.TakePackets(1)).size(), 100u);
    h.TakeEvents();
    h.Send(2, MakePublish("t", "m", Qos::AtLeastOnce, 101));
    EXPECT_EQ(h.TakeHex(2), "");
    EXPECT_EQ(h.TakeHex(1), "");
    ASSERT_EQ(h.Count(EventType::MessageDropped), 1u);
    EXPECT_EQ(h.Events(EventType::MessageDropped)[0].dropReason, DropReason::Throttled);
    EXPECT_TRUE(h.IsOpen(2));
    h.AdvanceTo(milliseconds(10) - Nanos(1));
    h.Send(2, MakePublish("t", "m", Qos::AtMostOnce));
    EXPECT_EQ(h.TakeHex(1), "");
    h.AdvanceTo(milliseconds(10));
    h.Send(2, MakePublish("t", "m", Qos::AtLeastOnce, 102));
    h.Send(2, MakePublish("t", "m", Qos::AtLeastOnce, 103));
    EXPECT_EQ(h.TakeHex(2), "40 02 00 66");
}

TEST(BrokerAwsLimits, ThrottleCanCloseTheConnection)
{
    // closeOnThrottle: the study's other reading of "may disconnect with THROTTLED".
    MqttBrokerProfile p = QuietAws();
    p.closeOnThrottle = true;
    p.maxPublishRate = 2;
    BrokerHarness h(p);
    h.Connect(1, "pub");
    h.Send(1, MakePublish("t", "a"));
    h.Send(1, MakePublish("t", "b"));
    EXPECT_TRUE(h.IsOpen(1));
    h.Send(1, MakePublish("t", "c"));
    EXPECT_EQ(h.ClosedWith(1), CloseReason::Throttled);
}

TEST(BrokerAwsLimits, InboundBytesAbove512KiBPerSecondAreDelayed)
{
    // Quotas: throughput per connection, 512 KiB/s; the excess is delayed in processing, not
    // dropped. Chosen: a token bucket of one second's worth; a packet is processed while the
    // bucket is not overdrawn, later packets wait (in order) until it is not. Every byte counts,
    // the CONNECT's 17 too (32425 ns at the rate). Then 600 PUBLISHes of 1024 bytes (1953125 ns
    // each) arrive at once: 512 fit the burst; the rest follow one every 1953125 ns from
    // 32425 ns on.
    MqttBrokerProfile p = QuietAws();
    p.maxPublishRate = 0; // only the byte rate acts here
    BrokerHarness h(p);
    h.Connect(1, "sub");
    h.Subscribe(1, "t", Qos::AtMostOnce);
    h.Connect(2, "pub");
    ASSERT_EQ(Bytes(MakeConnect("pub")).size(), 17u);
    std::vector<uint8_t> one = PublishOfSize(1024);
    ASSERT_EQ(one.size(), 1024u);
    std::vector<uint8_t> all;
    for (int i = 0; i < 600; ++i)
    {
        all.insert(all.end(), one.begin(), one.end());
    }
    h.Feed(2, all);
    EXPECT_EQ(Publishes(h.TakePackets(1)).size(), 512u);
    const Nanos first(32425);
    const Nanos each(1953125);
    h.AdvanceTo(first - Nanos(1));
    EXPECT_EQ(Publishes(h.TakePackets(1)).size(), 0u);
    h.AdvanceTo(first);
    EXPECT_EQ(Publishes(h.TakePackets(1)).size(), 1u);
    h.AdvanceTo(first + each - Nanos(1));
    EXPECT_EQ(Publishes(h.TakePackets(1)).size(), 0u);
    h.AdvanceTo(first + each);
    EXPECT_EQ(Publishes(h.TakePackets(1)).size(), 1u);
    h.AdvanceTo(first + each * 87 - Nanos(1));
    EXPECT_EQ(Publishes(h.TakePackets(1)).size(), 85u);
    h.AdvanceTo(first + each * 87);
    EXPECT_EQ(Publishes(h.TakePackets(1)).size(), 1u);
    EXPECT_EQ(h.Count(EventType::MessageDropped), 0u);
    // A PINGREQ waits its turn behind the PUBLISHes too (input stays in order).
    h.Feed(2, all);
    h.FeedHex(2, "c0 00");
    EXPECT_EQ(h.TakeHex(2), "");
    h.Advance(seconds(2));
    EXPECT_EQ(h.TakeHex(2), "d0 00");
    EXPECT_EQ(Publishes(h.TakePackets(1)).size(), 600u);
}

TEST(BrokerAwsLimits, PersistentSessionKeepsQos1OnlyAndExpiresAfterOneHour)
{
    // Persistent sessions: only QoS 1 messages are stored for an offline client (QoS 0 is
    // dropped, QosZeroOffline); the session expires 1 hour after the disconnect, its messages
    // reported SessionExpired.
    BrokerHarness h(QuietAws());
    h.Connect(1, "sub", false);
    h.Send(1, MakeSubscribe(1, {{"t", Qos::AtLeastOnce}}));
    h.Send(1, DisconnectPacket{});
    h.Connect(2, "pub");
    h.TakeEvents();
    h.Send(2, MakePublish("t", "zero"));
    h.Send(2, MakePublish("t", "one", Qos::AtLeastOnce, 1));
    h.Send(2, DisconnectPacket{});
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::QosZeroOffline);
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 1u);
    h.TakeEvents();
    h.AdvanceTo(seconds(3600) - Nanos(1));
    EXPECT_EQ(h.Engine().SessionCount(), 1u);
    h.AdvanceTo(seconds(3600));
    EXPECT_EQ(h.Engine().SessionCount(), 0u);
    dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::SessionExpired);
    EXPECT_EQ(Text(dropped[0].message->payload), "one");
}

TEST(BrokerAwsLimits, StoredMessagesDrainAt10PerSecond)
{
    // Persistent sessions: stored messages are sent after the reconnect at most 10 per second:
    // the first at once, then one every 100 ms, in order. A message arriving meanwhile waits
    // behind them and then flows at once.
    BrokerHarness h(QuietAws());
    h.Connect(1, "sub", false);
    h.Subscribe(1, "t", Qos::AtLeastOnce);
    h.Send(1, DisconnectPacket{});
    h.Connect(2, "pub");
    for (int i = 0; i < 25; ++i)
    {
        h.Send(2, MakePublish("t", Numbered(i), Qos::AtLeastOnce, 1));
    }
    h.AdvanceTo(seconds(1));
    EXPECT_TRUE(h.Connect(3, "sub", false));
    EXPECT_EQ(PayloadTexts(h.TakePackets(3)), std::vector<std::string>{"00"});
    h.AdvanceTo(milliseconds(1100) - Nanos(1));
    EXPECT_EQ(h.TakeHex(3), "");
    h.AdvanceTo(milliseconds(1100));
    EXPECT_EQ(PayloadTexts(h.TakePackets(3)), std::vector<std::string>{"01"});
    h.AdvanceTo(milliseconds(1250));
    h.Send(2, MakePublish("t", "live", Qos::AtLeastOnce, 1));
    EXPECT_EQ(PayloadTexts(h.TakePackets(3)), std::vector<std::string>{"02"}); // the 1200 ms one
    h.AdvanceTo(milliseconds(3400) - Nanos(1));
    auto got = PayloadTexts(h.TakePackets(3));
    ASSERT_EQ(got.size(), 21u);
    EXPECT_EQ(got.front(), "03");
    EXPECT_EQ(got.back(), "23");
    h.AdvanceTo(milliseconds(3400));
    EXPECT_EQ(PayloadTexts(h.TakePackets(3)), (std::vector<std::string>{"24", "live"}));
    h.Send(2, MakePublish("t", "after", Qos::AtLeastOnce, 1));
    EXPECT_EQ(PayloadTexts(h.TakePackets(3)), std::vector<std::string>{"after"});
}

TEST(BrokerAwsLimits, UnacknowledgedMessagesArePacedFirstAfterReconnect)
{
    // Persistent sessions: "stored messages" include those sent and not acknowledged: they are
    // re-sent first (DUP=1, original ids [MQTT-4.4.0-1]) at the same rate, then the queue.
    BrokerHarness h(QuietAws());
    h.Connect(1, "sub", false);
    h.Subscribe(1, "t", Qos::AtLeastOnce);
    h.Connect(2, "pub");
    for (int i = 0; i < 3; ++i)
    {
        h.Send(2, MakePublish("t", Numbered(i), Qos::AtLeastOnce, 1));
    }
    EXPECT_EQ(Publishes(h.TakePackets(1)).size(), 3u);
    h.NetClose(1);
    for (int i = 3; i < 5; ++i)
    {
        h.Send(2, MakePublish("t", Numbered(i), Qos::AtLeastOnce, 1));
    }
    h.AdvanceTo(seconds(1));
    EXPECT_TRUE(h.Connect(3, "sub", false));
    std::vector<std::pair<std::string, bool>> got;
    for (int step = 0; step < 5; ++step)
    {
        h.AdvanceTo(seconds(1) + milliseconds(100) * step);
        auto publishes = Publishes(h.TakePackets(3));
        ASSERT_EQ(publishes.size(), 1u) << step;
        got.emplace_back(Text(publishes[0].payload), publishes[0].dup);
        EXPECT_EQ(publishes[0].packetId, step + 1);
    }
    EXPECT_EQ(got,
              (std::vector<std::pair<std::string, bool>>{
                  {"00", true}, {"01", true}, {"02", true}, {"03", false}, {"04", false}}));
}

TEST(BrokerAwsLimits, AckBeforeItsPacedResendCompletesAStoredMessage)
{
    // Persistent sessions: a PUBACK for a message still waiting for its paced re-send (the
    // client had it from the old connection) completes it; it is not sent again.
    BrokerHarness h(QuietAws());
    h.Connect(1, "sub", false);
    h.Subscribe(1, "t", Qos::AtLeastOnce);
    h.Connect(2, "pub");
    for (int i = 0; i < 4; ++i)
    {
        h.Send(2, MakePublish("t", Numbered(i), Qos::AtLeastOnce, 1));
    }
    h.NetClose(1);
    h.AdvanceTo(seconds(1));
    EXPECT_TRUE(h.Connect(3, "sub", false));
    EXPECT_EQ(Publishes(h.TakePackets(3)).at(0).packetId, 1u);
    h.TakeEvents();
    h.Send(3, PubackPacket{2});
    auto delivered = h.Events(EventType::MessageDelivered);
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(delivered[0].packetId, 2u);
    h.AdvanceTo(milliseconds(1100));
    EXPECT_EQ(Publishes(h.TakePackets(3)).at(0).packetId, 3u);
    h.AdvanceTo(milliseconds(1200));
    EXPECT_EQ(Publishes(h.TakePackets(3)).at(0).packetId, 4u);
    h.AdvanceTo(seconds(2));
    EXPECT_EQ(h.TakeHex(3), "");
    EXPECT_EQ(h.Engine().InflightCount("sub"), 3u);
}
