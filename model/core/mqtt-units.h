/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Quantities with units as scenario files and graph files write them: durations ("250ms",
 * "1.5s", "2min"), data rates ("250kbps", "100Mbps") and their canonical text form.
 */
#ifndef MQTT_UNITS_H
#define MQTT_UNITS_H

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace ns3
{
namespace mqtt
{

/**
 * A whole number in decimal digits only (no sign, space or exponent) no larger than @p max, or
 * nothing.
 */
std::optional<uint64_t> ParseCount(const std::string& text,
                                   uint64_t max = std::numeric_limits<uint64_t>::max());

/**
 * A duration: a non-negative decimal number followed by ns, us, ms, s, min or h ("250ms",
 * "1.5s"). "0" alone is accepted too. Anything else, or a value that does not fit in 64-bit
 * nanoseconds, gives nothing.
 */
std::optional<std::chrono::nanoseconds> ParseDuration(const std::string& text);

/** The shortest exact text ParseDuration reads back to @p d ("2ms", "1500us", "0s"). */
std::string FormatDuration(std::chrono::nanoseconds d);

/**
 * A data rate in bits per second: a positive decimal number followed by bps, kbps, Mbps or
 * Gbps (decimal multipliers, as ns-3's DataRate). Anything else gives nothing.
 */
std::optional<uint64_t> ParseDataRate(const std::string& text);

/** The shortest exact text ParseDataRate reads back to @p bps ("100Mbps", "250kbps"). */
std::string FormatDataRate(uint64_t bps);

/** Picoseconds of CPU time (the service model's costs). */
using Picos = uint64_t;

/**
 * A CPU cost: a non-negative decimal number and a duration unit (ns, us, ms, s), decimals
 * allowed ("3.5us", "0.4ns", "0s", "0"), rounded to the picosecond. Nothing if malformed or
 * above one hour.
 */
std::optional<Picos> ParseCpuCost(const std::string& text);

/** The shortest text ParseCpuCost reads back exactly ("3500ns", "0.4ns", "0s"). */
std::string FormatCpuCost(Picos cost);

/**
 * A byte count: a whole number with an optional unit B, KiB, MiB or GiB ("4MiB", "65536").
 * Nothing if malformed or above 2^50 bytes.
 */
std::optional<uint64_t> ParseByteSize(const std::string& text);

/** The shortest exact text ParseByteSize reads back ("4MiB", "1000B", "0B"). */
std::string FormatByteSize(uint64_t bytes);

/** The shortest text that std::from_chars reads back to exactly @p value ("1.5", "1e+09"). */
std::string FormatNumber(double value);

/** Seconds as a double, for arithmetic and ns-3 Time construction. */
double ToSeconds(std::chrono::nanoseconds d);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_UNITS_H
