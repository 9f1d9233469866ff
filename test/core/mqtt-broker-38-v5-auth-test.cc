/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine, MQTT 5.0 enhanced authentication (section 4.12, the AUTH packet of 3.15): the
 * CONNECT's exchange through AUTH 0x18 to a CONNACK with the method and final data, refusals
 * (0x8C unknown method, 0x87 refused), re-authentication with AUTH 0x19 while connected, the
 * protocol errors, and the AWS IoT Core MQTT 5 profile, which has no enhanced authentication.
 * The method is the test's TEST-CHALLENGE (mqtt-auth-test-method.h): readable bytes.
 */
#include "mqtt-auth-test-method.h"
#include "mqtt-authenticator.h"
#include "mqtt-broker5-test-util.h"

using namespace brokertest;
using mqtt_test::AuthBytes;
using mqtt_test::ChallengeMethod;

namespace
{

/** "TEST-CHALLENGE" in hex, as the properties carry it after 00 0e. */
const std::string METHOD_HEX = "54 45 53 54 2d 43 48 41 4c 4c 45 4e 47 45";

std::shared_ptr<MqttAuthMethods>
Methods()
{
    auto methods = std::make_shared<MqttAuthMethods>();
    methods->Add(std::make_shared<ChallengeMethod>(
        std::map<std::string, std::string>{{"alice", "pw"}, {"bob", "pw2"}}));
    return methods;
}

ConnectPacket
AuthConnect(const std::string& clientId,
            const std::string& method = ChallengeMethod::NAME,
            const std::string& data = "alice")
{
    ConnectPacket p = MakeConnect5(clientId);
    p.properties.AddText(PropertyId::AuthenticationMethod, method);
    p.properties.AddBinary(PropertyId::AuthenticationData, AuthBytes(data));
    return p;
}

AuthPacket
Auth(ReasonCode code, const std::string& data, const std::string& method = ChallengeMethod::NAME)
{
    AuthPacket a;
    a.reasonCode = code;
    a.properties.AddText(PropertyId::AuthenticationMethod, method);
    a.properties.AddBinary(PropertyId::AuthenticationData, AuthBytes(data));
    return a;
}

/** A harness whose client 1 is connected as alice through the whole exchange. */
struct Authenticated
{
    BrokerHarness h{Plain5()};

    Authenticated()
    {
        h.Engine().SetAuthMethods(Methods());
        h.Open(1);
        h.Feed(1, Bytes5(AuthConnect("c1")));
        h.TakeHex(1);
        h.Feed(1, Bytes5(Auth(ReasonCode::ContinueAuthentication, "pw:c1")));
        h.TakeHex(1);
    }
};

} // namespace

TEST(Broker5Auth, Mqtt5_4_12_0_2_ExchangeThenConnackWithMethodAndFinalData)
{
    // [MQTT5-4.12.0-2]: the server asks for more with AUTH 0x18; [MQTT5-4.12.0-5]: its AUTH and
    // the successful CONNACK repeat the CONNECT's method; the CONNACK carries the final data.
    // [MQTT5-3.15.2-2] [MQTT5-3.15.2-3]: the client allows packets of 40 bytes at most, and the
    // broker's AUTH (26 bytes) has no Reason String and no User Property that could exceed it.
    BrokerHarness h(Plain5());
    h.Engine().SetAuthMethods(Methods());
    h.Open(1);
    ConnectPacket connect = AuthConnect("c1");
    connect.properties.AddNumber(PropertyId::MaximumPacketSize, 40);
    h.Feed(1, Bytes5(connect));
    EXPECT_EQ(h.TakeHex(1), "f0 18 18 16 15 00 0e " + METHOD_HEX + " 16 00 02 63 31");
    EXPECT_FALSE(h.Engine().IsConnected("c1"));
    EXPECT_TRUE(h.IsOpen(1));
    h.Feed(1, Bytes5(Auth(ReasonCode::ContinueAuthentication, "pw:c1")));
    EXPECT_EQ(h.TakeHex(1),
              "20 1f 00 00 1c 15 00 0e " + METHOD_HEX + " 16 00 08 6f 6b 3a 61 6c 69 63 65");
    EXPECT_TRUE(h.Engine().IsConnected("c1"));
}

TEST(Broker5Auth, Mqtt5_4_12_0_1_UnknownMethodIsBadAuthenticationMethod)
{
    // [MQTT5-4.12.0-1]: CONNACK 0x8C, then the close.
    BrokerHarness h(Plain5());
    h.Engine().SetAuthMethods(Methods());
    h.Open(1);
    h.Feed(1, Bytes5(AuthConnect("c1", "SCRAM-SHA-1")));
    EXPECT_EQ(h.TakeHex(1), "20 03 00 8c 00");
    EXPECT_FALSE(h.IsOpen(1));
    EXPECT_EQ(h.ClosedWith(1), CloseReason::AuthFailure);
}

TEST(Broker5Auth, Mqtt5_4_12_0_1_NoMethodsAtAllIsBadAuthenticationMethod)
{
    BrokerHarness h(Plain5());
    h.Open(1);
    h.Feed(1, Bytes5(AuthConnect("c1")));
    EXPECT_EQ(h.TakeHex(1), "20 03 00 8c 00");
    EXPECT_FALSE(h.IsOpen(1));
}

TEST(Broker5Auth, Mqtt5_4_12_0_4_WrongAnswerIsNotAuthorized)
{
    // [MQTT5-4.12.0-4]: refused at the second step: CONNACK 0x87, then the close.
    BrokerHarness h(Plain5());
    h.Engine().SetAuthMethods(Methods());
    h.Open(1);
    h.Feed(1, Bytes5(AuthConnect("c1")));
    h.TakeHex(1);
    h.Feed(1, Bytes5(Auth(ReasonCode::ContinueAuthentication, "guess:c1")));
    EXPECT_EQ(h.TakeHex(1), "20 03 00 87 00");
    EXPECT_FALSE(h.IsOpen(1));
    EXPECT_FALSE(h.Engine().IsConnected("c1"));
}

TEST(Broker5Auth, Mqtt5_4_12_0_4_RefusedAtTheFirstStep)
{
    // [MQTT5-4.12.0-4]: at any step, here the CONNECT's own data (an unknown user).
    BrokerHarness h(Plain5());
    h.Engine().SetAuthMethods(Methods());
    h.Open(1);
    h.Feed(1, Bytes5(AuthConnect("c1", ChallengeMethod::NAME, "mallory")));
    EXPECT_EQ(h.TakeHex(1), "20 03 00 87 00");
    EXPECT_FALSE(h.IsOpen(1));
}

TEST(Broker5Auth, Mqtt5_4_12_0_6_NoMethodInConnectNoneInConnackAndAuthIsAProtocolError)
{
    // [MQTT5-4.12.0-6]: a CONNECT without a method gets no AUTH and no method in CONNACK; an
    // AUTH from that client is a protocol error: DISCONNECT 0x82 and the close.
    BrokerHarness h(Plain5());
    h.Engine().SetAuthMethods(Methods());
    h.Open(1);
    h.Feed(1, Bytes5(MakeConnect5("c1")));
    EXPECT_EQ(h.TakeHex(1), "20 03 00 00 00");
    h.Feed(1, Bytes5(Auth(ReasonCode::ReAuthenticate, "alice")));
    EXPECT_EQ(h.TakeHex(1), "e0 01 82");
    EXPECT_FALSE(h.IsOpen(1));
}

TEST(Broker5Auth, Mqtt5_4_12_0_5_AnotherMethodDuringTheConnectExchangeIsAProtocolError)
{
    // [MQTT5-4.12.0-5]: every AUTH repeats the CONNECT's method; no CONNACK went out, so no
    // DISCONNECT may either [MQTT5-3.14.0-1]: the connection is closed.
    BrokerHarness h(Plain5());
    h.Engine().SetAuthMethods(Methods());
    h.Open(1);
    h.Feed(1, Bytes5(AuthConnect("c1")));
    h.TakeHex(1);
    h.Feed(1, Bytes5(Auth(ReasonCode::ContinueAuthentication, "pw:c1", "OTHER")));
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_FALSE(h.IsOpen(1));
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ProtocolError);
}

TEST(Broker5Auth, OtherPacketsBeforeTheConnackAreProtocolErrors)
{
    // Until its CONNACK the client sends only AUTH or DISCONNECT (3.1.2.11.9); a PUBLISH closes.
    BrokerHarness h(Plain5());
    h.Engine().SetAuthMethods(Methods());
    h.Open(1);
    h.Feed(1, Bytes5(AuthConnect("c1")));
    h.TakeHex(1);
    h.Feed(1, Bytes5(MakePublish("t", "x")));
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_FALSE(h.IsOpen(1));
}

TEST(Broker5Auth, TheMethodReplacesThePasswordFile)
{
    // A password file without alice: the method authenticates her, the file is not asked.
    BrokerHarness h(Plain5());
    auto passwords = std::make_shared<MqttAuthenticator>();
    passwords->SetUser("carol", AuthBytes("x"));
    h.Engine().SetAuthenticator(passwords);
    h.Engine().SetAuthMethods(Methods());
    h.Open(1);
    h.Feed(1, Bytes5(AuthConnect("c1")));
    h.TakeHex(1);
    h.Feed(1, Bytes5(Auth(ReasonCode::ContinueAuthentication, "pw:c1")));
    std::vector<Packet> got = Packets5(h.TakeHex(1));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(std::get<ConnackPacket>(got[0]).reasonCode, ReasonCode::Success);
    // Without a method, the password file still decides.
    h.Open(2);
    h.Feed(2, Bytes5(MakeConnect5("c2")));
    EXPECT_EQ(h.TakeHex(2), "20 03 00 87 00"); // no user name, anonymous access off
}

TEST(Broker5Auth, Mqtt5_4_12_1_1_ReauthenticationWithTheSameMethod)
{
    // [MQTT5-4.12.1-1]: AUTH 0x19 with the CONNECT's method starts a new exchange; it ends with
    // AUTH 0x00, the method and the final data. Other packets go on meanwhile (4.12.1).
    Authenticated a;
    BrokerHarness& h = a.h;
    h.Feed(1, Bytes5(Auth(ReasonCode::ReAuthenticate, "alice")));
    EXPECT_EQ(h.TakeHex(1), "f0 18 18 16 15 00 0e " + METHOD_HEX + " 16 00 02 63 32");
    h.Send(1, PingreqPacket{});
    EXPECT_EQ(h.TakeHex(1), "d0 00");
    h.Feed(1, Bytes5(Auth(ReasonCode::ContinueAuthentication, "pw:c2")));
    EXPECT_EQ(h.TakeHex(1),
              "f0 1e 00 1c 15 00 0e " + METHOD_HEX + " 16 00 08 6f 6b 3a 61 6c 69 63 65");
    EXPECT_TRUE(h.IsOpen(1));
    EXPECT_TRUE(h.Engine().IsConnected("c1"));
}

TEST(Broker5Auth, Mqtt5_4_12_1_1_ReauthenticationWithAnotherMethodIsAProtocolError)
{
    // [MQTT5-4.12.1-1]: DISCONNECT 0x82 and the close.
    Authenticated a;
    a.h.Feed(1, Bytes5(Auth(ReasonCode::ReAuthenticate, "alice", "SCRAM-SHA-256")));
    EXPECT_EQ(a.h.TakeHex(1), "e0 01 82");
    EXPECT_FALSE(a.h.IsOpen(1));
}

TEST(Broker5Auth, Mqtt5_4_12_1_2_FailedReauthenticationDisconnects)
{
    // [MQTT5-4.12.1-2]: DISCONNECT with the method's code (0x87), then the close.
    Authenticated a;
    BrokerHarness& h = a.h;
    h.Feed(1, Bytes5(Auth(ReasonCode::ReAuthenticate, "alice")));
    h.TakeHex(1);
    h.Feed(1, Bytes5(Auth(ReasonCode::ContinueAuthentication, "wrong:c2")));
    EXPECT_EQ(h.TakeHex(1), "e0 01 87");
    EXPECT_FALSE(h.IsOpen(1));
    EXPECT_EQ(h.ClosedWith(1), CloseReason::AuthFailure);
}

TEST(Broker5Auth, Mqtt5_4_12_1_2_ReauthenticationAsAnotherUserDisconnects)
{
    // bob's own credentials are good, but the connection is alice's: DISCONNECT 0x87.
    Authenticated a;
    BrokerHarness& h = a.h;
    h.Feed(1, Bytes5(Auth(ReasonCode::ReAuthenticate, "bob")));
    h.TakeHex(1);
    h.Feed(1, Bytes5(Auth(ReasonCode::ContinueAuthentication, "pw2:c2")));
    EXPECT_EQ(h.TakeHex(1), "e0 01 87");
    EXPECT_FALSE(h.IsOpen(1));
}

TEST(Broker5Auth, AuthOutOfTurnIsAProtocolError)
{
    // 0x18 with no exchange under way, 0x19 during one, and 0x00 (only the server sends it):
    // DISCONNECT 0x82 each.
    {
        Authenticated a;
        a.h.Feed(1, Bytes5(Auth(ReasonCode::ContinueAuthentication, "pw:c1")));
        EXPECT_EQ(a.h.TakeHex(1), "e0 01 82");
    }
    {
        Authenticated a;
        a.h.Feed(1, Bytes5(Auth(ReasonCode::ReAuthenticate, "alice")));
        a.h.TakeHex(1);
        a.h.Feed(1, Bytes5(Auth(ReasonCode::ReAuthenticate, "alice")));
        EXPECT_EQ(a.h.TakeHex(1), "e0 01 82");
    }
    {
        Authenticated a;
        a.h.Feed(1, Bytes5(Auth(ReasonCode::Success, "")));
        EXPECT_EQ(a.h.TakeHex(1), "e0 01 82");
        EXPECT_FALSE(a.h.IsOpen(1));
    }
}

TEST(Broker5Auth, AwsIotCore5RefusesEnhancedAuthentication)
{
    // aws-iot-core-5 has no enhanced authentication (issue #16's AWS MQTT 5 summary: "no AUTH"):
    // a CONNECT naming a method gets CONNACK 0x8C even when the driver registered it.
    BrokerHarness h(MqttBrokerProfile::AwsIotCore5());
    h.Engine().SetAuthMethods(Methods());
    h.Open(1);
    h.Feed(1, Bytes5(AuthConnect("c1")));
    std::vector<Packet> got = Packets5(h.TakeHex(1));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(std::get<ConnackPacket>(got[0]).reasonCode, ReasonCode::BadAuthenticationMethod);
    EXPECT_FALSE(std::get<ConnackPacket>(got[0]).properties.Has(PropertyId::AuthenticationMethod));
    EXPECT_FALSE(h.IsOpen(1));
}

TEST(Broker5Auth, TheConnectDeadlineBoundsTheExchange)
{
    // A client that stops answering mid-exchange is closed when the CONNECT deadline (30 s in
    // standard-5) passes, as a client that never sent CONNECT.
    BrokerHarness h(Plain5());
    h.Engine().SetAuthMethods(Methods());
    h.Open(1);
    h.Feed(1, Bytes5(AuthConnect("c1")));
    h.TakeHex(1);
    h.Advance(seconds(29));
    EXPECT_TRUE(h.IsOpen(1));
    h.Advance(seconds(1));
    EXPECT_FALSE(h.IsOpen(1));
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ConnectTimeout);
}

TEST(Broker5Auth, EachExchangeStepIsOneAuthOperationForTheServiceModel)
{
    // The service model charges `auth` per step the method computes (doc/capacity.md): the
    // CONNECT's and the client's answer, then a re-authentication's two.
    BrokerHarness h(Plain5());
    h.Engine().SetAuthMethods(Methods());
    h.Open(1);
    h.Engine().TakeWork();
    h.Feed(1, Bytes5(AuthConnect("c1")));
    MqttServiceWork connect = h.Engine().TakeWork();
    EXPECT_EQ(connect.Of(MqttServiceOp::Auth), 1u);
    EXPECT_EQ(connect.Of(MqttServiceOp::Connect), 1u);
    h.Feed(1, Bytes5(Auth(ReasonCode::ContinueAuthentication, "pw:c1")));
    EXPECT_EQ(h.Engine().TakeWork().Of(MqttServiceOp::Auth), 1u);
    h.Feed(1, Bytes5(Auth(ReasonCode::ReAuthenticate, "alice")));
    h.Feed(1, Bytes5(Auth(ReasonCode::ContinueAuthentication, "pw:c2")));
    EXPECT_EQ(h.Engine().TakeWork().Of(MqttServiceOp::Auth), 2u);
    EXPECT_TRUE(h.Engine().IsConnected("c1"));
}
