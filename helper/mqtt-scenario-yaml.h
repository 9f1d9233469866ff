/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Inside the scenario loader (not for users): reading YAML with errors that name the file,
 * the line and the field ("FILE:LINE: PATH: MESSAGE", or "--set KEY=VALUE: PATH: MESSAGE" for
 * a value an override set), typed values, and the reader of each section of a scenario file
 * (one file each: mqtt-scenario-load-SECTION.cc).
 */
#ifndef MQTT_SCENARIO_YAML_H
#define MQTT_SCENARIO_YAML_H

#include "mqtt-scenario.h"
#include "mqtt-units.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ns3
{
namespace mqtt
{
namespace scenario_yaml
{

using Keys = std::vector<std::string>;

bool StartsWith(const std::string& s, const std::string& prefix);

/** "a, b, c". */
std::string Join(const Keys& keys);

/** What a node holds, for "got ..." in messages. */
std::string Describe(const YAML::Node& node);

/**
 * Collects errors with their location: the override that set a value, else the line in the
 * file, else the line of the nearest enclosing field.
 */
class Reader
{
  public:
    explicit Reader(std::string file);

    /** Values at @p path and below came from the override @p spec ("a.b=v"). */
    void Override(const std::string& path, const std::string& spec);

    /** The line of field @p path, for errors of fields below it that have no line. */
    void Remember(const std::string& path, const YAML::Node& node);

    /** "FILE:LINE" or "--set SPEC" for a field (@p node may be null or lack a line). */
    std::string Where(const std::string& path, const YAML::Node* node) const;

    /** Records "WHERE: PATH: MESSAGE". */
    void Error(const std::string& path, const YAML::Node* node, const std::string& message);

    /** An error not tied to a field (syntax, file). */
    void Raw(const std::string& text);

    const std::vector<std::string>& Errors() const;

    const std::string& File() const;

  private:
    /** The override that set @p path or a field above it. */
    std::optional<std::string> Overridden(const std::string& path) const;

    std::string m_file;
    std::map<std::string, std::string> m_origins;
    std::map<std::string, int> m_lines;
    std::vector<std::string> m_errors;
};

/** A YAML map being read: unknown and repeated keys are errors, values are typed. */
class Map
{
  public:
    /** Checks @p node is a map of distinct keys among @p allowed (errors otherwise). */
    Map(Reader& r, const YAML::Node& node, std::string path, Keys allowed);

    /** False when the node is not a map: nothing can be read from it. */
    bool Ok() const;

    /** The dotted path of @p key in this map. */
    std::string Path(const std::string& key) const;

    const std::string& PathOf() const;

    bool Has(const std::string& key) const;

    YAML::Node Get(const std::string& key) const;

    /** An error for each of @p keys that is missing. */
    void Require(const Keys& keys);

    /** The scalar text of @p key, or nothing (absent, or an error if not a scalar). */
    std::optional<std::string> Scalar(const std::string& key, const std::string& expected);

    /** An error at @p key. */
    void Fail(const std::string& key, const std::string& message);

    // Typed fields: each sets *out only when @p key is present and valid, else records an
    // error saying what was expected and what was given (those returning bool: whether set).

    void String(const std::string& key, std::string* out);

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

    void Real(
        const std::string& key, double min, double max, const std::string& expected, double* out);

    void Number(const std::string& key, double* out);

    void Probability(const std::string& key, double* out);

    void Bool(const std::string& key, bool* out);

    void Duration(const std::string& key, ScenarioTime* out);

    void Rate(const std::string& key, uint64_t* out);

    /** A CPU time with decimals allowed ("3.5us", "0.4ns"; ParseCpuCost). */
    bool CpuCost(const std::string& key, Picos* out);

    /** A byte count ("4MiB", "65536"; ParseByteSize). */
    bool ByteSize(const std::string& key, uint64_t* out);

    void Qos(const std::string& key, uint8_t* out);

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
    void StringList(const std::string& key, std::vector<std::string>* out);

    Reader& R();

  private:
    Reader& m_r;
    YAML::Node m_node;
    std::string m_path;
    Keys m_allowed;
    bool m_ok = true;
};

// --- Values of several sections (mqtt-scenario-yaml.cc) ---------------------------------------

/** A loss model: {model: rate, rate: P} or {model: gilbert-elliott, p-good-bad: ...}. */
void ReadLoss(Reader& r, const YAML::Node& node, const std::string& path, MqttLossSpec* loss);

/** "10s", {constant: 10s}, {exponential: 10s} or {uniform: [5s, 15s]}. */
void ReadRandomTime(Map& parent, const std::string& key, MqttRandomTime* out);

// --- Sections, one file each (mqtt-scenario-load-SECTION.cc) ----------------------------------

void ReadLinks(Reader& r, const YAML::Node& node, MqttScenario* s);
void ReadTopology(Reader& r, const YAML::Node& node, MqttScenario* s);
void ReadBroker(Reader& r, const YAML::Node& node, MqttScenario* s);
/**
 * Loads the calibration broker.service names (relative to @p baseDir) and turns the block into
 * broker settings (MqttServiceSpec::settings). After the sections are read.
 */
void ResolveService(Reader& r, MqttScenario* s, const std::string& baseDir);
/** Device or backend groups: the sections devices and backends. */
void ReadGroups(Reader& r,
                const YAML::Node& node,
                const std::string& section,
                MqttClientRole role,
                MqttScenario* s);
void ReadFaults(Reader& r, const YAML::Node& node, MqttScenario* s);
/** A group's energy block, key "energy" of @p group (mqtt-scenario-load-energy.cc). */
void ReadEnergy(Reader& r, Map& group, MqttEnergySpec* out);

/** {value: QUANTITY, source: TEXT}: the value in @p unit ("s": seconds, or -1 for off); the
 * source is required (the data files of energy/ and tls/). */
std::optional<double> ReadSourced(Reader& r,
                                  const YAML::Node& node,
                                  const std::string& path,
                                  const std::string& unit);

/** A device group's or the broker's tls: (off, or a map; doc/tls-sim.md). */
void ReadDeviceTls(Reader& r, Map& group, std::optional<MqttTlsSpec>* out);
void ReadBrokerTls(Reader& r, Map& broker, std::optional<MqttTlsSpec>* out);
/**
 * A group's protocol: and its 5.0 options (session-expiry, topic-aliases, receive-maximum,
 * message-expiry, share-group), which need protocol: 5 (mqtt-scenario-load-protocol.cc).
 */
void ReadGroupProtocol(Reader& r, Map& group, MqttClientGroupSpec* g);
/** A group's sleep: {awake: DURATION, asleep: DURATION} (the same file). */
void ReadGroupSleep(Reader& r, Map& group, MqttClientGroupSpec* g);
/** An energy parameter file's tree (energy/NAME.yaml). */
void ReadRadioEnergyFile(Reader& r, const YAML::Node& root, MqttRadioEnergySpec* out);
/** "17.4mA" in "A": a non-negative number, an optional SI prefix (n, u, m, k), @p unit. */
std::optional<double> ParseQuantity(const std::string& text, const std::string& unit);
void ReadOutput(Reader& r, const YAML::Node& node, MqttScenario* s);

// --- --set (mqtt-scenario-set-overrides.cc) ---------------------------------------------------

/** Applies one "a.b.c=value" to the tree; returns the dotted path or an error. */
bool ApplyOverride(YAML::Node root, const std::string& spec, std::string* path, std::string* error);

} // namespace scenario_yaml
} // namespace mqtt
} // namespace ns3

#endif // MQTT_SCENARIO_YAML_H
