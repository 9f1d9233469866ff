/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * service-read-per in simulation (doc/capacity.md, "Service model"): a broker whose only cost is
 * 100 us per `read`, offered 20,000 QoS 0 PUBLISHes per second by four publishers. Read-per turn
 * (a read takes all a connection has, up to 64 KiB) keeps up: each 100 us read carries about two
 * PUBLISHes. Read-per packet (one packet per connection per turn, a read per packet, as
 * mosquitto) saturates at 1 / 100 us = 10,000 PUBLISHes per second, one read per packet.
 */
#include "mqtt-sim-fixture.h"

#include "ns3/integer.h"
#include "ns3/nstime.h"

#include <algorithm>

using namespace mqtt_sim;

namespace
{

constexpr double READ_SECONDS = 100e-6;
constexpr uint32_t PUBLISHERS = 4;
constexpr double RATE_PER_PUBLISHER = 5000;

struct ReadPerOutcome
{
    /** When the broker finished serving each PUBLISH (its PublishReceived). */
    std::vector<double> served;
    /** When the subscriber got each message. */
    std::vector<double> received;
    MqttServiceWork work;
    double busyTime = 0;

    static std::size_t
    In(const std::vector<double>& times, double from, double to)
    {
        return std::count_if(times.begin(),
                             times.end(),
                             [from, to](double t) { return t >= from && t < to; });
    }
};

/**
 * A subscriber to t/# (device 0, from 0.1 s) and PUBLISHERS QoS 0 publishers of 100 bytes on
 * t/N (from 1 s) on 100 Mb/s links with 1 ms delay, to a one-core broker whose `read` costs
 * 100 us and nothing else costs, its input bounded at 64 KiB; until 3.5 s.
 */
ReadPerOutcome
RunReadPer(const std::string& readPer)
{
    Star star(PUBLISHERS + 1, "100Mbps", "1ms");
    MqttBrokerHelper brokerHelper;
    brokerHelper.SetAttribute("ServiceCores", IntegerValue(1));
    brokerHelper.SetAttribute("ServiceCostRead", StringValue("100us"));
    brokerHelper.SetAttribute("ServiceInputLimit", StringValue("64KiB"));
    brokerHelper.SetAttribute("ServiceReadPer", StringValue(readPer));
    Ptr<MqttBroker> broker = star.InstallBroker(brokerHelper);
    ReadPerOutcome out;
    broker->TraceConnectWithoutContext(
        "PublishReceived",
        Callback<void, const MqttEvent&>([&out](const MqttEvent&)
                                         { out.served.push_back(Simulator::Now().GetSeconds()); }));
    MqttClientHelper subHelper = ClientHelper("sub");
    subHelper.SetAttribute("Subscriptions", StringValue("t/#:0"));
    Ptr<MqttClient> sub = star.InstallClient(0, subHelper, 0.1);
    sub->TraceConnectWithoutContext(
        "PublishReceived",
        Callback<void, const MqttEvent&, const MqttPayloadStamp&, Time, bool>(
            [&out](const MqttEvent&, const MqttPayloadStamp&, Time, bool)
            { out.received.push_back(Simulator::Now().GetSeconds()); }));
    for (uint32_t i = 1; i <= PUBLISHERS; ++i)
    {
        MqttClientHelper pubHelper = ClientHelper("pub-" + std::to_string(i));
        pubHelper.SetAttribute("Topic", StringValue("t/" + std::to_string(i)));
        pubHelper.SetAttribute("PayloadSize", Constant(100));
        pubHelper.SetAttribute("Interval", Constant(1.0 / RATE_PER_PUBLISHER));
        pubHelper.SetAttribute("MaxQueued", UintegerValue(1000000));
        star.InstallClient(i, pubHelper, 1.0);
    }
    Simulator::Stop(Seconds(3.5));
    Simulator::Run();
    const MqttServiceModel* model = broker->GetServiceModel();
    EXPECT_NE(model, nullptr);
    if (model)
    {
        out.work = model->CompletedWork();
        out.busyTime = ToSeconds(model->BusyTime(MqttNs3Timers::Now()));
    }
    return out;
}

/** Inbound packets whose handling the engine counted (every one a read with read-per packet). */
uint64_t
PacketsHandled(const MqttServiceWork& w)
{
    return w.Of(MqttServiceOp::Connect) + w.Of(MqttServiceOp::Subscribe) +
           w.Of(MqttServiceOp::PublishQos0) + w.Of(MqttServiceOp::Pingreq) +
           w.Of(MqttServiceOp::Disconnect);
}

} // namespace

TEST_F(SimTest, ServiceReadPerPacketChargesAReadPerPacketAndServesOneOverItsCost)
{
    const double offered = PUBLISHERS * RATE_PER_PUBLISHER; // 20,000 per second
    const double turnBusy = (PUBLISHERS + 1) * READ_SECONDS; // the most one turn takes

    ReadPerOutcome turn = RunReadPer("turn");
    // Every PUBLISH offered is served and delivered: a 100 us read takes what a connection has.
    // (up to a turn, eight PUBLISHes, at either end of the second).
    EXPECT_NEAR(static_cast<double>(ReadPerOutcome::In(turn.served, 2.0, 3.0)), offered, 8.0);
    EXPECT_NEAR(static_cast<double>(ReadPerOutcome::In(turn.received, 2.0, 3.0)), offered, 8.0);
    // Its reads each carry two PUBLISHes (four connections read in a 400 us turn, during which
    // eight PUBLISHes come): half as many reads as packets.
    const uint64_t turnReads = turn.work.Of(MqttServiceOp::Read);
    EXPECT_NEAR(static_cast<double>(turnReads) / static_cast<double>(PacketsHandled(turn.work)),
                0.5,
                0.01);
    // The core spent 100 us per read and nothing else, and the turn in service at the end.
    EXPECT_GE(turn.busyTime, static_cast<double>(turnReads) * READ_SECONDS - 1e-9);
    EXPECT_LE(turn.busyTime, static_cast<double>(turnReads) * READ_SECONDS + turnBusy + 1e-9);
    Simulator::Destroy();

    ReadPerOutcome packet = RunReadPer("packet");
    // One read per packet: exactly as many reads as packets handled (5 CONNECTs, 1 SUBSCRIBE,
    // the PUBLISHes), so the core serves 1 / 100 us = 10,000 per second, up to a turn (at most
    // four PUBLISHes) at either end of the second.
    const uint64_t packetReads = packet.work.Of(MqttServiceOp::Read);
    EXPECT_EQ(packetReads, PacketsHandled(packet.work));
    EXPECT_EQ(packet.work.Of(MqttServiceOp::Connect), 5u);
    EXPECT_EQ(packet.work.Of(MqttServiceOp::Subscribe), 1u);
    EXPECT_EQ(packet.work.Of(MqttServiceOp::PublishQos0), packet.served.size());
    EXPECT_NEAR(static_cast<double>(ReadPerOutcome::In(packet.served, 2.0, 3.0)),
                1.0 / READ_SECONDS,
                PUBLISHERS);
    EXPECT_NEAR(static_cast<double>(ReadPerOutcome::In(packet.received, 2.0, 3.0)),
                1.0 / READ_SECONDS,
                PUBLISHERS);
    EXPECT_GE(packet.busyTime, static_cast<double>(packetReads) * READ_SECONDS - 1e-9);
    EXPECT_LE(packet.busyTime, static_cast<double>(packetReads) * READ_SECONDS + turnBusy + 1e-9);
    // Busy reading from the publishers' first PUBLISH to the end in both runs: as many reads as
    // read-per turn's, up to a turn, for half the PUBLISHes. By hand: the publishers start at
    // 1 s; SYN 1 ms there, SYN-ACK 1 ms back, CONNECT 1 ms there, CONNACK after its turn and
    // 1 ms back, the first PUBLISH 1 ms there: about 1.0051 s, so the 6 reads of the CONNECTs and
    // the SUBSCRIBE and (3.5 - 1.0051) / 100 us, to a few transmissions of 100 Mb/s.
    EXPECT_NEAR(static_cast<double>(packetReads), static_cast<double>(turnReads), 5.0);
    EXPECT_NEAR(static_cast<double>(packetReads), 6 + (3.5 - 1.0051) / READ_SECONDS, 10.0);
}
