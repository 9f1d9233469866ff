/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A broker's CPU as a queueing model, I/O-free: input waits in a bounded queue for one of a few
 * cores; a core serves one piece of input for the CPU time its work costs. The driver asks what
 * a free core takes next, runs the engine on it, charges the work the engine did, and carries
 * out the engine's actions when the service completes. doc/capacity.md, "Service model".
 */
#ifndef MQTT_SERVICE_MODEL_H
#define MQTT_SERVICE_MODEL_H

#include "mqtt-action.h"
#include "mqtt-packet-splitter.h"
#include "mqtt-service-costs.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** What a piece of input is: the driver hands each to the engine's matching entry point. */
enum class MqttServiceItemKind : uint8_t
{
    Opened, //!< a transport connection was accepted (OnConnectionOpened)
    Bytes,  //!< bytes were read (OnBytes)
    Closed, //!< the transport closed (OnConnectionClosed)
};

/** One piece of input waiting for a core. */
struct MqttServiceItem
{
    ConnectionId connection = 0;
    MqttServiceItemKind kind = MqttServiceItemKind::Bytes;
    std::vector<uint8_t> bytes;
    /** When it was queued. */
    Nanos queued{0};
};

/**
 * Cores and the input queue. Rules:
 * - bytes are served one MQTT packet at a time: a read is cut at packet ends (a piece of a
 *   packet still arriving is served on its own, so a huge packet cannot hold the queue);
 * - a free core takes the item that was queued first among the connections with no item in
 *   service, so one connection's items are served one after the other, in order, and a busy
 *   connection does not hold up the others;
 * - an item's service takes the CPU time of the work charged for it (costs rounded to the
 *   nanosecond, the remainder carried to the next item so that sub-nanosecond per-byte costs
 *   add up exactly);
 * - the input is full once more than inputLimit bytes wait, and stays full until at most half
 *   of that waits (a driver stops reading while it is full); inputLimit 0: never full.
 * Deterministic: no clock, no randomness, no iteration over unordered containers.
 */
class MqttServiceModel
{
  public:
    explicit MqttServiceModel(const MqttServiceConfig& config);

    const MqttServiceConfig& Config() const;

    /**
     * Queues @p item (bytes cut into packets). @return whether the input is full now (the driver
     * stops reading the item's connection).
     */
    bool Enqueue(MqttServiceItem item);

    /**
     * The item a free core serves from @p now on, or nothing (no free core, or nothing ready).
     * The core and the item's connection are busy until Complete().
     */
    std::optional<MqttServiceItem> Take(Nanos now);

    /**
     * Adds the bytes of a piece of work to @p work: @p bytesIn read, and the bytes of every
     * SendAction in @p out written.
     */
    static void AddIo(MqttServiceWork& work, std::size_t bytesIn, const MqttActions& out);

    /**
     * Charges @p work to the item @p connection has in service. @return when its service
     * completes (the start plus its CPU time).
     */
    Nanos Charge(ConnectionId connection, const MqttServiceWork& work);

    /** The service of @p connection's item completed at @p now: its core is free again. */
    void Complete(ConnectionId connection, Nanos now);

    /**
     * The broker stops at @p now: the items in service complete now, the queued ones are
     * forgotten (with the connections' state); the statistics stay.
     */
    void Clear(Nanos now);

    /**
     * @p connection ended without a Closed item (the engine closed it): its state goes once
     * what it queued is served. A Closed item does the same when it is served.
     */
    void Forget(ConnectionId connection);

    /**
     * Connections the model holds state for: input queued or in service, or a packet cut in
     * the middle.
     */
    std::size_t ConnectionCount() const;

    /** Whether the input is over its bound (see the class rules). */
    bool
    InputFull() const
    {
        return m_full;
    }

    /** Whether nothing is queued or in service. */
    bool Idle() const;

    // --- Statistics --------------------------------------------------------------------------
    uint64_t
    QueuedBytes() const
    {
        return m_queuedBytes;
    }

    uint64_t
    QueuedItems() const
    {
        return m_queuedItems;
    }

    /** The most bytes that ever waited. */
    uint64_t
    PeakQueuedBytes() const
    {
        return m_peakQueuedBytes;
    }

    uint32_t
    BusyCores() const
    {
        return m_busyCores;
    }

    /** Core time spent up to @p now, over all cores (in service included). */
    Nanos BusyTime(Nanos now) const;

    /** Items whose service completed. */
    uint64_t
    CompletedItems() const
    {
        return m_completedItems;
    }

    /** The operations of the completed items. */
    const MqttServiceWork&
    CompletedWork() const
    {
        return m_completedWork;
    }

    /** Times the input became full. */
    uint64_t
    FullCount() const
    {
        return m_fullCount;
    }

  private:
    struct Queued
    {
        uint64_t seq;
        MqttServiceItem item;
    };

    /** One connection's items, and the one it has in service. */
    struct Lane
    {
        std::deque<Queued> items;
        MqttPacketSplitter splitter;
        bool inService = false;
        /** The connection ended: the lane goes once its items are served. */
        bool gone = false;
        Nanos start{0};
        Nanos cost{0};
        MqttServiceWork work;
    };

    /** Appends @p item to @p lane. */
    void Push(Lane& lane, MqttServiceItem item);
    /** Puts @p id's lane in the ready order by its first item, if it has one. */
    void MakeReady(ConnectionId id, const Lane& lane);
    void UpdateFull();

    MqttServiceConfig m_config;
    std::unordered_map<ConnectionId, Lane> m_lanes;
    /** Connections with items and none in service, by the sequence number of their first. */
    std::map<uint64_t, ConnectionId> m_ready;
    uint64_t m_nextSeq = 0;
    uint32_t m_busyCores = 0;
    uint64_t m_queuedBytes = 0;
    uint64_t m_queuedItems = 0;
    uint64_t m_peakQueuedBytes = 0;
    bool m_full = false;
    uint64_t m_fullCount = 0;
    /** Picoseconds charged but not yet a whole nanosecond of service. */
    Picos m_carry = 0;
    /** Core time of completed items, and the sum of the start times of the items in service. */
    Nanos m_busyDone{0};
    Nanos m_startSum{0};
    uint64_t m_completedItems = 0;
    MqttServiceWork m_completedWork;
    /** Scratch for the splitter's cuts. */
    std::vector<std::size_t> m_pieces;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SERVICE_MODEL_H
