/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * libFuzzer target for the codec and the frame reader, in MQTT 3.1.1 and 5.0. Any input must
 * give a value, never a crash; every packet that decodes must re-encode to the same bytes (up to
 * the choice of Remaining Length encoding in 3.1.1, and the shortest form of 5.0's optional
 * reason codes and property lengths) and decode back to the same packet; the frame reader, fed
 * the input in pieces derived from the input, must see exactly what Decode sees on the whole
 * buffer, including the version a CONNECT chooses.
 */
#include "mqtt-codec.h"
#include "mqtt-frame-reader.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace ns3::mqtt;

namespace
{

/** A small maximum packet size, so PacketTooLarge paths are reached with small inputs. */
static constexpr std::size_t SMALL_MAX = 64;

[[noreturn]] void
Fail(const char* what)
{
    std::fprintf(stderr, "mqtt-codec-fuzz: %s\n", what);
    std::abort();
}

/** The length of the fixed header (type byte and Remaining Length) of a decoded packet. */
std::size_t
HeaderSize(const uint8_t* data)
{
    std::size_t n = 1;
    while ((data[n] & 0x80) != 0)
    {
        ++n;
    }
    return n + 1;
}

/**
 * Whether @p in (a decoded body) and @p out (its re-encoding) are the same, or @p out is the
 * shortest form of a 5.0 packet whose tail of a Success reason code and an empty property
 * section may be left out: then @p out is a prefix of @p in and the rest is zeros.
 */
bool
SameBody(const Packet& packet,
         const uint8_t* in,
         std::size_t inSize,
         const uint8_t* out,
         std::size_t outSize,
         ProtocolVersion version)
{
    if (inSize == outSize)
    {
        return std::memcmp(in, out, inSize) == 0;
    }
    const PacketType type = TypeOf(packet);
    const bool shortened =
        version == ProtocolVersion::Mqtt5 &&
        (type == PacketType::Puback || type == PacketType::Pubrec || type == PacketType::Pubrel ||
         type == PacketType::Pubcomp || type == PacketType::Disconnect || type == PacketType::Auth);
    if (!shortened || outSize > inSize || std::memcmp(in, out, outSize) != 0)
    {
        return false;
    }
    return std::all_of(in + outSize, in + inSize, [](uint8_t b) { return b == 0; });
}

/** Checks one Decode result and, for a packet, the round trip. */
void
CheckDecoded(const uint8_t* data,
             std::size_t size,
             std::size_t maxPacketSize,
             ProtocolVersion version)
{
    Packet packet;
    DecodeResult r = Decode(data, size, packet, maxPacketSize, version);
    switch (r.status)
    {
    case DecodeStatus::NeedMore:
        if (r.consumed != 0 || r.error != DecodeError::None)
        {
            Fail("NeedMore with consumed bytes or an error");
        }
        return;
    case DecodeStatus::Error:
        if (r.consumed != 0 || r.error == DecodeError::None)
        {
            Fail("Error without an error code, or with consumed bytes");
        }
        if (std::strcmp(DecodeErrorName(r.error), "Unknown") == 0)
        {
            Fail("an error without a name");
        }
        return;
    case DecodeStatus::Complete:
        break;
    }
    if (r.consumed == 0 || r.consumed > size || r.consumed > maxPacketSize)
    {
        Fail("Complete with a bad consumed count");
    }

    // Re-encode: the same type byte and the same variable header and payload. Only the Remaining
    // Length may differ, when the input used a longer encoding than needed (3.1.1), and a 5.0
    // acknowledgement, DISCONNECT or AUTH may lose a Success code and an empty property section.
    std::vector<uint8_t> wire;
    Encode(packet, wire, version);
    if (wire.size() != EncodedSize(packet, version))
    {
        Fail("EncodedSize differs from what Encode wrote");
    }
    const std::size_t inHeader = HeaderSize(data);
    const std::size_t outHeader = HeaderSize(wire.data());
    if (wire[0] != data[0] || !SameBody(packet,
                                        data + inHeader,
                                        r.consumed - inHeader,
                                        wire.data() + outHeader,
                                        wire.size() - outHeader,
                                        version))
    {
        Fail("encode(decode(bytes)) differs from the bytes");
    }

    // decode(encode(p)) == p, into a variant that already holds p (storage reuse).
    Packet again = packet;
    DecodeResult r2 = Decode(wire.data(), wire.size(), again, MAX_PACKET_SIZE, version);
    if (r2.status != DecodeStatus::Complete || r2.consumed != wire.size() || !(again == packet))
    {
        Fail("decode(encode(p)) != p");
    }
    // The packet less its last byte is a valid prefix.
    Packet scratch;
    if (Decode(data, r.consumed - 1, scratch, maxPacketSize, version).status !=
        DecodeStatus::NeedMore)
    {
        Fail("a proper prefix of a packet is not NeedMore");
    }
}

/** What a sequence of Decode calls over the whole buffer yields: packets, then the final result. */
struct Trace
{
    std::vector<Packet> packets;
    DecodeResult last;
};

/** Decode over the whole buffer, the version following each CONNECT as a connection's does. */
Trace
DecodeSequentially(const uint8_t* data,
                   std::size_t size,
                   std::size_t maxPacketSize,
                   ProtocolVersion version)
{
    Trace t;
    std::size_t pos = 0;
    while (true)
    {
        Packet p;
        DecodeResult r = Decode(data + pos, size - pos, p, maxPacketSize, version);
        if (r.status != DecodeStatus::Complete)
        {
            t.last = r;
            return t;
        }
        if (const auto* connect = std::get_if<ConnectPacket>(&p))
        {
            version =
                connect->protocolLevel == 5 ? ProtocolVersion::Mqtt5 : ProtocolVersion::Mqtt311;
        }
        t.packets.push_back(p);
        pos += r.consumed;
    }
}

/** Feeds the input to a frame reader in pieces whose sizes come from the input itself. */
void
CheckFrameReader(const uint8_t* data,
                 std::size_t size,
                 std::size_t maxPacketSize,
                 ProtocolVersion version)
{
    Trace expected = DecodeSequentially(data, size, maxPacketSize, version);
    MqttFrameReader reader(maxPacketSize, version);
    std::vector<Packet> got;
    DecodeResult last;
    uint32_t state = size == 0 ? 1 : data[0] * 2654435761u + static_cast<uint32_t>(size);
    std::size_t pos = 0;
    bool stopped = false;
    while (pos < size && !stopped)
    {
        state = state * 1103515245u + 12345u;
        std::size_t piece = 1 + (state >> 16) % 17;
        piece = std::min(piece, size - pos);
        reader.Append(data + pos, piece);
        pos += piece;
        Packet out;
        while (true)
        {
            last = reader.Next(out);
            if (last.status != DecodeStatus::Complete)
            {
                break;
            }
            got.push_back(out);
        }
        stopped = last.status == DecodeStatus::Error;
    }
    if (size == 0)
    {
        Packet out;
        last = reader.Next(out);
    }
    if (got.size() != expected.packets.size())
    {
        Fail("the frame reader and Decode see a different number of packets");
    }
    for (std::size_t i = 0; i < got.size(); ++i)
    {
        if (!(got[i] == expected.packets[i]))
        {
            Fail("the frame reader and Decode see different packets");
        }
    }
    if (last.status != expected.last.status || last.error != expected.last.error)
    {
        Fail("the frame reader and Decode end differently");
    }
    if (last.status == DecodeStatus::Error)
    {
        // Sticky: more bytes do not change it.
        reader.Append(data, size);
        Packet out;
        DecodeResult again = reader.Next(out);
        if (again.status != DecodeStatus::Error || again.error != last.error)
        {
            Fail("the frame reader left its Error state");
        }
    }
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    for (ProtocolVersion version : {ProtocolVersion::Mqtt311, ProtocolVersion::Mqtt5})
    {
        CheckDecoded(data, size, MAX_PACKET_SIZE, version);
        CheckDecoded(data, size, SMALL_MAX, version);
        CheckFrameReader(data, size, MAX_PACKET_SIZE, version);
        CheckFrameReader(data, size, SMALL_MAX, version);
    }
    return 0;
}
