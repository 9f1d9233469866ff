/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The MQTT client (3.1.1 and 5.0) as an I/O-free engine.
 */
#ifndef MQTT_CLIENT_ENGINE_H
#define MQTT_CLIENT_ENGINE_H

#include "mqtt-action.h"
#include "mqtt-client-config.h"
#include "mqtt-client-v5-state.h"

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
 * Why the engine refuses to connect with a config (it never sends an invalid CONNECT). Connect()
 * reports a refusal as a ConnectRefused event with connection 0 and this value as its code.
 */
enum class ClientConfigError : uint8_t
{
    None = 0,
    EmptyClientIdNeedsCleanSession, //!< a zero-length client id needs cleanSession [MQTT-3.1.3-7]
    InvalidClientId,                //!< not UTF-8 [MQTT-3.1.3-4], or longer than 65535 bytes
    InvalidWillTopic,               //!< not a valid topic name (wildcard, empty, ...)
    InvalidWillQos,                 //!< Will QoS 3 [MQTT-3.1.2-14]
    WillPayloadTooLong,             //!< more than 65535 bytes (section 3.1.3.3)
    InvalidUserName,                //!< not UTF-8 [MQTT-3.1.3-11], or too long
    PasswordWithoutUserName,        //!< [MQTT-3.1.2-22]
    PasswordTooLong,                //!< more than 65535 bytes (section 3.1.3.5)
    ReceiveMaximumZero,             //!< 5.0: Receive Maximum 0 is a Protocol Error (3.1.2.11.3)
    InvalidUserProperty,            //!< 5.0: a User Property name or value not UTF-8, or too long
};

const char* ClientConfigErrorName(ClientConfigError error);

/**
 * One MQTT client. The driver opens the transport when told (OpenConnectionAction) and reports
 * OnTransportConnected / OnTransportFailed / OnBytes / OnTransportClosed / OnTimer. The
 * application calls Connect, Subscribe, Publish, Unsubscribe and Disconnect; requests made while
 * not connected are kept and sent (QoS > 0 publishes in order, within the in-flight window) once
 * the session is up.
 *
 * Contract with the driver (as for the broker engine):
 * - OnTransportConnected / OnTransportFailed / OnTransportClosed / OnBytes always concern the
 *   connection of the latest OpenConnectionAction. After the engine emits a CloseAction it has
 *   forgotten that connection (it may be one still being opened): the driver closes or aborts it
 *   and reports nothing more about it.
 * - OnTimer when a started timer is due; a cancelled or restarted timer does not fire with its
 *   old deadline. Timer ids are the *_TIMER constants below.
 *
 * Behaviour worth knowing (each is tested):
 * - Application requests (QoS 1/2 publishes, subscribes, unsubscribes) go out in the order they
 *   were made, first in first out; a publish waiting for a window slot holds back what follows.
 *   Packet ids are taken when a request is first sent and kept until its final ack.
 * - cleanSession = false: unacknowledged PUBLISHes (DUP = 1) and PUBRELs are re-sent after the
 *   CONNACK with their original ids, in their original order [MQTT-4.4.0-1], [MQTT-4.6.0-1];
 *   the ids of QoS 2 messages received but not yet released survive too (exactly once). A
 *   CONNACK with sessionPresent = 0 means the broker lost the session: unacknowledged messages
 *   are still re-sent (nothing is lost), and the received-QoS 2 ids are forgotten (the broker
 *   will not release them, and keeping them would swallow new messages).
 * - cleanSession = true: the session ends with the connection [MQTT-3.1.2-6], so publishes that
 *   were sent and not fully acknowledged are dropped (MessageDropped, SessionDiscarded): their
 *   fate at the broker is unknown, and sending a QoS 2 message again as a new one could deliver
 *   it twice. Requests never sent, and SUBSCRIBE/UNSUBSCRIBE not yet acknowledged, stay queued
 *   (with their ids freed) and go out on the next connection.
 * - Subscriptions are the broker's state: after a SessionStarted with sessionPresent = 0 the
 *   application subscribes again if it wants to.
 * - A packet a conformant broker never sends in the current state (anything before CONNACK, a
 *   second CONNACK, CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT, an ack whose id is not
 *   waiting for exactly that ack, a SUBACK with the wrong number of codes, sessionPresent = 1
 *   on a clean session) is a protocol violation: the connection is closed (ProtocolError;
 *   event code = DecodeError for malformed bytes, else 0) and the client reconnects [MQTT-4.8.0-1].
 *   Exceptions that a conformant broker can produce: a PUBREL for an unknown id is answered with
 *   PUBCOMP (the broker re-sends PUBREL after a lost PUBCOMP), and a PINGRESP with no PINGREQ
 *   outstanding is ignored.
 * - Invalid requests are refused without sending: a Publish with an invalid topic or QoS
 *   (MessageDropped, TopicRejected / QosNotSupported) or too large (PayloadTooLarge); a Subscribe
 *   or Unsubscribe with no filter or an invalid one (SubscriptionDenied, packetId 0, code 0x80,
 *   one per filter).
 * - Events about an own publish carry an MqttMessage whose id is the value Publish() returned;
 *   PublishReceived messages are numbered 1, 2, ... in arrival order. AckTimeout carries the
 *   packet id, and the message for a publish or the PacketType (8, 10) for SUBSCRIBE/UNSUBSCRIBE
 *   in code. SubscriptionGranted/Denied and Unsubscribed carry the filter in topic.
 * - Timers are not restarted per packet: keep-alive compares with the time of the last packet
 *   sent when it fires, and one ack timer serves every outstanding packet (re-armed for the next
 *   deadline when it fires), so a busy client emits no timer actions per message.
 */
class MqttClientEngine
{
  public:
    /** Returns a uniform random number in [0, 1); used for reconnect jitter. */
    using UniformSource = std::function<double()>;

    static constexpr TimerId CONNACK_TIMER = 1;    //!< CONNACK due (connackTimeout)
    static constexpr TimerId KEEP_ALIVE_TIMER = 2; //!< keepAlive after the last packet sent
    static constexpr TimerId PING_TIMER = 3;       //!< PINGRESP due (pingTimeout)
    static constexpr TimerId ACK_TIMER = 4;        //!< earliest ack deadline (ackTimeout)
    static constexpr TimerId RECONNECT_TIMER = 5;  //!< end of the reconnect backoff

    /** Checks what Connect() checks before it opens a connection. */
    static ClientConfigError CheckConfig(const MqttClientConfig& config);

    /**
     * @param uniform the random source for jitter; empty means a generator seeded with
     *        config.seed, so a seed reproduces the run.
     */
    explicit MqttClientEngine(MqttClientConfig config, UniformSource uniform = {});
    ~MqttClientEngine();
    MqttClientEngine(const MqttClientEngine&) = delete;
    MqttClientEngine& operator=(const MqttClientEngine&) = delete;

    /**
     * Starts connecting (and keeps reconnecting per the config until Disconnect()). Ignored unless
     * Idle. A config that CheckConfig() refuses gives a ConnectRefused event (connection 0, code a
     * ClientConfigError) and the client stays Idle.
     */
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

    /**
     * Publish with 5.0 PUBLISH properties (Payload Format Indicator, Message Expiry Interval,
     * Content Type, Response Topic, Correlation Data, User Properties); a Topic Alias or
     * Subscription Identifier among them is dropped (the engine sets aliases, and a client
     * sends no Subscription Identifier [MQTT5-3.3.4-6]). On a 3.1.1 client they are ignored.
     */
    uint64_t Publish(const std::string& topic,
                     std::vector<uint8_t> payload,
                     Qos qos,
                     bool retain,
                     Properties properties,
                     Nanos now,
                     MqttActions& out);

    void Subscribe(std::vector<TopicRequest> topics, Nanos now, MqttActions& out);
    /**
     * Subscribe with 5.0 SUBSCRIBE properties (a Subscription Identifier, User Properties). When
     * the CONNACK said the broker lacks a capability, the filters needing it are denied before
     * anything is sent (SubscriptionDenied, packetId 0, code 0xA2 Wildcard, 0xA1 Subscription
     * Identifier, 0x9E Shared Subscriptions not supported) and the others go out.
     */
    void Subscribe(std::vector<TopicRequest> topics,
                   Properties properties,
                   Nanos now,
                   MqttActions& out);
    void Unsubscribe(std::vector<std::string> filters, Nanos now, MqttActions& out);

    /**
     * Sends DISCONNECT (once CONNECT was sent), closes, and stops reconnecting [MQTT-3.14.4-1],
     * [MQTT-3.14.4-2]. Queued requests and a persistent session's in-flight state are kept for a
     * later Connect().
     */
    void Disconnect(Nanos now, MqttActions& out);
    /** Disconnect with a 5.0 reason code (0x04 asks the broker to publish the will). */
    void Disconnect(Nanos now, MqttActions& out, ReasonCode reason);
    /**
     * 5.0: Disconnect that sets the session's Session Expiry Interval to @p sessionExpiryInterval
     * (seconds; the broker and this client keep the session that long). Refused (false, nothing
     * sent) when the CONNECT's interval was 0 and this one is not, a Protocol Error (3.14.2.2.2),
     * on a 3.1.1 client, or when no CONNECT went out on the current connection.
     */
    bool Disconnect(Nanos now, MqttActions& out, ReasonCode reason, uint32_t sessionExpiryInterval);
    /**
     * 5.0: re-authenticates a connected client with the config's authMethod: AUTH 0x19 with the
     * method's first data; the broker's AUTH 0x18 are answered, its AUTH 0x00 checked, and
     * success reported as a Reauthenticated event (failure: DISCONNECT 0x87, ConnectionClosed
     * AuthFailure). False, nothing sent, without a method, when not connected, or while an
     * exchange is under way.
     */
    bool Reauthenticate(Nanos now, MqttActions& out);

    ClientState State() const;
    const MqttClientConfig& Config() const;
    /** The client id in use: the config's, or the one a 5.0 broker assigned to an empty one. */
    const std::string& ClientId() const;
    ProtocolVersion Version() const;
    /** 5.0: what the latest CONNACK announced (the defaults before the first, and on 3.1.1). */
    const Mqtt5ServerLimits& ServerLimits() const;
    /** QoS 1/2 publishes sent or waiting to be sent and not yet fully acknowledged. */
    std::size_t PendingPublishes() const;
    /** QoS 1/2 publishes sent and not yet fully acknowledged (at most maxInflight). */
    std::size_t InflightPublishes() const;
    /** QoS 2 ids received and not yet released by PUBREL. */
    std::size_t ReceivedQos2Pending() const;
    /** The connection of the latest OpenConnectionAction (0 before the first). */
    ConnectionId Connection() const;

  private:
    class Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_CLIENT_ENGINE_H
