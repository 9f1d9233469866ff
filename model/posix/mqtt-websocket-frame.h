/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * RFC 6455 framing for MQTT over WebSocket: bytes in, frames out, no I/O.
 */
#ifndef MQTT_WEBSOCKET_FRAME_H
#define MQTT_WEBSOCKET_FRAME_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** Frame opcodes (RFC 6455 section 5.2). */
enum class WsOpcode : uint8_t
{
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

/** Close status codes (RFC 6455 section 7.4.1) the MQTT endpoint uses. */
enum class WsCloseCode : uint16_t
{
    Normal = 1000,
    ProtocolError = 1002,
    UnsupportedData = 1003, //!< a text frame: MQTT travels in binary frames only
    TooBig = 1009,
};

/**
 * One frame, FIN set unless @p fin is false, masked with @p mask when given (a client's frames
 * are masked, a server's are not).
 */
std::vector<uint8_t> EncodeWebSocketFrame(WsOpcode opcode,
                                          const uint8_t* payload,
                                          std::size_t size,
                                          std::optional<std::array<uint8_t, 4>> mask = {},
                                          bool fin = true);

/** A close frame's payload: the status code, big-endian. */
std::vector<uint8_t> WebSocketClosePayload(WsCloseCode code);

/**
 * Decodes the frames of one direction as bytes arrive, in any pieces. The payload of binary
 * frames (and their continuations) is handed on as it arrives, unmasked, without waiting for the
 * end of a frame: MQTT is a byte stream, so frame and message boundaries do not matter to it.
 * Control frames (ping, pong, close) are collected whole, in order.
 */
class MqttWebSocketDecoder
{
  public:
    /** What Feed() found. */
    struct Output
    {
        /** Payload bytes of binary messages, unmasked. */
        std::vector<uint8_t> data;
        /** Control frames in order of arrival: opcode and payload. */
        std::vector<std::pair<WsOpcode, std::vector<uint8_t>>> control;
    };

    /**
     * @param masked whether frames must be masked (a server decoding a client: RFC 6455 5.1)
     * @param maxFrame the largest frame payload accepted (1009 beyond)
     */
    MqttWebSocketDecoder(bool masked, uint64_t maxFrame);

    /** Decodes @p data; false on a violation (then Error() and ErrorCode(); stop feeding). */
    bool Feed(const uint8_t* data, std::size_t size, Output& out);

    const std::string& Error() const;
    WsCloseCode ErrorCode() const;

  private:
    bool Fail(WsCloseCode code, std::string why);
    /** Checks a complete header (m_header) and starts its payload. */
    bool StartFrame();

    bool m_masked;
    uint64_t m_maxFrame;
    /** Header bytes collected so far (2 to 14). */
    std::vector<uint8_t> m_header;
    bool m_inPayload = false;
    WsOpcode m_opcode = WsOpcode::Continuation;
    bool m_fin = false;
    uint64_t m_remaining = 0;
    std::array<uint8_t, 4> m_mask{};
    bool m_hasMask = false;
    uint64_t m_maskOffset = 0;
    /** A fragmented binary message is in progress (continuations expected). */
    bool m_fragmented = false;
    /** A control frame's payload being collected. */
    std::vector<uint8_t> m_control;
    std::string m_error;
    WsCloseCode m_errorCode = WsCloseCode::ProtocolError;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_WEBSOCKET_FRAME_H
