/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttBroker with a service model (doc/capacity.md): input waits in MqttServiceModel for a core,
 * the engine handles it when a core takes it, and its actions are carried out when the service
 * ends.
 */
#include "mqtt-broker.h"

#include "ns3/simulator.h"

#include <iterator>

namespace ns3
{
namespace mqtt
{

void
MqttBroker::QueueForService(ConnectionId connection,
                            MqttServiceItemKind kind,
                            const uint8_t* data,
                            std::size_t size)
{
    MqttServiceItem item;
    item.connection = connection;
    item.kind = kind;
    item.bytes.assign(data, data + size);
    item.queued = MqttNs3Timers::Now();
    if (m_service->Enqueue(std::move(item)))
    {
        PauseIfPaused(connection); // the queue is full: TCP holds this sender back
    }
    StartService();
}

void
MqttBroker::StartService()
{
    const bool wasFull = m_service->InputFull();
    const Nanos now = MqttNs3Timers::Now();
    while (std::optional<MqttServiceItem> item = m_service->Take(now))
    {
        const ConnectionId id = item->connection;
        InService& serving = m_inService[id];
        MqttActions& out = serving.actions;
        m_engine->TakeWork(); // what timers did is not charged
        switch (item->kind)
        {
        case MqttServiceItemKind::Opened:
            m_engine->OnConnectionOpened(id, now, out);
            break;
        case MqttServiceItemKind::Bytes:
            m_engine->OnBytes(id, item->bytes.data(), item->bytes.size(), now, out);
            break;
        case MqttServiceItemKind::Closed:
            m_engine->OnConnectionClosed(id, now, out);
            break;
        }
        MqttServiceWork work = m_engine->TakeWork();
        if (item->kind == MqttServiceItemKind::Bytes && m_tlsToCharge.erase(id) > 0)
        {
            work.Add(MqttServiceOp::TlsHandshake);
        }
        MqttServiceModel::AddIo(work, item->bytes.size(), out);
        Nanos done = m_service->Charge(id, work);
        serving.done = Simulator::Schedule(NanoSeconds((done - now).count()),
                                           &MqttBroker::CompleteService,
                                           this,
                                           id);
    }
    if (wasFull && !m_service->InputFull())
    {
        ResumeReading();
    }
}

void
MqttBroker::CompleteService(ConnectionId connection)
{
    auto it = m_inService.find(connection);
    if (it != m_inService.end())
    {
        MqttActions& actions = it->second.actions;
        std::move(actions.begin(), actions.end(), std::back_inserter(m_actions.Out()));
        m_inService.erase(it);
    }
    m_service->Complete(connection, MqttNs3Timers::Now());
    Execute();
    if (m_backPressureDepth > 0)
    {
        PauseIfPaused(connection);
    }
    StartService();
}

void
MqttBroker::FlushService()
{
    if (!m_service)
    {
        return;
    }
    for (auto& [id, serving] : m_inService)
    {
        serving.done.Cancel();
        std::move(serving.actions.begin(),
                  serving.actions.end(),
                  std::back_inserter(m_actions.Out()));
    }
    m_inService.clear();
    m_service->Clear(MqttNs3Timers::Now());
    Execute();
}

} // namespace mqtt
} // namespace ns3
