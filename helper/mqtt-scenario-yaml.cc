/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The YAML reading the scenario loader's sections share: error locations, typed fields
 * of a map, and the values several sections hold (loss models, random times).
 */
#include "mqtt-scenario-yaml.h"

#include "mqtt-units.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace ns3
{
namespace mqtt
{
namespace scenario_yaml
{

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

// --- Reader --------------------------------------------------------------------------------

Reader::Reader(std::string file)
    : m_file(std::move(file))
{
}

void
Reader::Override(const std::string& path, const std::string& spec)
{
    m_origins[path] = "--set " + spec;
}

void
Reader::Remember(const std::string& path, const YAML::Node& node)
{
    if (node.IsDefined() && node.Mark().line >= 0 && !Overridden(path))
    {
        m_lines.emplace(path, node.Mark().line + 1);
    }
}

std::string
Reader::Where(const std::string& path, const YAML::Node* node) const
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
Reader::Error(const std::string& path, const YAML::Node* node, const std::string& message)
{
    m_errors.push_back(Where(path, node) + ": " + (path.empty() ? "" : path + ": ") + message);
}

void
Reader::Raw(const std::string& text)
{
    m_errors.push_back(text);
}

const std::vector<std::string>&
Reader::Errors() const
{
    return m_errors;
}

const std::string&
Reader::File() const
{
    return m_file;
}

std::optional<std::string>
Reader::Overridden(const std::string& path) const
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
// --- Map -----------------------------------------------------------------------------------

Map::Map(Reader& r, const YAML::Node& node, std::string path, Keys allowed)
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
Map::Ok() const
{
    return m_ok;
}

std::string
Map::Path(const std::string& key) const
{
    return m_path.empty() ? key : m_path + "." + key;
}

const std::string&
Map::PathOf() const
{
    return m_path;
}

bool
Map::Has(const std::string& key) const
{
    return m_ok && m_node[key].IsDefined();
}

YAML::Node
Map::Get(const std::string& key) const
{
    return m_node[key];
}

void
Map::Require(const Keys& keys)
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

std::optional<std::string>
Map::Scalar(const std::string& key, const std::string& expected)
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
Map::Fail(const std::string& key, const std::string& message)
{
    YAML::Node v = Get(key);
    m_r.Error(Path(key), &v, message);
}

void
Map::String(const std::string& key, std::string* out)
{
    if (auto s = Scalar(key, "a string"))
    {
        *out = *s;
    }
}

void
Map::Real(const std::string& key, double min, double max, const std::string& expected, double* out)
{
    auto s = Scalar(key, expected);
    if (!s)
    {
        return;
    }
    double v = 0;
    auto r = std::from_chars(s->data(), s->data() + s->size(), v);
    if (s->empty() || r.ec != std::errc() || r.ptr != s->data() + s->size() || !std::isfinite(v) ||
        v < min || v > max)
    {
        Fail(key, "expected " + expected + ", got " + *s);
        return;
    }
    *out = v;
}

void
Map::Number(const std::string& key, double* out)
{
    Real(key, -1e300, 1e300, "a number", out);
}

void
Map::Probability(const std::string& key, double* out)
{
    Real(key, 0, 1, "a probability from 0 to 1", out);
}

void
Map::Bool(const std::string& key, bool* out)
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
Map::Duration(const std::string& key, ScenarioTime* out)
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

bool
Map::CpuCost(const std::string& key, Picos* out)
{
    const std::string expected = "a CPU time like 3.5us or 0.4ns";
    auto s = Scalar(key, expected);
    if (!s)
    {
        return false;
    }
    auto c = ParseCpuCost(*s);
    if (!c)
    {
        Fail(key, "expected " + expected + ", got " + *s);
        return false;
    }
    *out = *c;
    return true;
}

bool
Map::ByteSize(const std::string& key, uint64_t* out)
{
    const std::string expected = "a size like 4MiB or 65536";
    auto s = Scalar(key, expected);
    if (!s)
    {
        return false;
    }
    auto n = ParseByteSize(*s);
    if (!n)
    {
        Fail(key, "expected " + expected + ", got " + *s);
        return false;
    }
    *out = *n;
    return true;
}

void
Map::Rate(const std::string& key, uint64_t* out)
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
Map::Qos(const std::string& key, uint8_t* out)
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

void
Map::StringList(const std::string& key, std::vector<std::string>* out)
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
Map::R()
{
    return m_r;
}
// --- Values ----------------------------------------------------------------------------------

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

} // namespace scenario_yaml
} // namespace mqtt
} // namespace ns3
