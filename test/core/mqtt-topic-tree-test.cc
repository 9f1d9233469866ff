/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The subscription trie: section 4.7 matching with many filters at once, '$' topics, overlapping
 * subscriptions, replacement, literal unsubscribe, pruning, and agreement with TopicMatches.
 */
#include "mqtt-topic-tree.h"
#include "mqtt-topic.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace ns3::mqtt;

namespace
{

using Hits = std::vector<std::pair<SubscriberId, int>>;

/** Who the tree says gets @p name, as (subscriber, QoS) pairs in the order returned. */
Hits
MatchOf(const MqttTopicTree& tree, std::string_view name)
{
    std::vector<SubscriberMatch> out;
    tree.Match(name, out);
    Hits hits;
    for (const auto& m : out)
    {
        hits.emplace_back(m.subscriber, static_cast<int>(m.maxQos));
    }
    return hits;
}

/** Subscribes each filter for its own subscriber (1, 2, 3, ...) at QoS 0. */
void
SubscribeEach(MqttTopicTree& tree, const std::vector<std::string>& filters)
{
    SubscriberId id = 1;
    for (const auto& f : filters)
    {
        tree.Subscribe(f, id++, Qos::AtMostOnce);
    }
}

/** Which of the filters (by subscriber id 1, 2, ...) match @p name. */
std::vector<SubscriberId>
Matching(const MqttTopicTree& tree, std::string_view name)
{
    std::vector<SubscriberId> ids;
    for (const auto& hit : MatchOf(tree, name))
    {
        ids.push_back(hit.first);
    }
    return ids;
}

using Ids = std::vector<SubscriberId>;

} // namespace

// Section 4.7.1.2: "sport/tennis/player1/#" and "sport/#" (which matches "sport" itself).
TEST(TopicTree, MultiLevelWildcardExamples)
{
    MqttTopicTree tree;
    SubscribeEach(tree, {"sport/tennis/player1/#", "sport/#", "#", "sport/tennis/#"});
    EXPECT_EQ(Matching(tree, "sport/tennis/player1"), (Ids{1, 2, 3, 4}));
    EXPECT_EQ(Matching(tree, "sport/tennis/player1/ranking"), (Ids{1, 2, 3, 4}));
    EXPECT_EQ(Matching(tree, "sport/tennis/player1/score/wimbledon"), (Ids{1, 2, 3, 4}));
    EXPECT_EQ(Matching(tree, "sport/tennis"), (Ids{2, 3, 4}));
    EXPECT_EQ(Matching(tree, "sport"), (Ids{2, 3}));
    EXPECT_EQ(Matching(tree, "sport/"), (Ids{2, 3}));
    EXPECT_EQ(Matching(tree, "sports"), (Ids{3}));
    EXPECT_EQ(Matching(tree, "/sport"), (Ids{3}));
}

// Section 4.7.1.3: '+' takes exactly one level, possibly empty.
TEST(TopicTree, SingleLevelWildcardExamples)
{
    MqttTopicTree tree;
    SubscribeEach(tree, {"sport/tennis/+", "sport/+", "+", "+/+", "/+", "+/tennis/#"});
    EXPECT_EQ(Matching(tree, "sport/tennis/player1"), (Ids{1, 6}));
    EXPECT_EQ(Matching(tree, "sport/tennis/player2"), (Ids{1, 6}));
    EXPECT_EQ(Matching(tree, "sport/tennis/player1/ranking"), (Ids{6}));
    EXPECT_EQ(Matching(tree, "sport"), (Ids{3}));       // "sport/+" does not match "sport"
    EXPECT_EQ(Matching(tree, "sport/"), (Ids{2, 4}));   // but does match "sport/"
    EXPECT_EQ(Matching(tree, "/finance"), (Ids{4, 5})); // "+" does not, "+/+" and "/+" do
    EXPECT_EQ(Matching(tree, "sport/tennis"), (Ids{2, 4, 6}));
    EXPECT_EQ(Matching(tree, "/"), (Ids{4, 5}));
}

// Empty levels are levels: 'a//b', '/a' and 'a/' are three different shapes.
TEST(TopicTree, EmptyLevels)
{
    MqttTopicTree tree;
    SubscribeEach(tree, {"a//b", "a/+/b", "/a", "a/", "a", "+/a", "a/+"});
    EXPECT_EQ(Matching(tree, "a//b"), (Ids{1, 2}));
    EXPECT_EQ(Matching(tree, "a/b"), (Ids{7}));
    EXPECT_EQ(Matching(tree, "a/x/b"), (Ids{2}));
    EXPECT_EQ(Matching(tree, "/a"), (Ids{3, 6}));
    EXPECT_EQ(Matching(tree, "a/"), (Ids{4, 7}));
    EXPECT_EQ(Matching(tree, "a"), (Ids{5}));
    EXPECT_EQ(Matching(tree, "//"), Ids{});
}

// [MQTT-4.7.2-1] a filter starting with a wildcard never matches a '$' topic; section 4.7.2:
// '$SYS/#' and '$SYS/monitor/+' do.
TEST(TopicTree, Mqtt_4_7_2_1_DollarTopicsOnlyByExplicitPrefix)
{
    MqttTopicTree tree;
    SubscribeEach(tree,
                  {"#",
                   "+/monitor/Clients",
                   "$SYS/#",
                   "$SYS/monitor/+",
                   "+",
                   "$SYS",
                   "+/#",
                   "$SYS/monitor/Clients",
                   "a/#"});
    EXPECT_EQ(Matching(tree, "$SYS/monitor/Clients"), (Ids{3, 4, 8}));
    EXPECT_EQ(Matching(tree, "$SYS"), (Ids{3, 6}));
    EXPECT_EQ(Matching(tree, "$SYS/"), (Ids{3}));
    EXPECT_EQ(Matching(tree, "$other"), Ids{});
    // Only the first character counts: '$' deeper down is an ordinary character.
    EXPECT_EQ(Matching(tree, "a/$SYS"), (Ids{1, 7, 9}));
    EXPECT_EQ(Matching(tree, "x/monitor/Clients"), (Ids{1, 2, 7}));
    EXPECT_EQ(Matching(tree, "SYS"), (Ids{1, 5, 7}));
}

// [MQTT-4.7.3-4] matching compares raw bytes: no Unicode normalisation, case-sensitive.
TEST(TopicTree, Mqtt_4_7_3_4_RawByteComparison)
{
    const std::string nfc = "caf\xC3\xA9/x";  // U+00E9 precomposed
    const std::string nfd = "cafe\xCC\x81/x"; // e + U+0301 combining acute
    MqttTopicTree tree;
    SubscribeEach(tree, {nfc, "Sport/+", "my topic/+"});
    EXPECT_EQ(Matching(tree, nfc), (Ids{1}));
    EXPECT_EQ(Matching(tree, nfd), Ids{});
    EXPECT_EQ(Matching(tree, "Sport/a"), (Ids{2}));
    EXPECT_EQ(Matching(tree, "sport/a"), Ids{});
    EXPECT_EQ(Matching(tree, "my topic/ a "), (Ids{3}));
}

// [MQTT-4.7.1-2] [MQTT-4.7.1-3] filters with a misplaced wildcard are never stored, so they
// never match (and cannot be unsubscribed).
TEST(TopicTree, Mqtt_4_7_1_2_Mqtt_4_7_1_3_InvalidFiltersNotStored)
{
    MqttTopicTree tree;
    for (const char* bad :
         {"sport/tennis#", "sport/tennis/#/ranking", "#/a", "sport+", "a/+b", "++", ""})
    {
        EXPECT_FALSE(tree.Subscribe(bad, 1, Qos::AtLeastOnce)) << bad;
        EXPECT_FALSE(tree.Unsubscribe(bad, 1)) << bad;
    }
    EXPECT_EQ(tree.Size(), 0u);
    EXPECT_EQ(tree.NodeCount(), 0u);
    EXPECT_EQ(Matching(tree, "sport/tennis/x/ranking"), Ids{});
    EXPECT_EQ(Matching(tree, "sport+"), Ids{});
}

// [MQTT-3.3.5-1] one entry per subscriber, at the highest QoS of its matching filters.
TEST(TopicTree, Mqtt_3_3_5_1_OverlappingSubscriptionsGiveMaxQos)
{
    MqttTopicTree tree;
    tree.Subscribe("a/b", 7, Qos::AtMostOnce);
    tree.Subscribe("a/+", 7, Qos::ExactlyOnce);
    tree.Subscribe("#", 7, Qos::AtLeastOnce);
    tree.Subscribe("a/#", 3, Qos::AtLeastOnce);
    tree.Subscribe("+/b", 3, Qos::AtMostOnce);
    tree.Subscribe("a/b", 5, Qos::AtMostOnce);
    EXPECT_EQ(tree.Size(), 6u);
    EXPECT_EQ(MatchOf(tree, "a/b"), (Hits{{3, 1}, {5, 0}, {7, 2}}));
    EXPECT_EQ(MatchOf(tree, "a/c"), (Hits{{3, 1}, {7, 2}}));
    EXPECT_EQ(MatchOf(tree, "a"), (Hits{{3, 1}, {7, 1}}));
    EXPECT_EQ(MatchOf(tree, "x/b"), (Hits{{3, 0}, {7, 1}}));
    tree.Unsubscribe("a/+", 7);
    EXPECT_EQ(MatchOf(tree, "a/b"), (Hits{{3, 1}, {5, 0}, {7, 1}}));
}

// [MQTT-3.8.4-3] an identical filter from the same subscriber replaces the subscription.
TEST(TopicTree, Mqtt_3_8_4_3_IdenticalFilterReplaces)
{
    MqttTopicTree tree;
    EXPECT_FALSE(tree.Subscribe("a/+", 1, Qos::AtMostOnce));
    EXPECT_FALSE(tree.Subscribe("a/+", 2, Qos::AtMostOnce)); // another subscriber: added
    EXPECT_TRUE(tree.Subscribe("a/+", 1, Qos::ExactlyOnce));
    EXPECT_EQ(tree.Size(), 2u);
    EXPECT_EQ(MatchOf(tree, "a/x"), (Hits{{1, 2}, {2, 0}}));
    EXPECT_TRUE(tree.Subscribe("a/+", 1, Qos::AtLeastOnce)); // a downgrade replaces too
    EXPECT_EQ(MatchOf(tree, "a/x"), (Hits{{1, 1}, {2, 0}}));
    EXPECT_FALSE(tree.Subscribe("a/#", 1, Qos::AtMostOnce)); // not identical: a second one
    EXPECT_TRUE(tree.Subscribe("a/#", 1, Qos::AtMostOnce));
    EXPECT_EQ(tree.Size(), 3u);
    const std::size_t nodes = tree.NodeCount();
    EXPECT_TRUE(tree.Subscribe("a/+", 1, Qos::AtMostOnce));
    EXPECT_EQ(tree.NodeCount(), nodes);
}

// [MQTT-3.10.4-1] unsubscribe compares the filter literally: wildcards are not interpreted.
TEST(TopicTree, Mqtt_3_10_4_1_UnsubscribeIsLiteral)
{
    MqttTopicTree tree;
    tree.Subscribe("a/b", 1, Qos::AtMostOnce);
    tree.Subscribe("a/+", 1, Qos::AtLeastOnce);
    tree.Subscribe("a/#", 2, Qos::AtMostOnce);
    EXPECT_FALSE(tree.Unsubscribe("a/#", 1)); // would cover both of 1's filters, but is neither
    EXPECT_FALSE(tree.Unsubscribe("+/b", 1));
    EXPECT_FALSE(tree.Unsubscribe("a/c", 1));
    EXPECT_FALSE(tree.Unsubscribe("a/b", 2)); // someone else's filter
    EXPECT_FALSE(tree.Unsubscribe("a/b/", 1));
    EXPECT_EQ(tree.Size(), 3u);
    EXPECT_TRUE(tree.Unsubscribe("a/+", 1)); // removes '+' only, not the literal "a/b"
    EXPECT_FALSE(tree.Unsubscribe("a/+", 1));
    EXPECT_EQ(MatchOf(tree, "a/b"), (Hits{{1, 0}, {2, 0}}));
    EXPECT_EQ(MatchOf(tree, "a/c"), (Hits{{2, 0}}));
    EXPECT_TRUE(tree.Unsubscribe("a/#", 2));
    EXPECT_TRUE(tree.Unsubscribe("a/b", 1));
    EXPECT_EQ(tree.Size(), 0u);
    EXPECT_EQ(MatchOf(tree, "a/b"), Hits{});
}

// Results are sorted by subscriber id whatever the order of subscription, so two brokers fed the
// same requests in another order deliver in the same order.
TEST(TopicTree, DeterministicOrder)
{
    const std::vector<std::pair<std::string, SubscriberId>> subs = {
        {"x/y", 9}, {"x/+", 1}, {"#", 42}, {"x/#", 5}, {"+/y", 3}, {"x/y", 17}, {"+/+", 2}};
    MqttTopicTree forward;
    MqttTopicTree backward;
    for (const auto& s : subs)
    {
        forward.Subscribe(s.first, s.second, Qos::AtMostOnce);
    }
    for (auto it = subs.rbegin(); it != subs.rend(); ++it)
    {
        backward.Subscribe(it->first, it->second, Qos::AtMostOnce);
    }
    EXPECT_EQ(Matching(forward, "x/y"), (Ids{1, 2, 3, 5, 9, 17, 42}));
    EXPECT_EQ(Matching(backward, "x/y"), (Ids{1, 2, 3, 5, 9, 17, 42}));
}

// Match clears the output vector first and reuses its storage.
TEST(TopicTree, MatchClearsOutput)
{
    MqttTopicTree tree;
    tree.Subscribe("a", 4, Qos::AtLeastOnce);
    std::vector<SubscriberMatch> out(10, SubscriberMatch{99, Qos::ExactlyOnce});
    tree.Match("a", out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].subscriber, 4u);
    EXPECT_EQ(out[0].maxQos, Qos::AtLeastOnce);
    tree.Match("b", out);
    EXPECT_TRUE(out.empty());
    tree.Match("", out);
    EXPECT_TRUE(out.empty());
}

// Unsubscribe prunes exactly the nodes it left empty.
TEST(TopicTree, PrunesEmptyNodes)
{
    MqttTopicTree tree;
    tree.Subscribe("a/b/c", 1, Qos::AtMostOnce); // a, b, c
    EXPECT_EQ(tree.NodeCount(), 3u);
    tree.Subscribe("a/b", 1, Qos::AtMostOnce);
    tree.Subscribe("a/+/#", 2, Qos::AtMostOnce);  // + (the '#' needs no node)
    tree.Subscribe("$SYS/x", 2, Qos::AtMostOnce); // $SYS, x
    EXPECT_EQ(tree.NodeCount(), 6u);
    EXPECT_TRUE(tree.Unsubscribe("a/b/c", 1));
    EXPECT_EQ(tree.NodeCount(), 5u); // c went, b still holds "a/b"
    EXPECT_TRUE(tree.Unsubscribe("a/+/#", 2));
    EXPECT_EQ(tree.NodeCount(), 4u);
    EXPECT_FALSE(tree.Unsubscribe("a/b/c/d", 1)); // absent: nothing created, nothing removed
    EXPECT_EQ(tree.NodeCount(), 4u);
    EXPECT_TRUE(tree.Unsubscribe("a/b", 1));
    EXPECT_TRUE(tree.Unsubscribe("$SYS/x", 2));
    EXPECT_EQ(tree.NodeCount(), 0u);
    EXPECT_EQ(tree.Size(), 0u);
}

// Memory does not grow with churn: after many rounds of subscribe and unsubscribe of
// changing filters the trie holds only what is subscribed.
TEST(TopicTree, ChurnDoesNotGrow)
{
    MqttTopicTree tree;
    tree.Subscribe("keep/#", 1, Qos::AtMostOnce);
    const std::size_t base = tree.NodeCount();
    std::mt19937 rng(7);
    std::vector<std::pair<std::string, SubscriberId>> live;
    for (int round = 0; round < 50; ++round)
    {
        for (int i = 0; i < 200; ++i)
        {
            std::string f = "site/" + std::to_string(rng() % 50) + "/dev/" +
                            std::to_string(rng() % 1000) + (rng() % 3 == 0 ? "/#" : "/+");
            SubscriberId s = 2 + rng() % 100;
            tree.Subscribe(f, s, Qos::AtMostOnce);
            live.emplace_back(f, s);
        }
        for (const auto& l : live)
        {
            tree.Unsubscribe(l.first, l.second);
        }
        live.clear();
        ASSERT_EQ(tree.NodeCount(), base) << "round " << round;
        ASSERT_EQ(tree.Size(), 1u);
    }
}

// A filter of 65535 bytes has up to 65536 levels; every walk is iterative, so neither
// matching, unsubscribing nor destroying such a tree overflows the stack.
TEST(TopicTree, DeepFilterDoesNotRecurse)
{
    const std::string slashes(65535, '/');                      // 65536 empty levels
    const std::string deepHash = std::string(65534, '/') + "#"; // 65534 empty levels, then '#'
    {
        MqttTopicTree tree;
        EXPECT_FALSE(tree.Subscribe(slashes, 1, Qos::AtMostOnce));
        EXPECT_FALSE(tree.Subscribe(deepHash, 2, Qos::AtLeastOnce));
        EXPECT_EQ(tree.NodeCount(), 65536u); // the '#' needs no node; the chain is shared
        EXPECT_EQ(MatchOf(tree, slashes), (Hits{{1, 0}, {2, 1}}));
        EXPECT_TRUE(tree.Unsubscribe(slashes, 1));
        EXPECT_EQ(tree.NodeCount(), 65534u);
        EXPECT_EQ(MatchOf(tree, slashes), (Hits{{2, 1}}));
        // Destroyed here with 65534 levels in place.
    }
    MqttTopicTree tree;
    EXPECT_FALSE(tree.Subscribe(slashes, 1, Qos::AtMostOnce));
    EXPECT_TRUE(tree.Unsubscribe(slashes, 1));
    EXPECT_EQ(tree.NodeCount(), 0u);
}

// The trie agrees with TopicMatches, one filter at a time, on thousands of random filters and
// names over a small alphabet where collisions, empty levels, '$' and wildcards are frequent.
// Each subscriber the trie returns has a filter matching the name under the 4.7 rules and each
// one with such a filter is returned [MQTT-3.3.2-3], at its highest QoS [MQTT-3.3.5-1].
TEST(TopicTree, Mqtt_3_3_2_3_AgreesWithTopicMatchesOnRandomInput)
{
    std::mt19937 rng(20240611);
    const std::vector<std::string> nameLevels = {"", "a", "b", "$SYS", "$", "a$"};
    auto randomTopic = [&](bool filter)
    {
        std::string t;
        const int levels = 1 + static_cast<int>(rng() % 5);
        for (int i = 0; i < levels; ++i)
        {
            if (i > 0)
            {
                t += '/';
            }
            const unsigned pick = rng() % (filter ? 9 : 6);
            if (pick < 6)
            {
                t += nameLevels[pick];
            }
            else if (pick < 8 || i + 1 < levels)
            {
                t += '+';
            }
            else
            {
                t += '#';
            }
        }
        return t.empty() ? std::string("/") : t; // "" is not a topic
    };

    for (int trial = 0; trial < 6; ++trial)
    {
        MqttTopicTree tree;
        std::map<std::pair<std::string, SubscriberId>, Qos> model;
        const int filters = 50 + trial * 400;
        for (int i = 0; i < filters; ++i)
        {
            const std::string f = randomTopic(true);
            ASSERT_EQ(ValidateTopicFilter(f), TopicError::None) << f;
            const SubscriberId s = rng() % 40;
            const Qos q = static_cast<Qos>(rng() % 3);
            const bool existed = model.count({f, s}) > 0;
            model[{f, s}] = q;
            ASSERT_EQ(tree.Subscribe(f, s, q), existed) << f;
        }
        ASSERT_EQ(tree.Size(), model.size());

        auto check = [&]()
        {
            for (int i = 0; i < 300; ++i)
            {
                const std::string name = randomTopic(false);
                std::map<SubscriberId, int> expected;
                for (const auto& [key, qos] : model)
                {
                    if (TopicMatches(key.first, name))
                    {
                        int& best = expected.emplace(key.second, 0).first->second;
                        best = std::max(best, static_cast<int>(qos));
                    }
                }
                const Hits want(expected.begin(), expected.end());
                ASSERT_EQ(MatchOf(tree, name), want) << "name '" << name << "'";
            }
        };
        check();

        // Unsubscribe about half (and some that do not exist), then check again.
        std::vector<std::pair<std::string, SubscriberId>> keys;
        for (const auto& entry : model)
        {
            keys.push_back(entry.first);
        }
        for (const auto& key : keys)
        {
            if (rng() % 2 == 0 && model.count(key) > 0) // may be gone as an "other" below
            {
                ASSERT_TRUE(tree.Unsubscribe(key.first, key.second));
                model.erase(key);
            }
            const std::string other = randomTopic(true);
            const SubscriberId s = rng() % 40;
            ASSERT_EQ(tree.Unsubscribe(other, s), model.erase({other, s}) > 0) << other;
        }
        ASSERT_EQ(tree.Size(), model.size());
        check();

        for (const auto& entry : model)
        {
            ASSERT_TRUE(tree.Unsubscribe(entry.first.first, entry.first.second));
        }
        EXPECT_EQ(tree.Size(), 0u);
        EXPECT_EQ(tree.NodeCount(), 0u);
    }
}
