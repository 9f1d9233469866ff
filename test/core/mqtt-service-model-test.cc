/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker service model (doc/capacity.md, "Service model"): turns on one and two cores, round
 * robin across connections, reads of up to the read size, the cost of each operation (a read and
 * a write per connection per turn), the input bound's pause and resume, and that one script
 * gives one schedule. Also what the engine counts for its work.
 */
#include "mqtt-broker-settings.h"
#include "mqtt-broker-test-harness.h"
#include "mqtt-service-model.h"
#include "mqtt-units.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

using namespace brokertest;
using std::chrono::microseconds;
using std::chrono::nanoseconds;

namespace
{

/** Service model with @p cores and publish-qos0 costing 10 us. */
MqttServiceConfig
TenMicrosPerPublish(uint32_t cores, uint64_t inputLimit = 0)
{
    MqttServiceConfig c;
    c.cores = cores;
    c.inputLimit = inputLimit;
    c.costs[MqttServiceOp::PublishQos0] = 10'000'000; // 10 us in ps
    return c;
}

/**
 * One whole PUBLISH of @p bytes (at least 2) from connection @p c, so that the model serves it
 * as one piece; 0 bytes: an empty read.
 */
MqttServiceItem
Item(ConnectionId c, std::size_t bytes, Nanos queued = Nanos(0))
{
    MqttServiceItem item;
    item.connection = c;
    item.queued = queued;
    if (bytes == 0)
    {
        return item;
    }
    // The Remaining Length L with 1 + len(L) + L == bytes.
    for (std::size_t lengthBytes = 1; lengthBytes <= 4; ++lengthBytes)
    {
        std::size_t length = bytes - 1 - lengthBytes;
        uint8_t header[4];
        if (EncodeRemainingLength(static_cast<uint32_t>(length), header) == lengthBytes)
        {
            item.bytes.push_back(0x30);
            item.bytes.insert(item.bytes.end(), header, header + lengthBytes);
            item.bytes.resize(bytes, 0);
            return item;
        }
    }
    ADD_FAILURE() << "no packet of " << bytes << " bytes";
    return item;
}

MqttServiceWork
Publishes(uint64_t n)
{
    MqttServiceWork w;
    w.Add(MqttServiceOp::PublishQos0, n);
    return w;
}

/** One turn as the test sees it: its core, its connections in order, when it completes. */
struct Served
{
    uint32_t core;
    std::vector<ConnectionId> connections;
    Nanos done;

    bool
    operator==(const Served& other) const
    {
        return core == other.core && connections == other.connections && done == other.done;
    }
};

std::ostream&
operator<<(std::ostream& os, const Served& s)
{
    os << "{core " << s.core << ":";
    for (ConnectionId c : s.connections)
    {
        os << " " << c;
    }
    return os << " done " << s.done.count() << "ns}";
}

using Started = std::vector<Served>;

/** Takes the turns the cores take at @p now, charging one publish per read. */
Started
TakeAll(MqttServiceModel& m, Nanos now)
{
    Started started;
    while (auto turn = m.Take(now))
    {
        Served s{turn->core, {}, Nanos(0)};
        for (const MqttServiceItem& read : turn->reads)
        {
            s.connections.push_back(read.connection);
        }
        s.done = m.Charge(turn->core, Publishes(turn->reads.size()));
        started.push_back(s);
    }
    return started;
}

/** @p config with at most @p reads connections per turn. */
MqttServiceConfig
ReadsPerTurn(MqttServiceConfig config, uint32_t reads)
{
    config.readsPerTurn = reads;
    return config;
}

} // namespace

TEST(ServiceModel, OneCoreReadsEveryReadyConnectionInOneTurn)
{
    MqttServiceModel m(TenMicrosPerPublish(1));
    m.Enqueue(Item(1, 10));
    m.Enqueue(Item(2, 10));
    m.Enqueue(Item(3, 10));
    EXPECT_EQ(TakeAll(m, Nanos(0)), (Started{{0, {1, 2, 3}, microseconds(30)}}));
    EXPECT_EQ(m.QueuedItems(), 0u);
    EXPECT_EQ(m.QueuedBytes(), 0u);
    m.Enqueue(Item(2, 10)); // during the turn: the next turn's
    EXPECT_EQ(TakeAll(m, microseconds(5)), Started{});
    m.Complete(0, microseconds(30));
    EXPECT_EQ(TakeAll(m, microseconds(30)), (Started{{0, {2}, microseconds(40)}}));
    m.Complete(0, microseconds(40));
    EXPECT_TRUE(m.Idle());
    EXPECT_EQ(m.CompletedItems(), 4u);
    EXPECT_EQ(m.CompletedTurns(), 2u);
    EXPECT_EQ(m.CompletedWork().Of(MqttServiceOp::PublishQos0), 4u);
    EXPECT_EQ(m.BusyTime(microseconds(50)), microseconds(40));
}

TEST(ServiceModel, TwoCoresShareTheReadyConnections)
{
    MqttServiceModel m(TenMicrosPerPublish(2));
    m.Enqueue(Item(1, 10));
    m.Enqueue(Item(2, 10));
    m.Enqueue(Item(3, 10));
    // Two free cores, three ready: the first takes ceil(3/2), the second the rest.
    EXPECT_EQ(TakeAll(m, Nanos(0)),
              (Started{{0, {1, 2}, microseconds(20)}, {1, {3}, microseconds(10)}}));
    EXPECT_EQ(m.BusyCores(), 2u);
    // Half-way through core 1's turn, both cores have worked 5 us.
    EXPECT_EQ(m.BusyTime(microseconds(5)), microseconds(10));
    m.Complete(1, microseconds(10));
    m.Enqueue(Item(4, 10));
    EXPECT_EQ(TakeAll(m, microseconds(10)), (Started{{1, {4}, microseconds(20)}}));
    m.Complete(0, microseconds(20));
    EXPECT_EQ(TakeAll(m, microseconds(20)), Started{});
    EXPECT_EQ(m.BusyCores(), 1u);
    m.Complete(1, microseconds(20));
    EXPECT_EQ(m.BusyTime(microseconds(20)), microseconds(40));
}

TEST(ServiceModel, RoundRobinServesTwoConnectionsAlternately)
{
    // Connection 1 queued three packets before connection 2 queued three: first come first
    // served would serve 1, 1, 1, 2, 2, 2. A read of one packet (readSize 10) and one
    // connection per turn show the round: 1, 2, 1, 2, 1, 2, every 10 us.
    MqttServiceConfig config = ReadsPerTurn(TenMicrosPerPublish(1), 1);
    config.readSize = 10;
    MqttServiceModel m(config);
    for (ConnectionId c : {1, 1, 1, 2, 2, 2})
    {
        m.Enqueue(Item(c, 10));
    }
    Started order;
    Nanos now{0};
    while (true)
    {
        Started s = TakeAll(m, now);
        if (s.empty())
        {
            break;
        }
        order.push_back(s[0]);
        now = s[0].done;
        m.Complete(0, now);
    }
    EXPECT_EQ(order,
              (Started{{0, {1}, microseconds(10)},
                       {0, {2}, microseconds(20)},
                       {0, {1}, microseconds(30)},
                       {0, {2}, microseconds(40)},
                       {0, {1}, microseconds(50)},
                       {0, {2}, microseconds(60)}}));
    // With the reactor's turn (every ready connection once), each turn reads both, in turn.
    config.readsPerTurn = 256;
    MqttServiceModel both(config);
    for (ConnectionId c : {1, 1, 1, 2, 2, 2})
    {
        both.Enqueue(Item(c, 10));
    }
    EXPECT_EQ(TakeAll(both, Nanos(0)), (Started{{0, {1, 2}, microseconds(20)}}));
    both.Complete(0, microseconds(20));
    EXPECT_EQ(TakeAll(both, microseconds(20)), (Started{{0, {1, 2}, microseconds(40)}}));
}

TEST(ServiceModel, OneTurnReadsUpToTheReadSizeAndChargesOneRead)
{
    // Five PUBLISHes of 10 bytes, queued as they came (three, then two); a read takes 35 bytes,
    // across item ends and into the fourth packet, as recv() into a 35-byte buffer would.
    MqttServiceConfig config;
    config.cores = 1;
    config.inputLimit = 0;
    config.readSize = 35;
    config.costs[MqttServiceOp::Read] = *ParseCpuCost("2us");
    config.costs[MqttServiceOp::ByteIn] = *ParseCpuCost("1ns");
    config.costs[MqttServiceOp::Write] = *ParseCpuCost("3us");
    config.costs[MqttServiceOp::ByteOut] = *ParseCpuCost("0.5ns");
    MqttServiceModel m(config);
    MqttServiceItem three = Item(9, 10);
    three.bytes.insert(three.bytes.end(), three.bytes.begin(), three.bytes.begin() + 10);
    three.bytes.insert(three.bytes.end(), three.bytes.begin(), three.bytes.begin() + 10);
    MqttServiceItem two = Item(9, 10);
    two.bytes.insert(two.bytes.end(), two.bytes.begin(), two.bytes.begin() + 10);
    m.Enqueue(three);
    m.Enqueue(two);
    std::optional<MqttServiceTurn> turn = m.Take(Nanos(0));
    ASSERT_TRUE(turn);
    ASSERT_EQ(turn->reads.size(), 1u);
    EXPECT_EQ(turn->reads[0].bytes.size(), 35u);
    EXPECT_EQ(m.QueuedBytes(), 15u);
    EXPECT_EQ(m.QueuedItems(), 1u); // the second item, half read
    // The turn's output: two sends to connection 4 and one to 5: two writes, 40 bytes.
    MqttActions out;
    out.emplace_back(SendAction{4, std::vector<uint8_t>(10)});
    out.emplace_back(SendAction{5, std::vector<uint8_t>(20)});
    out.emplace_back(SendAction{4, std::vector<uint8_t>(10)});
    MqttServiceWork work;
    MqttServiceModel::AddIo(work, *turn, out);
    EXPECT_EQ(work.Of(MqttServiceOp::Read), 1u);
    EXPECT_EQ(work.Of(MqttServiceOp::ByteIn), 35u);
    EXPECT_EQ(work.Of(MqttServiceOp::Write), 2u);
    EXPECT_EQ(work.Of(MqttServiceOp::ByteOut), 40u);
    // One read (2 us) + 35 bytes (35 ns) + two writes (6 us) + 40 bytes (20 ns).
    EXPECT_EQ(m.Charge(0, work), microseconds(8) + nanoseconds(55));
    m.Complete(0, microseconds(8) + nanoseconds(55));
    turn = m.Take(microseconds(9));
    ASSERT_TRUE(turn);
    ASSERT_EQ(turn->reads.size(), 1u);
    EXPECT_EQ(turn->reads[0].bytes.size(), 15u); // the rest, in one read
    EXPECT_TRUE(std::equal(turn->reads[0].bytes.begin(),
                           turn->reads[0].bytes.end(),
                           two.bytes.begin() + 5));
    work = MqttServiceWork{};
    MqttServiceModel::AddIo(work, *turn, MqttActions{});
    EXPECT_EQ(m.Charge(0, work), microseconds(11) + nanoseconds(15));
    m.Complete(0, microseconds(11) + nanoseconds(15));
    EXPECT_TRUE(m.Idle());
    EXPECT_EQ(m.ConnectionCount(), 0u);
}

TEST(ServiceModel, AWindowBoundSubscriberIsNotStarvedUnderOverload)
{
    // Eight publishers have 100 packets each waiting (800 reads of work at 10 us, one packet a
    // read); a subscriber's PUBACK arrives 5 us into the first turn. First come first served
    // made it wait behind all 800 (8 ms); round robin reads it in the second turn, after the
    // eight publishers, which went back to the ring when the first turn started.
    MqttServiceConfig config = TenMicrosPerPublish(1);
    config.readSize = 10;
    MqttServiceModel m(config);
    for (int i = 0; i < 100; ++i)
    {
        for (ConnectionId c = 1; c <= 8; ++c)
        {
            m.Enqueue(Item(c, 10));
        }
    }
    EXPECT_EQ(TakeAll(m, Nanos(0)), (Started{{0, {1, 2, 3, 4, 5, 6, 7, 8}, microseconds(80)}}));
    m.Enqueue(Item(100, 10, microseconds(5)));
    m.Complete(0, microseconds(80));
    EXPECT_EQ(TakeAll(m, microseconds(80)),
              (Started{{0, {1, 2, 3, 4, 5, 6, 7, 8, 100}, microseconds(170)}}));
    m.Complete(0, microseconds(170));
    // Each later PUBACK waits at most one turn of the nine, however deep the publishers' queues.
    Nanos now = microseconds(170);
    for (int round = 0; round < 20; ++round)
    {
        m.Enqueue(Item(100, 10, now));
        Started s = TakeAll(m, now);
        ASSERT_EQ(s.size(), 1u);
        EXPECT_EQ(s[0].connections.back(), 100u);
        EXPECT_LE(s[0].done - now, microseconds(90));
        now = s[0].done;
        m.Complete(0, now);
    }
}

TEST(ServiceModel, EachOperationCostsItsPrice)
{
    MqttServiceConfig config;
    config.cores = 1;
    for (std::size_t i = 0; i < MQTT_SERVICE_OPS; ++i)
    {
        config.costs.picos[i] = (i + 1) * 1000; // operation i costs (i+1) ns
    }
    MqttServiceWork work;
    for (std::size_t i = 0; i < MQTT_SERVICE_OPS; ++i)
    {
        work.count[i] = 2; // each twice: 2 * (1 + ... + 21) ns
    }
    EXPECT_EQ(config.costs.Of(work), 462'000u);
    MqttServiceModel m(config);
    m.Enqueue(Item(7, 0));
    ASSERT_TRUE(m.Take(microseconds(1)));
    EXPECT_EQ(m.Charge(0, work), microseconds(1) + nanoseconds(462));
    // A second charge for the same turn adds to it (one turn may be charged in parts).
    MqttServiceWork one;
    one.Add(MqttServiceOp::Delivery);
    EXPECT_EQ(m.Charge(0, one), microseconds(1) + nanoseconds(462 + 13));
}

TEST(ServiceModel, SubNanosecondCostsCarryOver)
{
    MqttServiceConfig config;
    config.cores = 1;
    config.costs[MqttServiceOp::ByteIn] = *ParseCpuCost("0.4ns");
    MqttServiceModel m(config);
    std::vector<Nanos> costs;
    Nanos now{0};
    for (int i = 0; i < 5; ++i)
    {
        m.Enqueue(Item(1, 2, now));
        ASSERT_TRUE(m.Take(now));
        MqttServiceWork w;
        w.Add(MqttServiceOp::ByteIn);
        Nanos done = m.Charge(0, w);
        costs.push_back(done - now);
        m.Complete(0, done);
        now = done;
    }
    // 0.4, 0.8, 1.2, 1.6, 2.0 ns charged in all: whole nanoseconds at 1.2 and 2.0.
    EXPECT_EQ(costs, (std::vector<Nanos>{Nanos(0), Nanos(0), Nanos(1), Nanos(0), Nanos(1)}));
    EXPECT_EQ(now, Nanos(2));
}

TEST(ServiceModel, TheInputBoundPausesAndResumesAtHalf)
{
    // One connection per turn, so that what waits goes down a read at a time.
    MqttServiceModel m(ReadsPerTurn(TenMicrosPerPublish(1, 100), 1));
    EXPECT_FALSE(m.Enqueue(Item(1, 60)));
    EXPECT_FALSE(m.Enqueue(Item(2, 40))); // 100 bytes: at the bound, not over it
    EXPECT_TRUE(m.Enqueue(Item(3, 30)));  // 130: over, full
    EXPECT_TRUE(m.InputFull());
    EXPECT_EQ(m.FullCount(), 1u);
    EXPECT_TRUE(m.Enqueue(Item(4, 0))); // still full
    ASSERT_TRUE(m.Take(Nanos(0)));      // 70 wait: above half, still full
    EXPECT_TRUE(m.InputFull());
    m.Charge(0, Publishes(1));
    m.Complete(0, microseconds(10));
    ASSERT_TRUE(m.Take(microseconds(10))); // 30 wait: at most half, reading resumes
    EXPECT_FALSE(m.InputFull());
    EXPECT_EQ(m.QueuedBytes(), 30u);
    EXPECT_EQ(m.FullCount(), 1u);
}

TEST(ServiceModel, NoBoundNeverFills)
{
    MqttServiceModel m(TenMicrosPerPublish(1, 0));
    for (int i = 0; i < 100; ++i)
    {
        EXPECT_FALSE(m.Enqueue(Item(1, 1 << 20)));
    }
    EXPECT_EQ(m.QueuedBytes(), 100u << 20);
}

TEST(ServiceModel, OneScriptOneSchedule)
{
    auto run = []()
    {
        MqttServiceModel m(TenMicrosPerPublish(2));
        std::vector<std::pair<ConnectionId, Nanos>> log;
        std::vector<std::pair<Nanos, uint32_t>> running;
        Nanos now{0};
        for (int step = 0; step < 200; ++step)
        {
            m.Enqueue(Item(static_cast<ConnectionId>(step * 7 % 5 + 1), 10, now));
            while (auto turn = m.Take(now))
            {
                Nanos done = m.Charge(turn->core, Publishes(1 + step % 3));
                running.emplace_back(done, turn->core);
                for (const MqttServiceItem& read : turn->reads)
                {
                    log.emplace_back(read.connection, done);
                }
            }
            now += microseconds(7);
            std::sort(running.begin(), running.end());
            while (!running.empty() && running.front().first <= now)
            {
                m.Complete(running.front().second, running.front().first);
                running.erase(running.begin());
            }
        }
        return log;
    };
    std::vector<std::pair<ConnectionId, Nanos>> first = run();
    EXPECT_EQ(first.size(), 200u); // each item read once
    EXPECT_EQ(first, run());
}

TEST(ServiceModel, ConnectionStateLastsOnlyWhileNeeded)
{
    MqttServiceModel m(TenMicrosPerPublish(1));
    std::vector<uint8_t> publish = Bytes(MakePublish("a", "1"));
    MqttServiceItem item;
    item.connection = 50;
    item.bytes = publish;
    m.Enqueue(item);
    EXPECT_EQ(m.ConnectionCount(), 1u);
    ASSERT_TRUE(m.Take(Nanos(0)));
    m.Complete(0, Nanos(0));
    EXPECT_EQ(m.ConnectionCount(), 0u); // all read: nothing to remember

    // Half a packet: the engine keeps it; the model reads bytes as they come, as recv() does.
    item.bytes.assign(publish.begin(), publish.begin() + 2);
    m.Enqueue(item);
    ASSERT_TRUE(m.Take(Nanos(0)));
    m.Complete(0, Nanos(0));
    EXPECT_EQ(m.ConnectionCount(), 0u);
    item.bytes.assign(publish.begin() + 2, publish.end());
    m.Enqueue(item);
    item.bytes = publish;
    m.Enqueue(item);
    EXPECT_EQ(m.QueuedItems(), 2u);
    m.Forget(50);
    EXPECT_EQ(m.ConnectionCount(), 1u); // what it queued is still served
    std::optional<MqttServiceTurn> turn = m.Take(Nanos(0));
    ASSERT_TRUE(turn);
    EXPECT_EQ(turn->reads[0].bytes.size(), publish.size() - 2 + publish.size()); // one read
    m.Complete(0, Nanos(0));
    EXPECT_EQ(m.ConnectionCount(), 0u);

    // Clear() drops what waits and ends what is in service; the statistics stay.
    item.connection = 51;
    m.Enqueue(item);
    ASSERT_TRUE(m.Take(Nanos(0)));
    m.Enqueue(item);
    m.Charge(0, Publishes(1));
    m.Clear(microseconds(4));
    EXPECT_TRUE(m.Idle());
    EXPECT_EQ(m.ConnectionCount(), 0u);
    EXPECT_EQ(m.QueuedBytes(), 0u);
    EXPECT_EQ(m.BusyTime(microseconds(100)), microseconds(4));
    EXPECT_EQ(m.CompletedWork().Of(MqttServiceOp::PublishQos0), 1u);
}

TEST(ServiceModel, AcceptsAndClosesAreReadsOfTheirOwn)
{
    // A connection's accept, bytes and close are served in order, one per turn; only bytes
    // count as a read (accept() and a close are charged as accept and disconnect).
    MqttServiceModel m(TenMicrosPerPublish(1));
    MqttServiceItem opened;
    opened.connection = 3;
    opened.kind = MqttServiceItemKind::Opened;
    MqttServiceItem closed = opened;
    closed.kind = MqttServiceItemKind::Closed;
    m.Enqueue(opened);
    m.Enqueue(Item(3, 10));
    m.Enqueue(Item(3, 10));
    m.Enqueue(closed);
    std::vector<std::pair<MqttServiceItemKind, std::size_t>> reads;
    MqttServiceWork io;
    while (auto turn = m.Take(Nanos(0)))
    {
        ASSERT_EQ(turn->reads.size(), 1u);
        reads.emplace_back(turn->reads[0].kind, turn->reads[0].bytes.size());
        MqttServiceModel::AddIo(io, *turn, MqttActions{});
        m.Complete(turn->core, Nanos(0));
    }
    EXPECT_EQ(reads,
              (std::vector<std::pair<MqttServiceItemKind, std::size_t>>{
                  {MqttServiceItemKind::Opened, 0},
                  {MqttServiceItemKind::Bytes, 20},
                  {MqttServiceItemKind::Closed, 0}}));
    EXPECT_EQ(io.Of(MqttServiceOp::Read), 1u);
    EXPECT_EQ(io.Of(MqttServiceOp::ByteIn), 20u);
}

// --- What the engine counts --------------------------------------------------------------------

TEST(ServiceWork, TheEngineCountsEachOperation)
{
    BrokerHarness h;
    h.Open(1);
    h.Open(2);
    EXPECT_EQ(h.Engine().TakeWork().Of(MqttServiceOp::Accept), 2u);
    h.Send(1, MakeConnect("pub"));
    h.Send(2, MakeConnect("sub"));
    h.Send(2, MakeSubscribe(1, {{"a/+", Qos::AtLeastOnce}, {"a/b", Qos::AtMostOnce}}));
    MqttServiceWork w = h.Engine().TakeWork();
    EXPECT_EQ(w.Of(MqttServiceOp::Connect), 2u);
    EXPECT_EQ(w.Of(MqttServiceOp::Subscribe), 1u);
    EXPECT_EQ(w.Of(MqttServiceOp::Filter), 2u);
    EXPECT_EQ(w.Of(MqttServiceOp::Accept), 0u); // taken before

    // One QoS 1 PUBLISH matching one session: one match (the tree merges overlapping filters),
    // one delivery; its PUBACK from the subscriber is an ack.
    h.Send(1, MakePublish("a/b", "x", Qos::AtLeastOnce, 9));
    w = h.Engine().TakeWork();
    EXPECT_EQ(w.Of(MqttServiceOp::PublishQos1), 1u);
    EXPECT_EQ(w.Of(MqttServiceOp::Match), 1u);
    EXPECT_EQ(w.Of(MqttServiceOp::Delivery), 1u);
    h.TakePackets(2);
    h.Send(2, PubackPacket{1});
    h.Send(1, MakePublish("a/c", "y", Qos::AtMostOnce));
    h.Send(1, MakePublish("none", "z", Qos::ExactlyOnce, 10));
    h.Send(1, PubrelPacket{10});
    h.Send(1, PingreqPacket{});
    UnsubscribePacket u;
    u.packetId = 3;
    u.filters = {"a/+", "a/b", "c"};
    h.Send(2, u);
    h.Send(1, DisconnectPacket{});
    h.NetClose(2);
    w = h.Engine().TakeWork();
    EXPECT_EQ(w.Of(MqttServiceOp::Ack), 2u); // PUBACK and PUBREL
    EXPECT_EQ(w.Of(MqttServiceOp::PublishQos0), 1u);
    EXPECT_EQ(w.Of(MqttServiceOp::PublishQos2), 1u);
    EXPECT_EQ(w.Of(MqttServiceOp::Match), 1u); // a/c matched a/+; "none" matched nothing
    EXPECT_EQ(w.Of(MqttServiceOp::Delivery), 1u);
    EXPECT_EQ(w.Of(MqttServiceOp::Pingreq), 1u);
    EXPECT_EQ(w.Of(MqttServiceOp::Unsubscribe), 1u);
    EXPECT_EQ(w.Of(MqttServiceOp::Filter), 3u);
    EXPECT_EQ(w.Of(MqttServiceOp::Disconnect), 2u); // DISCONNECT, and the loss of 2
    EXPECT_EQ(w.Of(MqttServiceOp::ByteIn), 0u);     // bytes are the driver's (AddIo)
    EXPECT_EQ(h.Engine().TakeWork().Of(MqttServiceOp::Disconnect), 0u);
}

TEST(ServiceModel, WritePerPacketChargesAWriteForEveryOutboundPacket)
{
    // A turn that read one connection and answered two: connection 4 gets a CONNACK and a
    // 7-byte PUBLISH in one SendAction (the engine joins consecutive sends), connection 5 a
    // PUBLISH of 200 bytes (a remaining length of two bytes: 0xC5 0x01 is 197).
    MqttServiceTurn turn;
    MqttServiceItem read;
    read.connection = 4;
    read.bytes = {0xC0, 0x00}; // a PINGREQ
    turn.reads.push_back(read);
    std::vector<uint8_t> two = {0x20, 0x02, 0x00, 0x00, 0x30, 0x05, 0x00, 0x01, 't', 'x', 'y'};
    std::vector<uint8_t> large = {0x30, 0xC5, 0x01};
    large.resize(200);
    MqttActions out;
    out.emplace_back(SendAction{4, two});
    out.emplace_back(SendAction{5, large});
    MqttServiceWork perTurn;
    MqttServiceModel::AddIo(perTurn, turn, out);
    EXPECT_EQ(perTurn.Of(MqttServiceOp::Write), 2u); // one per connection written
    MqttServiceWork perPacket;
    MqttServiceModel::AddIo(perPacket, turn, out, MqttServiceWritePer::Packet);
    EXPECT_EQ(perPacket.Of(MqttServiceOp::Write), 3u); // one per packet
    EXPECT_EQ(perPacket.Of(MqttServiceOp::ByteOut), 211u);
    EXPECT_EQ(perPacket.Of(MqttServiceOp::Read), 1u);
    EXPECT_EQ(perPacket.Of(MqttServiceOp::Wait), 1u); // the turn
    EXPECT_EQ(perTurn.Of(MqttServiceOp::Wait), 1u);
    EXPECT_EQ(perPacket.Of(MqttServiceOp::ByteIn), 2u);
    EXPECT_EQ(MqttServiceModel::CountPackets({}), 0u);
    EXPECT_EQ(MqttServiceModel::CountPackets({0x30, 0x7F, 0x00}), 1u); // truncated: one
    EXPECT_EQ(MqttServiceModel::CountPackets({0xE0, 0x00, 0xE0, 0x00, 0xE0}), 3u);
}

TEST(ServiceModel, ATurnOnAnIdleCoreCostsAWakeupAndTheNextRoundOfABusyLoopDoesNot)
{
    MqttServiceModel m(TenMicrosPerPublish(1));
    m.Enqueue(Item(1, 10, microseconds(0)));
    std::optional<MqttServiceTurn> first = m.Take(microseconds(0));
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->afterIdle); // the thread slept before the first input
    m.Enqueue(Item(2, 10, microseconds(5))); // arrives while the core serves
    m.Complete(first->core, microseconds(10));
    std::optional<MqttServiceTurn> second = m.Take(microseconds(10));
    ASSERT_TRUE(second);
    EXPECT_FALSE(second->afterIdle); // input was waiting: epoll_wait returns at once
    m.Complete(second->core, microseconds(20));
    EXPECT_FALSE(m.Take(microseconds(20))); // nothing waits: the core sleeps
    m.Enqueue(Item(3, 10, microseconds(30)));
    std::optional<MqttServiceTurn> third = m.Take(microseconds(30));
    ASSERT_TRUE(third);
    EXPECT_TRUE(third->afterIdle);

    MqttServiceWork idle;
    MqttServiceModel::AddIo(idle, *third, {});
    EXPECT_EQ(idle.Of(MqttServiceOp::Wait), 1u);
    EXPECT_EQ(idle.Of(MqttServiceOp::Wakeup), 1u);
    MqttServiceWork busy;
    MqttServiceModel::AddIo(busy, *second, {});
    EXPECT_EQ(busy.Of(MqttServiceOp::Wait), 1u);
    EXPECT_EQ(busy.Of(MqttServiceOp::Wakeup), 0u);

    // What the wakeup costs goes into the turn's service time.
    MqttServiceConfig c = TenMicrosPerPublish(1);
    c.costs[MqttServiceOp::Wakeup] = 7'000'000; // 7 us
    MqttServiceModel priced(c);
    priced.Enqueue(Item(1, 10));
    std::optional<MqttServiceTurn> turn = priced.Take(Nanos(0));
    ASSERT_TRUE(turn);
    MqttServiceWork work;
    work.Add(MqttServiceOp::PublishQos0);
    MqttServiceModel::AddIo(work, *turn, {});
    EXPECT_EQ(priced.Charge(turn->core, work), microseconds(17));
}

TEST(ServiceModel, AFreeCoreThatJustEndedATurnServesBeforeOneIdleForLonger)
{
    // Core 0 ends its turn at 10 us and sleeps; core 1 ends its own at 20 us with input
    // waiting: core 1's thread takes it, without a wakeup.
    MqttServiceModel m(TenMicrosPerPublish(2));
    m.Enqueue(Item(1, 10));
    m.Enqueue(Item(2, 10));
    std::optional<MqttServiceTurn> a = m.Take(Nanos(0));
    std::optional<MqttServiceTurn> b = m.Take(Nanos(0));
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->core, 0u);
    EXPECT_EQ(b->core, 1u);
    EXPECT_TRUE(a->afterIdle && b->afterIdle);
    m.Complete(0, microseconds(10));
    m.Enqueue(Item(3, 10, microseconds(15)));
    m.Complete(1, microseconds(20));
    std::optional<MqttServiceTurn> next = m.Take(microseconds(20));
    ASSERT_TRUE(next);
    EXPECT_EQ(next->core, 1u);
    EXPECT_FALSE(next->afterIdle);
}

// --- Settings and units ------------------------------------------------------------------------

TEST(ServiceSettings, KeysSetTheServiceModel)
{
    MqttBrokerProfile p = MqttBrokerProfile::Standard311();
    EXPECT_EQ(p.service.cores, 0u); // off unless a study sets it
    EXPECT_EQ(p.service.inputLimit, 4u << 20);
    EXPECT_FALSE(MqttBrokerSettings::Apply(&p, "service-cores", "2"));
    EXPECT_FALSE(MqttBrokerSettings::Apply(&p, "service-input-limit", "64KiB"));
    EXPECT_FALSE(MqttBrokerSettings::Apply(&p, "service-cost-publish-qos1", "3.5us"));
    EXPECT_FALSE(MqttBrokerSettings::Apply(&p, "service-cost-byte-in", "0.4ns"));
    EXPECT_EQ(p.service.cores, 2u);
    EXPECT_EQ(p.service.inputLimit, 65536u);
    EXPECT_EQ(p.service.costs[MqttServiceOp::PublishQos1], 3'500'000u);
    EXPECT_EQ(p.service.costs[MqttServiceOp::ByteIn], 400u);
    const MqttBrokerSetting* cost = MqttBrokerSettings::Find("service-cost-publish-qos1");
    ASSERT_NE(cost, nullptr);
    EXPECT_EQ(cost->format(p), "3500ns");
    EXPECT_EQ(MqttBrokerSettings::Find("service-cost-byte-in")->format(p), "0.4ns");
    EXPECT_EQ(MqttBrokerSettings::Find("service-input-limit")->format(p), "64KiB");
    EXPECT_EQ(p.service.writePer, MqttServiceWritePer::Turn);
    EXPECT_EQ(MqttBrokerSettings::Find("service-write-per")->format(p), "turn");
    EXPECT_FALSE(MqttBrokerSettings::Apply(&p, "service-write-per", "packet"));
    EXPECT_EQ(p.service.writePer, MqttServiceWritePer::Packet);
    EXPECT_EQ(MqttBrokerSettings::Find("service-write-per")->format(p), "packet");
    for (const std::string& name : MqttServiceOpNames())
    {
        EXPECT_NE(MqttBrokerSettings::Find("service-cost-" + name), nullptr) << name;
    }
    for (const std::string& name : MqttBrokerProfile::Names())
    {
        EXPECT_EQ(MqttBrokerProfile::ByName(name)->service.cores, 0u) << name;
    }
}

TEST(ServiceSettings, BadValuesSayWhatIsExpected)
{
    MqttBrokerProfile p;
    auto error = [&p](const std::string& key, const std::string& value)
    {
        std::optional<MqttSettingError> e = MqttBrokerSettings::Apply(&p, key, value);
        return e ? e->ToString() : std::string("(no error)");
    };
    EXPECT_EQ(error("service-cores", "5000"),
              "broker setting 'service-cores': expected an integer from 0 to 4096, got '5000'");
    EXPECT_EQ(error("service-input-limit", "4MB"),
              "broker setting 'service-input-limit': expected a size like 4MiB or 65536, got "
              "'4MB'");
    EXPECT_EQ(error("service-cost-connect", "-1us"),
              "broker setting 'service-cost-connect': expected a CPU time like 3.5us or 0.4ns, "
              "got '-1us'");
    EXPECT_EQ(p.service.costs[MqttServiceOp::Connect], 0u);
    EXPECT_EQ(error("service-write-per", "both"),
              "broker setting 'service-write-per': expected one of turn, packet, got 'both'");
}

TEST(ServiceUnits, CpuCostsAndSizesReadAndPrintBack)
{
    EXPECT_EQ(ParseCpuCost("3.5us"), 3'500'000u);
    EXPECT_EQ(ParseCpuCost("0.4ns"), 400u);
    EXPECT_EQ(ParseCpuCost("0"), 0u);
    EXPECT_EQ(ParseCpuCost("0s"), 0u);
    EXPECT_EQ(ParseCpuCost("1.25ms"), 1'250'000'000u);
    EXPECT_FALSE(ParseCpuCost("3.5"));
    EXPECT_FALSE(ParseCpuCost("2h"));
    EXPECT_FALSE(ParseCpuCost("us"));
    EXPECT_EQ(FormatCpuCost(0), "0s");
    EXPECT_EQ(FormatCpuCost(400), "0.4ns");
    EXPECT_EQ(FormatCpuCost(12'345), "12.345ns");
    EXPECT_EQ(FormatCpuCost(2'000'000), "2us");
    for (const char* text : {"3.5us", "0.4ns", "12.345ns", "7ms"})
    {
        EXPECT_EQ(ParseCpuCost(FormatCpuCost(*ParseCpuCost(text))), ParseCpuCost(text)) << text;
    }
    EXPECT_EQ(ParseByteSize("4MiB"), 4u << 20);
    EXPECT_EQ(ParseByteSize("65536"), 65536u);
    EXPECT_EQ(ParseByteSize("100B"), 100u);
    EXPECT_EQ(ParseByteSize("1GiB"), 1u << 30);
    EXPECT_FALSE(ParseByteSize("1.5MiB"));
    EXPECT_FALSE(ParseByteSize("4MB"));
    EXPECT_FALSE(ParseByteSize(""));
    EXPECT_EQ(FormatByteSize(4u << 20), "4MiB");
    EXPECT_EQ(FormatByteSize(1000), "1000B");
    EXPECT_EQ(FormatByteSize(0), "0B");
}
