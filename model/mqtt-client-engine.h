/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The MQTT 3.1.1 client as an I/O-free engine.
 */
#ifndef MQTT_CLIENT_ENGINE_H
#define MQTT_CLIENT_ENGINE_H

#include "mqtt-action.h"
#include "mqtt-client-config.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** The client's connection state machine (reported with EventType::StateChanged). */
enum class ClientState : uint8_t
{
    Idle = 0,          //!< not started, or stopped
    Connecting,        //!< asked the driver to open the transport
    AwaitingConnack,   //!< CONNECT sent
    Connected,         //!< CONNACK 0 received
    Disconnecting,     //!< DISCONNECT sent; closing
    WaitingToReconnect //!< backing off before the next attempt
};

const char* ClientStateName(ClientState state);

/**
 * One MQTT client. The driver opens the transport when told (OpenConnectionAction) and reports
 * OnTransportConnected / OnTransportFailed / OnBytes / OnTransportClosed / OnTimer. The
 * application calls Connect, Subscribe, Publish, Unsubscribe and Disconnect; requests made while
 * not connected are kept and sent (QoS > 0 publishes in order, within the in-flight window) once
 * the session is up.
 */
class MqttClientEngine
{
  public:
    /** Returns a uniform random number in [0, 1); used for reconnect jitter. */
    using UniformSource = std::function<double()>;

    /**
     * @param uniform the random source for jitter; empty means a generator seeded with
     *        config.seed, so a seed reproduces the run.
     */
    explicit MqttClientEngine(MqttClientConfig config, UniformSource uniform = {});
    ~MqttClientEngine();
    MqttClientEngine(const MqttClientEngine&) = delete;
    MqttClientEngine& operator=(const MqttClientEngine&) = delete;

    /** Starts connecting (and keeps reconnecting per the config until Disconnect()). */
    void Connect(Nanos now, MqttActions& out);

    void OnTransportConnected(Nanos now, MqttActions& out);
    void OnTransportFailed(Nanos now, MqttActions& out);
    void OnBytes(const uint8_t* data, std::size_t size, Nanos now, MqttActions& out);
    void OnTransportClosed(Nanos now, MqttActions& out);
    void OnTimer(TimerId timer, Nanos now, MqttActions& out);

    /**
     * Publishes a message. QoS 0 messages made while not connected are dropped (and reported);
     * QoS 1 and 2 messages are kept until acknowledged, across reconnects of a persistent
     * session. @return a local identity of this publish, carried in its events.
     */
    uint64_t Publish(const std::string& topic,
                     std::vector<uint8_t> payload,
                     Qos qos,
                     bool retain,
                     Nanos now,
                     MqttActions& out);

    void Subscribe(std::vector<TopicRequest> topics, Nanos now, MqttActions& out);
    void Unsubscribe(std::vector<std::string> filters, Nanos now, MqttActions& out);

    /** Sends DISCONNECT (if connected), closes, and stops reconnecting [MQTT-3.14.4-1]. */
    void Disconnect(Nanos now, MqttActions& out);

    ClientState State() const;
    const MqttClientConfig& Config() const;
    /** The client id in use (the broker may not assign one in 3.1.1, so this is the config's). */
    const std::string& ClientId() const;
    /** QoS 1/2 publishes sent or waiting to be sent and not yet fully acknowledged. */
    std::size_t PendingPublishes() const;

  private:
    class Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_CLIENT_ENGINE_H
