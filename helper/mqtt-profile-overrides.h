/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker profile fields a scenario may override by name ("max-inflight-out: 10"): every field of
 * MqttBrokerProfile but its name. One table serves both the scenario validation (is the key
 * known, is the value right) and the runner (set the field), so the two can never disagree.
 */
#ifndef MQTT_PROFILE_OVERRIDES_H
#define MQTT_PROFILE_OVERRIDES_H

#include "mqtt-broker-profile.h"

#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** The keys ApplyProfileOverride knows, in table order (kebab-case field names). */
std::vector<std::string> ProfileOverrideKeys();

/**
 * Sets the field named @p key of @p profile from @p value. Returns "" on success, or what was
 * expected ("expected a duration like 30s, got 'x'", "unknown field (expected one of: ...)").
 */
std::string ApplyProfileOverride(MqttBrokerProfile* profile,
                                 const std::string& key,
                                 const std::string& value);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_PROFILE_OVERRIDES_H
