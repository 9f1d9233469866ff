/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * GoogleTest expectations shared by the 3.1.1 and 5.0 codec tests: a packet's exact bytes both
 * ways, and an error that every long-enough prefix gives alike.
 */
#ifndef MQTT_CODEC_EXPECT_H
#define MQTT_CODEC_EXPECT_H

#include "mqtt-codec-test-util.h"

#include <gtest/gtest.h>

namespace ns3
{
namespace mqtt
{
namespace test
{

/** Decodes all of @p wire, expecting one complete packet. */
inline Packet
DecodeAll(const Bytes& wire, ProtocolVersion version = ProtocolVersion::Mqtt311)
{
    Packet out;
    DecodeResult r = Decode(wire.data(), wire.size(), out, MAX_PACKET_SIZE, version);
    EXPECT_EQ(r.status, DecodeStatus::Complete) << DecodeErrorName(r.error);
    EXPECT_EQ(r.consumed, wire.size());
    EXPECT_EQ(r.error, DecodeError::None);
    return out;
}

/**
 * Decodes @p wire expecting an Error, and checks that every prefix of it that is long enough to
 * show the error gives the same error and every shorter one NeedMore: the same bytes always give
 * the same answer.
 */
inline DecodeError
DecodeError_(const Bytes& wire,
             std::size_t maxPacketSize = MAX_PACKET_SIZE,
             ProtocolVersion version = ProtocolVersion::Mqtt311)
{
    Packet out = PingreqPacket{};
    DecodeResult r = Decode(wire.data(), wire.size(), out, maxPacketSize, version);
    EXPECT_EQ(r.status, DecodeStatus::Error);
    EXPECT_EQ(r.consumed, 0u);
    bool seenError = false;
    for (std::size_t n = 0; n < wire.size(); ++n)
    {
        Packet scratch;
        DecodeResult p = Decode(wire.data(), n, scratch, maxPacketSize, version);
        if (p.status == DecodeStatus::Error)
        {
            EXPECT_EQ(p.error, r.error) << "prefix of " << n << " bytes";
            seenError = true;
        }
        else
        {
            EXPECT_EQ(p.status, DecodeStatus::NeedMore) << "prefix of " << n << " bytes";
            EXPECT_FALSE(seenError) << "NeedMore after an Error, prefix of " << n << " bytes";
        }
    }
    return r.error;
}

/** @p packet encodes to exactly @p wire, and @p wire decodes to exactly @p packet. */
inline void
ExpectWire(const Packet& packet,
           const Bytes& wire,
           ProtocolVersion version = ProtocolVersion::Mqtt311)
{
    Bytes encoded;
    Encode(packet, encoded, version);
    EXPECT_EQ(encoded, wire);
    EXPECT_EQ(EncodedSize(packet, version), wire.size());
    EXPECT_TRUE(DecodeAll(wire, version) == packet);
    // Every proper prefix of a valid packet is a valid prefix: NeedMore, never an Error.
    for (std::size_t n = 0; n < wire.size(); ++n)
    {
        Packet out;
        DecodeResult r = Decode(wire.data(), n, out, MAX_PACKET_SIZE, version);
        EXPECT_EQ(r.status, DecodeStatus::NeedMore) << "prefix of " << n << " bytes";
        EXPECT_EQ(r.consumed, 0u);
    }
}

/** A 2-byte length and the bytes of @p s. */
inline Bytes
Field(const Bytes& s)
{
    return Cat({Bytes{static_cast<uint8_t>(s.size() >> 8), static_cast<uint8_t>(s.size())}, s});
}

inline Bytes
Field(std::string_view s)
{
    return Field(Raw(s));
}

/** A packet of type/flags @p first around @p body. */
inline Bytes
PacketWith(uint8_t first, const Bytes& body)
{
    Bytes header{first};
    uint8_t len[4];
    std::size_t n = EncodeRemainingLength(static_cast<uint32_t>(body.size()), len);
    header.insert(header.end(), len, len + n);
    return Cat({header, body});
}

} // namespace test
} // namespace mqtt
} // namespace ns3

#endif // MQTT_CODEC_EXPECT_H
