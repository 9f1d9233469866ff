/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-packet-footprint.h"

#include "mqtt-action.h"
#include "mqtt-packets.h"

namespace ns3
{
namespace mqtt
{

namespace
{

/** The heap of a std::string of @p n characters (none within the small-string buffer). */
constexpr std::size_t
StringHeap(std::size_t n)
{
    // libstdc++ keeps 15 characters inline; above, a chunk of n + 1 bytes and malloc's header.
    return n <= 15 ? 0 : (n + 1 + 8 + 15) / 16 * 16;
}

/**
 * Elements of a vector grown by doubling: up to twice the size allocated, and the old block
 * alive while the new one is filled: three times the element, at the worst moment.
 */
constexpr std::size_t GROWTH = 3;

/** A varint at @p p (at most 4 bytes, within @p end); false if it runs past. */
bool
SkipVarint(const uint8_t*& p, const uint8_t* end, std::size_t& value)
{
    value = 0;
    for (unsigned shift = 0; shift < 28; shift += 7)
    {
        if (p >= end)
        {
            return false;
        }
        const uint8_t digit = *p++;
        value |= static_cast<std::size_t>(digit & 0x7f) << shift;
        if ((digit & 0x80) == 0)
        {
            return true;
        }
    }
    return false;
}

} // namespace

std::size_t
HandlingFootprint(const uint8_t* packet,
                  std::size_t size,
                  ProtocolVersion version,
                  std::size_t clientIdSize)
{
    if (packet == nullptr || size < 2)
    {
        return 0;
    }
    const uint8_t type = packet[0] >> 4;
    const bool subscribe = type == static_cast<uint8_t>(PacketType::Subscribe);
    if (!subscribe && type != static_cast<uint8_t>(PacketType::Unsubscribe))
    {
        return 0;
    }
    const uint8_t* p = packet + 1;
    const uint8_t* end = packet + size;
    std::size_t remaining = 0;
    if (!SkipVarint(p, end, remaining) || end - p < 2)
    {
        return 0;
    }
    p += 2; // packet identifier
    if (version == ProtocolVersion::Mqtt5)
    {
        std::size_t properties = 0;
        if (!SkipVarint(p, end, properties) || properties > static_cast<std::size_t>(end - p))
        {
            return 0;
        }
        p += properties;
    }
    // Per filter: the decoded request (SUBSCRIBE) or string (UNSUBSCRIBE) and its copy of the
    // filter; one NotifyAction with the filter and the client id; a return code in the
    // acknowledgement and in its encoding; SUBSCRIBE's bookkeeping of granted filters.
    const std::size_t perFilter =
        GROWTH * ((subscribe ? sizeof(TopicRequest) : sizeof(std::string)) + sizeof(MqttAction) +
                  2 + (subscribe ? sizeof(std::pair<std::size_t, Qos>) : 0)) +
        StringHeap(clientIdSize);
    std::size_t total = 0;
    while (end - p >= 2)
    {
        const std::size_t length = static_cast<std::size_t>(p[0]) << 8 | p[1];
        p += 2 + length + (subscribe ? 1 : 0);
        // The filter's heap twice: decoded, and in the event.
        total += perFilter + 2 * StringHeap(length);
        if (p > end)
        {
            break;
        }
    }
    return total;
}

} // namespace mqtt
} // namespace ns3
