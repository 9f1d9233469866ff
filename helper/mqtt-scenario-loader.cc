/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Loading a scenario: parse the YAML, apply --set overrides, read each section (one file per
 * section, mqtt-scenario-load-*.cc), then build the graph and validate.
 */
#include "mqtt-scenario-loader.h"

#include "mqtt-scenario-yaml.h"
#include "mqtt-tls-cpu.h"

#include <fstream>
#include <limits>

namespace ns3
{
namespace mqtt
{

namespace
{

using namespace scenario_yaml;

/** The YAML tree of @p text, or nothing with an error (not YAML, or not a map). */
std::optional<YAML::Node>
ParseRoot(const std::string& text, const std::string& fileName, std::vector<std::string>* errors)
{
    YAML::Node root;
    try
    {
        root = YAML::Load(text);
    }
    catch (const YAML::ParserException& e)
    {
        errors->push_back(fileName + ":" + std::to_string(e.mark.line + 1) +
                          ": not valid YAML: " + e.msg);
        return std::nullopt;
    }
    if (!root.IsMap())
    {
        errors->push_back(fileName +
                          ": expected a map of sections (name, duration, "
                          "topology, links, devices, ...), got " +
                          Describe(root));
        return std::nullopt;
    }
    return root;
}

/** Applies every --set to @p root; the reader learns which paths they set. */
void
ApplyOverrides(YAML::Node root,
               const std::vector<std::string>& overrides,
               Reader& r,
               std::vector<std::string>* errors)
{
    for (const auto& spec : overrides)
    {
        std::string path;
        std::string error;
        if (!ApplyOverride(root, spec, &path, &error))
        {
            errors->push_back("--set " + spec + ": " + error);
            continue;
        }
        r.Override(path, spec);
    }
}

/** A scenario that knows where it came from: file, overrides, effective text, default name. */
MqttScenario
NewScenario(const std::string& fileName,
            const std::string& text,
            const YAML::Node& root,
            const std::vector<std::string>& overrides)
{
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
    return s;
}

/** The top-level fields and every section, in file-format order. */
void
ReadSections(Reader& r, const YAML::Node& root, MqttScenario* s)
{
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
    top.String("name", &s->name);
    top.String("description", &s->description);
    top.Duration("duration", &s->duration);
    top.Unsigned("seed", 1, std::numeric_limits<uint32_t>::max(), &s->seed);
    top.Unsigned("run", 1, std::numeric_limits<uint32_t>::max(), &s->run);
    if (top.Has("links"))
    {
        r.Remember("links", root["links"]);
        ReadLinks(r, root["links"], s);
    }
    if (top.Has("topology"))
    {
        ReadTopology(r, root["topology"], s);
    }
    if (top.Has("broker"))
    {
        ReadBroker(r, root["broker"], s);
    }
    if (top.Has("devices"))
    {
        r.Remember("devices", root["devices"]);
        ReadGroups(r, root["devices"], "devices", MqttClientRole::Device, s);
    }
    if (top.Has("backends"))
    {
        r.Remember("backends", root["backends"]);
        ReadGroups(r, root["backends"], "backends", MqttClientRole::Backend, s);
    }
    if (top.Has("faults"))
    {
        r.Remember("faults", root["faults"]);
        ReadFaults(r, root["faults"], s);
    }
    if (top.Has("output"))
    {
        ReadOutput(r, root["output"], s);
    }
}

/** The radio each link type's devices have (doc/device-cost.md). */
const char*
RadioOf(MqttLinkType type)
{
    switch (type)
    {
    case MqttLinkType::PointToPoint:
        return "cellular";
    case MqttLinkType::LowPan:
        return "802.15.4";
    case MqttLinkType::Wifi:
        return "wifi";
    default:
        return "";
    }
}

/** Each group's energy parameter file: read, and its radio the one of the group's link. */
void
LoadEnergyFiles(Reader& r, MqttScenario* s, const std::string& baseDir)
{
    for (auto& g : s->groups)
    {
        if (!g.energy)
        {
            continue;
        }
        const std::string path =
            (g.role == MqttClientRole::Device ? "devices." : "backends.") + g.name + ".energy";
        MqttEnergySpec& e = *g.energy;
        if (g.role != MqttClientRole::Device)
        {
            r.Error(path, nullptr, "only devices have an energy model");
            continue;
        }
        e.file = e.parameters.find('/') == std::string::npos
                     ? std::string(MQTT_SOURCE_DIR) + "/energy/" + e.parameters + ".yaml"
                     : (e.parameters[0] == '/' ? e.parameters : baseDir + "/" + e.parameters);
        std::vector<std::string> errors = MqttLoadRadioEnergy(e.file, &e.radio);
        if (!errors.empty() && errors.front().find("cannot open") != std::string::npos)
        {
            r.Error(path + ".parameters", nullptr, errors.front());
            continue;
        }
        for (const auto& error : errors)
        {
            r.Raw(error);
        }
        const MqttLinkSpec* link = s->FindLink(g.link);
        std::string radio = link ? RadioOf(link->type) : "";
        if (errors.empty() && radio != e.radio.radio)
        {
            r.Error(path + ".parameters",
                    nullptr,
                    e.file + " describes a " + e.radio.radio + " radio, but the group's link " +
                        (link ? "(" + g.link + ") has " + (radio.empty() ? "none" : radio)
                              : "is none: clients on a vertex have no radio"));
        }
    }
}

/** Each device group's tls: needs the broker's, and its CPU figures file (tls/NAME.yaml). */
void
LoadTlsFiles(Reader& r, MqttScenario* s, const std::string& baseDir)
{
    for (auto& g : s->groups)
    {
        if (!g.tls)
        {
            continue;
        }
        const std::string path =
            (g.role == MqttClientRole::Device ? "devices." : "backends.") + g.name + ".tls";
        if (!s->broker.tls)
        {
            r.Error(path, nullptr, "the broker has no tls: (broker: tls: {...})");
        }
        MqttTlsSpec& t = *g.tls;
        if (t.cpu.empty())
        {
            continue;
        }
        if (t.client.key != TlsKeyType::EcdsaP256 ||
            (s->broker.tls && s->broker.tls->server.key != TlsKeyType::EcdsaP256))
        {
            r.Error(path + ".cpu",
                    nullptr,
                    "CPU figures are for ECDSA P-256 keys (key: ecdsa-p256 here and at the "
                    "broker)");
            continue;
        }
        t.cpuFile = t.cpu.find('/') == std::string::npos
                        ? std::string(MQTT_SOURCE_DIR) + "/tls/" + t.cpu + ".yaml"
                        : (t.cpu[0] == '/' ? t.cpu : baseDir + "/" + t.cpu);
        MqttTlsCpuCosts costs;
        std::vector<std::string> errors = MqttLoadTlsCpu(t.cpuFile, &costs);
        if (!errors.empty() && errors.front().find("cannot open") != std::string::npos)
        {
            r.Error(path + ".cpu", nullptr, errors.front());
            continue;
        }
        for (const auto& error : errors)
        {
            r.Raw(error);
        }
        if (errors.empty())
        {
            t.cpuCosts = std::make_shared<const MqttTlsCpuCosts>(costs);
        }
    }
}

/**
 * broker.scram-users, resolved against the scenario's folder; it must open. Its contents are
 * the broker's to parse (MqttBroker's ScramUsersFile names the line of an error).
 */
void
ResolveScramUsers(Reader& r, MqttScenario* s, const std::string& baseDir)
{
    std::string& file = s->broker.scramUsers;
    if (file.empty())
    {
        return;
    }
    if (file[0] != '/' && !baseDir.empty())
    {
        file = baseDir + "/" + file;
    }
    if (!std::ifstream(file))
    {
        r.Error("broker.scram-users", nullptr, "cannot open " + file);
    }
}

/** Semantic checks: they need a well-formed structure, and then the graph. */
void
CheckSemantics(Reader& r, MqttScenario* s, const std::string& baseDir)
{
    if (r.Errors().empty())
    {
        LoadEnergyFiles(r, s, baseDir);
        LoadTlsFiles(r, s, baseDir);
        ResolveScramUsers(r, s, baseDir);
    }
    if (r.Errors().empty())
    {
        for (const auto& e : s->BuildGraph(baseDir))
        {
            r.Error(e.path, nullptr, e.message);
        }
    }
    if (r.Errors().empty())
    {
        for (const auto& e : s->Validate())
        {
            r.Error(e.path, nullptr, e.message);
        }
    }
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
    std::optional<YAML::Node> root = ParseRoot(text, fileName, &result.errors);
    if (!root)
    {
        return result;
    }
    Reader r(fileName);
    ApplyOverrides(*root, overrides, r, &result.errors);
    if (!result.errors.empty())
    {
        return result;
    }
    MqttScenario s = NewScenario(fileName, text, *root, overrides);
    ReadSections(r, *root, &s);
    if (r.Errors().empty())
    {
        ResolveService(r, &s, baseDir);
    }
    CheckSemantics(r, &s, baseDir);
    result.errors = r.Errors();
    if (result.errors.empty())
    {
        result.scenario = std::move(s);
    }
    return result;
}

} // namespace mqtt
} // namespace ns3
