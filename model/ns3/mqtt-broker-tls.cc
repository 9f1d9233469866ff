/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttBroker over simulated TLS (doc/tls-sim.md): accepted connections carry the server's side
 * of the TLS model, and the service model charges each handshake.
 */
#include "mqtt-broker.h"

namespace ns3
{
namespace mqtt
{

void
MqttBroker::SetTls(const MqttTlsServerProfile& profile)
{
    m_tls = profile;
}

Ptr<MqttNs3Transport>
MqttBroker::Accepted(ConnectionId id,
                     Ptr<Socket> socket,
                     const Address& from,
                     const MqttTransportCallbacks& callbacks)
{
    Ptr<MqttNs3Transport> transport = Create<MqttNs3Transport>(id, socket, from, callbacks);
    if (m_tls)
    {
        transport->EnableTls(MqttTlsSession::Server(*m_tls),
                             MakeCallback(&MqttBroker::OnTlsHandshake, this));
    }
    return transport;
}

void
MqttBroker::OnTlsHandshake(const MqttTlsHandshakeInfo& info)
{
    if (m_service)
    {
        // Charged with the first MQTT bytes: the handshake's CPU holds a core before CONNECT.
        m_tlsToCharge.insert(info.connection);
    }
    m_tlsHandshakeTrace(info);
}

} // namespace mqtt
} // namespace ns3
