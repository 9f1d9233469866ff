/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A broker's CPU as a queueing model, I/O-free, serving its input the way the real reactor
 * (model/posix, MqttPosixBroker on MqttPosixReactor) does. Rules:
 * - each core runs turns, as the reactor's one thread runs loop iterations; a turn takes the
 *   connections with waiting input round robin: up to readsPerTurn of them from the front of a
 *   ring (epoll's ready list, up to MAX_EVENTS per epoll_wait), and a connection still holding
 *   input after its turn goes back to the ring behind those ready before the turn started and
 *   ahead of those that became ready during it (where epoll's level-triggered list puts it);
 * - a turn reads each of its connections once: up to readSize bytes of its waiting bytes
 *   (several packets, or part of one, as recv() does), or one accept or close; the driver
 *   charges a `read` per bytes read on top of the per-packet and per-byte costs;
 * - a turn that starts on a core left idle (its last turn ended before this turn's input came,
 *   or it never ran) also costs a `wakeup`: the thread slept in epoll_wait. A free core that
 *   just ended a turn is taken before one idle for longer (its thread is still running);
 * - with readPer Packet (a loop that takes one packet per ready connection per iteration, as
 *   mosquitto 2.0's does) a turn's read of a connection takes the rest of its next packet
 *   instead: one whole packet, or, when the packet has not all arrived, the part that has (the
 *   packet's `read` is charged by the read that completes it: one `read` per packet read);
 *   packet ends are found from the fixed headers as the bytes are queued (MqttPacketSplitter);
 * - the output of a whole turn is written when the turn ends, one flush per connection that
 *   got output (the driver charges a `write` per such connection), so under load, with many
 *   connections per turn, one write carries many messages, as in the real broker; a broker
 *   that writes every packet with a call of its own (writePer Packet, mosquitto) is charged a
 *   `write` per outbound packet instead;
 * - with several cores, a turn takes at most its core's share of the connections with input
 *   (ceil((ready + in other cores' turns) / cores)), so that the cores serve in parallel;
 * - one connection is in at most one turn at a time: its input is served in order;
 * - a turn's service takes the CPU time of the work charged for it (costs rounded to the
 *   nanosecond, the remainder carried to the next turn so that sub-nanosecond per-byte costs
 *   add up exactly);
 * - the input is full once more than inputLimit bytes wait, and stays full until at most half
 *   of that waits (a driver stops reading while it is full); inputLimit 0: never full.
 * Deterministic: no clock, no randomness, no iteration over unordered containers.
 * doc/capacity.md, "Service model".
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
#include <utility>
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

/** One piece of input waiting for a core, or one read of a turn. */
struct MqttServiceItem
{
    ConnectionId connection = 0;
    MqttServiceItemKind kind = MqttServiceItemKind::Bytes;
    std::vector<uint8_t> bytes;
    /** When it was queued (a read: when its first byte was). */
    Nanos queued{0};
    /**
     * A read that ends inside a packet (read-per packet: the part of a packet that has arrived):
     * no `read` is charged for it; the read that completes the packet is charged.
     */
    bool partialPacket = false;
};

/** What one core serves in one turn: one read per connection, in round-robin order. */
struct MqttServiceTurn
{
    uint32_t core = 0;
    std::vector<MqttServiceItem> reads;
    /**
     * Whether the core was idle before the turn (nothing to serve when its last turn ended, or
     * none yet): its thread slept in epoll_wait and the scheduler wakes it, which costs more
     * than the next round of a busy loop (a `wakeup` on top of the turn's `wait`).
     */
    bool afterIdle = false;
};

/** Cores and the input queue; the rules are at the top of this file. */
class MqttServiceModel
{
  public:
    explicit MqttServiceModel(const MqttServiceConfig& config);

    const MqttServiceConfig& Config() const;

    /**
     * Queues @p item. @return whether the input is full now (the driver stops reading the
     * item's connection).
     */
    bool Enqueue(MqttServiceItem item);

    /**
     * The turn a free core serves from @p now on, or nothing (no free core, or no input). The
     * core and the turn's connections are busy until Complete().
     */
    std::optional<MqttServiceTurn> Take(Nanos now);

    /**
     * Adds the I/O of a turn to @p work: a `wait` (the turn's epoll_wait and wakeup), a `read`
     * per bytes read (but a partialPacket one) and the bytes read (`byte-in`), the bytes of
     * @p out's SendActions (`byte-out`) and its writes: with
     * @p writePer Turn one per connection that any SendAction goes to, with Packet one per MQTT
     * packet those actions carry.
     */
    static void AddIo(MqttServiceWork& work,
                      const MqttServiceTurn& turn,
                      const MqttActions& out,
                      MqttServiceWritePer writePer = MqttServiceWritePer::Turn);

    /**
     * The MQTT packets in @p bytes, whole packets one after the other (what a SendAction of the
     * engine holds); a truncated last packet counts as one.
     */
    static uint64_t CountPackets(const std::vector<uint8_t>& bytes);

    /**
     * Charges @p work to the turn @p core serves. @return when its service completes (the start
     * plus its CPU time).
     */
    Nanos Charge(uint32_t core, const MqttServiceWork& work);

    /** @p core's turn completed at @p now: the core and the turn's connections are free. */
    void Complete(uint32_t core, Nanos now);

    /**
     * The broker stops at @p now: the turns in service complete now, the queued input is
     * forgotten (with the connections' state); the statistics stay.
     */
    void Clear(Nanos now);

    /**
     * @p connection ended without a Closed item (the engine closed it): its state goes once
     * what it queued is served. A connection's state goes anyway when nothing of it waits.
     */
    void Forget(ConnectionId connection);

    /**
     * Connections the model holds state for: input queued or in service, or (read-per packet)
     * a packet part-read or a stream that cannot be cut into packets (until it closes).
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

    /** Pieces of input waiting (as queued; a read may take several, or part of one). */
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

    /** Reads (accepts and closes included) whose turn completed. */
    uint64_t
    CompletedItems() const
    {
        return m_completedItems;
    }

    /** Turns completed. */
    uint64_t
    CompletedTurns() const
    {
        return m_completedTurns;
    }

    /** The operations of the completed turns. */
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
    /** One connection's waiting input. */
    struct Lane
    {
        std::deque<MqttServiceItem> items;
        /** Bytes of the first item read already (a read stops at readSize). */
        std::size_t readOffset = 0;
        bool inService = false;
        /** Its Closed item was read or it was forgotten: no stream state to keep once empty. */
        bool ended = false;
        // Read-per packet only: where the packets end in the connection's byte stream.
        MqttPacketSplitter splitter;
        /** Stream offsets of the ends of the complete packets queued, from nextEnd on. */
        std::vector<uint64_t> ends;
        std::size_t nextEnd = 0;
        /** Stream bytes queued and read so far. */
        uint64_t arrived = 0;
        uint64_t taken = 0;
    };

    /** A core and the turn it serves. */
    struct Core
    {
        bool busy = false;
        /** When its last turn ended (-1: never ran); a turn starting later follows idleness. */
        Nanos freeAt{-1};
        /** Where the turn's connections go back in the ring. */
        uint64_t ready = 0;
        Nanos start{0};
        Nanos cost{0};
        MqttServiceWork work;
        std::vector<ConnectionId> connections;
    };

    /**
     * The next read of @p lane: its front item, or up to readSize of its bytes (read-per turn),
     * or the rest of its next packet (read-per packet).
     */
    MqttServiceItem Read(ConnectionId id, Lane& lane);

    /** Up to @p limit of @p lane's consecutive waiting bytes, as one read. */
    MqttServiceItem ReadBytes(ConnectionId id, Lane& lane, uint64_t limit);

    /** Read-per packet: notes where the packets of @p bytes, the next of the stream, end. */
    void FindPacketEnds(Lane& lane, const std::vector<uint8_t>& bytes);

    void UpdateFull();

    MqttServiceConfig m_config;
    std::unordered_map<ConnectionId, Lane> m_lanes;
    /**
     * Connections with input waiting and not in service, in round-robin order: by when they
     * became ready; one that still has input after its turn counts as ready at the turn's start
     * (epoll puts a level-triggered descriptor back on its ready list when it reports it).
     */
    std::map<std::pair<uint64_t, uint32_t>, ConnectionId> m_ring;
    uint64_t m_nextReady = 0;
    std::vector<Core> m_cores;
    uint32_t m_busyCores = 0;
    uint64_t m_queuedBytes = 0;
    uint64_t m_queuedItems = 0;
    uint64_t m_peakQueuedBytes = 0;
    bool m_full = false;
    uint64_t m_fullCount = 0;
    /** Picoseconds charged but not yet a whole nanosecond of service. */
    Picos m_carry = 0;
    /** Core time of completed turns, and the sum of the start times of the turns in service. */
    Nanos m_busyDone{0};
    Nanos m_startSum{0};
    uint64_t m_completedItems = 0;
    uint64_t m_completedTurns = 0;
    MqttServiceWork m_completedWork;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SERVICE_MODEL_H
