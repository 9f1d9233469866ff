/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-tls.h"

#include "mqtt-posix-socket.h"

#include <cerrno>
#include <cstdio>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace ns3
{
namespace mqtt
{

namespace
{

/** OpenSSL's queued errors as one line (the queue is cleared). */
std::string
OpenSslErrors()
{
    std::string text;
    while (unsigned long code = ERR_get_error())
    {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof(buffer));
        text += (text.empty() ? "" : "; ") + std::string(buffer);
    }
    return text.empty() ? "unknown error" : text;
}

/** Whether @p file can be opened for reading; else @p error says why, naming it. */
bool
Readable(const std::string& what, const std::string& file, std::string& error)
{
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (f == nullptr)
    {
        error = what + " " + file + ": " + PosixErrorString(errno);
        return false;
    }
    std::fclose(f);
    return true;
}

int
VersionNumber(const std::string& version)
{
    if (version == "tlsv1.2")
    {
        return TLS1_2_VERSION;
    }
    if (version == "tlsv1.3")
    {
        return TLS1_3_VERSION;
    }
    return 0;
}

/** Server ALPN: the first of the client's protocols that we accept. */
int
SelectAlpn(SSL*,
           const unsigned char** out,
           unsigned char* outLength,
           const unsigned char* in,
           unsigned int inLength,
           void* arg)
{
    auto* ours = static_cast<std::vector<uint8_t>*>(arg);
    unsigned char* selected = nullptr;
    if (SSL_select_next_proto(&selected,
                              outLength,
                              ours->data(),
                              static_cast<unsigned int>(ours->size()),
                              in,
                              inLength) != OPENSSL_NPN_NEGOTIATED)
    {
        return SSL_TLSEXT_ERR_ALERT_FATAL; // no_application_protocol
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

std::vector<uint8_t>
AlpnWire(const std::vector<std::string>& names)
{
    std::vector<uint8_t> wire;
    for (const std::string& name : names)
    {
        wire.push_back(static_cast<uint8_t>(name.size()));
        wire.insert(wire.end(), name.begin(), name.end());
    }
    return wire;
}

} // namespace

bool
MqttTlsContext::ValidVersion(const std::string& version)
{
    return version.empty() || VersionNumber(version) != 0;
}

std::shared_ptr<MqttTlsContext>
MqttTlsContext::Create(Role role, const MqttTlsOptions& options, std::string& error)
{
    if (!ValidVersion(options.version))
    {
        error = "unknown TLS version '" + options.version + "' (known: tlsv1.2, tlsv1.3)";
        return nullptr;
    }
    for (const std::string& name : options.alpn)
    {
        if (name.empty() || name.size() > 255)
        {
            error = "ALPN protocol names must have 1 to 255 characters, got '" + name + "'";
            return nullptr;
        }
    }
    if (role == Role::Server && (options.certFile.empty() || options.keyFile.empty()))
    {
        error = "a TLS listener needs a certificate file and a key file";
        return nullptr;
    }
    if (options.certFile.empty() != options.keyFile.empty())
    {
        error = "a certificate file needs its key file and a key file its certificate";
        return nullptr;
    }
    if (options.requireCertificate && options.caFile.empty())
    {
        error = "requiring client certificates needs a CA file to check them";
        return nullptr;
    }
    ERR_clear_error();
    SSL_CTX* ctx = SSL_CTX_new(role == Role::Server ? TLS_server_method() : TLS_client_method());
    if (ctx == nullptr)
    {
        error = "SSL_CTX_new: " + OpenSslErrors();
        return nullptr;
    }
    std::shared_ptr<MqttTlsContext> context(new MqttTlsContext(role, options, ctx));

    int version = VersionNumber(options.version);
    SSL_CTX_set_min_proto_version(ctx, version != 0 ? version : TLS1_2_VERSION);
    if (role == Role::Client && version != 0)
    {
        SSL_CTX_set_max_proto_version(ctx, version);
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
    if (!options.certFile.empty())
    {
        if (!Readable("certificate file", options.certFile, error))
        {
            return nullptr;
        }
        if (SSL_CTX_use_certificate_chain_file(ctx, options.certFile.c_str()) != 1)
        {
            error = "certificate file " + options.certFile +
                    ": not a PEM certificate chain (" + OpenSslErrors() + ")";
            return nullptr;
        }
        if (!Readable("key file", options.keyFile, error))
        {
            return nullptr;
        }
        if (SSL_CTX_use_PrivateKey_file(ctx, options.keyFile.c_str(), SSL_FILETYPE_PEM) != 1)
        {
            if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
            {
                ERR_clear_error();
                error = "key file " + options.keyFile + " does not match the certificate in " +
                        options.certFile;
                return nullptr;
            }
            error = "key file " + options.keyFile + ": not a PEM private key (" +
                    OpenSslErrors() + ")";
            return nullptr;
        }
        if (SSL_CTX_check_private_key(ctx) != 1)
        {
            ERR_clear_error();
            error = "key file " + options.keyFile + " does not match the certificate in " +
                    options.certFile;
            return nullptr;
        }
    }
    if (!options.caFile.empty())
    {
        if (!Readable("CA file", options.caFile, error))
        {
            return nullptr;
        }
        if (SSL_CTX_load_verify_locations(ctx, options.caFile.c_str(), nullptr) != 1)
        {
            error = "CA file " + options.caFile + ": no PEM certificate in it (" +
                    OpenSslErrors() + ")";
            return nullptr;
        }
    }
    else if (role == Role::Client && options.verifyPeer)
    {
        SSL_CTX_set_default_verify_paths(ctx);
    }
    if (role == Role::Server)
    {
        SSL_CTX_set_verify(ctx,
                           options.requireCertificate
                               ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
                               : SSL_VERIFY_NONE,
                           nullptr);
        if (!options.alpn.empty())
        {
            context->m_alpnWire = AlpnWire(options.alpn);
            SSL_CTX_set_alpn_select_cb(ctx, SelectAlpn, &context->m_alpnWire);
        }
        // Resumption needs a session id context when client certificates are checked.
        static const unsigned char sessionContext[] = "ns3-mqtt";
        SSL_CTX_set_session_id_context(ctx, sessionContext, sizeof(sessionContext) - 1);
    }
    else
    {
        SSL_CTX_set_verify(ctx, options.verifyPeer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
        if (!options.alpn.empty())
        {
            std::vector<uint8_t> wire = AlpnWire(options.alpn);
            SSL_CTX_set_alpn_protos(ctx, wire.data(), static_cast<unsigned int>(wire.size()));
        }
        // Sessions are kept by the caller (Session()/Resume()), not in OpenSSL's cache.
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    }
    return context;
}

MqttTlsContext::MqttTlsContext(Role role, MqttTlsOptions options, ssl_ctx_st* ctx)
    : m_role(role),
      m_options(std::move(options)),
      m_ctx(ctx)
{
}

MqttTlsContext::~MqttTlsContext()
{
    SSL_CTX_free(m_ctx);
}

MqttTlsContext::Role
MqttTlsContext::GetRole() const
{
    return m_role;
}

const MqttTlsOptions&
MqttTlsContext::Options() const
{
    return m_options;
}

ssl_ctx_st*
MqttTlsContext::Native() const
{
    return m_ctx;
}

MqttTlsLayer::MqttTlsLayer(std::shared_ptr<MqttTlsContext> context)
    : m_context(std::move(context))
{
    m_ssl = SSL_new(m_context->Native());
    m_in = BIO_new(BIO_s_mem());
    m_out = BIO_new(BIO_s_mem());
    // An empty input buffer means "wait for more", not end of file.
    BIO_set_mem_eof_return(m_in, -1);
    BIO_set_mem_eof_return(m_out, -1);
    SSL_set_bio(m_ssl, m_in, m_out);
    if (m_context->GetRole() == MqttTlsContext::Role::Server)
    {
        SSL_set_accept_state(m_ssl);
    }
    else
    {
        SSL_set_connect_state(m_ssl);
        const std::string& name = m_context->Options().serverName;
        if (!name.empty())
        {
            SSL_set_tlsext_host_name(m_ssl, name.c_str());
            if (m_context->Options().verifyPeer)
            {
                SSL_set1_host(m_ssl, name.c_str());
            }
        }
    }
}

MqttTlsLayer::~MqttTlsLayer()
{
    SSL_free(m_ssl); // frees both BIOs
}

void
MqttTlsLayer::Resume(const Session& session)
{
    if (session)
    {
        SSL_set_session(m_ssl, session.get());
    }
}

MqttTlsLayer::Session
MqttTlsLayer::ResumableSession() const
{
    SSL_SESSION* session = m_open ? SSL_get1_session(m_ssl) : nullptr;
    if (session != nullptr && SSL_SESSION_is_resumable(session) != 1)
    {
        SSL_SESSION_free(session);
        session = nullptr;
    }
    return Session(session, SSL_SESSION_free);
}

MqttStreamStatus
MqttTlsLayer::Start(std::vector<uint8_t>& down)
{
    if (m_context->GetRole() == MqttTlsContext::Role::Server)
    {
        return MqttStreamStatus::Ok;
    }
    return Handshake(down);
}

void
MqttTlsLayer::Drain(std::vector<uint8_t>& down)
{
    char* data = nullptr;
    long size = BIO_get_mem_data(m_out, &data);
    if (size > 0)
    {
        down.insert(down.end(), data, data + size);
        (void)BIO_reset(m_out);
    }
}

MqttStreamStatus
MqttTlsLayer::Failure(int result, const char* what, std::vector<uint8_t>& down)
{
    int code = SSL_get_error(m_ssl, result);
    if (code == SSL_ERROR_SYSCALL || code == SSL_ERROR_SSL)
    {
        long verify = SSL_get_verify_result(m_ssl);
        m_error = std::string("TLS ") + what + ": " + OpenSslErrors();
        if (verify != X509_V_OK)
        {
            m_error += " (certificate: " + std::string(X509_verify_cert_error_string(verify)) + ")";
        }
    }
    else
    {
        m_error = std::string("TLS ") + what + ": error " + std::to_string(code);
        ERR_clear_error();
    }
    Drain(down); // the alert that tells the peer why
    return MqttStreamStatus::Failed;
}

MqttStreamStatus
MqttTlsLayer::Handshake(std::vector<uint8_t>& down)
{
    ERR_clear_error();
    int result = SSL_do_handshake(m_ssl);
    if (result != 1)
    {
        int code = SSL_get_error(m_ssl, result);
        if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE)
        {
            Drain(down);
            return MqttStreamStatus::Ok;
        }
        return Failure(result, "handshake", down);
    }
    m_open = true;
    if (X509* peer = SSL_get0_peer_certificate(m_ssl))
    {
        char name[256];
        int length = X509_NAME_get_text_by_NID(
            X509_get_subject_name(peer), NID_commonName, name, sizeof(name));
        if (length > 0)
        {
            m_identity = std::string(name, static_cast<std::size_t>(length));
        }
    }
    Drain(down);
    if (!m_early.empty())
    {
        std::vector<uint8_t> early;
        early.swap(m_early);
        return Send(early.data(), early.size(), down);
    }
    return MqttStreamStatus::Ok;
}

MqttStreamStatus
MqttTlsLayer::Receive(const uint8_t* data,
                      std::size_t size,
                      std::vector<uint8_t>& up,
                      std::vector<uint8_t>& down)
{
    if (m_closed)
    {
        return MqttStreamStatus::Closed;
    }
    if (size > 0 && BIO_write(m_in, data, static_cast<int>(size)) != static_cast<int>(size))
    {
        m_error = "TLS: out of memory";
        return MqttStreamStatus::Failed;
    }
    if (!m_open)
    {
        MqttStreamStatus status = Handshake(down);
        if (status != MqttStreamStatus::Ok || !m_open)
        {
            return status;
        }
    }
    uint8_t buffer[16 * 1024];
    for (;;)
    {
        ERR_clear_error();
        int n = SSL_read(m_ssl, buffer, sizeof(buffer));
        if (n > 0)
        {
            up.insert(up.end(), buffer, buffer + n);
            continue;
        }
        int code = SSL_get_error(m_ssl, n);
        if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE)
        {
            break; // a partial record waits for the rest
        }
        if (code == SSL_ERROR_ZERO_RETURN)
        {
            m_closed = true;
            Drain(down);
            return MqttStreamStatus::Closed;
        }
        return Failure(n, "read", down);
    }
    Drain(down); // session tickets, key updates
    return MqttStreamStatus::Ok;
}

MqttStreamStatus
MqttTlsLayer::Send(const uint8_t* data, std::size_t size, std::vector<uint8_t>& down)
{
    if (!m_open)
    {
        m_early.insert(m_early.end(), data, data + size);
        return MqttStreamStatus::Ok;
    }
    std::size_t done = 0;
    while (done < size)
    {
        ERR_clear_error();
        // Memory BIOs take everything: one call writes as many full records as needed.
        int n = SSL_write(m_ssl, data + done, static_cast<int>(size - done));
        if (n <= 0)
        {
            return Failure(n, "write", down);
        }
        done += static_cast<std::size_t>(n);
    }
    Drain(down);
    return MqttStreamStatus::Ok;
}

void
MqttTlsLayer::Close(std::vector<uint8_t>& down)
{
    if (m_open && !m_closed)
    {
        ERR_clear_error();
        SSL_shutdown(m_ssl); // close_notify; the peer's is not awaited
        ERR_clear_error();
        m_closed = true;
        Drain(down);
    }
}

bool
MqttTlsLayer::IsOpen() const
{
    return m_open;
}

const std::string&
MqttTlsLayer::Error() const
{
    return m_error;
}

std::optional<std::string>
MqttTlsLayer::PeerIdentity() const
{
    return m_identity;
}

std::string
MqttTlsLayer::Version() const
{
    return SSL_get_version(m_ssl);
}

std::string
MqttTlsLayer::Cipher() const
{
    return SSL_get_cipher_name(m_ssl);
}

std::string
MqttTlsLayer::Alpn() const
{
    const unsigned char* name = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(m_ssl, &name, &length);
    return name == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(name), length);
}

bool
MqttTlsLayer::Resumed() const
{
    return SSL_session_reused(m_ssl) == 1;
}

} // namespace mqtt
} // namespace ns3
