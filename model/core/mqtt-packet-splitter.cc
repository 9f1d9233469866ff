/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-packet-splitter.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

void
MqttPacketSplitter::Split(const uint8_t* data, std::size_t size, std::vector<std::size_t>& pieces)
{
    std::size_t at = 0;
    std::size_t start = 0;
    while (at < size && !m_unframed)
    {
        if (m_inBody)
        {
            std::size_t take =
                static_cast<std::size_t>(std::min<uint64_t>(m_remaining, size - at));
            at += take;
            m_remaining -= take;
        }
        else
        {
            uint8_t b = data[at++];
            ++m_headerBytes;
            if (m_headerBytes == 1)
            {
                m_length = 0; // the packet type byte; the Remaining Length follows
                continue;
            }
            m_length |= static_cast<uint64_t>(b & 0x7f) << (7 * (m_headerBytes - 2));
            if ((b & 0x80) != 0)
            {
                m_unframed = m_headerBytes == 5; // a fifth length byte: malformed
                continue;
            }
            m_headerBytes = 0;
            m_inBody = true;
            m_remaining = m_length;
        }
        if (m_inBody && m_remaining == 0)
        {
            m_inBody = false;
            pieces.push_back(at - start);
            start = at;
        }
    }
    if (start < size)
    {
        pieces.push_back(size - start);
    }
}

} // namespace mqtt
} // namespace ns3
