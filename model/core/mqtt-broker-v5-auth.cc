/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT 5.0 enhanced authentication in the broker (section 4.12): a CONNECT that names an
 * Authentication Method is authenticated by that method's exchange (MqttAuthMethod, looked up in
 * the MqttAuthMethods the driver set), through AUTH 0x18 packets, before its CONNACK; a connected
 * client re-authenticates with AUTH 0x19.
 *
 * Rules: a method we do not have (or a profile without enhanced authentication) gets CONNACK
 * 0x8C and the close [MQTT5-4.12.0-1]; the server's AUTH asking for more carries 0x18
 * [MQTT5-4.12.0-2]; a refused exchange gets CONNACK with the method's reason code (0x87) and the
 * close [MQTT5-4.12.0-4]; every AUTH and the successful CONNACK repeat the CONNECT's method
 * [MQTT5-4.12.0-5]; with no method in CONNECT the broker sends no AUTH and no method in CONNACK
 * [MQTT5-4.12.0-6], and an AUTH from the client is a protocol error (DISCONNECT 0x82); a
 * re-authentication with another method is a protocol error [MQTT5-4.12.1-1]; a failed
 * re-authentication is DISCONNECT with the method's reason code and the close [MQTT5-4.12.1-2],
 * as is one that proves another identity than the CONNECT's. The CONNECT deadline bounds the
 * whole CONNECT exchange. A CONNECT with a method is not checked against the password file: the
 * method is its authentication, and the identity it proves is the user name the ACL sees.
 */
#include "mqtt-broker-engine-impl.h"

namespace ns3
{
namespace mqtt
{

bool
MqttBrokerEngine::Impl::WantsEnhancedAuth5(const MqttBrokerConnection& conn, const ConnectPacket& p)
{
    return conn.V5() != nullptr && p.properties.Has(PropertyId::AuthenticationMethod);
}

void
MqttBrokerEngine::Impl::StartConnectAuth5(MqttBrokerConnection& conn,
                                          ConnectPacket& p,
                                          const std::string& clientId,
                                          Nanos now,
                                          MqttActions& out)
{
    const std::string method(p.properties.Text(PropertyId::AuthenticationMethod).value_or(""));
    std::shared_ptr<const MqttAuthMethod> impl =
        m_profile.enhancedAuthentication && m_authMethods ? m_authMethods->Find(method) : nullptr;
    if (!impl)
    {
        // [MQTT5-4.12.0-1]: not a method of ours: CONNACK 0x8C, then close.
        RefuseConnect(conn,
                      ConnectReturnCode::NotAuthorized,
                      clientId,
                      now,
                      out,
                      CloseReason::AuthFailure,
                      ReasonCode::BadAuthenticationMethod);
        return;
    }
    auto state = std::make_unique<Mqtt5AuthState>();
    state->method = method;
    state->impl = impl;
    state->exchange = impl->StartServer();
    m_work.Add(MqttServiceOp::Auth);
    const std::vector<uint8_t>* data = p.properties.Binary(PropertyId::AuthenticationData);
    MqttAuthStep step =
        state->exchange->Step(data ? std::optional<std::vector<uint8_t>>(*data) : std::nullopt);
    state->pendingConnect = std::move(p);
    state->pendingClientId = clientId;
    conn.V5()->auth = std::move(state);
    ApplyAuthStep5(conn, std::move(step), now, out);
}

bool
MqttBrokerEngine::Impl::HandleAuth5(MqttBrokerConnection& conn,
                                    const AuthPacket& p,
                                    Nanos now,
                                    MqttActions& out)
{
    Mqtt5AuthState* auth = conn.V5()->auth.get();
    const std::optional<std::string_view> method =
        p.properties.Text(PropertyId::AuthenticationMethod);
    const bool connecting = auth != nullptr && auth->pendingConnect.has_value();
    // What may come: during the CONNECT's exchange only 0x18; when connected 0x19 to start a
    // re-authentication and 0x18 within one. Never 0x00, which only the server sends.
    bool valid = auth != nullptr && method == std::string_view(auth->method);
    if (valid && p.reasonCode == ReasonCode::ReAuthenticate)
    {
        valid = !connecting && !auth->exchange;
        if (valid)
        {
            auth->exchange = auth->impl->StartServer();
        }
    }
    else if (valid)
    {
        valid = p.reasonCode == ReasonCode::ContinueAuthentication && auth->exchange != nullptr;
    }
    if (!valid)
    {
        // [MQTT5-4.12.0-7] (no method in CONNECT), [MQTT5-4.12.1-1] (another method), or an AUTH
        // out of turn: a protocol error, DISCONNECT 0x82 once connected.
        ProtocolViolation(conn, DecodeError::None, PacketType::Auth, now, out);
        return false;
    }
    m_work.Add(MqttServiceOp::Auth);
    const std::vector<uint8_t>* data = p.properties.Binary(PropertyId::AuthenticationData);
    MqttAuthStep step =
        auth->exchange->Step(data ? std::optional<std::vector<uint8_t>>(*data) : std::nullopt);
    return ApplyAuthStep5(conn, std::move(step), now, out);
}

bool
MqttBrokerEngine::Impl::ApplyAuthStep5(MqttBrokerConnection& conn,
                                       MqttAuthStep step,
                                       Nanos now,
                                       MqttActions& out)
{
    Mqtt5AuthState& auth = *conn.V5()->auth;
    const bool connecting = auth.pendingConnect.has_value();
    if (step.outcome == MqttAuthOutcome::Success && !connecting &&
        auth.exchange->Identity() != auth.identity)
    {
        // A re-authentication proves the connection's identity again, not another one.
        step = MqttAuthStep::Failure(ReasonCode::NotAuthorized, "another identity");
    }
    switch (step.outcome)
    {
    case MqttAuthOutcome::Continue:
    {
        // [MQTT5-4.12.0-2], [MQTT5-4.12.0-5]: AUTH 0x18 with the method and the method's data.
        AuthPacket more;
        more.reasonCode = ReasonCode::ContinueAuthentication;
        more.properties.AddText(PropertyId::AuthenticationMethod, auth.method);
        more.properties.AddBinary(PropertyId::AuthenticationData, std::move(step.data));
        SendPacket(conn.Id(), more, out);
        return true;
    }
    case MqttAuthOutcome::Success:
    {
        std::optional<std::string> identity = auth.exchange->Identity();
        auth.exchange.reset();
        if (connecting)
        {
            auth.identity = identity;
            auth.finalData = std::move(step.data);
            ConnectPacket p = std::move(*auth.pendingConnect);
            auth.pendingConnect.reset();
            if (identity)
            {
                p.userName = identity; // the ACL applies to whom the method proved
            }
            const std::string clientId = std::move(auth.pendingClientId);
            const ConnectionId id = conn.Id();
            AcceptConnect(conn, p, clientId, now, out); // CONNACK with AddConnackAuth5
            return m_connections.count(id) != 0;
        }
        // The end of a re-authentication: AUTH 0x00 with the method and the final data.
        AuthPacket done;
        done.reasonCode = ReasonCode::Success;
        done.properties.AddText(PropertyId::AuthenticationMethod, auth.method);
        if (!step.data.empty())
        {
            done.properties.AddBinary(PropertyId::AuthenticationData, std::move(step.data));
        }
        SendPacket(conn.Id(), done, out);
        return true;
    }
    case MqttAuthOutcome::Failure:
        break;
    }
    if (connecting)
    {
        // [MQTT5-4.12.0-4]: CONNACK with the method's code (0x87 Not authorized), then close.
        const std::string clientId = auth.pendingClientId;
        RefuseConnect(conn,
                      ConnectReturnCode::NotAuthorized,
                      clientId,
                      now,
                      out,
                      CloseReason::AuthFailure,
                      step.reason);
        return false;
    }
    // [MQTT5-4.12.1-2]: DISCONNECT with the code, then close.
    return Disconnect5(conn, CloseReason::AuthFailure, step.reason, now, out);
}

void
MqttBrokerEngine::Impl::AddConnackAuth5(const MqttBrokerConnection& conn, Properties& props)
{
    const Mqtt5AuthState* auth = conn.V5()->auth.get();
    if (auth == nullptr)
    {
        return; // [MQTT5-4.12.0-6]: no method in CONNECT, none in CONNACK
    }
    props.AddText(PropertyId::AuthenticationMethod, auth->method);
    if (!auth->finalData.empty())
    {
        props.AddBinary(PropertyId::AuthenticationData, auth->finalData);
    }
}

} // namespace mqtt
} // namespace ns3
