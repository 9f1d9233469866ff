/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * mqtt-broker: the ns3-mqtt broker engine as a standalone MQTT 3.1.1 broker on real sockets
 * (what `./ns3-mqtt broker` runs).
 */
#include "mqtt-acl.h"
#include "mqtt-authenticator.h"
#include "mqtt-broker-engine.h"
#include "mqtt-broker-profile.h"
#include "mqtt-posix-broker.h"
#include "mqtt-posix-clock.h"
#include "mqtt-posix-socket.h"
#ifdef MQTT_BROKER_RECORD
#include "mqtt-broker-record.h"
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace ns3::mqtt;

namespace
{

void
Usage(std::FILE* out)
{
    std::string names;
    for (const std::string& name : MqttBrokerProfile::Names())
    {
        names += (names.empty() ? "" : "|") + name;
    }
    std::fprintf(
        out,
        "Usage: mqtt-broker [options]    (./ns3-mqtt broker [options])\n"
        "\n"
        "The ns3-mqtt broker engine as a standalone MQTT 3.1.1 broker on real TCP sockets.\n"
        "Runs in the foreground, logs one line per connect and disconnect to stderr, and stops\n"
        "cleanly on SIGINT or SIGTERM.\n"
        "\n"
        "  --listen HOST:PORT     listen here (repeatable; IPv6 as [ADDR]:PORT; port 0: any free\n"
        "                         port, printed at start). Default 127.0.0.1:1883.\n"
        "  --profile NAME         broker profile: %s (default standard)\n"
        "  --passwords FILE       user names and passwords (format: doc/auth.md)\n"
        "  --acl FILE             topic access control (format: doc/auth.md)\n"
        "  --connect-timeout S    seconds a new connection has to send CONNECT (default: the\n"
        "                         profile's)\n"
        "  --max-queued-messages N  messages queued per session (overrides the profile)\n"
        "  --max-inflight N       QoS 1/2 messages in flight to one client (overrides the\n"
        "                         profile)\n"
        "  --backpressure N       stop reading a publisher whose message finds N messages\n"
        "                         queued for a connected subscriber, until that queue is down\n"
        "                         to N/2 (at most 1 s per pause; 0: off; default: half the\n"
        "                         queue bound, at most 1000)\n"
        "  --max-unsent-bytes N   close a connection that leaves more than N bytes unread\n"
        "                         (default 8388608)\n"
        "  --seed N               seed of the engine's randomness (default 1)\n"
        "  --record FILE.h5       record connections, publishes, deliveries, drops and\n"
        "                         statistics (doc/results.md; times from the broker's start)\n"
        "  --quiet                no connect/disconnect lines\n"
        "  --help                 this text\n",
        names.c_str());
}

[[noreturn]] void
Fail(const std::string& message)
{
    std::fprintf(stderr, "mqtt-broker: %s\n", message.c_str());
    std::exit(2);
}

bool
ParseUnsigned(const std::string& text, unsigned long long& value)
{
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
        text.size() > 18)
    {
        return false;
    }
    value = std::stoull(text);
    return true;
}

} // namespace

int
main(int argc, char** argv)
{
    MqttPosixBrokerOptions options;
    std::string profileName = "standard";
    std::string passwordFile;
    std::string aclFile;
    std::string recordFile;
    std::optional<unsigned long long> connectTimeout;
    std::optional<unsigned long long> maxQueued;
    std::optional<unsigned long long> maxInflight;
    std::optional<unsigned long long> backPressure;
    unsigned long long seed = 1;
    bool quiet = false;

    std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i)
    {
        const std::string& arg = args[i];
        auto value = [&](const char* option) -> std::string
        {
            if (i + 1 >= args.size())
            {
                Fail(std::string(option) + ": missing value (see --help)");
            }
            return args[++i];
        };
        if (arg == "--help" || arg == "-h")
        {
            Usage(stdout);
            return 0;
        }
        else if (arg == "--listen")
        {
            std::string text = value("--listen");
            MqttPosixEndpoint endpoint;
            std::string error;
            if (!MqttPosixEndpoint::Parse(text, endpoint, error))
            {
                Fail("--listen " + error);
            }
            options.listen.push_back(endpoint);
        }
        else if (arg == "--profile")
        {
            profileName = value("--profile");
        }
        else if (arg == "--passwords")
        {
            passwordFile = value("--passwords");
        }
        else if (arg == "--acl")
        {
            aclFile = value("--acl");
        }
        else if (arg == "--record")
        {
            recordFile = value("--record");
        }
        else if (arg == "--connect-timeout")
        {
            unsigned long long seconds = 0;
            if (!ParseUnsigned(value("--connect-timeout"), seconds))
            {
                Fail("--connect-timeout: expected a whole number of seconds, got '" + args[i] +
                     "'");
            }
            connectTimeout = seconds;
        }
        else if (arg == "--max-queued-messages" || arg == "--max-inflight")
        {
            unsigned long long count = 0;
            std::string text = value(arg.c_str());
            if (!ParseUnsigned(text, count) || count == 0 || count > 0xFFFFFFFFull)
            {
                Fail(arg + ": expected a positive whole number, got '" + text + "'");
            }
            (arg == "--max-inflight" ? maxInflight : maxQueued) = count;
        }
        else if (arg == "--backpressure")
        {
            unsigned long long depth = 0;
            std::string text = value("--backpressure");
            if (!ParseUnsigned(text, depth) || depth > 0xFFFFFFFFull)
            {
                Fail("--backpressure: expected a whole number of messages, got '" + text + "'");
            }
            backPressure = depth;
        }
        else if (arg == "--max-unsent-bytes")
        {
            unsigned long long bytes = 0;
            if (!ParseUnsigned(value("--max-unsent-bytes"), bytes) || bytes == 0)
            {
                Fail("--max-unsent-bytes: expected a positive number of bytes, got '" + args[i] +
                     "'");
            }
            options.maxUnsentBytes = static_cast<std::size_t>(bytes);
        }
        else if (arg == "--seed")
        {
            if (!ParseUnsigned(value("--seed"), seed))
            {
                Fail("--seed: expected a number, got '" + args[i] + "'");
            }
        }
        else if (arg == "--quiet")
        {
            quiet = true;
        }
        else
        {
            Fail("unknown option '" + arg + "' (see --help)");
        }
    }

#ifndef MQTT_BROKER_RECORD
    if (!recordFile.empty())
    {
        Fail("--record " + recordFile +
             ": this build has no HDF5 recorder (the core-only sanitizer build); use the normal "
             "build (./ns3-mqtt broker)");
    }
#endif
    std::optional<MqttBrokerProfile> profile = MqttBrokerProfile::ByName(profileName);
    if (!profile)
    {
        std::string names;
        for (const std::string& name : MqttBrokerProfile::Names())
        {
            names += (names.empty() ? "" : ", ") + name;
        }
        Fail("--profile: unknown profile '" + profileName + "' (known: " + names + ")");
    }
    if (connectTimeout)
    {
        profile->connectTimeout = std::chrono::seconds(*connectTimeout);
    }
    if (maxQueued)
    {
        profile->maxQueuedMessages = static_cast<uint32_t>(*maxQueued);
    }
    if (maxInflight)
    {
        profile->maxInflightOut = static_cast<uint32_t>(*maxInflight);
    }
    if (options.listen.empty())
    {
        MqttPosixEndpoint endpoint;
        std::string error;
        MqttPosixEndpoint::Parse("127.0.0.1:1883", endpoint, error);
        options.listen.push_back(endpoint);
    }

    MqttBrokerEngine engine(*profile, seed);
    if (!backPressure)
    {
        // Well below the queue bound, so that publishers wait before anything is dropped.
        uint32_t bound = profile->maxQueuedMessages;
        backPressure = bound == 0 ? 1000 : std::min<unsigned long long>(1000, bound / 2);
    }
    engine.SetBackPressure(static_cast<std::size_t>(*backPressure), std::chrono::seconds(1));
    if (!passwordFile.empty())
    {
        auto authenticator = std::make_shared<MqttAuthenticator>();
        MqttConfigError error;
        if (!authenticator->Load(passwordFile, error))
        {
            Fail("--passwords: " + error.ToString());
        }
        engine.SetAuthenticator(authenticator);
    }
    if (!aclFile.empty())
    {
        auto acl = std::make_shared<MqttAcl>();
        MqttConfigError error;
        if (!acl->Load(aclFile, error))
        {
            Fail("--acl: " + error.ToString());
        }
        engine.SetAcl(acl);
    }

    // Thousands of clients need thousands of descriptors; `ulimit -n` is often 1024.
    uint64_t fileLimit = PosixRaiseFileLimit();
    if (quiet)
    {
        options.log = nullptr;
    }
    MqttPosixBroker broker(engine, options);
    std::string error;
    if (!broker.Open(error) || !broker.StopOnSignals(error))
    {
        Fail(error);
    }
    std::string listening;
    for (const MqttPosixEndpoint& endpoint : broker.Listening())
    {
        std::fprintf(stderr, "mqtt-broker: listening on %s\n", endpoint.ToString().c_str());
        listening += (listening.empty() ? "" : " ") + endpoint.ToString();
    }
#ifdef MQTT_BROKER_RECORD
    std::unique_ptr<MqttBrokerRecord> record;
    if (!recordFile.empty())
    {
        record = MqttBrokerRecord::Create(
            recordFile, profile->name, listening, PosixMonotonicNow(), &error);
        if (!record)
        {
            Fail("--record " + recordFile + ": " + error);
        }
        broker.SetEventCallback([&record](const MqttEvent& event, Nanos now)
                                { record->OnEvent(event, now); });
        broker.SetTick(std::chrono::seconds(1),
                       [&](Nanos now)
                       {
                           record->Sample(engine,
                                          broker.GetStats().bytesIn,
                                          broker.GetStats().bytesOut,
                                          broker.ConnectionCount(),
                                          now);
                       });
        std::fprintf(stderr, "mqtt-broker: recording to %s\n", recordFile.c_str());
    }
#endif
    std::fprintf(stderr,
                 "mqtt-broker: profile %s, file descriptor limit %llu\n",
                 profile->name.c_str(),
                 static_cast<unsigned long long>(fileLimit));
    std::fflush(stderr);

    broker.Run();
#ifdef MQTT_BROKER_RECORD
    if (record)
    {
        record->Sample(engine,
                       broker.GetStats().bytesIn,
                       broker.GetStats().bytesOut,
                       broker.ConnectionCount(),
                       PosixMonotonicNow());
        if (!record->Close(&error))
        {
            std::fprintf(
                stderr, "mqtt-broker: --record %s: %s\n", recordFile.c_str(), error.c_str());
            return 1;
        }
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
    return 0;
}
