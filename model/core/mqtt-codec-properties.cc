/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT 5.0 property sections on the wire (section 2.2.2): the receiver's checks, and the
 * encoding. Table 2-4 (mqtt-properties.cc) says which identifier has which type and may stand
 * where; this file applies it.
 */
#include "mqtt-codec-impl.h"

namespace ns3
{
namespace mqtt
{
namespace wire
{

namespace
{

/**
 * The data type of each identifier, for the loops below to read without a call into the table
 * of mqtt-properties.cc (a call per property and pass was a third of a 5.0 PUBLISH's encoding).
 */
struct TypeTable
{
    static constexpr uint32_t SIZE = 0x2B;
    PropertyType byId[SIZE] = {};

    TypeTable()
    {
        for (uint32_t id = 0; id < SIZE; ++id)
        {
            if (const PropertyInfo* info = FindPropertyInfo(id))
            {
                byId[id] = info->type;
            }
        }
    }
};

// FindPropertyInfo reads a constant-initialised table, so this may be built at start-up.
const TypeTable TYPES;

PropertyType
TypeOf(PropertyId id)
{
    const auto i = static_cast<uint8_t>(id);
    return i < TypeTable::SIZE ? TYPES.byId[i] : PropertyType::Byte;
}

/** The range checks of one integer value, by identifier. */
DecodeError
CheckNumber(PropertyId id, uint32_t v)
{
    switch (id)
    {
    case PropertyId::PayloadFormatIndicator:
        return v <= 1 ? DecodeError::None : DecodeError::InvalidPayloadFormatIndicator;
    case PropertyId::MaximumQos:
        return v <= 1 ? DecodeError::None : DecodeError::InvalidMaximumQos;
    case PropertyId::RequestProblemInformation:
    case PropertyId::RequestResponseInformation:
    case PropertyId::RetainAvailable:
    case PropertyId::WildcardSubscriptionAvailable:
    case PropertyId::SubscriptionIdentifierAvailable:
    case PropertyId::SharedSubscriptionAvailable:
        return v <= 1 ? DecodeError::None : DecodeError::PropertyNotBoolean;
    case PropertyId::ReceiveMaximum:
        return v != 0 ? DecodeError::None : DecodeError::ReceiveMaximumZero;
    case PropertyId::MaximumPacketSize:
        return v != 0 ? DecodeError::None : DecodeError::MaximumPacketSizeZero;
    case PropertyId::TopicAlias:
        return v != 0 ? DecodeError::None : DecodeError::TopicAliasZero; // [MQTT5-3.3.2-8]
    case PropertyId::SubscriptionIdentifier:
        return v != 0 ? DecodeError::None : DecodeError::SubscriptionIdentifierZero;
    default:
        return DecodeError::None;
    }
}

/** Reads an integer value of @p type; Truncated when its bytes are not all there. */
DecodeError
ReadNumber(Cursor& c, PropertyType type, uint32_t& v)
{
    switch (type)
    {
    case PropertyType::Byte:
    {
        uint8_t b;
        v = 0;
        return c.ReadU8(b) ? (v = b, DecodeError::None) : DecodeError::Truncated;
    }
    case PropertyType::TwoByteInteger:
    {
        uint16_t s;
        v = 0;
        return c.ReadU16(s) ? (v = s, DecodeError::None) : DecodeError::Truncated;
    }
    case PropertyType::FourByteInteger:
        return c.ReadU32(v) ? DecodeError::None : DecodeError::Truncated;
    default:
        return c.ReadVariableByteInteger(v);
    }
}

bool
IsNumber(PropertyType type)
{
    return type == PropertyType::Byte || type == PropertyType::TwoByteInteger ||
           type == PropertyType::FourByteInteger || type == PropertyType::VariableByteInteger;
}

/** Reads and checks the value of one property whose identifier was read. */
DecodeError
CheckValue(Cursor& c, const PropertyInfo& info)
{
    if (IsNumber(info.type))
    {
        uint32_t v;
        DecodeError e = ReadNumber(c, info.type, v);
        return e != DecodeError::None ? e : CheckNumber(info.id, v);
    }
    std::string_view text;
    if (!c.ReadField(text))
    {
        return DecodeError::Truncated;
    }
    switch (info.type)
    {
    case PropertyType::Utf8String:
        if (info.id == PropertyId::ResponseTopic)
        {
            // A topic name: UTF-8 [MQTT5-3.3.2-13], no wildcards [MQTT5-3.3.2-14], not empty.
            DecodeError e = CheckTopicName(text);
            return e == DecodeError::InvalidTopicName ? DecodeError::InvalidResponseTopic : e;
        }
        return CheckString(text); // [MQTT5-1.5.4-1], [MQTT5-1.5.4-2]
    case PropertyType::Utf8StringPair:
    {
        std::string_view value;
        if (!c.ReadField(value))
        {
            return DecodeError::Truncated;
        }
        DecodeError e = CheckString(text); // [MQTT5-1.5.7-1]
        return e != DecodeError::None ? e : CheckString(value);
    }
    default: // binary data: any bytes
        return DecodeError::None;
    }
}

} // namespace

DecodeError
CheckProperties(Cursor& c, PropertyPlace place, PropertyScan& scan)
{
    uint32_t length;
    DecodeError e = c.ReadVariableByteInteger(length);
    if (e != DecodeError::None)
    {
        return e;
    }
    Cursor p(nullptr, nullptr);
    if (!c.Take(length, p))
    {
        return DecodeError::Truncated;
    }
    scan = PropertyScan{p.Position(), p.End(), 0};
    while (!p.AtEnd())
    {
        uint32_t id;
        e = p.ReadVariableByteInteger(id);
        if (e != DecodeError::None)
        {
            return e;
        }
        const PropertyInfo* info = FindPropertyInfo(id);
        if (info == nullptr)
        {
            return DecodeError::UnknownProperty;
        }
        if ((info->places & (1u << static_cast<unsigned>(place))) == 0) // IsPropertyAllowed
        {
            return DecodeError::PropertyNotAllowed;
        }
        if (scan.Has(info->id) && !MayRepeat(info->id, place))
        {
            return DecodeError::DuplicateProperty;
        }
        scan.seen |= uint64_t{1} << id;
        e = CheckValue(p, *info);
        if (e != DecodeError::None)
        {
            return e;
        }
    }
    if (scan.Has(PropertyId::AuthenticationData) && !scan.Has(PropertyId::AuthenticationMethod))
    {
        return DecodeError::AuthenticationDataWithoutMethod; // 3.1.2.11.10, 3.2.2.3.18
    }
    return DecodeError::None;
}

void
StoreProperties(const PropertyScan& scan, Properties& out)
{
    Cursor p(scan.begin, scan.end);
    std::size_t n = 0;
    while (!p.AtEnd())
    {
        if (n == out.items.size())
        {
            out.items.emplace_back();
        }
        Property& prop = out.items[n++];
        uint32_t id = 0;
        p.ReadVariableByteInteger(id); // checked by CheckProperties
        prop.id = static_cast<PropertyId>(id);
        const PropertyType type = TypeOf(prop.id);
        prop.number = 0;
        prop.text.clear();
        prop.value.clear();
        prop.binary.clear();
        if (IsNumber(type))
        {
            ReadNumber(p, type, prop.number);
            continue;
        }
        std::string_view field;
        p.ReadField(field);
        if (type == PropertyType::BinaryData)
        {
            prop.binary.assign(field.begin(), field.end());
            continue;
        }
        prop.text.assign(field);
        if (type == PropertyType::Utf8StringPair)
        {
            p.ReadField(field);
            prop.value.assign(field);
        }
    }
    out.items.resize(n);
}

namespace
{

/** The bytes of one property: identifier and value. */
std::size_t
PropertySize(const Property& p)
{
    std::size_t n = VariableByteIntegerSize(static_cast<uint8_t>(p.id));
    switch (TypeOf(p.id))
    {
    case PropertyType::Byte:
        return n + 1;
    case PropertyType::TwoByteInteger:
        return n + 2;
    case PropertyType::FourByteInteger:
        return n + 4;
    case PropertyType::VariableByteInteger:
        return n + VariableByteIntegerSize(p.number);
    case PropertyType::Utf8String:
        return n + 2 + p.text.size();
    case PropertyType::Utf8StringPair:
        return n + 2 + p.text.size() + 2 + p.value.size();
    case PropertyType::BinaryData:
        return n + 2 + p.binary.size();
    }
    return n;
}

} // namespace

std::size_t
PropertiesLength(const Properties& properties)
{
    std::size_t n = 0;
    for (const Property& p : properties.items)
    {
        n += PropertySize(p);
    }
    return n;
}

std::size_t
PropertySectionSize(const Properties& properties)
{
    std::size_t n = PropertiesLength(properties);
    return VariableByteIntegerSize(n) + n;
}

void
WriteProperties(Writer& w, const Properties& properties)
{
    WriteProperties(w, properties, PropertiesLength(properties));
}

void
WriteProperties(Writer& w, const Properties& properties, std::size_t length)
{
    w.VariableByteInteger(length);
    for (const Property& p : properties.items)
    {
        w.VariableByteInteger(static_cast<uint8_t>(p.id));
        switch (TypeOf(p.id))
        {
        case PropertyType::Byte:
            w.U8(static_cast<uint8_t>(p.number));
            break;
        case PropertyType::TwoByteInteger:
            w.U16(static_cast<uint16_t>(p.number));
            break;
        case PropertyType::FourByteInteger:
            w.U32(p.number);
            break;
        case PropertyType::VariableByteInteger:
            w.VariableByteInteger(p.number);
            break;
        case PropertyType::Utf8String:
            w.Field(p.text);
            break;
        case PropertyType::Utf8StringPair:
            w.Field(p.text);
            w.Field(p.value);
            break;
        case PropertyType::BinaryData:
            w.Field(p.binary);
            break;
        }
    }
}

/** Copies checked properties into @p out, or empties it for a 3.1.1 packet. */
void
StoreOrClear(bool v5, const PropertyScan& scan, Properties& out)
{
    if (v5)
    {
        StoreProperties(scan, out);
    }
    else
    {
        out.items.clear();
    }
}

} // namespace wire
} // namespace mqtt
} // namespace ns3
