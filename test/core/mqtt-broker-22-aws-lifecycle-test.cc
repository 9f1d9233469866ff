/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The AWS IoT Core profile's lifecycle events (AWS IoT Core Developer Guide, "Lifecycle
 * events"): JSON on $aws/events/presence/connected/<clientId> and .../disconnected/<clientId>,
 * received by subscribing like any topic.
 */
#include "mqtt-broker-aws-test-util.h"
#include "mqtt-lifecycle-event.h"

#include <functional>
#include <iterator>

using namespace brokertest;

namespace
{

const char* const PRESENCE = "$aws/events/presence/#";

/** Topics and payloads of the PUBLISHes sent to @p c, as "topic payload". */
std::vector<std::string>
Received(BrokerHarness& h, ConnectionId c)
{
    std::vector<std::string> out;
    for (const PublishPacket& p : Publishes(h.TakePackets(c)))
    {
        out.push_back(p.topic + " " + Text(p.payload));
    }
    return out;
}

/** The disconnectReason in the one disconnected event sent to @p c ("" if none). */
std::string
DisconnectReason(BrokerHarness& h, ConnectionId c)
{
    for (const PublishPacket& p : Publishes(h.TakePackets(c)))
    {
        std::string json = Text(p.payload);
        const std::string key = "\"disconnectReason\":\"";
        auto at = json.find(key);
        if (p.topic.find("/disconnected/") != std::string::npos && at != std::string::npos)
        {
            at += key.size();
            return json.substr(at, json.find('"', at) - at);
        }
    }
    return "";
}

} // namespace

TEST(BrokerAwsLifecycle, ConnectAndDisconnectEventsAreExactJson)
{
    // Lifecycle events: fixed key order, timestamp in ms, the connection's session identifier
    // and version number shared by its two events, principalIdentifier from the user name.
    BrokerHarness h(QuietAws());
    h.Connect(1, "watch");
    h.Subscribe(1, PRESENCE, Qos::AtLeastOnce);
    h.AdvanceTo(milliseconds(1500));
    ConnectPacket p = MakeConnect("dev");
    p.userName = "alice";
    h.Connect(2, p);
    h.AdvanceTo(milliseconds(2250));
    h.Send(2, DisconnectPacket{});
    EXPECT_EQ(Received(h, 1),
              (std::vector<std::string>{
                  "$aws/events/presence/connected/dev "
                  "{\"clientId\":\"dev\",\"timestamp\":1500,\"eventType\":\"connected\","
                  "\"sessionIdentifier\":\"00000000-0000-0000-0000-000000000002\","
                  "\"principalIdentifier\":\"alice\",\"versionNumber\":2}",
                  "$aws/events/presence/disconnected/dev "
                  "{\"clientId\":\"dev\",\"timestamp\":2250,\"eventType\":\"disconnected\","
                  "\"sessionIdentifier\":\"00000000-0000-0000-0000-000000000002\","
                  "\"principalIdentifier\":\"alice\",\"clientInitiatedDisconnect\":true,"
                  "\"disconnectReason\":\"CLIENT_INITIATED_DISCONNECT\",\"versionNumber\":2}",
              }));
    // Published by the broker (no publisher), at the profile's lifecycle QoS.
    auto published = h.Events(EventType::LifecyclePublished);
    ASSERT_EQ(published.size(), 3u); // watch's own connect too, before it subscribed
    EXPECT_EQ(published[1].clientId, "dev");
    EXPECT_EQ(published[1].message->publisherId, "");
    EXPECT_EQ(published[1].qos, Qos::AtLeastOnce);
}

TEST(BrokerAwsLifecycle, DisconnectReasonsForEachWayAConnectionEnds)
{
    // Lifecycle events: disconnectReason per cause; clientInitiatedDisconnect only for
    // DISCONNECT (previous test).
    struct Row
    {
        const char* reason;
        std::function<void(BrokerHarness&)> end;
    };
    MqttBrokerProfile throttling = QuietAws();
    throttling.closeOnThrottle = true;
    throttling.maxPublishRate = 1;
    const Row rows[] = {
        {"CONNECTION_LOST", [](BrokerHarness& h) { h.NetClose(2); }},
        {"MQTT_KEEP_ALIVE_TIMEOUT", [](BrokerHarness& h) { h.Advance(seconds(1799)); }},
        {"CLIENT_ERROR", [](BrokerHarness& h) { h.FeedHex(2, "20 02 00 00"); }},
        {"CLIENT_ERROR",
         [](BrokerHarness& h) { h.Send(2, MakePublish("t", "x", Qos::AtMostOnce, 0, true)); }},
        {"CLIENT_ERROR", [](BrokerHarness& h) { h.Send(2, MakePublish("$aws/x", "x")); }},
        {"DUPLICATE_CLIENTID",
         [](BrokerHarness& h)
         {
             h.Advance(seconds(1));
             h.Connect(3, "dev");
         }},
        {"SERVER_INITIATED_DISCONNECT", [](BrokerHarness& h) { h.Shutdown(); }},
    };
    for (const Row& row : rows)
    {
        // The watcher's connection id is the highest, so a shutdown (which closes in id order)
        // reaches it last.
        BrokerHarness h(QuietAws());
        h.Connect(9, "watch", true, 1200);
        h.Subscribe(9, "$aws/events/presence/disconnected/+", Qos::AtLeastOnce);
        h.Connect(2, "dev", true, 1200);
        h.Advance(seconds(1));
        h.FeedHex(9, "c0 00"); // keep the watcher alive
        h.TakePackets(9);
        row.end(h);
        EXPECT_EQ(DisconnectReason(h, 9), row.reason) << row.reason;
    }
    BrokerHarness h(throttling);
    h.Connect(1, "watch");
    h.Subscribe(1, "$aws/events/presence/disconnected/+", Qos::AtLeastOnce);
    h.Connect(2, "dev");
    h.Send(2, MakePublish("t", "a"));
    h.Send(2, MakePublish("t", "b"));
    EXPECT_EQ(DisconnectReason(h, 1), "THROTTLED");
}

TEST(BrokerAwsLifecycle, TakeoverPublishesTheOldDisconnectBeforeTheNewConnect)
{
    // AWS doc point 6 with lifecycle events: DUPLICATE_CLIENTID for the old connection, then the
    // new connection's connected event with the next version number.
    BrokerHarness h(QuietAws());
    h.Connect(1, "watch");
    h.Subscribe(1, PRESENCE, Qos::AtMostOnce);
    h.Connect(2, "dev");
    h.TakePackets(1);
    h.Advance(seconds(1));
    h.Connect(3, "dev");
    auto got = Received(h, 1);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].rfind("$aws/events/presence/disconnected/dev ", 0), 0u);
    EXPECT_NE(got[0].find("\"clientInitiatedDisconnect\":false,"
                          "\"disconnectReason\":\"DUPLICATE_CLIENTID\",\"versionNumber\":2}"),
              std::string::npos);
    EXPECT_EQ(got[1].rfind("$aws/events/presence/connected/dev ", 0), 0u);
    EXPECT_NE(got[1].find("\"versionNumber\":3}"), std::string::npos);
}

TEST(BrokerAwsLifecycle, OnlyFiltersNamingThemReceiveThem)
{
    // [MQTT-4.7.2-1]: "#" and "+/..." never match the $aws topics; a filter written for them does.
    BrokerHarness h(QuietAws());
    h.Connect(1, "all");
    h.Subscribe(1, "#", Qos::AtMostOnce);
    h.Connect(2, "connects");
    h.Subscribe(2, "$aws/events/presence/connected/+", Qos::AtMostOnce);
    h.Connect(3, "dev");
    h.Send(3, DisconnectPacket{});
    EXPECT_EQ(h.TakeHex(1), "");
    auto got = Received(h, 2);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].rfind("$aws/events/presence/connected/dev ", 0), 0u);
}

TEST(BrokerAwsLifecycle, ClientIdsWithWildcardCharactersGetNone)
{
    // Lifecycle events: client ids holding '#' or '+' do not get lifecycle events.
    BrokerHarness h(QuietAws());
    h.Connect(1, "watch");
    h.Subscribe(1, PRESENCE, Qos::AtMostOnce);
    h.TakeEvents();
    h.Connect(2, "a+b");
    h.Connect(3, "c#");
    h.NetClose(2);
    h.NetClose(3);
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.Count(EventType::LifecyclePublished), 0u);
}

TEST(BrokerAwsLifecycle, OffWithoutAPrefix)
{
    // The standard profile publishes none (lifecycleTopicPrefix empty).
    BrokerHarness h;
    h.Connect(1, "watch");
    h.Subscribe(1, PRESENCE, Qos::AtMostOnce);
    h.Connect(2, "dev");
    h.NetClose(2);
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.Count(EventType::LifecyclePublished), 0u);
}

TEST(BrokerAwsLifecycle, PersistentSubscriberGetsThemQueuedWhileOffline)
{
    // Lifecycle events are ordinary QoS 1 messages: an offline persistent subscriber gets them
    // after its reconnect, its own disconnect included (and then its own new connect).
    MqttBrokerProfile p = QuietAws();
    p.offlineDrainRate = 0;
    BrokerHarness h(p);
    h.Connect(1, "watch", false);
    h.Subscribe(1, PRESENCE, Qos::AtLeastOnce);
    h.NetClose(1);
    h.Connect(2, "dev");
    h.Advance(seconds(1));
    EXPECT_TRUE(h.Connect(3, "watch", false));
    auto got = Received(h, 3);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].rfind("$aws/events/presence/disconnected/watch ", 0), 0u);
    EXPECT_EQ(got[1].rfind("$aws/events/presence/connected/dev ", 0), 0u);
    EXPECT_EQ(got[2].rfind("$aws/events/presence/connected/watch ", 0), 0u);
}

TEST(LifecycleEvent, JsonEscapesAndKeyOrder)
{
    MqttLifecycleEvent e;
    e.connected = false;
    e.clientId = "a\"b\\c\x01";
    e.timestampMs = 42;
    e.sessionIdentifier = LifecycleSessionIdentifier(0x1234abcd);
    e.versionNumber = 7;
    e.disconnectReason = LifecycleDisconnectReason(CloseReason::KeepAliveTimeout);
    EXPECT_EQ(e.ToJson(),
              "{\"clientId\":\"a\\\"b\\\\c\\u0001\",\"timestamp\":42,\"eventType\":"
              "\"disconnected\",\"sessionIdentifier\":\"00000000-0000-0000-0000-00001234abcd\","
              "\"clientInitiatedDisconnect\":false,\"disconnectReason\":"
              "\"MQTT_KEEP_ALIVE_TIMEOUT\",\"versionNumber\":7}");
    EXPECT_EQ(e.Topic("$aws/events/presence/"), "$aws/events/presence/disconnected/a\"b\\c\x01");
    EXPECT_EQ(LifecycleSessionIdentifier(UINT64_MAX), "00000000-0000-0000-ffff-ffffffffffff");
    EXPECT_TRUE(HasLifecycleEvents("dev/1"));
    EXPECT_FALSE(HasLifecycleEvents("dev+"));
    EXPECT_FALSE(HasLifecycleEvents("#"));
}

TEST(LifecycleEvent, EveryCloseReasonHasADisconnectReason)
{
    const std::pair<CloseReason, const char*> rows[] = {
        {CloseReason::ClientDisconnect, "CLIENT_INITIATED_DISCONNECT"},
        {CloseReason::NetworkClosed, "CONNECTION_LOST"},
        {CloseReason::KeepAliveTimeout, "MQTT_KEEP_ALIVE_TIMEOUT"},
        {CloseReason::ProtocolError, "CLIENT_ERROR"},
        {CloseReason::Takeover, "DUPLICATE_CLIENTID"},
        {CloseReason::AuthFailure, "AUTH_ERROR"},
        {CloseReason::ConnectRefused, "UNKNOWN"},
        {CloseReason::ConnectTimeout, "UNKNOWN"},
        {CloseReason::PolicyViolation, "CLIENT_ERROR"},
        {CloseReason::ServerShutdown, "SERVER_INITIATED_DISCONNECT"},
        {CloseReason::Throttled, "THROTTLED"},
        {CloseReason::AckTimeout, "UNKNOWN"},
    };
    ASSERT_EQ(std::size(rows), static_cast<std::size_t>(CloseReason::AckTimeout) + 1);
    for (const auto& [reason, name] : rows)
    {
        EXPECT_STREQ(LifecycleDisconnectReason(reason), name) << CloseReasonName(reason);
    }
}
