/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT 5.0 connections in the client engine: the CONNECT's Clean Start and properties, the
 * CONNACK (refusals by reason code, the limits it announces), DISCONNECT both ways with its
 * reason code, and the session's life across connections (Session Expiry Interval).
 *
 * A 3.1.1 client never reaches this file: the shared handlers call in only when V5().
 */
#include "mqtt-client-engine-impl.h"

#include <type_traits>
#include <variant>

namespace ns3
{
namespace mqtt
{

namespace
{

/** The largest packet 5.0 can express (Remaining Length 268,435,455 plus 5 header bytes). */
constexpr std::size_t PROTOCOL_MAX_PACKET_SIZE = 268435460;

/** Session Expiry Interval 0xFFFFFFFF: the session does not expire (3.1.2.11.2). */
constexpr uint32_t NEVER_EXPIRES = 0xFFFFFFFF;

/** Refusals worth retrying later: the broker's state, not our CONNECT, caused them. */
bool
Transient(ReasonCode code)
{
    return code == ReasonCode::ServerUnavailable || code == ReasonCode::ServerBusy ||
           code == ReasonCode::QuotaExceeded || code == ReasonCode::ConnectionRateExceeded;
}

/**
 * A broker DISCONNECT after which reconnecting cannot help: another connection took the client
 * id (reconnecting would take it back, forever), the client is banned, or sent elsewhere.
 */
bool
Final(ReasonCode code)
{
    return code == ReasonCode::SessionTakenOver || code == ReasonCode::Banned ||
           code == ReasonCode::UseAnotherServer || code == ReasonCode::ServerMoved;
}

} // namespace

void
MqttClientEngine::Impl::PrepareConnect5(ConnectPacket& connect, Nanos now, MqttActions& out)
{
    m_v5 = Mqtt5ClientConnection{};
    if (m_sessionHeld && m_sessionEndsAt != Nanos(0) && now >= m_sessionEndsAt)
    {
        // The broker has dropped the session by now (4.1.0-2): so do we.
        m_sessionHeld = false;
        DiscardCleanSession(out);
    }
    connect.protocolLevel = 5;
    // The config's Clean Start on the first CONNECT; a reconnect resumes a session that may
    // still live at the broker.
    connect.cleanSession = m_firstConnect || !m_sessionHeld ? m_config.cleanSession : false;
    m_firstConnect = false;
    m_lastCleanStart = connect.cleanSession;
    Properties& props = connect.properties;
    if (m_config.sessionExpiryInterval != 0)
    {
        props.AddNumber(PropertyId::SessionExpiryInterval, m_config.sessionExpiryInterval);
    }
    if (m_config.receiveMaximum != 65535)
    {
        props.AddNumber(PropertyId::ReceiveMaximum, m_config.receiveMaximum);
    }
    if (m_config.maxPacketSize < PROTOCOL_MAX_PACKET_SIZE)
    {
        props.AddNumber(PropertyId::MaximumPacketSize,
                        static_cast<uint32_t>(m_config.maxPacketSize));
    }
    if (m_config.topicAliasMaximum != 0)
    {
        props.AddNumber(PropertyId::TopicAliasMaximum, m_config.topicAliasMaximum);
    }
    if (m_config.requestResponseInformation)
    {
        props.AddNumber(PropertyId::RequestResponseInformation, 1);
    }
    if (!m_config.requestProblemInformation)
    {
        props.AddNumber(PropertyId::RequestProblemInformation, 0);
    }
    for (const auto& [name, value] : m_config.userProperties)
    {
        props.AddUserProperty(name, value);
    }
    m_v5.server.sessionExpiryInterval = m_config.sessionExpiryInterval;
}

bool
MqttClientEngine::Impl::RefusedConnack5(const ConnackPacket& connack,
                                        Nanos now,
                                        MqttActions& out)
{
    if (!IsFailure(connack.reasonCode))
    {
        return false;
    }
    const ReasonCode code = connack.reasonCode;
    const auto value = static_cast<uint8_t>(code);
    Notify(EventType::ConnectRefused, out).code = value;
    const bool auth = code == ReasonCode::BadUserNameOrPassword ||
                      code == ReasonCode::NotAuthorized ||
                      code == ReasonCode::BadAuthenticationMethod;
    EndConnection(auth ? CloseReason::AuthFailure : CloseReason::ConnectRefused,
                  value,
                  true,
                  Transient(code) || m_config.retryRefusedConnect,
                  now,
                  out);
    return true;
}

bool
MqttClientEngine::Impl::AcceptConnack5(const ConnackPacket& connack, Nanos now, MqttActions& out)
{
    if (connack.sessionPresent && m_lastCleanStart)
    {
        // We asked for a new session, so we hold no state the broker could resume
        // [MQTT5-3.2.2-4].
        Violation5(ReasonCode::ProtocolError, 0, now, out);
        return false;
    }
    const Properties& props = connack.properties;
    Mqtt5ServerLimits& server = m_v5.server;
    server.receiveMaximum =
        static_cast<uint16_t>(props.Number(PropertyId::ReceiveMaximum).value_or(65535));
    server.topicAliasMaximum =
        static_cast<uint16_t>(props.Number(PropertyId::TopicAliasMaximum).value_or(0));
    server.maximumPacketSize = props.Number(PropertyId::MaximumPacketSize).value_or(0);
    server.maximumQos = static_cast<Qos>(props.Number(PropertyId::MaximumQos).value_or(2));
    server.retainAvailable = props.Number(PropertyId::RetainAvailable).value_or(1) != 0;
    server.wildcardSubscriptionAvailable =
        props.Number(PropertyId::WildcardSubscriptionAvailable).value_or(1) != 0;
    server.subscriptionIdentifierAvailable =
        props.Number(PropertyId::SubscriptionIdentifierAvailable).value_or(1) != 0;
    server.sharedSubscriptionAvailable =
        props.Number(PropertyId::SharedSubscriptionAvailable).value_or(1) != 0;
    if (auto expiry = props.Number(PropertyId::SessionExpiryInterval))
    {
        server.sessionExpiryInterval = *expiry; // the broker's replaces ours (3.2.2.3.2)
    }
    if (auto keepAlive = props.Number(PropertyId::ServerKeepAlive))
    {
        // [MQTT5-3.1.2-21], [MQTT5-3.2.2-21]: the broker's keep-alive replaces ours.
        server.serverKeepAlive = static_cast<uint16_t>(*keepAlive);
        m_keepAliveSeconds = server.serverKeepAlive.value();
    }
    if (auto assigned = props.Text(PropertyId::AssignedClientIdentifier))
    {
        // Kept for the reconnects, so that Clean Start 0 finds the session again.
        server.assignedClientIdentifier = std::string(*assigned);
        m_config.clientId = server.assignedClientIdentifier;
    }
    if (auto info = props.Text(PropertyId::ResponseInformation))
    {
        server.responseInformation = std::string(*info);
    }
    m_sessionHeld = server.sessionExpiryInterval != 0;
    return true;
}

void
MqttClientEngine::Impl::HandleDisconnect5(const DisconnectPacket& disconnect,
                                          Nanos now,
                                          MqttActions& out)
{
    // The broker ends the connection and says why (3.14); the reason is recorded, and the
    // client comes back unless coming back cannot help.
    m_disconnectReason = disconnect.reasonCode;
    EndConnection(CloseReason::ServerDisconnect,
                  0,
                  true,
                  !Final(disconnect.reasonCode),
                  now,
                  out);
}

bool
MqttClientEngine::Impl::Disconnect5(Nanos now,
                                     MqttActions& out,
                                     ReasonCode reason,
                                     uint32_t sessionExpiry)
{
    if (!V5() || (m_state != ClientState::AwaitingConnack && m_state != ClientState::Connected))
    {
        return false; // no CONNECT on this connection: no DISCONNECT to carry it
    }
    if (m_config.sessionExpiryInterval == 0 && sessionExpiry != 0)
    {
        // After a CONNECT with 0 a non-zero interval in DISCONNECT is a Protocol Error
        // (3.14.2.2.2; the standard numbers no statement for it): refused, nothing sent.
        return false;
    }
    SetState(ClientState::Disconnecting, out);
    DisconnectPacket disconnect{reason, {}};
    disconnect.properties.AddNumber(PropertyId::SessionExpiryInterval, sessionExpiry);
    SendPacket(disconnect, now, out);
    m_disconnectReason = reason;
    // The new interval is the one in force: we keep (or drop) our side of the session by it.
    m_v5.server.sessionExpiryInterval = sessionExpiry;
    EndConnection(CloseReason::ClientDisconnect, 0, true, false, now, out);
    return true;
}

void
MqttClientEngine::Impl::Violation5(ReasonCode reason, uint8_t code, Nanos now, MqttActions& out)
{
    // DISCONNECT with the reason before closing (4.13).
    SendPacket(DisconnectPacket{reason, {}}, now, out);
    m_disconnectReason = reason;
    EndConnection(CloseReason::ProtocolError, code, true, true, now, out);
}

void
MqttClientEngine::Impl::SessionEnds5(bool wasConnected, Nanos now, MqttActions& out)
{
    if (!wasConnected)
    {
        return; // no session was made or resumed on this connection: nothing changed
    }
    const uint32_t expiry = m_v5.server.sessionExpiryInterval;
    if (expiry == 0)
    {
        // The session ended with the connection (3.1.2.11.2).
        m_sessionHeld = false;
        DiscardCleanSession(out);
        return;
    }
    // Kept for its Session Expiry Interval [MQTT5-3.1.2-23].
    m_sessionHeld = true;
    m_sessionEndsAt = expiry == NEVER_EXPIRES ? Nanos(0) : now + std::chrono::seconds(expiry);
}

bool
MqttClientEngine::Impl::UnrequestedProblemInformation(const Packet& packet) const
{
    if (m_config.requestProblemInformation)
    {
        return false;
    }
    const Properties* props = std::visit(
        [](const auto& p) -> const Properties* {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, PublishPacket> || std::is_same_v<T, ConnackPacket> ||
                          std::is_same_v<T, DisconnectPacket> ||
                          std::is_same_v<T, PingrespPacket> || std::is_same_v<T, PingreqPacket>)
            {
                return nullptr;
            }
            else
            {
                return &p.properties;
            }
        },
        packet);
    return props &&
           (props->Has(PropertyId::ReasonString) || props->Has(PropertyId::UserProperty));
}

} // namespace mqtt
} // namespace ns3
