/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The stream frame reader: packets reassembled from any split of the byte stream.
 */
#include "mqtt-codec-test-util.h"
#include "mqtt-frame-reader.h"

#include <gtest/gtest.h>

#include <chrono>

using namespace ns3::mqtt;
using namespace ns3::mqtt::test;

namespace
{

/** One packet of each of the 14 types. */
std::vector<Packet>
OneOfEach()
{
    ConnectPacket c;
    c.clientId = "dev-1";
    c.keepAliveSeconds = 30;
    c.will = Will{"dev/1/status", Raw("offline"), Qos::AtLeastOnce, true};
    c.userName = "u";
    c.password = Raw("p");
    return {c,
            ConnackPacket{true, ConnectReturnCode::Accepted},
            PublishPacket{false, Qos::AtLeastOnce, false, "dev/1/temp", 1, Raw("21.5")},
            PubackPacket{1},
            PubrecPacket{2},
            PubrelPacket{2},
            PubcompPacket{2},
            SubscribePacket{3, {{"dev/+/temp", Qos::ExactlyOnce}}},
            SubackPacket{3, {0x02}},
            UnsubscribePacket{4, {"dev/+/temp"}},
            UnsubackPacket{4},
            PingreqPacket{},
            PingrespPacket{},
            DisconnectPacket{}};
}

Bytes
EncodeAll(const std::vector<Packet>& packets)
{
    Bytes out;
    for (const Packet& p : packets)
    {
        Encode(p, out);
    }
    return out;
}

/** Takes every complete packet the reader holds; stops at NeedMore, fails on Error. */
void
Drain(MqttFrameReader& reader, std::vector<Packet>& got)
{
    Packet out;
    while (true)
    {
        DecodeResult r = reader.Next(out);
        if (r.status == DecodeStatus::NeedMore)
        {
            EXPECT_EQ(r.consumed, 0u);
            return;
        }
        ASSERT_EQ(r.status, DecodeStatus::Complete) << DecodeErrorName(r.error);
        got.push_back(out);
    }
}

} // namespace

TEST(FrameReader, OneByteAtATime)
{
    const std::vector<Packet> packets = OneOfEach();
    const Bytes stream = EncodeAll(packets);
    MqttFrameReader reader;
    std::vector<Packet> got;
    for (uint8_t b : stream)
    {
        reader.Append(&b, 1);
        Drain(reader, got);
    }
    ASSERT_EQ(got.size(), packets.size());
    for (std::size_t i = 0; i < packets.size(); ++i)
    {
        EXPECT_TRUE(got[i] == packets[i]) << i;
    }
    EXPECT_EQ(reader.Buffered(), 0u);
}

TEST(FrameReader, ManyPacketsInOneAppend)
{
    std::vector<Packet> packets;
    for (int i = 0; i < 20; ++i)
    {
        for (const Packet& p : OneOfEach())
        {
            packets.push_back(p);
        }
    }
    const Bytes stream = EncodeAll(packets);
    MqttFrameReader reader;
    reader.Append(stream.data(), stream.size());
    EXPECT_EQ(reader.Buffered(), stream.size());
    std::vector<Packet> got;
    Drain(reader, got);
    ASSERT_EQ(got.size(), packets.size());
    for (std::size_t i = 0; i < packets.size(); ++i)
    {
        EXPECT_TRUE(got[i] == packets[i]) << i;
    }
    EXPECT_EQ(reader.Buffered(), 0u);
}

// Two appends split at every position of a stream of all 14 packets give the same packets.
TEST(FrameReader, SplitAtEveryPosition)
{
    const std::vector<Packet> packets = OneOfEach();
    const Bytes stream = EncodeAll(packets);
    for (std::size_t split = 0; split <= stream.size(); ++split)
    {
        MqttFrameReader reader;
        std::vector<Packet> got;
        reader.Append(stream.data(), split);
        Drain(reader, got);
        reader.Append(stream.data() + split, stream.size() - split);
        Drain(reader, got);
        ASSERT_EQ(got.size(), packets.size()) << split;
        for (std::size_t i = 0; i < packets.size(); ++i)
        {
            EXPECT_TRUE(got[i] == packets[i]) << split << " " << i;
        }
        EXPECT_EQ(reader.Buffered(), 0u);
    }
}

// Buffered() counts the bytes of an incomplete packet until it completes.
TEST(FrameReader, BufferedCountsThePartialPacket)
{
    Bytes wire = Enc(PublishPacket{false, Qos::AtMostOnce, false, "t", 0, Raw("hello")});
    MqttFrameReader reader;
    Packet out;
    reader.Append(wire.data(), 4);
    EXPECT_EQ(reader.Next(out).status, DecodeStatus::NeedMore);
    EXPECT_EQ(reader.Buffered(), 4u);
    reader.Append(wire.data() + 4, wire.size() - 4);
    DecodeResult r = reader.Next(out);
    EXPECT_EQ(r.status, DecodeStatus::Complete);
    EXPECT_EQ(r.consumed, wire.size());
    EXPECT_EQ(reader.Buffered(), 0u);
}

// A packet above the maximum is refused on its fixed header alone, before its body arrives.
TEST(FrameReader, PacketTooLargeOnTheHeaderAlone)
{
    MqttFrameReader reader(1000);
    EXPECT_EQ(reader.MaxPacketSize(), 1000u);
    Packet out;
    Bytes header = Hex("30 E6 07"); // remaining length 998: 1001 bytes in all
    reader.Append(header.data(), 1);
    EXPECT_EQ(reader.Next(out).status, DecodeStatus::NeedMore);
    reader.Append(header.data() + 1, 2);
    DecodeResult r = reader.Next(out);
    EXPECT_EQ(r.status, DecodeStatus::Error);
    EXPECT_EQ(r.error, DecodeError::PacketTooLarge);

    // 997 is accepted (1000 bytes in all).
    MqttFrameReader fits(1000);
    PublishPacket p;
    p.topic = "t";
    p.payload.assign(994, 0x01);
    Bytes wire = Enc(p);
    ASSERT_EQ(wire.size(), 1000u);
    fits.Append(wire.data(), wire.size());
    EXPECT_EQ(fits.Next(out).status, DecodeStatus::Complete);
}

// Once an Error is returned the reader stays in it, whatever arrives next; Reset() starts over.
TEST(FrameReader, ErrorIsSticky)
{
    MqttFrameReader reader;
    Packet out;
    Bytes good = Enc(PingreqPacket{});
    Bytes bad = Hex("C1 00"); // PINGREQ with a reserved flag set [MQTT-2.2.2-2]
    reader.Append(good.data(), good.size());
    reader.Append(bad.data(), bad.size());
    reader.Append(good.data(), good.size());
    EXPECT_EQ(reader.Next(out).status, DecodeStatus::Complete);
    for (int i = 0; i < 3; ++i)
    {
        DecodeResult r = reader.Next(out);
        EXPECT_EQ(r.status, DecodeStatus::Error);
        EXPECT_EQ(r.error, DecodeError::InvalidFixedHeaderFlags);
        reader.Append(good.data(), good.size());
    }
    reader.Reset();
    EXPECT_EQ(reader.Buffered(), 0u);
    EXPECT_EQ(reader.Next(out).status, DecodeStatus::NeedMore);
    reader.Append(good.data(), good.size());
    EXPECT_EQ(reader.Next(out).status, DecodeStatus::Complete);
}

// Many small packets in one append, and then one byte at a time, stay linear: a reader that
// moved the rest of its buffer after every packet would take minutes here, not milliseconds.
TEST(FrameReader, ManySmallPacketsStayLinear)
{
    const std::size_t count = 1000000;
    Bytes stream;
    for (std::size_t i = 0; i < count; ++i)
    {
        Encode(PubackPacket{static_cast<uint16_t>(i % 65535 + 1)}, stream);
    }
    auto start = std::chrono::steady_clock::now();
    MqttFrameReader reader;
    reader.Append(stream.data(), stream.size());
    Packet out;
    std::size_t n = 0;
    while (reader.Next(out).status == DecodeStatus::Complete)
    {
        ASSERT_EQ(std::get<PubackPacket>(out).packetId, n % 65535 + 1);
        ++n;
    }
    EXPECT_EQ(n, count);

    // One byte at a time, calling Next after each.
    MqttFrameReader bytewise;
    n = 0;
    for (uint8_t b : stream)
    {
        bytewise.Append(&b, 1);
        while (bytewise.Next(out).status == DecodeStatus::Complete)
        {
            ++n;
        }
    }
    EXPECT_EQ(n, count);

    // Appends of 3 bytes (never aligned with the 4-byte packets), draining only every 1000.
    MqttFrameReader chunked;
    n = 0;
    for (std::size_t i = 0; i < stream.size(); i += 3)
    {
        chunked.Append(stream.data() + i, std::min<std::size_t>(3, stream.size() - i));
        if (i % 3000 == 0)
        {
            while (chunked.Next(out).status == DecodeStatus::Complete)
            {
                ++n;
            }
        }
    }
    while (chunked.Next(out).status == DecodeStatus::Complete)
    {
        ++n;
    }
    EXPECT_EQ(n, count);
    EXPECT_EQ(chunked.Buffered(), 0u);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 30.0);
}

// One big packet fed in small pieces is decoded once, when complete.
TEST(FrameReader, BigPacketInSmallPieces)
{
    PublishPacket p;
    p.qos = Qos::ExactlyOnce;
    p.packetId = 7;
    p.topic = "big";
    p.payload.resize(3 * 1024 * 1024);
    for (std::size_t i = 0; i < p.payload.size(); ++i)
    {
        p.payload[i] = static_cast<uint8_t>(i * 31);
    }
    Bytes wire = Enc(p);
    MqttFrameReader reader;
    Packet out;
    std::size_t completes = 0;
    for (std::size_t i = 0; i < wire.size(); i += 100)
    {
        reader.Append(wire.data() + i, std::min<std::size_t>(100, wire.size() - i));
        DecodeResult r = reader.Next(out);
        if (r.status == DecodeStatus::Complete)
        {
            ++completes;
        }
        else
        {
            ASSERT_EQ(r.status, DecodeStatus::NeedMore);
        }
    }
    EXPECT_EQ(completes, 1u);
    EXPECT_TRUE(out == Packet(p));
}
