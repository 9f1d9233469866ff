/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-payload-stamp.h"

namespace ns3
{
namespace mqtt
{

namespace
{

void
PutU64(uint8_t* out, uint64_t value)
{
    for (int i = 7; i >= 0; --i)
    {
        out[i] = static_cast<uint8_t>(value & 0xff);
        value >>= 8;
    }
}

uint64_t
GetU64(const uint8_t* in)
{
    uint64_t value = 0;
    for (int i = 0; i < 8; ++i)
    {
        value = (value << 8) | in[i];
    }
    return value;
}

} // namespace

void
MqttPayloadStamp::Encode(uint8_t* out) const
{
    out[0] = MAGIC_0;
    out[1] = MAGIC_1;
    out[2] = VERSION;
    PutU64(out + 3, publisher);
    PutU64(out + 11, sequence);
    PutU64(out + 19, static_cast<uint64_t>(sendTimeNs));
}

std::vector<uint8_t>
MqttPayloadStamp::MakePayload(std::size_t size) const
{
    std::vector<uint8_t> payload(size, FILLER);
    if (size >= SIZE)
    {
        Encode(payload.data());
    }
    return payload;
}

std::optional<MqttPayloadStamp>
MqttPayloadStamp::Decode(const uint8_t* data, std::size_t size)
{
    if (size < SIZE || data[0] != MAGIC_0 || data[1] != MAGIC_1 || data[2] != VERSION)
    {
        return std::nullopt;
    }
    MqttPayloadStamp stamp;
    stamp.publisher = GetU64(data + 3);
    stamp.sequence = GetU64(data + 11);
    stamp.sendTimeNs = static_cast<int64_t>(GetU64(data + 19));
    return stamp;
}

uint64_t
MqttPayloadStamp::PublisherId(uint32_t nodeId, uint32_t applicationIndex)
{
    return (static_cast<uint64_t>(nodeId) << 32) | applicationIndex;
}

bool
MqttPayloadStamp::operator==(const MqttPayloadStamp& other) const
{
    return publisher == other.publisher && sequence == other.sequence &&
           sendTimeNs == other.sendTimeNs;
}

} // namespace mqtt
} // namespace ns3
