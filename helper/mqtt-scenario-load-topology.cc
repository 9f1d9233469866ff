/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The topology section: a generator and its parameters, or a file, and the roles.
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

/** The keys of the topology section: the common ones and those of @p node's generator. */
Keys
TopologyKeys(const YAML::Node& node)
{
    std::optional<MqttGraphGenerator> type;
    if (node.IsMap() && node["generator"].IsDefined() && node["generator"].IsScalar())
    {
        type = MqttGraphGeneratorFromName(node["generator"].Scalar());
    }
    Keys allowed = {"file", "generator", "link", "roles"};
    if (!type)
    {
        return allowed;
    }
    switch (*type)
    {
    case MqttGraphGenerator::Star:
        allowed.insert(allowed.end(), {"nodes", "spacing"});
        break;
    case MqttGraphGenerator::Tree:
        allowed.insert(allowed.end(), {"fanout", "depth", "spacing"});
        break;
    case MqttGraphGenerator::Grid:
        allowed.insert(allowed.end(), {"rows", "cols", "diagonals", "spacing"});
        break;
    case MqttGraphGenerator::RandomGeometric:
        allowed.insert(allowed.end(), {"nodes", "radius", "spacing", "seed"});
        break;
    case MqttGraphGenerator::ScaleFree:
        allowed.insert(allowed.end(),
                       {"model", "nodes", "edges-per-node", "alpha", "beta", "spacing", "seed"});
        break;
    case MqttGraphGenerator::SmallWorld:
        allowed.insert(allowed.end(), {"nodes", "neighbors", "rewire", "spacing", "seed"});
        break;
    }
    return allowed;
}

/** The generator, the default link class, and the generator's parameters (seed: the run's). */
void
ReadGenerator(Map& m, uint64_t scenarioSeed, MqttTopologySpec* t)
{
    MqttGraphGeneratorParams* g = &t->generator;
    std::vector<std::pair<std::string, MqttGraphGenerator>> names;
    for (auto gen : {MqttGraphGenerator::Star,
                     MqttGraphGenerator::Tree,
                     MqttGraphGenerator::Grid,
                     MqttGraphGenerator::RandomGeometric,
                     MqttGraphGenerator::ScaleFree,
                     MqttGraphGenerator::SmallWorld})
    {
        names.emplace_back(MqttGraphGeneratorName(gen), gen);
    }
    m.Enum("generator", names, &g->type);
    m.String("link", &t->link);
    g->link = t->link;
    g->seed = scenarioSeed;
    m.Unsigned("nodes", 2, 100000, &g->nodes);
    m.Unsigned("fanout", 1, 1000, &g->fanout);
    m.Unsigned("depth", 1, 20, &g->depth);
    m.Unsigned("rows", 1, 1000, &g->rows);
    m.Unsigned("cols", 1, 1000, &g->cols);
    m.Bool("diagonals", &g->diagonals);
    m.Real("spacing", 0.001, 1e7, "a distance in metres above 0", &g->spacing);
    m.Real("radius", 0.001, 1.5, "a fraction of the square side in (0, 1.5]", &g->radius);
    m.Enum<std::string>("model", {{"ba", "ba"}, {"plod", "plod"}}, &g->model);
    m.Unsigned("edges-per-node", 1, 1000, &g->edgesPerNode);
    m.Real("alpha", 0.01, 100, "a number above 0", &g->alpha);
    m.Real("beta", 0.01, 1e9, "a number above 0", &g->beta);
    m.Unsigned("neighbors", 2, 1000, &g->neighbors);
    m.Probability("rewire", &g->rewire);
    m.Unsigned("seed", 0, std::numeric_limits<uint64_t>::max(), &g->seed);
}

/** topology.roles: role -> vertex selectors; a generated graph's broker is n0 by default. */
void
ReadRoles(Reader& r, Map& m, MqttTopologySpec* t)
{
    if (!m.Has("roles"))
    {
        if (!m.Has("file"))
        {
            t->roles.push_back({MqttNodeRole::Broker, {"n0"}});
        }
        return;
    }
    Map roles(r, m.Get("roles"), "topology.roles", {"broker", "gateway", "backend", "router"});
    if (!roles.Ok())
    {
        return;
    }
    for (const auto& kv : m.Get("roles"))
    {
        std::string key = kv.first.Scalar();
        auto role = MqttNodeRoleFromName(key);
        if (!role)
        {
            continue; // reported as unknown
        }
        std::vector<std::string> selectors;
        roles.StringList(key, &selectors);
        t->roles.emplace_back(*role, selectors);
    }
}

} // namespace

void
ReadTopology(Reader& r, const YAML::Node& node, MqttScenario* s)
{
    auto& t = s->topology;
    Map m(r, node, "topology", TopologyKeys(node));
    if (!m.Ok())
    {
        return;
    }
    if (m.Has("file") == m.Has("generator"))
    {
        r.Error("topology", &node, "expected exactly one of 'file' and 'generator'");
    }
    m.String("file", &t.file);
    ReadGenerator(m, s->seed, &t);
    ReadRoles(r, m, &t);
}

} // namespace scenario_yaml
} // namespace mqtt
} // namespace ns3
