/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * mosquitto_passwd's password hashes, with OpenSSL's libcrypto (doc/auth.md): reading "$6$" and
 * "$7$" fields for MqttAuthenticator, and writing "$7$" ones for `./ns3-mqtt passwd`.
 */
#ifndef MQTT_PASSWORD_HASHES_H
#define MQTT_PASSWORD_HASHES_H

#include "mqtt-authenticator.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{

/**
 * "$6$SALT$HASH": HASH = SHA-512(password || salt); "$7$ITERATIONS$SALT$HASH": HASH =
 * PBKDF2-HMAC-SHA512(password, salt, ITERATIONS, 64 bytes). SALT and HASH are standard base64
 * (mosquitto_passwd writes 12 salt bytes and 64 hash bytes).
 */
class MqttPasswordHashes : public MqttPasswordVerifier
{
  public:
    /** The iterations mosquitto_passwd writes by default (mosquitto 2.0). */
    static constexpr uint32_t DEFAULT_ITERATIONS = 101;
    /** Most iterations a "$7$" field may ask for: a file cannot make a CONNECT cost seconds. */
    static constexpr uint32_t MAX_ITERATIONS = 10000000;

    std::optional<std::string> CheckFormat(std::string_view stored) const override;
    bool Verify(std::string_view stored, const std::vector<uint8_t>& password) const override;

    /**
     * A "$7$" field for @p password with a fresh random 12-byte salt (OpenSSL's RAND_bytes), or
     * nothing when no random bytes could be had.
     */
    static std::optional<std::string> HashPbkdf2(std::string_view password,
                                                 uint32_t iterations = DEFAULT_ITERATIONS);

    /** One verifier for everyone (it has no state). */
    static std::shared_ptr<const MqttPasswordHashes> Shared();
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_PASSWORD_HASHES_H
