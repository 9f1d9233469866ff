/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The faults section: events on the timeline.
 */
#include "mqtt-scenario-yaml.h"

namespace ns3
{
namespace mqtt
{
namespace scenario_yaml
{

namespace
{

const std::vector<std::pair<std::string, MqttFaultAction>> ACTIONS = {
    {"link-down", MqttFaultAction::LinkDown},
    {"link-up", MqttFaultAction::LinkUp},
    {"set-loss", MqttFaultAction::SetLoss},
    {"node-crash", MqttFaultAction::NodeCrash},
    {"node-restart", MqttFaultAction::NodeRestart},
    {"broker-restart", MqttFaultAction::BrokerRestart}};

/** The action @p f names, or the default one when it names none or an unknown one. */
MqttFaultAction
ActionOf(const YAML::Node& f)
{
    MqttFaultAction action = MqttFaultSpec().action;
    if (f.IsMap() && f["action"].IsDefined() && f["action"].IsScalar())
    {
        for (const auto& a : ACTIONS)
        {
            if (a.first == f["action"].Scalar())
            {
                action = a.second;
            }
        }
    }
    return action;
}

/** The keys a fault with @p action may have. */
Keys
FaultKeys(MqttFaultAction action)
{
    Keys allowed = {"at", "action"};
    switch (action)
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
    return allowed;
}

/** One fault; false when it is not a map of known keys (nothing to keep). */
bool
ReadFault(Reader& r, const YAML::Node& f, const std::string& path, MqttFaultSpec* fault)
{
    fault->action = ActionOf(f);
    Map m(r, f, path, FaultKeys(fault->action));
    if (!m.Ok())
    {
        return false;
    }
    m.Require({"at", "action"});
    m.Enum("action", ACTIONS, &fault->action);
    m.Duration("at", &fault->at);
    m.String("link", &fault->link);
    m.String("links", &fault->linkClass);
    m.String("node", &fault->node);
    m.Duration("for", &fault->duration);
    bool linkAction = fault->action == MqttFaultAction::LinkDown ||
                      fault->action == MqttFaultAction::LinkUp ||
                      fault->action == MqttFaultAction::SetLoss;
    if (linkAction && m.Has("link") == m.Has("links"))
    {
        r.Error(path, &f, "expected exactly one of 'link' (a link) and 'links' (a class)");
    }
    if (fault->action == MqttFaultAction::SetLoss)
    {
        m.Require({"loss"});
        if (m.Has("loss"))
        {
            ReadLoss(r, m.Get("loss"), m.Path("loss"), &fault->loss);
        }
    }
    if (fault->action == MqttFaultAction::NodeCrash ||
        fault->action == MqttFaultAction::NodeRestart)
    {
        m.Require({"node"});
    }
    return true;
}

} // namespace

void
ReadFaults(Reader& r, const YAML::Node& node, MqttScenario* s)
{
    if (!node.IsSequence())
    {
        r.Error("faults", &node, "expected a list of faults, got " + Describe(node));
        return;
    }
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        MqttFaultSpec fault;
        if (ReadFault(r, node[i], "faults." + std::to_string(i), &fault))
        {
            s->faults.push_back(fault);
        }
    }
}

} // namespace scenario_yaml
} // namespace mqtt
} // namespace ns3
