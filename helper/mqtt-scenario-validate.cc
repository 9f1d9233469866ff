/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttScenario::Validate: one check per section of the scenario file, in file order, over a
 * context that carries what later sections refer to (link classes in use, client node names,
 * access link names, client ids).
 */
#include "mqtt-broker-profile.h"
#include "mqtt-broker-settings.h"
#include "mqtt-scenario.h"
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

/** The message for a link class that the links section does not define. */
std::string
NoLinkClass(const std::string& name)
{
    return "no link class " + Quote(name) + " under links";
}

/** The message for a placeholder in a topic or filter that no client can expand. */
std::string
UnknownPlaceholder(const std::string& bad)
{
    return "unknown placeholder " + bad + " (known: {group}, {id}, {client})";
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

/** What the checks of one scenario share; errors in the order they are found. */
class MqttScenarioChecks
{
  public:
    explicit MqttScenarioChecks(const MqttScenario& scenario)
        : s(scenario)
    {
    }

    void CheckRun();
    void CheckLinks();
    void CheckEdges();
    void CheckVertices();
    void CheckBroker();
    void CheckGroups();
    void CheckFrontEnds();
    void CheckNodeNames();
    void CheckFaults();
    void CheckOutput();

    std::vector<MqttScenarioError> errors;

  private:
    void
    Err(std::string path, std::string message)
    {
        errors.push_back({std::move(path), std::move(message)});
    }

    void CheckGroup(const MqttClientGroupSpec& g);
    /** Name, count, link class and attach selectors; returns the group's link class. */
    const MqttLinkSpec* CheckGroupPlacement(const MqttClientGroupSpec& g,
                                            const std::string& path,
                                            std::vector<uint32_t>* where);
    void CheckGroupTraffic(const MqttClientGroupSpec& g, const std::string& path);
    void CheckGroupTopics(const MqttClientGroupSpec& g, const std::string& path);
    void CheckGroupClientIds(const MqttClientGroupSpec& g,
                             const std::string& path,
                             const std::vector<uint32_t>& where);
    void CheckGroupSession(const MqttClientGroupSpec& g, const std::string& path);
    /** Remembers the names of the group's nodes and access links, for the faults. */
    void NoteGroupNames(const MqttClientGroupSpec& g,
                        const MqttLinkSpec* link,
                        const std::vector<uint32_t>& where);
    void CheckFault(const MqttFaultSpec& f, const std::string& path);

    const MqttScenario& s;
    /** Link classes that some link uses (graph edges, access links, front ends). */
    std::set<std::string> usedClasses;
    /** Names of nodes that are not vertices (clients with a link, broker front ends). */
    std::set<std::string> clientNodes;
    /** Names of access links (p2p: one per client; shared media: one per segment). */
    std::set<std::string> accessLinks;
    /** Client id -> group that uses it. */
    std::map<std::string, std::string> clientIds;
};

void
MqttScenarioChecks::CheckRun()
{
    if (s.name.empty() ||
        s.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"
                                 "XYZ0123456789-_.") != std::string::npos)
    {
        Err("name", "expected letters, digits, '-', '_' or '.', got " + Quote(s.name));
    }
    if (s.duration.count() <= 0)
    {
        Err("duration", "must be above 0");
    }
}

void
MqttScenarioChecks::CheckLinks()
{
    for (const auto& l : s.links)
    {
        std::string path = "links." + l.name;
        CheckLoss(l.loss, path + ".loss", &errors);
        if (l.queuePackets == 0)
        {
            Err(path + ".queue", "must be at least 1 packet");
        }
        if (l.type == MqttLinkType::Wifi && !(l.radius > 0))
        {
            Err(path + ".radius", "must be above 0");
        }
        if (l.type == MqttLinkType::LowPan)
        {
            if (!(l.spacing > 0))
            {
                Err(path + ".spacing", "must be above 0");
            }
            else if (!(l.range >= l.spacing))
            {
                Err(path + ".range",
                    "must be at least the spacing (" + std::to_string(l.spacing) +
                        " m), or no device reaches its neighbour");
            }
        }
    }
}

void
MqttScenarioChecks::CheckEdges()
{
    const auto& topology = s.topology;
    if (!topology.link.empty() && !s.FindLink(topology.link))
    {
        Err("topology.link", NoLinkClass(topology.link));
    }
    for (const auto& edge : s.graph.Edges())
    {
        const std::string& cls = s.EdgeLinkName(edge);
        if (cls.empty())
        {
            Err("topology.link",
                "edge " + edge.name + " names no link class; set topology.link for such edges");
            break;
        }
        const MqttLinkSpec* l = s.FindLink(cls);
        if (!l)
        {
            if (cls != topology.link)
            {
                Err("topology.file", "edge " + edge.name + ": " + NoLinkClass(cls));
            }
        }
        else if (!l->IsWired() && !usedClasses.count(cls))
        {
            Err(cls == topology.link ? "topology.link" : "topology.file",
                "edge " + edge.name + ": link class " + Quote(cls) + " is " +
                    MqttLinkTypeName(l->type) +
                    "; graph edges are p2p or csma (wireless links belong to device groups)");
        }
        usedClasses.insert(cls);
    }
}

void
MqttScenarioChecks::CheckVertices()
{
    const auto& vertices = s.graph.Vertices();
    if (vertices.empty())
    {
        return;
    }
    uint32_t brokers = 0;
    for (const auto& v : vertices)
    {
        brokers += v.role == MqttNodeRole::Broker;
        if ((v.role == MqttNodeRole::Device || v.role == MqttNodeRole::Backend) &&
            !v.group.empty() && !s.FindGroup(v.group))
        {
            Err("topology",
                "vertex " + Quote(v.name) + ": group " + Quote(v.group) +
                    " is not defined under devices or backends");
        }
    }
    if (brokers != 1)
    {
        Err("topology.roles.broker",
            "expected exactly one broker vertex, got " + std::to_string(brokers));
    }
    if (!s.graph.IsConnected())
    {
        Err("topology", "the graph is not connected: some vertices cannot reach the broker");
    }
}

void
MqttScenarioChecks::CheckBroker()
{
    const auto& broker = s.broker;
    if (!MqttBrokerProfile::ByName(broker.profile))
    {
        std::string names;
        for (const auto& n : MqttBrokerProfile::Names())
        {
            names += (names.empty() ? "" : ", ") + n;
        }
        Err("broker.profile", "expected one of " + names + ", got " + Quote(broker.profile));
    }
    if (broker.port == 0)
    {
        Err("broker.port", "expected a port from 1 to 65535");
    }
    MqttBrokerProfile scratch;
    for (const auto& [key, value] : broker.overrides)
    {
        // The path names the key already; an unknown key is said in the common words.
        if (auto problem = MqttBrokerSettings::Apply(&scratch, key, value))
        {
            Err("broker.overrides." + key,
                problem->unknownKey ? problem->ToString() : problem->problem);
        }
    }
}

void
MqttScenarioChecks::CheckGroups()
{
    for (const auto& g : s.groups)
    {
        CheckGroup(g);
    }
}

void
MqttScenarioChecks::CheckGroup(const MqttClientGroupSpec& g)
{
    std::string path =
        std::string(g.role == MqttClientRole::Device ? "devices." : "backends.") + g.name;
    std::vector<uint32_t> where;
    const MqttLinkSpec* link = CheckGroupPlacement(g, path, &where);
    CheckGroupTraffic(g, path);
    CheckGroupTopics(g, path);
    CheckGroupClientIds(g, path, where);
    CheckGroupSession(g, path);
    NoteGroupNames(g, link, where);
    auto profile = MqttBrokerProfile::ByName(s.broker.profile);
    if (g.protocol == 5 && profile && profile->protocolVersion != ProtocolVersion::Mqtt5)
    {
        // A 3.1.1 profile refuses a level 5 CONNECT (CONNACK 0x01).
        Err(path + ".protocol",
            "5 needs a broker profile that speaks MQTT 5.0 (standard-5, aws-iot-core-5), not " +
                Quote(s.broker.profile));
    }
}

const MqttLinkSpec*
MqttScenarioChecks::CheckGroupPlacement(const MqttClientGroupSpec& g,
                                        const std::string& path,
                                        std::vector<uint32_t>* where)
{
    const auto& vertices = s.graph.Vertices();
    if (g.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
                                 "6789-_") != std::string::npos)
    {
        Err(path, "group names may contain only letters, digits, '-' and '_'");
    }
    if (g.count > MAX_GROUP_CLIENTS)
    {
        Err(path + ".count", "at most " + std::to_string(MAX_GROUP_CLIENTS));
    }
    const MqttLinkSpec* link = nullptr;
    if (!g.link.empty())
    {
        link = s.FindLink(g.link);
        if (!link)
        {
            Err(path + ".link", NoLinkClass(g.link));
        }
        usedClasses.insert(g.link);
    }
    std::string error;
    bool placed = true;
    for (uint32_t i = 0; i < g.attach.size(); ++i)
    {
        if (!vertices.empty() && !s.graph.Select(g.attach[i], &error))
        {
            Err(path + ".attach" + (g.attach.size() > 1 ? "." + std::to_string(i) : ""), error);
            placed = false;
        }
    }
    *where = s.PlaceGroup(g);
    if (placed && where->empty() && !vertices.empty())
    {
        Err(path + ".attach",
            g.attach.empty()
                ? "no vertex has group " + Quote(g.name) + "; say where the group attaches"
                : "selects no vertex");
    }
    return link;
}

void
MqttScenarioChecks::CheckGroupTraffic(const MqttClientGroupSpec& g, const std::string& path)
{
    if (g.interval)
    {
        CheckRandomTime(*g.interval, path + ".interval", true, &errors);
    }
    CheckRandomTime(g.start, path + ".start", false, &errors);
    if (g.start.Mean() >= s.duration ||
        (g.start.kind == MqttRandomTime::Kind::Uniform && g.start.b >= s.duration))
    {
        Err(path + ".start",
            "clients would start after the end of the run (" + FormatDuration(s.duration) + ")");
    }
    if (g.endToEndWindow != 0 && !g.interval)
    {
        Err(path + ".end-to-end-window",
            "only for a group that publishes (give it an interval: the time between publishes "
            "while the window is open)");
    }
    if (g.interval && g.payload < STAMP_SIZE)
    {
        Err(path + ".payload",
            "expected at least " + std::to_string(STAMP_SIZE) +
                " bytes, the stamp (sender, sequence, send time) that delivery and latency "
                "are measured by, got " +
                std::to_string(g.payload));
    }
    else if (g.payload > MAX_PAYLOAD)
    {
        Err(path + ".payload", "at most " + std::to_string(MAX_PAYLOAD) + " bytes");
    }
}

void
MqttScenarioChecks::CheckGroupTopics(const MqttClientGroupSpec& g, const std::string& path)
{
    std::string bad;
    if (!OnlyKnownPlaceholders(g.topic, &bad))
    {
        Err(path + ".topic", UnknownPlaceholder(bad));
    }
    else if (g.interval)
    {
        TopicError te = ValidateTopicName(g.Expand(g.topic, 0));
        if (te != TopicError::None)
        {
            Err(path + ".topic", Quote(g.Expand(g.topic, 0)) + " " + TopicErrorText(te));
        }
    }
    for (uint32_t i = 0; i < g.subscriptions.size(); ++i)
    {
        const auto& sub = g.subscriptions[i];
        std::string sp = path + ".subscribe." + std::to_string(i) + ".filter";
        if (!OnlyKnownPlaceholders(sub.filter, &bad))
        {
            Err(sp, UnknownPlaceholder(bad));
            continue;
        }
        TopicError te = ValidateTopicFilter(g.Expand(sub.filter, 0));
        if (te != TopicError::None)
        {
            Err(sp, Quote(g.Expand(sub.filter, 0)) + " " + TopicErrorText(te));
        }
    }
}

void
MqttScenarioChecks::CheckGroupClientIds(const MqttClientGroupSpec& g,
                                        const std::string& path,
                                        const std::vector<uint32_t>& where)
{
    std::string bad;
    if (!OnlyKnownPlaceholders(g.clientId, &bad) ||
        g.clientId.find("{client}") != std::string::npos)
    {
        Err(path + ".client-id",
            "unknown placeholder " + (bad.empty() ? std::string("{client}") : bad) +
                " (known: {group}, {id})");
        return;
    }
    uint32_t n = where.empty() ? g.count : where.size();
    for (uint32_t i = 0; i < n; ++i)
    {
        std::string id = g.Expand(g.clientId, i);
        auto [it, fresh] = clientIds.emplace(id, g.name);
        if (!fresh)
        {
            Err(path + ".client-id",
                "client id " + Quote(id) + " is used twice (also by group " + Quote(it->second) +
                    "); put {id} in the pattern");
            break;
        }
    }
}

void
MqttScenarioChecks::CheckGroupSession(const MqttClientGroupSpec& g, const std::string& path)
{
    if (g.keepAlive.count() % 1000000000 != 0 || g.keepAlive > std::chrono::seconds(65535))
    {
        Err(path + ".keep-alive",
            "expected whole seconds from 0s to 65535s, got " + FormatDuration(g.keepAlive));
    }
    const auto& r = g.reconnect;
    if (r.initial.count() <= 0)
    {
        Err(path + ".reconnect.initial", "must be above 0");
    }
    if (r.max < r.initial)
    {
        Err(path + ".reconnect.max",
            "must be at least initial (" + FormatDuration(r.initial) + ")");
    }
    if (!(r.multiplier >= 1 && r.multiplier <= 100))
    {
        Err(path + ".reconnect.multiplier", "expected a number from 1 to 100");
    }
    if (!IsProbability(r.jitter))
    {
        Err(path + ".reconnect.jitter", "expected a fraction in [0, 1]");
    }
}

void
MqttScenarioChecks::NoteGroupNames(const MqttClientGroupSpec& g,
                                   const MqttLinkSpec* link,
                                   const std::vector<uint32_t>& where)
{
    if (!link)
    {
        return;
    }
    std::set<uint32_t> segments;
    for (uint32_t i = 0; i < where.size(); ++i)
    {
        clientNodes.insert(MqttScenario::ClientNodeName(g, i));
        if (link->type == MqttLinkType::PointToPoint)
        {
            accessLinks.insert(MqttScenario::ClientNodeName(g, i));
        }
        else if (segments.insert(where[i]).second)
        {
            accessLinks.insert(MqttScenario::SegmentName(g, s.graph.Vertices()[where[i]].name));
        }
    }
}

/** Broker front ends: nodes with access links of their own, named VERTEX.feI. */
void
MqttScenarioChecks::CheckFrontEnds()
{
    const auto& broker = s.broker;
    if (!broker.frontEndLink.empty())
    {
        const MqttLinkSpec* l = s.FindLink(broker.frontEndLink);
        if (!l)
        {
            Err("broker.front-ends.link", NoLinkClass(broker.frontEndLink));
        }
        else if (l->type != MqttLinkType::PointToPoint)
        {
            Err("broker.front-ends.link",
                "link class " + Quote(broker.frontEndLink) + " is " + MqttLinkTypeName(l->type) +
                    "; front ends need a p2p link each");
        }
        usedClasses.insert(broker.frontEndLink);
    }
    if (broker.frontEnds > 1 && s.BrokerVertex())
    {
        const std::string& vertex = s.graph.Vertices()[*s.BrokerVertex()].name;
        for (uint32_t i = 0; i < broker.frontEnds; ++i)
        {
            std::string name = MqttBrokerSpec::FrontEndName(vertex, i);
            clientNodes.insert(name);
            accessLinks.insert(name);
        }
    }
}

void
MqttScenarioChecks::CheckNodeNames()
{
    for (const auto& node : clientNodes)
    {
        if (s.graph.FindVertex(node))
        {
            Err("topology", "vertex " + Quote(node) + " has the name of a client node; rename it");
        }
    }
}

void
MqttScenarioChecks::CheckFaults()
{
    for (uint32_t i = 0; i < s.faults.size(); ++i)
    {
        CheckFault(s.faults[i], "faults." + std::to_string(i));
    }
}

void
MqttScenarioChecks::CheckFault(const MqttFaultSpec& f, const std::string& path)
{
    if (f.at > s.duration)
    {
        Err(path + ".at", "after the end of the run (" + FormatDuration(s.duration) + ")");
    }
    switch (f.action)
    {
    case MqttFaultAction::LinkDown:
    case MqttFaultAction::LinkUp:
    case MqttFaultAction::SetLoss:
        if (!f.link.empty() && !s.graph.FindEdge(f.link) && !accessLinks.count(f.link))
        {
            Err(path + ".link",
                "no link named " + Quote(f.link) +
                    " (graph edges are A--B or their name; access links are "
                    "GROUP-N for p2p and GROUP@VERTEX otherwise)");
        }
        if (!f.linkClass.empty() && !usedClasses.count(f.linkClass))
        {
            Err(path + ".links",
                s.FindLink(f.linkClass) ? "no link uses class " + Quote(f.linkClass)
                                        : NoLinkClass(f.linkClass));
        }
        if (f.action == MqttFaultAction::SetLoss)
        {
            CheckLoss(f.loss, path + ".loss", &errors);
        }
        break;
    case MqttFaultAction::NodeCrash:
    case MqttFaultAction::NodeRestart:
        if (!s.graph.FindVertex(f.node) && !clientNodes.count(f.node))
        {
            Err(path + ".node", "no vertex or client node named " + Quote(f.node));
        }
        break;
    case MqttFaultAction::BrokerRestart:
        break;
    }
}

void
MqttScenarioChecks::CheckOutput()
{
    if (s.output.statsInterval.count() <= 0)
    {
        Err("output.stats-interval", "must be above 0");
    }
}

} // namespace

std::vector<MqttScenarioError>
MqttScenario::Validate() const
{
    // In file order; edges, groups and front ends note what the faults may name.
    MqttScenarioChecks checks(*this);
    checks.CheckRun();
    checks.CheckLinks();
    checks.CheckEdges();
    checks.CheckVertices();
    checks.CheckBroker();
    checks.CheckGroups();
    checks.CheckFrontEnds();
    checks.CheckNodeNames();
    checks.CheckFaults();
    checks.CheckOutput();
    return checks.errors;
}

} // namespace mqtt
} // namespace ns3
