/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-posix-broker.h"

#include "mqtt-action-visit.h"
#include "mqtt-broker-engine.h"
#include "mqtt-posix-clock.h"
#include "mqtt-posix-socket.h"

#include <cerrno>
#include <csignal>
#include <cstdarg>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ns3
{
namespace mqtt
{

namespace
{
/** Connections accepted per listener per wakeup, so a connect flood cannot starve the rest. */
constexpr int MAX_ACCEPTS_PER_WAKEUP = 256;
constexpr int TAG_SHIFT = 56;
constexpr uint64_t VALUE_MASK = (uint64_t{1} << TAG_SHIFT) - 1;
} // namespace

MqttPosixBroker::MqttPosixBroker(MqttBrokerEngine& engine, MqttPosixBrokerOptions options)
    : m_engine(engine)
    , m_options(std::move(options))
{
    if (m_options.readChunk == 0)
    {
        m_options.readChunk = 64 * 1024;
    }
    m_readBuffer.resize(m_options.readChunk);
    m_engine.SetEventInterest(WantedEvents());
}

MqttEventSet
MqttPosixBroker::WantedEvents() const
{
    // What HandleEvent reads, unless a callback takes every event.
    return m_eventCallback
               ? MqttEventSet::All()
               : MqttEventSet::Of({EventType::SessionStarted, EventType::ConnectRefused});
}

MqttPosixBroker::~MqttPosixBroker()
{
    for (auto& [id, connection] : m_connections)
    {
        close(connection.fd);
    }
    for (int fd : m_listenFds)
    {
        close(fd);
    }
    for (int fd : {m_signalFd, m_spareFd})
    {
        if (fd >= 0)
        {
            close(fd);
        }
    }
}

uint64_t
MqttPosixBroker::Tag(Kind kind, uint64_t value)
{
    return (static_cast<uint64_t>(kind) << TAG_SHIFT) | (value & VALUE_MASK);
}

bool
MqttPosixBroker::Open(std::string& error)
{
    if (!m_reactor.Open(error))
    {
        return false;
    }
    m_spareFd = open("/dev/null", O_RDONLY | O_CLOEXEC);

    std::vector<std::pair<MqttPosixEndpoint, Protocol>> listeners;
    for (const auto& [endpoints, protocol] : {std::pair{&m_options.listen, Protocol::Mqtt},
                                              std::pair{&m_options.tlsListen, Protocol::Tls},
                                              std::pair{&m_options.wsListen, Protocol::Ws},
                                              std::pair{&m_options.wssListen, Protocol::Wss}})
    {
        for (const MqttPosixEndpoint& endpoint : *endpoints)
        {
            listeners.emplace_back(endpoint, protocol);
        }
    }
    if (listeners.empty())
    {
        error = "no address to listen on";
        return false;
    }
    if (!m_options.tls && (!m_options.tlsListen.empty() || !m_options.wssListen.empty()))
    {
        error = "a TLS listener needs TLS settings (a certificate and its key)";
        return false;
    }
    for (const auto& [endpoint, protocol] : listeners)
    {
        int fd = PosixListen(endpoint, m_options.listenBacklog, error);
        if (fd < 0)
        {
            return false;
        }
        uint32_t interest = 0;
        if (!m_reactor.Add(fd, Tag(Kind::Listener, m_listenFds.size()), EPOLLIN, interest))
        {
            error = "epoll_ctl: " + PosixErrorString(errno);
            close(fd);
            return false;
        }
        m_listenFds.push_back(fd);
        m_listening.push_back(PosixLocalEndpoint(fd));
        m_listenProtocols.push_back(protocol);
    }
    if (m_engine.Profile().service.cores > 0)
    {
        // The service-* settings are accepted (one settings table) but this broker has a CPU.
        Log("service-cores %u ignored: service model applies to simulation only",
            m_engine.Profile().service.cores);
    }
    return true;
}

const std::vector<MqttPosixEndpoint>&
MqttPosixBroker::Listening() const
{
    return m_listening;
}

std::vector<std::string>
MqttPosixBroker::ListeningProtocols() const
{
    std::vector<std::string> names;
    for (Protocol protocol : m_listenProtocols)
    {
        names.push_back(protocol == Protocol::Mqtt  ? "mqtt"
                        : protocol == Protocol::Tls ? "tls"
                        : protocol == Protocol::Ws  ? "ws"
                                                    : "wss");
    }
    return names;
}

bool
MqttPosixBroker::StopOnSignals(std::string& error)
{
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &mask, nullptr) != 0)
    {
        error = "pthread_sigmask failed";
        return false;
    }
    m_signalFd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (m_signalFd < 0)
    {
        error = "signalfd: " + PosixErrorString(errno);
        return false;
    }
    uint32_t interest = 0;
    if (!m_reactor.IsOpen() || !m_reactor.Add(m_signalFd, Tag(Kind::Signal, 0), EPOLLIN, interest))
    {
        error = "epoll_ctl(signalfd): call Open() first";
        return false;
    }
    return true;
}

void
MqttPosixBroker::Stop()
{
    m_stop.store(true);
    m_reactor.Wake();
}

void
MqttPosixBroker::SetEventCallback(EventCallback callback)
{
    m_eventCallback = std::move(callback);
    m_engine.SetEventInterest(WantedEvents());
}

void
MqttPosixBroker::SetTick(Nanos period, std::function<void(Nanos now)> tick)
{
    m_tickPeriod = period;
    m_tick = std::move(tick);
    m_nextTick = PosixMonotonicNow() + period;
}

const MqttPosixBroker::Stats&
MqttPosixBroker::GetStats() const
{
    return m_stats;
}

std::size_t
MqttPosixBroker::ConnectionCount() const
{
    return m_connections.size();
}

void
MqttPosixBroker::Run()
{
    while (!m_stop.load())
    {
        RunOnce(std::chrono::seconds(60));
    }
    ShutDown();
}

void
MqttPosixBroker::RunOnce(Nanos maxWait)
{
    Nanos now = PosixMonotonicNow();
    std::optional<Nanos> tick;
    if (m_tick)
    {
        tick = m_nextTick;
    }
    Nanos wait = MqttPosixReactor::WaitFor(
        now,
        maxWait,
        {m_timers.NextDeadline(), m_lingers.NextDeadline(), m_handshakes.NextDeadline(), tick});
    if (!m_reactor.Wait(wait))
    {
        Log("epoll_wait: %s", PosixErrorString(errno).c_str());
        m_stop.store(true);
        return;
    }
    ++m_stats.wakeups;
    now = PosixMonotonicNow();
    m_reactor.Dispatch([this, now](uint64_t key, uint32_t events)
                       { HandleReady(key, events, now); });

    uint64_t mark = m_timers.Mark();
    while (auto timer = m_timers.PopDue(now, mark))
    {
        m_engine.OnTimer(*timer, now, m_actions);
        Apply(now);
    }
    uint64_t lingerMark = m_lingers.Mark();
    while (auto id = m_lingers.PopDue(now, lingerMark))
    {
        if (Connection* connection = Find(*id))
        {
            Log("dropped conn=%llu client=%s: %zu bytes still unsent after the close linger",
                static_cast<unsigned long long>(*id),
                connection->clientId.empty() ? "-" : connection->clientId.c_str(),
                connection->out.Size());
            Destroy(*id);
        }
    }
    uint64_t handshakeMark = m_handshakes.Mark();
    while (auto id = m_handshakes.PopDue(now, handshakeMark))
    {
        if (Connection* connection = Find(*id))
        {
            ++m_stats.handshakesTimedOut;
            Lost(*connection,
                 "handshake not done within " +
                     std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        m_options.handshakeTimeout)
                                        .count()) +
                     " ms",
                 now);
        }
    }
    if (!m_pausedReads.Empty())
    {
        ResumeReading();
    }
    CommitPersisted(now);
    Flush(now);
    if (m_tick && now >= m_nextTick)
    {
        m_nextTick += m_tickPeriod * ((now - m_nextTick) / m_tickPeriod + 1);
        m_tick(now);
    }
}

void
MqttPosixBroker::HandleReady(uint64_t key, uint32_t flags, Nanos now)
{
    auto kind = static_cast<Kind>(key >> TAG_SHIFT);
    uint64_t value = key & VALUE_MASK;
    switch (kind)
    {
    case Kind::Listener:
        Accept(static_cast<std::size_t>(value), now);
        break;
    case Kind::Store:
        TakeStoreResult(now, false);
        break;
    case Kind::Signal:
    {
        signalfd_siginfo info{};
        while (read(m_signalFd, &info, sizeof(info)) == sizeof(info))
        {
            Log("signal %u: shutting down", info.ssi_signo);
        }
        m_stop.store(true);
        break;
    }
    case Kind::Connection:
    {
        Connection* connection = Find(value);
        if (connection == nullptr)
        {
            break; // closed earlier in this wakeup
        }
        if (connection->closing)
        {
            if (flags & (EPOLLERR | EPOLLHUP))
            {
                Destroy(connection->id); // nobody left to read the rest
            }
            else if (flags & EPOLLOUT)
            {
                MarkDirty(*connection);
            }
            break;
        }
        if (flags & EPOLLOUT)
        {
            MarkDirty(*connection);
        }
        if (flags & (EPOLLIN | EPOLLHUP | EPOLLERR))
        {
            Read(*connection, now);
        }
        break;
    }
    }
}

void
MqttPosixBroker::Accept(std::size_t listener, Nanos now)
{
    int listenFd = m_listenFds[listener];
    for (int i = 0; i < MAX_ACCEPTS_PER_WAKEUP; ++i)
    {
        MqttPosixEndpoint peer;
        int fd = PosixAccept(listenFd, peer);
        if (fd < 0)
        {
            if (errno == EINTR || errno == ECONNABORTED)
            {
                continue;
            }
            if ((errno == EMFILE || errno == ENFILE) && m_spareFd >= 0)
            {
                // Accept and close at once: otherwise the pending connection keeps the
                // listener readable and the loop spins.
                close(m_spareFd);
                int dropped = accept(listenFd, nullptr, nullptr);
                if (dropped >= 0)
                {
                    close(dropped);
                    ++m_stats.refusedNoFd;
                }
                m_spareFd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                Log("refused a connection on %s: out of file descriptors",
                    m_listening[listener].ToString().c_str());
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK)
            {
                Log("accept on %s: %s",
                    m_listening[listener].ToString().c_str(),
                    PosixErrorString(errno).c_str());
            }
            return;
        }
        ConnectionId id = m_nextId++;
        Connection& connection = m_connections[id];
        connection.fd = fd;
        connection.id = id;
        connection.peer = peer.ToString();
        if (!m_reactor.Add(fd, Tag(Kind::Connection, id), EPOLLIN, connection.interest))
        {
            Log("epoll_ctl(add): %s", PosixErrorString(errno).c_str());
            close(fd);
            m_connections.erase(id);
            continue;
        }
        ++m_stats.accepted;
        connection.stream = MakeStream(m_listenProtocols[listener]);
        if (connection.stream)
        {
            m_handshakes.Start(id, now + m_options.handshakeTimeout);
        }
        m_engine.OnConnectionOpened(id, now, m_actions);
        Apply(now);
    }
}

void
MqttPosixBroker::Read(Connection& connection, Nanos now)
{
    std::size_t got = 0;
    switch (PosixRead(connection.fd, m_readBuffer.data(), m_readBuffer.size(), got))
    {
    case PosixReadStatus::Data:
        m_stats.bytesIn += got;
        if (connection.stream)
        {
            ReadStream(connection, got, now);
            return;
        }
        m_engine.OnBytes(connection.id, m_readBuffer.data(), got, now, m_actions);
        Apply(now);
        PauseIfPaused(connection);
        return;
    case PosixReadStatus::Again:
        return;
    case PosixReadStatus::Closed:
        Lost(connection, "closed by peer", now);
        return;
    case PosixReadStatus::Failed:
        Lost(connection, PosixErrorString(errno), now);
        return;
    }
}

void
MqttPosixBroker::Apply(Nanos now)
{
    // Not re-entrant: nothing called from here hands the engine new input.
    for (MqttAction& action : m_actions)
    {
        VisitAction(action,
                    MqttOverloaded{
                        [this](SendAction& send) { Send(send); },
                        [this](const CloseAction& close) { Close(close); },
                        MqttTimerActions{m_timers},
                        [this, now](const NotifyAction& notify) { HandleEvent(notify.event, now); },
                        // A client engine's action; a broker engine never emits it.
                        [](const OpenConnectionAction&) {},
                        [this](PersistAction& persist)
                        {
                            for (PersistOp& op : persist.ops)
                            {
                                m_persistOps.push_back(std::move(op));
                            }
                            m_persistBatch = persist.batch;
                            ++m_batchesPending;
                        },
                    });
    }
    m_actions.clear();
}

void
MqttPosixBroker::HandleEvent(const MqttEvent& event, Nanos now)
{
    if (event.type == EventType::SessionStarted || event.type == EventType::ConnectRefused)
    {
        if (Connection* connection = Find(event.connection))
        {
            connection->clientId = event.clientId;
            if (event.type == EventType::SessionStarted)
            {
                Log("connect client=%s conn=%llu peer=%s session_present=%d",
                    event.clientId.c_str(),
                    static_cast<unsigned long long>(connection->id),
                    connection->peer.c_str(),
                    event.sessionPresent ? 1 : 0);
            }
            else
            {
                Log("connect refused client=%s conn=%llu peer=%s code=%u",
                    event.clientId.empty() ? "-" : event.clientId.c_str(),
                    static_cast<unsigned long long>(connection->id),
                    connection->peer.c_str(),
                    event.code);
            }
        }
    }
    if (m_eventCallback)
    {
        m_eventCallback(event, now);
    }
}

void
MqttPosixBroker::PauseIfPaused(Connection& connection)
{
    if (!connection.closing && m_pausedReads.Pause(m_engine, connection.id, connection.readPaused))
    {
        ++m_stats.readPauses;
        SetInterest(connection, false, (connection.interest & EPOLLOUT) != 0);
    }
}

void
MqttPosixBroker::ResumeReading()
{
    m_pausedReads.Resume(
        m_engine,
        [this](ConnectionId id)
        {
            Connection* connection = Find(id);
            return connection != nullptr && !connection->closing ? &connection->readPaused
                                                                 : nullptr;
        },
        [this](ConnectionId id)
        {
            Connection& connection = *Find(id);
            SetInterest(connection, true, (connection.interest & EPOLLOUT) != 0);
        });
}

void
MqttPosixBroker::SetInterest(Connection& connection, bool read, bool write)
{
    uint32_t interest = (read ? uint32_t{EPOLLIN} : 0u) | (write ? uint32_t{EPOLLOUT} : 0u);
    m_reactor.SetInterest(
        connection.fd, Tag(Kind::Connection, connection.id), interest, connection.interest);
}

MqttPosixBroker::Connection*
MqttPosixBroker::Find(ConnectionId id)
{
    auto it = m_connections.find(id);
    return it == m_connections.end() ? nullptr : &it->second;
}

void
MqttPosixBroker::Log(const char* format, ...)
{
    if (m_options.log == nullptr)
    {
        return;
    }
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    tm utc{};
    gmtime_r(&ts.tv_sec, &utc);
    char stamp[64];
    std::snprintf(stamp,
                  sizeof(stamp),
                  "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
                  utc.tm_year + 1900,
                  utc.tm_mon + 1,
                  utc.tm_mday,
                  utc.tm_hour,
                  utc.tm_min,
                  utc.tm_sec,
                  ts.tv_nsec / 1000000);
    char line[1024];
    va_list args;
    va_start(args, format);
    std::vsnprintf(line, sizeof(line), format, args);
    va_end(args);
    std::fprintf(m_options.log, "%s %s\n", stamp, line);
}

void
MqttPosixBroker::ShutDown()
{
    for (int fd : m_listenFds)
    {
        m_reactor.Remove(fd);
        close(fd);
    }
    m_listenFds.clear();
    Nanos now = PosixMonotonicNow();
    m_engine.Shutdown(now, m_actions);
    Apply(now);
    // What the engine changed up to here is stored before the process ends.
    while (m_writer != nullptr && (m_writer->Busy() || m_batchesPending != 0))
    {
        CommitPersisted(now);
        TakeStoreResult(now, true);
    }
    Flush(now);
    // Connections the engine did not close (it should close all) are closed here; the engine
    // has already been told to forget them by Shutdown().
    Nanos deadline = now + m_options.shutdownLinger;
    while (!m_connections.empty() && PosixMonotonicNow() < deadline)
    {
        bool writing = false;
        for (auto& [id, connection] : m_connections)
        {
            writing = writing || (connection.closing && !connection.out.Empty());
        }
        if (!writing)
        {
            break;
        }
        RunOnce(deadline - PosixMonotonicNow());
    }
    std::vector<ConnectionId> left;
    for (auto& [id, connection] : m_connections)
    {
        left.push_back(id);
    }
    for (ConnectionId id : left)
    {
        Destroy(id);
    }
    if (m_options.log != nullptr)
    {
        std::fflush(m_options.log);
    }
}

} // namespace mqtt
} // namespace ns3
