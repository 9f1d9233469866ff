/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The TLS ends the TLS tests share (core model, core session, ns-3 driver), so that the exact
 * sizes those tests assert all come from one device and one broker.
 */
#ifndef MQTT_TLS_TEST_PROFILES_H
#define MQTT_TLS_TEST_PROFILES_H

#include "mqtt-tls-model.h"

namespace ns3
{
namespace mqtt
{
namespace tlstest
{

/** A device with a 291-byte P-256 client certificate offering one suite, one group, one
 * signature algorithm and the 18-byte server name "broker.example.com". */
inline MqttTlsClientProfile
Device(TlsVersion version)
{
    MqttTlsClientProfile client;
    client.version = version;
    client.certificateChain = {291};
    client.resumption = true;
    client.serverNameBytes = 18;
    return client;
}

/** A broker with a 290-byte P-256 certificate issuing one ticket per handshake. */
inline MqttTlsServerProfile
Broker()
{
    MqttTlsServerProfile server;
    server.certificateChain = {290};
    server.tickets = 1;
    return server;
}

} // namespace tlstest
} // namespace mqtt
} // namespace ns3

#endif
