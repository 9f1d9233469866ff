/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The client engine's one state object and its handlers (internal: only the client engine's
 * own files include it). Defined by concern: mqtt-client-engine.cc (public face, configuration,
 * output helpers), mqtt-client-connection.cc (connection life cycle, reconnects and timers),
 * mqtt-client-inbound.cc (packets from the broker), mqtt-client-requests.cc (publish, subscribe
 * and unsubscribe requests and the in-flight window); what MQTT 5.0 adds lives in
 * mqtt-client-v5-connect.cc (CONNECT properties, CONNACK limits, DISCONNECT both ways, session
 * expiry), mqtt-client-v5-publish.cc (topic aliases, message expiry, the broker's limits on
 * what we send, reason codes), mqtt-client-v5-auth.cc (enhanced authentication),
 * mqtt-client-v5-capabilities.cc (the CONNACK's capabilities on our SUBSCRIBEs) and
 * mqtt-client-v5-acks.cc (properties on our acks), called only when the config asks for 5.0.
 */
#ifndef MQTT_CLIENT_ENGINE_IMPL_H
#define MQTT_CLIENT_ENGINE_IMPL_H

#include "mqtt-client-engine.h"
#include "mqtt-codec.h"
#include "mqtt-frame-reader.h"
#include "mqtt-client-v5-state.h"
#include "mqtt-packet-id-allocator.h"

#include <deque>
#include <memory>
#include <map>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** A QoS value a packet may carry (0, 1 or 2). */
inline bool
ValidQos(Qos qos)
{
    return static_cast<uint8_t>(qos) <= 2;
}

class MqttClientEngine::Impl
{
  public:
    Impl(MqttClientConfig config, UniformSource uniform);

    void Connect(Nanos now, MqttActions& out);
    void OnTransportConnected(Nanos now, MqttActions& out);
    void OnTransportFailed(Nanos now, MqttActions& out);
    void OnBytes(const uint8_t* data, std::size_t size, Nanos now, MqttActions& out);
    void OnTransportClosed(Nanos now, MqttActions& out);
    void OnTimer(TimerId timer, Nanos now, MqttActions& out);
    uint64_t Publish(const std::string& topic,
                     std::vector<uint8_t> payload,
                     Qos qos,
                     bool retain,
                     Properties properties,
                     Nanos now,
                     MqttActions& out);
    void Subscribe(std::vector<TopicRequest> topics,
                   Properties properties,
                   Nanos now,
                   MqttActions& out);
    void Unsubscribe(std::vector<std::string> filters, Nanos now, MqttActions& out);
    void Disconnect(Nanos now, MqttActions& out, ReasonCode reason);
    bool Disconnect5(Nanos now, MqttActions& out, ReasonCode reason, uint32_t sessionExpiry);
    bool Reauthenticate(Nanos now, MqttActions& out);

    bool
    V5() const
    {
        return m_config.protocolVersion == ProtocolVersion::Mqtt5;
    }

    MqttClientConfig m_config;
    ClientState m_state = ClientState::Idle;
    std::size_t m_queuedPublishes = 0;
    std::size_t m_inflightPublishes = 0;
    MqttPacketIdAllocator m_receivedQos2; //!< QoS 2 ids received, PUBREL not yet seen
    ConnectionId m_connection = 0;
    /** 5.0: the current connection's limits and aliases (reset per connection). */
    Mqtt5ClientConnection m_v5;

  private:
    enum class Kind : uint8_t
    {
        Publish,
        Subscribe,
        Unsubscribe,
    };

    /** What a sent request waits for. */
    enum class Stage : uint8_t
    {
        AwaitPuback,
        AwaitPubrec,
        AwaitPubcomp,
        AwaitSuback,
        AwaitUnsuback,
    };

    /** An application request (QoS 1/2 publish, subscribe, unsubscribe). */
    struct Request
    {
        Kind kind = Kind::Publish;
        MqttMessagePtr message;           //!< Publish
        std::vector<TopicRequest> topics; //!< Subscribe
        Properties properties;            //!< Subscribe, 5.0: Subscription Identifier, ...
        std::vector<std::string> filters; //!< Unsubscribe
    };

    /** A request sent and waiting for its ack. */
    struct InFlight
    {
        Request request;
        uint16_t packetId = 0;
        Stage stage = Stage::AwaitPuback;
        Nanos sentAt{0};              //!< when the packet now waiting for its ack was sent
        bool timeoutReported = false; //!< AckTimeout already reported for this send
    };

    struct Timer
    {
        bool armed = false;
        Nanos at{0};
    };

    MqttEvent& Notify(EventType type, MqttActions& out);
    void SetState(ClientState state, MqttActions& out);
    void ArmTimer(TimerId id, Nanos at, MqttActions& out);
    void CancelTimer(TimerId id, MqttActions& out);
    Timer& TimerFor(TimerId id);

    void OpenConnection(MqttActions& out);
    void SendPacket(const Packet& packet, Nanos now, MqttActions& out);
    void SendPublish(
        const MqttMessage& message, uint16_t packetId, bool dup, Nanos now, MqttActions& out);
    void SendPublish(bool dup,
                     Qos qos,
                     bool retain,
                     const std::string& topic,
                     uint16_t packetId,
                     const std::vector<uint8_t>& payload,
                     Nanos now,
                     MqttActions& out);
    void SendRequest(InFlight& entry, bool dup, Nanos now, MqttActions& out);

    /**
     * Ends the current connection: @p close emits a CloseAction (the engine's decision); the
     * ConnectionClosed event only for a transport that was up. Then either schedules a
     * reconnect or goes Idle.
     */
    void EndConnection(
        CloseReason reason, uint8_t code, bool close, bool reconnect, Nanos now, MqttActions& out);
    void ProtocolViolation(uint8_t code, Nanos now, MqttActions& out);
    void DiscardCleanSession(MqttActions& out);
    void ScheduleReconnect(Nanos now, MqttActions& out);

    void HandlePacket(Nanos now, MqttActions& out);
    void HandleConnack(const ConnackPacket& connack, Nanos now, MqttActions& out);
    void HandlePublish(PublishPacket& publish, Nanos now, MqttActions& out);
    /** @p reason: the 5.0 reason code (Success on 3.1.1). */
    void HandlePublishAck(
        PacketType type, uint16_t packetId, ReasonCode reason, Nanos now, MqttActions& out);
    void HandleSuback(const SubackPacket& suback, Nanos now, MqttActions& out);
    void HandleUnsuback(const UnsubackPacket& unsuback, Nanos now, MqttActions& out);
    /** @p code: the ack's 5.0 reason code, carried in the PublishCompleted event. */
    void Complete(std::map<uint64_t, InFlight>::iterator it,
                  Nanos now,
                  MqttActions& out,
                  uint8_t code = 0);

    // MQTT 5.0 (mqtt-client-v5-connect.cc).
    /** Clean Start, Session Expiry and the other CONNECT properties; the session's expiry. */
    void PrepareConnect5(ConnectPacket& connect, Nanos now, MqttActions& out);
    /** A refused 5.0 CONNACK; false if the CONNACK is accepted and handling goes on. */
    bool RefusedConnack5(const ConnackPacket& connack, Nanos now, MqttActions& out);
    /** Takes the limits of an accepted CONNACK; false if it broke the protocol (closed). */
    bool AcceptConnack5(const ConnackPacket& connack, Nanos now, MqttActions& out);
    void HandleDisconnect5(const DisconnectPacket& disconnect, Nanos now, MqttActions& out);
    /** Sends DISCONNECT @p reason and ends the connection (a protocol error of the broker's). */
    void Violation5(ReasonCode reason, uint8_t code, Nanos now, MqttActions& out);
    /**
     * When a connection ends: a session that was up outlives it for the Session Expiry Interval
     * in force, or is discarded at once when that is 0.
     */
    void SessionEnds5(bool wasConnected, Nanos now, MqttActions& out);
    /**
     * Request Problem Information 0: a Reason String or User Property on a packet other than
     * PUBLISH, CONNACK and DISCONNECT is a Protocol Error (3.1.2.11.7). True if @p packet is one.
     */
    bool UnrequestedProblemInformation(const Packet& packet) const;

    // MQTT 5.0 (mqtt-client-v5-auth.cc).
    /**
     * The CONNECT's Authentication Method and Data when the config names a method; false if the
     * method cannot start (the connection is closed, no CONNECT sent).
     */
    bool PrepareConnectAuth5(ConnectPacket& connect, Nanos now, MqttActions& out);
    /** An AUTH from the broker (before the CONNACK or during a re-authentication). */
    void HandleAuth5(const AuthPacket& auth, Nanos now, MqttActions& out);
    /**
     * The Authentication Method and final data of an accepted CONNACK, checked by the method;
     * false if the broker is not proven or broke the rules of 4.12 (closed).
     */
    bool FinishConnectAuth5(const ConnackPacket& connack, Nanos now, MqttActions& out);
    /** Sends AUTH @p reason with our method and @p data (none when empty). */
    void SendAuth5(ReasonCode reason, std::vector<uint8_t> data, Nanos now, MqttActions& out);
    /** The method refused to go on: DISCONNECT @p reason, close (AuthFailure). */
    void AuthFailed5(ReasonCode reason, Nanos now, MqttActions& out);

    // MQTT 5.0 (mqtt-client-v5-publish.cc).
    /** The message as the engine stores it: properties cleaned, expiry from the interval. */
    std::shared_ptr<MqttMessage> MakeMessage5(const std::string& topic,
                                std::vector<uint8_t> payload,
                                Qos qos,
                                bool retain,
                                Properties properties,
                                Nanos now);
    /**
     * Whether the broker's CONNACK limits let @p message go out now (not expired, QoS, retain,
     * size); if not, the message is reported dropped.
     */
    bool Admit5(const MqttMessagePtr& message, bool sentBefore, Nanos now, MqttActions& out);
    /** Writes a 5.0 PUBLISH: remaining expiry, then a topic alias per the policy. */
    void SendPublish5(
        const MqttMessage& message, uint16_t packetId, bool dup, Nanos now, MqttActions& out);
    /** Resolves a 5.0 PUBLISH's topic alias; false if it broke the protocol (closed). */
    bool ResolveInbound5(PublishPacket& publish, Nanos now, MqttActions& out);
    /** The largest number of QoS 1/2 publishes in flight (ours, and the broker's Receive Max). */
    std::size_t SendWindow() const;

    // MQTT 5.0 (mqtt-client-v5-capabilities.cc).
    /**
     * Takes out of a SUBSCRIBE the filters the CONNACK said the broker does not support
     * (Wildcard, Subscription Identifier, Shared Subscription Available 0), each denied with the
     * code the broker would refuse it with (0xA2, 0xA1, 0x9E); false if none is left (nothing
     * is sent).
     */
    bool AdmitSubscribe5(Request& request, MqttActions& out);

    // MQTT 5.0 (mqtt-client-v5-acks.cc).
    /**
     * Sends PUBACK, PUBREC, PUBREL or PUBCOMP; on 5.0 with the config's ack User Properties and
     * Reason String, left out when they would pass the broker's Maximum Packet Size.
     */
    void SendAck(Packet ack, Nanos now, MqttActions& out);

    /** Sends queued requests while the window and the packet ids allow. */
    void Pump(Nanos now, MqttActions& out);
    void KeepAliveTick(Nanos now, MqttActions& out);
    void AckTick(Nanos now, MqttActions& out);
    /** Arms the ack timer for a packet sent at @p sentAt unless it is already armed. */
    void WatchAck(Nanos sentAt, MqttActions& out);
    void DeliverDropped(const MqttMessagePtr& message,
                        DropReason reason,
                        uint16_t packetId,
                        MqttActions& out);
    void DenyRequest(const std::vector<std::string>& filters, MqttActions& out);
    /** Queues an accepted request; sent at once when connected (window permitting). */
    void Enqueue(Request request, Nanos now, MqttActions& out);
    /** A subscribe or unsubscribe: queued if @p valid, else each filter denied at once. */
    void Submit(Request request, bool valid, Nanos now, MqttActions& out);

    UniformSource m_uniform;
    MqttFrameReader m_reader;
    Packet m_packet; //!< reused by every decode, so PUBLISH storage is not reallocated
    bool m_transportUp = false;
    ConnectionId m_nextConnection = 1;
    Nanos m_lastSend{0};
    bool m_pingOutstanding = false;
    double m_backoffNanos = 0; //!< base of the next reconnect delay, before jitter
    uint64_t m_lastPublishId = 0;
    uint64_t m_lastReceivedId = 0;
    uint64_t m_nextSendOrder = 1;

    /** Keep-alive in force: the config's, or a 5.0 Server Keep Alive [MQTT5-3.2.2-21]. */
    uint16_t m_keepAliveSeconds = 0;
    /** 5.0: the next CONNECT is the first since Connect() (it sends the config's Clean Start). */
    bool m_firstConnect = true;
    /** 5.0: the Clean Start of the latest CONNECT. */
    bool m_lastCleanStart = true;
    /** 5.0: the session may still live at the broker, until m_sessionEndsAt (0: never ends). */
    bool m_sessionHeld = false;
    Nanos m_sessionEndsAt{0};
    /** 5.0: the DISCONNECT sent on the connection that is ending (for its event). */
    std::optional<ReasonCode> m_disconnectReason;
    std::vector<uint8_t> m_scratch; //!< sizes a 5.0 PUBLISH against the broker's maximum
    /** 5.0: the enhanced authentication exchange under way (the CONNECT's or a re-one). */
    std::unique_ptr<MqttAuthMethod::ClientExchange> m_authExchange;

    std::deque<Request> m_queue;              //!< not sent yet, in request order
    std::map<uint64_t, InFlight> m_inflight;  //!< by first-send order
    std::map<uint16_t, uint64_t> m_orderById; //!< packet id -> key in m_inflight
    MqttPacketIdAllocator m_ids;

    Timer m_connackTimer;
    Timer m_keepAliveTimer;
    Timer m_pingTimer;
    Timer m_ackTimer;
    Timer m_reconnectTimer;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_CLIENT_ENGINE_IMPL_H
