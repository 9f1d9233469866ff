/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-realtime-bridge.h"

#include "mqtt-posix-socket.h"

#include "ns3/global-value.h"
#include "ns3/inet-socket-address.h"
#include "ns3/inet6-socket-address.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/string.h"

#include <cerrno>
#include <cstring>
#include <tuple>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("MqttRealtimeBridge");

namespace mqtt
{

namespace
{

/** Connections accepted per listener per wakeup. */
constexpr int MAX_ACCEPTS = 64;
/**
 * How long a closing connection may take to write what is pending (the standalone broker's close
 * linger): a peer that does not read would otherwise keep it, and its bytes, for ever.
 */
constexpr int64_t CLOSE_LINGER_MS = 2000;
constexpr std::size_t READ_CHUNK = 64 * 1024;

Ptr<MqttRealtimeBridge>&
Instance()
{
    static Ptr<MqttRealtimeBridge> instance;
    return instance;
}

} // namespace

Ptr<MqttRealtimeBridge>
MqttRealtimeBridge::Get()
{
    if (!Instance())
    {
        Instance() = Ptr<MqttRealtimeBridge>(new MqttRealtimeBridge(), false);
        Simulator::ScheduleDestroy(&MqttRealtimeBridge::DestroyInstance);
    }
    return Instance();
}

void
MqttRealtimeBridge::DestroyInstance()
{
    if (Instance())
    {
        Instance()->Shutdown();
        Instance() = nullptr;
    }
}

bool
MqttRealtimeBridge::SimulatorIsRealtime()
{
    StringValue type;
    GlobalValue::GetValueByName("SimulatorImplementationType", type);
    return type.Get() == "ns3::RealtimeSimulatorImpl";
}

Address
MqttRealtimeBridge::ToAddress(const MqttPosixEndpoint& endpoint)
{
    if (endpoint.Family() == AF_INET)
    {
        auto sin = reinterpret_cast<const sockaddr_in*>(endpoint.Address());
        return InetSocketAddress(Ipv4Address(ntohl(sin->sin_addr.s_addr)), endpoint.Port());
    }
    if (endpoint.Family() == AF_INET6)
    {
        auto sin6 = reinterpret_cast<const sockaddr_in6*>(endpoint.Address());
        uint8_t bytes[16];
        std::memcpy(bytes, &sin6->sin6_addr, sizeof(bytes));
        return Inet6SocketAddress(Ipv6Address(bytes), endpoint.Port());
    }
    return Address();
}

MqttRealtimeBridge::MqttRealtimeBridge()
{
    NS_LOG_FUNCTION(this);
    NS_ABORT_MSG_UNLESS(SimulatorIsRealtime(),
                        "real sockets in a simulation need the real-time simulator: bind "
                        "SimulatorImplementationType to ns3::RealtimeSimulatorImpl first");
    std::string error;
    NS_ABORT_MSG_UNLESS(m_reactor.Open(error), "MqttRealtimeBridge: " << error);
    m_thread = std::thread(&MqttRealtimeBridge::Loop, this);
}

MqttRealtimeBridge::~MqttRealtimeBridge()
{
    NS_LOG_FUNCTION(this);
    Shutdown();
}

void
MqttRealtimeBridge::Shutdown()
{
    if (m_thread.joinable())
    {
        m_stop.store(true);
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            Wake();
        }
        m_thread.join();
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    for (auto& [handle, socket] : m_sockets)
    {
        close(socket.fd);
    }
    m_sockets.clear();
    m_pendingClose.clear();
    m_sinks.clear();
    m_acceptors.clear();
    m_unattached.clear();
}

void
MqttRealtimeBridge::Wake()
{
    m_reactor.Wake();
}

void
MqttRealtimeBridge::SetInterest(Handle handle, RealSocket& socket, uint32_t interest)
{
    if (socket.registered)
    {
        m_reactor.SetInterest(socket.fd, handle, interest, socket.interest);
    }
    else
    {
        socket.registered = m_reactor.Add(socket.fd, handle, interest, socket.interest);
    }
}

uint32_t
MqttRealtimeBridge::ReadInterest(const RealSocket& socket)
{
    return socket.readPaused ? 0u : uint32_t{EPOLLIN};
}

void
MqttRealtimeBridge::SetReadPaused(Handle connection, bool paused)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_sockets.find(connection);
    if (it == m_sockets.end())
    {
        return;
    }
    RealSocket& socket = it->second;
    if (socket.listener || socket.closing || socket.aborted || socket.failed ||
        socket.readPaused == paused)
    {
        return;
    }
    socket.readPaused = paused;
    if (!socket.connecting)
    {
        SetInterest(connection, socket, ReadInterest(socket) | (socket.interest & EPOLLOUT));
    }
}

void
MqttRealtimeBridge::CloseSocket(Handle handle)
{
    auto it = m_sockets.find(handle);
    if (it != m_sockets.end())
    {
        shutdown(it->second.fd, SHUT_WR);
        close(it->second.fd); // also leaves the epoll set
        m_sockets.erase(it);
    }
}

MqttRealtimeBridge::Handle
MqttRealtimeBridge::Listen(const MqttPosixEndpoint& endpoint,
                           uint32_t context,
                           AcceptCallback accepted,
                           std::string& error,
                           std::shared_ptr<MqttTlsContext> tls)
{
    NS_LOG_FUNCTION(this << endpoint.ToString() << context);
    int fd = PosixListen(endpoint, 128, error);
    if (fd < 0)
    {
        return 0;
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    Handle handle = m_nextHandle++;
    RealSocket& socket = m_sockets[handle];
    socket.fd = fd;
    socket.context = context;
    socket.listener = true;
    socket.tls = std::move(tls);
    SetInterest(handle, socket, EPOLLIN);
    m_acceptors[handle] = accepted;
    return handle;
}

MqttPosixEndpoint
MqttRealtimeBridge::ListeningEndpoint(Handle listener) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_sockets.find(listener);
    return it == m_sockets.end() ? MqttPosixEndpoint() : PosixLocalEndpoint(it->second.fd);
}

void
MqttRealtimeBridge::StopListening(Handle listener)
{
    Abort(listener);
}

MqttRealtimeBridge::Handle
MqttRealtimeBridge::Connect(const MqttPosixEndpoint& peer,
                            uint32_t context,
                            Sink sink,
                            MqttClientStreamOptions streams)
{
    NS_LOG_FUNCTION(this << peer.ToString() << context);
    bool inProgress = false;
    std::string error;
    int fd = PosixConnect(peer, inProgress, error);
    Handle handle;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        handle = m_nextHandle++;
        if (fd >= 0)
        {
            RealSocket& socket = m_sockets[handle];
            socket.fd = fd;
            socket.context = context;
            socket.connecting = true;
            socket.stream = MqttClientStreams(streams);
            // A socket connected at once is writable at once: the I/O thread confirms both.
            SetInterest(handle, socket, EPOLLOUT);
        }
    }
    m_sinks[handle] = SinkState{sink, false};
    if (fd < 0)
    {
        NS_LOG_WARN(error);
        Simulator::ScheduleWithContext(
            context, Seconds(0), [this, handle]() { DeliverConnected(handle, false); });
    }
    return handle;
}

void
MqttRealtimeBridge::Attach(Handle connection, Sink sink)
{
    m_sinks[connection] = SinkState{sink, false};
    auto it = m_unattached.find(connection);
    if (it == m_unattached.end())
    {
        return;
    }
    Unattached early = std::move(it->second);
    m_unattached.erase(it);
    if (!early.bytes.empty() || early.closed)
    {
        // Not from here: the owner is in the middle of attaching.
        Simulator::ScheduleNow(
            [this, connection, early = std::move(early)]()
            {
                if (!early.bytes.empty())
                {
                    DeliverData(connection, early.bytes);
                }
                if (early.closed)
                {
                    DeliverClosed(connection, early.error);
                }
            });
    }
}

void
MqttRealtimeBridge::Send(Handle connection, const uint8_t* data, std::size_t size)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_sockets.find(connection);
    if (it == m_sockets.end())
    {
        return;
    }
    RealSocket& socket = it->second;
    if (socket.listener || socket.closing || socket.aborted || socket.failed)
    {
        return;
    }
    Queue(socket, data, size);
    if (socket.connecting || (socket.interest & EPOLLOUT))
    {
        return; // written once connected / once the socket drains
    }
    switch (socket.out.Write(socket.fd))
    {
    case MqttPosixOutputBuffer::WriteResult::Drained:
        break;
    case MqttPosixOutputBuffer::WriteResult::Blocked:
        SetInterest(connection, socket, ReadInterest(socket) | EPOLLOUT);
        break;
    case MqttPosixOutputBuffer::WriteResult::Failed:
        socket.failed = true;
        m_pendingClose.push_back(connection);
        Wake();
        break;
    }
}

void
MqttRealtimeBridge::Queue(RealSocket& socket, const uint8_t* data, std::size_t size)
{
    if (!socket.stream)
    {
        socket.out.Append(data, size);
        return;
    }
    std::vector<uint8_t> wire;
    if (socket.stream->Send(data, size, wire) == MqttStreamStatus::Failed)
    {
        NS_LOG_WARN(socket.stream->Error());
    }
    socket.out.Append(wire);
}

void
MqttRealtimeBridge::Close(Handle connection, bool discardPending)
{
    auto sink = m_sinks.find(connection);
    if (sink != m_sinks.end())
    {
        sink->second.closing = true;
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_sockets.find(connection);
    if (it == m_sockets.end() || it->second.closing)
    {
        return; // already gone: its closed event is on its way
    }
    RealSocket& socket = it->second;
    socket.closing = true;
    if (discardPending)
    {
        socket.out.Clear();
    }
    else if (socket.stream && !socket.connecting)
    {
        std::vector<uint8_t> wire;
        socket.stream->Close(wire); // close_notify
        socket.out.Append(wire);
    }
    if (socket.out.Empty() || socket.connecting)
    {
        m_pendingClose.push_back(connection);
        Wake();
        return;
    }
    SetInterest(connection, socket, EPOLLOUT);
    Ptr<MqttRealtimeBridge> self(this);
    Simulator::Schedule(MilliSeconds(CLOSE_LINGER_MS),
                        [self, connection]() { self->EndLinger(connection); });
}

void
MqttRealtimeBridge::EndLinger(Handle connection)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_sockets.find(connection);
    if (it == m_sockets.end() || !it->second.closing || it->second.out.Empty())
    {
        return; // closed, or about to be
    }
    NS_LOG_WARN("real connection " << connection << ": " << it->second.out.Size()
                                   << " bytes still unsent after the close linger, dropped");
    it->second.out.Clear();
    m_pendingClose.push_back(connection);
    Wake();
}

void
MqttRealtimeBridge::Abort(Handle connection)
{
    m_sinks.erase(connection);
    m_acceptors.erase(connection);
    m_unattached.erase(connection);
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_sockets.find(connection);
    if (it != m_sockets.end())
    {
        it->second.aborted = true;
        m_pendingClose.push_back(connection);
        Wake();
    }
}

std::size_t
MqttRealtimeBridge::PendingBytes(Handle connection) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_sockets.find(connection);
    return it == m_sockets.end() ? 0 : it->second.out.Size();
}

void
MqttRealtimeBridge::Loop()
{
    std::vector<uint8_t> buffer(READ_CHUNK);
    while (!m_stop.load())
    {
        if (!m_reactor.Wait(Nanos(-1)))
        {
            break;
        }
        m_reactor.Dispatch(
            [this, &buffer](Handle handle, uint32_t flags)
            {
                if (!m_stop.load())
                {
                    HandleReady(handle, flags, buffer);
                }
            });
        ClosePending();
    }
}

void
MqttRealtimeBridge::HandleReady(Handle handle, uint32_t flags, std::vector<uint8_t>& buffer)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    auto it = m_sockets.find(handle);
    if (it == m_sockets.end() || it->second.aborted)
    {
        return;
    }
    RealSocket& socket = it->second;
    if (socket.listener)
    {
        AcceptAll(handle, socket, lock);
    }
    else if (socket.connecting)
    {
        FinishConnect(handle, socket, lock);
    }
    else
    {
        Transfer(handle, socket, flags, buffer, lock);
    }
}

void
MqttRealtimeBridge::AcceptAll(Handle listener,
                              RealSocket& socket,
                              std::unique_lock<std::mutex>& lock)
{
    uint32_t context = socket.context;
    std::vector<std::pair<Handle, Address>> accepted;
    for (int k = 0; k < MAX_ACCEPTS; ++k)
    {
        MqttPosixEndpoint peer;
        int fd = PosixAccept(socket.fd, peer);
        if (fd < 0)
        {
            break;
        }
        Handle connection = m_nextHandle++;
        RealSocket& acceptedSocket = m_sockets[connection];
        acceptedSocket.fd = fd;
        acceptedSocket.context = context;
        if (socket.tls)
        {
            acceptedSocket.stream = std::make_unique<MqttStreamStack>();
            acceptedSocket.stream->Push(std::make_unique<MqttTlsLayer>(socket.tls));
        }
        SetInterest(connection, acceptedSocket, EPOLLIN);
        accepted.emplace_back(connection, ToAddress(peer));
    }
    lock.unlock();
    for (auto& [connection, peer] : accepted)
    {
        Simulator::ScheduleWithContext(context,
                                       Seconds(0),
                                       [this, listener, connection = connection, peer = peer]()
                                       { DeliverAccepted(listener, connection, peer); });
    }
}

void
MqttRealtimeBridge::FinishConnect(Handle handle,
                                  RealSocket& socket,
                                  std::unique_lock<std::mutex>& lock)
{
    uint32_t context = socket.context;
    bool ok = PosixSocketError(socket.fd) == 0;
    if (ok && socket.stream)
    {
        // The ClientHello goes first; what the simulation sent meanwhile waits in the layer
        // for the end of the handshake (so the output buffer is empty until now).
        std::vector<uint8_t> hello;
        ok = socket.stream->Start(hello) == MqttStreamStatus::Ok;
        socket.out.Append(hello);
    }
    if (ok)
    {
        socket.connecting = false;
        uint32_t interest = ReadInterest(socket);
        if (!socket.out.Empty())
        {
            auto result = socket.out.Write(socket.fd);
            interest |=
                result == MqttPosixOutputBuffer::WriteResult::Blocked ? uint32_t{EPOLLOUT} : 0u;
        }
        SetInterest(handle, socket, interest);
    }
    else
    {
        CloseSocket(handle);
    }
    lock.unlock();
    Simulator::ScheduleWithContext(
        context, Seconds(0), [this, handle, ok]() { DeliverConnected(handle, ok); });
}

void
MqttRealtimeBridge::Transfer(Handle handle,
                             RealSocket& socket,
                             uint32_t flags,
                             std::vector<uint8_t>& buffer,
                             std::unique_lock<std::mutex>& lock)
{
    uint32_t context = socket.context;
    bool closeNow = false;
    bool error = false;
    bool written = false;
    std::vector<uint8_t> bytes;
    if (flags & EPOLLOUT)
    {
        const std::size_t before = socket.out.Size();
        auto result = socket.out.Write(socket.fd);
        // One written event on its way at a time: it reads the amount when it runs.
        written = socket.out.Size() < before && !socket.closing && !socket.writtenQueued;
        socket.writtenQueued = socket.writtenQueued || written;
        switch (result)
        {
        case MqttPosixOutputBuffer::WriteResult::Drained:
            closeNow = socket.closing;
            if (!socket.closing)
            {
                SetInterest(handle, socket, ReadInterest(socket));
            }
            break;
        case MqttPosixOutputBuffer::WriteResult::Blocked:
            break;
        case MqttPosixOutputBuffer::WriteResult::Failed:
            closeNow = true;
            error = true;
            break;
        }
    }
    if (!closeNow && !socket.closing && (flags & (EPOLLIN | EPOLLHUP | EPOLLERR)))
    {
        std::size_t got = 0;
        switch (PosixRead(socket.fd, buffer.data(), buffer.size(), got))
        {
        case PosixReadStatus::Data:
            if (!socket.stream)
            {
                bytes.assign(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(got));
                break;
            }
            {
                std::vector<uint8_t> wire;
                MqttStreamStatus status = socket.stream->Receive(buffer.data(), got, bytes, wire);
                socket.out.Append(wire);
                if (!socket.out.Empty() && !(socket.interest & EPOLLOUT))
                {
                    // Handshake answers leave at once; what the kernel refuses waits.
                    auto result = socket.out.Write(socket.fd);
                    if (result == MqttPosixOutputBuffer::WriteResult::Blocked)
                    {
                        SetInterest(handle, socket, ReadInterest(socket) | EPOLLOUT);
                    }
                }
                if (status != MqttStreamStatus::Ok)
                {
                    NS_LOG_WARN("real connection " << handle << ": "
                                                   << (status == MqttStreamStatus::Failed
                                                           ? socket.stream->Error()
                                                           : "TLS closed by the peer"));
                    closeNow = true;
                    error = status == MqttStreamStatus::Failed;
                }
            }
            break;
        case PosixReadStatus::Again:
            break;
        case PosixReadStatus::Closed:
            closeNow = true;
            break;
        case PosixReadStatus::Failed:
            closeNow = true;
            error = true;
            break;
        }
    }
    else if (!closeNow && socket.closing && (flags & (EPOLLHUP | EPOLLERR)))
    {
        closeNow = true;
        error = true;
    }
    if (closeNow)
    {
        CloseSocket(handle);
    }
    lock.unlock();
    if (written && !closeNow)
    {
        Simulator::ScheduleWithContext(
            context, Seconds(0), [this, handle]() { DeliverWritten(handle); });
    }
    if (!bytes.empty())
    {
        Simulator::ScheduleWithContext(context,
                                       Seconds(0),
                                       [this, handle, bytes = std::move(bytes)]()
                                       { DeliverData(handle, bytes); });
    }
    if (closeNow)
    {
        Simulator::ScheduleWithContext(
            context, Seconds(0), [this, handle, error]() { DeliverClosed(handle, error); });
    }
}

void
MqttRealtimeBridge::ClosePending()
{
    // Requests of the simulation thread: closes, aborts, failed writes.
    std::vector<std::tuple<Handle, uint32_t, bool>> closed;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (Handle handle : m_pendingClose)
        {
            auto it = m_sockets.find(handle);
            if (it == m_sockets.end())
            {
                continue;
            }
            RealSocket& socket = it->second;
            if (socket.aborted)
            {
                CloseSocket(handle);
            }
            else if (socket.failed || (socket.closing && (socket.out.Empty() || socket.connecting)))
            {
                closed.emplace_back(handle, socket.context, socket.failed);
                CloseSocket(handle);
            }
        }
        m_pendingClose.clear();
    }
    for (auto& [handle, context, error] : closed)
    {
        Simulator::ScheduleWithContext(context,
                                       Seconds(0),
                                       [this, handle = handle, error = error]()
                                       { DeliverClosed(handle, error); });
    }
}

void
MqttRealtimeBridge::DeliverAccepted(Handle listener, Handle connection, Address peer)
{
    auto it = m_acceptors.find(listener);
    if (it == m_acceptors.end() || it->second.IsNull())
    {
        Abort(connection); // the listener stopped meanwhile
        return;
    }
    m_unattached[connection]; // collects what arrives until the owner attaches
    it->second(connection, peer);
}

void
MqttRealtimeBridge::DeliverConnected(Handle connection, bool ok)
{
    auto it = m_sinks.find(connection);
    if (it == m_sinks.end())
    {
        return;
    }
    if (it->second.closing)
    {
        // Closed while connecting: a failed attempt is the end of it.
        if (!ok)
        {
            DeliverClosed(connection, false);
        }
        return;
    }
    Sink sink = it->second.sink;
    if (!ok)
    {
        m_sinks.erase(it);
    }
    Callback<void> callback = ok ? sink.connected : sink.connectFailed;
    if (!callback.IsNull())
    {
        callback();
    }
}

void
MqttRealtimeBridge::DeliverData(Handle connection, const std::vector<uint8_t>& bytes)
{
    auto early = m_unattached.find(connection);
    if (early != m_unattached.end())
    {
        early->second.bytes.insert(early->second.bytes.end(), bytes.begin(), bytes.end());
        return;
    }
    auto it = m_sinks.find(connection);
    if (it == m_sinks.end() || it->second.closing || it->second.sink.data.IsNull())
    {
        return;
    }
    it->second.sink.data(bytes.data(), bytes.size());
}

void
MqttRealtimeBridge::DeliverWritten(Handle connection)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        auto socket = m_sockets.find(connection);
        if (socket == m_sockets.end())
        {
            return;
        }
        socket->second.writtenQueued = false;
    }
    auto it = m_sinks.find(connection);
    if (it != m_sinks.end() && !it->second.closing && !it->second.sink.written.IsNull())
    {
        it->second.sink.written();
    }
}

void
MqttRealtimeBridge::DeliverClosed(Handle connection, bool error)
{
    auto early = m_unattached.find(connection);
    if (early != m_unattached.end())
    {
        early->second.closed = true;
        early->second.error = error;
        return;
    }
    auto it = m_sinks.find(connection);
    if (it == m_sinks.end())
    {
        return;
    }
    Callback<void, bool> closed = it->second.sink.closed;
    m_sinks.erase(it);
    if (!closed.IsNull())
    {
        closed(error);
    }
}

} // namespace mqtt
} // namespace ns3
