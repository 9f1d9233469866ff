/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The output section: what to record and where.
 */
#include "mqtt-scenario-yaml.h"

namespace ns3
{
namespace mqtt
{
namespace scenario_yaml
{

void
ReadOutput(Reader& r, const YAML::Node& node, MqttScenario* s)
{
    Map m(r, node, "output", {"dir", "stats-interval", "record", "graphml", "pcap"});
    if (!m.Ok())
    {
        return;
    }
    auto& o = s->output;
    m.String("dir", &o.dir);
    m.Duration("stats-interval", &o.statsInterval);
    m.Bool("graphml", &o.graphml);
    m.Bool("pcap", &o.pcap);
    if (m.Has("record"))
    {
        std::vector<std::string> record;
        m.StringList("record", &record);
        const std::vector<std::pair<std::string, bool*>> sets = {{"publishes", &o.publishes},
                                                                 {"deliveries", &o.deliveries},
                                                                 {"connections", &o.connections},
                                                                 {"drops", &o.drops},
                                                                 {"broker-stats", &o.brokerStats},
                                                                 {"link-stats", &o.linkStats},
                                                                 {"device-bytes", &o.deviceBytes}};
        for (const auto& [name, flag] : sets)
        {
            *flag = false;
        }
        for (std::size_t i = 0; i < record.size(); ++i)
        {
            bool known = false;
            for (const auto& [name, flag] : sets)
            {
                if (record[i] == name)
                {
                    *flag = true;
                    known = true;
                }
            }
            if (!known)
            {
                YAML::Node rn = m.Get("record");
                r.Error("output.record",
                        &rn,
                        "expected names among publishes, deliveries, connections, drops, "
                        "broker-stats, link-stats, device-bytes, got " +
                            record[i]);
            }
        }
    }
}

} // namespace scenario_yaml
} // namespace mqtt
} // namespace ns3
