/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * service-read-per packet (doc/capacity.md, "Service model"): a turn takes at most one whole
 * packet from each connection that has one, as mosquitto 2.0's loop takes one packet per ready
 * connection per iteration, and charges a `read` per packet read; a packet that arrives in
 * pieces is read as it comes and charged once, by the read that completes it; each connection's
 * bytes are served in order. Against read-per turn, where one read takes up to 64 KiB.
 */
#include "mqtt-broker-profile.h"
#include "mqtt-broker-settings.h"
#include "mqtt-codec.h"
#include "mqtt-service-model.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using namespace ns3::mqtt;

namespace
{

using Bytes = std::vector<uint8_t>;

/** A PUBLISH of @p size bytes in all (at least 3), its payload bytes all @p fill. */
Bytes
Publish(std::size_t size, uint8_t fill)
{
    for (std::size_t lengthBytes = 1; lengthBytes <= 4; ++lengthBytes)
    {
        uint8_t header[4];
        const std::size_t length = size - 1 - lengthBytes;
        if (EncodeRemainingLength(static_cast<uint32_t>(length), header) == lengthBytes)
        {
            Bytes p{0x30};
            p.insert(p.end(), header, header + lengthBytes);
            p.resize(size, fill);
            return p;
        }
    }
    ADD_FAILURE() << "no PUBLISH of " << size << " bytes";
    return {};
}

/** A PUBACK of packet id @p id. */
Bytes
Puback(uint8_t id)
{
    return {0x40, 0x02, 0x00, id};
}

Bytes
Join(const std::vector<Bytes>& packets)
{
    Bytes all;
    for (const Bytes& p : packets)
    {
        all.insert(all.end(), p.begin(), p.end());
    }
    return all;
}

MqttServiceItem
BytesOf(ConnectionId c, Bytes bytes)
{
    MqttServiceItem item;
    item.connection = c;
    item.bytes = std::move(bytes);
    return item;
}

MqttServiceConfig
OneCore(MqttServiceReadPer readPer)
{
    MqttServiceConfig c;
    c.cores = 1;
    c.inputLimit = 0;
    c.readPer = readPer;
    return c;
}

/** A turn's reads: (connection, bytes read, whether a part of a packet). */
using Reads = std::vector<std::tuple<ConnectionId, Bytes, bool>>;

/** The next turn at time 0, completed at once: its reads and the `read` and bytes it costs. */
Reads
NextTurn(MqttServiceModel& m, MqttServiceWork* io = nullptr)
{
    Reads reads;
    std::optional<MqttServiceTurn> turn = m.Take(Nanos(0));
    if (!turn)
    {
        return reads;
    }
    for (const MqttServiceItem& r : turn->reads)
    {
        reads.emplace_back(r.connection, r.bytes, r.partialPacket);
    }
    if (io)
    {
        MqttServiceModel::AddIo(*io, *turn, MqttActions{});
    }
    m.Complete(turn->core, Nanos(0));
    return reads;
}

} // namespace

TEST(ServiceReadPer, ATurnTakesOnePacketFromEachConnectionThatHasOne)
{
    // Connection 1 queued three PUBLISHes in one piece, 2 one, 3 two (in two pieces).
    const Bytes a = Publish(10, 'a'), b = Publish(20, 'b'), c = Publish(30, 'c');
    const Bytes d = Publish(5, 'd'), e = Publish(7, 'e'), f = Publish(200, 'f');
    MqttServiceModel m(OneCore(MqttServiceReadPer::Packet));
    m.Enqueue(BytesOf(1, Join({a, b, c})));
    m.Enqueue(BytesOf(2, d));
    m.Enqueue(BytesOf(3, e));
    m.Enqueue(BytesOf(3, f));
    EXPECT_EQ(m.QueuedItems(), 4u);
    MqttServiceWork io;
    EXPECT_EQ(NextTurn(m, &io), (Reads{{1, a, false}, {2, d, false}, {3, e, false}}));
    EXPECT_EQ(io.Of(MqttServiceOp::Read), 3u);
    EXPECT_EQ(io.Of(MqttServiceOp::ByteIn), 10u + 5 + 7);
    EXPECT_EQ(io.Of(MqttServiceOp::Wait), 1u);
    EXPECT_EQ(m.QueuedBytes(), 20u + 30 + 200);
    EXPECT_EQ(m.QueuedItems(), 2u); // connection 1's piece, partly read, and 3's second
    EXPECT_EQ(NextTurn(m, &io), (Reads{{1, b, false}, {3, f, false}}));
    EXPECT_EQ(NextTurn(m, &io), (Reads{{1, c, false}}));
    EXPECT_EQ(NextTurn(m, &io), Reads{});
    EXPECT_EQ(io.Of(MqttServiceOp::Read), 6u); // one per packet
    EXPECT_EQ(io.Of(MqttServiceOp::ByteIn), 272u);
    EXPECT_EQ(io.Of(MqttServiceOp::Wait), 3u);
    EXPECT_TRUE(m.Idle());
    EXPECT_EQ(m.ConnectionCount(), 0u);
    EXPECT_EQ(m.CompletedItems(), 6u);
    EXPECT_EQ(m.CompletedTurns(), 3u);

    // Read-per turn: one turn reads everything, a read per connection.
    MqttServiceModel t(OneCore(MqttServiceReadPer::Turn));
    t.Enqueue(BytesOf(1, Join({a, b, c})));
    t.Enqueue(BytesOf(2, d));
    t.Enqueue(BytesOf(3, e));
    t.Enqueue(BytesOf(3, f));
    MqttServiceWork once;
    EXPECT_EQ(NextTurn(t, &once),
              (Reads{{1, Join({a, b, c}), false}, {2, d, false}, {3, Join({e, f}), false}}));
    EXPECT_EQ(once.Of(MqttServiceOp::Read), 3u);
    EXPECT_EQ(once.Of(MqttServiceOp::ByteIn), 272u);
    EXPECT_EQ(once.Of(MqttServiceOp::Wait), 1u);
}

TEST(ServiceReadPer, PublishersFanningInTakeATurnEachForEverySubscriberAck)
{
    // The turn structure behind mosquitto's QoS 1 stall under fan-in overload
    // (../shared/bench/mqtt-loadgen/README.md, note 2): 16 publishers have 10 PUBLISHes each
    // waiting and the subscriber 10 PUBACKs (one segment). One packet per connection per turn:
    // each turn reads 16 PUBLISHes and one PUBACK, so the subscriber's window opens by one
    // message per 16 that come in; its 10th PUBACK is read in the 10th turn, after all 160.
    // Read-per turn reads all 170 packets in one turn (a read of each connection).
    MqttServiceModel m(OneCore(MqttServiceReadPer::Packet));
    std::vector<Bytes> acks;
    for (uint8_t id = 1; id <= 10; ++id)
    {
        acks.push_back(Puback(id));
    }
    for (ConnectionId pub = 1; pub <= 16; ++pub)
    {
        std::vector<Bytes> publishes;
        for (uint8_t k = 0; k < 10; ++k)
        {
            publishes.push_back(Publish(12, static_cast<uint8_t>(pub * 16 + k)));
        }
        m.Enqueue(BytesOf(pub, Join(publishes)));
    }
    m.Enqueue(BytesOf(100, Join(acks)));
    MqttServiceWork io;
    for (uint8_t k = 0; k < 10; ++k)
    {
        Reads expected;
        for (ConnectionId pub = 1; pub <= 16; ++pub)
        {
            expected.emplace_back(pub, Publish(12, static_cast<uint8_t>(pub * 16 + k)), false);
        }
        expected.emplace_back(100, Puback(static_cast<uint8_t>(k + 1)), false);
        EXPECT_EQ(NextTurn(m, &io), expected) << "turn " << int(k);
    }
    EXPECT_TRUE(m.Idle());
    EXPECT_EQ(io.Of(MqttServiceOp::Read), 170u);
    EXPECT_EQ(io.Of(MqttServiceOp::Wait), 10u);

    MqttServiceModel t(OneCore(MqttServiceReadPer::Turn));
    for (ConnectionId pub = 1; pub <= 16; ++pub)
    {
        t.Enqueue(BytesOf(pub, Bytes(120, 0x30))); // the bytes matter not to read-per turn
    }
    t.Enqueue(BytesOf(100, Join(acks)));
    MqttServiceWork once;
    const Reads all = NextTurn(t, &once);
    ASSERT_EQ(all.size(), 17u);
    EXPECT_EQ(std::get<1>(all.back()), Join(acks));
    EXPECT_EQ(once.Of(MqttServiceOp::Read), 17u);
    EXPECT_EQ(once.Of(MqttServiceOp::Wait), 1u);
    EXPECT_TRUE(t.Idle());
}

TEST(ServiceReadPer, APacketInPiecesIsReadAsItComesAndChargedOnce)
{
    // A PUBLISH of 200 bytes (Remaining Length in two bytes, 0xC5 0x01) arrives in three pieces
    // cut inside its Remaining Length and its payload; the third piece also holds a PINGREQ.
    const Bytes big = Publish(200, 'x');
    ASSERT_EQ(big[1], 0xC5);
    const Bytes ping{0xC0, 0x00};
    MqttServiceModel m(OneCore(MqttServiceReadPer::Packet));
    m.Enqueue(BytesOf(7, Bytes(big.begin(), big.begin() + 2)));
    MqttServiceWork io;
    EXPECT_EQ(NextTurn(m, &io), (Reads{{7, Bytes(big.begin(), big.begin() + 2), true}}));
    EXPECT_EQ(io.Of(MqttServiceOp::Read), 0u); // a part: no read yet
    EXPECT_EQ(io.Of(MqttServiceOp::ByteIn), 2u);
    EXPECT_TRUE(m.Idle());
    EXPECT_EQ(m.ConnectionCount(), 1u); // where the packet ends is still to be found
    m.Enqueue(BytesOf(7, Bytes(big.begin() + 2, big.begin() + 150)));
    EXPECT_EQ(NextTurn(m, &io), (Reads{{7, Bytes(big.begin() + 2, big.begin() + 150), true}}));
    EXPECT_EQ(io.Of(MqttServiceOp::Read), 0u);
    Bytes rest(big.begin() + 150, big.end());
    rest.insert(rest.end(), ping.begin(), ping.end());
    m.Enqueue(BytesOf(7, rest));
    EXPECT_EQ(NextTurn(m, &io), (Reads{{7, Bytes(big.begin() + 150, big.end()), false}}));
    EXPECT_EQ(io.Of(MqttServiceOp::Read), 1u); // the read that completed it
    EXPECT_EQ(NextTurn(m, &io), (Reads{{7, ping, false}}));
    EXPECT_EQ(io.Of(MqttServiceOp::Read), 2u);
    EXPECT_EQ(io.Of(MqttServiceOp::ByteIn), 202u);
    EXPECT_EQ(io.Of(MqttServiceOp::Wait), 4u);
    EXPECT_TRUE(m.Idle());
    EXPECT_EQ(m.ConnectionCount(), 0u);
}

TEST(ServiceReadPer, AcceptsClosesAndAnUncuttableStreamKeepTheirOrder)
{
    // Opened, two packets, Closed: four turns, two reads.
    MqttServiceModel m(OneCore(MqttServiceReadPer::Packet));
    MqttServiceItem opened;
    opened.connection = 3;
    opened.kind = MqttServiceItemKind::Opened;
    MqttServiceItem closed = opened;
    closed.kind = MqttServiceItemKind::Closed;
    const Bytes p = Publish(9, 'p'), q = Publish(4, 'q');
    m.Enqueue(opened);
    m.Enqueue(BytesOf(3, Join({p, q})));
    m.Enqueue(closed);
    MqttServiceWork io;
    EXPECT_EQ(NextTurn(m, &io), (Reads{{3, {}, false}}));
    EXPECT_EQ(NextTurn(m, &io), (Reads{{3, p, false}}));
    EXPECT_EQ(NextTurn(m, &io), (Reads{{3, q, false}}));
    EXPECT_EQ(NextTurn(m, &io), (Reads{{3, {}, false}}));
    EXPECT_EQ(io.Of(MqttServiceOp::Read), 2u);
    EXPECT_EQ(m.ConnectionCount(), 0u);

    // A Remaining Length of five bytes is malformed: from there the stream cannot be cut, and
    // what comes is handed over as it is (no read charged: the engine closes the connection on
    // it), until the close.
    const Bytes bad{0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00};
    m.Enqueue(BytesOf(4, Join({q, bad})));
    m.Enqueue(BytesOf(4, Bytes{1, 2, 3}));
    EXPECT_EQ(NextTurn(m, &io), (Reads{{4, q, false}}));
    EXPECT_EQ(NextTurn(m, &io), (Reads{{4, Join({bad, Bytes{1, 2, 3}}), true}}));
    EXPECT_EQ(io.Of(MqttServiceOp::Read), 3u);
    EXPECT_EQ(m.ConnectionCount(), 1u);
    closed.connection = 4;
    m.Enqueue(closed);
    EXPECT_EQ(NextTurn(m, &io), (Reads{{4, {}, false}}));
    EXPECT_EQ(m.ConnectionCount(), 0u);

    // A part-read packet of a connection the engine closed (Forget) is not remembered.
    m.Enqueue(BytesOf(5, Bytes(p.begin(), p.begin() + 4)));
    EXPECT_EQ(NextTurn(m, &io), (Reads{{5, Bytes(p.begin(), p.begin() + 4), true}}));
    EXPECT_EQ(m.ConnectionCount(), 1u);
    m.Forget(5);
    EXPECT_EQ(m.ConnectionCount(), 0u);
    m.Enqueue(BytesOf(6, Bytes(p.begin(), p.begin() + 4)));
    std::optional<MqttServiceTurn> turn = m.Take(Nanos(0));
    ASSERT_TRUE(turn);
    m.Forget(6); // in service: it goes when the turn completes
    EXPECT_EQ(m.ConnectionCount(), 1u);
    m.Complete(turn->core, Nanos(0));
    EXPECT_EQ(m.ConnectionCount(), 0u);
}

TEST(ServiceReadPer, TheSettingChoosesTurnOrPacket)
{
    MqttBrokerProfile p;
    EXPECT_EQ(p.service.readPer, MqttServiceReadPer::Turn);
    const MqttBrokerSetting* s = MqttBrokerSettings::Find("service-read-per");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->format(p), "turn");
    EXPECT_FALSE(MqttBrokerSettings::Apply(&p, "service-read-per", "packet"));
    EXPECT_EQ(p.service.readPer, MqttServiceReadPer::Packet);
    EXPECT_EQ(s->format(p), "packet");
    std::optional<MqttSettingError> e = MqttBrokerSettings::Apply(&p, "service-read-per", "call");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->ToString(),
              "broker setting 'service-read-per': expected one of turn, packet, got 'call'");
    EXPECT_EQ(p.service.readPer, MqttServiceReadPer::Packet);
}
