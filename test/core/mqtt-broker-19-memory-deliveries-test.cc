/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: the deliveries one packet makes beyond its own handling are charged to the memory
 * budget as they are written (MqttMemoryBudget::Produced), not once the driver holds them: a
 * SUBSCRIBE matching 1,000 retained messages of 1 KiB under a limit that holds 300 of them. A QoS
 * 0 copy that would pass the limit (past the 64 KiB a connection's output may always hold) is
 * dropped and reported (MessageDropped MemoryLimit) and the subscriber kept; QoS 1 copies are
 * never refused: the in-flight window takes 20, the queue the rest. Costs as in
 * mqtt-broker-17-memory-test.cc: a session 512 + 2 x client id bytes, a subscription 320 + 2 x
 * filter bytes, a message 256 + publisher id + topic + payload bytes.
 */
#include "mqtt-broker-test-harness.h"
#include "mqtt-memory-budget.h"

using namespace brokertest;

namespace
{

constexpr std::size_t RETAINED = 1000;
constexpr std::size_t PAYLOAD = 1024;
constexpr std::size_t SUB_SESSION = 512 + 2 * 3;       //!< "sub"
constexpr std::size_t SUBSCRIPTION = 320 + 2 * 3;      //!< "r/#"
constexpr std::size_t MESSAGE = 256 + 3 + 5 + PAYLOAD; //!< "pub", "r/NNN": 1288
/** A QoS 0 PUBLISH of "r/NNN" with 1 KiB: 0x31, two length bytes, 2 + 5 topic bytes, payload. */
constexpr std::size_t WIRE_QOS0 = 1 + 2 + 2 + 5 + PAYLOAD; //!< 1034
/** Everything the subscriber's session holds, and room for 300 QoS 0 copies in its output. */
constexpr std::size_t LIMIT = SUB_SESSION + SUBSCRIPTION + RETAINED * MESSAGE + 300 * WIRE_QOS0;

std::string
RetainedTopic(std::size_t i)
{
    const std::string n = std::to_string(i % 1000);
    return "r/" + std::string(3 - n.size(), '0') + n;
}

/**
 * "pub" stores RETAINED retained messages "r/000".."r/999" of PAYLOAD bytes at @p qos, then
 * leaves.
 */
void
StoreRetained(BrokerHarness& h, Qos qos = Qos::AtMostOnce)
{
    h.Connect(1, "pub");
    const std::string payload(PAYLOAD, 'x');
    for (std::size_t i = 0; i < RETAINED; ++i)
    {
        const auto id = static_cast<uint16_t>(qos == Qos::AtMostOnce ? 0 : i + 1);
        h.Send(1, MakePublish(RetainedTopic(i), payload, qos, id, true));
        h.TakeEvents();
        h.ClearLog();
    }
    h.NetClose(1); // its clean session ends: only the retained messages stay
    ASSERT_EQ(h.Engine().RetainedCount(), RETAINED);
    ASSERT_EQ(h.Engine().Memory().Used(), RETAINED * MESSAGE);
}

/** The topics of the PUBLISHes in @p packets, in order (the SUBACK skipped). */
std::vector<std::string>
PublishedTopics(const std::vector<Packet>& packets)
{
    std::vector<std::string> topics;
    for (const Packet& p : packets)
    {
        if (const auto* publish = std::get_if<PublishPacket>(&p))
        {
            topics.push_back(publish->topic);
        }
    }
    return topics;
}

std::vector<std::string>
Topics(std::size_t from, std::size_t to)
{
    std::vector<std::string> topics;
    for (std::size_t i = from; i < to; ++i)
    {
        topics.push_back(RetainedTopic(i));
    }
    return topics;
}

} // namespace

// [MQTT-3.3.1-6]: the retained messages matching a new subscription are sent; those whose
// copies would pass the memory limit are dropped and reported, in match order, the rest sent.
TEST(BrokerMemory, SubscribeMatchingAThousandRetainedMessagesSendsWhatTheBudgetHolds)
{
    BrokerHarness h(WithMemoryLimit(LIMIT));
    StoreRetained(h);
    h.Connect(2, "sub");
    h.TakeEvents();
    h.Send(2, MakeSubscribe(1, {{"r/#", Qos::AtMostOnce}}));
    std::vector<Packet> packets = h.TakePackets(2);
    ASSERT_EQ(packets.size(), 301u);
    EXPECT_EQ(HexOf(packets[0]), "90 03 00 01 00");
    // r/000 .. r/299 are sent, with RETAIN=1 [MQTT-3.3.1-8], 1034 bytes each.
    EXPECT_EQ(PublishedTopics(packets), Topics(0, 300));
    EXPECT_TRUE(std::get<PublishPacket>(packets[1]).retain);
    EXPECT_EQ(Bytes(packets[1]).size(), WIRE_QOS0);
    EXPECT_EQ(h.Count(EventType::MessageDelivered), 300u);
    // r/300 .. r/999 are dropped for the subscriber, each reported with the reason.
    auto drops = h.Events(EventType::MessageDropped);
    ASSERT_EQ(drops.size(), 700u);
    for (std::size_t i = 0; i < drops.size(); ++i)
    {
        EXPECT_EQ(drops[i].dropReason, DropReason::MemoryLimit) << i;
        EXPECT_EQ(drops[i].peerId, "sub") << i;
        ASSERT_TRUE(drops[i].message) << i;
        EXPECT_EQ(drops[i].message->topic, RetainedTopic(300 + i)) << i;
    }
    EXPECT_EQ(h.Engine().Memory().Refused(MemoryUse::OutputBuffers), 700u);
    // The subscriber is kept, and the retained messages too; the output charged during the call
    // is the driver's to report from now on.
    EXPECT_TRUE(h.IsOpen(2));
    EXPECT_EQ(h.Engine().RetainedCount(), RETAINED);
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::OutputBuffers), 0u);
    EXPECT_EQ(h.Engine().Memory().Used(), LIMIT - 300 * WIRE_QOS0);
    // The driver holds all 300 (the subscriber has not read yet): exactly at the limit, kept.
    h.OutputBuffered(2, 300 * WIRE_QOS0);
    EXPECT_TRUE(h.IsOpen(2));
    EXPECT_EQ(h.Engine().Memory().Used(), LIMIT);
    // Read: the same SUBSCRIBE again replaces the subscription and sends the retained messages
    // again [MQTT-3.8.4-3], with exactly the same outcome (nothing stayed charged).
    h.OutputBuffered(2, 0);
    h.TakeEvents();
    h.Send(2, MakeSubscribe(2, {{"r/#", Qos::AtMostOnce}}));
    packets = h.TakePackets(2);
    ASSERT_EQ(packets.size(), 301u);
    EXPECT_EQ(PublishedTopics(packets), Topics(0, 300));
    EXPECT_EQ(h.Count(EventType::MessageDropped), 700u);
    EXPECT_EQ(h.Engine().Memory().Refused(MemoryUse::OutputBuffers), 1400u);
}

// A subscriber whose driver already holds more than the 64 KiB allowance for it (it has not read
// 300 copies) is a peer that does not read: when its copies are refused it is closed at the end of
// the call (MemoryLimit), as a report of that output over the limit would close it, rather than
// kept with every later copy dropped while it holds its share of the budget.
TEST(BrokerMemory, RetainedCopiesRefusedToASubscriberThatDoesNotReadCloseIt)
{
    BrokerHarness h(WithMemoryLimit(LIMIT));
    StoreRetained(h);
    h.Connect(2, "sub");
    h.OutputBuffered(2, 300 * WIRE_QOS0); // it has not read 300 copies
    h.TakeEvents();
    h.Send(2, MakeSubscribe(1, {{"r/#", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(2), "90 03 00 01 00"); // the SUBACK alone
    EXPECT_EQ(h.Count(EventType::MessageDropped), RETAINED);
    EXPECT_EQ(h.ClosedWith(2), CloseReason::MemoryLimit);
    h.TakeEvents();
    h.ClearLog();
    EXPECT_EQ(h.Engine().Memory().Used(), RETAINED * MESSAGE);
}

// QoS 1 copies (of messages retained at QoS 1) are never dropped for output: 20 go into the
// in-flight window (the profile's max-inflight-out), 980 wait in the queue (max-queued-messages
// 1000), and each PUBACK sends the next.
TEST(BrokerMemory, RetainedQos1CopiesGoThroughTheWindowAndTheQueue)
{
    BrokerHarness h(WithMemoryLimit(LIMIT));
    StoreRetained(h, Qos::AtLeastOnce);
    h.Connect(2, "sub");
    h.TakeEvents();
    h.Send(2, MakeSubscribe(1, {{"r/#", Qos::AtLeastOnce}}));
    std::vector<Packet> packets = h.TakePackets(2);
    ASSERT_EQ(packets.size(), 21u);
    EXPECT_EQ(HexOf(packets[0]), "90 03 00 01 01");
    EXPECT_EQ(PublishedTopics(packets), Topics(0, 20));
    EXPECT_EQ(h.Count(EventType::MessageDropped), 0u);
    EXPECT_EQ(h.Engine().InflightCount("sub"), 20u);
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 1000u); // the 20 in flight and 980 waiting
    const auto first = std::get<PublishPacket>(packets[1]);
    h.Send(2, PubackPacket{first.packetId});
    EXPECT_EQ(PublishedTopics(h.TakePackets(2)), Topics(20, 21));
}
