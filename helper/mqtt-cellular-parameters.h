/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A cellular radio parameter file (energy/NAME.yaml, doc/device-cost.md) as the parameters of
 * the cellular energy model: one translation for the study runner and the validation test.
 */
#ifndef MQTT_CELLULAR_PARAMETERS_H
#define MQTT_CELLULAR_PARAMETERS_H

#include "mqtt-energy-models.h"
#include "mqtt-scenario.h"

namespace ns3
{
namespace mqtt
{

/** The model parameters of cellular file @p r on a link of @p bps both ways. */
MqttCellularParameters MqttCellularParametersOf(const MqttRadioEnergySpec& r, double bps);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_CELLULAR_PARAMETERS_H
