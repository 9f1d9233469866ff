/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * One MQTT connection over an ns-3 TCP socket: send buffering, receive, and the socket's
 * callbacks turned into calls of its owner (an MqttBroker or MqttClient application).
 */
#ifndef MQTT_NS3_TRANSPORT_H
#define MQTT_NS3_TRANSPORT_H

#include "mqtt-action.h"
#include "mqtt-tls-cpu.h"
#include "mqtt-tls-session.h"
#include "mqtt-transport.h"

#include "ns3/address.h"
#include "ns3/callback.h"
#include "ns3/event-id.h"
#include "ns3/packet.h"
#include "ns3/ptr.h"
#include "ns3/simple-ref-count.h"
#include "ns3/nstime.h"
#include "ns3/socket.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace ns3
{

class Node;

namespace mqtt
{

/** One TLS handshake of a simulated connection, as its end saw it (doc/tls-sim.md). */
struct MqttTlsHandshakeInfo
{
    ConnectionId connection = 0;
    bool client = true;
    bool resumed = false;
    TlsVersion version = TlsVersion::Tls13;
    /** TCP connected (client) or accepted (server). */
    Time start;
    /** Application data could flow from then on. */
    Time open;
    /** Every flight was sent or received (TLS 1.3: after the tickets). */
    Time complete;
    uint64_t bytesSent = 0;
    uint64_t bytesReceived = 0;
    /** Client: the device CPU time spent on public-key operations (0 without CPU figures). */
    Time cpu;
    /** Client: the ticket it holds for the next connection (0: none). */
    uint64_t ticketBytes = 0;
};

/** How a client's connection was set up until its CONNACK, with or without TLS (results table
 * connection_setups, doc/results.md). */
struct MqttConnectionSetUpInfo
{
    /** The connection was opened: connect(), the SYN. */
    Time start;
    /** TCP connected. */
    Time connected;
    bool tls = false;
    TlsVersion version = TlsVersion::Tls13;
    bool resumed = false;
    /** TLS open (application data may flow); without TLS, when TCP connected. */
    Time open;
    /** The CONNACK arrived (the client sets it). */
    Time connack;
    /** Stream bytes (TLS records, or MQTT packets) sent and received; TCP/IP excluded. */
    uint64_t bytesSent = 0;
    uint64_t bytesReceived = 0;
};

/**
 * A TCP connection carrying MQTT bytes. Bytes the socket refuses (its send buffer is full) are
 * kept and written from the socket's send callback, in order (the BulkSendApplication pattern).
 * Received bytes go to the owner as they come; reassembling frames is the engine's job.
 *
 * Close() is graceful: what was sent before is written first, then the socket is closed, and
 * from then on the owner hears only the final OnClosed (to forget the object). Abort() forgets
 * everything at once and reports nothing.
 */
class MqttNs3Transport : public MqttTransportBase
{
  public:
    /** What the owner is told (shared with every transport). */
    using Callbacks = MqttTransportCallbacks;

    /** Wraps an accepted socket (already connected). */
    MqttNs3Transport(ConnectionId id, Ptr<Socket> socket, const Address& peer, Callbacks callbacks);
    ~MqttNs3Transport() override;
    MqttNs3Transport(const MqttNs3Transport&) = delete;
    MqttNs3Transport& operator=(const MqttNs3Transport&) = delete;

    /**
     * Opens a TCP connection from @p node to @p peer (an InetSocketAddress or
     * Inet6SocketAddress). Failure, synchronous or not, is reported through connectFailed, always
     * from a later event so the owner is never re-entered.
     */
    static Ptr<MqttNs3Transport> Connect(ConnectionId id,
                                         Ptr<Node> node,
                                         const Address& peer,
                                         Callbacks callbacks);

    /** Writes @p size bytes (or keeps them until the socket takes them). */
    void Send(const uint8_t* data, std::size_t size) override;
    /** Writes what is pending, then closes the socket. */
    void Close() override;
    void CloseDiscardingUnsent() override;
    /** Forgets the socket at once (application disposal): drops pending bytes, sends nothing,
     * reports nothing more. */
    void Abort() override;
    /** While paused the socket is not read: its receive buffer fills and TCP's window closes. */
    void SetReadPaused(bool paused) override;

    /** Bytes kept because the socket's buffer was full. */
    std::size_t PendingBytes() const override;

    /** The connection's set-up so far (times, TLS, stream bytes both ways); connack unset. */
    MqttConnectionSetUpInfo SetUpSoFar() const;

    /** Reports a simulated TLS handshake once complete. */
    using TlsCallback = Callback<void, const MqttTlsHandshakeInfo&>;
    /**
     * Carries the connection over simulated TLS (before it is connected, or at once after
     * accepting): handshake records of their real sizes first, then the MQTT bytes in records;
     * what the owner sends before the handshake ends waits for it. Bytes that are not the
     * expected records close the connection as an error. With @p cpu (a client), the flight
     * that answers the server's first one leaves after the device's public-key operations.
     */
    void EnableTls(MqttTlsSession session,
                   TlsCallback done,
                   std::optional<MqttTlsCpuCosts> cpu = std::nullopt);

  private:
    MqttNs3Transport(ConnectionId id, const Address& peer, Callbacks callbacks);

    void Attach(Ptr<Socket> socket);
    void Detach();
    void Flush();
    void Finish(bool error);

    /** The transport a socket is attached to, or null. */
    static MqttNs3Transport* Find(Ptr<Socket> socket);
    /** Callbacks shared by every socket: one set per process instead of one per connection
     * (a bound ns-3 Callback costs several allocations); they dispatch through Find() to
     * @p Handler, one of the Handle* methods below. */
    template<auto Handler, typename... Args>
    static void OnSocket(Ptr<Socket> socket, Args... args);

    void HandleConnected(Ptr<Socket> socket);
    void HandleConnectFailed(Ptr<Socket> socket);
    void HandleRead(Ptr<Socket> socket);
    void HandleSend(Ptr<Socket> socket, uint32_t available);
    void HandleNormalClose(Ptr<Socket> socket);
    void HandleErrorClose(Ptr<Socket> socket);
    void ReportConnectFailed();
    /** Reads what arrived while reading was paused, then reports a close found meanwhile. */
    void ReadAgain();
    /** Makes the socket tell the peer its receive window (ns-3 does not when we read). */
    void AnnounceReceiveWindow();
    /** Writes bytes on the socket (or keeps them): the TCP side of Send. */
    void Write(const uint8_t* data, std::size_t size);
    /** Bytes read: through TLS if on; @return false if the connection was closed for them. */
    bool Deliver(const uint8_t* data, std::size_t size);
    /** Notes the handshake's progress and reports it once complete. */
    void TlsProgress();

    Ptr<Socket> m_socket;
    /** Bytes refused by the socket, from m_pendingOffset on. */
    std::vector<uint8_t> m_pending;
    std::size_t m_pendingOffset = 0;
    /** Not reading (back-pressure). */
    bool m_readPaused = false;
    /** The peer closed while reading was paused: reported once the rest is read. */
    bool m_peerClosed = false;
    /** When the connection was opened and connected; stream bytes written and read. */
    Time m_openedAt;
    Time m_connectedAt;
    uint64_t m_streamSent = 0;
    uint64_t m_streamReceived = 0;
    bool m_tlsEnabled = false;
    /** Simulated TLS (EnableTls), its report and what it is made of so far. */
    std::optional<MqttTlsSession> m_tls;
    TlsCallback m_tlsDone;
    MqttTlsHandshakeInfo m_tlsInfo;
    bool m_tlsReported = false;
    std::optional<MqttTlsCpuCosts> m_tlsCpu;
    /** The device computes: what is written waits until then. */
    EventId m_tlsComputing;
    std::vector<uint8_t> m_tlsWaiting;
    void TlsComputed();
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_NS3_TRANSPORT_H
