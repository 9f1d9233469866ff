/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The radio energy state machines on scripted sequences: exact seconds and joules per state.
 */
#include "mqtt-energy-models.h"

#include <gtest/gtest.h>

namespace ns3
{
namespace mqtt
{
namespace
{

constexpr double EPS = 1e-12;

TEST(StateEnergyTest, JoulesAreTimeInEachStateAtItsPower)
{
    MqttStateEnergy e({"tx", "rx", "idle", "sleep"}, {1.0, 0.5, 0.1, 0.01}, 2);
    e.Enter(1, 1.0);
    e.Enter(0, 3.0);
    e.Enter(3, 3.5);
    e.Enter(3, 4.0); // the same state again changes nothing
    e.Finish(10.0);
    auto t = e.Totals();
    ASSERT_EQ(t.size(), 4u);
    EXPECT_EQ(t[0].state, "tx");
    EXPECT_NEAR(t[0].seconds, 0.5, EPS);
    EXPECT_NEAR(t[0].joules, 0.5, EPS);
    EXPECT_NEAR(t[1].seconds, 2.0, EPS);
    EXPECT_NEAR(t[1].joules, 1.0, EPS);
    EXPECT_NEAR(t[2].seconds, 1.0, EPS);
    EXPECT_NEAR(t[2].joules, 0.1, EPS);
    EXPECT_NEAR(t[3].seconds, 6.5, EPS);
    EXPECT_NEAR(t[3].joules, 0.065, EPS);
    EXPECT_NEAR(e.Joules(), 1.665, EPS);
}

MqttCellularParameters
Params()
{
    MqttCellularParameters p;
    p.txWatts = 0.5;
    p.rxWatts = 0.1;
    p.connectedWatts = 0.05;
    p.setupWatts = 0.2;
    p.idleWatts = 0.003;
    p.psmWatts = 0.00001;
    p.setupSeconds = 1;
    p.inactivitySeconds = 10;
    p.activeSeconds = 20;
    p.uplinkBps = 8000;
    p.downlinkBps = 16000;
    return p;
}

TEST(CellularEnergyTest, OneExchangeThenTailIdleAndPsm)
{
    MqttCellularEnergy e(Params());
    e.OnFrame(5.0, true, 100);  // idle 0-5, set-up 5-6, tx 6-6.1
    e.OnFrame(7.0, false, 200); // connected 6.1-7, rx 7-7.1
    e.OnFrame(7.05, true, 100); // on the air after the rx: tx 7.1-7.2
    e.Finish(100.0);            // tail 7.2-17.2, idle 17.2-37.2, PSM 37.2-100
    auto t = e.Totals();
    ASSERT_EQ(t.size(), 6u);
    const char* names[] = {"tx", "rx", "connected", "setup", "idle", "psm"};
    const double seconds[] = {0.2, 0.1, 10.9, 1.0, 25.0, 62.8};
    const double joules[] = {0.1, 0.01, 0.545, 0.2, 0.075, 0.000628};
    double total = 0;
    for (std::size_t i = 0; i < 6; ++i)
    {
        EXPECT_EQ(t[i].state, names[i]);
        EXPECT_NEAR(t[i].seconds, seconds[i], 1e-9) << names[i];
        EXPECT_NEAR(t[i].joules, joules[i], 1e-9) << names[i];
        total += t[i].seconds;
    }
    EXPECT_NEAR(total, 100.0, 1e-9);
    EXPECT_NEAR(e.Joules(), 0.930628, 1e-9);
    EXPECT_EQ(e.Setups(), 1u);
}

TEST(CellularEnergyTest, TrafficAfterTheTailSetsUpAgainAndNeverPsmWithoutT3324)
{
    MqttCellularParameters p = Params();
    p.activeSeconds = -1; // PSM off
    MqttCellularEnergy e(p);
    e.OnFrame(0.0, true, 125);    // set-up 0-1, tx 1-1.125
    e.OnFrame(11.125, true, 125); // exactly at the timer: still connected, tx 11.125-11.25
    e.OnFrame(60.0, true, 125);   // tail 11.25-21.25, idle 21.25-60, set-up 60-61, tx -61.125
    e.Finish(3600.0);             // tail 61.125-71.125, idle to the end
    auto t = e.Totals();
    EXPECT_EQ(e.Setups(), 2u);
    EXPECT_NEAR(t[0].seconds, 0.375, 1e-9);
    EXPECT_NEAR(t[2].seconds, 10 + 10 + 10, 1e-9);
    EXPECT_NEAR(t[3].seconds, 2.0, 1e-9);
    EXPECT_NEAR(t[4].seconds, 38.75 + 3528.875, 1e-9);
    EXPECT_NEAR(t[5].seconds, 0.0, 1e-12);
}

TEST(CellularEnergyTest, ReleaseAssistanceEndsTheConnectionAfterTheAnswer)
{
    MqttCellularParameters p = Params();
    p.releaseSeconds = 2;
    MqttCellularEnergy e(p);
    e.OnFrame(0.0, true, 100);  // set-up 0-1, tx 1-1.1: an answer is awaited
    e.OnFrame(5.0, false, 200); // connected 1.1-5 (the inactivity timer holds), rx 5-5.1: the
                                // answer; release at 7.1
    e.OnFrame(6.0, false, 200); // connected 5.1-6, rx 6-6.1
    e.OnFrame(6.2, true, 100);  // connected 6.1-6.2, tx 6.2-6.3 (a TCP ACK: no new wait)
    e.OnFrame(6.5, false, 200); // connected 6.3-6.5, rx 6.5-6.6
    e.Finish(100.0);            // connected to 7.1, idle 7.1-27.1, PSM 27.1-100
    auto t = e.Totals();
    EXPECT_EQ(e.Setups(), 1u);
    EXPECT_NEAR(t[0].seconds, 0.2, 1e-9);
    EXPECT_NEAR(t[1].seconds, 0.3, 1e-9);
    EXPECT_NEAR(t[2].seconds, 3.9 + 0.9 + 0.1 + 0.2 + 0.5, 1e-9);
    EXPECT_NEAR(t[4].seconds, 20.0, 1e-9);
    EXPECT_NEAR(t[5].seconds, 72.9, 1e-9);

    // A frame after the release sets the connection up again; the next answer releases again.
    MqttCellularEnergy again(p);
    again.OnFrame(0.0, true, 100);  // set-up 0-1, tx 1-1.1
    again.OnFrame(5.0, false, 200); // rx 5-5.1, release at 7.1
    again.OnFrame(8.0, true, 100);  // idle 7.1-8, set-up 8-9, tx 9-9.1
    again.OnFrame(9.5, false, 200); // connected 9.1-9.5, rx 9.5-9.6, release at 11.6
    again.Finish(20.0);             // connected 9.6-11.6, idle 11.6-20
    EXPECT_EQ(again.Setups(), 2u);
    EXPECT_NEAR(again.Totals()[2].seconds, 3.9 + 2.0 + 0.4 + 2.0, 1e-9);
    EXPECT_NEAR(again.Totals()[4].seconds, 0.9 + 8.4, 1e-9);

    // Without release assistance the same traffic keeps the inactivity timer's tail.
    MqttCellularEnergy plain(Params());
    plain.OnFrame(0.0, true, 100);
    plain.OnFrame(5.0, false, 200);
    plain.Finish(100.0);
    EXPECT_NEAR(plain.Totals()[2].seconds, 3.9 + 10.0, 1e-9);
}

} // namespace
} // namespace mqtt
} // namespace ns3
