/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker engine's one state object and its handlers (internal: only the engine's own files
 * include it). The handlers are defined by concern across model/core/mqtt-broker-*.cc; the file
 * map is in doc/broker-engine.md. Decisions come from the pure functions of
 * mqtt-broker-policy.h; the handlers apply them. The MQTT 5.0 members are declared in
 * mqtt-broker-engine-v5-impl.h, which this class's body includes.
 *
 * Rules every handler keeps:
 * - Actions are appended to `out` in the order the driver carries them out; a connection that
 *   was closed (CloseAction emitted, or left m_connections) gets nothing more.
 * - Iteration that can reach the output runs over ordered containers (or sorted ids), and random
 *   numbers are drawn only where a profile field asks for them, in a fixed order: one seed
 *   reproduces a run bit for bit.
 * - Input released by back-pressure is processed at the end of the driver's call
 *   (ProcessResumed), never nested inside a drain or a route.
 */
#ifndef MQTT_BROKER_ENGINE_IMPL_H
#define MQTT_BROKER_ENGINE_IMPL_H

#include "mqtt-account-quotas.h"
#include "mqtt-auth-method.h"
#include "mqtt-broker-connection.h"
#include "mqtt-broker-engine.h"
#include "mqtt-broker-policy.h"
#include "mqtt-codec.h"
#include "mqtt-durable-image.h"
#include "mqtt-memory-budget.h"
#include "mqtt-message.h"
#include "mqtt-retained-store.h"
#include "mqtt-session-store.h"
#include "mqtt-session.h"
#include "mqtt-shared-subscriptions.h"
#include "mqtt-topic-tree.h"

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** What a timer the engine started is for. */
enum class TimerKind : uint8_t
{
    Connection,    //!< the CONNECT deadline, then keep-alive; key is the connection id
    SessionExpiry, //!< a disconnected persistent session; key is its topic-tree handle
    Release,       //!< held output of a connection is due (reorderJitter); key: connection id
    Resume,        //!< paused input may go on (maxInboundBytesRate); key: connection id
    Drain,         //!< the next paced message of a resumed session; key: its handle
    Pause,         //!< the longest back-pressure pause of a connection's input; key: its id
    PersistRetry,  //!< the store failed: write the whole state again; key unused
    WillDelay,     //!< 5.0: a will's Will Delay Interval ran out; key: its session's handle
};

class MqttBrokerEngine::Impl
{
  public:
    Impl(MqttBrokerProfile profile, uint64_t seed);
    /** Gives the account back this engine's active subscriptions (a restart makes a new one). */
    ~Impl();

    // --- Driver entry points (mqtt-broker-engine.cc) ---------------------------------------
    void OnConnectionOpened(ConnectionId id, Nanos now, MqttActions& out);
    void OnBytes(
        ConnectionId id, const uint8_t* data, std::size_t size, Nanos now, MqttActions& out);
    void OnConnectionClosed(ConnectionId id, Nanos now, MqttActions& out);
    void OnTimer(TimerId timer, Nanos now, MqttActions& out);
    void Shutdown(Nanos now, MqttActions& out);
    bool IsInputPaused(ConnectionId id) const;
    void SetBackPressure(std::size_t queueDepth, Nanos maxPause);

    /**
     * The start of a driver's call that appends to @p out from its current end (returned: the
     * mark EndTurn takes). Output to one connection within the call joins one SendAction; never
     * one of an earlier call, which EndTurn may already have released or held.
     */
    std::size_t BeginTurn(const MqttActions& out);
    /** Numbers the calls: a connection's open send (OpenSend) counts only in the call that made it.
     */
    uint64_t m_turn = 0;

    // --- Durable persistence (mqtt-broker-durability.cc) -----------------------------------
    /**
     * The end of a driver's call that appended from @p mark on: the changes of the call become
     * one PersistAction, and the output of the call is held until its batch is durable.
     */
    void EndTurn(std::size_t mark, MqttActions& out);
    void OnPersisted(uint64_t batch, MqttActions& out);
    void OnPersistFailed(uint64_t batch, Nanos now, MqttActions& out);
    bool Restore(const MqttDurableState& state, Nanos now, MqttActions& out, std::string& error);
    /** Whether durability is on (EnablePersistence or Restore). */
    bool m_durable = false;

    MqttBrokerProfile m_profile;
    /** The account's quotas: this engine's own, or shared with others (SetAccount). */
    std::shared_ptr<MqttAccountQuotas> m_account;
    std::shared_ptr<const MqttAuthenticator> m_authenticator;
    /** Enhanced authentication methods by name (5.0); null: a CONNECT naming one gets 0x8C. */
    std::shared_ptr<const MqttAuthMethods> m_authMethods;
    std::shared_ptr<const MqttAcl> m_acl;
    std::unordered_map<ConnectionId, std::unique_ptr<MqttBrokerConnection>> m_connections;
    MqttSessionStore m_sessions;
    MqttTopicTree m_tree;
    MqttRetainedStore m_retained;
    bool m_shutdown = false;

    // --- Memory budget (mqtt-broker-memory.cc) ---------------------------------------------
    /** The profile's memoryLimit; shared with the deleters of the messages it charged. */
    std::shared_ptr<MqttMemoryBudget> m_memory;
    /** Charges @p conn's partial packet; false: over the limit, the connection was closed. */
    bool ChargePartialPacket(MqttBrokerConnection& conn, Nanos now, MqttActions& out);
    /**
     * Whether a message (charged when made) is over the limit, so that a queue or the retained
     * store must not keep it (a refusal counted).
     */
    bool MemoryRefusesToKeep();
    /** A message that charges the budget while it lives (a plain one without a limit). */
    std::shared_ptr<MqttMessage> NewMessage();
    void ChargeMessage(const MqttMessage& m);
    /** Whether a new session for @p clientId would pass the limit (a refusal counted). */
    bool MemoryRefusesSession(const std::string& clientId);
    /** Charges a session being created (checked by MemoryRefusesSession, or restored). */
    void ChargeSession(const std::string& clientId);
    /** Releases a session, its subscriptions and inbound QoS 2 ids, before it is erased. */
    void ReleaseSession(const MqttSession& s);
    /** Charges a new subscription to @p filter if it fits (always, with @p force). */
    bool ChargeSubscription(const std::string& filter, bool force = false);
    void ReleaseSubscription(const std::string& filter);
    /**
     * Charges a new inbound QoS 2 id of @p s; false (a refusal counted) when it would pass the
     * limit and @p s holds INBOUND_QOS2_ALLOWANCE ids already.
     */
    bool AdmitInboundQos2(const MqttSession& s);
    /** Charges @p count inbound QoS 2 ids whatever the limit (restored). */
    void ChargeInboundQos2(std::size_t count);
    void ReleaseInboundQos2(std::size_t count);
    /**
     * Charges the handling of @p conn's next packet, if it is buffered whole and its
     * HandlingFootprint is over the allowance; false: over the limit, the connection was closed
     * before the packet was decoded.
     */
    bool ChargePacketHandling(MqttBrokerConnection& conn, Nanos now, MqttActions& out);
    /** The driver's call ends: what packet handling was charged in it is given back. */
    void ReleasePacketHandling();
    /**
     * Charges @p bytes of a delivery written for @p id in this call as output (Produced); false:
     * @p refusable (a QoS 0 copy) and over the limit, not to be written. QoS 1 and 2 copies are
     * never refused: the in-flight window bounds them, the rest wait in the queue.
     */
    bool ChargeDelivery(ConnectionId id, std::size_t bytes, bool refusable);
    /**
     * Charges the will of @p p to @p conn (WillCharge) as a message of @p clientId; false (a
     * refusal counted) when it is larger than PARTIAL_ALLOWANCE and would pass the limit.
     */
    bool ChargeWill(MqttBrokerConnection& conn, const std::string& clientId, const Will& will);
    /**
     * Charges 5.0 topic alias @p alias of @p conn set to a topic of @p topicSize bytes; false (a
     * refusal counted) when the connection's aliases would pass PARTIAL_ALLOWANCE and the limit.
     */
    bool ChargeInboundAlias5(MqttBrokerConnection& conn, uint16_t alias, std::size_t topicSize);
    /**
     * The end of a driver's call: closes (MemoryLimit) the connections whose deliveries were
     * refused while their driver held more than the allowance for them (peers that do not read).
     */
    void CloseSlowReaders(Nanos now, MqttActions& out);
    /** The driver holds @p unsent bytes for @p id: charged, or the connection closed. */
    void OutputBuffered(ConnectionId id, std::size_t unsent, Nanos now, MqttActions& out);
    /** PacketHandling charged since the driver's call began. */
    std::size_t m_handlingCharged = 0;

  private:
    struct TimerTarget
    {
        TimerKind kind;
        uint64_t key;
    };

    /** How a connection ends: what the driver is told and what the engine does. */
    struct CloseSpec
    {
        /** A close for @p closeReason, nothing more (no will, no code). */
        explicit CloseSpec(CloseReason closeReason = CloseReason::ProtocolError)
            : reason(closeReason)
        {
        }

        CloseReason reason;
        uint8_t code = 0;
        bool publishWill = false;
        /** Emit a CloseAction (false when the transport already closed). */
        bool emitClose = true;
        /** The session is about to be resumed by a new connection: no expiry timer. */
        bool takeover = false;
        /** The well-formed packet that was out of order (ProtocolError), if that was it. */
        std::optional<PacketType> packetType;
        /** 5.0: the DISCONNECT reason code, when not the one the close reason implies. */
        std::optional<ReasonCode> reason5;
    };

    // --- Input and packet dispatch (mqtt-broker-input.cc) ----------------------------------
    /** Decodes and handles buffered input while the byte rate and back-pressure allow. */
    void ProcessInput(MqttBrokerConnection& conn, Nanos now, MqttActions& out);
    /** Whether the byte rate holds @p conn's input back now (arming the Resume timer). */
    bool HeldByByteRate(MqttBrokerConnection& conn, Nanos now, MqttActions& out);
    /** A decode error: CONNACK 0x01 for a protocol level not spoken, else close. */
    void RejectMalformed(MqttBrokerConnection& conn,
                         DecodeError error,
                         Nanos now,
                         MqttActions& out);
    /** Counts the decoded packet of an established connection in m_work, by type. */
    void CountWork();
    /** @return false when the connection was closed. */
    bool HandlePacket(MqttBrokerConnection& conn, Nanos now, MqttActions& out);

    // --- CONNECT and the end of connections (mqtt-broker-connect.cc) -----------------------
    void HandleConnect(MqttBrokerConnection& conn, ConnectPacket& p, Nanos now, MqttActions& out);
    /**
     * A CONNECT that passed its checks (and its enhanced authentication, if any): takeover,
     * sessions, CONNACK, keep-alive, resume.
     */
    void AcceptConnect(MqttBrokerConnection& conn,
                       ConnectPacket& p,
                       const std::string& clientId,
                       Nanos now,
                       MqttActions& out);
    /**
     * The checks of a CONNECT before sessions are touched (will topic, client id, connect
     * rate, will retain, shutdown, credentials). @return the client id to use, or nothing when
     * the CONNECT was refused and the connection closed.
     */
    std::optional<std::string> CheckConnect(MqttBrokerConnection& conn,
                                            const ConnectPacket& p,
                                            Nanos now,
                                            MqttActions& out);
    /**
     * Clean session processing: @p stored (may be null) resumed or discarded, or a new
     * session. @return the session, with @p sessionPresent set.
     */
    MqttSession& OpenSession(MqttSession* stored,
                             const std::string& clientId,
                             bool cleanSession,
                             bool endsWithConnection,
                             bool& sessionPresent,
                             MqttActions& out);
    /** Arms the keep-alive timer for @p conn's keep-alive (the CONNECT deadline timer's id). */
    void StartKeepAlive(MqttBrokerConnection& conn,
                        uint16_t keepAliveSeconds,
                        Nanos now,
                        MqttActions& out);
    /** CONNACK @p code, then close (for @p reason, or the one the code implies). */
    void RefuseConnect(MqttBrokerConnection& conn,
                       ConnectReturnCode code,
                       const std::string& clientId,
                       Nanos now,
                       MqttActions& out,
                       std::optional<CloseReason> reason = std::nullopt,
                       std::optional<ReasonCode> reason5 = std::nullopt);
    void CloseConnection(MqttBrokerConnection& conn,
                         const CloseSpec& spec,
                         Nanos now,
                         MqttActions& out);
    /** Takes @p conn out of the table and cancels its timers; the caller keeps it alive. */
    std::unique_ptr<MqttBrokerConnection> ForgetConnection(MqttBrokerConnection& conn,
                                                           MqttActions& out);
    /** Closes @p conn for @p reason, publishing its will. @return false (closed). */
    bool CloseWithWill(MqttBrokerConnection& conn, CloseReason reason, Nanos now, MqttActions& out);
    /** Closes with ProtocolError: malformed bytes (@p error) or an out-of-order packet. */
    void ProtocolViolation(MqttBrokerConnection& conn,
                           DecodeError error,
                           std::optional<PacketType> packetType,
                           Nanos now,
                           MqttActions& out);
    std::string AssignClientId();
    /** minConnectInterval: whether a CONNECT of @p clientId may proceed now (and note it). */
    bool AdmitConnect(const std::string& clientId, Nanos now);

    // --- Sessions (mqtt-broker-session.cc) -------------------------------------------------
    void DiscardSession(MqttSession& s, DropReason reason, MqttActions& out);
    void Resume(MqttSession& s, Nanos now, MqttActions& out);
    /** Sends a delivery in flight again after a resume: PUBLISH with DUP=1, or PUBREL. */
    void ResendInflight(MqttSession& s, const InflightMessage& f, MqttActions& out);
    /** Stops a session's paced drain, cancelling its timer. */
    void StopPaced(MqttSession& s, MqttActions& out);

    // --- MQTT 5.0 (mqtt-broker-engine-v5-impl.h: connect, auth, publish, shared, will, reasons)
#include "mqtt-broker-engine-v5-impl.h"

    // --- Durable persistence (mqtt-broker-durability.cc) -----------------------------------
    /** @p s changed (or ended): its image is written at the end of the call. */
    void MarkSession(const MqttSession& s);
    /** @p topic's retained message changed. */
    void MarkRetained(const std::string& topic);
    /** The image ops of session @p clientId as it is now, references counted into @p refs. */
    void PersistSession(const std::string& clientId,
                        std::vector<PersistOp>& ops,
                        std::vector<uint64_t>& unrefs);
    void PersistRetained(const std::string& topic,
                         std::vector<PersistOp>& ops,
                         std::vector<uint64_t>& unrefs);
    /** One more stored reference to @p m (its image written on the first). */
    void Ref(const MqttMessagePtr& m, std::vector<PersistOp>& ops);
    /** Every stored session and retained message written again, after a Clear. */
    void MarkEverything();
    /** Held output of @p id dies with the connection. */
    void DropHeldFor(ConnectionId id);

    // --- Lifecycle events (mqtt-broker-lifecycle.cc) ---------------------------------------
    /** A lifecycle event for @p conn, if the profile publishes them and the client gets them. */
    void PublishLifecycle(const MqttBrokerConnection& conn,
                          bool connected,
                          CloseReason reason,
                          Nanos now,
                          MqttActions& out);

    // --- PUBLISH, wills and routing (mqtt-broker-publish.cc) -------------------------------
    bool HandlePublish(MqttBrokerConnection& conn, PublishPacket& p, Nanos now, MqttActions& out);
    /**
     * Whether the connection's publish rate, its inbound window or the account's inbound rate
     * refuses a PUBLISH of QoS @p qos now: the drop reason, or None.
     */
    DropReason PublishThrottled(MqttBrokerConnection& conn, Qos qos, bool retain, Nanos now);
    MqttMessagePtr MakeMessage(const std::string& publisherId,
                               std::string topic,
                               std::vector<uint8_t> payload,
                               Qos qos,
                               bool retain,
                               Properties properties = {},
                               Nanos expiresAt = Nanos(0));
    /** ACL, retained store and routing: what every accepted message goes through. */
    void Accept(const MqttMessagePtr& m,
                ConnectionId from,
                const std::string& clientId,
                const std::optional<std::string>& userName,
                Nanos now,
                MqttActions& out);
    /** Applies RetainedPolicy to the retained store, with its event. */
    void UpdateRetained(const MqttMessagePtr& m,
                        ConnectionId from,
                        const std::string& clientId,
                        MqttActions& out);
    void PublishWill(ConnectionId from,
                     const std::string& clientId,
                     const std::optional<std::string>& userName,
                     Will will,
                     Nanos now,
                     MqttActions& out);
    void Route(const MqttMessagePtr& m, Nanos now, MqttActions& out);
    /** The highest QoS among @p s's subscriptions that are active and match @p topic. */
    std::optional<Qos> ActiveMatchQos(const MqttSession& s,
                                      std::string_view topic,
                                      Nanos now) const;
    void SendRetained(
        MqttSession& s, const std::string& filter, Qos granted, Nanos now, MqttActions& out);

    // --- SUBSCRIBE and UNSUBSCRIBE (mqtt-broker-subscribe.cc) ------------------------------
    bool HandleSubscribe(MqttBrokerConnection& conn,
                         const SubscribePacket& p,
                         Nanos now,
                         MqttActions& out);
    /** The QoS @p req is granted, or nothing (0x80): profile, ACL and session limit. */
    std::optional<Qos> SubscriptionGrant(const MqttBrokerConnection& conn,
                                         const TopicRequest& req,
                                         bool replaces) const;
    MqttEvent& NotifySubscription(EventType type,
                                  const MqttBrokerConnection& conn,
                                  const std::string& filter,
                                  Qos qos,
                                  uint8_t code,
                                  MqttActions& out);
    void HandleUnsubscribe(MqttBrokerConnection& conn,
                           const UnsubscribePacket& p,
                           MqttActions& out);

    // --- Strictness (mqtt-broker-strictness.cc) ----------------------------------------------
    /** Whether @p packet holds a string the profile refuses (control characters, 1.5.3). */
    bool HasRefusedString(const Packet& packet) const;
    /**
     * Closes @p conn when m_packet holds a refused string or is an acknowledgement of the wrong
     * kind for its delivery in flight (section 4.8). @return true when it closed.
     */
    bool RefusesPacket(MqttBrokerConnection& conn, Nanos now, MqttActions& out);

    // --- Delivery, acknowledgements and the in-flight window (mqtt-broker-delivery.cc) -----
    void HandlePuback(MqttSession& s, uint16_t id, Nanos now, MqttActions& out);
    void HandlePubrec(MqttSession& s, uint16_t id, MqttActions& out);
    void HandlePubcomp(MqttSession& s, uint16_t id, Nanos now, MqttActions& out);
    /** @p sharedGroup: the shared subscription group it goes through (0: none). */
    void Deliver(MqttSession& s,
                 const MqttMessagePtr& m,
                 Qos qos,
                 bool retain,
                 Nanos now,
                 MqttActions& out,
                 uint32_t sharedGroup = 0);
    void SendQos0(
        MqttSession& s, const MqttMessagePtr& m, bool retain, Nanos now, MqttActions& out);
    void SendNew(MqttSession& s,
                 const MqttMessagePtr& m,
                 Qos qos,
                 bool retain,
                 Nanos now,
                 MqttActions& out,
                 uint32_t sharedGroup = 0);
    /** Sends a delivery that waited: QoS 0 written, QoS 1/2 sent with a fresh id. */
    void SendQueued(MqttSession& s, QueuedMessage q, Nanos now, MqttActions& out);
    void Enqueue(MqttSession& s, QueuedMessage q, MqttActions& out);
    /**
     * Sends waiting deliveries in order while the window has room; during a paced drain, one
     * stored message per slot of the drain rate. Then lets the publishers that @p s paused go
     * on if its queue is short enough again.
     */
    void Drain(MqttSession& s, Nanos now, MqttActions& out);
    void DrainQueue(MqttSession& s, Nanos now, MqttActions& out);
    /** The paced part of DrainQueue. @return whether the normal drain may follow. */
    bool DrainPaced(MqttSession& s, Nanos now, MqttActions& out);
    bool WindowHasRoom(const MqttSession& s) const;
    /**
     * A PUBLISH to @p s now (DUP=0), with its MessageSent (and MessageDelivered for QoS 0).
     * @return false: a QoS 0 copy the memory budget refused (ChargeDelivery), dropped and reported.
     */
    bool WritePublish(MqttSession& s,
                      const MqttMessagePtr& m,
                      Qos qos,
                      uint16_t packetId,
                      bool retain,
                      bool countDelivered,
                      MqttActions& out);

    // --- Output held back with reorderJitter (mqtt-broker-held-output.cc) -----------------
    /** Whether the profile holds output back (reorderJitter). */
    bool Reorders() const;
    /** Holds @p h for a random delay in [0, reorderJitter) on the release timer. */
    void Hold(MqttBrokerConnection& conn, HeldPacket h, Nanos now, MqttActions& out);
    /** PUBACK or PUBREC to a publisher, now or held (held acks count as inbound in flight). */
    void SendAck(MqttBrokerConnection& conn,
                 PacketType type,
                 uint16_t packetId,
                 Nanos now,
                 MqttActions& out);
    /** Writes a PUBACK or PUBREC now. */
    void WriteAck(ConnectionId id, PacketType type, uint16_t packetId, MqttActions& out);
    /** Writes a held packet; a QoS 1/2 delivery only if it is still in flight. */
    void Write(MqttBrokerConnection& conn, const HeldPacket& h, MqttActions& out);
    /** Writes every held packet due at @p now, in release order, and re-arms the timer. */
    void Release(MqttBrokerConnection& conn, Nanos now, MqttActions& out);
    /** Held output dies with its connection: reports the QoS 0 deliveries lost. */
    void DropHeldOutput(MqttBrokerConnection& conn, const MqttSession& s, MqttActions& out);

    // --- Back-pressure on publishers (mqtt-broker-flow-control.cc) -------------------------
    /** Pauses the input of m_publishing, whose message @p s queued as the queue grew long. */
    void PausePublisher(MqttSession& s, Nanos now, MqttActions& out);
    /**
     * Lets the connections paused by @p s go on (their input is processed by ProcessResumed):
     * when its queue is down to half the pause depth, or always with @p force.
     */
    void ReleaseWaiters(const MqttSession& s, bool force, MqttActions& out);
    /** Processes the buffered input of connections released since the last call. */
    void ProcessResumed(Nanos now, MqttActions& out);
    /** A pause of @p conn ran out: everyone its session paused goes on. */
    void EndPause(MqttBrokerConnection& conn, TimerId timer, MqttActions& out);

    // --- Timers and randomness (mqtt-broker-timers.cc) -------------------------------------
    /** OnTimer without processing the input of connections it released. */
    void FireTimer(TimerId timer, Nanos now, MqttActions& out);
    void FireSessionTimer(TimerTarget target, TimerId timer, Nanos now, MqttActions& out);
    /** The CONNECT deadline or keep-alive timer of @p conn. */
    void FireConnectionTimer(
        MqttBrokerConnection& conn, TimerTarget target, TimerId timer, Nanos now, MqttActions& out);
    TimerId StartTimer(TimerKind kind, uint64_t key, Nanos at, MqttActions& out);
    void CancelTimer(TimerId timer, MqttActions& out);
    /** Uniform in [0, 1) from the engine's seeded generator. */
    double Uniform();
    /** A new subscription's delay (subscriptionDelay, its shape and spread). */
    Nanos DrawSubscriptionDelay();

    // --- Output and notifications (inline below, and mqtt-broker-delivery.cc) --------------
    /**
     * The byte buffer of the call's SendAction for @p id: the one it already has (the last
     * action, or the connection's open send of this turn), else a new one.
     */
    std::vector<uint8_t>& SendBuffer(ConnectionId id, MqttActions& out);
    std::vector<uint8_t>& SendBuffer(MqttBrokerConnection& conn, MqttActions& out);
    void SendPacket(ConnectionId id, const Packet& packet, MqttActions& out);
    /** The version the connection @p id speaks (3.1.1 for a profile that speaks no other). */
    ProtocolVersion VersionOf(ConnectionId id) const;
    MqttEvent& Notify(EventType type, ConnectionId connection, MqttActions& out);
    /** The events the driver wants (SetEventInterest). */
    MqttEventSet m_eventInterest = MqttEventSet::All();
    /** What Notify hands out for an event nobody wants: filled in, never emitted. */
    MqttEvent m_unwanted;
    /** An event about message @p m, with @p clientId, the message and its topic filled in. */
    MqttEvent& NotifyMessage(EventType type,
                             ConnectionId connection,
                             const std::string& clientId,
                             const MqttMessagePtr& m,
                             MqttActions& out);
    /** The connection @p s is attached to (0: offline), as events name it. */
    static ConnectionId ConnectionOf(const MqttSession& s);
    /** Deliveries of @p s waiting or in flight, as events report it. */
    static uint32_t DepthOf(const MqttSession& s);
    void NotifyDelivery(EventType type,
                        const MqttSession& s,
                        const MqttMessagePtr& m,
                        Qos qos,
                        uint16_t packetId,
                        bool dup,
                        bool retain,
                        MqttActions& out);
    /** clientId is the publisher; peerId the subscriber @p s (none for a refused publish). */
    MqttEvent& NotifyDrop(const MqttSession* s,
                          ConnectionId connection,
                          const MqttMessagePtr& m,
                          Qos qos,
                          DropReason reason,
                          MqttActions& out);

    /** The time of the driver's current call (5.0 counts message expiry down on writes). */
    Nanos m_now{0};
    std::unordered_map<TimerId, TimerTarget> m_timers;
    TimerId m_nextTimer = 1;
    uint64_t m_nextMessageId = 1;
    uint64_t m_nextAssignedId = 1;
    std::size_t m_connectedClients = 0;

    // --- Subscriptions per account (mqtt-broker-account-subscriptions.cc) --------------------
    /** Subscriptions of this engine's connected sessions, counted in m_account. */
    std::size_t m_activeSubscriptions = 0;
    /** @p session came online (or made one) with @p count subscriptions at @p now. */
    void ActivateSubscriptions(std::size_t count, Nanos now);
    /** @p count subscriptions went offline or were removed. */
    void DeactivateSubscriptions(std::size_t count);
    /** Moves this engine's active subscriptions onto @p account (SetAccount). */
    void MoveSubscriptionsTo(const std::shared_ptr<MqttAccountQuotas>& account);
    /** Time of the latest admitted CONNECT per client id (minConnectInterval). */
    std::map<std::string, Nanos, std::less<>> m_lastConnect;
    /** m_lastConnect is pruned of expired entries when it grows past this. */
    std::size_t m_lastConnectPruneAt = 64;
    /** Lifecycle version numbers (and session identifiers) are taken from this counter. */
    uint64_t m_lifecycleSeq = 0;
    std::mt19937_64 m_rng;
    /** Operations handled since the driver last took them (TakeWork). */
    MqttServiceWork m_work;
    /** Decoding target, reused so that PUBLISH storage is recycled between packets. */
    Packet m_packet;
    /** Scratch for topic-tree matches (taken and given back so nesting stays safe). */
    std::vector<SubscriberMatch> m_matches;

    /** Sessions that paused publishers, by handle (ordered: determinism). */
    struct SessionPause
    {
        /** Connections it paused, in pause order (some may be gone or released since). */
        std::vector<ConnectionId> waiters;
        /** A pause ran out: this session pauses no one until its queue is short again. */
        bool exempt = false;
    };

    /** SetBackPressure's queue depth (0: off) and longest pause. */
    std::size_t m_pauseDepth = 0;
    Nanos m_maxPause{0};
    /** The connection whose PUBLISH is being routed (null: none, e.g. a will). */
    MqttBrokerConnection* m_publishing = nullptr;
    std::map<SubscriberId, SessionPause> m_pauses;
    /** Connections released from a pause whose buffered input is still to be processed. */
    std::vector<ConnectionId> m_resumeInput;

    /** Durable persistence: what changed since the last batch. */
    std::set<std::string, std::less<>> m_dirtySessions;
    std::set<std::string, std::less<>> m_dirtyRetained;
    /** What the store holds (as far as batches were emitted): sessions and their references. */
    std::map<std::string, std::vector<uint64_t>, std::less<>> m_storedSessions;
    std::map<std::string, uint64_t, std::less<>> m_storedRetained;
    std::unordered_map<uint64_t, uint32_t> m_storedRefs;
    /** Stored messages nothing refers to (found by Restore): deleted by the next batch. */
    std::vector<uint64_t> m_orphans;
    /** The last batch emitted and the last one reported durable. */
    uint64_t m_batch = 0;
    uint64_t m_durableBatch = 0;
    /** Output waiting for its batch (the batch number it waits for). */
    std::deque<std::pair<uint64_t, MqttAction>> m_heldForStore;
    /** How many of m_heldForStore each connection has (none: not in the map). */
    std::unordered_map<ConnectionId, std::size_t> m_heldPerConnection;
    /** The store failed: connections refused until a full image (m_clearBatch) is durable. */
    bool m_storageFailed = false;
    bool m_clearPending = false;
    /** The retry timer fired: the end of this call writes the whole state. */
    bool m_retryDue = false;
    uint64_t m_clearBatch = 0;
    TimerId m_persistRetry = 0;

    friend class MqttBrokerEngine;
};

// Output helpers on every delivery's path: inline, so splitting the engine into files did not
// put a call between a delivery and its bytes.

inline std::size_t
MqttBrokerEngine::Impl::BeginTurn(const MqttActions& out)
{
    ++m_turn;
    return out.size();
}

inline std::vector<uint8_t>&
MqttBrokerEngine::Impl::SendBuffer(ConnectionId id, MqttActions& out)
{
    if (!out.empty())
    {
        if (auto* send = std::get_if<SendAction>(&out.back()); send && send->connection == id)
        {
            return send->bytes;
        }
    }
    auto it = m_connections.find(id);
    if (it != m_connections.end())
    {
        return SendBuffer(*it->second, out);
    }
    out.emplace_back(SendAction{id, {}});
    return std::get<SendAction>(out.back()).bytes;
}

inline std::vector<uint8_t>&
MqttBrokerEngine::Impl::SendBuffer(MqttBrokerConnection& conn, MqttActions& out)
{
    // A fan-out turn writes to many connections in turn; without this, every delivery would
    // start a SendAction of its own (a buffer, a copy and a write call each).
    MqttBrokerConnection::OpenSend& open = conn.CurrentSend();
    if (open.turn == m_turn && open.index < out.size())
    {
        if (auto* send = std::get_if<SendAction>(&out[open.index]);
            send && send->connection == conn.Id())
        {
            return send->bytes;
        }
    }
    out.emplace_back(SendAction{conn.Id(), {}});
    open.turn = m_turn;
    open.index = out.size() - 1;
    return std::get<SendAction>(out.back()).bytes;
}

inline void
MqttBrokerEngine::Impl::SendPacket(ConnectionId id, const Packet& packet, MqttActions& out)
{
    if (m_profile.protocolVersion != ProtocolVersion::Mqtt311)
    {
        // A 5.0 connection's packets all go through SendPacket5 (Reason Strings, User
        // Properties, the client's Maximum Packet Size: mqtt-broker-v5-reasons.cc).
        auto it = m_connections.find(id);
        if (it != m_connections.end() && it->second->V5() != nullptr)
        {
            SendPacket5(*it->second, packet, out);
            return;
        }
    }
    Encode(packet, SendBuffer(id, out), ProtocolVersion::Mqtt311);
}

inline ProtocolVersion
MqttBrokerEngine::Impl::VersionOf(ConnectionId id) const
{
    if (m_profile.protocolVersion == ProtocolVersion::Mqtt311)
    {
        return ProtocolVersion::Mqtt311; // no lookup on a 3.1.1 broker's hot path
    }
    auto it = m_connections.find(id);
    return it != m_connections.end() && it->second->V5() != nullptr ? ProtocolVersion::Mqtt5
                                                                    : ProtocolVersion::Mqtt311;
}

inline MqttEvent&
MqttBrokerEngine::Impl::Notify(EventType type, ConnectionId connection, MqttActions& out)
{
    if (type != EventType::PublishReceived && type != EventType::MessageSent &&
        type != EventType::MessageDelivered && type != EventType::MessageQueued &&
        type != EventType::MessageDropped)
    {
        // Bytes written after a change of the connection's state (a session started, a
        // subscription granted, ...) go after its event, as they were written: only the
        // per-message events let one call's packets join one SendAction. Whether the event is
        // wanted or not, so that the actions are the same for every driver.
        auto it = m_connections.find(connection);
        if (it != m_connections.end())
        {
            it->second->CurrentSend().turn = 0;
        }
    }
    if (!m_eventInterest.Has(type))
    {
        return m_unwanted;
    }
    NotifyAction action;
    action.event.type = type;
    action.event.connection = connection;
    out.emplace_back(std::move(action));
    return std::get<NotifyAction>(out.back()).event;
}

inline MqttEvent&
MqttBrokerEngine::Impl::NotifyMessage(EventType type,
                                      ConnectionId connection,
                                      const std::string& clientId,
                                      const MqttMessagePtr& m,
                                      MqttActions& out)
{
    MqttEvent& e = Notify(type, connection, out);
    if (&e == &m_unwanted)
    {
        return e;
    }
    e.clientId = clientId;
    e.message = m;
    e.topic = m->topic;
    return e;
}

inline ConnectionId
MqttBrokerEngine::Impl::ConnectionOf(const MqttSession& s)
{
    return s.Connection() != nullptr ? s.Connection()->Id() : 0;
}

inline uint32_t
MqttBrokerEngine::Impl::DepthOf(const MqttSession& s)
{
    return static_cast<uint32_t>(s.QueuedCount() + s.Inflight().size());
}

inline void
MqttBrokerEngine::Impl::MarkSession(const MqttSession& s)
{
    if (m_durable && (!s.IsClean() || m_storedSessions.count(s.ClientId()) != 0))
    {
        m_dirtySessions.insert(s.ClientId());
    }
}

inline void
MqttBrokerEngine::Impl::MarkRetained(const std::string& topic)
{
    if (m_durable)
    {
        m_dirtyRetained.insert(topic);
    }
}

inline bool
MqttBrokerEngine::Impl::Reorders() const
{
    return m_profile.reorderJitter > Nanos(0);
}

inline bool
MqttBrokerEngine::Impl::WindowHasRoom(const MqttSession& s) const
{
    // A 5.0 client's Receive Maximum bounds it too [MQTT5-3.3.4-9].
    const MqttBrokerConnection* c = s.Connection();
    return s.Inflight().size() < InflightWindow(m_profile) &&
           (c == nullptr || c->V5() == nullptr ||
            s.Inflight().size() < c->V5()->clientReceiveMaximum);
}

} // namespace mqtt
} // namespace ns3

#endif // MQTT_BROKER_ENGINE_IMPL_H
