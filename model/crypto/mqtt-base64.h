/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Standard base64 with padding (RFC 4648 section 4) on OpenSSL, for the password hashes and
 * SCRAM's messages and credentials.
 */
#ifndef MQTT_BASE64_H
#define MQTT_BASE64_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** @p text as bytes, or nothing when it is not base64 (empty text is not). */
std::optional<std::vector<uint8_t>> FromBase64(std::string_view text);

std::string ToBase64(const uint8_t* bytes, std::size_t size);
std::string ToBase64(const std::vector<uint8_t>& bytes);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_BASE64_H
