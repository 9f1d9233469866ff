/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: what CONNECT makes the broker hold, charged to the memory budget. A connection
 * that has not sent its CONNECT yet may buffer 8 KiB whatever the budget, not the 64 KiB of a
 * client: thousands of such connections were unbounded. A will counts (MemoryUse::Wills) from the
 * CONNECT that brings it until it is published or discarded: each connection could hold one of up
 * to some 128 KiB (a topic and a payload of up to 65,535 bytes each) uncharged. A will over the 64 KiB
 * allowance that would pass the limit gets CONNACK 3 (Server unavailable) and the close
 * (MemoryLimit), like a new session; a small one is always taken. Costs as in
 * mqtt-broker-17-memory-test.cc: a session 512 + 2 x client id bytes, a will 256 + client id +
 * topic + payload bytes.
 */
#include "mqtt-broker-test-harness.h"
#include "mqtt-memory-budget.h"

using namespace brokertest;

namespace
{

constexpr std::size_t SESSION = 512 + 2; //!< a one-letter client id
constexpr std::size_t BIG = 65535; //!< the largest will payload (two length bytes)
constexpr std::size_t BIG_WILL = 256 + 1 + 1 + BIG; //!< 65,793: over the 64 KiB allowance

ConnectPacket
ConnectWithWill(const std::string& clientId, std::size_t payload)
{
    ConnectPacket p = MakeConnect(clientId);
    Will will;
    will.topic = "w";
    will.payload.assign(payload, 0x57);
    p.will = std::move(will);
    return p;
}

} // namespace

TEST(BrokerMemory, WillsAreChargedAndALargeOneOverTheLimitGetsServerUnavailable)
{
    // Sessions "a" and "b", b's large will, and 20,000 bytes: a second large will does not fit.
    BrokerHarness h(WithMemoryLimit(2 * SESSION + BIG_WILL + 20000));
    h.Connect(1, "a");
    h.Open(2);
    h.Send(2, ConnectWithWill("b", BIG));
    EXPECT_EQ(h.TakeHex(2), "20 02 00 00");
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::Wills), BIG_WILL);
    // [MQTT-3.2.2-4]: CONNACK 3, then the close.
    h.Open(3);
    h.Send(3, ConnectWithWill("c", BIG));
    EXPECT_EQ(h.TakeHex(3), "20 02 00 03");
    EXPECT_EQ(h.ClosedWith(3), CloseReason::MemoryLimit);
    EXPECT_EQ(h.Engine().Memory().Refused(MemoryUse::Wills), 1u);
    // A small will is taken whatever the budget holds.
    h.Open(4);
    h.Send(4, ConnectWithWill("d", 10));
    EXPECT_EQ(h.TakeHex(4), "20 02 00 00");
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::Wills), BIG_WILL + 256 + 1 + 1 + 10);
    // DISCONNECT discards b's will [MQTT-3.1.2-10]: its bytes come back, and c's will fits.
    h.Send(2, DisconnectPacket{});
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::Wills), 256u + 1 + 1 + 10);
    h.Open(5);
    h.Send(5, ConnectWithWill("c", BIG));
    EXPECT_EQ(h.TakeHex(5), "20 02 00 00");
    // The network drops c: its will is published [MQTT-3.1.2-8] (a message from then on, gone
    // once nothing holds it) and no longer charged as a will.
    h.NetClose(5);
    EXPECT_EQ(h.Count(EventType::WillPublished), 1u);
    h.TakeEvents();
    h.ClearLog();
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::Wills), 256u + 1 + 1 + 10);
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::Messages), 0u);
    h.NetClose(4);
    h.TakeEvents();
    h.ClearLog();
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::Wills), 0u);
}

TEST(BrokerMemory, AConnectionWithoutConnectMayBufferOnly8KiBOverTheLimit)
{
    // Session "a" and 20,000 bytes.
    BrokerHarness h(WithMemoryLimit(SESSION + 20000));
    h.Connect(1, "a");
    h.Open(2);
    // A CONNECT announcing 100,000 bytes, trickled: 8 KiB and a little more fit.
    h.Feed(2, std::vector<uint8_t>{0x10, 0xa0, 0x8d, 0x06});
    h.Feed(2, std::vector<uint8_t>(8192, 0));
    EXPECT_TRUE(h.IsOpen(2));
    EXPECT_EQ(h.Engine().Memory().Used(MemoryUse::PartialPackets), 8196u);
    // 20,196 bytes do not fit beside "a": closed, though a client's 64 KiB would have been kept.
    h.Feed(2, std::vector<uint8_t>(12000, 0));
    EXPECT_EQ(h.ClosedWith(2), CloseReason::MemoryLimit);
    EXPECT_EQ(h.Engine().Memory().Refused(MemoryUse::PartialPackets), 1u);
    EXPECT_EQ(h.Engine().Memory().Used(), SESSION);
    // Within 8 KiB a connection is never refused: a CONNECT arrives whole and is answered.
    h.Open(3);
    h.Send(3, MakeConnect("b"));
    EXPECT_EQ(h.TakeHex(3), "20 02 00 00");
}
