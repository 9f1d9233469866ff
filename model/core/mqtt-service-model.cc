/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-service-model.h"

#include <algorithm>
#include <set>
#include <utility>

namespace ns3
{
namespace mqtt
{

MqttServiceModel::MqttServiceModel(const MqttServiceConfig& config)
    : m_config(config),
      m_cores(config.cores)
{
    m_config.readSize = std::max<uint64_t>(m_config.readSize, 1);
    m_config.readsPerTurn = std::max<uint32_t>(m_config.readsPerTurn, 1);
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
    if (lane.items.empty() && !lane.inService)
    {
        m_ring.emplace(std::make_pair(m_nextReady++, 0u), id); // it joins the round
    }
    if (m_config.readPer == MqttServiceReadPer::Packet && item.kind == MqttServiceItemKind::Bytes)
    {
        FindPacketEnds(lane, item.bytes);
    }
    m_queuedBytes += item.bytes.size();
    m_peakQueuedBytes = std::max(m_peakQueuedBytes, m_queuedBytes);
    ++m_queuedItems;
    lane.items.push_back(std::move(item));
    UpdateFull();
    return m_full;
}

void
MqttServiceModel::FindPacketEnds(Lane& lane, const std::vector<uint8_t>& bytes)
{
    std::vector<std::size_t> pieces;
    lane.splitter.Split(bytes.data(), bytes.size(), pieces);
    uint64_t at = lane.arrived;
    for (std::size_t i = 0; i < pieces.size(); ++i)
    {
        at += pieces[i];
        // Every piece ends a packet but the last, which does when the stream is at a boundary.
        if (i + 1 < pieces.size() || lane.splitter.AtBoundary())
        {
            lane.ends.push_back(at);
        }
    }
    lane.arrived += bytes.size();
}

MqttServiceItem
MqttServiceModel::Read(ConnectionId id, Lane& lane)
{
    MqttServiceItem& front = lane.items.front();
    if (front.kind != MqttServiceItemKind::Bytes)
    {
        MqttServiceItem item = std::move(front);
        lane.items.pop_front();
        --m_queuedItems;
        lane.ended = lane.ended || item.kind == MqttServiceItemKind::Closed;
        return item;
    }
    if (m_config.readPer == MqttServiceReadPer::Turn)
    {
        return ReadBytes(id, lane, m_config.readSize);
    }
    // One packet: the rest of the next complete one, or the part of one that has arrived.
    if (lane.nextEnd == lane.ends.size())
    {
        MqttServiceItem read = ReadBytes(id, lane, UINT64_MAX);
        lane.taken += read.bytes.size();
        read.partialPacket = true;
        return read;
    }
    MqttServiceItem read = ReadBytes(id, lane, lane.ends[lane.nextEnd++] - lane.taken);
    lane.taken += read.bytes.size();
    if (lane.nextEnd == lane.ends.size())
    {
        lane.ends.clear(); // all read: start over
        lane.nextEnd = 0;
    }
    else if (lane.nextEnd > 1024 && lane.nextEnd * 2 > lane.ends.size())
    {
        lane.ends.erase(lane.ends.begin(),
                        lane.ends.begin() + static_cast<std::ptrdiff_t>(lane.nextEnd));
        lane.nextEnd = 0;
    }
    return read;
}

MqttServiceItem
MqttServiceModel::ReadBytes(ConnectionId id, Lane& lane, uint64_t limit)
{
    // recv() into the read buffer: the bytes of consecutive Bytes items, up to the limit.
    MqttServiceItem read;
    read.connection = id;
    read.kind = MqttServiceItemKind::Bytes;
    read.queued = lane.items.front().queued;
    while (!lane.items.empty() && lane.items.front().kind == MqttServiceItemKind::Bytes &&
           read.bytes.size() < limit)
    {
        MqttServiceItem& piece = lane.items.front();
        const std::size_t left = piece.bytes.size() - lane.readOffset;
        const std::size_t take = static_cast<std::size_t>(
            std::min<uint64_t>(left, limit - read.bytes.size()));
        const auto from = piece.bytes.begin() + static_cast<std::ptrdiff_t>(lane.readOffset);
        read.bytes.insert(read.bytes.end(), from, from + static_cast<std::ptrdiff_t>(take));
        if (take < left)
        {
            lane.readOffset += take;
            break;
        }
        lane.readOffset = 0;
        lane.items.pop_front();
        --m_queuedItems;
    }
    m_queuedBytes -= read.bytes.size();
    return read;
}

std::optional<MqttServiceTurn>
MqttServiceModel::Take(Nanos now)
{
    if (m_busyCores >= m_cores.size() || m_ring.empty())
    {
        return std::nullopt;
    }
    MqttServiceTurn turn;
    // The free core whose thread ran last (the lowest index among equals).
    bool found = false;
    for (uint32_t i = 0; i < m_cores.size(); ++i)
    {
        if (!m_cores[i].busy && (!found || m_cores[i].freeAt > m_cores[turn.core].freeAt))
        {
            turn.core = i;
            found = true;
        }
    }
    Core& core = m_cores[turn.core];
    turn.afterIdle = now > core.freeAt;
    core.busy = true;
    core.start = now;
    core.cost = Nanos(0);
    core.work = MqttServiceWork{};
    core.connections.clear();
    core.ready = m_nextReady++;
    ++m_busyCores;
    m_startSum += now;
    // The ready connections at the turn's start, as one epoll_wait reports them. With several
    // cores each takes its share of the connections with input (ready or in another core's
    // turn), so that one core's turn does not hold them all while the others idle.
    std::size_t serving = 0;
    for (const Core& other : m_cores)
    {
        serving += other.busy ? other.connections.size() : 0;
    }
    const std::size_t cores = m_cores.size();
    const std::size_t share = std::min<std::size_t>(
        m_config.readsPerTurn, (m_ring.size() + serving + cores - 1) / cores);
    while (!m_ring.empty() && turn.reads.size() < share)
    {
        const ConnectionId id = m_ring.begin()->second;
        m_ring.erase(m_ring.begin());
        Lane& lane = m_lanes[id];
        lane.inService = true;
        core.connections.push_back(id);
        turn.reads.push_back(Read(id, lane));
    }
    UpdateFull();
    return turn;
}

void
MqttServiceModel::AddIo(MqttServiceWork& work,
                        const MqttServiceTurn& turn,
                        const MqttActions& out,
                        MqttServiceWritePer writePer)
{
    for (const MqttServiceItem& read : turn.reads)
    {
        if (read.kind == MqttServiceItemKind::Bytes)
        {
            if (!read.partialPacket) // read-per packet: the read that completes it is charged
            {
                work.Add(MqttServiceOp::Read);
            }
            work.Add(MqttServiceOp::ByteIn, read.bytes.size());
        }
    }
    std::set<ConnectionId> written;
    uint64_t packets = 0;
    for (const MqttAction& action : out)
    {
        if (const auto* send = std::get_if<SendAction>(&action))
        {
            written.insert(send->connection);
            work.Add(MqttServiceOp::ByteOut, send->bytes.size());
            if (writePer == MqttServiceWritePer::Packet)
            {
                packets += CountPackets(send->bytes);
            }
        }
    }
    work.Add(MqttServiceOp::Write,
             writePer == MqttServiceWritePer::Packet ? packets : written.size());
    work.Add(MqttServiceOp::Wait); // the turn itself: one epoll_wait and its wakeup
    if (turn.afterIdle)
    {
        work.Add(MqttServiceOp::Wakeup); // and the scheduler's wakeup of a sleeping thread
    }

}

uint64_t
MqttServiceModel::CountPackets(const std::vector<uint8_t>& bytes)
{
    // Fixed header: a type byte, then the remaining length in 1 to 4 bytes of 7 bits each
    // (3.1.1 section 2.2.3), then that many bytes.
    uint64_t packets = 0;
    std::size_t at = 0;
    while (at < bytes.size())
    {
        ++packets;
        std::size_t i = at + 1;
        uint64_t length = 0;
        for (unsigned shift = 0; i < bytes.size() && shift < 28; shift += 7)
        {
            const uint8_t b = bytes[i++];
            length |= static_cast<uint64_t>(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }
        }
        at = i + length;
    }
    return packets;
}

Nanos
MqttServiceModel::Charge(uint32_t coreIndex, const MqttServiceWork& work)
{
    Core& core = m_cores.at(coreIndex);
    Picos picos = m_config.costs.Of(work) + m_carry;
    m_carry = picos % 1000;
    core.cost += Nanos(static_cast<int64_t>(picos / 1000));
    core.work += work;
    return core.start + core.cost;
}

void
MqttServiceModel::Complete(uint32_t coreIndex, Nanos now)
{
    if (coreIndex >= m_cores.size() || !m_cores[coreIndex].busy)
    {
        return;
    }
    Core& core = m_cores[coreIndex];
    core.busy = false;
    core.freeAt = now;
    --m_busyCores;
    m_startSum -= core.start;
    m_busyDone += now - core.start;
    m_completedItems += core.connections.size();
    ++m_completedTurns;
    m_completedWork += core.work;
    uint32_t back = 0;
    for (ConnectionId id : core.connections)
    {
        auto it = m_lanes.find(id);
        if (it == m_lanes.end())
        {
            continue;
        }
        Lane& lane = it->second;
        lane.inService = false;
        if (!lane.items.empty())
        {
            m_ring.emplace(std::make_pair(core.ready, ++back), id); // input left: next round
        }
        else if (lane.ended || lane.splitter.AtBoundary())
        {
            m_lanes.erase(it);
        }
        // else a packet part-read (read-per packet): the lane waits for the rest of it.
    }
    core.connections.clear();
}

void
MqttServiceModel::Clear(Nanos now)
{
    for (Core& core : m_cores)
    {
        if (core.busy)
        {
            m_busyDone += now - core.start;
            m_completedItems += core.connections.size();
            ++m_completedTurns;
            m_completedWork += core.work;
        }
        core = Core{};
    }
    m_lanes.clear();
    m_ring.clear();
    m_busyCores = 0;
    m_startSum = Nanos(0);
    m_queuedBytes = 0;
    m_queuedItems = 0;
    m_full = false;
}

void
MqttServiceModel::Forget(ConnectionId connection)
{
    // What it queued is still served (the engine ignores input of a connection it closed); the
    // lane goes when its last read completes.
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
    it->second.ended = true; // nothing of its stream to remember once its input is served
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
