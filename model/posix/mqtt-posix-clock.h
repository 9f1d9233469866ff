/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The clock of the real-socket drivers: CLOCK_MONOTONIC as engine time.
 */
#ifndef MQTT_POSIX_CLOCK_H
#define MQTT_POSIX_CLOCK_H

#include "mqtt-action.h"

namespace ns3
{
namespace mqtt
{

/**
 * Nanoseconds of CLOCK_MONOTONIC. The engines only compare and add times, so the origin (boot)
 * does not matter; the clock never jumps with wall-clock changes.
 */
Nanos PosixMonotonicNow();

} // namespace mqtt
} // namespace ns3

#endif // MQTT_POSIX_CLOCK_H
