/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The account's subscriptions (AWS IoT Core "Subscriptions per account": "a maximum number of
 * subscriptions across all active connections"): the subscriptions of the engine's connected
 * sessions, counted in its account when a session comes online or goes offline and when a
 * connected session subscribes or unsubscribes; whatever an offline session's subscriptions
 * go through (expiry, a clean session ending, a restart) is then outside the count.
 */
#include "mqtt-broker-engine-impl.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

MqttBrokerEngine::Impl::~Impl()
{
    m_account->RemoveActiveSubscriptions(m_activeSubscriptions);
}

void
MqttBrokerEngine::Impl::ActivateSubscriptions(std::size_t count, Nanos now)
{
    m_activeSubscriptions += count;
    m_account->AddActiveSubscriptions(count, now);
}

void
MqttBrokerEngine::Impl::DeactivateSubscriptions(std::size_t count)
{
    count = std::min(count, m_activeSubscriptions);
    m_activeSubscriptions -= count;
    m_account->RemoveActiveSubscriptions(count);
}

void
MqttBrokerEngine::Impl::MoveSubscriptionsTo(const std::shared_ptr<MqttAccountQuotas>& account)
{
    m_account->RemoveActiveSubscriptions(m_activeSubscriptions);
    account->AddActiveSubscriptions(m_activeSubscriptions, m_now);
}

} // namespace mqtt
} // namespace ns3
