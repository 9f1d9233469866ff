/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT 5.0 enhanced authentication on real sockets, end to end: our client (MqttPosixClient with
 * SCRAM-SHA-256, OpenSSL nonces) against our standalone broker started with --scram-users
 * (doc/auth.md). The right password connects, the broker proves itself, and a re-authentication
 * (AUTH 0x19) succeeds; a wrong password gets CONNACK 0x87 and stops the client.
 */
#include "mqtt-posix-client-observer.h"
#include "mqtt-posix-test-util.h"
#include "mqtt-scram.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

using namespace ns3::mqtt;
using namespace ns3::mqtt::test;
using namespace std::chrono_literals;

namespace
{

const std::string SCRAM_USERS =
    std::string(MQTT_TEST_SOURCE_DIR) + "/test/data/auth/scram-users.txt";

/** A 5.0 client authenticating as alice with SCRAM-SHA-256 (OpenSSL's nonces). */
MqttClientConfig
ScramConfig(const std::string& id, const std::string& password)
{
    MqttClientConfig config;
    config.clientId = id;
    config.protocolVersion = ProtocolVersion::Mqtt5;
    config.authMethod = std::make_shared<MqttScramSha256>();
    config.authCredentials = {"alice", std::vector<uint8_t>(password.begin(), password.end())};
    return config;
}

} // namespace

// [MQTT5-4.12.0-3], [MQTT5-4.12.1-1]: SCRAM-SHA-256 between our client and our broker: CONNECT,
// AUTH 0x18 both ways, CONNACK with the server signature the client checks; then AUTH 0x19 to
// AUTH 0x00.
TEST(PosixClient5Auth, ScramSha256AgainstOurStandaloneBroker)
{
    BrokerProcess broker;
    ASSERT_TRUE(broker.Start({"--profile", "standard-5", "--scram-users", SCRAM_USERS}))
        << broker.Output();
    Observed alice(broker.Port(), ScramConfig("scram-alice", "alice-secret"));
    alice.client->Connect();
    ASSERT_TRUE(alice.client->RunUntil(
        [&] { return alice.client->State() == ClientState::Connected; }, 10s))
        << broker.Output();
    ASSERT_TRUE(alice.client->Reauthenticate());
    ASSERT_TRUE(
        alice.client->RunUntil([&] { return alice.Count(EventType::Reauthenticated) == 1; }, 10s));
    EXPECT_EQ(alice.client->State(), ClientState::Connected);

    // A wrong password: CONNACK 0x87 (Not authorized), recorded with its code; no retry.
    Observed wrong(broker.Port(), ScramConfig("scram-wrong", "not-the-secret"));
    wrong.client->Connect();
    ASSERT_TRUE(
        wrong.client->RunUntil([&] { return wrong.Count(EventType::ConnectRefused) == 1; }, 10s));
    for (const MqttEvent& e : wrong.events)
    {
        if (e.type == EventType::ConnectRefused)
        {
            EXPECT_EQ(e.code, 0x87);
        }
        if (e.type == EventType::ConnectionClosed)
        {
            EXPECT_EQ(e.closeReason, CloseReason::AuthFailure);
        }
    }
    EXPECT_EQ(wrong.client->State(), ClientState::Idle);
    alice.client->Disconnect();
}
