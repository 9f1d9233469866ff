/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The drivers' one way to carry out engine actions: VisitAction over an MqttOverloaded set calls
 * the handler of each action's type, and MqttTimerActions hands timer actions to any timer
 * service. (That a missing handler does not compile is std::visit's guarantee.)
 */
#include "mqtt-action-visit.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

using namespace ns3::mqtt;

namespace
{

/** A timer service that records what it was asked. */
struct RecordingTimers
{
    std::vector<std::pair<TimerId, Nanos>> started;
    std::vector<TimerId> cancelled;

    void
    Start(TimerId timer, Nanos at)
    {
        started.emplace_back(timer, at);
    }

    void
    Cancel(TimerId timer)
    {
        cancelled.push_back(timer);
    }
};

} // namespace

TEST(MqttActionVisit, CallsTheHandlerOfEachActionsType)
{
    MqttActions actions;
    actions.emplace_back(SendAction{7, {1, 2, 3}});
    actions.emplace_back(CloseAction{3, CloseReason::KeepAliveTimeout});
    actions.emplace_back(OpenConnectionAction{9});
    actions.emplace_back(StartTimerAction{5, Nanos(45)});
    actions.emplace_back(CancelTimerAction{6});
    actions.emplace_back(NotifyAction{});
    actions.emplace_back(PersistAction{12, {PersistOp{}, PersistOp{}}});

    RecordingTimers timers;
    std::vector<std::string> seen;
    for (const MqttAction& action : actions)
    {
        VisitAction(action,
                    MqttOverloaded{
                        [&seen](const SendAction& send)
                        { seen.push_back("send " + std::to_string(send.bytes.size())); },
                        [&seen](const CloseAction& close)
                        { seen.push_back("close " + std::to_string(close.connection)); },
                        [&seen](const OpenConnectionAction& open)
                        { seen.push_back("open " + std::to_string(open.connection)); },
                        [&seen](const NotifyAction&) { seen.push_back("notify"); },
                        [&seen](const PersistAction& persist)
                        {
                            seen.push_back("persist " + std::to_string(persist.batch) + " " +
                                           std::to_string(persist.ops.size()));
                        },
                        MqttTimerActions{timers},
                    });
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"send 3", "close 3", "open 9", "notify", "persist 12 2"}));
    ASSERT_EQ(timers.started.size(), 1u);
    EXPECT_EQ(timers.started[0].first, 5u);
    EXPECT_EQ(timers.started[0].second, Nanos(45));
    EXPECT_EQ(timers.cancelled, std::vector<TimerId>{6});
}

TEST(MqttActionVisit, ReturnsTheHandlersResult)
{
    MqttAction action = CloseAction{4, CloseReason::ServerShutdown};
    struct Connection
    {
        ConnectionId
        operator()(const SendAction& send) const
        {
            return send.connection;
        }

        ConnectionId
        operator()(const CloseAction& close) const
        {
            return close.connection;
        }

        ConnectionId
        operator()(const OpenConnectionAction& open) const
        {
            return open.connection;
        }

        ConnectionId
        operator()(const StartTimerAction&) const
        {
            return 0;
        }

        ConnectionId
        operator()(const CancelTimerAction&) const
        {
            return 0;
        }

        ConnectionId
        operator()(const NotifyAction&) const
        {
            return 0;
        }

        ConnectionId
        operator()(const PersistAction&) const
        {
            return 0;
        }
    };

    EXPECT_EQ(VisitAction(action, Connection{}), 4u);
}
