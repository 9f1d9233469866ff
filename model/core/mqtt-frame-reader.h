/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Reassembles MQTT packets from a byte stream delivered in arbitrary pieces.
 */
#ifndef MQTT_FRAME_READER_H
#define MQTT_FRAME_READER_H

#include "mqtt-codec.h"

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace ns3
{
namespace mqtt
{

/**
 * A stream frame reader: Append() bytes as they arrive (one byte at a time or many packets at
 * once), then call Next() until it stops returning Complete. After an Error the reader stays in
 * that error: the connection must be closed (section 4.8).
 *
 * A packet larger than the maximum is an Error as soon as its Remaining Length is readable, so a
 * peer cannot make the reader buffer and wait for a packet it would refuse anyway. Consumed
 * bytes are dropped from the front of the buffer in amortised constant time per byte, however
 * the stream is split.
 *
 * The reader is the per-connection codec context: it decodes in the layout of its protocol
 * version, and adopts the Protocol Level of each CONNECT it decodes (4 or 5), so a server's reader
 * made with Mqtt5 reads a 3.1.1 client's packets as 3.1.1 once its CONNECT has come. A client's
 * reader is made with the version its CONNECT asks for.
 */
class MqttFrameReader
{
  public:
    /**
     * @param version the version of the connection: for a server, the highest it speaks (a 5.0
     *        server reads 3.1.1 and 5.0 CONNECTs, a 3.1.1 server refuses level 5)
     */
    explicit MqttFrameReader(std::size_t maxPacketSize = MAX_PACKET_SIZE,
                             ProtocolVersion version = ProtocolVersion::Mqtt311);

    /** Adds bytes received from the stream. After an Error the bytes are discarded. */
    void Append(const uint8_t* data, std::size_t size);

    /**
     * Decodes the next complete packet into @p out, if the buffered bytes hold one (see Decode()
     * for what @p out holds afterwards). Once an Error has been returned, every later call returns
     * the same Error.
     */
    DecodeResult Next(Packet& out);

    /** Bytes received but not yet consumed by a complete packet. */
    std::size_t Buffered() const;

    /**
     * The next packet's bytes (fixed header included) when it is buffered whole, without
     * decoding it: for sizing its handling before anything is allocated. Null and 0 when it is
     * not all there (or the reader is in error).
     */
    std::pair<const uint8_t*, std::size_t> PeekPacket() const;

    /** The largest whole packet this reader accepts. */
    std::size_t MaxPacketSize() const;

    /** The version the next packets are decoded as. */
    ProtocolVersion Version() const;

    /** Decodes the next packets as @p version (a client, once it knows what it sent). */
    void SetVersion(ProtocolVersion version);

    /** Drops buffered bytes and any error, and goes back to the version it was made with. */
    void Reset();

  private:
    std::vector<uint8_t> m_buffer;
    std::size_t m_start = 0; //!< offset of the first unconsumed byte in m_buffer
    std::size_t m_maxPacketSize;
    DecodeError m_error = DecodeError::None;
    ProtocolVersion m_initialVersion;
    ProtocolVersion m_version;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_FRAME_READER_H
