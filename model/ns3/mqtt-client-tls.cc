/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttClient over simulated TLS (doc/tls-sim.md): the profile it offers and the ticket it keeps
 * from one connection to the next; and what setting up a connection took, with or without TLS.
 */
#include "mqtt-client.h"

#include "ns3/simulator.h"

namespace ns3
{
namespace mqtt
{

void
MqttClient::SetTls(const MqttTlsClientProfile& profile, std::optional<MqttTlsCpuCosts> cpu)
{
    m_tls = profile;
    m_tlsCpu = cpu;
    m_tlsTicket = 0;
}

void
MqttClient::OnTlsHandshake(const MqttTlsHandshakeInfo& info)
{
    m_tlsTicket = info.ticketBytes;
    m_tlsHandshakeTrace(info);
}

void
MqttClient::ReportSetUp()
{
    if (!m_settingUp)
    {
        return; // a transport factory's connection (a real socket)
    }
    MqttConnectionSetUpInfo info = m_settingUp->SetUpSoFar();
    info.connack = Simulator::Now();
    m_settingUp = nullptr;
    m_connectionSetUpTrace(info);
}

} // namespace mqtt
} // namespace ns3
