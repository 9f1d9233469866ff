/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Prints the tables of a results file as the recorder declares them, one column a line:
 *
 *   TABLE COLUMN KIND
 *
 * test/scenario/check-schema.py compares that with doc/results.md and analysis/mqttresults.py.
 */
#include "mqtt-results-schema.h"

#include <cstdio>

int
main()
{
    for (const auto& table : ns3::mqtt::MqttResultsSchema())
    {
        for (const auto& column : table.columns)
        {
            std::printf("%s %s %s\n", table.name.c_str(), column.name, column.kind);
        }
    }
    return 0;
}
