/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The account-wide quotas of a broker (AWS IoT Core: connect requests, inbound and outbound
 * publishes, subscriptions, messages queued for offline sessions and retained publishes per
 * second per account,
 * concurrent connections and subscriptions per account): one
 * token bucket per rate quota, shared by every connection of every engine given the same
 * object, and what was observed of each quota over a run (peak rate, when, how many throttled).
 */
#ifndef MQTT_ACCOUNT_QUOTAS_H
#define MQTT_ACCOUNT_QUOTAS_H

#include "mqtt-action.h"
#include "mqtt-broker-profile.h"
#include "mqtt-rate-limiter.h"

#include <array>
#include <cstddef>
#include <cstdint>

namespace ns3
{
namespace mqtt
{

/** The account quotas, in the order results list them. */
enum class AccountQuota : uint8_t
{
    ConnectRate = 0, //!< MQTT CONNECT requests per second (accountConnectRate)
    PublishInRate,   //!< inbound PUBLISH requests per second (accountPublishInRate)
    PublishOutRate,  //!< outbound PUBLISH requests per second (accountPublishOutRate)
    SubscribeRate,   //!< topic filters subscribed per second (accountSubscribeRate)
    Connections,     //!< clients connected at once (maxConnectedClients)
    QueuedRate,      //!< messages queued for offline sessions per second (accountQueuedRate)
    RetainedPublishRate, //!< retained PUBLISH requests per second (accountRetainedPublishRate)
    Subscriptions, //!< subscriptions of the connected sessions at once (maxAccountSubscriptions)
};

/** How many AccountQuota values there are. */
constexpr std::size_t ACCOUNT_QUOTA_COUNT = 8;

/** The quota's name in results and reports: "account-connect-rate", ... */
const char* AccountQuotaName(AccountQuota quota);

/** Whether a quota limits a rate (per second) rather than a count. */
bool IsRateQuota(AccountQuota quota);

/** The quota's limit in @p profile (per second or a count; 0: unlimited). */
double AccountQuotaLimit(const MqttBrokerProfile& profile, AccountQuota quota);

/** What was observed of one quota. */
struct MqttAccountQuotaStats
{
    /** Per second for a rate, a count for Connections; 0: unlimited. */
    double limit = 0;
    /**
     * Rates: the most requests offered (admitted or not) in one second of the run, counted in
     * whole seconds from time 0 ([k s, k+1 s)). Connections: the most clients connected at once.
     * Subscriptions: the most subscriptions of connected sessions at once.
     */
    uint64_t peak = 0;
    /** Start of that second (rates), or when the peak was first reached (the counts). */
    Nanos peakAt{0};
    /**
     * Requests offered over the run (rates); CONNECTs that asked for a slot (Connections); new
     * topic filters that asked for one (Subscriptions).
     */
    uint64_t requests = 0;
    /** Requests refused by the quota. */
    uint64_t throttled = 0;
};

class MqttAccountQuotas
{
  public:
    /**
     * The limits of @p profile (accountConnectRate, accountPublishInRate, accountPublishOutRate,
     * accountSubscribeRate, accountQueuedRate, accountRetainedPublishRate: one second's worth of
     * burst each, like the per-connection rates;
     * maxConnectedClients). Every bucket starts full.
     */
    explicit MqttAccountQuotas(const MqttBrokerProfile& profile);

    /**
     * One request of the rate quota @p quota at @p now: counted for the peak, and taken from its
     * bucket if it fits. @return whether it is admitted (always, when the quota is unlimited).
     */
    bool Admit(AccountQuota quota, Nanos now);

    /** A CONNECT asked for a connection slot; @p refused when all were taken. */
    void NoteConnectionRequest(bool refused);

    /** @p connected clients are connected at @p now (the Connections peak). */
    void NoteConnected(std::size_t connected, Nanos now);

    /**
     * A new topic filter asks for one of the account's subscriptions (maxAccountSubscriptions,
     * counted over the sessions while they are connected: AWS's "across all active
     * connections"). @return whether one is free (always, when unlimited); refused ones count
     * as throttled. The caller adds it with AddActiveSubscriptions once it is made.
     */
    bool AdmitSubscription();
    /**
     * @p count subscriptions became active at @p now (made on a connected session, or a stored
     * session's coming back with its connection); a resumed session's may take the account past
     * its limit, which then refuses new ones until enough are gone.
     */
    void AddActiveSubscriptions(std::size_t count, Nanos now);
    /** @p count subscriptions stopped being active (removed, or their session disconnected). */
    void RemoveActiveSubscriptions(std::size_t count);
    /** Subscriptions of the connected sessions now. */
    std::size_t ActiveSubscriptions() const;

    const MqttAccountQuotaStats& Stats(AccountQuota quota) const;

  private:
    struct Bin
    {
        int64_t second = -1;
        uint64_t count = 0;
    };

    std::array<MqttRateLimiter, ACCOUNT_QUOTA_COUNT> m_limiters;
    std::array<MqttAccountQuotaStats, ACCOUNT_QUOTA_COUNT> m_stats;
    std::array<Bin, ACCOUNT_QUOTA_COUNT> m_bins;
    std::size_t m_activeSubscriptions = 0;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_ACCOUNT_QUOTAS_H
