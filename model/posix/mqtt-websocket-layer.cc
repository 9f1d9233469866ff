/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-websocket-layer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

#include <openssl/evp.h>
#include <openssl/rand.h>

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

/** An HTTP head (request or status line, then header lines): the first line and the headers by
 * lower-case name (a repeated header's values joined with commas). */
struct Head
{
    std::string first;
    std::map<std::string, std::string> fields;

    std::string
    Field(const std::string& name) const
    {
        auto it = fields.find(name);
        return it == fields.end() ? std::string() : it->second;
    }
};

Head
ParseHead(const std::string& head)
{
    Head out;
    std::size_t lineEnd = head.find("\r\n");
    out.first = head.substr(0, lineEnd);
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
        std::string& value = out.fields[Lower(Trim(line.substr(0, colon)))];
        value += (value.empty() ? "" : ",") + Trim(line.substr(colon + 1));
    }
    return out;
}

/** @p n random bytes from OpenSSL's generator (a client's key and masks must be unpredictable,
 * RFC 6455 sections 4.1 and 5.3). */
template <std::size_t N>
std::array<uint8_t, N>
RandomBytes()
{
    std::array<uint8_t, N> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(N)) != 1)
    {
        // Without entropy a client cannot mask safely; the zero mask still frames correctly.
        bytes.fill(0);
    }
    return bytes;
}

std::string
Base64(const uint8_t* data, std::size_t size)
{
    std::vector<unsigned char> encoded(4 * ((size + 2) / 3) + 1);
    int n = EVP_EncodeBlock(encoded.data(), data, static_cast<int>(size));
    return std::string(reinterpret_cast<const char*>(encoded.data()), static_cast<std::size_t>(n));
}
} // namespace

std::string
WebSocketAcceptKey(const std::string& key)
{
    std::string input = key + WS_GUID;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha1(), nullptr);
    return Base64(digest, length);
}

MqttWebSocketLayer::MqttWebSocketLayer(uint64_t maxFrame)
    : m_decoder(true, maxFrame)
{
}

MqttWebSocketLayer::MqttWebSocketLayer(MqttWebSocketClientOptions client, uint64_t maxFrame)
    : m_client(std::move(client)),
      m_decoder(false, maxFrame)
{
}

MqttStreamStatus
MqttWebSocketLayer::Start(std::vector<uint8_t>& down)
{
    if (!m_client || !m_key.empty())
    {
        return MqttStreamStatus::Ok;
    }
    auto nonce = RandomBytes<16>();
    m_key = Base64(nonce.data(), nonce.size());
    std::string request = "GET " + m_client->path +
                          " HTTP/1.1\r\n"
                          "Host: " +
                          m_client->host +
                          "\r\n"
                          "Upgrade: websocket\r\n"
                          "Connection: Upgrade\r\n"
                          "Sec-WebSocket-Key: " +
                          m_key +
                          "\r\n"
                          "Sec-WebSocket-Version: 13\r\n"
                          "Sec-WebSocket-Protocol: mqtt\r\n\r\n";
    down.insert(down.end(), request.begin(), request.end());
    return MqttStreamStatus::Ok;
}

std::vector<uint8_t>
MqttWebSocketLayer::Frame(WsOpcode opcode, const uint8_t* data, std::size_t size) const
{
    if (m_client)
    {
        return EncodeWebSocketFrame(opcode, data, size, RandomBytes<4>());
    }
    return EncodeWebSocketFrame(opcode, data, size);
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
    MqttStreamStatus status = m_client ? Answered(down, end) : Upgrade(down, end);
    if (status != MqttStreamStatus::Ok || rest.empty())
    {
        return status;
    }
    return Frames(reinterpret_cast<const uint8_t*>(rest.data()), rest.size(), up, down);
}

MqttStreamStatus
MqttWebSocketLayer::Refuse(const char* status, const std::string& why, std::vector<uint8_t>& down)
{
    if (!m_client)
    {
        std::string response = std::string("HTTP/1.1 ") + status +
                               "\r\nConnection: close\r\nSec-WebSocket-Version: 13\r\n"
                               "Content-Length: 0\r\n\r\n";
        down.insert(down.end(), response.begin(), response.end());
    }
    return Failed(why);
}

MqttStreamStatus
MqttWebSocketLayer::Failed(const std::string& why)
{
    m_error = "WebSocket: " + why;
    return MqttStreamStatus::Failed;
}

MqttStreamStatus
MqttWebSocketLayer::Upgrade(std::vector<uint8_t>& down, std::size_t end)
{
    Head head = ParseHead(m_request.substr(0, end));
    m_request.clear();
    const std::string& requestLine = head.first;
    if (requestLine.rfind("GET ", 0) != 0 || requestLine.find(" HTTP/1.1") == std::string::npos)
    {
        return Refuse("400 Bad Request", "not an HTTP/1.1 GET: '" + requestLine + "'", down);
    }
    std::string upgrade = head.Field("upgrade");
    std::string connection = head.Field("connection");
    std::string key = head.Field("sec-websocket-key");
    std::string version = head.Field("sec-websocket-version");
    std::string protocols = head.Field("sec-websocket-protocol");
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
    Opened(down);
    return MqttStreamStatus::Ok;
}

MqttStreamStatus
MqttWebSocketLayer::Answered(std::vector<uint8_t>& down, std::size_t end)
{
    Head head = ParseHead(m_request.substr(0, end));
    m_request.clear();
    if (head.first.rfind("HTTP/1.1 101", 0) != 0)
    {
        return Failed("the broker refused the upgrade: '" + head.first + "'");
    }
    if (Lower(head.Field("upgrade")) != "websocket" ||
        !HasToken(head.Field("connection"), "upgrade"))
    {
        return Failed("the broker's 101 is not a WebSocket upgrade");
    }
    if (head.Field("sec-websocket-accept") != WebSocketAcceptKey(m_key))
    {
        return Failed("Sec-WebSocket-Accept does not match our key");
    }
    if (Lower(head.Field("sec-websocket-protocol")) != "mqtt")
    {
        return Failed("the broker did not select the subprotocol mqtt (it said '" +
                      head.Field("sec-websocket-protocol") + "')");
    }
    Opened(down);
    return MqttStreamStatus::Ok;
}

void
MqttWebSocketLayer::Opened(std::vector<uint8_t>& down)
{
    m_open = true;
    if (!m_early.empty())
    {
        std::vector<uint8_t> early;
        early.swap(m_early);
        Send(early.data(), early.size(), down);
    }
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
            std::vector<uint8_t> pong = Frame(WsOpcode::Pong, payload.data(), payload.size());
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
        std::vector<uint8_t> frame = Frame(WsOpcode::Close, payload.data(), payload.size());
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
    std::vector<uint8_t> frame = Frame(WsOpcode::Binary, data, size);
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
