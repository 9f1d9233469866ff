/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker's service model in simulation (doc/capacity.md): a broker whose one core spends C
 * per PUBLISH delivers 1/C messages per second once it is saturated, latency grows without bound
 * when the offered load is above that, and with its input bound reached the broker stops reading
 * (TCP flow control holds the publishers back) instead of buffering everything.
 */
#include "mqtt-sim-fixture.h"

#include "ns3/integer.h"
#include "ns3/nstime.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <numeric>

using namespace mqtt_sim;

namespace
{

/** The CPU time of one inbound PUBLISH: capacity 10,000 publishes per second per core. */
constexpr double COST_SECONDS = 100e-6;
/** ns-3's default TCP receive buffer: what one connection may have read beyond the bound. */
constexpr uint64_t TCP_RCV_BUF = 131072;
/** A QoS 0 PUBLISH of RunLoad: fixed header 2, topic "t/N" 2 + 3, payload 100. */
constexpr double PUBLISH_BYTES = 107;

/**
 * The most PUBLISHes one turn of the model serves with @p publishers: a read of at most 64 KiB
 * (the reactor's read size) from each. The broker's notifications (PublishReceived) come when a
 * turn ends, so counts per interval are exact up to a turn at either end.
 */
double
Turn(uint32_t publishers)
{
    return publishers * 65536.0 / PUBLISH_BYTES;
}

struct Load
{
    uint32_t cores = 1;
    uint32_t publishers = 4;
    /** Publishes per second of each publisher. */
    double rate = 5000;
    std::string inputLimit = "64KiB";
    double stop = 3.5;
    /** QoS of the publishes (each QoS costs COST_SECONDS). */
    uint32_t qos = 0;
    /** Publishes per publisher (0: no end). */
    uint32_t maxMessages = 0;
};

struct Outcome
{
    /** When the broker finished serving each PUBLISH (its PublishReceived). */
    std::vector<double> served;
    /** (receive time, latency) of each message the subscriber got. */
    std::vector<std::pair<double, double>> received;
    uint64_t readPauses = 0;
    uint64_t fullCount = 0;
    uint64_t peakQueuedBytes = 0;
    uint64_t bytesRead = 0;
    uint64_t publishesSent = 0;
    /** QoS 1/2 publishes the publishers had acknowledged (PUBACK). */
    uint64_t acknowledged = 0;
    /** Messages the subscriber got (no reconnects here, so no re-sends). */
    uint64_t delivered = 0;
    double busyTime = 0;

    std::size_t
    ServedIn(double from, double to) const
    {
        return std::count_if(served.begin(),
                             served.end(),
                             [from, to](double t) { return t >= from && t < to; });
    }

    /** Mean latency of the messages received in [from, to). */
    double
    LatencyIn(double from, double to) const
    {
        double sum = 0;
        std::size_t n = 0;
        for (const auto& [t, latency] : received)
        {
            if (t >= from && t < to)
            {
                sum += latency;
                ++n;
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    double
    MaxLatency() const
    {
        double max = 0;
        for (const auto& r : received)
        {
            max = std::max(max, r.second);
        }
        return max;
    }
};

/**
 * A subscriber to t/# on device 0 and @p load.publishers QoS 0 publishers of 100 bytes on
 * t/N from 1 s, all on 100 Mb/s links with 1 ms delay, to a broker with a service model whose
 * only cost is COST_SECONDS per QoS 0 PUBLISH.
 */
Outcome
RunLoad(const Load& load)
{
    Star star(load.publishers + 1, "100Mbps", "1ms");
    MqttBrokerHelper brokerHelper;
    brokerHelper.SetAttribute("ServiceCores", IntegerValue(load.cores));
    brokerHelper.SetAttribute("ServiceCostPublishQos0", StringValue("100us"));
    brokerHelper.SetAttribute("ServiceCostPublishQos1", StringValue("100us"));
    brokerHelper.SetAttribute("ServiceInputLimit", StringValue(load.inputLimit));
    Ptr<MqttBroker> broker = star.InstallBroker(brokerHelper);
    Outcome out;
    broker->TraceConnectWithoutContext(
        "PublishReceived",
        Callback<void, const MqttEvent&>([&out](const MqttEvent&)
                                         { out.served.push_back(Simulator::Now().GetSeconds()); }));
    broker->TraceConnectWithoutContext(
        "Rx",
        Callback<void, Ptr<const ns3::Packet>, const Address&>(
            [&out](Ptr<const ns3::Packet> p, const Address&) { out.bytesRead += p->GetSize(); }));

    MqttClientHelper subHelper = ClientHelper("sub");
    subHelper.SetAttribute("Subscriptions", StringValue("t/#:0"));
    Ptr<MqttClient> sub = star.InstallClient(0, subHelper, 0.1);
    sub->TraceConnectWithoutContext(
        "PublishReceived",
        Callback<void, const MqttEvent&, const MqttPayloadStamp&, Time, bool>(
            [&out](const MqttEvent&, const MqttPayloadStamp&, Time latency, bool)
            { out.received.emplace_back(Simulator::Now().GetSeconds(), latency.GetSeconds()); }));

    std::vector<Ptr<MqttClient>> publishers;
    for (uint32_t i = 1; i <= load.publishers; ++i)
    {
        MqttClientHelper pubHelper = ClientHelper("pub-" + std::to_string(i));
        pubHelper.SetAttribute("Topic", StringValue("t/" + std::to_string(i)));
        pubHelper.SetAttribute("PayloadSize", Constant(100));
        pubHelper.SetAttribute("Interval", Constant(1.0 / load.rate));
        pubHelper.SetAttribute("Qos", UintegerValue(load.qos));
        pubHelper.SetAttribute("MaxMessages", UintegerValue(load.maxMessages));
        // Everything in flight at once: only the broker and TCP hold the publishers back.
        pubHelper.SetAttribute("MaxInflight", UintegerValue(65535));
        pubHelper.SetAttribute("MaxQueued", UintegerValue(1000000));
        publishers.push_back(star.InstallClient(i, pubHelper, 1.0));
    }
    Simulator::Stop(Seconds(load.stop));
    Simulator::Run();
    const MqttServiceModel* model = broker->GetServiceModel();
    EXPECT_NE(model, nullptr);
    if (model)
    {
        out.fullCount = model->FullCount();
        out.peakQueuedBytes = model->PeakQueuedBytes();
        out.busyTime = ToSeconds(model->BusyTime(MqttNs3Timers::Now()));
    }
    out.readPauses = broker->GetReadPauses();
    for (const auto& p : publishers)
    {
        out.publishesSent += p->GetPublishesSent();
        out.acknowledged += p->GetPublishesCompleted();
    }
    out.delivered = sub->GetMessagesReceived();
    return out;
}

} // namespace

TEST_F(SimTest, ServiceModelASaturatedCoreServesOneOverItsCost)
{
    // 20,000 publishes per second offered to a core that serves 10,000: from when it is
    // saturated on, the broker serves one every 100 us, busy all the time (its input bounded at
    // 64 KiB: reads pause and resume), counted in whole turns.
    Outcome out = RunLoad(Load{});
    EXPECT_NEAR(static_cast<double>(out.ServedIn(2.0, 3.0)), 1.0 / COST_SECONDS, Turn(4));
    EXPECT_NEAR(static_cast<double>(out.ServedIn(2.0, 3.5)), 1.5 / COST_SECONDS, Turn(4));
    // Its time was spent on publishes and nothing else (every other operation costs 0): the
    // served ones, and the turn in service at the end (its notifications still to come).
    const double servedTime = static_cast<double>(out.served.size()) * COST_SECONDS;
    EXPECT_GE(out.busyTime, servedTime);
    EXPECT_LE(out.busyTime, servedTime + Turn(4) * COST_SECONDS);
}

TEST_F(SimTest, ServiceModelTwoCoresServeTwiceAsMany)
{
    Load load;
    load.cores = 2;
    load.publishers = 6; // 30,000 offered, 20,000 served
    Outcome out = RunLoad(load);
    EXPECT_NEAR(static_cast<double>(out.ServedIn(2.0, 3.0)), 2.0 / COST_SECONDS, Turn(6));
}

TEST_F(SimTest, ServiceModelLatencyGrowsOnlyAboveCapacity)
{
    Load light;
    light.publishers = 2;
    light.rate = 2000; // 4,000 per second: 40 % of the core
    Outcome under = RunLoad(light);
    Simulator::Destroy();
    Load heavy;
    heavy.inputLimit = "0"; // the backlog waits at the broker, not in the publishers' TCP
    Outcome over = RunLoad(heavy); // 200 %
    // Below capacity a message waits at most a few services: the path's 4 ms plus the
    // transmissions, 100 us of service and a little queueing.
    EXPECT_EQ(under.ServedIn(2.0, 3.0), 4000u);
    EXPECT_LT(under.MaxLatency(), 0.006);
    // Above it the backlog grows with the time overloaded, and so does the latency.
    double early = over.LatencyIn(1.5, 2.0);
    double late = over.LatencyIn(3.0, 3.5);
    EXPECT_GT(late, 0.5);
    EXPECT_GT(late, early + 0.5);
}

TEST_F(SimTest, ServiceModelAFullInputStopsReadingTheSenders)
{
    Outcome bounded = RunLoad(Load{});
    EXPECT_GT(bounded.fullCount, 0u);
    EXPECT_GT(bounded.readPauses, 0u);
    // Past the bound only what a connection had read already gets in: at most one receive
    // buffer each.
    EXPECT_LE(bounded.peakQueuedBytes, 64u * 1024 + 4 * TCP_RCV_BUF);
    // TCP holds the rest at the publishers: the broker read what it served and what waits,
    // far less than was published (a PUBLISH on t/N with 100 bytes is 107 bytes).
    const double bytesPerPublish = 107;
    double offered = static_cast<double>(bounded.publishesSent) * bytesPerPublish;
    double served = static_cast<double>(bounded.served.size()) * bytesPerPublish;
    EXPECT_LE(static_cast<double>(bounded.bytesRead),
              served + 64 * 1024 + 4 * TCP_RCV_BUF + 1000);
    EXPECT_LT(static_cast<double>(bounded.bytesRead), offered - 1e6);
    Simulator::Destroy();

    // Without a bound the broker reads everything at once and queues it.
    Load unbounded;
    unbounded.inputLimit = "0";
    Outcome all = RunLoad(unbounded);
    EXPECT_EQ(all.readPauses, 0u);
    EXPECT_EQ(all.fullCount, 0u);
    EXPECT_GT(all.peakQueuedBytes, 64u * 1024 + 4 * TCP_RCV_BUF);
    EXPECT_GT(static_cast<double>(all.bytesRead),
              0.95 * static_cast<double>(all.publishesSent) * bytesPerPublish);
}

TEST_F(SimTest, ServiceModelRunsAreReproducible)
{
    Outcome a = RunLoad(Load{});
    Simulator::Destroy();
    Outcome b = RunLoad(Load{});
    EXPECT_EQ(a.served, b.served);
    EXPECT_EQ(a.received, b.received);
}

TEST_F(SimTest, ServiceModelABoundedInputKeepsServingAtCapacity)
{
    // Twice one core's capacity for 9 s with the input bounded at 64 KiB: the broker stops and
    // starts reading again and again, and every second it serves what its core can, up to the
    // turns at the second's ends (a resume that leaves a sender's TCP stalled shows as a second
    // with fewer), and over the 8 s exactly that up to a turn.
    Load load;
    load.stop = 10.0;
    Outcome out = RunLoad(load);
    for (int second = 2; second < 10; ++second)
    {
        EXPECT_NEAR(static_cast<double>(out.ServedIn(second, second + 1)),
                    1.0 / COST_SECONDS,
                    2 * Turn(4))
            << "second " << second;
    }
    EXPECT_NEAR(static_cast<double>(out.ServedIn(2, 10)), 8.0 / COST_SECONDS, Turn(4));
    EXPECT_GT(out.readPauses, 7u);
    EXPECT_GT(out.fullCount, 7u);
    EXPECT_GT(out.busyTime, 8.9);
}

TEST_F(SimTest, ServiceModelPausedReadsLoseNothingAcknowledged)
{
    // QoS 1 publishers at twice the capacity, each stopping after 10,000 publishes, then time
    // to drain: every PUBLISH the broker acknowledged reached the subscriber, pauses or not.
    Load load;
    load.qos = 1;
    load.maxMessages = 10000;
    load.stop = 8.0;
    Outcome out = RunLoad(load);
    EXPECT_GT(out.readPauses, 7u);
    EXPECT_EQ(out.publishesSent, 40000u);
    EXPECT_EQ(out.acknowledged, 40000u);
    EXPECT_EQ(out.delivered, out.acknowledged);
    EXPECT_EQ(out.served.size(), 40000u);
}
