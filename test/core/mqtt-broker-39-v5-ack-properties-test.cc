/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine, MQTT 5.0: the Reason String and User Properties of the broker's own
 * acknowledgements (profile fields reasonStrings and ackUserProperties) and the client's
 * Maximum Packet Size: what would make a PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK or UNSUBACK
 * too large for the client is left out, the User Properties first, then the Reason String.
 * Each exchange is run with the client's Maximum Packet Size at the boundaries: the whole
 * packet's size, one byte less, the size without User Properties, one byte less.
 */
#include "mqtt-broker5-test-util.h"

#include <functional>

using namespace brokertest;

namespace
{

MqttBrokerProfile
Acks5(bool reasonStrings = true)
{
    MqttBrokerProfile p = MqttBrokerProfile::Standard5();
    p.topicAliasMaximum = 0;
    p.outboundTopicAliases = 0;
    p.reasonStrings = reasonStrings;
    p.ackUserProperties = {"server=ns3", "zone=a"};
    return p;
}

/** A 5.0 CONNECT of @p clientId with Maximum Packet Size @p max (0: none given). */
ConnectPacket
Client(const std::string& clientId, uint32_t max, bool problemInformation = true)
{
    ConnectPacket c = MakeConnect5(clientId);
    if (max != 0)
    {
        c.properties.AddNumber(PropertyId::MaximumPacketSize, max);
    }
    if (!problemInformation)
    {
        c.properties.AddNumber(PropertyId::RequestProblemInformation, 0);
    }
    return c;
}

/** @p p with the Reason String of @p code (unless Success) and the profile's User Properties. */
template <class P>
P
With(P p, ReasonCode code, bool users)
{
    if (code != ReasonCode::Success)
    {
        p.properties.AddText(PropertyId::ReasonString, ReasonCodeName(code));
    }
    if (users)
    {
        p.properties.AddUserProperty("server", "ns3").AddUserProperty("zone", "a");
    }
    return p;
}

using Exchange = std::function<std::string(uint32_t)>;

/**
 * A failure acknowledgement: @p full (Reason String and User Properties) when it fits, without
 * the User Properties when only that fits, @p bare when not even the Reason String fits.
 */
void
ExpectLeftOutInOrder(const Exchange& exchange,
                     const Packet& full,
                     const Packet& reasonOnly,
                     const std::string& bare)
{
    const auto fullSize = static_cast<uint32_t>(Bytes5(full).size());
    const auto reasonSize = static_cast<uint32_t>(Bytes5(reasonOnly).size());
    EXPECT_EQ(exchange(0), HexOf5(full));
    EXPECT_EQ(exchange(fullSize), HexOf5(full));
    EXPECT_EQ(exchange(fullSize - 1), HexOf5(reasonOnly));
    EXPECT_EQ(exchange(reasonSize), HexOf5(reasonOnly));
    EXPECT_EQ(exchange(reasonSize - 1), bare);
}

/** A successful acknowledgement: @p full with the User Properties when it fits, else @p bare. */
void
ExpectUsersLeftOut(const Exchange& exchange, const Packet& full, const std::string& bare)
{
    const auto fullSize = static_cast<uint32_t>(Bytes5(full).size());
    EXPECT_EQ(exchange(0), HexOf5(full));
    EXPECT_EQ(exchange(fullSize), HexOf5(full));
    EXPECT_EQ(exchange(fullSize - 1), bare);
}

/** A QoS @p qos PUBLISH from a client of Maximum Packet Size @p max; what it gets back. */
std::string
PublishFrom(uint32_t max, Qos qos, bool badUtf8)
{
    BrokerHarness h(Acks5());
    Connect5(h, 1, Client("c", max));
    PublishPacket p = MakePublish("a", badUtf8 ? "\xff" : "ok", qos, 3);
    if (badUtf8)
    {
        p.properties.AddNumber(PropertyId::PayloadFormatIndicator, 1);
    }
    h.Feed(1, Bytes5(p));
    return h.TakeHex(1);
}

/**
 * A QoS 2 message delivered to a subscriber of Maximum Packet Size @p max, which answers with
 * PUBREC @p pubrecId (1: the message's, another: unknown); what the broker answers.
 */
std::string
PubrecFromSubscriber(uint32_t max, uint16_t pubrecId)
{
    BrokerHarness h(Acks5());
    Connect5(h, 1, Client("pub", 0));
    Connect5(h, 2, Client("sub", max));
    h.Feed(2, Bytes5(MakeSubscribe(1, {{"t", Qos::ExactlyOnce}})));
    h.TakeHex(2);
    h.Feed(1, Bytes5(MakePublish("t", "m", Qos::ExactlyOnce, 1)));
    EXPECT_EQ(h.TakeHex(2), "34 07 00 01 74 00 01 00 6d");
    h.Feed(2, Bytes5(PubrecPacket{pubrecId}));
    return h.TakeHex(2);
}

/** PUBREL @p id from a client of Maximum Packet Size @p max, after a QoS 2 PUBLISH 6. */
std::string
PubrelFrom(uint32_t max, uint16_t id)
{
    BrokerHarness h(Acks5());
    Connect5(h, 1, Client("c", max));
    h.Feed(1, Bytes5(MakePublish("t", "m", Qos::ExactlyOnce, 6)));
    h.TakeHex(1);
    h.Feed(1, Bytes5(PubrelPacket{id}));
    return h.TakeHex(1);
}

/** UNSUBSCRIBE of @p filter (after SUBSCRIBE to "t") from a client of Maximum Packet Size @p max. */
std::string
UnsubscribeFrom(uint32_t max, const std::string& filter)
{
    BrokerHarness h(Acks5());
    Connect5(h, 1, Client("c", max));
    h.Feed(1, Bytes5(MakeSubscribe(1, {{"t", Qos::AtMostOnce}})));
    h.TakeHex(1);
    UnsubscribePacket u;
    u.packetId = 2;
    u.filters = {filter};
    h.Feed(1, Bytes5(u));
    return h.TakeHex(1);
}

} // namespace

TEST(Broker5AckProperties, Mqtt5_3_5_2_2_PubrecReasonStringAndUserPropertiesLeftOutWhenTooLarge)
{
    // [MQTT5-3.5.2-2] [MQTT5-3.5.2-3]: PUBREC 0x99 (payload not UTF-8) and a successful PUBREC.
    ExpectLeftOutInOrder(
        [](uint32_t max) { return PublishFrom(max, Qos::ExactlyOnce, true); },
        With(PubrecPacket{3, ReasonCode::PayloadFormatInvalid}, ReasonCode::PayloadFormatInvalid,
             true),
        With(PubrecPacket{3, ReasonCode::PayloadFormatInvalid}, ReasonCode::PayloadFormatInvalid,
             false),
        "50 03 00 03 99");
    ExpectUsersLeftOut([](uint32_t max) { return PublishFrom(max, Qos::ExactlyOnce, false); },
                       With(PubrecPacket{3}, ReasonCode::Success, true),
                       "50 02 00 03");
}

TEST(Broker5AckProperties, Mqtt5_3_4_2_3_PubackReasonStringAndUserPropertiesLeftOutWhenTooLarge)
{
    // [MQTT5-3.4.2-2] [MQTT5-3.4.2-3]: PUBACK 0x99 and a successful PUBACK.
    ExpectLeftOutInOrder(
        [](uint32_t max) { return PublishFrom(max, Qos::AtLeastOnce, true); },
        With(PubackPacket{3, ReasonCode::PayloadFormatInvalid}, ReasonCode::PayloadFormatInvalid,
             true),
        With(PubackPacket{3, ReasonCode::PayloadFormatInvalid}, ReasonCode::PayloadFormatInvalid,
             false),
        "40 03 00 03 99");
    ExpectUsersLeftOut([](uint32_t max) { return PublishFrom(max, Qos::AtLeastOnce, false); },
                       With(PubackPacket{3}, ReasonCode::Success, true),
                       "40 02 00 03");
}

TEST(Broker5AckProperties, Mqtt5_3_6_2_2_PubrelReasonStringAndUserPropertiesLeftOutWhenTooLarge)
{
    // [MQTT5-3.6.2-2] [MQTT5-3.6.2-3]: PUBREL 0x92 for a PUBREC of an unknown identifier, and
    // the PUBREL of the broker's own QoS 2 delivery.
    ExpectLeftOutInOrder(
        [](uint32_t max) { return PubrecFromSubscriber(max, 9); },
        With(PubrelPacket{9, ReasonCode::PacketIdentifierNotFound},
             ReasonCode::PacketIdentifierNotFound,
             true),
        With(PubrelPacket{9, ReasonCode::PacketIdentifierNotFound},
             ReasonCode::PacketIdentifierNotFound,
             false),
        "62 03 00 09 92");
    ExpectUsersLeftOut([](uint32_t max) { return PubrecFromSubscriber(max, 1); },
                       With(PubrelPacket{1}, ReasonCode::Success, true),
                       "62 02 00 01");
}

TEST(Broker5AckProperties, Mqtt5_3_7_2_2_PubcompReasonStringAndUserPropertiesLeftOutWhenTooLarge)
{
    // [MQTT5-3.7.2-2] [MQTT5-3.7.2-3]: PUBCOMP 0x92 for a PUBREL of an unknown identifier, and
    // the PUBCOMP that completes the client's QoS 2 publish.
    ExpectLeftOutInOrder(
        [](uint32_t max) { return PubrelFrom(max, 5); },
        With(PubcompPacket{5, ReasonCode::PacketIdentifierNotFound},
             ReasonCode::PacketIdentifierNotFound,
             true),
        With(PubcompPacket{5, ReasonCode::PacketIdentifierNotFound},
             ReasonCode::PacketIdentifierNotFound,
             false),
        "70 03 00 05 92");
    ExpectUsersLeftOut([](uint32_t max) { return PubrelFrom(max, 6); },
                       With(PubcompPacket{6}, ReasonCode::Success, true),
                       "70 02 00 06");
}

TEST(Broker5AckProperties, Mqtt5_3_11_2_1_UnsubackReasonStringAndUserPropertiesLeftOutWhenTooLarge)
{
    // [MQTT5-3.11.2-1] [MQTT5-3.11.2-2]: UNSUBACK 0x11 (No subscription existed) carries that
    // name as its Reason String; a successful UNSUBACK only the User Properties.
    UnsubackPacket none{2, {0x11}};
    ExpectLeftOutInOrder([](uint32_t max) { return UnsubscribeFrom(max, "nothing"); },
                         With(none, ReasonCode::NoSubscriptionExisted, true),
                         With(none, ReasonCode::NoSubscriptionExisted, false),
                         "b0 04 00 02 00 11");
    ExpectUsersLeftOut([](uint32_t max) { return UnsubscribeFrom(max, "t"); },
                       With(UnsubackPacket{2, {0x00}}, ReasonCode::Success, true),
                       "b0 04 00 02 00 00");
}

TEST(Broker5AckProperties, Mqtt5_3_9_2_2_SubackUserPropertiesLeftOutWhenTooLarge)
{
    // [MQTT5-3.9.2-2]: a SUBACK granting QoS 1 carries the User Properties while they fit.
    auto subscribe = [](uint32_t max) {
        BrokerHarness h(Acks5());
        Connect5(h, 1, Client("c", max));
        h.Feed(1, Bytes5(MakeSubscribe(4, {{"t", Qos::AtLeastOnce}})));
        return h.TakeHex(1);
    };
    ExpectUsersLeftOut(subscribe, With(SubackPacket{4, {0x01}}, ReasonCode::Success, true),
                       "90 04 00 04 00 01");
}

TEST(Broker5AckProperties, Mqtt5_3_1_2_29_NoUserPropertiesWithoutProblemInformation)
{
    // [MQTT5-3.1.2-29]: Request Problem Information 0: no User Properties (nor Reason String)
    // on any acknowledgement; a 3.1.1 client on the same broker gets its 3.1.1 PUBACK; without
    // ack-user-properties a 5.0 PUBACK is the short form.
    BrokerHarness h(Acks5());
    Connect5(h, 1, Client("c", 0, false));
    h.Feed(1, Bytes5(MakePublish("a", "x", Qos::AtLeastOnce, 1)));
    EXPECT_EQ(h.TakeHex(1), "40 02 00 01");
    UnsubscribePacket u;
    u.packetId = 2;
    u.filters = {"nothing"};
    h.Feed(1, Bytes5(u));
    EXPECT_EQ(h.TakeHex(1), "b0 04 00 02 00 11");
    h.Connect(2, "old");
    h.Send(2, MakePublish("a", "x", Qos::AtLeastOnce, 1));
    EXPECT_EQ(h.TakeHex(2), "40 02 00 01");
    MqttBrokerProfile plain = Acks5(false);
    plain.ackUserProperties.clear();
    BrokerHarness p(plain);
    Connect5(p, 1, Client("c", 0));
    p.Feed(1, Bytes5(MakePublish("a", "x", Qos::AtLeastOnce, 1)));
    EXPECT_EQ(p.TakeHex(1), "40 02 00 01");
}
