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
    /** 1-based; 0 when the error concerns the whole file (it cannot be opened or read). */
    std::size_t line = 0;
    std::string message;

    /** "FILE:LINE: MESSAGE", or "FILE: MESSAGE" when line is 0. */
    std::string ToString() const;
};

/**
 * The lines of a configuration text, shared by the password and ACL parsers: split at '\n', a
 * trailing '\r' removed (CRLF files), a UTF-8 byte order mark at the very start dropped. A
 * final line without '\n' counts; a text ending in '\n' has no extra empty line.
 */
std::vector<std::string_view> SplitConfigLines(std::string_view text);

/**
 * Reads a whole file into @p text. On failure fills @p error with the path, line 0 and
 * "cannot open file" or "cannot read file".
 */
bool ReadConfigFile(const std::string& path, std::string& text, MqttConfigError& error);

class MqttAuthenticator
{
  public:
    /**
     * Parses a password table (format in doc/auth.md). @p fileName is used only in error
     * messages. On success the table replaces every user, and an allow_anonymous line sets the
     * anonymous setting (without one that setting stays as it was); on error nothing changes.
     * @return false (with @p error filled) when the text is not a valid table.
     */
    bool Parse(std::string_view text, const std::string& fileName, MqttConfigError& error);

    /** Reads and parses a file; a missing file is an error naming it. */
    bool Load(const std::string& path, MqttConfigError& error);

    /** Adds or replaces one user. */
    void SetUser(const std::string& userName, const std::vector<uint8_t>& password);

    /**
     * Accepted, BadUserNameOrPassword (unknown user, wrong or missing password) or
     * NotAuthorized (no user name while anonymous access is off). A password without a user
     * name (which [MQTT-3.1.2-22] forbids, so a decoder should have refused it) is
     * BadUserNameOrPassword. The time a comparison takes depends on the presented password's
     * length only: not on where it differs from the stored one, nor on the stored length.
     */
    ConnectReturnCode Authenticate(const std::optional<std::string>& userName,
                                   const std::optional<std::vector<uint8_t>>& password) const;

    /** Whether clients without a user name may connect (default: no). */
    void SetAllowAnonymous(bool allow);
    bool AllowAnonymous() const;
    std::size_t UserCount() const;

    /** Longest user name and password an MQTT CONNECT can carry (section 1.5.3, 1.5.4). */
    static constexpr std::size_t MAX_FIELD_LENGTH = 65535;

  private:
    std::map<std::string, std::vector<uint8_t>> m_users;
    bool m_allowAnonymous = false;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_AUTHENTICATOR_H
