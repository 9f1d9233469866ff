/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-sweep-plan.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include <unistd.h>

namespace ns3
{
namespace mqtt
{

namespace
{

static constexpr uint64_t MAX_SEEDS = 1000000;
static constexpr uint64_t MAX_RNG = std::numeric_limits<uint32_t>::max();
static constexpr std::size_t MAX_ID_LENGTH = 200;

const std::vector<std::string> TOP_KEYS = {
    "name", "scenario", "grid", "set", "seeds", "rng-seed", "timeout", "results"};

/** Collects "FILE:LINE: FIELD: MESSAGE" errors. */
class Errors
{
  public:
    Errors(std::string file, std::vector<std::string>* out)
        : m_file(std::move(file))
        , m_out(out)
    {
    }

    void
    Add(const YAML::Node& at, const std::string& field, const std::string& message)
    {
        std::string line;
        if (at.IsDefined() && at.Mark().line >= 0)
        {
            line = std::to_string(at.Mark().line + 1) + ": ";
        }
        m_out->push_back(m_file + ":" + line + (field.empty() ? "" : field + ": ") + message);
    }

    bool
    Any() const
    {
        return !m_out->empty();
    }

  private:
    std::string m_file;
    std::vector<std::string>* m_out;
};

std::string
Describe(const YAML::Node& n)
{
    switch (n.Type())
    {
    case YAML::NodeType::Null:
        return "nothing";
    case YAML::NodeType::Scalar:
        return "'" + n.Scalar() + "'";
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Map:
        return "a map";
    default:
        return "nothing";
    }
}

std::string
Join(const std::vector<std::string>& items)
{
    std::string s;
    for (const auto& i : items)
    {
        s += (s.empty() ? "" : ", ") + i;
    }
    return s;
}

/** A value as the runner's --set takes it: scalars as written, lists and maps in flow YAML. */
std::optional<std::string>
ValueText(const YAML::Node& n)
{
    if (n.IsScalar())
    {
        return n.Scalar();
    }
    if (n.IsSequence() || n.IsMap())
    {
        YAML::Emitter out;
        out << YAML::Flow << n;
        return std::string(out.c_str());
    }
    return std::nullopt;
}

/** A dotted scenario path: non-empty parts of letters, digits, '-' and '_'. */
bool
ValidKey(const std::string& key)
{
    if (key.empty() || key.front() == '.' || key.back() == '.')
    {
        return false;
    }
    char prev = 0;
    for (char c : key)
    {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        if (!ok || (c == '.' && prev == '.'))
        {
            return false;
        }
        prev = c;
    }
    return true;
}

bool
ValidName(const std::string& name)
{
    return !name.empty() && ValidKey(name) && name.find('.') == std::string::npos;
}

/** @p text with every character that is awkward in a file name replaced by '_'. */
std::string
Sanitize(const std::string& text)
{
    std::string s;
    for (char c : text)
    {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.' || c == '+';
        s += ok ? c : '_';
    }
    return s.empty() ? "_" : s;
}

std::optional<uint64_t>
ParseUnsigned(const YAML::Node& n, uint64_t min, uint64_t max)
{
    if (!n.IsScalar() || n.Scalar().empty())
    {
        return std::nullopt;
    }
    uint64_t v = 0;
    for (char c : n.Scalar())
    {
        if (c < '0' || c > '9' || v > (std::numeric_limits<uint64_t>::max() - 9) / 10)
        {
            return std::nullopt;
        }
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (v < min || v > max)
    {
        return std::nullopt;
    }
    return v;
}

bool
IsReserved(const std::string& key)
{
    return key == "seed" || key == "run";
}

/**
 * The long form of an axis, {name: N, values: [...]}: its name into @p axis, its values node
 * into @p values; false (with the error) when a key is wrong or values are missing.
 */
bool
ReadAxisMap(Errors& e,
            const std::string& field,
            const YAML::Node& v,
            MqttSweepAxis* axis,
            YAML::Node* values)
{
    bool haveValues = false;
    for (const auto& kv : v)
    {
        std::string k = kv.first.Scalar();
        if (k == "name")
        {
            if (!kv.second.IsScalar() || !ValidName(kv.second.Scalar()))
            {
                e.Add(kv.second,
                      field + ".name",
                      "expected a short name of letters, digits, '-' and '_', got " +
                          Describe(kv.second));
                return false;
            }
            axis->name = kv.second.Scalar();
        }
        else if (k == "values")
        {
            values->reset(kv.second);
            haveValues = true;
        }
        else
        {
            e.Add(kv.first, field + "." + k, "unknown key (expected name, values)");
            return false;
        }
    }
    if (!haveValues)
    {
        e.Add(v, field, "missing 'values'");
    }
    return haveValues;
}

void
ReadAxis(Errors& e, const std::string& key, const YAML::Node& v, MqttSweepPlan* plan)
{
    std::string field = "grid." + key;
    MqttSweepAxis axis;
    axis.key = key;
    axis.name = key.substr(key.rfind('.') + 1);
    // yaml-cpp nodes are references: assigning to one writes into the document, so the
    // values node is rebound with reset(), never assigned.
    YAML::Node values;
    values.reset(v);
    if (v.IsMap() && !ReadAxisMap(e, field, v, &axis, &values))
    {
        return;
    }
    if (!values.IsSequence() || values.size() == 0)
    {
        e.Add(values,
              v.IsMap() ? field + ".values" : field,
              "expected a non-empty list of values, got " + Describe(values));
        return;
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < values.size(); ++i)
    {
        auto text = ValueText(values[i]);
        std::string at = field + "[" + std::to_string(i) + "]";
        if (!text)
        {
            e.Add(values[i], at, "expected a value, got " + Describe(values[i]));
            continue;
        }
        if (!seen.insert(*text).second)
        {
            e.Add(values[i], at, "value '" + *text + "' appears twice");
            continue;
        }
        axis.values.push_back(*text);
    }
    for (const auto& other : plan->axes)
    {
        if (other.name == axis.name)
        {
            e.Add(v,
                  field,
                  "short name '" + axis.name + "' is also the name of grid." + other.key +
                      "; give one of them a name: {name: N, values: [...]}");
            return;
        }
    }
    if (axis.name == "run")
    {
        e.Add(v, field, "short name 'run' is taken by the seeds; give the key another name");
        return;
    }
    plan->axes.push_back(axis);
}

void
ReadSeeds(Errors& e, const YAML::Node& n, MqttSweepPlan* plan)
{
    if (n.IsScalar())
    {
        auto count = ParseUnsigned(n, 1, MAX_SEEDS);
        if (!count)
        {
            e.Add(n,
                  "seeds",
                  "expected a count from 1 to " + std::to_string(MAX_SEEDS) +
                      " or a list of run numbers, got " + Describe(n));
            return;
        }
        for (uint64_t s = 1; s <= *count; ++s)
        {
            plan->seeds.push_back(s);
        }
        return;
    }
    if (!n.IsSequence() || n.size() == 0)
    {
        e.Add(
            n, "seeds", "expected a count or a non-empty list of run numbers, got " + Describe(n));
        return;
    }
    std::set<uint64_t> seen;
    for (std::size_t i = 0; i < n.size(); ++i)
    {
        auto s = ParseUnsigned(n[i], 1, MAX_RNG);
        std::string at = "seeds[" + std::to_string(i) + "]";
        if (!s)
        {
            e.Add(n[i],
                  at,
                  "expected a run number from 1 to " + std::to_string(MAX_RNG) + ", got " +
                      Describe(n[i]));
            continue;
        }
        if (!seen.insert(*s).second)
        {
            e.Add(n[i], at, "run number " + std::to_string(*s) + " appears twice");
            continue;
        }
        plan->seeds.push_back(*s);
    }
}

/** @p path resolved against @p baseDir, without "." and ".." parts. */
std::string
Absolute(const std::string& path, const std::string& baseDir)
{
    std::filesystem::path p = !path.empty() && path.front() == '/' ? path : baseDir + "/" + path;
    return p.lexically_normal().string();
}

/** Fills plan->runs: the product of the axes, seeds innermost. */
void
Expand(Errors& e, const YAML::Node& grid, const std::string& scenarioBytes, MqttSweepPlan* plan)
{
    std::size_t total = plan->seeds.size();
    for (const auto& a : plan->axes)
    {
        total *= a.values.size();
    }
    std::vector<std::size_t> pos(plan->axes.size(), 0);
    std::map<std::string, std::size_t> ids;
    for (std::size_t n = 0; n < total; ++n)
    {
        // Mixed-radix digits of n: seeds fastest, then the last axis, ..., the first axis.
        std::size_t rest = n / plan->seeds.size();
        for (std::size_t i = plan->axes.size(); i-- > 0;)
        {
            pos[i] = rest % plan->axes[i].values.size();
            rest /= plan->axes[i].values.size();
        }
        MqttSweepRun r;
        r.index = n;
        r.seed = plan->rngSeed;
        r.run = plan->seeds[n % plan->seeds.size()];
        for (const auto& [k, v] : plan->fixed)
        {
            r.overrides.push_back(k + "=" + v);
        }
        for (std::size_t i = 0; i < plan->axes.size(); ++i)
        {
            const auto& a = plan->axes[i];
            const std::string& v = a.values[pos[i]];
            r.params.emplace_back(a.key, v);
            r.overrides.push_back(a.key + "=" + v);
            r.id += a.name + "=" + Sanitize(v) + "_";
        }
        r.id += "run=" + std::to_string(r.run);
        r.overrides.push_back("seed=" + std::to_string(r.seed));
        r.overrides.push_back("run=" + std::to_string(r.run));
        std::string material = scenarioBytes;
        for (const auto& o : r.overrides)
        {
            material += '\0' + o;
        }
        r.fingerprint = MqttSweepPlan::Fingerprint(material);
        if (r.id.size() > MAX_ID_LENGTH)
        {
            e.Add(grid,
                  "grid",
                  "run id '" + r.id + "' is longer than " + std::to_string(MAX_ID_LENGTH) +
                      " characters; give the keys shorter names");
            return;
        }
        auto [it, fresh] = ids.emplace(r.id, n);
        if (!fresh)
        {
            e.Add(grid,
                  "grid",
                  "two runs get the same id '" + r.id +
                      "' (values that differ only in characters a file name cannot hold)");
            return;
        }
        plan->runs.push_back(std::move(r));
    }
}

using TopKeys = std::map<std::string, YAML::Node>;

/** The top-level keys of the sweep file into @p top: unknown, repeated and missing ones are errors.
 */
void
ReadTopKeys(Errors& e, const YAML::Node& root, TopKeys* top)
{
    for (const auto& kv : root)
    {
        std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "";
        bool known = false;
        for (const auto& t : TOP_KEYS)
        {
            known = known || t == k;
        }
        if (!known)
        {
            e.Add(kv.first, k, "unknown key (expected one of " + Join(TOP_KEYS) + ")");
        }
        else if (!top->emplace(k, kv.second).second)
        {
            e.Add(kv.first, k, "appears twice");
        }
    }
    for (const char* required : {"scenario", "seeds"})
    {
        if (top->count(required) == 0)
        {
            e.Add(root, "", std::string("missing '") + required + "'");
        }
    }
}

/** scenario: the base scenario file, read whole into @p bytes (for the fingerprints). */
void
ReadScenario(Errors& e,
             const YAML::Node& n,
             const std::string& baseDir,
             MqttSweepPlan* plan,
             std::string* bytes)
{
    if (!n.IsScalar() || n.Scalar().empty())
    {
        e.Add(n, "scenario", "expected the path of a scenario file, got " + Describe(n));
        return;
    }
    plan->scenario = Absolute(n.Scalar(), baseDir);
    std::ifstream in(plan->scenario, std::ios::binary);
    if (!in)
    {
        e.Add(n, "scenario", "cannot read " + plan->scenario);
        return;
    }
    std::stringstream s;
    s << in.rdbuf();
    *bytes = s.str();
}

/** The scalars: name, scenario (its bytes into @p scenarioBytes), rng-seed, timeout, results. */
void
ReadScalars(Errors& e,
            TopKeys& top,
            const std::string& baseDir,
            MqttSweepPlan* plan,
            std::string* scenarioBytes)
{
    if (top.count("name"))
    {
        const YAML::Node& n = top["name"];
        if (!n.IsScalar() || !ValidName(n.Scalar()))
        {
            e.Add(n, "name", "expected a name of letters, digits, '-' and '_', got " + Describe(n));
        }
        else
        {
            plan->name = n.Scalar();
        }
    }
    ReadScenario(e, top["scenario"], baseDir, plan, scenarioBytes);
    if (top.count("rng-seed"))
    {
        const YAML::Node& n = top["rng-seed"];
        auto s = ParseUnsigned(n, 1, MAX_RNG);
        if (!s)
        {
            e.Add(n,
                  "rng-seed",
                  "expected a seed from 1 to " + std::to_string(MAX_RNG) + ", got " + Describe(n));
        }
        else
        {
            plan->rngSeed = *s;
        }
    }
    if (top.count("timeout"))
    {
        const YAML::Node& n = top["timeout"];
        auto t = n.IsScalar() ? MqttSweepPlan::ParseSeconds(n.Scalar()) : std::nullopt;
        if (!t)
        {
            e.Add(n,
                  "timeout",
                  "expected a duration such as 90s, 10m or 2h (0: none), got " + Describe(n));
        }
        else
        {
            plan->timeout = *t;
        }
    }
    if (top.count("results"))
    {
        const YAML::Node& n = top["results"];
        if (!n.IsScalar() || n.Scalar().empty() || n.Scalar().find('/') != std::string::npos ||
            n.Scalar() == "." || n.Scalar() == "..")
        {
            e.Add(n, "results", "expected a file name (no directory), got " + Describe(n));
        }
        else
        {
            plan->resultsName = n.Scalar();
        }
    }
}

/**
 * A key of set: or grid: (@p section); false, with the error, when it is not a dotted key, is
 * one the sweep sets itself, or is already in @p keys (@p twice says where it may not repeat).
 */
bool
NewKey(Errors& e,
       const YAML::Node& at,
       const std::string& section,
       const std::string& k,
       const std::string& twice,
       std::set<std::string>* keys)
{
    if (!ValidKey(k))
    {
        e.Add(at, section + "." + k, "expected a dotted scenario key such as a.b.c");
        return false;
    }
    if (IsReserved(k))
    {
        e.Add(at, section + "." + k, "the sweep sets '" + k + "' itself (see seeds and rng-seed)");
        return false;
    }
    if (!keys->insert(k).second)
    {
        e.Add(at, section + "." + k, twice);
        return false;
    }
    return true;
}

/** set: the overrides every run gets. */
void
ReadSet(Errors& e, const YAML::Node& n, std::set<std::string>* keys, MqttSweepPlan* plan)
{
    if (!n.IsMap())
    {
        e.Add(n, "set", "expected a map of scenario keys to values, got " + Describe(n));
        return;
    }
    for (const auto& kv : n)
    {
        std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "";
        auto v = ValueText(kv.second);
        if (!NewKey(e, kv.first, "set", k, "appears twice", keys))
        {
            continue;
        }
        if (!v)
        {
            e.Add(kv.second, "set." + k, "expected a value, got " + Describe(kv.second));
            continue;
        }
        plan->fixed.emplace_back(k, *v);
    }
}

/** grid: one axis per key. */
void
ReadGrid(Errors& e, const YAML::Node& grid, std::set<std::string>* keys, MqttSweepPlan* plan)
{
    if (!grid.IsMap())
    {
        e.Add(grid,
              "grid",
              "expected a map of scenario keys to lists of values, got " + Describe(grid));
        return;
    }
    for (const auto& kv : grid)
    {
        std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "";
        if (NewKey(e, kv.first, "grid", k, "appears twice (in grid or set)", keys))
        {
            ReadAxis(e, k, kv.second, plan);
        }
    }
}

} // namespace

std::optional<MqttSweepPlan>
MqttSweepPlan::Load(const std::string& path, std::vector<std::string>* errors)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        errors->push_back(path + ": cannot open the sweep file");
        return std::nullopt;
    }
    std::stringstream text;
    text << in.rdbuf();
    std::size_t slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
    if (dir.empty())
    {
        dir = "/";
    }
    if (dir.front() != '/')
    {
        char cwd[4096];
        if (getcwd(cwd, sizeof(cwd)) == nullptr)
        {
            errors->push_back(path + ": cannot find the current directory");
            return std::nullopt;
        }
        dir = std::string(cwd) + (dir == "." ? "" : "/" + dir);
    }
    return LoadText(text.str(), path, dir, errors);
}

std::optional<MqttSweepPlan>
MqttSweepPlan::LoadText(const std::string& text,
                        const std::string& fileName,
                        const std::string& baseDir,
                        std::vector<std::string>* errors)
{
    std::vector<std::string> found;
    Errors e(fileName, &found);
    auto finish = [&]() -> std::optional<MqttSweepPlan>
    {
        errors->insert(errors->end(), found.begin(), found.end());
        return std::nullopt;
    };
    YAML::Node root;
    try
    {
        root = YAML::Load(text);
    }
    catch (const YAML::ParserException& ex)
    {
        found.push_back(fileName + ":" + std::to_string(ex.mark.line + 1) +
                        ": not valid YAML: " + ex.msg);
        return finish();
    }
    if (!root.IsMap())
    {
        found.push_back(fileName + ": expected a map (scenario, grid, seeds, ...), got " +
                        Describe(root));
        return finish();
    }

    MqttSweepPlan plan;
    plan.file = fileName;
    std::string stem = fileName.substr(fileName.rfind('/') + 1);
    plan.name = stem.substr(0, stem.find('.'));
    TopKeys top;
    ReadTopKeys(e, root, &top);
    if (e.Any())
    {
        return finish();
    }
    std::string scenarioBytes;
    ReadScalars(e, top, baseDir, &plan, &scenarioBytes);
    std::set<std::string> keys;
    if (top.count("set"))
    {
        ReadSet(e, top["set"], &keys, &plan);
    }
    YAML::Node grid = top.count("grid") ? top["grid"] : YAML::Node();
    if (grid.IsDefined() && !grid.IsNull())
    {
        ReadGrid(e, grid, &keys, &plan);
    }
    ReadSeeds(e, top["seeds"], &plan);
    if (e.Any())
    {
        return finish();
    }
    Expand(e, grid.IsDefined() ? grid : root, scenarioBytes, &plan);
    if (e.Any())
    {
        return finish();
    }
    return plan;
}

std::vector<std::string>
MqttSweepPlan::Command(const std::string& runner,
                       const MqttSweepRun& run,
                       const std::string& outDir) const
{
    std::vector<std::string> argv = {runner, scenario, "--out", outDir};
    for (const auto& o : run.overrides)
    {
        argv.push_back("--set");
        argv.push_back(o);
    }
    return argv;
}

std::optional<double>
MqttSweepPlan::ParseSeconds(const std::string& text)
{
    std::size_t end = 0;
    while (end < text.size() && ((text[end] >= '0' && text[end] <= '9') || text[end] == '.'))
    {
        ++end;
    }
    if (end == 0 || text.find('.') != text.rfind('.'))
    {
        return std::nullopt;
    }
    double value = 0;
    if (std::sscanf(text.substr(0, end).c_str(), "%lf", &value) != 1 || !std::isfinite(value))
    {
        return std::nullopt;
    }
    const std::string unit = text.substr(end);
    static const std::map<std::string, double> UNITS = {
        {"", 1}, {"ms", 1e-3}, {"s", 1}, {"m", 60}, {"min", 60}, {"h", 3600}};
    auto it = UNITS.find(unit);
    if (it == UNITS.end())
    {
        return std::nullopt;
    }
    return value * it->second;
}

std::string
MqttSweepPlan::Fingerprint(const std::string& bytes)
{
    uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : bytes)
    {
        h ^= c;
        h *= 1099511628211ULL;
    }
    char out[17];
    std::snprintf(out, sizeof(out), "%016llx", static_cast<unsigned long long>(h));
    return out;
}

} // namespace mqtt
} // namespace ns3
