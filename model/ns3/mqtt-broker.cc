/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-broker.h"

#include "mqtt-acl.h"
#include "mqtt-authenticator.h"
#include "mqtt-password-hashes.h"
#include "mqtt-scram.h"
#include "mqtt-broker-setting-attributes.h"
#include "mqtt-broker-settings.h"
#include "mqtt-memory-budget.h"

#include "ns3/boolean.h"
#include "ns3/fatal-error.h"
#include "ns3/inet-socket-address.h"
#include "ns3/inet6-socket-address.h"
#include "ns3/ipv4.h"
#include "ns3/ipv6.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/random-variable-stream.h"
#include "ns3/simulator.h"
#include "ns3/socket.h"
#include "ns3/string.h"
#include "ns3/tcp-socket-factory.h"
#include "ns3/uinteger.h"

#include <memory>
#include <sstream>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("MqttBroker");

namespace mqtt
{

NS_OBJECT_ENSURE_REGISTERED(MqttBroker);

namespace
{

std::string
ProfileNames()
{
    std::ostringstream names;
    for (const std::string& name : MqttBrokerProfile::Names())
    {
        names << " " << name;
    }
    return names.str();
}

/** A password or ACL file (@p T: MqttAuthenticator or MqttAcl); a bad file ends the run. */
template<typename T, typename Prepare = void (*)(T&)>
std::shared_ptr<T>
LoadOrFail(const std::string& path, Prepare prepare = [](T&) {})
{
    auto loaded = std::make_shared<T>();
    prepare(*loaded);
    MqttConfigError error;
    if (!loaded->Load(path, error))
    {
        NS_FATAL_ERROR("MqttBroker: " << error.ToString());
    }
    return loaded;
}

} // namespace

// The profile's fields are Attributes too, one per broker setting (MaxInflightOut, ...).
TypeId
MqttBroker::GetTypeId()
{
    static TypeId tid = AddBrokerSettingAttributes(AddTraceSources(
        AddEngineAttributes(AddConnectionAttributes(TypeId("ns3::mqtt::MqttBroker")
                                                        .SetParent<Application>()
                                                        .SetGroupName("Mqtt")
                                                        .AddConstructor<MqttBroker>()))));
    return tid;
}

TypeId
MqttBroker::AddConnectionAttributes(TypeId tid)
{
    return tid
        .AddAttribute("Port",
                      "TCP port to listen on (IPv4 and IPv6).",
                      UintegerValue(1883),
                      MakeUintegerAccessor(&MqttBroker::m_port),
                      MakeUintegerChecker<uint16_t>())
        .AddAttribute("Profile",
                      "Name of the broker profile (MqttBrokerProfile::ByName), e.g. standard.",
                      StringValue("standard"),
                      MakeStringAccessor(&MqttBroker::m_profileName),
                      MakeStringChecker())
        .AddAttribute("PasswordFile",
                      "User names and passwords (doc/auth.md); empty: no authentication.",
                      StringValue(""),
                      MakeStringAccessor(&MqttBroker::m_passwordFile),
                      MakeStringChecker())
        .AddAttribute("ScramUsersFile",
                      "SCRAM-SHA-256 credentials for MQTT 5.0 enhanced authentication "
                      "(doc/auth.md); empty: no enhanced authentication.",
                      StringValue(""),
                      MakeStringAccessor(&MqttBroker::m_scramUsersFile),
                      MakeStringChecker())
        .AddAttribute("AllowAnonymous",
                      "With a PasswordFile, whether clients without a user name may connect.",
                      BooleanValue(false),
                      MakeBooleanAccessor(&MqttBroker::m_allowAnonymous),
                      MakeBooleanChecker())
        .AddAttribute("AclFile",
                      "Topic access rules (doc/auth.md); empty: everything allowed.",
                      StringValue(""),
                      MakeStringAccessor(&MqttBroker::m_aclFile),
                      MakeStringChecker());
}

TypeId
MqttBroker::AddEngineAttributes(TypeId tid)
{
    return tid
        .AddAttribute("Seed",
                      "Seed of the engine's randomness; 0 draws it from an ns-3 random "
                      "stream (see AssignStreams), so the run seed reproduces it.",
                      UintegerValue(0),
                      MakeUintegerAccessor(&MqttBroker::m_seed),
                      MakeUintegerChecker<uint64_t>())
        .AddAttribute("Persistence",
                      "Keep sessions, queued and retained messages across a stop and start "
                      "(a broker with persistence); false: every start begins empty.",
                      BooleanValue(false),
                      MakeBooleanAccessor(&MqttBroker::m_persistence),
                      MakeBooleanChecker())
        .AddAttribute("BackPressureQueueDepth",
                      "Stop reading a publisher whose message finds this many messages "
                      "queued for a connected subscriber, until that queue is down to half "
                      "(MqttBrokerEngine::SetBackPressure); 0: off.",
                      UintegerValue(0),
                      MakeUintegerAccessor(&MqttBroker::m_backPressureDepth),
                      MakeUintegerChecker<uint32_t>())
        .AddAttribute("BackPressureMaxPause",
                      "The longest a subscriber's queue keeps its publishers paused.",
                      TimeValue(Seconds(1)),
                      MakeTimeAccessor(&MqttBroker::m_backPressureMaxPause),
                      MakeTimeChecker(Seconds(0)));
}

TypeId
MqttBroker::AddTraceSources(TypeId tid)
{
    tid.AddTraceSource("Event",
                       "Every notification of the engine.",
                       MakeTraceSourceAccessor(&MqttBroker::m_eventTrace),
                       "ns3::mqtt::MqttBroker::EventTracedCallback")
        .AddTraceSource("PublishReceived",
                        "A PUBLISH taken over from a client.",
                        MakeTraceSourceAccessor(&MqttBroker::m_publishReceivedTrace),
                        "ns3::mqtt::MqttBroker::EventTracedCallback")
        .AddTraceSource("Delivered",
                        "A message delivered to a subscriber (QoS 0 sent, QoS 1/2 acked).",
                        MakeTraceSourceAccessor(&MqttBroker::m_deliveredTrace),
                        "ns3::mqtt::MqttBroker::EventTracedCallback")
        .AddTraceSource("Dropped",
                        "A message not delivered or not accepted; the event says why.",
                        MakeTraceSourceAccessor(&MqttBroker::m_droppedTrace),
                        "ns3::mqtt::MqttBroker::EventTracedCallback")
        .AddTraceSource("TlsHandshake",
                        "A simulated TLS handshake completed (times, bytes, resumed).",
                        MakeTraceSourceAccessor(&MqttBroker::m_tlsHandshakeTrace),
                        "ns3::mqtt::MqttBroker::TlsHandshakeTracedCallback")
        .AddTraceSource("ConnectionOpened",
                        "A transport connection was accepted.",
                        MakeTraceSourceAccessor(&MqttBroker::m_connectionOpenedTrace),
                        "ns3::mqtt::MqttBroker::ConnectionOpenedTracedCallback")
        .AddTraceSource("ConnectionClosed",
                        "A connection ended (client id, reason).",
                        MakeTraceSourceAccessor(&MqttBroker::m_connectionClosedTrace),
                        "ns3::mqtt::MqttBroker::ConnectionClosedTracedCallback")
        .AddTraceSource("QueueDepth",
                        "A session's queue depth after a message was queued or sent.",
                        MakeTraceSourceAccessor(&MqttBroker::m_queueDepthTrace),
                        "ns3::mqtt::MqttBroker::QueueDepthTracedCallback");
    return MqttNs3AddBytesTraceSources(tid,
                                       &MqttBroker::m_rxTrace,
                                       &MqttBroker::m_txTrace,
                                       "Bytes read from a client's socket.",
                                       "Bytes written to a client's socket.");
}

MqttBroker::MqttBroker()
    : m_timers(MakeCallback(&MqttBroker::OnTimer, this))
{
    NS_LOG_FUNCTION(this);
    m_seedStream = CreateObject<UniformRandomVariable>();
    m_callbacks.data = MakeCallback(&MqttBroker::OnData, this);
    m_callbacks.closed = MakeCallback(&MqttBroker::OnClosed, this);
    m_callbacks.unsent = MakeCallback(&MqttBroker::OnUnsent, this);
    MqttNs3TraceBytes(m_callbacks, m_rxTrace, m_txTrace);
}

MqttBroker::~MqttBroker()
{
    NS_LOG_FUNCTION(this);
}

int64_t
MqttBroker::AssignStreams(int64_t stream)
{
    NS_LOG_FUNCTION(this << stream);
    m_seedStream->SetStream(stream);
    return 1;
}

const MqttBrokerEngine*
MqttBroker::GetEngine() const
{
    return m_engine.get();
}

std::shared_ptr<const MqttAccountQuotas>
MqttBroker::GetAccount() const
{
    return m_account;
}

std::size_t
MqttBroker::GetTransportCount() const
{
    return m_connections.size();
}

uint64_t
MqttBroker::GetConnectionsAccepted() const
{
    return m_accepted;
}

uint64_t
MqttBroker::GetReadPauses() const
{
    return m_pausedReads.Pauses();
}

const MqttServiceModel*
MqttBroker::GetServiceModel() const
{
    return m_service.get();
}

void
MqttBroker::SetProfile(const MqttBrokerProfile& profile)
{
    NS_LOG_FUNCTION(this << profile.name);
    m_profile = profile;
}

std::optional<MqttSettingError>
MqttBroker::SetSetting(const std::string& key, const std::string& value)
{
    NS_LOG_FUNCTION(this << key << value);
    MqttBrokerProfile scratch;
    std::optional<MqttSettingError> error = MqttBrokerSettings::Apply(&scratch, key, value);
    if (!error)
    {
        m_settings[key] = value;
    }
    return error;
}

void
MqttBroker::ClearSetting(const std::string& key)
{
    NS_LOG_FUNCTION(this << key);
    m_settings.erase(key);
}

std::optional<std::string>
MqttBroker::GetSetting(const std::string& key) const
{
    auto it = m_settings.find(key);
    return it == m_settings.end() ? std::nullopt : std::make_optional(it->second);
}

MqttBrokerProfile
MqttBroker::GetEffectiveProfile() const
{
    std::optional<MqttBrokerProfile> found =
        m_profile ? m_profile : MqttBrokerProfile::ByName(m_profileName);
    if (!found)
    {
        NS_FATAL_ERROR("MqttBroker: unknown profile '" << m_profileName
                                                       << "' (known:" << ProfileNames() << ")");
    }
    MqttBrokerProfile profile = *found;
    for (const auto& [key, value] : m_settings)
    {
        // Checked when set, so this cannot fail.
        MqttBrokerSettings::Apply(&profile, key, value);
    }
    return profile;
}

void
MqttBroker::CreateEngine()
{
    uint64_t seed =
        m_seed != 0 ? m_seed : m_seedStream->GetInteger(1, std::numeric_limits<uint32_t>::max());
    MqttBrokerProfile profile = GetEffectiveProfile();
    if (!m_account)
    {
        m_account = std::make_shared<MqttAccountQuotas>(profile);
    }
    m_engine = std::make_unique<MqttBrokerEngine>(profile, seed);
    m_engine->SetAccount(m_account);
    if (m_backPressureDepth > 0)
    {
        m_engine->SetBackPressure(m_backPressureDepth,
                                  MqttNs3Timers::ToNanos(m_backPressureMaxPause));
    }
    if (!m_passwordFile.empty())
    {
        auto authenticator = LoadOrFail<MqttAuthenticator>(m_passwordFile, [](auto& a) {
            a.SetPasswordVerifier(MqttPasswordHashes::Shared());
        });
        authenticator->SetAllowAnonymous(m_allowAnonymous);
        m_engine->SetAuthenticator(authenticator);
    }
    if (!m_scramUsersFile.empty())
    {
        // Server nonces from the run's seed, so that a seed reproduces the run's bytes.
        auto scram = std::make_shared<MqttScramSha256>(MqttScramSha256::SeededNonces(seed));
        MqttConfigError error;
        if (!scram->Load(m_scramUsersFile, error))
        {
            NS_FATAL_ERROR("MqttBroker: " << error.ToString());
        }
        auto methods = std::make_shared<MqttAuthMethods>();
        methods->Add(scram);
        m_engine->SetAuthMethods(methods);
    }
    if (!m_aclFile.empty())
    {
        m_engine->SetAcl(LoadOrFail<MqttAcl>(m_aclFile));
    }
}

void
MqttBroker::StartApplication()
{
    NS_LOG_FUNCTION(this);
    if (m_running)
    {
        return;
    }
    m_running = true;
    if (m_engine)
    {
        // Only kept with Persistence: the stopped engine takes CONNECTs again, state intact.
        m_engine->Resume(MqttNs3Timers::Now(), m_actions.Out());
        Execute();
    }
    else
    {
        CreateEngine();
    }
    // One model for the broker's life (its statistics go on across restarts), or none.
    const MqttServiceConfig& service = m_engine->Profile().service;
    if (service.cores == 0)
    {
        m_service.reset();
    }
    else if (!m_service)
    {
        m_service = std::make_unique<MqttServiceModel>(service);
    }
    ListenOn(GetNode());
    for (const Ptr<Node>& node : m_frontEnds)
    {
        ListenOn(node);
    }
}

void
MqttBroker::AddFrontEnd(Ptr<Node> node)
{
    NS_LOG_FUNCTION(this << node);
    NS_ABORT_MSG_IF(m_running, "MqttBroker: front ends are added before the start");
    m_frontEnds.push_back(node);
}

void
MqttBroker::ListenOn(Ptr<Node> node)
{
    if (node->GetObject<Ipv4>())
    {
        m_listeners.push_back(Listen(node, InetSocketAddress(Ipv4Address::GetAny(), m_port)));
    }
    if (node->GetObject<Ipv6>())
    {
        m_listeners.push_back(Listen(node, Inet6SocketAddress(Ipv6Address::GetAny(), m_port)));
    }
}

Ptr<Socket>
MqttBroker::Listen(Ptr<Node> node, const Address& local)
{
    Ptr<Socket> socket = Socket::CreateSocket(node, TcpSocketFactory::GetTypeId());
    if (socket->Bind(local) == -1)
    {
        NS_FATAL_ERROR("MqttBroker: cannot bind port " << m_port << " on node " << node->GetId());
    }
    socket->Listen();
    socket->SetAcceptCallback(MakeCallback(&MqttBroker::HandleConnectionRequest, this),
                              MakeCallback(&MqttBroker::HandleAccept, this));
    return socket;
}

void
MqttBroker::StopApplication()
{
    NS_LOG_FUNCTION(this);
    if (!m_running)
    {
        return;
    }
    m_running = false;
    for (const Ptr<Socket>& listen : m_listeners)
    {
        listen->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                                  MakeNullCallback<void, Ptr<Socket>, const Address&>());
        listen->Close();
    }
    m_listeners.clear();
    FlushService();
    if (m_engine)
    {
        m_engine->Shutdown(MqttNs3Timers::Now(), m_actions.Out());
        Execute();
    }
    // Whatever the engine still knows is gone with the server; closing transports finish on
    // their own.
    for (auto& [id, connection] : m_connections)
    {
        if (connection.live)
        {
            connection.live = false;
            connection.transport->Close();
        }
    }
    if (!m_persistence)
    {
        m_timers.CancelAll();
        m_engine.reset();
    }
    // With Persistence the engine's only timers left are session expiries: they keep running.
}

void
MqttBroker::DoDispose()
{
    NS_LOG_FUNCTION(this);
    m_connections.AbortAll();
    m_pausedReads.Clear();
    for (auto& [id, serving] : m_inService)
    {
        serving.done.Cancel();
    }
    m_inService.clear();
    m_service.reset();
    m_timers.CancelAll();
    m_actions.Clear();
    m_listeners.clear();
    m_frontEnds.clear();
    m_engine.reset();
    Application::DoDispose();
}

bool
MqttBroker::HandleConnectionRequest(Ptr<Socket> socket, const Address& from)
{
    NS_LOG_FUNCTION(this << socket << from);
    return true;
}

void
MqttBroker::HandleAccept(Ptr<Socket> socket, const Address& from)
{
    NS_LOG_FUNCTION(this << socket << from);
    ConnectionId id =
        AddConnection([this, socket, from](ConnectionId id, const MqttTransportCallbacks& callbacks)
                      { return Accepted(id, socket, from, callbacks); },
                      from);
    if (id == 0)
    {
        socket->Close();
    }
}

ConnectionId
MqttBroker::AddConnection(const MqttTransportFactory& make, const Address& peer)
{
    NS_LOG_FUNCTION(this << peer);
    if (!m_running || !m_engine)
    {
        return 0;
    }
    ConnectionId id = m_nextConnection++;
    ++m_accepted;
    MqttNs3Connection& connection = m_connections[id];
    connection.transport = make(id, m_callbacks);
    m_connectionOpenedTrace(id, peer);
    if (m_service)
    {
        QueueForService(id, MqttServiceItemKind::Opened, nullptr, 0);
        return id;
    }
    m_engine->OnConnectionOpened(id, MqttNs3Timers::Now(), m_actions.Out());
    Execute();
    return id;
}

void
MqttBroker::OnData(ConnectionId connection, const uint8_t* data, std::size_t size)
{
    if (!m_connections.IsLive(connection))
    {
        return;
    }
    if (m_service)
    {
        QueueForService(connection, MqttServiceItemKind::Bytes, data, size);
        return;
    }
    m_engine->OnBytes(connection, data, size, MqttNs3Timers::Now(), m_actions.Out());
    Execute();
    if (m_backPressureDepth > 0)
    {
        PauseIfPaused(connection);
    }
}

void
MqttBroker::PauseIfPaused(ConnectionId connection)
{
    auto it = m_connections.find(connection);
    if (it != m_connections.end() && it->second.live &&
        m_pausedReads.PauseIf(InputPaused(connection), connection, it->second.readPaused))
    {
        it->second.transport->SetReadPaused(true);
    }
}

bool
MqttBroker::InputPaused(ConnectionId connection) const
{
    return (m_service && m_service->InputFull()) || m_engine->IsInputPaused(connection);
}

void
MqttBroker::ResumeReading()
{
    if (!m_engine)
    {
        m_pausedReads.Clear();
        return;
    }
    m_pausedReads.ResumeIf(
        [this](ConnectionId id) { return InputPaused(id); },
        [this](ConnectionId id)
        {
            auto it = m_connections.find(id);
            return it != m_connections.end() && it->second.live ? &it->second.readPaused : nullptr;
        },
        [this](ConnectionId id) { m_connections[id].transport->SetReadPaused(false); });
}

void
MqttBroker::OnClosed(ConnectionId connection, bool error)
{
    NS_LOG_FUNCTION(this << connection << error);
    const bool live = m_connections.Remove(connection);
    if (m_service && (!live || !m_engine))
    {
        m_service->Forget(connection);
    }
    if (live && m_engine)
    {
        if (m_service)
        {
            QueueForService(connection, MqttServiceItemKind::Closed, nullptr, 0);
            return;
        }
        m_engine->OnConnectionClosed(connection, MqttNs3Timers::Now(), m_actions.Out());
        Execute();
    }
}

void
MqttBroker::OnUnsent(ConnectionId connection, std::size_t bytes)
{
    // The memory budget counts what the sockets did not take; without a limit nothing to do.
    if (m_engine && m_engine->Memory().Enabled() && m_connections.IsLive(connection))
    {
        m_engine->OnOutputBuffered(connection, bytes, MqttNs3Timers::Now(), m_actions.Out());
        Execute();
    }
}

void
MqttBroker::OnTimer(TimerId timer)
{
    if (!m_engine)
    {
        return;
    }
    m_engine->OnTimer(timer, MqttNs3Timers::Now(), m_actions.Out());
    Execute();
}

void
MqttBroker::Execute()
{
    m_actions.Drain(
        [this](MqttAction& action)
        {
            VisitAction(action,
                        MqttOverloaded{
                            MqttNs3CommonActions{m_connections, m_timers},
                            [this](const NotifyAction& notify) { Notify(notify.event); },
                            [](const OpenConnectionAction&)
                            {
                                NS_LOG_WARN("MqttBroker: the broker engine asked to open a "
                                            "connection; ignored");
                            },
                            // The simulated broker never turns durability on (a simulated
                            // restart is Shutdown/Resume, doc/broker-engine.md), so the engine
                            // emits no PersistAction here.
                            [](const PersistAction&)
                            { NS_LOG_WARN("MqttBroker: unexpected PersistAction; ignored"); },
                        });
        });
    // Any engine call may let paused input go on (a subscriber's ack, the pause timer); none
    // goes on while the service queue is full.
    if (!m_pausedReads.Empty() && !m_actions.Draining() && !(m_service && m_service->InputFull()))
    {
        ResumeReading();
    }
}

void
MqttBroker::Notify(const MqttEvent& event)
{
    NS_LOG_LOGIC("event " << EventTypeName(event.type) << " conn " << event.connection << " "
                          << event.clientId);
    switch (event.type)
    {
    case EventType::PublishReceived:
        m_publishReceivedTrace(event);
        break;
    case EventType::MessageDelivered:
        m_deliveredTrace(event);
        m_queueDepthTrace(event.peerId, event.queueDepth);
        break;
    case EventType::MessageQueued:
    case EventType::MessageSent:
        m_queueDepthTrace(event.peerId, event.queueDepth);
        break;
    case EventType::MessageDropped:
        m_droppedTrace(event);
        break;
    case EventType::ConnectionClosed:
        m_connectionClosedTrace(
            event.connection, event.clientId, CloseReasonName(event.closeReason));
        break;
    default:
        break;
    }
    m_eventTrace(event);
}

} // namespace mqtt
} // namespace ns3
