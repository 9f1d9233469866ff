/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The AWS IoT Core account-wide quotas (AWS General Reference, "AWS IoT Core endpoints and
 * quotas", message broker table; doc/aws-iot-core.md "Account-wide quotas"): connect requests,
 * inbound and outbound publishes, subscriptions, messages queued for offline sessions and
 * retained publishes per second per account, concurrent connections and subscriptions per
 * account. Each through the broker engine, over several connections, with the
 * exact behaviour at the limit and what the account's statistics say. Small limits keep the
 * scripts short; the published values are checked apart.
 */
#include "mqtt-account-quotas.h"
#include "mqtt-broker-aws-test-util.h"
#include "mqtt-broker-settings.h"
#include "mqtt-lifecycle-event.h"

#include <memory>

using namespace brokertest;
using namespace std::chrono;

namespace
{

/**
 * The AWS profile, quiet, with no lifecycle events and small account rates (2 per second; the
 * connect rate @p connectRate).
 */
MqttBrokerProfile
SmallAccount(double connectRate = 2)
{
    MqttBrokerProfile p = QuietAws();
    p.lifecycleTopicPrefix.clear();
    p.accountConnectRate = connectRate;
    p.accountPublishInRate = 2;
    p.accountPublishOutRate = 2;
    p.accountSubscribeRate = 2;
    return p;
}

/** The account's statistics of @p quota in @p h. */
const MqttAccountQuotaStats&
StatsOf(BrokerHarness& h, AccountQuota quota)
{
    return h.Engine().Account().Stats(quota);
}

} // namespace

TEST(BrokerAwsAccount, AccountQuotasOfTheAwsProfileAreThePublishedOnes)
{
    // The defaults of the large Regions (us-east-1, ...), all adjustable; standard: unlimited.
    MqttBrokerProfile aws = MqttBrokerProfile::AwsIotCore();
    EXPECT_EQ(aws.accountConnectRate, 500);
    EXPECT_EQ(aws.accountPublishInRate, 20000);
    EXPECT_EQ(aws.accountPublishOutRate, 20000);
    EXPECT_EQ(aws.accountSubscribeRate, 500);
    EXPECT_EQ(aws.maxConnectedClients, 500000u);
    EXPECT_EQ(aws.accountQueuedRate, 500);
    EXPECT_EQ(aws.accountRetainedPublishRate, 500);
    EXPECT_EQ(MqttBrokerProfile::AwsIotCore2021().accountConnectRate, 500);
    EXPECT_EQ(MqttBrokerProfile::AwsIotCore2021().accountRetainedPublishRate, 500);
    MqttBrokerProfile standard = MqttBrokerProfile::Standard311();
    EXPECT_EQ(standard.accountConnectRate, 0);
    EXPECT_EQ(standard.accountPublishInRate, 0);
    EXPECT_EQ(standard.accountPublishOutRate, 0);
    EXPECT_EQ(standard.accountSubscribeRate, 0);
    EXPECT_EQ(standard.maxConnectedClients, 0u);
    EXPECT_EQ(standard.accountQueuedRate, 0);
    EXPECT_EQ(standard.accountRetainedPublishRate, 0);
    // Subscriptions per account, "across all active connections": 500,000, adjustable.
    EXPECT_EQ(aws.maxAccountSubscriptions, 500000u);
    EXPECT_EQ(MqttBrokerProfile::AwsIotCore2021().maxAccountSubscriptions, 500000u);
    EXPECT_EQ(standard.maxAccountSubscriptions, 0u);
    EXPECT_FALSE(MqttBrokerSettings::Apply(&standard, "max-account-subscriptions", "70"));
    EXPECT_EQ(standard.maxAccountSubscriptions, 70u);
    EXPECT_STREQ(AccountQuotaName(AccountQuota::Subscriptions), "account-subscriptions");
    EXPECT_FALSE(IsRateQuota(AccountQuota::Subscriptions));
    EXPECT_FALSE(MqttBrokerSettings::Apply(&standard, "account-queued-rate", "50"));
    EXPECT_FALSE(MqttBrokerSettings::Apply(&standard, "account-retained-publish-rate", "60"));
    EXPECT_EQ(standard.accountQueuedRate, 50);
    EXPECT_EQ(standard.accountRetainedPublishRate, 60);
    // A study of a Region with the smaller defaults sets them through the settings table.
    EXPECT_FALSE(MqttBrokerSettings::Apply(&aws, "account-connect-rate", "100"));
    EXPECT_FALSE(MqttBrokerSettings::Apply(&aws, "account-publish-in-rate", "2000"));
    EXPECT_FALSE(MqttBrokerSettings::Apply(&aws, "account-publish-out-rate", "2000"));
    EXPECT_FALSE(MqttBrokerSettings::Apply(&aws, "account-subscribe-rate", "200"));
    EXPECT_FALSE(MqttBrokerSettings::Apply(&aws, "max-connected-clients", "100000"));
    EXPECT_EQ(aws.accountConnectRate, 100);
    EXPECT_EQ(aws.accountPublishInRate, 2000);
    EXPECT_EQ(aws.accountPublishOutRate, 2000);
    EXPECT_EQ(aws.accountSubscribeRate, 200);
    EXPECT_EQ(aws.maxConnectedClients, 100000u);
    EXPECT_EQ(MqttBrokerSettings::Find("account-subscribe-rate")->format(aws), "200");
    auto error = MqttBrokerSettings::Apply(&aws, "account-connect-rate", "-1");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->ToString(),
              "broker setting 'account-connect-rate': expected a rate per second >= 0, got '-1'");
}

TEST(BrokerAwsAccount, AccountConnectRateClosesTheConnectsOverItOnAnyConnection)
{
    // Connect requests per second per account (2 here): the bucket holds one second's worth and
    // refills at 1 per 500 ms, over every connection and client id. A CONNECT without a token is
    // not answered: the connection is closed (ThrottledAccountConnectRate); the CONNECTs that
    // were admitted stay. Every CONNECT counts, a refused one (client id too long) too.
    BrokerHarness h(SmallAccount());
    h.Connect(1, "a");
    h.Open(2);
    h.Send(2, MakeConnect(std::string(129, 'x'))); // refused (CONNACK 2), but counted
    EXPECT_EQ(h.TakeHex(2), "20 02 00 02");
    h.Open(3);
    h.TakeEvents();
    h.Send(3, MakeConnect("b"));
    EXPECT_EQ(h.TakeHex(3), "");
    EXPECT_EQ(h.ClosedWith(3), CloseReason::ThrottledAccountConnectRate);
    auto closed = h.Events(EventType::ConnectionClosed);
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(closed[0].clientId, "b");
    EXPECT_STREQ(CloseReasonName(closed[0].closeReason), "ThrottledAccountConnectRate");
    EXPECT_TRUE(h.IsOpen(1));
    EXPECT_FALSE(h.Engine().IsConnected("b"));

    h.AdvanceTo(milliseconds(500) - Nanos(1));
    h.Open(4);
    h.Send(4, MakeConnect("b"));
    EXPECT_EQ(h.ClosedWith(4), CloseReason::ThrottledAccountConnectRate);
    h.AdvanceTo(milliseconds(500)); // one token back
    h.Connect(5, "b");
    h.Open(6);
    h.Send(6, MakeConnect("c"));
    EXPECT_EQ(h.ClosedWith(6), CloseReason::ThrottledAccountConnectRate);

    const MqttAccountQuotaStats& s = StatsOf(h, AccountQuota::ConnectRate);
    EXPECT_EQ(s.limit, 2);
    EXPECT_EQ(s.requests, 6u);
    EXPECT_EQ(s.throttled, 3u);
    EXPECT_EQ(s.peak, 6u); // all six in the first second
    EXPECT_EQ(s.peakAt, Nanos(0));
}

TEST(BrokerAwsAccount, AccountConnectRateCountsBeforeTheRatePerClientId)
{
    // A CONNECT over the account's rate is refused for the account (its own reason), whatever
    // its client id; the per-client-id rate only sees what the account let through.
    MqttBrokerProfile p = SmallAccount();
    p.accountConnectRate = 1;
    BrokerHarness h(p);
    h.Connect(1, "d");
    h.AdvanceTo(milliseconds(999));
    h.Open(2);
    h.Send(2, MakeConnect("d"));
    EXPECT_EQ(h.ClosedWith(2), CloseReason::ThrottledAccountConnectRate);
    h.AdvanceTo(seconds(1));
    h.Connect(3, "d"); // a token and 1 s since d's last admitted CONNECT: a takeover
    EXPECT_EQ(h.ClosedWith(1), CloseReason::Takeover);
}

TEST(BrokerAwsAccount, AccountConnectionsRefuseConnectsBeyondTheLimit)
{
    // Maximum concurrent client connections per account (2 here): CONNACK 3 and the connection
    // closed (ThrottledAccountConnections); a takeover needs no new slot; a slot freed by a
    // disconnect is taken again. The peak is the most connected at once, with its time.
    MqttBrokerProfile p = QuietAws();
    p.lifecycleTopicPrefix.clear();
    p.maxConnectedClients = 2;
    BrokerHarness h(p);
    h.Connect(1, "a");
    h.AdvanceTo(seconds(1));
    h.Connect(2, "b");
    h.AdvanceTo(seconds(2));
    h.Open(3);
    h.Send(3, MakeConnect("c"));
    EXPECT_EQ(h.TakeHex(3), "20 02 00 03");
    EXPECT_EQ(h.ClosedWith(3), CloseReason::ThrottledAccountConnections);
    EXPECT_STREQ(CloseReasonName(CloseReason::ThrottledAccountConnections),
                 "ThrottledAccountConnections");
    h.AdvanceTo(seconds(3));
    h.Connect(4, "b"); // takes b over: no new slot
    EXPECT_EQ(h.ClosedWith(2), CloseReason::Takeover);
    h.NetClose(1);
    h.AdvanceTo(seconds(4));
    h.Connect(5, "c");

    const MqttAccountQuotaStats& s = StatsOf(h, AccountQuota::Connections);
    EXPECT_EQ(s.limit, 2);
    EXPECT_EQ(s.peak, 2u);
    EXPECT_EQ(s.peakAt, seconds(1));
    EXPECT_EQ(s.requests, 4u); // a, b, c refused, c: not the takeover
    EXPECT_EQ(s.throttled, 1u);
}

TEST(BrokerAwsAccount, AccountPublishInRateDiscardsThePublishesOverIt)
{
    // Inbound publish requests per second per account (2 here), over every publisher: a PUBLISH
    // without a token is discarded like one over the connection's rate (no PUBACK, not
    // forwarded, MessageDropped ThrottledAccountPublishInRate with its packet id); the
    // connection stays.
    BrokerHarness h(SmallAccount(100));
    h.ConnectPubSub("t", Qos::AtLeastOnce);
    h.Connect(3, "pub2");
    h.TakeEvents();
    h.Send(1, MakePublish("t", "1", Qos::AtLeastOnce, 1));
    h.Send(3, MakePublish("t", "2", Qos::AtLeastOnce, 1));
    h.Send(1, MakePublish("t", "3", Qos::AtLeastOnce, 2));
    EXPECT_EQ(h.TakeHex(1), "40 02 00 01");
    EXPECT_EQ(h.TakeHex(3), "40 02 00 01");
    EXPECT_EQ(PayloadTexts(h.TakePackets(2)), (std::vector<std::string>{"1", "2"}));
    auto drops = h.Events(EventType::MessageDropped);
    ASSERT_EQ(drops.size(), 1u);
    EXPECT_EQ(drops[0].clientId, "pub");
    EXPECT_EQ(drops[0].packetId, 2);
    EXPECT_EQ(drops[0].peerId, "");
    EXPECT_STREQ(DropReasonName(drops[0].dropReason), "ThrottledAccountPublishInRate");
    EXPECT_TRUE(h.IsOpen(1));

    h.AdvanceTo(milliseconds(500));
    h.Send(1, MakePublish("t", "3", Qos::AtLeastOnce, 2, false, true)); // the re-send
    EXPECT_EQ(h.TakeHex(1), "40 02 00 02");
    const MqttAccountQuotaStats& s = StatsOf(h, AccountQuota::PublishInRate);
    EXPECT_EQ(s.requests, 4u);
    EXPECT_EQ(s.throttled, 1u);
    EXPECT_EQ(s.peak, 4u);
}

TEST(BrokerAwsAccount, AccountPublishInRateClosesWithCloseOnThrottle)
{
    // The other reading of AWS's THROTTLED disconnect: with closeOnThrottle the publisher over
    // the account's rate is disconnected (its will published), lifecycle reason THROTTLED.
    MqttBrokerProfile p = SmallAccount();
    p.closeOnThrottle = true;
    BrokerHarness h(p);
    h.ConnectPubSub("t", Qos::AtMostOnce);
    h.Send(1, MakePublish("t", "1"));
    h.Send(1, MakePublish("t", "2"));
    EXPECT_TRUE(h.IsOpen(1));
    h.Send(1, MakePublish("t", "3"));
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ThrottledAccountPublishInRate);
    EXPECT_STREQ(LifecycleDisconnectReason(CloseReason::ThrottledAccountPublishInRate),
                 "THROTTLED");
    EXPECT_EQ(PayloadTexts(h.TakePackets(2)), (std::vector<std::string>{"1", "2"}));
}

TEST(BrokerAwsAccount, AccountPublishOutRateDropsTheDeliveriesOverIt)
{
    // Outbound publish requests per second per account (2 here): every delivery through a
    // subscription takes a token; one without is not made (MessageDropped
    // ThrottledAccountPublishOutRate naming the subscriber). The publisher is acknowledged.
    BrokerHarness h(SmallAccount(100));
    h.ConnectPubSub("t", Qos::AtLeastOnce);
    h.Connect(3, "sub2");
    h.Subscribe(3, "t", Qos::AtMostOnce);
    h.AdvanceTo(seconds(1)); // the deliveries below all fall in second 1
    h.TakeEvents();
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 1)); // to sub and sub2: two tokens
    h.Send(1, MakePublish("t", "b", Qos::AtLeastOnce, 2)); // none left
    EXPECT_EQ(h.TakeHex(1), "40 02 00 01 40 02 00 02");
    EXPECT_EQ(PayloadTexts(h.TakePackets(2)), (std::vector<std::string>{"a"}));
    EXPECT_EQ(PayloadTexts(h.TakePackets(3)), (std::vector<std::string>{"a"}));
    auto drops = h.Events(EventType::MessageDropped);
    ASSERT_EQ(drops.size(), 2u);
    EXPECT_EQ(drops[0].peerId, "sub");
    EXPECT_EQ(drops[1].peerId, "sub2");
    EXPECT_EQ(drops[0].dropReason, DropReason::ThrottledAccountPublishOutRate);
    EXPECT_STREQ(DropReasonName(drops[1].dropReason), "ThrottledAccountPublishOutRate");

    h.AdvanceTo(milliseconds(1500)); // one token back
    h.Send(1, MakePublish("t", "c"));
    EXPECT_EQ(PayloadTexts(h.TakePackets(2)), (std::vector<std::string>{"c"}));
    EXPECT_EQ(PayloadTexts(h.TakePackets(3)), (std::vector<std::string>{}));
    const MqttAccountQuotaStats& s = StatsOf(h, AccountQuota::PublishOutRate);
    EXPECT_EQ(s.requests, 6u);
    EXPECT_EQ(s.throttled, 3u);
    EXPECT_EQ(s.peak, 6u);
    EXPECT_EQ(s.peakAt, seconds(1));
}

TEST(BrokerAwsAccount, AccountSubscribeRateFailsTheFiltersOverIt)
{
    // Subscriptions per second per account (2 here) count topic filters, not SUBSCRIBE packets
    // (AWS: two SUBSCRIBEs of 3 filters are 6). A filter without a token gets 0x80 and is not
    // made (SubscriptionDenied ThrottledAccountSubscribeRate); the rest of the SUBSCRIBE is
    // handled and the connection stays.
    BrokerHarness h(SmallAccount());
    h.Connect(1, "s1");
    h.Connect(2, "s2");
    h.TakeEvents();
    h.Send(1, MakeSubscribe(1, {{"a", Qos::AtMostOnce}}));
    h.Send(2, MakeSubscribe(7, {{"b", Qos::AtLeastOnce}, {"c", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(1), "90 03 00 01 00");
    EXPECT_EQ(h.TakeHex(2), "90 04 00 07 01 80");
    auto denied = h.Events(EventType::SubscriptionDenied);
    ASSERT_EQ(denied.size(), 1u);
    EXPECT_EQ(denied[0].clientId, "s2");
    EXPECT_EQ(denied[0].topic, "c");
    EXPECT_STREQ(DropReasonName(denied[0].dropReason), "ThrottledAccountSubscribeRate");
    EXPECT_EQ(h.Engine().SubscriptionCount("s2"), 1u);
    EXPECT_TRUE(h.IsOpen(2));

    h.AdvanceTo(milliseconds(500));
    h.Send(2, MakeSubscribe(8, {{"c", Qos::AtMostOnce}, {"d", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(2), "90 04 00 08 00 80");
    const MqttAccountQuotaStats& s = StatsOf(h, AccountQuota::SubscribeRate);
    EXPECT_EQ(s.requests, 5u);
    EXPECT_EQ(s.throttled, 2u);
    EXPECT_EQ(s.peak, 5u);
}

TEST(BrokerAwsAccount, AccountIsSharedByEnginesGivenTheSameAccount)
{
    // Two engines (two brokers of one account, or a restarted broker) given one account count
    // against the same buckets and statistics.
    MqttBrokerProfile p = SmallAccount();
    auto account = std::make_shared<MqttAccountQuotas>(p);
    BrokerHarness a(p);
    BrokerHarness b(p);
    a.Engine().SetAccount(account);
    b.Engine().SetAccount(account);
    a.Connect(1, "x");
    b.Connect(1, "y");
    b.Open(2);
    b.Send(2, MakeConnect("z"));
    EXPECT_EQ(b.ClosedWith(2), CloseReason::ThrottledAccountConnectRate);
    a.Open(2);
    a.Send(2, MakeConnect("z"));
    EXPECT_EQ(a.ClosedWith(2), CloseReason::ThrottledAccountConnectRate);
    EXPECT_EQ(account->Stats(AccountQuota::ConnectRate).requests, 4u);
    EXPECT_EQ(&a.Engine().Account(), account.get());
}

TEST(BrokerAwsAccount, AccountPeakRateIsTheBusiestWholeSecond)
{
    // The peak of a rate quota is the most requests offered (admitted or not) in one second of
    // the run, counted from time 0 in whole seconds; unlimited quotas are observed too.
    MqttAccountQuotas q(MqttBrokerProfile::Standard311());
    for (int i = 0; i < 3; ++i)
    {
        EXPECT_TRUE(q.Admit(AccountQuota::PublishInRate, milliseconds(900 + i)));
    }
    for (int i = 0; i < 4; ++i)
    {
        EXPECT_TRUE(q.Admit(AccountQuota::PublishInRate, milliseconds(2000 + 300 * i)));
    }
    EXPECT_TRUE(q.Admit(AccountQuota::PublishInRate, seconds(3)));
    const MqttAccountQuotaStats& s = q.Stats(AccountQuota::PublishInRate);
    EXPECT_EQ(s.limit, 0);
    EXPECT_EQ(s.requests, 8u);
    EXPECT_EQ(s.throttled, 0u);
    EXPECT_EQ(s.peak, 4u);
    EXPECT_EQ(s.peakAt, seconds(2));
    EXPECT_STREQ(AccountQuotaName(AccountQuota::PublishInRate), "account-publish-in-rate");
    EXPECT_STREQ(AccountQuotaName(AccountQuota::Connections), "account-connections");
    EXPECT_FALSE(IsRateQuota(AccountQuota::Connections));
}

TEST(BrokerAwsAccount, AccountQueuedRateDropsTheMessagesQueuedOfflineOverIt)
{
    // Queued messages per second per account (2 here): each QoS 1 message stored for a
    // disconnected persistent session takes a token; one without is not stored (MessageDropped
    // ThrottledAccountQueuedRate naming the subscriber) while those stored before it stay. The
    // publisher is acknowledged; deliveries to a connected session do not count.
    MqttBrokerProfile p = SmallAccount(100);
    p.accountPublishInRate = 100;
    p.accountPublishOutRate = 100;
    p.accountQueuedRate = 2;
    BrokerHarness h(p);
    h.ConnectPubAndOfflineSub("t", Qos::AtLeastOnce);
    h.AdvanceTo(seconds(1));
    h.TakeEvents();
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 1));
    h.Send(1, MakePublish("t", "b", Qos::AtLeastOnce, 2));
    h.Send(1, MakePublish("t", "c", Qos::AtLeastOnce, 3)); // no token left: not stored
    EXPECT_EQ(h.TakeHex(1), "40 02 00 01 40 02 00 02 40 02 00 03");
    auto drops = h.Events(EventType::MessageDropped);
    ASSERT_EQ(drops.size(), 1u);
    EXPECT_EQ(drops[0].peerId, "sub");
    EXPECT_EQ(drops[0].dropReason, DropReason::ThrottledAccountQueuedRate);
    EXPECT_STREQ(DropReasonName(drops[0].dropReason), "ThrottledAccountQueuedRate");

    h.AdvanceTo(seconds(2));
    EXPECT_TRUE(h.Connect(2, "sub", false)); // the session, with what was stored
    h.AdvanceTo(seconds(3));
    EXPECT_EQ(PayloadTexts(h.TakePackets(2)), (std::vector<std::string>{"a", "b"}));
    h.Send(1, MakePublish("t", "d", Qos::AtLeastOnce, 4)); // to a connected session
    h.AdvanceTo(seconds(4));
    EXPECT_EQ(PayloadTexts(h.TakePackets(2)), (std::vector<std::string>{"d"}));
    const MqttAccountQuotaStats& s = StatsOf(h, AccountQuota::QueuedRate);
    EXPECT_EQ(s.limit, 2);
    EXPECT_EQ(s.requests, 3u);
    EXPECT_EQ(s.throttled, 1u);
    EXPECT_EQ(s.peak, 3u);
    EXPECT_EQ(s.peakAt, seconds(1));
    EXPECT_STREQ(AccountQuotaName(AccountQuota::QueuedRate), "account-queued-rate");
}

TEST(BrokerAwsAccount, AccountRetainedPublishRateDiscardsTheRetainedPublishesOverIt)
{
    // Retained publish requests per second per account (2 here), on the profile that stores
    // retained messages: a retained PUBLISH without a token is discarded like one over the
    // inbound rate (no PUBACK, not forwarded, not stored; MessageDropped
    // ThrottledAccountRetainedPublishRate); PUBLISHes without RETAIN do not count.
    MqttBrokerProfile p = QuietAws("aws-iot-core-2021");
    p.lifecycleTopicPrefix.clear();
    p.accountRetainedPublishRate = 2;
    BrokerHarness h(p);
    h.ConnectPubSub("t", Qos::AtMostOnce);
    h.AdvanceTo(seconds(1));
    h.TakeEvents();
    h.Send(1, MakePublish("t", "1", Qos::AtLeastOnce, 1, true));
    h.Send(1, MakePublish("t", "2", Qos::AtLeastOnce, 2, true));
    h.Send(1, MakePublish("t", "3", Qos::AtLeastOnce, 3, true)); // over: discarded
    h.Send(1, MakePublish("t", "4", Qos::AtLeastOnce, 4));       // not retained
    EXPECT_EQ(h.TakeHex(1), "40 02 00 01 40 02 00 02 40 02 00 04");
    EXPECT_EQ(PayloadTexts(h.TakePackets(2)), (std::vector<std::string>{"1", "2", "4"}));
    auto drops = h.Events(EventType::MessageDropped);
    ASSERT_EQ(drops.size(), 1u);
    EXPECT_EQ(drops[0].packetId, 3);
    EXPECT_STREQ(DropReasonName(drops[0].dropReason), "ThrottledAccountRetainedPublishRate");
    // What is stored is the last admitted one.
    h.Connect(3, "late");
    h.Subscribe(3, "t", Qos::AtMostOnce);
    EXPECT_EQ(PayloadTexts(h.TakePackets(3)), (std::vector<std::string>{"2"}));
    const MqttAccountQuotaStats& s = StatsOf(h, AccountQuota::RetainedPublishRate);
    EXPECT_EQ(s.requests, 3u);
    EXPECT_EQ(s.throttled, 1u);
    EXPECT_EQ(s.peak, 3u);
    EXPECT_STREQ(AccountQuotaName(AccountQuota::RetainedPublishRate),
                 "account-retained-publish-rate");
}

TEST(BrokerAwsAccount, AccountRetainedPublishRateClosesWithCloseOnThrottle)
{
    // With closeOnThrottle the retained PUBLISH over the rate closes the connection, naming the
    // quota (lifecycle THROTTLED, as for the inbound rate).
    MqttBrokerProfile p = QuietAws("aws-iot-core-2021");
    p.lifecycleTopicPrefix.clear();
    p.accountRetainedPublishRate = 1;
    p.closeOnThrottle = true;
    BrokerHarness h(p);
    h.Connect(1, "pub");
    h.AdvanceTo(seconds(1));
    h.TakeEvents();
    h.Send(1, MakePublish("t", "1", Qos::AtMostOnce, 0, true));
    EXPECT_TRUE(h.IsOpen(1));
    h.Send(1, MakePublish("t", "2", Qos::AtMostOnce, 0, true));
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ThrottledAccountRetainedPublishRate);
    EXPECT_STREQ(CloseReasonName(CloseReason::ThrottledAccountRetainedPublishRate),
                 "ThrottledAccountRetainedPublishRate");
    EXPECT_STREQ(LifecycleDisconnectReason(CloseReason::ThrottledAccountRetainedPublishRate),
                 "THROTTLED");
}

namespace
{

/** SmallAccount with room for every rate and @p subscriptions subscriptions per account. */
MqttBrokerProfile
SubscriptionsAccount(std::size_t subscriptions)
{
    MqttBrokerProfile p = SmallAccount(100);
    p.accountSubscribeRate = 100;
    p.maxAccountSubscriptions = subscriptions;
    return p;
}

} // namespace

TEST(BrokerAwsAccount, AccountSubscriptionsFailTheFiltersBeyondTheLimit)
{
    // Subscriptions per account (3 here) over every connection: a new filter past it gets 0x80
    // and is not made (SubscriptionDenied ThrottledAccountSubscriptions); the rest of the
    // SUBSCRIBE is handled and the connection stays. Replacing a subscription takes no new one;
    // an UNSUBSCRIBE gives one back. The peak is the most at once, with its time.
    BrokerHarness h(SubscriptionsAccount(3));
    h.Connect(1, "s1");
    h.Connect(2, "s2");
    h.TakeEvents();
    h.Send(1, MakeSubscribe(1, {{"a", Qos::AtMostOnce}, {"b", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(1), "90 04 00 01 00 00");
    h.AdvanceTo(seconds(1));
    h.Send(2, MakeSubscribe(2, {{"c", Qos::AtLeastOnce}, {"d", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(2), "90 04 00 02 01 80");
    auto denied = h.Events(EventType::SubscriptionDenied);
    ASSERT_EQ(denied.size(), 1u);
    EXPECT_EQ(denied[0].clientId, "s2");
    EXPECT_EQ(denied[0].topic, "d");
    EXPECT_STREQ(DropReasonName(denied[0].dropReason), "ThrottledAccountSubscriptions");
    EXPECT_EQ(h.Engine().SubscriptionCount("s2"), 1u);
    EXPECT_TRUE(h.IsOpen(2));

    h.Send(1, MakeSubscribe(3, {{"a", Qos::AtLeastOnce}})); // replaces a: no new one
    EXPECT_EQ(h.TakeHex(1), "90 03 00 03 01");
    h.AdvanceTo(seconds(2));
    h.FeedHex(1, "a2 05 00 04 00 01 62"); // UNSUBSCRIBE id 4 "b"
    EXPECT_EQ(h.TakeHex(1), "b0 02 00 04");
    h.Send(2, MakeSubscribe(5, {{"d", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(2), "90 03 00 05 00");

    const MqttAccountQuotaStats& s = StatsOf(h, AccountQuota::Subscriptions);
    EXPECT_EQ(s.limit, 3);
    EXPECT_EQ(s.requests, 5u); // a, b, c, d refused, d: not the replacement
    EXPECT_EQ(s.throttled, 1u);
    EXPECT_EQ(s.peak, 3u);
    EXPECT_EQ(s.peakAt, seconds(1));
    EXPECT_EQ(h.Engine().Account().ActiveSubscriptions(), 3u);
}

TEST(BrokerAwsAccount, AccountSubscriptionsCountOnlyTheConnectedSessions)
{
    // "Across all active connections": a persistent session's subscriptions leave the count
    // while it is offline, so others can take them, and come back with its connection even
    // past the limit; then no new filter is granted until enough are gone. A clean session's
    // end gives its subscriptions back.
    BrokerHarness h(SubscriptionsAccount(3));
    h.Connect(1, "p", false);
    h.Send(1, MakeSubscribe(1, {{"a", Qos::AtLeastOnce}, {"b", Qos::AtLeastOnce}}));
    EXPECT_EQ(h.TakeHex(1), "90 04 00 01 01 01");
    h.NetClose(1);
    EXPECT_EQ(h.Engine().Account().ActiveSubscriptions(), 0u);
    h.Connect(2, "c");
    h.Send(2, MakeSubscribe(2, {{"x", Qos::AtMostOnce}, {"y", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(2), "90 04 00 02 00 00");
    h.AdvanceTo(seconds(3));
    EXPECT_TRUE(h.Connect(3, "p", false)); // session present, a and b with it
    EXPECT_EQ(h.Engine().Account().ActiveSubscriptions(), 4u);
    h.TakeEvents();
    h.Send(2, MakeSubscribe(3, {{"z", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(2), "90 03 00 03 80");
    EXPECT_EQ(h.Events(EventType::SubscriptionDenied).size(), 1u);
    h.NetClose(2); // the clean session ends: x and y are gone
    EXPECT_EQ(h.Engine().Account().ActiveSubscriptions(), 2u);
    h.Connect(4, "c2");
    h.Subscribe(4, "z", Qos::AtMostOnce);

    const MqttAccountQuotaStats& s = StatsOf(h, AccountQuota::Subscriptions);
    EXPECT_EQ(s.peak, 4u);
    EXPECT_EQ(s.peakAt, seconds(3));
    EXPECT_EQ(s.throttled, 1u);
}

TEST(BrokerAwsAccount, AccountSubscriptionsOfAnEngineGoWithIt)
{
    // Engines sharing an account count their connected sessions' subscriptions together; an
    // engine that goes away (a broker restart makes a new one on the same account) gives its
    // back.
    MqttBrokerProfile p = SubscriptionsAccount(2);
    auto account = std::make_shared<MqttAccountQuotas>(p);
    BrokerHarness a(p);
    a.Engine().SetAccount(account);
    {
        BrokerHarness b(p);
        b.Engine().SetAccount(account);
        b.Connect(1, "y");
        b.Subscribe(1, "t/1", Qos::AtMostOnce);
        a.Connect(1, "x");
        a.Subscribe(1, "t/2", Qos::AtMostOnce);
        a.Subscribe(1, "t/3", Qos::AtMostOnce, 2, 0x80);
        EXPECT_EQ(account->ActiveSubscriptions(), 2u);
    }
    EXPECT_EQ(account->ActiveSubscriptions(), 1u);
    a.Subscribe(1, "t/3", Qos::AtMostOnce, 3);
    EXPECT_EQ(account->Stats(AccountQuota::Subscriptions).throttled, 1u);
}
