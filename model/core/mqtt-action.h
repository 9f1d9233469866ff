/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What an I/O-free engine asks its driver to do. Engines append actions to a vector the driver
 * passes in; the driver carries them out in order.
 */
#ifndef MQTT_ACTION_H
#define MQTT_ACTION_H

#include "mqtt-event.h"

#include <chrono>
#include <cstdint>
#include <variant>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** Time as the engines see it: nanoseconds from an origin the driver chooses. */
using Nanos = std::chrono::nanoseconds;

/** A driver's handle for one transport connection. */
using ConnectionId = uint64_t;

/** An engine's handle for one timer; unique within that engine. */
using TimerId = uint64_t;

/** Write these bytes, in order, to the connection. */
struct SendAction
{
    ConnectionId connection = 0;
    std::vector<uint8_t> bytes;
};

/** Close the connection (after writing what was sent before this action). */
struct CloseAction
{
    ConnectionId connection = 0;
    CloseReason reason = CloseReason::ClientDisconnect;
};

/** Open a transport connection to the peer (a client engine connecting or reconnecting). */
struct OpenConnectionAction
{
    ConnectionId connection = 0;
};

/** Call the engine's OnTimer(timer) at @p at, replacing an earlier start of the same timer. */
struct StartTimerAction
{
    TimerId timer = 0;
    Nanos at{0};
};

struct CancelTimerAction
{
    TimerId timer = 0;
};

/** Something a study may want to observe; drivers turn these into traces and records. */
struct NotifyAction
{
    MqttEvent event;
};

using MqttAction = std::variant<SendAction,
                                CloseAction,
                                OpenConnectionAction,
                                StartTimerAction,
                                CancelTimerAction,
                                NotifyAction>;

using MqttActions = std::vector<MqttAction>;

} // namespace mqtt
} // namespace ns3

#endif // MQTT_ACTION_H
