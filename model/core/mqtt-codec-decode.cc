/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Decoding of MQTT 3.1.1 and 5.0 control packets: the tri-state Decode (complete, need more,
 * error) and a DecodeError value for every rule a receiver checks. The two versions share each
 * packet's decoder: 5.0 adds properties and reason codes at fixed places of the 3.1.1 layouts.
 */
#include "mqtt-codec-flags.h"
#include "mqtt-codec-impl.h"

#include <type_traits>

namespace ns3
{
namespace mqtt
{

namespace
{
using namespace wire;

DecodeResult
Fail(DecodeError error)
{
    return DecodeResult{DecodeStatus::Error, 0, error};
}

/** Checks what the first byte alone decides: type and flags (section 2.2). */
DecodeError
CheckFirstByte(uint8_t first, bool v5)
{
    uint8_t flags = first & 0x0F;
    switch (static_cast<PacketType>(first >> 4))
    {
    case PacketType::Publish:
    {
        uint8_t qos = (flags >> PUBLISH_QOS_SHIFT) & 0x03;
        if (qos == 3)
        {
            return DecodeError::InvalidQos; // [MQTT-3.3.1-4], [MQTT5-3.3.1-4]
        }
        if (qos == 0 && (flags & PUBLISH_DUP) != 0)
        {
            return DecodeError::DupWithQosZero; // [MQTT-3.3.1-2], [MQTT5-3.3.1-2]
        }
        return DecodeError::None;
    }
    case PacketType::Pubrel:
    case PacketType::Subscribe:
    case PacketType::Unsubscribe:
        // [MQTT-3.6.1-1], [MQTT-3.8.1-1], [MQTT-3.10.1-1]
        return flags == 0x02 ? DecodeError::None : DecodeError::InvalidFixedHeaderFlags;
    case PacketType::Auth:
        if (!v5)
        {
            break; // reserved in 3.1.1
        }
        // [MQTT5-3.15.1-1]
        return flags == 0 ? DecodeError::None : DecodeError::InvalidFixedHeaderFlags;
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
        // [MQTT-2.2.2-1], [MQTT-2.2.2-2], [MQTT-3.14.1-1], [MQTT5-2.1.3-1]
        return flags == 0 ? DecodeError::None : DecodeError::InvalidFixedHeaderFlags;
    }
    return DecodeError::ReservedPacketType; // 0, and 15 in 3.1.1 (section 2.2.1)
}

/**
 * Packets whose remaining length is fixed are judged on the length alone. In 5.0 only PINGREQ
 * and PINGRESP have one; the acknowledgements, DISCONNECT and AUTH have optional fields.
 */
DecodeError
CheckFixedLength(PacketType type, uint32_t remaining, bool v5)
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
        if (v5)
        {
            return DecodeError::None;
        }
        expected = 2;
        break;
    case PacketType::Disconnect:
        if (v5)
        {
            return DecodeError::None;
        }
        expected = 0;
        break;
    case PacketType::Pingreq:
    case PacketType::Pingresp:
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

DecodeError
DecodeConnack(Cursor c, Packet& out, bool v5)
{
    uint8_t flags = 0;
    uint8_t code = 0;
    if (!c.ReadU8(flags) || !c.ReadU8(code)) // 3.1.1: the length was checked, exactly 2 bytes
    {
        return DecodeError::Truncated;
    }
    if ((flags & 0xFE) != 0)
    {
        return DecodeError::InvalidConnackFlags; // section 3.2.2.1, [MQTT5-3.2.2-1]
    }
    PropertyScan scan;
    if (v5)
    {
        if (!IsReasonCodeAllowed(PacketType::Connack, code))
        {
            return DecodeError::InvalidReasonCode; // [MQTT5-3.2.2-8]
        }
        if (code != 0 && (flags & 0x01) != 0)
        {
            return DecodeError::SessionPresentWithError; // [MQTT5-3.2.2-6]
        }
        DecodeError e = CheckProperties(c, PropertyPlace::Connack, scan);
        if (e != DecodeError::None)
        {
            return e;
        }
        if (!c.AtEnd())
        {
            return DecodeError::TrailingBytes;
        }
    }
    else if (code > MAX_CONNACK_RETURN_CODE)
    {
        return DecodeError::InvalidConnackReturnCode; // section 3.2.2.3
    }
    auto& p = Reuse<ConnackPacket>(out);
    p.sessionPresent = (flags & 0x01) != 0;
    p.returnCode = v5 ? ConnectReturnCode::Accepted : static_cast<ConnectReturnCode>(code);
    p.reasonCode = v5 ? static_cast<ReasonCode>(code) : ReasonCode::Success;
    StoreOrClear(v5, scan, p.properties);
    return DecodeError::None;
}

DecodeError
DecodePublish(uint8_t flags, Cursor c, Packet& out, bool v5)
{
    auto qos = static_cast<Qos>((flags >> PUBLISH_QOS_SHIFT) & 0x03);
    std::string_view topic;
    if (!c.ReadField(topic))
    {
        return DecodeError::Truncated;
    }
    // 5.0 allows an empty topic when a Topic Alias stands for it (section 3.3.2.1), known only
    // once the properties are read.
    if (!(v5 && topic.empty()))
    {
        // [MQTT-3.3.2-1], [MQTT-3.3.2-2], [MQTT5-3.3.2-1], [MQTT5-3.3.2-2]
        DecodeError e = CheckTopicName(topic);
        if (e != DecodeError::None)
        {
            return e;
        }
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
    PropertyScan scan;
    if (v5)
    {
        DecodeError e = CheckProperties(c, PropertyPlace::Publish, scan);
        if (e != DecodeError::None)
        {
            return e;
        }
        if (topic.empty() && !scan.Has(PropertyId::TopicAlias))
        {
            return DecodeError::EmptyTopicWithoutAlias;
        }
    }
    auto& p = Reuse<PublishPacket>(out);
    p.dup = (flags & PUBLISH_DUP) != 0;
    p.qos = qos;
    p.retain = (flags & PUBLISH_RETAIN) != 0;
    p.topic.assign(topic);
    p.packetId = packetId;
    StoreOrClear(v5, scan, p.properties);
    p.payload.assign(c.Position(), c.End());
    return DecodeError::None;
}

PropertyPlace
PlaceOf(PacketType type)
{
    switch (type)
    {
    case PacketType::Puback:
        return PropertyPlace::Puback;
    case PacketType::Pubrec:
        return PropertyPlace::Pubrec;
    case PacketType::Pubrel:
        return PropertyPlace::Pubrel;
    case PacketType::Pubcomp:
        return PropertyPlace::Pubcomp;
    case PacketType::Disconnect:
        return PropertyPlace::Disconnect;
    default:
        return PropertyPlace::Auth;
    }
}

/**
 * The optional tail of a 5.0 acknowledgement, DISCONNECT or AUTH: a Reason Code unless the
 * packet ends first (Success), then a property section unless it ends there.
 */
DecodeError
DecodeReasonAndProperties(PacketType type, Cursor& c, uint8_t& code, PropertyScan& scan)
{
    code = 0;
    scan = PropertyScan{};
    if (c.AtEnd())
    {
        return DecodeError::None;
    }
    c.ReadU8(code);
    // [MQTT5-3.4.2-1], [MQTT5-3.5.2-1], [MQTT5-3.6.2-1], [MQTT5-3.7.2-1], [MQTT5-3.14.2-1],
    // [MQTT5-3.15.2-1]
    if (!IsReasonCodeAllowed(type, code))
    {
        return DecodeError::InvalidReasonCode;
    }
    if (c.AtEnd())
    {
        return DecodeError::None;
    }
    DecodeError e = CheckProperties(c, PlaceOf(type), scan);
    if (e != DecodeError::None)
    {
        return e;
    }
    return c.AtEnd() ? DecodeError::None : DecodeError::TrailingBytes;
}

/** PUBACK, PUBREC, PUBREL, PUBCOMP (and the 3.1.1 UNSUBACK): a packet identifier, then 5.0's tail.
 */
template<typename T>
DecodeError
DecodeAck(PacketType type, Cursor c, Packet& out, bool v5)
{
    uint16_t packetId = 0;
    if (!c.ReadU16(packetId)) // 3.1.1: the length was checked, exactly 2 bytes
    {
        return DecodeError::Truncated;
    }
    if (packetId == 0)
    {
        return DecodeError::PacketIdZero; // [MQTT-2.3.1-1]
    }
    uint8_t code = 0;
    PropertyScan scan;
    if (v5)
    {
        DecodeError e = DecodeReasonAndProperties(type, c, code, scan);
        if (e != DecodeError::None)
        {
            return e;
        }
    }
    auto& p = Reuse<T>(out);
    p.packetId = packetId;
    if constexpr (!std::is_same_v<T, UnsubackPacket>)
    {
        p.reasonCode = static_cast<ReasonCode>(code);
        StoreOrClear(v5, scan, p.properties);
    }
    else
    {
        p.reasonCodes.clear();
        p.properties.items.clear();
    }
    return DecodeError::None;
}

/** DISCONNECT and AUTH: 5.0's optional Reason Code and properties, nothing in 3.1.1. */
template<typename T>
DecodeError
DecodeReasonOnly(PacketType type, Cursor c, Packet& out, bool v5)
{
    uint8_t code = 0;
    PropertyScan scan;
    if (v5)
    {
        const bool bare = c.AtEnd();
        DecodeError e = DecodeReasonAndProperties(type, c, code, scan);
        if (e != DecodeError::None)
        {
            return e;
        }
        // Every AUTH but the bare Success one (Remaining Length 0) names its method: omitting
        // it is a Protocol Error (section 3.15.2.2.2).
        if (std::is_same_v<T, AuthPacket> && !bare && !scan.Has(PropertyId::AuthenticationMethod))
        {
            return DecodeError::AuthWithoutMethod;
        }
    }
    auto& p = Reuse<T>(out);
    p.reasonCode = static_cast<ReasonCode>(code);
    StoreOrClear(v5, scan, p.properties);
    return DecodeError::None;
}

/** The 5.0 Subscription Options byte (section 3.8.3.1) of a filter. */
DecodeError
CheckSubscriptionOptions(uint8_t options, std::string_view filter)
{
    if ((options & SUBSCRIBE_OPTIONS_RESERVED) != 0)
    {
        return DecodeError::SubscriptionOptionsReservedBits; // [MQTT5-3.8.3-5]
    }
    if ((options & SUBSCRIBE_QOS_MASK) == 3)
    {
        return DecodeError::InvalidRequestedQos;
    }
    if ((options >> SUBSCRIBE_RETAIN_HANDLING_SHIFT & 0x03) == 3)
    {
        return DecodeError::InvalidRetainHandling;
    }
    if ((options & SUBSCRIBE_NO_LOCAL) != 0 && IsSharedSubscription(filter))
    {
        return DecodeError::NoLocalOnSharedSubscription; // [MQTT5-3.8.3-4]
    }
    return DecodeError::None;
}

/**
 * SUBSCRIBE and UNSUBSCRIBE share their layout: an identifier, 5.0 properties, then filters, each
 * followed by a requested QoS (5.0: subscription options) byte in a SUBSCRIBE. The first pass
 * validates, the second fills @p out, so an Error leaves @p out unchanged.
 */
template<bool IS_SUBSCRIBE>
DecodeError
DecodeFilterList(Cursor c, Packet& out, bool v5)
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
    PropertyScan scan;
    if (v5)
    {
        DecodeError e = CheckProperties(
            c, IS_SUBSCRIBE ? PropertyPlace::Subscribe : PropertyPlace::Unsubscribe, scan);
        if (e != DecodeError::None)
        {
            return e;
        }
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
        // [MQTT-3.8.3-1], [MQTT-3.10.3-1], [MQTT5-3.8.3-1], [MQTT5-3.10.3-1]
        DecodeError e = CheckTopicFilter(filter);
        if (e == DecodeError::None && v5)
        {
            e = CheckSharedSubscription(filter);
        }
        if (e != DecodeError::None)
        {
            return e;
        }
        if constexpr (IS_SUBSCRIBE)
        {
            uint8_t options;
            if (!c.ReadU8(options))
            {
                return DecodeError::Truncated;
            }
            if (v5)
            {
                e = CheckSubscriptionOptions(options, filter);
                if (e != DecodeError::None)
                {
                    return e;
                }
            }
            else if (options > 2) // reserved bits set, or QoS 3 [MQTT-3.8.3-4]
            {
                return DecodeError::InvalidRequestedQos;
            }
        }
        ++count;
    }
    if (count == 0)
    {
        // [MQTT-3.8.3-3], [MQTT-3.10.3-2], [MQTT5-3.8.3-2], [MQTT5-3.10.3-2]
        return IS_SUBSCRIBE ? DecodeError::SubscribeWithoutTopics
                            : DecodeError::UnsubscribeWithoutTopics;
    }

    c = payload;
    std::string_view filter;
    if constexpr (IS_SUBSCRIBE)
    {
        auto& p = Reuse<SubscribePacket>(out);
        p.packetId = packetId;
        StoreOrClear(v5, scan, p.properties);
        p.topics.resize(count);
        for (TopicRequest& t : p.topics)
        {
            uint8_t options = 0;
            c.ReadField(filter); // validated by the first pass
            c.ReadU8(options);
            t.filter.assign(filter);
            t.qos = static_cast<Qos>(options & SUBSCRIBE_QOS_MASK);
            t.noLocal = (options & SUBSCRIBE_NO_LOCAL) != 0;
            t.retainAsPublished = (options & SUBSCRIBE_RETAIN_AS_PUBLISHED) != 0;
            t.retainHandling =
                static_cast<RetainHandling>(options >> SUBSCRIBE_RETAIN_HANDLING_SHIFT & 0x03);
        }
    }
    else
    {
        auto& p = Reuse<UnsubscribePacket>(out);
        p.packetId = packetId;
        StoreOrClear(v5, scan, p.properties);
        p.filters.resize(count);
        for (std::string& f : p.filters)
        {
            c.ReadField(filter);
            f.assign(filter);
        }
    }
    return DecodeError::None;
}

/**
 * SUBACK and the 5.0 UNSUBACK: an identifier, 5.0 properties, and one code per filter, each of
 * the codes table 2-6 (or 3.1.1's section 3.9.3) allows.
 */
template<typename T>
DecodeError
DecodeCodeList(PacketType type, Cursor c, Packet& out, bool v5)
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
    PropertyScan scan;
    if (v5)
    {
        DecodeError e = CheckProperties(
            c, type == PacketType::Suback ? PropertyPlace::Suback : PropertyPlace::Unsuback, scan);
        if (e != DecodeError::None)
        {
            return e;
        }
    }
    if (c.AtEnd())
    {
        // [MQTT5-3.9.3-2], [MQTT5-3.11.3-2]
        return type == PacketType::Suback ? DecodeError::SubackWithoutReturnCodes
                                          : DecodeError::UnsubackWithoutReasonCodes;
    }
    for (const uint8_t* q = c.Position(); q != c.End(); ++q)
    {
        if (v5 ? !IsReasonCodeAllowed(type, *q) : (*q > 2 && *q != SUBACK_FAILURE))
        {
            // [MQTT-3.9.3-2], [MQTT5-3.9.3-2], [MQTT5-3.11.3-2]
            return v5 ? DecodeError::InvalidReasonCode : DecodeError::InvalidSubackReturnCode;
        }
    }
    auto& p = Reuse<T>(out);
    p.packetId = packetId;
    StoreOrClear(v5, scan, p.properties);
    if constexpr (std::is_same_v<T, SubackPacket>)
    {
        p.returnCodes.assign(c.Position(), c.End());
    }
    else
    {
        p.reasonCodes.assign(c.Position(), c.End());
    }
    return DecodeError::None;
}

DecodeError
DecodeBody(uint8_t first, Cursor c, Packet& out, bool v5)
{
    const auto type = static_cast<PacketType>(first >> 4);
    switch (type)
    {
    case PacketType::Connect:
        return DecodeConnect(c, out, v5);
    case PacketType::Connack:
        return DecodeConnack(c, out, v5);
    case PacketType::Publish:
        return DecodePublish(first & 0x0F, c, out, v5);
    case PacketType::Puback:
        return DecodeAck<PubackPacket>(type, c, out, v5);
    case PacketType::Pubrec:
        return DecodeAck<PubrecPacket>(type, c, out, v5);
    case PacketType::Pubrel:
        return DecodeAck<PubrelPacket>(type, c, out, v5);
    case PacketType::Pubcomp:
        return DecodeAck<PubcompPacket>(type, c, out, v5);
    case PacketType::Subscribe:
        return DecodeFilterList<true>(c, out, v5);
    case PacketType::Suback:
        return DecodeCodeList<SubackPacket>(type, c, out, v5);
    case PacketType::Unsubscribe:
        return DecodeFilterList<false>(c, out, v5);
    case PacketType::Unsuback:
        return v5 ? DecodeCodeList<UnsubackPacket>(type, c, out, v5)
                  : DecodeAck<UnsubackPacket>(type, c, out, v5);
    case PacketType::Pingreq:
        Reuse<PingreqPacket>(out);
        return DecodeError::None;
    case PacketType::Pingresp:
        Reuse<PingrespPacket>(out);
        return DecodeError::None;
    case PacketType::Disconnect:
        return DecodeReasonOnly<DisconnectPacket>(type, c, out, v5);
    case PacketType::Auth:
        return DecodeReasonOnly<AuthPacket>(type, c, out, v5);
    }
    return DecodeError::ReservedPacketType; // unreachable: CheckFirstByte refused it
}

} // namespace

DecodeResult
Decode(const uint8_t* data,
       std::size_t size,
       Packet& out,
       std::size_t maxPacketSize,
       ProtocolVersion version)
{
    if (size == 0)
    {
        return DecodeResult{};
    }
    const bool v5 = version == ProtocolVersion::Mqtt5;
    const uint8_t first = data[0];
    DecodeError e = CheckFirstByte(first, v5);
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
            if (v5 && b == 0 && header > 2)
            {
                return Fail(DecodeError::NonMinimalVariableByteInteger); // [MQTT5-1.5.5-1]
            }
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
    e = CheckFixedLength(static_cast<PacketType>(first >> 4), remaining, v5);
    if (e != DecodeError::None)
    {
        return Fail(e);
    }
    if (size < total)
    {
        return DecodeResult{};
    }
    e = DecodeBody(first, Cursor(data + header, data + total), out, v5);
    if (e != DecodeError::None)
    {
        return Fail(e);
    }
    return DecodeResult{DecodeStatus::Complete, total, DecodeError::None};
}

} // namespace mqtt
} // namespace ns3
