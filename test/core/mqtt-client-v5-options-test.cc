/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Client engine in MQTT 5.0, what the application may ask for beyond a plain request and what
 * the CONNACK forbids (its Maximum QoS and Retain Available on PUBLISH are tested in
 * mqtt-client-v5-test.cc, ClientEngine5.NoPublishAboveTheBrokersMaximumQos and
 * NoRetainedPublishWhenRetainIsNotAvailable): SUBSCRIBE with a Subscription Identifier, the
 * capabilities a CONNACK withholds (Wildcard, Subscription Identifier, Shared Subscription
 * Available 0), a DISCONNECT that changes the Session Expiry Interval, and User Properties and
 * Reason Strings on the client's own acknowledgements. Byte scripts on a fake clock.
 */
#include "mqtt-client5-test-util.h"

#include <gtest/gtest.h>

using namespace ns3::mqtt;
using namespace ns3::mqtt::clienttest;

namespace
{

/** CONNACK: Wildcard, Subscription Identifier and Shared Subscription Available 0. */
constexpr const char* CONNACK_NO_CAPABILITIES = "20 09 00 00 06 28 00 29 00 2A 00";

Lines
Subscribe5(ClientHarness& h, Nanos t, std::vector<TopicRequest> topics, Properties properties)
{
    return h.Run(t,
                 [&](MqttActions& a)
                 { h.engine.Subscribe(std::move(topics), std::move(properties), t, a); });
}

Properties
Identifier(uint32_t id)
{
    Properties p;
    p.AddNumber(PropertyId::SubscriptionIdentifier, id);
    return p;
}

Lines
DisconnectWithExpiry(ClientHarness& h, Nanos t, uint32_t expiry, bool* accepted)
{
    return h.Run(t,
                 [&](MqttActions& a) {
                     *accepted = h.engine.Disconnect(t, a, ReasonCode::NormalDisconnection, expiry);
                 });
}

MqttClientConfig
AckOptions()
{
    MqttClientConfig config = Config5();
    config.ackUserProperties = {{"k", "v"}};
    config.ackReasonStrings = true;
    return config;
}

} // namespace

// A SUBSCRIBE with a Subscription Identifier (7) and the broker's capabilities all available:
// the identifier goes in the SUBSCRIBE's properties. An identifier of 0 or two of them are
// refused before sending (3.8.2.1.2).
TEST(ClientEngine5Options, SubscribeWithASubscriptionIdentifier)
{
    ClientHarness h(Config5());
    Establish5(h, 0s);
    EXPECT_EQ(Sends(Subscribe5(h, 1s, {{"t", Qos::AtMostOnce}}, Identifier(7))),
              Lines{Send(1, "82 09 00 01 02 0B 07 00 01 74 00")});
    EXPECT_EQ(Subscribe5(h, 1s, {{"u", Qos::AtMostOnce}}, Identifier(0)), Lines{Denied("u", 0)});
    Properties two = Identifier(1);
    two.AddNumber(PropertyId::SubscriptionIdentifier, 2);
    EXPECT_EQ(Subscribe5(h, 1s, {{"v", Qos::AtMostOnce}}, two), Lines{Denied("v", 0)});
}

// The CONNACK said Wildcard, Subscription Identifier and Shared Subscription Available 0
// (3.2.2.3.12 to 3.2.2.3.14; a SUBSCRIBE using them is a Protocol Error at the broker, and the
// standard numbers no statement for the client): the client refuses such filters itself, each
// denied with the code the broker would use (0xA2, 0xA1, 0x9E) and nothing sent; the other
// filters of the same SUBSCRIBE go out.
TEST(ClientEngine5Options, CapabilitiesTheConnackWithholdsAreRefusedUnsent)
{
    ClientHarness h(Config5());
    Establish5(h, 0s, CONNACK_NO_CAPABILITIES);
    EXPECT_FALSE(h.engine.ServerLimits().wildcardSubscriptionAvailable);
    EXPECT_EQ(h.Subscribe(1s, {{"a/+", Qos::AtMostOnce}}), Lines{Denied("a/+", 0, 0xA2)});
    EXPECT_EQ(h.Subscribe(1s, {{"a/#", Qos::AtMostOnce}}), Lines{Denied("a/#", 0, 0xA2)});
    EXPECT_EQ(h.Subscribe(1s, {{"$share/g/t", Qos::AtMostOnce}}),
              Lines{Denied("$share/g/t", 0, 0x9E)});
    EXPECT_EQ(Subscribe5(h, 1s, {{"t", Qos::AtMostOnce}}, Identifier(7)),
              Lines{Denied("t", 0, 0xA1)});
    EXPECT_EQ(h.Subscribe(1s, {{"a/+", Qos::AtMostOnce}, {"b", Qos::AtLeastOnce}}),
              (Lines{Denied("a/+", 0, 0xA2),
                     Send(1, "82 07 00 01 00 00 01 62 01"),
                     Timer(MqttClientEngine::ACK_TIMER, 31s)}));
}

// Subscribed before the CONNACK: the request waits, and is checked against the CONNACK that
// comes: refused then, unsent.
TEST(ClientEngine5Options, QueuedSubscribeIsCheckedAgainstTheConnack)
{
    ClientHarness h(Config5());
    h.Open(0s);
    EXPECT_EQ(h.Subscribe(0s, {{"a/+", Qos::AtMostOnce}}), Lines{});
    EXPECT_EQ(h.Feed(1s, CONNACK_NO_CAPABILITIES),
              (Lines{Cancel(MqttClientEngine::CONNACK_TIMER),
                     State(ClientState::Connected),
                     Session(false),
                     Denied("a/+", 0, 0xA2),
                     Timer(MqttClientEngine::KEEP_ALIVE_TIMER, 60s)}));
}

// DISCONNECT changing the Session Expiry Interval: 60 s in CONNECT, 0 at DISCONNECT ends the
// session with the connection, so the unacknowledged publish is discarded at once
// (3.14.2.2.2, [MQTT5-3.1.2-23]).
TEST(ClientEngine5Options, DisconnectSetsTheSessionExpiryInterval)
{
    MqttClientConfig config = Config5();
    config.sessionExpiryInterval = 60;
    ClientHarness h(config);
    Establish5(h, 0s);
    h.Publish(1s, "t", "a", Qos::AtLeastOnce);
    bool accepted = false;
    EXPECT_EQ(DisconnectWithExpiry(h, 2s, 0, &accepted),
              (Lines{State(ClientState::Disconnecting),
                     Send(1, "E0 07 00 05 11 00 00 00 00"),
                     Close(1, CloseReason::ClientDisconnect),
                     Cancel(MqttClientEngine::KEEP_ALIVE_TIMER),
                     Cancel(MqttClientEngine::ACK_TIMER),
                     Closed5(1, CloseReason::ClientDisconnect, ReasonCode::NormalDisconnection),
                     Dropped(1, DropReason::SessionDiscarded, 1),
                     State(ClientState::Idle)}));
    EXPECT_TRUE(accepted);
    EXPECT_EQ(h.engine.PendingPublishes(), 0u);

    // Longer than the CONNECT's: 3600 s, and the session is kept across the disconnect.
    ClientHarness longer(config);
    Establish5(longer, 0s);
    longer.Publish(1s, "t", "a", Qos::AtLeastOnce);
    EXPECT_EQ(Sends(DisconnectWithExpiry(longer, 2s, 3600, &accepted)),
              Lines{Send(1, "E0 07 00 05 11 00 00 0E 10")});
    EXPECT_TRUE(accepted);
    EXPECT_EQ(longer.engine.PendingPublishes(), 1u);
}

// After a CONNECT with Session Expiry Interval 0, a non-zero one at DISCONNECT is a Protocol
// Error (3.14.2.2.2, no statement number): refused, nothing sent, still connected. A 3.1.1
// client has no such DISCONNECT.
TEST(ClientEngine5Options, NonZeroExpiryAfterZeroInConnectIsRefused)
{
    ClientHarness h(Config5());
    Establish5(h, 0s);
    bool accepted = true;
    EXPECT_EQ(DisconnectWithExpiry(h, 1s, 60, &accepted), Lines{});
    EXPECT_FALSE(accepted);
    EXPECT_EQ(h.engine.State(), ClientState::Connected);
    EXPECT_EQ(Sends(DisconnectWithExpiry(h, 1s, 0, &accepted)),
              Lines{Send(1, "E0 07 00 05 11 00 00 00 00")});
    EXPECT_TRUE(accepted);

    ClientHarness v311(BaseConfig());
    v311.Establish(0s);
    EXPECT_EQ(DisconnectWithExpiry(v311, 1s, 0, &accepted), Lines{});
    EXPECT_FALSE(accepted);
}

// Ack options: User Properties on every ack the client sends, a Reason String (the reason
// code's name) on those that refuse: PUBACK 0x00, PUBACK 0x99, PUBCOMP 0x92.
TEST(ClientEngine5Options, UserPropertiesAndReasonStringsOnOurAcks)
{
    ClientHarness h(AckOptions());
    Establish5(h, 0s);
    EXPECT_EQ(Sends(h.Feed(1s, "32 07 00 01 74 00 01 00 61")),
              Lines{Send(1, "40 0B 00 01 00 07 26 00 01 6B 00 01 76")});
    EXPECT_EQ(h.Feed(1s, "32 09 00 01 74 00 05 02 01 01 FF"),
              Lines{Send(1,
                         "40 24 00 05 99 20"
                         " 1F 00 16 50 61 79 6C 6F 61 64 20 66 6F 72 6D 61 74 20 69 6E 76 61"
                         " 6C 69 64"                 // "Payload format invalid"
                         " 26 00 01 6B 00 01 76")}); // k=v
    EXPECT_EQ(h.Feed(1s, "62 02 00 09"),
              Lines{Send(1,
                         "70 29 00 09 92 25"
                         " 1F 00 1B 50 61 63 6B 65 74 20 49 64 65 6E 74 69 66 69 65 72 20 6E"
                         " 6F 74 20 66 6F 75 6E 64" // "Packet Identifier not found"
                         " 26 00 01 6B 00 01 76")});
    // Our PUBREL of a QoS 2 publish carries them too.
    h.Publish(2s, "t", "b", Qos::ExactlyOnce);
    EXPECT_EQ(Sends(h.Feed(2s, "50 02 00 01")),
              Lines{Send(1, "62 0B 00 01 00 07 26 00 01 6B 00 01 76")});
}

// The Reason String is left out when it would pass the broker's Maximum Packet Size (16), the
// User Property still fits: PUBACK [MQTT5-3.4.2-2], PUBREC [MQTT5-3.5.2-2], PUBREL
// [MQTT5-3.6.2-2], PUBCOMP [MQTT5-3.7.2-2]; at 12 the User Property is left out too
// [MQTT5-3.4.2-3], [MQTT5-3.5.2-3], [MQTT5-3.6.2-3], [MQTT5-3.7.2-3].
TEST(ClientEngine5Options, AckPropertiesLeftOutAboveTheBrokersMaximumPacketSize)
{
    ClientHarness h(AckOptions());
    Establish5(h, 0s, "20 08 00 00 05 27 00 00 00 10");
    EXPECT_EQ(h.Feed(1s, "32 09 00 01 74 00 05 02 01 01 FF"),
              Lines{Send(1, "40 0B 00 05 99 07 26 00 01 6B 00 01 76")});
    EXPECT_EQ(h.Feed(1s, "34 09 00 01 74 00 06 02 01 01 FF"),
              Lines{Send(1, "50 0B 00 06 99 07 26 00 01 6B 00 01 76")});
    EXPECT_EQ(h.Feed(1s, "50 02 00 07"), Lines{Send(1, "62 0B 00 07 92 07 26 00 01 6B 00 01 76")});
    EXPECT_EQ(h.Feed(1s, "62 02 00 09"), Lines{Send(1, "70 0B 00 09 92 07 26 00 01 6B 00 01 76")});
    ClientHarness tight(AckOptions());
    Establish5(tight, 0s, "20 08 00 00 05 27 00 00 00 0C");
    EXPECT_EQ(tight.Feed(1s, "32 09 00 01 74 00 05 02 01 01 FF"), Lines{Send(1, "40 03 00 05 99")});
    EXPECT_EQ(tight.Feed(1s, "34 09 00 01 74 00 06 02 01 01 FF"), Lines{Send(1, "50 03 00 06 99")});
    EXPECT_EQ(tight.Feed(1s, "50 02 00 07"), Lines{Send(1, "62 03 00 07 92")});
    EXPECT_EQ(tight.Feed(1s, "62 02 00 09"), Lines{Send(1, "70 03 00 09 92")});
}
