/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The client engine's public face, configuration checks and output helpers; the handlers live
 * by concern in mqtt-client-{connection,inbound,requests}.cc around one state object
 * (mqtt-client-engine-impl.h).
 */
#include "mqtt-client-engine.h"

#include "mqtt-client-engine-impl.h"
#include "mqtt-topic.h"
#include "mqtt-utf8.h"

#include <algorithm>
#include <random>
#include <utility>

namespace ns3
{
namespace mqtt
{

const char*
ClientStateName(ClientState state)
{
    switch (state)
    {
    case ClientState::Idle:
        return "Idle";
    case ClientState::Connecting:
        return "Connecting";
    case ClientState::AwaitingConnack:
        return "AwaitingConnack";
    case ClientState::Connected:
        return "Connected";
    case ClientState::Disconnecting:
        return "Disconnecting";
    case ClientState::WaitingToReconnect:
        return "WaitingToReconnect";
    }
    return "Unknown";
}

const char*
ClientConfigErrorName(ClientConfigError error)
{
    switch (error)
    {
    case ClientConfigError::None:
        return "None";
    case ClientConfigError::EmptyClientIdNeedsCleanSession:
        return "EmptyClientIdNeedsCleanSession";
    case ClientConfigError::InvalidClientId:
        return "InvalidClientId";
    case ClientConfigError::InvalidWillTopic:
        return "InvalidWillTopic";
    case ClientConfigError::InvalidWillQos:
        return "InvalidWillQos";
    case ClientConfigError::WillPayloadTooLong:
        return "WillPayloadTooLong";
    case ClientConfigError::InvalidUserName:
        return "InvalidUserName";
    case ClientConfigError::PasswordWithoutUserName:
        return "PasswordWithoutUserName";
    case ClientConfigError::PasswordTooLong:
        return "PasswordTooLong";
    case ClientConfigError::ReceiveMaximumZero:
        return "ReceiveMaximumZero";
    case ClientConfigError::InvalidUserProperty:
        return "InvalidUserProperty";
    }
    return "Unknown";
}

namespace
{

/** The longest string or binary field (a two-byte length prefix, section 1.5.3). */
constexpr std::size_t MAX_FIELD = 65535;

bool
ValidString(const std::string& s)
{
    return s.size() <= MAX_FIELD && CheckUtf8(s) == Utf8Status::Valid;
}

/** A generator seeded from the config; the conversion to [0, 1) is ours, so it is portable. */
MqttClientEngine::UniformSource
SeededUniform(uint64_t seed)
{
    auto gen = std::make_shared<std::mt19937_64>(seed);
    return [gen]() { return static_cast<double>((*gen)() >> 11) * 0x1.0p-53; };
}

} // namespace

ClientConfigError
MqttClientEngine::CheckConfig(const MqttClientConfig& config)
{
    if (!ValidString(config.clientId))
    {
        return ClientConfigError::InvalidClientId;
    }
    const bool v5 = config.protocolVersion == ProtocolVersion::Mqtt5;
    // 5.0 lets the broker assign an identifier whatever Clean Start says (3.1.3.1).
    if (config.clientId.empty() && !config.cleanSession && !v5)
    {
        return ClientConfigError::EmptyClientIdNeedsCleanSession; // [MQTT-3.1.3-7]
    }
    if (config.will)
    {
        if (ValidateTopicName(config.will->topic) != TopicError::None)
        {
            return ClientConfigError::InvalidWillTopic;
        }
        if (!ValidQos(config.will->qos))
        {
            return ClientConfigError::InvalidWillQos;
        }
        if (config.will->payload.size() > MAX_FIELD)
        {
            return ClientConfigError::WillPayloadTooLong;
        }
    }
    if (config.userName && !ValidString(*config.userName))
    {
        return ClientConfigError::InvalidUserName;
    }
    if (config.password)
    {
        // 5.0 allows a password without a user name (3.1.2.9).
        if (!config.userName && !v5)
        {
            return ClientConfigError::PasswordWithoutUserName; // [MQTT-3.1.2-22]
        }
        if (config.password->size() > MAX_FIELD)
        {
            return ClientConfigError::PasswordTooLong;
        }
    }
    if (v5 && config.receiveMaximum == 0)
    {
        return ClientConfigError::ReceiveMaximumZero;
    }
    for (const auto& [name, value] : config.userProperties)
    {
        if (v5 && (!ValidString(name) || !ValidString(value)))
        {
            return ClientConfigError::InvalidUserProperty;
        }
    }
    return ClientConfigError::None;
}

MqttClientEngine::Impl::Impl(MqttClientConfig config, UniformSource uniform)
    : m_config(std::move(config))
    , m_uniform(uniform ? std::move(uniform) : SeededUniform(m_config.seed))
    , m_reader(m_config.maxPacketSize, m_config.protocolVersion)
{
    m_config.maxInflight = std::max<uint16_t>(m_config.maxInflight, 1);
    m_config.reconnectMultiplier = std::max(m_config.reconnectMultiplier, 1.0);
    m_config.reconnectJitter = std::clamp(m_config.reconnectJitter, 0.0, 1.0);
    m_backoffNanos = static_cast<double>(m_config.reconnectInitialDelay.count());
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

MqttEvent&
MqttClientEngine::Impl::Notify(EventType type, MqttActions& out)
{
    NotifyAction action;
    action.event.type = type;
    action.event.connection = m_connection;
    action.event.clientId = m_config.clientId;
    out.emplace_back(std::move(action));
    return std::get<NotifyAction>(out.back()).event;
}

void
MqttClientEngine::Impl::SetState(ClientState state, MqttActions& out)
{
    if (state == m_state)
    {
        return;
    }
    m_state = state;
    Notify(EventType::StateChanged, out).code = static_cast<uint8_t>(state);
}

MqttClientEngine::Impl::Timer&
MqttClientEngine::Impl::TimerFor(TimerId id)
{
    switch (id)
    {
    case CONNACK_TIMER:
        return m_connackTimer;
    case KEEP_ALIVE_TIMER:
        return m_keepAliveTimer;
    case PING_TIMER:
        return m_pingTimer;
    case ACK_TIMER:
        return m_ackTimer;
    default:
        return m_reconnectTimer;
    }
}

void
MqttClientEngine::Impl::ArmTimer(TimerId id, Nanos at, MqttActions& out)
{
    Timer& timer = TimerFor(id);
    timer.armed = true;
    timer.at = at;
    out.emplace_back(StartTimerAction{id, at});
}

void
MqttClientEngine::Impl::CancelTimer(TimerId id, MqttActions& out)
{
    Timer& timer = TimerFor(id);
    if (timer.armed)
    {
        timer.armed = false;
        out.emplace_back(CancelTimerAction{id});
    }
}

void
MqttClientEngine::Impl::SendPacket(const Packet& packet, Nanos now, MqttActions& out)
{
    SendAction action;
    action.connection = m_connection;
    Encode(packet, action.bytes, m_config.protocolVersion);
    out.emplace_back(std::move(action));
    m_lastSend = now;
}

void
MqttClientEngine::Impl::SendPublish(
    const MqttMessage& message, uint16_t packetId, bool dup, Nanos now, MqttActions& out)
{
    SendPublish(
        dup, message.qos, message.retain, message.topic, packetId, message.payload, now, out);
}

void
MqttClientEngine::Impl::SendPublish(bool dup,
                                    Qos qos,
                                    bool retain,
                                    const std::string& topic,
                                    uint16_t packetId,
                                    const std::vector<uint8_t>& payload,
                                    Nanos now,
                                    MqttActions& out)
{
    SendAction action;
    action.connection = m_connection;
    action.bytes.reserve(topic.size() + payload.size() + 9);
    EncodePublish(dup, qos, retain, topic, packetId, payload.data(), payload.size(), action.bytes);
    out.emplace_back(std::move(action));
    m_lastSend = now;
}

void
MqttClientEngine::Impl::SendRequest(InFlight& entry, bool dup, Nanos now, MqttActions& out)
{
    switch (entry.stage)
    {
    case Stage::AwaitPuback:
    case Stage::AwaitPubrec:
        if (V5())
        {
            SendPublish5(*entry.request.message, entry.packetId, dup, now, out);
        }
        else
        {
            SendPublish(*entry.request.message, entry.packetId, dup, now, out);
        }
        break;
    case Stage::AwaitPubcomp:
        // Once PUBREL was sent the PUBLISH is never sent again [MQTT-4.3.3-1].
        SendAck(PubrelPacket{entry.packetId}, now, out);
        break;
    case Stage::AwaitSuback:
        SendPacket(SubscribePacket{entry.packetId, entry.request.topics, entry.request.properties},
                   now,
                   out);
        break;
    case Stage::AwaitUnsuback:
        SendPacket(UnsubscribePacket{entry.packetId, entry.request.filters}, now, out);
        break;
    }
    entry.sentAt = now;
    entry.timeoutReported = false;
    WatchAck(now, out);
}

void
MqttClientEngine::Impl::DeliverDropped(const MqttMessagePtr& message,
                                       DropReason reason,
                                       uint16_t packetId,
                                       MqttActions& out)
{
    MqttEvent& event = Notify(EventType::MessageDropped, out);
    event.dropReason = reason;
    event.message = message;
    event.qos = message->qos;
    event.retain = message->retain;
    event.packetId = packetId;
}

void
MqttClientEngine::Impl::DenyRequest(const std::vector<std::string>& filters, MqttActions& out)
{
    if (filters.empty())
    {
        Notify(EventType::SubscriptionDenied, out).code = SUBACK_FAILURE;
        return;
    }
    for (const auto& filter : filters)
    {
        MqttEvent& event = Notify(EventType::SubscriptionDenied, out);
        event.code = SUBACK_FAILURE;
        event.topic = filter;
    }
}

// ---------------------------------------------------------------------------------------------
// The public class forwards to Impl.
// ---------------------------------------------------------------------------------------------

MqttClientEngine::MqttClientEngine(MqttClientConfig config, UniformSource uniform)
    : m_impl(std::make_unique<Impl>(std::move(config), std::move(uniform)))
{
}

MqttClientEngine::~MqttClientEngine() = default;

void
MqttClientEngine::Connect(Nanos now, MqttActions& out)
{
    m_impl->Connect(now, out);
}

void
MqttClientEngine::OnTransportConnected(Nanos now, MqttActions& out)
{
    m_impl->OnTransportConnected(now, out);
}

void
MqttClientEngine::OnTransportFailed(Nanos now, MqttActions& out)
{
    m_impl->OnTransportFailed(now, out);
}

void
MqttClientEngine::OnBytes(const uint8_t* data, std::size_t size, Nanos now, MqttActions& out)
{
    m_impl->OnBytes(data, size, now, out);
}

void
MqttClientEngine::OnTransportClosed(Nanos now, MqttActions& out)
{
    m_impl->OnTransportClosed(now, out);
}

void
MqttClientEngine::OnTimer(TimerId timer, Nanos now, MqttActions& out)
{
    m_impl->OnTimer(timer, now, out);
}

uint64_t
MqttClientEngine::Publish(const std::string& topic,
                          std::vector<uint8_t> payload,
                          Qos qos,
                          bool retain,
                          Nanos now,
                          MqttActions& out)
{
    return m_impl->Publish(topic, std::move(payload), qos, retain, Properties{}, now, out);
}

uint64_t
MqttClientEngine::Publish(const std::string& topic,
                          std::vector<uint8_t> payload,
                          Qos qos,
                          bool retain,
                          Properties properties,
                          Nanos now,
                          MqttActions& out)
{
    return m_impl->Publish(topic, std::move(payload), qos, retain, std::move(properties), now, out);
}

void
MqttClientEngine::Subscribe(std::vector<TopicRequest> topics, Nanos now, MqttActions& out)
{
    m_impl->Subscribe(std::move(topics), Properties{}, now, out);
}

void
MqttClientEngine::Subscribe(std::vector<TopicRequest> topics,
                            Properties properties,
                            Nanos now,
                            MqttActions& out)
{
    m_impl->Subscribe(std::move(topics), std::move(properties), now, out);
}

void
MqttClientEngine::Unsubscribe(std::vector<std::string> filters, Nanos now, MqttActions& out)
{
    m_impl->Unsubscribe(std::move(filters), now, out);
}

void
MqttClientEngine::Disconnect(Nanos now, MqttActions& out)
{
    m_impl->Disconnect(now, out, ReasonCode::NormalDisconnection);
}

void
MqttClientEngine::Disconnect(Nanos now, MqttActions& out, ReasonCode reason)
{
    m_impl->Disconnect(now, out, reason);
}

bool
MqttClientEngine::Disconnect(Nanos now,
                             MqttActions& out,
                             ReasonCode reason,
                             uint32_t sessionExpiryInterval)
{
    return m_impl->Disconnect5(now, out, reason, sessionExpiryInterval);
}

bool
MqttClientEngine::Reauthenticate(Nanos now, MqttActions& out)
{
    return m_impl->Reauthenticate(now, out);
}

ClientState
MqttClientEngine::State() const
{
    return m_impl->m_state;
}

const MqttClientConfig&
MqttClientEngine::Config() const
{
    return m_impl->m_config;
}

const std::string&
MqttClientEngine::ClientId() const
{
    return m_impl->m_config.clientId;
}

ProtocolVersion
MqttClientEngine::Version() const
{
    return m_impl->m_config.protocolVersion;
}

const Mqtt5ServerLimits&
MqttClientEngine::ServerLimits() const
{
    return m_impl->m_v5.server;
}

std::size_t
MqttClientEngine::PendingPublishes() const
{
    return m_impl->m_queuedPublishes + m_impl->m_inflightPublishes;
}

std::size_t
MqttClientEngine::InflightPublishes() const
{
    return m_impl->m_inflightPublishes;
}

std::size_t
MqttClientEngine::ReceivedQos2Pending() const
{
    return m_impl->m_receivedQos2.Size();
}

ConnectionId
MqttClientEngine::Connection() const
{
    return m_impl->m_connection;
}

} // namespace mqtt
} // namespace ns3
