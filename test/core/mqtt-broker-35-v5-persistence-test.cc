/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine, MQTT 5.0 state in durable persistence: a session's Session Expiry Interval,
 * its subscription options, identifiers and shared-group membership, the properties and
 * Message Expiry of queued and retained messages, the Subscription Identifiers and shared group
 * of each stored delivery, and a will waiting for its Will Delay Interval survive a restore
 * from the store (the in-memory reference store; the kill -9 tests of the standalone broker are
 * in test/posix).
 */
#include "mqtt-broker5-test-util.h"
#include "mqtt-memory-budget.h"

using namespace brokertest;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace
{

/** A QoS 1 PUBLISH with a Content Type, a User Property and Message Expiry @p expiry. */
PublishPacket
Rich(const std::string& topic, uint16_t id, uint32_t expiry, bool retain = false)
{
    PublishPacket p = MakePublish(topic, "v", Qos::AtLeastOnce, id, retain);
    p.properties.AddNumber(PropertyId::MessageExpiryInterval, expiry);
    p.properties.AddText(PropertyId::ContentType, "text/plain");
    p.properties.AddUserProperty("k", "v");
    return p;
}

/** @p c subscribes to @p filter at QoS 1 with Subscription Identifier @p id. */
void
SubscribeWithId(
    BrokerHarness& h, ConnectionId c, const std::string& filter, uint32_t id, uint16_t packetId)
{
    Properties props;
    props.AddNumber(PropertyId::SubscriptionIdentifier, id);
    Subscribe5(h, c, {filter, Qos::AtLeastOnce}, 0x01, packetId, props);
}

/** A QoS 1 PUBLISH as a subscriber gets it, with Subscription Identifiers @p ids. */
PublishPacket
Delivered(const std::string& topic,
          std::string_view payload,
          uint16_t packetId,
          bool dup,
          std::initializer_list<uint32_t> ids)
{
    PublishPacket p = MakePublish(topic, payload, Qos::AtLeastOnce, packetId);
    p.dup = dup;
    for (uint32_t id : ids)
    {
        p.properties.AddNumber(PropertyId::SubscriptionIdentifier, id);
    }
    return p;
}

} // namespace

TEST(Broker5Persistence, TheSessionExpiryIntervalSurvivesARestart)
{
    // A 5.0 session with Session Expiry 50 s expires 50 s after the load (the clock of a stored
    // session starts again there); one with 0xFFFFFFFF never does; a 3.1.1 session keeps the
    // profile's rule (standard: never).
    BrokerHarness before(Plain5());
    before.EnablePersistence();
    Connect5(before, 1, Persistent5("short", 50));
    Connect5(before, 2, Persistent5("forever", 0xFFFFFFFF));
    before.Connect(3, "old", false);
    before.NetClose(1);
    before.NetClose(2);
    before.NetClose(3);
    ASSERT_EQ(before.Store().sessions.size(), 3u);
    auto image = DecodeSessionImage(before.Store().sessions.at("short"));
    ASSERT_TRUE(image.has_value());
    EXPECT_EQ(image->expiryInterval5.value_or(0), 50u);
    EXPECT_FALSE(
        DecodeSessionImage(before.Store().sessions.at("old"))->expiryInterval5.has_value());

    BrokerHarness after(Plain5());
    ASSERT_EQ(after.Restore(before.Store()), "");
    EXPECT_EQ(after.Engine().SessionCount(), 3u);
    after.Advance(milliseconds(49999));
    EXPECT_EQ(after.Engine().SessionCount(), 3u);
    after.Advance(milliseconds(1));
    EXPECT_EQ(after.Engine().SessionCount(), 2u);
    after.Advance(seconds(10000000));
    EXPECT_EQ(after.Engine().SessionCount(), 2u);
    // The restored interval is the one in force: a CONNECT resuming it shows Session Present.
    after.Open(2);
    after.Feed(2, Bytes5(Persistent5("forever", 0xFFFFFFFF)));
    EXPECT_EQ(after.TakeHex(2), "20 03 01 00 00");
}

TEST(Broker5Persistence, AnIntervalSetByDisconnectIsTheOneStored)
{
    // DISCONNECT with Session Expiry 5 replaces the CONNECT's 100 (section 3.14.2.2.2): the
    // store has 5, and the restored session expires 5 s after the load.
    BrokerHarness before(Plain5());
    before.EnablePersistence();
    Connect5(before, 1, Persistent5("d", 100));
    DisconnectPacket d;
    d.properties.AddNumber(PropertyId::SessionExpiryInterval, 5);
    before.Feed(1, Bytes5(d));
    EXPECT_EQ(DecodeSessionImage(before.Store().sessions.at("d"))->expiryInterval5.value_or(0), 5u);
    BrokerHarness after(Plain5());
    ASSERT_EQ(after.Restore(before.Store()), "");
    after.Advance(seconds(5));
    EXPECT_EQ(after.Engine().SessionCount(), 0u);
}

TEST(Broker5Persistence, SubscriptionOptionsIdentifiersAndSharedGroupsSurviveARestart)
{
    // "me" holds t with No Local and identifier 4, and $share/g/t; after the restore its own
    // message comes back once (through the group: No Local is the plain subscription's), and
    // another client's message comes twice, the plain copy with identifier 4.
    BrokerHarness before(Plain5());
    before.EnablePersistence();
    Connect5(before, 1, Persistent5("me", 1000));
    TopicRequest plain{"t", Qos::AtMostOnce};
    plain.noLocal = true;
    Properties four;
    four.AddNumber(PropertyId::SubscriptionIdentifier, 4);
    Subscribe5(before, 1, plain, 0x00, 1, four);
    Subscribe5(before, 1, {"$share/g/t", Qos::AtMostOnce}, 0x00, 2);
    before.NetClose(1);
    auto image = DecodeSessionImage(before.Store().sessions.at("me"));
    ASSERT_TRUE(image.has_value());
    ASSERT_EQ(image->options5.size(), 2u);
    EXPECT_EQ(image->subscriptions[1].first, "t");
    EXPECT_TRUE(image->options5[1].noLocal);
    EXPECT_EQ(image->options5[1].subscriptionId, 4u);

    BrokerHarness after(Plain5());
    ASSERT_EQ(after.Restore(before.Store()), "");
    after.Open(1);
    after.Feed(1, Bytes5(Persistent5("me", 1000)));
    EXPECT_EQ(after.TakeHex(1), "20 03 01 00 00");
    after.Feed(1, Bytes5(MakePublish("t", "own")));
    EXPECT_EQ(after.TakeHex(1), HexOf5(MakePublish("t", "own")));
    Connect5(after, 2, MakeConnect5("other"));
    after.Feed(2, Bytes5(MakePublish("t", "x")));
    PublishPacket withId = MakePublish("t", "x");
    withId.properties.AddNumber(PropertyId::SubscriptionIdentifier, 4);
    EXPECT_EQ(after.TakeHex(1), HexOf5(withId) + " " + HexOf5(MakePublish("t", "x")));
}

TEST(Broker5Persistence, QueuedAndRetainedMessagesKeepTheirPropertiesAndExpiry)
{
    // A queued message and a retained one keep Content Type and User Property; what was left of
    // their Message Expiry when written counts again from the load: 100 s and 30 s.
    BrokerHarness before(Plain5());
    before.EnablePersistence();
    Connect5(before, 1, Persistent5("sub", 1000));
    Subscribe5(before, 1, {"t", Qos::AtLeastOnce}, 0x01);
    before.NetClose(1);
    Connect5(before, 2, MakeConnect5("pub"));
    before.Feed(2, Bytes5(Rich("t", 1, 100)));
    before.Feed(2, Bytes5(Rich("r", 2, 30, true)));
    EXPECT_EQ(before.TakeHex(2), "40 02 00 01 40 02 00 02");

    BrokerHarness after(Plain5());
    ASSERT_EQ(after.Restore(before.Store()), "");
    after.Advance(seconds(10));
    after.Open(1);
    after.Feed(1, Bytes5(Persistent5("sub", 1000)));
    EXPECT_EQ(after.TakeHex(1), "20 03 01 00 00 " + HexOf5(Rich("t", 1, 90)));
    Connect5(after, 3, MakeConnect5("late"));
    after.Feed(3, Bytes5(MakeSubscribe(1, {{"r", Qos::AtLeastOnce}})));
    EXPECT_EQ(after.TakeHex(3), "90 04 00 01 00 01 " + HexOf5(Rich("r", 1, 20, true)));
    after.Advance(seconds(20));
    after.Feed(3, Bytes5(MakeSubscribe(2, {{"r", Qos::AtLeastOnce}})));
    EXPECT_EQ(after.TakeHex(3), "90 04 00 02 00 01");
}

TEST(Broker5Persistence, ThreeOneOneImagesAreUnchanged)
{
    // A message without properties or expiry and a session without 5.0 state are written in
    // image format 1, as before 5.0 (a store written by an older broker still loads).
    MqttMessage m;
    m.topic = "t";
    m.payload = Payload("x");
    EXPECT_EQ(EncodeMessageImage(m)[0], 1u);
    DurableSession s;
    s.subscriptions.emplace_back("t", Qos::AtLeastOnce);
    EXPECT_EQ(EncodeSessionImage(s)[0], 1u);
    s.expiryInterval5 = 7;
    std::vector<uint8_t> five = EncodeSessionImage(s);
    EXPECT_EQ(five[0], 2u);
    ASSERT_TRUE(DecodeSessionImage(five).has_value());
    EXPECT_EQ(DecodeSessionImage(five)->expiryInterval5.value_or(0), 7u);
    five.pop_back();
    EXPECT_FALSE(DecodeSessionImage(five).has_value());
}

TEST(Broker5Persistence, Mqtt5_3_1_2_8_ADelayedWillFiresAtWhatWasLeftOfItsDelay)
{
    // [MQTT5-3.1.2-8]: "dev" (Session Expiry 300 s, Will Delay 30 s) loses its connection at
    // 10 s; its session image holds the will with 30 s left (format 3). The broker stops at 20 s
    // and is restored at 100 s: the time it was down does not count (the store keeps no clock),
    // so the will is published 30 s after the load, at 130 s, and not at the load.
    BrokerHarness before(Plain5());
    before.EnablePersistence();
    Connect5(before, 1, WithWill5("dev", 300, 30));
    before.AdvanceTo(seconds(10));
    before.NetClose(1);
    const std::vector<uint8_t>& bytes = before.Store().sessions.at("dev");
    EXPECT_EQ(bytes[0], 3u);
    auto image = DecodeSessionImage(bytes);
    ASSERT_TRUE(image.has_value());
    ASSERT_TRUE(image->will5.has_value());
    EXPECT_EQ(image->will5->will.topic, "w");
    EXPECT_EQ(image->will5->delayLeft, seconds(30));
    before.AdvanceTo(seconds(20));
    before.Shutdown();

    BrokerHarness after(Plain5());
    after.AdvanceTo(seconds(100));
    ASSERT_EQ(after.Restore(before.Store()), "");
    WatchWills5(after);
    after.AdvanceTo(milliseconds(129999));
    EXPECT_EQ(after.TakeHex(9), "");
    after.Advance(milliseconds(1));
    EXPECT_EQ(after.TakeHex(9), WILL5);
    EXPECT_EQ(after.Count(EventType::WillPublished), 1u);
    // Published once: the session is stored again without it (format 2), and nothing follows.
    EXPECT_EQ(after.Store().sessions.at("dev")[0], 2u);
    EXPECT_FALSE(DecodeSessionImage(after.Store().sessions.at("dev"))->will5.has_value());
    after.Advance(seconds(1000));
    EXPECT_EQ(after.TakeHex(9), "");
}

TEST(Broker5Persistence, ARestoredDelayedWillIsChargedToTheMemoryBudgetUntilItIsPublished)
{
    // A delayed will waiting in a restored broker holds memory as it did before the crash: the
    // same charge (MemoryUse::Wills), released when it is published.
    MqttBrokerProfile profile = Plain5();
    profile.memoryLimit = 1 << 20;
    BrokerHarness before(profile);
    before.EnablePersistence();
    Connect5(before, 1, WithWill5("dev", 300, 30));
    before.NetClose(1);
    const std::size_t charged = before.Engine().Memory().Used(MemoryUse::Wills);
    EXPECT_GT(charged, 0u);
    before.Shutdown();

    BrokerHarness after(profile);
    EXPECT_EQ(after.Engine().Memory().Used(MemoryUse::Wills), 0u);
    ASSERT_EQ(after.Restore(before.Store()), "");
    EXPECT_EQ(after.Engine().Memory().Used(MemoryUse::Wills), charged);
    WatchWills5(after);
    after.AdvanceTo(seconds(30));
    EXPECT_EQ(after.TakeHex(9), WILL5);
    EXPECT_EQ(after.Engine().Memory().Used(MemoryUse::Wills), 0u);
}

TEST(Broker5Persistence, Mqtt5_3_1_3_9_AReconnectAfterARestoreCancelsTheStoredWill)
{
    // [MQTT5-3.1.3-9]: the session comes back 10 s after the load, before its restored delay
    // (30 s) has passed: the will is never sent, and the store forgets it.
    BrokerHarness before(Plain5());
    before.EnablePersistence();
    Connect5(before, 1, WithWill5("dev", 300, 30));
    before.NetClose(1);
    ASSERT_TRUE(DecodeSessionImage(before.Store().sessions.at("dev"))->will5.has_value());

    BrokerHarness after(Plain5());
    ASSERT_EQ(after.Restore(before.Store()), "");
    WatchWills5(after);
    after.AdvanceTo(seconds(10));
    after.Open(2);
    after.Feed(2, Bytes5(Persistent5("dev", 300)));
    EXPECT_EQ(after.TakeHex(2), "20 03 01 00 00");
    EXPECT_FALSE(DecodeSessionImage(after.Store().sessions.at("dev"))->will5.has_value());
    after.Advance(seconds(100));
    EXPECT_EQ(after.TakeHex(9), "");
    EXPECT_EQ(after.Count(EventType::WillPublished), 0u);
}

TEST(Broker5Persistence, Mqtt5_3_1_2_8_ARestoredSessionEndingFirstPublishesItsWill)
{
    // [MQTT5-3.1.2-8]: Session Expiry 20 s, Will Delay 60 s. Both clocks start again at the
    // load; the session ends first (20 s after it) and its will goes then.
    BrokerHarness before(Plain5());
    before.EnablePersistence();
    Connect5(before, 1, WithWill5("dev", 20, 60));
    before.NetClose(1);

    BrokerHarness after(Plain5());
    after.AdvanceTo(seconds(500));
    ASSERT_EQ(after.Restore(before.Store()), "");
    WatchWills5(after);
    after.AdvanceTo(milliseconds(519999));
    EXPECT_EQ(after.TakeHex(9), "");
    after.Advance(milliseconds(1));
    EXPECT_EQ(after.Engine().SessionCount(), 1u); // the watcher's
    EXPECT_EQ(after.TakeHex(9), WILL5);
    EXPECT_EQ(after.Store().sessions.count("dev"), 0u);
}

TEST(Broker5Persistence, Mqtt5_3_3_4_3_StoredDeliveriesKeepTheirSubscriptionIdentifiers)
{
    // [MQTT5-3.3.4-3] [MQTT5-3.3.4-4]: "s" matches t/a through identifiers 7 and 9; "plain"
    // through a subscription without one. The message is stored once; the identifiers belong to
    // s's deliveries: the one in flight (sent again with DUP after the restore) and the queued
    // one carry 7 and 9, plain's none.
    BrokerHarness before(Plain5());
    before.EnablePersistence();
    Connect5(before, 1, Persistent5("s", 1000));
    SubscribeWithId(before, 1, "t/#", 7, 1);
    SubscribeWithId(before, 1, "t/+", 9, 2);
    Connect5(before, 2, Persistent5("plain", 1000));
    Subscribe5(before, 2, {"t/#", Qos::AtLeastOnce}, 0x01);
    before.NetClose(2);
    Connect5(before, 3, MakeConnect5("pub"));
    before.Feed(3, Bytes5(MakePublish("t/a", "one", Qos::AtLeastOnce, 1)));
    EXPECT_EQ(before.TakeHex(1), HexOf5(Delivered("t/a", "one", 1, false, {7, 9})));
    before.NetClose(1);
    before.Feed(3, Bytes5(MakePublish("t/a", "two", Qos::AtLeastOnce, 2)));
    auto image = DecodeSessionImage(before.Store().sessions.at("s"));
    ASSERT_TRUE(image.has_value());
    ASSERT_EQ(image->inflight.size(), 1u);
    ASSERT_EQ(image->queued.size(), 1u);
    EXPECT_EQ(image->inflight[0].subscriptionIds5, (std::vector<uint32_t>{7, 9}));
    EXPECT_EQ(image->queued[0].subscriptionIds5, (std::vector<uint32_t>{7, 9}));
    EXPECT_EQ(before.Store().sessions.at("s")[0], 3u);
    EXPECT_EQ(before.Store().sessions.at("plain")[0], 2u);
    before.Shutdown();

    BrokerHarness after(Plain5());
    ASSERT_EQ(after.Restore(before.Store()), "");
    after.Open(1);
    after.Feed(1, Bytes5(Persistent5("s", 1000)));
    EXPECT_EQ(after.TakeHex(1),
              "20 03 01 00 00 " + HexOf5(Delivered("t/a", "one", 1, true, {7, 9})) + " " +
                  HexOf5(Delivered("t/a", "two", 2, false, {7, 9})));
    after.Open(2);
    after.Feed(2, Bytes5(Persistent5("plain", 1000)));
    EXPECT_EQ(after.TakeHex(2),
              "20 03 01 00 00 " + HexOf5(Delivered("t/a", "one", 1, false, {})) + " " +
                  HexOf5(Delivered("t/a", "two", 2, false, {})));
}

TEST(Broker5Persistence, StoredSharedDeliveriesKeepTheirGroup)
{
    // "a" and "b" share $share/g/t at QoS 1. "one" goes to a (round robin) and stays
    // unacknowledged; with both away, "two" goes to b and "three" is queued for a. After the
    // restore, b comes back and a starts clean: a's old session ends, and its QoS 1 delivery in
    // flight and its queued one go to the group's other member (section 4.8.2: a QoS 1 one
    // SHOULD be sent to another member), which needs the group they came through.
    BrokerHarness before(Plain5());
    before.EnablePersistence();
    JoinShared5(before, 1, Persistent5("a", 1000), Qos::AtLeastOnce);
    JoinShared5(before, 2, Persistent5("b", 1000), Qos::AtLeastOnce);
    Connect5(before, 3, MakeConnect5("pub"));
    before.Feed(3, Bytes5(MakePublish("t", "one", Qos::AtLeastOnce, 1)));
    EXPECT_EQ(before.TakeHex(1), HexOf5(MakePublish("t", "one", Qos::AtLeastOnce, 1)));
    before.NetClose(1);
    before.NetClose(2);
    before.Feed(3, Bytes5(MakePublish("t", "two", Qos::AtLeastOnce, 2)));
    before.Feed(3, Bytes5(MakePublish("t", "three", Qos::AtLeastOnce, 3)));
    auto image = DecodeSessionImage(before.Store().sessions.at("a"));
    ASSERT_TRUE(image.has_value());
    ASSERT_EQ(image->inflight.size(), 1u);
    ASSERT_EQ(image->queued.size(), 1u);
    EXPECT_EQ(image->inflight[0].sharedGroup5, "$share/g/t");
    EXPECT_EQ(image->queued[0].sharedGroup5, "$share/g/t");
    before.Shutdown();

    BrokerHarness after(Plain5());
    ASSERT_EQ(after.Restore(before.Store()), "");
    after.Open(2);
    after.Feed(2, Bytes5(Persistent5("b", 1000)));
    EXPECT_EQ(after.TakeHex(2),
              "20 03 01 00 00 " + HexOf5(MakePublish("t", "two", Qos::AtLeastOnce, 1)));
    after.Open(1);
    after.Feed(1, Bytes5(MakeConnect5("a")));
    EXPECT_EQ(after.TakeHex(1), "20 03 00 00 00");
    EXPECT_EQ(after.TakeHex(2),
              HexOf5(MakePublish("t", "one", Qos::AtLeastOnce, 2)) + " " +
                  HexOf5(MakePublish("t", "three", Qos::AtLeastOnce, 3)));
}

TEST(Broker5Persistence, FormatThreeImagesRoundTripAndRefuseDamage)
{
    // A session image with a delivery's identifiers and group and a delayed will is written in
    // format 3 and decodes to the same values; any byte less is refused, never read past.
    DurableSession s;
    s.subscriptions.emplace_back("$share/g/t", Qos::AtLeastOnce);
    DurableDelivery d;
    d.messageId = 5;
    d.packetId = 3;
    d.subscriptionIds5 = {2, 268435455};
    d.sharedGroup5 = "$share/g/t";
    s.inflight.push_back(d);
    s.queued.push_back(DurableDelivery{});
    DurableWill w;
    w.will.topic = "w";
    w.will.payload = Payload("gone");
    w.will.qos = Qos::AtLeastOnce;
    w.will.properties.AddText(PropertyId::ContentType, "text/plain");
    w.userName = "u";
    w.delayLeft = milliseconds(1500);
    s.will5 = w;
    std::vector<uint8_t> bytes = EncodeSessionImage(s);
    EXPECT_EQ(bytes[0], 3u);
    auto back = DecodeSessionImage(bytes);
    ASSERT_TRUE(back.has_value());
    EXPECT_FALSE(back->expiryInterval5.has_value());
    ASSERT_EQ(back->inflight.size(), 1u);
    EXPECT_EQ(back->inflight[0].subscriptionIds5, d.subscriptionIds5);
    EXPECT_EQ(back->inflight[0].sharedGroup5, "$share/g/t");
    EXPECT_TRUE(back->queued[0].subscriptionIds5.empty());
    ASSERT_TRUE(back->will5.has_value());
    EXPECT_EQ(back->will5->will.topic, "w");
    EXPECT_EQ(back->will5->will.payload, Payload("gone"));
    EXPECT_EQ(back->will5->will.qos, Qos::AtLeastOnce);
    EXPECT_EQ(back->will5->will.properties.Text(PropertyId::ContentType).value_or(""),
              "text/plain");
    EXPECT_EQ(back->will5->userName.value_or(""), "u");
    EXPECT_EQ(back->will5->delayLeft, milliseconds(1500));
    for (std::size_t n = 1; n < bytes.size(); ++n)
    {
        std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
        EXPECT_FALSE(DecodeSessionImage(cut).has_value()) << n;
    }
}
