/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Real TLS handshakes and records with OpenSSL in memory (a BIO pair per connection), counting
 * the bytes each way: the reference that ./ns3-mqtt bench tls holds the core's TLS model
 * (model/core/mqtt-tls-model.h) against. Certificates are made at run time with the openssl
 * command in a temporary directory (no private key is ever committed).
 */
#ifndef MQTT_TLS_REAL_H
#define MQTT_TLS_REAL_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{
namespace bench
{

/** One record seen on the wire: its content type and its size with the 5-byte header. */
struct RealRecord
{
    bool fromClient = false;
    uint8_t contentType = 0;
    std::size_t bytes = 0;
};

/** Bytes of one real handshake, each way, until both ends are done and nothing is in flight. */
struct RealHandshake
{
    std::size_t clientBytes = 0; //!< client to server
    std::size_t serverBytes = 0; //!< server to client
    bool resumed = false;
    std::vector<RealRecord> records;
};

/** The certificates of a run (DER sizes, made at run time) and the paths of their PEM files. */
struct RealPki
{
    std::string dir;
    std::string caCert, serverCert, serverKey, clientCert, clientKey;
    std::size_t caDer = 0, serverDer = 0, clientDer = 0;
};

/** Makes a CA, a server and a client certificate (EC P-256 or RSA 2048) under a new temporary
 * directory; @return false (said on stderr) if the openssl command failed. */
bool MakeRealPki(bool rsa, RealPki& pki);
/** Removes the temporary directory. */
void RemoveRealPki(const RealPki& pki);

/** What a run offers: version "1.2" or "1.3", one suite, one group, client certificate, SNI. */
struct RealCase
{
    std::string version = "1.3";
    std::string cipher;    //!< OpenSSL name of the one suite offered
    std::string group = "P-256";
    std::string sigalg;    //!< e.g. "ECDSA+SHA256"
    std::string serverName = "broker.example.com";
    bool clientCertificate = true;
    bool sendCaInChain = false; //!< the server sends its CA after its certificate
    int tickets = 1;            //!< TLS 1.3 tickets the server sends
};

/**
 * Runs a full handshake and then, on a second connection, a resumed one (a session ticket).
 * @return false with @p error set when a handshake fails or does not resume.
 */
bool RunRealHandshakes(const RealPki& pki,
                       const RealCase& c,
                       RealHandshake& full,
                       RealHandshake& resumed,
                       std::string& error);

/** Bytes on the wire for one application write of @p payload bytes after a full handshake. */
bool RealRecordBytes(const RealPki& pki,
                     const RealCase& c,
                     std::size_t payload,
                     std::size_t& wire,
                     std::string& error);

} // namespace bench
} // namespace mqtt
} // namespace ns3

#endif // MQTT_TLS_REAL_H
