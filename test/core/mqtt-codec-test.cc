/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The MQTT 3.1.1 codec: byte-exact vectors for all 14 packets, one test per malformed input
 * (each naming the exact DecodeError), round trips, and a randomized round trip.
 */
#include "mqtt-codec-expect.h"
#include "mqtt-codec-test-util.h"
#include "mqtt-random-packets.h"
#include "mqtt-codec.h"
#include "mqtt-topic.h"
#include "mqtt-utf8.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

using namespace ns3::mqtt;
using namespace ns3::mqtt::test;

namespace
{

/** A CONNECT packet with the fixed header built around @p body. */
Bytes
ConnectWith(const Bytes& body)
{
    return PacketWith(0x10, body);
}

/** "MQTT", level 4, @p flags, keep alive 60. */
Bytes
ConnectHeader(uint8_t flags)
{
    return Cat({Hex("00 04"), Raw("MQTT"), Hex("04"), Bytes{flags}, Hex("00 3C")});
}

ConnectPacket
SpecConnect()
{
    ConnectPacket c;
    c.cleanSession = true;
    c.keepAliveSeconds = 10;
    c.clientId = "client-1";
    c.will = Will{"will/t", Raw("bye"), Qos::AtLeastOnce, false};
    c.userName = "user";
    c.password = Raw("pw");
    return c;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Byte-exact vectors, encode and decode, for each of the 14 packets.
// ---------------------------------------------------------------------------------------------

// The variable header example of section 3.1.2.10: "MQTT", level 4, flags 0xCE (user name,
// password, will QoS 1, will flag, clean session), keep alive 10. The payload follows in the
// order of [MQTT-3.1.3-1]: client id (first, [MQTT-3.1.3-3]), will topic, will message
// ([MQTT-3.1.2-9]), user name ([MQTT-3.1.2-19]), password ([MQTT-3.1.2-21]).
TEST(Codec, Mqtt_3_1_2_9_3_1_3_1_ConnectSpecExampleVector)
{
    Bytes wire = Cat({Hex("10 2B"),
                      Hex("00 04 4D 51 54 54 04 CE 00 0A"),
                      Hex("00 08"),
                      Raw("client-1"),
                      Hex("00 06"),
                      Raw("will/t"),
                      Hex("00 03"),
                      Raw("bye"),
                      Hex("00 04"),
                      Raw("user"),
                      Hex("00 02"),
                      Raw("pw")});
    ExpectWire(SpecConnect(), wire);
}

// Without a will, user name or password the flag bits are 0 and the fields absent:
// [MQTT-3.1.2-11], [MQTT-3.1.2-13], [MQTT-3.1.2-15], [MQTT-3.1.2-18], [MQTT-3.1.2-20].
// The client id is still present and first [MQTT-3.1.3-3].
TEST(Codec, Mqtt_3_1_2_11_3_1_2_18_3_1_2_20_ConnectMinimalVector)
{
    ConnectPacket c;
    c.cleanSession = false;
    c.keepAliveSeconds = 0x1234;
    c.clientId = "abc";
    ExpectWire(c, Cat({Hex("10 0F 00 04 4D 51 54 54 04 00 12 34 00 03"), Raw("abc")}));

    c.cleanSession = true;
    ExpectWire(c, Cat({Hex("10 0F 00 04 4D 51 54 54 04 02 12 34 00 03"), Raw("abc")}));
}

// A zero-length client id is syntactically valid; whether it is accepted is the engine's call.
// The field is still present as the first one of the payload [MQTT-3.1.3-3].
TEST(Codec, Mqtt_3_1_3_3_ConnectEmptyClientIdStillPresent)
{
    ConnectPacket c;
    ExpectWire(c, Hex("10 0C 00 04 4D 51 54 54 04 02 00 00 00 00"));
}

// Will QoS goes to bits 4-3, Will Retain to bit 5 ([MQTT-3.1.2-9], [MQTT-3.1.2-14]: only 0..2).
TEST(Codec, Mqtt_3_1_2_14_ConnectWillQosAndRetainBits)
{
    const uint8_t expected[3] = {0x06, 0x0E, 0x16}; // will flag, clean session, QoS 0/1/2
    for (int q = 0; q <= 2; ++q)
    {
        ConnectPacket c;
        c.clientId = "c";
        c.will = Will{"t", Raw("m"), static_cast<Qos>(q), false};
        Bytes wire = Cat({Hex("10 13 00 04 4D 51 54 54 04"),
                          Bytes{expected[q]},
                          Hex("00 00 00 01"),
                          Raw("c"),
                          Hex("00 01"),
                          Raw("t"),
                          Hex("00 01"),
                          Raw("m")});
        ExpectWire(c, wire);
        c.will->retain = true;
        wire[9] |= 0x20;
        ExpectWire(c, wire);
    }
}

// A user name alone: flag bit 7, the field after the client id ([MQTT-3.1.2-19],
// [MQTT-3.1.2-20]); a user name and an empty password: both flags, both fields ([MQTT-3.1.2-21]).
TEST(Codec, Mqtt_3_1_2_19_3_1_2_21_ConnectUserNameAndPasswordVectors)
{
    ConnectPacket c;
    c.clientId = "c";
    c.userName = "u";
    ExpectWire(
        c,
        Cat({Hex("10 10 00 04 4D 51 54 54 04 82 00 00 00 01"), Raw("c"), Hex("00 01"), Raw("u")}));
    c.password = Bytes{};
    ExpectWire(c,
               Cat({Hex("10 12 00 04 4D 51 54 54 04 C2 00 00 00 01"),
                    Raw("c"),
                    Hex("00 01"),
                    Raw("u"),
                    Hex("00 00")}));
    // The password is binary: any byte, including 0x00 and bytes that are not UTF-8.
    c.password = Hex("00 FF C0");
    ExpectWire(c,
               Cat({Hex("10 15 00 04 4D 51 54 54 04 C2 00 00 00 01"),
                    Raw("c"),
                    Hex("00 01"),
                    Raw("u"),
                    Hex("00 03 00 FF C0")}));
}

// The Will Message is binary data too (section 3.1.3.3).
TEST(Codec, ConnectWillMessageIsBinary)
{
    ConnectPacket c;
    c.clientId = "c";
    c.will = Will{"t", Hex("00 FF"), Qos::AtMostOnce, false};
    ExpectWire(c,
               Cat({Hex("10 14 00 04 4D 51 54 54 04 06 00 00 00 01"),
                    Raw("c"),
                    Hex("00 01"),
                    Raw("t"),
                    Hex("00 02 00 FF")}));
}

TEST(Codec, ConnackVectors)
{
    ExpectWire(ConnackPacket{false, ConnectReturnCode::Accepted}, Hex("20 02 00 00"));
    ExpectWire(ConnackPacket{true, ConnectReturnCode::Accepted}, Hex("20 02 01 00"));
    ExpectWire(ConnackPacket{false, ConnectReturnCode::UnacceptableProtocolVersion},
               Hex("20 02 00 01"));
    ExpectWire(ConnackPacket{false, ConnectReturnCode::IdentifierRejected}, Hex("20 02 00 02"));
    ExpectWire(ConnackPacket{false, ConnectReturnCode::ServerUnavailable}, Hex("20 02 00 03"));
    ExpectWire(ConnackPacket{false, ConnectReturnCode::BadUserNameOrPassword}, Hex("20 02 00 04"));
    ExpectWire(ConnackPacket{false, ConnectReturnCode::NotAuthorized}, Hex("20 02 00 05"));
}

// The variable header example of section 3.3.2.3: topic "a/b", packet identifier 10.
TEST(Codec, PublishSpecExampleVector)
{
    PublishPacket p;
    p.qos = Qos::AtLeastOnce;
    p.topic = "a/b";
    p.packetId = 10;
    p.payload = Raw("hi");
    ExpectWire(p, Cat({Hex("32 09 00 03"), Raw("a/b"), Hex("00 0A"), Raw("hi")}));
}

// A QoS 0 PUBLISH has no packet identifier field [MQTT-2.3.1-5]: the bytes after the topic are
// all payload, both ways.
TEST(Codec, Mqtt_2_3_1_5_PublishQos0HasNoPacketId)
{
    PublishPacket p;
    p.topic = "a/b";
    p.payload = Hex("00 0A");
    ExpectWire(p, Cat({Hex("30 07 00 03"), Raw("a/b"), Hex("00 0A")}));

    // Encoding a QoS 0 PUBLISH leaves out the identifier whatever the struct holds.
    PublishPacket withId = p;
    withId.packetId = 77;
    EXPECT_EQ(Enc(withId), Cat({Hex("30 07 00 03"), Raw("a/b"), Hex("00 0A")}));
    auto decoded = std::get<PublishPacket>(DecodeAll(Enc(withId)));
    EXPECT_EQ(decoded.packetId, 0);
    EXPECT_EQ(decoded.payload, Hex("00 0A"));
}

// DUP, QoS and RETAIN bits of the fixed header (section 3.3.1), and a zero-length payload, which
// is valid (section 3.3.3).
TEST(Codec, PublishFlagBitsAndEmptyPayload)
{
    PublishPacket p;
    p.topic = "t";
    ExpectWire(p, Hex("30 03 00 01 74"));
    p.retain = true;
    ExpectWire(p, Hex("31 03 00 01 74"));
    p.qos = Qos::ExactlyOnce;
    p.packetId = 0xFFFF;
    ExpectWire(p, Hex("35 05 00 01 74 FF FF"));
    p.dup = true;
    ExpectWire(p, Hex("3D 05 00 01 74 FF FF"));
    p.retain = false;
    p.qos = Qos::AtLeastOnce;
    p.packetId = 1;
    ExpectWire(p, Hex("3A 05 00 01 74 00 01"));
}

// EncodePublish writes the same bytes as Encode of the equivalent PublishPacket.
TEST(Codec, EncodePublishMatchesEncode)
{
    PublishPacket p;
    p.dup = true;
    p.qos = Qos::ExactlyOnce;
    p.retain = true;
    p.topic = "sensors/1/temp";
    p.packetId = 4242;
    p.payload = Bytes(300, 0xAB);
    Bytes out = Hex("AA BB"); // appends, keeping what was there
    EncodePublish(
        p.dup, p.qos, p.retain, p.topic, p.packetId, p.payload.data(), p.payload.size(), out);
    EXPECT_EQ(out, Cat({Hex("AA BB"), Enc(p)}));
}

TEST(Codec, PubackPubrecPubrelPubcompUnsubackVectors)
{
    ExpectWire(PubackPacket{0x1234}, Hex("40 02 12 34"));
    ExpectWire(PubrecPacket{1}, Hex("50 02 00 01"));
    ExpectWire(PubrelPacket{0xFFFF}, Hex("62 02 FF FF")); // flags 0010 [MQTT-3.6.1-1]
    ExpectWire(PubcompPacket{0x0102}, Hex("70 02 01 02"));
    ExpectWire(UnsubackPacket{10}, Hex("B0 02 00 0A"));
}

// The payload example of section 3.8.3: packet id 10, "a/b" QoS 1, "c/d" QoS 2; flags 0010
// [MQTT-3.8.1-1].
TEST(Codec, SubscribeSpecExampleVector)
{
    SubscribePacket s{10, {{"a/b", Qos::AtLeastOnce}, {"c/d", Qos::ExactlyOnce}}};
    ExpectWire(s,
               Cat({Hex("82 0E 00 0A 00 03"), Raw("a/b"), Hex("01 00 03"), Raw("c/d"), Hex("02")}));
}

// The payload example of section 3.9.3 (granted 0, granted 2, failure) and every allowed return
// code [MQTT-3.9.3-2].
TEST(Codec, Mqtt_3_9_3_2_SubackVectors)
{
    ExpectWire(SubackPacket{10, {0x00, 0x02, 0x80}}, Hex("90 05 00 0A 00 02 80"));
    ExpectWire(SubackPacket{1, {0x00, 0x01, 0x02, 0x80}}, Hex("90 06 00 01 00 01 02 80"));
}

// The payload example of section 3.10.3: packet id 10, "a/b", "c/d"; flags 0010
// [MQTT-3.10.1-1].
TEST(Codec, UnsubscribeSpecExampleVector)
{
    UnsubscribePacket u{10, {"a/b", "c/d"}};
    ExpectWire(u, Cat({Hex("A2 0C 00 0A 00 03"), Raw("a/b"), Hex("00 03"), Raw("c/d")}));
}

TEST(Codec, PingreqPingrespDisconnectVectors)
{
    ExpectWire(PingreqPacket{}, Hex("C0 00"));
    ExpectWire(PingrespPacket{}, Hex("D0 00"));
    ExpectWire(DisconnectPacket{}, Hex("E0 00"));
}

// The encoder sets every reserved fixed-header flag to the value of table 2.2 [MQTT-2.2.2-1]:
// 0010 for PUBREL, SUBSCRIBE and UNSUBSCRIBE ([MQTT-3.6.1-1], [MQTT-3.8.1-1], [MQTT-3.10.1-1]),
// 0000 for the others.
TEST(Codec, Mqtt_2_2_2_1_EncoderSetsReservedFlags)
{
    const std::vector<std::pair<Packet, uint8_t>> cases = {
        {ConnectPacket{}, 0x10},
        {ConnackPacket{}, 0x20},
        {PubackPacket{1}, 0x40},
        {PubrecPacket{1}, 0x50},
        {PubrelPacket{1}, 0x62},
        {PubcompPacket{1}, 0x70},
        {SubscribePacket{1, {{"a", Qos::AtMostOnce}}}, 0x82},
        {SubackPacket{1, {0}}, 0x90},
        {UnsubscribePacket{1, {"a"}}, 0xA2},
        {UnsubackPacket{1}, 0xB0},
        {PingreqPacket{}, 0xC0},
        {PingrespPacket{}, 0xD0},
        {DisconnectPacket{}, 0xE0},
    };
    for (const auto& [packet, first] : cases)
    {
        EXPECT_EQ(Enc(packet).at(0), first) << PacketTypeName(TypeOf(packet));
    }
}

// The UTF-8 example of section 1.5.3.1 ("A" then U+2A6D4) as a topic, and U+FEFF in a topic
// and a client id: EF BB BF is a character and is kept, not stripped as a BOM [MQTT-1.5.3-3].
TEST(Codec, Mqtt_1_5_3_3_ZeroWidthNoBreakSpaceIsKept)
{
    PublishPacket p;
    p.topic = Str(Hex("41 F0 AA 9B 94"));
    ExpectWire(p, Hex("30 07 00 05 41 F0 AA 9B 94"));

    p.topic = Str(Hex("EF BB BF 61"));
    ExpectWire(p, Hex("30 06 00 04 EF BB BF 61"));
    EXPECT_EQ(std::get<PublishPacket>(DecodeAll(Hex("30 06 00 04 EF BB BF 61"))).topic.size(), 4u);

    ConnectPacket c;
    c.clientId = Str(Hex("EF BB BF"));
    auto connect = std::get<ConnectPacket>(
        DecodeAll(Hex("10 0F 00 04 4D 51 54 54 04 02 00 00 00 03 EF BB BF")));
    EXPECT_EQ(connect.clientId, Str(Hex("EF BB BF")));
    EXPECT_EQ(Enc(c), Hex("10 0F 00 04 4D 51 54 54 04 02 00 00 00 03 EF BB BF"));
}

// ---------------------------------------------------------------------------------------------
// Remaining Length (section 2.2.3).
// ---------------------------------------------------------------------------------------------

namespace
{

struct LengthCase
{
    uint32_t value;
    const char* wire;
};

// The boundary table of section 2.2.3.
const LengthCase LENGTH_TABLE[] = {
    {0, "00"},
    {127, "7F"},
    {128, "80 01"},
    {16383, "FF 7F"},
    {16384, "80 80 01"},
    {2097151, "FF FF 7F"},
    {2097152, "80 80 80 01"},
    {268435455, "FF FF FF 7F"},
};

} // namespace

TEST(Codec, RemainingLengthBoundaryTableEncoding)
{
    for (const LengthCase& c : LENGTH_TABLE)
    {
        uint8_t buf[4] = {};
        std::size_t n = EncodeRemainingLength(c.value, buf);
        EXPECT_EQ(Bytes(buf, buf + n), Hex(c.wire)) << c.value;
    }
}

// Decoding each boundary value: a SUBSCRIBE header announcing it is exactly as large as the
// value says: it fits a maximum packet size of 1 + length bytes + value (NeedMore, waiting for
// the body) and is PacketTooLarge one byte below.
TEST(Codec, RemainingLengthBoundaryTableDecoding)
{
    for (const LengthCase& c : LENGTH_TABLE)
    {
        Bytes header = Cat({Hex("82"), Hex(c.wire)});
        std::size_t total = header.size() + c.value;
        Packet out;
        if (c.value == 0)
        {
            // Nothing to wait for: a SUBSCRIBE without a packet identifier.
            EXPECT_EQ(Decode(header.data(), header.size(), out, total).error,
                      DecodeError::Truncated);
        }
        else
        {
            EXPECT_EQ(Decode(header.data(), header.size(), out, total).status,
                      DecodeStatus::NeedMore)
                << c.value;
        }
        DecodeResult r = Decode(header.data(), header.size(), out, total - 1);
        EXPECT_EQ(r.status, DecodeStatus::Error) << c.value;
        EXPECT_EQ(r.error, DecodeError::PacketTooLarge) << c.value;
    }
}

// Whole packets at the boundaries that fit in memory comfortably: a PUBLISH to "t" whose payload
// makes the remaining length exactly the boundary value (and 0 with a PINGREQ).
TEST(Codec, RemainingLengthBoundaryPackets)
{
    ExpectWire(PingreqPacket{}, Hex("C0 00"));
    for (const LengthCase& c : LENGTH_TABLE)
    {
        if (c.value < 3 || c.value > 2097152)
        {
            continue;
        }
        PublishPacket p;
        p.topic = "t";
        p.payload.assign(c.value - 3, 0x5A);
        Bytes wire = Enc(p);
        Bytes header = Cat({Hex("30"), Hex(c.wire), Hex("00 01 74")});
        ASSERT_EQ(wire.size(), header.size() - 3 + c.value);
        EXPECT_EQ(Bytes(wire.begin(), wire.begin() + static_cast<long>(header.size())), header);
        EXPECT_EQ(EncodedSize(p), wire.size());
        EXPECT_TRUE(DecodeAll(wire) == Packet(p)) << c.value;
    }
}

// 3.1.1 does not forbid a longer-than-needed length encoding (5.0 does); it is read by value.
TEST(Codec, RemainingLengthOverlongEncodingIsReadByValue)
{
    Bytes wire = Hex("C0 80 80 00");
    Packet out;
    DecodeResult r = Decode(wire.data(), wire.size(), out);
    EXPECT_EQ(r.status, DecodeStatus::Complete);
    EXPECT_EQ(r.consumed, 4u);
    EXPECT_TRUE(std::holds_alternative<PingreqPacket>(out));
}

// A fourth length byte with the continuation bit set is malformed (section 2.2.3), known before
// any further byte arrives.
TEST(Codec, RemainingLengthOverFourBytesIsMalformed)
{
    EXPECT_EQ(DecodeError_(Hex("30 FF FF FF 80")), DecodeError::RemainingLengthTooLong);
    EXPECT_EQ(DecodeError_(Hex("30 80 80 80 80 01")), DecodeError::RemainingLengthTooLong);
    EXPECT_EQ(DecodeError_(Hex("C0 FF FF FF FF 7F")), DecodeError::RemainingLengthTooLong);
}

// The receiver's maximum packet size: a larger packet is refused as soon as its length is known,
// and even before, once the length bytes so far prove it too large.
TEST(Codec, PacketTooLargeOnTheHeaderAlone)
{
    Bytes header = Hex("30 E5 00"); // remaining length 101, total 104
    Packet out;
    EXPECT_EQ(Decode(header.data(), header.size(), out, 103).error, DecodeError::PacketTooLarge);
    EXPECT_EQ(Decode(header.data(), header.size(), out, 104).status, DecodeStatus::NeedMore);
    // "30 E5" alone: the length is at least 101 (if the next byte is 00), so at least 104 bytes.
    EXPECT_EQ(Decode(header.data(), 2, out, 103).error, DecodeError::PacketTooLarge);
    EXPECT_EQ(Decode(header.data(), 2, out, 104).status, DecodeStatus::NeedMore);
    EXPECT_EQ(DecodeError_(Hex("30 FF FF FF 7F"), 1024 * 1024), DecodeError::PacketTooLarge);
    // A complete but too large packet.
    EXPECT_EQ(DecodeError_(Hex("C0 00"), 1), DecodeError::PacketTooLarge);
    // Too large after the second length byte, before the over-long fifth one is seen: the verdict
    // is the same with 2, 3, 4 or 5 length bytes present (a fuzzer finding).
    EXPECT_EQ(DecodeError_(Hex("A2 FF FF FF FF"), 64), DecodeError::PacketTooLarge);
    EXPECT_EQ(Decode(header.data(), 0, out, 0).status, DecodeStatus::NeedMore);
}

// ---------------------------------------------------------------------------------------------
// Fixed header: packet types and flags (section 2.2).
// ---------------------------------------------------------------------------------------------

// Types 0 and 15 are reserved (section 2.2.1), known from the first byte.
TEST(Codec, ReservedPacketTypes)
{
    EXPECT_EQ(DecodeError_(Hex("00 00")), DecodeError::ReservedPacketType);
    EXPECT_EQ(DecodeError_(Hex("F0 00")), DecodeError::ReservedPacketType);
    EXPECT_EQ(DecodeError_(Hex("0F")), DecodeError::ReservedPacketType);
    EXPECT_EQ(DecodeError_(Hex("FF")), DecodeError::ReservedPacketType);
}

// Every reserved flag value other than the one of table 2.2 is refused [MQTT-2.2.2-1],
// [MQTT-2.2.2-2], for every type that has reserved flags.
TEST(Codec, Mqtt_2_2_2_1_2_2_2_2_InvalidFixedHeaderFlags)
{
    // A valid body for each type, so only the flags can be wrong.
    const std::vector<std::pair<uint8_t, Bytes>> types = {
        {0x10, Enc(ConnectPacket{})},
        {0x20, Hex("20 02 00 00")},
        {0x40, Hex("40 02 00 01")},
        {0x50, Hex("50 02 00 01")},
        {0x60, Hex("62 02 00 01")},
        {0x70, Hex("70 02 00 01")},
        {0x80, Cat({Hex("82 06 00 01 00 01"), Raw("a"), Hex("00")})},
        {0x90, Hex("90 03 00 01 00")},
        {0xA0, Cat({Hex("A2 05 00 01 00 01"), Raw("a")})},
        {0xB0, Hex("B0 02 00 01")},
        {0xC0, Hex("C0 00")},
        {0xD0, Hex("D0 00")},
        {0xE0, Hex("E0 00")},
    };
    for (const auto& [type, valid] : types)
    {
        const uint8_t good = valid[0] & 0x0F;
        for (uint8_t flags = 0; flags < 16; ++flags)
        {
            Bytes wire = valid;
            wire[0] = static_cast<uint8_t>(type | flags);
            if (flags == good)
            {
                DecodeAll(wire);
            }
            else
            {
                EXPECT_EQ(DecodeError_(wire), DecodeError::InvalidFixedHeaderFlags)
                    << std::hex << int(wire[0]);
            }
        }
    }
}

// PUBREL with flags other than 0010 [MQTT-3.6.1-1].
TEST(Codec, Mqtt_3_6_1_1_PubrelFlags)
{
    EXPECT_EQ(DecodeError_(Hex("60 02 00 01")), DecodeError::InvalidFixedHeaderFlags);
    EXPECT_EQ(DecodeError_(Hex("63 02 00 01")), DecodeError::InvalidFixedHeaderFlags);
    EXPECT_TRUE(DecodeAll(Hex("62 02 00 01")) == Packet(PubrelPacket{1}));
}

// SUBSCRIBE with flags other than 0010 [MQTT-3.8.1-1].
TEST(Codec, Mqtt_3_8_1_1_SubscribeFlags)
{
    Bytes body = Cat({Hex("06 00 01 00 01"), Raw("a"), Hex("00")});
    EXPECT_EQ(DecodeError_(Cat({Hex("80"), body})), DecodeError::InvalidFixedHeaderFlags);
    EXPECT_EQ(DecodeError_(Cat({Hex("8A"), body})), DecodeError::InvalidFixedHeaderFlags);
    DecodeAll(Cat({Hex("82"), body}));
}

// UNSUBSCRIBE with flags other than 0010 [MQTT-3.10.1-1].
TEST(Codec, Mqtt_3_10_1_1_UnsubscribeFlags)
{
    Bytes body = Cat({Hex("05 00 01 00 01"), Raw("a")});
    EXPECT_EQ(DecodeError_(Cat({Hex("A0"), body})), DecodeError::InvalidFixedHeaderFlags);
    EXPECT_EQ(DecodeError_(Cat({Hex("A3"), body})), DecodeError::InvalidFixedHeaderFlags);
    DecodeAll(Cat({Hex("A2"), body}));
}

// DISCONNECT with reserved flags not 0 [MQTT-3.14.1-1].
TEST(Codec, Mqtt_3_14_1_1_DisconnectFlags)
{
    EXPECT_EQ(DecodeError_(Hex("E1 00")), DecodeError::InvalidFixedHeaderFlags);
    EXPECT_EQ(DecodeError_(Hex("E8 00")), DecodeError::InvalidFixedHeaderFlags);
    EXPECT_TRUE(DecodeAll(Hex("E0 00")) == Packet(DisconnectPacket{}));
}

// ---------------------------------------------------------------------------------------------
// CONNECT.
// ---------------------------------------------------------------------------------------------

// A protocol name other than "MQTT" [MQTT-3.1.2-1]; the name is kept in out for the log.
TEST(Codec, Mqtt_3_1_2_1_InvalidProtocolName)
{
    for (const char* name : {"MQTX", "mqtt", "MQT", "", "MQTTT", "HTTP"})
    {
        Bytes wire = ConnectWith(Cat({Field(name), Hex("04 02 00 00 00 00")}));
        EXPECT_EQ(DecodeError_(wire), DecodeError::InvalidProtocolName) << name;
        Packet out;
        Decode(wire.data(), wire.size(), out);
        ASSERT_TRUE(std::holds_alternative<ConnectPacket>(out));
        EXPECT_EQ(std::get<ConnectPacket>(out).protocolName, name);
    }
}

// "MQTT" with a level other than 4, and "MQIsdp" (MQTT 3.1), are a known protocol at a level we
// do not speak: UnsupportedProtocolLevel with the name and level in out, so the broker can answer
// CONNACK 0x01 (the codec's part of [MQTT-3.1.2-2]). A 5.0 CONNECT (level 5, with properties)
// is recognised the same way, before its 5.0-only fields are read.
TEST(Codec, Mqtt_3_1_2_2_UnsupportedProtocolLevel)
{
    const std::vector<std::pair<std::string, uint8_t>> cases = {
        {"MQTT", 3}, {"MQTT", 5}, {"MQTT", 0}, {"MQTT", 255}, {"MQIsdp", 3}, {"MQIsdp", 4}};
    for (const auto& [name, level] : cases)
    {
        Bytes wire = ConnectWith(Cat({Field(name), Bytes{level}, Hex("02 00 3C 00 00")}));
        EXPECT_EQ(DecodeError_(wire), DecodeError::UnsupportedProtocolLevel) << name << int(level);
        Packet out;
        Decode(wire.data(), wire.size(), out);
        ASSERT_TRUE(std::holds_alternative<ConnectPacket>(out));
        EXPECT_EQ(std::get<ConnectPacket>(out).protocolName, name);
        EXPECT_EQ(std::get<ConnectPacket>(out).protocolLevel, level);
    }
    // MQTT 5.0: properties length 0 after the keep alive.
    Bytes v5 = ConnectWith(Cat({Field("MQTT"), Hex("05 02 00 3C 00 00 00")}));
    EXPECT_EQ(DecodeError_(v5), DecodeError::UnsupportedProtocolLevel);
}

// The reserved Connect Flags bit 0 must be 0 [MQTT-3.1.2-3].
TEST(Codec, Mqtt_3_1_2_3_ConnectReservedFlagSet)
{
    EXPECT_EQ(DecodeError_(ConnectWith(Cat({ConnectHeader(0x03), Field("c")}))),
              DecodeError::ConnectReservedFlagSet);
    EXPECT_EQ(DecodeError_(ConnectWith(Cat({ConnectHeader(0x01), Field("c")}))),
              DecodeError::ConnectReservedFlagSet);
}

// Will QoS must be 0 when the Will Flag is 0 ([MQTT-3.1.2-11], [MQTT-3.1.2-13]).
TEST(Codec, Mqtt_3_1_2_13_WillQosWithoutWill)
{
    for (uint8_t flags : {0x08, 0x10, 0x18})
    {
        EXPECT_EQ(DecodeError_(ConnectWith(Cat({ConnectHeader(flags | 0x02), Field("c")}))),
                  DecodeError::WillFlagsWithoutWill)
            << int(flags);
    }
}

// Will Retain must be 0 when the Will Flag is 0 ([MQTT-3.1.2-11], [MQTT-3.1.2-15]).
TEST(Codec, Mqtt_3_1_2_15_WillRetainWithoutWill)
{
    EXPECT_EQ(DecodeError_(ConnectWith(Cat({ConnectHeader(0x22), Field("c")}))),
              DecodeError::WillFlagsWithoutWill);
}

// Will QoS 3 is forbidden [MQTT-3.1.2-14].
TEST(Codec, Mqtt_3_1_2_14_WillQos3)
{
    Bytes body = Cat({ConnectHeader(0x1E), Field("c"), Field("t"), Field("m")});
    EXPECT_EQ(DecodeError_(ConnectWith(body)), DecodeError::InvalidWillQos);
}

// A password without a user name [MQTT-3.1.2-22].
TEST(Codec, Mqtt_3_1_2_22_PasswordWithoutUserName)
{
    Bytes body = Cat({ConnectHeader(0x42), Field("c"), Field("p")});
    EXPECT_EQ(DecodeError_(ConnectWith(body)), DecodeError::PasswordWithoutUserName);
    // With the user name flag as well it is fine.
    Bytes ok = Cat({ConnectHeader(0xC2), Field("c"), Field("u"), Field("p")});
    auto c = std::get<ConnectPacket>(DecodeAll(ConnectWith(ok)));
    EXPECT_EQ(c.userName, std::optional<std::string>("u"));
    EXPECT_EQ(c.password, std::optional<Bytes>(Raw("p")));
}

// The decoder reads each optional field exactly when its flag says so: a flag without its field
// is Truncated, a field without its flag is TrailingBytes ([MQTT-3.1.2-9], [MQTT-3.1.2-11],
// [MQTT-3.1.2-18] to [MQTT-3.1.2-21]).
TEST(Codec, Mqtt_3_1_2_18_3_1_2_21_ConnectFieldsFollowTheFlags)
{
    // Will flag, no will fields.
    EXPECT_EQ(DecodeError_(ConnectWith(Cat({ConnectHeader(0x06), Field("c")}))),
              DecodeError::Truncated);
    // Will flag, topic but no message.
    EXPECT_EQ(DecodeError_(ConnectWith(Cat({ConnectHeader(0x06), Field("c"), Field("t")}))),
              DecodeError::Truncated);
    // Will fields, no will flag.
    EXPECT_EQ(
        DecodeError_(ConnectWith(Cat({ConnectHeader(0x02), Field("c"), Field("t"), Field("m")}))),
        DecodeError::TrailingBytes);
    // User name flag, no user name.
    EXPECT_EQ(DecodeError_(ConnectWith(Cat({ConnectHeader(0x82), Field("c")}))),
              DecodeError::Truncated);
    // User name, no flag.
    EXPECT_EQ(DecodeError_(ConnectWith(Cat({ConnectHeader(0x02), Field("c"), Field("u")}))),
              DecodeError::TrailingBytes);
    // Password flag, no password.
    EXPECT_EQ(DecodeError_(ConnectWith(Cat({ConnectHeader(0xC2), Field("c"), Field("u")}))),
              DecodeError::Truncated);
    // Password, no flag.
    EXPECT_EQ(
        DecodeError_(ConnectWith(Cat({ConnectHeader(0x82), Field("c"), Field("u"), Field("p")}))),
        DecodeError::TrailingBytes);
}

// Every CONNECT field that runs past the remaining length is Truncated, and a byte after the
// last field is TrailingBytes.
TEST(Codec, ConnectTruncatedAndTrailing)
{
    Bytes full = Enc(SpecConnect());
    const std::size_t body = full.size() - 2;
    // Shrink the remaining length one byte at a time: each cut lands inside some field.
    for (std::size_t cut = 1; cut <= body; ++cut)
    {
        Bytes wire(full.begin(), full.end() - static_cast<long>(cut));
        wire[1] = static_cast<uint8_t>(body - cut);
        EXPECT_EQ(DecodeError_(wire), DecodeError::Truncated) << cut;
    }
    Bytes trailing = Cat({full, Hex("00")});
    trailing[1] += 1;
    EXPECT_EQ(DecodeError_(trailing), DecodeError::TrailingBytes);
}

// The client id is a UTF-8 string [MQTT-3.1.3-4]: ill-formed ([MQTT-1.5.3-1]) or U+0000
// ([MQTT-1.5.3-2]) is refused.
TEST(Codec, Mqtt_3_1_3_4_ClientIdUtf8)
{
    EXPECT_EQ(DecodeError_(ConnectWith(Cat({ConnectHeader(0x02), Field(Hex("61 C3"))}))),
              DecodeError::MalformedUtf8);
    EXPECT_EQ(DecodeError_(ConnectWith(Cat({ConnectHeader(0x02), Field(Hex("ED A0 80"))}))),
              DecodeError::MalformedUtf8); // an encoded surrogate
    EXPECT_EQ(DecodeError_(ConnectWith(Cat({ConnectHeader(0x02), Field(Hex("61 00 62"))}))),
              DecodeError::Utf8NullCharacter);
    EXPECT_EQ(DecodeError_(ConnectWith(Cat({ConnectHeader(0x02), Field(Hex("C0 80"))}))),
              DecodeError::MalformedUtf8); // overlong U+0000
}

// The will topic is a UTF-8 string [MQTT-3.1.3-10], and a topic name: no wildcards
// [MQTT-4.7.1-1], not empty [MQTT-4.7.3-1].
TEST(Codec, Mqtt_3_1_3_10_WillTopicUtf8AndTopicName)
{
    auto withWillTopic = [](const Bytes& topic) {
        return ConnectWith(Cat({ConnectHeader(0x06), Field("c"), Field(topic), Field("m")}));
    };
    EXPECT_EQ(DecodeError_(withWillTopic(Hex("FF"))), DecodeError::MalformedUtf8);
    EXPECT_EQ(DecodeError_(withWillTopic(Hex("74 00"))), DecodeError::Utf8NullCharacter);
    EXPECT_EQ(DecodeError_(withWillTopic(Raw("a/+"))), DecodeError::InvalidTopicName);
    EXPECT_EQ(DecodeError_(withWillTopic(Raw("#"))), DecodeError::InvalidTopicName);
    EXPECT_EQ(DecodeError_(withWillTopic(Raw(""))), DecodeError::InvalidTopicName);
    auto c = std::get<ConnectPacket>(DecodeAll(withWillTopic(Hex("C3 A9 2F 74"))));
    EXPECT_EQ(c.will->topic, Str(Hex("C3 A9 2F 74")));
}

// The user name is a UTF-8 string [MQTT-3.1.3-11].
TEST(Codec, Mqtt_3_1_3_11_UserNameUtf8)
{
    auto withUser = [](const Bytes& user) {
        return ConnectWith(Cat({ConnectHeader(0x82), Field("c"), Field(user)}));
    };
    EXPECT_EQ(DecodeError_(withUser(Hex("80"))), DecodeError::MalformedUtf8);
    EXPECT_EQ(DecodeError_(withUser(Hex("00"))), DecodeError::Utf8NullCharacter);
    EXPECT_EQ(std::get<ConnectPacket>(DecodeAll(withUser(Hex("E2 82 AC")))).userName,
              std::optional<std::string>(Str(Hex("E2 82 AC"))));
}

// ---------------------------------------------------------------------------------------------
// CONNACK (section 3.2).
// ---------------------------------------------------------------------------------------------

// Acknowledge flags bits 7-1 are reserved (section 3.2.2.1).
TEST(Codec, ConnackReservedFlags)
{
    EXPECT_EQ(DecodeError_(Hex("20 02 02 00")), DecodeError::InvalidConnackFlags);
    EXPECT_EQ(DecodeError_(Hex("20 02 80 00")), DecodeError::InvalidConnackFlags);
    EXPECT_EQ(DecodeError_(Hex("20 02 FF 00")), DecodeError::InvalidConnackFlags);
}

// Return codes 6-255 are reserved (section 3.2.2.3).
TEST(Codec, ConnackReservedReturnCodes)
{
    for (int code : {6, 7, 0x80, 255})
    {
        Bytes wire = Hex("20 02 00 00");
        wire[3] = static_cast<uint8_t>(code);
        EXPECT_EQ(DecodeError_(wire), DecodeError::InvalidConnackReturnCode) << code;
    }
}

// CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP and UNSUBACK have a remaining length of exactly 2,
// PINGREQ, PINGRESP and DISCONNECT of 0; anything else is known from the header alone.
TEST(Codec, FixedLengthPacketsWrongLength)
{
    for (uint8_t first : {0x20, 0x40, 0x50, 0x62, 0x70, 0xB0})
    {
        EXPECT_EQ(DecodeError_(Bytes{first, 0x00}), DecodeError::Truncated) << int(first);
        EXPECT_EQ(DecodeError_(Bytes{first, 0x01, 0x00}), DecodeError::Truncated) << int(first);
        EXPECT_EQ(DecodeError_(Bytes{first, 0x03, 0x00, 0x01, 0x00}), DecodeError::TrailingBytes)
            << int(first);
        // Known without the body.
        Packet out;
        Bytes header{first, 0x7F};
        EXPECT_EQ(Decode(header.data(), header.size(), out).error, DecodeError::TrailingBytes);
    }
    for (uint8_t first : {0xC0, 0xD0, 0xE0})
    {
        EXPECT_EQ(DecodeError_(Bytes{first, 0x01, 0x00}), DecodeError::TrailingBytes) << int(first);
        Packet out;
        Bytes header{first, 0x05};
        EXPECT_EQ(Decode(header.data(), header.size(), out).error, DecodeError::TrailingBytes);
    }
}

// ---------------------------------------------------------------------------------------------
// PUBLISH (section 3.3).
// ---------------------------------------------------------------------------------------------

// QoS 3 is forbidden [MQTT-3.3.1-4], known from the first byte.
TEST(Codec, Mqtt_3_3_1_4_PublishQos3)
{
    EXPECT_EQ(DecodeError_(Cat({Hex("36 03"), Field("t")})), DecodeError::InvalidQos);
    EXPECT_EQ(DecodeError_(Cat({Hex("3F 05"), Field("t"), Hex("00 01")})), DecodeError::InvalidQos);
}

// DUP must be 0 on a QoS 0 PUBLISH [MQTT-3.3.1-2]; we treat it as malformed.
TEST(Codec, Mqtt_3_3_1_2_DupWithQos0)
{
    EXPECT_EQ(DecodeError_(Cat({Hex("38 03"), Field("t")})), DecodeError::DupWithQosZero);
    EXPECT_EQ(DecodeError_(Cat({Hex("39 03"), Field("t")})), DecodeError::DupWithQosZero);
    // DUP with QoS 1 and 2 is fine.
    EXPECT_TRUE(
        std::get<PublishPacket>(DecodeAll(Cat({Hex("3A 05"), Field("t"), Hex("00 01")}))).dup);
    EXPECT_TRUE(
        std::get<PublishPacket>(DecodeAll(Cat({Hex("3C 05"), Field("t"), Hex("00 01")}))).dup);
}

// The topic name is a UTF-8 string [MQTT-3.3.2-1].
TEST(Codec, Mqtt_3_3_2_1_PublishTopicUtf8)
{
    EXPECT_EQ(DecodeError_(Cat({Hex("30 04"), Field(Hex("61 E2"))})), DecodeError::MalformedUtf8);
    EXPECT_EQ(DecodeError_(Cat({Hex("30 05"), Field(Hex("ED BF BF"))})),
              DecodeError::MalformedUtf8); // U+DFFF
    EXPECT_EQ(DecodeError_(Cat({Hex("30 05"), Field(Hex("61 00 62"))})),
              DecodeError::Utf8NullCharacter);
}

// A topic name holds no wildcard ([MQTT-3.3.2-2], [MQTT-4.7.1-1]) and is not empty
// ([MQTT-4.7.3-1]).
TEST(Codec, Mqtt_3_3_2_2_PublishTopicNoWildcardsNotEmpty)
{
    for (const char* topic : {"+", "#", "a/+", "a/#", "a+b", "sport/tennis#"})
    {
        Bytes body = Field(topic);
        EXPECT_EQ(DecodeError_(PacketWith(0x30, body)), DecodeError::InvalidTopicName) << topic;
    }
    EXPECT_EQ(DecodeError_(Hex("30 02 00 00")), DecodeError::InvalidTopicName);
    EXPECT_EQ(DecodeError_(Hex("32 04 00 00 00 01")), DecodeError::InvalidTopicName);
    // Empty levels and '$' are fine in names.
    for (const char* topic : {"/", "a//b", "$SYS/x", "a b"})
    {
        EXPECT_EQ(std::get<PublishPacket>(DecodeAll(PacketWith(0x30, Field(topic)))).topic, topic);
    }
}

namespace
{

/** The decode error a PUBLISH topic should give, by the topic validator's verdict. */
DecodeError
ExpectedTopicError(std::string_view topic)
{
    switch (ValidateTopicName(topic))
    {
    case TopicError::None:
        return DecodeError::None;
    case TopicError::MalformedUtf8:
        return DecodeError::MalformedUtf8;
    case TopicError::NullCharacter:
        return DecodeError::Utf8NullCharacter;
    default:
        return DecodeError::InvalidTopicName;
    }
}

DecodeError
PublishTopicError(std::string_view topic)
{
    Bytes wire = PacketWith(0x30, Field(Raw(topic)));
    Packet out;
    return Decode(wire.data(), wire.size(), out).error;
}

} // namespace

// The decoder's fast path for plain ASCII topic names agrees with ValidateTopicName on every
// byte value at every position of names of 1 to 20 bytes (the fast path reads 8 bytes at a
// time), and on random names mixing ASCII, wildcards, U+0000 and multi-byte sequences.
TEST(Codec, PublishTopicCheckAgreesWithValidateTopicName)
{
    for (std::size_t len = 1; len <= 20; ++len)
    {
        for (std::size_t pos = 0; pos < len; ++pos)
        {
            for (int b = 0; b < 256; ++b)
            {
                std::string topic(len, 'a');
                topic[pos] = static_cast<char>(b);
                ASSERT_EQ(PublishTopicError(topic), ExpectedTopicError(topic))
                    << len << " " << pos << " " << b;
            }
        }
    }
    std::mt19937 rng(99);
    const std::vector<std::string> pieces = {"a",
                                             "Z",
                                             "/",
                                             "+",
                                             "#",
                                             std::string(1, '\0'),
                                             "\x7F",
                                             "\xC3\xA9",
                                             "\xC3",
                                             "\xED\xA0\x80",
                                             "\xEF\xBB\xBF",
                                             "\xF0\x9F\x98\x80",
                                             "*"};
    for (int i = 0; i < 20000; ++i)
    {
        std::string topic;
        int n = std::uniform_int_distribution<int>(0, 24)(rng);
        for (int k = 0; k < n; ++k)
        {
            // Mostly plain characters, so long clean runs occur.
            int j = std::uniform_int_distribution<int>(0, 40)(rng);
            topic +=
                j < static_cast<int>(pieces.size()) ? pieces[static_cast<std::size_t>(j)] : "abc";
        }
        ASSERT_EQ(PublishTopicError(topic), ExpectedTopicError(topic)) << i;
    }
}

// QoS 1 and 2 PUBLISH carry a non-zero packet identifier [MQTT-2.3.1-1].
TEST(Codec, Mqtt_2_3_1_1_PublishPacketIdZero)
{
    EXPECT_EQ(DecodeError_(Cat({Hex("32 05"), Field("t"), Hex("00 00")})),
              DecodeError::PacketIdZero);
    EXPECT_EQ(DecodeError_(Cat({Hex("34 07"), Field("t"), Hex("00 00 AB CD")})),
              DecodeError::PacketIdZero);
}

TEST(Codec, PublishTruncated)
{
    EXPECT_EQ(DecodeError_(Hex("30 00")), DecodeError::Truncated);
    EXPECT_EQ(DecodeError_(Hex("30 01 00")), DecodeError::Truncated);
    EXPECT_EQ(DecodeError_(Hex("30 03 00 05 61")), DecodeError::Truncated); // topic runs past
    EXPECT_EQ(DecodeError_(Cat({Hex("32 03"), Field("t")})), DecodeError::Truncated); // no id
    EXPECT_EQ(DecodeError_(Cat({Hex("34 04"), Field("t"), Hex("00")})), DecodeError::Truncated);
}

// ---------------------------------------------------------------------------------------------
// PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK: packet identifier 0 [MQTT-2.3.1-1].
// ---------------------------------------------------------------------------------------------

TEST(Codec, Mqtt_2_3_1_1_AcknowledgementPacketIdZero)
{
    for (uint8_t first : {0x40, 0x50, 0x62, 0x70, 0xB0})
    {
        EXPECT_EQ(DecodeError_(Bytes{first, 0x02, 0x00, 0x00}), DecodeError::PacketIdZero)
            << int(first);
    }
}

// ---------------------------------------------------------------------------------------------
// SUBSCRIBE (section 3.8) and SUBACK (section 3.9).
// ---------------------------------------------------------------------------------------------

// SUBSCRIBE carries a non-zero packet identifier [MQTT-2.3.1-1].
TEST(Codec, Mqtt_2_3_1_1_SubscribePacketIdZero)
{
    EXPECT_EQ(DecodeError_(PacketWith(0x82, Cat({Hex("00 00"), Field("a"), Hex("00")}))),
              DecodeError::PacketIdZero);
}

// Each filter is a UTF-8 string [MQTT-3.8.3-1].
TEST(Codec, Mqtt_3_8_3_1_SubscribeFilterUtf8)
{
    EXPECT_EQ(DecodeError_(PacketWith(0x82, Cat({Hex("00 01"), Field(Hex("FE")), Hex("00")}))),
              DecodeError::MalformedUtf8);
    EXPECT_EQ(DecodeError_(PacketWith(0x82, Cat({Hex("00 01"), Field(Hex("61 00")), Hex("00")}))),
              DecodeError::Utf8NullCharacter);
    // The error in the second filter is found too.
    EXPECT_EQ(
        DecodeError_(PacketWith(
            0x82, Cat({Hex("00 01"), Field("a"), Hex("01"), Field(Hex("C3 28")), Hex("00")}))),
        DecodeError::MalformedUtf8);
}

// Misplaced wildcards ([MQTT-4.7.1-2], [MQTT-4.7.1-3]) and empty filters ([MQTT-4.7.3-1]) are
// refused; well-placed ones are kept as sent.
TEST(Codec, Mqtt_4_7_1_2_4_7_1_3_SubscribeFilterWildcards)
{
    for (const char* filter : {"a#", "a/#/b", "#/a", "##", "a+", "a/+b", "+a/b", "a/b+", ""})
    {
        EXPECT_EQ(DecodeError_(PacketWith(0x82, Cat({Hex("00 01"), Field(filter), Hex("00")}))),
                  DecodeError::InvalidTopicFilter)
            << filter;
        EXPECT_EQ(DecodeError_(PacketWith(0xA2, Cat({Hex("00 01"), Field(filter)}))),
                  DecodeError::InvalidTopicFilter)
            << filter;
    }
    for (const char* filter : {"#", "+", "a/#", "+/a/+", "/+", "a//#", "$SYS/#"})
    {
        auto s = std::get<SubscribePacket>(
            DecodeAll(PacketWith(0x82, Cat({Hex("00 01"), Field(filter), Hex("02")}))));
        ASSERT_EQ(s.topics.size(), 1u);
        EXPECT_EQ(s.topics[0].filter, filter);
        EXPECT_EQ(s.topics[0].qos, Qos::ExactlyOnce);
    }
}

// A SUBSCRIBE with no filter [MQTT-3.8.3-3].
TEST(Codec, Mqtt_3_8_3_3_SubscribeWithoutTopics)
{
    EXPECT_EQ(DecodeError_(Hex("82 02 00 01")), DecodeError::SubscribeWithoutTopics);
}

// A requested QoS byte with a reserved bit set or the value 3 [MQTT-3.8.3-4].
TEST(Codec, Mqtt_3_8_3_4_InvalidRequestedQos)
{
    for (int q : {0x03, 0x04, 0x80, 0xFD, 0x41})
    {
        Bytes body = Cat({Hex("00 01"), Field("a"), Bytes{static_cast<uint8_t>(q)}});
        EXPECT_EQ(DecodeError_(PacketWith(0x82, body)), DecodeError::InvalidRequestedQos) << q;
    }
}

TEST(Codec, SubscribeTruncated)
{
    EXPECT_EQ(DecodeError_(Hex("82 00")), DecodeError::Truncated);
    EXPECT_EQ(DecodeError_(Hex("82 01 00")), DecodeError::Truncated);
    EXPECT_EQ(DecodeError_(PacketWith(0x82, Cat({Hex("00 01"), Field("a")}))),
              DecodeError::Truncated); // no QoS byte
    EXPECT_EQ(DecodeError_(PacketWith(0x82, Cat({Hex("00 01"), Field("a"), Hex("00 00")}))),
              DecodeError::Truncated); // half a length
    EXPECT_EQ(DecodeError_(PacketWith(0x82, Hex("00 01 00 04 61"))), DecodeError::Truncated);
}

// SUBACK codes other than 0x00, 0x01, 0x02 and 0x80 [MQTT-3.9.3-2].
TEST(Codec, Mqtt_3_9_3_2_InvalidSubackReturnCode)
{
    for (int code : {0x03, 0x7F, 0x81, 0xFF})
    {
        Bytes wire = Hex("90 04 00 01 00 00");
        wire[5] = static_cast<uint8_t>(code);
        EXPECT_EQ(DecodeError_(wire), DecodeError::InvalidSubackReturnCode) << code;
    }
}

// A SUBACK answers a SUBSCRIBE of at least one filter, so it has at least one return code;
// its identifier is not 0 [MQTT-2.3.1-1].
TEST(Codec, Mqtt_2_3_1_1_SubackWithoutReturnCodesOrWithIdZero)
{
    EXPECT_EQ(DecodeError_(Hex("90 02 00 01")), DecodeError::SubackWithoutReturnCodes);
    EXPECT_EQ(DecodeError_(Hex("90 03 00 00 00")), DecodeError::PacketIdZero);
    EXPECT_EQ(DecodeError_(Hex("90 01 00")), DecodeError::Truncated);
}

// ---------------------------------------------------------------------------------------------
// UNSUBSCRIBE (section 3.10).
// ---------------------------------------------------------------------------------------------

// The filters are UTF-8 strings [MQTT-3.10.3-1].
TEST(Codec, Mqtt_3_10_3_1_UnsubscribeFilterUtf8)
{
    EXPECT_EQ(DecodeError_(PacketWith(0xA2, Cat({Hex("00 01"), Field(Hex("F8 88 80 80 80"))}))),
              DecodeError::MalformedUtf8);
    EXPECT_EQ(DecodeError_(PacketWith(0xA2, Cat({Hex("00 01"), Field("a"), Field(Hex("00"))}))),
              DecodeError::Utf8NullCharacter);
}

// An UNSUBSCRIBE with no filter [MQTT-3.10.3-2].
TEST(Codec, Mqtt_3_10_3_2_UnsubscribeWithoutTopics)
{
    EXPECT_EQ(DecodeError_(Hex("A2 02 00 01")), DecodeError::UnsubscribeWithoutTopics);
}

// UNSUBSCRIBE carries a non-zero packet identifier [MQTT-2.3.1-1].
TEST(Codec, Mqtt_2_3_1_1_UnsubscribePacketIdZero)
{
    EXPECT_EQ(DecodeError_(PacketWith(0xA2, Cat({Hex("00 00"), Field("a")}))),
              DecodeError::PacketIdZero);
}

TEST(Codec, UnsubscribeTruncated)
{
    EXPECT_EQ(DecodeError_(Hex("A2 01 00")), DecodeError::Truncated);
    EXPECT_EQ(DecodeError_(PacketWith(0xA2, Cat({Hex("00 01"), Field("a"), Hex("00")}))),
              DecodeError::Truncated);
}

// ---------------------------------------------------------------------------------------------
// Error names, storage reuse, round trips.
// ---------------------------------------------------------------------------------------------

TEST(Codec, DecodeErrorNames)
{
    EXPECT_STREQ(DecodeErrorName(DecodeError::None), "None");
    EXPECT_STREQ(DecodeErrorName(DecodeError::MalformedUtf8), "MalformedUtf8");
    EXPECT_STREQ(DecodeErrorName(DecodeError::InvalidSubackReturnCode), "InvalidSubackReturnCode");
    EXPECT_STREQ(DecodeErrorName(DecodeError::SubackWithoutReturnCodes),
                 "SubackWithoutReturnCodes");
    // Every value has its own name.
    std::set<std::string> names;
    for (int e = 0; e <= static_cast<int>(DecodeError::SubackWithoutReturnCodes); ++e)
    {
        names.insert(DecodeErrorName(static_cast<DecodeError>(e)));
    }
    EXPECT_EQ(names.size(), static_cast<std::size_t>(DecodeError::SubackWithoutReturnCodes) + 1);
    EXPECT_EQ(names.count("Unknown"), 0u);
}

// Decoding into a variant that already holds the same packet type reuses its buffers: a second
// PUBLISH no longer than the first lands in the same topic and payload storage.
TEST(Codec, DecodeReusesStorageOfTheSameType)
{
    PublishPacket p;
    p.qos = Qos::AtLeastOnce;
    p.packetId = 1;
    p.topic = "a/topic/long/enough/to/leave/the/small/string/buffer";
    p.payload.assign(64, 0x11);
    Bytes first = Enc(p);
    p.topic = "b/topic/long/enough/to/leave/the/small/string/buffer";
    p.payload.assign(60, 0x22);
    p.packetId = 2;
    Bytes second = Enc(p);

    Packet out;
    ASSERT_EQ(Decode(first.data(), first.size(), out).status, DecodeStatus::Complete);
    const char* topicData = std::get<PublishPacket>(out).topic.data();
    const uint8_t* payloadData = std::get<PublishPacket>(out).payload.data();
    ASSERT_EQ(Decode(second.data(), second.size(), out).status, DecodeStatus::Complete);
    EXPECT_EQ(std::get<PublishPacket>(out).topic.data(), topicData);
    EXPECT_EQ(std::get<PublishPacket>(out).payload.data(), payloadData);
    EXPECT_TRUE(out == Packet(p));
}

// An Error or NeedMore leaves out as it was.
TEST(Codec, ErrorAndNeedMoreLeaveOutUnchanged)
{
    PublishPacket p;
    p.topic = "keep";
    p.payload = Raw("me");
    const Packet before = p;
    Packet out = p;
    for (const Bytes& bad :
         {Cat({Hex("30 05"), Field("a/+")}),
          PacketWith(0x82, Cat({Hex("00 01"), Field("a"), Hex("00"), Field("b#"), Hex("00")})),
          PacketWith(0xA2, Cat({Hex("00 01"), Field("a"), Field("")})),
          Hex("90 04 00 01 00 05"),
          ConnectWith(Cat({ConnectHeader(0x02), Field(Hex("FF"))})),
          Cat({Hex("30 05"), Field("a")})})
    {
        Decode(bad.data(), bad.size(), out);
        EXPECT_TRUE(out == before);
    }
}

// decode(encode(p)) == p for every packet type, decoding into a variant that held another
// packet of the same type (reuse must not leak old fields).
TEST(Codec, RoundTripEveryType)
{
    std::vector<Packet> packets = {
        SpecConnect(),
        ConnectPacket{},
        ConnackPacket{true, ConnectReturnCode::NotAuthorized},
        PublishPacket{true, Qos::ExactlyOnce, true, "x/y", 9, Raw("payload")},
        PublishPacket{false, Qos::AtMostOnce, false, "x", 0, {}},
        PubackPacket{3},
        PubrecPacket{4},
        PubrelPacket{5},
        PubcompPacket{6},
        SubscribePacket{
            7, {{"a/+", Qos::AtLeastOnce}, {"#", Qos::AtMostOnce}, {"c", Qos::ExactlyOnce}}},
        SubscribePacket{8, {{"z", Qos::AtLeastOnce}}},
        SubackPacket{8, {0x01, 0x80}},
        SubackPacket{8, {0x02}},
        UnsubscribePacket{10, {"a/+", "b/#", "c"}},
        UnsubscribePacket{11, {"q"}},
        UnsubackPacket{12},
        PingreqPacket{},
        PingrespPacket{},
        DisconnectPacket{},
    };
    Packet out;
    for (const Packet& p : packets)
    {
        Bytes wire = Enc(p);
        DecodeResult r = Decode(wire.data(), wire.size(), out);
        ASSERT_EQ(r.status, DecodeStatus::Complete) << DecodeErrorName(r.error);
        EXPECT_EQ(r.consumed, wire.size());
        EXPECT_TRUE(out == p) << PacketTypeName(TypeOf(p));
    }
}

// ---------------------------------------------------------------------------------------------
// Randomized round trip.
// ---------------------------------------------------------------------------------------------

TEST(Codec, RandomizedRoundTrip)
{
    RandomPackets gen(20240611);
    Packet out;
    Bytes stream;
    std::vector<Packet> sent;
    for (int i = 0; i < 5000; ++i)
    {
        Packet p = gen.Any();
        Bytes wire = Enc(p);
        ASSERT_EQ(EncodedSize(p), wire.size());
        DecodeResult r = Decode(wire.data(), wire.size(), out);
        ASSERT_EQ(r.status, DecodeStatus::Complete)
            << i << " " << PacketTypeName(TypeOf(p)) << " " << DecodeErrorName(r.error);
        ASSERT_EQ(r.consumed, wire.size());
        ASSERT_TRUE(out == p) << i << " " << PacketTypeName(TypeOf(p));
        // Appending to a non-empty vector gives the same bytes after what was there.
        if (i < 500)
        {
            Encode(p, stream);
            sent.push_back(p);
        }
    }
    // The 500 packets appended to one vector decode back in order.
    std::size_t pos = 0;
    for (const Packet& p : sent)
    {
        DecodeResult r = Decode(stream.data() + pos, stream.size() - pos, out);
        ASSERT_EQ(r.status, DecodeStatus::Complete);
        ASSERT_TRUE(out == p);
        pos += r.consumed;
    }
    EXPECT_EQ(pos, stream.size());
}

// Random strings that are valid UTF-8 to the checker, as a sanity check of the generator: every
// generated text passes CheckUtf8, so a round-trip failure is the codec's.
TEST(Codec, RandomizedGeneratorMakesValidUtf8)
{
    RandomPackets gen(7);
    for (int i = 0; i < 2000; ++i)
    {
        EXPECT_EQ(CheckUtf8(gen.Text(0, 40)), Utf8Status::Valid);
    }
}
