/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine, MQTT 5.0 state in durable persistence: a session's Session Expiry Interval,
 * its subscription options, identifiers and shared-group membership, and the properties and
 * Message Expiry of queued and retained messages survive a restore from the store (the
 * in-memory reference store; the kill -9 test of the standalone broker is in test/posix).
 */
#include "mqtt-broker5-test-util.h"

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
    EXPECT_FALSE(DecodeSessionImage(before.Store().sessions.at("old"))->expiryInterval5.has_value());

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
