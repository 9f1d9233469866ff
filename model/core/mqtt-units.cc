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

} // namespace

std::optional<std::chrono::nanoseconds>
ParseDuration(const std::string& text)
{
    long double value = 0;
    std::string unit;
    if (!SplitNumber(text, &value, &unit))
    {
        return std::nullopt;
    }
    long double scale = 0;
    if (unit == "ns")
    {
        scale = 1;
    }
    else if (unit == "us")
    {
        scale = 1e3L;
    }
    else if (unit == "ms")
    {
        scale = 1e6L;
    }
    else if (unit == "s")
    {
        scale = 1e9L;
    }
    else if (unit == "min")
    {
        scale = 60e9L;
    }
    else if (unit == "h")
    {
        scale = 3600e9L;
    }
    else if (unit.empty() && value == 0)
    {
        scale = 1;
    }
    else
    {
        return std::nullopt;
    }
    auto ns =
        ToInteger(value * scale, static_cast<long double>(std::numeric_limits<int64_t>::max()) / 2);
    if (!ns)
    {
        return std::nullopt;
    }
    return std::chrono::nanoseconds(static_cast<int64_t>(*ns));
}

std::string
FormatDuration(std::chrono::nanoseconds d)
{
    int64_t ns = d.count();
    if (ns == 0)
    {
        return "0s";
    }
    struct Unit
    {
        int64_t scale;
        const char* name;
    };
    static const Unit UNITS[] = {{3600000000000LL, "h"},
                                 {60000000000LL, "min"},
                                 {1000000000LL, "s"},
                                 {1000000LL, "ms"},
                                 {1000LL, "us"},
                                 {1LL, "ns"}};
    for (const Unit& u : UNITS)
    {
        if (ns % u.scale == 0)
        {
            return std::to_string(ns / u.scale) + u.name;
        }
    }
    return std::to_string(ns) + "ns";
}

std::optional<uint64_t>
ParseDataRate(const std::string& text)
{
    long double value = 0;
    std::string unit;
    if (!SplitNumber(text, &value, &unit))
    {
        return std::nullopt;
    }
    long double scale = 0;
    if (unit == "bps")
    {
        scale = 1;
    }
    else if (unit == "kbps")
    {
        scale = 1e3L;
    }
    else if (unit == "Mbps")
    {
        scale = 1e6L;
    }
    else if (unit == "Gbps")
    {
        scale = 1e9L;
    }
    else
    {
        return std::nullopt;
    }
    auto bps = ToInteger(value * scale, 1e15L);
    if (!bps || *bps == 0)
    {
        return std::nullopt;
    }
    return bps;
}

std::string
FormatDataRate(uint64_t bps)
{
    if (bps != 0 && bps % 1000000000ULL == 0)
    {
        return std::to_string(bps / 1000000000ULL) + "Gbps";
    }
    if (bps != 0 && bps % 1000000ULL == 0)
    {
        return std::to_string(bps / 1000000ULL) + "Mbps";
    }
    if (bps != 0 && bps % 1000ULL == 0)
    {
        return std::to_string(bps / 1000ULL) + "kbps";
    }
    return std::to_string(bps) + "bps";
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
