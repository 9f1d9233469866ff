/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * 5.0 client engines and the broker engine (profile standard-5) through the in-memory network:
 * a sleepy device's session across a disconnect (Session Expiry Interval, Clean Start 0), a
 * command that expires at the broker while the device sleeps (Message Expiry Interval), topic
 * aliases both ways, a 3.1.1 subscriber of the device's 5.0 messages, and enhanced
 * authentication with re-authentication.
 */
#include "mqtt-auth-test-method.h"
#include "mqtt-memory-network.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace ns3::mqtt;
using namespace ns3::mqtt::memnet;
using namespace std::chrono_literals;
using mqtt_test::ChallengeMethod;

namespace
{

MqttClientConfig
Config5(const std::string& id)
{
    MqttClientConfig config;
    config.clientId = id;
    config.protocolVersion = ProtocolVersion::Mqtt5;
    config.cleanSession = false;
    config.sessionExpiryInterval = 600;
    config.topicAliasMaximum = 4;
    config.outboundTopicAliases = 4;
    config.keepAliveSeconds = 0;
    config.reconnectJitter = 0;
    return config;
}

/** A 5.0 client authenticating as alice with TEST-CHALLENGE (mqtt-auth-test-method.h). */
MqttClientConfig
AuthConfig(const std::string& id, const std::string& secret)
{
    MqttClientConfig config = Config5(id);
    config.authMethod = std::make_shared<ChallengeMethod>();
    config.authCredentials = {"alice", std::vector<uint8_t>(secret.begin(), secret.end())};
    return config;
}

std::vector<std::string>
Payloads(const MemoryNetwork& net, std::size_t i, const std::string& topic)
{
    std::vector<std::string> out;
    for (const auto& e : net.Events(i, EventType::PublishReceived))
    {
        if (e.message->topic == topic)
        {
            out.emplace_back(e.message->payload.begin(), e.message->payload.end());
        }
    }
    return out;
}

} // namespace

// [MQTT5-3.1.2-23], [MQTT5-4.1.0-1]: the device sleeps from 1 s to 130 s with a session of
// 600 s: it wakes to session present 1 and to the commands queued for it, except the one whose
// Message Expiry Interval (60 s) ran out at the broker. Its readings go with a topic alias after
// the first; the 3.1.1 historian gets them with the topic name.
TEST(ClientBroker5, SleepyDeviceWakesToItsSessionWithoutExpiredCommands)
{
    MemoryNetwork net(MqttBrokerProfile::Standard5());
    std::size_t device = net.AddClient(Config5("device"));
    std::size_t commander = net.AddClient(Config5("commander"));
    MqttClientConfig historianConfig;
    historianConfig.clientId = "historian";
    std::size_t historian = net.AddClient(historianConfig);
    for (std::size_t i : {device, commander, historian})
    {
        net.Connect(i);
    }
    net.Subscribe(device, "cmd", Qos::AtLeastOnce);
    net.Subscribe(historian, "plant/line/temperature", Qos::AtLeastOnce);
    net.RunFor(500ms);
    net.Disconnect(device);
    net.RunUntil(2s);
    auto command = [&](const std::string& text)
    {
        net.Call(commander,
                 [&](MqttClientEngine& e, Nanos now, MqttActions& out)
                 {
                     Properties p;
                     p.AddNumber(PropertyId::MessageExpiryInterval, 60);
                     e.Publish("cmd",
                               std::vector<uint8_t>(text.begin(), text.end()),
                               Qos::AtLeastOnce,
                               false,
                               p,
                               now,
                               out);
                 });
    };
    command("stale");
    net.RunUntil(100s);
    command("fresh");
    net.RunUntil(130s);
    net.Connect(device);
    net.RunFor(1s);
    const auto sessions = net.Events(device, EventType::SessionStarted);
    ASSERT_EQ(sessions.size(), 2u);
    EXPECT_TRUE(sessions[1].sessionPresent);
    EXPECT_EQ(Payloads(net, device, "cmd"), std::vector<std::string>{"fresh"});
    bool expired = false;
    for (const auto& e : net.BrokerEvents())
    {
        expired = expired || (e.type == EventType::MessageDropped &&
                              e.dropReason == DropReason::MessageExpired);
    }
    EXPECT_TRUE(expired);

    for (const char* reading : {"r1", "r2", "r3"})
    {
        net.Publish(device, "plant/line/temperature", reading, Qos::AtLeastOnce);
    }
    net.RunFor(1s);
    EXPECT_EQ(Payloads(net, historian, "plant/line/temperature"),
              (std::vector<std::string>{"r1", "r2", "r3"}));
    EXPECT_EQ(net.Events(device, EventType::PublishCompleted).size(), 3u);
}

// The client engine against the broker engine, both with TEST-CHALLENGE: the right secret
// connects and re-authenticates; a wrong one gets CONNACK 0x87 and stops the client.
TEST(ClientBroker5, EnhancedAuthentication)
{
    MemoryNetwork net(MqttBrokerProfile::Standard5());
    auto methods = std::make_shared<MqttAuthMethods>();
    methods->Add(std::make_shared<ChallengeMethod>());
    net.Broker().SetAuthMethods(methods);
    std::size_t good = net.AddClient(AuthConfig("c1", "pw"));
    std::size_t wrong = net.AddClient(AuthConfig("c2", "nope"));
    net.Connect(good);
    net.Connect(wrong);
    net.RunFor(1s);
    EXPECT_EQ(net.Client(good).State(), ClientState::Connected);
    EXPECT_EQ(net.Client(wrong).State(), ClientState::Idle);
    const auto refused = net.Events(wrong, EventType::ConnectRefused);
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_EQ(refused[0].code, 0x87);
    bool started = false;
    net.Call(good,
             [&](MqttClientEngine& e, Nanos now, MqttActions& out)
             { started = e.Reauthenticate(now, out); });
    net.RunFor(1s);
    EXPECT_TRUE(started);
    EXPECT_EQ(net.Events(good, EventType::Reauthenticated).size(), 1u);
    EXPECT_EQ(net.Client(good).State(), ClientState::Connected);
}
