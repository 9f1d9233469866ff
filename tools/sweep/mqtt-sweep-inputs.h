/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What decides a run's results besides the scenario file and the overrides: the files the
 * scenario names (a calibration, a topology graph, ...) and the runner's build. The runner says
 * (`RUNNER SCENARIO --inputs --set ...` prints them with content hashes); a run's fingerprint
 * takes that output in, so a finished run is redone once any of them changed (doc/scaling.md,
 * "Resuming").
 */
#ifndef MQTT_SWEEP_INPUTS_H
#define MQTT_SWEEP_INPUTS_H

#include "mqtt-sweep-plan.h"

#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/**
 * What `@p runner @p scenario --inputs --set O ...` prints for @p overrides, followed by its exit
 * status ("exit N"); a runner that cannot start gives "cannot run: REASON".
 */
std::string MqttSweepRunnerInputs(const std::string& runner,
                                  const std::string& scenario,
                                  const std::vector<std::string>& overrides);

/**
 * Folds the runner's inputs into the fingerprint of every run of @p plan: one call of the runner
 * per distinct set of overrides (the seed and run number left out: they name no file).
 */
void MqttSweepAddInputs(const std::string& runner, MqttSweepPlan* plan);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SWEEP_INPUTS_H
