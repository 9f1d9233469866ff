/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Topic access control per client, loaded from a mosquitto-like text file (format in doc/auth.md).
 */
#ifndef MQTT_ACL_H
#define MQTT_ACL_H

#include "mqtt-authenticator.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{

class MqttAcl
{
  public:
    bool Parse(std::string_view text, const std::string& fileName, MqttConfigError& error);
    bool Load(const std::string& path, MqttConfigError& error);

    /** Whether this client may publish to topic name @p topic. */
    bool MayPublish(const std::string& clientId,
                    const std::optional<std::string>& userName,
                    std::string_view topic) const;

    /**
     * Whether this client may subscribe to @p filter: every topic the filter can match must be
     * readable under one rule (a rule "a/#" covers "a/+/b"; a rule "a/+" does not cover "a/#").
     */
    bool MaySubscribe(const std::string& clientId,
                      const std::optional<std::string>& userName,
                      std::string_view filter) const;

    /** Whether this client may receive a message published to @p topic. */
    bool MayReceive(const std::string& clientId,
                    const std::optional<std::string>& userName,
                    std::string_view topic) const;

    std::size_t RuleCount() const;

  private:
    enum Access : uint8_t
    {
        Read = 1,
        Write = 2,
    };

    struct Rule
    {
        /** Empty for rules that apply to every client (before any "user" line, or "pattern"). */
        std::optional<std::string> user;
        /** Topic filter; for patterns, %c and %u are replaced by client id and user name. */
        std::string filter;
        uint8_t access = 0;
        bool pattern = false;
    };

    std::vector<Rule> m_rules;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_ACL_H
