/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker's state for one transport connection: its frame reader, where it is in the
 * CONNECT exchange, its keep-alive and its will.
 */
#ifndef MQTT_BROKER_CONNECTION_H
#define MQTT_BROKER_CONNECTION_H

#include "mqtt-action.h"
#include "mqtt-frame-reader.h"
#include "mqtt-packets.h"

#include <cstddef>
#include <optional>
#include <string>

namespace ns3
{
namespace mqtt
{

class MqttSession;

/** Where a connection is in its life. */
enum class BrokerConnectionState : uint8_t
{
    AwaitingConnect = 0, //!< transport open, no CONNECT yet [MQTT-3.1.0-1]
    Connected,           //!< CONNACK 0 sent; the session is attached
};

class MqttBrokerConnection
{
  public:
    MqttBrokerConnection(ConnectionId id, std::size_t maxPacketSize, Nanos openedAt);

    ConnectionId Id() const;
    MqttFrameReader& Reader();

    BrokerConnectionState State() const;
    void SetState(BrokerConnectionState state);

    /** The client id once CONNECT was accepted (assigned ones included). */
    const std::string& ClientId() const;
    void SetClientId(std::string clientId);

    const std::optional<std::string>& UserName() const;
    void SetUserName(std::optional<std::string> userName);

    /** The will to publish if the connection ends without DISCONNECT [MQTT-3.1.2-8]. */
    std::optional<Will>& StoredWill();

    MqttSession* Session() const;
    void SetSession(MqttSession* session);

    /** The connection's one timer: the CONNECT deadline, then keep-alive (0: none). */
    TimerId Timer() const;
    void SetTimer(TimerId timer);

    /** Time of the latest complete packet from the client. */
    Nanos LastActivity() const;
    void SetLastActivity(Nanos now);

    /** Silence after which the connection is dropped (0: keep-alive off). */
    Nanos KeepAlivePeriod() const;
    void SetKeepAlivePeriod(Nanos period);

    /** Keep-alive in seconds as finally applied (after the profile's clamp). */
    uint16_t KeepAliveSeconds() const;
    void SetKeepAliveSeconds(uint16_t seconds);

  private:
    ConnectionId m_id;
    MqttFrameReader m_reader;
    BrokerConnectionState m_state = BrokerConnectionState::AwaitingConnect;
    std::string m_clientId;
    std::optional<std::string> m_userName;
    std::optional<Will> m_will;
    MqttSession* m_session = nullptr;
    TimerId m_timer = 0;
    Nanos m_lastActivity;
    Nanos m_keepAlivePeriod{0};
    uint16_t m_keepAliveSeconds = 0;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_BROKER_CONNECTION_H
