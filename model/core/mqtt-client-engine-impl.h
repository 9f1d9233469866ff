/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The client engine's one state object and its handlers (internal: only the client engine's
 * own files include it). Defined by concern: mqtt-client-engine.cc (public face, configuration,
 * output helpers), mqtt-client-connection.cc (connection life cycle, reconnects and timers),
 * mqtt-client-inbound.cc (packets from the broker), mqtt-client-requests.cc (publish, subscribe
 * and unsubscribe requests and the in-flight window).
 */
#ifndef MQTT_CLIENT_ENGINE_IMPL_H
#define MQTT_CLIENT_ENGINE_IMPL_H

#include "mqtt-client-engine.h"
#include "mqtt-codec.h"
#include "mqtt-frame-reader.h"
#include "mqtt-packet-id-allocator.h"

#include <deque>
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
                     Nanos now,
                     MqttActions& out);
    void Subscribe(std::vector<TopicRequest> topics, Nanos now, MqttActions& out);
    void Unsubscribe(std::vector<std::string> filters, Nanos now, MqttActions& out);
    void Disconnect(Nanos now, MqttActions& out);

    MqttClientConfig m_config;
    ClientState m_state = ClientState::Idle;
    std::size_t m_queuedPublishes = 0;
    std::size_t m_inflightPublishes = 0;
    MqttPacketIdAllocator m_receivedQos2; //!< QoS 2 ids received, PUBREL not yet seen
    ConnectionId m_connection = 0;

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
    void HandlePublishAck(PacketType type, uint16_t packetId, Nanos now, MqttActions& out);
    void HandleSuback(const SubackPacket& suback, Nanos now, MqttActions& out);
    void HandleUnsuback(uint16_t packetId, Nanos now, MqttActions& out);
    void Complete(std::map<uint64_t, InFlight>::iterator it, Nanos now, MqttActions& out);

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
