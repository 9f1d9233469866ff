/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The layers and causes of scripted IEEE 802.15.4 frames carrying 6LoWPAN
 * (MqttDeviceBytes::OnLowPanFrame, doc/device-cost.md): MAC header and FCS are link, 6LoWPAN and
 * TCP headers tcpip, the TCP payload mqtt, across fragments too; the device's own TCP segments
 * are followed by cause, fragment by fragment; relayed datagrams are relay; MAC
 * acknowledgements go with the frame they acknowledge, MAC retries are retransmissions; every
 * frame's bytes add up to its size.
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

/** MAC_HEADER with another sequence number, from MAC address 0x0005 (the device) or, with
 *  @p fromRouter, from 0x0001. */
Bytes
Mac(uint8_t sequence, bool fromRouter = false)
{
    Bytes h = MAC_HEADER;
    h[2] = sequence;
    h[7] = fromRouter ? 0x01 : 0x05;
    return h;
}

/** A MAC acknowledgement of sequence number @p sequence: frame control, sequence, FCS. */
Bytes
MacAck(uint8_t sequence)
{
    return {0x02, 0x00, sequence, 0xAA, 0xBB};
}

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
    // The datagram was whole and is forgotten: a late copy of its second fragment (in another
    // MAC frame: not a MAC retry) is headers.
    See(Dir::Rx, Cat({Mac(8), FragN(122, 7, 12), Bytes(26, 0x31), FCS}));
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

using Address = MqttDeviceBytes::Address;

Address
V6(uint8_t last)
{
    Address a{0x20, 0x01, 0x0d, 0xb8};
    a[15] = last;
    return a;
}

const Address DEVICE = V6(5);
const Address BROKER = V6(1);
const Address OTHER = V6(9); // another mote, whose segments this one forwards
constexpr uint8_t SYN = 0x02;
constexpr uint8_t ACK = 0x10;
constexpr uint8_t PSH = 0x08;

/** IPHC as Iphc() with the 16-byte source and destination inline. */
Bytes
Iphc(const Address& source, const Address& destination, uint8_t nextHeader = 6)
{
    Bytes h = {0x7A, 0x00, nextHeader};
    h.insert(h.end(), source.begin(), source.end());
    h.insert(h.end(), destination.begin(), destination.end());
    return h;
}

/** A 32-byte TCP header (12 bytes of options, as ns-3's timestamps make it). */
Bytes
Tcp(bool fromDevice, uint32_t seq, uint8_t flags)
{
    Bytes h = Tcp();
    const uint16_t device = 49153;
    const uint16_t broker = 1883;
    const uint16_t from = fromDevice ? device : broker;
    const uint16_t to = fromDevice ? broker : device;
    h[0] = uint8_t(from >> 8);
    h[1] = uint8_t(from);
    h[2] = uint8_t(to >> 8);
    h[3] = uint8_t(to);
    for (int i = 0; i < 4; ++i)
    {
        h[4 + i] = uint8_t(seq >> (24 - 8 * i));
    }
    h[13] = flags;
    return h;
}

/** An MQTT packet with a one-byte Remaining Length. */
Bytes
Mqtt(uint8_t first, std::size_t remaining)
{
    Bytes p(2 + remaining, 0xAB);
    p[0] = first;
    p[1] = uint8_t(remaining);
    return p;
}

struct LowPanCauseTest : LowPanBytesTest
{
    LowPanCauseTest()
    {
        bytes.SetOwnAddresses({DEVICE});
    }

    uint64_t
    Get(Cause c, Layer l, Dir d) const
    {
        return bytes.At(c, l, d).bytes;
    }

    /** All layers of cause @p c in direction @p d. */
    uint64_t
    All(Cause c, Dir d) const
    {
        return Get(c, Layer::Mqtt, d) + Get(c, Layer::TcpIp, d) + Get(c, Layer::Link, d);
    }

    /** SYN, SYN-ACK and ACK (ISN 0 both ways), each acknowledged at the MAC. */
    void
    Handshake()
    {
        See(Dir::Tx, Cat({Mac(1), Iphc(DEVICE, BROKER), Tcp(true, 0, SYN), FCS}));
        See(Dir::Rx, MacAck(1));
        See(Dir::Rx, Cat({Mac(50, true), Iphc(BROKER, DEVICE), Tcp(false, 0, SYN | ACK), FCS}));
        See(Dir::Tx, MacAck(50));
        See(Dir::Tx, Cat({Mac(2), Iphc(DEVICE, BROKER), Tcp(true, 1, ACK), FCS}));
        See(Dir::Rx, MacAck(2));
    }
};

TEST_F(LowPanCauseTest, OwnSegmentsAreFollowedAcrossFragmentsWithTheirMacAcknowledgements)
{
    Handshake();
    EXPECT_EQ(Get(Cause::Connect, Layer::TcpIp, Dir::Tx), 2 * (35u + 32u));
    EXPECT_EQ(Get(Cause::Connect, Layer::Link, Dir::Tx), 2 * LINK + 5u);
    EXPECT_EQ(Get(Cause::Connect, Layer::TcpIp, Dir::Rx), 35u + 32u);
    EXPECT_EQ(Get(Cause::Connect, Layer::Link, Dir::Rx), LINK + 2 * 5u);
    EXPECT_EQ(bytes.At(Cause::Connect, Layer::Link, Dir::Rx).frames, 3u);

    // A 53-byte PUBLISH in a 125-byte datagram (IPv6 40, TCP 32): the first fragment carries
    // 24 payload bytes (96 uncompressed), the second the other 29 from offset 96.
    Bytes publish = Mqtt(0x32, 51);
    See(Dir::Tx,
        Cat({Mac(3),
             Frag1(125, 1),
             Iphc(DEVICE, BROKER),
             Tcp(true, 1, PSH | ACK),
             Bytes(publish.begin(), publish.begin() + 24),
             FCS}));
    See(Dir::Rx, MacAck(3));
    const Bytes second = Cat({Mac(4), FragN(125, 1, 12), Bytes(publish.begin() + 24, publish.end()), FCS});
    See(Dir::Tx, second);
    See(Dir::Tx, second); // the acknowledgement did not come: the MAC sends it again
    See(Dir::Rx, MacAck(4));
    EXPECT_EQ(Get(Cause::Publish, Layer::Mqtt, Dir::Tx), 53u);
    EXPECT_EQ(Get(Cause::Publish, Layer::TcpIp, Dir::Tx), 4u + 35u + 32u + 5u);
    EXPECT_EQ(Get(Cause::Publish, Layer::Link, Dir::Tx), 2 * LINK);
    EXPECT_EQ(bytes.At(Cause::Publish, Layer::Link, Dir::Tx).frames, 2u);
    EXPECT_EQ(Get(Cause::Retransmission, Layer::Mqtt, Dir::Tx), 29u);
    EXPECT_EQ(Get(Cause::Retransmission, Layer::TcpIp, Dir::Tx), 5u);
    EXPECT_EQ(Get(Cause::Retransmission, Layer::Link, Dir::Tx), LINK);
    // The acknowledgement of the retried fragment goes with the retry, the first with publish.
    EXPECT_EQ(Get(Cause::Publish, Layer::Link, Dir::Rx), 5u);
    EXPECT_EQ(Get(Cause::Retransmission, Layer::Link, Dir::Rx), 5u);

    // The PUBACK, then the device's pure TCP acknowledgement of it.
    See(Dir::Rx,
        Cat({Mac(51, true), Iphc(BROKER, DEVICE), Tcp(false, 1, PSH | ACK), Mqtt(0x40, 2), FCS}));
    See(Dir::Tx, MacAck(51));
    See(Dir::Tx, Cat({Mac(5), Iphc(DEVICE, BROKER), Tcp(true, 54, ACK), FCS}));
    EXPECT_EQ(All(Cause::Ack, Dir::Rx), LINK + 35u + 32u + 4u);
    EXPECT_EQ(Get(Cause::Ack, Layer::Link, Dir::Tx), 5u);
    EXPECT_EQ(All(Cause::TcpAck, Dir::Tx), LINK + 35u + 32u);
    EXPECT_EQ(All(Cause::Other, Dir::Tx) + All(Cause::Other, Dir::Rx), 0u);
    EXPECT_EQ(All(Cause::Relay, Dir::Tx) + All(Cause::Relay, Dir::Rx), 0u);
    ExpectTotals();
}

TEST_F(LowPanCauseTest, DatagramsBetweenOtherNodesAreRelayWhole)
{
    Handshake();
    const uint64_t own[2] = {seen[0], seen[1]};
    // Another mote's segment to the broker, received in two fragments and forwarded unfragmented.
    See(Dir::Rx,
        Cat({Mac(60, true), Frag1(96, 4), Iphc(OTHER, BROKER), Tcp(true, 1, ACK), Bytes(8, 0x30), FCS}));
    See(Dir::Tx, MacAck(60));
    See(Dir::Rx, Cat({Mac(61, true), FragN(96, 4, 10), Bytes(16, 0x30), FCS}));
    See(Dir::Tx, MacAck(61));
    const Bytes forwarded =
        Cat({Mac(6), Iphc(OTHER, BROKER), Tcp(true, 1, ACK), Bytes(24, 0x30), FCS});
    See(Dir::Tx, forwarded);
    See(Dir::Tx, forwarded); // a MAC retry of a relayed frame is still relay
    See(Dir::Rx, MacAck(6));
    EXPECT_EQ(All(Cause::Relay, Dir::Rx), seen[1] - own[1]);
    EXPECT_EQ(All(Cause::Relay, Dir::Tx), seen[0] - own[0]);
    EXPECT_EQ(Get(Cause::Relay, Layer::Mqtt, Dir::Rx), 24u);
    EXPECT_EQ(Get(Cause::Relay, Layer::Mqtt, Dir::Tx), 2 * 24u);
    EXPECT_EQ(All(Cause::Retransmission, Dir::Tx), 0u);

    // Neighbour discovery to a multicast address and an echo request for the device are its own
    // traffic, not TCP: other.
    Bytes multicast = Iphc(BROKER, V6(0xFF), 58);
    multicast[1] = 0x08; // M: the destination is a 16-byte multicast address inline
    See(Dir::Rx, Cat({Mac(62, true), multicast, Bytes(24, 0), FCS}));
    See(Dir::Rx, Cat({Mac(63, true), Iphc(BROKER, DEVICE, 58), Bytes(8, 0), FCS}));
    EXPECT_EQ(All(Cause::Other, Dir::Rx), 2 * LINK + 2 * 35u + 24u + 8u);
    EXPECT_EQ(All(Cause::Relay, Dir::Rx), seen[1] - own[1] - All(Cause::Other, Dir::Rx));
    ExpectTotals();
}

} // namespace
} // namespace mqtt
} // namespace ns3
