/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Simulated TLS over ns-3 TCP (doc/tls-sim.md): on a lossless point-to-point link with a 10 ms
 * one-way delay (20 ms round trip) and a fast rate, TLS 1.2 adds two round trips before CONNECT
 * and TLS 1.3 one; the handshake's bytes are the model's; a reconnection resumes with the ticket
 * of the first connection (one round trip for TLS 1.2); the broker's service model charges
 * `tls-handshake` once per handshake; and the connection still works under loss.
 */
#include "../core/mqtt-tls-test-profiles.h"
#include "mqtt-sim-fixture.h"

#include "mqtt-tls-model.h"

#include "ns3/integer.h"
#include "ns3/ipv4-address-generator.h"

namespace mqtt_sim
{
namespace
{

using ns3::mqtt::tlstest::Broker;
using ns3::mqtt::tlstest::Device;

struct Outcome
{
    std::vector<Time> connected;
    std::vector<MqttTlsHandshakeInfo> clientHandshakes;
    std::vector<MqttTlsHandshakeInfo> brokerHandshakes;
    std::vector<MqttConnectionSetUpInfo> setups;
    uint64_t received = 0;
};

/**
 * One device connecting at 1 s over a 1 Gb/s link with 10 ms delay (and @p loss), publishing
 * 10 QoS 1 messages to itself; at 5 s its application restarts (a reboot keeping its ticket).
 */
Outcome
Connect(std::optional<TlsVersion> version,
        double loss = 0,
        const std::string& handshakeCost = "",
        bool reconnect = false)
{
    Star star(1, "1Gbps", "10ms");
    if (loss > 0)
    {
        star.SetLoss(0, loss);
    }
    MqttBrokerHelper brokerHelper;
    if (!handshakeCost.empty())
    {
        brokerHelper.SetAttribute("ServiceCores", IntegerValue(1));
        brokerHelper.SetAttribute("ServiceCostTlsHandshake", StringValue(handshakeCost));
    }
    Ptr<MqttBroker> broker = star.InstallBroker(brokerHelper);
    MqttClientHelper helper;
    helper.SetAttribute("ClientId", StringValue("device"));
    helper.SetAttribute("Subscriptions", StringValue("t/#:1"));
    helper.SetAttribute("Topic", StringValue("t/x"));
    helper.SetAttribute("Qos", UintegerValue(1));
    helper.SetAttribute("MaxMessages", UintegerValue(10));
    Ptr<MqttClient> client = star.InstallClient(0, helper, 1.0);
    Outcome run;
    if (version)
    {
        broker->SetTls(Broker());
        client->SetTls(Device(*version));
    }
    client->TraceConnectWithoutContext(
        "Connected",
        Callback<void, bool>([&run](bool) { run.connected.push_back(Simulator::Now()); }));
    client->TraceConnectWithoutContext(
        "TlsHandshake",
        Callback<void, const MqttTlsHandshakeInfo&>([&run](const MqttTlsHandshakeInfo& info)
                                                    { run.clientHandshakes.push_back(info); }));
    client->TraceConnectWithoutContext(
        "ConnectionSetUp",
        Callback<void, const MqttConnectionSetUpInfo&>(
            [&run](const MqttConnectionSetUpInfo& info) { run.setups.push_back(info); }));
    broker->TraceConnectWithoutContext(
        "TlsHandshake",
        Callback<void, const MqttTlsHandshakeInfo&>([&run](const MqttTlsHandshakeInfo& info)
                                                    { run.brokerHandshakes.push_back(info); }));
    client->TraceConnectWithoutContext(
        "PublishReceived",
        Callback<void, const MqttEvent&, const MqttPayloadStamp&, Time, bool>(
            [&run](const MqttEvent&, const MqttPayloadStamp&, Time, bool) { ++run.received; }));
    if (reconnect)
    {
        Simulator::Schedule(Seconds(5), &MqttClient::StopApplication, client);
        Simulator::Schedule(Seconds(6), &MqttClient::StartApplication, client);
    }
    Simulator::Stop(Seconds(loss > 0 ? 60 : 15));
    Simulator::Run();
    // Several runs in one test: a fresh simulator and address space for the next.
    Simulator::Destroy();
    Ipv4AddressGenerator::Reset();
    return run;
}

/** Time from the start (1 s) to CONNACK, in round trips of 20 ms. */
double
RoundTrips(Time connected, Time start = Seconds(1))
{
    return (connected - start).GetSeconds() / 0.020;
}

class TlsSim : public SimTest
{
};

TEST_F(TlsSim, Tls12AddsTwoRoundTripsAndTls13One)
{
    Outcome plain = Connect(std::nullopt);
    Outcome tls12 = Connect(TlsVersion::Tls12);
    Outcome tls13 = Connect(TlsVersion::Tls13);
    ASSERT_FALSE(plain.connected.empty());
    ASSERT_FALSE(tls12.connected.empty());
    ASSERT_FALSE(tls13.connected.empty());
    // TCP's handshake and CONNECT/CONNACK: 2 round trips; serialisation at 1 Gb/s adds < 0.1 ms.
    EXPECT_NEAR(RoundTrips(plain.connected[0]), 2.0, 0.01);
    EXPECT_NEAR(RoundTrips(tls12.connected[0]), 4.0, 0.01);
    EXPECT_NEAR(RoundTrips(tls13.connected[0]), 3.0, 0.01);
    EXPECT_EQ(plain.received, 10U);
    EXPECT_EQ(tls12.received, 10U);
    EXPECT_EQ(tls13.received, 10U);
}

TEST_F(TlsSim, HandshakeBytesAreTheModels)
{
    for (TlsVersion version : {TlsVersion::Tls12, TlsVersion::Tls13})
    {
        Outcome run = Connect(version);
        auto model = MqttTlsHandshakeFlights(Device(version), Broker(), false);
        ASSERT_EQ(run.clientHandshakes.size(), 1U);
        ASSERT_EQ(run.brokerHandshakes.size(), 1U);
        const MqttTlsHandshakeInfo& client = run.clientHandshakes[0];
        EXPECT_EQ(client.bytesSent, model.ClientBytes());
        EXPECT_EQ(client.bytesReceived, model.ServerBytes());
        EXPECT_EQ(run.brokerHandshakes[0].bytesSent, model.ServerBytes());
        EXPECT_FALSE(client.resumed);
        // Open after 2 (1.2) or 1 (1.3) round trips from the TCP connection.
        EXPECT_NEAR((client.open - client.start).GetSeconds() / 0.020,
                    version == TlsVersion::Tls12 ? 2.0 : 1.0,
                    0.01);
        EXPECT_GT(client.ticketBytes, 0U);
    }
}

TEST_F(TlsSim, ConnectionSetUpIsRecordedWithAndWithoutTls)
{
    // CONNECT of client id "device": 2 + 10 + 2 + 6 = 20 bytes; CONNACK 4. In records: + 29
    // each in TLS 1.2 (AES-128-GCM), + 22 in TLS 1.3. TLS 1.3's ticket arrives before CONNACK.
    struct Case
    {
        std::optional<TlsVersion> version;
        double handshakeTrips;
        uint64_t sent;
        uint64_t received;
    };
    auto flights = [](TlsVersion v) { return MqttTlsHandshakeFlights(Device(v), Broker(), false); };
    const auto f12 = flights(TlsVersion::Tls12);
    const auto f13 = flights(TlsVersion::Tls13);
    for (const Case& c : {Case{std::nullopt, 0, 20, 4},
                          Case{TlsVersion::Tls12, 2, f12.ClientBytes() + 49, f12.ServerBytes() + 33},
                          Case{TlsVersion::Tls13, 1, f13.ClientBytes() + 42, f13.ServerBytes() + 26}})
    {
        Outcome run = Connect(c.version);
        ASSERT_EQ(run.setups.size(), 1U);
        const MqttConnectionSetUpInfo& s = run.setups[0];
        EXPECT_EQ(s.tls, c.version.has_value());
        EXPECT_FALSE(s.resumed);
        EXPECT_EQ(s.start, Seconds(1));
        EXPECT_EQ(s.connack, run.connected[0]);
        EXPECT_NEAR(RoundTrips(s.connected, s.start), 1.0, 0.01);
        EXPECT_NEAR(RoundTrips(s.open, s.connected), c.handshakeTrips, 0.01);
        EXPECT_NEAR(RoundTrips(s.connack, s.open), 1.0, 0.01);
        EXPECT_EQ(s.bytesSent, c.sent);
        EXPECT_EQ(s.bytesReceived, c.received);
    }
}

TEST_F(TlsSim, ReconnectionResumesWithTheTicket)
{
    Outcome run = Connect(TlsVersion::Tls12, 0, "", true);
    ASSERT_EQ(run.clientHandshakes.size(), 2U);
    ASSERT_EQ(run.connected.size(), 2U);
    EXPECT_FALSE(run.clientHandshakes[0].resumed);
    EXPECT_TRUE(run.clientHandshakes[1].resumed);
    auto resumed = MqttTlsHandshakeFlights(Device(TlsVersion::Tls12), Broker(), true);
    EXPECT_EQ(run.clientHandshakes[1].bytesSent, resumed.ClientBytes());
    EXPECT_EQ(run.clientHandshakes[1].bytesReceived, resumed.ServerBytes());
    // A resumed TLS 1.2 handshake takes one round trip: 3 in all from the restart at 6 s.
    EXPECT_NEAR(RoundTrips(run.connected[1], Seconds(6)), 3.0, 0.01);
}

TEST_F(TlsSim, BrokerServiceChargesTheHandshake)
{
    Outcome free = Connect(TlsVersion::Tls13, 0, "0s");
    Outcome charged = Connect(TlsVersion::Tls13, 0, "30ms");
    ASSERT_FALSE(free.connected.empty());
    ASSERT_FALSE(charged.connected.empty());
    EXPECT_NEAR((charged.connected[0] - free.connected[0]).GetMilliSeconds(), 30, 1);
}

TEST_F(TlsSim, LossyLinkStillDeliversOverTls)
{
    Outcome run = Connect(TlsVersion::Tls13, 0.05);
    ASSERT_FALSE(run.connected.empty());
    EXPECT_EQ(run.received, 10U);
    ASSERT_FALSE(run.clientHandshakes.empty());
    auto model = MqttTlsHandshakeFlights(Device(TlsVersion::Tls13), Broker(), false);
    EXPECT_EQ(run.clientHandshakes[0].bytesSent, model.ClientBytes());
}

} // namespace
} // namespace mqtt_sim
