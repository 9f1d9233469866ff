/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The checks the decoder puts on strings, topic names and topic filters.
 */
#include "mqtt-codec-impl.h"

#include "mqtt-topic.h"
#include "mqtt-utf8.h"

#include <cstring>

namespace ns3
{
namespace mqtt
{
namespace wire
{

namespace
{

DecodeError
FromUtf8(Utf8Status status)
{
    switch (status)
    {
    case Utf8Status::Valid:
        return DecodeError::None;
    case Utf8Status::NullCharacter:
        return DecodeError::Utf8NullCharacter;
    case Utf8Status::Malformed:
        break;
    }
    return DecodeError::MalformedUtf8;
}

/**
 * Maps a topic check to a decode error. The topic validators check the encoding before the
 * wildcards, so a topic is judged by the same UTF-8 rules as every other string.
 */
DecodeError
FromTopic(TopicError error, DecodeError invalid)
{
    switch (error)
    {
    case TopicError::None:
        return DecodeError::None;
    case TopicError::MalformedUtf8:
        return DecodeError::MalformedUtf8; // [MQTT-1.5.3-1]
    case TopicError::NullCharacter:
        return DecodeError::Utf8NullCharacter; // [MQTT-1.5.3-2]
    default:
        return invalid;
    }
}

/**
 * Whether every byte of @p s is ASCII 0x01-0x7F other than '+' and '#', eight bytes at a time.
 * Such a non-empty string is a valid topic name whatever else is in it, so the common case of a
 * PUBLISH skips the general validator (which a decode of a short PUBLISH spends most of its time
 * in); anything else goes to ValidateTopicName, which stays the authority on errors.
 */
bool
IsPlainAsciiName(std::string_view s)
{
    static constexpr uint64_t ONES = 0x0101010101010101ULL;
    static constexpr uint64_t HIGHS = 0x8080808080808080ULL;
    // Non-zero when some byte of v is 0 (the classic exact test).
    auto hasZeroByte = [](uint64_t v) { return (v - ONES) & ~v & HIGHS; };
    const char* p = s.data();
    std::size_t n = s.size();
    for (; n >= 8; n -= 8, p += 8)
    {
        uint64_t w;
        std::memcpy(&w, p, 8);
        if (((w & HIGHS) | hasZeroByte(w) | hasZeroByte(w ^ (ONES * '+')) |
             hasZeroByte(w ^ (ONES * '#'))) != 0)
        {
            return false;
        }
    }
    for (; n != 0; --n, ++p)
    {
        auto c = static_cast<uint8_t>(*p);
        if (c == 0 || c >= 0x80 || c == '+' || c == '#')
        {
            return false;
        }
    }
    return true;
}

} // namespace

DecodeError
CheckString(std::string_view s)
{
    return FromUtf8(CheckUtf8(s));
}

DecodeError
CheckTopicName(std::string_view s)
{
    if (!s.empty() && IsPlainAsciiName(s))
    {
        return DecodeError::None;
    }
    return FromTopic(ValidateTopicName(s), DecodeError::InvalidTopicName);
}

DecodeError
CheckTopicFilter(std::string_view s)
{
    return FromTopic(ValidateTopicFilter(s), DecodeError::InvalidTopicFilter);
}

namespace
{
constexpr std::string_view SHARE_PREFIX = "$share/";
} // namespace

bool
IsSharedSubscription(std::string_view filter)
{
    return filter.substr(0, SHARE_PREFIX.size()) == SHARE_PREFIX;
}

DecodeError
CheckSharedSubscription(std::string_view filter)
{
    if (!IsSharedSubscription(filter))
    {
        return DecodeError::None;
    }
    std::string_view rest = filter.substr(SHARE_PREFIX.size());
    std::size_t slash = rest.find('/');
    if (slash == 0 || slash == std::string_view::npos || slash + 1 == rest.size())
    {
        return DecodeError::InvalidSharedSubscription; // no name, or no filter after it
    }
    if (rest.substr(0, slash).find_first_of("+#") != std::string_view::npos)
    {
        return DecodeError::InvalidSharedSubscription; // [MQTT5-4.8.2-2]
    }
    return DecodeError::None;
}

} // namespace wire
} // namespace mqtt
} // namespace ns3
