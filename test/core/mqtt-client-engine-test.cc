/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Client engine, connection life cycle: CONNECT bytes, CONNACK handling, keep-alive, reconnect
 * backoff, DISCONNECT, protocol violations. Byte scripts on a fake clock.
 */
#include "mqtt-client-test-util.h"
#include "mqtt-codec.h"

#include <gtest/gtest.h>

using namespace ns3::mqtt;
using namespace ns3::mqtt::clienttest;

namespace
{

// CONNECT of BaseConfig(): "MQTT" level 4, flags 02 (clean session), keep-alive 60, id "c1".
constexpr const char* CONNECT_C1 = "10 0E 00 04 4D 51 54 54 04 02 00 3C 00 02 63 31";

} // namespace

// [MQTT-3.1.0-1]: the transport comes up, and the first packet on it is CONNECT.
TEST(ClientEngine, ConnectOpensTransportThenSendsConnectFirst)
{
    ClientHarness h(BaseConfig());
    EXPECT_EQ(h.Connect(0s), (Lines{State(ClientState::Connecting), Open(1)}));
    EXPECT_EQ(h.engine.State(), ClientState::Connecting);
    EXPECT_EQ(h.Connected(100ms),
              (Lines{Opened(1),
                     State(ClientState::AwaitingConnack),
                     Send(1, CONNECT_C1),
                     Timer(MqttClientEngine::CONNACK_TIMER, 10100ms)}));
    EXPECT_EQ(h.Feed(200ms, "20 02 00 00"),
              (Lines{Cancel(MqttClientEngine::CONNACK_TIMER),
                     State(ClientState::Connected),
                     Session(false),
                     Timer(MqttClientEngine::KEEP_ALIVE_TIMER, 60100ms)}));
    // A second Connect() while running changes nothing.
    EXPECT_EQ(h.Connect(1s), Lines{});
}

// [MQTT-3.1.2-9], [MQTT-3.1.3-1], [MQTT-3.1.3-3], [MQTT-3.1.2-19], [MQTT-3.1.2-21]: will flag
// with QoS and retain bits, then the payload fields in order: client id, will topic, will
// message, user name, password.
TEST(ClientEngine, ConnectWithWillAndCredentials)
{
    MqttClientConfig config = BaseConfig();
    config.keepAliveSeconds = 10;
    config.will = Will{"w/t", Raw("bye"), Qos::AtLeastOnce, true};
    config.userName = "u";
    config.password = Raw("pw");
    ClientHarness h(config);
    h.Connect(0s);
    // Flags EE: user name, password, will retain, will QoS 1, will flag, clean session.
    EXPECT_EQ(Sends(h.Connected(0s)),
              Lines{Send(1,
                         "10 1F 00 04 4D 51 54 54 04 EE 00 0A"
                         " 00 02 63 31"     // client id
                         " 00 03 77 2F 74"  // will topic
                         " 00 03 62 79 65"  // will message
                         " 00 01 75"        // user name
                         " 00 02 70 77")}); // password
}

// Will QoS 2 without retain: flags 16 (will QoS 2, will flag, clean session).
TEST(ClientEngine, ConnectWithQos2WillNotRetained)
{
    MqttClientConfig config = BaseConfig();
    config.will = Will{"w", {}, Qos::ExactlyOnce, false};
    ClientHarness h(config);
    EXPECT_EQ(Sends(h.Open(0s)),
              Lines{Send(1, "10 13 00 04 4D 51 54 54 04 16 00 3C 00 02 63 31 00 01 77 00 00")});
}

// [MQTT-3.1.2-11], [MQTT-3.1.2-13], [MQTT-3.1.2-15]: no will, so will QoS and retain are 0 and
// no will fields; [MQTT-3.1.2-18], [MQTT-3.1.2-20]: no user name or password flags or fields.
// Also a persistent session (flags 00) and keep-alive 0.
TEST(ClientEngine, ConnectWithoutWillOrCredentialsHasZeroFlags)
{
    MqttClientConfig config = BaseConfig();
    config.cleanSession = false;
    config.keepAliveSeconds = 0;
    ClientHarness h(config);
    EXPECT_EQ(Sends(h.Open(0s)), Lines{Send(1, "10 0E 00 04 4D 51 54 54 04 00 00 00 00 02 63 31")});
    // Keep-alive 0 turns the mechanism off: no keep-alive timer after CONNACK.
    EXPECT_EQ(h.Feed(0s, "20 02 00 00"),
              (Lines{Cancel(MqttClientEngine::CONNACK_TIMER),
                     State(ClientState::Connected),
                     Session(false)}));
}

// [MQTT-3.1.2-19], [MQTT-3.1.2-20]: a user name without a password (flags 82).
TEST(ClientEngine, ConnectWithUserNameOnly)
{
    MqttClientConfig config = BaseConfig();
    config.userName = "u";
    ClientHarness h(config);
    EXPECT_EQ(Sends(h.Open(0s)),
              Lines{Send(1, "10 11 00 04 4D 51 54 54 04 82 00 3C 00 02 63 31 00 01 75")});
}

// [MQTT-3.1.2-22]: a password needs a user name; the engine refuses to send such a CONNECT.
TEST(ClientEngine, PasswordWithoutUserNameIsRefusedLocally)
{
    MqttClientConfig config = BaseConfig();
    config.password = Raw("pw");
    ClientHarness h(config);
    EXPECT_EQ(h.Connect(0s),
              Lines{Refused(0, static_cast<int>(ClientConfigError::PasswordWithoutUserName))});
    EXPECT_EQ(h.engine.State(), ClientState::Idle);
}

// [MQTT-3.1.3-7]: a zero-length client id needs CleanSession = 1; with it, the id field is
// present and empty [MQTT-3.1.3-3].
TEST(ClientEngine, EmptyClientIdNeedsCleanSession)
{
    MqttClientConfig config = BaseConfig();
    config.clientId = "";
    config.cleanSession = false;
    {
        ClientHarness h(config);
        EXPECT_EQ(
            h.Connect(0s),
            Lines{Refused(0, static_cast<int>(ClientConfigError::EmptyClientIdNeedsCleanSession))});
        EXPECT_EQ(h.engine.State(), ClientState::Idle);
    }
    config.cleanSession = true;
    ClientHarness h(config);
    EXPECT_EQ(Sends(h.Open(0s)), Lines{Send(1, "10 0C 00 04 4D 51 54 54 04 02 00 3C 00 00")});
}

TEST(ClientEngine, InvalidConfigsAreRefused)
{
    MqttClientConfig config = BaseConfig();
    EXPECT_EQ(MqttClientEngine::CheckConfig(config), ClientConfigError::None);
    config.will = Will{"w/+", {}, Qos::AtMostOnce, false};
    EXPECT_EQ(MqttClientEngine::CheckConfig(config), ClientConfigError::InvalidWillTopic);
    config.will = Will{"w", {}, static_cast<Qos>(3), false};
    EXPECT_EQ(MqttClientEngine::CheckConfig(config), ClientConfigError::InvalidWillQos);
    config.will = Will{"w", Bytes(65536, 'x'), Qos::AtMostOnce, false};
    EXPECT_EQ(MqttClientEngine::CheckConfig(config), ClientConfigError::WillPayloadTooLong);
    config.will.reset();
    config.clientId = std::string("\xC0\x80", 2); // overlong encoding of U+0000
    EXPECT_EQ(MqttClientEngine::CheckConfig(config), ClientConfigError::InvalidClientId);
    config.clientId = "c1";
    config.userName = std::string(65536, 'u');
    EXPECT_EQ(MqttClientEngine::CheckConfig(config), ClientConfigError::InvalidUserName);
    config.userName = "u";
    config.password = Bytes(65536, 'p');
    EXPECT_EQ(MqttClientEngine::CheckConfig(config), ClientConfigError::PasswordTooLong);
}

TEST(ClientEngine, ConnackTimeoutClosesAndRetries)
{
    ClientHarness h(BaseConfig());
    h.Open(0s);
    EXPECT_EQ(h.Fire(MqttClientEngine::CONNACK_TIMER),
              (Lines{Close(1, CloseReason::ConnectTimeout),
                     Closed(1, CloseReason::ConnectTimeout),
                     State(ClientState::WaitingToReconnect),
                     Timer(MqttClientEngine::RECONNECT_TIMER, 11s)}));
    EXPECT_EQ(h.Fire(MqttClientEngine::RECONNECT_TIMER),
              (Lines{State(ClientState::Connecting), Open(2)}));
    EXPECT_EQ(h.Connected(11s)[2], Send(2, CONNECT_C1));
}

// Bad credentials or a refused authorisation will not change by retrying: no reconnect.
TEST(ClientEngine, ConnackNotAuthorizedStopsTheClient)
{
    ClientHarness h(BaseConfig());
    h.Open(0s);
    EXPECT_EQ(h.Feed(1s, "20 02 00 05"),
              RefusedLines(1, 5, CloseReason::AuthFailure, {State(ClientState::Idle)}));
    EXPECT_TRUE(h.timers.empty());
}

TEST(ClientEngine, ConnackRejectedIdentifierStopsTheClient)
{
    ClientHarness h(BaseConfig());
    h.Open(0s);
    EXPECT_EQ(h.Feed(1s, "20 02 00 02"),
              RefusedLines(1, 2, CloseReason::ConnectRefused, {State(ClientState::Idle)}));
}

// Server unavailable is transient: back off and retry.
TEST(ClientEngine, ConnackServerUnavailableRetries)
{
    ClientHarness h(BaseConfig());
    h.Open(0s);
    EXPECT_EQ(h.Feed(1s, "20 02 00 03"),
              RefusedLines(1,
                           3,
                           CloseReason::ConnectRefused,
                           {State(ClientState::WaitingToReconnect),
                            Timer(MqttClientEngine::RECONNECT_TIMER, 2s)}));
}

TEST(ClientEngine, RetryRefusedConnectRetriesBadCredentialsWithBackoff)
{
    MqttClientConfig config = BaseConfig();
    config.retryRefusedConnect = true;
    ClientHarness h(config);
    h.Open(0s);
    EXPECT_EQ(h.Feed(1s, "20 02 00 04"),
              RefusedLines(1,
                           4,
                           CloseReason::AuthFailure,
                           {State(ClientState::WaitingToReconnect),
                            Timer(MqttClientEngine::RECONNECT_TIMER, 2s)}));
    h.Fire(MqttClientEngine::RECONNECT_TIMER);
    h.Connected(2s);
    // The refusal does not reset the backoff: the next delay is doubled.
    EXPECT_EQ(h.Feed(2s, "20 02 00 04").back(), Timer(MqttClientEngine::RECONNECT_TIMER, 4s));
}

// Exact reconnect times: min(initial x 2^n, max) scaled by 1 - j + 2 j u, with u from the
// injected source; the backoff starts again after a CONNACK 0.
TEST(ClientEngine, ReconnectBackoffExactDelays)
{
    MqttClientConfig config = BaseConfig();
    config.reconnectInitialDelay = 1s;
    config.reconnectMultiplier = 2.0;
    config.reconnectMaxDelay = 5s;
    config.reconnectJitter = 0.2;
    ClientHarness h(config, {0.5, 0.0, 0.75, 0.25, 0.5, 0.0});
    const TimerId R = MqttClientEngine::RECONNECT_TIMER;
    h.Connect(0s);
    EXPECT_EQ(h.Failed(0s), (Lines{State(ClientState::WaitingToReconnect), Timer(R, 1s)}));
    EXPECT_EQ(h.Fire(R), (Lines{State(ClientState::Connecting), Open(2)}));
    EXPECT_EQ(h.Failed(1s).back(), Timer(R, 2600ms)); // 2 s x 0.8
    h.Fire(R);
    EXPECT_EQ(h.Failed(2600ms).back(), Timer(R, 7s)); // 4 s x 1.1
    h.Fire(R);
    EXPECT_EQ(h.Failed(7s).back(), Timer(R, 11500ms)); // min(8 s, 5 s) x 0.9
    h.Fire(R);
    EXPECT_EQ(h.Failed(11500ms).back(), Timer(R, 16500ms)); // 5 s x 1.0
    EXPECT_EQ(h.Fire(R), (Lines{State(ClientState::Connecting), Open(6)}));
    h.Connected(16500ms);
    h.Feed(16500ms, "20 02 00 00");
    EXPECT_EQ(h.PeerClosed(20s),
              (Lines{Cancel(MqttClientEngine::KEEP_ALIVE_TIMER),
                     Closed(6, CloseReason::NetworkClosed),
                     State(ClientState::WaitingToReconnect),
                     Timer(R, 20800ms)})); // 1 s x 0.8: the backoff was reset
}

// Without an injected source the jitter comes from a generator seeded with config.seed: the same
// seed gives the same delays, another seed other delays, all within [0.8 s, 1.2 s].
TEST(ClientEngine, ReconnectJitterFromSeedIsReproducible)
{
    auto firstDelay = [](uint64_t seed)
    {
        MqttClientConfig config = BaseConfig();
        config.seed = seed;
        MqttClientEngine engine(config);
        MqttActions out;
        engine.Connect(0s, out);
        engine.OnTransportFailed(0s, out);
        return std::get<StartTimerAction>(out.back()).at;
    };
    Nanos a = firstDelay(7);
    EXPECT_EQ(a, firstDelay(7));
    EXPECT_NE(a, firstDelay(8));
    for (uint64_t seed = 1; seed <= 50; ++seed)
    {
        Nanos d = firstDelay(seed);
        EXPECT_GE(d, 800ms);
        EXPECT_LE(d, 1200ms);
    }
}

TEST(ClientEngine, NoAutoReconnectGoesIdle)
{
    MqttClientConfig config = BaseConfig();
    config.autoReconnect = false;
    ClientHarness h(config);
    h.Establish(0s);
    EXPECT_EQ(h.PeerClosed(1s),
              (Lines{Cancel(MqttClientEngine::KEEP_ALIVE_TIMER),
                     Closed(1, CloseReason::NetworkClosed),
                     State(ClientState::Idle)}));
    // Connect() starts again.
    EXPECT_EQ(h.Connect(2s), (Lines{State(ClientState::Connecting), Open(2)}));
}

// [MQTT-3.1.2-23]: PINGREQ when nothing was sent for keep-alive seconds. The keep-alive timer is
// not restarted per packet: it fires, compares with the last send, and re-arms.
TEST(ClientEngine, KeepAlivePingWhenIdle)
{
    MqttClientConfig config = BaseConfig();
    config.keepAliveSeconds = 10;
    config.pingTimeout = 5s;
    ClientHarness h(config);
    h.Establish(0s);
    EXPECT_EQ(h.timers.at(MqttClientEngine::KEEP_ALIVE_TIMER), 10s);
    // A packet sent at 4 s moves the next PINGREQ to 14 s without any timer action now.
    EXPECT_EQ(h.Publish(4s, "a/b", "hi", Qos::AtMostOnce),
              Lines{Send(1, "30 07 00 03 61 2F 62 68 69")});
    EXPECT_EQ(h.Fire(MqttClientEngine::KEEP_ALIVE_TIMER),
              Lines{Timer(MqttClientEngine::KEEP_ALIVE_TIMER, 14s)});
    EXPECT_EQ(h.Fire(MqttClientEngine::KEEP_ALIVE_TIMER),
              (Lines{Send(1, "C0 00"),
                     Timer(MqttClientEngine::PING_TIMER, 19s),
                     Timer(MqttClientEngine::KEEP_ALIVE_TIMER, 24s)}));
    EXPECT_EQ(h.Feed(15s, "D0 00"), Lines{Cancel(MqttClientEngine::PING_TIMER)});
    EXPECT_EQ(h.Fire(MqttClientEngine::KEEP_ALIVE_TIMER),
              (Lines{Send(1, "C0 00"),
                     Timer(MqttClientEngine::PING_TIMER, 29s),
                     Timer(MqttClientEngine::KEEP_ALIVE_TIMER, 34s)}));
    // No PINGRESP within pingTimeout: the broker is taken for dead.
    EXPECT_EQ(h.Fire(MqttClientEngine::PING_TIMER),
              (Lines{Close(1, CloseReason::KeepAliveTimeout),
                     Cancel(MqttClientEngine::KEEP_ALIVE_TIMER),
                     Closed(1, CloseReason::KeepAliveTimeout),
                     State(ClientState::WaitingToReconnect),
                     Timer(MqttClientEngine::RECONNECT_TIMER, 30s)}));
}

// A PINGRESP with no PINGREQ outstanding is harmless (e.g. the answer to a second PINGREQ).
TEST(ClientEngine, UnsolicitedPingrespIsIgnored)
{
    ClientHarness h(BaseConfig());
    h.Establish(0s);
    EXPECT_EQ(h.Feed(1s, "D0 00"), Lines{});
    EXPECT_EQ(h.engine.State(), ClientState::Connected);
}

// [MQTT-3.14.4-1], [MQTT-3.14.4-2]: DISCONNECT, then close, and nothing more on that
// connection; no reconnect.
TEST(ClientEngine, DisconnectSendsDisconnectThenCloses)
{
    ClientHarness h(BaseConfig());
    h.Establish(0s);
    EXPECT_EQ(h.Disconnect(5s),
              (Lines{State(ClientState::Disconnecting),
                     Send(1, "E0 00"),
                     Close(1, CloseReason::ClientDisconnect),
                     Cancel(MqttClientEngine::KEEP_ALIVE_TIMER),
                     Closed(1, CloseReason::ClientDisconnect),
                     State(ClientState::Idle)}));
    // Nothing more goes out: publishes wait, bytes and stale timers are ignored.
    EXPECT_EQ(h.Publish(6s, "a/b", "hi", Qos::AtLeastOnce), Lines{});
    EXPECT_EQ(h.engine.PendingPublishes(), 1u);
    EXPECT_EQ(h.Feed(6s, "20 02 00 00"), Lines{});
    MqttActions a;
    h.engine.OnTimer(MqttClientEngine::KEEP_ALIVE_TIMER, 60s, a);
    h.engine.OnTimer(MqttClientEngine::RECONNECT_TIMER, 60s, a);
    h.engine.OnTransportClosed(60s, a);
    EXPECT_TRUE(a.empty());
    EXPECT_EQ(h.Disconnect(61s), Lines{});
    // A later Connect() sends what waited.
    h.Open(70s);
    EXPECT_EQ(Sends(h.Feed(70s, "20 02 00 00")),
              Lines{Send(2, "32 09 00 03 61 2F 62 00 01 68 69")});
}

TEST(ClientEngine, DisconnectBeforeConnackStillSendsDisconnect)
{
    ClientHarness h(BaseConfig());
    h.Open(0s);
    EXPECT_EQ(h.Disconnect(1s),
              (Lines{State(ClientState::Disconnecting),
                     Send(1, "E0 00"),
                     Close(1, CloseReason::ClientDisconnect),
                     Cancel(MqttClientEngine::CONNACK_TIMER),
                     Closed(1, CloseReason::ClientDisconnect),
                     State(ClientState::Idle)}));
}

TEST(ClientEngine, DisconnectWhileOpeningOrWaitingAbortsQuietly)
{
    ClientHarness h(BaseConfig());
    h.Connect(0s);
    EXPECT_EQ(h.Disconnect(0s),
              (Lines{Close(1, CloseReason::ClientDisconnect), State(ClientState::Idle)}));
    h.Connect(1s);
    h.Failed(1s);
    EXPECT_EQ(h.Disconnect(1s),
              (Lines{Cancel(MqttClientEngine::RECONNECT_TIMER), State(ClientState::Idle)}));
}

TEST(ClientEngine, PeerCloseReconnectsWithNewConnection)
{
    ClientHarness h(BaseConfig());
    h.Establish(0s);
    EXPECT_EQ(h.PeerClosed(3s),
              (Lines{Cancel(MqttClientEngine::KEEP_ALIVE_TIMER),
                     Closed(1, CloseReason::NetworkClosed),
                     State(ClientState::WaitingToReconnect),
                     Timer(MqttClientEngine::RECONNECT_TIMER, 4s)}));
    EXPECT_EQ(h.Fire(MqttClientEngine::RECONNECT_TIMER),
              (Lines{State(ClientState::Connecting), Open(2)}));
    EXPECT_EQ(h.engine.Connection(), 2u);
}

TEST(ClientEngine, ConnackSplitAcrossCallsAndPacketsTogether)
{
    ClientHarness h(BaseConfig());
    h.Open(0s);
    EXPECT_EQ(h.Feed(0s, "20"), Lines{});
    EXPECT_EQ(h.Feed(0s, "02"), Lines{});
    EXPECT_EQ(h.Feed(0s, "00"), Lines{});
    // The last CONNACK byte and a whole QoS 0 PUBLISH in one piece.
    Lines lines = h.Feed(0s, "00 30 05 00 01 74 68 69");
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[1], State(ClientState::Connected));
    EXPECT_EQ(lines[4], Received("t", "hi", 0, 0));
}

namespace
{

/** What the engine emits when it closes connection 1 of a Connected client for a violation. */
Lines
ViolationLines(int code)
{
    return {Close(1, CloseReason::ProtocolError),
            Cancel(MqttClientEngine::KEEP_ALIVE_TIMER),
            Closed(1, CloseReason::ProtocolError, code),
            State(ClientState::WaitingToReconnect),
            Timer(MqttClientEngine::RECONNECT_TIMER, 2s)};
}

} // namespace

// Section 4.8 [MQTT-4.8.0-1]: anything a conformant broker never sends here closes the
// connection, and the client reconnects.
TEST(ClientEngine, ProtocolViolationsClose)
{
    struct Case
    {
        const char* what;
        const char* hex;
        int code;
    };
    const Case cases[] = {
        {"reserved packet type", "F0 00", static_cast<int>(DecodeError::ReservedPacketType)},
        {"bad PUBREL flags", "60 02 00 01", static_cast<int>(DecodeError::InvalidFixedHeaderFlags)},
        {"second CONNACK", "20 02 00 00", 0},
        {"PINGREQ", "C0 00", 0},
        {"DISCONNECT", "E0 00", 0},
        {"SUBSCRIBE", "82 06 00 01 00 01 74 00", 0},
        {"UNSUBSCRIBE", "A2 05 00 01 00 01 74", 0},
        {"PUBACK for an unknown id", "40 02 00 09", 0},
        {"PUBREC for an unknown id", "50 02 00 09", 0},
        {"PUBCOMP for an unknown id", "70 02 00 09", 0},
        {"SUBACK for an unknown id", "90 03 00 09 00", 0},
        {"UNSUBACK for an unknown id", "B0 02 00 09", 0},
    };
    for (const auto& c : cases)
    {
        ClientHarness h(BaseConfig());
        h.Establish(0s);
        EXPECT_EQ(h.Feed(1s, c.hex), ViolationLines(c.code)) << c.what;
        // The rest of the stream is not looked at.
        EXPECT_EQ(h.Feed(1s, "D0 00"), Lines{}) << c.what;
    }
}

// An ack of the wrong kind for an id that is in flight is a violation too.
TEST(ClientEngine, AckOfTheWrongKindCloses)
{
    struct Case
    {
        Qos qos;
        const char* ack;
    };
    const Case cases[] = {
        {Qos::AtLeastOnce, "50 02 00 01"},    // PUBREC for QoS 1
        {Qos::AtLeastOnce, "70 02 00 01"},    // PUBCOMP for QoS 1
        {Qos::ExactlyOnce, "40 02 00 01"},    // PUBACK for QoS 2
        {Qos::ExactlyOnce, "70 02 00 01"},    // PUBCOMP before PUBREC
        {Qos::ExactlyOnce, "90 03 00 01 00"}, // SUBACK for a PUBLISH
    };
    for (const auto& c : cases)
    {
        MqttClientConfig config = BaseConfig();
        config.cleanSession = false;
        ClientHarness h(config);
        h.Establish(0s);
        h.Publish(0s, "t", "x", c.qos);
        Lines lines = h.Feed(1s, c.ack);
        ASSERT_FALSE(lines.empty()) << c.ack;
        EXPECT_EQ(lines[0], Close(1, CloseReason::ProtocolError)) << c.ack;
        EXPECT_EQ(h.engine.State(), ClientState::WaitingToReconnect) << c.ack;
        // A persistent session keeps the message for the next connection.
        EXPECT_EQ(h.engine.PendingPublishes(), 1u) << c.ack;
    }
}

// The broker's first packet must be CONNACK.
TEST(ClientEngine, PacketBeforeConnackCloses)
{
    ClientHarness h(BaseConfig());
    h.Open(0s);
    EXPECT_EQ(h.Feed(1s, "30 05 00 01 74 68 69"),
              (Lines{Close(1, CloseReason::ProtocolError),
                     Cancel(MqttClientEngine::CONNACK_TIMER),
                     Closed(1, CloseReason::ProtocolError),
                     State(ClientState::WaitingToReconnect),
                     Timer(MqttClientEngine::RECONNECT_TIMER, 2s)}));
}

// A clean session cannot be present (section 3.2.2.2); the client does not carry on with a broker
// that claims otherwise.
TEST(ClientEngine, SessionPresentOnCleanSessionCloses)
{
    ClientHarness h(BaseConfig());
    h.Open(0s);
    EXPECT_EQ(h.Feed(1s, "20 02 01 00"),
              (Lines{Cancel(MqttClientEngine::CONNACK_TIMER),
                     Close(1, CloseReason::ProtocolError),
                     Closed(1, CloseReason::ProtocolError),
                     State(ClientState::WaitingToReconnect),
                     Timer(MqttClientEngine::RECONNECT_TIMER, 2s)}));
}

// A packet larger than config.maxPacketSize is refused as soon as its length is known.
TEST(ClientEngine, OversizedPacketCloses)
{
    MqttClientConfig config = BaseConfig();
    config.maxPacketSize = 16;
    ClientHarness h(config);
    h.Establish(0s);
    EXPECT_EQ(h.Feed(1s, "30 0F"), ViolationLines(static_cast<int>(DecodeError::PacketTooLarge)));
}
