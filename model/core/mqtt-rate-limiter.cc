/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-rate-limiter.h"

#include <algorithm>
#include <cmath>

namespace ns3
{
namespace mqtt
{

MqttRateLimiter::MqttRateLimiter(double ratePerSecond, double burst)
    : m_rate(ratePerSecond > 0 ? ratePerSecond : 0)
{
    if (m_rate > 0)
    {
        m_capacity = Cost(burst);
    }
}

bool
MqttRateLimiter::Limited() const
{
    return m_rate > 0;
}

Nanos
MqttRateLimiter::Cost(double units) const
{
    return Nanos(static_cast<Nanos::rep>(std::llround(units * 1e9 / m_rate)));
}

bool
MqttRateLimiter::Fits(double units, Nanos now) const
{
    if (m_rate <= 0)
    {
        return true;
    }
    return std::max(m_full, now) + Cost(units) - now <= m_capacity;
}

bool
MqttRateLimiter::TryTake(double units, Nanos now)
{
    if (!Fits(units, now))
    {
        return false;
    }
    Take(units, now);
    return true;
}

void
MqttRateLimiter::Take(double units, Nanos now)
{
    if (m_rate > 0)
    {
        m_full = std::max(m_full, now) + Cost(units);
    }
}

Nanos
MqttRateLimiter::WhenFits(double units) const
{
    if (m_rate <= 0)
    {
        return Nanos(0);
    }
    return m_full + Cost(units) - m_capacity;
}

} // namespace mqtt
} // namespace ns3
