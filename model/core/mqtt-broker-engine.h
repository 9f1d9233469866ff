/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The MQTT 3.1.1 broker as an I/O-free engine: connection events, bytes and the current time go
 * in; actions (send, close, timers, notifications) come out.
 */
#ifndef MQTT_BROKER_ENGINE_H
#define MQTT_BROKER_ENGINE_H

#include "mqtt-action.h"
#include "mqtt-broker-profile.h"
#include "mqtt-service-costs.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace ns3
{
namespace mqtt
{

class MqttAuthenticator;
class MqttAuthMethods;
class MqttAcl;
struct MqttDurableState;
class MqttAccountQuotas;
class MqttMemoryBudget;

/**
 * The broker engine. The driver owns the transport and numbers connections; the engine owns
 * sessions, subscriptions, retained messages and all protocol decisions.
 *
 * Contract with the driver:
 * - OnConnectionOpened() once per accepted transport connection, before its bytes.
 * - OnBytes() with whatever the transport delivered, in any split.
 * - OnConnectionClosed() when the transport closed without the engine asking. After the engine
 *   emits a CloseAction for a connection it has forgotten that connection: the driver closes it
 *   and does not report it back.
 * - OnTimer() when a timer the engine started is due (a cancelled or restarted timer must not
 *   fire with its old deadline).
 * - Actions are appended to @p out, in the order the driver must carry them out. One SendAction
 *   may hold several packets for the same connection.
 *
 * Design, and the choices the specification leaves open: doc/broker-engine.md.
 */
class MqttBrokerEngine
{
  public:
    /**
     * @param profile the limits and policies this broker follows
     * @param seed seeds the engine's own randomness (only profiles with probabilistic
     *        behaviour use it), so one seed reproduces a run
     */
    explicit MqttBrokerEngine(MqttBrokerProfile profile = MqttBrokerProfile::Standard311(),
                              uint64_t seed = 1);
    ~MqttBrokerEngine();
    MqttBrokerEngine(const MqttBrokerEngine&) = delete;
    MqttBrokerEngine& operator=(const MqttBrokerEngine&) = delete;

    /** User names and passwords; null (the default) accepts every client. */
    void SetAuthenticator(std::shared_ptr<const MqttAuthenticator> authenticator);

    /**
     * The enhanced authentication methods of 5.0 clients (section 4.12), looked up by the
     * CONNECT's Authentication Method; null (the default) or a method not in it: CONNACK 0x8C.
     * A CONNECT with a method is authenticated by it alone (the authenticator above is not
     * asked). The profile's enhancedAuthentication false refuses every method.
     */
    void SetAuthMethods(std::shared_ptr<const MqttAuthMethods> methods);

    /**
     * The events to emit (all by default). Left-out events cost nothing; the engine's behaviour
     * and its other actions are the same whatever the set.
     */
    void SetEventInterest(MqttEventSet events);

    /** Topic access control; null (the default) allows everything. */
    void SetAcl(std::shared_ptr<const MqttAcl> acl);

    /**
     * The account whose quotas this engine counts against (AccountQuota): by default its own,
     * made from the profile. Engines given the same object share one account (every request of
     * each counts against the same buckets), and a driver that keeps it keeps the account's
     * state and statistics across a new engine (a broker restart). Set before the first input.
     */
    void SetAccount(std::shared_ptr<MqttAccountQuotas> account);

    /** The account's quotas and what was observed of them. */
    const MqttAccountQuotas& Account() const;

    /**
     * Back-pressure on publishers (off by default: @p queueDepth 0). When a message from a
     * connection is queued for another connected session that then holds @p queueDepth or more
     * queued messages, the engine stops taking that connection's input (its bytes wait, in
     * order, in the engine) until the session's queue is down to @p queueDepth / 2, the session
     * is gone or offline, or @p maxPause has passed. A session whose publishers waited the whole
     * @p maxPause (a subscriber that stopped acknowledging) pauses no one until its queue is
     * down to @p queueDepth / 2 again. A driver may stop reading a paused connection
     * (IsInputPaused). The queue bound and drop policy still apply.
     */
    void SetBackPressure(std::size_t queueDepth, Nanos maxPause);

    /**
     * Whether the engine is not taking @p connection's input now (back-pressure, or the
     * profile's byte rate): bytes handed to it wait in the engine, so a driver may stop reading
     * the connection until this turns false again.
     */
    bool IsInputPaused(ConnectionId connection) const;

    void OnConnectionOpened(ConnectionId connection, Nanos now, MqttActions& out);

    /**
     * The transport proved who the peer of @p connection is (the CN of a TLS client certificate
     * under mosquitto's use_identity_as_username): its CONNECT's user name is replaced by
     * @p identity for access control and %u, and its password is not checked. Call after
     * OnConnectionOpened and before the CONNECT's bytes.
     */
    void SetPeerIdentity(ConnectionId connection, std::string identity);
    void OnBytes(ConnectionId connection,
                 const uint8_t* data,
                 std::size_t size,
                 Nanos now,
                 MqttActions& out);
    void OnConnectionClosed(ConnectionId connection, Nanos now, MqttActions& out);
    void OnTimer(TimerId timer, Nanos now, MqttActions& out);

    /**
     * Closes every connection (reason ServerShutdown, no wills); sessions, their queues and
     * messages in flight, and retained messages are kept. Until Resume() every CONNECT gets
     * CONNACK 0x03 (server unavailable). The only timers left running are the session-expiry
     * timers of disconnected persistent sessions: the driver keeps delivering them, so sessions
     * expire on time while the broker is down (as a restarted broker with persistence expires
     * them when it loads its state).
     */
    void Shutdown(Nanos now, MqttActions& out);

    /**
     * Accepts connections again after Shutdown(), with the state Shutdown() kept: a persistent
     * client that reconnects gets Session Present 1, its subscriptions, and what was queued or
     * in flight for it. Emits no action; does nothing if the engine is not shut down.
     */
    void Resume(Nanos now, MqttActions& out);

    /**
     * The protocol operations handled since the last call (connections accepted, packets by
     * type, filters, subscription matches, PUBLISHes sent), and counting starts again: what a
     * driver with a service model charges for the input it just handed over. Bytes are not
     * counted here (the driver knows them: MqttServiceModel::AddIo).
     */
    MqttServiceWork TakeWork();

    /** Whether Shutdown() was called and Resume() not since. */
    bool IsShutDown() const;

    // --- Durable persistence (doc/broker-engine.md, "Durable persistence") --------------------
    /**
     * Turns durability on, with an empty store; call before the first connection. From then on
     * every call that changes a persistent session or a retained message ends with a
     * PersistAction, and its sends and closes (and those of later calls, in order) are held
     * until OnPersisted() reports that batch durable: no PUBACK, PUBREC or CONNACK tells a
     * client that something is stored before it is.
     */
    void EnablePersistence();

    /**
     * Turns durability on with the state a store held (after a crash or a restart): persistent
     * sessions (offline, expiry timers started at @p now), their subscriptions, deliveries in
     * flight and queued, inbound QoS 2 ids, and retained messages. Call on a fresh engine.
     * @return false with @p error set when the state is inconsistent (the broker must not serve
     *         with part of it lost).
     */
    bool Restore(const MqttDurableState& state, Nanos now, MqttActions& out, std::string& error);

    /** The driver stored every batch up to @p batch: the output waiting for them is released. */
    void OnPersisted(uint64_t batch, Nanos now, MqttActions& out);

    /**
     * The driver could not store @p batch (a full disk, an I/O error): the output waiting is
     * dropped (no acknowledgement of what is not stored), every connection is closed
     * (ServerShutdown) and CONNECTs are refused (CONNACK 0x03) until the whole state has been
     * written again: the engine retries every second.
     */
    void OnPersistFailed(uint64_t batch, Nanos now, MqttActions& out);

    /** Whether durability is on. */
    bool IsPersistent() const;

    const MqttBrokerProfile& Profile() const;

    /** Open transport connections, with or without a completed CONNECT. */
    std::size_t ConnectionCount() const;
    /** Sessions held, connected or not. */
    std::size_t SessionCount() const;
    /** Messages queued or in flight for @p clientId's session (0 if none). */
    std::size_t QueueDepth(const std::string& clientId) const;
    std::size_t RetainedCount() const;

    // --- Introspection for tests, fuzzers and studies (read-only) ------------------------------
    /** Whether @p clientId has a session with a connection attached. */
    bool IsConnected(const std::string& clientId) const;
    /** Deliveries of @p clientId's session that await an acknowledgement (0 if none). */
    std::size_t InflightCount(const std::string& clientId) const;
    /** Subscriptions of @p clientId's session (0 if none). */
    std::size_t SubscriptionCount(const std::string& clientId) const;
    /** Inbound QoS 2 packet ids of @p clientId's session awaiting PUBREL (0 if none). */
    std::size_t PendingPubrelCount(const std::string& clientId) const;
    /** Timers the engine has started and not yet seen fire or cancelled. */
    std::size_t ActiveTimerCount() const;
    /** Subscriptions held by the topic tree, over all sessions. */
    std::size_t TotalSubscriptionCount() const;
    /** The memory budget (the profile's memoryLimit): bytes charged and refusals per use. */
    const MqttMemoryBudget& Memory() const;
    /**
     * The driver holds @p unsent bytes for @p connection that its transport has not taken (a
     * peer that does not read): with a memory limit they are charged to it, and a connection
     * whose output would pass the limit is closed (CloseReason::MemoryLimit; the driver drops
     * what it holds). Drivers report when the amount changes, 0 once written.
     */
    void OnOutputBuffered(ConnectionId connection,
                          std::size_t unsent,
                          Nanos now,
                          MqttActions& out);

  private:
    class Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_BROKER_ENGINE_H
