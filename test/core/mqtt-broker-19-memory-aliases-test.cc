/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine, MQTT 5.0: the topics a client sets as topic aliases count against the memory
 * budget (MemoryUse::TopicAliases, 80 + topic bytes each), per connection: up to our Topic Alias
 * Maximum, each as long as a topic may be (65,535 bytes), they were held uncharged for as long as
 * the connection lived. Within 64 KiB a connection's aliases are never refused; past it, an alias
 * that would pass the limit closes the connection (DISCONNECT 0x97 Quota exceeded, MemoryLimit).
 */
#include "mqtt-broker5-test-util.h"
#include "mqtt-memory-budget.h"

using namespace brokertest;

namespace
{

constexpr std::size_t SESSION = 512 + 2 * 3; //!< "pub"
constexpr std::size_t TOPIC = 30000;
constexpr std::size_t ALIAS = 80 + TOPIC;

MqttBrokerProfile
AliasesWithMemoryLimit(std::size_t limit)
{
    MqttBrokerProfile p = MqttBrokerProfile::Standard5();
    p.topicAliasMaximum = 10;
    p.outboundTopicAliases = 0;
    p.memoryLimit = limit;
    return p;
}

/**
 * Sends a PUBLISH setting @p alias to @p topic on @p c; forgets the events and actions, which
 * hold the message (and its charge) while kept.
 */
void
SetAlias(BrokerHarness& h, ConnectionId c, uint16_t alias, const std::string& topic)
{
    PublishPacket p = MakePublish(topic, "x");
    p.properties.AddNumber(PropertyId::TopicAlias, alias);
    h.Feed(c, Bytes5(p));
    h.TakeEvents();
    h.ClearLog();
}

} // namespace

TEST(BrokerMemory, Mqtt5TopicAliasesAreChargedAndTheOneOverTheLimitCloses)
{
    // "pub" and three aliases of 30,000-byte topics fit; a fourth does not.
    BrokerHarness h(AliasesWithMemoryLimit(SESSION + 3 * ALIAS + 20000));
    Connect5(h, 1, MakeConnect5("pub"));
    const std::string a(TOPIC, 'a');
    for (uint16_t alias = 1; alias <= 3; ++alias)
    {
        SetAlias(h, 1, alias, a);
        EXPECT_TRUE(h.IsOpen(1)) << alias;
    }
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::TopicAliases), 3 * ALIAS);
    // Replacing an alias's topic replaces its charge.
    SetAlias(h, 1, 3, "t");
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::TopicAliases), 2 * ALIAS + 81);
    SetAlias(h, 1, 3, a);
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::TopicAliases), 3 * ALIAS);
    h.TakeHex(1);
    SetAlias(h, 1, 4, a);
    EXPECT_EQ(h.TakeHex(1), "e0 01 97");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::MemoryLimit);
    EXPECT_EQ(h.Engine().Memory().Refused(MemoryUse::TopicAliases), 1u);
    // The aliases end with their connection [MQTT5-3.3.2-7], and so does their charge.
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::TopicAliases), 0u);
}

TEST(BrokerMemory, Mqtt5TopicAliasesWithinTheAllowanceAreNeverRefused)
{
    // The budget holds the session alone; still, 64 KiB of aliases are taken.
    BrokerHarness h(AliasesWithMemoryLimit(SESSION));
    Connect5(h, 1, MakeConnect5("pub"));
    const std::string a(TOPIC, 'a');
    SetAlias(h, 1, 1, a);
    SetAlias(h, 1, 2, a);
    EXPECT_TRUE(h.IsOpen(1));
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::TopicAliases), 2 * ALIAS);
    SetAlias(h, 1, 3, a);
    EXPECT_EQ(h.ClosedWith(1), CloseReason::MemoryLimit);
}
