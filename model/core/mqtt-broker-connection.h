/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker's state for one transport connection: its frame reader, where it is in the
 * CONNECT exchange, its keep-alive and its will.
 */
#ifndef MQTT_BROKER_CONNECTION_H
#define MQTT_BROKER_CONNECTION_H

#include "mqtt-action.h"
#include "mqtt-broker-v5-state.h"
#include "mqtt-frame-reader.h"
#include "mqtt-memory-budget.h"
#include "mqtt-message.h"
#include "mqtt-packets.h"
#include "mqtt-rate-limiter.h"

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

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

/** A packet the broker holds back until its release time (the profile's reorderJitter). */
struct HeldPacket
{
    enum class Kind : uint8_t
    {
        Publish, //!< a delivery; QoS 1/2 ones are in the session's in-flight list already
        Ack,     //!< a PUBACK or PUBREC to the publisher
    };
    Kind kind = Kind::Publish;
    MqttMessagePtr message;
    Qos qos = Qos::AtMostOnce;
    /** The delivery's in-flight id, or the id an Ack acknowledges. */
    uint16_t packetId = 0;
    bool retain = false;
    /** QoS 0: report MessageDelivered when written (not for a profile duplicate). */
    bool countDelivered = true;
    /** Ack: PacketType::Puback or PacketType::Pubrec. */
    PacketType ackType = PacketType::Puback;
};

/** Output held back, by (release time, arrival order). */
struct HeldOutput
{
    std::map<std::pair<Nanos, uint64_t>, HeldPacket> packets;
    uint64_t nextSeq = 0;
    /** The release timer (0: none) and its deadline. */
    TimerId timer = 0;
    Nanos timerAt{0};
    /** Held acknowledgements: inbound QoS 1/2 PUBLISHes not yet acknowledged. */
    uint32_t acks = 0;
};

/** Inbound rate limits of one connection (the profile's maxPublishRate, maxInboundBytesRate). */
struct InboundLimits
{
    MqttRateLimiter publishes;
    MqttRateLimiter bytes;
    /** Input is paused by the byte rate until this timer fires (0: not paused). */
    TimerId resumeTimer = 0;
    /**
     * Input is paused by back-pressure (MqttBrokerEngine::SetBackPressure) until the queue of
     * session pausedBy (its handle) drains or this timer (the longest pause) fires (0: not
     * paused).
     */
    TimerId pauseTimer = 0;
    uint64_t pausedBy = 0;
};

class MqttBrokerConnection
{
  public:
    /** @param version the highest version spoken (the reader adopts each CONNECT's level) */
    MqttBrokerConnection(ConnectionId id,
                         std::size_t maxPacketSize,
                         Nanos openedAt,
                         ProtocolVersion version = ProtocolVersion::Mqtt311);

    ConnectionId Id() const;
    MqttFrameReader& Reader();

    BrokerConnectionState State() const;
    void SetState(BrokerConnectionState state);

    /** The client id once CONNECT was accepted (assigned ones included). */
    const std::string& ClientId() const;
    void SetClientId(std::string clientId);

    const std::optional<std::string>& UserName() const;
    void SetUserName(std::optional<std::string> userName);

    /**
     * Who the transport proved the peer to be (a TLS client certificate's CN), used as the user
     * name instead of CONNECT's; none by default.
     */
    const std::optional<std::string>& Identity() const;
    void SetIdentity(std::string identity);

    /** The will to publish if the connection ends without DISCONNECT [MQTT-3.1.2-8]. */
    std::optional<Will>& StoredWill();
    /** What the stored will is charged to the memory budget (none without a limit). */
    MqttMemoryCharge& WillCharge();

    MqttSession* Session() const;
    void SetSession(MqttSession* session);

    /** The connection's one timer: the CONNECT deadline, then keep-alive (0: none). */
    TimerId Timer() const;
    void SetTimer(TimerId timer);

    /**
     * Where this connection's SendAction of the engine's current turn is: the turn's number and
     * the action's index in the turn's output (turn 0: none yet), so that every packet of one
     * turn to this connection joins one SendAction (one buffer, one write) even when other
     * connections' output and notifications come between them.
     */
    struct OpenSend
    {
        uint64_t turn = 0;
        std::size_t index = 0;
    };
    OpenSend& CurrentSend();

    /** Time of the latest complete packet from the client. */
    Nanos LastActivity() const;
    void SetLastActivity(Nanos now);

    /** Silence after which the connection is dropped (0: keep-alive off). */
    Nanos KeepAlivePeriod() const;
    void SetKeepAlivePeriod(Nanos period);

    /** Keep-alive in seconds as finally applied (after the profile's clamp). */
    uint16_t KeepAliveSeconds() const;
    void SetKeepAliveSeconds(uint16_t seconds);

    /**
     * Packets held back for reordering, and the inbound rate limits: created on first use, so
     * connections of a profile without these features stay small.
     */
    HeldOutput& Held();
    InboundLimits& Limits();
    /** Whether Held() or Limits() was ever used. */
    bool HasExtras() const;

    /** The 5.0 state of the connection: null for a 3.1.1 one (doc/mqtt5.md). */
    Mqtt5ConnectionState* V5() const;
    /** The connection speaks 5.0 from now on (its CONNECT had Protocol Level 5). */
    Mqtt5ConnectionState& MakeV5();

    /** Lifecycle version number of this connection (0: no lifecycle events for it). */
    uint64_t LifecycleVersion() const;
    void SetLifecycleVersion(uint64_t version);

  private:
    ConnectionId m_id;
    MqttFrameReader m_reader;
    BrokerConnectionState m_state = BrokerConnectionState::AwaitingConnect;
    std::string m_clientId;
    std::optional<std::string> m_userName;
    std::optional<std::string> m_identity;
    std::optional<Will> m_will;
    MqttMemoryCharge m_willCharge;
    MqttSession* m_session = nullptr;
    TimerId m_timer = 0;
    Nanos m_lastActivity;
    Nanos m_keepAlivePeriod{0};
    uint16_t m_keepAliveSeconds = 0;
    uint64_t m_lifecycleVersion = 0;
    OpenSend m_send;

    struct Extras
    {
        HeldOutput held;
        InboundLimits limits;
    };

    Extras& GetExtras();

    std::unique_ptr<Extras> m_extras;
    std::unique_ptr<Mqtt5ConnectionState> m_v5;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_BROKER_CONNECTION_H
