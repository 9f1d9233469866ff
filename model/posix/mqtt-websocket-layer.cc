/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-websocket-layer.h"

#include <algorithm>
#include <cctype>

#include <openssl/evp.h>

namespace ns3
{
namespace mqtt
{

namespace
{
/** RFC 6455 section 1.3. */
constexpr const char* WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string
Lower(std::string text)
{
    std::transform(text.begin(),
                   text.end(),
                   text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string
Trim(const std::string& text)
{
    std::size_t begin = text.find_first_not_of(" \t");
    std::size_t end = text.find_last_not_of(" \t");
    return begin == std::string::npos ? std::string() : text.substr(begin, end - begin + 1);
}

/** Whether the comma-separated @p list holds @p token (case-insensitive). */
bool
HasToken(const std::string& list, const std::string& token)
{
    std::size_t start = 0;
    while (start <= list.size())
    {
        std::size_t comma = list.find(',', start);
        std::string item =
            Trim(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (Lower(item) == token)
        {
            return true;
        }
        if (comma == std::string::npos)
        {
            break;
        }
        start = comma + 1;
    }
    return false;
}
} // namespace

std::string
WebSocketAcceptKey(const std::string& key)
{
    std::string input = key + WS_GUID;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha1(), nullptr);
    unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    int size = EVP_EncodeBlock(encoded, digest, static_cast<int>(length));
    return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(size));
}

MqttWebSocketLayer::MqttWebSocketLayer(uint64_t maxFrame)
    : m_decoder(true, maxFrame)
{
}

MqttStreamStatus
MqttWebSocketLayer::Receive(const uint8_t* data,
                            std::size_t size,
                            std::vector<uint8_t>& up,
                            std::vector<uint8_t>& down)
{
    if (m_open)
    {
        return Frames(data, size, up, down);
    }
    std::size_t before = m_request.size();
    m_request.append(reinterpret_cast<const char*>(data), size);
    std::size_t end = m_request.find("\r\n\r\n", before >= 3 ? before - 3 : 0);
    if (end == std::string::npos)
    {
        if (m_request.size() > MAX_REQUEST)
        {
            return Refuse("431 Request Header Fields Too Large",
                          "an opening request longer than " + std::to_string(MAX_REQUEST) +
                              " bytes",
                          down);
        }
        return MqttStreamStatus::Ok;
    }
    std::string rest = m_request.substr(end + 4);
    MqttStreamStatus status = Upgrade(down, end);
    if (status != MqttStreamStatus::Ok || rest.empty())
    {
        return status;
    }
    return Frames(reinterpret_cast<const uint8_t*>(rest.data()), rest.size(), up, down);
}

MqttStreamStatus
MqttWebSocketLayer::Refuse(const char* status, const std::string& why, std::vector<uint8_t>& down)
{
    std::string response = std::string("HTTP/1.1 ") + status +
                           "\r\nConnection: close\r\nSec-WebSocket-Version: 13\r\n"
                           "Content-Length: 0\r\n\r\n";
    down.insert(down.end(), response.begin(), response.end());
    m_error = "WebSocket: " + why;
    return MqttStreamStatus::Failed;
}

MqttStreamStatus
MqttWebSocketLayer::Upgrade(std::vector<uint8_t>& down, std::size_t end)
{
    std::string head = m_request.substr(0, end);
    m_request.clear();
    std::size_t lineEnd = head.find("\r\n");
    std::string requestLine = head.substr(0, lineEnd);
    if (requestLine.rfind("GET ", 0) != 0 || requestLine.find(" HTTP/1.1") == std::string::npos)
    {
        return Refuse("400 Bad Request", "not an HTTP/1.1 GET: '" + requestLine + "'", down);
    }
    std::string upgrade, connection, key, version, protocols;
    std::size_t at = lineEnd == std::string::npos ? head.size() : lineEnd + 2;
    while (at < head.size())
    {
        std::size_t next = head.find("\r\n", at);
        std::string line = head.substr(at, next == std::string::npos ? std::string::npos : next - at);
        at = next == std::string::npos ? head.size() : next + 2;
        std::size_t colon = line.find(':');
        if (colon == std::string::npos)
        {
            continue;
        }
        std::string name = Lower(Trim(line.substr(0, colon)));
        std::string value = Trim(line.substr(colon + 1));
        if (name == "upgrade")
        {
            upgrade = value;
        }
        else if (name == "connection")
        {
            connection = value;
        }
        else if (name == "sec-websocket-key")
        {
            key = value;
        }
        else if (name == "sec-websocket-version")
        {
            version = value;
        }
        else if (name == "sec-websocket-protocol")
        {
            protocols += (protocols.empty() ? "" : ",") + value;
        }
    }
    if (Lower(upgrade) != "websocket" || !HasToken(connection, "upgrade") || key.size() != 24)
    {
        return Refuse("400 Bad Request", "not a WebSocket upgrade request", down);
    }
    if (version != "13")
    {
        return Refuse("426 Upgrade Required", "WebSocket version '" + version + "' (need 13)", down);
    }
    if (!HasToken(protocols, "mqtt"))
    {
        return Refuse("400 Bad Request",
                      "the client does not offer the subprotocol mqtt (offered: '" + protocols +
                          "')",
                      down);
    }
    std::string response = "HTTP/1.1 101 Switching Protocols\r\n"
                           "Upgrade: websocket\r\n"
                           "Connection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: " +
                           WebSocketAcceptKey(key) +
                           "\r\n"
                           "Sec-WebSocket-Protocol: mqtt\r\n\r\n";
    down.insert(down.end(), response.begin(), response.end());
    m_open = true;
    if (!m_early.empty())
    {
        std::vector<uint8_t> early;
        early.swap(m_early);
        Send(early.data(), early.size(), down);
    }
    return MqttStreamStatus::Ok;
}

MqttStreamStatus
MqttWebSocketLayer::Frames(const uint8_t* data,
                           std::size_t size,
                           std::vector<uint8_t>& up,
                           std::vector<uint8_t>& down)
{
    if (m_closeSent)
    {
        return MqttStreamStatus::Closed;
    }
    MqttWebSocketDecoder::Output out;
    bool ok = m_decoder.Feed(data, size, out);
    up.insert(up.end(), out.data.begin(), out.data.end());
    for (auto& [opcode, payload] : out.control)
    {
        if (opcode == WsOpcode::Ping)
        {
            std::vector<uint8_t> pong =
                EncodeWebSocketFrame(WsOpcode::Pong, payload.data(), payload.size());
            down.insert(down.end(), pong.begin(), pong.end());
        }
        else if (opcode == WsOpcode::Close)
        {
            // Echo the status code (RFC 6455 5.5.1), then the stream ends.
            payload.resize(std::min<std::size_t>(payload.size(), 2));
            SendClose(payload, down);
            return MqttStreamStatus::Closed;
        }
    }
    if (!ok)
    {
        m_error = m_decoder.Error();
        SendClose(WebSocketClosePayload(m_decoder.ErrorCode()), down);
        return MqttStreamStatus::Failed;
    }
    return MqttStreamStatus::Ok;
}

void
MqttWebSocketLayer::SendClose(const std::vector<uint8_t>& payload, std::vector<uint8_t>& down)
{
    if (!m_closeSent)
    {
        m_closeSent = true;
        std::vector<uint8_t> frame =
            EncodeWebSocketFrame(WsOpcode::Close, payload.data(), payload.size());
        down.insert(down.end(), frame.begin(), frame.end());
    }
}

MqttStreamStatus
MqttWebSocketLayer::Send(const uint8_t* data, std::size_t size, std::vector<uint8_t>& down)
{
    if (!m_open)
    {
        m_early.insert(m_early.end(), data, data + size);
        return MqttStreamStatus::Ok;
    }
    if (m_closeSent || size == 0)
    {
        return MqttStreamStatus::Ok;
    }
    std::vector<uint8_t> frame = EncodeWebSocketFrame(WsOpcode::Binary, data, size);
    down.insert(down.end(), frame.begin(), frame.end());
    return MqttStreamStatus::Ok;
}

void
MqttWebSocketLayer::Close(std::vector<uint8_t>& down)
{
    if (m_open)
    {
        SendClose(WebSocketClosePayload(WsCloseCode::Normal), down);
    }
}

bool
MqttWebSocketLayer::IsOpen() const
{
    return m_open;
}

const std::string&
MqttWebSocketLayer::Error() const
{
    return m_error;
}

} // namespace mqtt
} // namespace ns3
