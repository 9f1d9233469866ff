/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttBroker with a service model (doc/capacity.md): input waits in MqttServiceModel for a core,
 * a core serves it in turns like the real reactor (one read per connection per turn), the engine
 * handles a turn's reads when it starts, and the turn's actions are carried out when it ends.
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
    while (std::optional<MqttServiceTurn> turn = m_service->Take(now))
    {
        InService& serving = m_inService[turn->core];
        MqttActions& out = serving.actions;
        MqttServiceWork work;
        // One time for the whole turn, as the reactor takes the clock once per loop iteration.
        for (const MqttServiceItem& read : turn->reads)
        {
            const ConnectionId id = read.connection;
            serving.connections.push_back(id);
            m_engine->TakeWork(); // what timers did is not charged
            switch (read.kind)
            {
            case MqttServiceItemKind::Opened:
                m_engine->OnConnectionOpened(id, now, out);
                break;
            case MqttServiceItemKind::Bytes:
                m_engine->OnBytes(id, read.bytes.data(), read.bytes.size(), now, out);
                break;
            case MqttServiceItemKind::Closed:
                m_engine->OnConnectionClosed(id, now, out);
                break;
            }
            work += m_engine->TakeWork();
            if (read.kind == MqttServiceItemKind::Bytes && m_tlsToCharge.erase(id) > 0)
            {
                work.Add(MqttServiceOp::TlsHandshake);
            }
        }
        MqttServiceModel::AddIo(work, *turn, out, m_service->Config().writePer);
        Nanos done = m_service->Charge(turn->core, work);
        serving.done = Simulator::Schedule(NanoSeconds((done - now).count()),
                                           &MqttBroker::CompleteService,
                                           this,
                                           turn->core);
    }
    if (wasFull && !m_service->InputFull())
    {
        ResumeReading();
    }
}

void
MqttBroker::CompleteService(uint32_t core)
{
    std::vector<ConnectionId> connections;
    auto it = m_inService.find(core);
    if (it != m_inService.end())
    {
        MqttActions& actions = it->second.actions;
        std::move(actions.begin(), actions.end(), std::back_inserter(m_actions.Out()));
        connections = std::move(it->second.connections);
        m_inService.erase(it);
    }
    m_service->Complete(core, MqttNs3Timers::Now());
    Execute();
    if (m_backPressureDepth > 0)
    {
        for (ConnectionId connection : connections)
        {
            PauseIfPaused(connection);
        }
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
