/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What decides a run's results, for a sweep or a capacity search to know when a finished run
 * may be reused (doc/scaling.md, "Resuming"): the effective scenario text (the file with every
 * --set applied), the content of every file the scenario names (a calibration, a topology
 * graph, energy and TLS figures files), and the runner's own build (its executable and the
 * project libraries it loaded). `ns3-mqtt-run SCENARIO --inputs [--set ...]` prints them.
 */
#ifndef MQTT_RUN_INPUTS_H
#define MQTT_RUN_INPUTS_H

#include "mqtt-scenario.h"

#include <ostream>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** The files the loaded scenario @p s read besides itself, resolved, in a fixed order. */
std::vector<std::string> MqttScenarioInputFiles(const MqttScenario& s);

/**
 * The runner's executable and the shared libraries it mapped from the executable's directory
 * (the build's own libraries; system libraries are left out), in a fixed order.
 */
std::vector<std::string> MqttRunnerBinaries();

/** SHA-256 of @p bytes, 64 hex digits. */
std::string MqttSha256(const std::string& bytes);

/** SHA-256 of the file at @p path, or "unreadable" when it cannot be read. */
std::string MqttFileSha256(const std::string& path);

/**
 * Writes one line per input to @p out: "scenario HASH" (of the effective text), then
 * "file HASH PATH" per named file and "binary HASH PATH" per binary.
 */
void MqttWriteRunInputs(const MqttScenario& s, std::ostream& out);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_RUN_INPUTS_H
