/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-base64.h"

#include <openssl/evp.h>

namespace ns3
{
namespace mqtt
{

std::optional<std::vector<uint8_t>>
FromBase64(std::string_view text)
{
    if (text.empty() || text.size() % 4 != 0)
    {
        return std::nullopt;
    }
    std::vector<uint8_t> out(text.size() / 4 * 3);
    const int n = EVP_DecodeBlock(out.data(),
                                  reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0)
    {
        return std::nullopt;
    }
    // EVP_DecodeBlock counts the padding as zero bytes: drop them.
    std::size_t size = static_cast<std::size_t>(n);
    for (std::size_t i = text.size(); i > 0 && text[i - 1] == '=' && size > 0; --i)
    {
        --size;
    }
    out.resize(size);
    return out;
}

std::string
ToBase64(const uint8_t* bytes, std::size_t size)
{
    std::string out(4 * ((size + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(
        reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(size));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string
ToBase64(const std::vector<uint8_t>& bytes)
{
    return ToBase64(bytes.data(), bytes.size());
}

} // namespace mqtt
} // namespace ns3
