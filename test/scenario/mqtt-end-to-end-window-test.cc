/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The closed-loop window of a publishing group (helper/mqtt-end-to-end-window.h): who a message
 * waits for, when the publisher may go on, and the write-off of a stalled window.
 */
#include "mqtt-end-to-end-window.h"

#include <gtest/gtest.h>

using namespace ns3::mqtt;
using std::chrono::milliseconds;

namespace
{

constexpr uint64_t PUB = 7;

Nanos
Ms(int64_t ms)
{
    return milliseconds(ms);
}

} // namespace

TEST(EndToEndWindow, AMessageWaitsForEverySubscriberItGoesToAndEachSharedGroupOnce)
{
    MqttEndToEndWindow w;
    w.AddSubscriber({"twin/#"}, "");
    w.AddSubscriber({"twin/+", "twin/a"}, ""); // two filters matching: still one receipt
    w.AddSubscriber({"other/#"}, "");
    w.AddSubscriber({"twin/a"}, "g");
    w.AddSubscriber({"twin/#"}, "g"); // a second member of the same shared group
    w.AddSubscriber({"twin/b"}, "h");
    EXPECT_EQ(w.Recipients("twin/a"), 3u); // twin/#, twin/+, group g
    EXPECT_EQ(w.Recipients("twin/b"), 4u); // twin/#, twin/+, group g, group h
    EXPECT_EQ(w.Recipients("twin/a/deeper"), 2u);
    EXPECT_EQ(w.Recipients("nobody"), 0u);
}

TEST(EndToEndWindow, APublisherGoesOnOnlyWhileFewerThanItsWindowAreOutstanding)
{
    MqttEndToEndWindow w;
    w.AddSubscriber({"t"}, "");
    w.AddSubscriber({"t"}, "");
    w.AddPublisher(PUB, 3);
    ASSERT_TRUE(w.Holds(PUB));
    EXPECT_FALSE(w.Holds(PUB + 1));
    for (uint64_t seq = 0; seq < 3; ++seq)
    {
        EXPECT_TRUE(w.MayPublish(PUB)) << seq;
        w.Published(PUB, seq, "t", Ms(1));
    }
    EXPECT_FALSE(w.MayPublish(PUB));
    EXPECT_EQ(w.Outstanding(PUB), 3u);
    EXPECT_TRUE(w.MayPublish(PUB + 1)); // not held by the window

    // Message 1 to one of its two subscribers: still outstanding.
    EXPECT_FALSE(w.Received(PUB, 1, Ms(2)));
    EXPECT_FALSE(w.MayPublish(PUB));
    // ... to the second: the full window opens.
    EXPECT_TRUE(w.Received(PUB, 1, Ms(3)));
    EXPECT_TRUE(w.MayPublish(PUB));
    EXPECT_EQ(w.Outstanding(PUB), 2u);
    // A receipt that opens a window that was not full says so (false).
    EXPECT_FALSE(w.Received(PUB, 0, Ms(4)));
    EXPECT_FALSE(w.Received(PUB, 0, Ms(4)));
    EXPECT_EQ(w.Outstanding(PUB), 1u);
    // A message of an unknown sequence (written off, or not counted) changes nothing.
    EXPECT_FALSE(w.Received(PUB, 99, Ms(5)));
    EXPECT_EQ(w.Outstanding(PUB), 1u);
}

TEST(EndToEndWindow, AMessageNobodySubscribesToIsNeverOutstanding)
{
    MqttEndToEndWindow w;
    w.AddSubscriber({"t"}, "");
    w.AddPublisher(PUB, 1);
    for (uint64_t seq = 0; seq < 10; ++seq)
    {
        ASSERT_TRUE(w.MayPublish(PUB));
        w.Published(PUB, seq, "elsewhere", Ms(1));
    }
    EXPECT_EQ(w.Outstanding(PUB), 0u);
}

TEST(EndToEndWindow, AFullWindowWithoutAReceiptForOneSecondIsWrittenOff)
{
    MqttEndToEndWindow w;
    w.AddSubscriber({"t"}, "");
    w.AddSubscriber({"t"}, "");
    w.AddPublisher(PUB, 2);
    w.Published(PUB, 0, "t", Ms(10));
    w.Published(PUB, 1, "t", Ms(20)); // full at 20 ms: the clock starts
    EXPECT_EQ(w.WriteOffTime(PUB), Ms(1020));
    EXPECT_FALSE(w.Received(PUB, 0, Ms(500))); // progress, the window still full
    EXPECT_EQ(w.WriteOffTime(PUB), Ms(1500));
    EXPECT_EQ(w.WriteOffIfStalled(PUB, Ms(1499)), 0u);
    EXPECT_FALSE(w.MayPublish(PUB));
    EXPECT_EQ(w.WriteOffIfStalled(PUB, Ms(1500)), 2u);
    EXPECT_TRUE(w.MayPublish(PUB));
    EXPECT_EQ(w.Outstanding(PUB), 0u);
    EXPECT_EQ(w.WrittenOff(), 2u);
    // A late receipt of a written-off message changes nothing.
    EXPECT_FALSE(w.Received(PUB, 0, Ms(1600)));
    // A window that is not full is never written off.
    w.Published(PUB, 2, "t", Ms(1700));
    EXPECT_EQ(w.WriteOffIfStalled(PUB, Ms(9000)), 0u);
    EXPECT_EQ(w.WrittenOff(), 2u);
}

TEST(EndToEndWindow, SubscribersAddedLaterCountForLaterMessages)
{
    MqttEndToEndWindow w;
    w.AddSubscriber({"t"}, "");
    EXPECT_EQ(w.Recipients("t"), 1u);
    w.AddSubscriber({"#"}, "");
    EXPECT_EQ(w.Recipients("t"), 2u); // the cache of counts was dropped
}
