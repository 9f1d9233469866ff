/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * SCRAM-SHA-256 (model/crypto/mqtt-scram): RFC 7677's example exchange message for message, and
 * what either side refuses (bad proof, bad nonce, a replayed final message, a forged server
 * signature, malformed messages), and the credentials file.
 */
#include "mqtt-base64.h"
#include "mqtt-scram.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace ns3::mqtt;

namespace
{

// RFC 7677 section 3: user "user", password "pencil".
const std::string C_NONCE = "rOprNGfwEbeRWgbNEkqO";
const std::string S_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
const std::string SALT = "W22ZaJ0SNY7soEsUEjb6gQ==";
const std::string CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
const std::string SERVER_FIRST =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const std::string CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                 "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const std::string SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

std::vector<uint8_t>
B(const std::string& s)
{
    return std::vector<uint8_t>(s.begin(), s.end());
}

std::string
S(const std::vector<uint8_t>& b)
{
    return std::string(b.begin(), b.end());
}

/** A server whose nonces are RFC 7677's, with user "user" / "pencil". */
MqttScramSha256
RfcServer()
{
    MqttScramSha256 server([] { return S_NONCE; });
    server.AddCredential("user", MqttScramSha256::MakeCredential("pencil", *FromBase64(SALT)));
    return server;
}

MqttScramSha256
RfcClient()
{
    return MqttScramSha256([] { return C_NONCE; });
}

} // namespace

TEST(Scram, Rfc7677ExampleServerSide)
{
    MqttScramSha256 method = RfcServer();
    EXPECT_EQ(method.Name(), "SCRAM-SHA-256");
    auto server = method.StartServer();
    MqttAuthStep first = server->Step(B(CLIENT_FIRST));
    ASSERT_EQ(first.outcome, MqttAuthOutcome::Continue) << first.detail;
    EXPECT_EQ(S(first.data), SERVER_FIRST);
    EXPECT_EQ(server->Identity(), std::nullopt);
    MqttAuthStep final = server->Step(B(CLIENT_FINAL));
    ASSERT_EQ(final.outcome, MqttAuthOutcome::Success) << final.detail;
    EXPECT_EQ(S(final.data), SERVER_FINAL);
    EXPECT_EQ(server->Identity(), std::optional<std::string>("user"));
    // The exchange is over: one more message is refused.
    EXPECT_EQ(server->Step(B(CLIENT_FINAL)).outcome, MqttAuthOutcome::Failure);
}

TEST(Scram, Rfc7677ExampleClientSide)
{
    MqttScramSha256 method = RfcClient();
    auto client = method.StartClient({"user", B("pencil")});
    MqttAuthStep first = client->Start();
    ASSERT_EQ(first.outcome, MqttAuthOutcome::Continue);
    EXPECT_EQ(S(first.data), CLIENT_FIRST);
    MqttAuthStep final = client->Respond(B(SERVER_FIRST));
    ASSERT_EQ(final.outcome, MqttAuthOutcome::Continue) << final.detail;
    EXPECT_EQ(S(final.data), CLIENT_FINAL);
    EXPECT_EQ(client->Finish(B(SERVER_FINAL)).outcome, MqttAuthOutcome::Success);
}

TEST(Scram, CredentialOfTheRfcExampleFormatsAndParsesBack)
{
    const MqttScramCredential c = MqttScramSha256::MakeCredential("pencil", *FromBase64(SALT));
    const std::string text = MqttScramSha256::FormatCredential(c);
    EXPECT_EQ(text.substr(0, 14 + 5 + SALT.size() + 1), "SCRAM-SHA-256$4096:" + SALT + "$");
    std::string why;
    std::optional<MqttScramCredential> back = MqttScramSha256::ParseCredential(text, why);
    ASSERT_TRUE(back) << why;
    EXPECT_EQ(*back, c);
}

TEST(Scram, WrongPasswordIsAnInvalidProof)
{
    MqttScramSha256 method = RfcServer();
    auto server = method.StartServer();
    auto client = RfcClient().StartClient({"user", B("pencil2")});
    ASSERT_EQ(server->Step(client->Start().data).outcome, MqttAuthOutcome::Continue);
    MqttAuthStep final = server->Step(client->Respond(B(SERVER_FIRST)).data);
    EXPECT_EQ(final.outcome, MqttAuthOutcome::Failure);
    EXPECT_EQ(final.reason, ReasonCode::NotAuthorized);
    EXPECT_EQ(final.detail, "invalid proof");
    EXPECT_EQ(server->Identity(), std::nullopt);
}

TEST(Scram, TamperedProofIsRefused)
{
    MqttScramSha256 method = RfcServer();
    auto server = method.StartServer();
    server->Step(B(CLIENT_FIRST));
    std::string tampered = CLIENT_FINAL;
    tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
    MqttAuthStep final = server->Step(B(tampered));
    EXPECT_EQ(final.outcome, MqttAuthOutcome::Failure);
    EXPECT_EQ(final.detail, "invalid proof");
}

TEST(Scram, UnknownUserLooksLikeAUserAndFailsAtTheProof)
{
    MqttScramSha256 method = RfcServer();
    auto server = method.StartServer();
    MqttAuthStep first = server->Step(B("n,,n=mallory,r=" + C_NONCE));
    ASSERT_EQ(first.outcome, MqttAuthOutcome::Continue);
    // A salt of 16 bytes and 4096 iterations, stable per name.
    auto again = method.StartServer();
    EXPECT_EQ(S(again->Step(B("n,,n=mallory,r=" + C_NONCE)).data), S(first.data));
    auto client = RfcClient().StartClient({"mallory", B("pencil")});
    client->Start();
    MqttAuthStep final = server->Step(client->Respond(first.data).data);
    EXPECT_EQ(final.outcome, MqttAuthOutcome::Failure);
    EXPECT_EQ(final.detail, "invalid proof");
}

TEST(Scram, BadNonceIsRefused)
{
    MqttScramSha256 method = RfcServer();
    auto server = method.StartServer();
    server->Step(B(CLIENT_FIRST));
    std::string other = CLIENT_FINAL;
    other.replace(other.find("k0,p="), 2, "k1");
    MqttAuthStep final = server->Step(B(other));
    EXPECT_EQ(final.outcome, MqttAuthOutcome::Failure);
    EXPECT_EQ(final.detail, "nonce differs from the server-first-message");
}

TEST(Scram, ReplayedFinalMessageFailsOnAFreshServerNonce)
{
    // The final message of a good exchange, sent again in a new exchange: the server's nonce
    // differs each time, so the replay proves nothing.
    int n = 0;
    MqttScramSha256 method([&n] { return "server" + std::to_string(++n); });
    method.AddCredential("user", MqttScramSha256::MakeCredential("pencil", *FromBase64(SALT)));
    auto good = method.StartServer();
    auto client = RfcClient().StartClient({"user", B("pencil")});
    const std::vector<uint8_t> first = client->Start().data;
    const std::vector<uint8_t> final = client->Respond(good->Step(first).data).data;
    ASSERT_EQ(good->Step(final).outcome, MqttAuthOutcome::Success);
    auto replayed = method.StartServer();
    ASSERT_EQ(replayed->Step(first).outcome, MqttAuthOutcome::Continue);
    MqttAuthStep r = replayed->Step(final);
    EXPECT_EQ(r.outcome, MqttAuthOutcome::Failure);
    EXPECT_EQ(r.detail, "nonce differs from the server-first-message");
}

TEST(Scram, ClientRefusesAServerThatDoesNotExtendItsNonceOrForgesItsSignature)
{
    auto client = RfcClient().StartClient({"user", B("pencil")});
    client->Start();
    EXPECT_EQ(client->Respond(B("r=otherNonce,s=" + SALT + ",i=4096")).outcome,
              MqttAuthOutcome::Failure);
    auto client2 = RfcClient().StartClient({"user", B("pencil")});
    client2->Start();
    ASSERT_EQ(client2->Respond(B(SERVER_FIRST)).outcome, MqttAuthOutcome::Continue);
    EXPECT_EQ(client2->Finish(B("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")).outcome,
              MqttAuthOutcome::Failure);
    auto client3 = RfcClient().StartClient({"user", B("pencil")});
    client3->Start();
    // A final message before the server-first-message proves nothing.
    EXPECT_EQ(client3->Finish(B(SERVER_FINAL)).outcome, MqttAuthOutcome::Failure);
}

TEST(Scram, MalformedClientMessagesAreRefused)
{
    MqttScramSha256 method = RfcServer();
    for (const std::string& bad : {std::string("p=tls-unique,,n=user,r=x"),
                                   std::string("n,a=admin,n=user,r=x"),
                                   std::string("n,,r=x,n=user"),
                                   std::string("n,,n=us=2Xer,r=x"),
                                   std::string("n,,n=user,r=a,b"),
                                   std::string("n,,n=user,r=a,m=x"),
                                   std::string("n,,n=,r=x")})
    {
        MqttAuthStep s = method.StartServer()->Step(B(bad));
        EXPECT_EQ(s.outcome, MqttAuthOutcome::Failure) << bad;
        EXPECT_EQ(s.reason, ReasonCode::NotAuthorized) << bad;
    }
    EXPECT_EQ(method.StartServer()->Step(std::nullopt).outcome, MqttAuthOutcome::Failure);
    auto server = method.StartServer();
    server->Step(B(CLIENT_FIRST));
    // The channel binding must repeat the gs2 header ("biws" is base64 of "n,,").
    std::string badBinding = CLIENT_FINAL;
    badBinding.replace(2, 4, "eSws");
    EXPECT_EQ(server->Step(B(badBinding)).detail, "channel binding differs from the gs2 header");
}

TEST(Scram, UserNamesWithCommaAndEqualsAreEscaped)
{
    MqttScramSha256 method([] { return std::string("n0nce"); });
    method.AddCredential("a,b=c", MqttScramSha256::MakeCredential("pw", B("salt"), 4096));
    auto client = method.StartClient({"a,b=c", B("pw")});
    MqttAuthStep first = client->Start();
    EXPECT_EQ(S(first.data), "n,,n=a=2Cb=3Dc,r=n0nce");
    auto server = method.StartServer();
    MqttAuthStep s1 = server->Step(first.data);
    ASSERT_EQ(s1.outcome, MqttAuthOutcome::Continue) << s1.detail;
    MqttAuthStep s2 = server->Step(client->Respond(s1.data).data);
    ASSERT_EQ(s2.outcome, MqttAuthOutcome::Success) << s2.detail;
    EXPECT_EQ(server->Identity(), std::optional<std::string>("a,b=c"));
    EXPECT_EQ(client->Finish(s2.data).outcome, MqttAuthOutcome::Success);
}

TEST(Scram, RandomNoncesDifferAndArePrintable)
{
    const std::string a = MqttScramSha256::RandomNonce();
    const std::string b = MqttScramSha256::RandomNonce();
    EXPECT_EQ(a.size(), 24u);
    EXPECT_NE(a, b);
    EXPECT_EQ(a.find(','), std::string::npos);
}

TEST(ScramFile, ParsesUsersCommentsAndBlankLines)
{
    const std::string line = MqttScramSha256::FormatCredential(
        MqttScramSha256::MakeCredential("pencil", B("salt16bytes.....")));
    MqttScramSha256 method;
    MqttConfigError error;
    ASSERT_TRUE(
        method.Parse("# users\n\nuser:" + line + "\r\nbob:" + line + "\n", "scram.txt", error))
        << error.ToString();
    EXPECT_EQ(method.UserCount(), 2u);
}

TEST(ScramFile, ErrorsNameFileAndLine)
{
    const std::string good =
        "user:" + MqttScramSha256::FormatCredential(MqttScramSha256::MakeCredential("p", B("s")));
    struct Case
    {
        std::string text;
        std::string message;
    };
    const Case cases[] = {
        {"# c\nuser\n",
         "scram.txt:2: expected 'USER:SCRAM-SHA-256$ITERATIONS:SALT$STOREDKEY:SERVERKEY'"},
        {"user:$7$101$abc$def\n",
         "scram.txt:1: user 'user': expected "
         "'SCRAM-SHA-256$ITERATIONS:SALT$STOREDKEY:SERVERKEY'"},
        {"user:SCRAM-SHA-256$0:c2FsdA==$a:b\n",
         "scram.txt:1: user 'user': iterations '0' not a whole number from 1 to 10000000"},
        {"user:SCRAM-SHA-256$4096:!!$a:b\n", "scram.txt:1: user 'user': salt is not base64"},
        {"user:SCRAM-SHA-256$4096:c2FsdA==$c2FsdA==:c2FsdA==\n",
         "scram.txt:1: user 'user': stored key and server key are not 32 bytes of base64 each"},
        {good + "\n" + good + "\n", "scram.txt:2: duplicate user 'user' (first on line 1)"},
    };
    for (const Case& c : cases)
    {
        MqttScramSha256 method;
        method.AddCredential("keep", MqttScramSha256::MakeCredential("p", B("s")));
        MqttConfigError error;
        EXPECT_FALSE(method.Parse(c.text, "scram.txt", error)) << c.text;
        EXPECT_EQ(error.ToString(), c.message);
        EXPECT_EQ(method.UserCount(), 1u) << "a bad file changes nothing";
    }
}

TEST(ScramFile, MissingFileIsNamed)
{
    MqttScramSha256 method;
    MqttConfigError error;
    const std::string path = "/nonexistent-dir-" + std::to_string(::getpid()) + "/scram.txt";
    EXPECT_FALSE(method.Load(path, error));
    EXPECT_EQ(error.ToString(), path + ": cannot open file");
}

TEST(Scram, SeededNoncesRepeatPerSeed)
{
    auto a = MqttScramSha256::SeededNonces(7);
    auto b = MqttScramSha256::SeededNonces(7);
    auto c = MqttScramSha256::SeededNonces(8);
    const std::string first = a();
    EXPECT_EQ(first, b());
    EXPECT_NE(first, c());
    EXPECT_NE(first, a());
    EXPECT_EQ(first.size(), 24u);
}
