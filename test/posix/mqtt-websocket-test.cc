/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT over WebSocket, bytes only: RFC 6455 framing with the RFC's own examples, the opening
 * handshake, and the server layer's answers to pings, closes and violations.
 */
#include "mqtt-websocket-frame.h"
#include "mqtt-websocket-layer.h"

#include <gtest/gtest.h>

#include <string>

using namespace ns3::mqtt;

namespace
{
using Bytes = std::vector<uint8_t>;

const std::array<uint8_t, 4> RFC_MASK = {0x37, 0xfa, 0x21, 0x3d};

Bytes
Text(const std::string& text)
{
    return Bytes(text.begin(), text.end());
}

/** An opening request as paho-mqtt sends it, with @p protocol offered. */
std::string
Request(const std::string& protocol = "mqtt")
{
    return "GET /mqtt HTTP/1.1\r\nHost: localhost:8080\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nOrigin: http://localhost:8080\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: " +
           protocol + "\r\n\r\n";
}

/** A server layer past its handshake. */
void
Open(MqttWebSocketLayer& layer)
{
    Bytes up;
    Bytes down;
    std::string request = Request();
    ASSERT_EQ(layer.Receive(reinterpret_cast<const uint8_t*>(request.data()),
                            request.size(),
                            up,
                            down),
              MqttStreamStatus::Ok);
    ASSERT_TRUE(layer.IsOpen());
}
} // namespace

// RFC 6455 section 5.7: the example frames, byte for byte.
TEST(WebSocketFrame, EncodesTheRfcExamples)
{
    Bytes hello = Text("Hello");
    EXPECT_EQ(EncodeWebSocketFrame(WsOpcode::Text, hello.data(), hello.size()),
              (Bytes{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
    EXPECT_EQ(EncodeWebSocketFrame(WsOpcode::Text, hello.data(), hello.size(), RFC_MASK),
              (Bytes{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
    EXPECT_EQ(EncodeWebSocketFrame(WsOpcode::Text, hello.data(), 3, std::nullopt, false),
              (Bytes{0x01, 0x03, 0x48, 0x65, 0x6c}));
    EXPECT_EQ(EncodeWebSocketFrame(WsOpcode::Continuation, hello.data() + 3, 2),
              (Bytes{0x80, 0x02, 0x6c, 0x6f}));
    EXPECT_EQ(EncodeWebSocketFrame(WsOpcode::Ping, hello.data(), hello.size()),
              (Bytes{0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
    Bytes big(256, 0xAB);
    Bytes frame = EncodeWebSocketFrame(WsOpcode::Binary, big.data(), big.size());
    EXPECT_EQ(Bytes(frame.begin(), frame.begin() + 4), (Bytes{0x82, 0x7E, 0x01, 0x00}));
    EXPECT_EQ(frame.size(), 4u + 256u);
    Bytes huge(65536, 0xCD);
    frame = EncodeWebSocketFrame(WsOpcode::Binary, huge.data(), huge.size());
    EXPECT_EQ(Bytes(frame.begin(), frame.begin() + 10),
              (Bytes{0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}));
}

// RFC 6455 section 1.3: the example key and its accept value.
TEST(WebSocketFrame, AcceptKeyOfTheRfcExample)
{
    EXPECT_EQ(WebSocketAcceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

// The masked pong of the RFC, and fragmented binary frames fed one byte at a time: the payload is
// unmasked and handed on in order, the control frame collected whole. MQTT bytes do not align
// with frames: "MQ" and "TT" arrive as one stream [MQTT-6.0.0-2].
TEST(WebSocketFrame, DecodesMaskedAndFragmentedFramesByteByByte)
{
    MqttWebSocketDecoder decoder(true, 1024);
    Bytes stream = {0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    Bytes first = EncodeWebSocketFrame(WsOpcode::Binary, Text("MQ").data(), 2, RFC_MASK, false);
    Bytes second = EncodeWebSocketFrame(WsOpcode::Continuation, Text("TT").data(), 2, RFC_MASK);
    stream.insert(stream.end(), first.begin(), first.end());
    stream.insert(stream.end(), second.begin(), second.end());
    MqttWebSocketDecoder::Output out;
    for (uint8_t byte : stream)
    {
        ASSERT_TRUE(decoder.Feed(&byte, 1, out)) << decoder.Error();
    }
    EXPECT_EQ(out.data, Text("MQTT"));
    ASSERT_EQ(out.control.size(), 1u);
    EXPECT_EQ(out.control[0].first, WsOpcode::Pong);
    EXPECT_EQ(out.control[0].second, Text("Hello"));
}

// Violations and their close codes: unmasked client frames, text frames, oversized frames,
// continuation without a start, fragmented control frames, reserved bits.
TEST(WebSocketFrame, RefusesViolations)
{
    struct Case
    {
        Bytes bytes;
        WsCloseCode code;
    };
    const std::vector<Case> cases = {
        {{0x82, 0x01, 0x00}, WsCloseCode::ProtocolError},              // not masked
        {{0x81, 0x80, 1, 2, 3, 4}, WsCloseCode::UnsupportedData},      // text
        {{0x82, 0xFE, 0x04, 0x01, 1, 2, 3, 4}, WsCloseCode::TooBig},   // 1025 > 1024
        {{0x80, 0x80, 1, 2, 3, 4}, WsCloseCode::ProtocolError},        // continuation first
        {{0x09, 0x80, 1, 2, 3, 4}, WsCloseCode::ProtocolError},        // ping without FIN
        {{0xC2, 0x80, 1, 2, 3, 4}, WsCloseCode::ProtocolError},        // RSV1
        {{0x83, 0x80, 1, 2, 3, 4}, WsCloseCode::ProtocolError},        // opcode 3
    };
    for (const Case& c : cases)
    {
        MqttWebSocketDecoder decoder(true, 1024);
        MqttWebSocketDecoder::Output out;
        EXPECT_FALSE(decoder.Feed(c.bytes.data(), c.bytes.size(), out));
        EXPECT_EQ(decoder.ErrorCode(), c.code) << decoder.Error();
    }
}

// The opening handshake: 101 with the accept key and the mqtt subprotocol, exactly: the server
// selects and returns "mqtt" [MQTT-6.0.0-4].
TEST(WebSocketLayer, AnswersTheOpeningHandshake)
{
    MqttWebSocketLayer layer;
    Bytes up;
    Bytes down;
    std::string request = Request("mqttv3.1, mqtt");
    // In two pieces, split inside the final CRLF CRLF.
    std::size_t half = request.size() - 2;
    EXPECT_EQ(layer.Receive(reinterpret_cast<const uint8_t*>(request.data()), half, up, down),
              MqttStreamStatus::Ok);
    EXPECT_TRUE(down.empty());
    EXPECT_EQ(layer.Receive(
                  reinterpret_cast<const uint8_t*>(request.data()) + half, 2, up, down),
              MqttStreamStatus::Ok);
    EXPECT_EQ(std::string(down.begin(), down.end()),
              "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
              "Sec-WebSocket-Protocol: mqtt\r\n\r\n");
    EXPECT_TRUE(up.empty());
    EXPECT_TRUE(layer.IsOpen());
}

// A request without the mqtt subprotocol (a client must offer it [MQTT-6.0.0-3]), or of another
// WebSocket version, is refused over HTTP.
TEST(WebSocketLayer, RefusesRequestsWithoutMqttOrOfAnotherVersion)
{
    for (const auto& [request, status] :
         std::vector<std::pair<std::string, std::string>>{
             {Request("chat"), "HTTP/1.1 400 Bad Request\r\n"},
             {"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n"
              "Sec-WebSocket-Protocol: mqtt\r\n\r\n",
              "HTTP/1.1 426 Upgrade Required\r\n"},
             {"POST / HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n"}})
    {
        MqttWebSocketLayer layer;
        Bytes up;
        Bytes down;
        EXPECT_EQ(layer.Receive(reinterpret_cast<const uint8_t*>(request.data()),
                                request.size(),
                                up,
                                down),
                  MqttStreamStatus::Failed);
        EXPECT_EQ(std::string(down.begin(), down.end()).rfind(status, 0), 0u)
            << std::string(down.begin(), down.end());
        EXPECT_FALSE(layer.IsOpen());
    }
}

// After the handshake: MQTT bytes up, server frames unmasked binary, ping answered with a pong
// carrying its payload, close answered with the same status code and the end of the stream.
TEST(WebSocketLayer, CarriesMqttAnswersPingAndClose)
{
    MqttWebSocketLayer layer;
    Open(layer);
    Bytes connect = {0x10, 0x02, 0x00, 0x00};
    Bytes in = EncodeWebSocketFrame(WsOpcode::Binary, connect.data(), connect.size(), RFC_MASK);
    Bytes ping = EncodeWebSocketFrame(WsOpcode::Ping, Text("hi").data(), 2, RFC_MASK);
    in.insert(in.end(), ping.begin(), ping.end());
    Bytes up;
    Bytes down;
    EXPECT_EQ(layer.Receive(in.data(), in.size(), up, down), MqttStreamStatus::Ok);
    EXPECT_EQ(up, connect);
    EXPECT_EQ(down, (Bytes{0x8A, 0x02, 'h', 'i'}));

    Bytes connack = {0x20, 0x02, 0x00, 0x00};
    down.clear();
    EXPECT_EQ(layer.Send(connack.data(), connack.size(), down), MqttStreamStatus::Ok);
    EXPECT_EQ(down, (Bytes{0x82, 0x04, 0x20, 0x02, 0x00, 0x00}));

    Bytes code = WebSocketClosePayload(WsCloseCode::Normal);
    Bytes close = EncodeWebSocketFrame(WsOpcode::Close, code.data(), code.size(), RFC_MASK);
    down.clear();
    up.clear();
    EXPECT_EQ(layer.Receive(close.data(), close.size(), up, down), MqttStreamStatus::Closed);
    EXPECT_EQ(down, (Bytes{0x88, 0x02, 0x03, 0xE8}));
}

// MQTT travels in binary frames only: a text frame closes the connection with 1003
// [MQTT-6.0.0-1].
TEST(WebSocketLayer, ClosesWithTheViolationsCode)
{
    MqttWebSocketLayer layer;
    Open(layer);
    Bytes text = EncodeWebSocketFrame(WsOpcode::Text, Text("{}").data(), 2, RFC_MASK);
    Bytes up;
    Bytes down;
    EXPECT_EQ(layer.Receive(text.data(), text.size(), up, down), MqttStreamStatus::Failed);
    EXPECT_EQ(down, (Bytes{0x88, 0x02, 0x03, 0xEB}));
    EXPECT_NE(layer.Error().find("text frame"), std::string::npos);
}

namespace
{
/** Client bytes handed to the server layer and back until neither has more to say. */
struct WebSocketPair
{
    MqttWebSocketLayer client{MqttWebSocketClientOptions{"broker.example.com:8080", "/mqtt"}};
    MqttWebSocketLayer server;
    Bytes clientUp;
    Bytes serverUp;

    MqttStreamStatus
    ToServer(const Bytes& wire)
    {
        return Pass(server, serverUp, client, clientUp, wire);
    }

    MqttStreamStatus
    ToClient(const Bytes& wire)
    {
        return Pass(client, clientUp, server, serverUp, wire);
    }

    /** @p wire into @p to (its MQTT bytes to @p toUp); its answer to @p back, and so on. */
    static MqttStreamStatus
    Pass(MqttWebSocketLayer& to,
         Bytes& toUp,
         MqttWebSocketLayer& back,
         Bytes& backUp,
         const Bytes& wire)
    {
        Bytes answer;
        MqttStreamStatus status = to.Receive(wire.data(), wire.size(), toUp, answer);
        if (!answer.empty())
        {
            Pass(back, backUp, to, toUp, answer);
        }
        return status;
    }
};
} // namespace

// The client side opens with a GET for subprotocol mqtt (RFC 6455 4.1, [MQTT-6.0.0-3]), masks
// every frame with a fresh key (5.3), and takes the server's unmasked frames; MQTT sent before
// the 101 waits for it.
TEST(WebSocketLayer, ClientOpensMasksAndTakesUnmaskedFrames)
{
    WebSocketPair ws;
    Bytes request;
    ASSERT_EQ(ws.client.Start(request), MqttStreamStatus::Ok);
    std::string text(request.begin(), request.end());
    EXPECT_EQ(text.rfind("GET /mqtt HTTP/1.1\r\nHost: broker.example.com:8080\r\n", 0), 0u) << text;
    EXPECT_NE(text.find("Sec-WebSocket-Protocol: mqtt\r\n"), std::string::npos);
    EXPECT_NE(text.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos);
    Bytes early;
    const Bytes connect = {0x10, 0x0C, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x00};
    ASSERT_EQ(ws.client.Send(connect.data(), connect.size(), early), MqttStreamStatus::Ok);
    EXPECT_TRUE(early.empty());
    EXPECT_EQ(ws.ToServer(request), MqttStreamStatus::Ok);
    EXPECT_TRUE(ws.client.IsOpen());
    EXPECT_TRUE(ws.server.IsOpen());
    EXPECT_EQ(ws.serverUp, connect); // the held CONNECT followed the 101, masked, unmasked here
    Bytes first;
    Bytes second;
    ws.client.Send(connect.data(), connect.size(), first);
    ws.client.Send(connect.data(), connect.size(), second);
    ASSERT_EQ(first.size(), 2 + 4 + connect.size());
    EXPECT_EQ(first[0], 0x82);              // FIN, binary
    EXPECT_EQ(first[1], 0x80 | connect.size()); // masked
    EXPECT_NE(Bytes(first.begin() + 2, first.begin() + 6), Bytes(second.begin() + 2, second.begin() + 6))
        << "each frame has its own masking key";
    const Bytes connack = {0x20, 0x02, 0x00, 0x00};
    Bytes down;
    ws.server.Send(connack.data(), connack.size(), down);
    EXPECT_EQ(down[1], connack.size()); // the server does not mask
    EXPECT_EQ(ws.ToClient(down), MqttStreamStatus::Ok);
    EXPECT_EQ(ws.clientUp, connack);
    // A ping from the server gets a masked pong; a masked frame from the server is an error.
    Bytes ping = EncodeWebSocketFrame(WsOpcode::Ping, connack.data(), 2);
    Bytes pong;
    EXPECT_EQ(ws.client.Receive(ping.data(), ping.size(), ws.clientUp, pong), MqttStreamStatus::Ok);
    ASSERT_EQ(pong.size(), 2 + 4 + 2u);
    EXPECT_EQ(pong[0], 0x8A);
    EXPECT_EQ(pong[1], 0x82);
    Bytes masked = EncodeWebSocketFrame(WsOpcode::Binary, connack.data(), 4, RFC_MASK);
    Bytes close;
    EXPECT_EQ(ws.client.Receive(masked.data(), masked.size(), ws.clientUp, close),
              MqttStreamStatus::Failed);
    EXPECT_NE(ws.client.Error().find("masked server frame"), std::string::npos);
}

// The client refuses an answer that is not a 101 with the accept key of its own key and the
// subprotocol mqtt (RFC 6455 4.1, items 1 to 6 of the client's checks).
TEST(WebSocketLayer, ClientRefusesAWrongAnswer)
{
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", "refused the upgrade"},
        {std::string("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n") +
             "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
             "Sec-WebSocket-Protocol: mqtt\r\n\r\n",
         "does not match our key"},
        {"", "did not select the subprotocol mqtt"},
    };
    for (const auto& [answer, why] : cases)
    {
        MqttWebSocketLayer client(MqttWebSocketClientOptions{"localhost", "/"});
        Bytes request;
        client.Start(request);
        std::string text = answer;
        if (text.empty())
        {
            // The right key, but no subprotocol selected.
            std::string req(request.begin(), request.end());
            std::size_t at = req.find("Sec-WebSocket-Key: ") + 19;
            std::string key = req.substr(at, req.find("\r\n", at) - at);
            text = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                   "Upgrade\r\nSec-WebSocket-Accept: " +
                   WebSocketAcceptKey(key) + "\r\n\r\n";
        }
        Bytes up;
        Bytes down;
        EXPECT_EQ(client.Receive(reinterpret_cast<const uint8_t*>(text.data()), text.size(), up, down),
                  MqttStreamStatus::Failed)
            << why;
        EXPECT_NE(client.Error().find(why), std::string::npos) << client.Error();
        EXPECT_FALSE(client.IsOpen());
    }
}
