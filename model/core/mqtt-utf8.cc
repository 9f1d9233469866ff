/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-utf8.h"

namespace ns3
{
namespace mqtt
{

Utf8Status
CheckUtf8(std::string_view text)
{
    const auto* p = reinterpret_cast<const uint8_t*>(text.data());
    const auto* end = p + text.size();
    while (p < end)
    {
        uint8_t b = *p;
        if (b < 0x80)
        {
            // ASCII fast path: most topics and client ids are plain ASCII.
            if (b == 0)
            {
                return Utf8Status::NullCharacter;
            }
            ++p;
            continue;
        }
        uint32_t cp;
        int extra;
        uint32_t min;
        if ((b & 0xE0) == 0xC0)
        {
            cp = b & 0x1F;
            extra = 1;
            min = 0x80;
        }
        else if ((b & 0xF0) == 0xE0)
        {
            cp = b & 0x0F;
            extra = 2;
            min = 0x800;
        }
        else if ((b & 0xF8) == 0xF0)
        {
            cp = b & 0x07;
            extra = 3;
            min = 0x10000;
        }
        else
        {
            return Utf8Status::Malformed; // a continuation byte first, or 0xF8..0xFF
        }
        if (end - p <= extra)
        {
            return Utf8Status::Malformed; // truncated sequence
        }
        for (int i = 1; i <= extra; ++i)
        {
            uint8_t c = p[i];
            if ((c & 0xC0) != 0x80)
            {
                return Utf8Status::Malformed;
            }
            cp = (cp << 6) | (c & 0x3F);
        }
        // Overlong forms (including C0 80 for U+0000), surrogates and values past U+10FFFF are
        // all ill-formed under RFC 3629 [MQTT-1.5.3-1].
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        {
            return Utf8Status::Malformed;
        }
        p += extra + 1;
    }
    return Utf8Status::Valid;
}

bool
HasControlCharacter(std::string_view text)
{
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        const auto b = static_cast<uint8_t>(text[i]);
        if (b < 0x20 || b == 0x7F)
        {
            return true;
        }
        // U+0080..U+009F are C2 80..C2 9F; C2 is never a continuation byte, so no misreading.
        if (b == 0xC2 && i + 1 < text.size() && (static_cast<uint8_t>(text[i + 1]) & 0xE0) == 0x80)
        {
            return true;
        }
    }
    return false;
}

} // namespace mqtt
} // namespace ns3
