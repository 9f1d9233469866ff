/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The device CPU time of a TLS handshake: the public-key operations the client performs, each
 * costed with published figures for a microcontroller class (a data file under tls/, with its
 * sources; doc/tls-sim.md). Symmetric cryptography and hashing are left out (microseconds
 * against the hundreds of milliseconds of one P-256 operation on a Cortex-M).
 */
#ifndef MQTT_TLS_CPU_H
#define MQTT_TLS_CPU_H

#include "mqtt-action.h"
#include "mqtt-tls-model.h"

#include <cstdint>

namespace ns3
{
namespace mqtt
{

/** How many of each public-key operation the client performs in one handshake. */
struct MqttTlsCpuOps
{
    uint32_t keygen = 0; //!< ephemeral (EC)DHE key pair
    uint32_t ecdh = 0;   //!< shared secret from the peer's share
    uint32_t sign = 0;   //!< CertificateVerify with the client's key
    uint32_t verify = 0; //!< the server's signature and each certificate of its chain

    bool operator==(const MqttTlsCpuOps& other) const;
};

/** What each operation costs on one device class (ECDSA and ECDHE on P-256). */
struct MqttTlsCpuCosts
{
    Nanos keygen{0};
    Nanos ecdh{0};
    Nanos sign{0};
    Nanos verify{0};
};

/**
 * The client's operations in @p handshake: a full one makes an ephemeral key and its shared
 * secret, verifies the server's handshake signature and one signature per certificate of the
 * server's chain (the device trusts the root that signed the last one), and signs once if it
 * sent a certificate; a resumed TLS 1.2 one performs none; a resumed TLS 1.3 one (psk_dhe_ke,
 * what OpenSSL and mbed TLS offer by default) the key exchange only.
 */
MqttTlsCpuOps MqttTlsClientCpuOps(const MqttTlsHandshake& handshake,
                                  const MqttTlsClientProfile& client,
                                  const MqttTlsServerProfile& server);

/** The CPU time of @p ops with @p costs. */
Nanos MqttTlsCpuTime(const MqttTlsCpuOps& ops, const MqttTlsCpuCosts& costs);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_TLS_CPU_H
