/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker engine on real sockets: a single-threaded epoll loop with non-blocking TCP.
 */
#ifndef MQTT_POSIX_BROKER_H
#define MQTT_POSIX_BROKER_H

#include "mqtt-action.h"
#include "mqtt-durable-image.h"
#include "mqtt-paused-reads.h"
#include "mqtt-posix-endpoint.h"
#include "mqtt-posix-output-buffer.h"
#include "mqtt-posix-reactor.h"
#include "mqtt-posix-store-writer.h"
#include "mqtt-posix-timer-queue.h"
#include "mqtt-stream-layer.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ns3
{
namespace mqtt
{

class MqttBrokerEngine;
class MqttTlsContext;

struct MqttPosixBrokerOptions
{
    /** Addresses to listen on (IPv4 and IPv6; port 0 lets the kernel choose). */
    std::vector<MqttPosixEndpoint> listen;
    /** Addresses speaking MQTT over TLS (needs tls). */
    std::vector<MqttPosixEndpoint> tlsListen;
    /** Addresses speaking MQTT over WebSocket (RFC 6455, subprotocol mqtt). */
    std::vector<MqttPosixEndpoint> wsListen;
    /** Addresses speaking MQTT over WebSocket over TLS (needs tls). */
    std::vector<MqttPosixEndpoint> wssListen;
    /** The server's TLS settings (certificate, key, CA, versions, ALPN). */
    std::shared_ptr<MqttTlsContext> tls;
    /** A TLS client certificate's CN becomes the user name (mosquitto's use_identity_as_username). */
    bool identityAsUserName = false;
    /** A TLS or WebSocket handshake not done within this is dropped. */
    Nanos handshakeTimeout = std::chrono::seconds(10);
    /**
     * A connection with more than this many bytes the kernel has not taken (a subscriber that
     * does not read) is closed and reported as lost. The engine bounds its queues per session
     * (the profile's maxQueuedMessages); this bounds what was already handed to the transport.
     */
    std::size_t maxUnsentBytes = 8 * 1024 * 1024;
    /** Bytes read from one connection per wakeup. */
    std::size_t readChunk = 64 * 1024;
    int listenBacklog = 4096;
    /** How long a connection the engine closed may take to write what it was sent last. */
    Nanos closeLinger = std::chrono::seconds(2);
    /** How long a shutdown waits for the last bytes to leave. */
    Nanos shutdownLinger = std::chrono::seconds(2);
    /** Log one line per connect and disconnect; nullptr: quiet. */
    std::FILE* log = stderr;
};

/**
 * Drives one MqttBrokerEngine on an epoll loop with CLOCK_MONOTONIC as engine time.
 *
 * Each wakeup reads at most readChunk bytes from each ready connection and hands them to the
 * engine; the bytes the engine sends are gathered per connection and written once at the end of
 * the wakeup, so a subscriber receiving many messages costs one write() per wakeup, not one per
 * message. What the kernel refuses waits (EPOLLOUT) up to maxUnsentBytes. A connection whose input
 * the engine paused (MqttBrokerEngine::IsInputPaused: back-pressure or a byte rate) is not read
 * until the engine takes input from it again, so the kernel's flow control reaches its peer.
 */
class MqttPosixBroker
{
  public:
    struct Stats
    {
        uint64_t accepted = 0;
        uint64_t closedByEngine = 0; //!< the engine asked (CloseAction)
        uint64_t closedByPeer = 0;   //!< EOF or a socket error on read or write
        uint64_t closedSlow = 0;     //!< more than maxUnsentBytes unsent
        uint64_t refusedNoFd = 0;    //!< accepted and dropped: out of file descriptors
        uint64_t bytesIn = 0;
        uint64_t bytesOut = 0;
        uint64_t wakeups = 0;
        uint64_t readPauses = 0; //!< times reading a connection stopped (paused input)
        uint64_t handshakesFailed = 0;  //!< TLS or WebSocket handshakes refused or broken
        uint64_t handshakesTimedOut = 0; //!< not done within handshakeTimeout
        uint64_t commits = 0;        //!< store transactions (group commits)
        uint64_t persistBatches = 0; //!< engine batches they carried
        uint64_t commitFailures = 0;
    };

    /**
     * Makes @p ops durable in one transaction (the broker's store). @return false with
     * @p error set when it could not.
     */
    using CommitCallback =
        std::function<bool(const std::vector<PersistOp>& ops, std::string& error)>;

    /** Called for every engine notification (for recorders and tests). */
    using EventCallback = std::function<void(const MqttEvent& event, Nanos now)>;

    MqttPosixBroker(MqttBrokerEngine& engine, MqttPosixBrokerOptions options);
    ~MqttPosixBroker();
    MqttPosixBroker(const MqttPosixBroker&) = delete;
    MqttPosixBroker& operator=(const MqttPosixBroker&) = delete;

    /** Creates the epoll instance and the listeners. @return false with @p error set. */
    bool Open(std::string& error);

    /** The addresses really listened on (ports resolved), after Open(). */
    const std::vector<MqttPosixEndpoint>& Listening() const;
    /** What each of Listening() speaks: "mqtt", "tls", "ws" or "wss". */
    std::vector<std::string> ListeningProtocols() const;

    /**
     * Blocks SIGINT and SIGTERM in the calling thread and stops Run() when one arrives
     * (signalfd). Call before starting other threads so they inherit the mask.
     */
    bool StopOnSignals(std::string& error);

    /**
     * Serves until Stop() or a signal, then shuts down: listeners closed, engine Shutdown(),
     * the last bytes written (at most shutdownLinger), every connection closed.
     */
    void Run();

    /** One wakeup: waits at most @p maxWait for I/O or a timer, handles it. */
    void RunOnce(Nanos maxWait);

    /** Asks Run() to return; safe from any thread and from signal handlers. */
    void Stop();

    void SetEventCallback(EventCallback callback);

    /**
     * The store for an engine with durability on, after Open(). The PersistActions gathered
     * while no write is in progress go to @p commit in one call (group commit) on a writer
     * thread, so the loop goes on meanwhile; when it returns the engine is told (OnPersisted,
     * or OnPersistFailed) and the output it held goes out. @return false with @p error set.
     */
    bool SetStore(CommitCallback commit, std::string& error);

    /**
     * Turns the engine's durability on with @p state (what the store held), before Run().
     * @return false with @p error set when the state is inconsistent.
     */
    bool Restore(const MqttDurableState& state, std::string& error);

    /** Calls @p tick every @p period from the loop (statistics samples, say). */
    void SetTick(Nanos period, std::function<void(Nanos now)> tick);

    const Stats& GetStats() const;
    /** Open transport connections (including ones closing). */
    std::size_t ConnectionCount() const;

  private:
    /** What an epoll registration stands for (the top byte of its data). */
    enum class Kind : uint8_t
    {
        Connection = 0,
        Listener = 1,
        Signal = 2,
        Store = 3, //!< the store writer finished a write
    };

    /** What a listener speaks. */
    enum class Protocol : uint8_t
    {
        Mqtt,
        Tls,
        Ws,
        Wss,
    };

    struct Connection
    {
        int fd = -1;
        ConnectionId id = 0;
        MqttPosixOutputBuffer out;
        /** Queued for the end-of-wakeup flush. */
        bool dirty = false;
        /** The epoll events registered (EPOLLIN, EPOLLOUT). */
        uint32_t interest = 0;
        /** A close linger deadline is running. */
        bool lingering = false;
        /** The engine closed it: write what is left, then close; read nothing more. */
        bool closing = false;
        /** Not read while the engine does not take its input (in m_pausedReads). */
        bool readPaused = false;
        /** The unsent bytes last reported to the engine's memory budget. */
        std::size_t reportedUnsent = 0;
        std::string clientId;
        std::string peer;
        /** TLS and/or WebSocket between the socket and the engine; null: plain MQTT. */
        std::unique_ptr<MqttStreamStack> stream;
        /** Application bytes for stream, sealed into records/frames once per wakeup. */
        std::vector<uint8_t> plain;
        /** Every layer of stream finished its handshake. */
        bool streamOpen = false;
        /** The layers' orderly end (close_notify, close frame) was queued. */
        bool streamClosed = false;
    };

    static uint64_t Tag(Kind kind, uint64_t value);

    /** Handles one ready descriptor (its reactor key and epoll events). */
    void HandleReady(uint64_t key, uint32_t flags, Nanos now);
    void Accept(std::size_t listener, Nanos now);
    void Read(Connection& connection, Nanos now);
    /** Hands @p size bytes read from a connection with layers through them to the engine. */
    void ReadStream(Connection& connection, std::size_t size, Nanos now);
    /** Turns the connection's plain bytes (and a pending close) into wire bytes. */
    bool SealStream(Connection& connection, Nanos now);
    /** The layers a listener's connections need. */
    std::unique_ptr<MqttStreamStack> MakeStream(Protocol protocol) const;
    /** The events the engine is asked for: those HandleEvent and the callback read. */
    MqttEventSet WantedEvents() const;
    /** Carries out the engine's actions of m_actions. */
    void Apply(Nanos now);
    /** Queues bytes for the end-of-wakeup write. */
    void Send(SendAction& send);
    /** Stops reading; the rest is written, then the connection is closed. */
    void Close(const CloseAction& close);
    void Flush(Nanos now);
    /**
     * Tells the engine's memory budget how much @p connection leaves unsent, if that changed.
     * @return false when the engine closed it for that (its output is dropped, it is destroyed).
     */
    bool ReportUnsent(Connection& connection, Nanos now);
    /** Hands the batches gathered so far to the store writer, unless it is busy. */
    void CommitPersisted(Nanos now);
    /**
     * Reports the outcome of the store writer's write to the engine, if it finished (or with
     * @p wait once it has). @return whether there was one.
     */
    bool TakeStoreResult(Nanos now, bool wait);
    void MarkDirty(Connection& connection);
    /** Stops reading @p connection if the engine paused its input. */
    void PauseIfPaused(Connection& connection);
    /** Reads again from the paused connections whose input the engine takes again. */
    void ResumeReading();
    /** Registers interest in reading and/or writing, if it changed. */
    void SetInterest(Connection& connection, bool read, bool write);
    /** The transport failed or the peer left: close and tell the engine. */
    void Lost(Connection& connection, const std::string& why, Nanos now);
    /** Closes the descriptor and forgets the connection (the engine already has). */
    void Destroy(ConnectionId id);
    Connection* Find(ConnectionId id);
    void HandleEvent(const MqttEvent& event, Nanos now);
    void Log(const char* format, ...) __attribute__((format(printf, 2, 3)));
    void ShutDown();

    MqttBrokerEngine& m_engine;
    MqttPosixBrokerOptions m_options;
    MqttPosixReactor m_reactor;
    int m_signalFd = -1;
    /** Kept open so that running out of descriptors can still accept-and-close. */
    int m_spareFd = -1;
    std::vector<int> m_listenFds;
    std::vector<MqttPosixEndpoint> m_listening;
    std::vector<Protocol> m_listenProtocols;
    std::unordered_map<ConnectionId, Connection> m_connections;
    ConnectionId m_nextId = 1;
    MqttPosixTimerQueue m_timers;
    /** Deadlines of connections closing with unsent bytes, keyed by connection id. */
    MqttPosixTimerQueue m_lingers;
    /** Deadlines of TLS and WebSocket handshakes, keyed by connection id. */
    MqttPosixTimerQueue m_handshakes;
    MqttActions m_actions;
    std::vector<ConnectionId> m_dirty;
    /** Connections not read because the engine paused their input. */
    MqttPausedReads m_pausedReads;
    std::vector<uint8_t> m_readBuffer;
    EventCallback m_eventCallback;
    std::unique_ptr<MqttPosixStoreWriter> m_writer;
    /** The ops of the PersistActions not yet handed to the writer, and their last batch. */
    std::vector<PersistOp> m_persistOps;
    uint64_t m_persistBatch = 0;
    std::size_t m_batchesPending = 0;
    /** The last batch of the write in progress. */
    uint64_t m_writingBatch = 0;
    std::function<void(Nanos now)> m_tick;
    Nanos m_tickPeriod{0};
    Nanos m_nextTick{0};
    Stats m_stats;
    std::atomic<bool> m_stop{false};
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_POSIX_BROKER_H
