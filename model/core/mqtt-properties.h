/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT 5.0 properties (section 2.2.2): the identifiers of table 2-4 with their data types and the
 * packets that may carry each, and a packet's property list in wire order.
 */
#ifndef MQTT_PROPERTIES_H
#define MQTT_PROPERTIES_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** Property identifiers (table 2-4). */
enum class PropertyId : uint8_t
{
    PayloadFormatIndicator = 0x01,
    MessageExpiryInterval = 0x02,
    ContentType = 0x03,
    ResponseTopic = 0x08,
    CorrelationData = 0x09,
    SubscriptionIdentifier = 0x0B,
    SessionExpiryInterval = 0x11,
    AssignedClientIdentifier = 0x12,
    ServerKeepAlive = 0x13,
    AuthenticationMethod = 0x15,
    AuthenticationData = 0x16,
    RequestProblemInformation = 0x17,
    WillDelayInterval = 0x18,
    RequestResponseInformation = 0x19,
    ResponseInformation = 0x1A,
    ServerReference = 0x1C,
    ReasonString = 0x1F,
    ReceiveMaximum = 0x21,
    TopicAliasMaximum = 0x22,
    TopicAlias = 0x23,
    MaximumQos = 0x24,
    RetainAvailable = 0x25,
    UserProperty = 0x26,
    MaximumPacketSize = 0x27,
    WildcardSubscriptionAvailable = 0x28,
    SubscriptionIdentifierAvailable = 0x29,
    SharedSubscriptionAvailable = 0x2A,
};

/** The data types of section 1.5 a property value can have. */
enum class PropertyType : uint8_t
{
    Byte,
    TwoByteInteger,
    FourByteInteger,
    VariableByteInteger,
    Utf8String,
    Utf8StringPair,
    BinaryData,
};

/** Where a property list stands: a packet of table 2-4, or the Will Properties of a CONNECT. */
enum class PropertyPlace : uint8_t
{
    Connect,
    Connack,
    Publish,
    Will,
    Puback,
    Pubrec,
    Pubrel,
    Pubcomp,
    Subscribe,
    Suback,
    Unsubscribe,
    Unsuback,
    Disconnect,
    Auth,
};

/** What table 2-4 says of one identifier. */
struct PropertyInfo
{
    PropertyId id;
    const char* name; //!< as in table 2-4: "Payload Format Indicator", ...
    PropertyType type;
    uint16_t places; //!< bit (1 << PropertyPlace) for each place it may stand in
};

/** The row of table 2-4 for identifier @p id, or nullptr when the table has none. */
const PropertyInfo* FindPropertyInfo(uint32_t id);

/** The name of @p id ("Topic Alias", ...). */
const char* PropertyName(PropertyId id);

/** The data type of @p id's value. */
PropertyType PropertyTypeOf(PropertyId id);

/** Whether table 2-4 lets @p id stand in @p place. */
bool IsPropertyAllowed(PropertyId id, PropertyPlace place);

/**
 * Whether @p id may appear more than once in @p place: User Property anywhere, Subscription
 * Identifier in a PUBLISH (section 3.3.2.3.8); every other repetition is a Protocol Error.
 */
bool MayRepeat(PropertyId id, PropertyPlace place);

/**
 * One property. Which member holds the value follows the identifier's type: @p number for the
 * integer types, @p text for a UTF-8 string (and the name of a pair), @p value for the value of
 * a pair, @p binary for binary data.
 */
struct Property
{
    PropertyId id = PropertyId::UserProperty;
    uint32_t number = 0;
    std::string text{};
    std::string value{};
    std::vector<uint8_t> binary{};
};

bool operator==(const Property& a, const Property& b);

/**
 * The properties of a packet (or a Will) in wire order, so a packet re-encodes to the bytes it
 * was decoded from, and User Properties keep their order [MQTT5-3.3.2-18]. The decoder has
 * already refused the lists the specification forbids (unknown identifiers, identifiers the
 * packet may not carry, forbidden repetitions, out-of-range values), so the getters return the
 * one value there is.
 */
class Properties
{
  public:
    /** The first property with @p id, or nullptr. */
    const Property* Find(PropertyId id) const;

    bool Has(PropertyId id) const;

    /** The value of an integer property, if present. */
    std::optional<uint32_t> Number(PropertyId id) const;

    /** The value of a UTF-8 string property, if present. */
    std::optional<std::string_view> Text(PropertyId id) const;

    /** The value of a binary data property, if present. */
    const std::vector<uint8_t>* Binary(PropertyId id) const;

    /** Appends an integer property (Byte, Two Byte, Four Byte or Variable Byte Integer). */
    Properties& AddNumber(PropertyId id, uint32_t number);

    /** Appends a UTF-8 string property. */
    Properties& AddText(PropertyId id, std::string_view text);

    /** Appends a binary data property. */
    Properties& AddBinary(PropertyId id, std::vector<uint8_t> data);

    /** Appends a User Property (a UTF-8 string pair). */
    Properties& AddUserProperty(std::string_view name, std::string_view value);

    bool
    Empty() const
    {
        return items.empty();
    }

    /** The properties in wire order. */
    std::vector<Property> items;
};

bool operator==(const Properties& a, const Properties& b);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_PROPERTIES_H
