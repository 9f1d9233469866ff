/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker engine in memory, no network: messages routed per second for fan-in (1000
 * publishers -> 1 subscriber) and fan-out (1 publisher -> 1000 subscribers) at QoS 0 and QoS 1
 * (QoS 1 includes the subscribers' PUBACKs, fed back from the MessageSent events), and the
 * memory an idle persistent session with 5 subscriptions costs (mallinfo2 difference over 10k
 * sessions, topic tree included).
 */
#include "mqtt-broker-engine.h"
#include "mqtt-codec.h"

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <string>
#include <vector>

using namespace ns3::mqtt;

namespace
{

constexpr int CLIENTS = 1000;

std::vector<uint8_t>
Encoded(const Packet& p)
{
    std::vector<uint8_t> out;
    Encode(p, out);
    return out;
}

void
Feed(MqttBrokerEngine& engine, ConnectionId c, const std::vector<uint8_t>& bytes, MqttActions& out)
{
    engine.OnBytes(c, bytes.data(), bytes.size(), Nanos(0), out);
}

void
Connect(
    MqttBrokerEngine& engine, ConnectionId c, const std::string& id, bool clean, MqttActions& out)
{
    ConnectPacket p;
    p.clientId = id;
    p.cleanSession = clean;
    engine.OnConnectionOpened(c, Nanos(0), out);
    Feed(engine, c, Encoded(p), out);
}

void
Subscribe(MqttBrokerEngine& engine,
          ConnectionId c,
          std::vector<TopicRequest> topics,
          MqttActions& out)
{
    SubscribePacket p;
    p.packetId = 1;
    p.topics = std::move(topics);
    Feed(engine, c, Encoded(p), out);
}

/** Feeds a PUBACK for every QoS 1 PUBLISH the actions say was sent; returns deliveries seen. */
std::size_t
AckDeliveries(MqttBrokerEngine& engine, const MqttActions& actions, MqttActions& out)
{
    std::size_t delivered = 0;
    uint8_t puback[4] = {0x40, 0x02, 0, 0};
    for (const MqttAction& a : actions)
    {
        const auto* n = std::get_if<NotifyAction>(&a);
        if (n == nullptr)
        {
            continue;
        }
        if (n->event.type == EventType::MessageSent && n->event.qos == Qos::AtLeastOnce)
        {
            puback[2] = static_cast<uint8_t>(n->event.packetId >> 8);
            puback[3] = static_cast<uint8_t>(n->event.packetId);
            engine.OnBytes(n->event.connection, puback, sizeof(puback), Nanos(0), out);
        }
        if (n->event.type == EventType::MessageDelivered)
        {
            ++delivered;
        }
    }
    return delivered;
}

/** 1000 publishers on "sensors/<i>", one subscriber to "sensors/+". */
void
BM_FanIn(benchmark::State& state)
{
    const Qos qos = static_cast<Qos>(state.range(0));
    MqttBrokerEngine engine;
    MqttActions out;
    Connect(engine, 1, "sink", true, out);
    Subscribe(engine, 1, {{"sensors/+", qos}}, out);
    std::vector<std::vector<uint8_t>> publishes;
    for (int i = 0; i < CLIENTS; ++i)
    {
        Connect(engine, 100 + i, "pub" + std::to_string(i), true, out);
        PublishPacket p;
        p.topic = "sensors/" + std::to_string(i);
        p.qos = qos;
        p.packetId = qos == Qos::AtMostOnce ? 0 : 1;
        p.payload.assign(32, 0x5a);
        publishes.push_back(Encoded(p));
    }
    MqttActions acks;
    std::size_t delivered = 0;
    for (auto _ : state)
    {
        for (int i = 0; i < CLIENTS; ++i)
        {
            out.clear();
            Feed(engine, 100 + i, publishes[i], out);
            if (qos != Qos::AtMostOnce)
            {
                acks.clear();
                delivered += AckDeliveries(engine, out, acks);
                delivered += AckDeliveries(engine, acks, out); // MessageDelivered of the PUBACKs
            }
            else
            {
                delivered += AckDeliveries(engine, out, acks);
            }
        }
    }
    state.SetItemsProcessed(state.iterations() * CLIENTS);
    state.counters["delivered"] =
        benchmark::Counter(static_cast<double>(delivered), benchmark::Counter::kIsRate);
    if (delivered != static_cast<std::size_t>(state.iterations()) * CLIENTS)
    {
        state.SkipWithError("not every message was delivered");
    }
}
BENCHMARK(BM_FanIn)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

/** One publisher on "alerts/all", 1000 subscribers to it. */
void
BM_FanOut(benchmark::State& state)
{
    const Qos qos = static_cast<Qos>(state.range(0));
    MqttBrokerEngine engine;
    MqttActions out;
    Connect(engine, 1, "source", true, out);
    for (int i = 0; i < CLIENTS; ++i)
    {
        Connect(engine, 100 + i, "sub" + std::to_string(i), true, out);
        Subscribe(engine, 100 + i, {{"alerts/all", qos}}, out);
    }
    PublishPacket p;
    p.topic = "alerts/all";
    p.qos = qos;
    p.packetId = qos == Qos::AtMostOnce ? 0 : 1;
    p.payload.assign(32, 0x5a);
    const std::vector<uint8_t> publish = Encoded(p);
    MqttActions acks;
    std::size_t delivered = 0;
    for (auto _ : state)
    {
        out.clear();
        Feed(engine, 1, publish, out);
        acks.clear();
        delivered += AckDeliveries(engine, out, acks);
        if (qos != Qos::AtMostOnce)
        {
            out.clear();
            delivered += AckDeliveries(engine, acks, out);
        }
    }
    // Items are deliveries: one publish reaches 1000 subscribers.
    state.SetItemsProcessed(state.iterations() * CLIENTS);
    state.counters["publishes"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    if (delivered != static_cast<std::size_t>(state.iterations()) * CLIENTS)
    {
        state.SkipWithError("not every message was delivered");
    }
}
BENCHMARK(BM_FanOut)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

/**
 * Heap bytes per idle persistent session with 5 subscriptions (3 filters of its own, 2 shared
 * with every session), measured as the mallinfo2() difference over 10k sessions created and
 * disconnected. The target is at most 2 KiB.
 */
void
BM_IdleSessionMemory(benchmark::State& state)
{
    constexpr int SESSIONS = 10000;
    double perSession = 0;
    for (auto _ : state)
    {
        state.PauseTiming();
        auto engine = std::make_unique<MqttBrokerEngine>();
        MqttActions out;
        out.reserve(64);
        malloc_trim(0);
        const std::size_t before = mallinfo2().uordblks;
        state.ResumeTiming();
        for (int i = 0; i < SESSIONS; ++i)
        {
            const std::string id = "device-" + std::to_string(100000 + i);
            const ConnectionId c = 1 + static_cast<ConnectionId>(i);
            Connect(*engine, c, id, false, out);
            Subscribe(*engine,
                      c,
                      {{"devices/" + id + "/cmd", Qos::AtLeastOnce},
                       {"devices/" + id + "/config", Qos::AtLeastOnce},
                       {"devices/" + id + "/ota/#", Qos::AtMostOnce},
                       {"fleet/broadcast", Qos::AtMostOnce},
                       {"fleet/+/status", Qos::AtMostOnce}},
                      out);
            uint8_t disconnect[2] = {0xe0, 0x00};
            engine->OnBytes(c, disconnect, 2, Nanos(0), out);
            out.clear();
        }
        state.PauseTiming();
        const std::size_t after = mallinfo2().uordblks;
        perSession = static_cast<double>(after - before) / SESSIONS;
        if (engine->SessionCount() != SESSIONS || engine->ConnectionCount() != 0)
        {
            state.SkipWithError("sessions were not kept");
        }
        engine.reset();
        state.ResumeTiming();
    }
    state.counters["bytes_per_session"] = perSession;
    state.SetItemsProcessed(state.iterations() * SESSIONS);
}
BENCHMARK(BM_IdleSessionMemory)->Iterations(3)->Unit(benchmark::kMillisecond);

} // namespace
