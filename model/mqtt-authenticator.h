/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * User names and passwords a broker accepts, loaded from a text file (format in doc/auth.md).
 */
#ifndef MQTT_AUTHENTICATOR_H
#define MQTT_AUTHENTICATOR_H

#include "mqtt-packets.h"

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

/** A parse error: where, and what was expected. */
struct MqttConfigError
{
    std::string file;
    std::size_t line = 0;
    std::string message;

    /** "FILE:LINE: MESSAGE". */
    std::string ToString() const;
};

class MqttAuthenticator
{
  public:
    /**
     * Parses a password table. @p fileName is used only in error messages.
     * @return false (with @p error filled) when the text is not a valid table.
     */
    bool Parse(std::string_view text, const std::string& fileName, MqttConfigError& error);

    /** Reads and parses a file; a missing file is an error naming it. */
    bool Load(const std::string& path, MqttConfigError& error);

    /** Adds or replaces one user. */
    void SetUser(const std::string& userName, const std::vector<uint8_t>& password);

    /**
     * Accepted, BadUserNameOrPassword (unknown user, wrong or missing password) or
     * NotAuthorized (no user name while anonymous access is off).
     */
    ConnectReturnCode Authenticate(const std::optional<std::string>& userName,
                                   const std::optional<std::vector<uint8_t>>& password) const;

    /** Whether clients without a user name may connect (default: no). */
    void SetAllowAnonymous(bool allow);
    bool AllowAnonymous() const;
    std::size_t UserCount() const;

  private:
    std::map<std::string, std::vector<uint8_t>> m_users;
    bool m_allowAnonymous = false;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_AUTHENTICATOR_H
