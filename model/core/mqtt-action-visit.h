/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * One way for a driver to carry out engine actions: std::visit over an overload set, so that an
 * action type a driver does not handle is a compile error, not an action silently ignored.
 */
#ifndef MQTT_ACTION_VISIT_H
#define MQTT_ACTION_VISIT_H

#include "mqtt-action.h"

#include <utility>
#include <variant>

namespace ns3
{
namespace mqtt
{

/**
 * An overload set of handlers (lambdas or objects with operator()), one per action type:
 * VisitAction(action, MqttOverloaded{[](const SendAction&) {...}, ...}). Give no generic
 * handler (auto parameter): it would accept, and so hide, a new action type.
 */
template<typename... Handlers>
struct MqttOverloaded : Handlers...
{
    using Handlers::operator()...;
};

template<typename... Handlers>
MqttOverloaded(Handlers...) -> MqttOverloaded<Handlers...>;

/**
 * Carries out the timer actions on any timer service with Start(TimerId, Nanos) and
 * Cancel(TimerId) (Simulator events, a POSIX timer heap): every driver does this alike.
 */
template<typename Timers>
struct MqttTimerActions
{
    Timers& timers;

    void
    operator()(const StartTimerAction& start) const
    {
        timers.Start(start.timer, start.at);
    }

    void
    operator()(const CancelTimerAction& cancel) const
    {
        timers.Cancel(cancel.timer);
    }
};

template<typename Timers>
MqttTimerActions(Timers&) -> MqttTimerActions<Timers>;

/** Calls the handler of @p action's type; every action type must have one. */
template<typename Action, typename Handler>
decltype(auto)
VisitAction(Action&& action, Handler&& handler)
{
    return std::visit(std::forward<Handler>(handler), std::forward<Action>(action));
}

} // namespace mqtt
} // namespace ns3

#endif // MQTT_ACTION_VISIT_H
