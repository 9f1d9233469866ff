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

/**
 * Consumed bytes are dropped from the front of the buffer once there are at least this many and
 * they make up at least half of it, so each byte is moved a constant number of times on average.
 */
static constexpr std::size_t COMPACT_MIN = 4096;

/** An empty buffer with more capacity than this gives it back (a broker holds one per client). */
static constexpr std::size_t RELEASE_ABOVE = 64 * 1024;

} // namespace

MqttFrameReader::MqttFrameReader(std::size_t maxPacketSize, ProtocolVersion version)
    : m_maxPacketSize(maxPacketSize)
    , m_initialVersion(version)
    , m_version(version)
{
}

void
MqttFrameReader::Append(const uint8_t* data, std::size_t size)
{
    if (m_error != DecodeError::None)
    {
        return; // the connection is done for; keep nothing more
    }
    if (size == 0)
    {
        return;
    }
    if (m_start == m_buffer.size())
    {
        if (m_buffer.capacity() > RELEASE_ABOVE)
        {
            std::vector<uint8_t>().swap(m_buffer); // one big packet need not pin its memory
        }
        m_buffer.clear();
        m_start = 0;
    }
    else if (m_start >= COMPACT_MIN && m_start >= m_buffer.size() / 2)
    {
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
    DecodeResult r = Decode(
        m_buffer.data() + m_start, m_buffer.size() - m_start, out, m_maxPacketSize, m_version);
    if (r.status == DecodeStatus::Complete)
    {
        m_start += r.consumed;
        if (m_start == m_buffer.size() && m_buffer.capacity() > RELEASE_ABOVE)
        {
            // The packet owns its bytes now: a connection that sent one big packet and then
            // nothing must not pin a buffer its size until it sends again.
            std::vector<uint8_t>().swap(m_buffer);
            m_start = 0;
        }
        if (const auto* connect = std::get_if<ConnectPacket>(&out))
        {
            // The CONNECT chooses the connection's version (it decoded, so its level is 4 or 5).
            m_version =
                connect->protocolLevel == 5 ? ProtocolVersion::Mqtt5 : ProtocolVersion::Mqtt311;
        }
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

std::pair<const uint8_t*, std::size_t>
MqttFrameReader::PeekPacket() const
{
    const std::size_t buffered = Buffered();
    if (m_error != DecodeError::None || buffered < 2)
    {
        return {nullptr, 0};
    }
    const uint8_t* p = m_buffer.data() + m_start;
    std::size_t remaining = 0;
    std::size_t header = 1;
    for (unsigned shift = 0; header <= 4; shift += 7)
    {
        if (header >= buffered)
        {
            return {nullptr, 0};
        }
        const uint8_t digit = p[header++];
        remaining |= static_cast<std::size_t>(digit & 0x7f) << shift;
        if ((digit & 0x80) == 0)
        {
            const std::size_t size = header + remaining;
            if (size > buffered)
            {
                return {nullptr, 0};
            }
            return {p, size};
        }
    }
    return {nullptr, 0}; // a malformed length: Next() reports it
}

std::size_t
MqttFrameReader::MaxPacketSize() const
{
    return m_maxPacketSize;
}

ProtocolVersion
MqttFrameReader::Version() const
{
    return m_version;
}

void
MqttFrameReader::SetVersion(ProtocolVersion version)
{
    m_version = version;
}

void
MqttFrameReader::Reset()
{
    m_buffer.clear();
    m_start = 0;
    m_error = DecodeError::None;
    m_version = m_initialVersion;
}

} // namespace mqtt
} // namespace ns3
