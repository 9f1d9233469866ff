/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What a study records of the broker's service model: the broker_service rows and the run's
 * totals per operation (doc/results.md).
 */
#include "mqtt-study-run-context.h"

#include "mqtt-units.h"

#include "ns3/simulator.h"

namespace ns3
{
namespace mqtt
{

void
MqttStudyRunner::Impl::SampleService()
{
    const MqttServiceModel* model = broker->GetServiceModel();
    if (!model)
    {
        return;
    }
    const Nanos now = MqttNs3Timers::Now();
    const Nanos busy = model->BusyTime(now);
    MqttBrokerServiceRecord r;
    r.time = ToSeconds(now);
    r.cores = model->Config().cores;
    const Nanos interval = now - serviceSampled;
    if (interval > Nanos(0) && r.cores > 0)
    {
        r.utilisation = ToSeconds(busy - serviceBusy) / (ToSeconds(interval) * r.cores);
    }
    serviceBusy = busy;
    serviceSampled = now;
    r.busyCores = model->BusyCores();
    r.queuedBytes = model->QueuedBytes();
    r.queuedItems = model->QueuedItems();
    r.readsPaused = model->InputFull();
    r.busyTime = ToSeconds(busy);
    r.completed = model->CompletedItems();
    const MqttServiceWork& work = model->CompletedWork();
    r.publishes = work.Of(MqttServiceOp::PublishQos0) + work.Of(MqttServiceOp::PublishQos1) +
                  work.Of(MqttServiceOp::PublishQos2);
    r.deliveries = work.Of(MqttServiceOp::Delivery);
    r.readPauses = broker->GetReadPauses();
    r.peakQueuedBytes = model->PeakQueuedBytes();
    recorder->Record(r);
}

namespace
{

/** The service_model attribute (doc/results.md): where the run's model came from, or off. */
std::string
ServiceModelSource(const MqttServiceSpec& spec, bool on)
{
    if (!on)
    {
        return "off";
    }
    if (spec.defaulted)
    {
        return "calibration " + spec.calibration + " (the default for a self-hosted broker)";
    }
    if (!spec.calibration.empty())
    {
        return "calibration " + spec.calibration;
    }
    return spec.given ? "broker.service cores and costs" : "broker.overrides";
}

} // namespace

void
MqttStudyRunner::Impl::RecordServiceTotals()
{
    const MqttServiceModel* model = broker ? broker->GetServiceModel() : nullptr;
    if (!recorder)
    {
        return;
    }
    recorder->SetAttribute("service_model", ServiceModelSource(s.broker.service, model != nullptr));
    recorder->SetAttribute("service_calibration", s.broker.service.calibrationFile);
    if (!model)
    {
        return;
    }
    recorder->SetAttribute("service_cores", static_cast<uint64_t>(model->Config().cores));
    for (const std::string& name : MqttServiceOpNames())
    {
        recorder->SetAttribute("service_ops_" + name,
                               model->CompletedWork().Of(*MqttServiceOpByName(name)));
    }
}

} // namespace mqtt
} // namespace ns3
