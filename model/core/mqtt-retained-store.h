/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Retained messages, one per topic name (section 3.3.1.3), found by topic filter.
 */
#ifndef MQTT_RETAINED_STORE_H
#define MQTT_RETAINED_STORE_H

#include "mqtt-message.h"
#include "mqtt-topic-levels.h"

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

namespace ns3
{
namespace mqtt
{

/**
 * A level trie of topic names holding the latest retained message of each. Lookup by filter
 * walks only the branches the filter can match; results come sorted by topic name so delivery
 * order is reproducible. A filter starting with a wildcard never returns '$' topics
 * [MQTT-4.7.2-1]. Walks are iterative (a topic of 65535 levels is fine); Match() keeps scratch
 * space in the store, so two threads must not call it on one store at the same time.
 */
struct MqttRetainedNode;

class MqttRetainedStore : public TopicTrieRoots<MqttRetainedNode>
{
  public:
    MqttRetainedStore();
    ~MqttRetainedStore();

    /**
     * Stores @p message as the retained message of its topic, replacing any previous one. A
     * message with an empty payload deletes the topic's retained message instead and is not
     * stored [MQTT-3.3.1-10], [MQTT-3.3.1-11]. A null message or a topic that
     * ValidateTopicName() rejects is ignored.
     */
    void Store(MqttMessagePtr message);

    /** Removes the retained message of @p topic. @return whether there was one. */
    bool Erase(std::string_view topic);

    /** The retained message of exactly @p topic, or null. */
    MqttMessagePtr Find(std::string_view topic) const;

    /**
     * Appends (after clearing @p out) every retained message whose topic matches @p filter,
     * sorted by topic name (raw bytes). A filter ValidateTopicFilter() rejects matches nothing.
     */
    void Match(std::string_view filter, std::vector<MqttMessagePtr>& out) const;

  private:
    using Node = MqttRetainedNode;
    /** A node still to visit in Match: where the filter's next level starts, or whole subtree. */
    struct Cursor
    {
        const Node* node;
        std::size_t pos;
        bool subtree; //!< reached through '#': everything below is taken
    };

    /** The node of exactly @p topic, or null. */
    Node* FindNode(std::string_view topic) const;

    mutable std::vector<Cursor> m_stack; //!< Match scratch, kept to avoid allocating per call
    std::vector<std::pair<Node*, std::string_view>> m_path; //!< Erase scratch
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_RETAINED_STORE_H
