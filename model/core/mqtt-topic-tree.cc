/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-topic-tree.h"

#include "mqtt-topic-levels.h"
#include "mqtt-topic.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>

namespace ns3
{
namespace mqtt
{

namespace
{

/**
 * Orders levels by length, then bytes: a total order, so the map is as deterministic as with
 * std::less, but most comparisons end at the length and the rest are short inline loops
 * instead of a memcmp call. Children are never listed in this order (Match output is sorted by
 * subscriber), so it need not be lexicographic.
 */
struct LevelLess
{
    using is_transparent = void;

    bool
    operator()(std::string_view a, std::string_view b) const
    {
        if (a.size() != b.size())
        {
            return a.size() < b.size();
        }
        for (std::size_t i = 0; i < a.size(); ++i)
        {
            if (a[i] != b[i])
            {
                return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
            }
        }
        return false;
    }
};

} // namespace

/**
 * One level of the trie. A filter "a/+/c" ends at root -> "a" -> plus -> "c" and lives in that
 * node's m_subs; "a/#" lives in the m_hashSubs of node "a" ('#' is always the last level, so it
 * needs no node of its own), and "#" in the root's.
 */
struct MqttTopicTreeNode
{
    /** Literal levels; a transparent order so a string_view level is looked up without a copy. */
    std::map<std::string, std::unique_ptr<MqttTopicTreeNode>, LevelLess> children;
    std::unique_ptr<MqttTopicTreeNode> plus; //!< the '+' level
    std::vector<SubscriberMatch> subs;       //!< filters ending here, sorted by subscriber
    std::vector<SubscriberMatch> hashSubs;   //!< filters ending with '#' here, sorted by subscriber

    bool
    Empty() const
    {
        return children.empty() && !plus && subs.empty() && hashSubs.empty();
    }
};

namespace
{

/** Orders a subscriber list (lower_bound in Subscribe and Unsubscribe). */
bool
BySubscriber(const SubscriberMatch& a, const SubscriberMatch& b)
{
    return a.subscriber < b.subscriber;
}

} // namespace

MqttTopicTree::MqttTopicTree() = default;

MqttTopicTree::~MqttTopicTree()
{
    // The filter of 65535 '/' has 65536 levels: no recursion (see DestroyTopicTrie).
    DestroyTopicTrie(m_root,
                     m_dollarRoot,
                     [](Node& node, std::vector<std::unique_ptr<Node>>& work)
                     {
                         if (node.plus)
                         {
                             work.push_back(std::move(node.plus));
                         }
                     });
}

bool
MqttTopicTree::Subscribe(std::string_view filter, SubscriberId subscriber, Qos qos)
{
    if (ValidateTopicFilter(filter) != TopicError::None)
    {
        return false;
    }
    Node* node = RootFor(filter);
    std::vector<SubscriberMatch>* list = nullptr;
    std::size_t pos = 0;
    while (pos != TOPIC_LEVELS_DONE)
    {
        const std::string_view level = NextTopicLevel(filter, pos);
        if (level == "#")
        {
            list = &node->hashSubs; // validated: '#' is the last level
            break;
        }
        std::unique_ptr<Node>* slot;
        if (level == "+")
        {
            slot = &node->plus;
        }
        else
        {
            auto it = node->children.find(level);
            if (it == node->children.end())
            {
                it = node->children.emplace(std::string(level), nullptr).first;
            }
            slot = &it->second;
        }
        if (!*slot)
        {
            *slot = std::make_unique<Node>();
            ++m_nodeCount;
        }
        node = slot->get();
    }
    if (list == nullptr)
    {
        list = &node->subs;
    }
    const SubscriberMatch entry{subscriber, qos};
    auto it = std::lower_bound(list->begin(), list->end(), entry, BySubscriber);
    if (it != list->end() && it->subscriber == subscriber)
    {
        it->maxQos = qos; // [MQTT-3.8.4-3] the identical filter is replaced
        return true;
    }
    list->insert(it, entry);
    ++m_size;
    return false;
}

bool
MqttTopicTree::Unsubscribe(std::string_view filter, SubscriberId subscriber)
{
    // Only valid filters were stored; validating also guarantees '#' is last.
    if (ValidateTopicFilter(filter) != TopicError::None)
    {
        return false;
    }
    // Levels are compared as strings, so "+" finds only a "+" subscription: wildcards are not
    // interpreted [MQTT-3.10.4-1].
    m_path.clear();
    Node* node = RootFor(filter);
    m_path.push_back({node, {}});
    std::vector<SubscriberMatch>* list = &node->subs;
    std::size_t pos = 0;
    while (pos != TOPIC_LEVELS_DONE)
    {
        const std::string_view level = NextTopicLevel(filter, pos);
        if (level == "#")
        {
            list = &node->hashSubs;
            break;
        }
        if (level == "+")
        {
            node = node->plus.get();
        }
        else
        {
            auto it = node->children.find(level);
            node = it == node->children.end() ? nullptr : it->second.get();
        }
        if (node == nullptr)
        {
            return false;
        }
        m_path.push_back({node, level});
        list = &node->subs;
    }
    const SubscriberMatch key{subscriber, Qos::AtMostOnce};
    auto it = std::lower_bound(list->begin(), list->end(), key, BySubscriber);
    if (it == list->end() || it->subscriber != subscriber)
    {
        return false;
    }
    list->erase(it);
    --m_size;
    // Prune the nodes this left empty, deepest first; the roots stay.
    for (std::size_t i = m_path.size() - 1; i > 0 && m_path[i].node->Empty(); --i)
    {
        Node* parent = m_path[i - 1].node;
        if (m_path[i].level == "+")
        {
            parent->plus.reset();
        }
        else
        {
            parent->children.erase(parent->children.find(m_path[i].level));
        }
        --m_nodeCount;
    }
    return true;
}

void
MqttTopicTree::Match(std::string_view name, std::vector<SubscriberMatch>& out) const
{
    out.clear();
    if (name.empty())
    {
        return; // not a topic name [MQTT-4.7.3-1]
    }
    // A '$' name is looked up only in the '$' branch, where no filter starts with a wildcard
    // [MQTT-4.7.2-1].
    m_stack.clear();
    m_stack.push_back({RootFor(name), 0});
    // Each list appended is a run: sorted by subscriber and duplicate-free.
    m_runs.clear();
    auto collect = [this, &out](const std::vector<SubscriberMatch>& list)
    {
        if (!list.empty())
        {
            m_runs.push_back(out.size());
            out.insert(out.end(), list.begin(), list.end());
        }
    };
    while (!m_stack.empty())
    {
        const Cursor cursor = m_stack.back();
        m_stack.pop_back();
        const Node* node = cursor.node;
        // "x/#" matches x itself and everything below it (section 4.7.1.2).
        collect(node->hashSubs);
        if (cursor.pos == TOPIC_LEVELS_DONE)
        {
            collect(node->subs);
            continue;
        }
        std::size_t next = cursor.pos;
        const std::string_view level = NextTopicLevel(name, next);
        if (node->plus)
        {
            m_stack.push_back({node->plus.get(), next});
        }
        auto it = node->children.find(level);
        if (it != node->children.end())
        {
            m_stack.push_back({it->second.get(), next});
        }
    }
    if (m_runs.size() > 1)
    {
        MergeRuns(out);
    }
}

void
MqttTopicTree::MergeRuns(std::vector<SubscriberMatch>& out) const
{
    // Bottom-up merge of the runs, two at a time, between out and m_merge: O(k log r) for k
    // entries in r runs. A subscriber found in both runs of a pair becomes one entry with the
    // higher QoS [MQTT-3.3.5-1], so the result is duplicate-free without a separate pass.
    const std::size_t total = out.size();
    m_runs.push_back(total); // end of the last run
    m_merge.resize(total);
    std::vector<SubscriberMatch>* src = &out;
    std::vector<SubscriberMatch>* dst = &m_merge;
    while (m_runs.size() > 2)
    {
        const std::size_t runs = m_runs.size() - 1;
        std::size_t w = 0;
        std::size_t kept = 0;
        for (std::size_t r = 0; r < runs; r += 2)
        {
            std::size_t a = m_runs[r];
            const std::size_t aEnd = m_runs[r + 1];
            std::size_t b = aEnd;
            const std::size_t bEnd = r + 2 <= runs ? m_runs[r + 2] : aEnd;
            m_runs[kept++] = w; // kept <= r / 2: never overwrites a boundary still to be read
            const SubscriberMatch* in = src->data();
            SubscriberMatch* to = dst->data();
            while (a < aEnd && b < bEnd)
            {
                if (in[a].subscriber < in[b].subscriber)
                {
                    to[w++] = in[a++];
                }
                else if (in[b].subscriber < in[a].subscriber)
                {
                    to[w++] = in[b++];
                }
                else
                {
                    to[w++] = {in[a].subscriber, std::max(in[a].maxQos, in[b].maxQos)};
                    ++a;
                    ++b;
                }
            }
            while (a < aEnd)
            {
                to[w++] = in[a++];
            }
            while (b < bEnd)
            {
                to[w++] = in[b++];
            }
        }
        m_runs[kept++] = w;
        m_runs.resize(kept);
        std::swap(src, dst);
    }
    const std::size_t merged = m_runs[1];
    if (src != &out)
    {
        std::copy(src->begin(), src->begin() + merged, out.begin());
    }
    out.resize(merged);
}

} // namespace mqtt
} // namespace ns3
