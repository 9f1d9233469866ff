/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-posix-output-buffer.h"

#include <cerrno>
#include <cstring>

#include <sys/socket.h>

namespace ns3
{
namespace mqtt
{

namespace
{
/** An empty buffer keeps at most this much memory. */
constexpr std::size_t KEEP_CAPACITY = 64 * 1024;
} // namespace

void
MqttPosixOutputBuffer::Append(const uint8_t* data, std::size_t size)
{
    if (size == 0)
    {
        return;
    }
    if (m_head > 0 && m_head >= m_bytes.size() / 2)
    {
        // Move the unwritten tail to the front before growing: copies at most what was written.
        m_bytes.erase(m_bytes.begin(), m_bytes.begin() + static_cast<std::ptrdiff_t>(m_head));
        m_head = 0;
    }
    m_bytes.insert(m_bytes.end(), data, data + size);
}

void
MqttPosixOutputBuffer::Append(const std::vector<uint8_t>& bytes)
{
    Append(bytes.data(), bytes.size());
}

void
MqttPosixOutputBuffer::Append(std::vector<uint8_t>&& bytes)
{
    if (Empty())
    {
        m_bytes.swap(bytes);
        m_head = 0;
        bytes.clear();
        return;
    }
    Append(bytes.data(), bytes.size());
}

MqttPosixOutputBuffer::WriteResult
MqttPosixOutputBuffer::Write(int fd)
{
    while (m_head < m_bytes.size())
    {
        ssize_t n = send(fd, m_bytes.data() + m_head, m_bytes.size() - m_head, MSG_NOSIGNAL);
        if (n > 0)
        {
            m_head += static_cast<std::size_t>(n);
            m_written += static_cast<uint64_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
        {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        {
            return WriteResult::Blocked;
        }
        m_error = n < 0 ? errno : EPIPE;
        return WriteResult::Failed;
    }
    m_bytes.clear();
    m_head = 0;
    Trim();
    return WriteResult::Drained;
}

std::size_t
MqttPosixOutputBuffer::Size() const
{
    return m_bytes.size() - m_head;
}

bool
MqttPosixOutputBuffer::Empty() const
{
    return m_head == m_bytes.size();
}

int
MqttPosixOutputBuffer::Error() const
{
    return m_error;
}

uint64_t
MqttPosixOutputBuffer::Written() const
{
    return m_written;
}

void
MqttPosixOutputBuffer::Clear()
{
    std::vector<uint8_t>().swap(m_bytes);
    m_head = 0;
}

void
MqttPosixOutputBuffer::Trim()
{
    if (Empty() && m_bytes.capacity() > KEEP_CAPACITY)
    {
        std::vector<uint8_t>().swap(m_bytes);
        m_head = 0;
    }
}

} // namespace mqtt
} // namespace ns3
