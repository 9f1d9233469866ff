/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT over TLS on real sockets: mosquitto_pub/sub with client certificates against our broker,
 * our POSIX client against mosquitto's TLS listener, the broker's TLS options and their errors,
 * and hostile TLS peers. Certificates are made at test time (TestPki).
 */
#include "mqtt-client-engine.h"
#include "mqtt-posix-client.h"
#include "mqtt-posix-clock.h"
#include "mqtt-posix-test-util.h"
#include "mqtt-tls.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <thread>

using namespace ns3::mqtt;
using namespace ns3::mqtt::test;

namespace
{

class Tls : public ::testing::Test
{
  protected:
    void
    SetUp() override
    {
        if (FindProgram("openssl").empty() || FindProgram("mosquitto_pub").empty() ||
            FindProgram("mosquitto_sub").empty() || FindProgram("stdbuf").empty())
        {
            GTEST_SKIP() << "openssl or mosquitto-clients not installed (./ns3-mqtt test "
                            "installs them)";
        }
        m_pki = std::make_unique<TestPki>();
        ASSERT_TRUE(m_pki->Ok());
        ASSERT_TRUE(m_pki->MakeClient("alice"));
        ASSERT_TRUE(m_pki->MakeClient("mallory", true));
    }

    /** Our broker with a TLS listener requiring client certificates, plus @p extra options. */
    void
    StartBroker(std::vector<std::string> extra = {}, bool requireCertificate = true)
    {
        std::vector<std::string> args = {"--tls-listen",
                                         "127.0.0.1:0",
                                         "--cafile",
                                         m_pki->CaFile(),
                                         "--certfile",
                                         m_pki->ServerCert(),
                                         "--keyfile",
                                         m_pki->ServerKey()};
        if (requireCertificate)
        {
            args.push_back("--require-certificate");
        }
        args.insert(args.end(), extra.begin(), extra.end());
        ASSERT_TRUE(m_broker.Start(args)) << m_broker.Output();
        m_tlsPort = std::to_string(m_broker.PortOf("tls"));
        ASSERT_NE(m_tlsPort, "0") << m_broker.Output();
    }

    /** mosquitto_pub/sub options for TLS as @p cn (empty: no client certificate). */
    std::vector<std::string>
    TlsArgs(const std::string& cn, bool otherCa = false) const
    {
        std::vector<std::string> args = {
            "-h", "localhost", "-p", m_tlsPort, "--cafile", m_pki->CaFile()};
        if (!cn.empty())
        {
            args.insert(args.end(),
                        {"--cert",
                         m_pki->ClientCert(otherCa ? "mallory" : cn),
                         "--key",
                         m_pki->ClientKey(otherCa ? "mallory" : cn)});
        }
        return args;
    }

    /** mosquitto_sub (debug output, line-buffered), waiting for its SUBACK. */
    std::unique_ptr<ChildProcess>
    Subscribe(std::vector<std::string> args)
    {
        static int counter = 0;
        std::vector<std::string> argv = {
            "stdbuf", "-oL", FindProgram("mosquitto_sub"), "-d", "-v", "-W", "20"};
        argv.insert(argv.end(), args.begin(), args.end());
        auto sub = std::make_unique<ChildProcess>();
        EXPECT_TRUE(sub->Start(argv, m_pki->Dir().Path() + "/sub-" + std::to_string(++counter)));
        EXPECT_TRUE(sub->WaitForOutput("received SUBACK", 10000ms)) << sub->Output();
        return sub;
    }

    int
    Publish(std::vector<std::string> args, std::string& output)
    {
        std::vector<std::string> argv = {"mosquitto_pub", "-d"};
        argv.insert(argv.end(), args.begin(), args.end());
        return RunProgram(argv, output, 20000ms);
    }

    std::unique_ptr<TestPki> m_pki;
    BrokerProcess m_broker;
    std::string m_tlsPort;
};

template <typename... T>
std::vector<std::string>
Join(std::vector<std::string> a, const T&... more)
{
    (a.insert(a.end(), more.begin(), more.end()), ...);
    return a;
}

} // namespace

// [MQTT-4.3.1-1] [MQTT-4.3.2-2] [MQTT-4.3.3-2]: every QoS end to end over TLS, both clients with
// certificates signed by the broker's CA.
TEST_F(Tls, MosquittoClientsWithCertificatesEveryQos)
{
    StartBroker();
    for (int qos = 0; qos <= 2; ++qos)
    {
        SCOPED_TRACE("qos " + std::to_string(qos));
        const std::string q = std::to_string(qos);
        auto sub = Subscribe(Join(TlsArgs("alice"), std::vector<std::string>{
                                      "-t", "tls/q" + q, "-q", q, "-C", "1", "-i", "sub-" + q}));
        std::string pubOutput;
        EXPECT_EQ(Publish(Join(TlsArgs("alice"),
                               std::vector<std::string>{
                                   "-t", "tls/q" + q, "-q", q, "-m", "secret-" + q, "-i", "pub-" + q}),
                          pubOutput),
                  0)
            << pubOutput;
        EXPECT_EQ(sub->Wait(10000ms), 0) << sub->Output();
        EXPECT_NE(sub->Output().find("tls/q" + q + " secret-" + q), std::string::npos)
            << sub->Output();
        if (qos == 2)
        {
            EXPECT_NE(pubOutput.find("received PUBCOMP"), std::string::npos) << pubOutput;
        }
    }
    EXPECT_EQ(m_broker.CountInOutput(" connect client=pub-"), 3u) << m_broker.Output();
}

// A client without a certificate, and one whose certificate another CA signed, are refused in the
// handshake; the broker says why and goes on serving.
TEST_F(Tls, RefusesClientsWithoutOrWithForeignCertificates)
{
    StartBroker();
    std::string output;
    EXPECT_NE(Publish(Join(TlsArgs(""), std::vector<std::string>{"-t", "x", "-m", "1"}), output), 0)
        << output;
    EXPECT_TRUE(m_broker.WaitForOutput("peer did not return a certificate", 5000ms))
        << m_broker.Output();
    EXPECT_NE(Publish(Join(TlsArgs("alice", true), std::vector<std::string>{"-t", "x", "-m", "1"}),
                      output),
              0)
        << output;
    EXPECT_TRUE(m_broker.WaitForOutput("certificate verify failed", 5000ms)) << m_broker.Output();
    EXPECT_EQ(m_broker.CountInOutput(" connect client="), 0u) << m_broker.Output();
    EXPECT_TRUE(ProbeBroker(m_broker.Port(), "bystander").has_value());
}

// --use-identity-as-username: the certificate's CN is the user name for the ACL's %u pattern,
// whatever user name CONNECT carries.
TEST_F(Tls, IdentityAsUserNameFeedsTheAclPattern)
{
    ScratchDir dir;
    std::string acl = dir.Write("acl.txt", "pattern readwrite users/%u/#\n");
    StartBroker({"--use-identity-as-username", "--acl", acl});
    // Claims to be bob: the CN (alice) counts, so users/bob/# is denied and users/alice/# granted.
    // No short -W on the denied subscriber: under load its TLS handshake alone can take longer
    // than a second, and it would exit before its SUBACK (the flake seen once); it is killed
    // when the test ends.
    auto denied = Subscribe(Join(TlsArgs("alice"),
                                 std::vector<std::string>{"-u", "bob", "-t", "users/bob/#", "-q",
                                                          "1", "-C", "1"}));
    EXPECT_NE(denied->Output().find("Subscribed (mid: 1): 128"), std::string::npos)
        << denied->Output();
    auto sub = Subscribe(Join(TlsArgs("alice"),
                              std::vector<std::string>{
                                  "-u", "bob", "-t", "users/alice/#", "-q", "1", "-C", "1"}));
    EXPECT_NE(sub->Output().find("Subscribed (mid: 1): 1"), std::string::npos) << sub->Output();
    std::string output;
    EXPECT_EQ(Publish(Join(TlsArgs("alice"),
                           std::vector<std::string>{
                               "-u", "bob", "-t", "users/alice/x", "-q", "1", "-m", "allowed"}),
                      output),
              0)
        << output;
    EXPECT_EQ(sub->Wait(10000ms), 0) << sub->Output();
    EXPECT_NE(sub->Output().find("users/alice/x allowed"), std::string::npos) << sub->Output();
}

namespace
{
/** A POSIX client over TLS with @p options, connected to 127.0.0.1:@p port within 5 s. */
std::unique_ptr<MqttPosixClient>
TlsClient(uint16_t port, const MqttTlsOptions& options, const std::string& id, std::string& error)
{
    MqttClientConfig config;
    config.clientId = id;
    config.keepAliveSeconds = 30;
    config.autoReconnect = false;
    MqttPosixEndpoint endpoint;
    MqttPosixEndpoint::Parse("127.0.0.1:" + std::to_string(port), endpoint, error);
    auto client = std::make_unique<MqttPosixClient>(config, endpoint);
    auto context = MqttTlsContext::Create(MqttTlsContext::Role::Client, options, error);
    if (!context)
    {
        return nullptr;
    }
    client->SetTls(context);
    return client;
}

bool
ConnectWithin(MqttPosixClient& client, std::chrono::milliseconds timeout)
{
    client.Connect();
    return client.RunUntil([&client] { return client.State() == ClientState::Connected; },
                           timeout);
}
} // namespace

// --tls-version is the lowest version the broker accepts: with tlsv1.3 a client that speaks only
// TLS 1.2 is refused (protocol_version alert), one speaking 1.3 served.
TEST_F(Tls, VersionsOneTwoAndOneThree)
{
    StartBroker({"--tls-version", "tlsv1.3"});
    MqttTlsOptions options;
    options.caFile = m_pki->CaFile();
    options.certFile = m_pki->ClientCert("alice");
    options.keyFile = m_pki->ClientKey("alice");
    options.serverName = "localhost";
    std::string error;
    for (const auto& [version, served] :
         std::vector<std::pair<std::string, bool>>{{"tlsv1.3", true}, {"tlsv1.2", false}})
    {
        SCOPED_TRACE(version);
        options.version = version;
        auto client = TlsClient(m_broker.PortOf("tls"), options, "v-" + version, error);
        ASSERT_TRUE(client) << error;
        EXPECT_EQ(ConnectWithin(*client, 2000ms), served) << client->LastError();
    }
    EXPECT_TRUE(m_broker.WaitForOutput("unsupported protocol", 5000ms)) << m_broker.Output();
}

// ALPN as AWS IoT uses it on port 443: a client offering x-amzn-mqtt-ca is served, one offering
// only another protocol is refused (no_application_protocol).
TEST_F(Tls, AlpnSelectsAcceptedProtocolsOnly)
{
    StartBroker({"--alpn", "x-amzn-mqtt-ca,mqtt"});
    MqttTlsOptions options;
    options.caFile = m_pki->CaFile();
    options.certFile = m_pki->ClientCert("alice");
    options.keyFile = m_pki->ClientKey("alice");
    options.serverName = "localhost";
    options.alpn = {"x-amzn-mqtt-ca"};
    std::string error;
    auto good = TlsClient(m_broker.PortOf("tls"), options, "alpn-good", error);
    ASSERT_TRUE(good) << error;
    EXPECT_TRUE(ConnectWithin(*good, 5000ms)) << good->LastError();
    options.alpn = {"h2"};
    auto bad = TlsClient(m_broker.PortOf("tls"), options, "alpn-bad", error);
    ASSERT_TRUE(bad) << error;
    EXPECT_FALSE(ConnectWithin(*bad, 2000ms));
    EXPECT_NE(bad->LastError().find("no application protocol"), std::string::npos)
        << bad->LastError();
}

// A reconnecting POSIX client resumes its TLS session (a session ticket), in TLS 1.2 and 1.3.
TEST_F(Tls, PosixClientResumesItsSession)
{
    StartBroker();
    for (const char* version : {"tlsv1.2", "tlsv1.3"})
    {
        SCOPED_TRACE(version);
        MqttTlsOptions options;
        options.caFile = m_pki->CaFile();
        options.certFile = m_pki->ClientCert("alice");
        options.keyFile = m_pki->ClientKey("alice");
        options.serverName = "localhost";
        options.version = version;
        std::string error;
        auto client = TlsClient(m_broker.PortOf("tls"), options, "resumer", error);
        ASSERT_TRUE(client) << error;
        ASSERT_TRUE(ConnectWithin(*client, 5000ms)) << client->LastError();
        EXPECT_FALSE(client->TlsResumed());
        client->Subscribe({TopicRequest{"r/t", Qos::AtLeastOnce}}); // a round trip: tickets arrive
        client->RunUntil([] { return false; }, 200ms);
        client->Disconnect();
        client->RunUntil([&] { return client->State() == ClientState::Idle; }, 2000ms);
        ASSERT_TRUE(ConnectWithin(*client, 5000ms)) << client->LastError();
        EXPECT_TRUE(client->TlsResumed());
    }
}

// Our POSIX client against mosquitto's TLS listener (require_certificate): QoS 1 to itself.
TEST_F(Tls, PosixClientAgainstMosquittoTlsListener)
{
    if (FindProgram("mosquitto").empty())
    {
        GTEST_SKIP() << "mosquitto not installed";
    }
    uint16_t port = FreePort();
    std::string conf = m_pki->Dir().Write(
        "mosquitto.conf",
        "listener " + std::to_string(port) +
            " 127.0.0.1\nallow_anonymous true\npersistence false\nuser root\n"
        "cafile " + m_pki->CaFile() + "\ncertfile " + m_pki->ServerCert() + "\nkeyfile " +
            m_pki->ServerKey() + "\nrequire_certificate true\n");
    ChildProcess mosquitto;
    ASSERT_TRUE(mosquitto.Start({"mosquitto", "-c", conf, "-v"}, m_pki->Dir().Path() + "/mosq.log"));
    ASSERT_TRUE(mosquitto.WaitForOutput("Opening ipv4 listen socket", 5000ms)) << mosquitto.Output();
    MqttTlsOptions options;
    options.caFile = m_pki->CaFile();
    options.certFile = m_pki->ClientCert("alice");
    options.keyFile = m_pki->ClientKey("alice");
    options.serverName = "localhost";
    std::string error;
    auto client = TlsClient(port, options, "ours-over-tls", error);
    ASSERT_TRUE(client) << error;
    std::vector<std::string> received;
    client->SetEventCallback(
        [&received](const MqttEvent& event)
        {
            if (event.type == EventType::PublishReceived)
            {
                received.push_back(event.topic);
            }
        });
    bool connected = false;
    for (int attempt = 0; attempt < 20 && !connected; ++attempt)
    {
        connected = ConnectWithin(*client, 500ms); // mosquitto may still be starting
    }
    ASSERT_TRUE(connected) << client->LastError() << mosquitto.Output();
    client->Subscribe({TopicRequest{"mosq/tls", Qos::AtLeastOnce}});
    client->RunUntil([] { return false; }, 200ms);
    client->Publish("mosq/tls", {1, 2, 3}, Qos::AtLeastOnce, false);
    EXPECT_TRUE(client->RunUntil([&] { return received.size() == 1; }, 5000ms))
        << mosquitto.Output();
    // Without a client certificate mosquitto refuses the handshake.
    options.certFile.clear();
    options.keyFile.clear();
    auto anonymous = TlsClient(port, options, "no-cert", error);
    ASSERT_TRUE(anonymous) << error;
    EXPECT_FALSE(ConnectWithin(*anonymous, 2000ms));
}

// Unreadable or mismatched files: exit 2 with the option and the file named.
TEST_F(Tls, FileErrorsNameTheFile)
{
    struct Case
    {
        std::vector<std::string> args;
        std::string expected;
    };
    std::string missing = m_pki->Dir().Path() + "/missing.crt";
    std::string notPem = m_pki->Dir().Write("not-pem.crt", "hello\n");
    const std::vector<Case> cases = {
        {{"--certfile", missing, "--keyfile", m_pki->ServerKey()},
         "--certfile: certificate file " + missing + ": No such file or directory"},
        {{"--certfile", notPem, "--keyfile", m_pki->ServerKey()},
         "--certfile: certificate file " + notPem + ": not a PEM certificate chain"},
        {{"--certfile", m_pki->ServerCert(), "--keyfile", m_pki->ClientKey("alice")},
         "--keyfile: key file " + m_pki->ClientKey("alice") +
             " does not match the certificate in " + m_pki->ServerCert()},
        {{"--certfile", m_pki->ServerCert(), "--keyfile", m_pki->ServerKey(), "--cafile", notPem},
         "--cafile: CA file " + notPem + ": no PEM certificate in it"},
        {{"--certfile", m_pki->ServerCert()}, "--tls-listen and --wss-listen need --certfile and --keyfile"},
        {{"--certfile", m_pki->ServerCert(), "--keyfile", m_pki->ServerKey(), "--tls-version",
          "tlsv1.1"},
         "--tls-version: expected tlsv1.2 or tlsv1.3, got 'tlsv1.1'"},
        {{"--certfile", m_pki->ServerCert(), "--keyfile", m_pki->ServerKey(),
          "--use-identity-as-username"},
         "--use-identity-as-username needs --require-certificate"},
    };
    for (const Case& c : cases)
    {
        std::vector<std::string> argv = {MQTT_BROKER_BINARY, "--tls-listen", "127.0.0.1:0"};
        argv.insert(argv.end(), c.args.begin(), c.args.end());
        std::string output;
        EXPECT_EQ(RunProgram(argv, output), 2) << output;
        EXPECT_NE(output.find(c.expected), std::string::npos) << output;
    }
}

// Hostile TLS peers: garbage instead of a ClientHello, handshakes that stall past
// --handshake-timeout, and a flood of handshakes; a bystander is served within 1 s throughout.
TEST_F(Tls, HostilePeersLeaveOthersServed)
{
    StartBroker({"--handshake-timeout", "1"});
    uint16_t tlsPort = m_broker.PortOf("tls");
    MqttTlsOptions options;
    options.caFile = m_pki->CaFile();
    options.certFile = m_pki->ClientCert("alice");
    options.keyFile = m_pki->ClientKey("alice");
    options.serverName = "localhost";

    RawClient garbage;
    ASSERT_TRUE(garbage.Connect(tlsPort));
    ASSERT_TRUE(garbage.SendBytes(std::vector<uint8_t>(300, 0x47)));
    EXPECT_TRUE(garbage.WaitClosed(2000ms));
    EXPECT_TRUE(m_broker.WaitForOutput("TLS handshake", 2000ms)) << m_broker.Output();

    // 50 connections send half a TLS record header and stall.
    std::vector<std::unique_ptr<RawClient>> stalled;
    for (int i = 0; i < 50; ++i)
    {
        stalled.push_back(std::make_unique<RawClient>());
        ASSERT_TRUE(stalled.back()->Connect(tlsPort));
        ASSERT_TRUE(stalled.back()->SendBytes({0x16, 0x03}));
    }
    // 50 full handshakes from our client at once (each connects, then is dropped); each costs
    // the broker a few ms of CPU on a busy machine, so this stays well within the 1 s below.
    std::vector<std::unique_ptr<MqttPosixClient>> flood;
    std::string error;
    for (int i = 0; i < 50; ++i)
    {
        flood.push_back(TlsClient(tlsPort, options, "flood-" + std::to_string(i), error));
        ASSERT_TRUE(flood.back()) << error;
        flood.back()->Connect();
    }
    for (int round = 0; round < 20; ++round)
    {
        for (auto& client : flood)
        {
            client->RunOnce(0ms);
        }
    }
    auto probe = ProbeBroker(m_broker.Port(), "bystander", 1000ms);
    EXPECT_TRUE(probe.has_value());
    auto bystander = TlsClient(tlsPort, options, "tls-bystander", error);
    ASSERT_TRUE(bystander) << error;
    EXPECT_TRUE(ConnectWithin(*bystander, 1000ms)) << bystander->LastError();
    flood.clear();
    // The stalled handshakes are dropped after 1 s.
    for (auto& client : stalled)
    {
        EXPECT_TRUE(client->WaitClosed(3000ms));
    }
    EXPECT_TRUE(m_broker.WaitForOutput("handshake not done within 1000 ms", 1000ms));
    EXPECT_GE(m_broker.CountInOutput("handshake not done within 1000 ms"), 50u);
}

namespace
{
/** paho-mqtt over WebSocket (test/posix/mqtt-ws-paho.py); its exit status, output in @p out. */
int
Paho(std::vector<std::string> args, std::string& out)
{
    std::vector<std::string> argv = {"/usr/bin/python3",
                                     std::string(MQTT_TEST_SOURCE_DIR) +
                                         "/test/posix/mqtt-ws-paho.py"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProgram(argv, out, 20000ms);
}

bool
HavePaho()
{
    std::string out;
    return RunProgram({"/usr/bin/python3", "-c", "import paho.mqtt.client"}, out) == 0;
}
} // namespace

// paho-mqtt over WebSocket (--ws-listen) and over WebSocket over TLS (--wss-listen): QoS 0, 1
// and 2 to itself, with a payload that needs a 16-bit frame length, all back in order.
TEST_F(Tls, PahoOverWebSocketAndSecureWebSocket)
{
    if (!HavePaho())
    {
        GTEST_SKIP() << "python3-paho-mqtt not installed (./ns3-mqtt test installs it)";
    }
    StartBroker({"--ws-listen", "127.0.0.1:0", "--wss-listen", "127.0.0.1:0"}, false);
    for (int qos = 0; qos <= 2; ++qos)
    {
        SCOPED_TRACE("qos " + std::to_string(qos));
        std::string out;
        EXPECT_EQ(Paho({"--port", std::to_string(m_broker.PortOf("ws")), "--qos",
                        std::to_string(qos), "--count", "20", "--size", "300"},
                       out),
                  0)
            << out << m_broker.Output();
        EXPECT_NE(out.find("received 20 in order=True"), std::string::npos) << out;
        EXPECT_EQ(Paho({"--port", std::to_string(m_broker.PortOf("wss")), "--cafile",
                        m_pki->CaFile(), "--qos", std::to_string(qos), "--count", "20"},
                       out),
                  0)
            << out << m_broker.Output();
        EXPECT_NE(out.find("received 20 in order=True"), std::string::npos) << out;
    }
    EXPECT_TRUE(ProbeBroker(m_broker.Port(), "bystander").has_value());
}

namespace
{
/** A POSIX client over WebSocket (over TLS with @p tls) to 127.0.0.1:@p port. */
std::unique_ptr<MqttPosixClient>
WebSocketClient(uint16_t port, const std::string& id, std::shared_ptr<MqttTlsContext> tls = nullptr)
{
    MqttClientConfig config;
    config.clientId = id;
    config.keepAliveSeconds = 30;
    config.autoReconnect = false;
    MqttPosixEndpoint endpoint;
    std::string error;
    MqttPosixEndpoint::Parse("127.0.0.1:" + std::to_string(port), endpoint, error);
    auto client = std::make_unique<MqttPosixClient>(config, endpoint);
    if (tls)
    {
        client->SetTls(tls);
    }
    client->SetWebSocket({"127.0.0.1:" + std::to_string(port), "/mqtt"});
    return client;
}

/**
 * Subscribes @p client to @p topic and publishes to it at QoS 0, 1 and 2 a payload of 300 bytes
 * (a frame with a 16-bit length) and one of 70,000 (a 64-bit length): true if all six come back
 * whole within 5 s (in any order across QoS levels: mosquitto forwards a QoS 2 message when its
 * PUBREL arrives).
 */
bool
EchoEveryQos(MqttPosixClient& client, const std::string& topic)
{
    std::vector<std::vector<uint8_t>> received;
    client.SetEventCallback(
        [&received](const MqttEvent& event)
        {
            if (event.type == EventType::PublishReceived && event.message)
            {
                received.push_back(event.message->payload);
            }
        });
    client.Subscribe({TopicRequest{topic, Qos::ExactlyOnce}});
    client.RunUntil([] { return false; }, 200ms);
    std::vector<std::vector<uint8_t>> sent;
    for (std::size_t size : {300, 70000})
    {
        for (Qos qos : {Qos::AtMostOnce, Qos::AtLeastOnce, Qos::ExactlyOnce})
        {
            std::vector<uint8_t> payload(size);
            for (std::size_t i = 0; i < size; ++i)
            {
                payload[i] = static_cast<uint8_t>(i * 7 + sent.size());
            }
            sent.push_back(payload);
            client.Publish(topic, payload, qos, false);
        }
    }
    client.RunUntil([&] { return received.size() == sent.size(); }, 5000ms);
    client.SetEventCallback(nullptr);
    std::sort(received.begin(), received.end());
    std::sort(sent.begin(), sent.end());
    if (received != sent)
    {
        std::string sizes;
        for (const auto& r : received)
        {
            sizes += " " + std::to_string(r.size());
        }
        ADD_FAILURE() << "received" << sizes << " of 6; last error: " << client.LastError();
    }
    return received == sent;
}
} // namespace

// Our POSIX client over WebSocket (ws://, subprotocol mqtt, masked binary frames) and over
// WebSocket over TLS (wss://) against our broker's --ws-listen and --wss-listen: every QoS back
// [MQTT-6.0.0-3].
TEST_F(Tls, PosixClientOverWebSocketAndSecureWebSocket)
{
    StartBroker({"--ws-listen", "127.0.0.1:0", "--wss-listen", "127.0.0.1:0"}, false);
    auto ws = WebSocketClient(m_broker.PortOf("ws"), "ours-over-ws");
    ASSERT_TRUE(ConnectWithin(*ws, 5000ms)) << ws->LastError() << m_broker.Output();
    EXPECT_TRUE(EchoEveryQos(*ws, "ws/echo")) << m_broker.Output();
    MqttTlsOptions options;
    options.caFile = m_pki->CaFile();
    options.serverName = "localhost";
    std::string error;
    auto context = MqttTlsContext::Create(MqttTlsContext::Role::Client, options, error);
    ASSERT_TRUE(context) << error;
    auto wss = WebSocketClient(m_broker.PortOf("wss"), "ours-over-wss", context);
    ASSERT_TRUE(ConnectWithin(*wss, 5000ms)) << wss->LastError() << m_broker.Output();
    EXPECT_TRUE(EchoEveryQos(*wss, "wss/echo")) << m_broker.Output();
    // A WebSocket client at a plain MQTT listener gets no 101: the connection fails.
    auto wrong = WebSocketClient(m_broker.Port(), "ws-at-plain");
    EXPECT_FALSE(ConnectWithin(*wrong, 1000ms));
}

// Our POSIX client against mosquitto's websockets listener (libwebsockets): every QoS back.
TEST_F(Tls, PosixClientAgainstMosquittoWebSocketListener)
{
    if (FindProgram("mosquitto").empty())
    {
        GTEST_SKIP() << "mosquitto not installed";
    }
    uint16_t port = FreePort();
    uint16_t wsPort = FreePort();
    // mosquitto 2.0.11 refuses to start with a websockets listener alone: a TCP one beside it.
    std::string conf = m_pki->Dir().Write(
        "mosquitto-ws.conf",
        "listener " + std::to_string(port) +
            " 127.0.0.1\nallow_anonymous true\npersistence false\nuser root\n"
            "listener " + std::to_string(wsPort) + " 127.0.0.1\nprotocol websockets\n");
    ChildProcess mosquitto;
    ASSERT_TRUE(mosquitto.Start({"mosquitto", "-c", conf, "-v"}, m_pki->Dir().Path() + "/mosq-ws.log"));
    ASSERT_TRUE(mosquitto.WaitForOutput("Opening websockets listen socket", 5000ms))
        << mosquitto.Output();
    auto client = WebSocketClient(wsPort, "ours-over-ws");
    bool connected = false;
    for (int attempt = 0; attempt < 20 && !connected; ++attempt)
    {
        connected = ConnectWithin(*client, 500ms); // mosquitto may still be starting
    }
    ASSERT_TRUE(connected) << client->LastError() << mosquitto.Output();
    EXPECT_TRUE(EchoEveryQos(*client, "mosq/ws")) << mosquitto.Output();
}
