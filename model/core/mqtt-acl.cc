/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-acl.h"

#include "mqtt-config-parse-impl.h"
#include "mqtt-topic.h"
#include "mqtt-utf8.h"

namespace ns3
{
namespace mqtt
{

namespace
{

/** The words of a line, separated by spaces and tabs. */
std::vector<std::string_view>
SplitWords(std::string_view line)
{
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < line.size())
    {
        while (i < line.size() && IsConfigBlank(line[i]))
        {
            ++i;
        }
        const std::size_t start = i;
        while (i < line.size() && !IsConfigBlank(line[i]))
        {
            ++i;
        }
        if (i > start)
        {
            words.push_back(line.substr(start, i - start));
        }
    }
    return words;
}

/** Walks the levels of a topic or filter without copying. */
class LevelCursor
{
  public:
    explicit LevelCursor(std::string_view topic)
        : m_rest(topic)
    {
    }

    bool
    AtEnd() const
    {
        return m_end;
    }

    std::string_view
    Next()
    {
        const std::size_t slash = m_rest.find('/');
        if (slash == std::string_view::npos)
        {
            m_end = true;
            return m_rest;
        }
        std::string_view level = m_rest.substr(0, slash);
        m_rest.remove_prefix(slash + 1);
        return level;
    }

  private:
    std::string_view m_rest;
    bool m_end = false;
};

/**
 * Whether @p value may replace %c or %u. A value with a wildcard or '/' would turn one level of
 * the pattern into a wider filter or into several levels; an empty value would let every client
 * with an empty id share one namespace; a leading '$' could put a pattern like "%c/#" into the
 * broker's $SYS space. Such a client simply gets nothing from that pattern.
 */
bool
IsSafeSubstitution(std::string_view value)
{
    return !value.empty() && value.front() != '$' &&
           value.find_first_of("+#/") == std::string_view::npos;
}

/** Appends @p pattern to @p out with %c and %u replaced (one pass: values are not rescanned). */
void
Substitute(std::string_view pattern,
           std::string_view clientId,
           std::string_view userName,
           std::string& out)
{
    out.clear();
    for (std::size_t i = 0; i < pattern.size(); ++i)
    {
        if (pattern[i] == '%' && i + 1 < pattern.size())
        {
            if (pattern[i + 1] == 'c')
            {
                out.append(clientId);
                ++i;
                continue;
            }
            if (pattern[i + 1] == 'u')
            {
                out.append(userName);
                ++i;
                continue;
            }
        }
        out.push_back(pattern[i]);
    }
}

/** Why a filter is invalid, for error messages. */
std::string
DescribeFilterError(std::string_view filter, TopicError error)
{
    const std::string quoted = "invalid topic filter '" + std::string(filter) + "': ";
    switch (error)
    {
    case TopicError::None:
    case TopicError::Empty:
        break;
    case TopicError::TooLong:
        return "invalid topic filter: longer than 65535 bytes";
    case TopicError::NullCharacter:
        return "invalid topic filter: contains U+0000";
    case TopicError::MalformedUtf8:
        return "invalid topic filter: not valid UTF-8";
    case TopicError::WildcardInName:
    case TopicError::MisplacedMultiLevel:
        return quoted + "'#' must be a whole level and the last one";
    case TopicError::MisplacedSingleLevel:
        return quoted + "'+' must be a whole level";
    }
    return quoted + "empty";
}

/**
 * "user NAME": the rest of the line is the name, so that user names with spaces can be written;
 * it becomes @p currentUser.
 */
ConfigLineResult
ParseUserDirective(std::string_view line, std::optional<std::string>& currentUser)
{
    const std::string_view name = TrimConfigBlanks(line.substr(line.find("user") + 4));
    if (name.empty())
    {
        return "expected a user name after 'user'";
    }
    if (name.size() > MqttAuthenticator::MAX_FIELD_LENGTH)
    {
        return "user name longer than 65535 bytes";
    }
    if (CheckUtf8(name) != Utf8Status::Valid)
    {
        return "user name is not valid UTF-8 or contains U+0000";
    }
    currentUser = std::string(name);
    return std::nullopt;
}

/**
 * The access word and the topic filter of "topic|pattern [ACCESS] FILTER" (@p words[0] is the
 * directive). Without an access word @p access is "readwrite".
 */
ConfigLineResult
SplitRuleWords(const std::vector<std::string_view>& words,
               std::string_view& access,
               std::string_view& filter)
{
    const std::string_view keyword = words[0];
    if (keyword != "topic" && keyword != "pattern")
    {
        return "unknown directive '" + std::string(keyword) +
               "': expected 'user', 'topic' or 'pattern'";
    }
    if (words.size() == 1)
    {
        return "expected a topic filter after '" + std::string(keyword) + "'";
    }
    access = "readwrite";
    filter = words[1];
    if (words.size() >= 3 || words[1] == "read" || words[1] == "write" ||
        words[1] == "readwrite" || words[1] == "deny")
    {
        access = words[1];
        if (access != "read" && access != "write" && access != "readwrite" && access != "deny")
        {
            return "unknown access '" + std::string(access) +
                   "': expected 'read', 'write', 'readwrite' or 'deny'";
        }
        if (words.size() == 2)
        {
            return "expected a topic filter after '" + std::string(access) + "'";
        }
        if (words.size() > 3)
        {
            return "unexpected '" + std::string(words[3]) +
                   "' after the topic filter (filters with spaces are not supported)";
        }
        filter = words[2];
    }
    const TopicError valid = ValidateTopicFilter(filter);
    if (valid != TopicError::None)
    {
        return DescribeFilterError(filter, valid);
    }
    return std::nullopt;
}

} // namespace

bool
FilterCovers(std::string_view rule, std::string_view requested)
{
    LevelCursor r(rule);
    LevelCursor q(requested);
    std::size_t depth = 0; // levels of both filters consumed so far
    bool firstLevelEmpty = false;
    while (!r.AtEnd())
    {
        const std::string_view ruleLevel = r.Next();
        if (ruleLevel == "#")
        {
            // Covers the parent and everything below, except that a rule starting with a
            // wildcard never matches a '$' topic [MQTT-4.7.2-1].
            return !(depth == 0 && q.Next().substr(0, 1) == "$");
        }
        if (q.AtEnd())
        {
            return false; // the requested filter matches a shorter name the rule cannot
        }
        const std::string_view level = q.Next();
        if (level == "#")
        {
            // Only a rule '#' covers a requested '#', except for a rule "+/#" where the requested
            // '#' has no parent name: "#" or "/#" (the parent would be the empty name, which is
            // not a topic [MQTT-4.7.3-1]), so both match the same names.
            const bool noParent = depth == 0 || (depth == 1 && firstLevelEmpty);
            return noParent && ruleLevel == "+" && !r.AtEnd() && r.Next() == "#" && r.AtEnd();
        }
        if (ruleLevel == "+")
        {
            if (depth == 0 && level.substr(0, 1) == "$")
            {
                return false; // [MQTT-4.7.2-1]
            }
        }
        else if (ruleLevel != level)
        {
            return false; // a literal covers only itself, not '+'
        }
        firstLevelEmpty = depth == 0 ? level.empty() : firstLevelEmpty;
        ++depth;
    }
    return q.AtEnd();
}

bool
MqttAcl::Parse(std::string_view text, const std::string& fileName, MqttConfigError& error)
{
    // Into a new list, so that a failed parse leaves this one as it was.
    MqttAcl acl;
    std::optional<std::string> currentUser;
    const bool parsed =
        ParseConfigLines(text,
                         fileName,
                         error,
                         [&acl, &currentUser](std::string_view line, std::size_t /* lineNo */)
                         { return acl.ParseLine(line, currentUser); });
    if (!parsed)
    {
        return false;
    }
    *this = std::move(acl);
    return true;
}

std::optional<std::string>
MqttAcl::ParseLine(std::string_view line, std::optional<std::string>& currentUser)
{
    const std::vector<std::string_view> words = SplitWords(line);
    if (words.empty() || words[0].front() == '#')
    {
        return std::nullopt;
    }
    if (words[0] == "user")
    {
        return ParseUserDirective(line, currentUser);
    }
    std::string_view access;
    std::string_view filter;
    ConfigLineResult invalid = SplitRuleWords(words, access, filter);
    if (invalid.has_value())
    {
        return invalid;
    }
    AddRule(words[0], access, filter, currentUser);
    return std::nullopt;
}

void
MqttAcl::AddRule(std::string_view keyword,
                 std::string_view access,
                 std::string_view filter,
                 const std::optional<std::string>& currentUser)
{
    Rule rule;
    rule.access = Read | Write;
    if (access == "read")
    {
        rule.access = Read;
    }
    else if (access == "write")
    {
        rule.access = Write;
    }
    else if (access == "deny")
    {
        rule.access = Deny;
    }
    rule.filter = std::string(filter);
    ++m_ruleCount;
    if (keyword == "pattern")
    {
        rule.pattern = true;
        rule.usesClientId = rule.filter.find("%c") != std::string::npos;
        rule.usesUserName = rule.filter.find("%u") != std::string::npos;
        m_patterns.push_back(std::move(rule));
    }
    else if (currentUser.has_value())
    {
        rule.user = currentUser;
        m_userRules[*currentUser].push_back(std::move(rule));
    }
    else
    {
        m_common.push_back(std::move(rule));
    }
}

bool
MqttAcl::Load(const std::string& path, MqttConfigError& error)
{
    std::string text;
    return ReadConfigFile(path, text, error) && Parse(text, path, error);
}

template<typename Test>
bool
MqttAcl::AnyRule(const std::string& clientId,
                 const std::optional<std::string>& userName,
                 uint8_t access,
                 Test test) const
{
    for (const Rule& rule : m_common)
    {
        if ((rule.access & access) != 0 && test(rule.filter))
        {
            return true;
        }
    }
    if (userName.has_value())
    {
        const auto it = m_userRules.find(*userName);
        if (it != m_userRules.end())
        {
            for (const Rule& rule : it->second)
            {
                if ((rule.access & access) != 0 && test(rule.filter))
                {
                    return true;
                }
            }
        }
    }
    if (m_patterns.empty())
    {
        return false;
    }
    const bool clientIdUsable = IsSafeSubstitution(clientId);
    const bool userNameUsable = userName.has_value() && IsSafeSubstitution(*userName);
    std::string filter;
    for (const Rule& rule : m_patterns)
    {
        if ((rule.access & access) == 0)
        {
            continue;
        }
        if ((rule.usesClientId && !clientIdUsable) || (rule.usesUserName && !userNameUsable))
        {
            // A deny pattern that cannot be filled in for this client denies it everything (the
            // safe side); one that needs a user name the client has not given does not apply.
            if (access == Deny && !(rule.usesUserName && !userName.has_value()))
            {
                return true;
            }
            continue;
        }
        if (!rule.usesClientId && !rule.usesUserName)
        {
            if (test(rule.filter))
            {
                return true;
            }
            continue;
        }
        Substitute(rule.filter, clientId, userNameUsable ? *userName : std::string_view(), filter);
        if (test(filter))
        {
            return true;
        }
    }
    return false;
}

bool
MqttAcl::MayPublish(const std::string& clientId,
                    const std::optional<std::string>& userName,
                    std::string_view topic) const
{
    auto matches = [topic](std::string_view filter) { return TopicMatches(filter, topic); };
    // A deny rule wins over every grant for the topics it matches.
    return !AnyRule(clientId, userName, Deny, matches) &&
           AnyRule(clientId, userName, Write, matches);
}

bool
MqttAcl::MaySubscribe(const std::string& clientId,
                      const std::optional<std::string>& userName,
                      std::string_view filter) const
{
    // Denied when a deny rule covers the whole filter; a deny rule covering part of it leaves
    // the subscription granted and withholds those topics at delivery (MayReceive).
    auto covers = [filter](std::string_view rule) { return FilterCovers(rule, filter); };
    return !AnyRule(clientId, userName, Deny, covers) &&
           AnyRule(clientId, userName, Read, covers);
}

bool
MqttAcl::MayReceive(const std::string& clientId,
                    const std::optional<std::string>& userName,
                    std::string_view topic) const
{
    auto matches = [topic](std::string_view filter) { return TopicMatches(filter, topic); };
    return !AnyRule(clientId, userName, Deny, matches) &&
           AnyRule(clientId, userName, Read, matches);
}

std::size_t
MqttAcl::RuleCount() const
{
    return m_ruleCount;
}

} // namespace mqtt
} // namespace ns3
