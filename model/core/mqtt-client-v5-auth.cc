/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT 5.0 enhanced authentication in the client engine (section 4.12, doc/auth.md): the
 * CONNECT names the config's method with the data of its first step, AUTH 0x18 from the broker
 * is answered with AUTH 0x18 until the CONNACK, whose final data the method checks (a broker
 * that does not prove itself is disconnected, mutual authentication), and Reauthenticate()
 * starts the exchange again with AUTH 0x19 on a connected client, ended by the broker's AUTH
 * 0x00.
 *
 * Rules kept: until its CONNACK a client with a method sends nothing but AUTH or DISCONNECT
 * [MQTT5-3.1.2-30] (the engine sends no other packet before a CONNACK anyway); its answer to an
 * AUTH carries 0x18 [MQTT5-4.12.0-3]; every AUTH and the CONNACK must name the CONNECT's method
 * [MQTT5-4.12.0-5]; with no method in CONNECT the client never sends AUTH [MQTT5-4.12.0-7] and
 * an AUTH or a method in CONNACK from the broker is a protocol error [MQTT5-4.12.0-6]
 * (DISCONNECT 0x82). A method that refuses (a forged server signature, data it cannot parse)
 * ends the connection with DISCONNECT 0x87 (or the method's code) and no reconnect unless
 * retryRefusedConnect: retrying cannot make the same broker prove itself.
 */
#include "mqtt-client-engine-impl.h"

namespace ns3
{
namespace mqtt
{

namespace
{

std::optional<std::vector<uint8_t>>
AuthData(const Properties& props)
{
    const std::vector<uint8_t>* data = props.Binary(PropertyId::AuthenticationData);
    return data ? std::optional<std::vector<uint8_t>>(*data) : std::nullopt;
}

} // namespace

bool
MqttClientEngine::Impl::PrepareConnectAuth5(ConnectPacket& connect, Nanos now, MqttActions& out)
{
    m_authExchange.reset();
    if (!m_config.authMethod)
    {
        return true;
    }
    m_authExchange = m_config.authMethod->StartClient(m_config.authCredentials);
    MqttAuthStep step = m_authExchange->Start();
    if (step.outcome != MqttAuthOutcome::Continue)
    {
        // The method cannot start (no random bytes, unusable credentials): no CONNECT goes out.
        m_authExchange.reset();
        EndConnection(CloseReason::AuthFailure,
                      static_cast<uint8_t>(step.reason),
                      true,
                      m_config.retryRefusedConnect,
                      now,
                      out);
        return false;
    }
    connect.properties.AddText(PropertyId::AuthenticationMethod, m_config.authMethod->Name());
    if (!step.data.empty())
    {
        connect.properties.AddBinary(PropertyId::AuthenticationData, std::move(step.data));
    }
    return true;
}

void
MqttClientEngine::Impl::SendAuth5(ReasonCode reason,
                                  std::vector<uint8_t> data,
                                  Nanos now,
                                  MqttActions& out)
{
    AuthPacket auth;
    auth.reasonCode = reason;
    auth.properties.AddText(PropertyId::AuthenticationMethod, m_config.authMethod->Name());
    if (!data.empty())
    {
        auth.properties.AddBinary(PropertyId::AuthenticationData, std::move(data));
    }
    SendPacket(auth, now, out);
}

void
MqttClientEngine::Impl::AuthFailed5(ReasonCode reason, Nanos now, MqttActions& out)
{
    m_authExchange.reset();
    // DISCONNECT with the method's code, then close [MQTT5-4.12.1-2].
    SendPacket(DisconnectPacket{reason, {}}, now, out);
    m_disconnectReason = reason;
    EndConnection(CloseReason::AuthFailure,
                  static_cast<uint8_t>(reason),
                  true,
                  m_config.retryRefusedConnect,
                  now,
                  out);
}

void
MqttClientEngine::Impl::HandleAuth5(const AuthPacket& auth, Nanos now, MqttActions& out)
{
    const std::optional<std::string_view> method =
        auth.properties.Text(PropertyId::AuthenticationMethod);
    // An AUTH belongs to an exchange under way, with our method [MQTT5-4.12.0-5]: 0x18 asks for
    // more, 0x00 ends a re-authentication (the CONNECT's ends with the CONNACK); a server never
    // sends 0x19. Without a method in our CONNECT no AUTH may come at all [MQTT5-4.12.0-6].
    bool valid = m_authExchange != nullptr && method == m_config.authMethod->Name();
    if (valid && auth.reasonCode == ReasonCode::Success)
    {
        valid = m_state == ClientState::Connected;
    }
    else if (valid)
    {
        valid = auth.reasonCode == ReasonCode::ContinueAuthentication;
    }
    if (!valid)
    {
        ProtocolViolation(0, now, out);
        return;
    }
    if (auth.reasonCode == ReasonCode::ContinueAuthentication)
    {
        MqttAuthStep step = m_authExchange->Respond(AuthData(auth.properties));
        if (step.outcome != MqttAuthOutcome::Continue)
        {
            AuthFailed5(step.reason, now, out);
            return;
        }
        // [MQTT5-4.12.0-3]: our answer carries 0x18.
        SendAuth5(ReasonCode::ContinueAuthentication, std::move(step.data), now, out);
        return;
    }
    MqttAuthStep step = m_authExchange->Finish(AuthData(auth.properties));
    if (step.outcome != MqttAuthOutcome::Success)
    {
        AuthFailed5(step.reason, now, out);
        return;
    }
    m_authExchange.reset();
    Notify(EventType::Reauthenticated, out);
}

bool
MqttClientEngine::Impl::FinishConnectAuth5(const ConnackPacket& connack,
                                           Nanos now,
                                           MqttActions& out)
{
    const std::optional<std::string_view> method =
        connack.properties.Text(PropertyId::AuthenticationMethod);
    if (!m_config.authMethod)
    {
        if (method)
        {
            ProtocolViolation(0, now, out); // [MQTT5-4.12.0-6]
            return false;
        }
        return true;
    }
    if (!m_authExchange || method != m_config.authMethod->Name())
    {
        ProtocolViolation(0, now, out); // [MQTT5-4.12.0-5]: the CONNACK repeats our method
        return false;
    }
    MqttAuthStep step = m_authExchange->Finish(AuthData(connack.properties));
    if (step.outcome != MqttAuthOutcome::Success)
    {
        // The broker accepted us but did not prove itself (a forged server signature).
        AuthFailed5(step.reason, now, out);
        return false;
    }
    m_authExchange.reset();
    return true;
}

bool
MqttClientEngine::Impl::Reauthenticate(Nanos now, MqttActions& out)
{
    if (!V5() || !m_config.authMethod || m_state != ClientState::Connected || m_authExchange)
    {
        return false; // no method, not connected, or an exchange already under way
    }
    m_authExchange = m_config.authMethod->StartClient(m_config.authCredentials);
    MqttAuthStep step = m_authExchange->Start();
    if (step.outcome != MqttAuthOutcome::Continue)
    {
        m_authExchange.reset();
        return false; // the connection goes on as it was authenticated
    }
    // Re-authentication with the CONNECT's method [MQTT5-4.12.1-1].
    SendAuth5(ReasonCode::ReAuthenticate, std::move(step.data), now, out);
    return true;
}

} // namespace mqtt
} // namespace ns3
