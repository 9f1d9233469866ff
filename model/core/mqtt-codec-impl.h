/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The codec's internal pieces shared by its files (not part of its interface): a read cursor, a
 * write cursor, Variable Byte Integers, the string and topic checks, and MQTT 5.0 property lists
 * on the wire.
 */
#ifndef MQTT_CODEC_IMPL_H
#define MQTT_CODEC_IMPL_H

#include "mqtt-codec.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{
namespace wire
{

/** The largest value of a Variable Byte Integer (section 1.5.5). */
inline constexpr uint32_t MAX_VARIABLE_BYTE_INTEGER = 268435455;

/** The bytes the shortest encoding of @p value takes (section 1.5.5, 2.2.3). */
inline std::size_t
VariableByteIntegerSize(std::size_t value)
{
    return value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : 4;
}

/** A read cursor over the variable header and payload of one packet. */
class Cursor
{
  public:
    Cursor(const uint8_t* begin, const uint8_t* end)
        : m_p(begin)
        , m_end(end)
    {
    }

    bool
    ReadU8(uint8_t& v)
    {
        if (m_p == m_end)
        {
            return false;
        }
        v = *m_p++;
        return true;
    }

    bool
    ReadU16(uint16_t& v)
    {
        if (m_end - m_p < 2)
        {
            return false;
        }
        v = static_cast<uint16_t>((m_p[0] << 8) | m_p[1]);
        m_p += 2;
        return true;
    }

    bool
    ReadU32(uint32_t& v)
    {
        if (m_end - m_p < 4)
        {
            return false;
        }
        v = static_cast<uint32_t>(m_p[0]) << 24 | static_cast<uint32_t>(m_p[1]) << 16 |
            static_cast<uint32_t>(m_p[2]) << 8 | m_p[3];
        m_p += 4;
        return true;
    }

    /**
     * A Variable Byte Integer (section 1.5.5): Truncated, VariableByteIntegerTooLong (a 4th byte
     * with the continuation bit), or NonMinimalVariableByteInteger (more bytes than the value
     * needs [MQTT5-1.5.5-1]).
     */
    DecodeError
    ReadVariableByteInteger(uint32_t& v)
    {
        v = 0;
        for (unsigned i = 0; i < 4; ++i)
        {
            uint8_t b;
            if (!ReadU8(b))
            {
                return DecodeError::Truncated;
            }
            v |= static_cast<uint32_t>(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return (b == 0 && i > 0) ? DecodeError::NonMinimalVariableByteInteger
                                         : DecodeError::None;
            }
        }
        return DecodeError::VariableByteIntegerTooLong;
    }

    /** A 2-byte length and that many bytes: a UTF-8 string or binary data (section 1.5). */
    bool
    ReadField(std::string_view& v)
    {
        uint16_t n;
        if (!ReadU16(n) || m_end - m_p < n)
        {
            return false;
        }
        v = std::string_view(reinterpret_cast<const char*>(m_p), n);
        m_p += n;
        return true;
    }

    /** Splits off the next @p n bytes as a cursor of their own; false if fewer are left. */
    bool
    Take(std::size_t n, Cursor& part)
    {
        if (Left() < n)
        {
            return false;
        }
        part = Cursor(m_p, m_p + n);
        m_p += n;
        return true;
    }

    std::size_t
    Left() const
    {
        return static_cast<std::size_t>(m_end - m_p);
    }

    bool
    AtEnd() const
    {
        return m_p == m_end;
    }

    const uint8_t*
    Position() const
    {
        return m_p;
    }

    const uint8_t*
    End() const
    {
        return m_end;
    }

  private:
    const uint8_t* m_p;
    const uint8_t* m_end;
};

/** A write cursor into space already sized by EncodedSize. */
class Writer
{
  public:
    explicit Writer(uint8_t* p)
        : m_p(p)
    {
    }

    void
    U8(uint8_t v)
    {
        *m_p++ = v;
    }

    void
    U16(uint16_t v)
    {
        m_p[0] = static_cast<uint8_t>(v >> 8);
        m_p[1] = static_cast<uint8_t>(v);
        m_p += 2;
    }

    void
    U32(uint32_t v)
    {
        m_p[0] = static_cast<uint8_t>(v >> 24);
        m_p[1] = static_cast<uint8_t>(v >> 16);
        m_p[2] = static_cast<uint8_t>(v >> 8);
        m_p[3] = static_cast<uint8_t>(v);
        m_p += 4;
    }

    /** The shortest encoding of @p v, at most MAX_VARIABLE_BYTE_INTEGER [MQTT5-1.5.5-1]. */
    void
    VariableByteInteger(std::size_t v)
    {
        m_p += EncodeRemainingLength(static_cast<uint32_t>(v), m_p);
    }

    void
    Bytes(const void* data, std::size_t n)
    {
        if (n != 0)
        {
            std::memcpy(m_p, data, n);
            m_p += n;
        }
    }

    void
    Field(const void* data, std::size_t n)
    {
        U16(static_cast<uint16_t>(n));
        Bytes(data, n);
    }

    void
    Field(std::string_view s)
    {
        Field(s.data(), s.size());
    }

    void
    Field(const std::vector<uint8_t>& v)
    {
        Field(v.data(), v.size());
    }

    void
    FixedHeader(uint8_t first, std::size_t remaining)
    {
        U8(first);
        VariableByteInteger(remaining);
    }

    uint8_t*
    Position() const
    {
        return m_p;
    }

  private:
    uint8_t* m_p;
};

/** A UTF-8 string field that is not a topic [MQTT-1.5.3-1/2], [MQTT5-1.5.4-1/2]. */
DecodeError CheckString(std::string_view s);

/** A topic name: [MQTT-3.3.2-2], [MQTT-4.7.1-1], [MQTT-4.7.3-1]. */
DecodeError CheckTopicName(std::string_view s);

/** A topic filter: [MQTT-4.7.1-2], [MQTT-4.7.1-3], [MQTT-4.7.3-1]. */
DecodeError CheckTopicFilter(std::string_view s);

/**
 * The 5.0 shared subscription syntax of a filter that CheckTopicFilter accepted: one that starts
 * with "$share/" continues with a share name of at least one character without '/', '+' or '#',
 * a '/' and a topic filter of at least one character [MQTT5-4.8.2-1], [MQTT5-4.8.2-2]. Other
 * filters pass.
 */
DecodeError CheckSharedSubscription(std::string_view filter);

/** Whether @p filter names a shared subscription ("$share/..."), 5.0 section 4.8.2. */
bool IsSharedSubscription(std::string_view filter);

/** Where a property section lies, once checked, and which identifiers it holds. */
struct PropertyScan
{
    const uint8_t* begin = nullptr;
    const uint8_t* end = nullptr;
    uint64_t seen = 0; //!< bit (1 << identifier) of each identifier present

    bool
    Has(PropertyId id) const
    {
        return (seen >> static_cast<unsigned>(id) & 1) != 0;
    }
};

/**
 * Reads and checks a property section (Property Length and properties, section 2.2.2) at @p c
 * for @p place: every identifier known and allowed there, no forbidden repetition, every value
 * of its type and in its range. On success @p c is past the section.
 */
DecodeError CheckProperties(Cursor& c, PropertyPlace place, PropertyScan& scan);

/** Copies a section CheckProperties accepted into @p out, reusing its storage. */
void StoreProperties(const PropertyScan& scan, Properties& out);

/** Copies checked properties into @p out, or empties it for a 3.1.1 packet. */
void StoreOrClear(bool v5, const PropertyScan& scan, Properties& out);

/** The bytes of a property section: the Property Length and the properties. */
std::size_t PropertySectionSize(const Properties& properties);

/** The bytes of the properties alone: the value of the Property Length. */
std::size_t PropertiesLength(const Properties& properties);

/** Writes a property section: the Property Length and the properties. */
void WriteProperties(Writer& w, const Properties& properties);

/** WriteProperties when PropertiesLength(@p properties) is already known: @p length. */
void WriteProperties(Writer& w, const Properties& properties, std::size_t length);

/** The alternative T of @p out, reusing its storage when it already holds a T. */
template<typename T>
inline T&
Reuse(Packet& out)
{
    if (T* p = std::get_if<T>(&out))
    {
        return *p;
    }
    return out.emplace<T>();
}

/**
 * Decodes a CONNECT body (mqtt-codec-decode-connect.cc): a 5.0 one only when @p acceptV5.
 */
DecodeError DecodeConnect(Cursor c, Packet& out, bool acceptV5);

} // namespace wire
} // namespace mqtt
} // namespace ns3

#endif // MQTT_CODEC_IMPL_H
