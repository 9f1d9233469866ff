/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Internal: what the password file and ACL parsers share. Each format keeps its own comment rule
 * (doc/auth.md): a password line is a comment only when '#' is its very first character (a user
 * name may begin with a blank), an ACL line when its first word starts with '#'.
 */
#ifndef MQTT_CONFIG_PARSE_IMPL_H
#define MQTT_CONFIG_PARSE_IMPL_H

#include "mqtt-authenticator.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** What parsing one line gives: an error message, or nothing when the line is valid. */
using ConfigLineResult = std::optional<std::string>;

/** Whether @p c is a blank (space or tab) of a configuration line. */
inline bool
IsConfigBlank(char c)
{
    return c == ' ' || c == '\t';
}

/** @p s without its leading and trailing blanks. */
inline std::string_view
TrimConfigBlanks(std::string_view s)
{
    while (!s.empty() && IsConfigBlank(s.front()))
    {
        s.remove_prefix(1);
    }
    while (!s.empty() && IsConfigBlank(s.back()))
    {
        s.remove_suffix(1);
    }
    return s;
}

/**
 * Calls @p parseLine(line, lineNo) on each line of @p text (SplitConfigLines; numbered from 1)
 * until one returns an error message; that message becomes @p error, with @p fileName and the
 * line number.
 * @return true when every line parsed.
 */
template<typename ParseLine>
bool
ParseConfigLines(std::string_view text,
                 const std::string& fileName,
                 MqttConfigError& error,
                 ParseLine parseLine)
{
    const std::vector<std::string_view> lines = SplitConfigLines(text);
    for (std::size_t i = 0; i < lines.size(); ++i)
    {
        const std::size_t lineNo = i + 1;
        ConfigLineResult message = parseLine(lines[i], lineNo);
        if (message.has_value())
        {
            error = MqttConfigError{fileName, lineNo, std::move(*message)};
            return false;
        }
    }
    return true;
}

} // namespace mqtt
} // namespace ns3

#endif // MQTT_CONFIG_PARSE_IMPL_H
