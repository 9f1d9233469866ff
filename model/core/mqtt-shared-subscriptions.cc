/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-shared-subscriptions.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

namespace
{
constexpr std::string_view PREFIX = "$share/";
} // namespace

bool
MqttSharedSubscriptions::IsShared(std::string_view filter)
{
    if (filter.substr(0, PREFIX.size()) != PREFIX)
    {
        return false;
    }
    std::string_view rest = filter.substr(PREFIX.size());
    const std::size_t slash = rest.find('/');
    // A non-empty NAME without '/', '+' or '#', then '/' and a non-empty FILTER
    // [MQTT5-4.8.2-1], [MQTT5-4.8.2-2].
    return slash != 0 && slash != std::string_view::npos && slash + 1 < rest.size() &&
           rest.substr(0, slash).find_first_of("+#") == std::string_view::npos;
}

std::string_view
MqttSharedSubscriptions::InnerFilter(std::string_view filter)
{
    if (!IsShared(filter))
    {
        return {};
    }
    std::string_view rest = filter.substr(PREFIX.size());
    return rest.substr(rest.find('/') + 1);
}

uint32_t
MqttSharedSubscriptions::Join(std::string_view key, SubscriberId member)
{
    auto found = m_byKey.find(key);
    if (found == m_byKey.end())
    {
        const uint32_t id = m_nextId++;
        MqttSharedGroup g;
        g.id = id;
        g.key = std::string(key);
        g.filter = std::string(InnerFilter(key));
        m_filters.Subscribe(g.filter, id, Qos::AtMostOnce);
        m_groups.emplace(id, std::move(g));
        found = m_byKey.emplace(std::string(key), id).first;
    }
    MqttSharedGroup& g = m_groups.at(found->second);
    if (std::find(g.members.begin(), g.members.end(), member) == g.members.end())
    {
        g.members.push_back(member);
    }
    return g.id;
}

bool
MqttSharedSubscriptions::Leave(std::string_view key, SubscriberId member)
{
    auto found = m_byKey.find(key);
    if (found == m_byKey.end())
    {
        return false;
    }
    MqttSharedGroup& g = m_groups.at(found->second);
    auto it = std::find(g.members.begin(), g.members.end(), member);
    if (it == g.members.end())
    {
        return false;
    }
    const auto index = static_cast<std::size_t>(it - g.members.begin());
    g.members.erase(it);
    if (index < g.next)
    {
        --g.next; // the member that was next stays next
    }
    if (g.members.empty())
    {
        m_filters.Unsubscribe(g.filter, g.id);
        m_groups.erase(found->second);
        m_byKey.erase(found);
    }
    else if (g.next >= g.members.size())
    {
        g.next = 0;
    }
    return true;
}

void
MqttSharedSubscriptions::Match(std::string_view topic, std::vector<uint32_t>& out) const
{
    out.clear();
    if (m_groups.empty())
    {
        return;
    }
    m_filters.Match(topic, m_scratch);
    for (const SubscriberMatch& match : m_scratch)
    {
        out.push_back(static_cast<uint32_t>(match.subscriber)); // sorted by the trie
    }
}

MqttSharedGroup*
MqttSharedSubscriptions::Find(uint32_t id)
{
    auto it = m_groups.find(id);
    return it == m_groups.end() ? nullptr : &it->second;
}

const MqttSharedGroup*
MqttSharedSubscriptions::FindByKey(std::string_view key) const
{
    auto it = m_byKey.find(key);
    return it == m_byKey.end() ? nullptr : &m_groups.at(it->second);
}

bool
MqttSharedSubscriptions::Empty() const
{
    return m_groups.empty();
}

std::size_t
MqttSharedSubscriptions::GroupCount() const
{
    return m_groups.size();
}

} // namespace mqtt
} // namespace ns3
