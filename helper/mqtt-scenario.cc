/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-scenario.h"

#include "mqtt-broker-profile.h"
#include "mqtt-broker-settings.h"
#include "mqtt-topic.h"
#include "mqtt-units.h"

#include <charconv>
#include <map>
#include <set>

namespace ns3
{
namespace mqtt
{

namespace
{

/** Bounds that keep a run inside what one machine simulates. */
static constexpr uint32_t MAX_GROUP_CLIENTS = 100000;
static constexpr uint32_t MAX_PAYLOAD = 268435455 - 65536;
/** Bytes of the stamp the ns-3 applications put in payloads (doc/payload-format.md). */
static constexpr uint32_t STAMP_SIZE = 27;

bool
IsProbability(double p)
{
    return p >= 0 && p <= 1;
}

std::string
Quote(const std::string& s)
{
    return "'" + s + "'";
}

/** Checks a loss model; errors go under @p path. */
void
CheckLoss(const MqttLossSpec& loss, const std::string& path, std::vector<MqttScenarioError>* out)
{
    auto prob = [&](double v, const char* field)
    {
        if (!IsProbability(v))
        {
            char buf[64];
            auto r = std::to_chars(buf, buf + sizeof(buf), v);
            out->push_back({path + "." + field,
                            "expected a probability from 0 to 1, got " + std::string(buf, r.ptr)});
        }
    };
    switch (loss.model)
    {
    case MqttLossSpec::Model::None:
        break;
    case MqttLossSpec::Model::Rate:
        prob(loss.rate, "rate");
        break;
    case MqttLossSpec::Model::GilbertElliott:
        prob(loss.pGoodBad, "p-good-bad");
        prob(loss.pBadGood, "p-bad-good");
        prob(loss.lossGood, "loss-good");
        prob(loss.lossBad, "loss-bad");
        if (loss.pGoodBad > 0 && loss.pBadGood == 0)
        {
            out->push_back({path + ".p-bad-good",
                            "must be above 0 when p-good-bad is (the bad state would never end)"});
        }
        break;
    }
}

void
CheckRandomTime(const MqttRandomTime& t,
                const std::string& path,
                bool positiveMean,
                std::vector<MqttScenarioError>* out)
{
    if (t.kind == MqttRandomTime::Kind::Uniform && t.b < t.a)
    {
        out->push_back({path,
                        "uniform: the maximum " + FormatDuration(t.b) + " is below the minimum " +
                            FormatDuration(t.a)});
    }
    else if (positiveMean && t.Mean().count() <= 0)
    {
        out->push_back({path, "must be above 0"});
    }
}

/** Placeholders a pattern may hold. */
bool
OnlyKnownPlaceholders(const std::string& pattern, std::string* bad)
{
    std::size_t pos = 0;
    while ((pos = pattern.find('{', pos)) != std::string::npos)
    {
        std::size_t end = pattern.find('}', pos);
        std::string name =
            pattern.substr(pos, end == std::string::npos ? std::string::npos : end - pos + 1);
        if (name != "{group}" && name != "{id}" && name != "{client}")
        {
            *bad = name;
            return false;
        }
        pos = end;
    }
    return true;
}

std::string
TopicErrorText(TopicError e)
{
    switch (e)
    {
    case TopicError::None:
        return "";
    case TopicError::Empty:
        return "is empty";
    case TopicError::TooLong:
        return "is longer than 65535 bytes";
    case TopicError::NullCharacter:
        return "contains U+0000";
    case TopicError::MalformedUtf8:
        return "is not well-formed UTF-8";
    case TopicError::WildcardInName:
        return "contains a wildcard (+ or #), not allowed in a topic name";
    case TopicError::MisplacedMultiLevel:
        return "has '#' somewhere other than alone as the last level";
    case TopicError::MisplacedSingleLevel:
        return "has '+' sharing a level with other characters";
    }
    return "is not valid";
}

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

bool
WiredLink(const MqttLinkSpec* l)
{
    return l && (l->type == MqttLinkType::PointToPoint || l->type == MqttLinkType::Csma);
}

} // namespace

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
    for (const auto& [key, value] : overrides)
    {
        if (MqttBrokerSettings::Apply(&*p, key, value))
        {
            return std::nullopt;
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

std::vector<MqttScenarioError>
MqttScenario::Validate() const
{
    std::vector<MqttScenarioError> e;
    auto err = [&e](std::string path, std::string message) {
        e.push_back({std::move(path), std::move(message)});
    };

    // --- Run ---------------------------------------------------------------------------------
    if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"
                                               "XYZ0123456789-_.") != std::string::npos)
    {
        err("name", "expected letters, digits, '-', '_' or '.', got " + Quote(name));
    }
    if (duration.count() <= 0)
    {
        err("duration", "must be above 0");
    }

    // --- Links -------------------------------------------------------------------------------
    std::set<std::string> usedClasses;
    for (const auto& l : links)
    {
        std::string path = "links." + l.name;
        CheckLoss(l.loss, path + ".loss", &e);
        if (l.queuePackets == 0)
        {
            err(path + ".queue", "must be at least 1 packet");
        }
        if (l.type == MqttLinkType::Wifi && !(l.radius > 0))
        {
            err(path + ".radius", "must be above 0");
        }
        if (l.type == MqttLinkType::LowPan)
        {
            if (!(l.spacing > 0))
            {
                err(path + ".spacing", "must be above 0");
            }
            else if (!(l.range >= l.spacing))
            {
                err(path + ".range",
                    "must be at least the spacing (" + std::to_string(l.spacing) +
                        " m), or no device reaches its neighbour");
            }
        }
    }

    // --- Topology ----------------------------------------------------------------------------
    const auto& vertices = graph.Vertices();
    if (!topology.link.empty() && !FindLink(topology.link))
    {
        err("topology.link", "no link class " + Quote(topology.link) + " under links");
    }
    for (const auto& edge : graph.Edges())
    {
        const std::string& cls = EdgeLinkName(edge);
        if (cls.empty())
        {
            err("topology.link",
                "edge " + edge.name + " names no link class; set topology.link for such edges");
            break;
        }
        const MqttLinkSpec* l = FindLink(cls);
        if (!l)
        {
            if (cls != topology.link)
            {
                err("topology.file",
                    "edge " + edge.name + ": no link class " + Quote(cls) + " under links");
            }
        }
        else if (!WiredLink(l) && !usedClasses.count(cls))
        {
            err(cls == topology.link ? "topology.link" : "topology.file",
                "edge " + edge.name + ": link class " + Quote(cls) + " is " +
                    MqttLinkTypeName(l->type) +
                    "; graph edges are p2p or csma (wireless links belong to device groups)");
        }
        usedClasses.insert(cls);
    }
    if (!vertices.empty())
    {
        uint32_t brokers = 0;
        for (const auto& v : vertices)
        {
            brokers += v.role == MqttNodeRole::Broker;
            if ((v.role == MqttNodeRole::Device || v.role == MqttNodeRole::Backend) &&
                !v.group.empty() && !FindGroup(v.group))
            {
                err("topology",
                    "vertex " + Quote(v.name) + ": group " + Quote(v.group) +
                        " is not defined under devices or backends");
            }
        }
        if (brokers != 1)
        {
            err("topology.roles.broker",
                "expected exactly one broker vertex, got " + std::to_string(brokers));
        }
        if (!graph.IsConnected())
        {
            err("topology", "the graph is not connected: some vertices cannot reach the broker");
        }
    }

    // --- Broker ------------------------------------------------------------------------------
    if (!MqttBrokerProfile::ByName(broker.profile))
    {
        std::string names;
        for (const auto& n : MqttBrokerProfile::Names())
        {
            names += (names.empty() ? "" : ", ") + n;
        }
        err("broker.profile", "expected one of " + names + ", got " + Quote(broker.profile));
    }
    if (broker.port == 0)
    {
        err("broker.port", "expected a port from 1 to 65535");
    }
    {
        MqttBrokerProfile scratch;
        for (const auto& [key, value] : broker.overrides)
        {
            // The path names the key already; an unknown key is said in the common words.
            if (auto problem = MqttBrokerSettings::Apply(&scratch, key, value))
            {
                err("broker.overrides." + key,
                    problem->unknownKey ? problem->ToString() : problem->problem);
            }
        }
    }

    // --- Client groups -----------------------------------------------------------------------
    std::map<std::string, std::string> clientIds; // client id -> group that uses it
    std::set<std::string> clientNodes;
    std::set<std::string> accessLinks;
    for (const auto& g : groups)
    {
        std::string path =
            std::string(g.role == MqttClientRole::Device ? "devices." : "backends.") + g.name;
        if (g.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
                                     "6789-_") != std::string::npos)
        {
            err(path, "group names may contain only letters, digits, '-' and '_'");
        }
        if (g.count > MAX_GROUP_CLIENTS)
        {
            err(path + ".count", "at most " + std::to_string(MAX_GROUP_CLIENTS));
        }
        const MqttLinkSpec* link = nullptr;
        if (!g.link.empty())
        {
            link = FindLink(g.link);
            if (!link)
            {
                err(path + ".link", "no link class " + Quote(g.link) + " under links");
            }
            usedClasses.insert(g.link);
        }
        std::string error;
        bool placed = true;
        for (uint32_t s = 0; s < g.attach.size(); ++s)
        {
            if (!vertices.empty() && !graph.Select(g.attach[s], &error))
            {
                err(path + ".attach" + (g.attach.size() > 1 ? "." + std::to_string(s) : ""), error);
                placed = false;
            }
        }
        std::vector<uint32_t> where = PlaceGroup(g);
        if (placed && where.empty() && !vertices.empty())
        {
            err(path + ".attach",
                g.attach.empty()
                    ? "no vertex has group " + Quote(g.name) + "; say where the group attaches"
                    : "selects no vertex");
        }
        if (g.interval)
        {
            CheckRandomTime(*g.interval, path + ".interval", true, &e);
        }
        CheckRandomTime(g.start, path + ".start", false, &e);
        if (g.start.Mean() >= duration ||
            (g.start.kind == MqttRandomTime::Kind::Uniform && g.start.b >= duration))
        {
            err(path + ".start",
                "clients would start after the end of the run (" + FormatDuration(duration) + ")");
        }
        if (g.interval && g.payload < STAMP_SIZE)
        {
            err(path + ".payload",
                "expected at least " + std::to_string(STAMP_SIZE) +
                    " bytes, the stamp (sender, sequence, send time) that delivery and latency "
                    "are measured by, got " +
                    std::to_string(g.payload));
        }
        else if (g.payload > MAX_PAYLOAD)
        {
            err(path + ".payload", "at most " + std::to_string(MAX_PAYLOAD) + " bytes");
        }
        std::string bad;
        if (!OnlyKnownPlaceholders(g.topic, &bad))
        {
            err(path + ".topic",
                "unknown placeholder " + bad + " (known: {group}, {id}, {client})");
        }
        else if (g.interval)
        {
            TopicError te = ValidateTopicName(g.Expand(g.topic, 0));
            if (te != TopicError::None)
            {
                err(path + ".topic", Quote(g.Expand(g.topic, 0)) + " " + TopicErrorText(te));
            }
        }
        for (uint32_t s = 0; s < g.subscriptions.size(); ++s)
        {
            const auto& sub = g.subscriptions[s];
            std::string sp = path + ".subscribe." + std::to_string(s) + ".filter";
            if (!OnlyKnownPlaceholders(sub.filter, &bad))
            {
                err(sp, "unknown placeholder " + bad + " (known: {group}, {id}, {client})");
                continue;
            }
            TopicError te = ValidateTopicFilter(g.Expand(sub.filter, 0));
            if (te != TopicError::None)
            {
                err(sp, Quote(g.Expand(sub.filter, 0)) + " " + TopicErrorText(te));
            }
        }
        if (!OnlyKnownPlaceholders(g.clientId, &bad) ||
            g.clientId.find("{client}") != std::string::npos)
        {
            err(path + ".client-id",
                "unknown placeholder " + (bad.empty() ? std::string("{client}") : bad) +
                    " (known: {group}, {id})");
        }
        else
        {
            uint32_t n = where.empty() ? g.count : where.size();
            for (uint32_t i = 0; i < n; ++i)
            {
                std::string id = g.Expand(g.clientId, i);
                auto [it, fresh] = clientIds.emplace(id, g.name);
                if (!fresh)
                {
                    err(path + ".client-id",
                        "client id " + Quote(id) + " is used twice (also by group " +
                            Quote(it->second) + "); put {id} in the pattern");
                    break;
                }
            }
        }
        if (g.keepAlive.count() % 1000000000 != 0 || g.keepAlive > std::chrono::seconds(65535))
        {
            err(path + ".keep-alive",
                "expected whole seconds from 0s to 65535s, got " + FormatDuration(g.keepAlive));
        }
        const auto& r = g.reconnect;
        if (r.initial.count() <= 0)
        {
            err(path + ".reconnect.initial", "must be above 0");
        }
        if (r.max < r.initial)
        {
            err(path + ".reconnect.max",
                "must be at least initial (" + FormatDuration(r.initial) + ")");
        }
        if (!(r.multiplier >= 1 && r.multiplier <= 100))
        {
            err(path + ".reconnect.multiplier", "expected a number from 1 to 100");
        }
        if (!IsProbability(r.jitter))
        {
            err(path + ".reconnect.jitter", "expected a fraction in [0, 1]");
        }
        // Names of nodes and access links, for the faults below.
        if (link)
        {
            std::set<uint32_t> segments;
            for (uint32_t i = 0; i < where.size(); ++i)
            {
                clientNodes.insert(ClientNodeName(g, i));
                if (link->type == MqttLinkType::PointToPoint)
                {
                    accessLinks.insert(ClientNodeName(g, i));
                }
                else if (segments.insert(where[i]).second)
                {
                    accessLinks.insert(SegmentName(g, vertices[where[i]].name));
                }
            }
        }
    }
    // --- Broker front ends: nodes with access links of their own, named VERTEX.feI ---------
    if (!broker.frontEndLink.empty())
    {
        const MqttLinkSpec* l = FindLink(broker.frontEndLink);
        if (!l)
        {
            err("broker.front-ends.link",
                "no link class " + Quote(broker.frontEndLink) + " under links");
        }
        else if (l->type != MqttLinkType::PointToPoint)
        {
            err("broker.front-ends.link",
                "link class " + Quote(broker.frontEndLink) + " is " + MqttLinkTypeName(l->type) +
                    "; front ends need a p2p link each");
        }
        usedClasses.insert(broker.frontEndLink);
    }
    if (broker.frontEnds > 1 && BrokerVertex())
    {
        for (uint32_t i = 0; i < broker.frontEnds; ++i)
        {
            std::string name = MqttBrokerSpec::FrontEndName(vertices[*BrokerVertex()].name, i);
            clientNodes.insert(name);
            accessLinks.insert(name);
        }
    }
    for (const auto& node : clientNodes)
    {
        if (graph.FindVertex(node))
        {
            err("topology", "vertex " + Quote(node) + " has the name of a client node; rename it");
        }
    }

    // --- Faults ------------------------------------------------------------------------------
    for (uint32_t i = 0; i < faults.size(); ++i)
    {
        const auto& f = faults[i];
        std::string path = "faults." + std::to_string(i);
        if (f.at > duration)
        {
            err(path + ".at", "after the end of the run (" + FormatDuration(duration) + ")");
        }
        switch (f.action)
        {
        case MqttFaultAction::LinkDown:
        case MqttFaultAction::LinkUp:
        case MqttFaultAction::SetLoss:
            if (!f.link.empty() && !graph.FindEdge(f.link) && !accessLinks.count(f.link))
            {
                err(path + ".link",
                    "no link named " + Quote(f.link) +
                        " (graph edges are A--B or their name; access links are "
                        "GROUP-N for p2p and GROUP@VERTEX otherwise)");
            }
            if (!f.linkClass.empty() && !usedClasses.count(f.linkClass))
            {
                err(path + ".links",
                    FindLink(f.linkClass) ? "no link uses class " + Quote(f.linkClass)
                                          : "no link class " + Quote(f.linkClass) + " under links");
            }
            if (f.action == MqttFaultAction::SetLoss)
            {
                CheckLoss(f.loss, path + ".loss", &e);
            }
            break;
        case MqttFaultAction::NodeCrash:
        case MqttFaultAction::NodeRestart:
            if (!graph.FindVertex(f.node) && !clientNodes.count(f.node))
            {
                err(path + ".node", "no vertex or client node named " + Quote(f.node));
            }
            break;
        case MqttFaultAction::BrokerRestart:
            break;
        }
    }

    // --- Output ------------------------------------------------------------------------------
    if (output.statsInterval.count() <= 0)
    {
        err("output.stats-interval", "must be above 0");
    }
    return e;
}

} // namespace mqtt
} // namespace ns3
