/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Closed-loop publishers in a study (a group's end-to-end-window, doc/scenarios.md): the runner
 * holds each such client's publish process at a gate that the window opens as subscribers
 * receive its messages (helper/mqtt-end-to-end-window.h states the rules).
 */
#include "mqtt-study-run-context.h"

#include "ns3/simulator.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

void
MqttStudyRunner::Impl::InstallEndToEndWindow()
{
    const bool any = std::any_of(s.groups.begin(),
                                 s.groups.end(),
                                 [](const MqttClientGroupSpec& g) { return g.endToEndWindow > 0; });
    if (!any)
    {
        return;
    }
    endToEnd = std::make_unique<MqttEndToEndWindow>();
    for (uint32_t i = 0; i < builder->Clients().size(); ++i)
    {
        const MqttBuiltClient& c = builder->Clients()[i];
        const MqttClientGroupSpec& g = *c.group;
        if (g.subscriptions.empty())
        {
            continue;
        }
        std::vector<std::string> filters;
        for (const auto& sub : g.subscriptions)
        {
            filters.push_back(g.Expand(sub.filter, c.index));
        }
        endToEnd->AddSubscriber(filters, g.shareGroup);
        // Every subscriber's first receipt of a stamped message counts (rule 3: duplicates
        // once), whatever the output records.
        apps[i]->TraceConnectWithoutContext(
            "PublishReceived",
            Callback<void, const MqttEvent&, const MqttPayloadStamp&, Time, bool>(
                [this](const MqttEvent&, const MqttPayloadStamp& stamp, Time latency, bool dup)
                {
                    if (dup || latency.IsStrictlyNegative())
                    {
                        return;
                    }
                    if (endToEnd->Received(stamp.publisher, stamp.sequence, MqttNs3Timers::Now()))
                    {
                        apps[byPublisher.at(stamp.publisher)]->OpenPublishGate();
                    }
                }));
    }
    for (const auto& [publisher, i] : byPublisher)
    {
        const MqttClientGroupSpec& g = *builder->Clients()[i].group;
        if (g.endToEndWindow == 0)
        {
            continue;
        }
        endToEnd->AddPublisher(publisher, g.endToEndWindow);
        const uint64_t id = publisher;
        const uint32_t client = i;
        apps[i]->SetPublishGate(
            [this, id, client]()
            {
                if (endToEnd->MayPublish(id))
                {
                    return true;
                }
                ScheduleWriteOff(id, client);
                return false;
            });
        apps[i]->TraceConnectWithoutContext(
            "PublishSent",
            Callback<void, const std::string&, const MqttPayloadStamp&, uint32_t, uint8_t>(
                [this](const std::string& topic, const MqttPayloadStamp& stamp, uint32_t, uint8_t) {
                    endToEnd->Published(
                        stamp.publisher, stamp.sequence, topic, MqttNs3Timers::Now());
                }));
    }
}

void
MqttStudyRunner::Impl::ScheduleWriteOff(uint64_t publisher, uint32_t i)
{
    EventId& check = writeOffChecks[publisher];
    if (check.IsRunning())
    {
        return;
    }
    const Nanos due = endToEnd->WriteOffTime(publisher);
    const Nanos now = MqttNs3Timers::Now();
    check = Simulator::Schedule(
        NanoSeconds((std::max(due, now) - now).count()),
        [this, publisher, i]()
        {
            if (!apps[i]->IsWaitingAtPublishGate())
            {
                return; // the window opened, or the client stopped
            }
            if (endToEnd->WriteOffIfStalled(publisher, MqttNs3Timers::Now()) > 0)
            {
                apps[i]->OpenPublishGate();
            }
            else
            {
                ScheduleWriteOff(publisher, i); // a receipt came: later
            }
        });
}

void
MqttStudyRunner::Impl::RecordEndToEndWindow()
{
    if (endToEnd)
    {
        recorder->SetAttribute("end_to_end_written_off", endToEnd->WrittenOff());
    }
}

} // namespace mqtt
} // namespace ns3
