/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT 5.0 connections in the broker: what a level 5 CONNECT asks for (Session Expiry Interval,
 * Receive Maximum, Maximum Packet Size, Topic Alias Maximum, Request Problem / Response
 * Information), the CONNACK that says what the broker grants and supports, the DISCONNECT the
 * broker sends before closing a 5.0 connection, and the client's DISCONNECT with its reason code.
 *
 * A 3.1.1 connection never reaches this file: the shared handlers call in only when
 * MqttBrokerConnection::V5() is set (doc/mqtt5.md, "The broker engine").
 */
#include "mqtt-broker-engine-impl.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

namespace
{

/** The largest packet 5.0 can express (Remaining Length 268,435,455 plus 5 header bytes). */
constexpr std::size_t PROTOCOL_MAX_PACKET_SIZE = 268435460;

} // namespace

void
MqttBrokerEngine::Impl::ReadConnect5(MqttBrokerConnection& conn, const ConnectPacket& p)
{
    Mqtt5ConnectionState& v5 = conn.MakeV5();
    const Properties& props = p.properties;
    // Absent: 0, the session ends with the connection (3.1.2.11.2); a longer one than the
    // profile allows is lowered, and CONNACK says so.
    const uint32_t asked = props.Number(PropertyId::SessionExpiryInterval).value_or(0);
    v5.connectHadExpiry = asked != 0;
    v5.sessionExpiry = std::min(asked, m_profile.maxSessionExpiryInterval);
    // The codec refused 0 for both, so what stands is the client's limit [MQTT5-3.1.2-24].
    v5.clientReceiveMaximum =
        static_cast<uint16_t>(props.Number(PropertyId::ReceiveMaximum).value_or(65535));
    v5.clientMaximumPacketSize = props.Number(PropertyId::MaximumPacketSize).value_or(0);
    v5.clientTopicAliasMaximum =
        static_cast<uint16_t>(props.Number(PropertyId::TopicAliasMaximum).value_or(0));
    v5.requestProblemInformation =
        props.Number(PropertyId::RequestProblemInformation).value_or(1) != 0;
    v5.requestResponseInformation =
        props.Number(PropertyId::RequestResponseInformation).value_or(0) != 0;
}

ConnackPacket
MqttBrokerEngine::Impl::Connack5(const MqttBrokerConnection& conn,
                                 const ConnectPacket& p,
                                 const std::string& clientId,
                                 bool sessionPresent) const
{
    const Mqtt5ConnectionState& v5 = *conn.V5();
    ConnackPacket ack;
    ack.sessionPresent = sessionPresent;
    ack.reasonCode = ReasonCode::Success;
    Properties& props = ack.properties;
    // Each capability is announced only when it differs from the default a client assumes
    // (section 3.2.2.3), so a plain broker's CONNACK is the shortest one.
    const uint32_t asked = p.properties.Number(PropertyId::SessionExpiryInterval).value_or(0);
    if (v5.sessionExpiry != asked)
    {
        props.AddNumber(PropertyId::SessionExpiryInterval, v5.sessionExpiry);
    }
    if (m_profile.receiveMaximum != 65535)
    {
        props.AddNumber(PropertyId::ReceiveMaximum, m_profile.receiveMaximum);
    }
    if (m_profile.maxQos != Qos::ExactlyOnce)
    {
        // [MQTT5-3.2.2-9]: a server without QoS 1 or 2 says which it has.
        props.AddNumber(PropertyId::MaximumQos, static_cast<uint8_t>(m_profile.maxQos));
    }
    if (m_profile.retain == RetainPolicy::Disconnect)
    {
        props.AddNumber(PropertyId::RetainAvailable, 0);
    }
    if (m_profile.maxPacketSize < PROTOCOL_MAX_PACKET_SIZE)
    {
        props.AddNumber(PropertyId::MaximumPacketSize,
                        static_cast<uint32_t>(m_profile.maxPacketSize));
    }
    if (clientId != p.clientId)
    {
        // [MQTT5-3.2.2-16]: the identifier the broker chose for an empty one.
        props.AddText(PropertyId::AssignedClientIdentifier, clientId);
    }
    if (m_profile.topicAliasMaximum != 0)
    {
        props.AddNumber(PropertyId::TopicAliasMaximum, m_profile.topicAliasMaximum);
    }
    if (!m_profile.wildcardSubscriptions)
    {
        props.AddNumber(PropertyId::WildcardSubscriptionAvailable, 0);
    }
    if (!m_profile.subscriptionIdentifiers)
    {
        props.AddNumber(PropertyId::SubscriptionIdentifierAvailable, 0);
    }
    if (!m_profile.sharedSubscriptions)
    {
        props.AddNumber(PropertyId::SharedSubscriptionAvailable, 0);
    }
    if (v5.requestResponseInformation && !m_profile.responseInformationPrefix.empty())
    {
        // Only to a client that asked [MQTT5-3.1.2-28]: the profile's prefix and its client id.
        props.AddText(PropertyId::ResponseInformation,
                      m_profile.responseInformationPrefix + clientId);
    }
    const uint16_t keepAlive = EffectiveKeepAlive(m_profile, p.keepAliveSeconds);
    if (keepAlive != p.keepAliveSeconds)
    {
        // The keep-alive the broker applies replaces the client's [MQTT5-3.2.2-21].
        props.AddNumber(PropertyId::ServerKeepAlive, keepAlive);
    }
    AddConnackAuth5(conn, props); // mqtt-broker-v5-auth.cc
    return ack;
}

Nanos
MqttBrokerEngine::Impl::SessionExpiry5(const Mqtt5ConnectionState& v5)
{
    // 0xFFFFFFFF: the session does not expire (no timer); 0: it ended with the connection.
    if (v5.sessionExpiry == SESSION_NEVER_EXPIRES)
    {
        return Nanos(0);
    }
    return std::chrono::seconds(v5.sessionExpiry);
}

void
MqttBrokerEngine::Impl::SendDisconnect5(const MqttBrokerConnection& conn,
                                        const CloseSpec& spec,
                                        MqttActions& out)
{
    ReasonCode code = ReasonCode::UnspecifiedError;
    if (spec.reason5)
    {
        code = *spec.reason5;
    }
    else
    {
        switch (spec.reason)
        {
        case CloseReason::Takeover:
            code = ReasonCode::SessionTakenOver; // [MQTT5-3.1.4-3]
            break;
        case CloseReason::KeepAliveTimeout:
            code = ReasonCode::KeepAliveTimeout;
            break;
        case CloseReason::ProtocolError:
            // A packet that did not decode is malformed; a well-formed one out of place is a
            // protocol error, and so is No Local on a shared subscription [MQTT5-3.8.3-4]; one
            // above our maximum is too large [MQTT5-3.2.2-15].
            if (spec.code == static_cast<uint8_t>(DecodeError::PacketTooLarge))
            {
                code = ReasonCode::PacketTooLarge;
            }
            else if (spec.packetType || spec.code == static_cast<uint8_t>(DecodeError::None) ||
                     spec.code ==
                         static_cast<uint8_t>(DecodeError::NoLocalOnSharedSubscription))
            {
                code = ReasonCode::ProtocolError;
            }
            else
            {
                code = ReasonCode::MalformedPacket;
            }
            break;
        case CloseReason::ServerShutdown:
            code = ReasonCode::ServerShuttingDown;
            break;
        case CloseReason::Throttled:
            code = ReasonCode::MessageRateTooHigh;
            break;
        case CloseReason::ThrottledAccountPublishInRate:
            code = ReasonCode::QuotaExceeded;
            break;
        case CloseReason::PolicyViolation:
            code = ReasonCode::ImplementationSpecificError;
            break;
        default:
            code = ReasonCode::UnspecifiedError;
            break;
        }
    }
    DisconnectPacket d;
    d.reasonCode = code;
    // Written as 5.0 whatever the table says: the connection has left it already; with the
    // code's Reason String when the profile gives them.
    SendPacket5(conn, d, out);
}

bool
MqttBrokerEngine::Impl::HandleDisconnect5(MqttBrokerConnection& conn,
                                          const DisconnectPacket& p,
                                          Nanos now,
                                          MqttActions& out)
{
    Mqtt5ConnectionState& v5 = *conn.V5();
    if (std::optional<uint32_t> expiry = p.properties.Number(PropertyId::SessionExpiryInterval))
    {
        if (!v5.connectHadExpiry && *expiry != 0)
        {
            // Section 3.14.2.2.2: a session that was to end with the connection cannot be kept
            // by the DISCONNECT: a Protocol Error, answered with DISCONNECT 0x82.
            return Disconnect5(conn, CloseReason::ProtocolError, ReasonCode::ProtocolError, now, out);
        }
        v5.sessionExpiry = std::min(*expiry, m_profile.maxSessionExpiryInterval);
        conn.Session()->SetClean(v5.sessionExpiry == 0);
        conn.Session()->SetExpiryInterval5(v5.sessionExpiry);
        MarkSession(*conn.Session());
    }
    CloseSpec spec{CloseReason::ClientDisconnect};
    // 0x04 asks for the will to be published anyway; any other code discards it
    // [MQTT5-3.14.4-3], [MQTT5-3.1.2-10].
    spec.publishWill = p.reasonCode == ReasonCode::DisconnectWithWillMessage;
    if (!spec.publishWill)
    {
        conn.StoredWill().reset();
    }
    CloseConnection(conn, spec, now, out);
    return false;
}

bool
MqttBrokerEngine::Impl::Disconnect5(MqttBrokerConnection& conn,
                                    CloseReason reason,
                                    ReasonCode code,
                                    Nanos now,
                                    MqttActions& out)
{
    CloseSpec spec{reason};
    spec.reason5 = code;
    spec.publishWill = true; // ended by an error, not a DISCONNECT from the client
    CloseConnection(conn, spec, now, out);
    return false;
}

} // namespace mqtt
} // namespace ns3
