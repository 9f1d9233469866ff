/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-scram.h"

#include "mqtt-base64.h"
#include "mqtt-config-parse-impl.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <charconv>
#include <random>

namespace ns3
{
namespace mqtt
{

namespace
{

const std::string METHOD_NAME = "SCRAM-SHA-256";
constexpr std::string_view VERIFIER_PREFIX = "SCRAM-SHA-256$";
constexpr std::size_t KEY_BYTES = 32;
constexpr std::size_t NONCE_BYTES = 18;

using Key = std::array<uint8_t, KEY_BYTES>;

std::vector<uint8_t>
Bytes(std::string_view s)
{
    return std::vector<uint8_t>(s.begin(), s.end());
}

std::string_view
Text(const std::vector<uint8_t>& data)
{
    return std::string_view(reinterpret_cast<const char*>(data.data()), data.size());
}

Key
Hmac(const uint8_t* key, std::size_t keySize, std::string_view data)
{
    Key out{};
    unsigned int length = 0;
    HMAC(EVP_sha256(),
         key,
         static_cast<int>(keySize),
         reinterpret_cast<const unsigned char*>(data.data()),
         data.size(),
         out.data(),
         &length);
    return out;
}

Key
Hmac(const Key& key, std::string_view data)
{
    return Hmac(key.data(), key.size(), data);
}

Key
Sha256(const Key& data)
{
    Key out{};
    SHA256(data.data(), data.size(), out.data());
    return out;
}

/** SaltedPassword := Hi(password, salt, i) (RFC 5802 section 2.2). */
Key
SaltedPassword(std::string_view password, const std::vector<uint8_t>& salt, uint32_t iterations)
{
    Key out{};
    PKCS5_PBKDF2_HMAC(password.data(),
                      static_cast<int>(password.size()),
                      salt.data(),
                      static_cast<int>(salt.size()),
                      static_cast<int>(iterations),
                      EVP_sha256(),
                      static_cast<int>(out.size()),
                      out.data());
    return out;
}

Key
Xor(const Key& a, const Key& b)
{
    Key out{};
    for (std::size_t i = 0; i < out.size(); ++i)
    {
        out[i] = static_cast<uint8_t>(a[i] ^ b[i]);
    }
    return out;
}

/** A whole number from 1 to MAX_ITERATIONS, or nothing. */
std::optional<uint32_t>
ParseIterations(std::string_view text)
{
    uint32_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n == 0 ||
        n > MqttScramSha256::MAX_ITERATIONS)
    {
        return std::nullopt;
    }
    return n;
}

/** A user name as a saslname: ',' and '=' escaped (RFC 5802 section 5.1). */
std::string
EscapeName(std::string_view name)
{
    std::string out;
    for (char c : name)
    {
        out += c == ',' ? "=2C" : c == '=' ? "=3D" : std::string(1, c);
    }
    return out;
}

/** A saslname back to the name, or nothing when an '=' starts no valid escape. */
std::optional<std::string>
UnescapeName(std::string_view s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i)
    {
        if (s[i] != '=')
        {
            out += s[i];
            continue;
        }
        const std::string_view esc = s.substr(i + 1, 2);
        if (esc != "2C" && esc != "3D")
        {
            return std::nullopt;
        }
        out += esc == "2C" ? ',' : '=';
        i += 2;
    }
    return out;
}

/** Printable ASCII without ',' (RFC 5802 section 7, "printable"), not empty. */
bool
IsNonce(std::string_view s)
{
    if (s.empty())
    {
        return false;
    }
    for (char c : s)
    {
        if (c < 0x21 || c > 0x7E || c == ',')
        {
            return false;
        }
    }
    return true;
}

/** The comma-separated attributes of a message, in order: "k=value". */
std::vector<std::string_view>
SplitAttributes(std::string_view message)
{
    std::vector<std::string_view> parts;
    for (;;)
    {
        const std::size_t comma = message.find(',');
        parts.push_back(message.substr(0, comma));
        if (comma == std::string_view::npos)
        {
            return parts;
        }
        message.remove_prefix(comma + 1);
    }
}

/** The value of attribute @p name at @p part ("n=..." with name 'n'), or nothing. */
std::optional<std::string_view>
Attribute(std::string_view part, char name)
{
    if (part.size() < 2 || part[0] != name || part[1] != '=')
    {
        return std::nullopt;
    }
    return part.substr(2);
}

/**
 * Whether the attributes after the first two are optional extensions ("x=value", RFC 5802
 * section 7); a mandatory one ("m=") is not understood here.
 */
bool
OnlyOptionalExtensions(const std::vector<std::string_view>& parts)
{
    for (std::size_t i = 2; i < parts.size(); ++i)
    {
        const std::string_view p = parts[i];
        const bool letter =
            !p.empty() && ((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z'));
        if (p.size() < 2 || !letter || p[1] != '=' || p[0] == 'm')
        {
            return false;
        }
    }
    return true;
}

MqttAuthStep
Refuse(std::string detail)
{
    return MqttAuthStep::Failure(ReasonCode::NotAuthorized, std::move(detail));
}

} // namespace

bool
operator==(const MqttScramCredential& a, const MqttScramCredential& b)
{
    return a.salt == b.salt && a.iterations == b.iterations && a.storedKey == b.storedKey &&
           a.serverKey == b.serverKey;
}

// --- the server's side -------------------------------------------------------------------------

class MqttScramSha256::Server : public MqttAuthMethod::ServerExchange
{
  public:
    explicit Server(const MqttScramSha256& method)
        : m_method(method)
    {
    }

    MqttAuthStep
    Step(const std::optional<std::vector<uint8_t>>& data) override
    {
        const int round = m_round++;
        if (!data)
        {
            m_round = DONE;
            return Refuse("no Authentication Data");
        }
        MqttAuthStep step = round == 0   ? ClientFirst(Text(*data))
                            : round == 1 ? ClientFinal(Text(*data))
                                         : Refuse("the exchange is over");
        if (step.outcome != MqttAuthOutcome::Continue)
        {
            m_round = DONE;
        }
        return step;
    }

    std::optional<std::string>
    Identity() const override
    {
        return m_identity;
    }

  private:
    static constexpr int DONE = 2;

    /** "GS2HEADER n=USER,r=CNONCE[,ext]" -> "r=CNONCE SNONCE,s=SALT,i=ITERATIONS". */
    MqttAuthStep
    ClientFirst(std::string_view message)
    {
        // gs2-header: "n," or "y," (no channel binding), an empty authzid, ','.
        if (message.substr(0, 3) != "n,," && message.substr(0, 3) != "y,,")
        {
            return Refuse(message.substr(0, 2) == "p=" ? "channel binding is not supported"
                                                       : "expected gs2 header 'n,,'");
        }
        m_gs2Header = std::string(message.substr(0, 3));
        m_clientFirstBare = std::string(message.substr(3));
        const std::vector<std::string_view> parts = SplitAttributes(m_clientFirstBare);
        std::optional<std::string_view> name = Attribute(parts[0], 'n');
        std::optional<std::string_view> nonce =
            parts.size() > 1 ? Attribute(parts[1], 'r') : std::nullopt;
        if (!name || !nonce || !OnlyOptionalExtensions(parts))
        {
            return Refuse("expected 'n=USER,r=NONCE'");
        }
        std::optional<std::string> user = UnescapeName(*name);
        if (!user || user->empty())
        {
            return Refuse("bad user name");
        }
        if (!IsNonce(*nonce))
        {
            return Refuse("bad client nonce");
        }
        const std::string serverNonce = m_method.m_nonces();
        if (!IsNonce(serverNonce))
        {
            return Refuse("no server nonce");
        }
        m_user = std::move(*user);
        m_nonce = std::string(*nonce) + serverNonce;
        const auto it = m_method.m_users.find(m_user);
        if (it != m_method.m_users.end())
        {
            m_credential = it->second;
            m_known = true;
        }
        else
        {
            // An unknown user gets a salt that is stable per name and a normal count, and fails
            // at the proof, as a wrong password does (RFC 5802 section 5.1).
            const Key decoy = Hmac(m_method.m_decoyKey, m_user);
            m_credential.salt.assign(decoy.begin(), decoy.begin() + SALT_BYTES);
            m_credential.iterations = DEFAULT_ITERATIONS;
        }
        m_serverFirst = "r=" + m_nonce + ",s=" + ToBase64(m_credential.salt) +
                        ",i=" + std::to_string(m_credential.iterations);
        return MqttAuthStep::Continue(Bytes(m_serverFirst));
    }

    /** "c=GS2,r=NONCE[,ext],p=PROOF" -> "v=SERVERSIGNATURE". */
    MqttAuthStep
    ClientFinal(std::string_view message)
    {
        const std::size_t proofAt = message.rfind(",p=");
        if (proofAt == std::string_view::npos)
        {
            return Refuse("expected ',p=PROOF'");
        }
        const std::string_view withoutProof = message.substr(0, proofAt);
        const std::vector<std::string_view> parts = SplitAttributes(withoutProof);
        std::optional<std::string_view> binding = Attribute(parts[0], 'c');
        std::optional<std::string_view> nonce =
            parts.size() > 1 ? Attribute(parts[1], 'r') : std::nullopt;
        if (!OnlyOptionalExtensions(parts))
        {
            return Refuse("expected 'c=BINDING,r=NONCE,p=PROOF'");
        }
        if (!binding || *binding != ToBase64(Bytes(m_gs2Header)))
        {
            return Refuse("channel binding differs from the gs2 header");
        }
        if (!nonce || *nonce != m_nonce)
        {
            return Refuse("nonce differs from the server-first-message");
        }
        std::optional<std::vector<uint8_t>> proof = FromBase64(message.substr(proofAt + 3));
        if (!proof || proof->size() != KEY_BYTES)
        {
            return Refuse("proof is not 32 bytes of base64");
        }
        const std::string authMessage =
            m_clientFirstBare + "," + m_serverFirst + "," + std::string(withoutProof);
        Key clientProof{};
        std::copy(proof->begin(), proof->end(), clientProof.begin());
        const Key clientKey = Xor(clientProof, Hmac(m_credential.storedKey, authMessage));
        const Key storedKey = Sha256(clientKey);
        const bool equal =
            CRYPTO_memcmp(storedKey.data(), m_credential.storedKey.data(), KEY_BYTES) == 0;
        if (!equal || !m_known)
        {
            return Refuse("invalid proof");
        }
        m_identity = m_user;
        const Key signature = Hmac(m_credential.serverKey, authMessage);
        return MqttAuthStep::Success(Bytes("v=" + ToBase64(signature.data(), signature.size())));
    }

    const MqttScramSha256& m_method;
    int m_round = 0;
    std::string m_gs2Header;
    std::string m_clientFirstBare;
    std::string m_serverFirst;
    std::string m_user;
    std::string m_nonce;
    MqttScramCredential m_credential;
    bool m_known = false;
    std::optional<std::string> m_identity;
};

// --- the client's side -------------------------------------------------------------------------

class MqttScramSha256::Client : public MqttAuthMethod::ClientExchange
{
  public:
    // The exchange keeps its own copy of the nonce source (seeded sources share their generator),
    // so it may outlive the method that started it, as a client's often does.
    Client(const MqttScramSha256& method, ClientCredentials credentials)
        : m_nonces(method.m_nonces)
        , m_credentials(std::move(credentials))
    {
    }

    MqttAuthStep
    Start() override
    {
        m_clientNonce = m_nonces();
        if (!IsNonce(m_clientNonce))
        {
            return Refuse("no client nonce");
        }
        if (m_credentials.userName.empty())
        {
            return Refuse("no user name");
        }
        m_clientFirstBare = "n=" + EscapeName(m_credentials.userName) + ",r=" + m_clientNonce;
        m_started = true;
        return MqttAuthStep::Continue(Bytes("n,," + m_clientFirstBare));
    }

    MqttAuthStep
    Respond(const std::optional<std::vector<uint8_t>>& data) override
    {
        if (!m_started || m_expected || !data)
        {
            return Refuse(data ? "unexpected server data" : "no server data");
        }
        const std::string_view serverFirst = Text(*data);
        const std::vector<std::string_view> parts = SplitAttributes(serverFirst);
        if (parts.size() < 3)
        {
            return Refuse("expected 'r=NONCE,s=SALT,i=ITERATIONS'");
        }
        std::optional<std::string_view> nonce = Attribute(parts[0], 'r');
        std::optional<std::string_view> saltText = Attribute(parts[1], 's');
        std::optional<std::string_view> countText = Attribute(parts[2], 'i');
        if (!nonce || !saltText || !countText)
        {
            return Refuse("expected 'r=NONCE,s=SALT,i=ITERATIONS'");
        }
        if (nonce->substr(0, m_clientNonce.size()) != m_clientNonce ||
            nonce->size() == m_clientNonce.size() || !IsNonce(*nonce))
        {
            return Refuse("server nonce does not extend the client's");
        }
        std::optional<std::vector<uint8_t>> salt = FromBase64(*saltText);
        std::optional<uint32_t> iterations = ParseIterations(*countText);
        if (!salt || !iterations)
        {
            return Refuse("bad salt or iteration count");
        }
        const std::string_view password(reinterpret_cast<const char*>(m_credentials.secret.data()),
                                        m_credentials.secret.size());
        const Key salted = SaltedPassword(password, *salt, *iterations);
        const Key clientKey = Hmac(salted, "Client Key");
        const Key serverKey = Hmac(salted, "Server Key");
        const std::string withoutProof =
            "c=" + ToBase64(Bytes("n,,")) + ",r=" + std::string(*nonce);
        const std::string authMessage =
            m_clientFirstBare + "," + std::string(serverFirst) + "," + withoutProof;
        const Key proof = Xor(clientKey, Hmac(Sha256(clientKey), authMessage));
        const Key signature = Hmac(serverKey, authMessage);
        m_expected = "v=" + ToBase64(signature.data(), signature.size());
        return MqttAuthStep::Continue(
            Bytes(withoutProof + ",p=" + ToBase64(proof.data(), proof.size())));
    }

    MqttAuthStep
    Finish(const std::optional<std::vector<uint8_t>>& data) override
    {
        if (!m_expected)
        {
            return Refuse("the server ended the exchange early");
        }
        if (!data)
        {
            return Refuse("no server-final-message");
        }
        const std::string_view final = Text(*data);
        if (final.substr(0, 2) == "e=")
        {
            return Refuse("server error: " + std::string(final.substr(2)));
        }
        const bool equal = final.size() == m_expected->size() &&
                           CRYPTO_memcmp(final.data(), m_expected->data(), final.size()) == 0;
        return equal ? MqttAuthStep::Success() : Refuse("server signature differs");
    }

  private:
    NonceSource m_nonces;
    ClientCredentials m_credentials;
    bool m_started = false;
    std::string m_clientNonce;
    std::string m_clientFirstBare;
    std::optional<std::string> m_expected;
};

// --- the method --------------------------------------------------------------------------------

MqttScramSha256::MqttScramSha256(NonceSource nonces)
    : m_nonces(nonces ? std::move(nonces) : NonceSource(&MqttScramSha256::RandomNonce))
{
    if (RAND_bytes(m_decoyKey.data(), static_cast<int>(m_decoyKey.size())) != 1)
    {
        m_decoyKey.fill(0); // still a stable salt per name; only less private
    }
}

const std::string&
MqttScramSha256::Name() const
{
    return METHOD_NAME;
}

std::unique_ptr<MqttAuthMethod::ServerExchange>
MqttScramSha256::StartServer() const
{
    return std::make_unique<Server>(*this);
}

std::unique_ptr<MqttAuthMethod::ClientExchange>
MqttScramSha256::StartClient(const ClientCredentials& credentials) const
{
    return std::make_unique<Client>(*this, credentials);
}

void
MqttScramSha256::AddCredential(const std::string& userName, MqttScramCredential credential)
{
    m_users[userName] = std::move(credential);
}

std::size_t
MqttScramSha256::UserCount() const
{
    return m_users.size();
}

std::string
MqttScramSha256::RandomNonce()
{
    uint8_t bytes[NONCE_BYTES];
    if (RAND_bytes(bytes, static_cast<int>(NONCE_BYTES)) != 1)
    {
        return "";
    }
    return ToBase64(bytes, NONCE_BYTES);
}

MqttScramSha256::NonceSource
MqttScramSha256::SeededNonces(uint64_t seed)
{
    auto generator = std::make_shared<std::mt19937_64>(seed);
    return [generator]
    {
        uint8_t bytes[NONCE_BYTES];
        for (uint8_t& b : bytes)
        {
            b = static_cast<uint8_t>((*generator)() >> 56);
        }
        return ToBase64(bytes, NONCE_BYTES);
    };
}

MqttScramCredential
MqttScramSha256::MakeCredential(std::string_view password,
                                const std::vector<uint8_t>& salt,
                                uint32_t iterations)
{
    MqttScramCredential c;
    c.salt = salt;
    c.iterations = iterations;
    const Key salted = SaltedPassword(password, salt, iterations);
    c.storedKey = Sha256(Hmac(salted, "Client Key"));
    c.serverKey = Hmac(salted, "Server Key");
    return c;
}

std::optional<MqttScramCredential>
MqttScramSha256::MakeCredential(std::string_view password, uint32_t iterations)
{
    std::vector<uint8_t> salt(SALT_BYTES);
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1)
    {
        return std::nullopt;
    }
    return MakeCredential(password, salt, iterations);
}

std::string
MqttScramSha256::FormatCredential(const MqttScramCredential& c)
{
    return std::string(VERIFIER_PREFIX) + std::to_string(c.iterations) + ":" + ToBase64(c.salt) +
           "$" + ToBase64(c.storedKey.data(), KEY_BYTES) + ":" +
           ToBase64(c.serverKey.data(), KEY_BYTES);
}

std::optional<MqttScramCredential>
MqttScramSha256::ParseCredential(std::string_view text, std::string& why)
{
    if (text.substr(0, VERIFIER_PREFIX.size()) != VERIFIER_PREFIX)
    {
        why = "expected 'SCRAM-SHA-256$ITERATIONS:SALT$STOREDKEY:SERVERKEY'";
        return std::nullopt;
    }
    text.remove_prefix(VERIFIER_PREFIX.size());
    const std::size_t dollar = text.find('$');
    const std::string_view params = text.substr(0, dollar);
    const std::string_view keys =
        dollar == std::string_view::npos ? std::string_view() : text.substr(dollar + 1);
    const std::size_t colon1 = params.find(':');
    const std::size_t colon2 = keys.find(':');
    if (dollar == std::string_view::npos || colon1 == std::string_view::npos ||
        colon2 == std::string_view::npos)
    {
        why = "expected 'SCRAM-SHA-256$ITERATIONS:SALT$STOREDKEY:SERVERKEY'";
        return std::nullopt;
    }
    MqttScramCredential c;
    std::optional<uint32_t> iterations = ParseIterations(params.substr(0, colon1));
    if (!iterations)
    {
        why = "iterations '" + std::string(params.substr(0, colon1)) +
              "' not a whole number from 1 to " + std::to_string(MAX_ITERATIONS);
        return std::nullopt;
    }
    c.iterations = *iterations;
    std::optional<std::vector<uint8_t>> salt = FromBase64(params.substr(colon1 + 1));
    if (!salt)
    {
        why = "salt is not base64";
        return std::nullopt;
    }
    c.salt = std::move(*salt);
    std::optional<std::vector<uint8_t>> stored = FromBase64(keys.substr(0, colon2));
    std::optional<std::vector<uint8_t>> server = FromBase64(keys.substr(colon2 + 1));
    if (!stored || stored->size() != KEY_BYTES || !server || server->size() != KEY_BYTES)
    {
        why = "stored key and server key are not 32 bytes of base64 each";
        return std::nullopt;
    }
    std::copy(stored->begin(), stored->end(), c.storedKey.begin());
    std::copy(server->begin(), server->end(), c.serverKey.begin());
    return c;
}

bool
MqttScramSha256::Parse(std::string_view text, const std::string& fileName, MqttConfigError& error)
{
    std::map<std::string, MqttScramCredential, std::less<>> users;
    std::map<std::string, std::size_t> userLine;
    const auto parseLine = [&](std::string_view line, std::size_t lineNo) -> ConfigLineResult
    {
        if (TrimConfigBlanks(line).empty() || line.front() == '#')
        {
            return std::nullopt;
        }
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0)
        {
            return std::string("expected 'USER:SCRAM-SHA-256$ITERATIONS:SALT$STOREDKEY:SERVERKEY'");
        }
        std::string why;
        std::optional<MqttScramCredential> c = ParseCredential(line.substr(colon + 1), why);
        std::string name(line.substr(0, colon));
        if (!c)
        {
            return "user '" + name + "': " + why;
        }
        auto [it, inserted] = userLine.emplace(name, lineNo);
        if (!inserted)
        {
            return "duplicate user '" + name + "' (first on line " + std::to_string(it->second) +
                   ")";
        }
        users.emplace(std::move(name), std::move(*c));
        return std::nullopt;
    };
    if (!ParseConfigLines(text, fileName, error, parseLine))
    {
        return false;
    }
    m_users = std::move(users);
    return true;
}

bool
MqttScramSha256::Load(const std::string& path, MqttConfigError& error)
{
    std::string text;
    return ReadConfigFile(path, text, error) && Parse(text, path, error);
}

} // namespace mqtt
} // namespace ns3
