/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Latency percentiles and time stamps as the examples print them: one definition of the
 * rounding, so every example's output means the same thing.
 */
#ifndef MQTT_EXAMPLE_LATENCY_H
#define MQTT_EXAMPLE_LATENCY_H

#include "ns3/simulator.h"

#include <algorithm>
#include <cstddef>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** The @p p-th percentile (0-100, nearest rank, rounded half up) of @p values; 0 when empty. */
inline double
ExamplePercentile(std::vector<double> values, double p)
{
    if (values.empty())
    {
        return 0;
    }
    std::sort(values.begin(), values.end());
    auto index = static_cast<std::size_t>(p / 100.0 * (values.size() - 1) + 0.5);
    return values[std::min(index, values.size() - 1)];
}

/** The simulation time as the examples' log lines start: seconds, three decimals, "s". */
inline std::string
ExampleStamp()
{
    std::ostringstream text;
    text << std::fixed << std::setprecision(3) << Simulator::Now().GetSeconds() << "s";
    return text.str();
}

} // namespace mqtt
} // namespace ns3

#endif // MQTT_EXAMPLE_LATENCY_H
