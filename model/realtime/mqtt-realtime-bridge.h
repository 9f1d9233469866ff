/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Real TCP sockets inside a real-time ns-3 simulation: one I/O thread, plain bytes handed to the
 * simulation with Simulator::ScheduleWithContext.
 */
#ifndef MQTT_REALTIME_BRIDGE_H
#define MQTT_REALTIME_BRIDGE_H

#include "mqtt-posix-endpoint.h"
#include "mqtt-posix-output-buffer.h"
#include "mqtt-posix-reactor.h"
#include "mqtt-stream-layer.h"
#include "mqtt-client-streams.h"
#include "mqtt-tls.h"

#include "ns3/address.h"
#include "ns3/callback.h"
#include "ns3/ptr.h"
#include "ns3/simple-ref-count.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ns3
{
namespace mqtt
{

/**
 * Real sockets for a simulation run by ns-3's RealtimeSimulatorImpl (hardware in the loop).
 *
 * One I/O thread waits on epoll. What it reads becomes an event of the simulation (scheduled with
 * ScheduleWithContext, delay 0, so at the current real time), carrying plain bytes: packets and
 * every other ns-3 object are made inside the event, in the simulation thread. The simulation
 * writes directly (a non-blocking send from its own thread, so a reply costs no thread switch);
 * what the kernel refuses is written by the I/O thread when the socket drains. Only the I/O thread
 * closes descriptors.
 *
 * Everything but the constructor's thread runs in the simulation thread: Listen, Connect,
 * Attach, Send, Close, Abort, and the callbacks. One bridge serves the whole process (Get()); it
 * stops with Simulator::Destroy().
 */
class MqttRealtimeBridge : public SimpleRefCount<MqttRealtimeBridge>
{
  public:
    /** Names one real socket (listener or connection). */
    using Handle = uint64_t;

    /** What one connection reports to the simulation. Every callback may be null. */
    struct Sink
    {
        Callback<void> connected;
        Callback<void> connectFailed;
        Callback<void, const uint8_t*, std::size_t> data;
        /** The connection ended (bool: by an error); also the end of a Close(). */
        Callback<void, bool> closed;
        /** The I/O thread wrote pending bytes (PendingBytes() is smaller). */
        Callback<void> written;
    };

    /** A listener accepted connection @p handle from @p peer (call Attach() or Abort()). */
    using AcceptCallback = Callback<void, Handle, const Address&>;

    /** The bridge of this process, created (and its thread started) on first use. */
    static Ptr<MqttRealtimeBridge> Get();

    /** Whether SimulatorImplementationType is ns3::RealtimeSimulatorImpl. */
    static bool SimulatorIsRealtime();

    /** An endpoint as an ns-3 InetSocketAddress or Inet6SocketAddress. */
    static Address ToAddress(const MqttPosixEndpoint& endpoint);

    ~MqttRealtimeBridge();
    MqttRealtimeBridge(const MqttRealtimeBridge&) = delete;
    MqttRealtimeBridge& operator=(const MqttRealtimeBridge&) = delete;

    /**
     * Listens on @p endpoint; accepted connections are reported in node context @p context.
     * @return the listener's handle, or 0 with @p error set.
     */
    Handle Listen(const MqttPosixEndpoint& endpoint,
                  uint32_t context,
                  AcceptCallback accepted,
                  std::string& error,
                  std::shared_ptr<MqttTlsContext> tls = nullptr);
    /** The address a listener really has (its port when asked for port 0). */
    MqttPosixEndpoint ListeningEndpoint(Handle listener) const;
    void StopListening(Handle listener);

    /**
     * Starts a connection to @p peer; @p sink hears connected or connectFailed, then the rest.
     * With @p streams the connection speaks TLS (a client context) and/or WebSocket (ws://,
     * wss://), through the layers the POSIX client uses (MqttClientStreams): bytes sent before
     * the handshakes end wait for them, and a refused handshake ends the connection with an
     * error.
     */
    Handle Connect(const MqttPosixEndpoint& peer,
                   uint32_t context,
                   Sink sink,
                   MqttClientStreamOptions streams = {});
    /**
     * Starts reporting an accepted connection to @p sink; what arrived before (the owner may
     * attach only after a while) is reported from an event right after.
     */
    void Attach(Handle connection, Sink sink);

    void Send(Handle connection, const uint8_t* data, std::size_t size);
    /**
     * Writes what is pending (with @p discardPending, drops it: a peer that does not read), for
     * at most 2 s (then it is dropped, as the standalone broker's close linger does), closes,
     * then reports closed(false).
     */
    void Close(Handle connection, bool discardPending = false);
    /** Closes at once; reports nothing more. */
    void Abort(Handle connection);
    /** Bytes the kernel did not take yet. */
    std::size_t PendingBytes(Handle connection) const;
    /**
     * Stops (true) or resumes (false) reading @p connection (back-pressure): the kernel's flow
     * control then holds back its peer. Bytes read before may still be delivered.
     */
    void SetReadPaused(Handle connection, bool paused);

    /** Stops the I/O thread and closes every socket (Simulator::Destroy() calls it). */
    void Shutdown();

  private:
    MqttRealtimeBridge();

    struct RealSocket
    {
        int fd = -1;
        uint32_t context = 0;
        bool listener = false;
        bool connecting = false;
        /** Close() asked: write what is left, then close. */
        bool closing = false;
        /** Abort() or StopListening() asked: close at once, silently. */
        bool aborted = false;
        /** A write failed: close and report an error. */
        bool failed = false;
        /** Not read (back-pressure): no EPOLLIN. */
        bool readPaused = false;
        /** A written event is on its way to the simulation (DeliverWritten). */
        bool writtenQueued = false;
        /** In the epoll set. */
        bool registered = false;
        uint32_t interest = 0;
        MqttPosixOutputBuffer out;
        /** A listener's TLS settings (server side), for the connections it accepts. */
        std::shared_ptr<MqttTlsContext> tls;
        /** TLS between the socket and the simulation (null: plain); guarded by m_mutex. */
        std::unique_ptr<MqttStreamStack> stream;
    };

    struct SinkState
    {
        Sink sink;
        /** Close() was called: no more data callbacks. */
        bool closing = false;
    };

    static void DestroyInstance();

    /** The I/O thread: waits on the reactor, handles what is ready, then ClosePending(). */
    void Loop();
    void HandleReady(Handle handle, uint32_t flags, std::vector<uint8_t>& buffer);
    // These three run in the I/O thread with @p lock held; they release it before scheduling
    // events of the simulation.
    void AcceptAll(Handle listener, RealSocket& socket, std::unique_lock<std::mutex>& lock);
    void FinishConnect(Handle handle, RealSocket& socket, std::unique_lock<std::mutex>& lock);
    void Transfer(Handle handle,
                  RealSocket& socket,
                  uint32_t flags,
                  std::vector<uint8_t>& buffer,
                  std::unique_lock<std::mutex>& lock);
    /** Closes what the simulation thread asked to close, abort or found failed. */
    void ClosePending();
    /** Registers a socket with epoll (m_mutex held). */
    void SetInterest(Handle handle, RealSocket& socket, uint32_t interest);
    /** EPOLLIN unless reading @p socket is paused. */
    static uint32_t ReadInterest(const RealSocket& socket);
    /** Closes and forgets a socket (I/O thread, m_mutex held). */
    void CloseSocket(Handle handle);
    /** A Close() whose output the peer has not taken after the linger: dropped, then closed. */
    void EndLinger(Handle connection);
    /** Asks the I/O thread to look at m_pendingClose (m_mutex held). */
    void Wake();
    /** Plain bytes of the simulation through the socket's layers into its output (m_mutex held). */
    void Queue(RealSocket& socket, const uint8_t* data, std::size_t size);

    // Events in the simulation thread.
    void DeliverAccepted(Handle listener, Handle connection, Address peer);
    void DeliverConnected(Handle connection, bool ok);
    void DeliverData(Handle connection, const std::vector<uint8_t>& bytes);
    void DeliverClosed(Handle connection, bool error);
    void DeliverWritten(Handle connection);

    MqttPosixReactor m_reactor;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};

    /** Guards m_sockets, m_pendingClose and m_nextHandle (shared with the I/O thread). */
    mutable std::mutex m_mutex;
    std::map<Handle, RealSocket> m_sockets;
    std::vector<Handle> m_pendingClose;
    Handle m_nextHandle = 1;

    /** What an accepted connection delivered before its owner attached to it. */
    struct Unattached
    {
        std::vector<uint8_t> bytes;
        bool closed = false;
        bool error = false;
    };

    // Simulation thread only.
    std::map<Handle, SinkState> m_sinks;
    std::map<Handle, AcceptCallback> m_acceptors;
    /** Accepted connections not attached yet (their owner may take a while to start). */
    std::map<Handle, Unattached> m_unattached;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_REALTIME_BRIDGE_H
