/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * mqtt-broker: the ns3-mqtt broker engine as a standalone MQTT 3.1.1 broker on real sockets
 * (what `./ns3-mqtt broker` runs).
 */
#include "mqtt-acl.h"
#include "mqtt-authenticator.h"
#include "mqtt-broker-engine.h"
#include "mqtt-broker-limits.h"
#include "mqtt-broker-profile.h"
#include "mqtt-broker-settings.h"
#include "mqtt-command-line.h"
#include "mqtt-mosquitto-conf.h"
#include "mqtt-password-hashes.h"
#include "mqtt-scram.h"
#include "mqtt-posix-broker.h"
#include "mqtt-posix-clock.h"
#include "mqtt-posix-socket.h"
#include "mqtt-tls.h"
#include "mqtt-sqlite-store.h"
#include "mqtt-units.h"
#ifdef MQTT_BROKER_RECORD
#include "mqtt-broker-record.h"
#endif

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace ns3::mqtt;

namespace
{

/** The command line as given (values as text, checked by ReadBrokerArgs). */
struct BrokerArgs
{
    std::vector<std::string> listen;
    std::vector<std::string> tlsListen;
    std::vector<std::string> wsListen;
    std::vector<std::string> wssListen;
    MqttTlsOptions tls;
    std::string alpn;
    std::string handshakeTimeout;
    bool identityAsUserName = false;
    std::string profile = "standard";
    std::string passwords;
    std::string scramUsers;
    std::string acl;
    std::string config;
    std::string allowAnonymous;
    std::string record;
    std::string connectTimeout;
    std::string maxQueued;
    std::string maxInflight;
    std::vector<std::string> settings;
    std::string backPressure;
    std::string maxUnsentBytes;
    std::string seed = "1";
    std::string persistence;
    bool quiet = false;
    BrokerLimitArgs limits;
};

/** What the broker runs with, from the command line. */
struct BrokerConfig
{
    MqttPosixBrokerOptions options;
    MqttBrokerProfile profile;
    uint64_t seed = 1;
    std::optional<uint64_t> backPressure;
    std::string passwords;
    std::string scramUsers;
    std::string acl;
    std::optional<bool> allowAnonymous;
    std::string record;
    std::string persistence;
};

void
DeclareOptions(MqttCommandLine& cli, BrokerArgs& a)
{
    std::string names;
    for (const std::string& name : MqttBrokerProfile::Names())
    {
        names += (names.empty() ? "" : "|") + name;
    }
    CLI::App& app = cli.App();
    cli.AddRepeatable("--listen",
                      &a.listen,
                      "HOST:PORT",
                      "listen here (repeatable; IPv6 as [ADDR]:PORT; port 0: any free\n"
                      "port, printed at start). Default 127.0.0.1:1883 when no\n"
                      "listener of any kind is given.");
    cli.AddRepeatable("--tls-listen",
                      &a.tlsListen,
                      "HOST:PORT",
                      "listen here for MQTT over TLS (repeatable; needs --certfile\n"
                      "and --keyfile)");
    cli.AddRepeatable("--ws-listen",
                      &a.wsListen,
                      "HOST:PORT",
                      "listen here for MQTT over WebSocket (repeatable)");
    cli.AddRepeatable("--wss-listen",
                      &a.wssListen,
                      "HOST:PORT",
                      "listen here for MQTT over WebSocket over TLS (repeatable)");
    app.add_option("--cafile", a.tls.caFile, "CA certificates (PEM) that sign client certificates")
        ->type_name("FILE");
    app.add_option("--certfile", a.tls.certFile, "the broker's certificate chain (PEM)")
        ->type_name("FILE");
    app.add_option("--keyfile", a.tls.keyFile, "the private key of --certfile (PEM)")
        ->type_name("FILE");
    app.add_flag("--require-certificate",
                 a.tls.requireCertificate,
                 "refuse TLS clients without a certificate signed by --cafile");
    app.add_flag("--use-identity-as-username",
                 a.identityAsUserName,
                 "the client certificate's CN is the user name (ACL, %u);\n"
                 "needs --require-certificate");
    app.add_option("--tls-version",
                   a.tls.version,
                   "lowest TLS version accepted: tlsv1.2 or tlsv1.3 (default tlsv1.2)")
        ->type_name("VERSION");
    app.add_option("--alpn",
                   a.alpn,
                   "ALPN protocols accepted, comma-separated (x-amzn-mqtt-ca,mqtt);\n"
                   "a client offering none of them is refused")
        ->type_name("LIST");
    app.add_option("--handshake-timeout",
                   a.handshakeTimeout,
                   "seconds a TLS or WebSocket handshake may take (default 10)")
        ->type_name("S");
    app.add_option("--profile", a.profile, "broker profile: " + names + " (default standard)")
        ->type_name("NAME");
    app.add_option("--passwords", a.passwords, "user names and passwords (format: doc/auth.md)")
        ->type_name("FILE");
    app.add_option("--scram-users",
                   a.scramUsers,
                   "SCRAM-SHA-256 credentials for MQTT 5.0 enhanced authentication\n"
                   "(format: doc/auth.md)")
        ->type_name("FILE");
    app.add_option("--acl", a.acl, "topic access control (format: doc/auth.md)")->type_name("FILE");
    app.add_option("--allow-anonymous",
                   a.allowAnonymous,
                   "whether clients without a user name may connect: true or\n"
                   "false (over the password file's allow_anonymous; false\n"
                   "without --passwords refuses every client, as mosquitto)")
        ->type_name("BOOL");
    app.add_option("--config",
                   a.config,
                   "read a mosquitto.conf: the keys that map onto this broker's\n"
                   "options (doc/real-socket.md); options given on the\n"
                   "command line override the file's")
        ->type_name("FILE");
    cli.AddRepeatable("--set",
                      &a.settings,
                      "KEY=VALUE",
                      "a broker setting over the profile (repeatable; the keys below)");
    app.add_option("--connect-timeout",
                   a.connectTimeout,
                   "seconds a new connection has to send CONNECT (--set connect-timeout=Ss)")
        ->type_name("S");
    app.add_option("--max-queued-messages",
                   a.maxQueued,
                   "messages queued per session, > 0 (--set max-queued-messages=N)")
        ->type_name("N");
    app.add_option("--max-inflight",
                   a.maxInflight,
                   "QoS 1/2 messages in flight to one client, > 0\n(--set max-inflight-out=N)")
        ->type_name("N");
    app.add_option("--backpressure",
                   a.backPressure,
                   "stop reading a publisher whose message finds N messages\n"
                   "queued for a connected subscriber, until that queue is down\n"
                   "to N/2 (at most 1 s per pause; 0: off; default: half the\n"
                   "queue bound, at most 1000)")
        ->type_name("N");
    app.add_option("--max-unsent-bytes",
                   a.maxUnsentBytes,
                   "close a connection that leaves more than N bytes unread\n(default 8388608)")
        ->type_name("N");
    app.add_option("--seed", a.seed, "seed of the engine's randomness (default 1)")->type_name("N");
    app.add_option("--record",
                   a.record,
                   "record connections, publishes, deliveries, drops and\n"
                   "statistics (doc/results.md; times from the broker's start)")
        ->type_name("FILE.h5");
    app.add_option("--persistence",
                   a.persistence,
                   "keep sessions, queued and in-flight messages and retained\n"
                   "messages in DIR/broker.db (SQLite); a PUBACK/PUBREC is sent\n"
                   "only once the message is stored (doc/broker-engine.md)")
        ->type_name("DIR");
    app.add_flag("--quiet", a.quiet, "no connect/disconnect lines");
    DeclareBrokerLimitOptions(cli, a.limits);
    MqttBrokerProfile standalone = MqttBrokerProfile::Standard311();
    ApplyStandaloneDefaults(standalone);
    cli.SetFooter("Broker settings (--set KEY=VALUE; the older options above set some of them,\n"
                  "before --set), with their values in the standard profile of this broker:\n" +
                  MqttBrokerSettings::Describe(standalone));
}

/** The profile --profile names, with the older setting options and then --set applied. */
std::optional<MqttBrokerProfile>
ReadProfile(const BrokerArgs& a, MqttCommandLine& cli)
{
    std::optional<MqttBrokerProfile> profile = MqttBrokerProfile::ByName(a.profile);
    if (!profile)
    {
        std::string names;
        for (const std::string& name : MqttBrokerProfile::Names())
        {
            names += (names.empty() ? "" : ", ") + name;
        }
        cli.Fail("--profile: unknown profile '" + a.profile + "' (known: " + names + ")");
        return std::nullopt;
    }
    if (!ApplyBrokerLimits(a.limits, *profile, cli))
    {
        return std::nullopt;
    }
    struct Alias
    {
        const char* option;
        const std::string& value;
        const char* key;
        uint64_t min;
        const char* unit;
        const char* expected;
    };
    const Alias aliases[] = {
        {"--connect-timeout",
         a.connectTimeout,
         "connect-timeout",
         0,
         "s",
         "a whole number of seconds"},
        {"--max-queued-messages",
         a.maxQueued,
         "max-queued-messages",
         1,
         "",
         "a positive whole number"},
        {"--max-inflight", a.maxInflight, "max-inflight-out", 1, "", "a positive whole number"},
    };
    for (const Alias& alias : aliases)
    {
        if (alias.value.empty())
        {
            continue;
        }
        std::optional<uint64_t> n = ParseCount(alias.value, 0xFFFFFFFFull);
        if (!n || *n < alias.min ||
            MqttBrokerSettings::Apply(&*profile, alias.key, alias.value + alias.unit))
        {
            cli.Fail(MqttCommandLine::Expected(alias.option, alias.expected, alias.value));
            return std::nullopt;
        }
    }
    for (const std::string& setting : a.settings)
    {
        if (auto error = MqttBrokerSettings::ApplyAssignment(&*profile, setting))
        {
            cli.Fail("--set: " + error->ToString());
            return std::nullopt;
        }
    }
    return profile;
}

/** Parses the addresses of a listen option into @p endpoints; false: cli holds the error. */
bool
ReadListen(const char* option,
           const std::vector<std::string>& texts,
           MqttCommandLine& cli,
           std::vector<MqttPosixEndpoint>& endpoints)
{
    for (const std::string& text : texts)
    {
        MqttPosixEndpoint endpoint;
        std::string error;
        if (!MqttPosixEndpoint::Parse(text, endpoint, error))
        {
            cli.Fail(std::string(option) + " " + error);
            return false;
        }
        endpoints.push_back(endpoint);
    }
    return true;
}

/** The TLS and WebSocket options into @p config; false: cli holds the error. */
bool
ReadTlsArgs(const BrokerArgs& a, MqttCommandLine& cli, BrokerConfig& config)
{
    if (!ReadListen("--tls-listen", a.tlsListen, cli, config.options.tlsListen) ||
        !ReadListen("--ws-listen", a.wsListen, cli, config.options.wsListen) ||
        !ReadListen("--wss-listen", a.wssListen, cli, config.options.wssListen))
    {
        return false;
    }
    MqttTlsOptions tls = a.tls;
    for (std::size_t start = 0; !a.alpn.empty() && start <= a.alpn.size();)
    {
        std::size_t comma = a.alpn.find(',', start);
        tls.alpn.push_back(a.alpn.substr(start, comma == std::string::npos ? comma : comma - start));
        start = comma == std::string::npos ? a.alpn.size() + 1 : comma + 1;
    }
    if (!MqttTlsContext::ValidVersion(tls.version))
    {
        cli.Fail(MqttCommandLine::Expected("--tls-version", "tlsv1.2 or tlsv1.3", tls.version));
        return false;
    }
    if (a.identityAsUserName && !tls.requireCertificate)
    {
        cli.Fail("--use-identity-as-username needs --require-certificate");
        return false;
    }
    if (!a.handshakeTimeout.empty())
    {
        std::optional<uint64_t> seconds = ParseCount(a.handshakeTimeout, 3600);
        if (!seconds || *seconds == 0)
        {
            cli.Fail(MqttCommandLine::Expected(
                "--handshake-timeout", "a whole number of seconds from 1 to 3600", a.handshakeTimeout));
            return false;
        }
        config.options.handshakeTimeout = std::chrono::seconds(*seconds);
    }
    bool tlsListeners = !config.options.tlsListen.empty() || !config.options.wssListen.empty();
    bool tlsOptions = !tls.caFile.empty() || !tls.certFile.empty() || !tls.keyFile.empty() ||
                      tls.requireCertificate || !tls.version.empty() || !tls.alpn.empty();
    if (!tlsListeners)
    {
        if (tlsOptions)
        {
            cli.Fail("TLS options need a TLS listener (--tls-listen or --wss-listen)");
            return false;
        }
        return true;
    }
    if (tls.certFile.empty() || tls.keyFile.empty())
    {
        cli.Fail("--tls-listen and --wss-listen need --certfile and --keyfile");
        return false;
    }
    std::string error;
    config.options.tls = MqttTlsContext::Create(MqttTlsContext::Role::Server, tls, error);
    if (!config.options.tls)
    {
        // The error names the file; the option is the one that gave it.
        const char* option = error.rfind("certificate file", 0) == 0 ? "--certfile"
                             : error.rfind("key file", 0) == 0       ? "--keyfile"
                             : error.rfind("CA file", 0) == 0        ? "--cafile"
                                                                     : "TLS";
        cli.Fail(std::string(option) + ": " + error);
        return false;
    }
    config.options.identityAsUserName = a.identityAsUserName;
    return true;
}

/** Checks the command line into @p config; false: cli holds the error. */
bool
ReadBrokerArgs(const BrokerArgs& a, MqttCommandLine& cli, BrokerConfig& config)
{
    if (!ReadListen("--listen", a.listen, cli, config.options.listen) ||
        !ReadTlsArgs(a, cli, config))
    {
        return false;
    }
    std::optional<MqttBrokerProfile> profile = ReadProfile(a, cli);
    if (!profile)
    {
        return false;
    }
    config.profile = *profile;
    if (!a.backPressure.empty())
    {
        config.backPressure = ParseCount(a.backPressure, 0xFFFFFFFFull);
        if (!config.backPressure)
        {
            cli.Fail(MqttCommandLine::Expected(
                "--backpressure", "a whole number of messages", a.backPressure));
            return false;
        }
    }
    if (!a.maxUnsentBytes.empty())
    {
        std::optional<uint64_t> bytes = ParseCount(a.maxUnsentBytes);
        if (!bytes || *bytes == 0)
        {
            cli.Fail(MqttCommandLine::Expected(
                "--max-unsent-bytes", "a positive number of bytes", a.maxUnsentBytes));
            return false;
        }
        config.options.maxUnsentBytes = static_cast<std::size_t>(*bytes);
    }
    std::optional<uint64_t> seed = ParseCount(a.seed);
    if (!seed)
    {
        cli.Fail(MqttCommandLine::Expected("--seed", "a number", a.seed));
        return false;
    }
    config.seed = *seed;
#ifndef MQTT_BROKER_RECORD
    if (!a.record.empty())
    {
        cli.Fail("--record " + a.record +
                 ": this build has no HDF5 recorder (the core-only sanitizer build); use the "
                 "normal build (./ns3-mqtt broker)");
        return false;
    }
#endif
    if (a.quiet)
    {
        config.options.log = nullptr;
    }
    config.passwords = a.passwords;
    config.scramUsers = a.scramUsers;
    config.acl = a.acl;
    if (!a.allowAnonymous.empty())
    {
        if (a.allowAnonymous != "true" && a.allowAnonymous != "false")
        {
            cli.Fail(MqttCommandLine::Expected(
                "--allow-anonymous", "true or false", a.allowAnonymous));
            return false;
        }
        config.allowAnonymous = a.allowAnonymous == "true";
    }
    config.record = a.record;
    config.persistence = a.persistence;
    return true;
}

/** Ends the program on an error found after the command line was read (a file, a socket). */
[[noreturn]] void
Exit(MqttCommandLine& cli, const std::string& message)
{
    cli.Fail(message);
    std::exit(cli.Report());
}

/** Back-pressure, authentication and access control, as configured. */
void
ConfigureEngine(MqttBrokerEngine& engine, const BrokerConfig& config, MqttCommandLine& cli)
{
    uint64_t backPressure = 0;
    if (config.backPressure)
    {
        backPressure = *config.backPressure;
    }
    else
    {
        // Well below the queue bound, so that publishers wait before anything is dropped.
        uint32_t bound = config.profile.maxQueuedMessages;
        backPressure = bound == 0 ? 1000 : std::min<uint64_t>(1000, bound / 2);
    }
    engine.SetBackPressure(static_cast<std::size_t>(backPressure), std::chrono::seconds(1));
    if (!config.passwords.empty() || (config.allowAnonymous && !*config.allowAnonymous))
    {
        // allow_anonymous false without a password file: an empty table, no one gets in.
        auto authenticator = std::make_shared<MqttAuthenticator>();
        authenticator->SetPasswordVerifier(MqttPasswordHashes::Shared());
        MqttConfigError error;
        if (!config.passwords.empty() && !authenticator->Load(config.passwords, error))
        {
            Exit(cli, "--passwords: " + error.ToString());
        }
        if (config.allowAnonymous)
        {
            authenticator->SetAllowAnonymous(*config.allowAnonymous);
        }
        engine.SetAuthenticator(authenticator);
    }
    if (!config.scramUsers.empty())
    {
        auto scram = std::make_shared<MqttScramSha256>();
        MqttConfigError error;
        if (!scram->Load(config.scramUsers, error))
        {
            Exit(cli, "--scram-users: " + error.ToString());
        }
        auto methods = std::make_shared<MqttAuthMethods>();
        methods->Add(scram);
        engine.SetAuthMethods(methods);
    }
    if (!config.acl.empty())
    {
        auto acl = std::make_shared<MqttAcl>();
        MqttConfigError error;
        if (!acl->Load(config.acl, error))
        {
            Exit(cli, "--acl: " + error.ToString());
        }
        engine.SetAcl(acl);
    }
}

#ifdef MQTT_BROKER_RECORD
/** Starts recording to config.record (if given): events as they come, statistics each second. */
std::unique_ptr<MqttBrokerRecord>
StartRecord(MqttPosixBroker& broker,
            const MqttBrokerEngine& engine,
            const BrokerConfig& config,
            const std::string& listening,
            MqttCommandLine& cli)
{
    if (config.record.empty())
    {
        return nullptr;
    }
    std::string error;
    std::unique_ptr<MqttBrokerRecord> record = MqttBrokerRecord::Create(
        config.record, config.profile.name, listening, PosixMonotonicNow(), &error);
    if (!record)
    {
        Exit(cli, "--record " + config.record + ": " + error);
    }
    MqttBrokerRecord* r = record.get();
    broker.SetEventCallback([r](const MqttEvent& event, Nanos now) { r->OnEvent(event, now); });
    broker.SetTick(std::chrono::seconds(1),
                   [r, &broker, &engine](Nanos now)
                   {
                       r->Sample(engine,
                                 broker.GetStats().bytesIn,
                                 broker.GetStats().bytesOut,
                                 broker.ConnectionCount(),
                                 now);
                   });
    std::fprintf(stderr, "mqtt-broker: recording to %s\n", config.record.c_str());
    return record;
}

/** The last sample, and the file closed; false (said on stderr) if it could not be written. */
bool
FinishRecord(MqttBrokerRecord& record,
             const MqttPosixBroker& broker,
             const MqttBrokerEngine& engine,
             const BrokerConfig& config)
{
    record.Sample(engine,
                  broker.GetStats().bytesIn,
                  broker.GetStats().bytesOut,
                  broker.ConnectionCount(),
                  PosixMonotonicNow());
    record.RecordAccount(engine);
    std::string error;
    if (!record.Close(&error))
    {
        std::fprintf(
            stderr, "mqtt-broker: --record %s: %s\n", config.record.c_str(), error.c_str());
        return false;
    }
    return true;
}
#endif

} // namespace

int
main(int argc, char** argv)
{
    MqttCommandLine cli("mqtt-broker",
                        "The ns3-mqtt broker engine as a standalone MQTT 3.1.1 broker on real TCP "
                        "sockets\n(./ns3-mqtt broker [options]). Runs in the foreground, logs one "
                        "line per connect\nand disconnect to stderr, and stops cleanly on SIGINT "
                        "or SIGTERM.");
    BrokerArgs args;
    DeclareOptions(cli, args);
    BrokerConfig config;
    // --config FILE: the file's options first, so that the command line overrides them.
    std::vector<std::string> given(argv + 1, argv + argc);
    std::vector<std::string> expanded;
    std::vector<std::string> warnings;
    std::string configError;
    if (!ArgsWithConfig(given, expanded, warnings, configError))
    {
        cli.Fail(configError);
        return cli.Report();
    }
    std::vector<const char*> expandedArgv{argv[0]};
    for (const std::string& arg : expanded)
    {
        expandedArgv.push_back(arg.c_str());
    }
    if (cli.Parse(static_cast<int>(expandedArgv.size()), expandedArgv.data()) !=
            MqttCommandLine::Outcome::Run ||
        !ReadBrokerArgs(args, cli, config))
    {
        return cli.Report();
    }
    for (const std::string& warning : warnings)
    {
        std::fprintf(stderr, "mqtt-broker: warning: %s\n", warning.c_str());
    }
    if (config.options.listen.empty() && config.options.tlsListen.empty() &&
        config.options.wsListen.empty() && config.options.wssListen.empty())
    {
        MqttPosixEndpoint endpoint;
        std::string error;
        MqttPosixEndpoint::Parse("127.0.0.1:1883", endpoint, error);
        config.options.listen.push_back(endpoint);
    }
    MqttBrokerEngine engine(config.profile, config.seed);
    ConfigureEngine(engine, config, cli);

    // Thousands of clients need thousands of descriptors; `ulimit -n` is often 1024.
    uint64_t fileLimit = PosixRaiseFileLimit();
    MqttPosixBroker broker(engine, config.options);
    std::string error;
    if (!broker.Open(error) || !broker.StopOnSignals(error))
    {
        Exit(cli, error);
    }
    // A file size limit (ulimit -f) must fail a write (EFBIG), like a full disk, not kill us.
    std::signal(SIGXFSZ, SIG_IGN);
    // The store is read before the first connection is accepted; a file that cannot be read
    // whole stops the broker: serving with part of the acknowledged state lost would be a lie.
    MqttSqliteStore store;
    if (!config.persistence.empty())
    {
        MqttDurableState state;
        if (!store.Open(config.persistence, state, error) || !broker.Restore(state, error))
        {
            Exit(cli, "--persistence: " + (error.rfind(store.Path(), 0) == 0 || store.Path().empty()
                                               ? error
                                               : store.Path() + ": " + error));
        }
        if (!broker.SetStore([&store](const std::vector<PersistOp>& ops, std::string& why)
                             { return store.Commit(ops, why); },
                             error))
        {
            Exit(cli, "--persistence: " + error);
        }
        std::fprintf(stderr,
                     "mqtt-broker: persistence %s: %zu sessions, %zu retained messages, %zu "
                     "messages restored\n",
                     store.Path().c_str(),
                     state.sessions.size(),
                     state.retained.size(),
                     state.messages.size());
    }
    std::string listening;
    std::vector<std::string> protocols = broker.ListeningProtocols();
    for (std::size_t i = 0; i < broker.Listening().size(); ++i)
    {
        std::string endpoint = broker.Listening()[i].ToString();
        if (protocols[i] != "mqtt")
        {
            endpoint += " (" + protocols[i] + ")";
        }
        std::fprintf(stderr, "mqtt-broker: listening on %s\n", endpoint.c_str());
        listening += (listening.empty() ? "" : " ") + endpoint;
    }
#ifdef MQTT_BROKER_RECORD
    std::unique_ptr<MqttBrokerRecord> record = StartRecord(broker, engine, config, listening, cli);
#endif
    std::fprintf(stderr,
                 "mqtt-broker: profile %s, file descriptor limit %llu\n",
                 config.profile.name.c_str(),
                 static_cast<unsigned long long>(fileLimit));
    std::fflush(stderr);

    broker.Run();
#ifdef MQTT_BROKER_RECORD
    if (record && !FinishRecord(*record, broker, engine, config))
    {
        return 1;
    }
#endif

    const MqttPosixBroker::Stats& stats = broker.GetStats();
    std::fprintf(stderr,
                 "mqtt-broker: stopped; connections accepted %llu, closed by the broker %llu, "
                 "by peers %llu, as slow consumers %llu\n",
                 static_cast<unsigned long long>(stats.accepted),
                 static_cast<unsigned long long>(stats.closedByEngine),
                 static_cast<unsigned long long>(stats.closedByPeer),
                 static_cast<unsigned long long>(stats.closedSlow));
    if (!config.persistence.empty())
    {
        std::fprintf(stderr,
                     "mqtt-broker: persistence: %llu commits of %llu batches, %llu failed\n",
                     static_cast<unsigned long long>(stats.commits),
                     static_cast<unsigned long long>(stats.persistBatches),
                     static_cast<unsigned long long>(stats.commitFailures));
    }
    return 0;
}
