/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The check every hostile test makes of its well-behaved client (the bystander): served within
 * 1 s, whatever the abuse. Shared by the standalone broker's memory tests (test/posix) and the
 * simulated broker's real sockets (test/realtime).
 */
#ifndef MQTT_BYSTANDER_EXPECT_H
#define MQTT_BYSTANDER_EXPECT_H

#include "mqtt-posix-test-util.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace ns3
{
namespace mqtt
{
namespace test
{

/**
 * @p bystander, subscribed at QoS 1 to @p topic, gets its QoS 1 PUBLISH (@p packetId)
 * acknowledged and back within 1 s (EchoRoundTrip, waiting at most 5 s); @p when names the moment
 * in the failure and in the printed round trip.
 */
inline void
ExpectServedWithinOneSecond(RawClient& bystander,
                            const std::string& topic,
                            uint16_t packetId,
                            const std::string& when)
{
    std::optional<std::chrono::microseconds> roundTrip =
        EchoRoundTrip(bystander, topic, packetId, std::chrono::milliseconds(5000));
    ASSERT_TRUE(roundTrip.has_value()) << "the bystander was not served " << when;
    std::printf("[ info ] bystander round trip %s: %lld ms\n",
                when.c_str(),
                static_cast<long long>(roundTrip->count() / 1000));
    EXPECT_LT(roundTrip->count(), 1000000) << "the bystander waited " << when;
}

} // namespace test
} // namespace mqtt
} // namespace ns3

#endif // MQTT_BYSTANDER_EXPECT_H
