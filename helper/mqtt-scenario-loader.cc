/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-scenario-loader.h"

#include "mqtt-units.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

namespace ns3
{
namespace mqtt
{

namespace
{

using Keys = std::vector<std::string>;

bool
StartsWith(const std::string& s, const std::string& prefix)
{
    return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

std::string
Join(const Keys& keys)
{
    std::string out;
    for (const auto& k : keys)
    {
        out += (out.empty() ? "" : ", ") + k;
    }
    return out;
}

/** What a node holds, for "got ..." in messages. */
std::string
Describe(const YAML::Node& node)
{
    if (!node.IsDefined() || node.IsNull())
    {
        return "nothing";
    }
    if (node.IsMap())
    {
        return "a map";
    }
    if (node.IsSequence())
    {
        return "a list";
    }
    return node.Scalar();
}

/**
 * Collects errors with their location: the override that set a value, else the line in the
 * file, else the line of the nearest enclosing field.
 */
class Reader
{
  public:
    explicit Reader(std::string file)
        : m_file(std::move(file))
    {
    }

    void
    Override(const std::string& path, const std::string& spec)
    {
        m_origins[path] = "--set " + spec;
    }

    void
    Remember(const std::string& path, const YAML::Node& node)
    {
        if (node.IsDefined() && node.Mark().line >= 0 && !Overridden(path))
        {
            m_lines.emplace(path, node.Mark().line + 1);
        }
    }

    std::string
    Where(const std::string& path, const YAML::Node* node) const
    {
        if (auto o = Overridden(path))
        {
            return *o;
        }
        if (node && node->IsDefined() && node->Mark().line >= 0)
        {
            return m_file + ":" + std::to_string(node->Mark().line + 1);
        }
        // The nearest enclosing field with a line; a map an override created
        // (devices.new.qos=1 creates devices.new) points at that override.
        std::string p = path;
        for (;;)
        {
            auto it = m_lines.find(p);
            if (it != m_lines.end())
            {
                return m_file + ":" + std::to_string(it->second);
            }
            for (const auto& [op, origin] : m_origins)
            {
                if (StartsWith(op, p + "."))
                {
                    return origin;
                }
            }
            std::size_t dot = p.rfind('.');
            if (dot == std::string::npos)
            {
                return m_file;
            }
            p.resize(dot);
        }
    }

    void
    Error(const std::string& path, const YAML::Node* node, const std::string& message)
    {
        m_errors.push_back(Where(path, node) + ": " + (path.empty() ? "" : path + ": ") + message);
    }

    /** An error not tied to a field (syntax, file). */
    void
    Raw(const std::string& text)
    {
        m_errors.push_back(text);
    }

    const std::vector<std::string>&
    Errors() const
    {
        return m_errors;
    }

    const std::string&
    File() const
    {
        return m_file;
    }

  private:
    std::optional<std::string>
    Overridden(const std::string& path) const
    {
        for (const auto& [p, origin] : m_origins)
        {
            if (path == p || StartsWith(path, p + "."))
            {
                return origin;
            }
        }
        return std::nullopt;
    }

    std::string m_file;
    std::map<std::string, std::string> m_origins;
    std::map<std::string, int> m_lines;
    std::vector<std::string> m_errors;
};

/** A YAML map being read: unknown and repeated keys are errors, values are typed. */
class Map
{
  public:
    Map(Reader& r, const YAML::Node& node, std::string path, Keys allowed)
        : m_r(r)
        , m_node(node)
        , m_path(std::move(path))
        , m_allowed(std::move(allowed))
    {
        m_r.Remember(m_path, node);
        if (!node.IsMap())
        {
            m_r.Error(m_path, &node, "expected a map, got " + Describe(node));
            m_ok = false;
            return;
        }
        std::set<std::string> seen;
        for (const auto& kv : node)
        {
            const YAML::Node& key = kv.first;
            if (!key.IsScalar())
            {
                m_r.Error(m_path, &key, "keys must be plain names");
                continue;
            }
            std::string k = key.Scalar();
            std::string kp = Path(k);
            m_r.Remember(kp, key);
            if (!seen.insert(k).second)
            {
                m_r.Error(kp, &key, "given twice");
            }
            else if (std::find(m_allowed.begin(), m_allowed.end(), k) == m_allowed.end())
            {
                m_r.Error(kp, &key, "unknown field (expected one of: " + Join(m_allowed) + ")");
            }
        }
    }

    bool
    Ok() const
    {
        return m_ok;
    }

    std::string
    Path(const std::string& key) const
    {
        return m_path.empty() ? key : m_path + "." + key;
    }

    const std::string&
    PathOf() const
    {
        return m_path;
    }

    bool
    Has(const std::string& key) const
    {
        return m_ok && m_node[key].IsDefined();
    }

    YAML::Node
    Get(const std::string& key) const
    {
        return m_node[key];
    }

    void
    Require(const Keys& keys)
    {
        if (!m_ok)
        {
            return;
        }
        for (const auto& k : keys)
        {
            if (!Has(k))
            {
                m_r.Error(m_path, &m_node, "missing required field '" + k + "'");
            }
        }
    }

    /** The scalar text of @p key, or nothing (absent, or an error if not a scalar). */
    std::optional<std::string>
    Scalar(const std::string& key, const std::string& expected)
    {
        if (!Has(key))
        {
            return std::nullopt;
        }
        YAML::Node v = Get(key);
        if (!v.IsScalar())
        {
            Fail(key, "expected " + expected + ", got " + Describe(v));
            return std::nullopt;
        }
        return v.Scalar();
    }

    void
    Fail(const std::string& key, const std::string& message)
    {
        YAML::Node v = Get(key);
        m_r.Error(Path(key), &v, message);
    }

    void
    String(const std::string& key, std::string* out)
    {
        if (auto s = Scalar(key, "a string"))
        {
            *out = *s;
        }
    }

    template<typename T>
    void
    Unsigned(const std::string& key, uint64_t min, uint64_t max, T* out)
    {
        std::string expected =
            "an integer from " + std::to_string(min) + " to " + std::to_string(max);
        auto s = Scalar(key, expected);
        if (!s)
        {
            return;
        }
        uint64_t v = 0;
        auto r = std::from_chars(s->data(), s->data() + s->size(), v);
        if (s->empty() || r.ec != std::errc() || r.ptr != s->data() + s->size() || v < min ||
            v > max)
        {
            Fail(key, "expected " + expected + ", got " + *s);
            return;
        }
        *out = static_cast<T>(v);
    }

    void
    Real(const std::string& key, double min, double max, const std::string& expected, double* out)
    {
        auto s = Scalar(key, expected);
        if (!s)
        {
            return;
        }
        double v = 0;
        auto r = std::from_chars(s->data(), s->data() + s->size(), v);
        if (s->empty() || r.ec != std::errc() || r.ptr != s->data() + s->size() ||
            !std::isfinite(v) || v < min || v > max)
        {
            Fail(key, "expected " + expected + ", got " + *s);
            return;
        }
        *out = v;
    }

    void
    Number(const std::string& key, double* out)
    {
        Real(key, -1e300, 1e300, "a number", out);
    }

    void
    Probability(const std::string& key, double* out)
    {
        Real(key, 0, 1, "a probability from 0 to 1", out);
    }

    void
    Bool(const std::string& key, bool* out)
    {
        auto s = Scalar(key, "true or false");
        if (!s)
        {
            return;
        }
        if (*s != "true" && *s != "false")
        {
            Fail(key, "expected true or false, got " + *s);
            return;
        }
        *out = *s == "true";
    }

    void
    Duration(const std::string& key, ScenarioTime* out)
    {
        auto s = Scalar(key, "a duration like 10s or 250ms");
        if (!s)
        {
            return;
        }
        auto d = ParseDuration(*s);
        if (!d)
        {
            Fail(key, "expected a duration like 10s or 250ms, got " + *s);
            return;
        }
        *out = *d;
    }

    void
    Rate(const std::string& key, uint64_t* out)
    {
        auto s = Scalar(key, "a data rate like 100Mbps or 250kbps");
        if (!s)
        {
            return;
        }
        auto r = ParseDataRate(*s);
        if (!r)
        {
            Fail(key, "expected a data rate like 100Mbps or 250kbps, got " + *s);
            return;
        }
        *out = *r;
    }

    void
    Qos(const std::string& key, uint8_t* out)
    {
        auto s = Scalar(key, "0, 1 or 2");
        if (!s)
        {
            return;
        }
        if (*s != "0" && *s != "1" && *s != "2")
        {
            Fail(key, "expected 0, 1 or 2, got " + *s);
            return;
        }
        *out = static_cast<uint8_t>((*s)[0] - '0');
    }

    template<typename E>
    void
    Enum(const std::string& key, const std::vector<std::pair<std::string, E>>& names, E* out)
    {
        Keys list;
        for (const auto& n : names)
        {
            list.push_back(n.first);
        }
        std::string expected = "one of " + Join(list);
        auto s = Scalar(key, expected);
        if (!s)
        {
            return;
        }
        for (const auto& n : names)
        {
            if (*s == n.first)
            {
                *out = n.second;
                return;
            }
        }
        Fail(key, "expected " + expected + ", got " + *s);
    }

    /** A scalar or a list of scalars. */
    void
    StringList(const std::string& key, std::vector<std::string>* out)
    {
        if (!Has(key))
        {
            return;
        }
        YAML::Node v = Get(key);
        out->clear();
        if (v.IsScalar())
        {
            out->push_back(v.Scalar());
            return;
        }
        if (!v.IsSequence() || v.size() == 0)
        {
            Fail(key, "expected a name or a list of names, got " + Describe(v));
            return;
        }
        for (std::size_t i = 0; i < v.size(); ++i)
        {
            YAML::Node item = v[i];
            if (!item.IsScalar())
            {
                m_r.Error(Path(key) + "." + std::to_string(i),
                          &item,
                          "expected a name, got " + Describe(item));
                continue;
            }
            out->push_back(item.Scalar());
        }
    }

    Reader&
    R()
    {
        return m_r;
    }

  private:
    Reader& m_r;
    YAML::Node m_node;
    std::string m_path;
    Keys m_allowed;
    bool m_ok = true;
};

// --- Sections --------------------------------------------------------------------------------

void
ReadLoss(Reader& r, const YAML::Node& node, const std::string& path, MqttLossSpec* loss)
{
    static const Keys GE = {"p-good-bad", "p-bad-good", "loss-good", "loss-bad"};
    // The model may be left out when the fields say it.
    MqttLossSpec::Model model = MqttLossSpec::Model::None;
    if (node.IsMap())
    {
        if (node["rate"].IsDefined())
        {
            model = MqttLossSpec::Model::Rate;
        }
        for (const auto& k : GE)
        {
            if (node[k].IsDefined())
            {
                model = MqttLossSpec::Model::GilbertElliott;
            }
        }
        if (node["model"].IsDefined() && node["model"].IsScalar())
        {
            const std::string& m = node["model"].Scalar();
            model = m == "rate"              ? MqttLossSpec::Model::Rate
                    : m == "gilbert-elliott" ? MqttLossSpec::Model::GilbertElliott
                                             : MqttLossSpec::Model::None;
        }
    }
    Keys allowed = {"model"};
    if (model == MqttLossSpec::Model::Rate)
    {
        allowed.push_back("rate");
    }
    else if (model == MqttLossSpec::Model::GilbertElliott)
    {
        allowed.insert(allowed.end(), GE.begin(), GE.end());
    }
    Map m(r, node, path, allowed);
    if (!m.Ok())
    {
        return;
    }
    *loss = MqttLossSpec();
    m.Enum<MqttLossSpec::Model>("model",
                                {{"none", MqttLossSpec::Model::None},
                                 {"rate", MqttLossSpec::Model::Rate},
                                 {"gilbert-elliott", MqttLossSpec::Model::GilbertElliott}},
                                &loss->model);
    loss->model = model;
    if (model == MqttLossSpec::Model::Rate)
    {
        m.Require({"rate"});
        m.Number("rate", &loss->rate);
    }
    else if (model == MqttLossSpec::Model::GilbertElliott)
    {
        // Ranges are checked by MqttScenario::Validate, for files and structures alike.
        m.Require({"p-good-bad", "p-bad-good"});
        m.Number("p-good-bad", &loss->pGoodBad);
        m.Number("p-bad-good", &loss->pBadGood);
        m.Number("loss-good", &loss->lossGood);
        m.Number("loss-bad", &loss->lossBad);
    }
}

/** "10s", {constant: 10s}, {exponential: 10s} or {uniform: [5s, 15s]}. */
void
ReadRandomTime(Map& parent, const std::string& key, MqttRandomTime* out)
{
    if (!parent.Has(key))
    {
        return;
    }
    Reader& r = parent.R();
    YAML::Node node = parent.Get(key);
    std::string path = parent.Path(key);
    const std::string expected = "a duration like 10s, {exponential: 10s} or {uniform: [5s, 15s]}";
    if (node.IsScalar())
    {
        auto d = ParseDuration(node.Scalar());
        if (!d)
        {
            r.Error(path, &node, "expected " + expected + ", got " + node.Scalar());
            return;
        }
        *out = MqttRandomTime{MqttRandomTime::Kind::Constant, *d, *d};
        return;
    }
    if (!node.IsMap() || node.size() != 1)
    {
        r.Error(path, &node, "expected " + expected + ", got " + Describe(node));
        return;
    }
    Map m(r, node, path, {"constant", "exponential", "uniform"});
    if (!m.Ok())
    {
        return;
    }
    MqttRandomTime t;
    if (m.Has("constant") || m.Has("exponential"))
    {
        std::string k = m.Has("constant") ? "constant" : "exponential";
        t.kind =
            m.Has("constant") ? MqttRandomTime::Kind::Constant : MqttRandomTime::Kind::Exponential;
        t.a = ScenarioTime(-1);
        m.Duration(k, &t.a);
        if (t.a.count() < 0)
        {
            return;
        }
        t.b = t.a;
    }
    else if (m.Has("uniform"))
    {
        YAML::Node u = m.Get("uniform");
        std::string up = m.Path("uniform");
        if (!u.IsSequence() || u.size() != 2 || !u[0].IsScalar() || !u[1].IsScalar())
        {
            r.Error(up, &u, "expected [MIN, MAX], got " + Describe(u));
            return;
        }
        auto lo = ParseDuration(u[0].Scalar());
        auto hi = ParseDuration(u[1].Scalar());
        if (!lo || !hi)
        {
            r.Error(up, &u, "expected two durations like [5s, 15s]");
            return;
        }
        t.kind = MqttRandomTime::Kind::Uniform;
        t.a = *lo;
        t.b = *hi;
    }
    else
    {
        return;
    }
    *out = t;
}

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

void
ReadTopology(Reader& r, const YAML::Node& node, MqttScenario* s)
{
    auto& t = s->topology;
    auto& g = t.generator;
    std::optional<MqttGraphGenerator> type;
    if (node.IsMap() && node["generator"].IsDefined() && node["generator"].IsScalar())
    {
        type = MqttGraphGeneratorFromName(node["generator"].Scalar());
    }
    Keys allowed = {"file", "generator", "link", "roles"};
    if (type)
    {
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
            allowed.insert(
                allowed.end(),
                {"model", "nodes", "edges-per-node", "alpha", "beta", "spacing", "seed"});
            break;
        case MqttGraphGenerator::SmallWorld:
            allowed.insert(allowed.end(), {"nodes", "neighbors", "rewire", "spacing", "seed"});
            break;
        }
    }
    Map m(r, node, "topology", allowed);
    if (!m.Ok())
    {
        return;
    }
    if (m.Has("file") == m.Has("generator"))
    {
        r.Error("topology", &node, "expected exactly one of 'file' and 'generator'");
    }
    m.String("file", &t.file);
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
    m.Enum("generator", names, &g.type);
    m.String("link", &t.link);
    g.link = t.link;
    g.seed = s->seed;
    m.Unsigned("nodes", 2, 100000, &g.nodes);
    m.Unsigned("fanout", 1, 1000, &g.fanout);
    m.Unsigned("depth", 1, 20, &g.depth);
    m.Unsigned("rows", 1, 1000, &g.rows);
    m.Unsigned("cols", 1, 1000, &g.cols);
    m.Bool("diagonals", &g.diagonals);
    m.Real("spacing", 0.001, 1e7, "a distance in metres above 0", &g.spacing);
    m.Real("radius", 0.001, 1.5, "a fraction of the square side in (0, 1.5]", &g.radius);
    m.Enum<std::string>("model", {{"ba", "ba"}, {"plod", "plod"}}, &g.model);
    m.Unsigned("edges-per-node", 1, 1000, &g.edgesPerNode);
    m.Real("alpha", 0.01, 100, "a number above 0", &g.alpha);
    m.Real("beta", 0.01, 1e9, "a number above 0", &g.beta);
    m.Unsigned("neighbors", 2, 1000, &g.neighbors);
    m.Probability("rewire", &g.rewire);
    m.Unsigned("seed", 0, std::numeric_limits<uint64_t>::max(), &g.seed);
    if (m.Has("roles"))
    {
        Map roles(r, m.Get("roles"), "topology.roles", {"broker", "gateway", "backend", "router"});
        if (roles.Ok())
        {
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
                t.roles.emplace_back(*role, selectors);
            }
        }
    }
    else if (!m.Has("file"))
    {
        t.roles.push_back({MqttNodeRole::Broker, {"n0"}});
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
           "start",
           "subscribe",
           "client-id",
           "keep-alive",
           "clean-session",
           "reconnect"});
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
    ReadRandomTime(m, "start", &g->start);
    if (m.Has("subscribe"))
    {
        YAML::Node subs = m.Get("subscribe");
        std::string sp = m.Path("subscribe");
        if (!subs.IsSequence())
        {
            r.Error(sp, &subs, "expected a list of filters, got " + Describe(subs));
        }
        else
        {
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
                g->subscriptions.push_back(sub);
            }
        }
    }
    m.String("client-id", &g->clientId);
    m.Duration("keep-alive", &g->keepAlive);
    m.Bool("clean-session", &g->cleanSession);
    if (m.Has("reconnect"))
    {
        YAML::Node rn = m.Get("reconnect");
        if (rn.IsScalar())
        {
            m.Bool("reconnect", &g->reconnect.enabled);
        }
        else
        {
            Map rm(
                r, rn, m.Path("reconnect"), {"enabled", "initial", "max", "multiplier", "jitter"});
            if (rm.Ok())
            {
                rm.Bool("enabled", &g->reconnect.enabled);
                rm.Duration("initial", &g->reconnect.initial);
                rm.Duration("max", &g->reconnect.max);
                rm.Real("multiplier", 1, 100, "a number from 1 to 100", &g->reconnect.multiplier);
                rm.Real("jitter", 0, 1, "a fraction from 0 to 1", &g->reconnect.jitter);
            }
        }
    }
}

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

void
ReadFaults(Reader& r, const YAML::Node& node, MqttScenario* s)
{
    if (!node.IsSequence())
    {
        r.Error("faults", &node, "expected a list of faults, got " + Describe(node));
        return;
    }
    static const std::vector<std::pair<std::string, MqttFaultAction>> ACTIONS = {
        {"link-down", MqttFaultAction::LinkDown},
        {"link-up", MqttFaultAction::LinkUp},
        {"set-loss", MqttFaultAction::SetLoss},
        {"node-crash", MqttFaultAction::NodeCrash},
        {"node-restart", MqttFaultAction::NodeRestart},
        {"broker-restart", MqttFaultAction::BrokerRestart}};
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        const YAML::Node& f = node[i];
        std::string path = "faults." + std::to_string(i);
        MqttFaultSpec fault;
        if (f.IsMap() && f["action"].IsDefined() && f["action"].IsScalar())
        {
            for (const auto& a : ACTIONS)
            {
                if (a.first == f["action"].Scalar())
                {
                    fault.action = a.second;
                }
            }
        }
        Keys allowed = {"at", "action"};
        switch (fault.action)
        {
        case MqttFaultAction::LinkDown:
            allowed.insert(allowed.end(), {"link", "links", "for"});
            break;
        case MqttFaultAction::LinkUp:
            allowed.insert(allowed.end(), {"link", "links"});
            break;
        case MqttFaultAction::SetLoss:
            allowed.insert(allowed.end(), {"link", "links", "loss"});
            break;
        case MqttFaultAction::NodeCrash:
            allowed.insert(allowed.end(), {"node", "for"});
            break;
        case MqttFaultAction::NodeRestart:
            allowed.insert(allowed.end(), {"node"});
            break;
        case MqttFaultAction::BrokerRestart:
            allowed.insert(allowed.end(), {"for"});
            break;
        }
        Map m(r, f, path, allowed);
        if (!m.Ok())
        {
            continue;
        }
        m.Require({"at", "action"});
        m.Enum("action", ACTIONS, &fault.action);
        m.Duration("at", &fault.at);
        m.String("link", &fault.link);
        m.String("links", &fault.linkClass);
        m.String("node", &fault.node);
        m.Duration("for", &fault.duration);
        bool linkAction = fault.action == MqttFaultAction::LinkDown ||
                          fault.action == MqttFaultAction::LinkUp ||
                          fault.action == MqttFaultAction::SetLoss;
        if (linkAction && m.Has("link") == m.Has("links"))
        {
            r.Error(path, &f, "expected exactly one of 'link' (a link) and 'links' (a class)");
        }
        if (fault.action == MqttFaultAction::SetLoss)
        {
            m.Require({"loss"});
            if (m.Has("loss"))
            {
                ReadLoss(r, m.Get("loss"), m.Path("loss"), &fault.loss);
            }
        }
        if (fault.action == MqttFaultAction::NodeCrash ||
            fault.action == MqttFaultAction::NodeRestart)
        {
            m.Require({"node"});
        }
        s->faults.push_back(fault);
    }
}

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
                                                                 {"link-stats", &o.linkStats}};
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
                        "broker-stats, link-stats, got " +
                            record[i]);
            }
        }
    }
}

/** Applies one "a.b.c=value" to the tree; returns the dotted path or an error. */
bool
ApplyOverride(YAML::Node root, const std::string& spec, std::string* path, std::string* error)
{
    std::size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
    {
        *error = "expected KEY=VALUE";
        return false;
    }
    *path = spec.substr(0, eq);
    std::string text = spec.substr(eq + 1);
    std::vector<std::string> parts;
    std::stringstream ss(*path);
    std::string part;
    while (std::getline(ss, part, '.'))
    {
        if (part.empty())
        {
            *error = "empty name in the path";
            return false;
        }
        parts.push_back(part);
    }
    if (path->back() == '.')
    {
        *error = "empty name in the path";
        return false;
    }
    YAML::Node value;
    try
    {
        value = YAML::Load(text);
    }
    catch (const YAML::Exception&)
    {
        value = YAML::Node(text);
    }
    if (!value.IsDefined() || (value.IsNull() && !text.empty() && text != "null" && text != "~"))
    {
        value = YAML::Node(text);
    }
    YAML::Node cur;
    cur.reset(root);
    std::string walked;
    for (std::size_t i = 0; i < parts.size(); ++i)
    {
        const std::string& p = parts[i];
        bool last = i + 1 == parts.size();
        walked += (walked.empty() ? "" : ".") + p;
        if (cur.IsSequence())
        {
            std::size_t index = 0;
            auto r = std::from_chars(p.data(), p.data() + p.size(), index);
            if (r.ec != std::errc() || r.ptr != p.data() + p.size() || index > cur.size())
            {
                *error = walked + ": expected a list index from 0 to " + std::to_string(cur.size());
                return false;
            }
            if (last)
            {
                if (index == cur.size())
                {
                    cur.push_back(value);
                }
                else
                {
                    cur[index] = value;
                }
                return true;
            }
            if (index == cur.size())
            {
                cur.push_back(YAML::Node(YAML::NodeType::Map));
            }
            YAML::Node next = cur[index];
            cur.reset(next);
            continue;
        }
        if (!cur.IsMap() && !cur.IsNull())
        {
            *error = walked.substr(0, walked.size() - p.size() - 1) + " is " + Describe(cur) +
                     ", not a map";
            return false;
        }
        if (last)
        {
            cur[p] = value;
            return true;
        }
        const YAML::Node& ccur = cur;
        if (!ccur[p].IsDefined() || ccur[p].IsNull())
        {
            cur[p] = YAML::Node(YAML::NodeType::Map);
        }
        YAML::Node next = cur[p];
        cur.reset(next);
    }
    return true;
}

} // namespace

MqttScenarioLoadResult
MqttScenarioLoader::LoadFile(const std::string& path, const std::vector<std::string>& overrides)
{
    std::ifstream in(path);
    if (!in)
    {
        MqttScenarioLoadResult r;
        r.errors.push_back(path + ": cannot open the scenario file");
        return r;
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
    return LoadText(text, path, dir, overrides);
}

MqttScenarioLoadResult
MqttScenarioLoader::LoadText(const std::string& text,
                             const std::string& fileName,
                             const std::string& baseDir,
                             const std::vector<std::string>& overrides)
{
    MqttScenarioLoadResult result;
    Reader r(fileName);
    YAML::Node root;
    try
    {
        root = YAML::Load(text);
    }
    catch (const YAML::ParserException& e)
    {
        result.errors.push_back(fileName + ":" + std::to_string(e.mark.line + 1) +
                                ": not valid YAML: " + e.msg);
        return result;
    }
    if (!root.IsMap())
    {
        result.errors.push_back(fileName +
                                ": expected a map of sections (name, duration, "
                                "topology, links, devices, ...), got " +
                                Describe(root));
        return result;
    }
    for (const auto& spec : overrides)
    {
        std::string path;
        std::string error;
        if (!ApplyOverride(root, spec, &path, &error))
        {
            result.errors.push_back("--set " + spec + ": " + error);
            continue;
        }
        r.Override(path, spec);
    }
    if (!result.errors.empty())
    {
        return result;
    }

    MqttScenario s;
    s.sourceFile = fileName;
    s.overrides = overrides;
    if (overrides.empty())
    {
        s.sourceText = text;
    }
    else
    {
        YAML::Emitter out;
        out << root;
        s.sourceText = std::string(out.c_str()) + "\n";
    }
    // The name defaults to the file's stem.
    std::string stem =
        fileName.substr(fileName.rfind('/') == std::string::npos ? 0 : fileName.rfind('/') + 1);
    s.name = stem.substr(0, stem.find('.'));

    Map top(r,
            root,
            "",
            {"name",
             "description",
             "duration",
             "seed",
             "run",
             "topology",
             "links",
             "broker",
             "devices",
             "backends",
             "faults",
             "output"});
    top.Require({"duration", "topology", "links", "devices"});
    top.String("name", &s.name);
    top.String("description", &s.description);
    top.Duration("duration", &s.duration);
    top.Unsigned("seed", 1, std::numeric_limits<uint32_t>::max(), &s.seed);
    top.Unsigned("run", 1, std::numeric_limits<uint32_t>::max(), &s.run);
    if (top.Has("links"))
    {
        r.Remember("links", root["links"]);
        ReadLinks(r, root["links"], &s);
    }
    if (top.Has("topology"))
    {
        ReadTopology(r, root["topology"], &s);
    }
    if (top.Has("broker"))
    {
        ReadBroker(r, root["broker"], &s);
    }
    if (top.Has("devices"))
    {
        r.Remember("devices", root["devices"]);
        ReadGroups(r, root["devices"], "devices", MqttClientRole::Device, &s);
    }
    if (top.Has("backends"))
    {
        r.Remember("backends", root["backends"]);
        ReadGroups(r, root["backends"], "backends", MqttClientRole::Backend, &s);
    }
    if (top.Has("faults"))
    {
        r.Remember("faults", root["faults"]);
        ReadFaults(r, root["faults"], &s);
    }
    if (top.Has("output"))
    {
        ReadOutput(r, root["output"], &s);
    }

    // Semantic checks need a well-formed structure and the graph.
    if (r.Errors().empty())
    {
        for (const auto& e : s.BuildGraph(baseDir))
        {
            r.Error(e.path, nullptr, e.message);
        }
    }
    if (r.Errors().empty())
    {
        for (const auto& e : s.Validate())
        {
            r.Error(e.path, nullptr, e.message);
        }
    }
    result.errors = r.Errors();
    if (result.errors.empty())
    {
        result.scenario = std::move(s);
    }
    return result;
}

} // namespace mqtt
} // namespace ns3
