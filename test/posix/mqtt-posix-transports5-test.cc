/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT 5.0 over each transport of the standalone broker (mqtt-broker --profile standard-5): TCP,
 * TLS and WebSocket carry an ordered, lossless byte stream both ways [MQTT5-4.2.0-1]; and the
 * WebSocket rules of chapter 6 on a real socket, in bytes: binary frames only (a text frame
 * closes with 1003), packets split across and joined in frames, the subprotocol "mqtt" offered
 * by our client and selected by our broker.
 */
#include "mqtt-codec.h"
#include "mqtt-posix-client.h"
#include "mqtt-posix-test-util.h"
#include "mqtt-tls.h"
#include "mqtt-websocket-frame.h"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace ns3::mqtt;
using namespace ns3::mqtt::test;

namespace
{

using Bytes = std::vector<uint8_t>;

constexpr ProtocolVersion V5 = ProtocolVersion::Mqtt5;
const std::array<uint8_t, 4> MASK = {0x12, 0x34, 0x56, 0x78};

Bytes
Encode5(const Packet& p)
{
    Bytes out;
    Encode(p, out, V5);
    return out;
}

std::string
Hex(const Bytes& bytes)
{
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (uint8_t b : bytes)
    {
        if (!s.empty())
        {
            s += ' ';
        }
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}

/** Up to @p want bytes from @p fd within @p timeout (fewer on EOF or timeout); @p eof says which. */
Bytes
ReadSome(int fd, std::size_t want, std::chrono::milliseconds timeout, bool* eof = nullptr)
{
    Bytes got;
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (got.size() < want)
    {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN, 0};
        if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0)
        {
            break;
        }
        uint8_t buffer[4096];
        const ssize_t n = read(fd, buffer, std::min(sizeof(buffer), want - got.size()));
        if (n <= 0)
        {
            if (eof != nullptr)
            {
                *eof = true;
            }
            break;
        }
        got.insert(got.end(), buffer, buffer + n);
    }
    return got;
}

/** The HTTP head of an answer (up to the blank line) read from @p fd. */
std::string
ReadHead(int fd)
{
    std::string head;
    while (head.find("\r\n\r\n") == std::string::npos)
    {
        Bytes b = ReadSome(fd, 1, 3000ms);
        if (b.empty())
        {
            break;
        }
        head += static_cast<char>(b[0]);
    }
    return head;
}

/** A raw WebSocket connection to our broker's ws listener, past its opening handshake. */
class RawWebSocket
{
  public:
    /** Connects and sends the opening request offering @p protocols; returns the answer head. */
    std::string
    Open(uint16_t port, const std::string& protocols = "mqtt")
    {
        if (!m_tcp.Connect(port))
        {
            return "";
        }
        const std::string request =
            "GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: " +
            protocols + "\r\n\r\n";
        m_tcp.SendBytes(Bytes(request.begin(), request.end()));
        return ReadHead(m_tcp.Fd());
    }

    /** Sends @p payload as one masked frame of @p opcode. */
    void
    Frame(WsOpcode opcode, const Bytes& payload)
    {
        m_tcp.SendBytes(EncodeWebSocketFrame(opcode, payload.data(), payload.size(), MASK));
    }

    /**
     * The MQTT bytes of the broker's binary frames until @p want of them came or @p timeout
     * passed (frames are not assumed to hold whole packets [MQTT5-6.0.0-2]); control frames go
     * to Control().
     */
    Bytes
    Data(std::size_t want, std::chrono::milliseconds timeout = 3000ms)
    {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (m_data.size() < want && std::chrono::steady_clock::now() < end && !m_eof)
        {
            Bytes in = ReadSome(m_tcp.Fd(), 1, 100ms, &m_eof);
            MqttWebSocketDecoder::Output out;
            EXPECT_TRUE(m_decoder.Feed(in.data(), in.size(), out)) << m_decoder.Error();
            m_data.insert(m_data.end(), out.data.begin(), out.data.end());
            m_control.insert(m_control.end(), out.control.begin(), out.control.end());
        }
        Bytes got(m_data.begin(), m_data.begin() + std::min(want, m_data.size()));
        m_data.erase(m_data.begin(), m_data.begin() + got.size());
        return got;
    }

    const std::vector<std::pair<WsOpcode, Bytes>>&
    Control() const
    {
        return m_control;
    }

    bool
    Eof() const
    {
        return m_eof;
    }

  private:
    RawClient m_tcp;
    MqttWebSocketDecoder m_decoder{false, 1 << 20};
    Bytes m_data;
    std::vector<std::pair<WsOpcode, Bytes>> m_control;
    bool m_eof = false;
};

ConnectPacket
Connect5(const std::string& clientId)
{
    ConnectPacket c;
    c.protocolLevel = 5;
    c.clientId = clientId;
    c.cleanSession = true;
    return c;
}

/**
 * The standalone broker's standard-5 CONNACK: Maximum Packet Size 16 MiB (the broker's
 * default), Topic Alias Maximum 10, Subscription Identifier Available 0.
 */
const std::string CONNACK = "20 0d 00 00 0a 27 01 00 00 00 22 00 0a 29 00";
constexpr std::size_t CONNACK_SIZE = 15;

class Transports5 : public ::testing::Test
{
  protected:
    void
    SetUp() override
    {
        if (FindProgram("openssl").empty())
        {
            GTEST_SKIP() << "openssl not installed (./ns3-mqtt test installs it)";
        }
        m_pki = std::make_unique<TestPki>();
        ASSERT_TRUE(m_pki->Ok());
        ASSERT_TRUE(m_broker.Start({"--profile",
                                    "standard-5",
                                    "--tls-listen",
                                    "127.0.0.1:0",
                                    "--cafile",
                                    m_pki->CaFile(),
                                    "--certfile",
                                    m_pki->ServerCert(),
                                    "--keyfile",
                                    m_pki->ServerKey(),
                                    "--ws-listen",
                                    "127.0.0.1:0"}))
            << m_broker.Output();
        // Start() returns at the first listener; the others are printed as they open.
        ASSERT_TRUE(m_broker.WaitForOutput(" (tls)", 5000ms)) << m_broker.Output();
        ASSERT_TRUE(m_broker.WaitForOutput(" (ws)", 5000ms)) << m_broker.Output();
        ASSERT_NE(m_broker.PortOf("tls"), 0) << m_broker.Output();
        ASSERT_NE(m_broker.PortOf("ws"), 0) << m_broker.Output();
    }

    /** A 5.0 POSIX client to @p port, over TLS and/or WebSocket as asked. */
    std::unique_ptr<MqttPosixClient>
    Client(uint16_t port, const std::string& id, bool tls, bool ws)
    {
        MqttClientConfig config;
        config.clientId = id;
        config.protocolVersion = V5;
        config.keepAliveSeconds = 30;
        config.autoReconnect = false;
        MqttPosixEndpoint endpoint;
        std::string error;
        MqttPosixEndpoint::Parse("127.0.0.1:" + std::to_string(port), endpoint, error);
        auto client = std::make_unique<MqttPosixClient>(config, endpoint);
        if (tls)
        {
            MqttTlsOptions options;
            options.caFile = m_pki->CaFile();
            options.serverName = "localhost";
            auto context = MqttTlsContext::Create(MqttTlsContext::Role::Client, options, error);
            EXPECT_TRUE(context) << error;
            client->SetTls(context);
        }
        if (ws)
        {
            client->SetWebSocket({"127.0.0.1:" + std::to_string(port), "/mqtt"});
        }
        return client;
    }

    std::unique_ptr<TestPki> m_pki;
    BrokerProcess m_broker;
};

} // namespace

// [MQTT5-4.2.0-1]: over TCP, TLS and WebSocket a 5.0 client sends 300 QoS 1 messages of 1 to
// 9,000 bytes to a topic it subscribes to, and gets every one back, whole and in order.
TEST_F(Transports5, Mqtt5_4_2_0_1_EachTransportIsAnOrderedLosslessByteStream)
{
    struct Transport
    {
        const char* name;
        uint16_t port;
        bool tls;
        bool ws;
    };
    for (const Transport& t : {Transport{"tcp", m_broker.Port(), false, false},
                               Transport{"tls", m_broker.PortOf("tls"), true, false},
                               Transport{"ws", m_broker.PortOf("ws"), false, true}})
    {
        auto client = Client(t.port, std::string("order-") + t.name, t.tls, t.ws);
        std::vector<Bytes> received;
        client->SetEventCallback(
            [&received](const MqttEvent& event)
            {
                if (event.type == EventType::PublishReceived && event.message)
                {
                    received.push_back(event.message->payload);
                }
            });
        client->Connect();
        ASSERT_TRUE(client->RunUntil([&] { return client->State() == ClientState::Connected; },
                                     5000ms))
            << t.name << ": " << client->LastError() << m_broker.Output();
        const std::string topic = std::string("order/") + t.name;
        client->Subscribe({TopicRequest{topic, Qos::AtLeastOnce}});
        client->RunUntil([] { return false; }, 200ms);
        std::vector<Bytes> sent;
        for (std::size_t i = 0; i < 300; ++i)
        {
            Bytes payload(1 + (i * 997) % 9000);
            for (std::size_t k = 0; k < payload.size(); ++k)
            {
                payload[k] = static_cast<uint8_t>(i + k * 13);
            }
            sent.push_back(payload);
            client->Publish(topic, payload, Qos::AtLeastOnce, false);
        }
        client->RunUntil([&] { return received.size() >= sent.size(); }, 10000ms);
        ASSERT_EQ(received.size(), sent.size()) << t.name << ": " << client->LastError();
        for (std::size_t i = 0; i < sent.size(); ++i)
        {
            ASSERT_EQ(received[i], sent[i]) << t.name << ": message " << i;
        }
        client->SetEventCallback(nullptr);
    }
}

// [MQTT5-6.0.0-4]: the broker selects and returns the subprotocol "mqtt", also when the client
// lists others first; a request that does not offer it gets no 101.
TEST_F(Transports5, Mqtt5_6_0_0_4_TheBrokerSelectsMqtt)
{
    RawWebSocket ws;
    const std::string head = ws.Open(m_broker.PortOf("ws"), "mqttv3.1, mqtt");
    EXPECT_EQ(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u) << head;
    EXPECT_NE(head.find("\r\nSec-WebSocket-Protocol: mqtt\r\n"), std::string::npos) << head;
    EXPECT_NE(head.find("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
              std::string::npos)
        << head;
    RawWebSocket other;
    const std::string refused = other.Open(m_broker.PortOf("ws"), "mqttv3.1");
    EXPECT_EQ(refused.find("101"), std::string::npos) << refused;
}

// [MQTT5-6.0.0-2]: a CONNECT split over two binary frames, and a frame holding the end of one
// packet and the start of the next, are read as the packets they carry: the broker answers
// each exactly once and in order.
TEST_F(Transports5, Mqtt5_6_0_0_2_PacketsAreNotAlignedWithFrames)
{
    RawWebSocket ws;
    ASSERT_EQ(ws.Open(m_broker.PortOf("ws")).rfind("HTTP/1.1 101", 0), 0u);
    const Bytes connect = Encode5(Connect5("ws-split"));
    SubscribePacket subscribe;
    subscribe.packetId = 1;
    subscribe.topics = {TopicRequest{"split/t", Qos::AtLeastOnce}};
    const Bytes sub = Encode5(subscribe);
    PublishPacket publish;
    publish.topic = "split/t";
    publish.qos = Qos::AtLeastOnce;
    publish.packetId = 7;
    publish.payload = {'h', 'i'};
    const Bytes pub = Encode5(publish);
    // Frame 1: the first 5 bytes of CONNECT; frame 2: its rest and 3 bytes of SUBSCRIBE; frame
    // 3: the rest of SUBSCRIBE; frame 4: PUBLISH, a PINGREQ and the first byte of a second
    // PINGREQ, whose last byte is frame 5.
    ws.Frame(WsOpcode::Binary, Bytes(connect.begin(), connect.begin() + 5));
    Bytes second(connect.begin() + 5, connect.end());
    second.insert(second.end(), sub.begin(), sub.begin() + 3);
    ws.Frame(WsOpcode::Binary, second);
    EXPECT_EQ(Hex(ws.Data(CONNACK_SIZE)), CONNACK);
    ws.Frame(WsOpcode::Binary, Bytes(sub.begin() + 3, sub.end()));
    EXPECT_EQ(Hex(ws.Data(6)), "90 04 00 01 00 01");
    Bytes fourth = pub;
    fourth.insert(fourth.end(), {0xc0, 0x00, 0xc0});
    ws.Frame(WsOpcode::Binary, fourth);
    ws.Frame(WsOpcode::Binary, Bytes{0x00});
    // PUBACK 7, the message back (QoS 1, id 1), two PINGRESPs; nothing else.
    EXPECT_EQ(Hex(ws.Data(4 + 16 + 4)),
              "40 02 00 07 32 0e 00 07 73 70 6c 69 74 2f 74 00 01 00 68 69 d0 00 d0 00");
    EXPECT_EQ(Hex(ws.Data(1, 300ms)), "");
}

// [MQTT5-6.0.0-1]: MQTT travels in binary frames only: a PINGREQ in a text frame is not
// answered; the broker sends a close frame with status 1003 and closes the connection.
TEST_F(Transports5, Mqtt5_6_0_0_1_ATextFrameClosesTheConnection)
{
    RawWebSocket ws;
    ASSERT_EQ(ws.Open(m_broker.PortOf("ws")).rfind("HTTP/1.1 101", 0), 0u);
    ws.Frame(WsOpcode::Binary, Encode5(Connect5("ws-text")));
    EXPECT_EQ(Hex(ws.Data(CONNACK_SIZE)), CONNACK);
    ws.Frame(WsOpcode::Text, Bytes{0xc0, 0x00});
    EXPECT_EQ(Hex(ws.Data(1, 3000ms)), ""); // no PINGRESP, and the stream ends
    EXPECT_TRUE(ws.Eof());
    ASSERT_EQ(ws.Control().size(), 1u);
    EXPECT_EQ(ws.Control()[0].first, WsOpcode::Close);
    EXPECT_EQ(Hex(ws.Control()[0].second), "03 eb"); // 1003: unsupported data
}

// [MQTT5-6.0.0-3]: our 5.0 client over WebSocket opens with a GET offering the subprotocol
// "mqtt", as read by a listening socket of the test on a real connection.
TEST_F(Transports5, Mqtt5_6_0_0_3_OurClientOffersMqtt)
{
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(listener, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    ASSERT_EQ(listen(listener, 1), 0);
    socklen_t length = sizeof(address);
    getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
    auto client = Client(ntohs(address.sin_port), "offers", false, true);
    client->Connect();
    client->RunUntil([] { return false; }, 300ms); // connected by the kernel, request written
    pollfd p{listener, POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 3000), 1);
    const int peer = accept(listener, nullptr, nullptr);
    ASSERT_GE(peer, 0);
    const std::string head = ReadHead(peer);
    EXPECT_EQ(head.rfind("GET /mqtt HTTP/1.1\r\n", 0), 0u) << head;
    EXPECT_NE(head.find("\r\nSec-WebSocket-Protocol: mqtt\r\n"), std::string::npos) << head;
    EXPECT_NE(head.find("\r\nSec-WebSocket-Version: 13\r\n"), std::string::npos) << head;
    close(peer);
    close(listener);
}
