/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttRateLimiter: the token bucket behind the broker's publish rate, byte rate and paced drain.
 */
#include "mqtt-rate-limiter.h"

#include <gtest/gtest.h>

using namespace ns3::mqtt;
using namespace std::chrono_literals;

TEST(RateLimiter, UnlimitedByDefault)
{
    MqttRateLimiter r;
    EXPECT_FALSE(r.Limited());
    EXPECT_TRUE(r.TryTake(1e12, Nanos(0)));
    EXPECT_TRUE(r.Fits(1e12, Nanos(0)));
    EXPECT_EQ(r.WhenFits(5), Nanos(0));
    EXPECT_FALSE(MqttRateLimiter(0, 10).Limited());
    EXPECT_FALSE(MqttRateLimiter(-1, 10).Limited());
}

TEST(RateLimiter, StartsFullThenRefillsAtTheRate)
{
    MqttRateLimiter r(100, 100); // 100 per second, a burst of 100
    EXPECT_TRUE(r.Limited());
    for (int i = 0; i < 100; ++i)
    {
        EXPECT_TRUE(r.TryTake(1, Nanos(0))) << i;
    }
    EXPECT_FALSE(r.TryTake(1, Nanos(0)));
    EXPECT_EQ(r.WhenFits(1), Nanos(10ms));
    EXPECT_FALSE(r.Fits(1, Nanos(10ms) - Nanos(1)));
    EXPECT_TRUE(r.TryTake(1, Nanos(10ms)));
    EXPECT_FALSE(r.TryTake(1, Nanos(10ms)));
}

TEST(RateLimiter, IdleTimeRefillsOnlyUpToTheBurst)
{
    MqttRateLimiter r(10, 2);
    EXPECT_TRUE(r.TryTake(1, Nanos(0)));
    EXPECT_TRUE(r.TryTake(1, Nanos(0)));
    EXPECT_FALSE(r.TryTake(1, Nanos(0)));
    EXPECT_TRUE(r.TryTake(1, Nanos(10s)));
    EXPECT_TRUE(r.TryTake(1, Nanos(10s)));
    EXPECT_FALSE(r.TryTake(1, Nanos(10s)));
}

TEST(RateLimiter, TakeMayGoIntoDebt)
{
    // Byte-rate use: a packet is let through while the bucket is not in debt, whatever its size.
    MqttRateLimiter r(1000, 10); // 1000 units per second, burst of 10 (10 ms)
    EXPECT_TRUE(r.Fits(0, Nanos(0)));
    r.Take(25, Nanos(0)); // 25 ms worth: 15 ms of debt
    EXPECT_EQ(r.WhenFits(0), Nanos(15ms));
    EXPECT_FALSE(r.Fits(0, Nanos(15ms) - Nanos(1)));
    EXPECT_TRUE(r.Fits(0, Nanos(15ms)));
}

TEST(RateLimiter, FractionalCostsRoundPerRequest)
{
    // 512 KiB/s: one byte costs 1907.35 ns; 1024 bytes cost exactly 1953125 ns.
    MqttRateLimiter r(512 * 1024, 512 * 1024);
    r.Take(512 * 1024, Nanos(0));
    r.Take(1024, Nanos(0));
    EXPECT_EQ(r.WhenFits(0), Nanos(1953125));
    MqttRateLimiter one(512 * 1024, 1);
    one.Take(1, Nanos(0));
    EXPECT_EQ(one.WhenFits(1), Nanos(1907)); // round(1907.35)
}

TEST(RateLimiter, ARequestLargerThanTheBurstNeverFits)
{
    MqttRateLimiter r(10, 1);
    EXPECT_FALSE(r.Fits(2, Nanos(0)));
    EXPECT_FALSE(r.Fits(2, Nanos(1000s)));
}
