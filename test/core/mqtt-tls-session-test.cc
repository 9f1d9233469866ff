/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Two simulated TLS ends exchanging their records in memory: the flights have the model's sizes,
 * application bytes wait for the handshake and come out unchanged with the record overhead on
 * the wire, and a second connection resumes with the ticket of the first.
 */
#include "mqtt-tls-test-profiles.h"
#include "mqtt-tls-session.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

using namespace ns3::mqtt;

namespace
{
using Bytes = std::vector<uint8_t>;

using tlstest::Broker;
using tlstest::Device;

/** Runs both ends until neither has anything to say; counts the bytes each way. */
struct Link
{
    Link(MqttTlsSession c, MqttTlsSession s)
        : client(std::move(c)),
          server(std::move(s))
    {
    }

    MqttTlsSession client;
    MqttTlsSession server;
    std::size_t toServer = 0;
    std::size_t toClient = 0;
    Bytes atServer;
    Bytes atClient;
    int exchanges = 0;

    bool
    Run(Bytes fromClient)
    {
        Bytes fromServer;
        while (!fromClient.empty() || !fromServer.empty())
        {
            ++exchanges;
            toServer += fromClient.size();
            Bytes next;
            if (!fromClient.empty() && !server.Receive(fromClient.data(), fromClient.size(),
                                                       atServer, next))
            {
                return false;
            }
            fromServer.insert(fromServer.end(), next.begin(), next.end());
            fromClient.clear();
            toClient += fromServer.size();
            if (!fromServer.empty() && !client.Receive(fromServer.data(), fromServer.size(),
                                                       atClient, fromClient))
            {
                return false;
            }
            fromServer.clear();
        }
        return true;
    }
};

TEST(TlsSession, FullHandshakeHasTheModelsSizesAndHoldsEarlyData)
{
    for (TlsVersion version : {TlsVersion::Tls12, TlsVersion::Tls13})
    {
        Link link{MqttTlsSession::Client(Device(version), 0),
                  MqttTlsSession::Server(Broker())};
        Bytes hello;
        link.client.Start(hello);
        std::string connect = "CONNECT";
        link.client.Send(reinterpret_cast<const uint8_t*>(connect.data()), connect.size(), hello);
        ASSERT_TRUE(link.Run(hello));
        auto model = MqttTlsHandshakeFlights(Device(version), Broker(), false);
        std::size_t record = MqttTlsRecordBytes(version, TlsCipher::Aes128Gcm, connect.size());
        EXPECT_EQ(link.toServer, model.ClientBytes() + record);
        EXPECT_EQ(link.toClient, model.ServerBytes());
        EXPECT_EQ(std::string(link.atServer.begin(), link.atServer.end()), connect);
        EXPECT_TRUE(link.client.IsOpen());
        EXPECT_TRUE(link.server.IsOpen());
        EXPECT_EQ(link.client.HandshakeBytesSent(), model.ClientBytes());
        EXPECT_EQ(link.server.HandshakeBytesSent(), model.ServerBytes());
        EXPECT_EQ(link.client.TicketBytes(), version == TlsVersion::Tls12 ? 464U : 480U);
    }
}

TEST(TlsSession, SecondConnectionResumesWithTheTicket)
{
    for (TlsVersion version : {TlsVersion::Tls12, TlsVersion::Tls13})
    {
        Link first{MqttTlsSession::Client(Device(version), 0), MqttTlsSession::Server(Broker())};
        Bytes hello;
        first.client.Start(hello);
        ASSERT_TRUE(first.Run(hello));
        Link second{MqttTlsSession::Client(Device(version), first.client.TicketBytes()),
                    MqttTlsSession::Server(Broker())};
        hello.clear();
        second.client.Start(hello);
        ASSERT_TRUE(second.Run(hello));
        auto model = MqttTlsHandshakeFlights(Device(version), Broker(), true);
        EXPECT_TRUE(second.server.Handshake().resumed);
        EXPECT_EQ(second.toServer, model.ClientBytes());
        EXPECT_EQ(second.toClient, model.ServerBytes());
        EXPECT_TRUE(second.client.IsOpen());
    }
}

TEST(TlsSession, ServerWithoutResumptionAnswersAResumedHelloInFull)
{
    auto broker = Broker();
    broker.resumption = false;
    Link link{MqttTlsSession::Client(Device(TlsVersion::Tls12), 464),
              MqttTlsSession::Server(broker)};
    Bytes hello;
    link.client.Start(hello);
    ASSERT_TRUE(link.Run(hello));
    EXPECT_FALSE(link.server.Handshake().resumed);
    EXPECT_TRUE(link.client.IsOpen());
    EXPECT_EQ(link.client.TicketBytes(), 0U);
}

TEST(TlsSession, ApplicationRecordsCarryThePlaintextWithTheirOverhead)
{
    Link link{MqttTlsSession::Client(Device(TlsVersion::Tls12), 0),
              MqttTlsSession::Server(Broker())};
    Bytes hello;
    link.client.Start(hello);
    ASSERT_TRUE(link.Run(hello));
    Bytes payload(20000, 0x42);
    Bytes wire;
    link.server.Send(payload.data(), payload.size(), wire);
    EXPECT_EQ(wire.size(), MqttTlsRecordBytes(TlsVersion::Tls12, TlsCipher::Aes128Gcm, 20000));
    Bytes up;
    Bytes down;
    // One byte at a time: partial records wait for the rest.
    for (uint8_t byte : wire)
    {
        ASSERT_TRUE(link.client.Receive(&byte, 1, up, down));
    }
    EXPECT_EQ(up, payload);
    EXPECT_TRUE(down.empty());
    EXPECT_EQ(link.server.RecordOverheadSent(), 2 * 29U);
}

TEST(TlsSession, GarbageIsRefused)
{
    auto server = MqttTlsSession::Server(Broker());
    Bytes garbage = {0x10, 0x0C, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C};
    Bytes up;
    Bytes down;
    EXPECT_FALSE(server.Receive(garbage.data(), garbage.size(), up, down));
}

} // namespace
