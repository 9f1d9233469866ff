/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-tls-real.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace ns3
{
namespace mqtt
{
namespace bench
{
namespace
{

bool
Shell(const std::string& command)
{
    if (std::system((command + " >/dev/null 2>&1").c_str()) != 0)
    {
        std::fprintf(stderr, "bench tls: failed: %s\n", command.c_str());
        return false;
    }
    return true;
}

/** Size of the DER form of the PEM certificate in @p file (0 if unreadable). */
std::size_t
DerSize(const std::string& file)
{
    std::string der = file + ".der";
    if (!Shell("openssl x509 -in " + file + " -outform DER -out " + der))
    {
        return 0;
    }
    std::ifstream in(der, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {}).size();
}

std::string
OpenSslError(const char* what)
{
    std::string text = what;
    unsigned long code = ERR_get_error();
    if (code != 0)
    {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof(buffer));
        text += ": ";
        text += buffer;
    }
    ERR_clear_error();
    return text;
}

int
Version(const std::string& version)
{
    return version == "1.2" ? TLS1_2_VERSION : TLS1_3_VERSION;
}

/** A context offering exactly what @p c says. */
SSL_CTX*
MakeContext(bool server, const RealPki& pki, const RealCase& c, std::string& error)
{
    SSL_CTX* ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    int version = Version(c.version);
    bool ok = ctx && SSL_CTX_set_min_proto_version(ctx, version) == 1 &&
              SSL_CTX_set_max_proto_version(ctx, version) == 1 &&
              SSL_CTX_set1_groups_list(ctx, c.group.c_str()) == 1 &&
              SSL_CTX_set1_sigalgs_list(ctx, c.sigalg.c_str()) == 1 &&
              (c.version == "1.3" ? SSL_CTX_set_ciphersuites(ctx, c.cipher.c_str())
                                  : SSL_CTX_set_cipher_list(ctx, c.cipher.c_str())) == 1;
    // The chain sent is exactly the one configured (no CA added from the trust store).
    if (ok)
    {
        SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
    }
    if (ok && server)
    {
        ok = SSL_CTX_use_certificate_file(ctx, pki.serverCert.c_str(), SSL_FILETYPE_PEM) == 1 &&
             SSL_CTX_use_PrivateKey_file(ctx, pki.serverKey.c_str(), SSL_FILETYPE_PEM) == 1 &&
             SSL_CTX_load_verify_locations(ctx, pki.caCert.c_str(), nullptr) == 1 &&
             SSL_CTX_set_num_tickets(ctx, static_cast<std::size_t>(c.tickets)) == 1;
        if (ok && c.sendCaInChain)
        {
            BIO* bio = BIO_new_file(pki.caCert.c_str(), "r");
            X509* ca = bio ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
            BIO_free(bio);
            ok = ca && SSL_CTX_add_extra_chain_cert(ctx, ca) == 1; // takes ca
        }
        if (ok && c.clientCertificate)
        {
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
            // No CA names in CertificateRequest: a device-facing broker (AWS IoT) sends none.
            SSL_CTX_set0_CA_list(ctx, nullptr);
        }
        SSL_CTX_set_session_id_context(ctx, reinterpret_cast<const unsigned char*>("bench"), 5);
    }
    else if (ok)
    {
        ok = SSL_CTX_load_verify_locations(ctx, pki.caCert.c_str(), nullptr) == 1;
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
        if (ok && c.clientCertificate)
        {
            ok = SSL_CTX_use_certificate_file(ctx, pki.clientCert.c_str(), SSL_FILETYPE_PEM) == 1 &&
                 SSL_CTX_use_PrivateKey_file(ctx, pki.clientKey.c_str(), SSL_FILETYPE_PEM) == 1;
        }
    }
    if (!ok)
    {
        error = OpenSslError(server ? "server context" : "client context");
        SSL_CTX_free(ctx);
        return nullptr;
    }
    return ctx;
}

/** Client and server SSL objects on memory BIOs, with the records between them counted. */
class Pair
{
  public:
    Pair(SSL_CTX* clientCtx, SSL_CTX* serverCtx, const std::string& serverName)
        : m_client(SSL_new(clientCtx)),
          m_server(SSL_new(serverCtx))
    {
        for (SSL* ssl : {m_client, m_server})
        {
            SSL_set_bio(ssl, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
        }
        SSL_set_tlsext_host_name(m_client, serverName.c_str());
        SSL_set_connect_state(m_client);
        SSL_set_accept_state(m_server);
    }

    ~Pair()
    {
        // A quiet shutdown: an SSL freed in mid-connection marks its session not resumable.
        for (SSL* ssl : {m_client, m_server})
        {
            SSL_set_quiet_shutdown(ssl, 1);
            SSL_shutdown(ssl);
        }
        SSL_free(m_client);
        SSL_free(m_server);
    }

    Pair(const Pair&) = delete;
    Pair& operator=(const Pair&) = delete;

    /** Handshakes until both ends are done and no byte is left in flight. */
    bool
    Handshake(RealHandshake& result, std::string& error)
    {
        for (int round = 0; round < 50; ++round)
        {
            int c = SSL_do_handshake(m_client);
            int s = SSL_do_handshake(m_server);
            if (c <= 0 && SSL_get_error(m_client, c) != SSL_ERROR_WANT_READ)
            {
                error = OpenSslError("client handshake");
                return false;
            }
            if (s <= 0 && SSL_get_error(m_server, s) != SSL_ERROR_WANT_READ)
            {
                error = OpenSslError("server handshake");
                return false;
            }
            std::size_t moved = Move(true, result) + Move(false, result);
            if (c == 1 && s == 1 && moved == 0)
            {
                // TLS 1.3 tickets are read by the client on its next read.
                uint8_t byte = 0;
                if (SSL_read(m_client, &byte, 1) > 0)
                {
                    error = "unexpected application data";
                    return false;
                }
                result.resumed = SSL_session_reused(m_client) == 1;
                return true;
            }
        }
        error = "handshake did not finish";
        return false;
    }

    /** The client writes @p size bytes; @return the bytes that went on the wire. */
    std::size_t
    Write(std::size_t size)
    {
        std::vector<uint8_t> payload(size, 0x5A);
        SSL_write(m_client, payload.data(), static_cast<int>(size));
        RealHandshake ignored;
        return Move(true, ignored);
    }

    SSL* Client() const
    {
        return m_client;
    }

  private:
    /** Moves what one end wrote to the other, recording its records; @return the bytes. */
    std::size_t
    Move(bool fromClient, RealHandshake& result)
    {
        SSL* from = fromClient ? m_client : m_server;
        SSL* to = fromClient ? m_server : m_client;
        std::vector<uint8_t> bytes(BIO_ctrl_pending(SSL_get_wbio(from)));
        if (bytes.empty())
        {
            return 0;
        }
        BIO_read(SSL_get_wbio(from), bytes.data(), static_cast<int>(bytes.size()));
        BIO_write(SSL_get_rbio(to), bytes.data(), static_cast<int>(bytes.size()));
        for (std::size_t at = 0; at + 5 <= bytes.size();)
        {
            std::size_t size = 5 + (std::size_t{bytes[at + 3]} << 8 | bytes[at + 4]);
            result.records.push_back({fromClient, bytes[at], size});
            at += size;
        }
        (fromClient ? result.clientBytes : result.serverBytes) += bytes.size();
        return bytes.size();
    }

    SSL* m_client;
    SSL* m_server;
};

} // namespace

bool
MakeRealPki(bool rsa, RealPki& pki)
{
    char pattern[] = "/tmp/mqtt-tls-bench-XXXXXX";
    if (!mkdtemp(pattern))
    {
        return false;
    }
    pki.dir = pattern;
    std::string key = rsa ? "-newkey rsa:2048" : "-newkey ec -pkeyopt ec_paramgen_curve:P-256";
    std::string d = pki.dir;
    pki.caCert = d + "/ca.crt";
    pki.serverCert = d + "/server.crt";
    pki.serverKey = d + "/server.key";
    pki.clientCert = d + "/client.crt";
    pki.clientKey = d + "/client.key";
    if (!Shell("printf 'subjectAltName=DNS:broker.example.com\\n' > " + d + "/ext") ||
        !Shell("openssl req -x509 " + key + " -nodes -keyout " + d + "/ca.key -out " +
               pki.caCert + " -subj /CN=bench-ca -days 1"))
    {
        return false;
    }
    for (const char* name : {"server", "client"})
    {
        std::string n = d + "/" + name;
        if (!Shell("openssl req " + key + " -nodes -keyout " + n + ".key -out " + n +
                   ".csr -subj /CN=" + name) ||
            !Shell("openssl x509 -req -in " + n + ".csr -CA " + pki.caCert + " -CAkey " + d +
                   "/ca.key -CAcreateserial -days 1 -out " + n + ".crt -extfile " + d + "/ext"))
        {
            return false;
        }
    }
    pki.caDer = DerSize(pki.caCert);
    pki.serverDer = DerSize(pki.serverCert);
    pki.clientDer = DerSize(pki.clientCert);
    return pki.caDer && pki.serverDer && pki.clientDer;
}

void
RemoveRealPki(const RealPki& pki)
{
    if (!pki.dir.empty())
    {
        Shell("rm -rf " + pki.dir);
    }
}

bool
RunRealHandshakes(const RealPki& pki,
                  const RealCase& c,
                  RealHandshake& full,
                  RealHandshake& resumed,
                  std::string& error)
{
    SSL_CTX* clientCtx = MakeContext(false, pki, c, error);
    SSL_CTX* serverCtx = clientCtx ? MakeContext(true, pki, c, error) : nullptr;
    bool ok = serverCtx != nullptr;
    SSL_SESSION* session = nullptr;
    if (ok)
    {
        Pair first(clientCtx, serverCtx, c.serverName);
        ok = first.Handshake(full, error);
        session = ok ? SSL_get1_session(first.Client()) : nullptr;
        ok = ok && session && SSL_SESSION_is_resumable(session) == 1;
        if (!ok && error.empty())
        {
            error = "no resumable session after the full handshake";
        }
    }
    if (ok)
    {
        Pair second(clientCtx, serverCtx, c.serverName);
        SSL_set_session(second.Client(), session);
        ok = second.Handshake(resumed, error);
        if (ok && !resumed.resumed)
        {
            error = "the second handshake did not resume";
            ok = false;
        }
    }
    SSL_SESSION_free(session);
    SSL_CTX_free(serverCtx);
    SSL_CTX_free(clientCtx);
    return ok;
}

bool
RealRecordBytes(const RealPki& pki,
                const RealCase& c,
                std::size_t payload,
                std::size_t& wire,
                std::string& error)
{
    SSL_CTX* clientCtx = MakeContext(false, pki, c, error);
    SSL_CTX* serverCtx = clientCtx ? MakeContext(true, pki, c, error) : nullptr;
    bool ok = serverCtx != nullptr;
    if (ok)
    {
        Pair pair(clientCtx, serverCtx, c.serverName);
        RealHandshake ignored;
        ok = pair.Handshake(ignored, error);
        wire = ok ? pair.Write(payload) : 0;
    }
    SSL_CTX_free(serverCtx);
    SSL_CTX_free(clientCtx);
    return ok;
}

} // namespace bench
} // namespace mqtt
} // namespace ns3
