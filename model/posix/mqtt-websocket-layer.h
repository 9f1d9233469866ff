/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The server side of MQTT over WebSocket (RFC 6455, subprotocol "mqtt") as a stream layer.
 */
#ifndef MQTT_WEBSOCKET_LAYER_H
#define MQTT_WEBSOCKET_LAYER_H

#include "mqtt-stream-layer.h"
#include "mqtt-websocket-frame.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + the RFC 6455 GUID)). */
std::string WebSocketAcceptKey(const std::string& key);

/**
 * Answers the opening HTTP request (101 with Sec-WebSocket-Protocol: mqtt; 400 or 426 for a
 * request that is not a WebSocket upgrade offering "mqtt", then Failed), then carries MQTT in
 * binary frames: what the client sends is unmasked and handed up, what the server sends goes
 * out as one unmasked binary frame per Send(). Pings get pongs, a close gets a close back and
 * ends the stream; a protocol violation is answered with a close frame (1002, 1003 or 1009).
 */
class MqttWebSocketLayer : public MqttStreamLayer
{
  public:
    /** The opening request may be this long at most. */
    static constexpr std::size_t MAX_REQUEST = 8 * 1024;
    /** Frames may carry this much at most: the largest MQTT packet (256 MiB) and its header. */
    static constexpr uint64_t DEFAULT_MAX_FRAME = 268435455 + 5;

    explicit MqttWebSocketLayer(uint64_t maxFrame = DEFAULT_MAX_FRAME);

    MqttStreamStatus Receive(const uint8_t* data,
                             std::size_t size,
                             std::vector<uint8_t>& up,
                             std::vector<uint8_t>& down) override;
    MqttStreamStatus Send(const uint8_t* data,
                          std::size_t size,
                          std::vector<uint8_t>& down) override;
    void Close(std::vector<uint8_t>& down) override;
    bool IsOpen() const override;
    const std::string& Error() const override;

  private:
    /** Answers the opening request once it is complete; consumes it from m_request. */
    MqttStreamStatus Upgrade(std::vector<uint8_t>& down, std::size_t end);
    MqttStreamStatus Refuse(const char* status, const std::string& why, std::vector<uint8_t>& down);
    MqttStreamStatus Frames(const uint8_t* data,
                            std::size_t size,
                            std::vector<uint8_t>& up,
                            std::vector<uint8_t>& down);
    void SendClose(const std::vector<uint8_t>& payload, std::vector<uint8_t>& down);

    MqttWebSocketDecoder m_decoder;
    std::string m_request;
    bool m_open = false;
    bool m_closeSent = false;
    std::vector<uint8_t> m_early;
    std::string m_error;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_WEBSOCKET_LAYER_H
