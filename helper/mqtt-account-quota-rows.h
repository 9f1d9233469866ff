/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The /account_quotas rows of a results file from an account's quotas (doc/results.md): one
 * function for the study runner and the standalone broker, which both end a run with them.
 * Header-only, so that neither the recorder nor the core links the other.
 */
#ifndef MQTT_ACCOUNT_QUOTA_ROWS_H
#define MQTT_ACCOUNT_QUOTA_ROWS_H

#include "mqtt-account-quotas.h"
#include "mqtt-results-schema.h"

#include <vector>

namespace ns3
{
namespace mqtt
{

/** One row per AccountQuota, in its order. */
inline std::vector<MqttAccountQuotaRecord>
AccountQuotaRows(const MqttAccountQuotas& account)
{
    std::vector<MqttAccountQuotaRecord> rows;
    for (std::size_t i = 0; i < ACCOUNT_QUOTA_COUNT; ++i)
    {
        const auto quota = static_cast<AccountQuota>(i);
        const MqttAccountQuotaStats& s = account.Stats(quota);
        MqttAccountQuotaRecord r;
        r.name = AccountQuotaName(quota);
        r.kind = IsRateQuota(quota) ? "rate" : "count";
        r.limit = s.limit;
        r.peak = s.peak;
        r.peakTime = static_cast<double>(s.peakAt.count()) * 1e-9;
        r.requests = s.requests;
        r.throttled = s.throttled;
        rows.push_back(r);
    }
    return rows;
}

} // namespace mqtt
} // namespace ns3

#endif // MQTT_ACCOUNT_QUOTA_ROWS_H
