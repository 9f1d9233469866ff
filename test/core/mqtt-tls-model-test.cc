/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The TLS model's sizes: flights of full and resumed handshakes, TLS 1.2 and 1.3, for a given
 * certificate chain (the figures are what OpenSSL 3 put on the wire for the same chain and
 * offer, seen with ./ns3-mqtt bench tls), record overhead and round trips.
 */
#include "mqtt-tls-test-profiles.h"
#include "mqtt-tls-model.h"

#include <gtest/gtest.h>

using namespace ns3::mqtt;

namespace
{

using tlstest::Broker;
using tlstest::Device;

std::vector<std::size_t>
Sizes(const MqttTlsFlight& flight)
{
    std::vector<std::size_t> sizes;
    for (const auto& record : flight.records)
    {
        sizes.push_back(record.bytes);
    }
    return sizes;
}

TEST(TlsModel, Tls12FullHandshakeFlights)
{
    auto h = MqttTlsHandshakeFlights(Device(TlsVersion::Tls12), Broker(), false);
    ASSERT_EQ(h.flights.size(), 4U);
    EXPECT_EQ(Sizes(h.flights[0]), (std::vector<std::size_t>{117}));
    EXPECT_EQ(Sizes(h.flights[1]), (std::vector<std::size_t>{70, 305, 153, 17, 9}));
    EXPECT_EQ(Sizes(h.flights[2]), (std::vector<std::size_t>{306, 75, 84, 6, 45}));
    EXPECT_EQ(Sizes(h.flights[3]), (std::vector<std::size_t>{479, 6, 45}));
    EXPECT_EQ(h.ClientBytes(), 633U);
    EXPECT_EQ(h.ServerBytes(), 1084U);
    EXPECT_EQ(h.ClientRoundTrips(), 2U);
}

TEST(TlsModel, Tls12ResumedHandshakeFlights)
{
    auto h = MqttTlsHandshakeFlights(Device(TlsVersion::Tls12), Broker(), true);
    ASSERT_EQ(h.flights.size(), 3U);
    EXPECT_TRUE(h.resumed);
    EXPECT_EQ(Sizes(h.flights[0]), (std::vector<std::size_t>{613}));
    EXPECT_EQ(Sizes(h.flights[1]), (std::vector<std::size_t>{90, 6, 45}));
    EXPECT_EQ(Sizes(h.flights[2]), (std::vector<std::size_t>{6, 45}));
    EXPECT_EQ(h.ClientRoundTrips(), 1U);
}

TEST(TlsModel, Tls13FullHandshakeFlights)
{
    auto h = MqttTlsHandshakeFlights(Device(TlsVersion::Tls13), Broker(), false);
    ASSERT_EQ(h.flights.size(), 4U);
    EXPECT_EQ(Sizes(h.flights[0]), (std::vector<std::size_t>{237}));
    EXPECT_EQ(Sizes(h.flights[1]), (std::vector<std::size_t>{160, 6, 28, 37, 325, 101, 58}));
    EXPECT_EQ(Sizes(h.flights[2]), (std::vector<std::size_t>{6, 326, 101, 58}));
    EXPECT_EQ(Sizes(h.flights[3]), (std::vector<std::size_t>{527}));
    EXPECT_EQ(h.ClientBytes(), 728U);
    EXPECT_EQ(h.ServerBytes(), 1242U);
    EXPECT_EQ(h.ClientRoundTrips(), 1U);
}

TEST(TlsModel, Tls13ResumedHandshakeFlights)
{
    auto h = MqttTlsHandshakeFlights(Device(TlsVersion::Tls13), Broker(), true);
    EXPECT_EQ(Sizes(h.flights[0]), (std::vector<std::size_t>{764}));
    EXPECT_EQ(Sizes(h.flights[1]), (std::vector<std::size_t>{166, 6, 28, 58}));
    EXPECT_EQ(Sizes(h.flights[2]), (std::vector<std::size_t>{6, 58}));
    EXPECT_EQ(h.ClientBytes(), 828U);
    EXPECT_EQ(h.ServerBytes(), 785U);
    EXPECT_EQ(h.ClientRoundTrips(), 1U);
}

TEST(TlsModel, ResumptionNeedsBothEnds)
{
    auto client = Device(TlsVersion::Tls13);
    auto server = Broker();
    server.resumption = false;
    auto h = MqttTlsHandshakeFlights(client, server, true);
    EXPECT_FALSE(h.resumed);
    EXPECT_EQ(h.flights.size(), 3U); // no NewSessionTicket flight
}

TEST(TlsModel, RsaChainAndSignaturesGrowTheFlights)
{
    auto client = Device(TlsVersion::Tls12);
    client.certificateChain = {687};
    client.key = TlsKeyType::Rsa2048;
    client.offeredSignatureAlgorithms = 2;
    auto server = Broker();
    server.certificateChain = {687};
    server.key = TlsKeyType::Rsa2048;
    auto h = MqttTlsHandshakeFlights(client, server, false);
    // OpenSSL 3 with RSA 2048 certificates: 119 702 338 19 9 | 702 75 269 6 45 | (ticket) 6 45
    EXPECT_EQ(Sizes(h.flights[1]), (std::vector<std::size_t>{70, 702, 338, 19, 9}));
    EXPECT_EQ(Sizes(h.flights[2]), (std::vector<std::size_t>{702, 75, 269, 6, 45}));
}

TEST(TlsModel, RecordOverhead)
{
    EXPECT_EQ(MqttTlsRecordBytes(TlsVersion::Tls12, TlsCipher::Aes128Gcm, 64), 93U);
    EXPECT_EQ(MqttTlsRecordBytes(TlsVersion::Tls12, TlsCipher::Aes128Gcm, 1024), 1053U);
    EXPECT_EQ(MqttTlsRecordBytes(TlsVersion::Tls13, TlsCipher::Aes128Gcm, 64), 86U);
    EXPECT_EQ(MqttTlsRecordBytes(TlsVersion::Tls13, TlsCipher::Aes128Gcm, 1024), 1046U);
    // ChaCha20-Poly1305 has no explicit nonce in TLS 1.2 (RFC 7905).
    EXPECT_EQ(MqttTlsRecordOverhead(TlsVersion::Tls12, TlsCipher::Chacha20Poly1305), 21U);
    // A write larger than one record is split: two headers, two tags.
    EXPECT_EQ(MqttTlsRecordBytes(TlsVersion::Tls13, TlsCipher::Aes128Gcm, 20000), 20044U);
    EXPECT_EQ(MqttTlsCloseNotifyBytes(TlsVersion::Tls13, TlsCipher::Aes128Gcm), 24U);
}

TEST(TlsModel, NamesAsScenariosWriteThem)
{
    EXPECT_EQ(ParseTlsVersion("1.2"), TlsVersion::Tls12);
    EXPECT_FALSE(ParseTlsVersion("1.1"));
    EXPECT_EQ(ParseTlsCipher("chacha20-poly1305"), TlsCipher::Chacha20Poly1305);
    EXPECT_EQ(ParseTlsKeyType("rsa-2048"), TlsKeyType::Rsa2048);
    EXPECT_EQ(ParseTlsGroup("x25519"), TlsGroup::X25519);
    EXPECT_FALSE(ParseTlsGroup("p-384"));
}

} // namespace

#include "mqtt-tls-cpu.h"

namespace
{

TEST(TlsCpu, OperationsPerHandshake)
{
    auto client = Device(TlsVersion::Tls12);
    auto server = Broker();
    server.certificateChain = {600, 500}; // a leaf and an intermediate
    auto full = MqttTlsClientCpuOps(MqttTlsHandshakeFlights(client, server, false), client, server);
    EXPECT_EQ(full, (MqttTlsCpuOps{1, 1, 1, 3}));
    auto resumed12 =
        MqttTlsClientCpuOps(MqttTlsHandshakeFlights(client, server, true), client, server);
    EXPECT_EQ(resumed12, (MqttTlsCpuOps{0, 0, 0, 0}));
    client.version = TlsVersion::Tls13;
    auto resumed13 =
        MqttTlsClientCpuOps(MqttTlsHandshakeFlights(client, server, true), client, server);
    EXPECT_EQ(resumed13, (MqttTlsCpuOps{1, 1, 0, 0}));
    client.certificateChain.clear();
    auto anonymous =
        MqttTlsClientCpuOps(MqttTlsHandshakeFlights(client, server, false), client, server);
    EXPECT_EQ(anonymous.sign, 0U);
}

TEST(TlsCpu, TimeIsTheSumOfTheOperations)
{
    // p256-m on a Cortex-M4 at 100 MHz (tls/cortex-m4-100mhz.yaml): 145, 144, 155, 309 ms.
    using std::chrono::milliseconds;
    MqttTlsCpuCosts costs{milliseconds(145), milliseconds(144), milliseconds(155),
                          milliseconds(309)};
    EXPECT_EQ(MqttTlsCpuTime(MqttTlsCpuOps{1, 1, 1, 2}, costs), milliseconds(1062));
}

} // namespace
