/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-retained-store.h"

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

/** One level of a topic name; holds the retained message of the name ending here, if any. */
struct MqttRetainedNode
{
    /** Levels below; std::less<> so a string_view level is looked up without a copy. */
    std::map<std::string, std::unique_ptr<MqttRetainedNode>, std::less<>> children;
    MqttMessagePtr message;
};

MqttRetainedStore::MqttRetainedStore() = default;

MqttRetainedStore::~MqttRetainedStore()
{
    DestroyTopicTrie(m_root, m_dollarRoot, [](Node&, std::vector<std::unique_ptr<Node>>&) {});
}

void
MqttRetainedStore::Store(MqttMessagePtr message)
{
    if (!message || ValidateTopicName(message->topic) != TopicError::None)
    {
        return;
    }
    if (message->payload.empty())
    {
        // A zero-byte retained message deletes and is never stored itself
        // [MQTT-3.3.1-10], [MQTT-3.3.1-11].
        Erase(message->topic);
        return;
    }
    const std::string_view topic = message->topic;
    Node* node = RootFor(topic);
    std::size_t pos = 0;
    while (pos != TOPIC_LEVELS_DONE)
    {
        const std::string_view level = NextTopicLevel(topic, pos);
        auto it = node->children.find(level);
        if (it == node->children.end())
        {
            it = node->children.emplace(std::string(level), std::make_unique<Node>()).first;
            ++m_nodeCount;
        }
        node = it->second.get();
    }
    if (!node->message)
    {
        ++m_size;
    }
    node->message = std::move(message);
}

MqttRetainedStore::Node*
MqttRetainedStore::FindNode(std::string_view topic) const
{
    if (topic.empty())
    {
        return nullptr;
    }
    Node* node = RootFor(topic);
    std::size_t pos = 0;
    while (pos != TOPIC_LEVELS_DONE && node != nullptr)
    {
        auto it = node->children.find(NextTopicLevel(topic, pos));
        node = it == node->children.end() ? nullptr : it->second.get();
    }
    return node;
}

bool
MqttRetainedStore::Erase(std::string_view topic)
{
    if (topic.empty())
    {
        return false;
    }
    m_path.clear();
    Node* node = RootFor(topic);
    m_path.emplace_back(node, std::string_view());
    std::size_t pos = 0;
    while (pos != TOPIC_LEVELS_DONE)
    {
        const std::string_view level = NextTopicLevel(topic, pos);
        auto it = node->children.find(level);
        if (it == node->children.end())
        {
            return false;
        }
        node = it->second.get();
        m_path.emplace_back(node, level);
    }
    if (!node->message)
    {
        return false;
    }
    node->message.reset();
    --m_size;
    // Prune the nodes left without message or children, deepest first; the roots stay.
    for (std::size_t i = m_path.size() - 1;
         i > 0 && !m_path[i].first->message && m_path[i].first->children.empty();
         --i)
    {
        Node* parent = m_path[i - 1].first;
        parent->children.erase(parent->children.find(m_path[i].second));
        --m_nodeCount;
    }
    return true;
}

MqttMessagePtr
MqttRetainedStore::Find(std::string_view topic) const
{
    const Node* node = FindNode(topic);
    return node != nullptr ? node->message : nullptr;
}

void
MqttRetainedStore::Match(std::string_view filter, std::vector<MqttMessagePtr>& out) const
{
    out.clear();
    if (ValidateTopicFilter(filter) != TopicError::None)
    {
        return;
    }
    // A filter starting with a wildcard searches only the non-'$' branch [MQTT-4.7.2-1].
    m_stack.clear();
    m_stack.push_back({RootFor(filter), 0, false});
    // Children are pushed last-first so nodes pop in map order: the output then comes out
    // nearly (often fully) sorted and the final check is all that is needed.
    auto pushChildren = [this](const Node* node, std::size_t pos, bool subtree)
    {
        for (auto it = node->children.rbegin(); it != node->children.rend(); ++it)
        {
            m_stack.push_back({it->second.get(), pos, subtree});
        }
    };
    while (!m_stack.empty())
    {
        const Cursor cursor = m_stack.back();
        m_stack.pop_back();
        const Node* node = cursor.node;
        if (cursor.subtree || cursor.pos == TOPIC_LEVELS_DONE)
        {
            if (node->message)
            {
                out.push_back(node->message);
            }
            if (cursor.subtree)
            {
                pushChildren(node, 0, true);
            }
            continue;
        }
        std::size_t next = cursor.pos;
        const std::string_view level = NextTopicLevel(filter, next);
        if (level == "#")
        {
            // "x/#" takes x itself and everything below it (section 4.7.1.2); at a root there
            // is no message, only the subtree.
            m_stack.push_back({node, 0, true});
        }
        else if (level == "+")
        {
            pushChildren(node, next, false);
        }
        else
        {
            auto it = node->children.find(level);
            if (it != node->children.end())
            {
                m_stack.push_back({it->second.get(), next, false});
            }
        }
    }
    // Map order is level by level, which differs from byte order only when a level has a
    // character below '/' after a common prefix ("a!" < "a/b" but level "a" < "a!").
    auto byTopic = [](const MqttMessagePtr& a, const MqttMessagePtr& b)
    { return a->topic < b->topic; };
    if (!std::is_sorted(out.begin(), out.end(), byTopic))
    {
        std::sort(out.begin(), out.end(), byTopic);
    }
}

} // namespace mqtt
} // namespace ns3
