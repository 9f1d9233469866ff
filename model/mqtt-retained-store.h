/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Retained messages, one per topic name (section 3.3.1.3), found by topic filter.
 */
#ifndef MQTT_RETAINED_STORE_H
#define MQTT_RETAINED_STORE_H

#include "mqtt-message.h"

#include <cstddef>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{

/**
 * A level trie of topic names holding the latest retained message of each. Lookup by filter
 * walks only the branches the filter can match; results come sorted by topic name so delivery
 * order is reproducible. A filter starting with a wildcard never returns '$' topics
 * [MQTT-4.7.2-1].
 */
class MqttRetainedStore
{
  public:
    MqttRetainedStore();
    ~MqttRetainedStore();
    MqttRetainedStore(const MqttRetainedStore&) = delete;
    MqttRetainedStore& operator=(const MqttRetainedStore&) = delete;

    /**
     * Stores @p message as the retained message of its topic, replacing any previous one. A
     * message with an empty payload deletes the topic's retained message instead and is not
     * stored [MQTT-3.3.1-10], [MQTT-3.3.1-11].
     */
    void Store(MqttMessagePtr message);

    /** Removes the retained message of @p topic. @return whether there was one. */
    bool Erase(std::string_view topic);

    /** The retained message of exactly @p topic, or null. */
    MqttMessagePtr Find(std::string_view topic) const;

    /** Appends (after clearing @p out) every retained message whose topic matches @p filter. */
    void Match(std::string_view filter, std::vector<MqttMessagePtr>& out) const;

    std::size_t Size() const;

  private:
    struct Node;
    Node* m_root;
    Node* m_dollarRoot;
    std::size_t m_size = 0;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_RETAINED_STORE_H
