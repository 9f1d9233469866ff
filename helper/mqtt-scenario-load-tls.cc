/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * tls: of a device group and of the broker (doc/tls-sim.md), and the device CPU figures file
 * a group names (tls/NAME.yaml: each public-key operation's time with its source).
 */
#include "mqtt-scenario-yaml.h"
#include "mqtt-tls-cpu.h"

#include <fstream>
#include <sstream>

namespace ns3
{
namespace mqtt
{
namespace scenario_yaml
{
namespace
{

/** The most certificates a chain may have (they ride in the simulated hellos). */
constexpr std::size_t MAX_CHAIN = 8;

/** certificate-chain-bytes: one DER size, or a list of them (own certificate first). */
void
ReadChain(Map& m, bool allowNone, std::vector<std::size_t>* out)
{
    const std::string key = "certificate-chain-bytes";
    if (!m.Has(key))
    {
        return;
    }
    YAML::Node node = m.Get(key);
    const std::string expected =
        std::string("a certificate size in bytes (") + (allowNone ? "0" : "1") +
        " to 65535) or a list of 1 to 8 of them";
    std::vector<std::string> texts;
    if (node.IsScalar())
    {
        texts.push_back(node.Scalar());
    }
    else if (node.IsSequence() && node.size() >= 1 && node.size() <= MAX_CHAIN)
    {
        for (const auto& item : node)
        {
            texts.push_back(item.IsScalar() ? item.Scalar() : std::string("a non-scalar"));
        }
    }
    else
    {
        m.Fail(key, "expected " + expected + ", got " + Describe(node));
        return;
    }
    out->clear();
    for (const auto& text : texts)
    {
        std::size_t value = 0;
        auto result = std::from_chars(text.data(), text.data() + text.size(), value);
        bool whole = !text.empty() && result.ec == std::errc() &&
                     result.ptr == text.data() + text.size();
        if (!whole || value > 65535 || (value == 0 && (!allowNone || texts.size() > 1)))
        {
            m.Fail(key, "expected " + expected + ", got " + text);
            return;
        }
        if (value > 0)
        {
            out->push_back(value);
        }
    }
}

template<typename T>
void
ReadNamed(Map& m,
          const std::string& key,
          std::optional<T> (*parse)(const std::string&),
          const std::string& expected,
          T* out)
{
    if (auto text = m.Scalar(key, expected))
    {
        if (auto value = parse(*text))
        {
            *out = *value;
        }
        else
        {
            m.Fail(key, "expected " + expected + ", got " + *text);
        }
    }
}

/** tls: off gives nothing; @return whether a map follows. */
bool
Enabled(Reader& r, Map& parent, std::optional<MqttTlsSpec>* out)
{
    if (!parent.Has("tls"))
    {
        return false;
    }
    YAML::Node node = parent.Get("tls");
    if (node.IsScalar() && node.Scalar() == "off")
    {
        r.Remember(parent.Path("tls"), node);
        out->reset();
        return false;
    }
    *out = MqttTlsSpec();
    return true;
}

} // namespace

void
ReadDeviceTls(Reader& r, Map& group, std::optional<MqttTlsSpec>* out)
{
    if (!Enabled(r, group, out))
    {
        return;
    }
    Map m(r,
          group.Get("tls"),
          group.Path("tls"),
          {"version",
           "cipher",
           "group",
           "key",
           "certificate-chain-bytes",
           "resumption",
           "server-name",
           "alpn",
           "middlebox-compat",
           "cpu"});
    if (!m.Ok())
    {
        return;
    }
    MqttTlsClientProfile& c = (*out)->client;
    c.certificateChain = {550}; // a device certificate from a cloud CA (AWS IoT: about 550 B)
    m.Require({"version"});
    ReadNamed(m, "version", &ParseTlsVersion, "\"1.2\" or \"1.3\"", &c.version);
    ReadNamed(m,
              "cipher",
              &ParseTlsCipher,
              "aes-128-gcm, aes-256-gcm or chacha20-poly1305",
              &c.cipher);
    ReadNamed(m, "group", &ParseTlsGroup, "p-256 or x25519", &c.group);
    ReadNamed(m, "key", &ParseTlsKeyType, "ecdsa-p256 or rsa-2048", &c.key);
    ReadChain(m, true, &c.certificateChain);
    m.Bool("resumption", &c.resumption);
    if (m.Has("server-name"))
    {
        std::string name;
        m.String("server-name", &name);
        c.serverNameBytes = name.size();
    }
    m.StringList("alpn", &c.alpn);
    for (const auto& name : c.alpn)
    {
        if (name.empty() || name.size() > 255)
        {
            m.Fail("alpn", "expected protocol names of 1 to 255 bytes");
        }
    }
    m.Bool("middlebox-compat", &c.middleboxCompat);
    m.String("cpu", &(*out)->cpu);
    if (m.Has("cpu") && (*out)->cpu.empty())
    {
        m.Fail("cpu", "expected the name of a file under tls/ (e.g. cortex-m4-100mhz) or a path");
    }
}

void
ReadBrokerTls(Reader& r, Map& broker, std::optional<MqttTlsSpec>* out)
{
    if (!Enabled(r, broker, out))
    {
        return;
    }
    Map m(r,
          broker.Get("tls"),
          broker.Path("tls"),
          {"certificate-chain-bytes",
           "key",
           "client-certificate",
           "resumption",
           "tickets",
           "ticket-bytes"});
    if (!m.Ok())
    {
        return;
    }
    MqttTlsServerProfile& s = (*out)->server;
    ReadChain(m, false, &s.certificateChain);
    ReadNamed(m, "key", &ParseTlsKeyType, "ecdsa-p256 or rsa-2048", &s.key);
    m.Bool("client-certificate", &s.requestClientCertificate);
    m.Bool("resumption", &s.resumption);
    m.Unsigned("tickets", 0, 8, &s.tickets);
    m.Unsigned("ticket-bytes", 0, 65000, &s.ticketBytes);
}

void
ReadTlsCpuFile(Reader& r, const YAML::Node& root, MqttTlsCpuCosts* out)
{
    Map m(r, root, "", {"part", "operations"});
    if (!m.Ok())
    {
        return;
    }
    m.Require({"part", "operations"});
    std::string part;
    m.String("part", &part);
    if (!m.Has("operations"))
    {
        return;
    }
    const Keys names = {"keygen", "ecdh", "sign", "verify"};
    Map ops(r, m.Get("operations"), m.Path("operations"), names);
    if (!ops.Ok())
    {
        return;
    }
    ops.Require(names);
    Nanos* fields[] = {&out->keygen, &out->ecdh, &out->sign, &out->verify};
    for (std::size_t i = 0; i < names.size(); ++i)
    {
        if (!ops.Has(names[i]))
        {
            continue;
        }
        auto seconds = ReadSourced(r, ops.Get(names[i]), ops.Path(names[i]), "s");
        if (seconds && *seconds < 0)
        {
            ops.Fail(names[i], "expected a duration, got off");
        }
        else if (seconds)
        {
            *fields[i] = Nanos(static_cast<int64_t>(*seconds * 1e9 + 0.5));
        }
    }
}

} // namespace scenario_yaml

std::vector<std::string>
MqttLoadTlsCpu(const std::string& path, MqttTlsCpuCosts* out)
{
    std::ifstream in(path);
    if (!in)
    {
        return {path + ": cannot open the TLS CPU figures file"};
    }
    std::stringstream text;
    text << in.rdbuf();
    scenario_yaml::Reader r(path);
    try
    {
        scenario_yaml::ReadTlsCpuFile(r, YAML::Load(text.str()), out);
    }
    catch (const YAML::Exception& e)
    {
        r.Raw(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    return r.Errors();
}

} // namespace mqtt
} // namespace ns3
