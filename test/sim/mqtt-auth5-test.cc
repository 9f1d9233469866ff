/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT 5.0 enhanced authentication in simulation (doc/auth.md): the broker application's
 * ScramUsersFile and the client application's AuthMethod, AuthUserName and AuthPassword. Both
 * sides draw their SCRAM nonces from the run's seed, so the run is the same byte for byte.
 */
#include "mqtt-sim-fixture.h"

#include "ns3/boolean.h"

using namespace mqtt_sim;

namespace
{

const std::string SCRAM_USERS =
    std::string(MQTT_TEST_SOURCE_DIR) + "/test/data/auth/scram-users.txt";

MqttClientHelper
ScramClient(const std::string& id, const std::string& password)
{
    MqttClientHelper helper = ClientHelper(id);
    helper.SetAttribute("ProtocolVersion", UintegerValue(5));
    helper.SetAttribute("AuthMethod", StringValue("SCRAM-SHA-256"));
    helper.SetAttribute("AuthUserName", StringValue("alice"));
    helper.SetAttribute("AuthPassword", StringValue(password));
    helper.SetAttribute("AutoReconnect", BooleanValue(false));
    return helper;
}

} // namespace

// SCRAM-SHA-256 through ns-3 TCP: the right password connects (the client checked the broker's
// signature in the CONNACK) and re-authenticates with AUTH 0x19 at 1 s; a wrong one gets
// CONNACK 0x87 (Not authorized) and no session.
TEST_F(SimTest, ScramSha256ConnectsReauthenticatesAndRefusesAWrongPassword)
{
    Star star(2);
    MqttBrokerHelper brokerHelper;
    brokerHelper.SetAttribute("Profile", StringValue("standard-5"));
    brokerHelper.SetAttribute("ScramUsersFile", StringValue(SCRAM_USERS));
    star.InstallBroker(brokerHelper);

    Ptr<MqttClient> good = star.InstallClient(0, ScramClient("good", "alice-secret"), 0.1);
    std::size_t reauthenticated = 0;
    good->TraceConnectWithoutContext(
        "Event",
        Callback<void, const MqttEvent&>(
            [&](const MqttEvent& e) { reauthenticated += e.type == EventType::Reauthenticated; }));
    bool started = false;
    Simulator::Schedule(Seconds(1), [&] { started = good->Reauthenticate(); });

    Ptr<MqttClient> bad = star.InstallClient(1, ScramClient("bad", "wrong"), 0.1);
    std::vector<uint8_t> refused;
    bad->TraceConnectWithoutContext(
        "ConnectRefused",
        Callback<void, const MqttEvent&>([&](const MqttEvent& e) { refused.push_back(e.code); }));

    Simulator::Stop(Seconds(3));
    Simulator::Run();

    EXPECT_EQ(good->GetSessionsStarted(), 1u);
    EXPECT_EQ(good->GetState(), ClientState::Connected);
    EXPECT_TRUE(started);
    EXPECT_EQ(reauthenticated, 1u);
    EXPECT_EQ(bad->GetSessionsStarted(), 0u);
    EXPECT_EQ(refused, std::vector<uint8_t>{0x87});
}
