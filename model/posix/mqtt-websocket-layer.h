/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT over WebSocket (RFC 6455, subprotocol "mqtt") as a stream layer, server or client side.
 */
#ifndef MQTT_WEBSOCKET_LAYER_H
#define MQTT_WEBSOCKET_LAYER_H

#include "mqtt-stream-layer.h"
#include "mqtt-websocket-frame.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + the RFC 6455 GUID)). */
std::string WebSocketAcceptKey(const std::string& key);

/** What a client's opening request names: the Host header and the path of the ws:// URL. */
struct MqttWebSocketClientOptions
{
    /** The Host header: "broker.example.com" or "broker.example.com:8080". */
    std::string host;
    /** The request target, e.g. "/mqtt" (mosquitto accepts any path). */
    std::string path = "/mqtt";
};

/**
 * The server side (a broker's --ws-listen / --wss-listen):
 * answers the opening HTTP request (101 with Sec-WebSocket-Protocol: mqtt; 400 or 426 for a
 * request that is not a WebSocket upgrade offering "mqtt", then Failed), then carries MQTT in
 * binary frames: what the client sends is unmasked and handed up, what the server sends goes
 * out as one unmasked binary frame per Send(). Pings get pongs, a close gets a close back and
 * ends the stream; a protocol violation is answered with a close frame (1002, 1003 or 1009).
 *
 * The client side (the POSIX client and the real-time bridge reaching a broker at ws:// or
 * wss://): Start() sends the opening request (a random Sec-WebSocket-Key, subprotocol "mqtt"),
 * the answer must be 101 with the matching Sec-WebSocket-Accept and "mqtt", else Failed; what
 * the client sends goes out in binary frames masked with a fresh random key each (RFC 6455
 * section 5.3), and the server's frames must come unmasked. One framing code serves both sides.
 */
class MqttWebSocketLayer : public MqttStreamLayer
{
  public:
    /** The opening request may be this long at most. */
    static constexpr std::size_t MAX_REQUEST = 8 * 1024;
    /** Frames may carry this much at most: the largest MQTT packet (256 MiB) and its header. */
    static constexpr uint64_t DEFAULT_MAX_FRAME = 268435455 + 5;

    /** The server side. */
    explicit MqttWebSocketLayer(uint64_t maxFrame = DEFAULT_MAX_FRAME);
    /** The client side, opening with a request for @p client. */
    explicit MqttWebSocketLayer(MqttWebSocketClientOptions client,
                                uint64_t maxFrame = DEFAULT_MAX_FRAME);

    /** Client: the opening request into @p down. A server does nothing here. */
    MqttStreamStatus Start(std::vector<uint8_t>& down) override;

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
    /** Client: checks the server's answer once it is complete; consumes it from m_request. */
    MqttStreamStatus Answered(std::vector<uint8_t>& down, std::size_t end);
    /** The connection is open: what was sent before goes out now. */
    void Opened(std::vector<uint8_t>& down);
    /** One frame of ours: a client masks it (RFC 6455 section 5.3), a server does not. */
    std::vector<uint8_t> Frame(WsOpcode opcode, const uint8_t* data, std::size_t size) const;
    /** Server: answers @p status and fails; client: fails. */
    MqttStreamStatus Refuse(const char* status, const std::string& why, std::vector<uint8_t>& down);
    MqttStreamStatus Failed(const std::string& why);
    MqttStreamStatus Frames(const uint8_t* data,
                            std::size_t size,
                            std::vector<uint8_t>& up,
                            std::vector<uint8_t>& down);
    void SendClose(const std::vector<uint8_t>& payload, std::vector<uint8_t>& down);

    /** Set on the client side. */
    std::optional<MqttWebSocketClientOptions> m_client;
    /** Client: the Sec-WebSocket-Key it sent. */
    std::string m_key;
    MqttWebSocketDecoder m_decoder;
    /** The opening request (server) or its answer (client), until complete. */
    std::string m_request;
    bool m_open = false;
    bool m_closeSent = false;
    std::vector<uint8_t> m_early;
    std::string m_error;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_WEBSOCKET_LAYER_H
