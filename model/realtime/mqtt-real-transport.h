/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * An MQTT connection of an ns-3 application over a real TCP socket (hardware in the loop).
 */
#ifndef MQTT_REAL_TRANSPORT_H
#define MQTT_REAL_TRANSPORT_H

#include "mqtt-posix-endpoint.h"
#include "mqtt-realtime-bridge.h"
#include "mqtt-transport.h"

namespace ns3
{
namespace mqtt
{

/**
 * A transport on a real socket of the MqttRealtimeBridge: the simulated broker serving a real
 * client, or a simulated client talking to a real broker. Needs the real-time simulator.
 */
class MqttRealTransport : public MqttTransportBase
{
  public:
    /** Wraps a connection a bridge listener accepted. */
    MqttRealTransport(ConnectionId id,
                      MqttRealtimeBridge::Handle handle,
                      const Address& peer,
                      MqttTransportCallbacks callbacks);
    ~MqttRealTransport() override;

    /** Opens a real connection to @p peer (over TLS and/or WebSocket with @p streams),
     * reported in node context @p context. */
    static Ptr<MqttRealTransport> Connect(ConnectionId id,
                                          uint32_t context,
                                          const MqttPosixEndpoint& peer,
                                          MqttTransportCallbacks callbacks,
                                          MqttClientStreamOptions streams = {});

    void Send(const uint8_t* data, std::size_t size) override;
    void Close() override;
    void CloseDiscardingUnsent() override;
    void Abort() override;
    void SetReadPaused(bool paused) override;
    std::size_t PendingBytes() const override;

  private:
    MqttRealTransport(ConnectionId id, const Address& peer, MqttTransportCallbacks callbacks);

    MqttRealtimeBridge::Sink MakeSink();
    void HandleConnected();
    void HandleConnectFailed();
    void HandleData(const uint8_t* data, std::size_t size);
    /** The I/O thread wrote some of what was pending: the owner hears the new amount. */
    void HandleWritten();
    void HandleClosed(bool error);

    Ptr<MqttRealtimeBridge> m_bridge;
    MqttRealtimeBridge::Handle m_handle = 0;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_REAL_TRANSPORT_H
