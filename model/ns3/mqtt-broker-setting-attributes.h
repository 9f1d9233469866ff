/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Every broker setting (MqttBrokerSettings) as an Attribute of MqttBroker, registered in one loop
 * from the table, so a field added to the profile is an Attribute without further code.
 */
#ifndef MQTT_BROKER_SETTING_ATTRIBUTES_H
#define MQTT_BROKER_SETTING_ATTRIBUTES_H

#include "ns3/type-id.h"

#include <string>

namespace ns3
{
namespace mqtt
{

/**
 * Adds to @p tid (MqttBroker's) one Attribute per broker setting, named by the key in CamelCase
 * ("max-inflight-out": MaxInflightOut), and MaxInflight, the older name of MaxInflightOut.
 *
 * Value types: IntegerValue for integers and QoS levels, DoubleValue for numbers, TimeValue for
 * durations, EnumValue (MqttBroker::BoolOverride: "profile", "false", "true") for booleans,
 * StringValue for choices, text and lists. The initial value keeps the profile's field: -1, a
 * negative number or time, or "profile". Any other value goes through the table
 * (MqttBroker::SetSetting); a value the table refuses fails the Set with its message on stderr.
 *
 * @return @p tid
 */
TypeId AddBrokerSettingAttributes(TypeId tid);

/** The Attribute name of a setting key: "max-inflight-out" gives "MaxInflightOut". */
std::string BrokerSettingAttributeName(const std::string& key);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_BROKER_SETTING_ATTRIBUTES_H
