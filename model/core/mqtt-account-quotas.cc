/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-account-quotas.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

const char*
AccountQuotaName(AccountQuota quota)
{
    switch (quota)
    {
    case AccountQuota::ConnectRate:
        return "account-connect-rate";
    case AccountQuota::PublishInRate:
        return "account-publish-in-rate";
    case AccountQuota::PublishOutRate:
        return "account-publish-out-rate";
    case AccountQuota::SubscribeRate:
        return "account-subscribe-rate";
    case AccountQuota::Connections:
        return "account-connections";
    case AccountQuota::QueuedRate:
        return "account-queued-rate";
    case AccountQuota::RetainedPublishRate:
        return "account-retained-publish-rate";
    case AccountQuota::Subscriptions:
        return "account-subscriptions";
    }
    return "unknown";
}

bool
IsRateQuota(AccountQuota quota)
{
    return quota != AccountQuota::Connections && quota != AccountQuota::Subscriptions;
}

double
AccountQuotaLimit(const MqttBrokerProfile& profile, AccountQuota quota)
{
    switch (quota)
    {
    case AccountQuota::ConnectRate:
        return profile.accountConnectRate;
    case AccountQuota::PublishInRate:
        return profile.accountPublishInRate;
    case AccountQuota::PublishOutRate:
        return profile.accountPublishOutRate;
    case AccountQuota::SubscribeRate:
        return profile.accountSubscribeRate;
    case AccountQuota::Connections:
        return static_cast<double>(profile.maxConnectedClients);
    case AccountQuota::QueuedRate:
        return profile.accountQueuedRate;
    case AccountQuota::RetainedPublishRate:
        return profile.accountRetainedPublishRate;
    case AccountQuota::Subscriptions:
        return static_cast<double>(profile.maxAccountSubscriptions);
    }
    return 0;
}

MqttAccountQuotas::MqttAccountQuotas(const MqttBrokerProfile& profile)
{
    for (std::size_t i = 0; i < ACCOUNT_QUOTA_COUNT; ++i)
    {
        auto quota = static_cast<AccountQuota>(i);
        double limit = AccountQuotaLimit(profile, quota);
        m_stats[i].limit = limit;
        if (IsRateQuota(quota))
        {
            // AWS states no burst; one second's worth, as for the per-connection rates.
            m_limiters[i] = MqttRateLimiter(limit, limit);
        }
    }
}

bool
MqttAccountQuotas::Admit(AccountQuota quota, Nanos now)
{
    const auto i = static_cast<std::size_t>(quota);
    MqttAccountQuotaStats& stats = m_stats[i];
    Bin& bin = m_bins[i];
    const int64_t second = now.count() / 1000000000;
    if (bin.second != second)
    {
        bin.second = second;
        bin.count = 0;
    }
    ++stats.requests;
    if (++bin.count > stats.peak)
    {
        stats.peak = bin.count;
        stats.peakAt = std::chrono::seconds(second);
    }
    if (!m_limiters[i].TryTake(1, now))
    {
        ++stats.throttled;
        return false;
    }
    return true;
}

void
MqttAccountQuotas::NoteConnectionRequest(bool refused)
{
    MqttAccountQuotaStats& stats = m_stats[static_cast<std::size_t>(AccountQuota::Connections)];
    ++stats.requests;
    stats.throttled += refused ? 1 : 0;
}

void
MqttAccountQuotas::NoteConnected(std::size_t connected, Nanos now)
{
    MqttAccountQuotaStats& stats = m_stats[static_cast<std::size_t>(AccountQuota::Connections)];
    if (connected > stats.peak)
    {
        stats.peak = connected;
        stats.peakAt = now;
    }
}

bool
MqttAccountQuotas::AdmitSubscription()
{
    MqttAccountQuotaStats& stats = m_stats[static_cast<std::size_t>(AccountQuota::Subscriptions)];
    ++stats.requests;
    if (stats.limit > 0 && static_cast<double>(m_activeSubscriptions) >= stats.limit)
    {
        ++stats.throttled;
        return false;
    }
    return true;
}

void
MqttAccountQuotas::AddActiveSubscriptions(std::size_t count, Nanos now)
{
    m_activeSubscriptions += count;
    MqttAccountQuotaStats& stats = m_stats[static_cast<std::size_t>(AccountQuota::Subscriptions)];
    if (m_activeSubscriptions > stats.peak)
    {
        stats.peak = m_activeSubscriptions;
        stats.peakAt = now;
    }
}

void
MqttAccountQuotas::RemoveActiveSubscriptions(std::size_t count)
{
    m_activeSubscriptions -= std::min(count, m_activeSubscriptions);
}

std::size_t
MqttAccountQuotas::ActiveSubscriptions() const
{
    return m_activeSubscriptions;
}

const MqttAccountQuotaStats&
MqttAccountQuotas::Stats(AccountQuota quota) const
{
    return m_stats[static_cast<std::size_t>(quota)];
}

} // namespace mqtt
} // namespace ns3
