/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * tls: of device groups and of the broker in scenarios (doc/scenarios.md, doc/tls-sim.md): the
 * profiles they give, the CPU figures file a group names, and errors naming file, line and
 * field.
 */
#include "mqtt-scenario-loader.h"
#include "mqtt-tls-cpu.h"

#include <gtest/gtest.h>

using namespace ns3::mqtt;

namespace
{

/** A scenario whose device group has @p deviceTls (line 6) and broker @p brokerTls (line 8). */
std::string
WithTls(const std::string& deviceTls, const std::string& brokerTls)
{
    return "duration: 10s\n"                                                  // 1
           "topology: {generator: star, nodes: 3, link: l}\n"                 // 2
           "links:\n"                                                         // 3
           "  l: {type: p2p, rate: 10Mbps, delay: 1ms}\n"                     // 4
           "devices:\n"                                                       // 5
           "  d: {count: 2, attach: leaves, interval: 1s, tls: " + deviceTls + "}\n" // 6
           "broker:\n"                                                        // 7
           "  tls: " + brokerTls + "\n";                                      // 8
}

MqttScenarioLoadResult
Load(const std::string& text)
{
    return MqttScenarioLoader::LoadText(text, "s.yaml", MQTT_TEST_SOURCE_DIR, {});
}

std::string
Errors(const MqttScenarioLoadResult& r)
{
    std::string all;
    for (const std::string& e : r.errors)
    {
        all += e + "\n";
    }
    return all;
}

TEST(ScenarioTls, ProfilesAndCpuFigures)
{
    auto r = Load(WithTls("{version: \"1.2\", resumption: true, certificate-chain-bytes: [550, "
                          "900], server-name: broker.example.com, alpn: [x-amzn-mqtt-ca], "
                          "cipher: chacha20-poly1305, cpu: cortex-m4-100mhz}",
                          "{certificate-chain-bytes: [1000, 900], tickets: 2}"));
    ASSERT_TRUE(r.scenario) << Errors(r);
    const auto& group = r.scenario->groups.front();
    ASSERT_TRUE(group.tls);
    const MqttTlsClientProfile& c = group.tls->client;
    EXPECT_EQ(c.version, TlsVersion::Tls12);
    EXPECT_TRUE(c.resumption);
    EXPECT_EQ(c.certificateChain, (std::vector<std::size_t>{550, 900}));
    EXPECT_EQ(c.serverNameBytes, 18U);
    EXPECT_EQ(c.alpn, (std::vector<std::string>{"x-amzn-mqtt-ca"}));
    EXPECT_EQ(c.cipher, TlsCipher::Chacha20Poly1305);
    ASSERT_TRUE(group.tls->cpuCosts);
    EXPECT_EQ(group.tls->cpuCosts->verify, std::chrono::milliseconds(309));
    EXPECT_EQ(group.tls->cpuCosts->keygen, std::chrono::milliseconds(145));
    ASSERT_TRUE(r.scenario->broker.tls);
    const MqttTlsServerProfile& s = r.scenario->broker.tls->server;
    EXPECT_EQ(s.certificateChain, (std::vector<std::size_t>{1000, 900}));
    EXPECT_EQ(s.tickets, 2U);
    EXPECT_TRUE(s.requestClientCertificate);
}

TEST(ScenarioTls, OffIsPlain)
{
    auto r = Load(WithTls("off", "off"));
    ASSERT_TRUE(r.scenario) << Errors(r);
    EXPECT_FALSE(r.scenario->groups.front().tls);
    EXPECT_FALSE(r.scenario->broker.tls);
}

TEST(ScenarioTls, ErrorsNameFileLineAndField)
{
    auto r = Load(WithTls("{version: \"1.1\"}", "{}"));
    EXPECT_FALSE(r.scenario);
    EXPECT_NE(Errors(r).find("s.yaml:6: devices.d.tls.version: expected \"1.2\" or \"1.3\", got 1.1"),
              std::string::npos)
        << Errors(r);
    r = Load(WithTls("{version: \"1.3\"}", "{certificate-chain-bytes: [0]}"));
    EXPECT_NE(Errors(r).find("s.yaml:8: broker.tls.certificate-chain-bytes: expected"),
              std::string::npos)
        << Errors(r);
    r = Load(WithTls("{version: \"1.3\", cpu: pentium}", "{}"));
    EXPECT_NE(Errors(r).find("devices.d.tls.cpu: " + std::string(MQTT_TEST_SOURCE_DIR) +
                             "/tls/pentium.yaml: cannot open"),
              std::string::npos)
        << Errors(r);
    r = Load(WithTls("{version: \"1.3\", key: rsa-2048, cpu: cortex-m4-100mhz}", "{}"));
    EXPECT_NE(Errors(r).find("devices.d.tls.cpu: CPU figures are for ECDSA P-256"),
              std::string::npos)
        << Errors(r);
    r = Load(WithTls("{version: \"1.3\"}", "off"));
    EXPECT_NE(Errors(r).find("devices.d.tls: the broker has no tls:"), std::string::npos)
        << Errors(r);
}

} // namespace
