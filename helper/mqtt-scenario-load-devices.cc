/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The devices and backends sections: client groups and what their clients do.
 */
#include "mqtt-scenario-yaml.h"

#include <limits>

namespace ns3
{
namespace mqtt
{
namespace scenario_yaml
{

namespace
{

/** subscribe: a list of filters, each a string or {filter, qos}. */
void
ReadSubscriptions(Reader& r, Map& m, std::vector<MqttSubscriptionSpec>* out)
{
    if (!m.Has("subscribe"))
    {
        return;
    }
    YAML::Node subs = m.Get("subscribe");
    std::string sp = m.Path("subscribe");
    if (!subs.IsSequence())
    {
        r.Error(sp, &subs, "expected a list of filters, got " + Describe(subs));
        return;
    }
    for (std::size_t i = 0; i < subs.size(); ++i)
    {
        MqttSubscriptionSpec sub;
        std::string ip = sp + "." + std::to_string(i);
        if (subs[i].IsScalar())
        {
            r.Remember(ip, subs[i]);
            sub.filter = subs[i].Scalar();
        }
        else
        {
            Map sm(r, subs[i], ip, {"filter", "qos"});
            if (!sm.Ok())
            {
                continue;
            }
            sm.Require({"filter"});
            sm.String("filter", &sub.filter);
            sm.Qos("qos", &sub.qos);
        }
        out->push_back(sub);
    }
}

/** reconnect: true or false, or {enabled, initial, max, multiplier, jitter}. */
void
ReadReconnect(Reader& r, Map& m, MqttReconnectSpec* out)
{
    if (!m.Has("reconnect"))
    {
        return;
    }
    YAML::Node rn = m.Get("reconnect");
    if (rn.IsScalar())
    {
        m.Bool("reconnect", &out->enabled);
        return;
    }
    Map rm(r, rn, m.Path("reconnect"), {"enabled", "initial", "max", "multiplier", "jitter"});
    if (rm.Ok())
    {
        rm.Bool("enabled", &out->enabled);
        rm.Duration("initial", &out->initial);
        rm.Duration("max", &out->max);
        rm.Real("multiplier", 1, 100, "a number from 1 to 100", &out->multiplier);
        rm.Real("jitter", 0, 1, "a fraction from 0 to 1", &out->jitter);
    }
}

void
ReadGroup(Reader& r, const YAML::Node& node, const std::string& path, MqttClientGroupSpec* g)
{
    Map m(r,
          node,
          path,
          {"count",
           "attach",
           "link",
           "interval",
           "topic",
           "qos",
           "payload",
           "retain",
           "messages",
           "max-inflight",
           "end-to-end-window",
           "start",
           "subscribe",
           "client-id",
           "keep-alive",
           "clean-session",
           "reconnect",
           "energy",
           "tls",
           "protocol",
           "session-expiry",
           "topic-aliases",
           "receive-maximum",
           "message-expiry",
           "share-group",
           "auth",
           "sleep"});
    if (!m.Ok())
    {
        return;
    }
    m.Unsigned("count", 1, 100000, &g->count);
    m.StringList("attach", &g->attach);
    m.String("link", &g->link);
    if (m.Has("interval"))
    {
        g->interval = MqttRandomTime();
        ReadRandomTime(m, "interval", &*g->interval);
    }
    m.String("topic", &g->topic);
    m.Qos("qos", &g->qos);
    m.Unsigned("payload", 0, 268435455, &g->payload);
    m.Bool("retain", &g->retain);
    m.Unsigned("messages", 0, std::numeric_limits<uint32_t>::max(), &g->messages);
    m.Unsigned("max-inflight", 1, 65535, &g->maxInflight);
    m.Unsigned("end-to-end-window", 1, 65535, &g->endToEndWindow);
    ReadRandomTime(m, "start", &g->start);
    ReadSubscriptions(r, m, &g->subscriptions);
    m.String("client-id", &g->clientId);
    m.Duration("keep-alive", &g->keepAlive);
    m.Bool("clean-session", &g->cleanSession);
    ReadReconnect(r, m, &g->reconnect);
    if (m.Has("energy"))
    {
        g->energy = MqttEnergySpec();
        ReadEnergy(r, m, &*g->energy);
    }
    ReadDeviceTls(r, m, &g->tls);
    ReadGroupProtocol(r, m, g);
    ReadGroupSleep(r, m, g);
}

} // namespace

void
ReadGroups(Reader& r,
           const YAML::Node& node,
           const std::string& section,
           MqttClientRole role,
           MqttScenario* s)
{
    if (!node.IsMap())
    {
        r.Error(section, &node, "expected a map of groups, got " + Describe(node));
        return;
    }
    for (const auto& kv : node)
    {
        MqttClientGroupSpec g;
        g.name = kv.first.Scalar();
        g.role = role;
        std::string path = section + "." + g.name;
        r.Remember(path, kv.first);
        if (s->FindGroup(g.name))
        {
            r.Error(path, &kv.first, "a group of this name is defined twice");
            continue;
        }
        ReadGroup(r, kv.second, path, &g);
        s->groups.push_back(g);
    }
}

} // namespace scenario_yaml
} // namespace mqtt
} // namespace ns3
