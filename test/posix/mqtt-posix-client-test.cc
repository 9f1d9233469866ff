/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Our client engine on real sockets (MqttPosixClient) against a real mosquitto, and against our
 * own standalone broker.
 */
#include "mqtt-posix-client-observer.h"
#include "mqtt-posix-test-util.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

using namespace ns3::mqtt;
using namespace ns3::mqtt::test;

namespace
{

MqttClientConfig
Config(const std::string& id)
{
    MqttClientConfig config;
    config.clientId = id;
    config.keepAliveSeconds = 30;
    config.reconnectInitialDelay = std::chrono::milliseconds(100);
    config.reconnectMaxDelay = std::chrono::milliseconds(400);
    config.reconnectJitter = 0;
    return config;
}

/** Runs every client's loop in turn until @p done or @p timeout. */
bool
RunAll(std::vector<Observed*> clients,
       const std::function<bool()>& done,
       std::chrono::milliseconds timeout = 10000ms)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done())
    {
        if (std::chrono::steady_clock::now() >= deadline)
        {
            return false;
        }
        for (Observed* observed : clients)
        {
            observed->client->RunOnce(std::chrono::milliseconds(2));
        }
    }
    return true;
}

std::vector<uint8_t>
Bytes(const std::string& text)
{
    return std::vector<uint8_t>(text.begin(), text.end());
}

class PosixClient : public ::testing::TestWithParam<std::string>
{
  protected:
    void
    SetUp() override
    {
        if (GetParam() == "mosquitto")
        {
            if (FindProgram("mosquitto").empty())
            {
                GTEST_SKIP() << "mosquitto not installed (./ns3-mqtt test installs it)";
            }
            ASSERT_TRUE(m_mosquitto.Start()) << m_mosquitto.Output();
            m_port = m_mosquitto.Port();
        }
        else
        {
            ASSERT_TRUE(m_broker.Start()) << m_broker.Output();
            m_port = m_broker.Port();
        }
    }

    MosquittoProcess m_mosquitto;
    BrokerProcess m_broker;
    uint16_t m_port = 0;
};

} // namespace

// Connect, subscribe, and publish at each QoS; every message arrives once, every QoS 1/2 publish
// completes [MQTT-4.3.2-1] [MQTT-4.3.3-1].
TEST_P(PosixClient, PublishesAndReceivesAtEveryQos)
{
    Observed sub(m_port, Config("posix-sub"));
    Observed pub(m_port, Config("posix-pub"));
    sub.client->Connect();
    pub.client->Connect();
    ASSERT_TRUE(RunAll({&sub, &pub},
                       [&]
                       {
                           return sub.client->State() == ClientState::Connected &&
                                  pub.client->State() == ClientState::Connected;
                       }))
        << sub.client->LastError();
    sub.client->Subscribe({TopicRequest{"posix/#", Qos::ExactlyOnce}});
    ASSERT_TRUE(RunAll({&sub}, [&] { return sub.Count(EventType::SubscriptionGranted) == 1; }));

    for (int qos = 0; qos <= 2; ++qos)
    {
        pub.client->Publish("posix/q" + std::to_string(qos),
                            Bytes("m" + std::to_string(qos)),
                            static_cast<Qos>(qos),
                            false);
    }
    ASSERT_TRUE(
        RunAll({&sub, &pub}, [&] { return sub.messages.size() >= 3 && pub.completed == 2; }))
        << sub.messages.size() << " messages, " << pub.completed << " completed";
    std::map<std::string, std::string> got(sub.messages.begin(), sub.messages.end());
    EXPECT_EQ(got,
              (std::map<std::string, std::string>{
                  {"posix/q0", "m0"}, {"posix/q1", "m1"}, {"posix/q2", "m2"}}));
    // Nothing more arrives (no duplicates).
    RunAll(
        {&sub, &pub}, [] { return false; }, 300ms);
    EXPECT_EQ(sub.messages.size(), 3u);

    pub.client->Disconnect();
    RunAll(
        {&pub}, [&] { return pub.client->State() == ClientState::Idle; }, 2000ms);
    EXPECT_EQ(pub.client->State(), ClientState::Idle);
}

// A persistent session: the subscriber goes away, QoS 1 messages wait in the broker, the
// subscriber comes back with Session Present and receives them [MQTT-3.1.2-5] [MQTT-3.2.2-2].
TEST_P(PosixClient, PersistentSessionReceivesWhatWasQueued)
{
    MqttClientConfig config = Config("posix-persistent");
    config.cleanSession = false;
    {
        Observed sub(m_port, config);
        sub.client->Connect();
        ASSERT_TRUE(RunAll({&sub}, [&] { return sub.client->State() == ClientState::Connected; }));
        sub.client->Subscribe({TopicRequest{"posix/persist", Qos::AtLeastOnce}});
        ASSERT_TRUE(RunAll({&sub}, [&] { return sub.Count(EventType::SubscriptionGranted) == 1; }));
        sub.client->Disconnect();
        RunAll(
            {&sub}, [&] { return sub.client->State() == ClientState::Idle; }, 2000ms);
    }
    Observed pub(m_port, Config("posix-pub2"));
    pub.client->Connect();
    ASSERT_TRUE(RunAll({&pub}, [&] { return pub.client->State() == ClientState::Connected; }));
    pub.client->Publish("posix/persist", Bytes("queued-1"), Qos::AtLeastOnce, false);
    pub.client->Publish("posix/persist", Bytes("queued-2"), Qos::AtLeastOnce, false);
    ASSERT_TRUE(RunAll({&pub}, [&] { return pub.completed == 2; }));

    Observed again(m_port, config);
    again.client->Connect();
    ASSERT_TRUE(RunAll({&again}, [&] { return again.messages.size() == 2; }));
    EXPECT_TRUE(again.lastSessionPresent);
    EXPECT_EQ(again.messages[0].second, "queued-1");
    EXPECT_EQ(again.messages[1].second, "queued-2");
}

// The will of our client is published by the broker when its connection drops without
// DISCONNECT (the process "dies": the socket is closed under the engine) [MQTT-3.1.2-8].
TEST_P(PosixClient, WillIsPublishedWhenTheConnectionDrops)
{
    Observed watcher(m_port, Config("posix-watcher"));
    watcher.client->Connect();
    ASSERT_TRUE(
        RunAll({&watcher}, [&] { return watcher.client->State() == ClientState::Connected; }));
    watcher.client->Subscribe({TopicRequest{"posix/will", Qos::AtLeastOnce}});
    ASSERT_TRUE(
        RunAll({&watcher}, [&] { return watcher.Count(EventType::SubscriptionGranted) == 1; }));

    MqttClientConfig config = Config("posix-will-owner");
    config.will = Will{"posix/will", Bytes("gone"), Qos::AtLeastOnce, false};
    auto owner = std::make_unique<Observed>(m_port, config);
    owner->client->Connect();
    ASSERT_TRUE(
        RunAll({owner.get()}, [&] { return owner->client->State() == ClientState::Connected; }));
    owner.reset(); // the destructor closes the socket; no DISCONNECT is sent
    ASSERT_TRUE(RunAll({&watcher}, [&] { return watcher.messages.size() == 1; }));
    EXPECT_EQ(watcher.messages[0], (std::pair<std::string, std::string>{"posix/will", "gone"}));
}

// The broker goes away and comes back on the same port: the client reconnects by itself and
// its subscription works again.
TEST_P(PosixClient, ReconnectsAfterTheBrokerRestarts)
{
    // Our broker listens on a kernel-chosen port; restart it on a fixed one for this test.
    uint16_t port = m_port;
    if (GetParam() != "mosquitto")
    {
        m_broker.Kill();
        port = FreePort();
        ASSERT_TRUE(m_broker.Start({}, "127.0.0.1:" + std::to_string(port)));
    }
    Observed client(port, Config("posix-reconnect"));
    client.client->Connect();
    ASSERT_TRUE(
        RunAll({&client}, [&] { return client.client->State() == ClientState::Connected; }));
    BrokerProcess ours;
    MosquittoProcess theirs;
    if (GetParam() == "mosquitto")
    {
        m_mosquitto.Kill();
    }
    else
    {
        m_broker.Kill();
    }
    ASSERT_TRUE(RunAll({&client},
                       [&]
                       {
                           return client.client->State() == ClientState::WaitingToReconnect ||
                                  client.client->State() == ClientState::Connecting;
                       }));
    if (GetParam() == "mosquitto")
    {
        ASSERT_TRUE(theirs.Start(port));
    }
    else
    {
        ASSERT_TRUE(ours.Start({}, "127.0.0.1:" + std::to_string(port)));
    }
    ASSERT_TRUE(RunAll({&client}, [&] { return client.sessionsStarted == 2; }));
    client.client->Subscribe({TopicRequest{"posix/back", Qos::AtLeastOnce}});
    ASSERT_TRUE(
        RunAll({&client}, [&] { return client.Count(EventType::SubscriptionGranted) == 1; }));
    client.client->Publish("posix/back", Bytes("hi"), Qos::AtLeastOnce, false);
    ASSERT_TRUE(RunAll({&client}, [&] { return client.messages.size() == 1; }));
}

INSTANTIATE_TEST_SUITE_P(Brokers,
                         PosixClient,
                         ::testing::Values("mosquitto", "ns3mqtt"),
                         [](const ::testing::TestParamInfo<std::string>& info)
                         { return info.param; });
