/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Reads a scenario file (YAML, doc/scenarios.md) into an MqttScenario, applies --set
 * overrides, and validates the result completely. yaml-cpp is used here and nowhere else.
 */
#ifndef MQTT_SCENARIO_LOADER_H
#define MQTT_SCENARIO_LOADER_H

#include "mqtt-scenario.h"

#include <optional>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

struct MqttScenarioLoadResult
{
    /** Set only when there is no error at all. */
    std::optional<MqttScenario> scenario;
    /**
     * Every problem, one line each: "FILE:LINE: PATH: MESSAGE", or "--set KEY=VALUE: PATH:
     * MESSAGE" when the value came from an override. Unknown keys are errors too.
     */
    std::vector<std::string> errors;
};

class MqttScenarioLoader
{
  public:
    /**
     * Loads @p path. @p overrides are "dotted.path=value" strings applied to the YAML tree
     * before anything is read (values are YAML: "1", "10s", "[a, b]"); a missing map on the
     * way is created, a list element is addressed by its index.
     */
    static MqttScenarioLoadResult LoadFile(const std::string& path,
                                           const std::vector<std::string>& overrides = {});

    /**
     * Loads scenario @p text; @p fileName names it in messages and @p baseDir resolves a
     * relative topology file.
     */
    static MqttScenarioLoadResult LoadText(const std::string& text,
                                           const std::string& fileName,
                                           const std::string& baseDir,
                                           const std::vector<std::string>& overrides = {});
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SCENARIO_LOADER_H
