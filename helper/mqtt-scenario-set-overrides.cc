/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * --set PATH=VALUE: an override applied to the YAML tree before any section is read.
 */
#include "mqtt-scenario-yaml.h"

#include <sstream>

namespace ns3
{
namespace mqtt
{
namespace scenario_yaml
{

namespace
{

/** The names of a dotted path; false (and @p error) when one is empty. */
bool
SplitPath(const std::string& path, std::vector<std::string>* parts, std::string* error)
{
    std::stringstream ss(path);
    std::string part;
    while (std::getline(ss, part, '.'))
    {
        if (part.empty())
        {
            *error = "empty name in the path";
            return false;
        }
        parts->push_back(part);
    }
    if (path.back() == '.')
    {
        *error = "empty name in the path";
        return false;
    }
    return true;
}

/** The value as YAML, or as the plain string when it is not YAML (or YAML makes it null). */
YAML::Node
ParseValue(const std::string& text)
{
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
    return value;
}

/** What one step of the walk down the path did. */
enum class Step
{
    Descended, //!< cur is the next node on the path
    Set,       //!< the value is in place
    Failed,    //!< error says why
};

/** One step into list @p cur by index @p p (one past the end appends). */
Step
StepIntoList(YAML::Node& cur,
             const std::string& p,
             bool last,
             const YAML::Node& value,
             const std::string& walked,
             std::string* error)
{
    std::size_t index = 0;
    auto r = std::from_chars(p.data(), p.data() + p.size(), index);
    if (r.ec != std::errc() || r.ptr != p.data() + p.size() || index > cur.size())
    {
        *error = walked + ": expected a list index from 0 to " + std::to_string(cur.size());
        return Step::Failed;
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
        return Step::Set;
    }
    if (index == cur.size())
    {
        cur.push_back(YAML::Node(YAML::NodeType::Map));
    }
    YAML::Node next = cur[index];
    cur.reset(next);
    return Step::Descended;
}

/** One step into map @p cur by key @p p; a missing or null map on the way is created. */
Step
StepIntoMap(YAML::Node& cur,
            const std::string& p,
            bool last,
            const YAML::Node& value,
            const std::string& walked,
            std::string* error)
{
    if (!cur.IsMap() && !cur.IsNull())
    {
        *error =
            walked.substr(0, walked.size() - p.size() - 1) + " is " + Describe(cur) + ", not a map";
        return Step::Failed;
    }
    if (last)
    {
        cur[p] = value;
        return Step::Set;
    }
    const YAML::Node& ccur = cur;
    if (!ccur[p].IsDefined() || ccur[p].IsNull())
    {
        cur[p] = YAML::Node(YAML::NodeType::Map);
    }
    YAML::Node next = cur[p];
    cur.reset(next);
    return Step::Descended;
}

} // namespace

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
    std::vector<std::string> parts;
    if (!SplitPath(*path, &parts, error))
    {
        return false;
    }
    YAML::Node value = ParseValue(spec.substr(eq + 1));
    YAML::Node cur;
    cur.reset(root);
    std::string walked;
    for (std::size_t i = 0; i < parts.size(); ++i)
    {
        const std::string& p = parts[i];
        bool last = i + 1 == parts.size();
        walked += (walked.empty() ? "" : ".") + p;
        Step step = cur.IsSequence() ? StepIntoList(cur, p, last, value, walked, error)
                                     : StepIntoMap(cur, p, last, value, walked, error);
        if (step != Step::Descended)
        {
            return step == Step::Set;
        }
    }
    return true;
}

} // namespace scenario_yaml
} // namespace mqtt
} // namespace ns3
