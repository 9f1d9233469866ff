/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) as an MQTT 5.0 enhanced authentication method, on
 * OpenSSL's libcrypto (doc/auth.md, "Enhanced authentication"). The Authentication Data of the
 * CONNECT is the client-first-message, the server's AUTH 0x18 carries the server-first-message,
 * the client's AUTH 0x18 the client-final-message, and the CONNACK (or AUTH 0x00 after a
 * re-authentication) the server-final-message "v=SIGNATURE", which the client checks.
 *
 * No channel binding (gs2 header "n,," or "y,,"), no authorization identity, user names taken as
 * UTF-8 bytes without SASLprep (ASCII names are unaffected).
 */
#ifndef MQTT_SCRAM_H
#define MQTT_SCRAM_H

#include "mqtt-auth-method.h"
#include "mqtt-authenticator.h"

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** What a server keeps of one user (RFC 5802 section 3): never the password itself. */
struct MqttScramCredential
{
    std::vector<uint8_t> salt;
    uint32_t iterations = 0;
    std::array<uint8_t, 32> storedKey{};
    std::array<uint8_t, 32> serverKey{};
};

bool operator==(const MqttScramCredential& a, const MqttScramCredential& b);

class MqttScramSha256 : public MqttAuthMethod
{
  public:
    /** RFC 7677 section 4: at least 4096 iterations. */
    static constexpr uint32_t DEFAULT_ITERATIONS = 4096;
    /** Most iterations either side accepts: a peer cannot make an exchange cost minutes. */
    static constexpr uint32_t MAX_ITERATIONS = 10000000;
    /** Salt bytes of a credential made here. */
    static constexpr std::size_t SALT_BYTES = 16;

    /** Makes a nonce: printable ASCII without ','; empty when no random bytes could be had. */
    using NonceSource = std::function<std::string()>;

    /**
     * @param nonces the nonce of each exchange (the server's part on the server side, the
     *        client's on the client side); default: 18 random bytes (OpenSSL's RAND_bytes) in
     *        base64. Tests give fixed ones to reproduce RFC 7677's messages.
     */
    explicit MqttScramSha256(NonceSource nonces = {});

    const std::string& Name() const override;
    std::unique_ptr<ServerExchange> StartServer() const override;
    std::unique_ptr<ClientExchange> StartClient(
        const ClientCredentials& credentials) const override;

    /** Adds or replaces a user (server side). */
    void AddCredential(const std::string& userName, MqttScramCredential credential);
    std::size_t UserCount() const;

    /**
     * Parses a SCRAM credentials file (doc/auth.md): one "USER:SCRAM-SHA-256$ITERATIONS:SALT$
     * STOREDKEY:SERVERKEY" per line (PostgreSQL's verifier format), '#' comments, blank lines.
     * On success the users replace the current ones; on error nothing changes and @p error
     * names the file and line.
     */
    bool Parse(std::string_view text, const std::string& fileName, MqttConfigError& error);
    bool Load(const std::string& path, MqttConfigError& error);

    /** The credential of @p password: SaltedPassword = PBKDF2-HMAC-SHA-256, then its keys. */
    static MqttScramCredential MakeCredential(std::string_view password,
                                              const std::vector<uint8_t>& salt,
                                              uint32_t iterations = DEFAULT_ITERATIONS);
    /** As MakeCredential with a fresh random salt; nothing when no random bytes were had. */
    static std::optional<MqttScramCredential> MakeCredential(std::string_view password,
                                                             uint32_t iterations);
    /** "SCRAM-SHA-256$ITERATIONS:SALT$STOREDKEY:SERVERKEY" (base64 fields). */
    static std::string FormatCredential(const MqttScramCredential& credential);
    /** The credential of a FormatCredential text, or why it is not one (in @p why). */
    static std::optional<MqttScramCredential> ParseCredential(std::string_view text,
                                                              std::string& why);

    /** The default nonce source (18 random bytes, base64). */
    static std::string RandomNonce();
    /**
     * Nonces from a generator seeded with @p seed: for simulations, where a seed must reproduce
     * a run byte for byte. Predictable, so never for a real broker.
     */
    static NonceSource SeededNonces(uint64_t seed);

  private:
    class Server;
    class Client;

    NonceSource m_nonces;
    std::map<std::string, MqttScramCredential, std::less<>> m_users;
    /** Keys the decoy salt of unknown users, so they look like users (RFC 5802 section 5.1). */
    std::array<uint8_t, 32> m_decoyKey{};
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SCRAM_H
