/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-profile-overrides.h"

#include "mqtt-units.h"

#include <charconv>
#include <cmath>
#include <functional>
#include <limits>

namespace ns3
{
namespace mqtt
{

namespace
{

using Setter = std::function<std::string(MqttBrokerProfile*, const std::string&)>;

struct Entry
{
    const char* key;
    Setter set;
};

std::string
Got(const std::string& expected, const std::string& value)
{
    return "expected " + expected + ", got '" + value + "'";
}

template<typename T>
Setter
Unsigned(T MqttBrokerProfile::*field)
{
    return [field](MqttBrokerProfile* p, const std::string& v) -> std::string
    {
        uint64_t n = 0;
        auto r = std::from_chars(v.data(), v.data() + v.size(), n);
        if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size() ||
            n > std::numeric_limits<T>::max())
        {
            return Got("an integer from 0 to " + std::to_string(std::numeric_limits<T>::max()), v);
        }
        p->*field = static_cast<T>(n);
        return "";
    };
}

Setter
Real(double MqttBrokerProfile::*field, double min, double max, const std::string& what)
{
    return [=](MqttBrokerProfile* p, const std::string& v) -> std::string
    {
        double d = 0;
        auto r = std::from_chars(v.data(), v.data() + v.size(), d);
        if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size() || !std::isfinite(d) ||
            d < min || d > max)
        {
            return Got(what, v);
        }
        p->*field = d;
        return "";
    };
}

Setter
Duration(Nanos MqttBrokerProfile::*field)
{
    return [field](MqttBrokerProfile* p, const std::string& v) -> std::string
    {
        auto d = ParseDuration(v);
        if (!d)
        {
            return Got("a duration like 30s or 250ms", v);
        }
        p->*field = *d;
        return "";
    };
}

Setter
Bool(bool MqttBrokerProfile::*field)
{
    return [field](MqttBrokerProfile* p, const std::string& v) -> std::string
    {
        if (v != "true" && v != "false")
        {
            return Got("true or false", v);
        }
        p->*field = v == "true";
        return "";
    };
}

Setter
Text(std::string MqttBrokerProfile::*field)
{
    return [field](MqttBrokerProfile* p, const std::string& v) -> std::string
    {
        p->*field = v;
        return "";
    };
}

template<typename E>
Setter
Enum(E MqttBrokerProfile::*field, std::vector<std::pair<const char*, E>> names)
{
    return [field, names](MqttBrokerProfile* p, const std::string& v) -> std::string
    {
        std::string list;
        for (const auto& [name, value] : names)
        {
            if (v == name)
            {
                p->*field = value;
                return "";
            }
            list += (list.empty() ? "" : ", ") + std::string(name);
        }
        return Got("one of " + list, v);
    };
}

const std::vector<Entry>&
Table()
{
    using P = MqttBrokerProfile;
    static const std::vector<Entry> TABLE = {
        {"connect-timeout", Duration(&P::connectTimeout)},
        {"max-packet-size", Unsigned(&P::maxPacketSize)},
        {"max-client-id-length", Unsigned(&P::maxClientIdLength)},
        {"assign-client-ids", Bool(&P::assignClientIds)},
        {"assigned-client-id-prefix", Text(&P::assignedClientIdPrefix)},
        {"takeover",
         Enum(&P::takeover,
              {{"close-existing", TakeoverPolicy::CloseExisting},
               {"reject-new", TakeoverPolicy::RejectNew}})},
        {"takeover-will",
         Enum(
             &P::takeoverWill,
             {{"publish", TakeoverWillPolicy::Publish}, {"discard", TakeoverWillPolicy::Discard}})},
        {"min-connect-interval", Duration(&P::minConnectInterval)},
        {"max-connected-clients", Unsigned(&P::maxConnectedClients)},
        {"keep-alive-factor", Real(&P::keepAliveFactor, 1, 100, "a number from 1 to 100")},
        {"keep-alive-when-zero", Unsigned(&P::keepAliveWhenZero)},
        {"min-keep-alive", Unsigned(&P::minKeepAlive)},
        {"max-keep-alive", Unsigned(&P::maxKeepAlive)},
        {"max-qos",
         Enum(&P::maxQos,
              {{"0", Qos::AtMostOnce}, {"1", Qos::AtLeastOnce}, {"2", Qos::ExactlyOnce}})},
        {"qos-request-policy",
         Enum(&P::qosRequestPolicy,
              {{"downgrade", QosRequestPolicy::Downgrade},
               {"refuse", QosRequestPolicy::Refuse},
               {"ignore", QosRequestPolicy::Ignore}})},
        {"max-inflight-out", Unsigned(&P::maxInflightOut)},
        {"max-inflight-in", Unsigned(&P::maxInflightIn)},
        {"max-queued-messages", Unsigned(&P::maxQueuedMessages)},
        {"queue-drop-policy",
         Enum(&P::queueDropPolicy,
              {{"drop-newest", QueueDropPolicy::DropNewest},
               {"drop-oldest", QueueDropPolicy::DropOldest}})},
        {"queue-qos0-offline", Bool(&P::queueQos0Offline)},
        {"session-expiry", Duration(&P::sessionExpiry)},
        {"offline-drain-rate", Real(&P::offlineDrainRate, 0, 1e9, "a rate per second >= 0")},
        {"retain",
         Enum(&P::retain,
              {{"store", RetainPolicy::Store},
               {"disconnect", RetainPolicy::Disconnect},
               {"store-exact-match-only", RetainPolicy::StoreExactMatchOnly}})},
        {"max-retained-messages", Unsigned(&P::maxRetainedMessages)},
        {"max-topic-length", Unsigned(&P::maxTopicLength)},
        {"max-topic-slashes", Unsigned(&P::maxTopicSlashes)},
        {"max-payload-size", Unsigned(&P::maxPayloadSize)},
        {"reserved-topic-prefixes",
         [](P* p, const std::string& v) -> std::string
         {
             // Comma-separated, e.g. "$aws/,$sys/".
             p->reservedTopicPrefixes.clear();
             std::size_t start = 0;
             while (start <= v.size() && !v.empty())
             {
                 std::size_t comma = v.find(',', start);
                 std::string item = v.substr(
                     start, comma == std::string::npos ? std::string::npos : comma - start);
                 if (item.empty())
                 {
                     return Got("comma-separated topic prefixes", v);
                 }
                 p->reservedTopicPrefixes.push_back(item);
                 if (comma == std::string::npos)
                 {
                     break;
                 }
                 start = comma + 1;
             }
             return "";
         }},
        {"wildcard-subscriptions", Bool(&P::wildcardSubscriptions)},
        {"max-filters-per-subscribe", Unsigned(&P::maxFiltersPerSubscribe)},
        {"max-subscriptions-per-session", Unsigned(&P::maxSubscriptionsPerSession)},
        {"subscription-delay", Duration(&P::subscriptionDelay)},
        {"subscription-delay-shape",
         Enum(&P::subscriptionDelayShape,
              {{"fixed", DelayShape::Fixed},
               {"uniform", DelayShape::Uniform},
               {"exponential", DelayShape::Exponential}})},
        {"subscription-delay-spread", Duration(&P::subscriptionDelaySpread)},
        {"max-publish-rate", Real(&P::maxPublishRate, 0, 1e9, "a rate per second >= 0")},
        {"max-inbound-bytes-rate",
         Real(&P::maxInboundBytesRate, 0, 1e12, "a rate in bytes per second >= 0")},
        {"close-on-throttle", Bool(&P::closeOnThrottle)},
        {"qos0-duplicate-probability",
         Real(&P::qos0DuplicateProbability, 0, 1, "a probability from 0 to 1")},
        {"resend-new-packet-id-probability",
         Real(&P::resendNewPacketIdProbability, 0, 1, "a probability from 0 to 1")},
        {"reorder-jitter", Duration(&P::reorderJitter)},
        {"lifecycle-topic-prefix", Text(&P::lifecycleTopicPrefix)},
        {"lifecycle-qos",
         Enum(&P::lifecycleQos,
              {{"0", Qos::AtMostOnce}, {"1", Qos::AtLeastOnce}, {"2", Qos::ExactlyOnce}})},
    };
    return TABLE;
}

} // namespace

std::vector<std::string>
ProfileOverrideKeys()
{
    std::vector<std::string> keys;
    for (const Entry& e : Table())
    {
        keys.push_back(e.key);
    }
    return keys;
}

std::string
ApplyProfileOverride(MqttBrokerProfile* profile, const std::string& key, const std::string& value)
{
    for (const Entry& e : Table())
    {
        if (key == e.key)
        {
            return e.set(profile, value);
        }
    }
    std::string list;
    for (const Entry& e : Table())
    {
        list += (list.empty() ? "" : ", ") + std::string(e.key);
    }
    return "unknown field (expected one of: " + list + ")";
}

} // namespace mqtt
} // namespace ns3
