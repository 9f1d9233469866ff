/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Back-pressure on the real sockets of a simulated broker (MqttRealtimeHelper::ListenReal): the
 * same flood as test/posix/mqtt-posix-backpressure-test.cc, served by the ns-3 MqttBroker with
 * its BackPressureQueueDepth Attribute instead of the standalone broker's --backpressure.
 */
#include "mqtt-posix-test-util.h"
#include "mqtt-realtime-test-broker.h"

#include "ns3/integer.h"
#include "ns3/uinteger.h"

#include <gtest/gtest.h>

using namespace ns3;
using namespace ns3::mqtt;
using namespace ns3::mqtt::test;

namespace
{

constexpr uint16_t MESSAGES = 3000;

struct FloodResult
{
    std::size_t pubacksWhilePaused = 0;
    std::vector<uint16_t> received;
    std::size_t pubacksAfter = 0;
    uint64_t readPauses = 0;
};

/**
 * A real subscriber (QoS 1, one message in flight) and a real publisher that writes MESSAGES
 * QoS 1 PUBLISHes at once, on a simulated broker with back-pressure at @p depth.
 */
FloodResult
RunFlood(uint32_t depth)
{
    MqttBrokerHelper helper;
    helper.SetAttribute("MaxInflight", IntegerValue(1));
    helper.SetAttribute("MaxQueuedMessages", IntegerValue(1000));
    helper.SetAttribute("BackPressureQueueDepth", UintegerValue(depth));
    RealtimeTestBroker real(helper);
    FloodResult result;
    real.Run(
        [&](uint16_t port)
        {
            RawClient subscriber;
            RawClient publisher;
            if (subscriber.Connect(port) && subscriber.MqttConnect("bp-sub") == 0 &&
                subscriber.MqttSubscribe("bp/t", Qos::AtLeastOnce) == 1 &&
                publisher.Connect(port) && publisher.MqttConnect("bp-pub") == 0 &&
                publisher.SendBytes(NumberedQos1Flood("bp/t", MESSAGES)))
            {
                result.pubacksWhilePaused = CountPubacks(publisher, MESSAGES, 300ms);
                result.received = ReceiveNumbered(subscriber, MESSAGES, 2000ms);
                result.pubacksAfter = CountPubacks(publisher, MESSAGES, 2000ms);
            }
        });
    result.readPauses = real.Broker()->GetReadPauses();
    return result;
}

} // namespace

TEST(RealtimeBackPressure, AFloodingRealPublisherWaitsAndNothingIsLost)
{
    FloodResult result = RunFlood(100);
    // One message in flight, 100 queued: the 101st paused the publisher (for at most 1 s).
    EXPECT_EQ(result.pubacksWhilePaused, 101u);
    EXPECT_GT(result.readPauses, 0u);
    // The subscriber acknowledges: every message arrives, in order, none dropped.
    ASSERT_EQ(result.received.size(), MESSAGES);
    for (uint16_t i = 0; i < MESSAGES; ++i)
    {
        ASSERT_EQ(result.received[i], i + 1);
    }
    EXPECT_EQ(result.pubacksAfter, MESSAGES - 101u);
}

TEST(RealtimeBackPressure, WithoutItTheQueueBoundDrops)
{
    FloodResult result = RunFlood(0);
    EXPECT_EQ(result.pubacksWhilePaused, MESSAGES);
    EXPECT_EQ(result.readPauses, 0u);
    // One in flight and 1000 queued; the newest 1999 were dropped.
    ASSERT_EQ(result.received.size(), 1001u);
    EXPECT_EQ(result.received.front(), 1);
    EXPECT_EQ(result.received.back(), 1001);
}
