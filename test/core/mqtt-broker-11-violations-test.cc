/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: the violation matrix. Every malformed or out-of-order packet closes the
 * connection it arrived on and no other [MQTT-4.8.0-1]: for each row a victim connection sends
 * the bytes; it must be closed with ProtocolError and the row's DecodeError in the event, get
 * no answer, and have its will published; two bystander connections must still work.
 */
#include "mqtt-broker-test-harness.h"

using namespace brokertest;

namespace
{

struct Violation
{
    const char* name;
    const char* hex;
    DecodeError error;
};

// Rows sent after a successful CONNECT. Each cites what it checks.
const Violation AFTER_CONNECT[] = {
    // Section 2.2.1: reserved packet types 0 and 15.
    {"type 0", "00 00", DecodeError::ReservedPacketType},
    {"type 15", "f0 00", DecodeError::ReservedPacketType},
    // [MQTT-2.2.2-2] [MQTT-3.6.1-1]: PUBREL flags must be 0010.
    {"PUBREL flags 0000", "60 02 00 01", DecodeError::InvalidFixedHeaderFlags},
    // [MQTT-3.8.1-1]: SUBSCRIBE flags must be 0010.
    {"SUBSCRIBE flags 0000", "80 06 00 01 00 01 61 00", DecodeError::InvalidFixedHeaderFlags},
    // [MQTT-3.10.1-1]: UNSUBSCRIBE flags must be 0010.
    {"UNSUBSCRIBE flags 0000", "a0 05 00 01 00 01 61", DecodeError::InvalidFixedHeaderFlags},
    // [MQTT-3.14.1-1]: DISCONNECT flags must be 0.
    {"DISCONNECT flags 0001", "e1 00", DecodeError::InvalidFixedHeaderFlags},
    // [MQTT-2.2.2-2]: PINGREQ and PUBACK flags must be 0.
    {"PINGREQ flags 0001", "c1 00", DecodeError::InvalidFixedHeaderFlags},
    {"PUBACK flags 0010", "42 02 00 01", DecodeError::InvalidFixedHeaderFlags},
    // [MQTT-3.3.1-4]: PUBLISH QoS 3.
    {"PUBLISH QoS 3", "36 06 00 01 74 00 01 61", DecodeError::InvalidQos},
    // [MQTT-3.3.1-2]: DUP with QoS 0.
    {"PUBLISH DUP QoS 0", "38 04 00 01 74 61", DecodeError::DupWithQosZero},
    // [MQTT-3.3.2-2] [MQTT-4.7.1-1]: wildcards in a topic name.
    {"PUBLISH topic '#'", "30 04 00 01 23 61", DecodeError::InvalidTopicName},
    {"PUBLISH topic 'a/+'", "30 06 00 03 61 2f 2b 61", DecodeError::InvalidTopicName},
    // [MQTT-4.7.3-1]: empty topic name.
    {"PUBLISH empty topic", "30 03 00 00 61", DecodeError::InvalidTopicName},
    // [MQTT-1.5.3-1] [MQTT-3.3.2-1]: ill-formed UTF-8 in the topic.
    {"PUBLISH topic 0xff", "30 04 00 01 ff 61", DecodeError::MalformedUtf8},
    {"PUBLISH topic surrogate", "30 06 00 03 ed a0 80 61", DecodeError::MalformedUtf8},
    // [MQTT-1.5.3-2] [MQTT-4.7.3-2]: U+0000 in the topic.
    {"PUBLISH topic NUL", "30 05 00 02 61 00 62", DecodeError::Utf8NullCharacter},
    // [MQTT-2.3.1-1]: packet id 0.
    {"PUBLISH QoS 1 id 0", "32 05 00 01 74 00 00", DecodeError::PacketIdZero},
    {"SUBSCRIBE id 0", "82 06 00 00 00 01 61 00", DecodeError::PacketIdZero},
    {"PUBACK id 0", "40 02 00 00", DecodeError::PacketIdZero},
    // [MQTT-3.8.3-3]: SUBSCRIBE without a filter.
    {"SUBSCRIBE empty", "82 02 00 01", DecodeError::SubscribeWithoutTopics},
    // [MQTT-3.8.3-4]: requested QoS 3 or reserved bits.
    {"SUBSCRIBE QoS 3", "82 06 00 01 00 01 61 03", DecodeError::InvalidRequestedQos},
    {"SUBSCRIBE QoS reserved bits", "82 06 00 01 00 01 61 04", DecodeError::InvalidRequestedQos},
    // [MQTT-4.7.1-2] [MQTT-4.7.1-3] [MQTT-4.7.3-1]: invalid filters.
    {"SUBSCRIBE 'a#'", "82 07 00 01 00 02 61 23 00", DecodeError::InvalidTopicFilter},
    {"SUBSCRIBE 'a/#/b'", "82 0a 00 01 00 05 61 2f 23 2f 62 00", DecodeError::InvalidTopicFilter},
    {"SUBSCRIBE 'a+'", "82 07 00 01 00 02 61 2b 00", DecodeError::InvalidTopicFilter},
    {"SUBSCRIBE ''", "82 05 00 01 00 00 00", DecodeError::InvalidTopicFilter},
    {"UNSUBSCRIBE 'a#'", "a2 06 00 01 00 02 61 23", DecodeError::InvalidTopicFilter},
    // [MQTT-3.10.3-2]: UNSUBSCRIBE without a filter.
    {"UNSUBSCRIBE empty", "a2 02 00 01", DecodeError::UnsubscribeWithoutTopics},
    // Section 2.2.3: a fifth Remaining Length byte.
    {"remaining length 5 bytes", "30 ff ff ff ff 01", DecodeError::RemainingLengthTooLong},
    // Remaining Length that does not fit the fields.
    {"PUBACK trailing byte", "40 03 00 01 00", DecodeError::TrailingBytes},
    {"PUBACK short", "40 01 00", DecodeError::Truncated},
    {"PUBLISH topic past the end", "30 03 00 05 61", DecodeError::Truncated},
    {"PINGREQ with a body", "c0 01 00", DecodeError::TrailingBytes},
    // [MQTT-3.1.0-2]: a second CONNECT.
    {"second CONNECT", "10 0e 00 04 4d 51 54 54 04 02 00 00 00 02 63 31", DecodeError::None},
    // Packets only a server sends.
    {"CONNACK from a client", "20 02 00 00", DecodeError::None},
    {"SUBACK from a client", "90 03 00 01 00", DecodeError::None},
    {"UNSUBACK from a client", "b0 02 00 01", DecodeError::None},
    {"PINGRESP from a client", "d0 00", DecodeError::None},
};

// Rows sent as the first packet of a connection: none may get an answer [MQTT-3.1.0-1],
// [MQTT-3.1.4-1].
const Violation BEFORE_CONNECT[] = {
    {"PINGREQ first", "c0 00", DecodeError::None},
    {"DISCONNECT first", "e0 00", DecodeError::None},
    {"PUBLISH first", "30 04 00 01 74 61", DecodeError::None},
    {"CONNACK first", "20 02 00 00", DecodeError::None},
    {"type 0 first", "00 00", DecodeError::ReservedPacketType},
    // [MQTT-3.1.2-1]: protocol name "MQTT" spelt otherwise.
    {"CONNECT name mqtt",
     "10 0e 00 04 6d 71 74 74 04 02 00 00 00 02 63 31",
     DecodeError::InvalidProtocolName},
    // [MQTT-3.1.2-3]: reserved flag.
    {"CONNECT reserved flag",
     "10 0e 00 04 4d 51 54 54 04 03 00 00 00 02 63 31",
     DecodeError::ConnectReservedFlagSet},
    // [MQTT-2.2.2-2]: CONNECT fixed header flags.
    {"CONNECT flags 0001",
     "11 0e 00 04 4d 51 54 54 04 02 00 00 00 02 63 31",
     DecodeError::InvalidFixedHeaderFlags},
    // Will QoS 3 (will flag set).
    {"CONNECT will QoS 3",
     "10 17 00 04 4d 51 54 54 04 1e 00 00 00 03 64 65 76 00 01 77 00 03 62 79 65",
     DecodeError::InvalidWillQos},
    // Will retain without will flag.
    {"CONNECT will retain no will",
     "10 0e 00 04 4d 51 54 54 04 22 00 00 00 02 63 31",
     DecodeError::WillFlagsWithoutWill},
    // Password flag without user name flag.
    {"CONNECT password no user",
     "10 12 00 04 4d 51 54 54 04 42 00 00 00 02 63 31 00 02 70 77",
     DecodeError::PasswordWithoutUserName},
    // [MQTT-1.5.3-1]: client id not UTF-8.
    {"CONNECT client id 0xc0",
     "10 0e 00 04 4d 51 54 54 04 02 00 00 00 02 c0 31",
     DecodeError::MalformedUtf8},
    // [MQTT-1.5.3-2]: client id with U+0000.
    {"CONNECT client id NUL",
     "10 0e 00 04 4d 51 54 54 04 02 00 00 00 02 00 31",
     DecodeError::Utf8NullCharacter},
    // Will topic with a wildcard.
    {"CONNECT will topic '#'",
     "10 17 00 04 4d 51 54 54 04 06 00 00 00 03 64 65 76 00 01 23 00 03 62 79 65",
     DecodeError::InvalidTopicName},
    {"CONNECT truncated",
     "10 0e 00 04 4d 51 54 54 04 02 00 00 00 05 63 31",
     DecodeError::Truncated},
};

/** Victim 1 (with a will on "will"), bystanders 2 (subscribed to "#") and 3. */
void
StartBystanders(BrokerHarness& h)
{
    h.Connect(2, "bystander2");
    h.Subscribe(2, "#", Qos::AtLeastOnce);
    h.Connect(3, "bystander3");
    h.Subscribe(3, "chat", Qos::AtMostOnce);
}

void
ExpectBystandersWork(BrokerHarness& h, const char* row)
{
    // [MQTT-4.8.0-1]: only the offending connection was closed.
    EXPECT_TRUE(h.IsOpen(2)) << row;
    EXPECT_TRUE(h.IsOpen(3)) << row;
    h.Send(2, MakePublish("chat", "hi", Qos::AtLeastOnce, 1));
    EXPECT_EQ(h.TakeHex(2), "40 02 00 01 32 0a 00 04 63 68 61 74 00 01 68 69") << row;
    h.Send(2, PubackPacket{1});
    EXPECT_EQ(h.TakeHex(3), "30 08 00 04 63 68 61 74 68 69") << row;
    h.FeedHex(3, "c0 00");
    EXPECT_EQ(h.TakeHex(3), "d0 00") << row;
}

} // namespace

TEST(BrokerViolations, Mqtt_4_8_0_1_EachViolationAfterConnectClosesOnlyItsConnection)
{
    for (const Violation& v : AFTER_CONNECT)
    {
        BrokerHarness h;
        StartBystanders(h);
        ConnectPacket p = MakeConnect("victim");
        p.will = Will{"will", Payload("w"), Qos::AtMostOnce, false};
        h.Connect(1, p);
        h.TakeEvents();
        h.FeedHex(1, v.hex);
        EXPECT_EQ(h.ClosedWith(1), CloseReason::ProtocolError) << v.name;
        EXPECT_EQ(h.TakeHex(1), "") << v.name;
        auto closed = h.Events(EventType::ConnectionClosed);
        ASSERT_EQ(closed.size(), 1u) << v.name;
        EXPECT_EQ(closed[0].connection, 1u) << v.name;
        EXPECT_EQ(closed[0].closeReason, CloseReason::ProtocolError) << v.name;
        EXPECT_EQ(closed[0].code, static_cast<uint8_t>(v.error))
            << v.name << ": got " << DecodeErrorName(static_cast<DecodeError>(closed[0].code));
        // Only a well-formed packet at the wrong time names its type.
        EXPECT_EQ(closed[0].packetType.has_value(), v.error == DecodeError::None) << v.name;
        // Section 3.1.2.5: a protocol error publishes the will.
        EXPECT_EQ(h.TakeHex(2), "30 07 00 04 77 69 6c 6c 77") << v.name;
        EXPECT_EQ(h.Engine().SessionCount(), 2u) << v.name;
        ExpectBystandersWork(h, v.name);
    }
}

TEST(BrokerViolations, Mqtt_3_1_4_1_EachViolationBeforeConnectClosesWithoutAnswer)
{
    for (const Violation& v : BEFORE_CONNECT)
    {
        BrokerHarness h;
        StartBystanders(h);
        h.Open(1);
        h.TakeEvents();
        h.FeedHex(1, v.hex);
        EXPECT_EQ(h.ClosedWith(1), CloseReason::ProtocolError) << v.name;
        EXPECT_EQ(h.TakeHex(1), "") << v.name;
        auto closed = h.Events(EventType::ConnectionClosed);
        ASSERT_EQ(closed.size(), 1u) << v.name;
        EXPECT_EQ(closed[0].code, static_cast<uint8_t>(v.error))
            << v.name << ": got " << DecodeErrorName(static_cast<DecodeError>(closed[0].code));
        EXPECT_EQ(closed[0].packetType.has_value(), v.error == DecodeError::None) << v.name;
        EXPECT_EQ(h.Count(EventType::ConnectRefused), 0u) << v.name;
        EXPECT_EQ(h.Engine().SessionCount(), 2u) << v.name;
        ExpectBystandersWork(h, v.name);
    }
}

TEST(BrokerViolations, ViolationAfterValidPacketsInTheSameSegment)
{
    // The packets before the bad one take effect, nothing after it does.
    BrokerHarness h;
    StartBystanders(h);
    h.Connect(1, "victim");
    h.FeedHex(1, "c0 00 30 06 00 04 63 68 61 74 60 02 00 01 c0 00");
    EXPECT_EQ(h.TakeHex(1), "d0 00");
    EXPECT_EQ(h.TakeHex(3), "30 06 00 04 63 68 61 74");
    EXPECT_EQ(h.TakeHex(2), "30 06 00 04 63 68 61 74");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ProtocolError);
    ExpectBystandersWork(h, "segment");
}

TEST(BrokerViolations, Mqtt_4_8_0_2_OversizedPacketClosesOnlyItsConnection)
{
    // [MQTT-4.8.0-2]: a packet the broker will not buffer (above profile.maxPacketSize) is
    // refused as soon as its length is known, and only that connection is closed.
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxPacketSize = 64;
    BrokerHarness h(profile);
    StartBystanders(h);
    h.Connect(1, "victim");
    h.FeedHex(1, "30 80 01"); // Remaining Length 128: 131 bytes in all
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ProtocolError);
    EXPECT_EQ(h.Events(EventType::ConnectionClosed).back().code,
              static_cast<uint8_t>(DecodeError::PacketTooLarge));
    ExpectBystandersWork(h, "oversized");
}

TEST(BrokerViolations, OutOfOrderPacketNamesItsType)
{
    // [MQTT-3.1.0-1] (before CONNECT), [MQTT-3.1.0-2] (a second CONNECT) and packets only a
    // server sends: the ConnectionClosed event says which packet it was.
    struct Row
    {
        bool connected;
        const char* hex;
        PacketType type;
    };
    const Row rows[] = {
        {false, "c0 00", PacketType::Pingreq},
        {false, "e0 00", PacketType::Disconnect},
        {false, "30 04 00 01 74 61", PacketType::Publish},
        {false, "82 06 00 01 00 01 61 00", PacketType::Subscribe},
        {false, "20 02 00 00", PacketType::Connack},
        {true, "10 0e 00 04 4d 51 54 54 04 02 00 00 00 02 63 31", PacketType::Connect},
        {true, "20 02 00 00", PacketType::Connack},
        {true, "90 03 00 01 00", PacketType::Suback},
        {true, "b0 02 00 01", PacketType::Unsuback},
        {true, "d0 00", PacketType::Pingresp},
    };
    for (const Row& row : rows)
    {
        BrokerHarness h;
        if (row.connected)
        {
            h.Connect(1, "c");
        }
        else
        {
            h.Open(1);
        }
        h.TakeEvents();
        h.FeedHex(1, row.hex);
        auto closed = h.Events(EventType::ConnectionClosed);
        ASSERT_EQ(closed.size(), 1u) << row.hex;
        EXPECT_EQ(closed[0].closeReason, CloseReason::ProtocolError) << row.hex;
        EXPECT_EQ(closed[0].code, 0u) << row.hex;
        EXPECT_EQ(closed[0].packetType, row.type) << row.hex;
    }
    // Malformed bytes carry the DecodeError and no type; other closes no type either.
    BrokerHarness h;
    h.Connect(1, "c");
    h.Connect(2, "d");
    h.TakeEvents();
    h.FeedHex(1, "60 02 00 01");
    h.FeedHex(2, "e0 00");
    auto closed = h.Events(EventType::ConnectionClosed);
    ASSERT_EQ(closed.size(), 2u);
    EXPECT_EQ(closed[0].packetType, std::nullopt);
    EXPECT_EQ(closed[0].code, static_cast<uint8_t>(DecodeError::InvalidFixedHeaderFlags));
    EXPECT_EQ(closed[1].closeReason, CloseReason::ClientDisconnect);
    EXPECT_EQ(closed[1].packetType, std::nullopt);
}
