/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Encoding and decoding of MQTT 3.1.1 and 5.0 control packets. Every malformed input is a value
 * (a DecodeError), never an exception or a crash.
 *
 * The version: a CONNECT says which protocol its connection speaks (its Protocol Level), and the
 * packets after it have no version of their own, so Decode and Encode take the connection's
 * version as a parameter (3.1.1 by default: the 3.1.1 API is unchanged). MqttFrameReader keeps
 * it per connection and adopts the level of the CONNECT it decodes.
 */
#ifndef MQTT_CODEC_H
#define MQTT_CODEC_H

#include "mqtt-packets.h"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** The largest Remaining Length a 4-byte encoding can carry (section 2.2.3). */
static constexpr uint32_t MAX_REMAINING_LENGTH = 268435455;

/** The largest whole packet: 1 byte of type, 4 of length and the remaining length. */
static constexpr std::size_t MAX_PACKET_SIZE = 1 + 4 + MAX_REMAINING_LENGTH;

enum class DecodeStatus : uint8_t
{
    Complete, //!< A packet was decoded; DecodeResult::consumed bytes belong to it.
    NeedMore, //!< The bytes so far are a valid prefix of a packet; nothing was consumed.
    Error,    //!< The bytes cannot be a valid packet; DecodeResult::error says why.
};

/**
 * Why a packet was rejected. Each check the spec puts on a receiver has its own code, so tests
 * and traces can tell exactly which rule was broken.
 */
enum class DecodeError : uint8_t
{
    None = 0,
    ReservedPacketType,      //!< type 0 or 15 (section 2.2.1)
    InvalidFixedHeaderFlags, //!< [MQTT-2.2.2-1], [MQTT-2.2.2-2], [MQTT-3.6.1-1], [MQTT-3.8.1-1] ...
    RemainingLengthTooLong,  //!< a 4th length byte with the continuation bit set (section 2.2.3)
    PacketTooLarge,          //!< the packet is larger than the receiver's maximum packet size
    InvalidProtocolName,     //!< not "MQTT" [MQTT-3.1.2-1]
    UnsupportedProtocolLevel, //!< "MQTT" with a level other than 4, or "MQIsdp" [MQTT-3.1.2-2]
    ConnectReservedFlagSet,   //!< CONNECT flags bit 0 is 1 [MQTT-3.1.2-3]
    WillFlagsWithoutWill,     //!< Will QoS or Will Retain set with Will Flag 0 [MQTT-3.1.2-11]
    InvalidWillQos,           //!< Will QoS 3 [MQTT-3.1.2-14]
    PasswordWithoutUserName,  //!< [MQTT-3.1.2-22]
    MalformedUtf8,            //!< ill-formed UTF-8 or an encoded surrogate [MQTT-1.5.3-1]
    Utf8NullCharacter,        //!< an encoded U+0000 [MQTT-1.5.3-2]
    InvalidTopicName,         //!< empty, or holds a wildcard [MQTT-3.3.2-2], [MQTT-4.7.3-1]
    InvalidTopicFilter,       //!< empty, or a misplaced wildcard [MQTT-4.7.1-2], [MQTT-4.7.1-3]
    SubscribeWithoutTopics,   //!< [MQTT-3.8.3-3]
    UnsubscribeWithoutTopics, //!< [MQTT-3.10.3-2]
    InvalidQos,               //!< PUBLISH QoS 3 [MQTT-3.3.1-4]
    InvalidRequestedQos,      //!< SUBSCRIBE QoS byte with reserved bits or QoS 3 [MQTT-3.8.3-4]
    DupWithQosZero,           //!< DUP set on a QoS 0 PUBLISH [MQTT-3.3.1-2]
    PacketIdZero,             //!< [MQTT-2.3.1-1]
    TrailingBytes,            //!< the Remaining Length holds bytes no field accounts for
    Truncated,                //!< a field runs past the end of the Remaining Length
    InvalidConnackFlags,      //!< CONNACK acknowledge flags bits 7-1 not 0 (section 3.2.2.1)
    InvalidConnackReturnCode, //!< a reserved return code 6-255 (section 3.2.2.3)
    InvalidSubackReturnCode,  //!< not 0x00, 0x01, 0x02 or 0x80 [MQTT-3.9.3-2]
    SubackWithoutReturnCodes, //!< a SUBACK answers a SUBSCRIBE of at least one filter (3.9.3)
    // MQTT 5.0 only.
    NonMinimalVariableByteInteger,   //!< more bytes than the value needs [MQTT5-1.5.5-1]
    VariableByteIntegerTooLong,      //!< a property VBI with a 4th continuation bit (1.5.5)
    UnknownProperty,                 //!< an identifier table 2-4 does not have (2.2.2.2)
    PropertyNotAllowed,              //!< a property the packet may not carry (table 2-4)
    DuplicateProperty,               //!< a property other than User Property repeated (3.x.2.2)
    InvalidPayloadFormatIndicator,   //!< not 0 or 1 (3.3.2.3.2)
    PropertyNotBoolean,              //!< Request/Available flags not 0 or 1 (3.1.2.11, 3.2.2.3)
    InvalidMaximumQos,               //!< Maximum QoS not 0 or 1 (3.2.2.3.4)
    ReceiveMaximumZero,              //!< Receive Maximum 0 (3.1.2.11.3, 3.2.2.3.3)
    MaximumPacketSizeZero,           //!< Maximum Packet Size 0 (3.1.2.11.4, 3.2.2.3.6)
    TopicAliasZero,                  //!< Topic Alias 0 [MQTT5-3.3.2-8]
    SubscriptionIdentifierZero,      //!< Subscription Identifier 0 (3.3.2.3.8, 3.8.2.1.2)
    InvalidResponseTopic,            //!< empty, or holds a wildcard [MQTT5-3.3.2-14]
    AuthenticationDataWithoutMethod, //!< (3.1.2.11.10, 3.2.2.3.18)
    AuthWithoutMethod,               //!< an AUTH with properties but no method (3.15.2.2.2)
    EmptyTopicWithoutAlias,          //!< a zero-length Topic Name and no Topic Alias (3.3.2.1)
    InvalidReasonCode,       //!< a code table 2-6 does not give this packet [MQTT5-3.2.2-8] ...
    SessionPresentWithError, //!< Session Present 1 with a failure [MQTT5-3.2.2-6]
    SubscriptionOptionsReservedBits, //!< bits 7-6 of the options byte [MQTT5-3.8.3-5]
    InvalidRetainHandling,           //!< Retain Handling 3 (3.8.3.1)
    InvalidSharedSubscription,       //!< "$share/" not followed by NAME/FILTER [MQTT5-4.8.2-1/2]
    NoLocalOnSharedSubscription,     //!< [MQTT5-3.8.3-4]
    UnsubackWithoutReasonCodes,      //!< an UNSUBACK answers at least one filter [MQTT5-3.11.3-2]
};

/** A short name of the error ("MalformedUtf8", ...) for logs and traces. */
const char* DecodeErrorName(DecodeError error);

struct DecodeResult
{
    DecodeStatus status = DecodeStatus::NeedMore;
    /** Bytes that made up the packet; 0 unless status is Complete. */
    std::size_t consumed = 0;
    DecodeError error = DecodeError::None;
};

/**
 * Decodes one packet from the front of [data, data + size), in the layout of @p version.
 *
 * A CONNECT is read by its own Protocol Level: level 4 always, level 5 when @p version is Mqtt5
 * (the receiver speaks 5.0); with Mqtt311 a level 5 CONNECT is UnsupportedProtocolLevel, as it
 * always was. Every other packet is read as @p version says. AUTH (type 15) exists in 5.0 only.
 * A 5.0 Remaining Length must use the fewest bytes [MQTT5-1.5.5-1]; 3.1.1 reads it by value.
 *
 * When @p out already holds a packet of the decoded type its storage is reused, so a loop that
 * decodes many PUBLISH packets into the same variant does not allocate.
 *
 * Checks run in wire order and the first failure is reported. Everything the fixed header alone
 * decides (packet type, flags, DUP and QoS of a PUBLISH, the remaining length, the packet size,
 * and the exact remaining length of packets that have one) is reported as soon as those bytes are
 * present, before the rest of the packet has arrived; the other checks need the whole packet.
 * The same bytes always give the same result, however much of the packet is present.
 *
 * On NeedMore and Error @p out is left unchanged, with one exception: on InvalidProtocolName and
 * UnsupportedProtocolLevel it holds a ConnectPacket whose protocolName and protocolLevel are the
 * ones received (the rest default), so a broker can log what came and answer CONNACK 0x01.
 *
 * @param maxPacketSize the largest whole packet (fixed header included) the receiver accepts;
 *        a larger one is an Error (PacketTooLarge) as soon as its length is known.
 */
DecodeResult Decode(const uint8_t* data,
                    std::size_t size,
                    Packet& out,
                    std::size_t maxPacketSize = MAX_PACKET_SIZE,
                    ProtocolVersion version = ProtocolVersion::Mqtt311);

/**
 * Appends the encoding of @p packet to @p out in the layout of @p version. The packet is assumed
 * to be valid for that version. A CONNECT is written in the layout of its protocolLevel, an AUTH
 * always in 5.0's; a 3.1.1 packet has no place for properties and reason codes, which are left
 * out. 5.0 acknowledgements, DISCONNECT and AUTH take their shortest form: no properties, no
 * Property Length; Success, no properties: no Reason Code either.
 */
void Encode(const Packet& packet,
            std::vector<uint8_t>& out,
            ProtocolVersion version = ProtocolVersion::Mqtt311);

/**
 * Appends a PUBLISH without building a PublishPacket, so a broker can fan one stored message out
 * to many subscribers without copying its payload into a packet first.
 */
void EncodePublish(bool dup,
                   Qos qos,
                   bool retain,
                   std::string_view topic,
                   uint16_t packetId,
                   const uint8_t* payload,
                   std::size_t payloadSize,
                   std::vector<uint8_t>& out);

/** EncodePublish for a 5.0 connection: the same, with @p properties after the identifier. */
void EncodePublish5(bool dup,
                    Qos qos,
                    bool retain,
                    std::string_view topic,
                    uint16_t packetId,
                    const Properties& properties,
                    const uint8_t* payload,
                    std::size_t payloadSize,
                    std::vector<uint8_t>& out);

/** The number of bytes Encode() appends for @p packet. */
std::size_t EncodedSize(const Packet& packet, ProtocolVersion version = ProtocolVersion::Mqtt311);

/**
 * Writes the Remaining Length encoding of @p length (section 2.2.3: 7 bits per byte, least
 * significant group first, continuation bit 0x80) to @p out, which has room for 4 bytes.
 *
 * @param length at most MAX_REMAINING_LENGTH
 * @return the number of bytes written, 1 to 4
 */
std::size_t EncodeRemainingLength(uint32_t length, uint8_t* out);

/**
 * The size of the first packet of @p data, which Encode() wrote (well-formed, whole): fixed
 * header included. For walking one's own output packet by packet, not for input (Decode()).
 */
std::size_t EncodedPacketSize(const uint8_t* data, std::size_t size);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_CODEC_H
