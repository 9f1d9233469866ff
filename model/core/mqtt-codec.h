/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Encoding and decoding of MQTT 3.1.1 control packets. Every malformed input is a value (a
 * DecodeError), never an exception or a crash.
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
 * Decodes one packet from the front of [data, data + size).
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
                    std::size_t maxPacketSize = MAX_PACKET_SIZE);

/** Appends the encoding of @p packet to @p out. The packet is assumed to be valid. */
void Encode(const Packet& packet, std::vector<uint8_t>& out);

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

/** The number of bytes Encode() appends for @p packet. */
std::size_t EncodedSize(const Packet& packet);

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
