/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Decoding of MQTT 3.1.1 control packets: the tri-state Decode (complete, need more,
 * error) and a DecodeError value for every rule a receiver checks.
 */
#include "mqtt-codec.h"
#include "mqtt-codec-flags.h"

#include "mqtt-topic.h"
#include "mqtt-utf8.h"

#include <cstring>

namespace ns3
{
namespace mqtt
{

namespace
{
using namespace wire;


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

    /** A 2-byte length and that many bytes: a UTF-8 string or binary data (section 1.5.3). */
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

DecodeResult
Fail(DecodeError error)
{
    return DecodeResult{DecodeStatus::Error, 0, error};
}

/** The alternative T of @p out, reusing its storage when it already holds a T. */
template<typename T>
T&
Reuse(Packet& out)
{
    if (T* p = std::get_if<T>(&out))
    {
        return *p;
    }
    return out.emplace<T>();
}

DecodeError
FromUtf8(Utf8Status status)
{
    switch (status)
    {
    case Utf8Status::Valid:
        return DecodeError::None;
    case Utf8Status::NullCharacter:
        return DecodeError::Utf8NullCharacter;
    case Utf8Status::Malformed:
        break;
    }
    return DecodeError::MalformedUtf8;
}

/** A UTF-8 string field that is not a topic: client id, user name [MQTT-1.5.3-1/2]. */
DecodeError
CheckString(std::string_view s)
{
    return FromUtf8(CheckUtf8(s));
}

/**
 * Maps a topic check to a decode error. The topic validators check the encoding before the
 * wildcards, so a topic is judged by the same UTF-8 rules as every other string.
 */
DecodeError
FromTopic(TopicError error, DecodeError invalid)
{
    switch (error)
    {
    case TopicError::None:
        return DecodeError::None;
    case TopicError::MalformedUtf8:
        return DecodeError::MalformedUtf8; // [MQTT-1.5.3-1]
    case TopicError::NullCharacter:
        return DecodeError::Utf8NullCharacter; // [MQTT-1.5.3-2]
    default:
        return invalid;
    }
}

/**
 * Whether every byte of @p s is ASCII 0x01-0x7F other than '+' and '#', eight bytes at a time.
 * Such a non-empty string is a valid topic name whatever else is in it, so the common case of a
 * PUBLISH skips the general validator (which a decode of a short PUBLISH spends most of its time
 * in); anything else goes to ValidateTopicName, which stays the authority on errors.
 */
bool
IsPlainAsciiName(std::string_view s)
{
    static constexpr uint64_t ONES = 0x0101010101010101ULL;
    static constexpr uint64_t HIGHS = 0x8080808080808080ULL;
    // Non-zero when some byte of v is 0 (the classic exact test).
    auto hasZeroByte = [](uint64_t v) { return (v - ONES) & ~v & HIGHS; };
    const char* p = s.data();
    std::size_t n = s.size();
    for (; n >= 8; n -= 8, p += 8)
    {
        uint64_t w;
        std::memcpy(&w, p, 8);
        if (((w & HIGHS) | hasZeroByte(w) | hasZeroByte(w ^ (ONES * '+')) |
             hasZeroByte(w ^ (ONES * '#'))) != 0)
        {
            return false;
        }
    }
    for (; n != 0; --n, ++p)
    {
        auto c = static_cast<uint8_t>(*p);
        if (c == 0 || c >= 0x80 || c == '+' || c == '#')
        {
            return false;
        }
    }
    return true;
}

/** A topic name: [MQTT-3.3.2-2], [MQTT-4.7.1-1], [MQTT-4.7.3-1]. */
DecodeError
CheckTopicName(std::string_view s)
{
    if (!s.empty() && IsPlainAsciiName(s))
    {
        return DecodeError::None;
    }
    return FromTopic(ValidateTopicName(s), DecodeError::InvalidTopicName);
}

/** A topic filter: [MQTT-4.7.1-2], [MQTT-4.7.1-3], [MQTT-4.7.3-1]. */
DecodeError
CheckTopicFilter(std::string_view s)
{
    return FromTopic(ValidateTopicFilter(s), DecodeError::InvalidTopicFilter);
}

/** Checks what the first byte alone decides: type and flags (section 2.2). */
DecodeError
CheckFirstByte(uint8_t first)
{
    uint8_t flags = first & 0x0F;
    switch (static_cast<PacketType>(first >> 4))
    {
    case PacketType::Publish:
    {
        uint8_t qos = (flags >> PUBLISH_QOS_SHIFT) & 0x03;
        if (qos == 3)
        {
            return DecodeError::InvalidQos; // [MQTT-3.3.1-4]
        }
        if (qos == 0 && (flags & PUBLISH_DUP) != 0)
        {
            return DecodeError::DupWithQosZero; // [MQTT-3.3.1-2]
        }
        return DecodeError::None;
    }
    case PacketType::Pubrel:
    case PacketType::Subscribe:
    case PacketType::Unsubscribe:
        // [MQTT-3.6.1-1], [MQTT-3.8.1-1], [MQTT-3.10.1-1]
        return flags == 0x02 ? DecodeError::None : DecodeError::InvalidFixedHeaderFlags;
    case PacketType::Connect:
    case PacketType::Connack:
    case PacketType::Puback:
    case PacketType::Pubrec:
    case PacketType::Pubcomp:
    case PacketType::Suback:
    case PacketType::Unsuback:
    case PacketType::Pingreq:
    case PacketType::Pingresp:
    case PacketType::Disconnect:
        // [MQTT-2.2.2-1], [MQTT-2.2.2-2], [MQTT-3.14.1-1]
        return flags == 0 ? DecodeError::None : DecodeError::InvalidFixedHeaderFlags;
    }
    return DecodeError::ReservedPacketType; // 0 and 15 (section 2.2.1)
}

/** Packets whose remaining length is fixed are judged on the length alone. */
DecodeError
CheckFixedLength(PacketType type, uint32_t remaining)
{
    uint32_t expected;
    switch (type)
    {
    case PacketType::Connack:
    case PacketType::Puback:
    case PacketType::Pubrec:
    case PacketType::Pubrel:
    case PacketType::Pubcomp:
    case PacketType::Unsuback:
        expected = 2;
        break;
    case PacketType::Pingreq:
    case PacketType::Pingresp:
    case PacketType::Disconnect:
        expected = 0;
        break;
    default:
        return DecodeError::None;
    }
    if (remaining < expected)
    {
        return DecodeError::Truncated;
    }
    return remaining > expected ? DecodeError::TrailingBytes : DecodeError::None;
}

/** The fields of a CONNECT as they stand in the bytes, before they are copied into a packet. */
struct ConnectFields
{
    std::string_view name;
    uint8_t level = 0;
    uint8_t flags = 0;
    uint16_t keepAlive = 0;
    std::string_view clientId;
    std::string_view willTopic;
    std::string_view willMessage;
    std::string_view userName;
    std::string_view password;

    bool
    HasWill() const
    {
        return (flags & CONNECT_WILL) != 0;
    }

    bool
    HasUser() const
    {
        return (flags & CONNECT_USER_NAME) != 0;
    }

    bool
    HasPassword() const
    {
        return (flags & CONNECT_PASSWORD) != 0;
    }
};

/** The CONNECT flags byte alone (section 3.1.2.3). */
DecodeError
CheckConnectFlags(uint8_t flags)
{
    if ((flags & CONNECT_RESERVED) != 0)
    {
        return DecodeError::ConnectReservedFlagSet; // [MQTT-3.1.2-3]
    }
    const bool hasWill = (flags & CONNECT_WILL) != 0;
    const uint8_t willQos = (flags >> CONNECT_WILL_QOS_SHIFT) & 0x03;
    const bool willRetain = (flags & CONNECT_WILL_RETAIN) != 0;
    if (!hasWill && (willQos != 0 || willRetain))
    {
        return DecodeError::WillFlagsWithoutWill; // [MQTT-3.1.2-11], -13, -15
    }
    if (willQos == 3)
    {
        return DecodeError::InvalidWillQos; // [MQTT-3.1.2-14]
    }
    if ((flags & CONNECT_PASSWORD) != 0 && (flags & CONNECT_USER_NAME) == 0)
    {
        return DecodeError::PasswordWithoutUserName; // [MQTT-3.1.2-22]
    }
    return DecodeError::None;
}

/** Protocol name and level, flags and keep-alive (section 3.1.2). */
DecodeError
DecodeConnectHeader(Cursor& c, ConnectFields& f, Packet& out)
{
    if (!c.ReadField(f.name) || !c.ReadU8(f.level))
    {
        return DecodeError::Truncated;
    }
    const bool isMqtt = f.name == "MQTT";
    if (!isMqtt || f.level != 4)
    {
        // Keep what came, so the broker can log it and answer CONNACK 0x01 [MQTT-3.1.2-2].
        // "MQIsdp" is MQTT 3.1: a known protocol at a level we do not speak.
        auto& p = out.emplace<ConnectPacket>();
        p.protocolName.assign(f.name);
        p.protocolLevel = f.level;
        return (isMqtt || f.name == "MQIsdp") ? DecodeError::UnsupportedProtocolLevel
                                              : DecodeError::InvalidProtocolName; // [MQTT-3.1.2-1]
    }
    if (!c.ReadU8(f.flags))
    {
        return DecodeError::Truncated;
    }
    DecodeError e = CheckConnectFlags(f.flags);
    if (e != DecodeError::None)
    {
        return e;
    }
    return c.ReadU16(f.keepAlive) ? DecodeError::None : DecodeError::Truncated;
}

/** The payload in the order of [MQTT-3.1.3-1]; each field only when its flag says so. */
DecodeError
DecodeConnectPayload(Cursor& c, ConnectFields& f)
{
    if (!c.ReadField(f.clientId))
    {
        return DecodeError::Truncated;
    }
    DecodeError e = CheckString(f.clientId); // [MQTT-3.1.3-4]
    if (e != DecodeError::None)
    {
        return e;
    }
    if (f.HasWill())
    {
        if (!c.ReadField(f.willTopic))
        {
            return DecodeError::Truncated;
        }
        e = CheckTopicName(f.willTopic); // [MQTT-3.1.3-10]
        if (e != DecodeError::None)
        {
            return e;
        }
        if (!c.ReadField(f.willMessage))
        {
            return DecodeError::Truncated;
        }
    }
    if (f.HasUser())
    {
        if (!c.ReadField(f.userName))
        {
            return DecodeError::Truncated;
        }
        e = CheckString(f.userName); // [MQTT-3.1.3-11]
        if (e != DecodeError::None)
        {
            return e;
        }
    }
    if (f.HasPassword() && !c.ReadField(f.password))
    {
        return DecodeError::Truncated;
    }
    return c.AtEnd() ? DecodeError::None : DecodeError::TrailingBytes;
}

/** Copies checked fields into @p out, reusing its buffers when it already holds a CONNECT. */
void
StoreConnect(const ConnectFields& f, Packet& out)
{
    auto& p = Reuse<ConnectPacket>(out);
    p.protocolName.assign(f.name);
    p.protocolLevel = f.level;
    p.cleanSession = (f.flags & CONNECT_CLEAN_SESSION) != 0;
    p.keepAliveSeconds = f.keepAlive;
    p.clientId.assign(f.clientId);
    if (f.HasWill())
    {
        Will& w = p.will ? *p.will : p.will.emplace();
        w.topic.assign(f.willTopic);
        w.payload.assign(f.willMessage.begin(), f.willMessage.end());
        w.qos = static_cast<Qos>((f.flags >> CONNECT_WILL_QOS_SHIFT) & 0x03);
        w.retain = (f.flags & CONNECT_WILL_RETAIN) != 0;
    }
    else
    {
        p.will.reset();
    }
    if (f.HasUser())
    {
        (p.userName ? *p.userName : p.userName.emplace()).assign(f.userName);
    }
    else
    {
        p.userName.reset();
    }
    if (f.HasPassword())
    {
        (p.password ? *p.password : p.password.emplace())
            .assign(f.password.begin(), f.password.end());
    }
    else
    {
        p.password.reset();
    }
}

DecodeError
DecodeConnect(Cursor c, Packet& out)
{
    ConnectFields f;
    DecodeError e = DecodeConnectHeader(c, f, out);
    if (e == DecodeError::None)
    {
        e = DecodeConnectPayload(c, f);
    }
    if (e == DecodeError::None)
    {
        StoreConnect(f, out);
    }
    return e;
}

DecodeError
DecodeConnack(Cursor c, Packet& out)
{
    uint8_t flags = 0;
    uint8_t code = 0;
    c.ReadU8(flags); // the length was checked: exactly 2 bytes
    c.ReadU8(code);
    if ((flags & 0xFE) != 0)
    {
        return DecodeError::InvalidConnackFlags; // section 3.2.2.1
    }
    if (code > MAX_CONNACK_RETURN_CODE)
    {
        return DecodeError::InvalidConnackReturnCode; // section 3.2.2.3
    }
    auto& p = Reuse<ConnackPacket>(out);
    p.sessionPresent = (flags & 0x01) != 0;
    p.returnCode = static_cast<ConnectReturnCode>(code);
    return DecodeError::None;
}

DecodeError
DecodePublish(uint8_t flags, Cursor c, Packet& out)
{
    auto qos = static_cast<Qos>((flags >> PUBLISH_QOS_SHIFT) & 0x03);
    std::string_view topic;
    if (!c.ReadField(topic))
    {
        return DecodeError::Truncated;
    }
    DecodeError e = CheckTopicName(topic); // [MQTT-3.3.2-1], [MQTT-3.3.2-2]
    if (e != DecodeError::None)
    {
        return e;
    }
    uint16_t packetId = 0;
    if (qos != Qos::AtMostOnce) // a QoS 0 PUBLISH has no identifier [MQTT-2.3.1-5]
    {
        if (!c.ReadU16(packetId))
        {
            return DecodeError::Truncated;
        }
        if (packetId == 0)
        {
            return DecodeError::PacketIdZero; // [MQTT-2.3.1-1]
        }
    }
    auto& p = Reuse<PublishPacket>(out);
    p.dup = (flags & PUBLISH_DUP) != 0;
    p.qos = qos;
    p.retain = (flags & PUBLISH_RETAIN) != 0;
    p.topic.assign(topic);
    p.packetId = packetId;
    p.payload.assign(c.Position(), c.End());
    return DecodeError::None;
}

/** PUBACK, PUBREC, PUBREL, PUBCOMP and UNSUBACK: a packet identifier only. */
template<typename T>
DecodeError
DecodeIdOnly(Cursor c, Packet& out)
{
    uint16_t packetId = 0;
    c.ReadU16(packetId); // the length was checked: exactly 2 bytes
    if (packetId == 0)
    {
        return DecodeError::PacketIdZero; // [MQTT-2.3.1-1]
    }
    Reuse<T>(out).packetId = packetId;
    return DecodeError::None;
}

/**
 * SUBSCRIBE and UNSUBSCRIBE share their layout: an identifier, then filters, each followed by a
 * requested QoS byte in a SUBSCRIBE. The first pass validates, the second fills @p out, so an
 * Error leaves @p out unchanged.
 */
template<bool IS_SUBSCRIBE>
DecodeError
DecodeFilterList(Cursor c, Packet& out)
{
    uint16_t packetId;
    if (!c.ReadU16(packetId))
    {
        return DecodeError::Truncated;
    }
    if (packetId == 0)
    {
        return DecodeError::PacketIdZero; // [MQTT-2.3.1-1]
    }
    const Cursor payload = c;
    std::size_t count = 0;
    while (!c.AtEnd())
    {
        std::string_view filter;
        if (!c.ReadField(filter))
        {
            return DecodeError::Truncated;
        }
        DecodeError e = CheckTopicFilter(filter); // [MQTT-3.8.3-1], [MQTT-3.10.3-1]
        if (e != DecodeError::None)
        {
            return e;
        }
        if constexpr (IS_SUBSCRIBE)
        {
            uint8_t qos;
            if (!c.ReadU8(qos))
            {
                return DecodeError::Truncated;
            }
            if (qos > 2) // reserved bits set, or QoS 3 [MQTT-3.8.3-4]
            {
                return DecodeError::InvalidRequestedQos;
            }
        }
        ++count;
    }
    if (count == 0)
    {
        // [MQTT-3.8.3-3], [MQTT-3.10.3-2]
        return IS_SUBSCRIBE ? DecodeError::SubscribeWithoutTopics
                            : DecodeError::UnsubscribeWithoutTopics;
    }

    c = payload;
    std::string_view filter;
    if constexpr (IS_SUBSCRIBE)
    {
        auto& p = Reuse<SubscribePacket>(out);
        p.packetId = packetId;
        p.topics.resize(count);
        for (TopicRequest& t : p.topics)
        {
            uint8_t qos = 0;
            c.ReadField(filter); // validated by the first pass
            c.ReadU8(qos);
            t.filter.assign(filter);
            t.qos = static_cast<Qos>(qos);
        }
    }
    else
    {
        auto& p = Reuse<UnsubscribePacket>(out);
        p.packetId = packetId;
        p.filters.resize(count);
        for (std::string& f : p.filters)
        {
            c.ReadField(filter);
            f.assign(filter);
        }
    }
    return DecodeError::None;
}

DecodeError
DecodeSuback(Cursor c, Packet& out)
{
    uint16_t packetId;
    if (!c.ReadU16(packetId))
    {
        return DecodeError::Truncated;
    }
    if (packetId == 0)
    {
        return DecodeError::PacketIdZero; // [MQTT-2.3.1-1]
    }
    if (c.AtEnd())
    {
        return DecodeError::SubackWithoutReturnCodes;
    }
    for (const uint8_t* q = c.Position(); q != c.End(); ++q)
    {
        if (*q > 2 && *q != SUBACK_FAILURE)
        {
            return DecodeError::InvalidSubackReturnCode; // [MQTT-3.9.3-2]
        }
    }
    auto& p = Reuse<SubackPacket>(out);
    p.packetId = packetId;
    p.returnCodes.assign(c.Position(), c.End());
    return DecodeError::None;
}

DecodeError
DecodeBody(uint8_t first, Cursor c, Packet& out)
{
    switch (static_cast<PacketType>(first >> 4))
    {
    case PacketType::Connect:
        return DecodeConnect(c, out);
    case PacketType::Connack:
        return DecodeConnack(c, out);
    case PacketType::Publish:
        return DecodePublish(first & 0x0F, c, out);
    case PacketType::Puback:
        return DecodeIdOnly<PubackPacket>(c, out);
    case PacketType::Pubrec:
        return DecodeIdOnly<PubrecPacket>(c, out);
    case PacketType::Pubrel:
        return DecodeIdOnly<PubrelPacket>(c, out);
    case PacketType::Pubcomp:
        return DecodeIdOnly<PubcompPacket>(c, out);
    case PacketType::Subscribe:
        return DecodeFilterList<true>(c, out);
    case PacketType::Suback:
        return DecodeSuback(c, out);
    case PacketType::Unsubscribe:
        return DecodeFilterList<false>(c, out);
    case PacketType::Unsuback:
        return DecodeIdOnly<UnsubackPacket>(c, out);
    case PacketType::Pingreq:
        Reuse<PingreqPacket>(out);
        return DecodeError::None;
    case PacketType::Pingresp:
        Reuse<PingrespPacket>(out);
        return DecodeError::None;
    case PacketType::Disconnect:
        Reuse<DisconnectPacket>(out);
        return DecodeError::None;
    }
    return DecodeError::ReservedPacketType; // unreachable: CheckFirstByte refused it
}

} // namespace

DecodeResult
Decode(const uint8_t* data, std::size_t size, Packet& out, std::size_t maxPacketSize)
{
    if (size == 0)
    {
        return DecodeResult{};
    }
    const uint8_t first = data[0];
    DecodeError e = CheckFirstByte(first);
    if (e != DecodeError::None)
    {
        return Fail(e);
    }

    // Remaining Length: 1 to 4 bytes, 7 bits each, least significant first (section 2.2.3).
    // After each byte with the continuation bit the packet is known to hold at least the header
    // so far, one more length byte (a zero would do) and the length so far: what can never fit
    // is refused at once. Checking after every byte, not only at the end of the data, gives the
    // same verdict however many bytes have arrived.
    if (maxPacketSize < 2)
    {
        return Fail(DecodeError::PacketTooLarge);
    }
    uint32_t remaining = 0;
    std::size_t header = 1;
    for (unsigned shift = 0;; shift += 7)
    {
        if (header == size)
        {
            return DecodeResult{};
        }
        uint8_t b = data[header++];
        remaining |= static_cast<uint32_t>(b & 0x7F) << shift;
        if ((b & 0x80) == 0)
        {
            break;
        }
        if (header == 5)
        {
            return Fail(DecodeError::RemainingLengthTooLong);
        }
        if (header + 1 + remaining > maxPacketSize)
        {
            return Fail(DecodeError::PacketTooLarge);
        }
    }
    const std::size_t total = header + remaining;
    if (total > maxPacketSize)
    {
        return Fail(DecodeError::PacketTooLarge);
    }
    e = CheckFixedLength(static_cast<PacketType>(first >> 4), remaining);
    if (e != DecodeError::None)
    {
        return Fail(e);
    }
    if (size < total)
    {
        return DecodeResult{};
    }
    e = DecodeBody(first, Cursor(data + header, data + total), out);
    if (e != DecodeError::None)
    {
        return Fail(e);
    }
    return DecodeResult{DecodeStatus::Complete, total, DecodeError::None};
}

} // namespace mqtt
} // namespace ns3
