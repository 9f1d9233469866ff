/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Topic access control per client, loaded from a mosquitto-like text file (format in doc/auth.md).
 */
#ifndef MQTT_ACL_H
#define MQTT_ACL_H

#include "mqtt-authenticator.h"

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

/**
 * Whether every topic name that @p requested can match is also matched by @p rule (both valid
 * topic filters, matched as TopicMatches does). '#' in the rule covers anything below its level
 * and the parent level itself ("a/#" covers "a"); '+' in the rule covers '+' or one literal
 * level but not '#'; a literal covers only the same literal. A rule starting with a wildcard
 * never covers a filter whose first level starts with '$' [MQTT-4.7.2-1].
 */
bool FilterCovers(std::string_view rule, std::string_view requested);

/**
 * An access control list. A default-constructed or empty list (no rules) denies everything; a
 * broker that wants no access control has no MqttAcl at all.
 */
class MqttAcl
{
  public:
    /**
     * Parses an ACL (format in doc/auth.md). @p fileName is used only in error messages. On
     * success the rules replace all earlier ones; on error nothing changes.
     * @return false (with @p error filled) when the text is not a valid ACL.
     */
    bool Parse(std::string_view text, const std::string& fileName, MqttConfigError& error);

    /** Reads and parses a file; a missing file is an error naming it. */
    bool Load(const std::string& path, MqttConfigError& error);

    /**
     * Whether this client may publish to topic name @p topic: some rule grants write access and
     * no deny rule that applies to the client matches the topic (mosquitto's semantics).
     */
    bool MayPublish(const std::string& clientId,
                    const std::optional<std::string>& userName,
                    std::string_view topic) const;

    /**
     * Whether this client may subscribe to @p filter: every topic the filter can match must be
     * readable under one rule (a rule "a/#" covers "a/+/b"; a rule "a/+" does not cover "a/#"),
     * and no deny rule covers the whole filter. A deny rule covering only part of it ("a/#"
     * requested, "a/secret" denied) leaves the filter granted: MayReceive withholds those topics.
     */
    bool MaySubscribe(const std::string& clientId,
                      const std::optional<std::string>& userName,
                      std::string_view filter) const;

    /** Whether this client may receive a message published to @p topic (deny rules win). */
    bool MayReceive(const std::string& clientId,
                    const std::optional<std::string>& userName,
                    std::string_view topic) const;

    /** The number of topic and pattern lines loaded. */
    std::size_t RuleCount() const;

  private:
    enum Access : uint8_t
    {
        Read = 1,
        Write = 2,
        Deny = 4, //!< "deny": no access to what the filter matches, whatever else grants it
    };

    struct Rule
    {
        /** Empty for rules that apply to every client (before any "user" line, or "pattern"). */
        std::optional<std::string> user;
        /** Topic filter; for patterns, %c and %u are replaced by client id and user name. */
        std::string filter;
        uint8_t access = 0;
        bool pattern = false;
        bool usesClientId = false; //!< a pattern containing %c
        bool usesUserName = false; //!< a pattern containing %u
    };

    /**
     * Parse() of one line into this list; @p currentUser is the block of the last "user" line.
     * @return the error message, if the line is invalid.
     */
    std::optional<std::string> ParseLine(std::string_view line,
                                         std::optional<std::string>& currentUser);

    /**
     * Adds the rule of a valid "topic" or "pattern" line (@p keyword); a topic rule goes to
     * @p currentUser's block when there is one.
     */
    void AddRule(std::string_view keyword,
                 std::string_view access,
                 std::string_view filter,
                 const std::optional<std::string>& currentUser);

    /** Whether some rule that applies to this client grants @p access and accepts @p test. */
    template<typename Test>
    bool AnyRule(const std::string& clientId,
                 const std::optional<std::string>& userName,
                 uint8_t access,
                 Test test) const;

    std::vector<Rule> m_common;                           //!< topic lines before any user line
    std::map<std::string, std::vector<Rule>> m_userRules; //!< topic lines per user block
    std::vector<Rule> m_patterns;                         //!< pattern lines
    std::size_t m_ruleCount = 0;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_ACL_H
