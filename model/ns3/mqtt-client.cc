/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-client.h"

#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/fatal-error.h"
#include "ns3/inet-socket-address.h"
#include "ns3/inet6-socket-address.h"
#include "ns3/ipv4-address.h"
#include "ns3/ipv6-address.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/pointer.h"
#include "ns3/random-variable-stream.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("MqttClient");

namespace mqtt
{

MqttClient::MqttClient()
    : m_timers(MakeCallback(&MqttClient::OnTimer, this))
{
    NS_LOG_FUNCTION(this);
    m_jitter = CreateObject<UniformRandomVariable>();
    m_callbacks.connected = MakeCallback(&MqttClient::OnConnected, this);
    m_callbacks.connectFailed = MakeCallback(&MqttClient::OnConnectFailed, this);
    m_callbacks.data = MakeCallback(&MqttClient::OnData, this);
    m_callbacks.closed = MakeCallback(&MqttClient::OnClosed, this);
    MqttNs3TraceBytes(m_callbacks, m_rxTrace, m_txTrace);
}

MqttClient::~MqttClient()
{
    NS_LOG_FUNCTION(this);
}

int64_t
MqttClient::AssignStreams(int64_t stream)
{
    NS_LOG_FUNCTION(this << stream);
    m_interval->SetStream(stream);
    m_payloadSize->SetStream(stream + 1);
    m_jitter->SetStream(stream + 2);
    return 3;
}

bool
MqttClient::ParseSubscriptions(const std::string& text, std::vector<TopicRequest>& out)
{
    out.clear();
    std::size_t begin = 0;
    while (begin <= text.size())
    {
        std::size_t end = text.find(';', begin);
        if (end == std::string::npos)
        {
            end = text.size();
        }
        std::string item = text.substr(begin, end - begin);
        begin = end + 1;
        if (item.empty())
        {
            continue;
        }
        TopicRequest request;
        request.filter = item;
        std::size_t colon = item.rfind(':');
        if (colon != std::string::npos && colon + 2 == item.size() && item[colon + 1] >= '0' &&
            item[colon + 1] <= '9')
        {
            if (item[colon + 1] > '2')
            {
                return false;
            }
            request.filter = item.substr(0, colon);
            request.qos = static_cast<Qos>(item[colon + 1] - '0');
        }
        if (request.filter.empty())
        {
            return false;
        }
        out.push_back(request);
    }
    return true;
}

std::string
MqttClient::ExpandTemplate(const std::string& pattern, uint32_t nodeId, uint32_t appIndex)
{
    std::string result;
    result.reserve(pattern.size() + 8);
    for (std::size_t i = 0; i < pattern.size(); ++i)
    {
        if (pattern[i] == '%' && i + 1 < pattern.size())
        {
            char c = pattern[i + 1];
            if (c == 'n' || c == 'a' || c == '%')
            {
                result += c == 'n' ? std::to_string(nodeId)
                                   : (c == 'a' ? std::to_string(appIndex) : std::string("%"));
                ++i;
                continue;
            }
        }
        result += pattern[i];
    }
    return result;
}

uint32_t
MqttClient::ApplicationIndex() const
{
    Ptr<Node> node = GetNode();
    for (uint32_t i = 0; i < node->GetNApplications(); ++i)
    {
        if (PeekPointer(node->GetApplication(i)) == this)
        {
            return i;
        }
    }
    return 0;
}

void
MqttClient::SetTransportFactory(MqttTransportFactory factory)
{
    m_transportFactory = std::move(factory);
}

std::string
MqttClient::GetClientId() const
{
    return ExpandTemplate(m_clientIdTemplate, GetNode()->GetId(), ApplicationIndex());
}

std::string
MqttClient::GetTopic() const
{
    return ExpandTemplate(m_topicTemplate, GetNode()->GetId(), ApplicationIndex());
}

uint64_t
MqttClient::GetPublisherId() const
{
    return MqttPayloadStamp::PublisherId(GetNode()->GetId(), ApplicationIndex());
}

const MqttClientEngine*
MqttClient::GetEngine() const
{
    return m_engine.get();
}

ClientState
MqttClient::GetState() const
{
    return m_state;
}

uint64_t
MqttClient::GetPublishesSent() const
{
    return m_sequence;
}

uint64_t
MqttClient::GetPublishesCompleted() const
{
    return m_completed;
}

uint64_t
MqttClient::GetMessagesReceived() const
{
    return m_received;
}

uint64_t
MqttClient::GetDuplicatesReceived() const
{
    return m_duplicates;
}

uint64_t
MqttClient::GetMessagesDropped() const
{
    return m_dropped;
}

uint64_t
MqttClient::GetSessionsStarted() const
{
    return m_sessions;
}

Address
MqttClient::BrokerSocketAddress() const
{
    if (InetSocketAddress::IsMatchingType(m_brokerAddress) ||
        Inet6SocketAddress::IsMatchingType(m_brokerAddress))
    {
        return m_brokerAddress;
    }
    if (Ipv4Address::IsMatchingType(m_brokerAddress))
    {
        return InetSocketAddress(Ipv4Address::ConvertFrom(m_brokerAddress), m_brokerPort);
    }
    if (Ipv6Address::IsMatchingType(m_brokerAddress))
    {
        return Inet6SocketAddress(Ipv6Address::ConvertFrom(m_brokerAddress), m_brokerPort);
    }
    NS_FATAL_ERROR("MqttClient: BrokerAddress is not an IPv4 or IPv6 address");
    return Address();
}

MqttClientConfig
MqttClient::MakeConfig() const
{
    uint32_t nodeId = GetNode()->GetId();
    uint32_t appIndex = ApplicationIndex();
    MqttClientConfig config;
    config.clientId = ExpandTemplate(m_clientIdTemplate, nodeId, appIndex);
    config.cleanSession = m_cleanSession;
    config.keepAliveSeconds = m_keepAlive;
    if (!m_willTopic.empty())
    {
        Will will;
        will.topic = ExpandTemplate(m_willTopic, nodeId, appIndex);
        will.payload.assign(m_willPayload.begin(), m_willPayload.end());
        will.qos = static_cast<Qos>(m_willQos);
        will.retain = m_willRetain;
        config.will = will;
    }
    if (!m_userName.empty())
    {
        config.userName = m_userName;
    }
    if (!m_password.empty())
    {
        if (m_userName.empty())
        {
            // [MQTT-3.1.2-22]: a password needs a user name.
            NS_FATAL_ERROR("MqttClient " << config.clientId << ": Password set without UserName");
        }
        config.password = std::vector<uint8_t>(m_password.begin(), m_password.end());
    }
    config.connackTimeout = MqttNs3Timers::ToNanos(m_connackTimeout);
    config.pingTimeout = MqttNs3Timers::ToNanos(m_pingTimeout);
    config.ackTimeout = MqttNs3Timers::ToNanos(m_ackTimeout);
    config.closeOnAckTimeout = m_closeOnAckTimeout;
    config.maxInflight = m_maxInflight;
    config.maxQueued = m_maxQueued;
    config.autoReconnect = m_autoReconnect;
    config.reconnectInitialDelay = MqttNs3Timers::ToNanos(m_reconnectInitialDelay);
    config.reconnectMaxDelay = MqttNs3Timers::ToNanos(m_reconnectMaxDelay);
    config.reconnectMultiplier = m_reconnectMultiplier;
    config.reconnectJitter = m_reconnectJitter;
    ApplyProtocol5(config);
    return config;
}

void
MqttClient::StartApplication()
{
    NS_LOG_FUNCTION(this);
    if (m_running)
    {
        return;
    }
    uint32_t nodeId = GetNode()->GetId();
    uint32_t appIndex = ApplicationIndex();
    m_peer = BrokerSocketAddress();
    m_topic = ExpandTemplate(m_topicTemplate, nodeId, appIndex);
    m_publisherId = MqttPayloadStamp::PublisherId(nodeId, appIndex);
    if (!ParseSubscriptions(ExpandTemplate(m_subscriptionsText, nodeId, appIndex), m_subscriptions))
    {
        NS_FATAL_ERROR("MqttClient: malformed Subscriptions '" << m_subscriptionsText
                                                               << "' (want filter:qos;...)");
    }
    if (!m_engine)
    {
        // The jitter comes from an ns-3 stream so the run seed reproduces reconnect times.
        Ptr<UniformRandomVariable> jitter = m_jitter;
        m_engine = std::make_unique<MqttClientEngine>(MakeConfig(),
                                                      [jitter]() { return jitter->GetValue(); });
    }
    m_running = true;
    m_publishing = false;
    m_engine->Connect(MqttNs3Timers::Now(), m_actions.Out());
    Execute();
    StartSleepCycle();
}

void
MqttClient::StopApplication()
{
    NS_LOG_FUNCTION(this);
    if (!m_running)
    {
        return;
    }
    m_running = false;
    m_publishEvent.Cancel();
    m_waitingAtGate = false;
    m_sleepEvent.Cancel();
    if (m_engine)
    {
        m_engine->Disconnect(MqttNs3Timers::Now(), m_actions.Out());
        Execute();
    }
}

void
MqttClient::DoDispose()
{
    NS_LOG_FUNCTION(this);
    m_publishEvent.Cancel();
    m_mayPublish = nullptr;
    m_sleepEvent.Cancel();
    m_connections.AbortAll();
    m_settingUp = nullptr;
    m_timers.CancelAll();
    m_actions.Clear();
    m_engine.reset();
    m_payloadSize = nullptr;
    m_interval = nullptr;
    m_jitter = nullptr;
    Application::DoDispose();
}

uint64_t
MqttClient::Publish(const std::string& topic,
                    const std::vector<uint8_t>& payload,
                    Qos qos,
                    bool retain)
{
    if (!m_engine || !m_running)
    {
        return 0;
    }
    uint64_t id =
        m_engine->Publish(topic, payload, qos, retain, MqttNs3Timers::Now(), m_actions.Out());
    Execute();
    return id;
}

void
MqttClient::Subscribe(const std::vector<TopicRequest>& topics)
{
    if (!m_engine || !m_running)
    {
        return;
    }
    m_engine->Subscribe(topics, MqttNs3Timers::Now(), m_actions.Out());
    Execute();
}

bool
MqttClient::Reauthenticate()
{
    if (!m_engine || !m_running)
    {
        return false;
    }
    const bool started = m_engine->Reauthenticate(MqttNs3Timers::Now(), m_actions.Out());
    Execute();
    return started;
}

void
MqttClient::Unsubscribe(const std::vector<std::string>& filters)
{
    if (!m_engine || !m_running)
    {
        return;
    }
    m_engine->Unsubscribe(filters, MqttNs3Timers::Now(), m_actions.Out());
    Execute();
}

void
MqttClient::SetPublishGate(std::function<bool()> mayPublish)
{
    m_mayPublish = std::move(mayPublish);
}

void
MqttClient::OpenPublishGate()
{
    if (!m_waitingAtGate)
    {
        return;
    }
    m_waitingAtGate = false;
    if (m_running)
    {
        // Not from inside the caller (another client's delivery, deep in its receive path).
        m_publishEvent = Simulator::ScheduleNow(&MqttClient::PublishNext, this);
    }
}

bool
MqttClient::IsWaitingAtPublishGate() const
{
    return m_waitingAtGate;
}

void
MqttClient::PublishNext()
{
    if (!m_running || (m_maxMessages != 0 && m_sequence >= m_maxMessages))
    {
        return;
    }
    if (m_mayPublish && !m_mayPublish())
    {
        m_waitingAtGate = true;
        return;
    }
    MqttPayloadStamp stamp;
    stamp.publisher = m_publisherId;
    stamp.sequence = m_sequence++;
    stamp.sendTimeNs = Simulator::Now().GetNanoSeconds();
    double size = m_payloadSize->GetValue();
    auto bytes = static_cast<std::size_t>(size > 0 ? size : 0);
    m_engine->Publish(m_topic,
                      stamp.MakePayload(bytes),
                      static_cast<Qos>(m_qos),
                      m_retain,
                      MqttNs3Timers::Now(),
                      m_actions.Out());
    m_publishSentTrace(m_topic, stamp, static_cast<uint32_t>(bytes), m_qos);
    Execute();
    if (m_maxMessages == 0 || m_sequence < m_maxMessages)
    {
        m_publishEvent =
            Simulator::Schedule(Seconds(m_interval->GetValue()), &MqttClient::PublishNext, this);
    }
}

void
MqttClient::OnConnected(ConnectionId connection)
{
    if (!m_connections.IsLive(connection))
    {
        return;
    }
    m_engine->OnTransportConnected(MqttNs3Timers::Now(), m_actions.Out());
    Execute();
}

void
MqttClient::OnConnectFailed(ConnectionId connection)
{
    if (m_connections.Remove(connection))
    {
        m_engine->OnTransportFailed(MqttNs3Timers::Now(), m_actions.Out());
        Execute();
    }
}

void
MqttClient::OnData(ConnectionId connection, const uint8_t* data, std::size_t size)
{
    if (!m_connections.IsLive(connection))
    {
        return;
    }
    m_engine->OnBytes(data, size, MqttNs3Timers::Now(), m_actions.Out());
    Execute();
}

void
MqttClient::OnClosed(ConnectionId connection, bool error)
{
    NS_LOG_FUNCTION(this << connection << error);
    if (m_connections.Remove(connection) && m_engine)
    {
        m_engine->OnTransportClosed(MqttNs3Timers::Now(), m_actions.Out());
        Execute();
    }
}

void
MqttClient::OnTimer(TimerId timer)
{
    m_engine->OnTimer(timer, MqttNs3Timers::Now(), m_actions.Out());
    Execute();
}

void
MqttClient::Execute()
{
    m_actions.Drain(
        [this](MqttAction& action)
        {
            VisitAction(action,
                        MqttOverloaded{
                            MqttNs3CommonActions{m_connections, m_timers},
                            [this](const OpenConnectionAction& open) { Open(open.connection); },
                            [this](const NotifyAction& notify) { Notify(notify.event); },
                            // A broker engine's action; a client engine never emits it.
                            [](const PersistAction&) {},
                        });
        });
}

void
MqttClient::Open(ConnectionId id)
{
    MqttNs3Connection& connection = m_connections[id];
    connection.live = true;
    if (m_transportFactory)
    {
        connection.transport = m_transportFactory(id, m_callbacks);
    }
    else
    {
        Ptr<MqttNs3Transport> tcp = MqttNs3Transport::Connect(id, GetNode(), m_peer, m_callbacks);
        m_settingUp = tcp;
        if (m_tls)
        {
            tcp->EnableTls(MqttTlsSession::Client(*m_tls, m_tlsTicket),
                           MakeCallback(&MqttClient::OnTlsHandshake, this),
                           m_tlsCpu);
        }
        connection.transport = tcp;
    }
}

void
MqttClient::OnSessionStarted(bool sessionPresent)
{
    ++m_sessions;
    ReportSetUp();
    m_connectedTrace(sessionPresent);
    if (!sessionPresent && !m_subscriptions.empty())
    {
        // The broker holds no subscriptions for us: (re)make them. Appended to the running
        // action queue, so they go out after what the engine already asked for.
        m_engine->Subscribe(m_subscriptions, MqttNs3Timers::Now(), m_actions.Out());
    }
    if (!m_publishing && m_running && !m_topic.empty())
    {
        m_publishing = true;
        m_publishEvent = Simulator::ScheduleNow(&MqttClient::PublishNext, this);
    }
}

void
MqttClient::Notify(const MqttEvent& event)
{
    NS_LOG_LOGIC(GetClientId() << " event " << EventTypeName(event.type));
    switch (event.type)
    {
    case EventType::StateChanged:
    {
        auto next = static_cast<ClientState>(event.code);
        m_stateTransitionTrace(ClientStateName(m_state), ClientStateName(next));
        m_state = next;
        break;
    }
    case EventType::SessionStarted:
        OnSessionStarted(event.sessionPresent);
        break;
    case EventType::ConnectionClosed:
        m_disconnectedTrace(CloseReasonName(event.closeReason));
        break;
    case EventType::ConnectRefused:
        m_connectRefusedTrace(event);
        break;
    case EventType::PublishReceived:
    {
        ++m_received;
        MqttPayloadStamp stamp;
        Time latency = Seconds(-1);
        bool duplicate = false;
        if (event.message)
        {
            const std::vector<uint8_t>& payload = event.message->payload;
            if (auto decoded = MqttPayloadStamp::Decode(payload.data(), payload.size()))
            {
                stamp = *decoded;
                latency = Simulator::Now() - NanoSeconds(stamp.sendTimeNs);
                if (m_detectDuplicates)
                {
                    duplicate = !m_seen.emplace(stamp.publisher, stamp.sequence).second;
                    m_duplicates += duplicate ? 1 : 0;
                }
            }
        }
        m_publishReceivedTrace(event, stamp, latency, duplicate);
        break;
    }
    case EventType::PublishCompleted:
        ++m_completed;
        m_publishCompletedTrace(event);
        break;
    case EventType::MessageDropped:
        ++m_dropped;
        m_droppedTrace(event);
        break;
    case EventType::SubscriptionGranted:
    case EventType::SubscriptionDenied:
        m_subscribedTrace(event);
        break;
    case EventType::AckTimeout:
        m_ackTimeoutTrace(event);
        break;
    default:
        break;
    }
    m_eventTrace(event);
}

} // namespace mqtt
} // namespace ns3
