/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The MQTT broker as an ns-3 Application: MqttBrokerEngine driven over ns-3 TCP sockets.
 */
#ifndef MQTT_BROKER_H
#define MQTT_BROKER_H

#include "mqtt-account-quotas.h"
#include "mqtt-action-queue.h"
#include "mqtt-broker-engine.h"
#include "mqtt-broker-settings.h"
#include "mqtt-ns3-connections.h"
#include "mqtt-ns3-timers.h"
#include "mqtt-ns3-transport.h"
#include "mqtt-paused-reads.h"
#include "mqtt-service-model.h"

#include "ns3/address.h"
#include "ns3/application.h"
#include "ns3/event-id.h"
#include "ns3/nstime.h"
#include "ns3/ptr.h"
#include "ns3/traced-callback.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ns3
{

class Socket;
class UniformRandomVariable;

namespace mqtt
{

/**
 * An MQTT 3.1.1 broker listening on a TCP port (IPv4, and IPv6 when the node has it).
 *
 * Profile: SetProfile() gives a complete MqttBrokerProfile; without one, the Attribute Profile
 * names one (MqttBrokerProfile::ByName). Either way every broker setting (MqttBrokerSettings) is
 * an Attribute too (MaxInflightOut, SessionExpiry, ...: mqtt-broker-setting-attributes.h) that
 * overrides its field when set (-1, a negative value, or "profile" keeps the profile's). The
 * profile is read when the engine is made: at the first start, and at every start without
 * Persistence.
 *
 * With a service model (the profile's service-cores above 0, doc/capacity.md) the broker's CPU
 * is finite: what the transports hand over (accepted connections, bytes, closes) waits in a
 * bounded queue for one of the cores; when a core takes a piece of input the engine handles it,
 * and what the engine asked for (sends, closes, timers) is carried out when the service of its
 * CPU cost completes. While the queue is over its bound the broker stops reading the connections
 * that send (TCP flow control then holds the senders back) until it is down to half. Timers cost
 * nothing and act at once.
 *
 * Stopping the application closes every connection (reason ServerShutdown) and the listening
 * sockets. Starting it again listens again and, with Persistence (a broker that stores its state,
 * mosquitto's "persistence true"), goes on with the same engine: persistent sessions with their
 * subscriptions, queued and unacknowledged messages, inbound QoS 2 ids, and retained messages
 * survive the restart, and session expiry goes on counting while the broker is down. Without it
 * (the default, like mosquitto's default) the engine is discarded at the stop and every start
 * begins with an empty broker.
 */
class MqttBroker : public Application
{
  public:
    /** A tri-state for the Attributes of boolean broker settings. */
    enum BoolOverride
    {
        PROFILE = 0, //!< keep the profile's value
        OFF,
        ON,
    };

    static TypeId GetTypeId();
    MqttBroker();
    ~MqttBroker() override;

    /** Assigns @p stream to the random variables of this application. @return streams used (1). */
    int64_t AssignStreams(int64_t stream);

    /**
     * The engine: null before the first start, and while stopped without Persistence. For tests
     * and statistics.
     */
    const MqttBrokerEngine* GetEngine() const;

    /**
     * The account's quotas and what was observed of them (doc/aws-iot-core.md): made with the
     * first engine and kept by the broker, so one account spans every front end (they feed the
     * same engine) and a restart (the next engine counts against the same account). Null before
     * the first start.
     */
    std::shared_ptr<const MqttAccountQuotas> GetAccount() const;

    /**
     * Follows @p profile instead of the one the Profile Attribute names; the broker settings
     * set still override its fields. Takes effect when the engine is made (the next start of a
     * stopped broker without Persistence, or the first start).
     */
    void SetProfile(const MqttBrokerProfile& profile);

    /**
     * Sets broker setting @p key (MqttBrokerSettings: "max-inflight-out") to @p value over the
     * profile, as its Attribute (MaxInflightOut) does. @return the error; nothing is set then.
     */
    std::optional<MqttSettingError> SetSetting(const std::string& key, const std::string& value);
    /** Broker setting @p key follows the profile again. */
    void ClearSetting(const std::string& key);
    /** The value broker setting @p key was set to, or nothing when it follows the profile. */
    std::optional<std::string> GetSetting(const std::string& key) const;

    /**
     * The profile the next engine gets: SetProfile()'s or the one named by the Profile
     * Attribute, with the broker settings set applied.
     */
    MqttBrokerProfile GetEffectiveProfile() const;
    /** Transport connections open (including ones closing). */
    std::size_t GetTransportCount() const;
    uint64_t GetConnectionsAccepted() const;
    /**
     * Times reading a connection stopped because the engine paused its input or the service
     * model's input queue was full.
     */
    uint64_t GetReadPauses() const;
    /**
     * The service model: null when the profile has none (service-cores 0) or before the first
     * start. It lives as long as the broker, so its statistics cover restarts.
     */
    const MqttServiceModel* GetServiceModel() const;

    /**
     * Serves a connection that did not come through the node's TCP stack (a real socket under
     * the real-time simulator: MqttRealtimeHelper::ListenReal). @p make builds its transport for
     * the id the broker assigns, reporting to the broker's callbacks; the connection then runs
     * like any accepted one. @return the id, or 0 (nothing made) when the broker is not running.
     */
    ConnectionId AddConnection(const MqttTransportFactory& make, const Address& peer);

    /**
     * Listens on @p node too (same port): a front end of this broker, with an address of its
     * own. Connections it accepts are served by this broker's engine like those of its own
     * node, so one broker spreads its TCP connections over several nodes (ns-3 looks up a
     * segment's socket by scanning every endpoint of the node, so 100,000 connections on one
     * node cost quadratic time). Call before the application starts; front ends stop and start
     * with it.
     */
    void AddFrontEnd(Ptr<Node> node);

    /**
     * Accepts the following connections over simulated TLS with @p profile (doc/tls-sim.md);
     * with a service model each handshake costs the `tls-handshake` operation, charged with the
     * connection's first MQTT bytes.
     */
    void SetTls(const MqttTlsServerProfile& profile);
    /** Signature of the TlsHandshake trace source. */
    typedef void (*TlsHandshakeTracedCallback)(const MqttTlsHandshakeInfo& info);

    /** Signature of the Event, PublishReceived, Delivered and Dropped trace sources. */
    typedef void (*EventTracedCallback)(const MqttEvent& event);
    /** Signature of the ConnectionOpened trace source. */
    typedef void (*ConnectionOpenedTracedCallback)(uint64_t connection, const Address& peer);
    /** Signature of the ConnectionClosed trace source. */
    typedef void (*ConnectionClosedTracedCallback)(uint64_t connection,
                                                   const std::string& clientId,
                                                   const std::string& reason);
    /** Signature of the QueueDepth trace source. */
    typedef void (*QueueDepthTracedCallback)(const std::string& clientId, uint32_t depth);

    /**
     * Public so that a study can stop and restart the application at any time (a broker
     * restart, a device reboot), besides the start and stop times.
     */
    void StartApplication() override;
    void StopApplication() override;

  protected:
    void DoDispose() override;

  private:
    /** Simulated TLS (SetTls); connections whose handshake is still to be charged. */
    std::optional<MqttTlsServerProfile> m_tls;
    std::set<ConnectionId> m_tlsToCharge;
    TracedCallback<const MqttTlsHandshakeInfo&> m_tlsHandshakeTrace;
    void OnTlsHandshake(const MqttTlsHandshakeInfo& info);
    /** The transport of an accepted socket (over TLS when on). */
    Ptr<MqttNs3Transport> Accepted(ConnectionId id,
                                   Ptr<Socket> socket,
                                   const Address& from,
                                   const MqttTransportCallbacks& callbacks);

    /** GetTypeId() in parts: the port, the profile and who may connect and publish where. */
    static TypeId AddConnectionAttributes(TypeId tid);
    /** The engine's seed, persistence and back-pressure. */
    static TypeId AddEngineAttributes(TypeId tid);
    static TypeId AddTraceSources(TypeId tid);

    void CreateEngine();
    Ptr<Socket> Listen(Ptr<Node> node, const Address& local);
    /** Listens on every address family @p node has. */
    void ListenOn(Ptr<Node> node);
    bool HandleConnectionRequest(Ptr<Socket> socket, const Address& from);
    void HandleAccept(Ptr<Socket> socket, const Address& from);

    void OnData(ConnectionId connection, const uint8_t* data, std::size_t size);
    void OnClosed(ConnectionId connection, bool error);
    /** A transport's unsent bytes changed: charged to the engine's memory budget. */
    void OnUnsent(ConnectionId connection, std::size_t bytes);
    void OnTimer(TimerId timer);
    void Execute();
    void Notify(const MqttEvent& event);
    /** Stops reading @p connection if the engine paused its input (back-pressure on). */
    void PauseIfPaused(ConnectionId connection);
    /** Reads again from the paused connections whose input the engine takes again. */
    void ResumeReading();
    /** Whether @p connection is not to be read: engine back-pressure or a full service queue. */
    bool InputPaused(ConnectionId connection) const;

    // Service model (MqttServiceModel): input waits for a core, actions for the service's end.
    /** Queues a piece of input of @p connection for the cores. */
    void QueueForService(ConnectionId connection,
                         MqttServiceItemKind kind,
                         const uint8_t* data,
                         std::size_t size);
    /** Lets free cores take turns: the engine handles their reads, their actions wait. */
    void StartService();
    /** @p core's turn ended: its actions are carried out (the reactor's flush). */
    void CompleteService(uint32_t core);
    /** Carries out the actions of input in service now (the broker stops); forgets the queue. */
    void FlushService();

    // Attributes.
    uint16_t m_port;
    std::string m_profileName;
    std::string m_passwordFile;
    std::string m_scramUsersFile;
    bool m_allowAnonymous;
    std::string m_aclFile;
    uint64_t m_seed;
    bool m_persistence;
    uint32_t m_backPressureDepth;
    Time m_backPressureMaxPause;

    /** Broker settings set (key to value, checked), applied over the profile. */
    std::map<std::string, std::string> m_settings;
    /** SetProfile()'s profile; none: the Profile Attribute's. */
    std::optional<MqttBrokerProfile> m_profile;
    Ptr<UniformRandomVariable> m_seedStream;
    std::unique_ptr<MqttBrokerEngine> m_engine;
    std::shared_ptr<MqttAccountQuotas> m_account;
    MqttActionQueue m_actions;
    MqttNs3Timers m_timers;
    MqttNs3Transport::Callbacks m_callbacks;
    /** Listening sockets, on this node and the front ends. */
    std::vector<Ptr<Socket>> m_listeners;
    std::vector<Ptr<Node>> m_frontEnds;

    MqttNs3Connections m_connections;
    ConnectionId m_nextConnection = 1;
    bool m_running = false;
    uint64_t m_accepted = 0;
    /** Connections not read because the engine paused their input or the service queue is full. */
    MqttPausedReads m_pausedReads;
    /** The service model while running with one; null: the engine handles input at once. */
    std::unique_ptr<MqttServiceModel> m_service;
    /** A turn in service: the engine's actions for it, its connections and its end. */
    struct InService
    {
        MqttActions actions;
        std::vector<ConnectionId> connections;
        EventId done;
    };

    /** By core (ordered: FlushService carries them out in one order). */
    std::map<uint32_t, InService> m_inService;

    TracedCallback<const MqttEvent&> m_eventTrace;
    TracedCallback<const MqttEvent&> m_publishReceivedTrace;
    TracedCallback<const MqttEvent&> m_deliveredTrace;
    TracedCallback<const MqttEvent&> m_droppedTrace;
    TracedCallback<uint64_t, const Address&> m_connectionOpenedTrace;
    TracedCallback<uint64_t, const std::string&, const std::string&> m_connectionClosedTrace;
    TracedCallback<const std::string&, uint32_t> m_queueDepthTrace;
    TracedCallback<Ptr<const ns3::Packet>, const Address&> m_rxTrace;
    TracedCallback<Ptr<const ns3::Packet>, const Address&> m_txTrace;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_BROKER_H
