/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-mosquitto-conf.h"

#include "mqtt-units.h"

#include <map>
#include <optional>

namespace ns3
{
namespace mqtt
{

namespace
{

using LineResult = std::optional<std::string>;

/** mosquitto keys without an equivalent here; `refused` when ignoring one could grant access. */
struct Unmapped
{
    const char* key;
    bool refused;
    const char* why;
};

// mosquitto 2.0's keys (mosquitto.conf(5)) that are not translated.
const Unmapped UNMAPPED[] = {
    {"allow_duplicate_messages", false, "duplicate messages are always allowed"},
    {"autosave_interval", false, "every change is stored at once (--persistence)"},
    {"autosave_on_changes", false, "every change is stored at once (--persistence)"},
    {"check_retain_source", false, "not implemented"},
    {"connection_messages", false, "connections are always logged (--quiet: not)"},
    {"log_dest", false, "the log goes to standard error"},
    {"log_facility", false, "the log goes to standard error"},
    {"log_timestamp", false, "the log goes to standard error"},
    {"log_timestamp_format", false, "the log goes to standard error"},
    {"log_type", false, "the log goes to standard error"},
    {"max_inflight_bytes", false, "not implemented"},
    {"max_queued_bytes", false, "not implemented (--memory-limit bounds all memory)"},
    {"max_keepalive", false, "use --set max-keep-alive=N (it clamps)"},
    {"persistence_file", false, "the store is always DIR/broker.db"},
    {"pid_file", false, "the broker runs in the foreground"},
    {"set_tcp_nodelay", false, "not implemented"},
    {"sys_interval", false, "there is no $SYS tree"},
    {"upgrade_outgoing_qos", false, "not implemented"},
    {"user", false, "the broker does not change its user"},
    {"websockets_log_level", false, "not implemented"},
    {"websockets_headers_size", false, "not implemented"},
    {"max_connections", false, "use --set max-connected-clients=N (all listeners)"},
    {"retain_available", false, "use --profile or --set retain=disconnect"},
    {"queue_qos0_messages", false, "use --set queue-qos0-offline=true"},
    {"auth_plugin", true, "plugins are not supported"},
    {"plugin", true, "plugins are not supported"},
    {"auth_plugin_deny_special_chars", true, "plugins are not supported"},
    {"per_listener_settings", true, "security settings apply to every listener here"},
    {"clientid_prefixes", true, "not implemented"},
    {"mount_point", true, "not implemented"},
    {"psk_file", true, "TLS-PSK is not supported"},
    {"psk_hint", true, "TLS-PSK is not supported"},
    {"crlfile", true, "certificate revocation lists are not supported"},
    {"capath", true, "use cafile"},
    {"ciphers", true, "not implemented (OpenSSL's defaults)"},
    {"ciphers_tls1.3", true, "not implemented (OpenSSL's defaults)"},
    {"dhparamfile", true, "not implemented"},
    {"tls_engine", true, "not implemented"},
    {"tls_engine_kpass_sha1", true, "not implemented"},
    {"tls_keyform", true, "not implemented"},
    {"use_subject_as_username", true, "use use_identity_as_username"},
    {"use_username_as_clientid", true, "not implemented"},
    {"allow_zero_length_clientid", true, "use --set assign-client-ids=false"},
    {"auto_id_prefix", true, "use --set assigned-client-id-prefix=PREFIX"},
    {"maximum_qos", true, "use --set max-qos=N"},
    {"max_topic_alias", true, "MQTT 5.0 only"},
    {"bind_address", true, "use 'listener PORT ADDRESS'"},
    {"bind_interface", true, "use 'listener PORT ADDRESS'"},
    {"socket_domain", true, "use 'listener PORT ADDRESS'"},
    {"http_dir", true, "not implemented"},
    {"include_dir", true, "not implemented: give one file"},
    {"connection", true, "bridges are not supported"},
    {"address", true, "bridges are not supported"},
    {"addresses", true, "bridges are not supported"},
    {"topic", true, "bridges are not supported (topic rules belong in the acl_file)"},
};

/** The TLS keys, per listener in mosquitto, one configuration for every listener here. */
const std::map<std::string, std::string> TLS_OPTIONS = {
    {"cafile", "--cafile"},
    {"certfile", "--certfile"},
    {"keyfile", "--keyfile"},
    {"require_certificate", "--require-certificate"},
    {"use_identity_as_username", "--use-identity-as-username"},
    {"tls_version", "--tls-version"},
};

struct Listener
{
    std::string endpoint;
    bool websockets = false;
    bool tls = false; //!< a certfile in its section
};

struct Setting
{
    std::string value;
    std::size_t line = 0;
};

/** "true" or "false", or an error naming @p key. */
LineResult
CheckBool(const std::string& key, const std::string& value)
{
    if (value == "true" || value == "false")
    {
        return std::nullopt;
    }
    return "expected 'true' or 'false' after " + key + ", got '" + value + "'";
}

LineResult
CheckCount(const std::string& key, const std::string& value)
{
    if (ParseCount(value))
    {
        return std::nullopt;
    }
    return "expected a whole number after " + key + ", got '" + value + "'";
}

/** mosquitto's expiration ("2h", "14d", "1w", "1m" = 30 days, "1y" = 365 days) in seconds. */
std::optional<uint64_t>
ExpirationSeconds(const std::string& value)
{
    static const std::map<char, uint64_t> UNITS = {
        {'h', 3600}, {'d', 86400}, {'w', 604800}, {'m', 2592000}, {'y', 31536000}};
    if (value.size() < 2 || UNITS.count(value.back()) == 0)
    {
        return std::nullopt;
    }
    std::optional<uint64_t> n = ParseCount(value.substr(0, value.size() - 1), 1000000);
    if (!n)
    {
        return std::nullopt;
    }
    return *n * UNITS.at(value.back());
}

class Translator
{
  public:
    explicit Translator(MosquittoConf& conf, const std::string& fileName)
        : m_conf(conf),
          m_fileName(fileName)
    {
    }

    LineResult
    Line(std::string_view raw, std::size_t lineNo)
    {
        std::string_view line = TrimBlanks(raw);
        if (line.empty() || line.front() == '#')
        {
            return std::nullopt;
        }
        const std::size_t blank = line.find_first_of(" \t");
        const std::string key(line.substr(0, blank));
        const std::string value(
            blank == std::string_view::npos ? "" : TrimBlanks(line.substr(blank)));
        if (key.rfind("plugin_opt_", 0) == 0 || key.rfind("auth_opt_", 0) == 0 ||
            key.rfind("bridge_", 0) == 0)
        {
            return key + ": plugins and bridges are not supported";
        }
        for (const Unmapped& u : UNMAPPED)
        {
            if (key == u.key)
            {
                if (u.refused)
                {
                    return key + " is not supported here (" + u.why + ")";
                }
                m_conf.warnings.push_back(m_fileName + ":" + std::to_string(lineNo) + ": " +
                                          key + " ignored (" + u.why + ")");
                return std::nullopt;
            }
        }
        if (value.empty())
        {
            return "expected a value after " + key;
        }
        return Mapped(key, value, lineNo);
    }

    /** The listeners, the TLS options and persistence, once every line is read. */
    LineResult
    Finish()
    {
        bool anyTls = false;
        for (const Listener& l : m_listeners)
        {
            const char* option = l.tls ? (l.websockets ? "--wss-listen" : "--tls-listen")
                                       : (l.websockets ? "--ws-listen" : "--listen");
            m_conf.listenArgs.push_back(option);
            m_conf.listenArgs.push_back(l.endpoint);
            anyTls = anyTls || l.tls;
        }
        if (!m_tls.empty() && !anyTls)
        {
            return std::string("TLS keys given but no listener has a certfile");
        }
        for (const auto& [key, setting] : m_tls)
        {
            const std::string& option = TLS_OPTIONS.at(key);
            if (key == "require_certificate" || key == "use_identity_as_username")
            {
                if (setting.value == "true")
                {
                    m_conf.args.push_back(option);
                }
                continue;
            }
            m_conf.args.push_back(option);
            m_conf.args.push_back(setting.value);
        }
        if (m_persistence)
        {
            m_conf.args.push_back("--persistence");
            m_conf.args.push_back(m_persistenceLocation.empty() ? "." : m_persistenceLocation);
        }
        return std::nullopt;
    }

  private:
    static std::string_view
    TrimBlanks(std::string_view s)
    {
        const std::size_t start = s.find_first_not_of(" \t");
        if (start == std::string_view::npos)
        {
            return {};
        }
        return s.substr(start, s.find_last_not_of(" \t") - start + 1);
    }

    void
    Add(const std::string& option, const std::string& value)
    {
        m_conf.args.push_back(option);
        m_conf.args.push_back(value);
    }

    LineResult
    Listen(const std::string& value, std::size_t lineNo)
    {
        const std::size_t blank = value.find_first_of(" \t");
        const std::string port = value.substr(0, blank);
        std::string address =
            blank == std::string::npos ? "" : std::string(TrimBlanks(value.substr(blank)));
        std::optional<uint64_t> n = ParseCount(port, 65535);
        if (!n)
        {
            return "expected 'listener PORT [ADDRESS]', got '" + value + "'";
        }
        if (*n == 0 || address.find('/') != std::string::npos)
        {
            return std::string("unix socket listeners are not supported");
        }
        if (address.empty())
        {
            address = "0.0.0.0"; // mosquitto: every interface
        }
        else if (address.find(':') != std::string::npos && address.front() != '[')
        {
            address = "[" + address + "]"; // IPv6
        }
        m_listeners.push_back(Listener{address + ":" + port, false, false});
        m_section = m_listeners.size();
        (void)lineNo;
        return std::nullopt;
    }

    LineResult
    Tls(const std::string& key, const std::string& value, std::size_t lineNo)
    {
        if (key == "require_certificate" || key == "use_identity_as_username")
        {
            if (LineResult bad = CheckBool(key, value))
            {
                return bad;
            }
        }
        auto [it, inserted] = m_tls.emplace(key, Setting{value, lineNo});
        if (!inserted && it->second.value != value)
        {
            return key + ": this broker has one TLS configuration for all its listeners, and " +
                   key + " was '" + it->second.value + "' on line " +
                   std::to_string(it->second.line);
        }
        if (key == "certfile")
        {
            if (m_section == 0)
            {
                return std::string("certfile before any listener: give 'listener PORT' first");
            }
            m_listeners[m_section - 1].tls = true;
        }
        return std::nullopt;
    }

    LineResult
    Mapped(const std::string& key, const std::string& value, std::size_t lineNo)
    {
        if (key == "listener")
        {
            return Listen(value, lineNo);
        }
        if (key == "port")
        {
            return Listen(value, lineNo);
        }
        if (key == "protocol")
        {
            if (m_section == 0)
            {
                return std::string("protocol before any listener: give 'listener PORT' first");
            }
            if (value != "mqtt" && value != "websockets")
            {
                return "expected 'mqtt' or 'websockets' after protocol, got '" + value + "'";
            }
            m_listeners[m_section - 1].websockets = value == "websockets";
            return std::nullopt;
        }
        if (TLS_OPTIONS.count(key) != 0)
        {
            return Tls(key, value, lineNo);
        }
        if (key == "allow_anonymous" || key == "persistence")
        {
            if (LineResult bad = CheckBool(key, value))
            {
                return bad;
            }
            if (key == "persistence")
            {
                m_persistence = value == "true";
                return std::nullopt;
            }
            Add("--allow-anonymous", value);
            return std::nullopt;
        }
        if (key == "password_file" || key == "acl_file" || key == "persistence_location")
        {
            if (key == "persistence_location")
            {
                m_persistenceLocation = value;
                return std::nullopt;
            }
            Add(key == "password_file" ? "--passwords" : "--acl", value);
            return std::nullopt;
        }
        // Counts: mosquitto's 0 means "no limit" for each of these, as it does here.
        static const std::map<std::string, std::pair<const char*, bool>> COUNTS = {
            {"max_queued_messages", {"max-queued-messages", true}},
            {"max_inflight_messages", {"max-inflight-out", true}},
            {"max_packet_size", {"max-packet-size", true}},
            {"message_size_limit", {"--max-packet-size", false}},
            {"memory_limit", {"--memory-limit", false}},
        };
        if (auto it = COUNTS.find(key); it != COUNTS.end())
        {
            if (LineResult bad = CheckCount(key, value))
            {
                return bad;
            }
            const auto& [name, isSetting] = it->second;
            if (isSetting)
            {
                Add("--set", std::string(name) + "=" + value);
            }
            else
            {
                Add(name, value);
            }
            return std::nullopt;
        }
        if (key == "persistent_client_expiration")
        {
            std::optional<uint64_t> seconds = ExpirationSeconds(value);
            if (!seconds)
            {
                return "expected a duration like 2h, 14d, 1w, 1m or 1y after " + key +
                       ", got '" + value + "'";
            }
            Add("--persistent-client-expiration", std::to_string(*seconds) + "s");
            return std::nullopt;
        }
        return "unknown key '" + key + "'";
    }

    MosquittoConf& m_conf;
    const std::string& m_fileName;
    std::vector<Listener> m_listeners;
    std::size_t m_section = 0; //!< 1-based index of the listener whose section this is; 0: none
    std::map<std::string, Setting> m_tls;
    bool m_persistence = false;
    std::string m_persistenceLocation;
};

} // namespace

bool
TranslateMosquittoConf(std::string_view text,
                       const std::string& fileName,
                       MosquittoConf& conf,
                       MqttConfigError& error)
{
    MosquittoConf result;
    Translator translator(result, fileName);
    const std::vector<std::string_view> lines = SplitConfigLines(text);
    for (std::size_t i = 0; i < lines.size(); ++i)
    {
        if (LineResult bad = translator.Line(lines[i], i + 1))
        {
            error = MqttConfigError{fileName, i + 1, *bad};
            return false;
        }
    }
    if (LineResult bad = translator.Finish())
    {
        error = MqttConfigError{fileName, 0, *bad};
        return false;
    }
    conf = std::move(result);
    return true;
}

bool
LoadMosquittoConf(const std::string& path, MosquittoConf& conf, MqttConfigError& error)
{
    std::string text;
    return ReadConfigFile(path, text, error) && TranslateMosquittoConf(text, path, conf, error);
}

bool
ArgsWithConfig(const std::vector<std::string>& args,
               std::vector<std::string>& out,
               std::vector<std::string>& warnings,
               std::string& error)
{
    std::optional<std::string> path;
    bool listens = false;
    for (std::size_t i = 0; i < args.size(); ++i)
    {
        const std::string& a = args[i];
        if (a == "--config" && i + 1 < args.size())
        {
            path = args[i + 1];
        }
        else if (a.rfind("--config=", 0) == 0)
        {
            path = a.substr(9);
        }
        for (const char* option : {"--listen", "--tls-listen", "--ws-listen", "--wss-listen"})
        {
            const std::string name(option);
            listens = listens || a == name || a.rfind(name + "=", 0) == 0;
        }
    }
    out.clear();
    if (path)
    {
        MosquittoConf conf;
        MqttConfigError why;
        if (!LoadMosquittoConf(*path, conf, why))
        {
            error = "--config: " + why.ToString();
            return false;
        }
        if (!listens)
        {
            out = conf.listenArgs;
        }
        out.insert(out.end(), conf.args.begin(), conf.args.end());
        warnings = conf.warnings;
    }
    out.insert(out.end(), args.begin(), args.end());
    return true;
}

} // namespace mqtt
} // namespace ns3
