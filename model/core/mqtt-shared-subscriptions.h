/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT 5.0 shared subscriptions (section 4.8.2): the broker's groups "$share/NAME/FILTER", each
 * with its members in the order they joined and a round-robin cursor, and a trie of the groups'
 * inner filters to find the groups a topic reaches. Which member gets a message is the broker
 * engine's decision (mqtt-broker-v5-shared.cc); this is the bookkeeping.
 */
#ifndef MQTT_SHARED_SUBSCRIPTIONS_H
#define MQTT_SHARED_SUBSCRIPTIONS_H

#include "mqtt-topic-tree.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** One group: every session subscribed to the same "$share/NAME/FILTER". */
struct MqttSharedGroup
{
    /** Never reused while the engine lives, so a delivery's tag cannot name another group. */
    uint32_t id = 0;
    /** The whole filter as subscribed, "$share/NAME/FILTER": the session's subscription key. */
    std::string key;
    /** FILTER, matched against topic names like any other filter. */
    std::string filter;
    /** Member sessions in join order (a re-subscribe keeps its place). */
    std::vector<SubscriberId> members;
    /** Round robin: the member index to try first for the next message. */
    std::size_t next = 0;
};

class MqttSharedSubscriptions
{
  public:
    /** Whether @p filter has the form "$share/NAME/FILTER" with a valid NAME (4.8.2). */
    static bool IsShared(std::string_view filter);
    /** FILTER of a shared filter (IsShared), else empty. */
    static std::string_view InnerFilter(std::string_view filter);

    /** Adds @p member to the group of @p key (made on first use). @return the group's id. */
    uint32_t Join(std::string_view key, SubscriberId member);
    /** Removes @p member from the group of @p key; an empty group is removed. */
    bool Leave(std::string_view key, SubscriberId member);

    /** The ids of the groups whose FILTER matches @p topic, ascending (after clearing @p out). */
    void Match(std::string_view topic, std::vector<uint32_t>& out) const;

    MqttSharedGroup* Find(uint32_t id);
    const MqttSharedGroup* FindByKey(std::string_view key) const;
    bool Empty() const;
    std::size_t GroupCount() const;

  private:
    std::map<uint32_t, MqttSharedGroup> m_groups;
    std::map<std::string, uint32_t, std::less<>> m_byKey;
    /** Inner filters, with the group id as subscriber. */
    MqttTopicTree m_filters;
    uint32_t m_nextId = 1;
    mutable std::vector<SubscriberMatch> m_scratch;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SHARED_SUBSCRIPTIONS_H
