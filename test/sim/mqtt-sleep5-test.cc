/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A sleepy 5.0 device whose DISCONNECT before each sleep sets the Session Expiry Interval
 * (MqttClient's SleepSessionExpiryInterval; the engine's Disconnect with an interval): the
 * broker keeps the session through a sleep longer than the CONNECT's interval.
 */
#include "mqtt-sim-fixture.h"

#include "ns3/boolean.h"
#include "ns3/integer.h"

using namespace mqtt_sim;

namespace
{

/** Session Expiry 10 s while connected; awake 2 s, asleep 30 s (longer than 10 s). */
MqttClientHelper
Sleeper(const std::string& id, int64_t sleepExpiry)
{
    MqttClientHelper helper = ClientHelper(id);
    helper.SetAttribute("ProtocolVersion", UintegerValue(5));
    helper.SetAttribute("CleanSession", BooleanValue(false));
    helper.SetAttribute("SessionExpiryInterval", UintegerValue(10));
    helper.SetAttribute("AwakeTime", TimeValue(Seconds(2)));
    helper.SetAttribute("SleepTime", TimeValue(Seconds(30)));
    helper.SetAttribute("SleepSessionExpiryInterval", IntegerValue(sleepExpiry));
    return helper;
}

} // namespace

// With SleepSessionExpiryInterval 60 the DISCONNECT says 60 s: after 30 s asleep the device
// wakes to Session Present 1. Without it (-1) the CONNECT's 10 s ran out: Session Present 0.
TEST_F(SimTest, SleepSessionExpiryKeepsTheSessionThroughTheSleep)
{
    Star star(2);
    MqttBrokerHelper brokerHelper;
    brokerHelper.SetAttribute("Profile", StringValue("standard-5"));
    star.InstallBroker(brokerHelper);
    Ptr<MqttClient> kept = star.InstallClient(0, Sleeper("kept", 60), 0.1);
    Ptr<MqttClient> lost = star.InstallClient(1, Sleeper("lost", -1), 0.1);
    std::vector<bool> keptPresent;
    std::vector<bool> lostPresent;
    kept->TraceConnectWithoutContext(
        "Connected", Callback<void, bool>([&](bool p) { keptPresent.push_back(p); }));
    lost->TraceConnectWithoutContext(
        "Connected", Callback<void, bool>([&](bool p) { lostPresent.push_back(p); }));

    Simulator::Stop(Seconds(40));
    Simulator::Run();

    EXPECT_EQ(keptPresent, (std::vector<bool>{false, true}));
    EXPECT_EQ(lostPresent, (std::vector<bool>{false, false}));
}
