/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * UTF-8 checks for MQTT strings (section 1.5.3).
 */
#ifndef MQTT_UTF8_H
#define MQTT_UTF8_H

#include <cstdint>
#include <string_view>

namespace ns3
{
namespace mqtt
{

enum class Utf8Status : uint8_t
{
    Valid = 0,
    Malformed,     //!< ill-formed per RFC 3629, overlong, beyond U+10FFFF, or a surrogate [MQTT-1.5.3-1]
    NullCharacter, //!< an encoded U+0000 [MQTT-1.5.3-2]
};

/**
 * Checks that @p text is a well-formed MQTT UTF-8 string. U+FEFF (EF BB BF) is an ordinary
 * character and is kept [MQTT-1.5.3-3].
 */
Utf8Status CheckUtf8(std::string_view text);

/**
 * Whether well-formed UTF-8 @p text holds a control character: U+0001..U+001F or
 * U+007F..U+009F (U+0000 is CheckUtf8's NullCharacter). Section 1.5.3 lets a receiver close the
 * connection on them (doc/conformance.md).
 */
bool HasControlCharacter(std::string_view text);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_UTF8_H
