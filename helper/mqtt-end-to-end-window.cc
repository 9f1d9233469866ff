/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The closed-loop window of a publishing group (mqtt-end-to-end-window.h states the rules).
 */
#include "mqtt-end-to-end-window.h"

#include "mqtt-topic.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

namespace
{

bool
AnyMatches(const std::vector<std::string>& filters, const std::string& topic)
{
    return std::any_of(filters.begin(),
                       filters.end(),
                       [&topic](const std::string& f) { return TopicMatches(f, topic); });
}

} // namespace

void
MqttEndToEndWindow::AddSubscriber(const std::vector<std::string>& filters,
                                  const std::string& shareGroup)
{
    if (shareGroup.empty())
    {
        m_subscribers.push_back(filters);
    }
    else
    {
        // A shared group takes each message once, whichever member gets it.
        auto& group = m_shared[shareGroup];
        group.insert(group.end(), filters.begin(), filters.end());
    }
    m_recipients.clear();
}

void
MqttEndToEndWindow::AddPublisher(uint64_t publisher, uint32_t window)
{
    m_publishers[publisher].window = std::max<uint32_t>(1, window);
}

bool
MqttEndToEndWindow::Holds(uint64_t publisher) const
{
    return m_publishers.count(publisher) != 0;
}

bool
MqttEndToEndWindow::MayPublish(uint64_t publisher) const
{
    auto it = m_publishers.find(publisher);
    return it == m_publishers.end() || it->second.waiting.size() < it->second.window;
}

uint32_t
MqttEndToEndWindow::Recipients(const std::string& topic)
{
    auto cached = m_recipients.find(topic);
    if (cached != m_recipients.end())
    {
        return cached->second;
    }
    uint32_t n = 0;
    for (const auto& filters : m_subscribers)
    {
        n += AnyMatches(filters, topic) ? 1 : 0;
    }
    for (const auto& [name, filters] : m_shared)
    {
        n += AnyMatches(filters, topic) ? 1 : 0;
    }
    m_recipients.emplace(topic, n);
    return n;
}

void
MqttEndToEndWindow::Published(uint64_t publisher,
                              uint64_t sequence,
                              const std::string& topic,
                              Nanos now)
{
    auto it = m_publishers.find(publisher);
    if (it == m_publishers.end())
    {
        return;
    }
    uint32_t recipients = Recipients(topic);
    if (recipients == 0)
    {
        return;
    }
    Publisher& p = it->second;
    p.waiting[sequence] = recipients;
    if (p.waiting.size() == p.window)
    {
        // The write-off clock starts when the window fills, not at an older receipt.
        p.lastProgress = now;
    }
}

bool
MqttEndToEndWindow::Received(uint64_t publisher, uint64_t sequence, Nanos now)
{
    auto it = m_publishers.find(publisher);
    if (it == m_publishers.end())
    {
        return false;
    }
    Publisher& p = it->second;
    auto message = p.waiting.find(sequence);
    if (message == p.waiting.end())
    {
        return false; // written off, or a subscriber the count did not expect
    }
    p.lastProgress = now;
    if (--message->second > 0)
    {
        return false;
    }
    bool wasFull = p.waiting.size() >= p.window;
    p.waiting.erase(message);
    return wasFull;
}

Nanos
MqttEndToEndWindow::WriteOffTime(uint64_t publisher) const
{
    auto it = m_publishers.find(publisher);
    return it == m_publishers.end() ? Nanos::max() : it->second.lastProgress + WRITE_OFF_AFTER;
}

uint32_t
MqttEndToEndWindow::WriteOffIfStalled(uint64_t publisher, Nanos now)
{
    auto it = m_publishers.find(publisher);
    if (it == m_publishers.end())
    {
        return 0;
    }
    Publisher& p = it->second;
    if (p.waiting.size() < p.window || now < p.lastProgress + WRITE_OFF_AFTER)
    {
        return 0;
    }
    auto n = static_cast<uint32_t>(p.waiting.size());
    p.waiting.clear();
    m_writtenOff += n;
    return n;
}

uint32_t
MqttEndToEndWindow::Outstanding(uint64_t publisher) const
{
    auto it = m_publishers.find(publisher);
    return it == m_publishers.end() ? 0 : static_cast<uint32_t>(it->second.waiting.size());
}

uint64_t
MqttEndToEndWindow::WrittenOff() const
{
    return m_writtenOff;
}

} // namespace mqtt
} // namespace ns3
