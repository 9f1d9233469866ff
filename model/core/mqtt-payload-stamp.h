/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The stamp the ns-3 applications put at the start of every payload they generate: who sent the
 * message, its sequence number and when it was sent, so a subscriber can compute end-to-end
 * latency, duplicates and loss per message. Layout in doc/payload-format.md.
 */
#ifndef MQTT_PAYLOAD_STAMP_H
#define MQTT_PAYLOAD_STAMP_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace ns3
{
namespace mqtt
{

/**
 * Identity and send time of one generated message. The wire form is 27 bytes, big-endian:
 * 'M' 'Q' VERSION, publisher (8), sequence (8), send time in ns (8). A payload shorter than the
 * stamp carries no stamp, only filler.
 */
struct MqttPayloadStamp
{
    static constexpr uint8_t MAGIC_0 = 'M';
    static constexpr uint8_t MAGIC_1 = 'Q';
    static constexpr uint8_t VERSION = 1;
    /** Bytes of the encoded stamp. */
    static constexpr std::size_t SIZE = 27;
    /** Value of every filler byte after the stamp. */
    static constexpr uint8_t FILLER = 0;

    /** Who published: the ns-3 applications use (node id << 32) | application index. */
    uint64_t publisher = 0;
    /** Per-publisher message number, from 0. */
    uint64_t sequence = 0;
    /** Send time in nanoseconds of simulation (or driver) time. */
    int64_t sendTimeNs = 0;

    /** Writes the SIZE bytes of the stamp to @p out. */
    void Encode(uint8_t* out) const;

    /**
     * A payload of exactly @p size bytes: the stamp followed by filler, or only filler when
     * @p size < SIZE.
     */
    std::vector<uint8_t> MakePayload(std::size_t size) const;

    /** The stamp at the start of @p data, or nothing (too short, wrong magic or version). */
    static std::optional<MqttPayloadStamp> Decode(const uint8_t* data, std::size_t size);

    /** Publisher identity the ns-3 applications use. */
    static uint64_t PublisherId(uint32_t nodeId, uint32_t applicationIndex);

    bool operator==(const MqttPayloadStamp& other) const;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_PAYLOAD_STAMP_H
