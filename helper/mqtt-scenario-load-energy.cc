/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A device group's energy block ({parameters, battery, voltage}) and the radio parameter file
 * it names (energy/NAME.yaml, doc/device-cost.md): every value with its unit and its source.
 */
#include "mqtt-scenario-yaml.h"
#include "mqtt-units.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ns3
{
namespace mqtt
{
namespace scenario_yaml
{

namespace
{

/** The states and timers each radio's file must give, and the unit of its states. */
struct RadioKind
{
    const char* radio;
    const char* unit; // of the states: "W" or "A"
    Keys states;
    Keys timers;
    Keys optionalTimers;
};

const std::vector<RadioKind>&
RadioKinds()
{
    static const std::vector<RadioKind> kinds = {
        {"cellular",
         "W",
         {"tx", "rx", "connected", "setup", "idle", "psm"},
         {"setup", "inactivity", "active"},
         {"release"}},
        {"802.15.4", "A", {"tx", "rx", "idle", "sleep"}, {}, {}},
        {"wifi", "A", {"tx", "rx", "idle", "cca-busy", "switching", "sleep"}, {}, {}},
    };
    return kinds;
}

} // namespace

std::optional<double>
ParseQuantity(const std::string& text, const std::string& unit)
{
    // A number, optional spaces, an SI prefix (n, u, m, k), the unit: "17.4mA", "3 V".
    if (text.size() <= unit.size() || text.compare(text.size() - unit.size(), unit.size(), unit))
    {
        return std::nullopt;
    }
    std::string number = text.substr(0, text.size() - unit.size());
    double scale = 1;
    if (!number.empty())
    {
        switch (number.back())
        {
        case 'n':
            scale = 1e-9;
            break;
        case 'u':
            scale = 1e-6;
            break;
        case 'm':
            scale = 1e-3;
            break;
        case 'k':
            scale = 1e3;
            break;
        default:
            scale = 0;
        }
        if (scale != 0)
        {
            number.pop_back();
        }
        else
        {
            scale = 1;
        }
    }
    while (!number.empty() && number.back() == ' ')
    {
        number.pop_back();
    }
    char* end = nullptr;
    double v = std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(v) || v < 0)
    {
        return std::nullopt;
    }
    return v * scale;
}

std::optional<double>
ReadSourced(Reader& r, const YAML::Node& node, const std::string& path, const std::string& unit)
{
    Map m(r, node, path, {"value", "source"});
    if (!m.Ok())
    {
        return std::nullopt;
    }
    m.Require({"value", "source"});
    std::string source;
    m.String("source", &source);
    auto text = m.Scalar("value", "a quantity in " + unit);
    if (!text)
    {
        return std::nullopt;
    }
    if (unit == "s")
    {
        if (*text == "off")
        {
            return -1.0;
        }
        auto d = ParseDuration(*text);
        if (!d)
        {
            m.Fail("value", "expected a duration (e.g. 20s) or off, got " + *text);
            return std::nullopt;
        }
        return ToSeconds(*d);
    }
    std::optional<double> v;
    v = ParseQuantity(*text, unit);
    if (!v)
    {
        m.Fail("value",
               "expected a quantity in " + unit + " (e.g. 17.4m" + unit + "), got " + *text);
    }
    return v;
}

namespace
{

/** A list of named sourced values: every one of @p required, any of @p optional, nothing
 *  else. */
void
ReadSourcedMap(Reader& r,
               Map& parent,
               const std::string& key,
               const Keys& required,
               const std::string& unit,
               std::vector<std::pair<std::string, double>>* out,
               const Keys& optional = {})
{
    if (!parent.Has(key))
    {
        return;
    }
    Keys allowed = required;
    allowed.insert(allowed.end(), optional.begin(), optional.end());
    Map m(r, parent.Get(key), parent.Path(key), allowed);
    if (!m.Ok())
    {
        return;
    }
    m.Require(required);
    for (const auto& name : allowed)
    {
        if (m.Has(name))
        {
            if (auto v = ReadSourced(r, m.Get(name), m.Path(name), unit))
            {
                out->emplace_back(name, *v);
            }
        }
    }
}

} // namespace

void
ReadRadioEnergyFile(Reader& r, const YAML::Node& root, MqttRadioEnergySpec* out)
{
    Map m(r, root, "", {"radio", "part", "voltage", "states", "timers"});
    if (!m.Ok())
    {
        return;
    }
    m.Require({"radio", "part", "voltage", "states"});
    Keys names;
    for (const auto& k : RadioKinds())
    {
        names.push_back(k.radio);
    }
    const RadioKind* kind = nullptr;
    if (auto radio = m.Scalar("radio", "one of " + Join(names)))
    {
        for (const auto& k : RadioKinds())
        {
            kind = *radio == k.radio ? &k : kind;
        }
        if (!kind)
        {
            m.Fail("radio", "expected one of " + Join(names) + ", got " + *radio);
            return;
        }
        out->radio = kind->radio;
    }
    else
    {
        return;
    }
    m.String("part", &out->part);
    if (m.Has("voltage"))
    {
        if (auto v = ReadSourced(r, m.Get("voltage"), "voltage", "V"))
        {
            out->volts = *v;
        }
    }
    ReadSourcedMap(r, m, "states", kind->states, kind->unit, &out->states);
    if (!kind->timers.empty())
    {
        m.Require({"timers"});
        ReadSourcedMap(r, m, "timers", kind->timers, "s", &out->timers, kind->optionalTimers);
        // An optional timer left out is off (-1), so that every cellular file has them all.
        for (const auto& name : kind->optionalTimers)
        {
            bool given = false;
            for (const auto& timer : out->timers)
            {
                given = given || timer.first == name;
            }
            if (!given)
            {
                out->timers.emplace_back(name, -1.0);
            }
        }
    }
    else if (m.Has("timers"))
    {
        m.Fail("timers", std::string("a ") + kind->radio + " radio has no timers");
    }
}

void
ReadEnergy(Reader& r, Map& group, MqttEnergySpec* out)
{
    Map m(r, group.Get("energy"), group.Path("energy"), {"parameters", "battery", "voltage"});
    if (!m.Ok())
    {
        return;
    }
    m.Require({"parameters", "battery", "voltage"});
    m.String("parameters", &out->parameters);
    if (auto text = m.Scalar("battery", "a capacity in mAh (e.g. 2600mAh)"))
    {
        auto ah = ParseQuantity(*text, "Ah");
        if (!ah || *ah <= 0)
        {
            m.Fail("battery", "expected a capacity in mAh (e.g. 2600mAh), got " + *text);
        }
        else
        {
            out->batteryMah = *ah * 1000;
        }
    }
    if (auto text = m.Scalar("voltage", "a voltage (e.g. 3.6V)"))
    {
        auto v = ParseQuantity(*text, "V");
        if (!v || *v <= 0)
        {
            m.Fail("voltage", "expected a voltage (e.g. 3.6V), got " + *text);
        }
        else
        {
            out->batteryVolts = *v;
        }
    }
}

} // namespace scenario_yaml

std::vector<std::string>
MqttLoadRadioEnergy(const std::string& path, MqttRadioEnergySpec* out)
{
    std::ifstream in(path);
    if (!in)
    {
        return {path + ": cannot open the energy parameter file"};
    }
    std::stringstream text;
    text << in.rdbuf();
    scenario_yaml::Reader r(path);
    try
    {
        YAML::Node root = YAML::Load(text.str());
        scenario_yaml::ReadRadioEnergyFile(r, root, out);
    }
    catch (const YAML::Exception& e)
    {
        r.Raw(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    return r.Errors();
}

} // namespace mqtt
} // namespace ns3
