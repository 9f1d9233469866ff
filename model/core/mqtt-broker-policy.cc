/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker's decisions as pure functions (see the header; choices the specification leaves
 * open: doc/broker-engine.md).
 */
#include "mqtt-broker-policy.h"

#include "mqtt-message.h"
#include "mqtt-retained-store.h"
#include "mqtt-utf8.h"

#include <algorithm>
#include <cmath>

namespace ns3
{
namespace mqtt
{

namespace
{

bool
IsAlphanumeric(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool
HasWildcard(std::string_view filter)
{
    return filter.find_first_of("+#") != std::string_view::npos;
}

std::size_t
SlashCount(std::string_view topic)
{
    return static_cast<std::size_t>(std::count(topic.begin(), topic.end(), '/'));
}

bool
Exceeds(Qos requested, Qos limit)
{
    return static_cast<uint8_t>(requested) > static_cast<uint8_t>(limit);
}

} // namespace

Qos
MinQos(Qos a, Qos b)
{
    return static_cast<uint8_t>(a) < static_cast<uint8_t>(b) ? a : b;
}

bool
IsAlwaysAcceptedClientId(const std::string& id)
{
    return !id.empty() && id.size() <= ALWAYS_ACCEPTED_ID_LENGTH &&
           std::all_of(id.begin(), id.end(), IsAlphanumeric);
}

ClientIdVerdict
ClientIdPolicy(const MqttBrokerProfile& profile, const std::string& clientId, bool cleanSession)
{
    if (clientId.empty())
    {
        // [MQTT-3.1.3-8]: a zero-length id needs CleanSession=1; [MQTT-3.1.3-6]: the broker
        // assigns a unique one, or rejects it when the profile does not [MQTT-3.1.3-9].
        return cleanSession && profile.assignClientIds ? ClientIdVerdict::Assign
                                                       : ClientIdVerdict::Reject;
    }
    if (clientId.size() > profile.maxClientIdLength && !IsAlwaysAcceptedClientId(clientId))
    {
        return ClientIdVerdict::Reject;
    }
    if (RefusesControlCharacters(profile, clientId))
    {
        return ClientIdVerdict::Reject; // [MQTT-3.1.3-9]: CONNACK 0x02, then close
    }
    return ClientIdVerdict::Accept;
}

bool
RefusesRetain(const MqttBrokerProfile& profile, bool retain)
{
    return retain && profile.retain == RetainPolicy::Disconnect;
}

std::optional<ReasonCode>
WillRefusal5(const MqttBrokerProfile& profile, const Will& will)
{
    if (static_cast<uint8_t>(will.qos) > static_cast<uint8_t>(profile.maxQos))
    {
        return ReasonCode::QosNotSupported;
    }
    if (RefusesRetain(profile, will.retain))
    {
        return ReasonCode::RetainNotSupported;
    }
    return std::nullopt;
}

bool
RefusesTakeover(const MqttBrokerProfile& profile, bool idConnected)
{
    return idConnected && profile.takeover == TakeoverPolicy::RejectNew;
}

bool
TakeoverPublishesWill(const MqttBrokerProfile& profile, bool resumes)
{
    switch (profile.takeoverWill)
    {
    case TakeoverWillPolicy::Publish:
        return true;
    case TakeoverWillPolicy::Discard:
        return false;
    case TakeoverWillPolicy::DiscardOnResume:
        return !resumes;
    }
    return true;
}

bool
RefusesControlCharacters(const MqttBrokerProfile& profile, std::string_view text)
{
    return profile.closeOnControlCharacters && HasControlCharacter(text);
}

bool
ConnectionSlotsFull(const MqttBrokerProfile& profile, std::size_t connectedClients, bool takesOver)
{
    std::size_t connected = connectedClients - (takesOver ? 1 : 0);
    return profile.maxConnectedClients != 0 && connected >= profile.maxConnectedClients;
}

bool
ResumesStoredSession(bool cleanSessionRequested, bool storedIsClean)
{
    return !cleanSessionRequested && !storedIsClean;
}

CloseReason
RefusalCloseReason(ConnectReturnCode code)
{
    return (code == ConnectReturnCode::BadUserNameOrPassword ||
            code == ConnectReturnCode::NotAuthorized)
               ? CloseReason::AuthFailure
               : CloseReason::ConnectRefused;
}

uint16_t
EffectiveKeepAlive(const MqttBrokerProfile& profile, uint16_t requested)
{
    uint16_t keepAlive = requested == 0 ? profile.keepAliveWhenZero : requested;
    if (keepAlive == 0)
    {
        return 0;
    }
    if (profile.minKeepAlive != 0 && keepAlive < profile.minKeepAlive)
    {
        keepAlive = profile.minKeepAlive;
    }
    if (profile.maxKeepAlive != 0 && keepAlive > profile.maxKeepAlive)
    {
        keepAlive = profile.maxKeepAlive;
    }
    return keepAlive;
}

Nanos
KeepAlivePeriod(const MqttBrokerProfile& profile, uint16_t keepAliveSeconds)
{
    return Nanos(static_cast<Nanos::rep>(
        std::llround(profile.keepAliveFactor * static_cast<double>(keepAliveSeconds) * 1e9)));
}

std::optional<Qos>
GrantedQos(const MqttBrokerProfile& profile, Qos requested)
{
    if (!Exceeds(requested, profile.maxQos))
    {
        return requested;
    }
    switch (profile.qosRequestPolicy)
    {
    case QosRequestPolicy::Downgrade:
        return profile.maxQos; // a server may grant less than asked (section 3.9.3)
    case QosRequestPolicy::Refuse:
    case QosRequestPolicy::Ignore:
        break;
    }
    return std::nullopt;
}

Qos
DeliveryQos(Qos messageQos, Qos subscriptionQos)
{
    return MinQos(messageQos, subscriptionQos);
}

DropReason
PublishLimitsVerdict(const MqttBrokerProfile& profile,
                     std::string_view topic,
                     std::size_t payloadSize)
{
    if (topic.size() > profile.maxTopicLength ||
        (profile.maxTopicSlashes != 0 && SlashCount(topic) > profile.maxTopicSlashes))
    {
        return DropReason::TopicRejected;
    }
    for (const std::string& prefix : profile.reservedTopicPrefixes)
    {
        if (topic.substr(0, prefix.size()) == prefix)
        {
            return DropReason::TopicRejected;
        }
    }
    if (profile.maxPayloadSize != 0 && payloadSize > profile.maxPayloadSize)
    {
        return DropReason::PayloadTooLarge;
    }
    return DropReason::None;
}

bool
FilterWithinLimits(const MqttBrokerProfile& profile, std::string_view filter)
{
    return filter.size() <= profile.maxTopicLength &&
           (profile.maxTopicSlashes == 0 || SlashCount(filter) <= profile.maxTopicSlashes);
}

bool
InboundWindowFull(const MqttBrokerProfile& profile, Qos qos, std::size_t heldAcks)
{
    return qos != Qos::AtMostOnce && profile.maxInflightIn != 0 &&
           heldAcks >= profile.maxInflightIn;
}

RetainedVerdict
RetainedPolicy(const MqttBrokerProfile& profile,
               const MqttRetainedStore& store,
               const MqttMessage& message)
{
    if (!message.retain || profile.retain == RetainPolicy::Disconnect)
    {
        return RetainedVerdict::Leave;
    }
    if (message.payload.empty())
    {
        return RetainedVerdict::Delete;
    }
    if (profile.maxRetainedMessages != 0 && store.Size() >= profile.maxRetainedMessages &&
        store.Find(message.topic) == nullptr)
    {
        return RetainedVerdict::Full;
    }
    return RetainedVerdict::Store;
}

bool
SendsRetained(const MqttBrokerProfile& profile, std::string_view filter, std::string_view topic)
{
    switch (profile.retain)
    {
    case RetainPolicy::Store:
        return true;
    case RetainPolicy::Disconnect:
        return false;
    case RetainPolicy::StoreExactMatchOnly:
        return topic == filter;
    }
    return true;
}

bool
TooManyFilters(const MqttBrokerProfile& profile, std::size_t filterCount)
{
    return profile.maxFiltersPerSubscribe != 0 && filterCount > profile.maxFiltersPerSubscribe;
}

bool
IgnoresSubscribe(const MqttBrokerProfile& profile, const std::vector<TopicRequest>& topics)
{
    return profile.qosRequestPolicy == QosRequestPolicy::Ignore &&
           std::any_of(topics.begin(),
                       topics.end(),
                       [&profile](const TopicRequest& req)
                       { return Exceeds(req.qos, profile.maxQos); });
}

bool
FilterAllowed(const MqttBrokerProfile& profile, std::string_view filter)
{
    if (!profile.wildcardSubscriptions && HasWildcard(filter))
    {
        return false; // [MQTT-3.8.3-2]
    }
    return FilterWithinLimits(profile, filter);
}

bool
SubscriptionsFull(const MqttBrokerProfile& profile, std::size_t held, bool replaces)
{
    return profile.maxSubscriptionsPerSession != 0 && !replaces &&
           held >= profile.maxSubscriptionsPerSession;
}

bool
QueuesOffline(const MqttBrokerProfile& profile, Qos qos)
{
    return qos != Qos::AtMostOnce || profile.queueQos0Offline;
}

QueueVerdict
QueuePolicy(const MqttBrokerProfile& profile, std::size_t queued)
{
    if (profile.maxQueuedMessages == 0 || queued < profile.maxQueuedMessages)
    {
        return QueueVerdict::Append;
    }
    return profile.queueDropPolicy == QueueDropPolicy::DropNewest ? QueueVerdict::DropNewest
                                                                  : QueueVerdict::DropOldest;
}

} // namespace mqtt
} // namespace ns3
