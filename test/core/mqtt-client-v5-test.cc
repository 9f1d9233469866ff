/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Client engine in MQTT 5.0: the CONNECT and its properties, what the CONNACK announces (Server
 * Keep Alive, Assigned Client Identifier, Receive Maximum, Topic Alias Maximum, Maximum QoS,
 * Retain Available, Maximum Packet Size), topic aliases both ways, reason codes on every ack and
 * on DISCONNECT both ways, message expiry in the client's queue, and the session across
 * connections (Session Expiry Interval, Clean Start 0). Byte scripts on a fake clock.
 */
#include "mqtt-client5-test-util.h"
#include "mqtt-codec.h"

#include <gtest/gtest.h>

using namespace ns3::mqtt;
using namespace ns3::mqtt::clienttest;

namespace
{

Properties
Expiry(uint32_t seconds)
{
    Properties p;
    p.AddNumber(PropertyId::MessageExpiryInterval, seconds);
    return p;
}

} // namespace

// [MQTT5-3.1.0-1]: the first packet is CONNECT, level 5, with an empty property section.
TEST(ClientEngine5, ConnectIsLevel5WithNoProperties)
{
    ClientHarness h(Config5());
    EXPECT_EQ(h.Open(0s),
              (Lines{Opened(1),
                     State(ClientState::AwaitingConnack),
                     Send(1, CONNECT5_C1),
                     Timer(MqttClientEngine::CONNACK_TIMER, 10s)}));
    EXPECT_EQ(h.Feed(1s, CONNACK5),
              (Lines{Cancel(MqttClientEngine::CONNACK_TIMER),
                     State(ClientState::Connected),
                     Session(false),
                     Timer(MqttClientEngine::KEEP_ALIVE_TIMER, 60s)}));
    EXPECT_EQ(h.engine.Version(), ProtocolVersion::Mqtt5);
}

// Every CONNECT property the config sets, in one order: Session Expiry Interval 3600, Receive
// Maximum 10, Maximum Packet Size 1024, Topic Alias Maximum 5, Request Response Information 1,
// Request Problem Information 0, a User Property.
TEST(ClientEngine5, ConnectCarriesThePropertiesOfTheConfig)
{
    MqttClientConfig config = Config5();
    config.sessionExpiryInterval = 3600;
    config.receiveMaximum = 10;
    config.maxPacketSize = 1024;
    config.topicAliasMaximum = 5;
    config.requestResponseInformation = true;
    config.requestProblemInformation = false;
    config.userProperties = {{"a", "b"}};
    ClientHarness h(config);
    EXPECT_EQ(Sends(h.Open(0s)),
              Lines{Send(1,
                         "10 2A 00 04 4D 51 54 54 05 02 00 3C 1B"
                         " 11 00 00 0E 10"       // Session Expiry Interval 3600
                         " 21 00 0A"             // Receive Maximum 10
                         " 27 00 00 04 00"       // Maximum Packet Size 1024
                         " 22 00 05"             // Topic Alias Maximum 5
                         " 19 01"                // Request Response Information
                         " 17 00"                // Request Problem Information 0
                         " 26 00 01 61 00 01 62" // User Property a=b
                         " 00 02 63 31")});
}

// [MQTT5-3.1.3-1]: the Will Properties (a Will Delay Interval of 30 s) come between the client
// id and the will topic.
TEST(ClientEngine5, ConnectWithWillDelayInterval)
{
    MqttClientConfig config = Config5();
    Will will{"w", Raw("x"), Qos::AtMostOnce, false};
    will.properties.AddNumber(PropertyId::WillDelayInterval, 30);
    config.will = will;
    ClientHarness h(config);
    EXPECT_EQ(Sends(h.Open(0s)),
              Lines{Send(1,
                         "10 1B 00 04 4D 51 54 54 05 06 00 3C 00 00 02 63 31"
                         " 05 18 00 00 00 1E" // Will Properties: Will Delay Interval 30
                         " 00 01 77 00 01 78")});
}

// [MQTT5-3.1.2-21], [MQTT5-3.2.2-21]: a Server Keep Alive of 10 s replaces our 60 s, and
// [MQTT5-3.1.2-20]: with nothing else to send the client sends PINGREQ after it.
TEST(ClientEngine5, ServerKeepAliveReplacesOurs)
{
    ClientHarness h(Config5());
    h.Open(0s);
    EXPECT_EQ(h.Feed(0s, "20 06 00 00 03 13 00 0A"),
              (Lines{Cancel(MqttClientEngine::CONNACK_TIMER),
                     State(ClientState::Connected),
                     Session(false),
                     Timer(MqttClientEngine::KEEP_ALIVE_TIMER, 10s)}));
    EXPECT_EQ(h.engine.ServerLimits().serverKeepAlive, std::optional<uint16_t>(10));
    EXPECT_EQ(h.Fire(MqttClientEngine::KEEP_ALIVE_TIMER),
              (Lines{Send(1, "C0 00"),
                     Timer(MqttClientEngine::PING_TIMER, 20s),
                     Timer(MqttClientEngine::KEEP_ALIVE_TIMER, 20s)}));
}

// [MQTT5-3.1.3-2]: an empty client id with the broker's Assigned Client Identifier: the client
// takes it, and its next CONNECT names it, so the broker finds the session again.
TEST(ClientEngine5, AssignedClientIdentifierIsAdopted)
{
    MqttClientConfig config = Config5();
    config.clientId = "";
    ClientHarness h(config);
    EXPECT_EQ(Sends(h.Open(0s)), Lines{Send(1, "10 0D 00 04 4D 51 54 54 05 02 00 3C 00 00 00")});
    h.Feed(0s, "20 0A 00 00 07 12 00 04 61 62 63 64");
    EXPECT_EQ(h.engine.ClientId(), "abcd");
    h.PeerClosed(1s);
    h.Fire(MqttClientEngine::RECONNECT_TIMER);
    EXPECT_EQ(Sends(h.Connected(2s)),
              Lines{Send(2, "10 11 00 04 4D 51 54 54 05 02 00 3C 00 00 04 61 62 63 64")});
}

// A refused CONNACK carries a 5.0 reason code: 0x87 (not authorised) stops the client, 0x89
// (server busy) is retried after the backoff.
TEST(ClientEngine5, ConnackReasonCodeDecidesWhetherToRetry)
{
    ClientHarness h(Config5());
    h.Open(0s);
    EXPECT_EQ(h.Feed(0s, "20 03 00 87 00"),
              RefusedLines(1, 0x87, CloseReason::AuthFailure, {State(ClientState::Idle)}));

    ClientHarness busy(Config5());
    busy.Open(0s);
    EXPECT_EQ(busy.Feed(0s, "20 03 00 89 00"),
              RefusedLines(1,
                           0x89,
                           CloseReason::ConnectRefused,
                           {State(ClientState::WaitingToReconnect),
                            Timer(MqttClientEngine::RECONNECT_TIMER, 1s)}));
}

// [MQTT5-3.3.4-7], [MQTT5-4.9.0-1], [MQTT5-4.9.0-2]: the broker's Receive Maximum of 2 bounds
// the QoS 1 publishes in flight (our own window is 20); [MQTT5-3.3.4-8], [MQTT5-4.9.0-3]: a
// SUBSCRIBE behind the waiting publish is not delayed by it.
TEST(ClientEngine5, BrokerReceiveMaximumIsTheSendWindow)
{
    ClientHarness h(Config5());
    Establish5(h, 0s, "20 06 00 00 03 21 00 02");
    EXPECT_EQ(h.engine.ServerLimits().receiveMaximum, 2);
    EXPECT_EQ(Sends(h.Publish(1s, "t", "a", Qos::AtLeastOnce)),
              Lines{Send(1, "32 07 00 01 74 00 01 00 61")});
    EXPECT_EQ(Sends(h.Publish(1s, "t", "b", Qos::AtLeastOnce)),
              Lines{Send(1, "32 07 00 01 74 00 02 00 62")});
    EXPECT_EQ(h.Publish(1s, "t", "c", Qos::AtLeastOnce), Lines{});
    EXPECT_EQ(h.engine.InflightPublishes(), 2u);
    EXPECT_EQ(Sends(h.Subscribe(1s, {{"s", Qos::AtMostOnce}})),
              Lines{Send(1, "82 07 00 03 00 00 01 73 00")});
    EXPECT_EQ(h.Feed(2s, "40 02 00 01"),
              (Lines{Completed(1, 1), Send(1, "32 07 00 01 74 00 04 00 63")}));
}

// Topic aliases out: the broker allows 2 ([MQTT5-3.2.2-17], [MQTT5-3.3.2-9]), we would use 5.
// A topic's first PUBLISH carries name and alias, later ones an empty name and the alias; a
// third topic goes with its name, as no alias is left.
TEST(ClientEngine5, OutboundTopicAliasesUpToTheBrokersMaximum)
{
    MqttClientConfig config = Config5();
    config.outboundTopicAliases = 5;
    ClientHarness h(config);
    Establish5(h, 0s, "20 06 00 00 03 22 00 02");
    EXPECT_EQ(h.Publish(1s, "t", "x", Qos::AtMostOnce),
              Lines{Send(1, "30 08 00 01 74 03 23 00 01 78")});
    EXPECT_EQ(h.Publish(1s, "t", "x", Qos::AtMostOnce),
              Lines{Send(1, "30 07 00 00 03 23 00 01 78")});
    EXPECT_EQ(h.Publish(1s, "u", "x", Qos::AtMostOnce),
              Lines{Send(1, "30 08 00 01 75 03 23 00 02 78")});
    EXPECT_EQ(h.Publish(1s, "v", "x", Qos::AtMostOnce), Lines{Send(1, "30 05 00 01 76 00 78")});
    EXPECT_EQ(h.Publish(1s, "u", "x", Qos::AtMostOnce),
              Lines{Send(1, "30 07 00 00 03 23 00 02 78")});
    // Aliases live per connection [MQTT5-3.3.2-7]: on the next one "t" is named again.
    h.PeerClosed(2s);
    h.Fire(MqttClientEngine::RECONNECT_TIMER);
    h.Connected(3s);
    h.Feed(3s, "20 06 00 00 03 22 00 02");
    EXPECT_EQ(h.Publish(4s, "t", "x", Qos::AtMostOnce),
              Lines{Send(2, "30 08 00 01 74 03 23 00 01 78")});
}

// [MQTT5-3.2.2-18]: a broker that announces no Topic Alias Maximum gets no alias.
TEST(ClientEngine5, NoTopicAliasWhenTheBrokerAllowsNone)
{
    MqttClientConfig config = Config5();
    config.outboundTopicAliases = 5;
    ClientHarness h(config);
    Establish5(h, 0s);
    EXPECT_EQ(h.Publish(1s, "t", "x", Qos::AtMostOnce), Lines{Send(1, "30 05 00 01 74 00 78")});
    EXPECT_EQ(h.Publish(1s, "t", "x", Qos::AtMostOnce), Lines{Send(1, "30 05 00 01 74 00 78")});
}

// Topic aliases in: [MQTT5-3.3.2-10] every alias from 1 to our Topic Alias Maximum (2) is
// accepted, and an empty topic with a known alias is that topic; alias 3 is above it:
// DISCONNECT 0x94 (Topic Alias invalid), recorded on the close.
TEST(ClientEngine5, InboundTopicAliasesAreResolved)
{
    MqttClientConfig config = Config5();
    config.topicAliasMaximum = 2;
    ClientHarness h(config);
    Establish5(h, 0s);
    EXPECT_EQ(h.Feed(1s, "30 08 00 01 74 03 23 00 01 78"), Lines{Received("t", "x", 0, 0)});
    EXPECT_EQ(h.Feed(1s, "30 07 00 00 03 23 00 01 79"), Lines{Received("t", "y", 0, 0)});
    EXPECT_EQ(h.Feed(1s, "30 08 00 01 75 03 23 00 02 78"), Lines{Received("u", "x", 0, 0)});
    EXPECT_TRUE(
        h.last.size() == 1 &&
        !std::get<NotifyAction>(h.last[0]).event.message->properties.Has(PropertyId::TopicAlias));
    EXPECT_EQ(h.Feed(2s, "30 08 00 01 76 03 23 00 03 78"),
              (Lines{Send(1, "E0 01 94"),
                     Close(1, CloseReason::ProtocolError),
                     Cancel(MqttClientEngine::KEEP_ALIVE_TIMER),
                     Closed5(1, CloseReason::ProtocolError, ReasonCode::TopicAliasInvalid),
                     State(ClientState::WaitingToReconnect),
                     Timer(MqttClientEngine::RECONNECT_TIMER, 3s)}));
}

// An empty topic with an alias never set on this connection is a Protocol Error (0x82).
TEST(ClientEngine5, UnknownInboundAliasIsAProtocolError)
{
    MqttClientConfig config = Config5();
    config.topicAliasMaximum = 2;
    ClientHarness h(config);
    Establish5(h, 0s);
    EXPECT_EQ(Sends(h.Feed(1s, "30 07 00 00 03 23 00 01 79")), Lines{Send(1, "E0 01 82")});
    EXPECT_EQ(h.engine.State(), ClientState::WaitingToReconnect);
}

// [MQTT5-3.2.2-11]: Maximum QoS 1: a QoS 2 publish is not sent (dropped, QosNotSupported);
// QoS 1 goes.
TEST(ClientEngine5, NoPublishAboveTheBrokersMaximumQos)
{
    ClientHarness h(Config5());
    Establish5(h, 0s, "20 05 00 00 02 24 01");
    EXPECT_EQ(h.Publish(1s, "t", "a", Qos::ExactlyOnce),
              Lines{Dropped(1, DropReason::QosNotSupported)});
    EXPECT_EQ(Sends(h.Publish(1s, "t", "b", Qos::AtLeastOnce)),
              Lines{Send(1, "32 07 00 01 74 00 01 00 62")});
}

// [MQTT5-3.2.2-14]: Retain Available 0: no PUBLISH with RETAIN goes out, at any QoS.
TEST(ClientEngine5, NoRetainedPublishWhenRetainIsNotAvailable)
{
    ClientHarness h(Config5());
    Establish5(h, 0s, "20 05 00 00 02 25 00");
    EXPECT_EQ(h.Publish(1s, "t", "a", Qos::AtMostOnce, true),
              Lines{Dropped(1, DropReason::RetainNotAvailable)});
    EXPECT_EQ(h.Publish(1s, "t", "b", Qos::AtLeastOnce, true),
              Lines{Dropped(2, DropReason::RetainNotAvailable)});
    EXPECT_EQ(h.Publish(1s, "t", "c", Qos::AtMostOnce), Lines{Send(1, "30 05 00 01 74 00 63")});
}

// [MQTT5-3.2.2-15]: Maximum Packet Size 16: a 16-byte PUBLISH goes, a 17-byte one is dropped
// (PayloadTooLarge) unsent.
TEST(ClientEngine5, NoPacketAboveTheBrokersMaximumPacketSize)
{
    ClientHarness h(Config5());
    Establish5(h, 0s, "20 08 00 00 05 27 00 00 00 10");
    EXPECT_EQ(h.Publish(1s, "t", "0123456789", Qos::AtMostOnce),
              Lines{Send(1, "30 0E 00 01 74 00 30 31 32 33 34 35 36 37 38 39")});
    EXPECT_EQ(h.Publish(1s, "t", "0123456789A", Qos::AtMostOnce),
              Lines{Dropped(2, DropReason::PayloadTooLarge)});
    EXPECT_EQ(h.Publish(1s, "t", "0123456789A", Qos::AtLeastOnce),
              Lines{Dropped(3, DropReason::PayloadTooLarge)});
}

// Ack reason codes in: PUBACK 0x10 (no matching subscribers) completes the publish with its
// code; PUBACK 0x87 refuses it: acknowledged, dropped with the code, never sent again
// [MQTT5-4.4.0-2]; PUBREC 0x97 ends a QoS 2 exchange with no PUBREL [MQTT5-4.3.3-4].
TEST(ClientEngine5, AckReasonCodesCompleteOrRefuse)
{
    MqttClientConfig config = Config5();
    config.cleanSession = false;
    config.sessionExpiryInterval = 600;
    ClientHarness h(config);
    Establish5(h, 0s);
    h.Publish(1s, "t", "a", Qos::AtLeastOnce);
    EXPECT_EQ(h.Feed(1s, "40 03 00 01 10"), Lines{Completed(1, 1, 0x10)});
    h.Publish(1s, "t", "b", Qos::AtLeastOnce);
    EXPECT_EQ(h.Feed(1s, "40 03 00 02 87"),
              Lines{Dropped(2, DropReason::RefusedByServer, 2, 0x87)});
    EXPECT_EQ(Sends(h.Publish(1s, "t", "c", Qos::ExactlyOnce)),
              Lines{Send(1, "34 07 00 01 74 00 03 00 63")});
    EXPECT_EQ(h.Feed(1s, "50 03 00 03 97"),
              Lines{Dropped(3, DropReason::RefusedByServer, 3, 0x97)});
    EXPECT_EQ(h.engine.PendingPublishes(), 0u);
    // The session resumes: nothing is sent again.
    h.PeerClosed(2s);
    h.Fire(MqttClientEngine::RECONNECT_TIMER);
    h.Connected(3s);
    EXPECT_EQ(Sends(h.Feed(3s, "20 03 01 00 00")), Lines{});
}

// [MQTT5-4.3.3-1], [MQTT5-4.3.3-2], [MQTT5-4.3.3-3], [MQTT5-4.3.3-5], [MQTT5-4.3.2-1],
// [MQTT5-4.3.2-3], [MQTT5-4.3.1-1], [MQTT5-2.2.1-3]: QoS 0 with DUP 0 and no id; QoS 1 and 2 each
// with an unused non-zero id, DUP 0, unacknowledged until PUBACK / PUBREC, the PUBREL until
// PUBCOMP.
TEST(ClientEngine5, QosFlowsOfTheSender)
{
    ClientHarness h(Config5());
    Establish5(h, 0s);
    EXPECT_EQ(h.Publish(1s, "t", "z", Qos::AtMostOnce), Lines{Send(1, "30 05 00 01 74 00 7A")});
    EXPECT_EQ(Sends(h.Publish(1s, "t", "a", Qos::AtLeastOnce)),
              Lines{Send(1, "32 07 00 01 74 00 01 00 61")});
    EXPECT_EQ(Sends(h.Publish(1s, "t", "b", Qos::ExactlyOnce)),
              Lines{Send(1, "34 07 00 01 74 00 02 00 62")});
    EXPECT_EQ(h.engine.PendingPublishes(), 2u);
    EXPECT_EQ(Sends(h.Feed(2s, "50 02 00 02")), Lines{Send(1, "62 02 00 02")});
    EXPECT_EQ(h.engine.PendingPublishes(), 2u);
    EXPECT_EQ(h.Feed(2s, "40 02 00 01"), Lines{Completed(2, 1)});
    EXPECT_EQ(h.Feed(2s, "70 02 00 02"), Lines{Completed(3, 2)});
    EXPECT_EQ(h.engine.PendingPublishes(), 0u);
}

// Unknown ids in 5.0: a PUBREL gets PUBCOMP 0x92 and a PUBREC gets PUBREL 0x92 (Packet
// Identifier not found), the connection stays.
TEST(ClientEngine5, UnknownPacketIdentifiersAreAnsweredWith0x92)
{
    ClientHarness h(Config5());
    Establish5(h, 0s);
    EXPECT_EQ(h.Feed(1s, "62 02 00 09"), Lines{Send(1, "70 03 00 09 92")});
    EXPECT_EQ(h.Feed(1s, "50 02 00 09"), Lines{Send(1, "62 03 00 09 92")});
    EXPECT_EQ(h.engine.State(), ClientState::Connected);
}

// Ack reason codes out: a PUBLISH whose Payload Format Indicator says UTF-8 over bytes that are
// not gets PUBACK / PUBREC 0x99 and is not delivered; [MQTT5-4.3.3-9]: after that PUBREC the
// same id is a new message; [MQTT5-4.5.0-2]: every PUBLISH is acknowledged.
TEST(ClientEngine5, PayloadFormatInvalidIsRefusedWith0x99)
{
    ClientHarness h(Config5());
    Establish5(h, 0s);
    EXPECT_EQ(h.Feed(1s, "32 09 00 01 74 00 05 02 01 01 FF"), Lines{Send(1, "40 03 00 05 99")});
    EXPECT_EQ(h.Feed(1s, "34 09 00 01 74 00 06 02 01 01 FF"), Lines{Send(1, "50 03 00 06 99")});
    EXPECT_EQ(h.engine.ReceivedQos2Pending(), 0u);
    EXPECT_EQ(h.Feed(1s, "34 07 00 01 74 00 06 00 41"),
              (Lines{Received("t", "A", 2, 6), Send(1, "50 02 00 06")}));
}

// [MQTT5-4.6.0-2], [MQTT5-4.6.0-3]: PUBACKs and PUBRECs leave in the order the PUBLISHes came;
// [MQTT5-4.6.0-4]: PUBRELs in the order of the PUBRECs; [MQTT5-4.3.2-5]: after its PUBACK an
// id is a new message again.
TEST(ClientEngine5, AcknowledgementsKeepTheirOrder)
{
    ClientHarness h(Config5());
    Establish5(h, 0s);
    EXPECT_EQ(Sends(h.Feed(1s,
                           "32 07 00 01 74 00 01 00 61 34 07 00 01 74 00 02 00 62"
                           " 32 07 00 01 74 00 03 00 63 34 07 00 01 74 00 04 00 64")),
              (Lines{Send(1, "40 02 00 01"),
                     Send(1, "50 02 00 02"),
                     Send(1, "40 02 00 03"),
                     Send(1, "50 02 00 04")}));
    EXPECT_EQ(h.Feed(1s, "3A 07 00 01 74 00 01 00 61"),
              (Lines{Received("t", "a", 1, 1, true), Send(1, "40 02 00 01")}));
    h.Publish(2s, "t", "x", Qos::ExactlyOnce);
    h.Publish(2s, "t", "y", Qos::ExactlyOnce);
    EXPECT_EQ(Sends(h.Feed(2s, "50 02 00 02 50 02 00 01")),
              (Lines{Send(1, "62 02 00 02"), Send(1, "62 02 00 01")}));
}

// Our Receive Maximum of 1: a second QoS 2 PUBLISH before the first's PUBREL is one too many:
// DISCONNECT 0x93; the first one repeated is not.
TEST(ClientEngine5, InboundReceiveMaximumExceeded)
{
    MqttClientConfig config = Config5();
    config.receiveMaximum = 1;
    ClientHarness h(config);
    EXPECT_EQ(Sends(h.Open(0s)),
              Lines{Send(1, "10 12 00 04 4D 51 54 54 05 02 00 3C 03 21 00 01 00 02 63 31")});
    h.Feed(0s, CONNACK5);
    EXPECT_EQ(Sends(h.Feed(1s, "34 07 00 01 74 00 01 00 61")), Lines{Send(1, "50 02 00 01")});
    EXPECT_EQ(Sends(h.Feed(1s, "3C 07 00 01 74 00 01 00 61")), Lines{Send(1, "50 02 00 01")});
    EXPECT_EQ(Sends(h.Feed(1s, "34 07 00 01 74 00 02 00 62")), Lines{Send(1, "E0 01 93")});
}

// A broker's protocol error gets DISCONNECT with its reason before the close: 0x81 for a packet
// that does not decode (a PUBACK cut short), 0x82 for a well-formed one out of place (a second
// CONNACK), 0x95 for one above our Maximum Packet Size.
TEST(ClientEngine5, ProtocolErrorsOfTheBrokerGetDisconnectWithTheirReason)
{
    ClientHarness h(Config5());
    Establish5(h, 0s);
    EXPECT_EQ(Sends(h.Feed(1s, "40 01 00")), Lines{Send(1, "E0 01 81")});
    ClientHarness second(Config5());
    Establish5(second, 0s);
    EXPECT_EQ(Sends(second.Feed(1s, CONNACK5)), Lines{Send(1, "E0 01 82")});
    MqttClientConfig small = Config5();
    small.maxPacketSize = 16;
    ClientHarness large(small);
    Establish5(large, 0s);
    EXPECT_EQ(Sends(large.Feed(1s, "30 20")), Lines{Send(1, "E0 01 95")});
}

// Request Problem Information 0: a Reason String on a PUBACK is a Protocol Error (3.1.2.11.7).
TEST(ClientEngine5, ReasonStringNotRequestedIsAProtocolError)
{
    MqttClientConfig config = Config5();
    config.requestProblemInformation = false;
    ClientHarness h(config);
    Establish5(h, 0s);
    h.Publish(1s, "t", "a", Qos::AtLeastOnce);
    EXPECT_EQ(Sends(h.Feed(1s, "40 08 00 01 00 04 1F 00 01 78")), Lines{Send(1, "E0 01 82")});
}

// SUBACK and UNSUBACK reason codes: 0x9E (shared subscriptions not supported) denies with its
// code, 0x11 (no subscription existed) is recorded; [MQTT5-2.2.1-3]: each request takes an id.
TEST(ClientEngine5, SubackAndUnsubackReasonCodes)
{
    ClientHarness h(Config5());
    Establish5(h, 0s);
    EXPECT_EQ(Sends(h.Subscribe(1s, {{"$share/g/t", Qos::AtLeastOnce}})),
              Lines{Send(1, "82 10 00 01 00 00 0A 24 73 68 61 72 65 2F 67 2F 74 01")});
    EXPECT_EQ(h.Feed(1s, "90 04 00 01 00 9E"), Lines{Denied("$share/g/t", 1, 0x9E)});
    EXPECT_EQ(Sends(h.Unsubscribe(1s, {"s"})), Lines{Send(1, "A2 06 00 02 00 00 01 73")});
    EXPECT_EQ(h.Feed(1s, "B0 04 00 02 00 11"), Lines{Unsubscribed("s", 2, 0x11)});
    h.Subscribe(1s, {{"s", Qos::ExactlyOnce}});
    EXPECT_EQ(h.Feed(1s, "90 04 00 03 00 02"), Lines{Granted("s", 2, 3)});
}

// The broker's DISCONNECT: recorded with its reason code. 0x8E (session taken over) stops the
// client (coming back would take the session back, forever); 0x8B (server shutting down) is
// followed by a reconnect.
TEST(ClientEngine5, BrokerDisconnectIsRecordedWithItsReasonCode)
{
    ClientHarness h(Config5());
    Establish5(h, 0s);
    EXPECT_EQ(h.Feed(1s, "E0 01 8E"),
              (Lines{Close(1, CloseReason::ServerDisconnect),
                     Cancel(MqttClientEngine::KEEP_ALIVE_TIMER),
                     Closed5(1, CloseReason::ServerDisconnect, ReasonCode::SessionTakenOver),
                     State(ClientState::Idle)}));

    ClientHarness b(Config5());
    Establish5(b, 0s);
    EXPECT_EQ(b.Feed(1s, "E0 01 8B"),
              (Lines{Close(1, CloseReason::ServerDisconnect),
                     Cancel(MqttClientEngine::KEEP_ALIVE_TIMER),
                     Closed5(1, CloseReason::ServerDisconnect, ReasonCode::ServerShuttingDown),
                     State(ClientState::WaitingToReconnect),
                     Timer(MqttClientEngine::RECONNECT_TIMER, 2s)}));
}

// Our DISCONNECT carries its reason code: 0x00 in the shortest form, 0x04 (with will message).
TEST(ClientEngine5, DisconnectCarriesItsReasonCode)
{
    ClientHarness h(Config5());
    Establish5(h, 0s);
    EXPECT_EQ(h.Disconnect(1s),
              (Lines{State(ClientState::Disconnecting),
                     Send(1, "E0 00"),
                     Close(1, CloseReason::ClientDisconnect),
                     Cancel(MqttClientEngine::KEEP_ALIVE_TIMER),
                     Closed5(1, CloseReason::ClientDisconnect, ReasonCode::NormalDisconnection),
                     State(ClientState::Idle)}));
    ClientHarness w(Config5());
    Establish5(w, 0s);
    EXPECT_EQ(Sends(w.Run(1s,
                          [&](MqttActions& a)
                          { w.engine.Disconnect(1s, a, ReasonCode::DisconnectWithWillMessage); })),
              Lines{Send(1, "E0 01 04")});
}

// Message expiry in our own queue: two QoS 1 messages made offline at 0 s, with 10 s and 2 s to
// live. At 4 s the first goes with 6 s left; the second has expired and is dropped unsent.
TEST(ClientEngine5, MessageExpiryCountsDownInTheClientsQueue)
{
    ClientHarness h(Config5());
    EXPECT_EQ(Publish5(h, 0s, "t", "a", Qos::AtLeastOnce, Expiry(10)), Lines{});
    EXPECT_EQ(Publish5(h, 0s, "t", "b", Qos::AtLeastOnce, Expiry(2)), Lines{});
    h.Open(4s);
    EXPECT_EQ(h.Feed(4s, CONNACK5),
              (Lines{Cancel(MqttClientEngine::CONNACK_TIMER),
                     State(ClientState::Connected),
                     Session(false),
                     Send(1, "32 0C 00 01 74 00 01 05 02 00 00 00 06 61"),
                     Timer(MqttClientEngine::ACK_TIMER, 34s),
                     Dropped(2, DropReason::MessageExpired),
                     Timer(MqttClientEngine::KEEP_ALIVE_TIMER, 64s)}));
}

// The config's Message Expiry Interval applies to publishes that set none.
TEST(ClientEngine5, ConfigMessageExpiryIsTheDefault)
{
    MqttClientConfig config = Config5();
    config.messageExpiryInterval = 300;
    ClientHarness h(config);
    Establish5(h, 0s);
    EXPECT_EQ(h.Publish(1s, "t", "a", Qos::AtMostOnce),
              Lines{Send(1, "30 0A 00 01 74 05 02 00 00 01 2C 61")});
}

// Session expiry across connections, [MQTT5-3.1.2-23], [MQTT5-4.1.0-1]: Session Expiry 60 s.
// The connection breaks with a QoS 1 publish unacknowledged and a QoS 2 one released: the
// reconnect sends Clean Start 0, and with Session Present 1 the PUBLISH goes again with DUP 1
// and the PUBREL as PUBREL, original ids, original order [MQTT5-4.4.0-1], [MQTT5-4.6.0-1],
// [MQTT5-3.3.1-1], [MQTT5-4.3.3-6].
TEST(ClientEngine5, SessionResumesWithCleanStartZero)
{
    MqttClientConfig config = Config5();
    config.sessionExpiryInterval = 60;
    ClientHarness h(config);
    EXPECT_EQ(Sends(h.Open(0s)),
              Lines{Send(1, "10 14 00 04 4D 51 54 54 05 02 00 3C 05 11 00 00 00 3C 00 02 63 31")});
    h.Feed(0s, CONNACK5);
    h.Publish(1s, "t", "a", Qos::AtLeastOnce);
    h.Publish(1s, "t", "b", Qos::ExactlyOnce);
    h.Feed(1s, "50 02 00 02");
    h.PeerClosed(10s);
    EXPECT_EQ(h.engine.PendingPublishes(), 2u);
    h.Fire(MqttClientEngine::RECONNECT_TIMER);
    EXPECT_EQ(Sends(h.Connected(11s)),
              Lines{Send(2, "10 14 00 04 4D 51 54 54 05 00 00 3C 05 11 00 00 00 3C 00 02 63 31")});
    EXPECT_EQ(Sends(h.Feed(11s, "20 03 01 00 00")),
              (Lines{Send(2, "3A 07 00 01 74 00 01 00 61"), Send(2, "62 02 00 02")}));
}

// [MQTT5-3.2.2-5]: a resumed CONNECT answered with Session Present 0: the client discards its
// session state (the unacknowledged publishes are dropped, SessionDiscarded).
TEST(ClientEngine5, SessionPresentZeroDiscardsTheSession)
{
    MqttClientConfig config = Config5();
    config.sessionExpiryInterval = 60;
    ClientHarness h(config);
    Establish5(h, 0s);
    h.Publish(1s, "t", "a", Qos::AtLeastOnce);
    h.PeerClosed(10s);
    h.Fire(MqttClientEngine::RECONNECT_TIMER);
    h.Connected(11s);
    EXPECT_EQ(h.Feed(11s, CONNACK5),
              (Lines{Cancel(MqttClientEngine::CONNACK_TIMER),
                     State(ClientState::Connected),
                     Session(false),
                     Dropped(1, DropReason::SessionDiscarded, 1),
                     Timer(MqttClientEngine::KEEP_ALIVE_TIMER, 71s)}));
    EXPECT_EQ(h.engine.PendingPublishes(), 0u);
}

// The session outlived by the client's sleep: Session Expiry 60 s, asleep from 20 s to 100 s.
// On waking the client knows the broker dropped it: it discards its own state before it
// connects.
TEST(ClientEngine5, ExpiredSessionIsDiscardedBeforeReconnecting)
{
    MqttClientConfig config = Config5();
    config.sessionExpiryInterval = 60;
    config.cleanSession = false;
    ClientHarness h(config);
    Establish5(h, 0s);
    h.Publish(1s, "t", "a", Qos::AtLeastOnce);
    h.Disconnect(20s);
    EXPECT_EQ(h.Open(100s),
              (Lines{Opened(2),
                     State(ClientState::AwaitingConnack),
                     Dropped(1, DropReason::SessionDiscarded, 1),
                     Send(2, "10 14 00 04 4D 51 54 54 05 00 00 3C 05 11 00 00 00 3C 00 02 63 31"),
                     Timer(MqttClientEngine::CONNACK_TIMER, 110s)}));
}

// [MQTT5-3.2.2-4]: we asked for a new session (Clean Start 1), so Session Present 1 is a
// Protocol Error: DISCONNECT 0x82 and close.
TEST(ClientEngine5, SessionPresentAfterCleanStartIsAProtocolError)
{
    ClientHarness h(Config5());
    h.Open(0s);
    EXPECT_EQ(h.Feed(0s, "20 03 01 00 00"),
              (Lines{Cancel(MqttClientEngine::CONNACK_TIMER),
                     Send(1, "E0 01 82"),
                     Close(1, CloseReason::ProtocolError),
                     Closed5(1, CloseReason::ProtocolError, ReasonCode::ProtocolError),
                     State(ClientState::WaitingToReconnect),
                     Timer(MqttClientEngine::RECONNECT_TIMER, 1s)}));
}

// [MQTT5-4.7.0-1], [MQTT5-4.7.1-1], [MQTT5-4.7.1-2], [MQTT5-4.7.3-1], [MQTT5-4.7.3-2],
// [MQTT5-4.7.3-3]: the client sends no topic name with a wildcard, an empty or over-long one or
// one with U+0000, and no malformed filter.
TEST(ClientEngine5, TopicNamesAndFiltersAreCheckedBeforeSending)
{
    ClientHarness h(Config5());
    Establish5(h, 0s);
    EXPECT_EQ(h.Publish(1s, "a/+", "x", Qos::AtMostOnce),
              Lines{Dropped(1, DropReason::TopicRejected)});
    EXPECT_EQ(h.Publish(1s, "a/#", "x", Qos::AtLeastOnce),
              Lines{Dropped(2, DropReason::TopicRejected)});
    EXPECT_EQ(h.Publish(1s, "", "x", Qos::AtMostOnce),
              Lines{Dropped(3, DropReason::TopicRejected)});
    EXPECT_EQ(h.Publish(1s, std::string("a\0b", 3), "x", Qos::AtMostOnce),
              Lines{Dropped(4, DropReason::TopicRejected)});
    EXPECT_EQ(h.Publish(1s, std::string(65536, 'a'), "x", Qos::AtMostOnce),
              Lines{Dropped(5, DropReason::TopicRejected)});
    EXPECT_EQ(h.Subscribe(1s, {{"a/#/b", Qos::AtMostOnce}}), Lines{Denied("a/#/b", 0)});
    EXPECT_EQ(h.Subscribe(1s, {{"a#", Qos::AtMostOnce}}), Lines{Denied("a#", 0)});
    EXPECT_EQ(h.Subscribe(1s, {{"a+/b", Qos::AtMostOnce}}), Lines{Denied("a+/b", 0)});
    EXPECT_EQ(h.Subscribe(1s, {{"", Qos::AtMostOnce}}), Lines{Denied("", 0)});
}

// 5.0 relaxes two CONNECT rules of 3.1.1: an empty client id with Clean Start 0 (the broker
// assigns one) and a password without a user name; Receive Maximum 0 is refused.
TEST(ClientEngine5, ConfigChecksOf5)
{
    MqttClientConfig config = Config5();
    config.clientId = "";
    config.cleanSession = false;
    config.password = Raw("pw");
    EXPECT_EQ(MqttClientEngine::CheckConfig(config), ClientConfigError::None);
    config.protocolVersion = ProtocolVersion::Mqtt311;
    EXPECT_EQ(MqttClientEngine::CheckConfig(config),
              ClientConfigError::EmptyClientIdNeedsCleanSession);
    MqttClientConfig zero = Config5();
    zero.receiveMaximum = 0;
    EXPECT_EQ(MqttClientEngine::CheckConfig(zero), ClientConfigError::ReceiveMaximumZero);
    MqttClientConfig bad = Config5();
    bad.userProperties = {{"a", std::string("\xFF", 1)}};
    EXPECT_EQ(MqttClientEngine::CheckConfig(bad), ClientConfigError::InvalidUserProperty);
}
