/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker section: profile, port, persistence, front ends, profile overrides.
 */
#include "mqtt-scenario-yaml.h"

namespace ns3
{
namespace mqtt
{
namespace scenario_yaml
{

void
ReadBroker(Reader& r, const YAML::Node& node, MqttScenario* s)
{
    Map m(r, node, "broker", {"profile", "port", "persistence", "overrides", "front-ends"});
    if (!m.Ok())
    {
        return;
    }
    m.String("profile", &s->broker.profile);
    m.Unsigned("port", 1, 65535, &s->broker.port);
    m.Bool("persistence", &s->broker.persistence);
    if (m.Has("front-ends"))
    {
        // A count, or {count, link}.
        if (m.Get("front-ends").IsMap())
        {
            Map f(r, m.Get("front-ends"), "broker.front-ends", {"count", "link"});
            if (f.Ok())
            {
                f.Unsigned("count", 1, MqttScenario::MAX_FRONT_ENDS, &s->broker.frontEnds);
                f.String("link", &s->broker.frontEndLink);
            }
        }
        else
        {
            m.Unsigned("front-ends", 1, MqttScenario::MAX_FRONT_ENDS, &s->broker.frontEnds);
        }
    }
    if (m.Has("overrides"))
    {
        YAML::Node o = m.Get("overrides");
        if (!o.IsMap())
        {
            r.Error("broker.overrides", &o, "expected a map of profile fields, got " + Describe(o));
            return;
        }
        for (const auto& kv : o)
        {
            std::string key = kv.first.Scalar();
            std::string path = "broker.overrides." + key;
            r.Remember(path, kv.first);
            if (key == "reserved-topic-prefixes" && kv.second.IsSequence())
            {
                // A list of prefixes, the same as the comma-separated form.
                std::string joined;
                bool ok = true;
                for (const auto& item : kv.second)
                {
                    if (!item.IsScalar() || item.Scalar().empty() ||
                        item.Scalar().find(',') != std::string::npos)
                    {
                        r.Error(path,
                                &item,
                                "expected topic prefixes (no commas), got " + Describe(item));
                        ok = false;
                        break;
                    }
                    joined += (joined.empty() ? "" : ",") + item.Scalar();
                }
                if (ok)
                {
                    s->broker.overrides.emplace_back(key, joined);
                }
                continue;
            }
            if (!kv.second.IsScalar())
            {
                r.Error(path, &kv.second, "expected a value, got " + Describe(kv.second));
                continue;
            }
            s->broker.overrides.emplace_back(key, kv.second.Scalar());
        }
    }
}

} // namespace scenario_yaml
} // namespace mqtt
} // namespace ns3
