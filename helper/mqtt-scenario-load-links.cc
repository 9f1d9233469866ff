/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The links section: link classes, their technology and parameters.
 */
#include "mqtt-scenario-yaml.h"

namespace ns3
{
namespace mqtt
{
namespace scenario_yaml
{

void
ReadLinks(Reader& r, const YAML::Node& node, MqttScenario* s)
{
    if (!node.IsMap() || node.size() == 0)
    {
        r.Error("links", &node, "expected a map of link classes, got " + Describe(node));
        return;
    }
    for (const auto& kv : node)
    {
        MqttLinkSpec l;
        l.name = kv.first.Scalar();
        std::string path = "links." + l.name;
        const YAML::Node& v = kv.second;
        // Which fields apply depends on the type, so read it first.
        if (v.IsMap() && v["type"].IsDefined() && v["type"].IsScalar())
        {
            const std::string& t = v["type"].Scalar();
            l.type = t == "csma"     ? MqttLinkType::Csma
                     : t == "wifi"   ? MqttLinkType::Wifi
                     : t == "lowpan" ? MqttLinkType::LowPan
                                     : MqttLinkType::PointToPoint;
        }
        Keys allowed = {"type", "loss"};
        switch (l.type)
        {
        case MqttLinkType::PointToPoint:
        case MqttLinkType::Csma:
            allowed.insert(allowed.end(), {"rate", "delay", "queue"});
            break;
        case MqttLinkType::Wifi:
            allowed.insert(allowed.end(), {"standard", "radius", "queue"});
            break;
        case MqttLinkType::LowPan:
            allowed.insert(allowed.end(), {"spacing", "range", "layout"});
            break;
        }
        Map m(r, v, path, allowed);
        if (!m.Ok())
        {
            continue;
        }
        m.Require({"type"});
        m.Enum<MqttLinkType>("type",
                             {{"p2p", MqttLinkType::PointToPoint},
                              {"csma", MqttLinkType::Csma},
                              {"wifi", MqttLinkType::Wifi},
                              {"lowpan", MqttLinkType::LowPan}},
                             &l.type);
        m.Rate("rate", &l.rateBps);
        m.Duration("delay", &l.delay);
        m.Unsigned("queue", 1, 1000000, &l.queuePackets);
        m.Enum<std::string>("standard",
                            {{"802.11b", "802.11b"},
                             {"802.11g", "802.11g"},
                             {"802.11n", "802.11n"},
                             {"802.11ac", "802.11ac"}},
                            &l.wifiStandard);
        m.Real("radius", 0.1, 10000, "a distance in metres from 0.1 to 10000", &l.radius);
        m.Real("spacing", 0.1, 10000, "a distance in metres from 0.1 to 10000", &l.spacing);
        m.Real("range", 0.1, 10000, "a distance in metres from 0.1 to 10000", &l.range);
        m.Enum<std::string>("layout", {{"grid", "grid"}, {"line", "line"}}, &l.layout);
        if (m.Has("loss"))
        {
            ReadLoss(r, m.Get("loss"), m.Path("loss"), &l.loss);
        }
        s->links.push_back(l);
    }
}

} // namespace scenario_yaml
} // namespace mqtt
} // namespace ns3
