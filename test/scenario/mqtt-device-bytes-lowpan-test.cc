/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The layers of scripted IEEE 802.15.4 frames carrying 6LoWPAN (MqttDeviceBytes::OnLowPanFrame,
 * doc/device-cost.md): MAC header and FCS are link, 6LoWPAN and TCP headers tcpip, the TCP
 * payload mqtt, across fragments too; every frame's bytes add up to its size.
 */
#include "mqtt-device-bytes.h"

#include <gtest/gtest.h>

namespace ns3
{
namespace mqtt
{
namespace
{

using Cause = MqttByteCause;
using Layer = MqttByteLayer;
using Dir = MqttByteDirection;

using Bytes = std::vector<uint8_t>;

// Data frame, PAN ID compression, 16-bit destination and source (IEEE 802.15.4-2006 7.2.1.1):
// frame control 0x8841 little-endian, sequence number, PAN ID, destination, source.
const Bytes MAC_HEADER = {0x41, 0x88, 0x07, 0x01, 0x00, 0x02, 0x00, 0x05, 0x00};
const Bytes FCS = {0xAA, 0xBB};
constexpr std::size_t LINK = 9 + 2;

/** IPHC (RFC 6282): traffic class and flow label elided, next header inline, hop limit 64,
 *  source and destination 16 bytes inline (global addresses, no context): 35 bytes. */
Bytes
Iphc(uint8_t nextHeader)
{
    Bytes h = {0x7A, 0x00, nextHeader};
    h.resize(35, 0x20);
    return h;
}

/** A TCP header with 12 bytes of options (data offset 8 words): 32 bytes. */
Bytes
Tcp()
{
    Bytes h(32, 0);
    h[12] = 0x80;
    h[13] = 0x18;
    return h;
}

Bytes
Cat(std::initializer_list<Bytes> parts)
{
    Bytes out;
    for (const auto& p : parts)
    {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

Bytes
Frag1(uint16_t size, uint16_t tag)
{
    return {uint8_t(0xC0 | (size >> 8)), uint8_t(size), uint8_t(tag >> 8), uint8_t(tag)};
}

Bytes
FragN(uint16_t size, uint16_t tag, uint8_t offsetUnits)
{
    return {
        uint8_t(0xE0 | (size >> 8)), uint8_t(size), uint8_t(tag >> 8), uint8_t(tag), offsetUnits};
}

struct LowPanBytesTest : ::testing::Test
{
    MqttDeviceBytes bytes;
    uint64_t seen[2] = {0, 0};

    void
    See(Dir dir, const Bytes& frame)
    {
        bytes.OnLowPanFrame(dir, frame.data(), frame.size());
        seen[std::size_t(dir)] += frame.size();
    }

    uint64_t
    At(Layer l, Dir d = Dir::Tx) const
    {
        return bytes.At(Cause::Other, l, d).bytes;
    }

    void
    ExpectTotals() const
    {
        EXPECT_EQ(bytes.TotalBytes(Dir::Tx), seen[0]);
        EXPECT_EQ(bytes.TotalBytes(Dir::Rx), seen[1]);
    }
};

TEST_F(LowPanBytesTest, IphcTcpFrameSplitsIntoMacIphcTcpAndPayload)
{
    See(Dir::Tx, Cat({MAC_HEADER, Iphc(6), Tcp(), Bytes(20, 0x30), FCS}));
    EXPECT_EQ(At(Layer::Link), LINK);
    EXPECT_EQ(At(Layer::TcpIp), 35u + 32u);
    EXPECT_EQ(At(Layer::Mqtt), 20u);
    EXPECT_EQ(bytes.At(Cause::Other, Layer::Mqtt, Dir::Tx).frames, 1u);
    ExpectTotals();
}

TEST_F(LowPanBytesTest, FragmentsOfATcpSegmentCarryItsPayloadAfterTheFirstFragmentsHeaders)
{
    // 122 uncompressed bytes: IPv6 40, TCP 32, payload 50; the first fragment covers 96 of
    // them (24 payload bytes), the second the 26 from offset 96 (12 units of 8).
    See(Dir::Rx, Cat({MAC_HEADER, Frag1(122, 7), Iphc(6), Tcp(), Bytes(24, 0x30), FCS}));
    EXPECT_EQ(At(Layer::TcpIp, Dir::Rx), 4u + 35u + 32u);
    EXPECT_EQ(At(Layer::Mqtt, Dir::Rx), 24u);
    See(Dir::Rx, Cat({MAC_HEADER, FragN(122, 7, 12), Bytes(26, 0x31), FCS}));
    EXPECT_EQ(At(Layer::TcpIp, Dir::Rx), 4u + 35u + 32u + 5u);
    EXPECT_EQ(At(Layer::Mqtt, Dir::Rx), 24u + 26u);
    EXPECT_EQ(At(Layer::Link, Dir::Rx), 2 * LINK);
    // The datagram was whole and is forgotten: a late copy of its second fragment is headers.
    See(Dir::Rx, Cat({MAC_HEADER, FragN(122, 7, 12), Bytes(26, 0x31), FCS}));
    EXPECT_EQ(At(Layer::Mqtt, Dir::Rx), 24u + 26u);
    EXPECT_EQ(At(Layer::TcpIp, Dir::Rx), 4u + 35u + 32u + 5u + 5u + 26u);
    ExpectTotals();
}

TEST_F(LowPanBytesTest, TcpHeaderCutByTheFragmentBoundaryStaysTcpIp)
{
    // The first fragment ends 8 bytes into the TCP header (uncompressed 48 of 40 + 32 + 10):
    // the second brings the header's last 24 bytes, then the 10 payload bytes.
    Bytes tcp = Tcp();
    See(Dir::Tx,
        Cat({MAC_HEADER, Frag1(82, 9), Iphc(6), Bytes(tcp.begin(), tcp.begin() + 8), FCS}));
    EXPECT_EQ(At(Layer::Mqtt), 0u);
    // Without the data offset the first fragment says nothing of where the payload starts.
    See(Dir::Tx,
        Cat({MAC_HEADER,
             FragN(82, 9, 6),
             Bytes(tcp.begin() + 8, tcp.end()),
             Bytes(10, 0x30),
             FCS}));
    EXPECT_EQ(At(Layer::Mqtt), 0u);
    EXPECT_EQ(At(Layer::TcpIp), 4u + 35u + 8u + 5u + 24u + 10u);
    ExpectTotals();

    // With the data offset in the first fragment, the split is exact.
    See(Dir::Tx,
        Cat({MAC_HEADER, Frag1(96, 10), Iphc(6), Bytes(tcp.begin(), tcp.begin() + 16), FCS}));
    See(Dir::Tx,
        Cat({MAC_HEADER,
             FragN(96, 10, 7),
             Bytes(tcp.begin() + 16, tcp.end()),
             Bytes(24, 0x30),
             FCS}));
    EXPECT_EQ(At(Layer::Mqtt), 24u);
    ExpectTotals();
}

TEST_F(LowPanBytesTest, FramesThatAreNotTcpDataAreHeadersOrLink)
{
    See(Dir::Tx, {0x02, 0x00, 0x07, 0xAA, 0xBB}); // a MAC acknowledgement
    EXPECT_EQ(At(Layer::Link), 5u);
    See(Dir::Tx, Cat({MAC_HEADER, Iphc(58), Bytes(8, 0), FCS})); // ICMPv6
    Bytes udp = {0x7E, 0x33, 0xF0, 1, 2, 3, 4, 0xC0, 0xDE};      // next header compressed (NHC)
    See(Dir::Tx, Cat({MAC_HEADER, udp, FCS}));
    See(Dir::Rx, Cat({MAC_HEADER, FragN(200, 3, 10), Bytes(16, 0), FCS})); // first one unseen
    See(Dir::Rx, Cat({MAC_HEADER, {0x01, 0x02}, FCS}));                    // not a 6LoWPAN dispatch
    EXPECT_EQ(At(Layer::Mqtt), 0u);
    EXPECT_EQ(At(Layer::Mqtt, Dir::Rx), 0u);
    EXPECT_EQ(At(Layer::TcpIp), 35u + 8u + udp.size());
    EXPECT_EQ(At(Layer::TcpIp, Dir::Rx), 5u + 16u + 2u);
    ExpectTotals();
}

TEST_F(LowPanBytesTest, UncompressedIpv6AndMeshHeaderAreTcpIp)
{
    Bytes ipv6(41, 0);
    ipv6[0] = 0x41; // IPv6 dispatch, then the 40-byte header with next header 6 at byte 6
    ipv6[1 + 6] = 6;
    Bytes mesh = {0xB0, 0x00, 0x05, 0x00, 0x01}; // mesh header, 16-bit originator and final
    See(Dir::Tx, Cat({MAC_HEADER, mesh, ipv6, Tcp(), Bytes(7, 0x30), FCS}));
    EXPECT_EQ(At(Layer::TcpIp), 5u + 41u + 32u);
    EXPECT_EQ(At(Layer::Mqtt), 7u);
    EXPECT_EQ(At(Layer::Link), LINK);
    ExpectTotals();
}

} // namespace
} // namespace mqtt
} // namespace ns3
