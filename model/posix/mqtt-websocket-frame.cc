/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-websocket-frame.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

namespace
{
constexpr uint8_t FIN_BIT = 0x80;
constexpr uint8_t RSV_BITS = 0x70;
constexpr uint8_t OPCODE_BITS = 0x0F;
constexpr uint8_t MASK_BIT = 0x80;
constexpr uint8_t LENGTH_BITS = 0x7F;
/** Control frames carry at most 125 bytes (RFC 6455 5.5). */
constexpr uint64_t MAX_CONTROL = 125;

bool
IsControl(WsOpcode opcode)
{
    return (static_cast<uint8_t>(opcode) & 0x08) != 0;
}

/** The header length a frame needs, from its first two bytes. */
std::size_t
HeaderLength(uint8_t second)
{
    uint8_t length = second & LENGTH_BITS;
    std::size_t size = 2 + (length == 126 ? 2 : length == 127 ? 8 : 0);
    return size + ((second & MASK_BIT) != 0 ? 4 : 0);
}
} // namespace

std::vector<uint8_t>
EncodeWebSocketFrame(WsOpcode opcode,
                     const uint8_t* payload,
                     std::size_t size,
                     std::optional<std::array<uint8_t, 4>> mask,
                     bool fin)
{
    std::vector<uint8_t> frame;
    frame.reserve(size + 14);
    frame.push_back(static_cast<uint8_t>((fin ? FIN_BIT : 0) | static_cast<uint8_t>(opcode)));
    uint8_t maskBit = mask ? MASK_BIT : 0;
    if (size < 126)
    {
        frame.push_back(static_cast<uint8_t>(maskBit | size));
    }
    else if (size <= 0xFFFF)
    {
        frame.push_back(maskBit | 126);
        frame.push_back(static_cast<uint8_t>(size >> 8));
        frame.push_back(static_cast<uint8_t>(size));
    }
    else
    {
        frame.push_back(maskBit | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
        {
            frame.push_back(static_cast<uint8_t>(static_cast<uint64_t>(size) >> shift));
        }
    }
    if (mask)
    {
        frame.insert(frame.end(), mask->begin(), mask->end());
    }
    for (std::size_t i = 0; i < size; ++i)
    {
        frame.push_back(mask ? static_cast<uint8_t>(payload[i] ^ (*mask)[i % 4]) : payload[i]);
    }
    return frame;
}

std::vector<uint8_t>
WebSocketClosePayload(WsCloseCode code)
{
    auto value = static_cast<uint16_t>(code);
    return {static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)};
}

MqttWebSocketDecoder::MqttWebSocketDecoder(bool masked, uint64_t maxFrame)
    : m_masked(masked),
      m_maxFrame(maxFrame)
{
}

const std::string&
MqttWebSocketDecoder::Error() const
{
    return m_error;
}

WsCloseCode
MqttWebSocketDecoder::ErrorCode() const
{
    return m_errorCode;
}

bool
MqttWebSocketDecoder::Fail(WsCloseCode code, std::string why)
{
    m_errorCode = code;
    m_error = "WebSocket: " + why;
    return false;
}

bool
MqttWebSocketDecoder::StartFrame()
{
    uint8_t first = m_header[0];
    uint8_t second = m_header[1];
    if ((first & RSV_BITS) != 0)
    {
        return Fail(WsCloseCode::ProtocolError, "reserved bits set (no extension was agreed)");
    }
    m_fin = (first & FIN_BIT) != 0;
    m_opcode = static_cast<WsOpcode>(first & OPCODE_BITS);
    m_hasMask = (second & MASK_BIT) != 0;
    if (m_hasMask != m_masked)
    {
        return Fail(WsCloseCode::ProtocolError,
                    m_masked ? "a client frame without a mask" : "a masked server frame");
    }
    uint64_t length = second & LENGTH_BITS;
    std::size_t at = 2;
    if (length == 126)
    {
        length = (uint64_t{m_header[2]} << 8) | m_header[3];
        at = 4;
    }
    else if (length == 127)
    {
        length = 0;
        for (std::size_t i = 2; i < 10; ++i)
        {
            length = (length << 8) | m_header[i];
        }
        if ((length >> 63) != 0)
        {
            return Fail(WsCloseCode::ProtocolError, "a 64-bit length with its top bit set");
        }
        at = 10;
    }
    if (m_hasMask)
    {
        for (std::size_t i = 0; i < 4; ++i)
        {
            m_mask[i] = m_header[at + i];
        }
    }
    switch (m_opcode)
    {
    case WsOpcode::Close:
    case WsOpcode::Ping:
    case WsOpcode::Pong:
        if (!m_fin || length > MAX_CONTROL)
        {
            return Fail(WsCloseCode::ProtocolError,
                        "a fragmented control frame or one of more than 125 bytes");
        }
        break;
    case WsOpcode::Binary:
        if (m_fragmented)
        {
            return Fail(WsCloseCode::ProtocolError,
                        "a new message before the fragmented one ended");
        }
        m_fragmented = !m_fin;
        break;
    case WsOpcode::Continuation:
        if (!m_fragmented)
        {
            return Fail(WsCloseCode::ProtocolError, "a continuation frame with nothing to continue");
        }
        m_fragmented = !m_fin;
        break;
    case WsOpcode::Text:
        return Fail(WsCloseCode::UnsupportedData, "a text frame (MQTT needs binary frames)");
    default:
        return Fail(WsCloseCode::ProtocolError,
                    "unknown opcode " + std::to_string(first & OPCODE_BITS));
    }
    if (length > m_maxFrame)
    {
        return Fail(WsCloseCode::TooBig,
                    "a frame of " + std::to_string(length) + " bytes (limit " +
                        std::to_string(m_maxFrame) + ")");
    }
    m_remaining = length;
    m_maskOffset = 0;
    m_inPayload = true;
    m_control.clear();
    return true;
}

bool
MqttWebSocketDecoder::Feed(const uint8_t* data, std::size_t size, Output& out)
{
    std::size_t i = 0;
    while (i < size || (m_inPayload && m_remaining == 0))
    {
        if (!m_inPayload)
        {
            m_header.push_back(data[i++]);
            if (m_header.size() < 2 || m_header.size() < HeaderLength(m_header[1]))
            {
                continue;
            }
            if (!StartFrame())
            {
                return false;
            }
            m_header.clear();
        }
        std::size_t take = static_cast<std::size_t>(
            std::min<uint64_t>(m_remaining, static_cast<uint64_t>(size - i)));
        bool control = IsControl(m_opcode);
        std::vector<uint8_t>& sink = control ? m_control : out.data;
        for (std::size_t k = 0; k < take; ++k)
        {
            uint8_t byte = data[i + k];
            if (m_hasMask)
            {
                byte ^= m_mask[m_maskOffset++ % 4];
            }
            sink.push_back(byte);
        }
        i += take;
        m_remaining -= take;
        if (m_remaining == 0)
        {
            if (control)
            {
                out.control.emplace_back(m_opcode, std::move(m_control));
                m_control.clear();
            }
            m_inPayload = false;
        }
    }
    return true;
}

} // namespace mqtt
} // namespace ns3
