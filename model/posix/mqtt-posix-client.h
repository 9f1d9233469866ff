/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The client engine on a real socket: one MQTT client connected to a real broker.
 */
#ifndef MQTT_POSIX_CLIENT_H
#define MQTT_POSIX_CLIENT_H

#include "mqtt-action.h"
#include "mqtt-client-engine.h"
#include "mqtt-posix-endpoint.h"
#include "mqtt-posix-output-buffer.h"
#include "mqtt-posix-reactor.h"
#include "mqtt-posix-timer-queue.h"
#include "mqtt-stream-layer.h"
#include "mqtt-tls.h"
#include "mqtt-websocket-layer.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/**
 * Drives one MqttClientEngine over non-blocking TCP on its own epoll instance, with
 * CLOCK_MONOTONIC as engine time. Not thread-safe: the application calls (Connect, Publish, ...)
 * and RunOnce()/RunUntil() belong to one thread. The engine decides when to open, close and
 * reopen the transport (OpenConnectionAction, CloseAction); this class carries it out and reports
 * back OnTransportConnected / OnTransportFailed / OnBytes / OnTransportClosed.
 */
class MqttPosixClient
{
  public:
    using EventCallback = std::function<void(const MqttEvent& event)>;

    MqttPosixClient(MqttClientConfig config, MqttPosixEndpoint broker);
    ~MqttPosixClient();
    MqttPosixClient(const MqttPosixClient&) = delete;
    MqttPosixClient& operator=(const MqttPosixClient&) = delete;

    /** Called for every engine notification, in order. */
    void SetEventCallback(EventCallback callback);

    /**
     * Speaks MQTT over TLS with @p tls (a client context: CA, certificate, key, SNI, ALPN) from
     * the next connection on. Reconnections resume the last TLS session when the broker allows.
     */
    void SetTls(std::shared_ptr<MqttTlsContext> tls);

    /**
     * Speaks MQTT over WebSocket (RFC 6455, subprotocol "mqtt": a broker's ws:// or, with
     * SetTls, wss:// listener) from the next connection on, opening with a request for
     * @p options.
     */
    void SetWebSocket(MqttWebSocketClientOptions options);

    /** Whether the current connection resumed a TLS session (false without TLS). */
    bool TlsResumed() const;

    void Connect();
    uint64_t Publish(const std::string& topic, std::vector<uint8_t> payload, Qos qos, bool retain);
    void Subscribe(std::vector<TopicRequest> topics);
    /** 5.0: SUBSCRIBE with properties (a Subscription Identifier, User Properties). */
    void Subscribe(std::vector<TopicRequest> topics, Properties properties);
    void Unsubscribe(std::vector<std::string> filters);
    void Disconnect();
    /** 5.0: DISCONNECT with @p reason (0x04: the broker publishes the will). */
    void Disconnect(ReasonCode reason);
    /**
     * 5.0: DISCONNECT that sets the Session Expiry Interval; false (nothing sent) when the engine
     * refuses it (MqttClientEngine::Disconnect).
     */
    bool Disconnect(ReasonCode reason, uint32_t sessionExpiryInterval);
    /** 5.0: re-authenticates with the config's authMethod (AUTH 0x19); false if it cannot. */
    bool Reauthenticate();

    /** Waits at most @p maxWait for I/O or a timer and handles what happened. */
    void RunOnce(Nanos maxWait);

    /** Runs until @p done() holds (checked after each wakeup) or @p timeout passes. */
    bool RunUntil(const std::function<bool()>& done, Nanos timeout);

    ClientState State() const;
    MqttClientEngine& Engine();
    /** The last transport error (connect or I/O), for messages. */
    const std::string& LastError() const;

  private:
    /** Transport outcomes found while carrying out actions, reported to the engine after. */
    enum class Pending : uint8_t
    {
        None,
        Connected,
        Failed,
        Closed,
    };

    /** Carries out the engine's actions of m_actions. */
    void Apply();
    /** Opens the transport (OpenConnectionAction), closing an earlier one. */
    void Open();
    void Dispatch();
    void Flush();
    void Read();
    /** Handles readiness of the socket (connect finished, bytes, end of stream). */
    void HandleReady(uint32_t events);
    void CloseSocket();
    /** Turns application bytes into wire bytes (through TLS when on) and queues them. */
    void Queue(const uint8_t* data, std::size_t size);
    /** The connection is up: starts TLS (when on), then tells the engine. */
    void Connected();
    /** The transport broke: @p why is kept for LastError(). */
    void Broken(const std::string& why);
    void SetInterest(uint32_t events);

    MqttClientEngine m_engine;
    MqttPosixEndpoint m_broker;
    MqttPosixReactor m_reactor;
    int m_fd = -1;
    bool m_connecting = false;
    uint32_t m_interest = 0;
    MqttPosixOutputBuffer m_out;
    MqttPosixTimerQueue m_timers;
    MqttActions m_actions;
    std::vector<Pending> m_pending;
    std::vector<uint8_t> m_readBuffer;
    EventCallback m_eventCallback;
    std::string m_lastError;
    std::shared_ptr<MqttTlsContext> m_tls;
    std::optional<MqttWebSocketClientOptions> m_webSocket;
    /** The layers of the current connection (null for plain MQTT over TCP). */
    std::unique_ptr<MqttStreamStack> m_stream;
    MqttTlsLayer* m_tlsLayer = nullptr;
    MqttTlsLayer::Session m_session;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_POSIX_CLIENT_H
