/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * An MQTT device as an ns-3 Application: MqttClientEngine driven over an ns-3 TCP socket, with a
 * publish process (topic, QoS, payload size, interval) and subscriptions.
 */
#ifndef MQTT_CLIENT_H
#define MQTT_CLIENT_H

#include "mqtt-action-queue.h"
#include "mqtt-client-engine.h"
#include "mqtt-ns3-connections.h"
#include "mqtt-ns3-timers.h"
#include "mqtt-ns3-transport.h"
#include "mqtt-payload-stamp.h"

#include "ns3/address.h"
#include "ns3/application.h"
#include "ns3/event-id.h"
#include "ns3/nstime.h"
#include "ns3/ptr.h"
#include "ns3/traced-callback.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ns3
{

class RandomVariableStream;
class UniformRandomVariable;

namespace mqtt
{

/**
 * One MQTT device. At its start time it connects to BrokerAddress:BrokerPort (reconnecting per
 * the reconnect Attributes), subscribes to Subscriptions whenever the broker has no session for
 * it, and, with a Topic, publishes generated messages: one at once when the first session starts,
 * then one every Interval, up to MaxMessages. Each generated payload starts with an
 * MqttPayloadStamp (doc/payload-format.md), which subscribers decode for latency and duplicates.
 * At its stop time it sends DISCONNECT and stops publishing.
 *
 * ClientId and Topic are templates: "%n" becomes the node id and "%a" the index of this
 * application on its node.
 */
class MqttClient : public Application
{
  public:
    static TypeId GetTypeId();
    MqttClient();
    ~MqttClient() override;

    /**
     * Assigns streams to the publish interval, payload size and reconnect jitter.
     * @return streams used (3)
     */
    int64_t AssignStreams(int64_t stream);

    /**
     * Publishes @p payload as it is (no stamp); for scenarios that script their own messages.
     * @return the engine's local identity of the publish, 0 when the application is not running
     */
    uint64_t Publish(const std::string& topic,
                     const std::vector<uint8_t>& payload,
                     Qos qos,
                     bool retain = false);
    /** Subscribes now (kept by the engine until connected). */
    void Subscribe(const std::vector<TopicRequest>& topics);
    void Unsubscribe(const std::vector<std::string>& filters);
    /**
     * 5.0: re-authenticates now with the AuthMethod (AUTH 0x19, doc/auth.md); success is the
     * engine's Reauthenticated event (Event trace). False when not connected, without an
     * AuthMethod, or while an exchange is under way.
     */
    bool Reauthenticate();

    /**
     * Makes future connections with @p factory instead of an ns-3 TCP socket to BrokerAddress
     * (a real broker under the real-time simulator: MqttRealtimeHelper::UseRealBroker). An empty
     * factory goes back to the node's TCP stack.
     */
    void SetTransportFactory(MqttTransportFactory factory);

    /**
     * Carries the following connections over simulated TLS offering @p profile (doc/tls-sim.md):
     * MQTT waits for the handshake, a ticket from one connection resumes the next when the
     * profile and the broker allow. With @p cpu the device's public-key operations delay its
     * answer to the server's first flight. Not with a transport factory (a real socket).
     */
    void SetTls(const MqttTlsClientProfile& profile,
                std::optional<MqttTlsCpuCosts> cpu = std::nullopt);

    /**
     * Holds the publish process behind a window kept outside the client (a closed-loop load
     * generator, MqttEndToEndWindow): each generated publish first asks @p mayPublish; when it
     * says no, the process waits, without a timer, until OpenPublishGate(), then publishes at
     * once and goes on every Interval from there. A null callback: no gate (the default).
     */
    void SetPublishGate(std::function<bool()> mayPublish);
    /** The gate opened: a publish process waiting at it goes on now; otherwise nothing. */
    void OpenPublishGate();
    /** The publish process waits at the gate. */
    bool IsWaitingAtPublishGate() const;
    /** Signature of the TlsHandshake trace source. */
    typedef void (*TlsHandshakeTracedCallback)(const MqttTlsHandshakeInfo& info);
    /** Signature of the ConnectionSetUp trace source. */
    typedef void (*ConnectionSetUpTracedCallback)(const MqttConnectionSetUpInfo& info);

    /** The client id in use (the template expanded). */
    std::string GetClientId() const;
    /** The publish topic in use (the template expanded; empty: no publish process). */
    std::string GetTopic() const;
    /** Publisher identity written in this client's stamps. */
    uint64_t GetPublisherId() const;
    /** The engine (null before the first start). */
    const MqttClientEngine* GetEngine() const;
    ClientState GetState() const;

    /** Generated publishes handed to the engine. */
    uint64_t GetPublishesSent() const;
    /** Own QoS 1/2 publishes acknowledged. */
    uint64_t GetPublishesCompleted() const;
    /** PUBLISH packets received from the broker (duplicates included). */
    uint64_t GetMessagesReceived() const;
    /** Stamped messages received again (same publisher and sequence). */
    uint64_t GetDuplicatesReceived() const;
    /** Own messages the engine dropped. */
    uint64_t GetMessagesDropped() const;
    /** Sessions started (CONNACK 0). */
    uint64_t GetSessionsStarted() const;

    /** Parses "filter:qos;filter:qos" (":qos" optional, default 0); false if malformed. */
    static bool ParseSubscriptions(const std::string& text, std::vector<TopicRequest>& out);
    /** Replaces "%n" by @p nodeId and "%a" by @p appIndex in @p pattern. */
    static std::string ExpandTemplate(const std::string& pattern,
                                      uint32_t nodeId,
                                      uint32_t appIndex);

    typedef void (*EventTracedCallback)(const MqttEvent& event);
    typedef void (*ConnectedTracedCallback)(bool sessionPresent);
    typedef void (*DisconnectedTracedCallback)(const std::string& reason);
    typedef void (*PublishSentTracedCallback)(const std::string& topic,
                                              const MqttPayloadStamp& stamp,
                                              uint32_t size,
                                              uint8_t qos);
    /** @p latency is negative and @p stamp zero for payloads without a stamp. */
    typedef void (*PublishReceivedTracedCallback)(const MqttEvent& event,
                                                  const MqttPayloadStamp& stamp,
                                                  Time latency,
                                                  bool duplicate);

    /**
     * Public so that a study can stop and restart the application at any time (a broker
     * restart, a device reboot), besides the start and stop times.
     */
    void StartApplication() override;
    void StopApplication() override;

  protected:
    void DoDispose() override;

  private:
    /** GetTypeId() in parts: the broker, identity and session. */
    static TypeId AddConnectionAttributes(TypeId tid);
    /** The publish process. */
    static TypeId AddPublishAttributes(TypeId tid);
    /** The engine's reconnect, timeouts and limits. */
    static TypeId AddEngineAttributes(TypeId tid);
    /** MQTT 5.0: ProtocolVersion and the 5.0 options (mqtt-client-v5-attributes.cc). */
    static TypeId AddProtocol5Attributes(TypeId tid);
    /** The 5.0 fields of @p config from those Attributes. */
    void ApplyProtocol5(MqttClientConfig& config) const;
    /** A duty cycle: AwakeTime connected, then SleepTime disconnected (mqtt-client-sleep.cc). */
    static TypeId AddSleepAttributes(TypeId tid);
    void StartSleepCycle();
    void Sleep();
    void Wake();
    static TypeId AddTraceSources(TypeId tid);

    MqttClientConfig MakeConfig() const;
    Address BrokerSocketAddress() const;
    uint32_t ApplicationIndex() const;

    void OnConnected(ConnectionId connection);
    void OnConnectFailed(ConnectionId connection);
    void OnData(ConnectionId connection, const uint8_t* data, std::size_t size);
    void OnClosed(ConnectionId connection, bool error);
    void OnTimer(TimerId timer);
    void Execute();
    /** Opens the transport of connection @p id (OpenConnectionAction). */
    void Open(ConnectionId id);
    void Notify(const MqttEvent& event);
    void OnSessionStarted(bool sessionPresent);
    void PublishNext();

    // Attributes.
    Address m_brokerAddress;
    uint16_t m_brokerPort;
    std::string m_clientIdTemplate;
    uint16_t m_keepAlive;
    bool m_cleanSession;
    std::string m_willTopic;
    std::string m_willPayload;
    uint8_t m_willQos;
    bool m_willRetain;
    std::string m_userName;
    std::string m_password;
    std::string m_subscriptionsText;
    std::string m_topicTemplate;
    uint8_t m_qos;
    bool m_retain;
    Ptr<RandomVariableStream> m_payloadSize;
    Ptr<RandomVariableStream> m_interval;
    uint64_t m_maxMessages;
    bool m_autoReconnect;
    Time m_reconnectInitialDelay;
    Time m_reconnectMaxDelay;
    double m_reconnectMultiplier;
    double m_reconnectJitter;
    Time m_connackTimeout;
    Time m_pingTimeout;
    Time m_ackTimeout;
    bool m_closeOnAckTimeout;
    uint16_t m_maxInflight;
    uint32_t m_maxQueued;
    bool m_detectDuplicates;
    uint8_t m_protocolVersion;
    uint32_t m_sessionExpiryInterval;
    uint16_t m_receiveMaximum;
    uint16_t m_topicAliasMaximum;
    uint16_t m_topicAliases;
    uint32_t m_messageExpiryInterval;
    uint32_t m_willDelayInterval;
    bool m_requestResponseInformation;
    bool m_requestProblemInformation;
    std::string m_authMethod;
    std::string m_authUserName;
    std::string m_authPassword;
    Time m_awakeTime;
    Time m_sleepTime;
    int64_t m_sleepSessionExpiryInterval;
    EventId m_sleepEvent;

    Ptr<UniformRandomVariable> m_jitter;
    std::unique_ptr<MqttClientEngine> m_engine;
    MqttActionQueue m_actions;
    MqttNs3Timers m_timers;
    MqttNs3Transport::Callbacks m_callbacks;
    Address m_peer;
    MqttTransportFactory m_transportFactory;
    /** Simulated TLS (SetTls) and the ticket held for the next connection (0: none). */
    std::optional<MqttTlsClientProfile> m_tls;
    std::optional<MqttTlsCpuCosts> m_tlsCpu;
    std::size_t m_tlsTicket = 0;
    void OnTlsHandshake(const MqttTlsHandshakeInfo& info);
    /** The connection being set up (ns-3 TCP), until its CONNACK is reported. */
    Ptr<MqttNs3Transport> m_settingUp;
    /** At a CONNACK: the ConnectionSetUp trace of the connection that got it. */
    void ReportSetUp();
    std::string m_topic;
    uint64_t m_publisherId = 0;
    std::vector<TopicRequest> m_subscriptions;

    MqttNs3Connections m_connections;
    bool m_running = false;
    bool m_publishing = false;
    EventId m_publishEvent;
    std::function<bool()> m_mayPublish;
    bool m_waitingAtGate = false;
    ClientState m_state = ClientState::Idle;

    uint64_t m_sequence = 0;
    uint64_t m_completed = 0;
    uint64_t m_received = 0;
    uint64_t m_duplicates = 0;
    uint64_t m_dropped = 0;
    uint64_t m_sessions = 0;
    std::set<std::pair<uint64_t, uint64_t>> m_seen;

    TracedCallback<const MqttEvent&> m_eventTrace;
    TracedCallback<const std::string&, const std::string&> m_stateTransitionTrace;
    TracedCallback<bool> m_connectedTrace;
    TracedCallback<const std::string&> m_disconnectedTrace;
    TracedCallback<const std::string&, const MqttPayloadStamp&, uint32_t, uint8_t>
        m_publishSentTrace;
    TracedCallback<const MqttEvent&, const MqttPayloadStamp&, Time, bool> m_publishReceivedTrace;
    TracedCallback<const MqttEvent&> m_publishCompletedTrace;
    TracedCallback<const MqttEvent&> m_droppedTrace;
    TracedCallback<const MqttEvent&> m_connectRefusedTrace;
    TracedCallback<const MqttEvent&> m_subscribedTrace;
    TracedCallback<const MqttEvent&> m_ackTimeoutTrace;
    TracedCallback<const MqttTlsHandshakeInfo&> m_tlsHandshakeTrace;
    TracedCallback<const MqttConnectionSetUpInfo&> m_connectionSetUpTrace;
    TracedCallback<Ptr<const ns3::Packet>, const Address&> m_rxTrace;
    TracedCallback<Ptr<const ns3::Packet>, const Address&> m_txTrace;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_CLIENT_H
