/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-ns3-transport.h"

#include "ns3/inet-socket-address.h"
#include "ns3/inet6-socket-address.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/simulator.h"
#include "ns3/tcp-socket-factory.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <unordered_map>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("MqttNs3Transport");

namespace mqtt
{

namespace
{

/** One receive buffer for every connection: the simulator is single-threaded and the engine
 * consumes the bytes before the next read. */
std::vector<uint8_t>&
ReceiveBuffer()
{
    static std::vector<uint8_t> buffer;
    return buffer;
}

/** Which transport each attached socket belongs to. Looked up only, never iterated. */
std::unordered_map<const Socket*, MqttNs3Transport*>&
Registry()
{
    static std::unordered_map<const Socket*, MqttNs3Transport*> registry;
    return registry;
}

} // namespace

MqttNs3Transport*
MqttNs3Transport::Find(Ptr<Socket> socket)
{
    auto it = Registry().find(PeekPointer(socket));
    return it == Registry().end() ? nullptr : it->second;
}

template<auto Handler, typename... Args>
void
MqttNs3Transport::OnSocket(Ptr<Socket> socket, Args... args)
{
    if (MqttNs3Transport* transport = Find(socket))
    {
        (transport->*Handler)(socket, args...);
    }
}

MqttNs3Transport::MqttNs3Transport(ConnectionId id, const Address& peer, Callbacks callbacks)
    : MqttTransportBase(id, peer, std::move(callbacks))
{
}

MqttNs3Transport::MqttNs3Transport(ConnectionId id,
                                   Ptr<Socket> socket,
                                   const Address& peer,
                                   Callbacks callbacks)
    : MqttNs3Transport(id, peer, std::move(callbacks))
{
    NS_LOG_FUNCTION(this << id << socket);
    m_connected = true;
    Attach(socket);
}

MqttNs3Transport::~MqttNs3Transport()
{
    Detach();
}

Ptr<MqttNs3Transport>
MqttNs3Transport::Connect(ConnectionId id, Ptr<Node> node, const Address& peer, Callbacks callbacks)
{
    NS_LOG_FUNCTION(id << node << peer);
    Ptr<MqttNs3Transport> transport =
        Ptr<MqttNs3Transport>(new MqttNs3Transport(id, peer, std::move(callbacks)), false);
    transport->m_openedAt = Simulator::Now();
    Ptr<Socket> socket = Socket::CreateSocket(node, TcpSocketFactory::GetTypeId());
    transport->Attach(socket);
    int rc = -1;
    if (Inet6SocketAddress::IsMatchingType(peer))
    {
        rc = socket->Bind6();
    }
    else if (InetSocketAddress::IsMatchingType(peer))
    {
        rc = socket->Bind();
    }
    if (rc == 0)
    {
        rc = socket->Connect(peer);
    }
    if (rc != 0)
    {
        NS_LOG_LOGIC("connect to " << peer << " failed at once: " << socket->GetErrno());
        Simulator::ScheduleNow(&MqttNs3Transport::ReportConnectFailed, transport);
    }
    return transport;
}

void
MqttNs3Transport::Attach(Ptr<Socket> socket)
{
    // Made once; copies share the implementation, so attaching allocates nothing.
    static const Callback<void, Ptr<Socket>> connected =
        MakeCallback(&OnSocket<&MqttNs3Transport::HandleConnected>);
    static const Callback<void, Ptr<Socket>> connectFailed =
        MakeCallback(&OnSocket<&MqttNs3Transport::HandleConnectFailed>);
    static const Callback<void, Ptr<Socket>> read =
        MakeCallback(&OnSocket<&MqttNs3Transport::HandleRead>);
    static const Callback<void, Ptr<Socket>, uint32_t> send =
        MakeCallback(&OnSocket<&MqttNs3Transport::HandleSend, uint32_t>);
    static const Callback<void, Ptr<Socket>> normalClose =
        MakeCallback(&OnSocket<&MqttNs3Transport::HandleNormalClose>);
    static const Callback<void, Ptr<Socket>> errorClose =
        MakeCallback(&OnSocket<&MqttNs3Transport::HandleErrorClose>);
    m_socket = socket;
    Registry()[PeekPointer(socket)] = this;
    m_socket->SetConnectCallback(connected, connectFailed);
    m_socket->SetRecvCallback(read);
    m_socket->SetSendCallback(send);
    m_socket->SetCloseCallbacks(normalClose, errorClose);
}

void
MqttNs3Transport::Detach()
{
    if (!m_socket)
    {
        return;
    }
    // The socket may outlive us (closing): it must not find us any more. Its callbacks stay
    // set (replacing them would allocate); they find nothing and do nothing.
    Registry().erase(PeekPointer(m_socket));
    m_socket = nullptr;
}

void
MqttNs3Transport::EnableTls(MqttTlsSession session,
                            TlsCallback done,
                            std::optional<MqttTlsCpuCosts> cpu)
{
    m_tls = std::move(session);
    m_tlsEnabled = true;
    m_tlsDone = std::move(done);
    m_tlsCpu = cpu;
    m_tlsInfo.connection = m_id;
    m_tlsInfo.client = !m_connected;
    if (m_connected)
    {
        m_tlsInfo.start = Simulator::Now(); // accepted: the server waits for the ClientHello
    }
}

MqttConnectionSetUpInfo
MqttNs3Transport::SetUpSoFar() const
{
    MqttConnectionSetUpInfo info;
    info.start = m_openedAt;
    info.connected = m_connectedAt;
    info.open = m_connectedAt;
    info.tls = m_tlsEnabled;
    if (m_tlsEnabled)
    {
        info.version = m_tlsInfo.version;
        info.open = m_tlsInfo.open;
        if (m_tls && m_tls->HandshakeKnown())
        {
            info.version = m_tls->Handshake().version;
            info.resumed = m_tls->Handshake().resumed;
        }
    }
    info.bytesSent = m_streamSent;
    info.bytesReceived = m_streamReceived;
    return info;
}

void
MqttNs3Transport::TlsProgress()
{
    if (!m_tls || m_tlsReported)
    {
        return;
    }
    if (m_tlsInfo.open.IsZero() && m_tls->IsOpen() && !m_tlsComputing.IsRunning())
    {
        m_tlsInfo.open = Simulator::Now();
    }
    if (!m_tls->Complete() || m_tlsComputing.IsRunning())
    {
        return;
    }
    m_tlsReported = true;
    m_tlsInfo.complete = Simulator::Now();
    m_tlsInfo.resumed = m_tls->Handshake().resumed;
    m_tlsInfo.version = m_tls->Handshake().version;
    m_tlsInfo.bytesSent = m_tls->HandshakeBytesSent();
    m_tlsInfo.bytesReceived = m_tls->HandshakeBytesReceived();
    m_tlsInfo.ticketBytes = m_tls->TicketBytes();
    if (!m_tlsDone.IsNull())
    {
        m_tlsDone(m_tlsInfo);
    }
}

void
MqttNs3Transport::Send(const uint8_t* data, std::size_t size)
{
    NS_LOG_FUNCTION(this << m_id << size);
    if (m_closing || m_finished || size == 0)
    {
        return;
    }
    if (m_tls)
    {
        std::vector<uint8_t> records;
        m_tls->Send(data, size, records);
        Write(records.data(), records.size());
        return;
    }
    Write(data, size);
}

void
MqttNs3Transport::TlsComputed()
{
    std::vector<uint8_t> waiting;
    waiting.swap(m_tlsWaiting);
    if (m_closing || m_finished)
    {
        return;
    }
    Write(waiting.data(), waiting.size());
    TlsProgress();
}

void
MqttNs3Transport::Write(const uint8_t* data, std::size_t size)
{
    if (size == 0)
    {
        return;
    }
    if (m_tlsComputing.IsRunning())
    {
        m_tlsWaiting.insert(m_tlsWaiting.end(), data, data + size);
        return;
    }
    m_streamSent += size;
    if (m_connected && PendingBytes() == 0)
    {
        // Fast path: straight to the socket, keeping only what it refuses.
        std::size_t room = std::min<std::size_t>(m_socket->GetTxAvailable(), size);
        if (room > 0)
        {
            Ptr<ns3::Packet> packet = Create<ns3::Packet>(data, static_cast<uint32_t>(room));
            int sent = m_socket->Send(packet);
            if (sent > 0)
            {
                if (!m_callbacks.tx.IsNull())
                {
                    m_callbacks.tx(packet, m_peer);
                }
                data += sent;
                size -= static_cast<std::size_t>(sent);
            }
        }
        if (size == 0)
        {
            return;
        }
    }
    if (m_pendingOffset == m_pending.size())
    {
        m_pending.clear();
        m_pendingOffset = 0;
    }
    m_pending.insert(m_pending.end(), data, data + size);
    NotifyUnsent(PendingBytes());
}

void
MqttNs3Transport::Flush()
{
    if (PendingBytes() == 0)
    {
        return;
    }
    while (m_socket && PendingBytes() > 0)
    {
        std::size_t room = std::min<std::size_t>(m_socket->GetTxAvailable(), PendingBytes());
        if (room == 0)
        {
            return;
        }
        Ptr<ns3::Packet> packet =
            Create<ns3::Packet>(m_pending.data() + m_pendingOffset, static_cast<uint32_t>(room));
        int sent = m_socket->Send(packet);
        if (sent <= 0)
        {
            return;
        }
        if (!m_callbacks.tx.IsNull())
        {
            m_callbacks.tx(packet, m_peer);
        }
        m_pendingOffset += static_cast<std::size_t>(sent);
    }
    // Everything written: release the buffer (a burst must not pin its memory).
    std::vector<uint8_t>().swap(m_pending);
    m_pendingOffset = 0;
    if (m_closing && m_socket)
    {
        m_socket->Close();
    }
}

void
MqttNs3Transport::CloseDiscardingUnsent()
{
    NS_LOG_FUNCTION(this << m_id << PendingBytes());
    if (!m_closing && !m_finished)
    {
        std::vector<uint8_t>().swap(m_pending);
        m_pendingOffset = 0;
    }
    Close();
}

void
MqttNs3Transport::Close()
{
    NS_LOG_FUNCTION(this << m_id);
    if (m_closing || m_finished)
    {
        return;
    }
    m_closing = true;
    m_readPaused = false;
    if (m_peerClosed)
    {
        // The peer's close was already notified and will not come again: finish from here.
        std::vector<uint8_t>().swap(m_pending);
        m_pendingOffset = 0;
        if (m_socket)
        {
            m_socket->Close();
        }
        Simulator::ScheduleNow(&MqttNs3Transport::Finish, Ptr<MqttNs3Transport>(this), false);
        return;
    }
    if (!m_connected)
    {
        // Still connecting: give up the attempt; the owner forgets us on OnClosed, from a later
        // event (closing a connecting socket may call its close callback at once).
        Ptr<Socket> socket = m_socket;
        Detach();
        if (socket)
        {
            socket->Close();
        }
        Simulator::ScheduleNow(&MqttNs3Transport::Finish, Ptr<MqttNs3Transport>(this), false);
        return;
    }
    if (PendingBytes() == 0)
    {
        m_socket->Close();
    }
}

void
MqttNs3Transport::Abort()
{
    NS_LOG_FUNCTION(this << m_id);
    if (!MarkFinished())
    {
        return;
    }
    m_closing = true;
    std::vector<uint8_t>().swap(m_pending);
    m_pendingOffset = 0;
    // No Close(): at disposal the node's IP stack may be gone already; the TCP layer disposes
    // its sockets itself.
    Detach();
}

void
MqttNs3Transport::SetReadPaused(bool paused)
{
    NS_LOG_FUNCTION(this << m_id << paused);
    if (paused == m_readPaused || m_closing || m_finished)
    {
        return;
    }
    m_readPaused = paused;
    if (!paused)
    {
        // The socket does not call back for bytes that arrived while paused: read them from an
        // event of our own (never from inside the owner's call).
        Simulator::ScheduleNow(&MqttNs3Transport::ReadAgain, Ptr<MqttNs3Transport>(this));
    }
}

void
MqttNs3Transport::ReadAgain()
{
    if (m_readPaused || m_finished || !m_socket)
    {
        return;
    }
    HandleRead(m_socket);
    if (m_readPaused)
    {
        return; // paused again: the window opens at the next resume
    }
    if (m_peerClosed)
    {
        Finish(false);
        return;
    }
    AnnounceReceiveWindow();
}

void
MqttNs3Transport::AnnounceReceiveWindow()
{
    // ns-3's TCP sends no window update when the application reads. A sender last told a window
    // smaller than one segment, with more than that to send, waits for a larger one (silly
    // window avoidance) with no timer running (the window is not zero: no persist probe;
    // nothing unacknowledged: no retransmission), so the connection stalls for good. Growing
    // the receive buffer is the one public call after which the socket sends an ACK carrying its
    // window: shrink it by a byte and grow it back.
    UintegerValue size;
    if (!m_socket->GetAttributeFailSafe("RcvBufSize", size) || size.Get() == 0)
    {
        return; // not an ns-3 TCP socket
    }
    m_socket->SetAttribute("RcvBufSize", UintegerValue(size.Get() - 1));
    m_socket->SetAttribute("RcvBufSize", size);
}

std::size_t
MqttNs3Transport::PendingBytes() const
{
    return m_pending.size() - m_pendingOffset;
}

void
MqttNs3Transport::Finish(bool error)
{
    if (!MarkFinished())
    {
        return;
    }
    NS_LOG_FUNCTION(this << m_id << error);
    Ptr<MqttNs3Transport> self(this); // the owner may drop its reference in the callback
    Ptr<Socket> socket = m_socket;
    Detach();
    if (socket && !error && !m_closing)
    {
        // The peer closed: close our side too so the FIN handshake completes.
        socket->Close();
    }
    std::vector<uint8_t>().swap(m_pending);
    m_pendingOffset = 0;
    NotifyClosed(error);
}

void
MqttNs3Transport::HandleConnected(Ptr<Socket> socket)
{
    NS_LOG_FUNCTION(this << m_id << socket);
    if (m_closing || m_finished)
    {
        return;
    }
    m_connected = true;
    m_connectedAt = Simulator::Now();
    Ptr<MqttNs3Transport> self(this);
    if (m_tls)
    {
        m_tlsInfo.start = Simulator::Now();
        std::vector<uint8_t> hello;
        m_tls->Start(hello);
        Write(hello.data(), hello.size());
    }
    NotifyConnected();
    Flush();
}

void
MqttNs3Transport::HandleConnectFailed(Ptr<Socket> socket)
{
    NS_LOG_FUNCTION(this << m_id << socket);
    ReportConnectFailed();
}

void
MqttNs3Transport::ReportConnectFailed()
{
    if (!MarkFinished())
    {
        return;
    }
    Ptr<MqttNs3Transport> self(this);
    bool closing = m_closing;
    Ptr<Socket> socket = m_socket;
    Detach();
    if (socket)
    {
        socket->Close();
    }
    if (closing)
    {
        NotifyClosed(true);
        return;
    }
    NotifyConnectFailed();
}

void
MqttNs3Transport::HandleRead(Ptr<Socket> socket)
{
    Ptr<MqttNs3Transport> self(this);
    std::vector<uint8_t>& buffer = ReceiveBuffer();
    Address from;
    Ptr<ns3::Packet> packet;
    while (!m_readPaused && (packet = socket->RecvFrom(from)))
    {
        uint32_t size = packet->GetSize();
        if (size == 0)
        {
            break;
        }
        if (m_closing || m_finished)
        {
            continue; // the engine has forgotten this connection: discard
        }
        if (!m_callbacks.rx.IsNull())
        {
            m_callbacks.rx(packet, from);
        }
        if (buffer.size() < size)
        {
            buffer.resize(size);
        }
        packet->CopyData(buffer.data(), size);
        m_streamReceived += size;
        if (!Deliver(buffer.data(), size))
        {
            return;
        }
    }
}

bool
MqttNs3Transport::Deliver(const uint8_t* data, std::size_t size)
{
    if (!m_tls)
    {
        if (!m_callbacks.data.IsNull())
        {
            m_callbacks.data(m_id, data, size);
        }
        return true;
    }
    // Until the handshake completes, bytesReceived counts the raw bytes read (then it becomes
    // the handshake's): only the connection's very first byte tells TLS from plain MQTT.
    bool first = m_tlsInfo.bytesReceived == 0;
    m_tlsInfo.bytesReceived += size;
    if (!m_tlsInfo.client && first && size > 0 && data[0] != TLS_HANDSHAKE)
    {
        // Not a ClientHello: a plain MQTT client. The broker serves both, as mosquitto with a
        // listener on 1883 beside 8883 (doc/tls-sim.md).
        m_tls.reset();
        return Deliver(data, size);
    }
    std::vector<uint8_t> plain;
    std::vector<uint8_t> records;
    std::size_t flight = m_tls->NextFlight();
    bool ok = m_tls->Receive(data, size, plain, records);
    if (m_tlsInfo.client && m_tlsCpu && flight == 1 && m_tls->NextFlight() > 1)
    {
        // The server's first flight is in: the device computes before it answers.
        Nanos cpu = MqttTlsCpuTime(
            MqttTlsClientCpuOps(m_tls->Handshake(), m_tls->ClientProfile(), m_tls->ServerProfile()),
            *m_tlsCpu);
        m_tlsInfo.cpu = NanoSeconds(cpu.count());
        if (cpu.count() > 0)
        {
            m_tlsComputing = Simulator::Schedule(NanoSeconds(cpu.count()),
                                                 &MqttNs3Transport::TlsComputed,
                                                 Ptr<MqttNs3Transport>(this));
        }
    }
    Write(records.data(), records.size());
    TlsProgress();
    if (!ok)
    {
        // Not the records TLS expects: the connection ends as an error, like a TLS alert.
        NS_LOG_LOGIC("connection " << m_id << ": bytes that are not TLS records");
        Ptr<Socket> socket = m_socket;
        Finish(true);
        if (socket)
        {
            socket->Close();
        }
        return false;
    }
    if (!plain.empty() && !m_callbacks.data.IsNull() && !m_closing && !m_finished)
    {
        m_callbacks.data(m_id, plain.data(), plain.size());
    }
    return true;
}

void
MqttNs3Transport::HandleSend(Ptr<Socket> /* socket */, uint32_t available)
{
    NS_LOG_FUNCTION(this << m_id << available);
    if (m_connected && !m_finished)
    {
        Flush();
        NotifyUnsent(PendingBytes());
    }
}

void
MqttNs3Transport::HandleNormalClose(Ptr<Socket> socket)
{
    NS_LOG_FUNCTION(this << m_id << socket);
    if (m_readPaused && !m_closing && !m_finished)
    {
        m_peerClosed = true; // bytes before the FIN still wait in the socket
        return;
    }
    Finish(false);
}

void
MqttNs3Transport::HandleErrorClose(Ptr<Socket> socket)
{
    NS_LOG_FUNCTION(this << m_id << socket);
    Finish(true);
}

} // namespace mqtt
} // namespace ns3
