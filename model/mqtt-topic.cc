/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-topic.h"

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

/** The level of @p topic starting at @p pos (up to the next '/' or the end). */
std::string_view
LevelAt(std::string_view topic, std::size_t pos)
{
    std::size_t end = topic.find('/', pos);
    return topic.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
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
    if (name.find_first_of("+#") != std::string_view::npos)
    {
        return TopicError::WildcardInName;
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
    while (true)
    {
        std::string_view level = LevelAt(filter, pos);
        bool last = pos + level.size() == filter.size();
        if (level.find('#') != std::string_view::npos && (level.size() != 1 || !last))
        {
            return TopicError::MisplacedMultiLevel;
        }
        if (level.find('+') != std::string_view::npos && level.size() != 1)
        {
            return TopicError::MisplacedSingleLevel;
        }
        if (last)
        {
            return TopicError::None;
        }
        pos += level.size() + 1;
    }
}

bool
TopicMatches(std::string_view filter, std::string_view name)
{
    // A leading wildcard never reaches the server's '$' topics [MQTT-4.7.2-1].
    if (!name.empty() && name[0] == '$' && !filter.empty() && (filter[0] == '+' || filter[0] == '#'))
    {
        return false;
    }
    std::size_t f = 0;
    std::size_t n = 0;
    while (true)
    {
        std::string_view fl = LevelAt(filter, f);
        if (fl == "#")
        {
            return true; // matches this level and everything below, including the parent
        }
        std::string_view nl = LevelAt(name, n);
        if (fl != "+" && fl != nl)
        {
            return false;
        }
        bool filterDone = f + fl.size() == filter.size();
        bool nameDone = n + nl.size() == name.size();
        if (filterDone || nameDone)
        {
            if (filterDone && nameDone)
            {
                return true;
            }
            // "sport/#" also matches "sport": the name ended and only "/#" is left.
            return nameDone && filter.substr(f + fl.size()) == "/#";
        }
        f += fl.size() + 1;
        n += nl.size() + 1;
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
