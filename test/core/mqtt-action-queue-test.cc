/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The drivers' action FIFO: nested engine calls run after the actions already queued.
 */
#include "mqtt-action-queue.h"

#include <gtest/gtest.h>

using namespace ns3::mqtt;

TEST(ActionQueue, RunsNestedActionsAfterQueuedOnes)
{
    MqttActionQueue queue;
    queue.Out().push_back(StartTimerAction{1, Nanos(10)});
    queue.Out().push_back(StartTimerAction{2, Nanos(20)});
    std::vector<TimerId> order;
    queue.Drain(
        [&](MqttAction& action)
        {
            TimerId id = std::get<StartTimerAction>(action).timer;
            order.push_back(id);
            if (id == 1)
            {
                // An engine call made while carrying out action 1.
                queue.Out().push_back(StartTimerAction{3, Nanos(30)});
                queue.Drain([](MqttAction&) { ADD_FAILURE() << "nested drain must not run"; });
            }
        });
    EXPECT_EQ(order, (std::vector<TimerId>{1, 2, 3}));
    EXPECT_TRUE(queue.Out().empty());
    EXPECT_FALSE(queue.Draining());
}

TEST(ActionQueue, MovesPayloadOut)
{
    MqttActionQueue queue;
    queue.Out().push_back(SendAction{4, {1, 2, 3}});
    std::vector<uint8_t> seen;
    queue.Drain([&](MqttAction& action) { seen = std::get<SendAction>(action).bytes; });
    EXPECT_EQ(seen, (std::vector<uint8_t>{1, 2, 3}));
}
