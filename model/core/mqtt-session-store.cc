/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-session-store.h"

namespace ns3
{
namespace mqtt
{

MqttSession*
MqttSessionStore::Find(std::string_view clientId)
{
    auto it = m_byClientId.find(clientId);
    return it == m_byClientId.end() ? nullptr : &it->second;
}

const MqttSession*
MqttSessionStore::Find(std::string_view clientId) const
{
    auto it = m_byClientId.find(clientId);
    return it == m_byClientId.end() ? nullptr : &it->second;
}

MqttSession*
MqttSessionStore::FindByHandle(SubscriberId handle)
{
    auto it = m_byHandle.find(handle);
    return it == m_byHandle.end() ? nullptr : it->second;
}

MqttSession&
MqttSessionStore::Create(const std::string& clientId, bool cleanSession)
{
    auto existing = m_byClientId.find(clientId);
    if (existing != m_byClientId.end())
    {
        return existing->second;
    }
    SubscriberId handle = m_nextHandle++;
    auto it = m_byClientId.try_emplace(clientId, clientId, handle, cleanSession).first;
    m_byHandle.emplace(handle, &it->second);
    return it->second;
}

void
MqttSessionStore::Erase(std::string_view clientId)
{
    auto it = m_byClientId.find(clientId);
    if (it == m_byClientId.end())
    {
        return;
    }
    m_byHandle.erase(it->second.Handle());
    m_byClientId.erase(it);
}

std::size_t
MqttSessionStore::Size() const
{
    return m_byClientId.size();
}

void
MqttSessionStore::ForEach(const std::function<void(MqttSession&)>& f)
{
    for (auto& entry : m_byClientId)
    {
        f(entry.second);
    }
}

} // namespace mqtt
} // namespace ns3
