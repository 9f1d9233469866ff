/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Helpers for the broker engine's MQTT 5.0 tests: 5.0 packets written and read in the 5.0
 * layout, on top of the byte-script harness (mqtt-broker-test-harness.h).
 */
#ifndef MQTT_BROKER5_TEST_UTIL_H
#define MQTT_BROKER5_TEST_UTIL_H

#include "mqtt-broker-test-harness.h"

namespace brokertest
{

constexpr ProtocolVersion V5 = ProtocolVersion::Mqtt5;

inline std::vector<uint8_t>
Bytes5(const Packet& p)
{
    std::vector<uint8_t> out;
    Encode(p, out, V5);
    return out;
}

inline std::string
HexOf5(const Packet& p)
{
    return Hex(Bytes5(p));
}

/** A level 5 CONNECT. */
inline ConnectPacket
MakeConnect5(const std::string& clientId,
             bool cleanStart = true,
             uint32_t sessionExpiry = 0,
             uint16_t keepAlive = 0)
{
    ConnectPacket p = MakeConnect(clientId, cleanStart, keepAlive);
    p.protocolLevel = 5;
    if (sessionExpiry != 0)
    {
        p.properties.AddNumber(PropertyId::SessionExpiryInterval, sessionExpiry);
    }
    return p;
}

/**
 * The standard-5 profile most 5.0 tests use: no topic aliases either way (PUBLISHes keep their
 * topic names) and Subscription Identifiers on, so that its CONNACK is the shortest one
 * (20 03 00 00 00): it announces nothing.
 */
inline MqttBrokerProfile
Plain5()
{
    MqttBrokerProfile p = MqttBrokerProfile::Standard5();
    p.topicAliasMaximum = 0;
    p.outboundTopicAliases = 0;
    p.subscriptionIdentifiers = true;
    return p;
}

/** A clean level 5 CONNECT of @p clientId with one numeric CONNECT property. */
inline ConnectPacket
ConnectWith5(const std::string& clientId, PropertyId id, uint32_t value)
{
    ConnectPacket c = MakeConnect5(clientId);
    c.properties.AddNumber(id, value);
    return c;
}

/** A persistent level 5 CONNECT: Clean Start 0, Session Expiry @p expiry seconds. */
inline ConnectPacket
Persistent5(const std::string& clientId, uint32_t expiry = 100, uint16_t receiveMaximum = 0)
{
    ConnectPacket c = MakeConnect5(clientId, false, expiry);
    if (receiveMaximum != 0)
    {
        c.properties.AddNumber(PropertyId::ReceiveMaximum, receiveMaximum);
    }
    return c;
}

/** A level 5 CONNECT with a will on "w" ("gone") and Will Delay @p delay seconds (0: none). */
inline ConnectPacket
WithWill5(const std::string& clientId,
          uint32_t sessionExpiry,
          uint32_t delay,
          bool willRetain = false,
          bool cleanStart = false)
{
    ConnectPacket c = MakeConnect5(clientId, cleanStart, sessionExpiry);
    Will w;
    w.topic = "w";
    w.payload = Payload("gone");
    w.retain = willRetain;
    if (delay != 0)
    {
        w.properties.AddNumber(PropertyId::WillDelayInterval, delay);
    }
    c.will = std::move(w);
    return c;
}

/** The will of WithWill5 as a QoS 0 subscriber of "w" gets it. */
inline const std::string WILL5 = HexOf5(MakePublish("w", "gone"));

/** Every packet in @p hex, decoded as 5.0 (a failure if any does not decode). */
inline std::vector<Packet>
Packets5(const std::string& hex)
{
    std::vector<uint8_t> bytes = FromHex(hex);
    std::vector<Packet> packets;
    std::size_t at = 0;
    while (at < bytes.size())
    {
        Packet p;
        DecodeResult r = Decode(bytes.data() + at, bytes.size() - at, p, MAX_PACKET_SIZE, V5);
        if (r.status != DecodeStatus::Complete)
        {
            ADD_FAILURE() << "not a 5.0 packet: " << hex;
            break;
        }
        packets.push_back(std::move(p));
        at += r.consumed;
    }
    return packets;
}

/** Opens @p c, sends @p p and returns every packet sent back (the CONNACK first). */
inline std::vector<Packet>
ConnectAll5(BrokerHarness& h, ConnectionId c, const ConnectPacket& p)
{
    h.Open(c);
    h.Feed(c, Bytes5(p));
    return Packets5(h.TakeHex(c));
}

/**
 * Opens @p c, sends @p p and returns the CONNACK; whatever follows it is consumed too (use
 * ConnectAll5 when a resumed session has messages waiting).
 */
inline ConnackPacket
Connect5(BrokerHarness& h, ConnectionId c, const ConnectPacket& p)
{
    h.Open(c);
    h.Feed(c, Bytes5(p));
    std::vector<Packet> got = Packets5(h.TakeHex(c));
    if (got.empty() || !std::holds_alternative<ConnackPacket>(got[0]))
    {
        ADD_FAILURE() << "no CONNACK for " << p.clientId;
        return {};
    }
    return std::get<ConnackPacket>(got[0]);
}

/** Subscribes @p c (5.0) to @p filter and expects the SUBACK code @p expected. */
inline void
Subscribe5(BrokerHarness& h,
           ConnectionId c,
           TopicRequest req,
           uint8_t expected,
           uint16_t packetId = 1,
           Properties properties = {})
{
    SubscribePacket s = MakeSubscribe(packetId, {std::move(req)});
    s.properties = std::move(properties);
    h.Feed(c, Bytes5(s));
    SubackPacket want;
    want.packetId = packetId;
    want.returnCodes = {expected};
    EXPECT_EQ(h.TakeHex(c).substr(0, HexOf5(want).size()), HexOf5(want));
}

/** Connection 9, "watcher", subscribed to "w" at QoS 0: it sees the wills of WithWill5. */
inline void
WatchWills5(BrokerHarness& h)
{
    Connect5(h, 9, MakeConnect5("watcher"));
    Subscribe5(h, 9, {"w", Qos::AtMostOnce}, 0x00);
}

/** "pub" on connection 1; @p sub on 2, subscribed to "t" at @p qos (granted as asked). */
inline void
PubAndSub5(BrokerHarness& h, Qos qos, const ConnectPacket& sub = Persistent5("sub"))
{
    Connect5(h, 1, MakeConnect5("pub"));
    Connect5(h, 2, sub);
    Subscribe5(h, 2, {"t", qos}, static_cast<uint8_t>(qos));
}

/** Connection @p c connects with @p connect and joins @p filter at @p qos (granted as asked). */
inline void
JoinShared5(BrokerHarness& h,
            ConnectionId c,
            const ConnectPacket& connect,
            Qos qos,
            const std::string& filter = "$share/g/t")
{
    Connect5(h, c, connect);
    Subscribe5(h, c, {filter, qos}, static_cast<uint8_t>(qos));
}

} // namespace brokertest

#endif // MQTT_BROKER5_TEST_UTIL_H
