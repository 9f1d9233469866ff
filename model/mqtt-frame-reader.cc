/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-frame-reader.h"

namespace ns3
{
namespace mqtt
{

namespace
{

/** Consumed bytes are dropped from the front once they are at least this many... */
static constexpr std::size_t COMPACT_MIN = 4096;

} // namespace

MqttFrameReader::MqttFrameReader(std::size_t maxPacketSize)
    : m_maxPacketSize(maxPacketSize)
{
}

void
MqttFrameReader::Append(const uint8_t* data, std::size_t size)
{
    if (m_error != DecodeError::None || size == 0)
    {
        return; // the connection is done for; keep nothing more
    }
    if (m_start == m_buffer.size())
    {
        m_buffer.clear();
        m_start = 0;
    }
    else if (m_start >= COMPACT_MIN && m_start >= m_buffer.size() / 2)
    {
        // ...and at least half the buffer, so each byte is moved O(1) times on average.
        m_buffer.erase(m_buffer.begin(), m_buffer.begin() + static_cast<std::ptrdiff_t>(m_start));
        m_start = 0;
    }
    m_buffer.insert(m_buffer.end(), data, data + size);
}

DecodeResult
MqttFrameReader::Next(Packet& out)
{
    if (m_error != DecodeError::None)
    {
        return DecodeResult{DecodeStatus::Error, 0, m_error};
    }
    DecodeResult r =
        Decode(m_buffer.data() + m_start, m_buffer.size() - m_start, out, m_maxPacketSize);
    if (r.status == DecodeStatus::Complete)
    {
        m_start += r.consumed;
    }
    else if (r.status == DecodeStatus::Error)
    {
        m_error = r.error;
    }
    return r;
}

std::size_t
MqttFrameReader::Buffered() const
{
    return m_buffer.size() - m_start;
}

std::size_t
MqttFrameReader::MaxPacketSize() const
{
    return m_maxPacketSize;
}

void
MqttFrameReader::Reset()
{
    m_buffer.clear();
    m_start = 0;
    m_error = DecodeError::None;
}

} // namespace mqtt
} // namespace ns3
