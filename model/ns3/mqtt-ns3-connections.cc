/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-ns3-connections.h"

namespace ns3
{
namespace mqtt
{

bool
MqttNs3Connections::Apply(const MqttAction& action, MqttNs3Timers& timers)
{
    if (const auto* send = std::get_if<SendAction>(&action))
    {
        auto it = find(send->connection);
        if (it != end() && it->second.live)
        {
            it->second.transport->Send(send->bytes.data(), send->bytes.size());
        }
        return true;
    }
    if (const auto* close = std::get_if<CloseAction>(&action))
    {
        auto it = find(close->connection);
        if (it != end() && it->second.live)
        {
            it->second.live = false;
            it->second.transport->Close();
        }
        return true;
    }
    if (const auto* start = std::get_if<StartTimerAction>(&action))
    {
        timers.Start(start->timer, start->at);
        return true;
    }
    if (const auto* cancel = std::get_if<CancelTimerAction>(&action))
    {
        timers.Cancel(cancel->timer);
        return true;
    }
    return false;
}

} // namespace mqtt
} // namespace ns3
