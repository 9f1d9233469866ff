/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Codec throughput: decode and encode of PUBLISH (64 B and 1 KiB payloads), in 3.1.1 and in 5.0
 * with properties, and of a CONNECT with a will and credentials, and the frame reader on a stream
 * cut into TCP-sized segments. The 5.0 figures read beside the 3.1.1 ones of the same run.
 */
#include "mqtt-codec.h"
#include "mqtt-frame-reader.h"

#include <benchmark/benchmark.h>

#include <vector>

using namespace ns3::mqtt;

namespace
{

PublishPacket
MakePublish(std::size_t payloadSize)
{
    PublishPacket p;
    p.qos = Qos::AtLeastOnce;
    p.packetId = 4711;
    p.topic = "site/building-7/floor-3/room-12/temperature";
    p.payload.assign(payloadSize, 0x42);
    return p;
}

/**
 * The same PUBLISH as a 5.0 device would send it: a payload format, a message expiry, a content
 * type, a correlation id and two user properties (73 bytes of properties).
 */
PublishPacket
MakePublish5(std::size_t payloadSize)
{
    PublishPacket p = MakePublish(payloadSize);
    p.properties.AddNumber(PropertyId::PayloadFormatIndicator, 1)
        .AddNumber(PropertyId::MessageExpiryInterval, 3600)
        .AddText(PropertyId::ContentType, "application/json")
        .AddBinary(PropertyId::CorrelationData, std::vector<uint8_t>(8, 0x11))
        .AddUserProperty("device", "sensor-000123")
        .AddUserProperty("fw", "1.4.2");
    return p;
}

ConnectPacket
MakeConnect()
{
    ConnectPacket c;
    c.cleanSession = false;
    c.keepAliveSeconds = 60;
    c.clientId = "sensor-000123-building-7";
    c.will = Will{"site/building-7/sensor-000123/status",
                  {'o', 'f', 'f', 'l', 'i', 'n', 'e'},
                  Qos::AtLeastOnce,
                  true};
    c.userName = "device-user-000123";
    c.password = std::vector<uint8_t>(32, 0x5A);
    return c;
}

void
DecodeLoop(benchmark::State& state,
           const Packet& packet,
           ProtocolVersion version = ProtocolVersion::Mqtt311)
{
    std::vector<uint8_t> wire;
    Encode(packet, wire, version);
    Packet out;
    for (auto _ : state)
    {
        DecodeResult r = Decode(wire.data(), wire.size(), out, MAX_PACKET_SIZE, version);
        benchmark::DoNotOptimize(r);
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(wire.size()));
}

void
EncodeLoop(benchmark::State& state,
           const Packet& packet,
           ProtocolVersion version = ProtocolVersion::Mqtt311)
{
    std::vector<uint8_t> out;
    out.reserve(EncodedSize(packet, version));
    for (auto _ : state)
    {
        out.clear(); // keeps the capacity, as a connection's send buffer would
        Encode(packet, out, version);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}

void
BM_DecodePublish(benchmark::State& state)
{
    DecodeLoop(state, MakePublish(static_cast<std::size_t>(state.range(0))));
}

void
BM_EncodePublish(benchmark::State& state)
{
    EncodeLoop(state, MakePublish(static_cast<std::size_t>(state.range(0))));
}

/** The broker's fan-out path: a stored message written without building a PublishPacket. */
void
BM_EncodePublishFromStore(benchmark::State& state)
{
    PublishPacket p = MakePublish(static_cast<std::size_t>(state.range(0)));
    std::vector<uint8_t> out;
    out.reserve(EncodedSize(p));
    for (auto _ : state)
    {
        out.clear();
        EncodePublish(
            false, p.qos, false, p.topic, p.packetId, p.payload.data(), p.payload.size(), out);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}

void
BM_DecodePublish5(benchmark::State& state)
{
    DecodeLoop(
        state, MakePublish5(static_cast<std::size_t>(state.range(0))), ProtocolVersion::Mqtt5);
}

void
BM_EncodePublish5(benchmark::State& state)
{
    EncodeLoop(
        state, MakePublish5(static_cast<std::size_t>(state.range(0))), ProtocolVersion::Mqtt5);
}

/** The 5.0 fan-out path: a stored message and its properties, without a PublishPacket. */
void
BM_EncodePublish5FromStore(benchmark::State& state)
{
    PublishPacket p = MakePublish5(static_cast<std::size_t>(state.range(0)));
    std::vector<uint8_t> out;
    out.reserve(EncodedSize(p, ProtocolVersion::Mqtt5));
    for (auto _ : state)
    {
        out.clear();
        EncodePublish5(false,
                       p.qos,
                       false,
                       p.topic,
                       p.packetId,
                       p.properties,
                       p.payload.data(),
                       p.payload.size(),
                       out);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}

void
BM_DecodeConnect(benchmark::State& state)
{
    DecodeLoop(state, MakeConnect());
}

void
BM_EncodeConnect(benchmark::State& state)
{
    EncodeLoop(state, MakeConnect());
}

/** 1000 PUBLISH packets arriving in 1460-byte segments (a TCP MSS), decoded by the reader. */
void
BM_FrameReaderPublish(benchmark::State& state)
{
    const std::size_t packets = 1000;
    std::vector<uint8_t> stream;
    PublishPacket p = MakePublish(static_cast<std::size_t>(state.range(0)));
    for (std::size_t i = 0; i < packets; ++i)
    {
        Encode(p, stream);
    }
    const std::size_t mss = 1460;
    MqttFrameReader reader;
    Packet out;
    for (auto _ : state)
    {
        std::size_t n = 0;
        for (std::size_t pos = 0; pos < stream.size(); pos += mss)
        {
            reader.Append(stream.data() + pos, std::min(mss, stream.size() - pos));
            while (reader.Next(out).status == DecodeStatus::Complete)
            {
                ++n;
            }
        }
        if (n != packets)
        {
            state.SkipWithError("frame reader lost packets");
            break;
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(packets));
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(stream.size()));
}

} // namespace

BENCHMARK(BM_DecodePublish)->Arg(64)->Arg(1024);
BENCHMARK(BM_EncodePublish)->Arg(64)->Arg(1024);
BENCHMARK(BM_EncodePublishFromStore)->Arg(64)->Arg(1024);
BENCHMARK(BM_DecodePublish5)->Arg(64)->Arg(1024);
BENCHMARK(BM_EncodePublish5)->Arg(64)->Arg(1024);
BENCHMARK(BM_EncodePublish5FromStore)->Arg(64)->Arg(1024);
BENCHMARK(BM_DecodeConnect);
BENCHMARK(BM_EncodeConnect);
BENCHMARK(BM_FrameReaderPublish)->Arg(64)->Arg(1024);
