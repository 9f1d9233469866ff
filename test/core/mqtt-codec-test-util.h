/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Byte helpers shared by the codec and frame reader tests.
 */
#ifndef MQTT_CODEC_TEST_UTIL_H
#define MQTT_CODEC_TEST_UTIL_H

#include "mqtt-codec.h"

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** GoogleTest prints these by name. */
inline void
PrintTo(DecodeError error, std::ostream* os)
{
    *os << DecodeErrorName(error);
}

inline void
PrintTo(DecodeStatus status, std::ostream* os)
{
    *os << (status == DecodeStatus::Complete   ? "Complete"
            : status == DecodeStatus::NeedMore ? "NeedMore"
                                               : "Error");
}

namespace test
{

using Bytes = std::vector<uint8_t>;

/** Bytes from hex pairs separated by spaces: Hex("10 2B 00 04"). */
inline Bytes
Hex(std::string_view hex)
{
    Bytes out;
    int nibbles = 0;
    uint8_t b = 0;
    for (char c : hex)
    {
        int v;
        if (c >= '0' && c <= '9')
        {
            v = c - '0';
        }
        else if (c >= 'A' && c <= 'F')
        {
            v = c - 'A' + 10;
        }
        else if (c >= 'a' && c <= 'f')
        {
            v = c - 'a' + 10;
        }
        else if (c == ' ')
        {
            continue;
        }
        else
        {
            throw std::invalid_argument("Hex: bad character");
        }
        b = static_cast<uint8_t>(b << 4 | v);
        if (++nibbles == 2)
        {
            out.push_back(b);
            nibbles = 0;
            b = 0;
        }
    }
    if (nibbles != 0)
    {
        throw std::invalid_argument("Hex: odd number of digits");
    }
    return out;
}

/** The bytes of an ASCII or UTF-8 text, without a length prefix. */
inline Bytes
Raw(std::string_view text)
{
    return Bytes(text.begin(), text.end());
}

/** Concatenation. */
inline Bytes
Cat(std::initializer_list<Bytes> parts)
{
    Bytes out;
    for (const Bytes& p : parts)
    {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

inline std::string
Str(const Bytes& b)
{
    return std::string(b.begin(), b.end());
}

inline Bytes
Enc(const Packet& p)
{
    Bytes out;
    Encode(p, out);
    return out;
}

inline Bytes
Enc5(const Packet& p)
{
    Bytes out;
    Encode(p, out, ProtocolVersion::Mqtt5);
    return out;
}

} // namespace test
} // namespace mqtt
} // namespace ns3

#endif // MQTT_CODEC_TEST_UTIL_H
