/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Engine timers on the ns-3 scheduler: exact firing times, restarts to later and earlier
 * deadlines, cancels; a restarted timer never fires at its old deadline.
 */
#include "mqtt-ns3-timers.h"

#include "ns3/simulator.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

using namespace ns3;
using namespace ns3::mqtt;

namespace
{

class TimersTest : public ::testing::Test
{
  public:
    void
    TearDown() override
    {
        Simulator::Destroy();
    }

    /** (timer, simulation time in ms) of every expiry. */
    std::vector<std::pair<TimerId, int64_t>> m_fired;

    void
    Expired(TimerId timer)
    {
        m_fired.emplace_back(timer, Simulator::Now().GetMilliSeconds());
    }
};

Nanos
Ms(int64_t ms)
{
    return std::chrono::milliseconds(ms);
}

} // namespace

TEST_F(TimersTest, FiresAtDeadlines)
{
    MqttNs3Timers timers(MakeCallback(&TimersTest::Expired, this));
    timers.Start(1, Ms(300));
    timers.Start(2, Ms(100));
    EXPECT_EQ(timers.Count(), 2u);
    Simulator::Run();
    EXPECT_EQ(m_fired, (std::vector<std::pair<TimerId, int64_t>>{{2, 100}, {1, 300}}));
    EXPECT_EQ(timers.Count(), 0u);
}

TEST_F(TimersTest, RestartLaterMovesTheDeadlineWithoutFiringEarly)
{
    MqttNs3Timers timers(MakeCallback(&TimersTest::Expired, this));
    timers.Start(7, Ms(100));
    // Keep-alive style: restarted at 50 ms and 120 ms to 50 ms later each time.
    Simulator::Schedule(MilliSeconds(50), [&timers]() { timers.Start(7, Ms(150)); });
    Simulator::Schedule(MilliSeconds(120), [&timers]() { timers.Start(7, Ms(170)); });
    Simulator::Run();
    EXPECT_EQ(m_fired, (std::vector<std::pair<TimerId, int64_t>>{{7, 170}}));
}

TEST_F(TimersTest, RestartEarlierFiresAtTheNewDeadline)
{
    MqttNs3Timers timers(MakeCallback(&TimersTest::Expired, this));
    timers.Start(3, Ms(500));
    Simulator::Schedule(MilliSeconds(10), [&timers]() { timers.Start(3, Ms(200)); });
    Simulator::Run();
    EXPECT_EQ(m_fired, (std::vector<std::pair<TimerId, int64_t>>{{3, 200}}));
}

TEST_F(TimersTest, CancelledTimerNeverFiresAndCanStartAgain)
{
    MqttNs3Timers timers(MakeCallback(&TimersTest::Expired, this));
    timers.Start(4, Ms(100));
    timers.Start(5, Ms(100));
    Simulator::Schedule(MilliSeconds(50), [&timers]() { timers.Cancel(4); });
    Simulator::Schedule(MilliSeconds(60), [&timers]() { timers.Start(4, Ms(80)); });
    Simulator::Schedule(MilliSeconds(70), [&timers]() { timers.CancelAll(); });
    Simulator::Schedule(MilliSeconds(90), [&timers]() { timers.Start(5, Ms(95)); });
    Simulator::Run();
    EXPECT_EQ(m_fired, (std::vector<std::pair<TimerId, int64_t>>{{5, 95}}));
}

TEST_F(TimersTest, DeadlineInThePastFiresNow)
{
    MqttNs3Timers timers(MakeCallback(&TimersTest::Expired, this));
    Simulator::Schedule(MilliSeconds(40), [&timers]() { timers.Start(9, Ms(10)); });
    Simulator::Run();
    EXPECT_EQ(m_fired, (std::vector<std::pair<TimerId, int64_t>>{{9, 40}}));
}

TEST_F(TimersTest, TimerStartedFromItsOwnExpiryRuns)
{
    int rounds = 0;
    MqttNs3Timers again(Callback<void, TimerId>(
        [&](TimerId id)
        {
            m_fired.emplace_back(id, Simulator::Now().GetMilliSeconds());
            if (++rounds < 3)
            {
                again.Start(id, MqttNs3Timers::Now() + Ms(10));
            }
        }));
    again.Start(1, Ms(10));
    Simulator::Run();
    EXPECT_EQ(m_fired, (std::vector<std::pair<TimerId, int64_t>>{{1, 10}, {1, 20}, {1, 30}}));
}
