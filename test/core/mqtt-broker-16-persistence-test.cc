/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: durable persistence (doc/broker-engine.md, "Durable persistence"). The engine
 * emits a PersistAction with the images a call changed and holds that call's output until the
 * driver reports the batch durable: no PUBACK/PUBREC (or anything after it) before the message
 * is stored. A store's state restores a crashed broker: sessions with Session Present 1,
 * deliveries in flight re-sent with DUP=1, queued ones after them, inbound QoS 2 ids, retained
 * messages. The store here is the in-memory reference (ApplyPersistOps).
 */
#include "mqtt-broker-test-harness.h"

using namespace brokertest;

namespace
{

std::vector<PersistOp::Kind>
Kinds(const PersistAction& p)
{
    std::vector<PersistOp::Kind> kinds;
    for (const PersistOp& op : p.ops)
    {
        kinds.push_back(op.kind);
    }
    return kinds;
}

/** The actions of the harness's log from @p from on, by kind: "send 1", "persist", ... */
std::vector<std::string>
Sequence(const MqttActions& log, std::size_t from)
{
    std::vector<std::string> seq;
    for (std::size_t i = from; i < log.size(); ++i)
    {
        if (const auto* send = std::get_if<SendAction>(&log[i]))
        {
            seq.push_back("send " + std::to_string(send->connection));
        }
        else if (const auto* close = std::get_if<CloseAction>(&log[i]))
        {
            seq.push_back("close " + std::to_string(close->connection));
        }
        else if (std::holds_alternative<PersistAction>(log[i]))
        {
            seq.push_back("persist");
        }
    }
    return seq;
}

using K = PersistOp::Kind;

} // namespace

TEST(BrokerPersistence, Qos1PubackWaitsForTheBatchToBeDurable)
{
    // [MQTT-4.3.2-2] with durability: the PUBACK leaves only after the driver reported the
    // batch holding the message and the subscriber's session stored. The QoS 1 delivery need
    // not wait: if the broker dies before the batch is stored, the publisher sends it again
    // and the subscriber may get it twice, which QoS 1 allows [MQTT-4.3.2-1].
    BrokerHarness h;
    h.EnablePersistence();
    h.ConnectPubAndPersistentSub("t", Qos::AtLeastOnce);
    h.SetAutoPersist(false);
    std::size_t mark = h.Log().size();
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 7));
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.TakeHex(2), "32 06 00 01 74 00 01 61");
    EXPECT_EQ(Sequence(h.Log(), mark), (std::vector<std::string>{"send 2", "persist"}));
    ASSERT_EQ(h.PendingPersist().size(), 1u);
    const PersistAction batch = h.PendingPersist()[0];
    EXPECT_EQ(Kinds(batch), (std::vector<K>{K::PutMessage, K::PutSession}));
    EXPECT_EQ(batch.ops[1].key, "sub");
    auto image = DecodeSessionImage(batch.ops[1].value);
    ASSERT_TRUE(image.has_value());
    ASSERT_EQ(image->inflight.size(), 1u);
    EXPECT_EQ(image->inflight[0].packetId, 1u);
    EXPECT_EQ(image->inflight[0].messageId, batch.ops[0].messageId);

    mark = h.Log().size();
    h.Persisted(batch.batch);
    EXPECT_EQ(Sequence(h.Log(), mark), std::vector<std::string>{"send 1"});
    EXPECT_EQ(h.TakeHex(1), "40 02 00 07");

    // The subscriber's PUBACK frees the delivery: the session image without it, and the
    // message, referenced by nothing stored any more, deleted.
    h.FeedHex(2, "40 02 00 01");
    ASSERT_EQ(h.PendingPersist().size(), 1u);
    EXPECT_EQ(Kinds(h.PendingPersist()[0]), (std::vector<K>{K::PutSession, K::DeleteMessage}));
    h.Persisted(h.PendingPersist()[0].batch);
    EXPECT_TRUE(h.Store().messages.empty());
    EXPECT_EQ(h.Store().sessions.count("sub"), 1u);
}

TEST(BrokerPersistence, Qos2PubrecAndTheQos2DeliveryWaitForTheirIdsToBeStored)
{
    // [MQTT-4.3.3-2]: the id a PUBREC answers is part of the persistent publisher's stored
    // session before the PUBREC leaves, and the id of a QoS 2 delivery is stored before the
    // subscriber sees it (else a restarted broker could send the message again under another
    // id, and the subscriber would take it twice).
    BrokerHarness h;
    h.EnablePersistence();
    h.Connect(1, "pub", false);
    h.Connect(2, "sub", false);
    h.Subscribe(2, "t", Qos::ExactlyOnce);
    h.SetAutoPersist(false);
    h.Send(1, MakePublish("t", "a", Qos::ExactlyOnce, 5));
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.TakeHex(2), "");
    ASSERT_EQ(h.PendingPersist().size(), 1u);
    const PersistAction batch = h.PendingPersist()[0];
    EXPECT_EQ(Kinds(batch), (std::vector<K>{K::PutSession, K::PutMessage, K::PutSession}));
    EXPECT_EQ(batch.ops[0].key, "pub");
    auto pub = DecodeSessionImage(batch.ops[0].value);
    ASSERT_TRUE(pub.has_value());
    EXPECT_EQ(pub->inboundQos2, std::vector<uint16_t>{5});
    h.Persisted(batch.batch);
    EXPECT_EQ(h.TakeHex(1), "50 02 00 05");
    EXPECT_EQ(h.TakeHex(2), "34 06 00 01 74 00 01 61");
}

TEST(BrokerPersistence, LaterOutputKeepsItsOrderBehindHeldOutput)
{
    // A PINGRESP answered after a held PUBACK waits for the PUBACK's batch: output of one
    // connection never overtakes (section 4.6).
    BrokerHarness h;
    h.EnablePersistence();
    h.ConnectPubAndPersistentSub("t", Qos::AtLeastOnce);
    h.SetAutoPersist(false);
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 7));
    h.FeedHex(1, "c0 00");
    EXPECT_EQ(h.TakeHex(1), "");
    ASSERT_EQ(h.PendingPersist().size(), 1u); // a PINGREQ changes nothing stored
    h.Persisted(h.PendingPersist()[0].batch);
    EXPECT_EQ(h.TakeHex(1), "40 02 00 07 d0 00");
}

TEST(BrokerPersistence, OutputForAConnectionThatClosedMeanwhileIsDropped)
{
    BrokerHarness h;
    h.EnablePersistence();
    h.ConnectPubAndPersistentSub("t", Qos::AtLeastOnce);
    h.SetAutoPersist(false);
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 7));
    h.NetClose(1);
    std::size_t mark = h.Log().size();
    h.Persisted(h.PendingPersist().back().batch); // the harness fails a send to a closed one
    EXPECT_TRUE(Sequence(h.Log(), mark).empty());
}

TEST(BrokerPersistence, AFailedBatchAcknowledgesNothingAndRefusesClientsUntilAllIsStoredAgain)
{
    // A full disk: no PUBACK for the message that could not be stored; every client is
    // disconnected and CONNECTs get 0x03 (server unavailable) until a whole image is stored.
    BrokerHarness h;
    h.EnablePersistence();
    h.ConnectPubAndPersistentSub("t", Qos::AtLeastOnce);
    h.SetAutoPersist(false);
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 7));
    EXPECT_EQ(h.TakeHex(2), "32 06 00 01 74 00 01 61"); // QoS 1: not held
    h.PersistFailed(h.PendingPersist()[0].batch);
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ServerShutdown);
    EXPECT_EQ(h.ClosedWith(2), CloseReason::ServerShutdown);
    EXPECT_TRUE(h.Engine().IsShutDown());
    h.PendingPersist().clear();

    h.Advance(seconds(1)); // the retry: everything, after a Clear
    ASSERT_EQ(h.PendingPersist().size(), 1u);
    const std::vector<K> whole{K::Clear, K::PutMessage, K::PutSession};
    EXPECT_EQ(Kinds(h.PendingPersist()[0]), whole);
    h.Persisted(h.PendingPersist()[0].batch);
    EXPECT_FALSE(h.Engine().IsShutDown());
    h.SetAutoPersist(true);
    EXPECT_TRUE(h.Connect(3, "sub", false));            // [MQTT-3.2.2-2]
    EXPECT_EQ(h.TakeHex(3), "3a 06 00 01 74 00 01 61"); // kept in memory, now stored: DUP
}

TEST(BrokerPersistence, ACrashedBrokerRestoresSessionsDeliveriesInboundIdsAndRetained)
{
    // What the store held at the crash is what the new engine serves: [MQTT-3.2.2-2] Session
    // Present 1, [MQTT-4.4.0-1] the unacknowledged delivery again with DUP=1 and its id, the
    // queued one after it, [MQTT-4.3.3-2] the stored inbound id answered without a second
    // delivery, [MQTT-3.3.1-6] the retained message on a new subscription.
    MqttDurableState stored;
    {
        BrokerHarness h;
        h.EnablePersistence();
        h.Connect(1, "pub", false);
        h.Connect(2, "sub", false);
        h.Subscribe(2, "t", Qos::ExactlyOnce);
        h.Send(1, MakePublish("r", "kept", Qos::AtLeastOnce, 1, true));
        EXPECT_EQ(h.TakeHex(1), "40 02 00 01");
        h.Send(1, MakePublish("t", "a", Qos::ExactlyOnce, 2));
        EXPECT_EQ(h.TakeHex(1), "50 02 00 02");
        EXPECT_EQ(h.TakeHex(2), "34 06 00 01 74 00 01 61");
        h.NetClose(2);
        h.Send(1, MakePublish("t", "b", Qos::AtLeastOnce, 3));
        EXPECT_EQ(h.TakeHex(1), "40 02 00 03");
        stored = h.Store(); // kill -9: the engine is gone, the store stays
    }
    BrokerHarness h;
    EXPECT_EQ(h.Restore(stored), "");
    EXPECT_EQ(h.Engine().SessionCount(), 2u);
    EXPECT_EQ(h.Engine().RetainedCount(), 1u);
    EXPECT_TRUE(h.Connect(1, "pub", false));
    h.Send(1, MakePublish("t", "a", Qos::ExactlyOnce, 2, false, true));
    EXPECT_EQ(h.TakeHex(1), "50 02 00 02"); // and nothing delivered again
    EXPECT_EQ(h.Count(EventType::PublishReceived), 0u);
    EXPECT_TRUE(h.Connect(2, "sub", false));
    EXPECT_EQ(h.TakeHex(2), "3c 06 00 01 74 00 01 61 32 06 00 01 74 00 02 62");
    h.Subscribe(2, "r", Qos::AtLeastOnce, 3);
    EXPECT_EQ(h.TakeHex(2), "33 09 00 01 72 00 03 6b 65 70 74");
}

TEST(BrokerPersistence, ARestoredSessionNumbersNewDeliveriesAfterTheIdsItHadInFlight)
{
    // Found by the broker fuzz target's persistence mode (test/fuzz/corpus/broker/
    // persistence-inflight-id-1). After a crash the subscriber may acknowledge a delivery it had
    // received before the crash while the re-sent copy (DUP=1) is still on its way; it then
    // acknowledges the copy too [MQTT-4.3.2-2]. Had the restored session numbered its next
    // delivery from 1, that id would be free again at the first PUBACK and the second PUBACK
    // would hit a QoS 2 delivery (a wrong-kind acknowledgement, which closes the connection).
    // So a restored session numbers new deliveries after the highest id it had in flight.
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxInflightOut = 1;
    MqttDurableState stored;
    {
        BrokerHarness h(profile);
        h.EnablePersistence();
        h.Connect(1, "pub", false);
        h.Connect(2, "sub", false);
        h.Subscribe(2, "t", Qos::ExactlyOnce);
        h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 2));
        EXPECT_EQ(h.TakeHex(1), "40 02 00 02");
        EXPECT_EQ(h.TakeHex(2), "32 06 00 01 74 00 01 61");
        h.Send(1, MakePublish("t", "b", Qos::ExactlyOnce, 3));
        EXPECT_EQ(h.TakeHex(1), "50 02 00 03");
        EXPECT_EQ(h.TakeHex(2), ""); // the window of one is full: queued
        stored = h.Store();
    }
    BrokerHarness h(profile);
    EXPECT_EQ(h.Restore(stored), "");
    EXPECT_TRUE(h.Connect(3, "sub", false));
    EXPECT_EQ(h.TakeHex(3), "3a 06 00 01 74 00 01 61"); // the copy, DUP=1, id 1
    h.FeedHex(3, "40 02 00 01"); // the PUBACK of the first copy, sent before the crash's news
    EXPECT_EQ(h.TakeHex(3), "34 06 00 01 74 00 02 62"); // 'b' at QoS 2 under id 2, not 1
    h.FeedHex(3, "40 02 00 01"); // the PUBACK of the re-sent copy: completes nothing
    EXPECT_TRUE(h.IsOpen(3));
    h.FeedHex(3, "50 02 00 02");
    EXPECT_EQ(h.TakeHex(3), "62 02 00 02");
    h.FeedHex(3, "70 02 00 02");
    EXPECT_EQ(h.Engine().InflightCount("sub"), 0u);
    EXPECT_TRUE(h.IsOpen(3));
}

TEST(BrokerPersistence, RestoreRefusesADamagedStoreNamingWhatIsWrong)
{
    MqttDurableState state;
    state.sessions["dev-1"] = {1, 0, 9};
    BrokerHarness a;
    EXPECT_EQ(a.Restore(state), "session 'dev-1' is not a session image");

    DurableSession session;
    session.queued.push_back(DurableDelivery{42, Qos::AtLeastOnce, false, 0, 0, {}, {}});
    state.sessions["dev-1"] = EncodeSessionImage(session);
    BrokerHarness b;
    EXPECT_EQ(b.Restore(state), "session 'dev-1' refers to message 42, which is missing");
}

TEST(BrokerPersistence, MessagesNothingRefersToAreDeletedByTheFirstBatchAfterRestore)
{
    // A crash between the batch that stored a message and the one that released it cannot
    // happen (one transaction), but a store written by hand or an older version may hold one.
    MqttMessage m;
    m.topic = "t";
    m.payload = Payload("x");
    MqttDurableState state;
    state.messages[9] = EncodeMessageImage(m);
    BrokerHarness h;
    EXPECT_EQ(h.Restore(state), "");
    h.Connect(1, "a", false);
    EXPECT_TRUE(h.Store().messages.empty());
    EXPECT_EQ(h.Store().sessions.count("a"), 1u);
}

TEST(BrokerPersistence, CleanSessionsAreNeverStoredAndAReplacedStoredSessionIsDeleted)
{
    BrokerHarness h;
    h.EnablePersistence();
    h.Connect(1, "a", false);
    EXPECT_EQ(h.Store().sessions.count("a"), 1u);
    h.NetClose(1);
    h.Connect(2, "a", true); // [MQTT-3.1.2-6]: the stored session is discarded
    EXPECT_EQ(h.Store().sessions.count("a"), 0u);
    h.Connect(3, "b", true);
    EXPECT_TRUE(h.Store().sessions.empty());
}

TEST(BrokerPersistence, WithoutDurabilityNothingIsHeldAndNoPersistActionIsEmitted)
{
    BrokerHarness h;
    h.ConnectPubAndPersistentSub("t", Qos::AtLeastOnce);
    std::size_t mark = h.Log().size();
    h.Send(1, MakePublish("t", "a", Qos::AtLeastOnce, 7));
    EXPECT_EQ(Sequence(h.Log(), mark), (std::vector<std::string>{"send 1", "send 2"}));
}

TEST(DurableImage, MessageAndSessionImagesRoundTripAndTruncatedOnesAreRefused)
{
    MqttMessage m;
    m.publisherId = "p";
    m.topic = "a/b";
    m.payload = Payload("hello");
    m.qos = Qos::ExactlyOnce;
    m.retain = true;
    std::vector<uint8_t> bytes = EncodeMessageImage(m);
    auto back = DecodeMessageImage(3, bytes);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->id, 3u);
    EXPECT_EQ(back->publisherId, "p");
    EXPECT_EQ(back->topic, "a/b");
    EXPECT_EQ(back->payload, m.payload);
    EXPECT_EQ(back->qos, Qos::ExactlyOnce);
    EXPECT_TRUE(back->retain);
    for (std::size_t n = 0; n < bytes.size(); ++n)
    {
        std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
        EXPECT_FALSE(DecodeMessageImage(3, cut).has_value()) << n;
    }

    DurableSession s;
    s.userName = "u";
    s.subscriptions = {{"a/#", Qos::AtLeastOnce}, {"b", Qos::ExactlyOnce}};
    s.inflight = {DurableDelivery{7, Qos::ExactlyOnce, false, 12, 2, {}, {}}};
    s.queued = {DurableDelivery{8, Qos::AtLeastOnce, true, 0, 0, {}, {}}};
    s.inboundQos2 = {4, 65535};
    bytes = EncodeSessionImage(s);
    auto session = DecodeSessionImage(bytes);
    ASSERT_TRUE(session.has_value());
    EXPECT_EQ(session->userName, s.userName);
    EXPECT_EQ(session->subscriptions, s.subscriptions);
    ASSERT_EQ(session->inflight.size(), 1u);
    EXPECT_EQ(session->inflight[0].packetId, 12u);
    EXPECT_EQ(session->inflight[0].state, 2u);
    ASSERT_EQ(session->queued.size(), 1u);
    EXPECT_TRUE(session->queued[0].retain);
    EXPECT_EQ(session->inboundQos2, s.inboundQos2);
    for (std::size_t n = 0; n < bytes.size(); ++n)
    {
        std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
        EXPECT_FALSE(DecodeSessionImage(cut).has_value()) << n;
    }
}
