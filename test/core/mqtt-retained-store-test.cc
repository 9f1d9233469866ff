/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The retained store: one message per topic, deletion by empty payload, lookup by filter in
 * topic order, '$' topics, pruning, and agreement with TopicMatches.
 */
#include "mqtt-retained-store.h"
#include "mqtt-topic.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace ns3::mqtt;

namespace
{

MqttMessagePtr
Msg(const std::string& topic, const std::string& payload = "x", uint64_t id = 0)
{
    auto m = std::make_shared<MqttMessage>();
    m->id = id;
    m->topic = topic;
    m->payload.assign(payload.begin(), payload.end());
    m->qos = Qos::AtLeastOnce;
    m->retain = true;
    return m;
}

using Topics = std::vector<std::string>;

/** The topics of the retained messages matching @p filter, in the order returned. */
Topics
MatchOf(const MqttRetainedStore& store, std::string_view filter)
{
    std::vector<MqttMessagePtr> out;
    store.Match(filter, out);
    Topics topics;
    for (const auto& m : out)
    {
        topics.push_back(m->topic);
    }
    return topics;
}

/** A store holding a retained message on each of @p topics. */
void
StoreAll(MqttRetainedStore& store, const Topics& topics)
{
    for (const auto& t : topics)
    {
        store.Store(Msg(t));
    }
}

} // namespace

// One message per topic name: a newer one replaces the older.
TEST(RetainedStore, OneMessagePerTopic)
{
    MqttRetainedStore store;
    EXPECT_EQ(store.Find("a/b"), nullptr);
    store.Store(Msg("a/b", "one", 1));
    store.Store(Msg("a/b", "two", 2));
    store.Store(Msg("a", "three", 3));
    EXPECT_EQ(store.Size(), 2u);
    ASSERT_NE(store.Find("a/b"), nullptr);
    EXPECT_EQ(store.Find("a/b")->id, 2u);
    EXPECT_EQ(store.Find("a")->id, 3u);
    EXPECT_EQ(store.Find("a/"), nullptr);
    EXPECT_EQ(store.Find("a/b/c"), nullptr);
    EXPECT_EQ(store.Find(""), nullptr);
    // The very object is kept, not a copy: it is shared with the subscribers' queues.
    const MqttMessagePtr m = Msg("z", "p", 9);
    store.Store(m);
    EXPECT_EQ(store.Find("z"), m);
}

// [MQTT-3.3.1-10] a retained message with an empty payload deletes the topic's retained
// message; [MQTT-3.3.1-11] and is itself never stored.
TEST(RetainedStore, Mqtt_3_3_1_10_Mqtt_3_3_1_11_EmptyPayloadDeletesAndIsNotStored)
{
    MqttRetainedStore store;
    store.Store(Msg("a/b", "data", 1));
    store.Store(Msg("a/b/c", "data", 2));
    const std::size_t nodes = store.NodeCount();
    store.Store(Msg("a/b", "", 3));
    EXPECT_EQ(store.Find("a/b"), nullptr);
    EXPECT_EQ(store.Size(), 1u);
    EXPECT_EQ(MatchOf(store, "a/#"), (Topics{"a/b/c"}));
    EXPECT_EQ(store.NodeCount(), nodes); // "a/b" still leads to "a/b/c"
    // On a topic without a retained message it stores nothing, not even a node.
    store.Store(Msg("q/r", "", 4));
    EXPECT_EQ(store.Find("q/r"), nullptr);
    EXPECT_EQ(store.Size(), 1u);
    EXPECT_EQ(store.NodeCount(), nodes);
    store.Store(Msg("a/b/c", "", 5));
    EXPECT_EQ(store.Size(), 0u);
    EXPECT_EQ(store.NodeCount(), 0u);
    EXPECT_EQ(MatchOf(store, "#"), Topics{});
}

// [MQTT-4.7.1-1] wildcards are not allowed in topic names: such a message is not stored.
TEST(RetainedStore, Mqtt_4_7_1_1_WildcardTopicNotStored)
{
    MqttRetainedStore store;
    store.Store(Msg("a/+"));
    store.Store(Msg("a/#"));
    store.Store(Msg(""));
    store.Store(nullptr);
    EXPECT_EQ(store.Size(), 0u);
    EXPECT_EQ(store.NodeCount(), 0u);
    EXPECT_EQ(store.Find("a/+"), nullptr);
}

// Section 4.7 examples by filter; results sorted by topic name.
TEST(RetainedStore, MatchesSectionFourSevenExamples)
{
    MqttRetainedStore store;
    StoreAll(store,
             {"sport/tennis/player1/score/wimbledon",
              "sport/tennis/player1",
              "sport",
              "sport/tennis/player2",
              "sport/tennis/player1/ranking",
              "sport/",
              "/finance",
              "sport/tennis",
              "finance"});
    EXPECT_EQ(MatchOf(store, "sport/tennis/player1/#"),
              (Topics{"sport/tennis/player1",
                      "sport/tennis/player1/ranking",
                      "sport/tennis/player1/score/wimbledon"}));
    EXPECT_EQ(MatchOf(store, "sport/#"),
              (Topics{"sport",
                      "sport/",
                      "sport/tennis",
                      "sport/tennis/player1",
                      "sport/tennis/player1/ranking",
                      "sport/tennis/player1/score/wimbledon",
                      "sport/tennis/player2"}));
    EXPECT_EQ(MatchOf(store, "sport/tennis/+"),
              (Topics{"sport/tennis/player1", "sport/tennis/player2"}));
    EXPECT_EQ(MatchOf(store, "sport/+"), (Topics{"sport/", "sport/tennis"}));
    EXPECT_EQ(MatchOf(store, "+"), (Topics{"finance", "sport"}));
    EXPECT_EQ(MatchOf(store, "+/+"), (Topics{"/finance", "sport/", "sport/tennis"}));
    EXPECT_EQ(MatchOf(store, "/+"), (Topics{"/finance"}));
    EXPECT_EQ(MatchOf(store, "sport"), (Topics{"sport"}));
    EXPECT_EQ(MatchOf(store, "sport/tennis/player3"), Topics{});
    EXPECT_EQ(MatchOf(store, "#").size(), 9u);
}

// Results are in byte order of the topic name even where that differs from level order
// ('!' sorts before '/', so "a!" comes before "a/b" although level "a" comes before "a!").
TEST(RetainedStore, SortedByTopicBytes)
{
    MqttRetainedStore store;
    StoreAll(store, {"a/b", "a!", "a", "a.c", "a/b/c", "b", "A", "a!/x"});
    EXPECT_EQ(MatchOf(store, "#"), (Topics{"A", "a", "a!", "a!/x", "a.c", "a/b", "a/b/c", "b"}));
    EXPECT_EQ(MatchOf(store, "+/#"), (Topics{"A", "a", "a!", "a!/x", "a.c", "a/b", "a/b/c", "b"}));
    EXPECT_EQ(MatchOf(store, "+/+"), (Topics{"a!/x", "a/b"}));
}

// [MQTT-4.7.2-1] a filter starting with a wildcard never returns '$' topics; '$SYS/#' does.
TEST(RetainedStore, Mqtt_4_7_2_1_DollarTopics)
{
    MqttRetainedStore store;
    StoreAll(store, {"$SYS/broker/uptime", "$SYS", "$other", "a/$SYS", "a"});
    EXPECT_EQ(MatchOf(store, "#"), (Topics{"a", "a/$SYS"}));
    EXPECT_EQ(MatchOf(store, "+"), (Topics{"a"}));
    EXPECT_EQ(MatchOf(store, "+/broker/uptime"), Topics{});
    EXPECT_EQ(MatchOf(store, "+/#"), (Topics{"a", "a/$SYS"}));
    EXPECT_EQ(MatchOf(store, "$SYS/#"), (Topics{"$SYS", "$SYS/broker/uptime"}));
    EXPECT_EQ(MatchOf(store, "$SYS/+/uptime"), (Topics{"$SYS/broker/uptime"}));
    EXPECT_EQ(MatchOf(store, "$other"), (Topics{"$other"}));
    EXPECT_EQ(MatchOf(store, "a/+"), (Topics{"a/$SYS"}));
    EXPECT_EQ(store.Find("$SYS")->topic, "$SYS");
}

// [MQTT-4.7.3-4] raw byte comparison: no normalisation, case-sensitive.
TEST(RetainedStore, Mqtt_4_7_3_4_RawByteComparison)
{
    const std::string nfc = "caf\xC3\xA9";  // U+00E9 precomposed
    const std::string nfd = "cafe\xCC\x81"; // e + U+0301 combining acute
    MqttRetainedStore store;
    StoreAll(store, {nfc, "Sport"});
    EXPECT_EQ(store.Find(nfd), nullptr);
    EXPECT_EQ(MatchOf(store, nfd), Topics{});
    EXPECT_EQ(MatchOf(store, nfc), (Topics{nfc}));
    EXPECT_EQ(MatchOf(store, "sport"), Topics{});
    EXPECT_EQ(MatchOf(store, "Sport"), (Topics{"Sport"}));
}

// An invalid filter matches nothing; Match clears its output first.
TEST(RetainedStore, InvalidFilterMatchesNothing)
{
    MqttRetainedStore store;
    StoreAll(store, {"a/b", "a"});
    std::vector<MqttMessagePtr> out{Msg("junk")};
    store.Match("a/#/b", out);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(MatchOf(store, "a+"), Topics{});
    EXPECT_EQ(MatchOf(store, ""), Topics{});
    EXPECT_EQ(MatchOf(store, "a/#"), (Topics{"a", "a/b"}));
}

// Erase removes exactly one topic and prunes what it left empty.
TEST(RetainedStore, ErasePrunes)
{
    MqttRetainedStore store;
    StoreAll(store, {"a/b/c", "a/b", "a/x", "$SYS/y"});
    EXPECT_EQ(store.NodeCount(), 6u); // a, b, c, x, $SYS, y
    EXPECT_FALSE(store.Erase("a"));   // a node, but no message
    EXPECT_FALSE(store.Erase("a/b/c/d"));
    EXPECT_FALSE(store.Erase(""));
    EXPECT_TRUE(store.Erase("a/b"));
    EXPECT_FALSE(store.Erase("a/b"));
    EXPECT_EQ(store.NodeCount(), 6u); // b still leads to c
    EXPECT_TRUE(store.Erase("a/b/c"));
    EXPECT_EQ(store.NodeCount(), 4u);
    EXPECT_TRUE(store.Erase("$SYS/y"));
    EXPECT_TRUE(store.Erase("a/x"));
    EXPECT_EQ(store.NodeCount(), 0u);
    EXPECT_EQ(store.Size(), 0u);
}

// 65535 '/' is a valid name with 65536 levels: nothing recurses.
TEST(RetainedStore, DeepTopicDoesNotRecurse)
{
    const std::string slashes(65535, '/');
    {
        MqttRetainedStore store;
        store.Store(Msg(slashes));
        EXPECT_EQ(store.NodeCount(), 65536u);
        EXPECT_EQ(MatchOf(store, "#"), (Topics{slashes}));
        EXPECT_EQ(MatchOf(store, slashes), (Topics{slashes}));
        EXPECT_EQ(store.Find(slashes)->topic, slashes);
        store.Store(Msg("/"));
        EXPECT_EQ(MatchOf(store, "/#").size(), 2u);
        // Destroyed here with the whole chain in place.
    }
    MqttRetainedStore store;
    store.Store(Msg(slashes));
    EXPECT_TRUE(store.Erase(slashes));
    EXPECT_EQ(store.NodeCount(), 0u);
}

// The store agrees with TopicMatches: for random filters it returns exactly the stored topics
// that match, sorted; so each retained message delivered on subscribe has a name matching
// the filter [MQTT-3.3.2-3].
TEST(RetainedStore, Mqtt_3_3_2_3_AgreesWithTopicMatchesOnRandomInput)
{
    std::mt19937 rng(424242);
    const std::vector<std::string> levels = {"", "a", "b", "$SYS", "$", "a!"};
    auto randomTopic = [&](bool filter)
    {
        std::string t;
        const int count = 1 + static_cast<int>(rng() % 5);
        for (int i = 0; i < count; ++i)
        {
            if (i > 0)
            {
                t += '/';
            }
            const unsigned pick = rng() % (filter ? 9 : 6);
            t += pick < 6 ? levels[pick] : (pick < 8 || i + 1 < count ? "+" : "#");
        }
        return t.empty() ? std::string("/") : t; // "" is not a topic
    };
    for (int trial = 0; trial < 5; ++trial)
    {
        MqttRetainedStore store;
        std::set<std::string> model;
        for (int i = 0; i < 50 + trial * 150; ++i)
        {
            const std::string name = randomTopic(false);
            if (rng() % 5 == 0)
            {
                store.Store(Msg(name, "")); // deletes
                model.erase(name);
            }
            else
            {
                store.Store(Msg(name));
                model.insert(name);
            }
        }
        ASSERT_EQ(store.Size(), model.size());
        for (int i = 0; i < 1000; ++i)
        {
            const std::string filter = randomTopic(true);
            Topics want;
            for (const auto& name : model) // std::set: already in byte order
            {
                if (TopicMatches(filter, name))
                {
                    want.push_back(name);
                }
            }
            ASSERT_EQ(MatchOf(store, filter), want) << "filter '" << filter << "'";
        }
        for (const auto& name : model)
        {
            ASSERT_TRUE(store.Erase(name));
        }
        EXPECT_EQ(store.NodeCount(), 0u);
    }
}
