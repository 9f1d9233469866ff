/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Latency percentiles as the examples print them: one definition of the rounding, so every
 * example's table means the same thing.
 */
#ifndef MQTT_EXAMPLE_LATENCY_H
#define MQTT_EXAMPLE_LATENCY_H

#include <algorithm>
#include <cstddef>
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

} // namespace mqtt
} // namespace ns3

#endif // MQTT_EXAMPLE_LATENCY_H
