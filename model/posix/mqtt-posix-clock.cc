/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-posix-clock.h"

#include <time.h>

namespace ns3
{
namespace mqtt
{

Nanos
PosixMonotonicNow()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return Nanos(static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec);
}

} // namespace mqtt
} // namespace ns3
