/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What a 5.0 CONNACK says the broker cannot take, kept by the client before it sends a
 * SUBSCRIBE: Wildcard Subscription Available 0 (3.2.2.3.12), Subscription Identifier Available 0
 * (3.2.2.3.13) and Shared Subscription Available 0 (3.2.2.3.14), each of which makes such a
 * SUBSCRIBE a Protocol Error at the broker (DISCONNECT 0xA2, 0xA1, 0x9E). The standard numbers
 * no statement for the client here; the PUBLISH limits (Maximum QoS [MQTT5-3.2.2-11], Retain
 * Available [MQTT5-3.2.2-14]) are kept in mqtt-client-v5-publish.cc (Admit5).
 */
#include "mqtt-client-engine-impl.h"

#include "mqtt-codec-impl.h"

namespace ns3
{
namespace mqtt
{

bool
MqttClientEngine::Impl::AdmitSubscribe5(Request& request, MqttActions& out)
{
    const Mqtt5ServerLimits& server = m_v5.server;
    const bool identifier = request.properties.Has(PropertyId::SubscriptionIdentifier);
    std::vector<TopicRequest> admitted;
    for (auto& topic : request.topics)
    {
        ReasonCode refused = ReasonCode::Success;
        if (identifier && !server.subscriptionIdentifierAvailable)
        {
            refused = ReasonCode::SubscriptionIdentifiersNotSupported;
        }
        else if (!server.sharedSubscriptionAvailable && wire::IsSharedSubscription(topic.filter))
        {
            refused = ReasonCode::SharedSubscriptionsNotSupported;
        }
        else if (!server.wildcardSubscriptionAvailable &&
                 topic.filter.find_first_of("+#") != std::string::npos)
        {
            refused = ReasonCode::WildcardSubscriptionsNotSupported;
        }
        if (refused == ReasonCode::Success)
        {
            admitted.push_back(std::move(topic));
            continue;
        }
        // Refused here, with the code the broker would give: nothing goes out for it.
        MqttEvent& event = Notify(EventType::SubscriptionDenied, out);
        event.topic = topic.filter;
        event.code = static_cast<uint8_t>(refused);
    }
    request.topics = std::move(admitted);
    return !request.topics.empty();
}

} // namespace mqtt
} // namespace ns3
