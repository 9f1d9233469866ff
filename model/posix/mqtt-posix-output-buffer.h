/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The bytes a real-socket driver has for one connection and the kernel has not taken yet.
 */
#ifndef MQTT_POSIX_OUTPUT_BUFFER_H
#define MQTT_POSIX_OUTPUT_BUFFER_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ns3
{
namespace mqtt
{

/**
 * One contiguous byte queue: Append() at the back, Write() from the front to a non-blocking
 * socket. Everything an engine sends to a connection during one loop iteration is gathered here
 * and written with one call, and what the kernel refuses waits for the socket to become writable.
 */
class MqttPosixOutputBuffer
{
  public:
    /** What Write() achieved. */
    enum class WriteResult : uint8_t
    {
        Drained, //!< everything was written
        Blocked, //!< the socket is full; bytes remain (wait for EPOLLOUT)
        Failed,  //!< the connection is broken (errno is kept in Error())
    };

    void Append(const uint8_t* data, std::size_t size);
    void Append(const std::vector<uint8_t>& bytes);
    /** Takes @p bytes' storage when nothing is waiting (no copy); @p bytes is left empty. */
    void Append(std::vector<uint8_t>&& bytes);

    /** Writes from the front until done or the socket refuses more (send, MSG_NOSIGNAL). */
    WriteResult Write(int fd);

    /** Bytes not yet written. */
    std::size_t Size() const;
    bool Empty() const;
    /** The errno of the last Failed write. */
    int Error() const;
    /** Bytes written in total. */
    uint64_t Written() const;

    /** Frees the memory of an empty buffer that grew large (after a burst). */
    void Trim();
    /** Drops every byte not yet written and frees the memory. */
    void Clear();

  private:
    std::vector<uint8_t> m_bytes;
    std::size_t m_head = 0; //!< offset of the first unwritten byte
    int m_error = 0;
    uint64_t m_written = 0;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_POSIX_OUTPUT_BUFFER_H
