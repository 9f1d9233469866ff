/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-posix-client.h"

#include "mqtt-client-streams.h"

#include "mqtt-action-visit.h"
#include "mqtt-posix-clock.h"
#include "mqtt-posix-socket.h"

#include <cerrno>

#include <sys/socket.h>
#include <unistd.h>

namespace ns3
{
namespace mqtt
{

namespace
{
/** The reactor key of the client's one socket. */
constexpr uint64_t SOCKET_KEY = 0;
} // namespace

MqttPosixClient::MqttPosixClient(MqttClientConfig config, MqttPosixEndpoint broker)
    : m_engine(std::move(config))
    , m_broker(broker)
    , m_readBuffer(64 * 1024)
{
    std::string error;
    if (!m_reactor.Open(error))
    {
        m_lastError = error; // every connection attempt then fails with this
    }
}

MqttPosixClient::~MqttPosixClient()
{
    CloseSocket();
}

void
MqttPosixClient::SetEventCallback(EventCallback callback)
{
    m_eventCallback = std::move(callback);
}

void
MqttPosixClient::SetTls(std::shared_ptr<MqttTlsContext> tls)
{
    m_tls = std::move(tls);
}

void
MqttPosixClient::SetWebSocket(MqttWebSocketClientOptions options)
{
    m_webSocket = std::move(options);
}

bool
MqttPosixClient::TlsResumed() const
{
    return m_tlsLayer != nullptr && m_tlsLayer->Resumed();
}

void
MqttPosixClient::Queue(const uint8_t* data, std::size_t size)
{
    if (!m_stream)
    {
        m_out.Append(data, size);
        return;
    }
    std::vector<uint8_t> wire;
    if (m_stream->Send(data, size, wire) == MqttStreamStatus::Failed)
    {
        m_lastError = m_stream->Error();
    }
    m_out.Append(wire);
}

void
MqttPosixClient::Connected()
{
    if (m_stream)
    {
        std::vector<uint8_t> wire;
        if (m_stream->Start(wire) == MqttStreamStatus::Failed)
        {
            Broken(m_stream->Error());
            return;
        }
        m_out.Append(wire);
    }
    SetInterest(EPOLLIN);
    m_pending.push_back(Pending::Connected);
}

void
MqttPosixClient::Broken(const std::string& why)
{
    m_lastError = why;
    CloseSocket();
    m_pending.push_back(Pending::Closed);
}

void
MqttPosixClient::Connect()
{
    m_engine.Connect(PosixMonotonicNow(), m_actions);
    Dispatch();
}

uint64_t
MqttPosixClient::Publish(const std::string& topic,
                         std::vector<uint8_t> payload,
                         Qos qos,
                         bool retain)
{
    uint64_t id =
        m_engine.Publish(topic, std::move(payload), qos, retain, PosixMonotonicNow(), m_actions);
    Dispatch();
    return id;
}

void
MqttPosixClient::Subscribe(std::vector<TopicRequest> topics)
{
    m_engine.Subscribe(std::move(topics), PosixMonotonicNow(), m_actions);
    Dispatch();
}

void
MqttPosixClient::Subscribe(std::vector<TopicRequest> topics, Properties properties)
{
    m_engine.Subscribe(std::move(topics), std::move(properties), PosixMonotonicNow(), m_actions);
    Dispatch();
}

void
MqttPosixClient::Unsubscribe(std::vector<std::string> filters)
{
    m_engine.Unsubscribe(std::move(filters), PosixMonotonicNow(), m_actions);
    Dispatch();
}

void
MqttPosixClient::Disconnect()
{
    m_engine.Disconnect(PosixMonotonicNow(), m_actions);
    Dispatch();
}

void
MqttPosixClient::Disconnect(ReasonCode reason)
{
    m_engine.Disconnect(PosixMonotonicNow(), m_actions, reason);
    Dispatch();
}

bool
MqttPosixClient::Disconnect(ReasonCode reason, uint32_t sessionExpiryInterval)
{
    const bool sent =
        m_engine.Disconnect(PosixMonotonicNow(), m_actions, reason, sessionExpiryInterval);
    Dispatch();
    return sent;
}

bool
MqttPosixClient::Reauthenticate()
{
    const bool started = m_engine.Reauthenticate(PosixMonotonicNow(), m_actions);
    Dispatch();
    return started;
}

ClientState
MqttPosixClient::State() const
{
    return m_engine.State();
}

MqttClientEngine&
MqttPosixClient::Engine()
{
    return m_engine;
}

const std::string&
MqttPosixClient::LastError() const
{
    return m_lastError;
}

void
MqttPosixClient::Dispatch()
{
    // Carry out the actions, then report transport outcomes they produced; each report yields
    // new actions, until nothing is pending. Finally write what was sent.
    Apply();
    while (!m_pending.empty())
    {
        Pending pending = m_pending.front();
        m_pending.erase(m_pending.begin());
        Nanos now = PosixMonotonicNow();
        switch (pending)
        {
        case Pending::Connected:
            m_engine.OnTransportConnected(now, m_actions);
            break;
        case Pending::Failed:
            m_engine.OnTransportFailed(now, m_actions);
            break;
        case Pending::Closed:
            m_engine.OnTransportClosed(now, m_actions);
            break;
        case Pending::None:
            break;
        }
        Apply();
    }
    Flush();
}

void
MqttPosixClient::Apply()
{
    for (MqttAction& action : m_actions)
    {
        VisitAction(action,
                    MqttOverloaded{
                        [this](const SendAction& send)
                        {
                            if (m_fd >= 0)
                            {
                                Queue(send.bytes.data(), send.bytes.size());
                            }
                        },
                        [this](const CloseAction&)
                        {
                            // Written before closing: a DISCONNECT sent just before must reach
                            // the broker.
                            if (m_stream)
                            {
                                std::vector<uint8_t> wire;
                                m_stream->Close(wire);
                                m_out.Append(wire);
                            }
                            Flush();
                            CloseSocket();
                        },
                        [this](const OpenConnectionAction&) { Open(); },
                        // A broker engine's action; a client engine never emits it.
                        [](const PersistAction&) {},
                        MqttTimerActions{m_timers},
                        [this](const NotifyAction& notify)
                        {
                            if (m_eventCallback)
                            {
                                m_eventCallback(notify.event);
                            }
                        },
                    });
    }
    m_actions.clear();
}

void
MqttPosixClient::Open()
{
    CloseSocket();
    bool inProgress = false;
    m_fd = PosixConnect(m_broker, inProgress, m_lastError);
    if (m_fd < 0)
    {
        m_pending.push_back(Pending::Failed);
        return;
    }
    m_interest = 0;
    m_reactor.Add(m_fd, SOCKET_KEY, EPOLLOUT, m_interest);
    m_stream = MqttClientStreams({m_tls, m_webSocket}, &m_tlsLayer);
    if (m_tlsLayer != nullptr)
    {
        m_tlsLayer->Resume(m_session);
    }
    m_connecting = inProgress;
    if (!inProgress)
    {
        Connected();
    }
}

void
MqttPosixClient::Flush()
{
    if (m_fd < 0 || m_connecting || m_out.Empty())
    {
        return;
    }
    auto result = m_out.Write(m_fd);
    if (result == MqttPosixOutputBuffer::WriteResult::Failed)
    {
        m_lastError = PosixErrorString(m_out.Error());
        CloseSocket();
        m_pending.push_back(Pending::Closed);
        return;
    }
    SetInterest(result == MqttPosixOutputBuffer::WriteResult::Blocked ? (EPOLLIN | EPOLLOUT)
                                                                      : EPOLLIN);
}

void
MqttPosixClient::SetInterest(uint32_t events)
{
    if (m_fd >= 0)
    {
        m_reactor.SetInterest(m_fd, SOCKET_KEY, events, m_interest);
    }
}

void
MqttPosixClient::CloseSocket()
{
    if (m_fd >= 0)
    {
        shutdown(m_fd, SHUT_WR);
        close(m_fd); // also leaves the epoll set
        m_fd = -1;
    }
    m_connecting = false;
    m_interest = 0;
    m_out = MqttPosixOutputBuffer();
    m_tlsLayer = nullptr;
    m_stream.reset();
}

void
MqttPosixClient::Read()
{
    std::size_t got = 0;
    PosixReadStatus status = PosixRead(m_fd, m_readBuffer.data(), m_readBuffer.size(), got);
    if (status == PosixReadStatus::Data && m_stream)
    {
        std::vector<uint8_t> app;
        std::vector<uint8_t> wire;
        MqttStreamStatus result = m_stream->Receive(m_readBuffer.data(), got, app, wire);
        m_out.Append(wire);
        if (m_tlsLayer != nullptr && m_tlsLayer->IsOpen())
        {
            if (auto session = m_tlsLayer->ResumableSession())
            {
                m_session = session; // TLS 1.3 tickets come after the handshake
            }
        }
        if (!app.empty())
        {
            m_engine.OnBytes(app.data(), app.size(), PosixMonotonicNow(), m_actions);
        }
        if (result == MqttStreamStatus::Failed)
        {
            (void)m_out.Write(m_fd); // the alert, best effort
            Broken(m_stream->Error());
        }
        else if (result == MqttStreamStatus::Closed)
        {
            Broken("TLS closed by the broker");
        }
        return;
    }
    if (status == PosixReadStatus::Data)
    {
        m_engine.OnBytes(m_readBuffer.data(), got, PosixMonotonicNow(), m_actions);
        return;
    }
    if (status == PosixReadStatus::Again)
    {
        return;
    }
    m_lastError =
        status == PosixReadStatus::Closed ? "closed by the broker" : PosixErrorString(errno);
    CloseSocket();
    m_pending.push_back(Pending::Closed);
}

void
MqttPosixClient::RunOnce(Nanos maxWait)
{
    Nanos now = PosixMonotonicNow();
    if (m_reactor.Wait(MqttPosixReactor::WaitFor(now, maxWait, {m_timers.NextDeadline()})))
    {
        m_reactor.Dispatch([this](uint64_t, uint32_t events) { HandleReady(events); });
    }
    Dispatch();
    now = PosixMonotonicNow();
    uint64_t mark = m_timers.Mark();
    while (auto timer = m_timers.PopDue(now, mark))
    {
        m_engine.OnTimer(*timer, now, m_actions);
        Dispatch();
    }
}

void
MqttPosixClient::HandleReady(uint32_t events)
{
    if (m_fd < 0)
    {
        return;
    }
    if (m_connecting)
    {
        int error = PosixSocketError(m_fd);
        if (error != 0)
        {
            m_lastError = "connect " + m_broker.ToString() + ": " + PosixErrorString(error);
            CloseSocket();
            m_pending.push_back(Pending::Failed);
        }
        else
        {
            m_connecting = false;
            Connected();
        }
    }
    else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
    {
        Read();
    }
}

bool
MqttPosixClient::RunUntil(const std::function<bool()>& done, Nanos timeout)
{
    Nanos deadline = PosixMonotonicNow() + timeout;
    while (!done())
    {
        Nanos now = PosixMonotonicNow();
        if (now >= deadline)
        {
            return false;
        }
        RunOnce(std::min(deadline - now, Nanos(std::chrono::milliseconds(100))));
    }
    return true;
}

} // namespace mqtt
} // namespace ns3
