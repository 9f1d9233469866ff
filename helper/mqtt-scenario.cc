/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The scenario model: names, placement of groups, the graph and its link classes. Validate()
 * is in mqtt-scenario-validate.cc.
 */
#include "mqtt-scenario.h"

#include "mqtt-broker-profile.h"
#include "mqtt-broker-settings.h"

#include <set>

namespace ns3
{
namespace mqtt
{

namespace
{

/** Resolves @p file against @p baseDir unless it is absolute. */
std::string
Resolve(const std::string& baseDir, const std::string& file)
{
    if (file.empty() || file[0] == '/' || baseDir.empty())
    {
        return file;
    }
    return baseDir + "/" + file;
}

} // namespace

namespace
{

double
Lookup(const std::vector<std::pair<std::string, double>>& values, const std::string& name)
{
    for (const auto& [key, value] : values)
    {
        if (key == name)
        {
            return value;
        }
    }
    return 0;
}

} // namespace

double
MqttRadioEnergySpec::State(const std::string& name) const
{
    return Lookup(states, name);
}

double
MqttRadioEnergySpec::Timer(const std::string& name) const
{
    return Lookup(timers, name);
}

bool
MqttLinkSpec::IsWired() const
{
    return type == MqttLinkType::PointToPoint || type == MqttLinkType::Csma;
}

ScenarioTime
MqttRandomTime::Mean() const
{
    switch (kind)
    {
    case Kind::Constant:
    case Kind::Exponential:
        return a;
    case Kind::Uniform:
        return a + (b - a) / 2;
    }
    return a;
}

double
MqttLossSpec::MeanLoss() const
{
    switch (model)
    {
    case Model::None:
        return 0;
    case Model::Rate:
        return rate;
    case Model::GilbertElliott:
    {
        // Stationary probability of the bad state: pGB / (pGB + pBG).
        double sum = pGoodBad + pBadGood;
        double bad = sum > 0 ? pGoodBad / sum : 0;
        return (1 - bad) * lossGood + bad * lossBad;
    }
    }
    return 0;
}

const char*
MqttLinkTypeName(MqttLinkType type)
{
    switch (type)
    {
    case MqttLinkType::PointToPoint:
        return "p2p";
    case MqttLinkType::Csma:
        return "csma";
    case MqttLinkType::Wifi:
        return "wifi";
    case MqttLinkType::LowPan:
        return "lowpan";
    }
    return "p2p";
}

std::optional<MqttBrokerProfile>
MqttBrokerSpec::Profile() const
{
    std::optional<MqttBrokerProfile> p = MqttBrokerProfile::ByName(profile);
    if (!p)
    {
        return std::nullopt;
    }
    for (const auto* list : {&overrides, &service.settings})
    {
        for (const auto& [key, value] : *list)
        {
            if (MqttBrokerSettings::Apply(&*p, key, value))
            {
                return std::nullopt;
            }
        }
    }
    return p;
}

const char*
MqttFaultActionName(MqttFaultAction action)
{
    switch (action)
    {
    case MqttFaultAction::LinkDown:
        return "link-down";
    case MqttFaultAction::LinkUp:
        return "link-up";
    case MqttFaultAction::SetLoss:
        return "set-loss";
    case MqttFaultAction::NodeCrash:
        return "node-crash";
    case MqttFaultAction::NodeRestart:
        return "node-restart";
    case MqttFaultAction::BrokerRestart:
        return "broker-restart";
    }
    return "link-down";
}

std::string
MqttClientGroupSpec::Expand(const std::string& pattern, uint32_t index) const
{
    std::string id = std::to_string(index);
    std::string out;
    std::size_t pos = 0;
    while (pos < pattern.size())
    {
        if (pattern.compare(pos, 7, "{group}") == 0)
        {
            out += name;
            pos += 7;
        }
        else if (pattern.compare(pos, 4, "{id}") == 0)
        {
            out += id;
            pos += 4;
        }
        else if (pattern.compare(pos, 8, "{client}") == 0)
        {
            // The client id itself may use {group} and {id} only.
            out += (&pattern == &clientId) ? name + "-" + id : Expand(clientId, index);
            pos += 8;
        }
        else
        {
            out += pattern[pos++];
        }
    }
    return out;
}

const MqttLinkSpec*
MqttScenario::FindLink(const std::string& name) const
{
    for (const auto& l : links)
    {
        if (l.name == name)
        {
            return &l;
        }
    }
    return nullptr;
}

const MqttClientGroupSpec*
MqttScenario::FindGroup(const std::string& name) const
{
    for (const auto& g : groups)
    {
        if (g.name == name)
        {
            return &g;
        }
    }
    return nullptr;
}

std::string
MqttScenario::ClientNodeName(const MqttClientGroupSpec& group, uint32_t index)
{
    return group.name + "-" + std::to_string(index);
}

std::string
MqttBrokerSpec::FrontEndName(const std::string& brokerVertex, uint32_t i)
{
    return brokerVertex + ".fe" + std::to_string(i);
}

std::string
MqttScenario::SegmentName(const MqttClientGroupSpec& group, const std::string& vertex)
{
    return group.name + "@" + vertex;
}

const std::string&
MqttScenario::EdgeLinkName(const MqttGraphEdge& e) const
{
    return e.link.empty() ? topology.link : e.link;
}

MqttEdgeLink
MqttScenario::ResolveEdge(const MqttGraphEdge& e) const
{
    MqttEdgeLink r;
    r.spec = FindLink(EdgeLinkName(e));
    if (!r.spec)
    {
        return r;
    }
    r.rateBps = e.rateBps.value_or(r.spec->rateBps);
    r.delay = e.delay.value_or(r.spec->delay);
    r.loss = r.spec->loss;
    if (e.loss)
    {
        r.loss = MqttLossSpec();
        r.loss.model = MqttLossSpec::Model::Rate;
        r.loss.rate = *e.loss;
    }
    return r;
}

std::vector<MqttScenarioError>
MqttScenario::BuildGraph(const std::string& baseDir)
{
    std::vector<MqttScenarioError> errors;
    std::string error;
    std::optional<MqttTopologyGraph> g;
    if (!topology.file.empty())
    {
        g = MqttTopologyGraph::ReadFile(Resolve(baseDir, topology.file), &error);
        if (!g)
        {
            errors.push_back({"topology.file", error});
        }
    }
    else
    {
        g = MqttTopologyGraph::Generate(topology.generator, &error);
        if (!g)
        {
            errors.push_back({"topology.generator", error});
        }
    }
    if (!g)
    {
        graph = MqttTopologyGraph();
        return errors;
    }
    for (uint32_t i = 0; i < topology.roles.size(); ++i)
    {
        const auto& [role, selectors] = topology.roles[i];
        for (uint32_t s = 0; s < selectors.size(); ++s)
        {
            auto picked = g->Select(selectors[s], &error);
            if (!picked)
            {
                std::string path = std::string("topology.roles.") + MqttNodeRoleName(role);
                if (selectors.size() > 1)
                {
                    path += "." + std::to_string(s);
                }
                errors.push_back({path, error});
                continue;
            }
            for (uint32_t v : *picked)
            {
                g->SetRole(v, role, g->Vertices()[v].group);
            }
        }
    }
    graph = std::move(*g);
    return errors;
}

std::optional<uint32_t>
MqttScenario::BrokerVertex() const
{
    std::optional<uint32_t> found;
    for (uint32_t i = 0; i < graph.Vertices().size(); ++i)
    {
        if (graph.Vertices()[i].role == MqttNodeRole::Broker)
        {
            if (found)
            {
                return std::nullopt;
            }
            found = i;
        }
    }
    return found;
}

std::vector<uint32_t>
MqttScenario::PlaceGroup(const MqttClientGroupSpec& group) const
{
    std::vector<std::string> selectors = group.attach;
    if (selectors.empty())
    {
        selectors.push_back("group:" + group.name);
    }
    std::vector<uint32_t> vertices;
    std::set<uint32_t> seen;
    std::string error;
    for (const auto& s : selectors)
    {
        auto picked = graph.Select(s, &error);
        if (!picked)
        {
            return {};
        }
        for (uint32_t v : *picked)
        {
            if (seen.insert(v).second)
            {
                vertices.push_back(v);
            }
        }
    }
    if (vertices.empty())
    {
        return {};
    }
    uint32_t n = group.count == 0 ? vertices.size() : group.count;
    std::vector<uint32_t> placed(n);
    for (uint32_t i = 0; i < n; ++i)
    {
        placed[i] = vertices[i % vertices.size()];
    }
    return placed;
}

} // namespace mqtt
} // namespace ns3
