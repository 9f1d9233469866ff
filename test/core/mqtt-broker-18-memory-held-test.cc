/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: what a peer alone makes the broker hold, charged to the memory budget (profile
 * memoryLimit) besides partial packets: inbound QoS 2 packet ids awaiting PUBREL (48 bytes each,
 * 32 per session never refused), output its driver could not write (the same 64 KiB allowance as
 * a partial packet), and the transient memory of handling one packet (HandlingFootprint, counted
 * from its bytes before it is decoded; over 64 KiB only). Over the limit the peer's connection is
 * closed with CloseReason::MemoryLimit; everyone else goes on. Costs as in mqtt-broker-17-memory-test.cc: a
 * session 512 + 2 x client id bytes, a message 256 + publisher id + topic + payload bytes.
 */
#include "mqtt-broker-test-harness.h"
#include "mqtt-memory-budget.h"
#include "mqtt-packet-footprint.h"

using namespace brokertest;

namespace
{

constexpr std::size_t ID = 48; //!< MqttMemoryBudget::InboundQos2Cost()

/** A SUBSCRIBE of @p n filters "f/0", "f/1", ... at QoS 0. */
SubscribePacket
ManyFilters(std::size_t n)
{
    std::vector<TopicRequest> topics;
    for (std::size_t i = 0; i < n; ++i)
    {
        topics.push_back({"f/" + std::to_string(i), Qos::AtMostOnce});
    }
    return MakeSubscribe(7, std::move(topics));
}

std::size_t
Footprint(const Packet& p, std::size_t clientIdSize)
{
    std::vector<uint8_t> bytes = Bytes(p);
    return HandlingFootprint(bytes.data(), bytes.size(), ProtocolVersion::Mqtt311, clientIdSize);
}

} // namespace

TEST(BrokerMemory, InboundQos2IdsAreChargedAndTheOneOverTheLimitClosesItsPublisher)
{
    ASSERT_EQ(MqttMemoryBudget::InboundQos2Cost(), ID);
    // Session "p" (514), 33 ids, and the message being handled (256 + 1 + 1 = 258): id 33 fits
    // exactly, id 34 does not.
    BrokerHarness h(WithMemoryLimit(514 + 33 * ID + 258));
    h.Connect(1, "p", false);
    for (uint16_t id = 1; id <= 33; ++id)
    {
        h.Send(1, MakePublish("t", "", Qos::ExactlyOnce, id));
        EXPECT_EQ(h.TakeHex(1), "50 02 00 " + Hex(std::vector<uint8_t>{static_cast<uint8_t>(id)}));
        h.TakeEvents();
        h.ClearLog();
    }
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::InboundQos2), 33 * ID);
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::Messages), 0u);
    // The 34th: no PUBREC (the publisher keeps it and sends it again after reconnecting), the
    // message reported dropped, the connection closed.
    h.Send(1, MakePublish("t", "", Qos::ExactlyOnce, 34));
    EXPECT_EQ(h.TakeHex(1), "");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::MemoryLimit);
    {
        auto drops = h.Events(EventType::MessageDropped);
        ASSERT_EQ(drops.size(), 1u);
        EXPECT_EQ(drops[0].dropReason, DropReason::MemoryLimit);
        EXPECT_EQ(drops[0].packetId, 34);
    }
    h.TakeEvents();
    h.ClearLog();
    EXPECT_EQ(h.Engine().Memory().Refused(MemoryUse::InboundQos2), 1u);
    // The persistent session keeps its 33 ids, and their charge.
    EXPECT_EQ(h.Engine().PendingPubrelCount("p"), 33u);
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::InboundQos2), 33 * ID);
    // PUBREL gives an id's bytes back [MQTT-4.3.3-2]; the refused message now fits.
    EXPECT_TRUE(h.Connect(2, "p", false));
    h.Send(2, PubrelPacket{1});
    EXPECT_EQ(h.TakeHex(2), "70 02 00 01");
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::InboundQos2), 32 * ID);
    h.Send(2, MakePublish("t", "", Qos::ExactlyOnce, 34, false, true));
    EXPECT_EQ(h.TakeHex(2), "50 02 00 22");
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::InboundQos2), 33 * ID);
    // A clean session discards the stored one: every id's bytes come back.
    h.NetClose(2);
    h.Connect(3, "p", true);
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::InboundQos2), 0u);
}

TEST(BrokerMemory, InboundQos2IdsWithinTheAllowanceAreNeverRefused)
{
    // The budget is full of session "p" alone: still, 32 ids per session are taken.
    BrokerHarness h(WithMemoryLimit(514));
    h.Connect(1, "p");
    for (uint16_t id = 1; id <= 32; ++id)
    {
        h.Send(1, MakePublish("t", "", Qos::ExactlyOnce, id));
        h.TakeEvents();
        h.ClearLog();
    }
    EXPECT_EQ(h.TakePackets(1).size(), 32u);
    EXPECT_TRUE(h.IsOpen(1));
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::InboundQos2), 32 * ID);
    h.Send(1, MakePublish("t", "", Qos::ExactlyOnce, 33));
    EXPECT_EQ(h.ClosedWith(1), CloseReason::MemoryLimit);
    // The clean session ended: nothing is left charged.
    h.TakeEvents();
    h.ClearLog();
    EXPECT_EQ(h.Engine().Memory().Used(), 0u);
}

TEST(BrokerMemory, OutputTheDriverHoldsIsChargedAndTheSlowReaderOverTheLimitClosed)
{
    constexpr std::size_t A = MqttMemoryBudget::PARTIAL_ALLOWANCE;
    // Sessions "a" and "b" (514 each) and 2 x A of output.
    BrokerHarness h(WithMemoryLimit(2 * 514 + 2 * A));
    h.Connect(1, "a");
    h.Connect(2, "b");
    h.OutputBuffered(1, A + 1000);
    h.OutputBuffered(2, A - 1000);
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::OutputBuffers), 2 * A);
    // A reader that catches up gives its bytes back; one within the allowance is never refused.
    h.OutputBuffered(2, 10);
    h.OutputBuffered(2, A);
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::OutputBuffers), 2 * A + 1000);
    EXPECT_TRUE(h.IsOpen(2));
    // "a" falls further behind: over the limit, it is closed and its output forgotten.
    h.OutputBuffered(1, A + 1001);
    EXPECT_EQ(h.ClosedWith(1), CloseReason::MemoryLimit);
    EXPECT_EQ(h.Engine().Memory().Refused(MemoryUse::OutputBuffers), 1u);
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::OutputBuffers), A);
    // "b" is served as before.
    h.Send(2, PingreqPacket{});
    EXPECT_EQ(h.TakeHex(2), "d0 00");
    h.OutputBuffered(2, 0);
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::OutputBuffers), 0u);
    // A report for a connection the engine no longer has changes nothing.
    h.OutputBuffered(1, 5 * A);
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::OutputBuffers), 0u);
}

TEST(BrokerMemory, HandlingFootprintCountsTheFiltersBeforeDecoding)
{
    const std::size_t one = Footprint(ManyFilters(1), 1);
    EXPECT_GT(one, 0u);
    // Linear in the filters; short filters and client ids live inside their strings.
    EXPECT_EQ(Footprint(ManyFilters(1000), 1), 1000 * one);
    EXPECT_EQ(Footprint(ManyFilters(1000), 15), 1000 * one);
    EXPECT_GT(Footprint(ManyFilters(1000), 16), 1000 * one);
    EXPECT_GT(Footprint(MakeSubscribe(1, {{std::string(100, 'x'), Qos::AtMostOnce}}), 1), one);
    UnsubscribePacket u;
    u.packetId = 1;
    u.filters = {"f/0", "f/1"};
    EXPECT_GT(Footprint(u, 1), 0u);
    // Other packets decode into about their own size: not counted here.
    EXPECT_EQ(Footprint(MakePublish("t", std::string(1000, 'x')), 1), 0u);
    EXPECT_EQ(Footprint(PingreqPacket{}, 1), 0u);
    // Truncated bytes count what they hold, without reading past the end.
    std::vector<uint8_t> bytes = Bytes(ManyFilters(10));
    EXPECT_LE(HandlingFootprint(bytes.data(), bytes.size() / 2, ProtocolVersion::Mqtt311, 1),
              10 * one);
}

TEST(BrokerMemory, SubscribeWhoseHandlingPassesTheLimitIsRefusedBeforeDecoding)
{
    const SubscribePacket big = ManyFilters(200);
    const std::size_t handling = Footprint(big, 1);
    ASSERT_GT(handling, MqttMemoryBudget::PARTIAL_ALLOWANCE);
    // Sessions "a" and "b" (514 each) and one byte less than the handling.
    BrokerHarness h(WithMemoryLimit(2 * 514 + handling - 1));
    h.Connect(1, "a");
    h.Connect(2, "b");
    h.TakeEvents();
    h.Send(1, big);
    EXPECT_EQ(h.TakeHex(1), ""); // no SUBACK: not decoded at all
    EXPECT_EQ(h.ClosedWith(1), CloseReason::MemoryLimit);
    EXPECT_EQ(h.Count(EventType::SubscriptionGranted), 0u);
    EXPECT_EQ(h.Count(EventType::SubscriptionDenied), 0u);
    EXPECT_EQ(h.Engine().Memory().Refused(MemoryUse::PacketHandling), 1u);
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::PacketHandling), 0u);
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::Subscriptions), 0u);
    // A SUBSCRIBE of a few filters is within the allowance: not charged, and granted.
    h.Subscribe(2, "t/1", Qos::AtMostOnce);
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::PacketHandling), 0u);
    EXPECT_EQ(h.Engine().Memory().Used(), 514u + 326u); // "b" and its subscription
}

TEST(BrokerMemory, SubscribeWhoseHandlingFitsExactlyIsHandled)
{
    const SubscribePacket big = ManyFilters(200);
    const std::size_t handling = Footprint(big, 1);
    // Session "a" and exactly the handling: decoded and answered, though while it is handled
    // no filter's subscription fits beside it (0x80 each, reported MemoryLimit).
    BrokerHarness h(WithMemoryLimit(514 + handling));
    h.Connect(1, "a");
    h.TakeEvents();
    h.Send(1, big);
    std::optional<Packet> ack = h.TakeFirstPacket(1);
    ASSERT_TRUE(ack && std::holds_alternative<SubackPacket>(*ack));
    EXPECT_EQ(std::get<SubackPacket>(*ack).returnCodes, std::vector<uint8_t>(200, 0x80));
    EXPECT_TRUE(h.IsOpen(1));
    EXPECT_EQ(h.Engine().Memory().Refused(MemoryUse::Subscriptions), 200u);
    EXPECT_EQ(h.Engine().Memory().Refused(MemoryUse::PacketHandling), 0u);
    EXPECT_EQ(h.Engine().Memory().Used(), 514u);
}
