/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-password-hashes.h"

#include "mqtt-base64.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <charconv>

namespace ns3
{
namespace mqtt
{

namespace
{

constexpr std::size_t SALT_BYTES = 12;
constexpr std::size_t HASH_BYTES = 64;

/** The fields of a hashed password, decoded. */
struct HashFields
{
    char scheme = 0; //!< '6' or '7'
    uint32_t iterations = 0;
    std::vector<uint8_t> salt;
    std::vector<uint8_t> hash;
};

/** The '$'-separated fields after the leading '$'. */
std::vector<std::string_view>
SplitDollar(std::string_view stored)
{
    std::vector<std::string_view> parts;
    stored.remove_prefix(1);
    while (true)
    {
        const std::size_t d = stored.find('$');
        parts.push_back(stored.substr(0, d));
        if (d == std::string_view::npos)
        {
            return parts;
        }
        stored.remove_prefix(d + 1);
    }
}

/** Decodes @p stored into @p fields, or says why it cannot. */
std::optional<std::string>
Decode(std::string_view stored, HashFields& fields)
{
    const std::vector<std::string_view> parts = SplitDollar(stored);
    const bool pbkdf2 = !parts.empty() && parts[0] == "7";
    if (parts.empty() || (parts[0] != "6" && !pbkdf2) || parts.size() != (pbkdf2 ? 4u : 3u))
    {
        return std::string("expected $6$SALT$HASH or $7$ITERATIONS$SALT$HASH");
    }
    fields.scheme = parts[0][0];
    std::size_t next = 1;
    if (pbkdf2)
    {
        const std::string_view text = parts[1];
        const auto [end, ec] =
            std::from_chars(text.data(), text.data() + text.size(), fields.iterations);
        if (ec != std::errc() || end != text.data() + text.size() || fields.iterations == 0 ||
            fields.iterations > MqttPasswordHashes::MAX_ITERATIONS)
        {
            return "iterations '" + std::string(text) + "' not a whole number from 1 to " +
                   std::to_string(MqttPasswordHashes::MAX_ITERATIONS);
        }
        next = 2;
    }
    std::optional<std::vector<uint8_t>> salt = FromBase64(parts[next]);
    std::optional<std::vector<uint8_t>> hash = FromBase64(parts[next + 1]);
    if (!salt)
    {
        return std::string("salt is not base64");
    }
    if (!hash || hash->size() != HASH_BYTES)
    {
        return std::string("hash is not 64 bytes of base64");
    }
    fields.salt = std::move(*salt);
    fields.hash = std::move(*hash);
    return std::nullopt;
}

/** The digest of @p password under @p fields' scheme, salt and iterations. */
std::vector<uint8_t>
Digest(const HashFields& fields, const uint8_t* password, std::size_t size)
{
    std::vector<uint8_t> digest(HASH_BYTES);
    if (fields.scheme == '7')
    {
        PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(password),
                          static_cast<int>(size),
                          fields.salt.data(),
                          static_cast<int>(fields.salt.size()),
                          static_cast<int>(fields.iterations),
                          EVP_sha512(),
                          static_cast<int>(digest.size()),
                          digest.data());
        return digest;
    }
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    unsigned int length = 0;
    EVP_DigestInit_ex(ctx, EVP_sha512(), nullptr);
    EVP_DigestUpdate(ctx, password, size);
    EVP_DigestUpdate(ctx, fields.salt.data(), fields.salt.size());
    EVP_DigestFinal_ex(ctx, digest.data(), &length);
    EVP_MD_CTX_free(ctx);
    return digest;
}

} // namespace

std::optional<std::string>
MqttPasswordHashes::CheckFormat(std::string_view stored) const
{
    HashFields fields;
    return Decode(stored, fields);
}

bool
MqttPasswordHashes::Verify(std::string_view stored, const std::vector<uint8_t>& password) const
{
    HashFields fields;
    if (Decode(stored, fields))
    {
        return false;
    }
    const std::vector<uint8_t> digest = Digest(fields, password.data(), password.size());
    return CRYPTO_memcmp(digest.data(), fields.hash.data(), HASH_BYTES) == 0;
}

std::optional<std::string>
MqttPasswordHashes::HashPbkdf2(std::string_view password, uint32_t iterations)
{
    HashFields fields;
    fields.scheme = '7';
    fields.iterations = iterations;
    fields.salt.resize(SALT_BYTES);
    if (RAND_bytes(fields.salt.data(), static_cast<int>(SALT_BYTES)) != 1)
    {
        return std::nullopt;
    }
    const std::vector<uint8_t> digest =
        Digest(fields, reinterpret_cast<const uint8_t*>(password.data()), password.size());
    return "$7$" + std::to_string(iterations) + "$" + ToBase64(fields.salt) + "$" +
           ToBase64(digest);
}

std::shared_ptr<const MqttPasswordHashes>
MqttPasswordHashes::Shared()
{
    static const auto shared = std::make_shared<const MqttPasswordHashes>();
    return shared;
}

} // namespace mqtt
} // namespace ns3
