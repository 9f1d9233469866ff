/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Writing whole strings to file descriptors, for the index and the run logs.
 */
#ifndef MQTT_SWEEP_WRITE_H
#define MQTT_SWEEP_WRITE_H

#include <string>

namespace ns3
{
namespace mqtt
{

/** Writes all of @p text to @p fd, retrying after signals; false when the write failed. */
bool WriteAll(int fd, const std::string& text);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SWEEP_WRITE_H
