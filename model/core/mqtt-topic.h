/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Topic names and topic filters (MQTT 3.1.1 section 4.7): validation and matching of one filter
 * against one name. Many subscriptions at once are matched by MqttTopicTree.
 */
#ifndef MQTT_TOPIC_H
#define MQTT_TOPIC_H

#include <cstdint>
#include <string_view>

namespace ns3
{
namespace mqtt
{

enum class TopicError : uint8_t
{
    None = 0,
    Empty,               //!< [MQTT-4.7.3-1]
    TooLong,             //!< more than 65535 bytes [MQTT-4.7.3-3]
    NullCharacter,       //!< U+0000 [MQTT-4.7.3-2]
    MalformedUtf8,       //!< [MQTT-1.5.3-1]
    WildcardInName,      //!< + or # in a topic name [MQTT-4.7.1-1], [MQTT-3.3.2-2]
    MisplacedMultiLevel, //!< # not alone as the last level [MQTT-4.7.1-2]
    MisplacedSingleLevel //!< + not alone in its level [MQTT-4.7.1-3]
};

/** Checks a topic name (the topic of a PUBLISH or a Will). */
TopicError ValidateTopicName(std::string_view name);

/** Checks a topic filter (a SUBSCRIBE or UNSUBSCRIBE entry). */
TopicError ValidateTopicFilter(std::string_view filter);

/**
 * Whether a valid @p filter matches a valid topic @p name. Raw byte comparison, no
 * normalisation [MQTT-4.7.3-4]; a filter starting with a wildcard never matches a name
 * starting with '$' [MQTT-4.7.2-1].
 */
bool TopicMatches(std::string_view filter, std::string_view name);

/** The number of levels of a name or filter ("a/b" has 2, "" has 1, "/" has 2). */
std::size_t TopicLevelCount(std::string_view topic);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_TOPIC_H
