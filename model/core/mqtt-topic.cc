/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-topic.h"

#include "mqtt-topic-levels.h"
#include "mqtt-utf8.h"

namespace ns3
{
namespace mqtt
{

namespace
{

static constexpr std::size_t MAX_TOPIC_BYTES = 65535;

/** Checks what names and filters have in common: length and encoding. */
TopicError
ValidateCommon(std::string_view topic)
{
    if (topic.empty())
    {
        return TopicError::Empty;
    }
    if (topic.size() > MAX_TOPIC_BYTES)
    {
        return TopicError::TooLong;
    }
    switch (CheckUtf8(topic))
    {
    case Utf8Status::Valid:
        return TopicError::None;
    case Utf8Status::NullCharacter:
        return TopicError::NullCharacter;
    case Utf8Status::Malformed:
        return TopicError::MalformedUtf8;
    }
    return TopicError::MalformedUtf8;
}

} // namespace

TopicError
ValidateTopicName(std::string_view name)
{
    TopicError common = ValidateCommon(name);
    if (common != TopicError::None)
    {
        return common;
    }
    // One pass over the bytes: find_first_of with a set calls memchr per character.
    for (char c : name)
    {
        if (c == '+' || c == '#')
        {
            return TopicError::WildcardInName;
        }
    }
    return TopicError::None;
}

TopicError
ValidateTopicFilter(std::string_view filter)
{
    TopicError common = ValidateCommon(filter);
    if (common != TopicError::None)
    {
        return common;
    }
    std::size_t pos = 0;
    while (pos != TOPIC_LEVELS_DONE)
    {
        std::string_view level = NextTopicLevel(filter, pos);
        bool last = pos == TOPIC_LEVELS_DONE;
        if (level.find('#') != std::string_view::npos && (level.size() != 1 || !last))
        {
            return TopicError::MisplacedMultiLevel;
        }
        if (level.find('+') != std::string_view::npos && level.size() != 1)
        {
            return TopicError::MisplacedSingleLevel;
        }
    }
    return TopicError::None;
}

bool
TopicMatches(std::string_view filter, std::string_view name)
{
    // A leading wildcard never reaches the server's '$' topics [MQTT-4.7.2-1].
    if (!name.empty() && name[0] == '$' && !filter.empty() &&
        (filter[0] == '+' || filter[0] == '#'))
    {
        return false;
    }
    std::size_t f = 0;
    std::size_t n = 0;
    while (true)
    {
        std::string_view fl = NextTopicLevel(filter, f);
        if (fl == "#")
        {
            return true; // matches this level and everything below, including the parent
        }
        std::string_view nl = NextTopicLevel(name, n);
        if (fl != "+" && fl != nl)
        {
            return false;
        }
        if (f == TOPIC_LEVELS_DONE || n == TOPIC_LEVELS_DONE)
        {
            // Both ended together; or the name ended and only "/#" is left, since "sport/#"
            // also matches "sport".
            return n == TOPIC_LEVELS_DONE && (f == TOPIC_LEVELS_DONE || filter.substr(f) == "#");
        }
    }
}

std::size_t
TopicLevelCount(std::string_view topic)
{
    std::size_t count = 1;
    for (char c : topic)
    {
        count += c == '/' ? 1 : 0;
    }
    return count;
}

} // namespace mqtt
} // namespace ns3
