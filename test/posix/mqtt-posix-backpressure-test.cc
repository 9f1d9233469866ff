/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Back-pressure on real sockets (--backpressure): a QoS 1 publisher that outruns its subscriber
 * is not read while the subscriber's queue is long, so nothing is dropped; without it the queue
 * bound drops what does not fit.
 */
#include "mqtt-codec.h"
#include "mqtt-posix-test-util.h"

#include <gtest/gtest.h>

using namespace ns3::mqtt;
using namespace ns3::mqtt::test;

namespace
{

constexpr uint16_t MESSAGES = 3000;

/** PUBLISHes 1..MESSAGES on bp/t, QoS 1, payload = the packet id (2 bytes), in one buffer. */
std::vector<uint8_t>
Flood()
{
    return NumberedQos1Flood("bp/t", MESSAGES);
}

/**
 * A broker with one message in flight per subscriber, 1000 queued and back-pressure at the
 * given queue length; "bp-sub" subscribed to bp/t at QoS 1, then "bp-pub" connected.
 */
struct FloodSetup
{
    BrokerProcess broker;
    RawClient subscriber;
    RawClient publisher;

    void
    Start(const std::string& backpressure)
    {
        ASSERT_TRUE(broker.Start({"--max-inflight",
                                  "1",
                                  "--max-queued-messages",
                                  "1000",
                                  "--backpressure",
                                  backpressure}))
            << broker.Output();
        ASSERT_TRUE(subscriber.Connect(broker.Port()));
        ASSERT_EQ(subscriber.MqttConnect("bp-sub"), 0);
        ASSERT_EQ(subscriber.MqttSubscribe("bp/t", Qos::AtLeastOnce), 1);
        ASSERT_TRUE(publisher.Connect(broker.Port()));
        ASSERT_EQ(publisher.MqttConnect("bp-pub"), 0);
    }
};

} // namespace

TEST(PosixBackPressure, AFloodingQos1PublisherWaitsAndNothingIsLost)
{
    FloodSetup s;
    ASSERT_NO_FATAL_FAILURE(s.Start("100"));
    RawClient& subscriber = s.subscriber;
    RawClient& publisher = s.publisher;
    ASSERT_TRUE(publisher.SendBytes(Flood())); // about 27 KB: the socket buffers take it

    // One message in flight, 100 queued: the 101st paused the publisher (for at most 1 s).
    EXPECT_EQ(CountPubacks(publisher, MESSAGES, 300ms), 101u);

    // The subscriber acknowledges: every message arrives, in order, none dropped.
    std::vector<uint16_t> got = ReceiveNumbered(subscriber, MESSAGES, 2000ms);
    ASSERT_EQ(got.size(), MESSAGES);
    for (uint16_t i = 0; i < MESSAGES; ++i)
    {
        ASSERT_EQ(got[i], i + 1);
    }
    EXPECT_EQ(CountPubacks(publisher, MESSAGES, 2000ms), MESSAGES - 101u);
}

TEST(PosixBackPressure, WithoutItTheQueueBoundDrops)
{
    FloodSetup s;
    ASSERT_NO_FATAL_FAILURE(s.Start("0"));
    RawClient& subscriber = s.subscriber;
    RawClient& publisher = s.publisher;
    ASSERT_TRUE(publisher.SendBytes(Flood()));

    EXPECT_EQ(CountPubacks(publisher, MESSAGES, 2000ms), MESSAGES);
    // One in flight and 1000 queued; the newest 1999 were dropped.
    std::vector<uint16_t> got = ReceiveNumbered(subscriber, MESSAGES, 1000ms);
    ASSERT_EQ(got.size(), 1001u);
    EXPECT_EQ(got.front(), 1);
    EXPECT_EQ(got.back(), 1001);
}
