/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-results-schema.h"

namespace ns3
{
namespace mqtt
{

namespace
{

template<typename Record>
MqttResultsTableSchema
Describe()
{
    MqttResultsTableSchema table{MqttResultsTable<Record>::NAME, {}};
    const Record record{};
    MqttResultsTable<Record>::ForEachField(record,
                                           [&table](const MqttResultsColumn& column, const auto&)
                                           { table.columns.push_back(column); });
    return table;
}

} // namespace

std::vector<MqttResultsTableSchema>
MqttResultsSchema()
{
#define MQTT_RESULTS_DESCRIBE(Record, dataset, FIELDS) Describe<Record>(),
    return {MQTT_RESULTS_TABLES(MQTT_RESULTS_DESCRIBE)};
#undef MQTT_RESULTS_DESCRIBE
}

} // namespace mqtt
} // namespace ns3
