/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker service model (doc/capacity.md, "Service model"): queueing on one and two cores,
 * the order of one connection's input, the cost of each operation, the input bound's pause and
 * resume, and that one script gives one schedule. Also what the engine counts for its work.
 */
#include "mqtt-broker-settings.h"
#include "mqtt-broker-test-harness.h"
#include "mqtt-service-model.h"
#include "mqtt-units.h"

#include <gtest/gtest.h>

#include <algorithm>
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

/** Takes what the cores take at @p now, charging one publish each: (connection, done) pairs. */
std::vector<std::pair<ConnectionId, Nanos>>
TakeAll(MqttServiceModel& m, Nanos now)
{
    std::vector<std::pair<ConnectionId, Nanos>> started;
    while (auto item = m.Take(now))
    {
        started.emplace_back(item->connection, m.Charge(item->connection, Publishes(1)));
    }
    return started;
}

using Started = std::vector<std::pair<ConnectionId, Nanos>>;

} // namespace

TEST(ServiceModel, OneCoreServesInArrivalOrder)
{
    MqttServiceModel m(TenMicrosPerPublish(1));
    m.Enqueue(Item(1, 10));
    m.Enqueue(Item(2, 10));
    m.Enqueue(Item(3, 10));
    EXPECT_EQ(TakeAll(m, Nanos(0)), (Started{{1, microseconds(10)}}));
    EXPECT_EQ(m.QueuedItems(), 2u);
    EXPECT_EQ(m.QueuedBytes(), 20u);
    m.Complete(1, microseconds(10));
    EXPECT_EQ(TakeAll(m, microseconds(10)), (Started{{2, microseconds(20)}}));
    m.Complete(2, microseconds(20));
    EXPECT_EQ(TakeAll(m, microseconds(20)), (Started{{3, microseconds(30)}}));
    m.Complete(3, microseconds(30));
    EXPECT_TRUE(m.Idle());
    EXPECT_EQ(m.CompletedItems(), 3u);
    EXPECT_EQ(m.CompletedWork().Of(MqttServiceOp::PublishQos0), 3u);
    EXPECT_EQ(m.BusyTime(microseconds(40)), microseconds(30));
}

TEST(ServiceModel, TwoCoresServeTwoAtOnce)
{
    MqttServiceModel m(TenMicrosPerPublish(2));
    m.Enqueue(Item(1, 10));
    m.Enqueue(Item(2, 10));
    m.Enqueue(Item(3, 10));
    EXPECT_EQ(TakeAll(m, Nanos(0)), (Started{{1, microseconds(10)}, {2, microseconds(10)}}));
    EXPECT_EQ(m.BusyCores(), 2u);
    // Half-way, both cores have worked 5 us.
    EXPECT_EQ(m.BusyTime(microseconds(5)), microseconds(10));
    m.Complete(1, microseconds(10));
    EXPECT_EQ(TakeAll(m, microseconds(10)), (Started{{3, microseconds(20)}}));
    m.Complete(2, microseconds(10));
    EXPECT_EQ(TakeAll(m, microseconds(10)), Started{});
    EXPECT_EQ(m.BusyCores(), 1u);
    m.Complete(3, microseconds(20));
    EXPECT_EQ(m.BusyTime(microseconds(20)), microseconds(30));
}

TEST(ServiceModel, OneConnectionIsServedInOrderOneItemAtATime)
{
    MqttServiceModel m(TenMicrosPerPublish(3));
    m.Enqueue(Item(1, 2));
    m.Enqueue(Item(1, 3));
    m.Enqueue(Item(2, 4));
    // Connection 1's second item waits for its first although a core is free; 2 overtakes it.
    std::optional<MqttServiceItem> a = m.Take(Nanos(0));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->connection, 1u);
    EXPECT_EQ(a->bytes.size(), 2u);
    m.Charge(1, Publishes(1));
    std::optional<MqttServiceItem> b = m.Take(Nanos(0));
    ASSERT_TRUE(b);
    EXPECT_EQ(b->connection, 2u);
    m.Charge(2, Publishes(1));
    EXPECT_FALSE(m.Take(Nanos(0)));
    EXPECT_EQ(m.BusyCores(), 2u);
    m.Complete(1, microseconds(10));
    std::optional<MqttServiceItem> c = m.Take(microseconds(10));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->connection, 1u);
    EXPECT_EQ(c->bytes.size(), 3u);
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
        work.count[i] = 2; // each twice: 2 * (1 + ... + 16) ns
    }
    EXPECT_EQ(config.costs.Of(work), 272'000u);
    MqttServiceModel m(config);
    m.Enqueue(Item(7, 0));
    ASSERT_TRUE(m.Take(microseconds(1)));
    EXPECT_EQ(m.Charge(7, work), microseconds(1) + nanoseconds(272));
    // A second charge for the same service adds to it (one item may be charged in parts).
    MqttServiceWork one;
    one.Add(MqttServiceOp::Delivery);
    EXPECT_EQ(m.Charge(7, one), microseconds(1) + nanoseconds(272 + 13));
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
        Nanos done = m.Charge(1, w);
        costs.push_back(done - now);
        m.Complete(1, done);
        now = done;
    }
    // 0.4, 0.8, 1.2, 1.6, 2.0 ns charged in all: whole nanoseconds at 1.2 and 2.0.
    EXPECT_EQ(costs, (std::vector<Nanos>{Nanos(0), Nanos(0), Nanos(1), Nanos(0), Nanos(1)}));
    EXPECT_EQ(now, Nanos(2));
}

TEST(ServiceModel, TheInputBoundPausesAndResumesAtHalf)
{
    MqttServiceModel m(TenMicrosPerPublish(1, 100));
    EXPECT_FALSE(m.Enqueue(Item(1, 60)));
    EXPECT_FALSE(m.Enqueue(Item(2, 40))); // 100 bytes: at the bound, not over it
    EXPECT_TRUE(m.Enqueue(Item(3, 30)));  // 130: over, full
    EXPECT_TRUE(m.InputFull());
    EXPECT_EQ(m.FullCount(), 1u);
    EXPECT_TRUE(m.Enqueue(Item(4, 0))); // still full
    ASSERT_TRUE(m.Take(Nanos(0)));      // 70 wait: above half, still full
    EXPECT_TRUE(m.InputFull());
    m.Charge(1, Publishes(1));
    m.Complete(1, microseconds(10));
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
        std::vector<std::pair<Nanos, ConnectionId>> running;
        Nanos now{0};
        for (int step = 0; step < 200; ++step)
        {
            m.Enqueue(Item(static_cast<ConnectionId>(step * 7 % 5 + 1), 10, now));
            while (auto item = m.Take(now))
            {
                Nanos done = m.Charge(item->connection, Publishes(1 + step % 3));
                running.emplace_back(done, item->connection);
                log.emplace_back(item->connection, done);
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
    EXPECT_GT(first.size(), 100u);
    EXPECT_EQ(first, run());
}

TEST(ServiceModel, BytesAreServedOnePacketAtATime)
{
    MqttServiceModel m(TenMicrosPerPublish(1));
    std::vector<uint8_t> two = Bytes(MakePublish("a", "1"));
    std::vector<uint8_t> more = Bytes(MakePublish("b", "22"));
    two.insert(two.end(), more.begin(), more.end());
    std::vector<uint8_t> third = Bytes(MakePublish("c", "333"));
    two.insert(two.end(), third.begin(), third.begin() + 3); // half of the third
    MqttServiceItem item;
    item.connection = 40;
    item.bytes = two;
    m.Enqueue(item);
    item.bytes.assign(third.begin() + 3, third.end());
    m.Enqueue(item);
    EXPECT_EQ(m.QueuedItems(), 4u);
    std::vector<std::size_t> sizes;
    Nanos now{0};
    while (auto taken = m.Take(now))
    {
        sizes.push_back(taken->bytes.size());
        m.Charge(40, Publishes(0));
        m.Complete(40, now);
    }
    EXPECT_EQ(sizes,
              (std::vector<std::size_t>{Bytes(MakePublish("a", "1")).size(),
                                        Bytes(MakePublish("b", "22")).size(),
                                        3,
                                        third.size() - 3}));
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
    m.Complete(50, Nanos(0));
    EXPECT_EQ(m.ConnectionCount(), 0u); // a whole packet served: nothing to remember

    item.bytes.assign(publish.begin(), publish.begin() + 2); // half a packet
    m.Enqueue(item);
    ASSERT_TRUE(m.Take(Nanos(0)));
    m.Complete(50, Nanos(0));
    EXPECT_EQ(m.ConnectionCount(), 1u); // where the packet ends is remembered
    item.bytes.assign(publish.begin() + 2, publish.end());
    item.bytes.insert(item.bytes.end(), publish.begin(), publish.end());
    m.Enqueue(item);
    EXPECT_EQ(m.QueuedItems(), 2u); // the rest of the first, then the second
    m.Forget(50);
    EXPECT_EQ(m.ConnectionCount(), 1u); // what it queued is still served
    while (m.Take(Nanos(0)))
    {
        m.Complete(50, Nanos(0));
    }
    EXPECT_EQ(m.ConnectionCount(), 0u);

    // Clear() drops what waits and ends what is in service; the statistics stay.
    item.connection = 51;
    m.Enqueue(item);
    m.Enqueue(item);
    ASSERT_TRUE(m.Take(Nanos(0)));
    m.Charge(51, Publishes(1));
    m.Clear(microseconds(4));
    EXPECT_TRUE(m.Idle());
    EXPECT_EQ(m.ConnectionCount(), 0u);
    EXPECT_EQ(m.QueuedBytes(), 0u);
    EXPECT_EQ(m.BusyTime(microseconds(100)), microseconds(4));
    EXPECT_EQ(m.CompletedWork().Of(MqttServiceOp::PublishQos0), 1u);
}

TEST(ServiceModel, AMalformedLengthStopsTheCutting)
{
    // Five length bytes with the continuation bit: malformed; the rest goes to the engine as
    // it comes, whatever it holds.
    MqttServiceModel m(TenMicrosPerPublish(1));
    MqttServiceItem item;
    item.connection = 41;
    item.bytes = FromHex("30 80 80 80 80 01 c0 00 c0 00");
    m.Enqueue(item);
    EXPECT_EQ(m.QueuedItems(), 1u);
    item.bytes = FromHex("c0 00");
    m.Enqueue(item);
    EXPECT_EQ(m.QueuedItems(), 2u);
}

TEST(ServiceModel, AddIoCountsBytesReadAndWritten)
{
    MqttActions out;
    out.emplace_back(SendAction{1, std::vector<uint8_t>(5)});
    out.emplace_back(CloseAction{2, CloseReason::ProtocolError});
    out.emplace_back(SendAction{3, std::vector<uint8_t>(7)});
    MqttServiceWork w;
    MqttServiceModel::AddIo(w, 11, out);
    EXPECT_EQ(w.Of(MqttServiceOp::ByteIn), 11u);
    EXPECT_EQ(w.Of(MqttServiceOp::ByteOut), 12u);
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
