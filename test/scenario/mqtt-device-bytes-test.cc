/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttDeviceBytes on scripted frames: exact bytes per cause, layer and direction.
 */
#include "../core/mqtt-tls-test-profiles.h"
#include "mqtt-device-bytes.h"
#include "mqtt-tls-session.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace ns3
{
namespace mqtt
{
namespace
{

using Cause = MqttByteCause;
using Layer = MqttByteLayer;
using Dir = MqttByteDirection;

constexpr uint32_t DEVICE = 0x0a000002; // 10.0.0.2
constexpr uint32_t BROKER = 0x0a000001; // 10.0.0.1
constexpr uint16_t DEVICE_PORT = 49153;
constexpr uint16_t BROKER_PORT = 1883;
constexpr std::size_t PPP = 2; // the point-to-point link header
constexpr uint8_t SYN = 0x02;
constexpr uint8_t ACK = 0x10;
constexpr uint8_t FIN = 0x01;
constexpr uint8_t PSH = 0x08;

void
Put16(std::vector<uint8_t>& f, std::size_t at, uint32_t v)
{
    f[at] = uint8_t(v >> 8);
    f[at + 1] = uint8_t(v);
}

void
Put32(std::vector<uint8_t>& f, std::size_t at, uint32_t v)
{
    Put16(f, at, v >> 16);
    Put16(f, at + 2, v);
}

/** A PPP frame with IPv4 and TCP (20-byte headers each) between the device and the broker. */
std::vector<uint8_t>
Frame(Dir dir, uint32_t seq, uint8_t flags, const std::vector<uint8_t>& payload = {})
{
    std::vector<uint8_t> f(PPP + 40 + payload.size(), 0);
    f[0] = 0x00;
    f[1] = 0x21;
    uint8_t* ip = &f[PPP];
    ip[0] = 0x45;
    Put16(f, PPP + 2, uint32_t(40 + payload.size()));
    ip[8] = 64;
    ip[9] = 6;
    bool tx = dir == Dir::Tx;
    Put32(f, PPP + 12, tx ? DEVICE : BROKER);
    Put32(f, PPP + 16, tx ? BROKER : DEVICE);
    Put16(f, PPP + 20, tx ? DEVICE_PORT : BROKER_PORT);
    Put16(f, PPP + 22, tx ? BROKER_PORT : DEVICE_PORT);
    Put32(f, PPP + 24, seq);
    f[PPP + 32] = 0x50; // data offset 5 words
    f[PPP + 33] = flags;
    std::copy(payload.begin(), payload.end(), f.begin() + PPP + 40);
    return f;
}

/** An MQTT packet of @p type with @p remaining body bytes (one length byte, < 128). */
std::vector<uint8_t>
Mqtt(uint8_t first, std::size_t remaining)
{
    std::vector<uint8_t> p(2 + remaining, 0xAB);
    p[0] = first;
    p[1] = uint8_t(remaining);
    return p;
}

std::vector<uint8_t>
Concat(std::vector<uint8_t> a, const std::vector<uint8_t>& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

struct DeviceBytesTest : ::testing::Test
{
    MqttDeviceBytes bytes;
    uint64_t sent[2] = {0, 0};

    void
    See(Dir dir, const std::vector<uint8_t>& frame)
    {
        bytes.OnFrame(dir, frame.data(), frame.size(), PPP);
        sent[std::size_t(dir)] += frame.size();
    }

    /** SYN, SYN-ACK, ACK: ISN 0 both ways, as ns-3's TCP uses. */
    void
    Handshake()
    {
        See(Dir::Tx, Frame(Dir::Tx, 0, SYN));
        See(Dir::Rx, Frame(Dir::Rx, 0, SYN | ACK));
        See(Dir::Tx, Frame(Dir::Tx, 1, ACK));
    }

    uint64_t
    Bytes(Cause c, Layer l, Dir d) const
    {
        return bytes.At(c, l, d).bytes;
    }

    uint64_t
    Frames(Cause c, Layer l, Dir d) const
    {
        return bytes.At(c, l, d).frames;
    }

    void
    ExpectTotals() const
    {
        EXPECT_EQ(bytes.TotalBytes(Dir::Tx), sent[0]);
        EXPECT_EQ(bytes.TotalBytes(Dir::Rx), sent[1]);
    }
};

TEST_F(DeviceBytesTest, HandshakeAndConnectAreConnectionSetUp)
{
    Handshake();
    See(Dir::Tx, Frame(Dir::Tx, 1, PSH | ACK, Mqtt(0x10, 20))); // CONNECT, 22 bytes
    See(Dir::Rx, Frame(Dir::Rx, 1, PSH | ACK, Mqtt(0x20, 2)));  // CONNACK, 4 bytes
    See(Dir::Tx, Frame(Dir::Tx, 23, ACK));                      // a later pure ACK
    EXPECT_EQ(Bytes(Cause::Connect, Layer::Mqtt, Dir::Tx), 22u);
    EXPECT_EQ(Bytes(Cause::Connect, Layer::TcpIp, Dir::Tx), 3 * 40u);
    EXPECT_EQ(Bytes(Cause::Connect, Layer::Link, Dir::Tx), 3 * PPP);
    EXPECT_EQ(Frames(Cause::Connect, Layer::Link, Dir::Tx), 3u);
    EXPECT_EQ(Bytes(Cause::Connect, Layer::Mqtt, Dir::Rx), 4u);
    EXPECT_EQ(Bytes(Cause::Connect, Layer::TcpIp, Dir::Rx), 2 * 40u);
    EXPECT_EQ(Bytes(Cause::TcpAck, Layer::TcpIp, Dir::Tx), 40u);
    EXPECT_EQ(Bytes(Cause::TcpAck, Layer::Link, Dir::Tx), PPP);
    ExpectTotals();
}

TEST_F(DeviceBytesTest, SegmentOfSeveralPacketsSplitsHeadersByMqttBytes)
{
    Handshake();
    // PUBLISH of 18 bytes and PINGREQ of 2 in one segment: 18/20 and 2/20 of the headers.
    See(Dir::Tx, Frame(Dir::Tx, 1, PSH | ACK, Concat(Mqtt(0x30, 16), Mqtt(0xC0, 0))));
    EXPECT_EQ(Bytes(Cause::Publish, Layer::Mqtt, Dir::Tx), 18u);
    EXPECT_EQ(Bytes(Cause::KeepAlive, Layer::Mqtt, Dir::Tx), 2u);
    EXPECT_EQ(Bytes(Cause::Publish, Layer::TcpIp, Dir::Tx), 36u);
    EXPECT_EQ(Bytes(Cause::KeepAlive, Layer::TcpIp, Dir::Tx), 4u);
    // 2 * 18 / 20 = 1 and 2 * 2 / 20 = 0, the byte rounding leaves to the first packet's cause.
    EXPECT_EQ(Bytes(Cause::Publish, Layer::Link, Dir::Tx), 2u);
    EXPECT_EQ(Bytes(Cause::KeepAlive, Layer::Link, Dir::Tx), 0u);
    EXPECT_EQ(Frames(Cause::Publish, Layer::TcpIp, Dir::Tx), 1u);
    EXPECT_EQ(Frames(Cause::KeepAlive, Layer::TcpIp, Dir::Tx), 1u);
    ExpectTotals();
}

TEST_F(DeviceBytesTest, PacketAcrossSegmentsKeepsItsCauseAndTheNextStartsInTheMiddle)
{
    Handshake();
    // A 202-byte PUBLISH (two length bytes) then a PUBACK, cut at 150 and at 203.
    std::vector<uint8_t> publish(202, 0xAB);
    publish[0] = 0x32;
    publish[1] = 0xC7; // 199 = 0x47 | 0x80, then 1
    publish[2] = 0x01;
    std::vector<uint8_t> stream = Concat(publish, {0x40, 0x02, 0x00, 0x01});
    See(Dir::Tx, Frame(Dir::Tx, 1, ACK, {stream.begin(), stream.begin() + 150}));
    See(Dir::Tx, Frame(Dir::Tx, 151, ACK, {stream.begin() + 150, stream.begin() + 203}));
    See(Dir::Tx, Frame(Dir::Tx, 204, ACK, {stream.begin() + 203, stream.end()}));
    EXPECT_EQ(Bytes(Cause::Publish, Layer::Mqtt, Dir::Tx), 202u);
    EXPECT_EQ(Bytes(Cause::Ack, Layer::Mqtt, Dir::Tx), 4u);
    // Second frame: 52 PUBLISH bytes and 1 PUBACK byte: 40 * 52 / 53 = 39, 40 / 53 = 0, +1.
    EXPECT_EQ(Bytes(Cause::Publish, Layer::TcpIp, Dir::Tx), 40u + 40u);
    EXPECT_EQ(Bytes(Cause::Ack, Layer::TcpIp, Dir::Tx), 40u);
    EXPECT_EQ(Frames(Cause::Ack, Layer::Mqtt, Dir::Tx), 2u);
    ExpectTotals();
}

TEST_F(DeviceBytesTest, ResentBytesAreRetransmissionsWhole)
{
    Handshake();
    auto publish = Mqtt(0x32, 30);
    See(Dir::Tx, Frame(Dir::Tx, 1, ACK, publish));
    See(Dir::Tx, Frame(Dir::Tx, 1, ACK, publish)); // TCP re-sends it
    See(Dir::Tx, Frame(Dir::Tx, 0, SYN));          // and a SYN again: not a new connection
    EXPECT_EQ(Bytes(Cause::Publish, Layer::Mqtt, Dir::Tx), 32u);
    EXPECT_EQ(Bytes(Cause::Retransmission, Layer::Mqtt, Dir::Tx), 32u);
    EXPECT_EQ(Bytes(Cause::Retransmission, Layer::TcpIp, Dir::Tx), 80u);
    EXPECT_EQ(Frames(Cause::Retransmission, Layer::Link, Dir::Tx), 2u);
    // A re-sent segment with new bytes after the old ones: retransmission, the new bytes parsed.
    auto ping = Mqtt(0xC0, 0);
    See(Dir::Tx, Frame(Dir::Tx, 1, ACK, Concat(publish, ping)));
    See(Dir::Tx, Frame(Dir::Tx, 35, ACK, Mqtt(0xE0, 0))); // DISCONNECT after it
    EXPECT_EQ(Bytes(Cause::Retransmission, Layer::Mqtt, Dir::Tx), 32u + 34u);
    EXPECT_EQ(Bytes(Cause::Disconnect, Layer::Mqtt, Dir::Tx), 2u);
    ExpectTotals();
}

TEST_F(DeviceBytesTest, ReceivedAheadOfAGapWaitsForIt)
{
    Handshake();
    auto a = Mqtt(0x30, 10);                  // offset 0..12
    auto b = Mqtt(0x30, 10);                  // 12..24
    auto c = Mqtt(0xD0, 0);                   // 24..26, PINGRESP
    See(Dir::Rx, Frame(Dir::Rx, 13, ACK, b)); // b before a: nothing known about it yet
    EXPECT_EQ(Bytes(Cause::Publish, Layer::Mqtt, Dir::Rx), 0u);
    See(Dir::Rx, Frame(Dir::Rx, 13, ACK, b)); // a second copy of the waiting one
    EXPECT_EQ(Bytes(Cause::Retransmission, Layer::Mqtt, Dir::Rx), 12u);
    See(Dir::Rx, Frame(Dir::Rx, 1, ACK, a)); // the gap fills
    EXPECT_EQ(Bytes(Cause::Publish, Layer::Mqtt, Dir::Rx), 24u);
    EXPECT_EQ(Bytes(Cause::Publish, Layer::TcpIp, Dir::Rx), 80u);
    See(Dir::Rx, Frame(Dir::Rx, 1, ACK, a)); // a duplicate of bytes delivered
    EXPECT_EQ(Bytes(Cause::Retransmission, Layer::Mqtt, Dir::Rx), 24u);
    // c's successor arrives, c never does: counted as Other at the end.
    See(Dir::Rx, Frame(Dir::Rx, 27, ACK, Mqtt(0x30, 3)));
    bytes.Finish();
    EXPECT_EQ(Bytes(Cause::Other, Layer::Mqtt, Dir::Rx), 5u);
    EXPECT_EQ(Bytes(Cause::KeepAlive, Layer::Mqtt, Dir::Rx), 0u);
    (void)c;
    See(Dir::Rx, Frame(Dir::Rx, 30, FIN | ACK));
    EXPECT_EQ(Bytes(Cause::Disconnect, Layer::TcpIp, Dir::Rx), 40u);
    ExpectTotals();
}

TEST_F(DeviceBytesTest, FramesThatAreNotTcpOverIpv4AreOther)
{
    See(Dir::Tx, std::vector<uint8_t>(30, 0x08)); // an ARP-sized frame of another protocol
    auto udp = Frame(Dir::Tx, 0, 0, std::vector<uint8_t>(8, 0));
    udp[PPP + 9] = 17;
    See(Dir::Tx, udp);
    See(Dir::Rx, Frame(Dir::Rx, 5, ACK, Mqtt(0x30, 1))); // data of a connection never opened
    EXPECT_EQ(Bytes(Cause::Other, Layer::Link, Dir::Tx), 30u + PPP);
    EXPECT_EQ(Bytes(Cause::Other, Layer::TcpIp, Dir::Tx), 48u);
    EXPECT_EQ(Bytes(Cause::Other, Layer::Mqtt, Dir::Rx), 3u);
    ExpectTotals();
}

TEST_F(DeviceBytesTest, MalformedStreamIsOtherFromThere)
{
    Handshake();
    See(Dir::Tx, Frame(Dir::Tx, 1, ACK, Mqtt(0x10, 4)));
    See(Dir::Tx, Frame(Dir::Tx, 7, ACK, {0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x02}));
    See(Dir::Tx, Frame(Dir::Tx, 14, ACK, Mqtt(0x30, 4)));
    EXPECT_EQ(Bytes(Cause::Connect, Layer::Mqtt, Dir::Tx), 6u);
    EXPECT_EQ(Bytes(Cause::Other, Layer::Mqtt, Dir::Tx), 7u + 6u);
    ExpectTotals();
}

/**
 * A simulated TLS connection (doc/tls-sim.md) between the test profiles' device and broker, its
 * records handed over in memory; the test sends them as frames.
 */
struct TlsPair
{
    MqttTlsSession client;
    MqttTlsSession server;
    std::vector<uint8_t> up;

    explicit TlsPair(TlsVersion version)
        : client(MqttTlsSession::Client(tlstest::Device(version), 0)),
          server(MqttTlsSession::Server(tlstest::Broker()))
    {
    }

    std::vector<uint8_t>
    Hello()
    {
        std::vector<uint8_t> out;
        client.Start(out);
        return out;
    }

    /** What the server answers to @p records of the client. */
    std::vector<uint8_t>
    ToServer(const std::vector<uint8_t>& records)
    {
        std::vector<uint8_t> out;
        EXPECT_TRUE(server.Receive(records.data(), records.size(), up, out));
        return out;
    }

    std::vector<uint8_t>
    ToClient(const std::vector<uint8_t>& records)
    {
        std::vector<uint8_t> out;
        EXPECT_TRUE(client.Receive(records.data(), records.size(), up, out));
        return out;
    }

    static std::vector<uint8_t>
    Records(MqttTlsSession& end, const std::vector<uint8_t>& plain)
    {
        std::vector<uint8_t> out;
        end.Send(plain.data(), plain.size(), out);
        return out;
    }
};

TEST_F(DeviceBytesTest, Tls12HandshakeIsTlsHandshakeAndRecordOverheadIsTlsLayer)
{
    TlsPair tls(TlsVersion::Tls12);
    Handshake();
    auto hello = tls.Hello();
    auto serverFirst = tls.ToServer(hello);
    auto clientSecond = tls.ToClient(serverFirst);
    auto serverSecond = tls.ToServer(clientSecond);
    EXPECT_TRUE(tls.ToClient(serverSecond).empty());
    ASSERT_TRUE(tls.client.IsOpen());
    uint32_t tx = 1;
    uint32_t rx = 1;
    auto send = [&](Dir dir, const std::vector<uint8_t>& payload) {
        uint32_t& seq = dir == Dir::Tx ? tx : rx;
        See(dir, Frame(dir, seq, PSH | ACK, payload));
        seq += uint32_t(payload.size());
    };
    send(Dir::Tx, hello);
    // The server's first flight in two frames: a record cut between them waits to be whole.
    send(Dir::Rx, {serverFirst.begin(), serverFirst.begin() + 100});
    send(Dir::Rx, {serverFirst.begin() + 100, serverFirst.end()});
    send(Dir::Tx, clientSecond);
    send(Dir::Rx, serverSecond);
    // CONNECT (22 bytes) and CONNACK (4) in records of 22 + 29 and 4 + 29 bytes: header 5,
    // explicit nonce 8, tag 16 (AES-128-GCM).
    send(Dir::Tx, TlsPair::Records(tls.client, Mqtt(0x10, 20)));
    send(Dir::Rx, TlsPair::Records(tls.server, Mqtt(0x20, 2)));
    // A PUBLISH of 62 bytes and a PINGREQ in one frame: records of 91 and 31 bytes.
    send(Dir::Tx,
         Concat(TlsPair::Records(tls.client, Mqtt(0x32, 60)),
                TlsPair::Records(tls.client, Mqtt(0xC0, 0))));

    EXPECT_EQ(Bytes(Cause::TlsHandshake, Layer::Tls, Dir::Tx), tls.client.HandshakeBytesSent());
    EXPECT_EQ(Bytes(Cause::TlsHandshake, Layer::Tls, Dir::Rx),
              tls.client.HandshakeBytesReceived());
    EXPECT_EQ(Bytes(Cause::TlsHandshake, Layer::TcpIp, Dir::Tx), 2 * 40u);
    EXPECT_EQ(Bytes(Cause::TlsHandshake, Layer::TcpIp, Dir::Rx), 3 * 40u);
    EXPECT_EQ(Frames(Cause::TlsHandshake, Layer::Link, Dir::Rx), 3u);
    EXPECT_EQ(Bytes(Cause::TlsHandshake, Layer::Mqtt, Dir::Tx), 0u);
    EXPECT_EQ(Bytes(Cause::Connect, Layer::Mqtt, Dir::Tx), 22u);
    EXPECT_EQ(Bytes(Cause::Connect, Layer::Tls, Dir::Tx), 29u);
    EXPECT_EQ(Bytes(Cause::Connect, Layer::TcpIp, Dir::Tx), 3 * 40u); // SYN, ACK, CONNECT
    EXPECT_EQ(Bytes(Cause::Connect, Layer::Mqtt, Dir::Rx), 4u);
    EXPECT_EQ(Bytes(Cause::Connect, Layer::Tls, Dir::Rx), 29u);
    EXPECT_EQ(Bytes(Cause::Publish, Layer::Mqtt, Dir::Tx), 62u);
    EXPECT_EQ(Bytes(Cause::Publish, Layer::Tls, Dir::Tx), 29u);
    EXPECT_EQ(Bytes(Cause::KeepAlive, Layer::Mqtt, Dir::Tx), 2u);
    EXPECT_EQ(Bytes(Cause::KeepAlive, Layer::Tls, Dir::Tx), 29u);
    // The shared frame's headers by payload: 40 * 91 / 122 = 29 and 40 * 31 / 122 = 10, the
    // byte left to the first record's cause; link 2 * 91 / 122 = 1, 0, and 1 left.
    EXPECT_EQ(Bytes(Cause::Publish, Layer::TcpIp, Dir::Tx), 30u);
    EXPECT_EQ(Bytes(Cause::KeepAlive, Layer::TcpIp, Dir::Tx), 10u);
    EXPECT_EQ(Bytes(Cause::Publish, Layer::Link, Dir::Tx), 2u);
    EXPECT_EQ(Bytes(Cause::KeepAlive, Layer::Link, Dir::Tx), 0u);
    for (Dir d : {Dir::Tx, Dir::Rx})
    {
        EXPECT_EQ(Bytes(Cause::Other, Layer::Tls, d), 0u);
        EXPECT_EQ(Bytes(Cause::Other, Layer::Mqtt, d), 0u);
    }
    ExpectTotals();
}

TEST_F(DeviceBytesTest, Tls13InnerContentTypeTellsHandshakeFromMqtt)
{
    TlsPair tls(TlsVersion::Tls13);
    Handshake();
    auto hello = tls.Hello();
    auto serverFirst = tls.ToServer(hello);
    auto clientSecond = tls.ToClient(serverFirst);
    ASSERT_TRUE(tls.client.IsOpen());
    // CONNECT right behind the client's Finished, in the same frame (1 round trip): both are
    // records of type application data; the inner type tells them apart. 22 + 22 bytes: header
    // 5, inner type 1, tag 16.
    auto connect = TlsPair::Records(tls.client, Mqtt(0x10, 20));
    auto tickets = tls.ToServer(clientSecond);
    EXPECT_EQ(tls.up.size(), 0u);
    tls.ToServer(connect);
    auto connack = TlsPair::Records(tls.server, Mqtt(0x20, 2));
    EXPECT_TRUE(tls.ToClient(Concat(tickets, connack)).empty());
    ASSERT_TRUE(tls.client.Complete());

    See(Dir::Tx, Frame(Dir::Tx, 1, PSH | ACK, hello));
    uint32_t rx = 1;
    See(Dir::Rx, Frame(Dir::Rx, rx, PSH | ACK, serverFirst));
    rx += uint32_t(serverFirst.size());
    auto flight = Concat(clientSecond, connect);
    See(Dir::Tx, Frame(Dir::Tx, 1 + uint32_t(hello.size()), PSH | ACK, flight));
    // The server's ticket and the CONNACK in one frame.
    See(Dir::Rx, Frame(Dir::Rx, rx, PSH | ACK, Concat(tickets, connack)));

    EXPECT_EQ(Bytes(Cause::TlsHandshake, Layer::Tls, Dir::Tx), tls.client.HandshakeBytesSent());
    EXPECT_EQ(Bytes(Cause::TlsHandshake, Layer::Tls, Dir::Rx),
              tls.client.HandshakeBytesReceived());
    EXPECT_EQ(Bytes(Cause::Connect, Layer::Mqtt, Dir::Tx), 22u);
    EXPECT_EQ(Bytes(Cause::Connect, Layer::Tls, Dir::Tx), 22u);
    EXPECT_EQ(Bytes(Cause::Connect, Layer::Mqtt, Dir::Rx), 4u);
    EXPECT_EQ(Bytes(Cause::Connect, Layer::Tls, Dir::Rx), 22u);
    // The client's flight and the CONNECT share a frame: 40 * 44 / (flight + 44) for the
    // CONNECT, the rest to the handshake (its first bytes), the same for the link's 2.
    const uint64_t shared = flight.size();
    EXPECT_EQ(Bytes(Cause::Connect, Layer::TcpIp, Dir::Tx), 2 * 40u + 40 * 44 / shared);
    EXPECT_EQ(Bytes(Cause::TlsHandshake, Layer::TcpIp, Dir::Tx), 40u + 40 - 40 * 44 / shared);
    EXPECT_EQ(Bytes(Cause::TlsHandshake, Layer::Link, Dir::Tx), 2u * PPP);
    EXPECT_EQ(Frames(Cause::Connect, Layer::Tls, Dir::Tx), 1u);
    EXPECT_EQ(Frames(Cause::TlsHandshake, Layer::Tls, Dir::Tx), 2u);
    for (Dir d : {Dir::Tx, Dir::Rx})
    {
        EXPECT_EQ(Bytes(Cause::Other, Layer::Tls, d), 0u);
        EXPECT_EQ(Bytes(Cause::Other, Layer::Mqtt, d), 0u);
    }
    ExpectTotals();
}

TEST_F(DeviceBytesTest, TlsRecordNeverWholeIsOtherAtTheEnd)
{
    TlsPair tls(TlsVersion::Tls13);
    Handshake();
    auto hello = tls.Hello();
    See(Dir::Tx, Frame(Dir::Tx, 1, PSH | ACK, {hello.begin(), hello.begin() + 50}));
    EXPECT_EQ(bytes.TotalBytes(Dir::Tx), 2 * (40u + PPP)); // the frame waits for its record
    bytes.Finish();
    EXPECT_EQ(Bytes(Cause::Other, Layer::Tls, Dir::Tx), 50u);
    EXPECT_EQ(Bytes(Cause::TlsHandshake, Layer::Tls, Dir::Tx), 0u);
    ExpectTotals();
}

} // namespace
} // namespace mqtt
} // namespace ns3
