/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-packet-id-allocator.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

uint16_t
MqttPacketIdAllocator::Allocate()
{
    if (Full())
    {
        return 0;
    }
    // Walk up from the id after the last one handed out, skipping the run of used ids there.
    uint16_t candidate = m_last == 65535 ? 1 : m_last + 1;
    auto it = std::lower_bound(m_used.begin(), m_used.end(), candidate);
    while (it != m_used.end() && *it == candidate)
    {
        ++it;
        if (candidate == 65535)
        {
            candidate = 1;
            it = m_used.begin();
        }
        else
        {
            ++candidate;
        }
    }
    m_used.insert(it, candidate);
    m_last = candidate;
    return candidate;
}

bool
MqttPacketIdAllocator::Reserve(uint16_t id)
{
    if (id == 0)
    {
        return false;
    }
    auto it = std::lower_bound(m_used.begin(), m_used.end(), id);
    if (it != m_used.end() && *it == id)
    {
        return false;
    }
    m_used.insert(it, id);
    return true;
}

bool
MqttPacketIdAllocator::Release(uint16_t id)
{
    auto it = std::lower_bound(m_used.begin(), m_used.end(), id);
    if (it == m_used.end() || *it != id)
    {
        return false;
    }
    m_used.erase(it);
    return true;
}

bool
MqttPacketIdAllocator::Contains(uint16_t id) const
{
    return std::binary_search(m_used.begin(), m_used.end(), id);
}

std::size_t
MqttPacketIdAllocator::Size() const
{
    return m_used.size();
}

bool
MqttPacketIdAllocator::Full() const
{
    return m_used.size() >= CAPACITY;
}

void
MqttPacketIdAllocator::Clear()
{
    m_used.clear();
    m_used.shrink_to_fit();
    m_last = 0;
}

} // namespace mqtt
} // namespace ns3
