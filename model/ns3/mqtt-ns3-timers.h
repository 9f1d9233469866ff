/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Engine timers on the ns-3 scheduler.
 */
#ifndef MQTT_NS3_TIMERS_H
#define MQTT_NS3_TIMERS_H

#include "mqtt-action.h"

#include "ns3/callback.h"
#include "ns3/event-id.h"
#include "ns3/nstime.h"

#include <map>

namespace ns3
{
namespace mqtt
{

/**
 * Maps an engine's timers (StartTimerAction / CancelTimerAction) to Simulator events. A timer
 * restarted with a later deadline keeps its scheduled event and only moves the deadline: when the
 * event fires early it re-arms itself for the rest. Keep-alive timers restarted on every packet
 * thus cost no scheduler work, and a restarted timer never fires at its old deadline.
 */
class MqttNs3Timers
{
  public:
    /** @param expired called with the timer id when a timer is due */
    explicit MqttNs3Timers(Callback<void, TimerId> expired);
    ~MqttNs3Timers();
    MqttNs3Timers(const MqttNs3Timers&) = delete;
    MqttNs3Timers& operator=(const MqttNs3Timers&) = delete;

    /** Starts or restarts @p timer to expire at engine time @p at. */
    void Start(TimerId timer, Nanos at);
    void Cancel(TimerId timer);
    /** Cancels every timer (application stop or dispose). */
    void CancelAll();
    /** Timers running. */
    std::size_t Count() const;

    /** Simulation time now as engine time. */
    static Nanos Now();
    /** Engine time as a simulation time. */
    static Time ToTime(Nanos t);
    /** A simulation time (a duration or an instant) as engine time. */
    static Nanos ToNanos(Time t);

  private:
    struct Entry
    {
        EventId event;
        /** The deadline the engine asked for. */
        Nanos deadline{0};
        /** When the scheduled event fires (<= deadline). */
        Nanos scheduled{0};
    };

    void Fire(TimerId timer);
    void Schedule(TimerId timer, Entry& entry, Nanos now);

    Callback<void, TimerId> m_expired;
    std::map<TimerId, Entry> m_timers;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_NS3_TIMERS_H
