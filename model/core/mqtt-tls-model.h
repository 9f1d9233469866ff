/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What TLS puts on the wire, without cryptography: the handshake's flights with the real size of
 * every record (from the certificate chains, key type, key-exchange group, cipher suite and what
 * the client offers), the round trips they take, and the overhead of every application record.
 * Sizes follow the RFC 5246 / 8446 message layouts with the extensions OpenSSL 3 sends; ./ns3-mqtt
 * bench tls holds them against real OpenSSL handshakes (doc/tls-sim.md).
 */
#ifndef MQTT_TLS_MODEL_H
#define MQTT_TLS_MODEL_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

enum class TlsVersion : uint8_t
{
    Tls12,
    Tls13,
};

/** The AEAD of the suite: what it adds to each record. */
enum class TlsCipher : uint8_t
{
    Aes128Gcm,        //!< TLS 1.2: ECDHE-*-AES128-GCM-SHA256; 1.3: TLS_AES_128_GCM_SHA256
    Aes256Gcm,        //!< ECDHE-*-AES256-GCM-SHA384; TLS_AES_256_GCM_SHA384
    Chacha20Poly1305, //!< no explicit nonce in TLS 1.2 (RFC 7905)
};

/** The signature key of a certificate. */
enum class TlsKeyType : uint8_t
{
    EcdsaP256, //!< DER ECDSA signature, 71 bytes on average (70 to 72)
    Rsa2048,   //!< 256 bytes
};

/** The (EC)DHE group: the size of a key share. */
enum class TlsGroup : uint8_t
{
    P256,   //!< uncompressed point, 65 bytes
    X25519, //!< 32 bytes
};

/** Record content types (RFC 8446 section 5.1). */
constexpr uint8_t TLS_CHANGE_CIPHER_SPEC = 20;
constexpr uint8_t TLS_ALERT = 21;
constexpr uint8_t TLS_HANDSHAKE = 22;
constexpr uint8_t TLS_APPLICATION_DATA = 23;
/** Record header: type, legacy version, length. */
constexpr std::size_t TLS_RECORD_HEADER = 5;
/** Largest plaintext of one record (RFC 8446 section 5.1). */
constexpr std::size_t TLS_MAX_PLAINTEXT = 16384;

/** What the client offers and holds (a device group's `tls:` in a scenario). */
struct MqttTlsClientProfile
{
    TlsVersion version = TlsVersion::Tls13;
    TlsCipher cipher = TlsCipher::Aes128Gcm;
    TlsGroup group = TlsGroup::P256;
    /** DER sizes of the certificates the client sends (empty: no client certificate). */
    std::vector<std::size_t> certificateChain;
    TlsKeyType key = TlsKeyType::EcdsaP256;
    /** Resume sessions with a ticket from the previous connection. */
    bool resumption = false;
    /** Server name sent (SNI), in bytes; 0: none. */
    std::size_t serverNameBytes = 0;
    /** ALPN protocol names offered, e.g. "x-amzn-mqtt-ca" (empty: no ALPN). */
    std::vector<std::string> alpn;
    /** What the ClientHello lists: cipher suites, groups, signature algorithms. */
    uint8_t offeredSuites = 1;
    uint8_t offeredGroups = 1;
    uint8_t offeredSignatureAlgorithms = 1;
    /** TLS 1.3 middlebox compatibility (RFC 8446 D.4: a legacy session id and a CCS). */
    bool middleboxCompat = true;
};

/** What the server holds (a broker's `tls:`). */
struct MqttTlsServerProfile
{
    /** DER sizes of the certificates the server sends, its own first. */
    std::vector<std::size_t> certificateChain{600};
    TlsKeyType key = TlsKeyType::EcdsaP256;
    /** The server asks for a client certificate (mutual TLS, as AWS IoT Core). */
    bool requestClientCertificate = true;
    /** The server issues session tickets (and so accepts resumption). */
    bool resumption = true;
    /** TLS 1.3 tickets sent after each handshake (OpenSSL sends 2 by default). */
    uint8_t tickets = 1;
    /** Size of the opaque ticket; 0: OpenSSL 3's stateless ticket (the session with the
     * client's certificate inside, encrypted). */
    std::size_t ticketBytes = 0;
};

/** One record of a flight: its content type on the wire and its size with the header. */
struct MqttTlsRecord
{
    uint8_t contentType = TLS_HANDSHAKE;
    std::size_t bytes = 0;
    /** The message it carries, for traces and tests ("ClientHello", "Certificate", ...). */
    const char* message = "";
};

/** The records one side sends before it waits for the other. */
struct MqttTlsFlight
{
    bool fromClient = true;
    std::vector<MqttTlsRecord> records;
    std::size_t Bytes() const;
};

/** A handshake: its flights in order and where application data may start. */
struct MqttTlsHandshake
{
    TlsVersion version = TlsVersion::Tls13;
    bool resumed = false;
    std::vector<MqttTlsFlight> flights;
    /** The client may send application data once it has sent flight clientOpenAfter (its last
     * handshake flight, for TLS 1.3 and TLS 1.2 resumption) or received it (TLS 1.2 full). */
    std::size_t clientOpenAfter = 0;
    /** The server's application data may follow flight serverOpenAfter (received or sent). */
    std::size_t serverOpenAfter = 0;

    std::size_t ClientBytes() const;
    std::size_t ServerBytes() const;
    /** Round trips before the client may send its first application byte (1.2 full: 2). */
    std::size_t ClientRoundTrips() const;
};

/** The flights of a full (@p resumed false) or resumed handshake. */
MqttTlsHandshake MqttTlsHandshakeFlights(const MqttTlsClientProfile& client,
                                         const MqttTlsServerProfile& server,
                                         bool resumed);

/** Size of the ticket @p server issues to @p client (0 when no ticket is issued). */
std::size_t MqttTlsTicketBytes(const MqttTlsClientProfile& client,
                               const MqttTlsServerProfile& server);

/** Bytes an application write of @p payload bytes takes on the wire (split into records of at
 * most 16 KiB, each with header, explicit nonce, TLS 1.3 inner type and AEAD tag). */
std::size_t MqttTlsRecordBytes(TlsVersion version, TlsCipher cipher, std::size_t payload);
/** What one record adds to its plaintext. */
std::size_t MqttTlsRecordOverhead(TlsVersion version, TlsCipher cipher);
/** Bytes before the plaintext in a record (header and TLS 1.2 explicit nonce). */
std::size_t MqttTlsRecordPrefix(TlsVersion version, TlsCipher cipher);
/** A close_notify alert's record. */
std::size_t MqttTlsCloseNotifyBytes(TlsVersion version, TlsCipher cipher);

/** Size of a signature by @p key. */
std::size_t MqttTlsSignatureBytes(TlsKeyType key);
/** Size of a key share of @p group. */
std::size_t MqttTlsKeyShareBytes(TlsGroup group);

/** Names as scenarios write them ("1.2", "aes-128-gcm", "ecdsa-p256", "p-256"). */
std::optional<TlsVersion> ParseTlsVersion(const std::string& text);
std::optional<TlsCipher> ParseTlsCipher(const std::string& text);
std::optional<TlsKeyType> ParseTlsKeyType(const std::string& text);
std::optional<TlsGroup> ParseTlsGroup(const std::string& text);
std::string TlsVersionName(TlsVersion version);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_TLS_MODEL_H
