/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-broker-settings.h"

#include "mqtt-units.h"
#include "mqtt-utf8.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

namespace ns3
{
namespace mqtt
{

namespace
{

using P = MqttBrokerProfile;

std::string
Join(const std::vector<std::string>& items, const char* separator)
{
    std::string out;
    for (const std::string& item : items)
    {
        out += (out.empty() ? "" : separator) + item;
    }
    return out;
}

template<typename T>
MqttBrokerSetting
Integer(const char* key, T P::*field, const char* doc, uint64_t max = std::numeric_limits<T>::max())
{
    return {key,
            MqttSettingType::Integer,
            doc,
            "integer",
            "an integer from 0 to " + std::to_string(max),
            max,
            [field, max](P* p, const std::string& v)
            {
                std::optional<uint64_t> n = ParseCount(v, max);
                if (n)
                {
                    p->*field = static_cast<T>(*n);
                }
                return n.has_value();
            },
            [field](const P& p) { return std::to_string(static_cast<uint64_t>(p.*field)); }};
}

/** A QoS level, written as the integer 0, 1 or 2. */
MqttBrokerSetting
QosLevel(const char* key, Qos P::*field, const char* doc)
{
    return Integer(key, field, doc, 2);
}

MqttBrokerSetting
Number(const char* key, double P::*field, double min, double max, const char* what, const char* doc)
{
    return {key,
            MqttSettingType::Number,
            doc,
            "number",
            what,
            0,
            [=](P* p, const std::string& v)
            {
                double d = 0;
                auto r = std::from_chars(v.data(), v.data() + v.size(), d);
                if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size() ||
                    !std::isfinite(d) || d < min || d > max)
                {
                    return false;
                }
                p->*field = d;
                return true;
            },
            [field](const P& p) { return FormatNumber(p.*field); }};
}

MqttBrokerSetting
Rate(const char* key, double P::*field, const char* doc)
{
    return Number(key, field, 0, 1e9, "a rate per second >= 0", doc);
}

MqttBrokerSetting
Probability(const char* key, double P::*field, const char* doc)
{
    return Number(key, field, 0, 1, "a probability from 0 to 1", doc);
}

MqttBrokerSetting
Duration(const char* key, Nanos P::*field, const char* doc)
{
    return {key,
            MqttSettingType::Duration,
            doc,
            "duration",
            "a duration like 30s or 250ms",
            0,
            [field](P* p, const std::string& v)
            {
                std::optional<Nanos> d = ParseDuration(v);
                if (d)
                {
                    p->*field = *d;
                }
                return d.has_value();
            },
            [field](const P& p) { return FormatDuration(p.*field); }};
}

MqttBrokerSetting
Boolean(const char* key, bool P::*field, const char* doc)
{
    return {key,
            MqttSettingType::Boolean,
            doc,
            "true|false",
            "true or false",
            0,
            [field](P* p, const std::string& v)
            {
                if (v != "true" && v != "false")
                {
                    return false;
                }
                p->*field = v == "true";
                return true;
            },
            [field](const P& p) { return std::string(p.*field ? "true" : "false"); }};
}

template<typename E>
MqttBrokerSetting
Choice(const char* key, E P::*field, std::vector<std::pair<std::string, E>> names, const char* doc)
{
    std::vector<std::string> list;
    for (const auto& entry : names)
    {
        list.push_back(entry.first);
    }
    return {key,
            MqttSettingType::Choice,
            doc,
            Join(list, "|"),
            "one of " + Join(list, ", "),
            0,
            [field, names](P* p, const std::string& v)
            {
                for (const auto& [name, value] : names)
                {
                    if (v == name)
                    {
                        p->*field = value;
                        return true;
                    }
                }
                return false;
            },
            [field, names](const P& p)
            {
                for (const auto& [name, value] : names)
                {
                    if (p.*field == value)
                    {
                        return name;
                    }
                }
                return std::string();
            }};
}

MqttBrokerSetting
Text(const char* key, std::string P::*field, const char* doc)
{
    return {key,
            MqttSettingType::Text,
            doc,
            "text",
            "text",
            0,
            [field](P* p, const std::string& v)
            {
                p->*field = v;
                return true;
            },
            [field](const P& p) { return p.*field; }};
}

/** Comma-separated items, none empty ("" is the empty list). */
MqttBrokerSetting
List(const char* key, std::vector<std::string> P::*field, const char* doc)
{
    return {key,
            MqttSettingType::List,
            doc,
            "a,b,...",
            "comma-separated topic prefixes",
            0,
            [field](P* p, const std::string& v)
            {
                std::vector<std::string> items;
                std::size_t start = 0;
                while (!v.empty())
                {
                    std::size_t comma = v.find(',', start);
                    std::string item = v.substr(start, comma - start);
                    if (item.empty())
                    {
                        return false;
                    }
                    items.push_back(item);
                    if (comma == std::string::npos)
                    {
                        break;
                    }
                    start = comma + 1;
                }
                p->*field = items;
                return true;
            },
            [field](const P& p) { return Join(p.*field, ","); }};
}

/** A List whose items are "name=value" User Properties (a non-empty name, valid UTF-8). */
MqttBrokerSetting
UserPropertyList(const char* key, std::vector<std::string> P::*field, const char* doc)
{
    MqttBrokerSetting s = List(key, field, doc);
    s.hint = "name=value,...";
    s.expected = "comma-separated name=value pairs";
    s.parse = [field, list = s.parse](P* p, const std::string& v)
    {
        P read;
        if (!list(&read, v))
        {
            return false;
        }
        for (const std::string& item : read.*field)
        {
            const std::size_t eq = item.find('=');
            if (eq == 0 || eq == std::string::npos || CheckUtf8(item) != Utf8Status::Valid)
            {
                return false;
            }
        }
        p->*field = read.*field;
        return true;
    };
    return s;
}

void
AddConnectionSettings(std::vector<MqttBrokerSetting>& t)
{
    t.push_back(Duration(
        "connect-timeout", &P::connectTimeout, "time for CONNECT to arrive (0: no limit)"));
    t.push_back(Integer("max-packet-size", &P::maxPacketSize, "largest packet accepted"));
    t.push_back(
        Integer("max-client-id-length", &P::maxClientIdLength, "longest client id accepted"));
    t.push_back(
        Boolean("assign-client-ids", &P::assignClientIds, "assign an id to an empty client id"));
    t.push_back(Text(
        "assigned-client-id-prefix", &P::assignedClientIdPrefix, "prefix of assigned client ids"));
    t.push_back(Choice("takeover",
                       &P::takeover,
                       {{"close-existing", TakeoverPolicy::CloseExisting},
                        {"reject-new", TakeoverPolicy::RejectNew}},
                       "which connection a second CONNECT of a client id keeps"));
    t.push_back(
        Choice("takeover-will",
               &P::takeoverWill,
               {{"publish", TakeoverWillPolicy::Publish},
                {"discard", TakeoverWillPolicy::Discard},
                {"discard-on-resume", TakeoverWillPolicy::DiscardOnResume}},
               "the will of a connection taken over"));
    t.push_back(Duration("min-connect-interval",
                         &P::minConnectInterval,
                         "least time between CONNECTs of a client id (0: none)"));
    t.push_back(Integer("max-connected-clients",
                        &P::maxConnectedClients,
                        "clients connected at once, per account (0: no limit)"));
    t.push_back(Integer("max-account-subscriptions",
                        &P::maxAccountSubscriptions,
                        "subscriptions of the connected sessions at once, per account (0: no "
                        "limit)"));
}

void
AddKeepAliveAndQosSettings(std::vector<MqttBrokerSetting>& t)
{
    t.push_back(Number("keep-alive-factor",
                       &P::keepAliveFactor,
                       1,
                       100,
                       "a number from 1 to 100",
                       "close after this many keep-alive periods of silence"));
    t.push_back(Integer("keep-alive-when-zero",
                        &P::keepAliveWhenZero,
                        "keep-alive given to clients asking 0 (0: off)"));
    t.push_back(Integer("min-keep-alive", &P::minKeepAlive, "keep-alive clamped up to this"));
    t.push_back(Integer(
        "max-keep-alive", &P::maxKeepAlive, "keep-alive clamped down to this (0: no clamp)"));
    t.push_back(QosLevel("max-qos", &P::maxQos, "highest QoS granted and forwarded"));
    t.push_back(Choice("qos-request-policy",
                       &P::qosRequestPolicy,
                       {{"downgrade", QosRequestPolicy::Downgrade},
                        {"refuse", QosRequestPolicy::Refuse},
                        {"ignore", QosRequestPolicy::Ignore}},
                       "what a request above max-qos gets"));
    t.push_back(Integer("max-inflight-out",
                        &P::maxInflightOut,
                        "QoS 1/2 messages in flight to one client (0: no limit)"));
    t.push_back(Integer("max-inflight-in",
                        &P::maxInflightIn,
                        "unacknowledged QoS 1/2 publishes from one client (0: no limit)"));
}

void
AddSessionAndRetainSettings(std::vector<MqttBrokerSetting>& t)
{
    t.push_back(Integer(
        "max-queued-messages", &P::maxQueuedMessages, "messages queued per session (0: no limit)"));
    t.push_back(Choice("queue-drop-policy",
                       &P::queueDropPolicy,
                       {{"drop-newest", QueueDropPolicy::DropNewest},
                        {"drop-oldest", QueueDropPolicy::DropOldest}},
                       "which message a full queue drops"));
    t.push_back(Boolean(
        "queue-qos0-offline", &P::queueQos0Offline, "queue QoS 0 messages for offline sessions"));
    t.push_back(Duration("session-expiry",
                         &P::sessionExpiry,
                         "a disconnected session is discarded after this (0: never)"));
    t.push_back(Rate("offline-drain-rate",
                     &P::offlineDrainRate,
                     "stored messages sent per second after a reconnect (0: no limit)"));
    t.push_back(Choice("retain",
                       &P::retain,
                       {{"store", RetainPolicy::Store},
                        {"disconnect", RetainPolicy::Disconnect},
                        {"store-exact-match-only", RetainPolicy::StoreExactMatchOnly}},
                       "what a PUBLISH with RETAIN gets"));
    t.push_back(Integer(
        "max-retained-messages", &P::maxRetainedMessages, "retained messages held (0: no limit)"));
}

void
AddTopicAndSubscriptionSettings(std::vector<MqttBrokerSetting>& t)
{
    t.push_back(Integer("max-topic-length", &P::maxTopicLength, "longest topic in bytes"));
    t.push_back(
        Integer("max-topic-slashes", &P::maxTopicSlashes, "most '/' in a topic (0: no limit)"));
    t.push_back(
        Integer("max-payload-size", &P::maxPayloadSize, "largest PUBLISH payload (0: no limit)"));
    t.push_back(List("reserved-topic-prefixes",
                     &P::reservedTopicPrefixes,
                     "topic prefixes clients may not publish to"));
    t.push_back(Boolean(
        "wildcard-subscriptions", &P::wildcardSubscriptions, "allow filters with wildcards"));
    t.push_back(Boolean("close-on-control-characters",
                        &P::closeOnControlCharacters,
                        "close on U+0001..U+001F, U+007F..U+009F in topics and names"));
    t.push_back(Integer("max-filters-per-subscribe",
                        &P::maxFiltersPerSubscribe,
                        "filters in one SUBSCRIBE (0: no limit)"));
    t.push_back(Integer("max-subscriptions-per-session",
                        &P::maxSubscriptionsPerSession,
                        "subscriptions per session (0: no limit)"));
    t.push_back(Duration("subscription-delay",
                         &P::subscriptionDelay,
                         "mean delay before a new subscription receives messages"));
    t.push_back(Choice("subscription-delay-shape",
                       &P::subscriptionDelayShape,
                       {{"fixed", DelayShape::Fixed},
                        {"uniform", DelayShape::Uniform},
                        {"exponential", DelayShape::Exponential}},
                       "distribution of the subscription delay"));
    t.push_back(Duration("subscription-delay-spread",
                         &P::subscriptionDelaySpread,
                         "half-width of a uniform subscription delay"));
}

void
AddRateAndDeviationSettings(std::vector<MqttBrokerSetting>& t)
{
    t.push_back(Rate("max-publish-rate",
                     &P::maxPublishRate,
                     "inbound PUBLISH per second per connection (0: no limit)"));
    t.push_back(Number("max-inbound-bytes-rate",
                       &P::maxInboundBytesRate,
                       0,
                       1e12,
                       "a rate in bytes per second >= 0",
                       "inbound bytes per second per connection (0: no limit)"));
    t.push_back(Boolean("close-on-throttle",
                        &P::closeOnThrottle,
                        "close instead of discarding a PUBLISH over the rate"));
    t.push_back(Rate("account-connect-rate",
                     &P::accountConnectRate,
                     "CONNECT requests per second per account (0: no limit)"));
    t.push_back(Rate("account-publish-in-rate",
                     &P::accountPublishInRate,
                     "inbound PUBLISH per second per account (0: no limit)"));
    t.push_back(Rate("account-publish-out-rate",
                     &P::accountPublishOutRate,
                     "outbound PUBLISH (deliveries) per second per account (0: no limit)"));
    t.push_back(Rate("account-subscribe-rate",
                     &P::accountSubscribeRate,
                     "topic filters subscribed per second per account (0: no limit)"));
    t.push_back(Rate("account-queued-rate",
                     &P::accountQueuedRate,
                     "messages queued for offline sessions per second per account (0: no limit)"));
    t.push_back(Rate("account-retained-publish-rate",
                     &P::accountRetainedPublishRate,
                     "retained PUBLISH per second per account (0: no limit)"));
    t.push_back(Probability("qos0-duplicate-probability",
                            &P::qos0DuplicateProbability,
                            "chance a QoS 0 delivery is sent twice"));
    t.push_back(Probability("resend-new-packet-id-probability",
                            &P::resendNewPacketIdProbability,
                            "chance an acknowledged delivery is sent again with a new id"));
    t.push_back(Duration("reorder-jitter",
                         &P::reorderJitter,
                         "random delay bound that lets messages overtake (0: in order)"));
    t.push_back(Text("lifecycle-topic-prefix",
                     &P::lifecycleTopicPrefix,
                     "topic prefix of lifecycle events (\"\": off)"));
    t.push_back(QosLevel("lifecycle-qos", &P::lifecycleQos, "QoS of lifecycle events"));
}

/** A setting of the service model, read and printed by @p parse and @p format. */
MqttBrokerSetting
Quantity(std::string key,
         std::string doc,
         const char* hint,
         const char* expected,
         std::function<bool(P*, const std::string&)> parse,
         std::function<std::string(const P&)> format)
{
    return {std::move(key),
            MqttSettingType::Quantity,
            std::move(doc),
            hint,
            expected,
            0,
            std::move(parse),
            std::move(format)};
}

/** The service-* settings: cores, input limit, read-per, write-per, a cost per operation. */
void
AddServiceSettings(std::vector<MqttBrokerSetting>& t)
{
    constexpr uint64_t MAX_CORES = 4096;
    t.push_back({"service-cores",
                 MqttSettingType::Integer,
                 "cores of the simulated broker's CPU (0: no service model, infinitely fast)",
                 "integer",
                 "an integer from 0 to " + std::to_string(MAX_CORES),
                 MAX_CORES,
                 [](P* p, const std::string& v)
                 {
                     std::optional<uint64_t> n = ParseCount(v, MAX_CORES);
                     if (n)
                     {
                         p->service.cores = static_cast<uint32_t>(*n);
                     }
                     return n.has_value();
                 },
                 [](const P& p) { return std::to_string(p.service.cores); }});
    t.push_back(Quantity(
        "service-input-limit",
        "input bytes waiting for the cores above which reading stops (0: no bound)",
        "size",
        "a size like 4MiB or 65536",
        [](P* p, const std::string& v)
        {
            std::optional<uint64_t> n = ParseByteSize(v);
            if (n)
            {
                p->service.inputLimit = *n;
            }
            return n.has_value();
        },
        [](const P& p) { return FormatByteSize(p.service.inputLimit); }));
    t.push_back({"service-read-per",
                 MqttSettingType::Choice,
                 "what a turn reads of a connection and one `read` is charged for: up to 64 KiB "
                 "(turn: this project's broker) or one packet (packet: mosquitto)",
                 "turn|packet",
                 "one of turn, packet",
                 0,
                 [](P* p, const std::string& v)
                 {
                     if (v != "turn" && v != "packet")
                     {
                         return false;
                     }
                     p->service.readPer =
                         v == "turn" ? MqttServiceReadPer::Turn : MqttServiceReadPer::Packet;
                     return true;
                 },
                 [](const P& p) {
                     return std::string(p.service.readPer == MqttServiceReadPer::Turn ? "turn"
                                                                                     : "packet");
                 }});
    t.push_back({"service-write-per",
                 MqttSettingType::Choice,
                 "what one `write` is charged for: a connection's output per turn (turn: this "
                 "project's broker) or each outbound packet (packet: mosquitto)",
                 "turn|packet",
                 "one of turn, packet",
                 0,
                 [](P* p, const std::string& v)
                 {
                     if (v != "turn" && v != "packet")
                     {
                         return false;
                     }
                     p->service.writePer =
                         v == "turn" ? MqttServiceWritePer::Turn : MqttServiceWritePer::Packet;
                     return true;
                 },
                 [](const P& p) {
                     return std::string(p.service.writePer == MqttServiceWritePer::Turn ? "turn"
                                                                                       : "packet");
                 }});
    for (const std::string& name : MqttServiceOpNames())
    {
        MqttServiceOp op = *MqttServiceOpByName(name);
        t.push_back(Quantity(
            "service-cost-" + name,
            std::string("CPU time of ") + MqttServiceOpDoc(op),
            "cpu-time",
            "a CPU time like 3.5us or 0.4ns",
            [op](P* p, const std::string& v)
            {
                std::optional<Picos> c = ParseCpuCost(v);
                if (c)
                {
                    p->service.costs[op] = *c;
                }
                return c.has_value();
            },
            [op](const P& p) { return FormatCpuCost(p.service.costs[op]); }));
    }
}

/** memory-limit: the one budget of MqttMemoryBudget. */
void
AddMemorySettings(std::vector<MqttBrokerSetting>& t)
{
    t.push_back(Quantity(
        "memory-limit",
        "bytes held for peers (partial packets, messages, sessions, subscriptions; 0: no limit)",
        "size",
        "a size like 64MiB or 65536",
        [](P* p, const std::string& v)
        {
            std::optional<uint64_t> n = ParseByteSize(v);
            if (n)
            {
                p->memoryLimit = static_cast<std::size_t>(*n);
            }
            return n.has_value();
        },
        [](const P& p) { return FormatByteSize(p.memoryLimit); }));
}

/** The MQTT 5.0 fields (doc/mqtt5.md). */
void
AddMqtt5Settings(std::vector<MqttBrokerSetting>& t)
{
    t.push_back(Choice("protocol-version",
                       &P::protocolVersion,
                       {{"3.1.1", ProtocolVersion::Mqtt311}, {"5", ProtocolVersion::Mqtt5}},
                       "highest MQTT version spoken (5: each connection in its CONNECT's)"));
    MqttBrokerSetting receiveMaximum =
        Integer("receive-maximum",
                &P::receiveMaximum,
                "5.0: unacknowledged QoS 1/2 publishes a client may have (1 to 65535)");
    // 0 is not a Receive Maximum (section 3.2.2.3.3): refused like a value out of range.
    receiveMaximum.expected = "an integer from 1 to 65535";
    receiveMaximum.parse = [parse = receiveMaximum.parse](P* p, const std::string& v)
    { return v != "0" && ParseCount(v, 65535).value_or(0) != 0 && parse(p, v); };
    t.push_back(std::move(receiveMaximum));
    t.push_back(Integer("topic-alias-maximum",
                        &P::topicAliasMaximum,
                        "5.0: topic aliases a client may set (0: none)"));
    t.push_back(Integer("outbound-topic-aliases",
                        &P::outboundTopicAliases,
                        "5.0: topic aliases the broker uses towards a client (0: none)"));
    t.push_back(Integer("max-session-expiry-interval",
                        &P::maxSessionExpiryInterval,
                        "5.0: longest Session Expiry Interval granted, seconds"));
    t.push_back(Integer("max-message-expiry-interval",
                        &P::maxMessageExpiryInterval,
                        "5.0: longest Message Expiry Interval kept, seconds (0: as asked)"));
    t.push_back(Boolean("subscription-identifiers",
                        &P::subscriptionIdentifiers,
                        "5.0: Subscription Identifiers accepted"));
    t.push_back(Boolean("shared-subscriptions",
                        &P::sharedSubscriptions,
                        "5.0: $share/NAME/FILTER subscriptions accepted"));
    t.push_back(Choice("shared-subscription-policy",
                       &P::sharedSubscriptionPolicy,
                       {{"round-robin", SharedSubscriptionPolicy::RoundRobin},
                        {"random", SharedSubscriptionPolicy::Random}},
                       "5.0: which member of a shared group gets a message"));
    t.push_back(Text("response-information-prefix",
                     &P::responseInformationPrefix,
                     "5.0: Response Information is this and the client id (\"\": none)"));
    t.push_back(Boolean("reason-strings",
                        &P::reasonStrings,
                        "5.0: Reason Strings on the broker's failure codes"));
    t.push_back(Boolean("enhanced-authentication",
                        &P::enhancedAuthentication,
                        "5.0: AUTH with the registered methods (false: CONNACK 0x8C)"));
    t.push_back(UserPropertyList(
        "ack-user-properties",
        &P::ackUserProperties,
        "5.0: User Properties (name=value) on the broker's acknowledgements"));
}

std::vector<MqttBrokerSetting>
MakeTable()
{
    std::vector<MqttBrokerSetting> table;
    AddConnectionSettings(table);
    AddKeepAliveAndQosSettings(table);
    AddSessionAndRetainSettings(table);
    AddMemorySettings(table);
    AddTopicAndSubscriptionSettings(table);
    AddServiceSettings(table);
    AddRateAndDeviationSettings(table);
    AddMqtt5Settings(table);
    return table;
}

} // namespace

std::string
MqttSettingError::ToString() const
{
    if (unknownKey)
    {
        return "unknown broker setting '" + key + "' (" + problem + ")";
    }
    return "broker setting '" + key + "': " + problem;
}

const std::vector<MqttBrokerSetting>&
MqttBrokerSettings::All()
{
    static const std::vector<MqttBrokerSetting> TABLE = MakeTable();
    return TABLE;
}

const MqttBrokerSetting*
MqttBrokerSettings::Find(const std::string& key)
{
    for (const MqttBrokerSetting& setting : All())
    {
        if (setting.key == key)
        {
            return &setting;
        }
    }
    return nullptr;
}

std::vector<std::string>
MqttBrokerSettings::Keys()
{
    std::vector<std::string> keys;
    for (const MqttBrokerSetting& setting : All())
    {
        keys.push_back(setting.key);
    }
    return keys;
}

std::optional<MqttSettingError>
MqttBrokerSettings::Apply(MqttBrokerProfile* profile,
                          const std::string& key,
                          const std::string& value)
{
    const MqttBrokerSetting* setting = Find(key);
    if (!setting)
    {
        return MqttSettingError{key, value, true, "known: " + Join(Keys(), ", ")};
    }
    if (!setting->parse(profile, value))
    {
        return MqttSettingError{
            key, value, false, "expected " + setting->expected + ", got '" + value + "'"};
    }
    return std::nullopt;
}

std::optional<MqttSettingError>
MqttBrokerSettings::ApplyAssignment(MqttBrokerProfile* profile, const std::string& assignment)
{
    std::size_t equals = assignment.find('=');
    if (equals == std::string::npos)
    {
        return MqttSettingError{
            assignment, "", false, "expected KEY=VALUE, got '" + assignment + "'"};
    }
    return Apply(profile, assignment.substr(0, equals), assignment.substr(equals + 1));
}

std::string
MqttBrokerSettings::Describe(const MqttBrokerProfile& profile)
{
    std::string out;
    for (const MqttBrokerSetting& setting : All())
    {
        out += "  " + setting.key + " <" + setting.hint + ">\n      " + setting.doc + " (" +
               profile.name + ": '" + setting.format(profile) + "')\n";
    }
    return out;
}

} // namespace mqtt
} // namespace ns3
