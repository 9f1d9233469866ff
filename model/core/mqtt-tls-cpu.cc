/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-tls-cpu.h"

namespace ns3
{
namespace mqtt
{

bool
MqttTlsCpuOps::operator==(const MqttTlsCpuOps& other) const
{
    return keygen == other.keygen && ecdh == other.ecdh && sign == other.sign &&
           verify == other.verify;
}

MqttTlsCpuOps
MqttTlsClientCpuOps(const MqttTlsHandshake& handshake,
                    const MqttTlsClientProfile& client,
                    const MqttTlsServerProfile& server)
{
    MqttTlsCpuOps ops;
    if (handshake.resumed)
    {
        if (handshake.version == TlsVersion::Tls13)
        {
            ops.keygen = 1;
            ops.ecdh = 1;
        }
        return ops;
    }
    ops.keygen = 1;
    ops.ecdh = 1;
    ops.verify = 1 + static_cast<uint32_t>(server.certificateChain.size());
    ops.sign = server.requestClientCertificate && !client.certificateChain.empty() ? 1 : 0;
    return ops;
}

Nanos
MqttTlsCpuTime(const MqttTlsCpuOps& ops, const MqttTlsCpuCosts& costs)
{
    return costs.keygen * ops.keygen + costs.ecdh * ops.ecdh + costs.sign * ops.sign +
           costs.verify * ops.verify;
}

} // namespace mqtt
} // namespace ns3
