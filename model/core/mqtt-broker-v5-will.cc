/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT 5.0 Will Delay Interval (section 3.1.3.2.2): the will of a 5.0 connection that ends
 * without DISCONNECT 0x00 is published when its delay has passed or when its session ends,
 * whichever comes first [MQTT5-3.1.2-8]; a new connection for the client id before then
 * cancels it [MQTT5-3.1.3-9]. A session that ends with its connection (Session Expiry 0) ends
 * at once, so its will is published at once whatever the delay. Delayed wills are not written
 * to durable persistence (doc/mqtt5.md).
 */
#include "mqtt-broker-engine-impl.h"

namespace ns3
{
namespace mqtt
{

bool
MqttBrokerEngine::Impl::DelayWill(const MqttBrokerConnection& conn,
                                  const MqttSession* s,
                                  bool takeover,
                                  Will& will,
                                  Nanos now,
                                  MqttActions& out)
{
    const uint32_t delay =
        conn.V5() != nullptr ? will.properties.Number(PropertyId::WillDelayInterval).value_or(0u)
                             : 0u;
    if (delay == 0)
    {
        return false;
    }
    if (takeover)
    {
        // The new connection is made now, before the delay passed [MQTT5-3.1.3-9].
        return true;
    }
    if (s == nullptr)
    {
        return false; // the session ended with the connection: the will goes now
    }
    DelayedWill& d = m_delayedWills[conn.ClientId()];
    if (d.timer != 0)
    {
        CancelTimer(d.timer, out);
    }
    d.will = std::move(will);
    d.from = conn.Id();
    d.userName = conn.UserName();
    d.timer = StartTimer(TimerKind::WillDelay, s->Handle(), now + std::chrono::seconds(delay), out);
    return true;
}

void
MqttBrokerEngine::Impl::CancelDelayedWill(const std::string& clientId, MqttActions& out)
{
    auto it = m_delayedWills.find(clientId);
    if (it == m_delayedWills.end())
    {
        return;
    }
    CancelTimer(it->second.timer, out);
    m_delayedWills.erase(it);
}

void
MqttBrokerEngine::Impl::PublishDelayedWill(const std::string& clientId, MqttActions& out)
{
    auto it = m_delayedWills.find(clientId);
    if (it == m_delayedWills.end())
    {
        return;
    }
    DelayedWill d = std::move(it->second);
    m_delayedWills.erase(it);
    if (m_timers.count(d.timer) != 0)
    {
        CancelTimer(d.timer, out);
    }
    PublishWill(d.from, clientId, d.userName, std::move(d.will), m_now, out);
}

} // namespace mqtt
} // namespace ns3
