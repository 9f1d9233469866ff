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
#include <memory>
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

/**
 * Checks passwords stored as hashes: mosquitto_passwd's "$6$SALT$HASH" (SHA-512) and
 * "$7$ITERATIONS$SALT$HASH" (PBKDF2-HMAC-SHA512). The core has no cryptography; the drivers give
 * the authenticator one (MqttPasswordHashes, model/crypto, OpenSSL).
 */
class MqttPasswordVerifier
{
  public:
    virtual ~MqttPasswordVerifier() = default;
    /** Why @p stored is not a hash this verifier can check, or nothing when it is one. */
    virtual std::optional<std::string> CheckFormat(std::string_view stored) const = 0;
    /**
     * Whether @p password hashes to @p stored (which CheckFormat accepted). The digests are
     * compared in constant time.
     */
    virtual bool Verify(std::string_view stored, const std::vector<uint8_t>& password) const = 0;
};

class MqttAuthenticator
{
  public:
    /**
     * Whether a password field of a password file is a hash rather than plain text: it starts
     * with "$6$" or "$7$" (doc/auth.md).
     */
    static bool IsHashedPassword(std::string_view field);

    /**
     * The verifier of hashed password fields; set it before Parse/Load. Without one, a file
     * with a hashed password is refused (with the line), never read as plain text.
     */
    void SetPasswordVerifier(std::shared_ptr<const MqttPasswordVerifier> verifier);

    /**
     * Parses a password table (format in doc/auth.md). @p fileName is used only in error
     * messages. On success the table replaces every user, and an allow_anonymous line sets the
     * anonymous setting (without one that setting stays as it was); on error nothing changes.
     * @return false (with @p error filled) when the text is not a valid table.
     */
    bool Parse(std::string_view text, const std::string& fileName, MqttConfigError& error);

    /** Reads and parses a file; a missing file is an error naming it. */
    bool Load(const std::string& path, MqttConfigError& error);

    /** Adds or replaces one user with a plain-text password. */
    void SetUser(const std::string& userName, const std::vector<uint8_t>& password);

    /**
     * Accepted, BadUserNameOrPassword (unknown user, wrong or missing password) or
     * NotAuthorized (no user name while anonymous access is off). A password without a user
     * name (which [MQTT-3.1.2-22] forbids, so a decoder should have refused it) is
     * BadUserNameOrPassword. For plain-text passwords the time a comparison takes depends on
     * the presented password's length only: not on where it differs from the stored one, nor on
     * the stored length. A hashed password costs its hash; an unknown user costs the same as a
     * user with the file's first hashed password, when it has one.
     */
    ConnectReturnCode Authenticate(const std::optional<std::string>& userName,
                                   const std::optional<std::vector<uint8_t>>& password) const;

    /** Whether clients without a user name may connect (default: no). */
    void SetAllowAnonymous(bool allow);
    bool AllowAnonymous() const;
    std::size_t UserCount() const;

    /** Longest user name and password an MQTT CONNECT can carry (section 1.5.3, 1.5.4). */
    static constexpr std::size_t MAX_FIELD_LENGTH = 65535;

    /** One user's stored password: plain bytes, or a hash's text (IsHashedPassword). */
    struct StoredPassword
    {
        std::vector<uint8_t> bytes;
        bool hashed = false;
    };

  private:
    std::map<std::string, StoredPassword> m_users;
    bool m_allowAnonymous = false;
    std::shared_ptr<const MqttPasswordVerifier> m_verifier;
    /** The first hashed password, verified for unknown users so that they cost the same. */
    std::optional<std::string> m_decoyHash;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_AUTHENTICATOR_H
