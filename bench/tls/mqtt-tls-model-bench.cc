/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * ./ns3-mqtt bench tls: the core's TLS model (model/core/mqtt-tls-model.h) against real OpenSSL
 * handshakes and records in memory, with the same certificates (made at run time) and the same
 * offer (one suite, one group, one signature algorithm, a client certificate, SNI). One line per
 * case: `tls NAME model=BYTES real=BYTES ratio=R`. --check exits 1 when a ratio is outside
 * 0.95-1.05 (the ctest `tls-model-vs-openssl` runs it so).
 */
#include "mqtt-tls-model.h"
#include "mqtt-tls-real.h"

#include <cstdio>
#include <cstring>
#include <string>

using namespace ns3::mqtt;
using namespace ns3::mqtt::bench;

namespace
{

bool g_inRange = true;

void
Line(const std::string& name, std::size_t model, std::size_t real)
{
    double ratio = real == 0 ? 0 : static_cast<double>(model) / static_cast<double>(real);
    g_inRange = g_inRange && ratio >= 0.95 && ratio <= 1.05;
    std::printf("tls %s model=%zu real=%zu ratio=%.3f\n", name.c_str(), model, real, ratio);
}

/** The offer of @p version with @p rsa keys, for the model and for OpenSSL. */
void
Profiles(const RealPki& pki,
         TlsVersion version,
         bool rsa,
         MqttTlsClientProfile& client,
         MqttTlsServerProfile& server,
         RealCase& real)
{
    client.version = version;
    client.cipher = TlsCipher::Aes128Gcm;
    client.group = TlsGroup::P256;
    client.certificateChain = {pki.clientDer};
    client.key = rsa ? TlsKeyType::Rsa2048 : TlsKeyType::EcdsaP256;
    client.resumption = true;
    real.serverName = "broker.example.com";
    client.serverNameBytes = real.serverName.size();
    // "RSA-PSS+SHA256" is two code points (rsa_pss_rsae and rsa_pss_pss); with RSA+SHA256 three.
    client.offeredSignatureAlgorithms = rsa ? 2 : 1;
    server.certificateChain = {pki.serverDer};
    server.key = client.key;
    server.tickets = 1;
    real.version = TlsVersionName(version);
    real.cipher =
        version == TlsVersion::Tls13
            ? "TLS_AES_128_GCM_SHA256"
            : (rsa ? "ECDHE-RSA-AES128-GCM-SHA256" : "ECDHE-ECDSA-AES128-GCM-SHA256");
    real.group = "P-256";
    real.sigalg = rsa ? "RSA-PSS+SHA256" : "ECDSA+SHA256";
    real.tickets = server.tickets;
}

bool
Run(const RealPki& pki, bool rsa)
{
    const char* keys = rsa ? "-rsa" : "";
    for (TlsVersion version : {TlsVersion::Tls12, TlsVersion::Tls13})
    {
        MqttTlsClientProfile client;
        MqttTlsServerProfile server;
        RealCase real;
        Profiles(pki, version, rsa, client, server, real);
        RealHandshake full;
        RealHandshake resumed;
        std::string error;
        if (!RunRealHandshakes(pki, real, full, resumed, error))
        {
            std::fprintf(stderr, "bench tls: %s %s\n", real.version.c_str(), error.c_str());
            return false;
        }
        std::string v = version == TlsVersion::Tls12 ? "1.2" : "1.3";
        auto modelFull = MqttTlsHandshakeFlights(client, server, false);
        auto modelResumed = MqttTlsHandshakeFlights(client, server, true);
        Line(v + keys + "-full-client-to-server", modelFull.ClientBytes(), full.clientBytes);
        Line(v + keys + "-full-server-to-client", modelFull.ServerBytes(), full.serverBytes);
        Line(v + keys + "-resumed-client-to-server",
             modelResumed.ClientBytes(),
             resumed.clientBytes);
        Line(v + keys + "-resumed-server-to-client",
             modelResumed.ServerBytes(),
             resumed.serverBytes);
        if (rsa)
        {
            continue;
        }
        for (std::size_t payload : {std::size_t{64}, std::size_t{1024}})
        {
            std::size_t wire = 0;
            if (!RealRecordBytes(pki, real, payload, wire, error))
            {
                std::fprintf(stderr, "bench tls: %s\n", error.c_str());
                return false;
            }
            Line(v + "-record-" + std::to_string(payload),
                 MqttTlsRecordBytes(version, client.cipher, payload),
                 wire);
        }
    }
    return true;
}

} // namespace

int
main(int argc, char** argv)
{
    bool check = false;
    for (int i = 1; i < argc; ++i)
    {
        if (std::strcmp(argv[i], "--check") == 0)
        {
            check = true;
        }
        else
        {
            std::fprintf(stderr, "usage: %s [--check]\n", argv[0]);
            return 2;
        }
    }
    bool ok = true;
    for (bool rsa : {false, true})
    {
        RealPki pki;
        ok = ok && MakeRealPki(rsa, pki) && Run(pki, rsa);
        RemoveRealPki(pki);
    }
    if (!ok)
    {
        return 2;
    }
    if (check && !g_inRange)
    {
        std::fprintf(stderr, "bench tls: a ratio is outside 0.95-1.05\n");
        return 1;
    }
    return 0;
}
