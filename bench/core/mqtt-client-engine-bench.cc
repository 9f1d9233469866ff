/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Client engine throughput: own publishes at QoS 0/1/2 through to completion (the broker's acks
 * fed back as bytes), inbound QoS 1 publishes (delivery event and PUBACK), and a persistent
 * session re-sending a full window after a reconnect.
 */
#include "mqtt-client-engine.h"

#include <benchmark/benchmark.h>

#include <vector>

using namespace ns3::mqtt;

namespace
{

const std::string TOPIC = "site/building-7/floor-3/room-12/temperature";

MqttClientConfig
BenchConfig(bool cleanSession = true, uint16_t maxInflight = 20)
{
    MqttClientConfig config;
    config.clientId = "bench-client";
    config.cleanSession = cleanSession;
    config.maxInflight = maxInflight;
    return config;
}

void
Establish(MqttClientEngine& engine, MqttActions& out)
{
    engine.Connect(Nanos{0}, out);
    engine.OnTransportConnected(Nanos{0}, out);
    const uint8_t connack[] = {0x20, 0x02, 0x00, 0x00};
    engine.OnBytes(connack, sizeof(connack), Nanos{0}, out);
    out.clear();
}

/** Publish at @p qos, then feed the broker's acks, until the message is complete. */
void
PublishRoundTrip(benchmark::State& state, Qos qos)
{
    MqttClientEngine engine(BenchConfig());
    MqttActions out;
    Establish(engine, out);
    std::vector<uint8_t> payload(static_cast<std::size_t>(state.range(0)), 0x42);
    Nanos now{0};
    uint8_t ack[4] = {0x00, 0x02, 0x00, 0x00};
    for (auto _ : state)
    {
        out.clear();
        now += Nanos(1000);
        engine.Publish(TOPIC, payload, qos, false, now, out);
        if (qos == Qos::AtMostOnce)
        {
            continue;
        }
        // The id is in the PUBLISH just sent: after the topic.
        const auto& bytes = std::get<SendAction>(out[0]).bytes;
        std::size_t idAt = bytes.size() - payload.size() - 2;
        ack[2] = bytes[idAt];
        ack[3] = bytes[idAt + 1];
        if (qos == Qos::AtLeastOnce)
        {
            ack[0] = 0x40;
            engine.OnBytes(ack, 4, now, out);
        }
        else
        {
            ack[0] = 0x50;
            engine.OnBytes(ack, 4, now, out);
            ack[0] = 0x70;
            engine.OnBytes(ack, 4, now, out);
        }
    }
    if (engine.PendingPublishes() != 0)
    {
        state.SkipWithError("publishes left pending");
    }
    state.SetItemsProcessed(state.iterations());
}

void
BM_ClientPublishQos0(benchmark::State& state)
{
    PublishRoundTrip(state, Qos::AtMostOnce);
}

void
BM_ClientPublishQos1(benchmark::State& state)
{
    PublishRoundTrip(state, Qos::AtLeastOnce);
}

void
BM_ClientPublishQos2(benchmark::State& state)
{
    PublishRoundTrip(state, Qos::ExactlyOnce);
}

/** Inbound QoS 1 PUBLISH packets, many per OnBytes call as TCP would deliver them. */
void
BM_ClientReceiveQos1(benchmark::State& state)
{
    MqttClientEngine engine(BenchConfig());
    MqttActions out;
    Establish(engine, out);
    constexpr int BATCH = 16;
    std::vector<uint8_t> stream;
    for (int i = 0; i < BATCH; ++i)
    {
        std::vector<uint8_t> p = {0x32, 0, 0, static_cast<uint8_t>(TOPIC.size())};
        p.insert(p.end(), TOPIC.begin(), TOPIC.end());
        p.push_back(0);
        p.push_back(static_cast<uint8_t>(i + 1));
        p.insert(p.end(), 64, 0x42);
        p[1] = static_cast<uint8_t>(p.size() - 2);
        stream.insert(stream.end(), p.begin(), p.end());
    }
    Nanos now{0};
    for (auto _ : state)
    {
        out.clear();
        now += Nanos(1000);
        engine.OnBytes(stream.data(), stream.size(), now, out);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(state.iterations() * BATCH);
}

/** A persistent session with a full window of QoS 1 messages re-sent after each reconnect. */
void
BM_ClientResendWindow(benchmark::State& state)
{
    auto window = static_cast<uint16_t>(state.range(0));
    MqttClientEngine engine(BenchConfig(false, window));
    MqttActions out;
    Establish(engine, out);
    std::vector<uint8_t> payload(64, 0x42);
    for (uint16_t i = 0; i < window; ++i)
    {
        engine.Publish(TOPIC, payload, Qos::AtLeastOnce, false, Nanos{0}, out);
    }
    const uint8_t connack[] = {0x20, 0x02, 0x01, 0x00};
    Nanos now{0};
    for (auto _ : state)
    {
        out.clear();
        now += std::chrono::seconds(100);
        engine.OnTransportClosed(now, out);
        engine.OnTimer(MqttClientEngine::RECONNECT_TIMER, now + std::chrono::seconds(2), out);
        engine.OnTransportConnected(now, out);
        engine.OnBytes(connack, sizeof(connack), now, out);
    }
    state.SetItemsProcessed(state.iterations() * window);
}

} // namespace

BENCHMARK(BM_ClientPublishQos0)->Arg(64)->Arg(1024);
BENCHMARK(BM_ClientPublishQos1)->Arg(64)->Arg(1024);
BENCHMARK(BM_ClientPublishQos2)->Arg(64);
BENCHMARK(BM_ClientReceiveQos1);
BENCHMARK(BM_ClientResendWindow)->Arg(20)->Arg(1000);
