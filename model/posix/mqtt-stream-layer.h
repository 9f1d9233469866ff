/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A layer between a socket and an MQTT engine (TLS, WebSocket): bytes in, bytes out, no I/O.
 * The standalone broker, the POSIX client and the real-time bridge all carry their connections'
 * bytes through an MqttStreamStack of these, so TLS and WebSocket are written once for all three.
 */
#ifndef MQTT_STREAM_LAYER_H
#define MQTT_STREAM_LAYER_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** What a layer made of the bytes it was given. */
enum class MqttStreamStatus : uint8_t
{
    Ok,     //!< carry on (more bytes may be needed: a partial record or frame is kept)
    Closed, //!< the peer ended this layer in order (TLS close_notify, WebSocket close)
    Failed, //!< a protocol error or a refused peer; Error() says which
};

/**
 * One protocol layer, driven with bytes only (memory in, memory out), so the socket code of every
 * driver stays as it is and the layer is tested without sockets. Layers keep what they cannot use
 * yet (half a TLS record, half a WebSocket frame, application bytes sent before the handshake
 * ended) and hand it on when they can.
 */
class MqttStreamLayer
{
  public:
    virtual ~MqttStreamLayer() = default;

    /** The connection is up: appends what this side says first (a ClientHello) to @p down. */
    virtual MqttStreamStatus Start(std::vector<uint8_t>& /* down */)
    {
        return MqttStreamStatus::Ok;
    }

    /**
     * Bytes from the peer (the layer below). Appends the application bytes they carry to @p up
     * and what this layer answers on its own (handshake messages, a pong) to @p down.
     */
    virtual MqttStreamStatus Receive(const uint8_t* data,
                                     std::size_t size,
                                     std::vector<uint8_t>& up,
                                     std::vector<uint8_t>& down) = 0;

    /** Application bytes: appends their form on the wire to @p down (later, if not open yet). */
    virtual MqttStreamStatus Send(const uint8_t* data,
                                  std::size_t size,
                                  std::vector<uint8_t>& down) = 0;

    /** Appends the orderly end of this layer (close_notify, a close frame) to @p down. */
    virtual void Close(std::vector<uint8_t>& down) = 0;

    /** Whether the handshake is done (application bytes flow). */
    virtual bool IsOpen() const = 0;

    /** Why the last call failed. */
    virtual const std::string& Error() const = 0;

    /** The identity the peer proved (a TLS client certificate's CN), if any. */
    virtual std::optional<std::string> PeerIdentity() const
    {
        return std::nullopt;
    }
};

/**
 * Layers stacked bottom (next to the socket) first: TLS, then WebSocket for wss. An empty stack
 * passes bytes through unchanged (plain MQTT over TCP).
 */
class MqttStreamStack
{
  public:
    void Push(std::unique_ptr<MqttStreamLayer> layer);
    bool Empty() const;

    /**
     * Wire bytes read from the socket: appends the application bytes to @p app and the bytes
     * the layers answer (already encoded by the layers below them) to @p wire.
     */
    MqttStreamStatus Receive(const uint8_t* data,
                             std::size_t size,
                             std::vector<uint8_t>& app,
                             std::vector<uint8_t>& wire);

    /** The connection is up: appends what the layers say first to @p wire. */
    MqttStreamStatus Start(std::vector<uint8_t>& wire);

    /** Application bytes to send: appends their wire form to @p wire. */
    MqttStreamStatus Send(const uint8_t* data, std::size_t size, std::vector<uint8_t>& wire);

    /** Ends every layer, top first: appends the wire bytes to @p wire. */
    void Close(std::vector<uint8_t>& wire);

    /** Whether every layer finished its handshake. */
    bool IsOpen() const;

    /** The error of the layer that failed last, named by the layer ("TLS: ..."). */
    const std::string& Error() const;

    /** The first identity a layer proved (the TLS client certificate's CN). */
    std::optional<std::string> PeerIdentity() const;

  private:
    /** Sends @p size bytes down through layers below @p level to @p wire. */
    MqttStreamStatus SendBelow(std::size_t level,
                               const uint8_t* data,
                               std::size_t size,
                               std::vector<uint8_t>& wire);
    MqttStreamStatus Fail(std::size_t level);

    std::vector<std::unique_ptr<MqttStreamLayer>> m_layers;
    std::string m_error;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_STREAM_LAYER_H
