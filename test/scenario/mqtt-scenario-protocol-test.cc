/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Scenario files: a client group's protocol (protocol: 4 or 5), its MQTT 5.0 options
 * (session-expiry, topic-aliases, receive-maximum, message-expiry, share-group, auth), the
 * broker's SCRAM credentials (scram-users) and the duty cycle (sleep: {awake, asleep}); each error
 * names the file, the line and the field.
 */
#include "mqtt-scenario-loader.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

using namespace ns3::mqtt;
using namespace std::chrono_literals;

namespace
{

// Line numbers matter: the tests replace or add lines after line 15.
const char* BASE = R"(name: unit5
duration: 30s
topology:
  generator: tree
  fanout: 2
  depth: 1
  link: backbone
  roles: {broker: n0, gateway: leaves}
links:
  backbone: {type: p2p, rate: 100Mbps, delay: 2ms}
broker:
  profile: standard-5
devices:
  sensors:
    attach: gateways
    interval: 5s
backends:
  cloud:
    attach: n0
    subscribe: [{filter: "sensors/#", qos: 1}]
)";

/** @p base with @p text inserted after line @p line (1-based). */
std::string
Insert(const std::string& base, int line, const std::string& text)
{
    std::istringstream in(base);
    std::string out;
    std::string l;
    for (int n = 1; std::getline(in, l); ++n)
    {
        out += l + "\n";
        if (n == line)
        {
            out += text + "\n";
        }
    }
    return out;
}

/** BASE with @p text inserted after line @p line (1-based). */
std::string
After(int line, const std::string& text)
{
    return Insert(BASE, line, text);
}

/** The test SCRAM credentials (alice, bob), by absolute path. */
const std::string SCRAM_USERS =
    std::string(MQTT_TEST_SOURCE_DIR) + "/test/data/auth/scram-users.txt";

/** BASE with the broker's scram-users (after line 12) and @p group lines for the sensors. */
std::string
WithAuth(const std::string& group)
{
    return Insert(After(12, "  scram-users: " + SCRAM_USERS), 17, group);
}

MqttScenarioLoadResult
Load(const std::string& text)
{
    return MqttScenarioLoader::LoadText(text, "scenarios/x.yaml", ".", {});
}

std::string
Errors(const std::string& text)
{
    MqttScenarioLoadResult r = Load(text);
    EXPECT_FALSE(r.scenario.has_value());
    std::string all;
    for (const auto& e : r.errors)
    {
        all += (all.empty() ? "" : "\n") + e;
    }
    return all;
}

} // namespace

TEST(ScenarioProtocol, DefaultIs311)
{
    MqttScenarioLoadResult r = Load(BASE);
    ASSERT_TRUE(r.scenario) << r.errors.size();
    const MqttClientGroupSpec& g = *r.scenario->FindGroup("sensors");
    EXPECT_EQ(g.protocol, 4);
    EXPECT_EQ(g.topicAliases, 0);
    EXPECT_EQ(g.awake, 0s);
}

TEST(ScenarioProtocol, FiveWithItsOptions)
{
    MqttScenarioLoadResult r = Load(After(16,
                                          "    protocol: 5\n"
                                          "    session-expiry: 1h\n"
                                          "    topic-aliases: 4\n"
                                          "    receive-maximum: 10\n"
                                          "    message-expiry: 120s\n"
                                          "    sleep: {awake: 20s, asleep: 280s}"));
    ASSERT_TRUE(r.scenario) << (r.errors.empty() ? "" : r.errors[0]);
    const MqttClientGroupSpec& g = *r.scenario->FindGroup("sensors");
    EXPECT_EQ(g.protocol, 5);
    EXPECT_EQ(g.sessionExpiry, 3600s);
    EXPECT_EQ(g.topicAliases, 4);
    EXPECT_EQ(g.receiveMaximum, 10);
    EXPECT_EQ(g.messageExpiry, 120s);
    EXPECT_EQ(g.awake, 20s);
    EXPECT_EQ(g.asleep, 280s);
}

TEST(ScenarioProtocol, BackendShareGroup)
{
    MqttScenarioLoadResult r = Load(After(20, "    protocol: 5\n    share-group: workers"));
    ASSERT_TRUE(r.scenario) << (r.errors.empty() ? "" : r.errors[0]);
    EXPECT_EQ(r.scenario->FindGroup("cloud")->shareGroup, "workers");
}

TEST(ScenarioProtocolErrors, NameFileLineAndField)
{
    EXPECT_EQ(Errors(After(16, "    protocol: 6")),
              "scenarios/x.yaml:17: devices.sensors.protocol: expected one of 4, 3.1.1, 5, 5.0, "
              "got 6");
    EXPECT_EQ(Errors(After(16, "    topic-aliases: 4")),
              "scenarios/x.yaml:17: devices.sensors.topic-aliases: an MQTT 5.0 option: needs "
              "protocol: 5");
    EXPECT_EQ(Errors(After(16, "    protocol: 5\n    receive-maximum: 0")),
              "scenarios/x.yaml:18: devices.sensors.receive-maximum: expected an integer from 1 "
              "to 65535, got 0");
    EXPECT_EQ(Errors(After(16, "    protocol: 5\n    message-expiry: 1500ms")),
              "scenarios/x.yaml:18: devices.sensors.message-expiry: expected whole seconds up to "
              "4294967295s (a 5.0 interval)");
    // [MQTT5-4.8.2-2]: a ShareName has no '/', '+' or '#'.
    EXPECT_EQ(Errors(After(20, "    protocol: 5\n    share-group: a/b")),
              "scenarios/x.yaml:22: backends.cloud.share-group: expected a name without '/', "
              "'+' or '#'");
    EXPECT_EQ(Errors(After(16, "    sleep: {awake: 20s}")),
              "scenarios/x.yaml:17: devices.sensors.sleep: missing required field 'asleep'");
}

TEST(ScenarioProtocolErrors, FiveNeedsABrokerThatSpeaksIt)
{
    std::string text = After(16, "    protocol: 5");
    text.replace(text.find("standard-5"), 10, "standard");
    EXPECT_EQ(Errors(text),
              "scenarios/x.yaml:17: devices.sensors.protocol: 5 needs a broker profile that "
              "speaks MQTT 5.0 (standard-5, aws-iot-core-5), not 'standard'");
}

// Enhanced authentication: the broker's SCRAM credentials file and a group's auth: (user with
// {id}, so each device may be its own user).
TEST(ScenarioProtocol, EnhancedAuthentication)
{
    MqttScenarioLoadResult r =
        Load(WithAuth("    protocol: 5\n"
                      "    auth: {method: SCRAM-SHA-256, user: alice, password: alice-secret}"));
    ASSERT_TRUE(r.scenario) << (r.errors.empty() ? "" : r.errors[0]);
    EXPECT_EQ(r.scenario->broker.scramUsers, SCRAM_USERS);
    const MqttClientGroupSpec& g = *r.scenario->FindGroup("sensors");
    EXPECT_EQ(g.authMethod, "SCRAM-SHA-256");
    EXPECT_EQ(g.authUser, "alice");
    EXPECT_EQ(g.authPassword, "alice-secret");
}

TEST(ScenarioProtocolErrors, AuthErrorsNameFileLineAndField)
{
    EXPECT_EQ(Errors(WithAuth("    protocol: 5\n    auth: {method: PLAIN, user: a, password: b}")),
              "scenarios/x.yaml:19: devices.sensors.auth.method: expected SCRAM-SHA-256, got "
              "PLAIN");
    EXPECT_EQ(Errors(WithAuth("    protocol: 5\n    auth: {method: SCRAM-SHA-256, user: a}")),
              "scenarios/x.yaml:19: devices.sensors.auth: missing required field 'password'");
    EXPECT_EQ(Errors(WithAuth("    auth: {method: SCRAM-SHA-256, user: a, password: b}")),
              "scenarios/x.yaml:18: devices.sensors.auth: an MQTT 5.0 option: needs protocol: 5");
    EXPECT_EQ(Errors(After(12, "  scram-users: no-such-file.txt")),
              "scenarios/x.yaml:13: broker.scram-users: cannot open ./no-such-file.txt");
}

// A sleepy 5.0 device may ask, at each DISCONNECT before it sleeps, for a longer Session Expiry
// Interval than while connected (sleep: session-expiry).
TEST(ScenarioProtocol, SleepSessionExpiry)
{
    MqttScenarioLoadResult r =
        Load(After(16,
                   "    protocol: 5\n"
                   "    session-expiry: 60s\n"
                   "    sleep: {awake: 20s, asleep: 280s, session-expiry: 1h}"));
    ASSERT_TRUE(r.scenario) << (r.errors.empty() ? "" : r.errors[0]);
    const MqttClientGroupSpec& g = *r.scenario->FindGroup("sensors");
    EXPECT_EQ(g.sleepSessionExpiry, std::optional<ScenarioTime>(3600s));
    EXPECT_FALSE(Load(BASE).scenario->FindGroup("sensors")->sleepSessionExpiry.has_value());
}

// 3.14.2.2.2: after a CONNECT with Session Expiry Interval 0, a non-zero one at DISCONNECT is a
// Protocol Error; and it is a 5.0 field.
TEST(ScenarioProtocolErrors, SleepSessionExpiryNeedsFiveAndASessionExpiry)
{
    EXPECT_EQ(Errors(After(16,
                           "    protocol: 5\n    sleep: {awake: 20s, asleep: 280s, "
                           "session-expiry: 1h}")),
              "scenarios/x.yaml:18: devices.sensors.sleep.session-expiry: needs the group's "
              "session-expiry above 0s");
    EXPECT_EQ(Errors(After(16, "    sleep: {awake: 20s, asleep: 280s, session-expiry: 1h}")),
              "scenarios/x.yaml:17: devices.sensors.sleep.session-expiry: an MQTT 5.0 option: "
              "needs protocol: 5");
}
