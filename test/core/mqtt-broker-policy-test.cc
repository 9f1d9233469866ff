/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker's policies (mqtt-broker-policy.h), each alone: a profile and the facts in, the exact
 * decision out. The byte-script tests (mqtt-broker-NN-*-test.cc) check that the engine applies
 * them.
 */
#include "mqtt-broker-policy.h"
#include "mqtt-message.h"
#include "mqtt-retained-store.h"

#include <gtest/gtest.h>

#include <memory>

using namespace ns3::mqtt;
using namespace std::chrono_literals;

namespace
{

MqttBrokerProfile
Standard()
{
    return MqttBrokerProfile::Standard311();
}

MqttMessagePtr
Message(const std::string& topic, const std::string& payload, bool retain)
{
    auto m = std::make_shared<MqttMessage>();
    m->topic = topic;
    m->payload.assign(payload.begin(), payload.end());
    m->qos = Qos::AtLeastOnce;
    m->retain = retain;
    return m;
}

} // namespace

// --- CONNECT ---------------------------------------------------------------------------------

TEST(BrokerPolicy, ShortAlphanumericIdsAreAlwaysAccepted) // [MQTT-3.1.3-5]
{
    EXPECT_TRUE(IsAlwaysAcceptedClientId("a"));
    EXPECT_TRUE(IsAlwaysAcceptedClientId("Az09Az09Az09Az09Az09Az0"));   // 23 bytes
    EXPECT_FALSE(IsAlwaysAcceptedClientId("Az09Az09Az09Az09Az09Az09")); // 24 bytes
    EXPECT_FALSE(IsAlwaysAcceptedClientId(""));
    EXPECT_FALSE(IsAlwaysAcceptedClientId("dev-1"));
    EXPECT_FALSE(IsAlwaysAcceptedClientId("dev 1"));

    MqttBrokerProfile p = Standard();
    p.maxClientIdLength = 4;
    EXPECT_EQ(ClientIdPolicy(p, "abcdefgh", true), ClientIdVerdict::Accept); // [MQTT-3.1.3-5]
    EXPECT_EQ(ClientIdPolicy(p, "ab-d", true), ClientIdVerdict::Accept);
    EXPECT_EQ(ClientIdPolicy(p, "ab-de", true), ClientIdVerdict::Reject); // [MQTT-3.1.3-9]
}

TEST(BrokerPolicy, ZeroLengthIdIsAssignedOnlyWithCleanSession) // [MQTT-3.1.3-6], [MQTT-3.1.3-8]
{
    MqttBrokerProfile p = Standard();
    EXPECT_EQ(ClientIdPolicy(p, "", true), ClientIdVerdict::Assign);
    EXPECT_EQ(ClientIdPolicy(p, "", false), ClientIdVerdict::Reject);
    p.assignClientIds = false;
    EXPECT_EQ(ClientIdPolicy(p, "", true), ClientIdVerdict::Reject); // [MQTT-3.1.3-9]
    EXPECT_EQ(ClientIdPolicy(p, "c", false), ClientIdVerdict::Accept);
}

TEST(BrokerPolicy, RetainRequestsEndTheConnectionOnlyUnderDisconnect)
{
    MqttBrokerProfile p = Standard();
    EXPECT_FALSE(RefusesRetain(p, true));
    p.retain = RetainPolicy::StoreExactMatchOnly;
    EXPECT_FALSE(RefusesRetain(p, true));
    p.retain = RetainPolicy::Disconnect;
    EXPECT_TRUE(RefusesRetain(p, true));
    EXPECT_FALSE(RefusesRetain(p, false));
}

TEST(BrokerPolicy, WillRefusal5NamesTheCapabilityTheWillAsksBeyond)
{
    // [MQTT5-3.2.2-12] [MQTT5-3.2.2-13]: QoS beyond Maximum QoS 0x9B, retain without it 0x9A.
    MqttBrokerProfile p = Standard();
    Will will{"w", {'x'}, Qos::ExactlyOnce, true};
    EXPECT_EQ(WillRefusal5(p, will), std::nullopt);
    p.maxQos = Qos::AtLeastOnce;
    EXPECT_EQ(WillRefusal5(p, will), ReasonCode::QosNotSupported);
    will.qos = Qos::AtLeastOnce;
    EXPECT_EQ(WillRefusal5(p, will), std::nullopt);
    p.retain = RetainPolicy::Disconnect;
    EXPECT_EQ(WillRefusal5(p, will), ReasonCode::RetainNotSupported);
    will.retain = false;
    EXPECT_EQ(WillRefusal5(p, will), std::nullopt);
}

TEST(BrokerPolicy, TakeoverClosesTheExistingConnectionByDefault) // [MQTT-3.1.4-2]
{
    MqttBrokerProfile p = Standard();
    EXPECT_FALSE(RefusesTakeover(p, true));
    EXPECT_TRUE(TakeoverPublishesWill(p, false));
    EXPECT_TRUE(TakeoverPublishesWill(p, true)); // [MQTT-3.1.2-8]
    p.takeover = TakeoverPolicy::RejectNew;
    EXPECT_TRUE(RefusesTakeover(p, true));
    EXPECT_FALSE(RefusesTakeover(p, false));
    p.takeoverWill = TakeoverWillPolicy::Discard;
    EXPECT_FALSE(TakeoverPublishesWill(p, false));
    EXPECT_FALSE(TakeoverPublishesWill(p, true));
    p.takeoverWill = TakeoverWillPolicy::DiscardOnResume;
    EXPECT_TRUE(TakeoverPublishesWill(p, false));
    EXPECT_FALSE(TakeoverPublishesWill(p, true));
}

TEST(BrokerPolicy, ControlCharactersAreRefusedOnlyByAStrictProfile) // section 1.5.3
{
    MqttBrokerProfile p = Standard();
    EXPECT_TRUE(RefusesControlCharacters(p, "a\x1f"));
    EXPECT_FALSE(RefusesControlCharacters(p, "a/b"));
    EXPECT_EQ(ClientIdPolicy(p, "dev\x7f", true), ClientIdVerdict::Reject); // [MQTT-3.1.3-9]
    p.closeOnControlCharacters = false;
    EXPECT_FALSE(RefusesControlCharacters(p, "a\x1f"));
    EXPECT_EQ(ClientIdPolicy(p, "dev\x7f", true), ClientIdVerdict::Accept);
}

TEST(BrokerPolicy, ConnectionSlotsCountATakeoverAsFree)
{
    MqttBrokerProfile p = Standard();
    EXPECT_FALSE(ConnectionSlotsFull(p, 1000000, false)); // 0: no bound
    p.maxConnectedClients = 2;
    EXPECT_FALSE(ConnectionSlotsFull(p, 1, false));
    EXPECT_TRUE(ConnectionSlotsFull(p, 2, false));
    EXPECT_FALSE(ConnectionSlotsFull(p, 2, true));
    EXPECT_TRUE(ConnectionSlotsFull(p, 3, true));
}

TEST(BrokerPolicy, StoredSessionResumedOnlyWhenNeitherSideIsClean) // [MQTT-3.1.2-4], [MQTT-3.1.2-6]
{
    EXPECT_TRUE(ResumesStoredSession(false, false));
    EXPECT_FALSE(ResumesStoredSession(true, false));
    EXPECT_FALSE(ResumesStoredSession(false, true));
    EXPECT_FALSE(ResumesStoredSession(true, true));
}

TEST(BrokerPolicy, CredentialRefusalsCloseAsAuthFailure)
{
    EXPECT_EQ(RefusalCloseReason(ConnectReturnCode::BadUserNameOrPassword),
              CloseReason::AuthFailure);
    EXPECT_EQ(RefusalCloseReason(ConnectReturnCode::NotAuthorized), CloseReason::AuthFailure);
    EXPECT_EQ(RefusalCloseReason(ConnectReturnCode::IdentifierRejected),
              CloseReason::ConnectRefused);
    EXPECT_EQ(RefusalCloseReason(ConnectReturnCode::ServerUnavailable),
              CloseReason::ConnectRefused);
    EXPECT_EQ(RefusalCloseReason(ConnectReturnCode::UnacceptableProtocolVersion),
              CloseReason::ConnectRefused);
}

TEST(BrokerPolicy, KeepAliveSubstitutesZeroThenClamps)
{
    MqttBrokerProfile p = Standard();
    EXPECT_EQ(EffectiveKeepAlive(p, 0), 0);
    EXPECT_EQ(EffectiveKeepAlive(p, 7), 7);
    p.keepAliveWhenZero = 1200;
    p.minKeepAlive = 30;
    p.maxKeepAlive = 1200;
    EXPECT_EQ(EffectiveKeepAlive(p, 0), 1200);
    EXPECT_EQ(EffectiveKeepAlive(p, 5), 30);
    EXPECT_EQ(EffectiveKeepAlive(p, 60), 60);
    EXPECT_EQ(EffectiveKeepAlive(p, 65535), 1200);
    p.keepAliveWhenZero = 0;
    EXPECT_EQ(EffectiveKeepAlive(p, 0), 0); // off stays off whatever the clamp
}

TEST(BrokerPolicy, KeepAlivePeriodIsOneAndAHalfTimes) // [MQTT-3.1.2-24]
{
    MqttBrokerProfile p = Standard();
    EXPECT_EQ(KeepAlivePeriod(p, 60), Nanos(90s));
    EXPECT_EQ(KeepAlivePeriod(p, 1), Nanos(1500ms));
    EXPECT_EQ(KeepAlivePeriod(p, 0), Nanos(0));
    p.keepAliveFactor = 2.0;
    EXPECT_EQ(KeepAlivePeriod(p, 65535), Nanos(131070s));
}

// --- QoS -------------------------------------------------------------------------------------

TEST(BrokerPolicy, GrantedQosFollowsTheRequestPolicy)
{
    MqttBrokerProfile p = Standard();
    EXPECT_EQ(GrantedQos(p, Qos::ExactlyOnce), Qos::ExactlyOnce);
    p.maxQos = Qos::AtLeastOnce;
    EXPECT_EQ(GrantedQos(p, Qos::AtMostOnce), Qos::AtMostOnce);
    EXPECT_EQ(GrantedQos(p, Qos::AtLeastOnce), Qos::AtLeastOnce);
    EXPECT_EQ(GrantedQos(p, Qos::ExactlyOnce), Qos::AtLeastOnce); // Downgrade (section 3.9.3)
    p.qosRequestPolicy = QosRequestPolicy::Refuse;
    EXPECT_EQ(GrantedQos(p, Qos::ExactlyOnce), std::nullopt);
    EXPECT_EQ(GrantedQos(p, Qos::AtLeastOnce), Qos::AtLeastOnce);
    p.qosRequestPolicy = QosRequestPolicy::Ignore;
    EXPECT_EQ(GrantedQos(p, Qos::ExactlyOnce), std::nullopt);
    p.maxQos = Qos::AtMostOnce;
    EXPECT_EQ(GrantedQos(p, Qos::AtLeastOnce), std::nullopt);
    EXPECT_EQ(GrantedQos(p, Qos::AtMostOnce), Qos::AtMostOnce);
}

TEST(BrokerPolicy, DeliveryQosIsTheLowerOfMessageAndSubscription) // [MQTT-3.3.5-1]
{
    EXPECT_EQ(DeliveryQos(Qos::ExactlyOnce, Qos::AtLeastOnce), Qos::AtLeastOnce);
    EXPECT_EQ(DeliveryQos(Qos::AtMostOnce, Qos::ExactlyOnce), Qos::AtMostOnce);
    EXPECT_EQ(DeliveryQos(Qos::AtLeastOnce, Qos::AtLeastOnce), Qos::AtLeastOnce);
    EXPECT_EQ(MinQos(Qos::ExactlyOnce, Qos::AtMostOnce), Qos::AtMostOnce);
}

// --- PUBLISH and topics ----------------------------------------------------------------------

TEST(BrokerPolicy, PublishLimitsNameTheFirstBrokenOne)
{
    MqttBrokerProfile p = Standard();
    EXPECT_EQ(PublishLimitsVerdict(p, "a/b/c/d/e/f/g/h/i", 1000000), DropReason::None);
    p.maxTopicLength = 5;
    p.maxTopicSlashes = 2;
    p.maxPayloadSize = 10;
    p.reservedTopicPrefixes = {"$aws/"};
    EXPECT_EQ(PublishLimitsVerdict(p, "a/b/c", 10), DropReason::None);
    EXPECT_EQ(PublishLimitsVerdict(p, "abcdef", 0), DropReason::TopicRejected); // length
    EXPECT_EQ(PublishLimitsVerdict(p, "a///", 0), DropReason::TopicRejected);   // slashes
    EXPECT_EQ(PublishLimitsVerdict(p, "$aws/", 0), DropReason::TopicRejected);  // reserved
    EXPECT_EQ(PublishLimitsVerdict(p, "$aw", 0), DropReason::None);
    EXPECT_EQ(PublishLimitsVerdict(p, "a", 11), DropReason::PayloadTooLarge);
    EXPECT_EQ(PublishLimitsVerdict(p, "abcdef", 11), DropReason::TopicRejected); // topic first
}

TEST(BrokerPolicy, FilterLimitsAreLengthAndDepth)
{
    MqttBrokerProfile p = Standard();
    p.maxTopicLength = 5;
    EXPECT_TRUE(FilterWithinLimits(p, "a/+/#"));
    EXPECT_FALSE(FilterWithinLimits(p, "a/+/#/"));
    p.maxTopicSlashes = 1;
    EXPECT_TRUE(FilterWithinLimits(p, "a/#"));
    EXPECT_FALSE(FilterWithinLimits(p, "a/+/#"));
}

TEST(BrokerPolicy, InboundWindowCountsHeldAcknowledgementsOfQos1And2)
{
    MqttBrokerProfile p = Standard();
    EXPECT_FALSE(InboundWindowFull(p, Qos::AtLeastOnce, 1000)); // 0: no bound
    p.maxInflightIn = 3;
    EXPECT_FALSE(InboundWindowFull(p, Qos::AtLeastOnce, 2));
    EXPECT_TRUE(InboundWindowFull(p, Qos::AtLeastOnce, 3));
    EXPECT_TRUE(InboundWindowFull(p, Qos::ExactlyOnce, 4));
    EXPECT_FALSE(InboundWindowFull(p, Qos::AtMostOnce, 4)); // QoS 0 is never acknowledged
}

TEST(BrokerPolicy, RetainedStoreVerdicts) // [MQTT-3.3.1-5], [MQTT-3.3.1-10], [MQTT-3.3.1-12]
{
    MqttBrokerProfile p = Standard();
    MqttRetainedStore store;
    EXPECT_EQ(RetainedPolicy(p, store, *Message("t", "x", false)), RetainedVerdict::Leave);
    EXPECT_EQ(RetainedPolicy(p, store, *Message("t", "", false)), RetainedVerdict::Leave);
    EXPECT_EQ(RetainedPolicy(p, store, *Message("t", "x", true)), RetainedVerdict::Store);
    EXPECT_EQ(RetainedPolicy(p, store, *Message("t", "", true)), RetainedVerdict::Delete);

    p.maxRetainedMessages = 1;
    store.Store(Message("t", "x", true));
    EXPECT_EQ(RetainedPolicy(p, store, *Message("t", "y", true)), RetainedVerdict::Store);
    EXPECT_EQ(RetainedPolicy(p, store, *Message("u", "y", true)), RetainedVerdict::Full);
    EXPECT_EQ(RetainedPolicy(p, store, *Message("u", "", true)), RetainedVerdict::Delete);

    p.retain = RetainPolicy::Disconnect;
    EXPECT_EQ(RetainedPolicy(p, store, *Message("t", "y", true)), RetainedVerdict::Leave);
}

TEST(BrokerPolicy, RetainedMessagesGoToNewSubscriptionsPerPolicy)
{
    MqttBrokerProfile p = Standard();
    EXPECT_TRUE(SendsRetained(p, "a/#", "a/b"));
    p.retain = RetainPolicy::StoreExactMatchOnly;
    EXPECT_FALSE(SendsRetained(p, "a/#", "a/b"));
    EXPECT_TRUE(SendsRetained(p, "a/b", "a/b"));
    p.retain = RetainPolicy::Disconnect;
    EXPECT_FALSE(SendsRetained(p, "a/b", "a/b"));
}

// --- SUBSCRIBE -------------------------------------------------------------------------------

TEST(BrokerPolicy, FiltersPerSubscribe)
{
    MqttBrokerProfile p = Standard();
    EXPECT_FALSE(TooManyFilters(p, 10000));
    p.maxFiltersPerSubscribe = 8;
    EXPECT_FALSE(TooManyFilters(p, 8));
    EXPECT_TRUE(TooManyFilters(p, 9));
}

TEST(BrokerPolicy, IgnoredSubscribeNeedsIgnoreAndOneFilterAboveMaxQos)
{
    MqttBrokerProfile p = Standard();
    p.maxQos = Qos::AtLeastOnce;
    std::vector<TopicRequest> within{{"a", Qos::AtMostOnce}, {"b", Qos::AtLeastOnce}};
    std::vector<TopicRequest> above{{"a", Qos::AtMostOnce}, {"b", Qos::ExactlyOnce}};
    EXPECT_FALSE(IgnoresSubscribe(p, above)); // Downgrade
    p.qosRequestPolicy = QosRequestPolicy::Refuse;
    EXPECT_FALSE(IgnoresSubscribe(p, above));
    p.qosRequestPolicy = QosRequestPolicy::Ignore;
    EXPECT_TRUE(IgnoresSubscribe(p, above));
    EXPECT_FALSE(IgnoresSubscribe(p, within));
}

TEST(BrokerPolicy, WildcardFiltersDeniedWhenUnsupported) // [MQTT-3.8.3-2]
{
    MqttBrokerProfile p = Standard();
    EXPECT_TRUE(FilterAllowed(p, "a/+/c"));
    EXPECT_TRUE(FilterAllowed(p, "#"));
    p.wildcardSubscriptions = false;
    EXPECT_FALSE(FilterAllowed(p, "a/+/c"));
    EXPECT_FALSE(FilterAllowed(p, "#"));
    EXPECT_TRUE(FilterAllowed(p, "a/b/c"));
    p.maxTopicLength = 4;
    EXPECT_FALSE(FilterAllowed(p, "a/b/c")); // the limits apply too
}

TEST(BrokerPolicy, SubscriptionLimitAllowsReplacing) // [MQTT-3.8.4-3]
{
    MqttBrokerProfile p = Standard();
    EXPECT_FALSE(SubscriptionsFull(p, 100000, false));
    p.maxSubscriptionsPerSession = 2;
    EXPECT_FALSE(SubscriptionsFull(p, 1, false));
    EXPECT_TRUE(SubscriptionsFull(p, 2, false));
    EXPECT_FALSE(SubscriptionsFull(p, 2, true));
}

// --- Delivery --------------------------------------------------------------------------------

TEST(BrokerPolicy, InflightWindowIsBoundedByTheIds) // [MQTT-2.3.1-4]
{
    MqttBrokerProfile p = Standard();
    EXPECT_EQ(InflightWindow(p), 20u);
    p.maxInflightOut = 0;
    EXPECT_EQ(InflightWindow(p), 65535u);
    p.maxInflightOut = 100000;
    EXPECT_EQ(InflightWindow(p), 65535u);
    p.maxInflightOut = 1;
    EXPECT_EQ(InflightWindow(p), 1u);
}

TEST(BrokerPolicy, OfflineSessionsKeepQos1And2) // [MQTT-3.1.2-5]
{
    MqttBrokerProfile p = Standard();
    EXPECT_TRUE(QueuesOffline(p, Qos::AtLeastOnce));
    EXPECT_TRUE(QueuesOffline(p, Qos::ExactlyOnce));
    EXPECT_FALSE(QueuesOffline(p, Qos::AtMostOnce));
    p.queueQos0Offline = true;
    EXPECT_TRUE(QueuesOffline(p, Qos::AtMostOnce));
}

TEST(BrokerPolicy, FullQueueDropsPerPolicy)
{
    MqttBrokerProfile p = Standard();
    p.maxQueuedMessages = 3;
    EXPECT_EQ(QueuePolicy(p, 2), QueueVerdict::Append);
    EXPECT_EQ(QueuePolicy(p, 3), QueueVerdict::DropNewest);
    p.queueDropPolicy = QueueDropPolicy::DropOldest;
    EXPECT_EQ(QueuePolicy(p, 3), QueueVerdict::DropOldest);
    EXPECT_EQ(QueuePolicy(p, 4), QueueVerdict::DropOldest);
    p.maxQueuedMessages = 0;
    EXPECT_EQ(QueuePolicy(p, 1000000), QueueVerdict::Append);
}
