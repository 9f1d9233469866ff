/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Client engine, message flows: publishing at QoS 0/1/2 with packet ids, the in-flight window
 * and queue bound, subscribe and unsubscribe, redelivery after reconnect, inbound QoS 1/2
 * acknowledgement and exactly-once, ack ordering and ack timeouts. Byte scripts on a fake clock.
 */
#include "mqtt-client-test-util.h"

#include <gtest/gtest.h>

using namespace ns3::mqtt;
using namespace ns3::mqtt::clienttest;

namespace
{

constexpr TimerId ACK = MqttClientEngine::ACK_TIMER;
constexpr TimerId KEEP_ALIVE = MqttClientEngine::KEEP_ALIVE_TIMER;
constexpr TimerId RECONNECT = MqttClientEngine::RECONNECT_TIMER;

MqttClientConfig
PersistentConfig()
{
    MqttClientConfig config = BaseConfig();
    config.cleanSession = false;
    return config;
}

/** Reconnects a client whose connection @p c just dropped: reconnect timer, transport, CONNACK. */
Lines
Reconnect(ClientHarness& h, bool sessionPresent)
{
    h.Fire(RECONNECT);
    h.Connected(h.now);
    return h.Feed(h.now, sessionPresent ? "20 02 01 00" : "20 02 00 00");
}

} // namespace

// [MQTT-4.3.1-1]: QoS 0 goes out once, DUP 0, no packet id, nothing kept.
TEST(ClientEngineQos, PublishQos0)
{
    ClientHarness h(BaseConfig());
    h.Establish(0s);
    EXPECT_EQ(h.Publish(1s, "a/b", "hi", Qos::AtMostOnce),
              Lines{Send(1, "30 07 00 03 61 2F 62 68 69")});
    EXPECT_EQ(h.Publish(1s, "a/b", "", Qos::AtMostOnce, true),
              Lines{Send(1, "31 05 00 03 61 2F 62")});
    EXPECT_EQ(h.engine.PendingPublishes(), 0u);
}

// QoS 0 while not connected is dropped and reported.
TEST(ClientEngineQos, PublishQos0OfflineIsDropped)
{
    ClientHarness h(BaseConfig());
    EXPECT_EQ(h.Publish(0s, "a/b", "hi", Qos::AtMostOnce),
              Lines{Dropped(1, DropReason::QosZeroOffline)});
    h.Open(0s);
    EXPECT_EQ(h.Publish(0s, "a/b", "hi", Qos::AtMostOnce),
              Lines{Dropped(2, DropReason::QosZeroOffline)});
    EXPECT_EQ(h.lastPublish, 2u);
}

// [MQTT-4.3.2-1]: QoS 1 with a new id and DUP 0, unacknowledged until its PUBACK.
TEST(ClientEngineQos, PublishQos1)
{
    ClientHarness h(BaseConfig());
    h.Establish(0s);
    EXPECT_EQ(h.Publish(1s, "a/b", "hi", Qos::AtLeastOnce),
              (Lines{Send(1, "32 09 00 03 61 2F 62 00 01 68 69"), Timer(ACK, 31s)}));
    EXPECT_EQ(h.lastPublish, 1u);
    EXPECT_EQ(h.engine.PendingPublishes(), 1u);
    EXPECT_EQ(h.Feed(2s, "40 02 00 01"), Lines{Completed(1, 1)});
    EXPECT_EQ(h.engine.PendingPublishes(), 0u);
    // The completion event carries the message.
    const auto& event = std::get<NotifyAction>(h.last[0]).event;
    EXPECT_EQ(event.message->topic, "a/b");
    EXPECT_EQ(event.qos, Qos::AtLeastOnce);
}

// [MQTT-4.3.3-1], [MQTT-2.3.1-6]: QoS 2 sender: PUBLISH, on PUBREC a PUBREL with the same id,
// complete on PUBCOMP.
TEST(ClientEngineQos, PublishQos2)
{
    ClientHarness h(BaseConfig());
    h.Establish(0s);
    EXPECT_EQ(h.Publish(1s, "a/b", "hi", Qos::ExactlyOnce, true),
              (Lines{Send(1, "35 09 00 03 61 2F 62 00 01 68 69"), Timer(ACK, 31s)}));
    EXPECT_EQ(h.Feed(2s, "50 02 00 01"), Lines{Send(1, "62 02 00 01")});
    EXPECT_EQ(h.engine.PendingPublishes(), 1u);
    EXPECT_EQ(h.Feed(3s, "70 02 00 01"), Lines{Completed(1, 1)});
    EXPECT_EQ(h.engine.PendingPublishes(), 0u);
}

// [MQTT-2.3.1-2]: every new SUBSCRIBE, UNSUBSCRIBE and QoS > 0 PUBLISH gets an id not in use;
// [MQTT-2.3.1-3]: an id is free again only after the final ack, and the allocator moves on
// rather than reusing a just-freed id.
TEST(ClientEngineQos, PacketIdsAreUnusedAndFreedAfterFinalAck)
{
    ClientHarness h(BaseConfig());
    h.Establish(0s);
    EXPECT_EQ(Sends(h.Subscribe(1s, {{"s", Qos::AtMostOnce}})),
              Lines{Send(1, "82 06 00 01 00 01 73 00")});
    EXPECT_EQ(Sends(h.Publish(1s, "t", "1", Qos::AtLeastOnce)),
              Lines{Send(1, "32 06 00 01 74 00 02 31")});
    EXPECT_EQ(Sends(h.Unsubscribe(1s, {"s"})), Lines{Send(1, "A2 05 00 03 00 01 73")});
    EXPECT_EQ(Sends(h.Publish(1s, "t", "2", Qos::ExactlyOnce)),
              Lines{Send(1, "34 06 00 01 74 00 04 32")});
    h.Feed(2s, "40 02 00 02 50 02 00 04");
    EXPECT_EQ(Sends(h.Publish(2s, "t", "3", Qos::AtLeastOnce)),
              Lines{Send(1, "32 06 00 01 74 00 05 33")});
}

// The in-flight window holds a QoS 2 message until PUBCOMP, not just PUBREC [MQTT-2.3.1-3].
TEST(ClientEngineQos, WindowSlotHeldUntilPubcomp)
{
    MqttClientConfig config = BaseConfig();
    config.maxInflight = 1;
    ClientHarness h(config);
    h.Establish(0s);
    h.Publish(1s, "t", "A", Qos::ExactlyOnce);
    EXPECT_EQ(h.Publish(1s, "t", "B", Qos::AtLeastOnce), Lines{});
    EXPECT_EQ(h.Feed(2s, "50 02 00 01"), Lines{Send(1, "62 02 00 01")});
    EXPECT_EQ(h.Feed(3s, "70 02 00 01"),
              (Lines{Completed(1, 1), Send(1, "32 06 00 01 74 00 02 42")}));
}

// maxInflight publishes at once; more wait and go out in order as acks free slots.
TEST(ClientEngineQos, InflightWindowKeepsOrder)
{
    MqttClientConfig config = BaseConfig();
    config.maxInflight = 2;
    ClientHarness h(config);
    h.Establish(0s);
    EXPECT_EQ(Sends(h.Publish(1s, "t", "1", Qos::AtLeastOnce)),
              Lines{Send(1, "32 06 00 01 74 00 01 31")});
    EXPECT_EQ(Sends(h.Publish(1s, "t", "2", Qos::ExactlyOnce)),
              Lines{Send(1, "34 06 00 01 74 00 02 32")});
    EXPECT_EQ(h.Publish(1s, "t", "3", Qos::AtLeastOnce), Lines{});
    EXPECT_EQ(h.Publish(1s, "t", "4", Qos::AtLeastOnce), Lines{});
    // A subscribe waits behind the publishes made before it.
    EXPECT_EQ(h.Subscribe(1s, {{"s", Qos::AtLeastOnce}}), Lines{});
    EXPECT_EQ(h.engine.InflightPublishes(), 2u);
    EXPECT_EQ(h.engine.PendingPublishes(), 4u);
    EXPECT_EQ(h.Feed(2s, "40 02 00 01"),
              (Lines{Completed(1, 1), Send(1, "32 06 00 01 74 00 03 33")}));
    EXPECT_EQ(h.Feed(3s, "50 02 00 02"), Lines{Send(1, "62 02 00 02")});
    EXPECT_EQ(h.Feed(4s, "70 02 00 02"),
              (Lines{Completed(2, 2),
                     Send(1, "32 06 00 01 74 00 04 34"),
                     Send(1, "82 06 00 05 00 01 73 01")}));
}

// Beyond maxQueued (in flight included) a QoS 1/2 publish is dropped and reported.
TEST(ClientEngineQos, QueueBoundDropsBeyondMaxQueued)
{
    MqttClientConfig config = BaseConfig();
    config.maxInflight = 1;
    config.maxQueued = 3;
    ClientHarness h(config);
    h.Establish(0s);
    h.Publish(1s, "t", "1", Qos::AtLeastOnce);
    h.Publish(1s, "t", "2", Qos::AtLeastOnce);
    h.Publish(1s, "t", "3", Qos::ExactlyOnce);
    EXPECT_EQ(h.Publish(1s, "t", "4", Qos::AtLeastOnce), Lines{Dropped(4, DropReason::QueueFull)});
    EXPECT_EQ(h.engine.PendingPublishes(), 3u);
    h.Feed(2s, "40 02 00 01");
    EXPECT_EQ(Sends(h.Publish(2s, "t", "5", Qos::AtLeastOnce)), Lines{});
    EXPECT_EQ(h.engine.PendingPublishes(), 3u);
}

// Requests made before the session is up are kept and sent after CONNACK, in order.
TEST(ClientEngineQos, RequestsBeforeConnectGoOutAfterConnack)
{
    ClientHarness h(BaseConfig());
    EXPECT_EQ(h.Subscribe(0s, {{"a/#", Qos::AtLeastOnce}}), Lines{});
    EXPECT_EQ(h.Publish(0s, "a/b", "hi", Qos::AtLeastOnce), Lines{});
    h.Connect(1s);
    EXPECT_EQ(h.Publish(1s, "a/b", "hi", Qos::ExactlyOnce), Lines{});
    h.Connected(1s);
    EXPECT_EQ(h.Feed(2s, "20 02 00 00"),
              (Lines{Cancel(MqttClientEngine::CONNACK_TIMER),
                     State(ClientState::Connected),
                     Session(false),
                     Send(1, "82 08 00 01 00 03 61 2F 23 01"),
                     Timer(ACK, 32s),
                     Send(1, "32 09 00 03 61 2F 62 00 02 68 69"),
                     Send(1, "34 09 00 03 61 2F 62 00 03 68 69"),
                     Timer(KEEP_ALIVE, 62s)}));
}

TEST(ClientEngineQos, SubscribeAndUnsubscribe)
{
    ClientHarness h(BaseConfig());
    h.Establish(0s);
    EXPECT_EQ(h.Subscribe(1s, {{"a/#", Qos::AtLeastOnce}, {"b", Qos::ExactlyOnce}}),
              (Lines{Send(1, "82 0C 00 01 00 03 61 2F 23 01 00 01 62 02"), Timer(ACK, 31s)}));
    // The broker may grant less, or refuse a filter (0x80).
    EXPECT_EQ(h.Feed(2s, "90 04 00 01 00 80"), (Lines{Granted("a/#", 0, 1), Denied("b", 1)}));
    EXPECT_EQ(h.Unsubscribe(3s, {"a/#", "b"}),
              Lines{Send(1, "A2 0A 00 02 00 03 61 2F 23 00 01 62")});
    EXPECT_EQ(h.Feed(4s, "B0 02 00 02"), (Lines{Unsubscribed("a/#", 2), Unsubscribed("b", 2)}));
}

TEST(ClientEngineQos, SubackWithWrongNumberOfCodesCloses)
{
    ClientHarness h(BaseConfig());
    h.Establish(0s);
    h.Subscribe(1s, {{"a", Qos::AtLeastOnce}, {"b", Qos::AtLeastOnce}});
    Lines lines = h.Feed(2s, "90 03 00 01 01");
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0], Close(1, CloseReason::ProtocolError));
}

// The engine never sends an invalid packet: such requests are refused and reported.
TEST(ClientEngineQos, InvalidRequestsAreRefusedWithoutSending)
{
    ClientHarness h(BaseConfig());
    h.Establish(0s);
    EXPECT_EQ(h.Publish(1s, "a/+", "x", Qos::AtLeastOnce),
              Lines{Dropped(1, DropReason::TopicRejected)});
    EXPECT_EQ(h.Publish(1s, "", "x", Qos::AtMostOnce),
              Lines{Dropped(2, DropReason::TopicRejected)});
    EXPECT_EQ(h.Publish(1s, "a", "x", static_cast<Qos>(3)),
              Lines{Dropped(3, DropReason::QosNotSupported)});
    EXPECT_EQ(h.Subscribe(1s, {{"a/#/b", Qos::AtMostOnce}, {"ok", Qos::AtMostOnce}}),
              (Lines{Denied("a/#/b", 0), Denied("ok", 0)}));
    EXPECT_EQ(h.Subscribe(1s, {{"a", static_cast<Qos>(3)}}), Lines{Denied("a", 0)});
    EXPECT_EQ(h.Subscribe(1s, {}), Lines{Denied("", 0)});
    EXPECT_EQ(h.Unsubscribe(1s, {"a+"}), Lines{Denied("a+", 0)});
    EXPECT_EQ(h.Unsubscribe(1s, {}), Lines{Denied("", 0)});
    EXPECT_EQ(h.engine.PendingPublishes(), 0u);
}

// [MQTT-4.4.0-1], [MQTT-3.3.1-1], [MQTT-4.6.0-1], [MQTT-2.3.1-3]: after reconnecting a
// persistent session the client re-sends every unacknowledged PUBLISH with DUP = 1 and every
// unacknowledged PUBREL, with the original ids and in the original order. [MQTT-4.3.3-1]: a
// QoS 2 message whose PUBREL was sent is never sent again as PUBLISH.
TEST(ClientEngineQos, PersistentSessionRedeliversWithDupInOrder)
{
    ClientHarness h(PersistentConfig());
    h.Establish(0s);
    h.Publish(1s, "t", "A", Qos::AtLeastOnce);
    h.Publish(1s, "t", "B", Qos::ExactlyOnce);
    h.Publish(1s, "t", "C", Qos::AtLeastOnce);
    h.Publish(1s, "t", "D", Qos::ExactlyOnce);
    EXPECT_EQ(h.Feed(2s, "50 02 00 02"), Lines{Send(1, "62 02 00 02")});
    EXPECT_EQ(h.PeerClosed(5s),
              (Lines{Cancel(KEEP_ALIVE),
                     Cancel(ACK),
                     Closed(1, CloseReason::NetworkClosed),
                     State(ClientState::WaitingToReconnect),
                     Timer(RECONNECT, 6s)}));
    EXPECT_EQ(h.engine.PendingPublishes(), 4u);
    h.Fire(RECONNECT);
    EXPECT_EQ(Sends(h.Connected(6s)),
              Lines{Send(2, "10 0E 00 04 4D 51 54 54 04 00 00 3C 00 02 63 31")});
    EXPECT_EQ(h.Feed(7s, "20 02 01 00"),
              (Lines{Cancel(MqttClientEngine::CONNACK_TIMER),
                     State(ClientState::Connected),
                     Session(true),
                     Send(2, "3A 06 00 01 74 00 01 41"),
                     Timer(ACK, 37s),
                     Send(2, "62 02 00 02"),
                     Send(2, "3A 06 00 01 74 00 03 43"),
                     Send(2, "3C 06 00 01 74 00 04 44"),
                     Timer(KEEP_ALIVE, 67s)}));
    EXPECT_EQ(h.Feed(8s, "40 02 00 01 70 02 00 02 40 02 00 03 50 02 00 04 70 02 00 04"),
              (Lines{Completed(1, 1),
                     Completed(2, 2),
                     Completed(3, 3),
                     Send(2, "62 02 00 04"),
                     Completed(4, 4)}));
    EXPECT_EQ(h.engine.PendingPublishes(), 0u);
}

// Messages still queued behind the window at a disconnect keep their place after the re-sent
// ones; they are first sends (DUP 0).
TEST(ClientEngineQos, PersistentSessionQueuedMessagesFollowResends)
{
    MqttClientConfig config = PersistentConfig();
    config.maxInflight = 1;
    ClientHarness h(config);
    h.Establish(0s);
    h.Publish(1s, "t", "A", Qos::AtLeastOnce);
    h.Publish(1s, "t", "B", Qos::AtLeastOnce);
    h.PeerClosed(2s);
    EXPECT_EQ(Sends(Reconnect(h, true)), Lines{Send(2, "3A 06 00 01 74 00 01 41")});
    EXPECT_EQ(h.Feed(4s, "40 02 00 01"),
              (Lines{Completed(1, 1), Send(2, "32 06 00 01 74 00 02 42")}));
}

// A broker that lost the session (sessionPresent 0) still gets the unacknowledged messages.
TEST(ClientEngineQos, PersistentSessionNotPresentStillResends)
{
    ClientHarness h(PersistentConfig());
    h.Establish(0s);
    h.Publish(1s, "t", "A", Qos::AtLeastOnce);
    h.PeerClosed(2s);
    EXPECT_EQ(Sends(Reconnect(h, false)), Lines{Send(2, "3A 06 00 01 74 00 01 41")});
}

// [MQTT-3.1.2-6]: a clean session ends with its connection. Sent, unacknowledged publishes are
// dropped and reported; queued ones go out on the next connection as new messages with new ids.
TEST(ClientEngineQos, CleanSessionDiscardsInflightOnConnectionLoss)
{
    MqttClientConfig config = BaseConfig();
    config.maxInflight = 2;
    ClientHarness h(config);
    h.Establish(0s);
    h.Publish(1s, "t", "A", Qos::AtLeastOnce);
    h.Publish(1s, "t", "B", Qos::ExactlyOnce);
    h.Publish(1s, "t", "C", Qos::AtLeastOnce);
    EXPECT_EQ(h.PeerClosed(2s),
              (Lines{Cancel(KEEP_ALIVE),
                     Cancel(ACK),
                     Closed(1, CloseReason::NetworkClosed),
                     Dropped(1, DropReason::SessionDiscarded, 1),
                     Dropped(2, DropReason::SessionDiscarded, 2),
                     State(ClientState::WaitingToReconnect),
                     Timer(RECONNECT, 3s)}));
    EXPECT_EQ(h.engine.PendingPublishes(), 1u);
    EXPECT_EQ(Sends(Reconnect(h, false)), Lines{Send(2, "32 06 00 01 74 00 01 43")});
}

// An unacknowledged SUBSCRIBE of a clean session is sent again on the next connection.
TEST(ClientEngineQos, CleanSessionResendsUnacknowledgedSubscribe)
{
    ClientHarness h(BaseConfig());
    h.Establish(0s);
    h.Publish(1s, "t", "A", Qos::AtLeastOnce);
    h.Subscribe(1s, {{"s", Qos::AtLeastOnce}});
    h.PeerClosed(2s);
    EXPECT_EQ(Sends(Reconnect(h, false)), Lines{Send(2, "82 06 00 01 00 01 73 01")});
}

// A clean-session Disconnect() ends the session too.
TEST(ClientEngineQos, CleanSessionDisconnectReportsDiscardedMessages)
{
    ClientHarness h(BaseConfig());
    h.Establish(0s);
    h.Publish(1s, "t", "A", Qos::AtLeastOnce);
    EXPECT_EQ(h.Disconnect(2s),
              (Lines{State(ClientState::Disconnecting),
                     Send(1, "E0 00"),
                     Close(1, CloseReason::ClientDisconnect),
                     Cancel(KEEP_ALIVE),
                     Cancel(ACK),
                     Closed(1, CloseReason::ClientDisconnect),
                     Dropped(1, DropReason::SessionDiscarded, 1),
                     State(ClientState::Idle)}));
}

// [MQTT-3.3.4-1], [MQTT-4.5.0-2], [MQTT-4.3.2-2]: QoS 0 delivered without a reply; QoS 1
// delivered and acknowledged with PUBACK carrying the same id [MQTT-2.3.1-6].
TEST(ClientEngineQos, InboundQos0AndQos1)
{
    ClientHarness h(BaseConfig());
    h.Establish(0s);
    EXPECT_EQ(h.Feed(1s, "30 07 00 03 61 2F 62 68 69"), Lines{Received("a/b", "hi", 0, 0)});
    EXPECT_EQ(h.Feed(1s, "31 07 00 03 61 2F 62 68 69"),
              Lines{Received("a/b", "hi", 0, 0, false, true)});
    EXPECT_EQ(h.Feed(1s, "32 09 00 03 61 2F 62 00 05 68 69"),
              (Lines{Received("a/b", "hi", 1, 5), Send(1, "40 02 00 05")}));
    // After the PUBACK, the same id is a new message, even with DUP set [MQTT-4.3.2-2].
    EXPECT_EQ(h.Feed(1s, "3A 09 00 03 61 2F 62 00 05 68 69"),
              (Lines{Received("a/b", "hi", 1, 5, true), Send(1, "40 02 00 05")}));
    // Messages are numbered in arrival order.
    EXPECT_EQ(std::get<NotifyAction>(h.last[0]).event.message->id, 4u);
}

// [MQTT-4.3.3-2], [MQTT-3.3.4-1]: QoS 2 receiver: deliver once, PUBREC; repeats before PUBREL
// get PUBREC again without delivery; PUBREL gets PUBCOMP; then the id is a new message.
TEST(ClientEngineQos, InboundQos2ExactlyOnce)
{
    ClientHarness h(BaseConfig());
    h.Establish(0s);
    EXPECT_EQ(h.Feed(1s, "34 09 00 03 61 2F 62 00 07 68 69"),
              (Lines{Received("a/b", "hi", 2, 7), Send(1, "50 02 00 07")}));
    EXPECT_EQ(h.engine.ReceivedQos2Pending(), 1u);
    EXPECT_EQ(h.Feed(2s, "3C 09 00 03 61 2F 62 00 07 68 69"), Lines{Send(1, "50 02 00 07")});
    EXPECT_EQ(h.Feed(2s, "34 09 00 03 61 2F 62 00 07 68 69"), Lines{Send(1, "50 02 00 07")});
    EXPECT_EQ(h.Feed(3s, "62 02 00 07"), Lines{Send(1, "70 02 00 07")});
    EXPECT_EQ(h.engine.ReceivedQos2Pending(), 0u);
    EXPECT_EQ(h.Feed(4s, "34 09 00 03 61 2F 62 00 07 68 69"),
              (Lines{Received("a/b", "hi", 2, 7), Send(1, "50 02 00 07")}));
}

// A PUBREL for an id not held (our PUBCOMP was lost and the broker re-sent PUBREL) still gets
// its PUBCOMP [MQTT-4.3.3-2].
TEST(ClientEngineQos, UnknownPubrelGetsPubcomp)
{
    ClientHarness h(BaseConfig());
    h.Establish(0s);
    EXPECT_EQ(h.Feed(1s, "62 02 00 63"), Lines{Send(1, "70 02 00 63")});
    EXPECT_EQ(h.engine.State(), ClientState::Connected);
}

// [MQTT-4.6.0-2], [MQTT-4.6.0-3]: PUBACKs and PUBRECs leave in the order the PUBLISHes came.
TEST(ClientEngineQos, InboundAcksInArrivalOrder)
{
    ClientHarness h(BaseConfig());
    h.Establish(0s);
    EXPECT_EQ(Sends(h.Feed(1s,
                           "32 06 00 01 74 00 05 31"
                           " 34 06 00 01 74 00 03 32"
                           " 32 06 00 01 74 00 04 33"
                           " 34 06 00 01 74 00 09 34")),
              (Lines{Send(1, "40 02 00 05"),
                     Send(1, "50 02 00 03"),
                     Send(1, "40 02 00 04"),
                     Send(1, "50 02 00 09")}));
}

// [MQTT-4.6.0-4]: PUBRELs leave in the order the PUBRECs came.
TEST(ClientEngineQos, PubrelsInPubrecOrder)
{
    ClientHarness h(BaseConfig());
    h.Establish(0s);
    h.Publish(1s, "t", "1", Qos::ExactlyOnce);
    h.Publish(1s, "t", "2", Qos::ExactlyOnce);
    h.Publish(1s, "t", "3", Qos::ExactlyOnce);
    EXPECT_EQ(h.Feed(2s, "50 02 00 02 50 02 00 03 50 02 00 01"),
              (Lines{Send(1, "62 02 00 02"), Send(1, "62 02 00 03"), Send(1, "62 02 00 01")}));
}

// The received-QoS 2 ids are session state: after reconnecting a persistent session, a re-sent
// PUBLISH is not delivered again, and the PUBREL still completes.
TEST(ClientEngineQos, InboundQos2IdsSurvivePersistentReconnect)
{
    ClientHarness h(PersistentConfig());
    h.Establish(0s);
    h.Feed(1s, "34 09 00 03 61 2F 62 00 07 68 69");
    h.PeerClosed(2s);
    EXPECT_EQ(h.engine.ReceivedQos2Pending(), 1u);
    Reconnect(h, true);
    EXPECT_EQ(h.Feed(4s, "3C 09 00 03 61 2F 62 00 07 68 69"), Lines{Send(2, "50 02 00 07")});
    EXPECT_EQ(h.Feed(4s, "62 02 00 07"), Lines{Send(2, "70 02 00 07")});
    EXPECT_EQ(h.engine.ReceivedQos2Pending(), 0u);
}

// ... unless the broker lost the session: then it will never release them, and the same id is a
// new message.
TEST(ClientEngineQos, InboundQos2IdsForgottenWhenSessionNotPresent)
{
    ClientHarness h(PersistentConfig());
    h.Establish(0s);
    h.Feed(1s, "34 09 00 03 61 2F 62 00 07 68 69");
    h.PeerClosed(2s);
    Reconnect(h, false);
    EXPECT_EQ(h.engine.ReceivedQos2Pending(), 0u);
    EXPECT_EQ(h.Feed(4s, "34 09 00 03 61 2F 62 00 07 68 69"),
              (Lines{Received("a/b", "hi", 2, 7), Send(2, "50 02 00 07")}));
}

TEST(ClientEngineQos, InboundQos2IdsForgottenWithCleanSession)
{
    ClientHarness h(BaseConfig());
    h.Establish(0s);
    h.Feed(1s, "34 09 00 03 61 2F 62 00 07 68 69");
    h.PeerClosed(2s);
    EXPECT_EQ(h.engine.ReceivedQos2Pending(), 0u);
}

// One ack timer for all outstanding packets: armed at the first send, re-armed for the next
// deadline when it fires. Without closeOnAckTimeout each packet is reported once.
TEST(ClientEngineQos, AckTimeoutReportedOncePerPacket)
{
    MqttClientConfig config = BaseConfig();
    config.ackTimeout = 5s;
    config.closeOnAckTimeout = false;
    ClientHarness h(config);
    h.Establish(0s);
    EXPECT_EQ(h.Publish(1s, "t", "1", Qos::AtLeastOnce),
              (Lines{Send(1, "32 06 00 01 74 00 01 31"), Timer(ACK, 6s)}));
    EXPECT_EQ(h.Subscribe(2s, {{"s", Qos::AtMostOnce}}), Lines{Send(1, "82 06 00 02 00 01 73 00")});
    EXPECT_EQ(h.Fire(ACK), (Lines{AckTimedOut(1), Timer(ACK, 7s)}));
    EXPECT_EQ(h.Fire(ACK), Lines{AckTimedOut(2)});
    EXPECT_EQ(h.Feed(8s, "40 02 00 01 90 03 00 02 00"),
              (Lines{Completed(1, 1), Granted("s", 0, 2)}));
    // An acked packet leaves the timer to fire and find nothing due.
    h.Publish(9s, "t", "2", Qos::ExactlyOnce);
    h.Feed(10s, "50 02 00 03"); // PUBREL sent at 10 s: its own deadline
    EXPECT_EQ(h.Fire(ACK), Lines{Timer(ACK, 15s)});
    EXPECT_EQ(h.now, 14s);
    EXPECT_EQ(h.Fire(ACK), Lines{AckTimedOut(3)});
}

// With closeOnAckTimeout the connection is closed, and a persistent session re-sends.
TEST(ClientEngineQos, AckTimeoutClosesAndPersistentSessionResends)
{
    MqttClientConfig config = PersistentConfig();
    config.ackTimeout = 5s;
    ClientHarness h(config);
    h.Establish(0s);
    h.Publish(1s, "t", "1", Qos::AtLeastOnce);
    h.Publish(2s, "t", "2", Qos::AtLeastOnce);
    EXPECT_EQ(h.Fire(ACK),
              (Lines{AckTimedOut(1),
                     Close(1, CloseReason::AckTimeout),
                     Cancel(KEEP_ALIVE),
                     Closed(1, CloseReason::AckTimeout),
                     State(ClientState::WaitingToReconnect),
                     Timer(RECONNECT, 7s)}));
    EXPECT_EQ(Sends(Reconnect(h, true)),
              (Lines{Send(2, "3A 06 00 01 74 00 01 31"), Send(2, "3A 06 00 01 74 00 02 32")}));
}
