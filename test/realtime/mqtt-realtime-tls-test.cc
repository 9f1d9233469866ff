/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Hardware in the loop over TLS, through the same TLS layer as the standalone broker and the
 * POSIX client: a real board (mosquitto_pub/sub with client certificates) on a simulated broker's
 * real TLS port, and simulated devices on a real TLS broker (our standalone broker).
 */
#include "mqtt-broker-helper.h"
#include "mqtt-broker.h"
#include "mqtt-client-helper.h"
#include "mqtt-client.h"
#include "mqtt-posix-test-util.h"
#include "mqtt-realtime-helper.h"
#include "mqtt-realtime-test-devices.h"

#include "ns3/global-value.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/node-container.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

using namespace ns3;
using namespace ns3::mqtt;
using namespace ns3::mqtt::test;

namespace
{

class RealtimeTls : public ::testing::Test
{
  protected:
    void
    SetUp() override
    {
        if (FindProgram("openssl").empty() || FindProgram("mosquitto_pub").empty() ||
            FindProgram("mosquitto_sub").empty())
        {
            GTEST_SKIP() << "openssl or mosquitto-clients not installed (./ns3-mqtt test "
                            "installs them)";
        }
        ASSERT_TRUE(m_pki.Ok());
        ASSERT_TRUE(m_pki.MakeClient("board"));
        MqttRealtimeHelper::EnableRealtime();
    }

    void
    TearDown() override
    {
        Simulator::Destroy();
        GlobalValue::Bind("SimulatorImplementationType", StringValue("ns3::DefaultSimulatorImpl"));
    }

    std::shared_ptr<MqttTlsContext>
    Context(MqttTlsContext::Role role)
    {
        MqttTlsOptions options;
        options.caFile = m_pki.CaFile();
        options.certFile =
            role == MqttTlsContext::Role::Server ? m_pki.ServerCert() : m_pki.ClientCert("board");
        options.keyFile =
            role == MqttTlsContext::Role::Server ? m_pki.ServerKey() : m_pki.ClientKey("board");
        options.requireCertificate = role == MqttTlsContext::Role::Server;
        options.serverName = "localhost";
        std::string error;
        auto context = MqttTlsContext::Create(role, options, error);
        EXPECT_TRUE(context) << error;
        return context;
    }

    TestPki m_pki;
};

} // namespace

// A real board with a client certificate publishes QoS 1 to a simulated broker's real TLS port
// and a real subscriber (also TLS) gets it; a board without a certificate is refused.
TEST_F(RealtimeTls, RealBoardsReachTheSimulatedBrokerOverTls)
{
    Ptr<Node> node = CreateObject<Node>();
    InternetStackHelper().Install(node);
    ApplicationContainer apps = MqttBrokerHelper().Install(node);
    MqttPosixEndpoint real = MqttRealtimeHelper::ListenReal(
        DynamicCast<MqttBroker>(apps.Get(0)), "127.0.0.1:0", Context(MqttTlsContext::Role::Server));
    const std::string port = std::to_string(real.Port());
    std::vector<std::string> tls = {"-h", "localhost", "-p", port, "--cafile", m_pki.CaFile(),
                                    "--cert", m_pki.ClientCert("board"), "--key",
                                    m_pki.ClientKey("board")};
    std::string subOutput;
    std::string pubOutput;
    std::string anonymousOutput;
    int subStatus = -2;
    int pubStatus = -2;
    int anonymousStatus = -2;
    std::thread boards(
        [&]
        {
            ChildProcess sub;
            std::vector<std::string> argv = {"stdbuf", "-oL", FindProgram("mosquitto_sub"), "-d",
                                             "-v", "-t", "board/#", "-q", "1", "-C", "1", "-W",
                                             "15"};
            argv.insert(argv.end(), tls.begin(), tls.end());
            sub.Start(argv, m_pki.Dir().Path() + "/sub.out");
            sub.WaitForOutput("received SUBACK", 10000ms);
            std::vector<std::string> pub = {"mosquitto_pub", "-t", "board/temp", "-q", "1", "-m",
                                            "21.5"};
            pub.insert(pub.end(), tls.begin(), tls.end());
            pubStatus = RunProgram(pub, pubOutput, 10000ms);
            subStatus = sub.Wait(10000ms);
            subOutput = sub.Output();
            anonymousStatus = RunProgram({"mosquitto_pub", "-h", "localhost", "-p", port,
                                          "--cafile", m_pki.CaFile(), "-t", "board/x", "-m", "1"},
                                         anonymousOutput,
                                         10000ms);
            Simulator::ScheduleWithContext(Simulator::NO_CONTEXT, Seconds(0), &Simulator::Stop);
        });
    Simulator::Stop(Seconds(40));
    Simulator::Run();
    boards.join();
    EXPECT_EQ(pubStatus, 0) << pubOutput;
    EXPECT_EQ(subStatus, 0) << subOutput;
    EXPECT_NE(subOutput.find("board/temp 21.5"), std::string::npos) << subOutput;
    EXPECT_NE(anonymousStatus, 0) << anonymousOutput;
}

// Simulated devices reach a real TLS broker (our standalone broker, client certificates
// required): 20 QoS 1 messages from a simulated publisher to a simulated subscriber.
TEST_F(RealtimeTls, SimulatedDevicesReachARealTlsBroker)
{
    BrokerProcess broker;
    ASSERT_TRUE(broker.Start({"--quiet", "--tls-listen", "127.0.0.1:0", "--cafile",
                              m_pki.CaFile(), "--certfile", m_pki.ServerCert(), "--keyfile",
                              m_pki.ServerKey(), "--require-certificate"}))
        << broker.Output();
    std::string endpoint = "127.0.0.1:" + std::to_string(broker.PortOf("tls"));
    auto [publisher, subscriber] =
        SimulatedPair("sim-tls", "hil/tls", endpoint, Context(MqttTlsContext::Role::Client));
    RunSimulationUntil([&, s = subscriber] { return s->GetMessagesReceived() >= 20; },
                       Seconds(20));
    EXPECT_EQ(publisher->GetPublishesCompleted(), 20u);
    EXPECT_EQ(subscriber->GetMessagesReceived(), 20u);
    EXPECT_EQ(subscriber->GetDuplicatesReceived(), 0u);
}

// Simulated devices reach a real broker over WebSocket and over WebSocket over TLS (our
// standalone broker's --ws-listen and --wss-listen), through the bridge with the client side of
// the same WebSocket layer as the POSIX client: 20 QoS 1 messages.
namespace
{
void
DevicesOverWebSocket(const TestPki& pki, std::shared_ptr<MqttTlsContext> tls)
{
    BrokerProcess broker;
    ASSERT_TRUE(broker.Start({"--quiet", "--ws-listen", "127.0.0.1:0", "--wss-listen",
                              "127.0.0.1:0", "--cafile", pki.CaFile(), "--certfile",
                              pki.ServerCert(), "--keyfile", pki.ServerKey()}))
        << broker.Output();
    std::string endpoint = "127.0.0.1:" + std::to_string(broker.PortOf(tls ? "wss" : "ws"));
    MqttClientStreamOptions streams(tls, MqttWebSocketClientOptions{endpoint, "/mqtt"});
    auto [publisher, subscriber] =
        SimulatedPair(tls ? "sim-wss" : "sim-ws", "hil/ws", endpoint, streams);
    RunSimulationUntil([&, s = subscriber] { return s->GetMessagesReceived() >= 20; },
                       Seconds(20));
    EXPECT_EQ(publisher->GetPublishesCompleted(), 20u);
    EXPECT_EQ(subscriber->GetMessagesReceived(), 20u);
    EXPECT_EQ(subscriber->GetDuplicatesReceived(), 0u);
}
} // namespace

TEST_F(RealtimeTls, SimulatedDevicesReachARealBrokerOverWebSocket)
{
    DevicesOverWebSocket(m_pki, nullptr);
}

TEST_F(RealtimeTls, SimulatedDevicesReachARealBrokerOverSecureWebSocket)
{
    DevicesOverWebSocket(m_pki, Context(MqttTlsContext::Role::Client));
}
