/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-broker-limits.h"

#include "mqtt-broker-settings.h"
#include "mqtt-units.h"

#include <chrono>

namespace ns3
{
namespace mqtt
{

namespace
{

// The defaults of a standalone broker, for fields the profile leaves unbounded; why each is what
// it is: doc/real-socket.md, "Memory limits".
constexpr uint64_t DEFAULT_MEMORY_LIMIT = 256ull << 20;
constexpr uint64_t DEFAULT_MAX_PACKET_SIZE = 16ull << 20;
constexpr auto DEFAULT_CLIENT_EXPIRATION = std::chrono::hours(24 * 7);
constexpr std::size_t DEFAULT_MAX_RETAINED = 100000;
constexpr std::size_t DEFAULT_MAX_SUBSCRIPTIONS = 10000;

/** The largest packet 3.1.1 can describe: a Remaining Length of 268,435,455 and its header. */
constexpr std::size_t SPEC_MAX_PACKET_SIZE = 268435460;

} // namespace

void
DeclareBrokerLimitOptions(MqttCommandLine& cli, BrokerLimitArgs& args)
{
    CLI::App& app = cli.App();
    app.add_option("--memory-limit",
                   args.memoryLimit,
                   "bytes held for peers: partial packets, messages, sessions and\n"
                   "subscriptions; what would pass it is refused (0: no limit;\n"
                   "default 256MiB; --set memory-limit=SIZE)")
        ->type_name("BYTES");
    app.add_option("--max-packet-size",
                   args.maxPacketSize,
                   "largest packet accepted; a larger one closes its connection\n"
                   "at its fixed header (default 16MiB; --set max-packet-size=N)")
        ->type_name("BYTES");
    app.add_option("--persistent-client-expiration",
                   args.persistentClientExpiration,
                   "a disconnected persistent session is discarded after this\n"
                   "(3600s, 2h, 7d, 2w; never; default 7d; --set session-expiry)")
        ->type_name("TIME");
}

std::optional<Nanos>
ParseClientExpiration(const std::string& text)
{
    if (text == "never")
    {
        return Nanos(0);
    }
    static const struct
    {
        char unit;
        uint64_t hours;
    } UNITS[] = {{'h', 1}, {'d', 24}, {'w', 24 * 7}, {'m', 24 * 30}, {'y', 24 * 365}};
    if (text.size() >= 2)
    {
        for (const auto& u : UNITS)
        {
            if (text.back() != u.unit)
            {
                continue;
            }
            // At most 100 years: far from overflowing 64-bit nanoseconds.
            std::optional<uint64_t> n =
                ParseCount(text.substr(0, text.size() - 1), 876000 / u.hours);
            if (n)
            {
                return std::chrono::duration_cast<Nanos>(std::chrono::hours(*n * u.hours));
            }
        }
    }
    return ParseDuration(text);
}

void
ApplyStandaloneDefaults(MqttBrokerProfile& profile)
{
    if (profile.memoryLimit == 0)
    {
        profile.memoryLimit = DEFAULT_MEMORY_LIMIT;
    }
    if (profile.maxPacketSize >= SPEC_MAX_PACKET_SIZE)
    {
        profile.maxPacketSize = DEFAULT_MAX_PACKET_SIZE;
    }
    if (profile.sessionExpiry == Nanos(0))
    {
        profile.sessionExpiry = DEFAULT_CLIENT_EXPIRATION;
    }
    if (profile.maxRetainedMessages == 0)
    {
        profile.maxRetainedMessages = DEFAULT_MAX_RETAINED;
    }
    if (profile.maxSubscriptionsPerSession == 0)
    {
        profile.maxSubscriptionsPerSession = DEFAULT_MAX_SUBSCRIPTIONS;
    }
}

bool
ApplyBrokerLimits(const BrokerLimitArgs& args, MqttBrokerProfile& profile, MqttCommandLine& cli)
{
    ApplyStandaloneDefaults(profile);
    if (!args.memoryLimit.empty())
    {
        std::optional<uint64_t> n = ParseByteSize(args.memoryLimit);
        if (!n)
        {
            cli.Fail(MqttCommandLine::Expected(
                "--memory-limit", "a size like 64MiB or 65536 (0: no limit)", args.memoryLimit));
            return false;
        }
        profile.memoryLimit = static_cast<std::size_t>(*n);
    }
    if (!args.maxPacketSize.empty())
    {
        // At least a CONNECT of some size must fit; at most what 3.1.1 can describe.
        std::optional<uint64_t> n = ParseByteSize(args.maxPacketSize);
        if (!n || *n < 64 || *n > SPEC_MAX_PACKET_SIZE)
        {
            cli.Fail(MqttCommandLine::Expected("--max-packet-size",
                                               "a size from 64 to 268435460 bytes (e.g. 1MiB)",
                                               args.maxPacketSize));
            return false;
        }
        profile.maxPacketSize = static_cast<std::size_t>(*n);
    }
    if (!args.persistentClientExpiration.empty())
    {
        std::optional<Nanos> d = ParseClientExpiration(args.persistentClientExpiration);
        if (!d)
        {
            cli.Fail(MqttCommandLine::Expected("--persistent-client-expiration",
                                               "a time like 3600s, 2h, 7d or 2w, or never",
                                               args.persistentClientExpiration));
            return false;
        }
        profile.sessionExpiry = *d;
    }
    return true;
}

} // namespace mqtt
} // namespace ns3
