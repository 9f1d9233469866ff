/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The MQTT 5.0 codec: byte-exact vectors for all 15 packets with and without properties, one test
 * per malformed input (each naming the exact DecodeError), the property and reason code tables,
 * the version a connection speaks, and a randomized round trip.
 */
#include "mqtt-codec-expect.h"
#include "mqtt-codec-test-util.h"
#include "mqtt-codec.h"
#include "mqtt-frame-reader.h"
#include "mqtt-random-packets.h"

#include <gtest/gtest.h>

#include <string>

using namespace ns3::mqtt;
using namespace ns3::mqtt::test;

namespace
{

constexpr ProtocolVersion V5 = ProtocolVersion::Mqtt5;

void
ExpectWire5(const Packet& packet, const Bytes& wire)
{
    ExpectWire(packet, wire, V5);
}

DecodeError
Error5(const Bytes& wire)
{
    return DecodeError_(wire, MAX_PACKET_SIZE, V5);
}

Packet
Decode5(const Bytes& wire)
{
    return DecodeAll(wire, V5);
}

Bytes
Vbi(uint32_t v)
{
    uint8_t b[4];
    std::size_t n = EncodeRemainingLength(v, b);
    return Bytes(b, b + n);
}

/** A property section: its Property Length and @p properties. */
Bytes
Section(const Bytes& properties)
{
    return Cat({Vbi(static_cast<uint32_t>(properties.size())), properties});
}

Bytes
P1(uint8_t id, uint8_t v)
{
    return Bytes{id, v};
}

Bytes
P2(uint8_t id, uint16_t v)
{
    return Bytes{id, static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

Bytes
P4(uint8_t id, uint32_t v)
{
    return Bytes{id,
                 static_cast<uint8_t>(v >> 24),
                 static_cast<uint8_t>(v >> 16),
                 static_cast<uint8_t>(v >> 8),
                 static_cast<uint8_t>(v)};
}

Bytes
PS(uint8_t id, std::string_view s)
{
    return Cat({Bytes{id}, Field(s)});
}

Bytes
PB(uint8_t id, const Bytes& b)
{
    return Cat({Bytes{id}, Field(b)});
}

Bytes
PUser(std::string_view name, std::string_view value)
{
    return Cat({Bytes{0x26}, Field(name), Field(value)});
}

/** "MQTT", level 5, @p flags, keep alive 60, the CONNECT property section @p props. */
Bytes
Connect5Header(uint8_t flags, const Bytes& props = {})
{
    return Cat({Field("MQTT"), Hex("05"), Bytes{flags}, Hex("00 3C"), Section(props)});
}

/** A 5.0 CONNECT, clean start, client id "c", with the CONNECT properties @p props. */
Bytes
ConnectProps(const Bytes& props)
{
    return PacketWith(0x10, Cat({Connect5Header(0x02, props), Field("c")}));
}

/** A 5.0 QoS 0 PUBLISH to "t" with the properties @p props and payload "p". */
Bytes
PublishProps(const Bytes& props, std::string_view topic = "t")
{
    return PacketWith(0x30, Cat({Field(topic), Section(props), Raw("p")}));
}

ConnectPacket
Connect5()
{
    ConnectPacket c;
    c.protocolLevel = 5;
    c.keepAliveSeconds = 60;
    c.clientId = "c";
    return c;
}

/**
 * Decodes @p wire(code) for every byte value: the codes table 2-6 gives @p type decode, every other
 * one is InvalidReasonCode. Returns how many decode.
 */
template<typename MakeWire>
int
ExpectTableCodes(PacketType type, MakeWire wire)
{
    int valid = 0;
    for (int code = 0; code < 256; ++code)
    {
        const auto c = static_cast<uint8_t>(code);
        if (IsReasonCodeAllowed(type, c))
        {
            ++valid;
            Decode5(wire(c));
        }
        else
        {
            EXPECT_EQ(Error5(wire(c)), DecodeError::InvalidReasonCode)
                << PacketTypeName(type) << " " << code;
        }
    }
    return valid;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// CONNECT (section 3.1).
// ---------------------------------------------------------------------------------------------

// Level 5, no properties: the Property Length is still there, 0 [MQTT5-2.2.2-1]; the client id
// is the first payload field and present even when empty [MQTT5-3.1.3-3]. User Name and
// Password flags 0: no such fields [MQTT5-3.1.2-16], [MQTT5-3.1.2-18].
TEST(Codec5, Mqtt5_2_2_2_1_3_1_3_3_ConnectWithoutProperties)
{
    ConnectPacket c = Connect5();
    c.clientId = "";
    ExpectWire5(c, Hex("10 0D 00 04 4D 51 54 54 05 02 00 3C 00 00 00"));
    c.cleanSession = false;
    c.clientId = "abc";
    ExpectWire5(c, Cat({Hex("10 10 00 04 4D 51 54 54 05 00 00 3C 00 00 03"), Raw("abc")}));
}

// Every CONNECT property of section 3.1.2.11, a Will with every Will property of section 3.1.3.2,
// a user name and a password, in the payload order of [MQTT5-3.1.3-1]: client id, Will
// Properties, Will Topic, Will Payload ([MQTT5-3.1.2-9]), User Name ([MQTT5-3.1.2-17]),
// Password ([MQTT5-3.1.2-19]). Will QoS 1 and Retain in the flags.
TEST(Codec5, Mqtt5_3_1_3_1_3_1_2_9_ConnectWithEveryProperty)
{
    ConnectPacket c = Connect5();
    c.properties.AddNumber(PropertyId::SessionExpiryInterval, 3600)
        .AddNumber(PropertyId::ReceiveMaximum, 20)
        .AddNumber(PropertyId::MaximumPacketSize, 4096)
        .AddNumber(PropertyId::TopicAliasMaximum, 10)
        .AddNumber(PropertyId::RequestResponseInformation, 1)
        .AddNumber(PropertyId::RequestProblemInformation, 0)
        .AddUserProperty("a", "b")
        .AddText(PropertyId::AuthenticationMethod, "SCRAM")
        .AddBinary(PropertyId::AuthenticationData, Hex("01 02"));
    Will w{"w/t", Raw("bye"), Qos::AtLeastOnce, true};
    w.properties.AddNumber(PropertyId::WillDelayInterval, 5)
        .AddNumber(PropertyId::PayloadFormatIndicator, 1)
        .AddNumber(PropertyId::MessageExpiryInterval, 60)
        .AddText(PropertyId::ContentType, "text")
        .AddText(PropertyId::ResponseTopic, "r/t")
        .AddBinary(PropertyId::CorrelationData, Hex("AA"))
        .AddUserProperty("k", "v");
    c.will = w;
    c.userName = "u";
    c.password = Raw("pw");
    Bytes props = Cat({P4(0x11, 3600),
                       P2(0x21, 20),
                       P4(0x27, 4096),
                       P2(0x22, 10),
                       P1(0x19, 1),
                       P1(0x17, 0),
                       PUser("a", "b"),
                       PS(0x15, "SCRAM"),
                       PB(0x16, Hex("01 02"))});
    Bytes willProps = Cat({P4(0x18, 5),
                           P1(0x01, 1),
                           P4(0x02, 60),
                           PS(0x03, "text"),
                           PS(0x08, "r/t"),
                           PB(0x09, Hex("AA")),
                           PUser("k", "v")});
    // Flags 0xEE: user name, password, will retain, will QoS 1, will, clean start.
    ExpectWire5(c,
                PacketWith(0x10,
                           Cat({Connect5Header(0xEE, props),
                                Field("c"),
                                Section(willProps),
                                Field("w/t"),
                                Field("bye"),
                                Field("u"),
                                Field("pw")})));
}

// 5.0 allows a Password without a User Name (section 3.1.2.9), which 3.1.1 refused.
TEST(Codec5, Mqtt5_3_1_2_19_ConnectPasswordWithoutUserName)
{
    ConnectPacket c = Connect5();
    c.password = Raw("secret");
    ExpectWire5(c, PacketWith(0x10, Cat({Connect5Header(0x42), Field("c"), Field("secret")})));
}

// The version a CONNECT speaks is its own Protocol Level: a 5.0 receiver reads a level 4 CONNECT
// as 3.1.1 (no properties), a 3.1.1 receiver refuses level 5 as before. "MQIsdp" and levels
// other than 4 and 5 are UnsupportedProtocolLevel with the level kept for the CONNACK 0x84 the
// engine sends (statement 3.1.2-2 is cited by the engine's test); a name other than "MQTT" is
// InvalidProtocolName.
TEST(Codec5, ProtocolNameAndLevel)
{
    Bytes v4 = Cat({Hex("10 0D 00 04 4D 51 54 54 04 02 00 3C 00 01"), Raw("c")});
    Packet p = Decode5(v4);
    ASSERT_TRUE(std::holds_alternative<ConnectPacket>(p));
    EXPECT_EQ(std::get<ConnectPacket>(p).protocolLevel, 4);
    EXPECT_TRUE(std::get<ConnectPacket>(p).properties.Empty());

    Bytes v5 = ConnectProps({});
    EXPECT_EQ(DecodeError_(v5), DecodeError::UnsupportedProtocolLevel);
    EXPECT_EQ(std::get<ConnectPacket>(Decode5(v5)).protocolLevel, 5);

    for (uint8_t level : {0, 3, 6, 255})
    {
        Bytes wire =
            PacketWith(0x10, Cat({Field("MQTT"), Bytes{level}, Hex("02 00 3C 00"), Field("c")}));
        EXPECT_EQ(Error5(wire), DecodeError::UnsupportedProtocolLevel) << int(level);
        Packet out;
        Decode(wire.data(), wire.size(), out, MAX_PACKET_SIZE, V5);
        EXPECT_EQ(std::get<ConnectPacket>(out).protocolLevel, level);
    }
    EXPECT_EQ(Error5(PacketWith(0x10, Cat({Field("MQIsdp"), Hex("03 02 00 3C"), Field("c")}))),
              DecodeError::UnsupportedProtocolLevel);
    EXPECT_EQ(Error5(PacketWith(0x10, Cat({Field("MQTX"), Hex("05 02 00 3C 00"), Field("c")}))),
              DecodeError::InvalidProtocolName);
}

// The reserved flag [MQTT5-3.1.2-3]; Will QoS [MQTT5-3.1.2-11] and Will Retain [MQTT5-3.1.2-13]
// without a Will; Will QoS 3 [MQTT5-3.1.2-12].
TEST(Codec5, Mqtt5_3_1_2_3_3_1_2_11_3_1_2_12_3_1_2_13_ConnectFlags)
{
    auto with = [](uint8_t flags) {
        return PacketWith(0x10, Cat({Connect5Header(flags), Field("c")}));
    };
    EXPECT_EQ(Error5(with(0x03)), DecodeError::ConnectReservedFlagSet);
    EXPECT_EQ(Error5(with(0x0A)), DecodeError::WillFlagsWithoutWill);
    EXPECT_EQ(Error5(with(0x12)), DecodeError::WillFlagsWithoutWill);
    EXPECT_EQ(Error5(with(0x22)), DecodeError::WillFlagsWithoutWill);
    EXPECT_EQ(Error5(with(0x1E)), DecodeError::InvalidWillQos);
}

// Property checks on a CONNECT, each with its own error: an identifier table 2-4 lacks; one the
// CONNECT may not carry (Topic Alias, a Will property); a repeated one; Receive Maximum 0;
// Maximum Packet Size 0; Request Problem / Response Information not 0 or 1; Authentication Data
// without a method. User Property may repeat.
TEST(Codec5, ConnectPropertyChecks)
{
    EXPECT_EQ(Error5(ConnectProps(P1(0x30, 0))), DecodeError::UnknownProperty);
    EXPECT_EQ(Error5(ConnectProps(P1(0x00, 0))), DecodeError::UnknownProperty);
    EXPECT_EQ(Error5(ConnectProps(P2(0x23, 1))), DecodeError::PropertyNotAllowed);
    EXPECT_EQ(Error5(ConnectProps(P4(0x18, 1))), DecodeError::PropertyNotAllowed);
    EXPECT_EQ(Error5(ConnectProps(Cat({P4(0x11, 1), P4(0x11, 2)}))),
              DecodeError::DuplicateProperty);
    EXPECT_EQ(Error5(ConnectProps(Cat({P2(0x21, 1), P2(0x21, 1)}))),
              DecodeError::DuplicateProperty);
    EXPECT_EQ(Error5(ConnectProps(P2(0x21, 0))), DecodeError::ReceiveMaximumZero);
    EXPECT_EQ(Error5(ConnectProps(P4(0x27, 0))), DecodeError::MaximumPacketSizeZero);
    EXPECT_EQ(Error5(ConnectProps(P1(0x17, 2))), DecodeError::PropertyNotBoolean);
    EXPECT_EQ(Error5(ConnectProps(P1(0x19, 2))), DecodeError::PropertyNotBoolean);
    EXPECT_EQ(Error5(ConnectProps(PB(0x16, Hex("01")))),
              DecodeError::AuthenticationDataWithoutMethod);

    Packet p = Decode5(ConnectProps(Cat({PUser("x", "1"), PUser("x", "2"), PUser("a", "")})));
    const Properties& props = std::get<ConnectPacket>(p).properties;
    ASSERT_EQ(props.items.size(), 3u);
    EXPECT_EQ(props.items[1].value, "2");
    EXPECT_EQ(props.items[2].text, "a");
}

// Will Properties are checked against the Will's own list: Session Expiry may not stand there,
// and Payload Format Indicator must be 0 or 1.
TEST(Codec5, WillPropertyChecks)
{
    auto will = [](const Bytes& props)
    {
        return PacketWith(
            0x10, Cat({Connect5Header(0x06), Field("c"), Section(props), Field("t"), Field("m")}));
    };
    EXPECT_EQ(Error5(will(P4(0x11, 1))), DecodeError::PropertyNotAllowed);
    EXPECT_EQ(Error5(will(P1(0x01, 2))), DecodeError::InvalidPayloadFormatIndicator);
    EXPECT_EQ(Error5(will(Cat({P4(0x18, 1), P4(0x18, 1)}))), DecodeError::DuplicateProperty);
    EXPECT_EQ(Error5(will(PS(0x08, "r/#"))), DecodeError::InvalidResponseTopic);
    // The Will Topic is a UTF-8 topic name [MQTT5-3.1.3-11].
    Bytes bad = PacketWith(
        0x10, Cat({Connect5Header(0x06), Field("c"), Section({}), Field("a/+"), Field("m")}));
    EXPECT_EQ(Error5(bad), DecodeError::InvalidTopicName);
}

// Property sections that run past their packet, values that run past their section, and Variable
// Byte Integers longer than their value needs [MQTT5-1.5.5-1] or than four bytes.
TEST(Codec5, Mqtt5_1_5_5_1_PropertyLengthsAndVariableByteIntegers)
{
    // Property Length 5 with only 3 bytes before the client id field ends the packet.
    EXPECT_EQ(Error5(PacketWith(0x10, Cat({Field("MQTT"), Hex("05 02 00 3C 05 11 00 00")}))),
              DecodeError::Truncated);
    // A Four Byte Integer cut by the section's end.
    EXPECT_EQ(
        Error5(PacketWith(0x10, Cat({Field("MQTT"), Hex("05 02 00 3C 03 11 00 00"), Field("c")}))),
        DecodeError::Truncated);
    // Property Length 0 written in two bytes.
    EXPECT_EQ(Error5(PacketWith(0x10, Cat({Field("MQTT"), Hex("05 02 00 3C 80 00"), Field("c")}))),
              DecodeError::NonMinimalVariableByteInteger);
    // A Subscription Identifier 1 written in two bytes, and one of five bytes.
    EXPECT_EQ(Error5(PublishProps(Hex("0B 81 00"))), DecodeError::NonMinimalVariableByteInteger);
    EXPECT_EQ(Error5(PublishProps(Hex("0B FF FF FF FF 01"))),
              DecodeError::VariableByteIntegerTooLong);
    // The Remaining Length of a 5.0 packet is a Variable Byte Integer too; 3.1.1 reads the same
    // bytes by value.
    EXPECT_EQ(Error5(Hex("C0 80 00")), DecodeError::NonMinimalVariableByteInteger);
    EXPECT_TRUE(DecodeAll(Hex("C0 80 00")) == Packet{PingreqPacket{}});
    // The largest Subscription Identifier, 268,435,455, in four bytes.
    Packet p = Decode5(PublishProps(Hex("0B FF FF FF 7F")));
    EXPECT_EQ(std::get<PublishPacket>(p).properties.Number(PropertyId::SubscriptionIdentifier),
              268435455u);
}

// Strings are well-formed UTF-8 without surrogates [MQTT5-1.5.4-1] and without U+0000
// [MQTT5-1.5.4-2]: client id [MQTT5-3.1.3-4], user name [MQTT5-3.1.3-12], both halves of a User
// Property [MQTT5-1.5.7-1], a Content Type. U+FEFF is kept, not stripped [MQTT5-1.5.4-3].
TEST(Codec5, Mqtt5_1_5_4_1_1_5_4_2_1_5_7_1_3_1_3_4_3_1_3_12_Utf8)
{
    const Bytes surrogate = Hex("ED A0 80");
    const Bytes nul = Hex("00");
    auto clientId = [](const Bytes& id) {
        return PacketWith(0x10, Cat({Connect5Header(0x02), Field(id)}));
    };
    EXPECT_EQ(Error5(clientId(surrogate)), DecodeError::MalformedUtf8);
    EXPECT_EQ(Error5(clientId(nul)), DecodeError::Utf8NullCharacter);
    Bytes user = PacketWith(0x10, Cat({Connect5Header(0x82), Field("c"), Field(surrogate)}));
    EXPECT_EQ(Error5(user), DecodeError::MalformedUtf8);
    EXPECT_EQ(Error5(ConnectProps(Cat({Bytes{0x26}, Field(surrogate), Field("v")}))),
              DecodeError::MalformedUtf8);
    EXPECT_EQ(Error5(ConnectProps(Cat({Bytes{0x26}, Field("n"), Field(nul)}))),
              DecodeError::Utf8NullCharacter);
    EXPECT_EQ(Error5(PublishProps(Cat({Bytes{0x03}, Field(nul)}))),
              DecodeError::Utf8NullCharacter); // [MQTT5-3.3.2-19]

    const Bytes bom = Hex("EF BB BF");
    Packet p = Decode5(ConnectProps(Cat({Bytes{0x26}, Field(bom), Field(Cat({bom, Raw("x")}))})));
    const Property& up = std::get<ConnectPacket>(p).properties.items.at(0);
    EXPECT_EQ(up.text, Str(bom));
    EXPECT_EQ(up.value, Str(Cat({bom, Raw("x")})));
}

// ---------------------------------------------------------------------------------------------
// CONNACK (section 3.2).
// ---------------------------------------------------------------------------------------------

TEST(Codec5, ConnackVectors)
{
    ConnackPacket c;
    ExpectWire5(c, Hex("20 03 00 00 00"));
    c.reasonCode = ReasonCode::NotAuthorized;
    ExpectWire5(c, Hex("20 03 00 87 00"));

    ConnackPacket full;
    full.sessionPresent = true;
    full.properties.AddNumber(PropertyId::SessionExpiryInterval, 0xFFFFFFFF)
        .AddNumber(PropertyId::ReceiveMaximum, 100)
        .AddNumber(PropertyId::MaximumQos, 1)
        .AddNumber(PropertyId::RetainAvailable, 0)
        .AddNumber(PropertyId::MaximumPacketSize, 131072)
        .AddText(PropertyId::AssignedClientIdentifier, "auto-1")
        .AddNumber(PropertyId::TopicAliasMaximum, 8)
        .AddText(PropertyId::ReasonString, "ok")
        .AddUserProperty("region", "eu")
        .AddNumber(PropertyId::WildcardSubscriptionAvailable, 1)
        .AddNumber(PropertyId::SubscriptionIdentifierAvailable, 0)
        .AddNumber(PropertyId::SharedSubscriptionAvailable, 1)
        .AddNumber(PropertyId::ServerKeepAlive, 30)
        .AddText(PropertyId::ResponseInformation, "resp/")
        .AddText(PropertyId::ServerReference, "other:1883")
        .AddText(PropertyId::AuthenticationMethod, "SCRAM")
        .AddBinary(PropertyId::AuthenticationData, Hex("00 FF"));
    Bytes props = Cat({P4(0x11, 0xFFFFFFFF),
                       P2(0x21, 100),
                       P1(0x24, 1),
                       P1(0x25, 0),
                       P4(0x27, 131072),
                       PS(0x12, "auto-1"),
                       P2(0x22, 8),
                       PS(0x1F, "ok"),
                       PUser("region", "eu"),
                       P1(0x28, 1),
                       P1(0x29, 0),
                       P1(0x2A, 1),
                       P2(0x13, 30),
                       PS(0x1A, "resp/"),
                       PS(0x1C, "other:1883"),
                       PS(0x15, "SCRAM"),
                       PB(0x16, Hex("00 FF"))});
    ExpectWire5(full, PacketWith(0x20, Cat({Hex("01 00"), Section(props)})));
}

// Only the Connect Reason Codes of table 2-6 [MQTT5-3.2.2-8]; Session Present 0 with a failure
// [MQTT5-3.2.2-6]; reserved flags [MQTT5-3.2.2-1]; the Property Length is not optional
// [MQTT5-2.2.2-1]; Maximum QoS and the Available flags are 0 or 1.
TEST(Codec5, Mqtt5_3_2_2_1_3_2_2_6_3_2_2_8_ConnackChecks)
{
    // Table 2-6 gives CONNACK 22 codes.
    EXPECT_EQ(ExpectTableCodes(PacketType::Connack,
                               [](uint8_t code) {
                                   return Bytes{0x20, 0x03, 0x00, code, 0x00};
                               }),
              22);
    EXPECT_EQ(std::get<ConnackPacket>(Decode5(Hex("20 03 00 9F 00"))).reasonCode,
              ReasonCode::ConnectionRateExceeded);
    EXPECT_EQ(Error5(Hex("20 03 01 80 00")), DecodeError::SessionPresentWithError);
    EXPECT_EQ(Error5(Hex("20 03 02 00 00")), DecodeError::InvalidConnackFlags);
    EXPECT_EQ(Error5(Hex("20 02 00 00")), DecodeError::Truncated);
    EXPECT_EQ(Error5(Hex("20 04 00 00 00 00")), DecodeError::TrailingBytes);
    EXPECT_EQ(Error5(Hex("20 05 00 00 02 24 02")), DecodeError::InvalidMaximumQos);
    for (uint8_t id : {0x25, 0x28, 0x29, 0x2A})
    {
        EXPECT_EQ(Error5(Bytes{0x20, 0x05, 0x00, 0x00, 0x02, id, 0x02}),
                  DecodeError::PropertyNotBoolean)
            << int(id);
    }
    EXPECT_EQ(Error5(Hex("20 06 00 00 03 23 00 01")), DecodeError::PropertyNotAllowed);
}

// ---------------------------------------------------------------------------------------------
// PUBLISH (section 3.3).
// ---------------------------------------------------------------------------------------------

// QoS 0 has no Packet Identifier [MQTT5-2.2.1-2]; the Property Length follows the topic (or the
// identifier) even when 0 [MQTT5-2.2.2-1]; the Topic Name comes first [MQTT5-3.3.2-1].
TEST(Codec5, Mqtt5_2_2_1_2_2_2_2_1_3_3_2_1_PublishWithoutProperties)
{
    PublishPacket p;
    p.topic = "a/b";
    p.payload = Raw("hi");
    ExpectWire5(p, Cat({Hex("30 08 00 03"), Raw("a/b"), Hex("00"), Raw("hi")}));
    p.qos = Qos::ExactlyOnce;
    p.dup = true;
    p.retain = true;
    p.packetId = 10;
    ExpectWire5(p, Cat({Hex("3D 0A 00 03"), Raw("a/b"), Hex("00 0A 00"), Raw("hi")}));
}

// Every PUBLISH property of section 3.3.2.3; User Properties keep their order both ways (the
// codec's share of forwarding them in order, 3.3.2-18); Subscription Identifier may repeat in a
// PUBLISH (section 3.3.2.3.8).
TEST(Codec5, PublishWithEveryProperty)
{
    PublishPacket p;
    p.qos = Qos::AtLeastOnce;
    p.packetId = 7;
    p.topic = "s/1";
    p.payload = Raw("{}");
    p.properties.AddNumber(PropertyId::PayloadFormatIndicator, 1)
        .AddNumber(PropertyId::MessageExpiryInterval, 86400)
        .AddNumber(PropertyId::TopicAlias, 3)
        .AddText(PropertyId::ResponseTopic, "reply/1")
        .AddBinary(PropertyId::CorrelationData, Hex("01 02 03"))
        .AddUserProperty("z", "1")
        .AddUserProperty("a", "2")
        .AddNumber(PropertyId::SubscriptionIdentifier, 1)
        .AddNumber(PropertyId::SubscriptionIdentifier, 200)
        .AddText(PropertyId::ContentType, "application/json")
        .AddUserProperty("z", "3");
    Bytes props = Cat({P1(0x01, 1),
                       P4(0x02, 86400),
                       P2(0x23, 3),
                       PS(0x08, "reply/1"),
                       PB(0x09, Hex("01 02 03")),
                       PUser("z", "1"),
                       PUser("a", "2"),
                       Hex("0B 01"),
                       Hex("0B C8 01"),
                       PS(0x03, "application/json"),
                       PUser("z", "3")});
    ExpectWire5(p, PacketWith(0x32, Cat({Field("s/1"), Hex("00 07"), Section(props), Raw("{}")})));

    // EncodePublish5, the broker's fan-out path, writes the same bytes.
    Bytes fanOut;
    EncodePublish5(
        false, p.qos, false, p.topic, p.packetId, p.properties, p.payload.data(), 2, fanOut);
    EXPECT_EQ(fanOut, Enc5(p));
}

// A zero-length Topic Name stands for the one a Topic Alias maps to (section 3.3.2.1); without
// a Topic Alias it is a Protocol Error. Topic Alias 0 is refused [MQTT5-3.3.2-8].
TEST(Codec5, Mqtt5_3_3_2_8_TopicAlias)
{
    PublishPacket p;
    p.properties.AddNumber(PropertyId::TopicAlias, 1);
    p.payload = Raw("p");
    ExpectWire5(p, Cat({Hex("30 07 00 00 03 23 00 01"), Raw("p")}));
    EXPECT_EQ(Error5(PublishProps({}, "")), DecodeError::EmptyTopicWithoutAlias);
    EXPECT_EQ(Error5(PublishProps(P2(0x23, 0))), DecodeError::TopicAliasZero);
    EXPECT_EQ(Error5(PublishProps(Cat({P2(0x23, 1), P2(0x23, 2)}))),
              DecodeError::DuplicateProperty);
}

// PUBLISH property checks: the Response Topic is a UTF-8 topic name [MQTT5-3.3.2-13] without
// wildcards [MQTT5-3.3.2-14]; the Content Type UTF-8 [MQTT5-3.3.2-19]; Payload Format Indicator
// 0 or 1; Subscription Identifier not 0; properties of other packets refused.
TEST(Codec5, Mqtt5_3_3_2_13_3_3_2_14_3_3_2_19_PublishPropertyChecks)
{
    EXPECT_EQ(Error5(PublishProps(PS(0x08, "r/+"))), DecodeError::InvalidResponseTopic);
    EXPECT_EQ(Error5(PublishProps(PS(0x08, "#"))), DecodeError::InvalidResponseTopic);
    EXPECT_EQ(Error5(PublishProps(PS(0x08, ""))), DecodeError::InvalidResponseTopic);
    EXPECT_EQ(Error5(PublishProps(Cat({Bytes{0x08}, Field(Hex("ED A0 80"))}))),
              DecodeError::MalformedUtf8);
    EXPECT_EQ(Error5(PublishProps(Cat({Bytes{0x03}, Field(Hex("C0 80"))}))),
              DecodeError::MalformedUtf8);
    EXPECT_EQ(Error5(PublishProps(P1(0x01, 2))), DecodeError::InvalidPayloadFormatIndicator);
    EXPECT_EQ(Error5(PublishProps(Hex("0B 00"))), DecodeError::SubscriptionIdentifierZero);
    EXPECT_EQ(Error5(PublishProps(P4(0x11, 1))), DecodeError::PropertyNotAllowed);
    EXPECT_EQ(Error5(PublishProps(P4(0x18, 1))), DecodeError::PropertyNotAllowed);
    EXPECT_EQ(Error5(PublishProps(Cat({P4(0x02, 1), P4(0x02, 1)}))),
              DecodeError::DuplicateProperty);
}

// The fixed-header and topic checks of 3.1.1 hold in 5.0: QoS 3 [MQTT5-3.3.1-4], DUP on QoS 0
// [MQTT5-3.3.1-2], a wildcard in the Topic Name [MQTT5-3.3.2-2], ill-formed UTF-8
// [MQTT5-3.3.2-1], packet identifier 0.
TEST(Codec5, Mqtt5_3_3_1_2_3_3_1_4_3_3_2_1_3_3_2_2_PublishHeaderChecks)
{
    EXPECT_EQ(Error5(Hex("36 04 00 01 74 00")), DecodeError::InvalidQos);
    EXPECT_EQ(Error5(Hex("38 04 00 01 74 00")), DecodeError::DupWithQosZero);
    EXPECT_EQ(Error5(PublishProps({}, "a/+")), DecodeError::InvalidTopicName);
    EXPECT_EQ(Error5(PacketWith(0x30, Cat({Field(Hex("ED A0 80")), Hex("00")}))),
              DecodeError::MalformedUtf8);
    EXPECT_EQ(Error5(Hex("32 06 00 01 74 00 00 00")), DecodeError::PacketIdZero);
}

// ---------------------------------------------------------------------------------------------
// PUBACK, PUBREC, PUBREL, PUBCOMP (sections 3.4 to 3.7).
// ---------------------------------------------------------------------------------------------

// The shortest form: Success without properties is the identifier alone; a reason code without
// properties has no Property Length; with properties all of it. The longer forms of the same
// packet are read alike.
TEST(Codec5, AcknowledgementVectors)
{
    ExpectWire5(PubackPacket{1}, Hex("40 02 00 01"));
    ExpectWire5(PubackPacket{1, ReasonCode::NoMatchingSubscribers}, Hex("40 03 00 01 10"));
    PubrecPacket rec{2, ReasonCode::QuotaExceeded};
    rec.properties.AddText(PropertyId::ReasonString, "full").AddUserProperty("q", "1");
    ExpectWire5(
        rec,
        PacketWith(0x50,
                   Cat({Hex("00 02 97"), Section(Cat({PS(0x1F, "full"), PUser("q", "1")}))})));
    ExpectWire5(PubrelPacket{3}, Hex("62 02 00 03"));
    ExpectWire5(PubrelPacket{3, ReasonCode::PacketIdentifierNotFound}, Hex("62 03 00 03 92"));
    ExpectWire5(PubcompPacket{4, ReasonCode::PacketIdentifierNotFound}, Hex("70 03 00 04 92"));

    EXPECT_TRUE(Decode5(Hex("40 03 00 01 00")) == Packet{PubackPacket{1}});
    EXPECT_TRUE(Decode5(Hex("40 04 00 01 00 00")) == Packet{PubackPacket{1}});
}

// Only the codes table 2-6 gives each packet: PUBACK [MQTT5-3.4.2-1], PUBREC [MQTT5-3.5.2-1],
// PUBREL [MQTT5-3.6.2-1], PUBCOMP [MQTT5-3.7.2-1]. PUBREL flags 0010 [MQTT5-3.6.1-1].
TEST(Codec5, Mqtt5_3_4_2_1_3_5_2_1_3_6_2_1_3_7_2_1_3_6_1_1_AcknowledgementChecks)
{
    const std::pair<uint8_t, int> packets[] = {{0x40, 9}, {0x50, 9}, {0x62, 2}, {0x70, 2}};
    for (const auto& [first, count] : packets)
    {
        const auto type = static_cast<PacketType>(first >> 4);
        const uint8_t f = first;
        EXPECT_EQ(ExpectTableCodes(type,
                                   [f](uint8_t code) {
                                       return Bytes{f, 0x03, 0x00, 0x01, code};
                                   }),
                  count)
            << PacketTypeName(type);
    }
    EXPECT_EQ(Error5(Hex("60 02 00 01")), DecodeError::InvalidFixedHeaderFlags);
    EXPECT_EQ(Error5(Hex("40 02 00 00")), DecodeError::PacketIdZero);
    EXPECT_EQ(Error5(Hex("40 01 00")), DecodeError::Truncated);
    EXPECT_EQ(Error5(Hex("40 05 00 01 00 00 00")), DecodeError::TrailingBytes);
    EXPECT_EQ(Error5(Hex("40 07 00 01 00 03 23 00 01")), DecodeError::PropertyNotAllowed);
    EXPECT_EQ(Error5(PacketWith(
                  0x40, Cat({Hex("00 01 00"), Section(Cat({PS(0x1F, "a"), PS(0x1F, "b")}))}))),
              DecodeError::DuplicateProperty);
}

// ---------------------------------------------------------------------------------------------
// SUBSCRIBE and SUBACK (sections 3.8, 3.9).
// ---------------------------------------------------------------------------------------------

// The Subscription Options byte: QoS in bits 1-0, No Local bit 2, Retain As Published bit 3,
// Retain Handling bits 5-4 (section 3.8.3.1); a Subscription Identifier and User Properties;
// a shared subscription.
TEST(Codec5, SubscribeVectors)
{
    SubscribePacket s;
    s.packetId = 10;
    s.properties.AddNumber(PropertyId::SubscriptionIdentifier, 300).AddUserProperty("u", "v");
    TopicRequest a{"a/+", Qos::AtLeastOnce};
    a.noLocal = true;
    a.retainHandling = RetainHandling::DoNotSend;
    TopicRequest b{"$share/g/c/#", Qos::ExactlyOnce};
    b.retainAsPublished = true;
    b.retainHandling = RetainHandling::SendIfNew;
    s.topics = {a, b, TopicRequest{"d", Qos::AtMostOnce}};
    Bytes props = Cat({Hex("0B AC 02"), PUser("u", "v")});
    ExpectWire5(s,
                PacketWith(0x82,
                           Cat({Hex("00 0A"),
                                Section(props),
                                Field("a/+"),
                                Hex("25"),
                                Field("$share/g/c/#"),
                                Hex("1A"),
                                Field("d"),
                                Hex("00")})));
    SubscribePacket bare;
    bare.packetId = 1;
    bare.topics = {TopicRequest{"t", Qos::AtLeastOnce}};
    ExpectWire5(bare, Cat({Hex("82 07 00 01 00 00 01"), Raw("t"), Hex("01")}));
}

namespace
{

Bytes
Subscribe(std::string_view filter, uint8_t options, const Bytes& props = {})
{
    return PacketWith(0x82, Cat({Hex("00 01"), Section(props), Field(filter), Bytes{options}}));
}

} // namespace

// Reserved option bits [MQTT5-3.8.3-5]; QoS 3 and Retain Handling 3; No Local on a shared
// subscription [MQTT5-3.8.3-4]; the shared syntax "$share/NAME/FILTER" [MQTT5-4.8.2-1],
// [MQTT5-4.8.2-2]; filters UTF-8 [MQTT5-3.8.3-1]; at least one filter [MQTT5-3.8.3-2]; flags
// 0010 [MQTT5-3.8.1-1]; one Subscription Identifier, not 0.
TEST(Codec5, Mqtt5_3_8_3_1_3_8_3_2_3_8_3_4_3_8_3_5_4_8_2_1_4_8_2_2_SubscribeChecks)
{
    EXPECT_EQ(Error5(Subscribe("a", 0x40)), DecodeError::SubscriptionOptionsReservedBits);
    EXPECT_EQ(Error5(Subscribe("a", 0x80)), DecodeError::SubscriptionOptionsReservedBits);
    EXPECT_EQ(Error5(Subscribe("a", 0x03)), DecodeError::InvalidRequestedQos);
    EXPECT_EQ(Error5(Subscribe("a", 0x30)), DecodeError::InvalidRetainHandling);
    EXPECT_EQ(Error5(Subscribe("$share/g/a", 0x04)), DecodeError::NoLocalOnSharedSubscription);
    Decode5(Subscribe("$share/g/a", 0x00));
    Decode5(Subscribe("$sharex/a", 0x04)); // not a shared subscription
    for (const char* f :
         {"$share/", "$share/g", "$share/g/", "$share//a", "$share/+/a", "$share/#"})
    {
        EXPECT_EQ(Error5(Subscribe(f, 0x00)), DecodeError::InvalidSharedSubscription) << f;
    }
    EXPECT_EQ(Error5(PacketWith(0x82, Cat({Hex("00 01 00"), Field(Hex("ED A0 80")), Hex("00")}))),
              DecodeError::MalformedUtf8);
    EXPECT_EQ(Error5(Hex("82 03 00 01 00")), DecodeError::SubscribeWithoutTopics);
    EXPECT_EQ(Error5(Hex("80 06 00 01 00 00 01 74")), DecodeError::InvalidFixedHeaderFlags);
    EXPECT_EQ(Error5(Subscribe("a", 0, Hex("0B 01 0B 02"))), DecodeError::DuplicateProperty);
    EXPECT_EQ(Error5(Subscribe("a", 0, Hex("0B 00"))), DecodeError::SubscriptionIdentifierZero);
    EXPECT_EQ(Error5(Subscribe("a", 0, P2(0x23, 1))), DecodeError::PropertyNotAllowed);
    EXPECT_EQ(Error5(Subscribe("a/#/b", 0)), DecodeError::InvalidTopicFilter);
}

// One reason code per filter, each a Subscribe Reason Code of table 2-6 [MQTT5-3.9.3-2].
TEST(Codec5, Mqtt5_3_9_3_2_SubackVectorsAndChecks)
{
    SubackPacket s;
    s.packetId = 10;
    s.returnCodes = {0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2};
    ExpectWire5(s, Cat({Hex("90 0F 00 0A 00"), s.returnCodes}));
    s.properties.AddText(PropertyId::ReasonString, "r");
    s.returnCodes = {0x01};
    ExpectWire5(s, Cat({Hex("90 08 00 0A 04"), PS(0x1F, "r"), Hex("01")}));
    EXPECT_EQ(ExpectTableCodes(PacketType::Suback,
                               [](uint8_t code) {
                                   return Bytes{0x90, 0x04, 0x00, 0x0A, 0x00, code};
                               }),
              12);
    EXPECT_EQ(Error5(Hex("90 04 00 0A 00 03")), DecodeError::InvalidReasonCode);
    EXPECT_EQ(Error5(Hex("90 04 00 0A 00 11")), DecodeError::InvalidReasonCode);
    EXPECT_EQ(Error5(Hex("90 03 00 0A 00")), DecodeError::SubackWithoutReturnCodes);
    EXPECT_EQ(Error5(Hex("90 04 00 0A 05 00")), DecodeError::Truncated);
    EXPECT_EQ(Error5(Hex("90 07 00 0A 03 21 00 01 00")), DecodeError::PropertyNotAllowed);
}

// ---------------------------------------------------------------------------------------------
// UNSUBSCRIBE and UNSUBACK (sections 3.10, 3.11).
// ---------------------------------------------------------------------------------------------

// Filters UTF-8 [MQTT5-3.10.3-1], at least one [MQTT5-3.10.3-2], flags 0010 [MQTT5-3.10.1-1].
TEST(Codec5, Mqtt5_3_10_1_1_3_10_3_1_3_10_3_2_Unsubscribe)
{
    UnsubscribePacket u;
    u.packetId = 10;
    u.filters = {"a/b", "$share/g/c"};
    u.properties.AddUserProperty("k", "v");
    ExpectWire5(
        u,
        PacketWith(
            0xA2,
            Cat({Hex("00 0A"), Section(PUser("k", "v")), Field("a/b"), Field("$share/g/c")})));
    EXPECT_EQ(Error5(Hex("A2 03 00 01 00")), DecodeError::UnsubscribeWithoutTopics);
    EXPECT_EQ(Error5(Hex("A0 05 00 01 00 00 01")), DecodeError::InvalidFixedHeaderFlags);
    EXPECT_EQ(Error5(PacketWith(0xA2, Cat({Hex("00 01 00"), Field(Hex("00"))}))),
              DecodeError::Utf8NullCharacter);
    EXPECT_EQ(Error5(PacketWith(0xA2, Cat({Hex("00 01 00"), Field("$share/g")}))),
              DecodeError::InvalidSharedSubscription);
    EXPECT_EQ(Error5(PacketWith(0xA2, Cat({Hex("00 01"), Section(P4(0x0B, 1)), Field("a")}))),
              DecodeError::PropertyNotAllowed);
}

// One Unsubscribe Reason Code per filter, each of table 2-6 [MQTT5-3.11.3-2].
TEST(Codec5, Mqtt5_3_11_3_2_Unsuback)
{
    UnsubackPacket u;
    u.packetId = 10;
    u.reasonCodes = {0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91};
    ExpectWire5(u, Cat({Hex("B0 0A 00 0A 00"), u.reasonCodes}));
    EXPECT_EQ(ExpectTableCodes(PacketType::Unsuback,
                               [](uint8_t code) {
                                   return Bytes{0xB0, 0x04, 0x00, 0x0A, 0x00, code};
                               }),
              7);
    EXPECT_EQ(Error5(Hex("B0 04 00 0A 00 10")), DecodeError::InvalidReasonCode);
    EXPECT_EQ(Error5(Hex("B0 03 00 0A 00")), DecodeError::UnsubackWithoutReasonCodes);
    EXPECT_EQ(Error5(Hex("B0 02 00 0A")), DecodeError::Truncated);
    EXPECT_EQ(Error5(Hex("B0 04 00 00 00 00")), DecodeError::PacketIdZero);
}

// ---------------------------------------------------------------------------------------------
// PINGREQ, PINGRESP, DISCONNECT, AUTH (sections 3.12 to 3.15).
// ---------------------------------------------------------------------------------------------

// Reserved fixed-header flags carry the values of table 2-2 [MQTT5-2.1.3-1]: 0010 for PUBREL,
// SUBSCRIBE and UNSUBSCRIBE, 0000 for the others (PUBLISH's are DUP, QoS and RETAIN); the
// encoder writes them and the decoder refuses every other value.
TEST(Codec5, Mqtt5_2_1_3_1_ReservedFlags)
{
    const Packet packets[] = {Connect5(),
                              ConnackPacket{},
                              PubackPacket{1},
                              PubrecPacket{1},
                              PubrelPacket{1},
                              PubcompPacket{1},
                              SubscribePacket{1, {TopicRequest{"t", Qos::AtMostOnce}}},
                              SubackPacket{1, {0}},
                              UnsubscribePacket{1, {"t"}},
                              UnsubackPacket{1, {0}},
                              PingreqPacket{},
                              PingrespPacket{},
                              DisconnectPacket{},
                              AuthPacket{}};
    for (const Packet& p : packets)
    {
        Bytes wire = Enc5(p);
        const uint8_t flags = wire[0] & 0x0F;
        const PacketType type = TypeOf(p);
        const bool isTwo = type == PacketType::Pubrel || type == PacketType::Subscribe ||
                           type == PacketType::Unsubscribe;
        EXPECT_EQ(flags, isTwo ? 0x02 : 0x00) << PacketTypeName(type);
        for (uint8_t f = 0; f < 16; ++f)
        {
            if (f == flags)
            {
                continue;
            }
            Bytes bad = wire;
            bad[0] = static_cast<uint8_t>((bad[0] & 0xF0) | f);
            EXPECT_EQ(Error5(bad), DecodeError::InvalidFixedHeaderFlags)
                << PacketTypeName(type) << " flags " << int(f);
        }
    }
}

TEST(Codec5, PingVectors)
{
    ExpectWire5(PingreqPacket{}, Hex("C0 00"));
    ExpectWire5(PingrespPacket{}, Hex("D0 00"));
    EXPECT_EQ(Error5(Hex("C0 01 00")), DecodeError::TrailingBytes);
}

// DISCONNECT: nothing for a normal disconnection, the reason code alone, or with properties;
// only the codes of table 2-6 [MQTT5-3.14.2-1]; reserved flags 0 [MQTT5-3.14.1-1].
TEST(Codec5, Mqtt5_3_14_1_1_3_14_2_1_Disconnect)
{
    ExpectWire5(DisconnectPacket{}, Hex("E0 00"));
    ExpectWire5(DisconnectPacket{ReasonCode::DisconnectWithWillMessage}, Hex("E0 01 04"));
    DisconnectPacket d{ReasonCode::SessionTakenOver};
    d.properties.AddText(PropertyId::ReasonString, "taken over")
        .AddText(PropertyId::ServerReference, "b2")
        .AddUserProperty("k", "v");
    ExpectWire5(
        d,
        PacketWith(0xE0,
                   Cat({Hex("8E"),
                        Section(Cat({PS(0x1F, "taken over"), PS(0x1C, "b2"), PUser("k", "v")}))})));
    DisconnectPacket expiry;
    expiry.properties.AddNumber(PropertyId::SessionExpiryInterval, 0);
    ExpectWire5(expiry, Hex("E0 07 00 05 11 00 00 00 00"));
    EXPECT_TRUE(Decode5(Hex("E0 02 00 00")) == Packet{DisconnectPacket{}});

    // Table 2-6 gives DISCONNECT 30 codes: the 29 of section 3.14.2.1 and 0x8C (Bad
    // authentication method, for a failed re-authentication), which that list leaves out.
    EXPECT_EQ(ExpectTableCodes(PacketType::Disconnect,
                               [](uint8_t code) {
                                   return Bytes{0xE0, 0x01, code};
                               }),
              30);
    EXPECT_EQ(Error5(Hex("E1 00")), DecodeError::InvalidFixedHeaderFlags);
    EXPECT_EQ(Error5(Hex("E0 03 00 01 11")), DecodeError::Truncated);
    EXPECT_EQ(Error5(Hex("E0 04 00 02 24 00")), DecodeError::PropertyNotAllowed);
}

// AUTH exists in 5.0 only (3.1.1 reserves type 15); flags 0 [MQTT5-3.15.1-1]; codes 0x00, 0x18,
// 0x19 [MQTT5-3.15.2-1]; every AUTH but the bare Success one names its method.
TEST(Codec5, Mqtt5_3_15_1_1_3_15_2_1_Auth)
{
    ExpectWire5(AuthPacket{}, Hex("F0 00"));
    AuthPacket a{ReasonCode::ContinueAuthentication};
    a.properties.AddText(PropertyId::AuthenticationMethod, "SCRAM-SHA-256")
        .AddBinary(PropertyId::AuthenticationData, Raw("n,,n=u"))
        .AddText(PropertyId::ReasonString, "step");
    ExpectWire5(a,
                PacketWith(0xF0,
                           Cat({Hex("18"),
                                Section(Cat({PS(0x15, "SCRAM-SHA-256"),
                                             PB(0x16, Raw("n,,n=u")),
                                             PS(0x1F, "step")}))})));
    EXPECT_EQ(DecodeError_(Hex("F0 00")), DecodeError::ReservedPacketType);
    EXPECT_EQ(Error5(Hex("F1 00")), DecodeError::InvalidFixedHeaderFlags);
    EXPECT_EQ(Error5(Hex("F0 01 01")), DecodeError::InvalidReasonCode);
    EXPECT_EQ(Error5(Hex("F0 01 18")), DecodeError::AuthWithoutMethod);
    EXPECT_EQ(Error5(Hex("F0 02 19 00")), DecodeError::AuthWithoutMethod);
    EXPECT_EQ(Error5(Hex("F0 06 18 04 16 00 01 00")), DecodeError::AuthenticationDataWithoutMethod);
    EXPECT_EQ(Error5(Hex("F0 06 18 04 11 00 00 00")), DecodeError::PropertyNotAllowed);
    EXPECT_EQ(Error5(Hex("F0 05 18 03 15 00 01")), DecodeError::Truncated);
}

// ---------------------------------------------------------------------------------------------
// Versions on one codec.
// ---------------------------------------------------------------------------------------------

// The 3.1.1 layout has no place for properties and reason codes: encoded as 3.1.1 they are left
// out, and a 3.1.1 decode into a variant that held a 5.0 packet leaves none behind.
TEST(Codec5, ThreeOneOneLeavesFiveZeroFieldsOut)
{
    PublishPacket p;
    p.topic = "t";
    p.properties.AddNumber(PropertyId::MessageExpiryInterval, 5);
    EXPECT_EQ(Enc(p), Cat({Hex("30 03 00 01"), Raw("t")}));
    EXPECT_EQ(Enc(PubackPacket{1, ReasonCode::QuotaExceeded}), Hex("40 02 00 01"));
    EXPECT_EQ(Enc(DisconnectPacket{ReasonCode::ServerBusy}), Hex("E0 00"));

    Packet out = p;
    Bytes v311 = Cat({Hex("30 03 00 01"), Raw("t")});
    ASSERT_EQ(Decode(v311.data(), v311.size(), out).status, DecodeStatus::Complete);
    EXPECT_TRUE(std::get<PublishPacket>(out).properties.Empty());
}

// A server's reader made for 5.0 adopts the level of the CONNECT it decodes, so the packets after
// a 3.1.1 CONNECT are read as 3.1.1 and after a 5.0 CONNECT as 5.0, however the bytes are split.
TEST(Codec5, FrameReaderAdoptsTheConnectLevel)
{
    Bytes publish5 = PublishProps(P2(0x23, 4));
    Bytes publish311 = Cat({Hex("30 04 00 01"), Raw("t"), Raw("p")});
    Bytes connect311 = Cat({Hex("10 0D 00 04 4D 51 54 54 04 02 00 3C 00 01"), Raw("c")});
    struct Case
    {
        Bytes connect;
        Bytes publish;
        ProtocolVersion after;
    };
    for (const Case& c : {Case{ConnectProps({}), publish5, V5},
                          Case{connect311, publish311, ProtocolVersion::Mqtt311}})
    {
        Bytes stream = Cat({c.connect, c.publish});
        for (std::size_t piece = 1; piece <= stream.size(); ++piece)
        {
            MqttFrameReader reader(MAX_PACKET_SIZE, V5);
            std::vector<Packet> got;
            for (std::size_t pos = 0; pos < stream.size(); pos += piece)
            {
                reader.Append(stream.data() + pos, std::min(piece, stream.size() - pos));
                Packet out;
                while (reader.Next(out).status == DecodeStatus::Complete)
                {
                    got.push_back(out);
                }
            }
            ASSERT_EQ(got.size(), 2u) << piece;
            EXPECT_EQ(reader.Version(), c.after);
            EXPECT_TRUE(got[1] == DecodeAll(c.publish, c.after));
            reader.Reset();
            EXPECT_EQ(reader.Version(), V5);
        }
    }
    // A 3.1.1 reader still refuses a level 5 CONNECT.
    MqttFrameReader old;
    Bytes v5 = ConnectProps({});
    old.Append(v5.data(), v5.size());
    Packet out;
    EXPECT_EQ(old.Next(out).error, DecodeError::UnsupportedProtocolLevel);
    // A client sets the version its CONNECT asked for.
    MqttFrameReader client;
    client.SetVersion(V5);
    Bytes connack = Hex("20 03 00 00 00");
    client.Append(connack.data(), connack.size());
    EXPECT_EQ(client.Next(out).status, DecodeStatus::Complete);
}

// ---------------------------------------------------------------------------------------------
// The tables.
// ---------------------------------------------------------------------------------------------

// Table 2-4: 27 identifiers, each with its type and the packets that may carry it.
TEST(Codec5, PropertyTable)
{
    int known = 0;
    for (uint32_t id = 0; id < 256; ++id)
    {
        known += FindPropertyInfo(id) != nullptr;
    }
    EXPECT_EQ(known, 27);
    EXPECT_STREQ(PropertyName(PropertyId::TopicAlias), "Topic Alias");
    EXPECT_EQ(PropertyTypeOf(PropertyId::SubscriptionIdentifier),
              PropertyType::VariableByteInteger);
    EXPECT_EQ(PropertyTypeOf(PropertyId::UserProperty), PropertyType::Utf8StringPair);
    EXPECT_EQ(PropertyTypeOf(PropertyId::CorrelationData), PropertyType::BinaryData);
    EXPECT_EQ(PropertyTypeOf(PropertyId::ServerKeepAlive), PropertyType::TwoByteInteger);
    EXPECT_EQ(PropertyTypeOf(PropertyId::WillDelayInterval), PropertyType::FourByteInteger);
    EXPECT_EQ(PropertyTypeOf(PropertyId::MaximumQos), PropertyType::Byte);
    EXPECT_TRUE(IsPropertyAllowed(PropertyId::ReasonString, PropertyPlace::Auth));
    EXPECT_FALSE(IsPropertyAllowed(PropertyId::ReasonString, PropertyPlace::Publish));
    EXPECT_TRUE(IsPropertyAllowed(PropertyId::UserProperty, PropertyPlace::Will));
    EXPECT_TRUE(MayRepeat(PropertyId::SubscriptionIdentifier, PropertyPlace::Publish));
    EXPECT_FALSE(MayRepeat(PropertyId::SubscriptionIdentifier, PropertyPlace::Subscribe));
    EXPECT_TRUE(MayRepeat(PropertyId::UserProperty, PropertyPlace::Connack));
    EXPECT_FALSE(MayRepeat(PropertyId::ReasonString, PropertyPlace::Connack));
}

// Table 2-6: names by packet, and the failures from 0x80.
TEST(Codec5, ReasonCodeTable)
{
    EXPECT_STREQ(ReasonCodeName(ReasonCode::Success, PacketType::Disconnect),
                 "Normal disconnection");
    EXPECT_STREQ(ReasonCodeName(ReasonCode::Success, PacketType::Suback), "Granted QoS 0");
    EXPECT_STREQ(ReasonCodeName(ReasonCode::Success, PacketType::Connack), "Success");
    EXPECT_STREQ(ReasonCodeName(ReasonCode::SessionTakenOver), "Session taken over");
    EXPECT_STREQ(ReasonCodeName(static_cast<ReasonCode>(0x05)), "Unknown");
    EXPECT_TRUE(IsFailure(ReasonCode::UnspecifiedError));
    EXPECT_FALSE(IsFailure(ReasonCode::GrantedQos2));
    int distinct = 0;
    for (int code = 0; code < 256; ++code)
    {
        distinct += std::string(ReasonCodeName(static_cast<ReasonCode>(code))) != "Unknown";
    }
    EXPECT_EQ(distinct, 43);
}

// Every DecodeError has a name (the fuzz target checks this of every error it reaches).
TEST(Codec5, EveryErrorHasAName)
{
    for (int e = 0; e <= static_cast<int>(DecodeError::UnsubackWithoutReasonCodes); ++e)
    {
        EXPECT_STRNE(DecodeErrorName(static_cast<DecodeError>(e)), "Unknown") << e;
    }
}

// ---------------------------------------------------------------------------------------------
// Randomized round trip.
// ---------------------------------------------------------------------------------------------

TEST(Codec5, RandomizedRoundTrip)
{
    RandomPackets gen(5050);
    Packet out;
    for (int i = 0; i < 5000; ++i)
    {
        Packet p = gen.Any5();
        Bytes wire = Enc5(p);
        ASSERT_EQ(EncodedSize(p, V5), wire.size());
        DecodeResult r = Decode(wire.data(), wire.size(), out, MAX_PACKET_SIZE, V5);
        ASSERT_EQ(r.status, DecodeStatus::Complete)
            << i << " " << PacketTypeName(TypeOf(p)) << " " << DecodeErrorName(r.error);
        ASSERT_EQ(r.consumed, wire.size());
        ASSERT_TRUE(out == p) << i << " " << PacketTypeName(TypeOf(p));
    }
}
