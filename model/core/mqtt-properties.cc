/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-properties.h"

namespace ns3
{
namespace mqtt
{

namespace
{

constexpr uint16_t
At(PropertyPlace p)
{
    return static_cast<uint16_t>(1u << static_cast<unsigned>(p));
}

constexpr uint16_t CONNECT = At(PropertyPlace::Connect);
constexpr uint16_t CONNACK = At(PropertyPlace::Connack);
constexpr uint16_t PUBLISH = At(PropertyPlace::Publish);
constexpr uint16_t WILL = At(PropertyPlace::Will);
constexpr uint16_t ACKS = At(PropertyPlace::Puback) | At(PropertyPlace::Pubrec) |
                          At(PropertyPlace::Pubrel) | At(PropertyPlace::Pubcomp);
constexpr uint16_t SUBSCRIBE = At(PropertyPlace::Subscribe);
constexpr uint16_t SUBACK = At(PropertyPlace::Suback);
constexpr uint16_t UNSUBSCRIBE = At(PropertyPlace::Unsubscribe);
constexpr uint16_t UNSUBACK = At(PropertyPlace::Unsuback);
constexpr uint16_t DISCONNECT = At(PropertyPlace::Disconnect);
constexpr uint16_t AUTH = At(PropertyPlace::Auth);
constexpr uint16_t EVERYWHERE = CONNECT | CONNACK | PUBLISH | WILL | ACKS | SUBSCRIBE | SUBACK |
                                UNSUBSCRIBE | UNSUBACK | DISCONNECT | AUTH;

using T = PropertyType;
using Id = PropertyId;

// Table 2-4, in identifier order.
constexpr PropertyInfo TABLE[] = {
    {Id::PayloadFormatIndicator, "Payload Format Indicator", T::Byte, PUBLISH | WILL},
    {Id::MessageExpiryInterval, "Message Expiry Interval", T::FourByteInteger, PUBLISH | WILL},
    {Id::ContentType, "Content Type", T::Utf8String, PUBLISH | WILL},
    {Id::ResponseTopic, "Response Topic", T::Utf8String, PUBLISH | WILL},
    {Id::CorrelationData, "Correlation Data", T::BinaryData, PUBLISH | WILL},
    {Id::SubscriptionIdentifier,
     "Subscription Identifier",
     T::VariableByteInteger,
     PUBLISH | SUBSCRIBE},
    {Id::SessionExpiryInterval,
     "Session Expiry Interval",
     T::FourByteInteger,
     CONNECT | CONNACK | DISCONNECT},
    {Id::AssignedClientIdentifier, "Assigned Client Identifier", T::Utf8String, CONNACK},
    {Id::ServerKeepAlive, "Server Keep Alive", T::TwoByteInteger, CONNACK},
    {Id::AuthenticationMethod, "Authentication Method", T::Utf8String, CONNECT | CONNACK | AUTH},
    {Id::AuthenticationData, "Authentication Data", T::BinaryData, CONNECT | CONNACK | AUTH},
    {Id::RequestProblemInformation, "Request Problem Information", T::Byte, CONNECT},
    {Id::WillDelayInterval, "Will Delay Interval", T::FourByteInteger, WILL},
    {Id::RequestResponseInformation, "Request Response Information", T::Byte, CONNECT},
    {Id::ResponseInformation, "Response Information", T::Utf8String, CONNACK},
    {Id::ServerReference, "Server Reference", T::Utf8String, CONNACK | DISCONNECT},
    {Id::ReasonString,
     "Reason String",
     T::Utf8String,
     CONNACK | ACKS | SUBACK | UNSUBACK | DISCONNECT | AUTH},
    {Id::ReceiveMaximum, "Receive Maximum", T::TwoByteInteger, CONNECT | CONNACK},
    {Id::TopicAliasMaximum, "Topic Alias Maximum", T::TwoByteInteger, CONNECT | CONNACK},
    {Id::TopicAlias, "Topic Alias", T::TwoByteInteger, PUBLISH},
    {Id::MaximumQos, "Maximum QoS", T::Byte, CONNACK},
    {Id::RetainAvailable, "Retain Available", T::Byte, CONNACK},
    {Id::UserProperty, "User Property", T::Utf8StringPair, EVERYWHERE},
    {Id::MaximumPacketSize, "Maximum Packet Size", T::FourByteInteger, CONNECT | CONNACK},
    {Id::WildcardSubscriptionAvailable, "Wildcard Subscription Available", T::Byte, CONNACK},
    {Id::SubscriptionIdentifierAvailable, "Subscription Identifier Available", T::Byte, CONNACK},
    {Id::SharedSubscriptionAvailable, "Shared Subscription Available", T::Byte, CONNACK},
};

/** TABLE indexed by identifier (0x00 to 0x2A), nullptr where table 2-4 has no row. */
struct Index
{
    const PropertyInfo* byId[0x2B] = {};

    constexpr Index()
    {
        for (const PropertyInfo& row : TABLE)
        {
            byId[static_cast<uint8_t>(row.id)] = &row;
        }
    }
};

constexpr Index INDEX{};

} // namespace

const PropertyInfo*
FindPropertyInfo(uint32_t id)
{
    return id < sizeof(INDEX.byId) / sizeof(INDEX.byId[0]) ? INDEX.byId[id] : nullptr;
}

const char*
PropertyName(PropertyId id)
{
    const PropertyInfo* info = FindPropertyInfo(static_cast<uint8_t>(id));
    return info ? info->name : "Unknown";
}

PropertyType
PropertyTypeOf(PropertyId id)
{
    const PropertyInfo* info = FindPropertyInfo(static_cast<uint8_t>(id));
    return info ? info->type : PropertyType::Byte;
}

bool
IsPropertyAllowed(PropertyId id, PropertyPlace place)
{
    const PropertyInfo* info = FindPropertyInfo(static_cast<uint8_t>(id));
    return info != nullptr && (info->places & At(place)) != 0;
}

bool
MayRepeat(PropertyId id, PropertyPlace place)
{
    return id == PropertyId::UserProperty ||
           (id == PropertyId::SubscriptionIdentifier && place == PropertyPlace::Publish);
}

bool
operator==(const Property& a, const Property& b)
{
    return a.id == b.id && a.number == b.number && a.text == b.text && a.value == b.value &&
           a.binary == b.binary;
}

const Property*
Properties::Find(PropertyId id) const
{
    for (const Property& p : items)
    {
        if (p.id == id)
        {
            return &p;
        }
    }
    return nullptr;
}

bool
Properties::Has(PropertyId id) const
{
    return Find(id) != nullptr;
}

std::optional<uint32_t>
Properties::Number(PropertyId id) const
{
    const Property* p = Find(id);
    return p ? std::optional<uint32_t>(p->number) : std::nullopt;
}

std::optional<std::string_view>
Properties::Text(PropertyId id) const
{
    const Property* p = Find(id);
    return p ? std::optional<std::string_view>(p->text) : std::nullopt;
}

const std::vector<uint8_t>*
Properties::Binary(PropertyId id) const
{
    const Property* p = Find(id);
    return p ? &p->binary : nullptr;
}

Properties&
Properties::AddNumber(PropertyId id, uint32_t number)
{
    Property& p = items.emplace_back();
    p.id = id;
    p.number = number;
    return *this;
}

Properties&
Properties::AddText(PropertyId id, std::string_view text)
{
    Property& p = items.emplace_back();
    p.id = id;
    p.text.assign(text);
    return *this;
}

Properties&
Properties::AddBinary(PropertyId id, std::vector<uint8_t> data)
{
    Property& p = items.emplace_back();
    p.id = id;
    p.binary = std::move(data);
    return *this;
}

Properties&
Properties::AddUserProperty(std::string_view name, std::string_view value)
{
    Property& p = items.emplace_back();
    p.id = PropertyId::UserProperty;
    p.text.assign(name);
    p.value.assign(value);
    return *this;
}

bool
operator==(const Properties& a, const Properties& b)
{
    return a.items == b.items;
}

} // namespace mqtt
} // namespace ns3
