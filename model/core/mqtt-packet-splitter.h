/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Where MQTT packets end in a byte stream that arrives in pieces, read from the fixed headers
 * alone (no decoding): the service model serves a connection's input one packet at a time.
 */
#ifndef MQTT_PACKET_SPLITTER_H
#define MQTT_PACKET_SPLITTER_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ns3
{
namespace mqtt
{

/**
 * Follows one connection's byte stream across reads. A Remaining Length that does not end
 * within four bytes (malformed, [MQTT-2.2.3]) stops the cutting for good: the rest of the stream
 * is handed over as it comes, for the decoder to reject.
 */
class MqttPacketSplitter
{
  public:
    /**
     * Cuts the next @p size bytes of the stream at packet ends: appends each piece's length to
     * @p pieces. Every piece ends at a packet end except perhaps the last (part of a packet
     * still to come).
     */
    void Split(const uint8_t* data, std::size_t size, std::vector<std::size_t>& pieces);

    /** Whether the stream so far ends at a packet end (nothing to remember about it). */
    bool
    AtBoundary() const
    {
        return !m_inBody && m_headerBytes == 0 && !m_unframed;
    }

  private:
    /** Bytes of the current packet's body still to come (m_inBody). */
    uint64_t m_remaining = 0;
    bool m_inBody = false;
    /** Fixed header bytes seen of the current packet (0: at a packet start). */
    uint32_t m_headerBytes = 0;
    uint64_t m_length = 0;
    bool m_unframed = false;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_PACKET_SPLITTER_H
