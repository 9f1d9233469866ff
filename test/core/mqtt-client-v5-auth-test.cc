/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Client engine, MQTT 5.0 enhanced authentication (section 4.12): the CONNECT's exchange
 * through AUTH 0x18 to a CONNACK whose final data the method checks, re-authentication with
 * AUTH 0x19, and the rules of 3.1.2.11.9 and 4.12 on what the client sends and accepts. The
 * method is the test's TEST-CHALLENGE (mqtt-auth-test-method.h), so the bytes stay readable.
 * Against the broker engine: ClientBroker5.EnhancedAuthentication (mqtt-client-broker5-test.cc).
 */
#include "mqtt-auth-test-method.h"
#include "mqtt-client5-test-util.h"

#include <gtest/gtest.h>

using namespace ns3::mqtt;
using namespace ns3::mqtt::clienttest;
using mqtt_test::ChallengeMethod;

namespace
{

/** Authentication Method "TEST-CHALLENGE" as a property (identifier, length, name). */
const std::string METHOD = "15 00 0E 54 45 53 54 2D 43 48 41 4C 4C 45 4E 47 45";
/** CONNECT with the method and Authentication Data "alice". */
const std::string CONNECT_AUTH =
    "10 28 00 04 4D 51 54 54 05 02 00 3C 19 " + METHOD + " 16 00 05 61 6C 69 63 65 00 02 63 31";
/** The broker's AUTH 0x18 with the challenge "c1", and our answer "pw:c1", also 0x18. */
const std::string SERVER_C1 = "F0 18 18 16 " + METHOD + " 16 00 02 63 31";
const std::string ANSWER_C1 = "F0 1B 18 19 " + METHOD + " 16 00 05 70 77 3A 63 31";
/** CONNACK 0x00 with the method and the final data "ok:alice" (the broker proves itself). */
const std::string CONNACK_OK = "20 1F 00 00 1C " + METHOD + " 16 00 08 6F 6B 3A 61 6C 69 63 65";

MqttClientConfig
AuthConfig(const std::string& secret = "pw")
{
    MqttClientConfig config = Config5();
    config.authMethod = std::make_shared<ChallengeMethod>();
    config.authCredentials = {"alice", std::vector<uint8_t>(secret.begin(), secret.end())};
    return config;
}

/** Connected through the whole CONNECT exchange. */
void
Authenticated(ClientHarness& h)
{
    h.Open(0s);
    h.Feed(0s, SERVER_C1);
    h.Feed(0s, CONNACK_OK);
    ASSERT_EQ(h.engine.State(), ClientState::Connected);
}

Lines
Reauthenticate(ClientHarness& h, Nanos t, bool* started = nullptr)
{
    bool ok = false;
    Lines lines = h.Run(t, [&](MqttActions& a) { ok = h.engine.Reauthenticate(t, a); });
    if (started)
    {
        *started = ok;
    }
    return lines;
}

} // namespace

// The whole exchange: CONNECT names the method with the first data, the broker's AUTH 0x18 is
// answered with AUTH 0x18 [MQTT5-4.12.0-3], and the CONNACK, which repeats the method
// [MQTT5-4.12.0-5], carries final data the method accepts: connected.
TEST(ClientEngine5Auth, ConnectExchangeEndsWithAProvenConnack)
{
    ClientHarness h(AuthConfig());
    EXPECT_EQ(Sends(h.Open(0s)), Lines{Send(1, CONNECT_AUTH)});
    EXPECT_EQ(h.Feed(1s, SERVER_C1), Lines{Send(1, ANSWER_C1)});
    EXPECT_EQ(h.engine.State(), ClientState::AwaitingConnack);
    EXPECT_EQ(h.Feed(2s, CONNACK_OK),
              (Lines{Cancel(MqttClientEngine::CONNACK_TIMER),
                     State(ClientState::Connected),
                     Session(false),
                     Timer(MqttClientEngine::KEEP_ALIVE_TIMER, 61s)}));
}

// [MQTT5-3.1.2-30]: between its CONNECT (with a method) and the CONNACK the client sends only
// AUTH or DISCONNECT: a QoS 1 publish and a subscribe wait (a QoS 0 one is dropped as offline),
// and go out once the CONNACK has come.
TEST(ClientEngine5Auth, OnlyAuthOrDisconnectBeforeTheConnack)
{
    ClientHarness h(AuthConfig());
    h.Open(0s);
    EXPECT_EQ(h.Publish(1s, "t", "a", Qos::AtLeastOnce), Lines{});
    EXPECT_EQ(h.Subscribe(1s, {{"s", Qos::AtMostOnce}}), Lines{});
    EXPECT_EQ(h.Publish(1s, "t", "b", Qos::AtMostOnce),
              Lines{Dropped(2, DropReason::QosZeroOffline)});
    EXPECT_EQ(Sends(h.Feed(1s, SERVER_C1)), Lines{Send(1, ANSWER_C1)});
    EXPECT_EQ(
        Sends(h.Feed(2s, CONNACK_OK)),
        (Lines{Send(1, "32 07 00 01 74 00 01 00 61"), Send(1, "82 07 00 02 00 00 01 73 00")}));

    // A DISCONNECT may go during the exchange.
    ClientHarness quits(AuthConfig());
    quits.Open(0s);
    quits.Feed(0s, SERVER_C1);
    EXPECT_EQ(Sends(quits.Disconnect(1s)), Lines{Send(1, "E0 00")});
}

// A wrong secret: the broker refuses with CONNACK 0x87 (Not authorized), recorded with its
// code; the client stops, as retrying cannot help [MQTT5-4.12.0-4].
TEST(ClientEngine5Auth, RefusedExchangeIsConnack0x87)
{
    ClientHarness h(AuthConfig("wrong"));
    h.Open(0s);
    EXPECT_EQ(Sends(h.Feed(0s, SERVER_C1)),
              Lines{Send(1, "F0 1E 18 1C " + METHOD + " 16 00 08 77 72 6F 6E 67 3A 63 31")});
    EXPECT_EQ(h.Feed(1s, "20 03 00 87 00"),
              RefusedLines(1, 0x87, CloseReason::AuthFailure, {State(ClientState::Idle)}));
}

// Mutual authentication: a CONNACK 0x00 whose final data does not prove the broker (a forged
// server signature) is not taken: DISCONNECT 0x87, close, no session started, no reconnect.
TEST(ClientEngine5Auth, ForgedServerProofClosesTheConnection)
{
    ClientHarness h(AuthConfig());
    h.Open(0s);
    h.Feed(0s, SERVER_C1);
    EXPECT_EQ(h.Feed(1s, "20 1F 00 00 1C " + METHOD + " 16 00 08 6F 6B 3A 61 6C 69 63 66"),
              (Lines{Cancel(MqttClientEngine::CONNACK_TIMER),
                     Send(1, "E0 01 87"),
                     Close(1, CloseReason::AuthFailure),
                     Closed5(1, CloseReason::AuthFailure, ReasonCode::NotAuthorized, 0x87),
                     State(ClientState::Idle)}));
    // No final data at all proves nothing either.
    ClientHarness bare(AuthConfig());
    bare.Open(0s);
    bare.Feed(0s, SERVER_C1);
    EXPECT_EQ(Sends(bare.Feed(1s, "20 14 00 00 11 " + METHOD)), Lines{Send(1, "E0 01 87")});
}

// [MQTT5-4.12.0-5]: every AUTH and the CONNACK name the CONNECT's method: an AUTH with another
// method, or a CONNACK without ours, is a Protocol Error (DISCONNECT 0x82). An AUTH 0x00 before
// the CONNACK and an AUTH 0x19 (which only a client sends) are out of turn.
TEST(ClientEngine5Auth, AuthOrConnackWithoutOurMethodIsAProtocolError)
{
    ClientHarness other(AuthConfig());
    other.Open(0s);
    EXPECT_EQ(Sends(other.Feed(0s, "F0 0C 18 0A 15 00 07 53 43 52 41 4D 2D 58")),
              Lines{Send(1, "E0 01 82")});
    ClientHarness noMethod(AuthConfig());
    noMethod.Open(0s);
    noMethod.Feed(0s, SERVER_C1);
    EXPECT_EQ(Sends(noMethod.Feed(0s, CONNACK5)), Lines{Send(1, "E0 01 82")});
    ClientHarness early(AuthConfig());
    early.Open(0s);
    EXPECT_EQ(Sends(early.Feed(0s, "F0 13 00 11 " + METHOD)), Lines{Send(1, "E0 01 82")});
    ClientHarness reauth(AuthConfig());
    Authenticated(reauth);
    EXPECT_EQ(Sends(reauth.Feed(1s, "F0 13 19 11 " + METHOD)), Lines{Send(1, "E0 01 82")});
    EXPECT_EQ(reauth.engine.State(), ClientState::WaitingToReconnect);
}

// Request Problem Information 0: a Reason String on the broker's AUTH is a Protocol Error
// (3.1.2.11.7), as on any packet but PUBLISH, CONNACK and DISCONNECT.
TEST(ClientEngine5Auth, ReasonStringOnAuthNeedsProblemInformation)
{
    MqttClientConfig config = AuthConfig();
    config.requestProblemInformation = false;
    ClientHarness h(config);
    h.Open(0s);
    EXPECT_EQ(Sends(h.Feed(0s, "F0 1C 18 1A " + METHOD + " 16 00 02 63 31 1F 00 01 78")),
              Lines{Send(1, "E0 01 82")});
}

// [MQTT5-4.12.0-7]: with no method in its CONNECT the client never sends AUTH
// (Reauthenticate() refuses), and an AUTH from the broker, before or after the CONNACK, is a
// Protocol Error [MQTT5-4.12.0-6]: DISCONNECT 0x82. So is a CONNACK naming a method.
TEST(ClientEngine5Auth, WithoutAMethodNoAuthIsSentOrAccepted)
{
    ClientHarness h(Config5());
    Establish5(h, 0s);
    bool started = true;
    EXPECT_EQ(Reauthenticate(h, 1s, &started), Lines{});
    EXPECT_FALSE(started);
    EXPECT_EQ(Sends(h.Feed(1s, SERVER_C1)), Lines{Send(1, "E0 01 82")});

    ClientHarness before(Config5());
    before.Open(0s);
    EXPECT_EQ(Sends(before.Feed(0s, SERVER_C1)), Lines{Send(1, "E0 01 82")});
    ClientHarness connack(Config5());
    connack.Open(0s);
    EXPECT_EQ(Sends(connack.Feed(0s, CONNACK_OK)), Lines{Send(1, "E0 01 82")});
}

// Re-authentication at the application's request: AUTH 0x19 with the method's first data, the
// broker's AUTH 0x18 answered with 0x18 [MQTT5-4.12.0-3], AUTH 0x00 with final data that proves
// the broker: Reauthenticated. [MQTT5-4.12.1-1]: the CONNECT's method. Other packets keep going
// meanwhile; a second Reauthenticate() during the exchange is refused.
TEST(ClientEngine5Auth, ReauthenticationWithAuth0x19)
{
    ClientHarness h(AuthConfig());
    Authenticated(h);
    bool started = false;
    EXPECT_EQ(Reauthenticate(h, 5s, &started),
              Lines{Send(1, "F0 1B 19 19 " + METHOD + " 16 00 05 61 6C 69 63 65")});
    EXPECT_TRUE(started);
    EXPECT_EQ(Reauthenticate(h, 5s, &started), Lines{});
    EXPECT_FALSE(started);
    EXPECT_EQ(Sends(h.Publish(5s, "t", "x", Qos::AtMostOnce)),
              Lines{Send(1, "30 05 00 01 74 00 78")});
    EXPECT_EQ(h.Feed(6s, "F0 18 18 16 " + METHOD + " 16 00 02 63 32"),
              Lines{Send(1, "F0 1B 18 19 " + METHOD + " 16 00 05 70 77 3A 63 32")});
    EXPECT_EQ(h.Feed(7s, "F0 1E 00 1C " + METHOD + " 16 00 08 6F 6B 3A 61 6C 69 63 65"),
              Lines{Reauthenticated()});
    EXPECT_EQ(h.engine.State(), ClientState::Connected);
    // Over: a new one may start.
    EXPECT_EQ(Sends(Reauthenticate(h, 8s)),
              Lines{Send(1, "F0 1B 19 19 " + METHOD + " 16 00 05 61 6C 69 63 65")});
}

// A re-authentication whose AUTH 0x00 does not prove the broker: DISCONNECT 0x87 and the close
// [MQTT5-4.12.1-2]; no reconnect.
TEST(ClientEngine5Auth, FailedReauthenticationDisconnects)
{
    ClientHarness h(AuthConfig());
    Authenticated(h);
    Reauthenticate(h, 5s);
    h.Feed(6s, "F0 18 18 16 " + METHOD + " 16 00 02 63 32");
    EXPECT_EQ(h.Feed(7s, "F0 1E 00 1C " + METHOD + " 16 00 08 6F 6B 3A 62 6F 62 62 79"),
              (Lines{Send(1, "E0 01 87"),
                     Close(1, CloseReason::AuthFailure),
                     Cancel(MqttClientEngine::KEEP_ALIVE_TIMER),
                     Closed5(1, CloseReason::AuthFailure, ReasonCode::NotAuthorized, 0x87),
                     State(ClientState::Idle)}));
}
