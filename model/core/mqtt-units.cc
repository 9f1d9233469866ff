/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-units.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace ns3
{
namespace mqtt
{

namespace
{

/**
 * Splits "12.5ms" into the value 12.5 and the unit "ms". The number is parsed by hand (digits,
 * at most one point) so that locale and exponent forms never sneak in.
 */
bool
SplitNumber(const std::string& text, long double* value, std::string* unit)
{
    std::size_t i = 0;
    long double whole = 0;
    bool digits = false;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
    {
        whole = whole * 10 + (text[i] - '0');
        digits = true;
        ++i;
    }
    if (i < text.size() && text[i] == '.')
    {
        ++i;
        long double scale = 0.1L;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
        {
            whole += (text[i] - '0') * scale;
            scale /= 10;
            digits = true;
            ++i;
        }
    }
    if (!digits)
    {
        return false;
    }
    *value = whole;
    *unit = text.substr(i);
    return true;
}

/** Rounds @p v to an integer if it fits in [0, max]. */
std::optional<uint64_t>
ToInteger(long double v, long double max)
{
    long double r = std::round(v);
    if (r < 0 || r > max)
    {
        return std::nullopt;
    }
    return static_cast<uint64_t>(r);
}

/** A unit a quantity is written in, and how many base units (ns, bit/s) it stands for. */
struct Unit
{
    const char* name;
    int64_t scale;
};

/** Duration units, largest first (FormatDuration takes the first that divides). */
constexpr Unit DURATION_UNITS[] = {{"h", 3600000000000LL},
                                   {"min", 60000000000LL},
                                   {"s", 1000000000LL},
                                   {"ms", 1000000LL},
                                   {"us", 1000LL},
                                   {"ns", 1LL}};

/** Data rate units, largest first (FormatDataRate takes the first that divides). */
constexpr Unit RATE_UNITS[] = {
    {"Gbps", 1000000000LL}, {"Mbps", 1000000LL}, {"kbps", 1000LL}, {"bps", 1LL}};

/** Byte size units, largest first (FormatByteSize takes the first that divides). */
constexpr Unit BYTE_UNITS[] = {
    {"GiB", 1LL << 30}, {"MiB", 1LL << 20}, {"KiB", 1LL << 10}, {"B", 1LL}};

/**
 * "12.5ms" in base units (not yet rounded), or nothing if the number is malformed or the unit
 * is not in @p units. @p bareZero also takes a plain "0" (no unit) as zero.
 */
template<std::size_t N>
std::optional<long double>
ParseScaled(const std::string& text, const Unit (&units)[N], bool bareZero)
{
    long double value = 0;
    std::string unit;
    if (!SplitNumber(text, &value, &unit))
    {
        return std::nullopt;
    }
    if (unit.empty() && bareZero && value == 0)
    {
        return value;
    }
    for (const Unit& u : units)
    {
        if (unit == u.name)
        {
            return value * static_cast<long double>(u.scale);
        }
    }
    return std::nullopt;
}

/** @p value in the largest of @p units that divides it exactly (the last must be 1). */
template<class T, std::size_t N>
std::string
FormatScaled(T value, const Unit (&units)[N])
{
    for (const Unit& u : units)
    {
        if (value % static_cast<T>(u.scale) == 0)
        {
            return std::to_string(value / static_cast<T>(u.scale)) + u.name;
        }
    }
    return std::to_string(value) + units[N - 1].name;
}

} // namespace

std::optional<std::chrono::nanoseconds>
ParseDuration(const std::string& text)
{
    auto scaled = ParseScaled(text, DURATION_UNITS, true);
    if (!scaled)
    {
        return std::nullopt;
    }
    auto ns = ToInteger(*scaled, static_cast<long double>(std::numeric_limits<int64_t>::max()) / 2);
    if (!ns)
    {
        return std::nullopt;
    }
    return std::chrono::nanoseconds(static_cast<int64_t>(*ns));
}

std::string
FormatDuration(std::chrono::nanoseconds d)
{
    if (d.count() == 0)
    {
        return "0s";
    }
    return FormatScaled(d.count(), DURATION_UNITS);
}

std::optional<uint64_t>
ParseDataRate(const std::string& text)
{
    auto scaled = ParseScaled(text, RATE_UNITS, false);
    if (!scaled)
    {
        return std::nullopt;
    }
    auto bps = ToInteger(*scaled, 1e15L);
    if (!bps || *bps == 0)
    {
        return std::nullopt;
    }
    return bps;
}

std::string
FormatDataRate(uint64_t bps)
{
    if (bps == 0)
    {
        return "0bps";
    }
    return FormatScaled(bps, RATE_UNITS);
}

std::optional<Picos>
ParseCpuCost(const std::string& text)
{
    auto ns = ParseScaled(text, DURATION_UNITS, true);
    if (!ns)
    {
        return std::nullopt;
    }
    return ToInteger(*ns * 1000, 3600.0L * 1e12L);
}

std::string
FormatCpuCost(Picos cost)
{
    if (cost % 1000 == 0)
    {
        return FormatDuration(std::chrono::nanoseconds(static_cast<int64_t>(cost / 1000)));
    }
    // Below the nanosecond: "12.345ns" without trailing zeros.
    std::string fraction = std::to_string(1000 + cost % 1000).substr(1);
    while (fraction.back() == '0')
    {
        fraction.pop_back();
    }
    return std::to_string(cost / 1000) + "." + fraction + "ns";
}

std::optional<uint64_t>
ParseByteSize(const std::string& text)
{
    if (auto plain = ParseCount(text, 1ULL << 50))
    {
        return plain;
    }
    if (text.find('.') != std::string::npos)
    {
        return std::nullopt; // whole bytes only
    }
    auto scaled = ParseScaled(text, BYTE_UNITS, false);
    if (!scaled)
    {
        return std::nullopt;
    }
    return ToInteger(*scaled, static_cast<long double>(1ULL << 50));
}

std::string
FormatByteSize(uint64_t bytes)
{
    if (bytes == 0)
    {
        return "0B";
    }
    return FormatScaled(bytes, BYTE_UNITS);
}

double
ToSeconds(std::chrono::nanoseconds d)
{
    return static_cast<double>(d.count()) / 1e9;
}

std::optional<uint64_t>
ParseCount(const std::string& text, uint64_t max)
{
    uint64_t n = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size() || n > max)
    {
        return std::nullopt;
    }
    return n;
}

std::string
FormatNumber(double value)
{
    char buffer[32];
    auto r = std::to_chars(buffer, buffer + sizeof(buffer), value);
    return std::string(buffer, r.ptr);
}

} // namespace mqtt
} // namespace ns3
