/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The layers of a client's connection to a real broker, built one way for the POSIX client and
 * the real-time bridge: TLS next to the socket when asked, WebSocket above it when asked (ws://
 * is WebSocket alone, wss:// both, mqtts:// TLS alone).
 */
#ifndef MQTT_CLIENT_STREAMS_H
#define MQTT_CLIENT_STREAMS_H

#include "mqtt-stream-layer.h"
#include "mqtt-tls.h"
#include "mqtt-websocket-layer.h"

#include <memory>
#include <optional>

namespace ns3
{
namespace mqtt
{

/** How a client reaches its broker beyond plain TCP. */
struct MqttClientStreamOptions
{
    /** Implicit from a TLS context alone (mqtts://), as the callers that had only TLS pass it. */
    MqttClientStreamOptions(std::shared_ptr<MqttTlsContext> tlsContext = nullptr,
                            std::optional<MqttWebSocketClientOptions> ws = std::nullopt)
        : tls(std::move(tlsContext)),
          webSocket(std::move(ws))
    {
    }

    /** A client TLS context (CA, certificate, key, SNI, ALPN); null: no TLS. */
    std::shared_ptr<MqttTlsContext> tls;
    /** The WebSocket opening request; none: MQTT straight on TCP or TLS. */
    std::optional<MqttWebSocketClientOptions> webSocket;
};

/**
 * The stack for one connection (null for plain MQTT over TCP). @p tlsLayer, if given, is set to
 * the stack's TLS layer (or null), so that the caller can resume a session with it.
 */
std::unique_ptr<MqttStreamStack> MqttClientStreams(const MqttClientStreamOptions& options,
                                                   MqttTlsLayer** tlsLayer = nullptr);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_CLIENT_STREAMS_H
