/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-service-model.h"

#include <algorithm>
#include <utility>

namespace ns3
{
namespace mqtt
{

MqttServiceModel::MqttServiceModel(const MqttServiceConfig& config)
    : m_config(config)
{
}

const MqttServiceConfig&
MqttServiceModel::Config() const
{
    return m_config;
}

bool
MqttServiceModel::Enqueue(MqttServiceItem item)
{
    const ConnectionId id = item.connection;
    Lane& lane = m_lanes[id];
    const bool wasEmpty = lane.items.empty();
    m_queuedBytes += item.bytes.size();
    m_peakQueuedBytes = std::max(m_peakQueuedBytes, m_queuedBytes);
    if (item.kind != MqttServiceItemKind::Bytes)
    {
        Push(lane, std::move(item));
    }
    else
    {
        m_pieces.clear();
        lane.splitter.Split(item.bytes.data(), item.bytes.size(), m_pieces);
        if (m_pieces.size() <= 1)
        {
            Push(lane, std::move(item));
        }
        else
        {
            std::size_t at = 0;
            for (std::size_t size : m_pieces)
            {
                MqttServiceItem piece;
                piece.connection = id;
                piece.kind = MqttServiceItemKind::Bytes;
                piece.queued = item.queued;
                piece.bytes.assign(item.bytes.begin() + static_cast<std::ptrdiff_t>(at),
                                   item.bytes.begin() + static_cast<std::ptrdiff_t>(at + size));
                at += size;
                Push(lane, std::move(piece));
            }
        }
    }
    if (!lane.inService && wasEmpty)
    {
        MakeReady(id, lane);
    }
    UpdateFull();
    return m_full;
}

void
MqttServiceModel::Push(Lane& lane, MqttServiceItem item)
{
    ++m_queuedItems;
    lane.items.push_back(Queued{m_nextSeq++, std::move(item)});
}

std::optional<MqttServiceItem>
MqttServiceModel::Take(Nanos now)
{
    if (m_busyCores >= m_config.cores || m_ready.empty())
    {
        return std::nullopt;
    }
    auto first = m_ready.begin();
    Lane& lane = m_lanes[first->second];
    m_ready.erase(first);
    MqttServiceItem item = std::move(lane.items.front().item);
    lane.items.pop_front();
    lane.inService = true;
    lane.gone = lane.gone || item.kind == MqttServiceItemKind::Closed;
    lane.start = now;
    lane.cost = Nanos(0);
    lane.work = MqttServiceWork{};
    ++m_busyCores;
    m_startSum += now;
    m_queuedBytes -= item.bytes.size();
    --m_queuedItems;
    UpdateFull();
    return item;
}

void
MqttServiceModel::AddIo(MqttServiceWork& work, std::size_t bytesIn, const MqttActions& out)
{
    uint64_t bytesOut = 0;
    for (const MqttAction& action : out)
    {
        if (const auto* send = std::get_if<SendAction>(&action))
        {
            bytesOut += send->bytes.size();
        }
    }
    work.Add(MqttServiceOp::ByteIn, bytesIn);
    work.Add(MqttServiceOp::ByteOut, bytesOut);
}

Nanos
MqttServiceModel::Charge(ConnectionId connection, const MqttServiceWork& work)
{
    Lane& lane = m_lanes[connection];
    Picos picos = m_config.costs.Of(work) + m_carry;
    m_carry = picos % 1000;
    lane.cost += Nanos(static_cast<int64_t>(picos / 1000));
    lane.work += work;
    return lane.start + lane.cost;
}

void
MqttServiceModel::Complete(ConnectionId connection, Nanos now)
{
    auto it = m_lanes.find(connection);
    if (it == m_lanes.end() || !it->second.inService)
    {
        return;
    }
    Lane& lane = it->second;
    lane.inService = false;
    --m_busyCores;
    m_startSum -= lane.start;
    m_busyDone += now - lane.start;
    ++m_completedItems;
    m_completedWork += lane.work;
    if (lane.items.empty())
    {
        // Nothing waits: the lane goes unless a packet is half-read (cheap at 100k connections).
        if (lane.gone || lane.splitter.AtBoundary())
        {
            m_lanes.erase(it);
        }
        return;
    }
    MakeReady(connection, lane);
}

void
MqttServiceModel::Clear(Nanos now)
{
    // Ordered by connection so that the work adds up in one order (it is integers anyway).
    std::map<ConnectionId, const Lane*> serving;
    for (const auto& [id, lane] : m_lanes)
    {
        if (lane.inService)
        {
            serving.emplace(id, &lane);
        }
    }
    for (const auto& [id, lane] : serving)
    {
        m_busyDone += now - lane->start;
        ++m_completedItems;
        m_completedWork += lane->work;
    }
    m_lanes.clear();
    m_ready.clear();
    m_busyCores = 0;
    m_startSum = Nanos(0);
    m_queuedBytes = 0;
    m_queuedItems = 0;
    m_full = false;
}

void
MqttServiceModel::Forget(ConnectionId connection)
{
    auto it = m_lanes.find(connection);
    if (it == m_lanes.end())
    {
        return;
    }
    if (!it->second.inService && it->second.items.empty())
    {
        m_lanes.erase(it);
        return;
    }
    it->second.gone = true;
}

std::size_t
MqttServiceModel::ConnectionCount() const
{
    return m_lanes.size();
}

bool
MqttServiceModel::Idle() const
{
    return m_busyCores == 0 && m_queuedItems == 0;
}

Nanos
MqttServiceModel::BusyTime(Nanos now) const
{
    return m_busyDone + now * static_cast<int64_t>(m_busyCores) - m_startSum;
}

void
MqttServiceModel::MakeReady(ConnectionId id, const Lane& lane)
{
    if (!lane.items.empty())
    {
        m_ready.emplace(lane.items.front().seq, id);
    }
}

void
MqttServiceModel::UpdateFull()
{
    const uint64_t limit = m_config.inputLimit;
    if (limit == 0)
    {
        return;
    }
    if (!m_full && m_queuedBytes > limit)
    {
        m_full = true;
        ++m_fullCount;
    }
    else if (m_full && m_queuedBytes <= limit / 2)
    {
        m_full = false;
    }
}

} // namespace mqtt
} // namespace ns3
