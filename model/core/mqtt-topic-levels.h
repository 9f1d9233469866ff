/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Level-by-level reading of a topic name or filter, and the roots, counts and teardown of a topic
 * trie, shared by the subscription trie and the retained store. Header only: NextTopicLevel is
 * two lines on the hot path of every match.
 */
#ifndef MQTT_TOPIC_LEVELS_H
#define MQTT_TOPIC_LEVELS_H

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** Position value meaning "every level has been read". */
inline constexpr std::size_t TOPIC_LEVELS_DONE = std::string_view::npos;

/**
 * Returns the level of @p topic that starts at @p pos and moves @p pos to the start of the next
 * level, or to TOPIC_LEVELS_DONE after the last one. Empty levels are levels: "a//b" reads "a",
 * "", "b"; "a/" reads "a", ""; "" reads one empty level. Keeping "the next level is empty"
 * (pos == size) apart from "no level left" (DONE) is what makes 'sport/+' match 'sport/' but
 * not 'sport'. No allocation: the level is a view into @p topic.
 */
inline std::string_view
NextTopicLevel(std::string_view topic, std::size_t& pos)
{
    const std::size_t slash = topic.find('/', pos);
    const std::string_view level =
        topic.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    pos = slash == std::string_view::npos ? TOPIC_LEVELS_DONE : slash + 1;
    return level;
}

/**
 * Frees a topic trie from its two roots (owned raw pointers) without recursion: a recursive
 * teardown would overflow the stack on a 65536-level topic. Every node's map of levels, named
 * children, is freed; @p moveOthers(node, work) moves any other owned children into work.
 */
template<class Node, class MoveOthers>
void
DestroyTopicTrie(Node* root, Node* dollarRoot, MoveOthers moveOthers)
{
    std::vector<std::unique_ptr<Node>> work;
    work.emplace_back(root);
    work.emplace_back(dollarRoot);
    while (!work.empty())
    {
        std::unique_ptr<Node> node = std::move(work.back());
        work.pop_back();
        for (auto& child : node->children)
        {
            work.push_back(std::move(child.second));
        }
        moveOthers(*node, work);
    }
}

/**
 * The part of a topic trie its users share: two roots, so that topics starting with '$' are in
 * their own branch and a leading '+' or '#' never reaches them [MQTT-4.7.2-1], and the counts.
 * The derived class frees the nodes (DestroyTopicTrie), as only it knows all their children.
 */
template<class Node>
class TopicTrieRoots
{
  public:
    TopicTrieRoots(const TopicTrieRoots&) = delete;
    TopicTrieRoots& operator=(const TopicTrieRoots&) = delete;

    /** Number of entries held: retained messages, or (filter, subscriber) subscriptions. */
    std::size_t
    Size() const
    {
        return m_size;
    }

    /**
     * Number of trie nodes below the two roots. Nodes left empty are pruned, so this returns to
     * 0 when Size() does: churn does not grow memory.
     */
    std::size_t
    NodeCount() const
    {
        return m_nodeCount;
    }

  protected:
    TopicTrieRoots()
        : m_root(new Node)
        , m_dollarRoot(new Node)
    {
    }

    ~TopicTrieRoots() = default;

    /** The root a walk for @p topic (a name or filter, not empty) starts from. */
    Node*
    RootFor(std::string_view topic) const
    {
        return topic.front() == '$' ? m_dollarRoot : m_root;
    }

    Node* m_root;       //!< every topic not starting with '$'
    Node* m_dollarRoot; //!< topics starting with '$'
    std::size_t m_size = 0;
    std::size_t m_nodeCount = 0;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_TOPIC_LEVELS_H
