/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * TLS 1.2 and 1.3 (OpenSSL) as a stream layer: handshakes and records in memory, no socket.
 */
#ifndef MQTT_TLS_H
#define MQTT_TLS_H

#include "mqtt-stream-layer.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// OpenSSL's types, declared here so that including this header does not pull in OpenSSL.
struct ssl_ctx_st;
struct ssl_st;
struct bio_st;
struct ssl_session_st;

namespace ns3
{
namespace mqtt
{

/** TLS settings, named after mosquitto.conf and mosquitto_pub's options. */
struct MqttTlsOptions
{
    /** CA certificates (PEM) that sign the peer's certificate. Client: empty = system CAs. */
    std::string caFile;
    /** Our certificate chain (PEM). Required for a server; a client's is optional. */
    std::string certFile;
    /** The private key of certFile (PEM). */
    std::string keyFile;
    /** Server: a client without a certificate signed by caFile is refused. */
    bool requireCertificate = false;
    /**
     * "tlsv1.2" or "tlsv1.3"; empty: both. A server takes it as the lowest version it accepts
     * (mosquitto.conf's tls_version), a client as the version it offers (mosquitto_pub's).
     */
    std::string version;
    /** ALPN protocol names (server: those it accepts; client: those it offers). */
    std::vector<std::string> alpn;
    /** Client: the server name sent (SNI) and checked against the server's certificate. */
    std::string serverName;
    /** Client: verify the server's certificate (off only for tests of refusals). */
    bool verifyPeer = true;
};

/**
 * An SSL_CTX made from MqttTlsOptions. Create() checks every file (readable, a certificate, a key
 * that matches the certificate) and names the file in its error.
 */
class MqttTlsContext
{
  public:
    enum class Role : uint8_t
    {
        Server,
        Client,
    };

    /** @return the context, or null with @p error naming the file and what is wrong with it. */
    static std::shared_ptr<MqttTlsContext> Create(Role role,
                                                  const MqttTlsOptions& options,
                                                  std::string& error);

    /** Checks a --tls-version value; @return false if it is not one we know. */
    static bool ValidVersion(const std::string& version);

    ~MqttTlsContext();
    MqttTlsContext(const MqttTlsContext&) = delete;
    MqttTlsContext& operator=(const MqttTlsContext&) = delete;

    Role GetRole() const;
    const MqttTlsOptions& Options() const;
    ssl_ctx_st* Native() const;

  private:
    MqttTlsContext(Role role, MqttTlsOptions options, ssl_ctx_st* ctx);

    Role m_role;
    MqttTlsOptions m_options;
    ssl_ctx_st* m_ctx;
    /** The server's ALPN list in wire format (length-prefixed names). */
    std::vector<uint8_t> m_alpnWire;
};

/**
 * One TLS connection over memory: Receive() takes records from the peer, Send() makes records.
 * The handshake runs on Receive() (and, for a client, starts on Start()); it is non-blocking by
 * construction: a partial record is kept until the rest arrives (SSL_ERROR_WANT_READ), and
 * SSL_ERROR_WANT_WRITE cannot happen because the records go to a memory buffer the driver writes
 * (bounded by the driver's unsent-bytes limit). Application bytes sent before the handshake is
 * done wait for it. Renegotiation is refused (SSL_OP_NO_RENEGOTIATION; TLS 1.3 has none).
 */
class MqttTlsLayer : public MqttStreamLayer
{
  public:
    explicit MqttTlsLayer(std::shared_ptr<MqttTlsContext> context);
    ~MqttTlsLayer() override;

    /** A session to resume (client side; from an earlier connection's Session()). */
    using Session = std::shared_ptr<ssl_session_st>;

    /** Client: resume @p session (null: a full handshake). */
    void Resume(const Session& session);
    /** Client: starts the handshake (ClientHello into @p down); a server does nothing here. */
    MqttStreamStatus Start(std::vector<uint8_t>& down) override;

    MqttStreamStatus Receive(const uint8_t* data,
                             std::size_t size,
                             std::vector<uint8_t>& up,
                             std::vector<uint8_t>& down) override;
    MqttStreamStatus Send(const uint8_t* data,
                          std::size_t size,
                          std::vector<uint8_t>& down) override;
    void Close(std::vector<uint8_t>& down) override;
    bool IsOpen() const override;
    const std::string& Error() const override;
    std::optional<std::string> PeerIdentity() const override;

    /** The negotiated version ("TLSv1.3"), cipher suite and ALPN protocol (after the handshake). */
    std::string Version() const;
    std::string Cipher() const;
    std::string Alpn() const;
    /** Whether the handshake resumed a session. */
    bool Resumed() const;
    /** The session to resume next time, or null while none is resumable (TLS 1.3 sends its
     * tickets after the handshake). */
    Session ResumableSession() const;

  private:
    /** Runs the handshake as far as the bytes allow. */
    MqttStreamStatus Handshake(std::vector<uint8_t>& down);
    /** Moves the records OpenSSL wrote to @p down. */
    void Drain(std::vector<uint8_t>& down);
    MqttStreamStatus Failure(int result, const char* what, std::vector<uint8_t>& down);

    std::shared_ptr<MqttTlsContext> m_context;
    ssl_st* m_ssl = nullptr;
    bio_st* m_in = nullptr;  //!< records from the peer, owned by m_ssl
    bio_st* m_out = nullptr; //!< records for the peer, owned by m_ssl
    bool m_open = false;
    bool m_closed = false;
    /** Application bytes sent before the handshake ended. */
    std::vector<uint8_t> m_early;
    std::string m_error;
    std::optional<std::string> m_identity;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_TLS_H
