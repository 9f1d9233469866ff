/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Message layouts: RFC 5246 section 7.4 (TLS 1.2), RFC 8446 section 4 (TLS 1.3), RFC 8422 (ECDHE
 * in TLS 1.2), RFC 5077 (tickets). Extension sets are those OpenSSL 3 sends and answers with.
 */
#include "mqtt-tls-model.h"

#include <numeric>

namespace ns3
{
namespace mqtt
{
namespace
{

constexpr std::size_t HANDSHAKE_HEADER = 4; // type, 24-bit length
constexpr std::size_t RANDOM = 32;
constexpr std::size_t SESSION_ID = 32;
constexpr std::size_t AEAD_TAG = 16;
constexpr std::size_t GCM_EXPLICIT_NONCE = 8;
constexpr std::size_t EXTENSION_HEADER = 4; // type, length
constexpr std::size_t TLS12_VERIFY_DATA = 12;
/** OpenSSL 3's stateless ticket without the peer certificate: key name, IV, HMAC and the
 * encrypted session (measured with ./ns3-mqtt bench tls; the session grows with the client's
 * certificate, which it keeps). */
constexpr std::size_t OPENSSL_TICKET_TLS12 = 173;
constexpr std::size_t OPENSSL_TICKET_TLS13 = 189;

std::size_t
HashBytes(TlsCipher cipher)
{
    return cipher == TlsCipher::Aes256Gcm ? 48 : 32;
}

std::size_t
Plain(std::size_t message)
{
    return TLS_RECORD_HEADER + message;
}

std::size_t
Sum(const std::vector<std::size_t>& sizes, std::size_t each)
{
    return std::accumulate(sizes.begin(), sizes.end(), std::size_t{0}) + each * sizes.size();
}

std::size_t
AlpnListBytes(const std::vector<std::string>& names)
{
    std::size_t bytes = 0;
    for (const auto& name : names)
    {
        bytes += 1 + name.size();
    }
    return bytes;
}

} // namespace

std::size_t
MqttTlsTicketBytes(const MqttTlsClientProfile& client, const MqttTlsServerProfile& server)
{
    if (!client.resumption || !server.resumption)
    {
        return 0;
    }
    if (server.ticketBytes != 0)
    {
        return server.ticketBytes;
    }
    std::size_t leaf = client.certificateChain.empty() ? 0 : client.certificateChain.front();
    return (client.version == TlsVersion::Tls12 ? OPENSSL_TICKET_TLS12 : OPENSSL_TICKET_TLS13) +
           leaf;
}

namespace
{

/** ClientHello (message without record header). */
std::size_t
ClientHello(const MqttTlsClientProfile& c, bool resumed, std::size_t ticket, bool tls13)
{
    std::size_t sid = (tls13 && c.middleboxCompat) || (!tls13 && resumed) ? SESSION_ID : 0;
    // Suites with the renegotiation SCSV that OpenSSL adds to an initial handshake.
    std::size_t body = 2 + RANDOM + 1 + sid + 2 + 2 * (c.offeredSuites + 1) + 2 + 2;
    std::size_t ext = 0;
    if (c.serverNameBytes > 0)
    {
        ext += EXTENSION_HEADER + 2 + 1 + 2 + c.serverNameBytes;
    }
    ext += EXTENSION_HEADER + 1 + 3;                           // ec_point_formats (3 formats)
    ext += EXTENSION_HEADER + 2 + 2 * c.offeredGroups;         // supported_groups
    ext += 2 * EXTENSION_HEADER;                               // encrypt_then_mac, ems
    ext += EXTENSION_HEADER + 2 + 2 * c.offeredSignatureAlgorithms;
    if (c.resumption)
    {
        ext += EXTENSION_HEADER + (!tls13 && resumed ? ticket : 0); // session_ticket
    }
    if (!c.alpn.empty())
    {
        ext += EXTENSION_HEADER + 2 + AlpnListBytes(c.alpn);
    }
    if (tls13)
    {
        ext += EXTENSION_HEADER + 1 + 2;                           // supported_versions
        ext += EXTENSION_HEADER + 1 + 1;                           // psk_key_exchange_modes
        ext += EXTENSION_HEADER + 2 + 2 + 2 + MqttTlsKeyShareBytes(c.group); // key_share
        if (resumed)
        {
            // pre_shared_key: one identity (ticket, obfuscated age) and its binder.
            ext += EXTENSION_HEADER + 2 + 2 + ticket + 4 + 2 + 1 + HashBytes(c.cipher);
        }
    }
    return HANDSHAKE_HEADER + body + ext;
}

/** ServerHello (message). */
std::size_t
ServerHello(const MqttTlsClientProfile& c, bool resumed, bool ticket, bool tls13)
{
    std::size_t sid = tls13 ? (c.middleboxCompat ? SESSION_ID : 0)
                            : (resumed || !ticket ? SESSION_ID : 0);
    std::size_t body = 2 + RANDOM + 1 + sid + 2 + 1 + 2;
    std::size_t ext = 0;
    if (tls13)
    {
        ext += EXTENSION_HEADER + 2;                                // supported_versions
        ext += EXTENSION_HEADER + 2 + 2 + MqttTlsKeyShareBytes(c.group); // key_share
        ext += resumed ? EXTENSION_HEADER + 2 : 0;                  // pre_shared_key
    }
    else
    {
        ext += EXTENSION_HEADER + 1;                        // renegotiation_info
        ext += resumed ? 0 : EXTENSION_HEADER + 1 + 3;      // ec_point_formats
        ext += ticket && !resumed ? EXTENSION_HEADER : 0;   // session_ticket
        ext += EXTENSION_HEADER;                            // extended_master_secret
        if (!c.alpn.empty())
        {
            ext += EXTENSION_HEADER + 2 + 1 + c.alpn.front().size();
        }
    }
    return HANDSHAKE_HEADER + body + ext;
}

/** Certificate (message): TLS 1.3 adds a request context and empty extensions per entry. */
std::size_t
Certificate(const std::vector<std::size_t>& chain, bool tls13)
{
    return HANDSHAKE_HEADER + (tls13 ? 1 : 0) + 3 + Sum(chain, 3 + (tls13 ? 2 : 0));
}

std::size_t
CertificateVerify(TlsKeyType key)
{
    return HANDSHAKE_HEADER + 2 + 2 + MqttTlsSignatureBytes(key);
}

void
Add(MqttTlsFlight& flight, uint8_t type, std::size_t bytes, const char* message)
{
    flight.records.push_back({type, bytes, message});
}

MqttTlsHandshake
Tls12(const MqttTlsClientProfile& c, const MqttTlsServerProfile& s, bool resumed)
{
    MqttTlsHandshake h;
    h.version = TlsVersion::Tls12;
    h.resumed = resumed;
    bool ticket = c.resumption && s.resumption;
    std::size_t ticketBytes = MqttTlsTicketBytes(c, s);
    auto encrypted = [&](std::size_t message) {
        return MqttTlsRecordBytes(TlsVersion::Tls12, c.cipher, message);
    };
    std::size_t finished = encrypted(HANDSHAKE_HEADER + TLS12_VERIFY_DATA);
    MqttTlsFlight hello{true, {}};
    Add(hello, TLS_HANDSHAKE, Plain(ClientHello(c, resumed, ticketBytes, false)), "ClientHello");
    MqttTlsFlight first{false, {}};
    Add(first, TLS_HANDSHAKE, Plain(ServerHello(c, resumed, ticket, false)), "ServerHello");
    if (resumed)
    {
        Add(first, TLS_CHANGE_CIPHER_SPEC, 6, "ChangeCipherSpec");
        Add(first, TLS_HANDSHAKE, finished, "Finished");
        MqttTlsFlight last{true, {}};
        Add(last, TLS_CHANGE_CIPHER_SPEC, 6, "ChangeCipherSpec");
        Add(last, TLS_HANDSHAKE, finished, "Finished");
        h.flights = {hello, first, last};
        h.clientOpenAfter = 2;
        h.serverOpenAfter = 2;
        return h;
    }
    Add(first, TLS_HANDSHAKE, Plain(Certificate(s.certificateChain, false)), "Certificate");
    std::size_t share = MqttTlsKeyShareBytes(c.group);
    Add(first,
        TLS_HANDSHAKE,
        Plain(HANDSHAKE_HEADER + 1 + 2 + 1 + share + 2 + 2 + MqttTlsSignatureBytes(s.key)),
        "ServerKeyExchange");
    if (s.requestClientCertificate)
    {
        // One certificate type, the signature algorithms, no CA names.
        Add(first,
            TLS_HANDSHAKE,
            Plain(HANDSHAKE_HEADER + 1 + 1 + 2 + 2 * c.offeredSignatureAlgorithms + 2),
            "CertificateRequest");
    }
    Add(first, TLS_HANDSHAKE, Plain(HANDSHAKE_HEADER), "ServerHelloDone");
    MqttTlsFlight second{true, {}};
    bool clientCertificate = s.requestClientCertificate && !c.certificateChain.empty();
    if (s.requestClientCertificate)
    {
        Add(second, TLS_HANDSHAKE, Plain(Certificate(c.certificateChain, false)), "Certificate");
    }
    Add(second, TLS_HANDSHAKE, Plain(HANDSHAKE_HEADER + 1 + share), "ClientKeyExchange");
    if (clientCertificate)
    {
        Add(second, TLS_HANDSHAKE, Plain(CertificateVerify(c.key)), "CertificateVerify");
    }
    Add(second, TLS_CHANGE_CIPHER_SPEC, 6, "ChangeCipherSpec");
    Add(second, TLS_HANDSHAKE, finished, "Finished");
    MqttTlsFlight third{false, {}};
    if (ticket)
    {
        Add(third,
            TLS_HANDSHAKE,
            Plain(HANDSHAKE_HEADER + 4 + 2 + ticketBytes),
            "NewSessionTicket");
    }
    Add(third, TLS_CHANGE_CIPHER_SPEC, 6, "ChangeCipherSpec");
    Add(third, TLS_HANDSHAKE, finished, "Finished");
    h.flights = {hello, first, second, third};
    h.clientOpenAfter = 3;
    h.serverOpenAfter = 3;
    return h;
}

MqttTlsHandshake
Tls13(const MqttTlsClientProfile& c, const MqttTlsServerProfile& s, bool resumed)
{
    MqttTlsHandshake h;
    h.version = TlsVersion::Tls13;
    h.resumed = resumed;
    bool ticket = c.resumption && s.resumption;
    std::size_t ticketBytes = MqttTlsTicketBytes(c, s);
    auto encrypted = [&](std::size_t message) {
        return MqttTlsRecordBytes(TlsVersion::Tls13, c.cipher, message);
    };
    std::size_t finished = encrypted(HANDSHAKE_HEADER + HashBytes(c.cipher));
    MqttTlsFlight hello{true, {}};
    Add(hello, TLS_HANDSHAKE, Plain(ClientHello(c, resumed, ticketBytes, true)), "ClientHello");
    MqttTlsFlight first{false, {}};
    Add(first, TLS_HANDSHAKE, Plain(ServerHello(c, resumed, ticket, true)), "ServerHello");
    if (c.middleboxCompat)
    {
        Add(first, TLS_CHANGE_CIPHER_SPEC, 6, "ChangeCipherSpec");
    }
    std::size_t alpn = c.alpn.empty() ? 0 : EXTENSION_HEADER + 2 + 1 + c.alpn.front().size();
    Add(first,
        TLS_APPLICATION_DATA,
        encrypted(HANDSHAKE_HEADER + 2 + alpn),
        "EncryptedExtensions");
    bool certificates = !resumed;
    if (certificates && s.requestClientCertificate)
    {
        // Empty context, signature_algorithms, no CA names.
        Add(first,
            TLS_APPLICATION_DATA,
            encrypted(HANDSHAKE_HEADER + 1 + 2 + EXTENSION_HEADER + 2 +
                      2 * c.offeredSignatureAlgorithms),
            "CertificateRequest");
    }
    if (certificates)
    {
        Add(first,
            TLS_APPLICATION_DATA,
            encrypted(Certificate(s.certificateChain, true)),
            "Certificate");
        Add(first, TLS_APPLICATION_DATA, encrypted(CertificateVerify(s.key)), "CertificateVerify");
    }
    Add(first, TLS_APPLICATION_DATA, finished, "Finished");
    MqttTlsFlight second{true, {}};
    if (c.middleboxCompat)
    {
        Add(second, TLS_CHANGE_CIPHER_SPEC, 6, "ChangeCipherSpec");
    }
    if (certificates && s.requestClientCertificate)
    {
        Add(second,
            TLS_APPLICATION_DATA,
            encrypted(Certificate(c.certificateChain, true)),
            "Certificate");
        if (!c.certificateChain.empty())
        {
            Add(second,
                TLS_APPLICATION_DATA,
                encrypted(CertificateVerify(c.key)),
                "CertificateVerify");
        }
    }
    Add(second, TLS_APPLICATION_DATA, finished, "Finished");
    h.flights = {hello, first, second};
    if (ticket && s.tickets > 0)
    {
        MqttTlsFlight third{false, {}};
        for (uint8_t i = 0; i < s.tickets; ++i)
        {
            // lifetime, age_add, nonce (8 bytes), ticket, no extensions
            Add(third,
                TLS_APPLICATION_DATA,
                encrypted(HANDSHAKE_HEADER + 4 + 4 + 1 + 8 + 2 + ticketBytes + 2),
                "NewSessionTicket");
        }
        h.flights.push_back(third);
    }
    h.clientOpenAfter = 2;
    h.serverOpenAfter = 2;
    return h;
}

} // namespace

std::size_t
MqttTlsFlight::Bytes() const
{
    std::size_t bytes = 0;
    for (const auto& record : records)
    {
        bytes += record.bytes;
    }
    return bytes;
}

std::size_t
MqttTlsHandshake::ClientBytes() const
{
    std::size_t bytes = 0;
    for (const auto& flight : flights)
    {
        bytes += flight.fromClient ? flight.Bytes() : 0;
    }
    return bytes;
}

std::size_t
MqttTlsHandshake::ServerBytes() const
{
    std::size_t bytes = 0;
    for (const auto& flight : flights)
    {
        bytes += flight.fromClient ? 0 : flight.Bytes();
    }
    return bytes;
}

std::size_t
MqttTlsHandshake::ClientRoundTrips() const
{
    std::size_t trips = 0;
    for (std::size_t i = 0; i <= clientOpenAfter && i < flights.size(); ++i)
    {
        trips += flights[i].fromClient ? 0 : 1;
    }
    return trips;
}

MqttTlsHandshake
MqttTlsHandshakeFlights(const MqttTlsClientProfile& client,
                        const MqttTlsServerProfile& server,
                        bool resumed)
{
    bool canResume = resumed && client.resumption && server.resumption;
    return client.version == TlsVersion::Tls12 ? Tls12(client, server, canResume)
                                               : Tls13(client, server, canResume);
}

std::size_t
MqttTlsRecordPrefix(TlsVersion version, TlsCipher cipher)
{
    bool explicitNonce = version == TlsVersion::Tls12 && cipher != TlsCipher::Chacha20Poly1305;
    return TLS_RECORD_HEADER + (explicitNonce ? GCM_EXPLICIT_NONCE : 0);
}

std::size_t
MqttTlsRecordOverhead(TlsVersion version, TlsCipher cipher)
{
    // TLS 1.3 encrypts the real content type after the plaintext (RFC 8446 section 5.2).
    return MqttTlsRecordPrefix(version, cipher) + (version == TlsVersion::Tls13 ? 1 : 0) +
           AEAD_TAG;
}

std::size_t
MqttTlsRecordBytes(TlsVersion version, TlsCipher cipher, std::size_t payload)
{
    std::size_t records = payload == 0 ? 1 : (payload + TLS_MAX_PLAINTEXT - 1) / TLS_MAX_PLAINTEXT;
    return payload + records * MqttTlsRecordOverhead(version, cipher);
}

std::size_t
MqttTlsCloseNotifyBytes(TlsVersion version, TlsCipher cipher)
{
    return MqttTlsRecordBytes(version, cipher, 2);
}

std::size_t
MqttTlsSignatureBytes(TlsKeyType key)
{
    return key == TlsKeyType::Rsa2048 ? 256 : 71;
}

std::size_t
MqttTlsKeyShareBytes(TlsGroup group)
{
    return group == TlsGroup::X25519 ? 32 : 65;
}

std::optional<TlsVersion>
ParseTlsVersion(const std::string& text)
{
    if (text == "1.2")
    {
        return TlsVersion::Tls12;
    }
    if (text == "1.3")
    {
        return TlsVersion::Tls13;
    }
    return std::nullopt;
}

std::optional<TlsCipher>
ParseTlsCipher(const std::string& text)
{
    if (text == "aes-128-gcm")
    {
        return TlsCipher::Aes128Gcm;
    }
    if (text == "aes-256-gcm")
    {
        return TlsCipher::Aes256Gcm;
    }
    if (text == "chacha20-poly1305")
    {
        return TlsCipher::Chacha20Poly1305;
    }
    return std::nullopt;
}

std::optional<TlsKeyType>
ParseTlsKeyType(const std::string& text)
{
    if (text == "ecdsa-p256")
    {
        return TlsKeyType::EcdsaP256;
    }
    if (text == "rsa-2048")
    {
        return TlsKeyType::Rsa2048;
    }
    return std::nullopt;
}

std::optional<TlsGroup>
ParseTlsGroup(const std::string& text)
{
    if (text == "p-256")
    {
        return TlsGroup::P256;
    }
    if (text == "x25519")
    {
        return TlsGroup::X25519;
    }
    return std::nullopt;
}

std::string
TlsVersionName(TlsVersion version)
{
    return version == TlsVersion::Tls12 ? "1.2" : "1.3";
}

} // namespace mqtt
} // namespace ns3
