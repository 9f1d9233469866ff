/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The TLS stream layer in memory: a server and a client layer exchanging records through byte
 * vectors, fed one byte at a time (partial records), early application bytes, the client's
 * identity, and renegotiation refused.
 */
#include "mqtt-posix-test-util.h"
#include "mqtt-tls.h"

#include <gtest/gtest.h>

#include <openssl/ssl.h>

using namespace ns3::mqtt;
using namespace ns3::mqtt::test;

namespace
{
using Bytes = std::vector<uint8_t>;

class TlsLayer : public ::testing::Test
{
  protected:
    void
    SetUp() override
    {
        if (FindProgram("openssl").empty())
        {
            GTEST_SKIP() << "openssl not installed (./ns3-mqtt test installs it)";
        }
        ASSERT_TRUE(m_pki.Ok());
        ASSERT_TRUE(m_pki.MakeClient("alice"));
    }

    std::shared_ptr<MqttTlsContext>
    Context(MqttTlsContext::Role role, const std::string& version = "")
    {
        MqttTlsOptions options;
        options.caFile = m_pki.CaFile();
        options.version = version;
        if (role == MqttTlsContext::Role::Server)
        {
            options.certFile = m_pki.ServerCert();
            options.keyFile = m_pki.ServerKey();
            options.requireCertificate = true;
        }
        else
        {
            options.certFile = m_pki.ClientCert("alice");
            options.keyFile = m_pki.ClientKey("alice");
            options.serverName = "localhost";
        }
        std::string error;
        auto context = MqttTlsContext::Create(role, options, error);
        EXPECT_TRUE(context) << error;
        return context;
    }

    TestPki m_pki;
};

/** Feeds @p bytes to @p layer one byte at a time; what it answers goes to @p down. */
MqttStreamStatus
Trickle(MqttStreamLayer& layer, const Bytes& bytes, Bytes& up, Bytes& down)
{
    for (uint8_t byte : bytes)
    {
        MqttStreamStatus status = layer.Receive(&byte, 1, up, down);
        if (status != MqttStreamStatus::Ok)
        {
            return status;
        }
    }
    return MqttStreamStatus::Ok;
}
} // namespace

// Both versions: the handshake completes with records cut into single bytes; application bytes
// the client sent before the end of the handshake arrive after it, once; the server learns the
// client certificate's CN.
TEST_F(TlsLayer, HandshakeWithPartialRecordsAndEarlyBytes)
{
    for (const char* version : {"tlsv1.2", "tlsv1.3"})
    {
        SCOPED_TRACE(version);
        MqttTlsLayer server(Context(MqttTlsContext::Role::Server));
        MqttTlsLayer client(Context(MqttTlsContext::Role::Client, version));
        Bytes toServer;
        Bytes toClient;
        ASSERT_EQ(client.Start(toServer), MqttStreamStatus::Ok);
        Bytes connect = {0x10, 0x0C, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C,
                         0x00, 0x00};
        ASSERT_EQ(client.Send(connect.data(), connect.size(), toServer), MqttStreamStatus::Ok);
        Bytes atServer;
        Bytes atClient;
        for (int flight = 0; flight < 6 && !(server.IsOpen() && client.IsOpen() &&
                                             atServer.size() == connect.size());
             ++flight)
        {
            Bytes in;
            in.swap(toServer);
            ASSERT_EQ(Trickle(server, in, atServer, toClient), MqttStreamStatus::Ok)
                << server.Error();
            in.clear();
            in.swap(toClient);
            ASSERT_EQ(Trickle(client, in, atClient, toServer), MqttStreamStatus::Ok)
                << client.Error();
        }
        EXPECT_TRUE(server.IsOpen());
        EXPECT_TRUE(client.IsOpen());
        EXPECT_EQ(atServer, connect);
        EXPECT_TRUE(atClient.empty());
        EXPECT_EQ(server.PeerIdentity(), std::optional<std::string>("alice"));
        EXPECT_EQ(server.Version(), version == std::string("tlsv1.2") ? "TLSv1.2" : "TLSv1.3");
        // And back: a CONNACK in one record.
        Bytes connack = {0x20, 0x02, 0x00, 0x00};
        Bytes record;
        ASSERT_EQ(server.Send(connack.data(), connack.size(), record), MqttStreamStatus::Ok);
        EXPECT_EQ(record[0], 0x17); // application_data
        ASSERT_EQ(Trickle(client, record, atClient, toServer), MqttStreamStatus::Ok);
        EXPECT_EQ(atClient, connack);
        // close_notify ends the server's side in order.
        Bytes closing;
        client.Close(closing);
        Bytes up;
        Bytes down;
        EXPECT_EQ(server.Receive(closing.data(), closing.size(), up, down),
                  MqttStreamStatus::Closed);
    }
}

// TLS 1.2 renegotiation asked by the client: the server answers with an alert, not a handshake.
TEST_F(TlsLayer, RenegotiationIsRefused)
{
    MqttTlsLayer server(Context(MqttTlsContext::Role::Server));
    auto clientContext = Context(MqttTlsContext::Role::Client, "tlsv1.2");
    SSL* client = SSL_new(clientContext->Native());
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    SSL_set_bio(client, in, out);
    SSL_set_connect_state(client);
    SSL_clear_options(client, SSL_OP_NO_RENEGOTIATION); // this client asks for one
    SSL_set_tlsext_host_name(client, "localhost");
    auto pump = [&](Bytes& fromServer)
    {
        char* data = nullptr;
        long size = BIO_get_mem_data(out, &data);
        Bytes toServer(data, data + size);
        (void)BIO_reset(out);
        Bytes up;
        MqttStreamStatus status = server.Receive(toServer.data(), toServer.size(), up, fromServer);
        BIO_write(in, fromServer.data(), static_cast<int>(fromServer.size()));
        return status;
    };
    for (int i = 0; i < 4 && SSL_do_handshake(client) != 1; ++i)
    {
        Bytes fromServer;
        ASSERT_EQ(pump(fromServer), MqttStreamStatus::Ok) << server.Error();
    }
    ASSERT_TRUE(SSL_is_init_finished(client));
    Bytes fromServer;
    ASSERT_EQ(pump(fromServer), MqttStreamStatus::Ok); // the client's Finished
    ASSERT_TRUE(server.IsOpen());

    ASSERT_EQ(SSL_renegotiate(client), 1);
    SSL_do_handshake(client); // a new ClientHello, encrypted, in a handshake record
    fromServer.clear();
    pump(fromServer);
    ASSERT_FALSE(fromServer.empty());
    EXPECT_EQ(fromServer[0], 0x15); // an alert record (no_renegotiation), no ServerHello
    EXPECT_NE(SSL_do_handshake(client), 1); // the renegotiation never completes
    SSL_free(client);
}
