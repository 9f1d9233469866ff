/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The subscription trie: topic filters by level, matched against topic names.
 */
#ifndef MQTT_TOPIC_TREE_H
#define MQTT_TOPIC_TREE_H

#include "mqtt-packets.h"
#include "mqtt-topic-levels.h"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** Who holds a subscription: the broker's session handle. */
using SubscriberId = uint64_t;

/** One subscriber whose filters match a topic, at the highest QoS any of them granted. */
struct SubscriberMatch
{
    SubscriberId subscriber = 0;
    Qos maxQos = Qos::AtMostOnce;
};

/**
 * A level trie of topic filters. Children are kept in ordered maps and matches are returned
 * sorted by subscriber, so iteration order never depends on hashing and runs reproduce exactly.
 * Topics starting with '$' are kept in their own branch so a leading '+' or '#' never reaches
 * them [MQTT-4.7.2-1].
 *
 * Every walk is iterative, so a topic of 65535 '/' does not exhaust the stack. Match() keeps its
 * scratch space in the tree: it allocates nothing once warm, but two threads must not call it
 * on one tree at the same time.
 */
struct MqttTopicTreeNode;

class MqttTopicTree : public TopicTrieRoots<MqttTopicTreeNode>
{
  public:
    MqttTopicTree();
    ~MqttTopicTree();

    /**
     * Adds or replaces (same subscriber, identical filter [MQTT-3.8.4-3]) a subscription. A
     * filter that ValidateTopicFilter() rejects is ignored (callers validate and answer 0x80).
     * @return true when an existing subscription was replaced.
     */
    bool Subscribe(std::string_view filter, SubscriberId subscriber, Qos qos);

    /**
     * Removes the subscription with exactly this filter, compared level by level as strings:
     * wildcards are not interpreted [MQTT-3.10.4-1]. Prunes the nodes it leaves empty.
     * @return whether there was one.
     */
    bool Unsubscribe(std::string_view filter, SubscriberId subscriber);

    /**
     * Appends to @p out (after clearing it) one entry per subscriber with a filter matching
     * @p name, with the maximum QoS among that subscriber's matching filters [MQTT-3.3.5-1],
     * sorted by subscriber id.
     */
    void Match(std::string_view name, std::vector<SubscriberMatch>& out) const;

  private:
    using Node = MqttTopicTreeNode;
    /** A node still to visit in Match, with the position of the name's next level. */
    struct Cursor
    {
        const Node* node;
        std::size_t pos;
    };
    /** A step down the trie in Unsubscribe: the node reached and the level that led to it. */
    struct Step
    {
        Node* node;
        std::string_view level;
    };

    /** Merges the sorted runs of @p out starting at m_runs into one, keeping max QoS. */
    void MergeRuns(std::vector<SubscriberMatch>& out) const;

    // Match scratch, kept to avoid allocating per call.
    mutable std::vector<Cursor> m_stack;          //!< nodes still to visit
    mutable std::vector<std::size_t> m_runs;      //!< where each matching list starts in out
    mutable std::vector<SubscriberMatch> m_merge; //!< the other buffer of the merge
    std::vector<Step> m_path;                     //!< Unsubscribe scratch
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_TOPIC_TREE_H
