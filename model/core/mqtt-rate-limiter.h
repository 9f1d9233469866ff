/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A rate limit with a burst allowance (a token bucket), in integer time so runs reproduce
 * exactly. Used by the broker for the publish rate and the inbound byte rate of a connection and
 * for the paced drain of a resumed session's stored messages.
 */
#ifndef MQTT_RATE_LIMITER_H
#define MQTT_RATE_LIMITER_H

#include "mqtt-action.h"

namespace ns3
{
namespace mqtt
{

/**
 * A token bucket written as the generic cell rate algorithm: instead of a token count it keeps
 * the time at which the bucket would be full again (the "theoretical arrival time"). Taking n
 * units moves that time n / rate later; the bucket holds @p burst units, so a request fits while
 * that time, after taking, is at most burst / rate ahead of now. A limiter starts full.
 *
 * Costs are rounded to whole nanoseconds per request (for 512 KiB/s one byte costs 1907.35 ns;
 * a 1000-byte packet 1907349 ns), which is exact enough and keeps the arithmetic integral.
 */
class MqttRateLimiter
{
  public:
    /** No limit: everything fits. */
    MqttRateLimiter() = default;

    /**
     * @param ratePerSecond units per second (0 or less: no limit)
     * @param burst units the bucket holds (at least one request's worth is sensible)
     */
    MqttRateLimiter(double ratePerSecond, double burst);

    /** Whether a rate is set. */
    bool Limited() const;

    /** Takes @p units if they fit now. @return whether they did (nothing taken if not). */
    bool TryTake(double units, Nanos now);

    /** Takes @p units whether or not they fit (the bucket may go into debt). */
    void Take(double units, Nanos now);

    /** Whether @p units would fit now. */
    bool Fits(double units, Nanos now) const;

    /** The earliest time at which @p units fit (now or earlier if they fit already). */
    Nanos WhenFits(double units) const;

  private:
    Nanos Cost(double units) const;

    double m_rate = 0;
    Nanos m_capacity{0}; //!< burst expressed as time
    Nanos m_full{0};     //!< the time at which the bucket is full again
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_RATE_LIMITER_H
