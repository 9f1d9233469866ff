/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Client engines and the broker engine wired through an in-memory network, with connections cut
 * after every packet of QoS 1 and QoS 2 exchanges: QoS 1 arrives at least once, QoS 2 exactly
 * once, and nothing acknowledged to the publisher is lost, across reconnects of persistent
 * sessions ([MQTT-4.4.0-1], [MQTT-4.3.2-1], [MQTT-4.3.3-1], [MQTT-4.3.3-2]).
 */
#include "mqtt-memory-network.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace ns3::mqtt;
using namespace ns3::mqtt::memnet;
using namespace std::chrono_literals;

namespace
{

MqttClientConfig
ClientConfig(const std::string& id, bool cleanSession = false)
{
    MqttClientConfig config;
    config.clientId = id;
    config.cleanSession = cleanSession;
    config.keepAliveSeconds = 10;
    config.pingTimeout = 5s;
    config.reconnectInitialDelay = 1s;
    config.reconnectJitter = 0;
    return config;
}

/** Payloads (as text) of the messages client @p i received, in order. */
std::vector<std::string>
ReceivedPayloads(const MemoryNetwork& net, std::size_t i)
{
    std::vector<std::string> out;
    for (const auto& e : net.Events(i, EventType::PublishReceived))
    {
        out.emplace_back(e.message->payload.begin(), e.message->payload.end());
    }
    return out;
}

std::size_t
Count(const std::vector<std::string>& v, const std::string& s)
{
    return static_cast<std::size_t>(std::count(v.begin(), v.end(), s));
}

/** A subscriber "sub" and a publisher "pub", both connected, "sub" subscribed to "t" at @p qos. */
struct Pair
{
    MemoryNetwork net;
    std::size_t sub = 0;
    std::size_t pub = 0;

    explicit Pair(Qos qos, bool cleanSession = false)
    {
        sub = net.AddClient(ClientConfig("sub", cleanSession));
        pub = net.AddClient(ClientConfig("pub", cleanSession));
        net.Connect(sub);
        net.Connect(pub);
        net.Subscribe(sub, "t", qos);
        net.RunFor(100ms);
    }
};

enum class Side
{
    Publisher,
    Subscriber,
    Both,
};

/**
 * Publishes one message at @p qos and cuts the chosen link(s) right after the @p k th packet
 * delivered on it from then on (k = 0: no cut), then lets everything reconnect and settle.
 */
void
CheckOneMessage(Qos qos, Side side, uint64_t k, uint64_t k2 = 0)
{
    Pair p(qos);
    ASSERT_EQ(p.net.Client(p.sub).State(), ClientState::Connected);
    ASSERT_EQ(p.net.Events(p.sub, EventType::SubscriptionGranted).size(), 1u);
    if (k != 0)
    {
        p.net.CutAfter(side == Side::Subscriber ? p.sub : p.pub, k);
    }
    if (side == Side::Both && k2 != 0)
    {
        p.net.CutAfter(p.sub, k2);
    }
    std::size_t links = p.net.LinkCount();
    uint64_t id = p.net.Publish(p.pub, "t", "m", qos);
    p.net.RunFor(60s);

    std::string where = "qos " + std::to_string(static_cast<int>(qos)) + " side " +
                        std::to_string(static_cast<int>(side)) + " cut after " + std::to_string(k) +
                        "/" + std::to_string(k2);
    // Every cut happened (past the exchange, keep-alive packets are cut) and was recovered from.
    EXPECT_EQ(p.net.LinkCount(), links + (k != 0) + (k2 != 0)) << where;
    EXPECT_EQ(p.net.Client(p.pub).State(), ClientState::Connected) << where;
    EXPECT_EQ(p.net.Client(p.sub).State(), ClientState::Connected) << where;
    auto completed = p.net.Events(p.pub, EventType::PublishCompleted);
    ASSERT_EQ(completed.size(), 1u) << where;
    EXPECT_EQ(completed[0].message->id, id) << where;
    EXPECT_TRUE(p.net.Events(p.pub, EventType::MessageDropped).empty()) << where;
    EXPECT_EQ(p.net.Client(p.pub).PendingPublishes(), 0u) << where;
    auto received = ReceivedPayloads(p.net, p.sub);
    if (qos == Qos::ExactlyOnce)
    {
        EXPECT_EQ(Count(received, "m"), 1u) << where;
    }
    else
    {
        EXPECT_GE(Count(received, "m"), 1u) << where;
    }
    EXPECT_EQ(p.net.Broker().QueueDepth("sub"), 0u) << where;
    EXPECT_EQ(p.net.Client(p.sub).ReceivedQos2Pending(), 0u) << where;
}

} // namespace

TEST(ClientBroker, DeliversAtEachQos)
{
    for (Qos qos : {Qos::AtMostOnce, Qos::AtLeastOnce, Qos::ExactlyOnce})
    {
        Pair p(qos);
        p.net.Publish(p.pub, "t", "m", qos);
        p.net.RunFor(1s);
        EXPECT_EQ(ReceivedPayloads(p.net, p.sub), std::vector<std::string>{"m"});
        EXPECT_EQ(p.net.Events(p.pub, EventType::PublishCompleted).size(),
                  qos == Qos::AtMostOnce ? 0u : 1u);
    }
}

// The publisher's link is cut after each packet of the exchange (PUBLISH, PUBACK; or PUBLISH,
// PUBREC, PUBREL, PUBCOMP), and a few packets past the end (keep-alive packets).
TEST(ClientBroker, PublisherCutAfterEveryPacket)
{
    for (Qos qos : {Qos::AtLeastOnce, Qos::ExactlyOnce})
    {
        for (uint64_t k = 1; k <= 8; ++k)
        {
            CheckOneMessage(qos, Side::Publisher, k);
        }
    }
}

TEST(ClientBroker, SubscriberCutAfterEveryPacket)
{
    for (Qos qos : {Qos::AtLeastOnce, Qos::ExactlyOnce})
    {
        for (uint64_t k = 1; k <= 8; ++k)
        {
            CheckOneMessage(qos, Side::Subscriber, k);
        }
    }
}

TEST(ClientBroker, BothCutAfterEveryPairOfPackets)
{
    for (Qos qos : {Qos::AtLeastOnce, Qos::ExactlyOnce})
    {
        for (uint64_t k = 1; k <= 5; ++k)
        {
            for (uint64_t j = 1; j <= 5; ++j)
            {
                CheckOneMessage(qos, Side::Both, k, j);
            }
        }
    }
}

// Several messages; the publisher's or the subscriber's link cut once, after each packet position
// in turn: every message arrives (QoS 2: exactly once and in order).
TEST(ClientBroker, StreamSurvivesACutAnywhere)
{
    const std::vector<std::string> sent = {"1", "2", "3", "4", "5"};
    for (Qos qos : {Qos::AtLeastOnce, Qos::ExactlyOnce})
    {
        // Every packet of the exchange, then the first keep-alive packets.
        uint64_t last = sent.size() * (qos == Qos::ExactlyOnce ? 4 : 2) + 2;
        for (uint64_t k = 1; k <= last; ++k)
        {
            for (Side side : {Side::Publisher, Side::Subscriber})
            {
                Pair p(qos);
                std::size_t links = p.net.LinkCount();
                p.net.CutAfter(side == Side::Publisher ? p.pub : p.sub, k);
                for (const auto& m : sent)
                {
                    p.net.Publish(p.pub, "t", m, qos);
                }
                p.net.RunFor(60s);
                std::string where = "qos " + std::to_string(static_cast<int>(qos)) + " k " +
                                    std::to_string(k) + " side " +
                                    std::to_string(static_cast<int>(side));
                EXPECT_EQ(p.net.Events(p.pub, EventType::PublishCompleted).size(), sent.size())
                    << where;
                EXPECT_EQ(p.net.LinkCount(), links + 1) << where;
                auto received = ReceivedPayloads(p.net, p.sub);
                if (qos == Qos::ExactlyOnce)
                {
                    EXPECT_EQ(received, sent) << where;
                }
                else
                {
                    for (const auto& m : sent)
                    {
                        EXPECT_GE(Count(received, m), 1u) << where << " message " << m;
                    }
                }
            }
        }
    }
}

// A link that dies silently (no close seen by either end): the client finds out by its PINGREQ
// going unanswered, reconnects, and the message still gets through.
TEST(ClientBroker, HalfOpenLinkDetectedByKeepAlive)
{
    for (Qos qos : {Qos::AtLeastOnce, Qos::ExactlyOnce})
    {
        Pair p(qos);
        // Cut after the PUBLISH reached the broker; deliver nothing more, tell nobody.
        p.net.BlackholeAfter(p.pub, 1);
        p.net.Publish(p.pub, "t", "m", qos);
        p.net.RunFor(120s);
        auto closed = p.net.Events(p.pub, EventType::ConnectionClosed);
        ASSERT_FALSE(closed.empty());
        EXPECT_EQ(closed[0].closeReason, CloseReason::KeepAliveTimeout);
        EXPECT_EQ(p.net.Events(p.pub, EventType::PublishCompleted).size(), 1u);
        // QoS 1: the PUBACK was lost, so the re-sent PUBLISH is delivered again.
        EXPECT_EQ(Count(ReceivedPayloads(p.net, p.sub), "m"), qos == Qos::ExactlyOnce ? 1u : 2u);
    }
}

// Unreachable broker: the client backs off (1 s, 2 s, 4 s, ...) and connects once it is back;
// what was published meanwhile goes out then.
TEST(ClientBroker, ReconnectsWhenBrokerComesBack)
{
    MemoryNetwork net;
    std::size_t sub = net.AddClient(ClientConfig("sub"));
    net.Connect(sub);
    net.Subscribe(sub, "t", Qos::AtLeastOnce);
    net.RunFor(100ms);
    std::size_t pub = net.AddClient(ClientConfig("pub"));
    net.SetReachable(false);
    net.Connect(pub);
    net.Publish(pub, "t", "m", Qos::AtLeastOnce);
    net.RunFor(10s);
    EXPECT_EQ(net.Client(pub).State(), ClientState::WaitingToReconnect);
    net.SetReachable(true);
    net.RunFor(30s);
    EXPECT_EQ(net.Client(pub).State(), ClientState::Connected);
    EXPECT_EQ(ReceivedPayloads(net, sub), std::vector<std::string>{"m"});
}

// A clean-session publisher cut mid-flow: every message is accounted for exactly once (completed
// or reported dropped with SessionDiscarded), and whatever was completed arrived.
TEST(ClientBroker, CleanSessionPublisherAccountsForEveryMessage)
{
    for (Qos qos : {Qos::AtLeastOnce, Qos::ExactlyOnce})
    {
        for (uint64_t k = 1; k <= 10; ++k)
        {
            MemoryNetwork net;
            std::size_t sub = net.AddClient(ClientConfig("sub"));
            std::size_t pub = net.AddClient(ClientConfig("pub", true));
            net.Connect(sub);
            net.Connect(pub);
            net.Subscribe(sub, "t", qos);
            net.RunFor(100ms);
            net.CutAfter(pub, k);
            for (const char* m : {"1", "2", "3"})
            {
                net.Publish(pub, "t", m, qos);
            }
            net.RunFor(60s);
            std::string where =
                "qos " + std::to_string(static_cast<int>(qos)) + " k " + std::to_string(k);
            auto completed = net.Events(pub, EventType::PublishCompleted);
            auto dropped = net.Events(pub, EventType::MessageDropped);
            EXPECT_EQ(completed.size() + dropped.size(), 3u) << where;
            auto received = ReceivedPayloads(net, sub);
            for (const auto& e : completed)
            {
                std::string m(e.message->payload.begin(), e.message->payload.end());
                EXPECT_GE(Count(received, m), 1u) << where << " message " << m;
            }
            for (const auto& e : dropped)
            {
                EXPECT_EQ(e.dropReason, DropReason::SessionDiscarded) << where;
            }
            if (qos == Qos::ExactlyOnce)
            {
                for (const char* m : {"1", "2", "3"})
                {
                    EXPECT_LE(Count(received, m), 1u) << where << " message " << m;
                }
            }
        }
    }
}
