/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Our client engine speaking MQTT 5.0 (MqttClientConfig::protocolVersion = Mqtt5) on real
 * sockets against Debian's mosquitto, an independent 5.0 implementation: connect, QoS 0/1/2 both
 * ways, a topic alias, and reason codes (PUBACK 0x10 No matching subscribers, UNSUBACK 0x11 No
 * subscription existed, DISCONNECT 0x04 that makes mosquitto publish the will).
 */
#include "mqtt-posix-client.h"
#include "mqtt-posix-test-util.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace ns3::mqtt;
using namespace ns3::mqtt::test;
using namespace std::chrono_literals;

namespace
{

struct Client5
{
    std::unique_ptr<MqttPosixClient> client;
    std::vector<MqttEvent> events;

    Client5(uint16_t port, const std::string& id, uint16_t aliases)
    {
        MqttClientConfig config;
        config.clientId = id;
        config.protocolVersion = ProtocolVersion::Mqtt5;
        config.keepAliveSeconds = 30;
        config.outboundTopicAliases = aliases;
        config.topicAliasMaximum = aliases;
        config.will = Will{"m5/will", {'g', 'o', 'n', 'e'}, Qos::AtLeastOnce, false};
        MqttPosixEndpoint broker;
        std::string error;
        MqttPosixEndpoint::Parse("127.0.0.1:" + std::to_string(port), broker, error);
        client = std::make_unique<MqttPosixClient>(std::move(config), broker);
        client->SetEventCallback([this](const MqttEvent& event) { events.push_back(event); });
    }

    std::vector<const MqttEvent*>
    Of(EventType type) const
    {
        std::vector<const MqttEvent*> out;
        for (const MqttEvent& e : events)
        {
            if (e.type == type)
            {
                out.push_back(&e);
            }
        }
        return out;
    }
};

bool
RunAll(std::vector<Client5*> clients, const std::function<bool()>& done)
{
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done())
    {
        if (std::chrono::steady_clock::now() >= deadline)
        {
            return false;
        }
        for (Client5* c : clients)
        {
            c->client->RunOnce(2ms);
        }
    }
    return true;
}

} // namespace

TEST(PosixClient5, AgainstMosquittoInMqtt5)
{
    if (FindProgram("mosquitto").empty())
    {
        GTEST_SKIP() << "mosquitto not installed (./ns3-mqtt test installs it)";
    }
    MosquittoProcess mosquitto;
    ASSERT_TRUE(mosquitto.Start()) << mosquitto.Output();
    Client5 sub(mosquitto.Port(), "m5-sub", 0);
    Client5 pub(mosquitto.Port(), "m5-pub", 5);
    sub.client->Connect();
    pub.client->Connect();
    ASSERT_TRUE(RunAll({&sub, &pub},
                       [&]
                       {
                           return sub.client->State() == ClientState::Connected &&
                                  pub.client->State() == ClientState::Connected;
                       }))
        << pub.client->LastError() << mosquitto.Output();
    // mosquitto 2.0's CONNACK announces its defaults: Topic Alias Maximum 10 (max_topic_alias)
    // and Receive Maximum 20 (max_inflight_messages).
    EXPECT_EQ(pub.client->Engine().ServerLimits().topicAliasMaximum, 10);
    EXPECT_EQ(pub.client->Engine().ServerLimits().receiveMaximum, 20);

    sub.client->Subscribe({TopicRequest{"m5/#", Qos::ExactlyOnce}});
    ASSERT_TRUE(RunAll({&sub}, [&] { return sub.Of(EventType::SubscriptionGranted).size() == 1; }));
    EXPECT_EQ(sub.Of(EventType::SubscriptionGranted)[0]->code, 2);

    // Three publishes on one topic: the second and third carry only alias 1 (the policy of
    // ClientEngine5.OutboundTopicAliasesUpToTheBrokersMaximum); mosquitto resolves them.
    for (int qos = 0; qos <= 2; ++qos)
    {
        std::string text = "q" + std::to_string(qos);
        pub.client->Publish("m5/t", std::vector<uint8_t>(text.begin(), text.end()),
                            static_cast<Qos>(qos), false);
    }
    ASSERT_TRUE(RunAll({&sub, &pub},
                       [&]
                       {
                           return sub.Of(EventType::PublishReceived).size() == 3 &&
                                  pub.Of(EventType::PublishCompleted).size() == 2;
                       }))
        << mosquitto.Output();
    const auto received = sub.Of(EventType::PublishReceived);
    for (int qos = 0; qos <= 2; ++qos)
    {
        const MqttEvent& e = *received[qos];
        EXPECT_EQ(e.message->topic, "m5/t");
        EXPECT_EQ(std::string(e.message->payload.begin(), e.message->payload.end()),
                  "q" + std::to_string(qos));
        EXPECT_EQ(static_cast<int>(e.qos), qos);
    }
    for (const MqttEvent* e : pub.Of(EventType::PublishCompleted))
    {
        EXPECT_EQ(e->code, 0x00); // a subscriber matched
    }

    // Reason codes: QoS 1 to a topic nobody subscribed: PUBACK 0x10; UNSUBSCRIBE of a filter
    // never subscribed: UNSUBACK 0x11.
    pub.client->Publish("nobody/here", {'x'}, Qos::AtLeastOnce, false);
    pub.client->Unsubscribe({"never/subscribed"});
    ASSERT_TRUE(RunAll({&pub},
                       [&]
                       {
                           return pub.Of(EventType::PublishCompleted).size() == 3 &&
                                  pub.Of(EventType::Unsubscribed).size() == 1;
                       }));
    EXPECT_EQ(pub.Of(EventType::PublishCompleted)[2]->code, 0x10);
    EXPECT_EQ(pub.Of(EventType::Unsubscribed)[0]->code, 0x11);

    // DISCONNECT 0x04 (with will message): mosquitto publishes the publisher's will.
    pub.client->Disconnect(ReasonCode::DisconnectWithWillMessage);
    ASSERT_TRUE(RunAll({&sub, &pub}, [&] { return sub.Of(EventType::PublishReceived).size() == 4; }))
        << mosquitto.Output();
    const MqttEvent& will = *sub.Of(EventType::PublishReceived)[3];
    EXPECT_EQ(will.message->topic, "m5/will");
    EXPECT_EQ(std::string(will.message->payload.begin(), will.message->payload.end()), "gone");
    const auto closed = pub.Of(EventType::ConnectionClosed);
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(closed[0]->reasonCode, std::optional<ReasonCode>(ReasonCode::DisconnectWithWillMessage));
}
