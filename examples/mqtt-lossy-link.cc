/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * QoS 0, 1 and 2 side by side over one lossy link. A device node runs three publishers (one per
 * QoS) behind a point-to-point link that drops packets at --errorRate (RateErrorModel, both
 * directions); a subscriber on a clean link behind the broker receives everything. Prints, per
 * QoS: messages sent, delivered (distinct), delivery ratio, duplicates, and latency percentiles.
 *
 *   ./ns3-mqtt example mqtt-lossy-link [--errorRate=0.05] [--messages=200] [--interval=0.1]
 *       [--size=100] [--keepAlive=10] [--stop=300] [--pcap=PREFIX]
 */
#include "mqtt-broker-helper.h"
#include "mqtt-broker.h"
#include "mqtt-client-helper.h"
#include "mqtt-client.h"
#include "mqtt-example-clients.h"

#include "ns3/boolean.h"
#include "ns3/command-line.h"
#include "ns3/error-model.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/node-container.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/pointer.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <array>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>

using namespace ns3;
using namespace ns3::mqtt;

namespace
{

/** What the subscriber saw of one QoS level's publisher. */
struct Flow
{
    std::set<uint64_t> sequences;
    uint64_t received = 0;
    uint64_t duplicates = 0;
    std::vector<double> latenciesMs;
};

std::array<Flow, 3> g_flows;
std::array<uint64_t, 3> g_publisherIds{};

void
OnReceived(const MqttEvent&, const MqttPayloadStamp& stamp, Time latency, bool duplicate)
{
    if (latency.IsNegative())
    {
        return;
    }
    for (std::size_t qos = 0; qos < 3; ++qos)
    {
        if (stamp.publisher == g_publisherIds[qos])
        {
            Flow& flow = g_flows[qos];
            ++flow.received;
            flow.duplicates += duplicate ? 1 : 0;
            flow.sequences.insert(stamp.sequence);
            flow.latenciesMs.push_back(latency.GetSeconds() * 1000.0);
        }
    }
}

} // namespace

int
main(int argc, char** argv)
{
    double errorRate = 0.05;
    uint32_t messages = 200;
    double interval = 0.1;
    uint32_t size = 100;
    uint32_t keepAlive = 10;
    double stop = 300;
    std::string pcap;
    CommandLine cmd(__FILE__);
    cmd.AddValue(
        "errorRate", "packet loss probability of the device link, each direction", errorRate);
    cmd.AddValue("messages", "messages per QoS level", messages);
    cmd.AddValue("interval", "seconds between messages", interval);
    cmd.AddValue("size", "payload bytes", size);
    cmd.AddValue("keepAlive", "keep-alive of every client, seconds", keepAlive);
    cmd.AddValue("stop", "simulated seconds", stop);
    cmd.AddValue("pcap", "write pcap files PREFIX-*.pcap", pcap);
    cmd.Parse(argc, argv);

    NodeContainer nodes;
    nodes.Create(3); // 0: device, 1: broker, 2: subscriber
    InternetStackHelper().Install(nodes);
    PointToPointHelper link;
    link.SetDeviceAttribute("DataRate", StringValue("1Mbps"));
    link.SetChannelAttribute("Delay", StringValue("20ms"));
    NetDeviceContainer lossy = link.Install(nodes.Get(0), nodes.Get(1));
    NetDeviceContainer clean = link.Install(nodes.Get(1), nodes.Get(2));
    Ipv4AddressHelper addresses("10.1.1.0", "255.255.255.0");
    Ipv4InterfaceContainer lossyIf = addresses.Assign(lossy);
    addresses.NewNetwork();
    Ipv4InterfaceContainer cleanIf = addresses.Assign(clean);
    for (uint32_t end = 0; end < 2; ++end)
    {
        Ptr<RateErrorModel> model = CreateObject<RateErrorModel>();
        model->SetAttribute("ErrorUnit", StringValue("ERROR_UNIT_PACKET"));
        model->SetRate(errorRate);
        model->AssignStreams(10 + end);
        lossy.Get(end)->SetAttribute("ReceiveErrorModel", PointerValue(model));
    }

    MqttBrokerHelper().Install(nodes.Get(1)).Start(Seconds(0));

    MqttClientHelper subscriber(cleanIf.GetAddress(0));
    subscriber.SetAttribute("ClientId", StringValue("subscriber"));
    subscriber.SetAttribute("Subscriptions", StringValue("lossy/0:0;lossy/1:1;lossy/2:2"));
    subscriber.SetAttribute("KeepAlive", UintegerValue(keepAlive));
    ApplicationContainer subApps = subscriber.Install(nodes.Get(2));
    subApps.Start(Seconds(0.1));
    subApps.Get(0)->TraceConnectWithoutContext("PublishReceived", MakeCallback(&OnReceived));

    std::array<Ptr<MqttClient>, 3> publishers;
    for (uint32_t qos = 0; qos < 3; ++qos)
    {
        MqttClientHelper publisher(lossyIf.GetAddress(1));
        publisher.SetAttribute("ClientId", StringValue("publisher-qos" + std::to_string(qos)));
        publisher.SetAttribute("CleanSession", BooleanValue(false));
        publisher.SetAttribute("Topic", StringValue("lossy/" + std::to_string(qos)));
        SetExamplePublishTraffic(publisher,
                                 qos,
                                 keepAlive,
                                 size,
                                 ExampleIntervals("ConstantRandomVariable", "Constant", interval),
                                 messages);
        ApplicationContainer apps = publisher.Install(nodes.Get(0));
        apps.Start(Seconds(1));
        publishers[qos] = DynamicCast<MqttClient>(apps.Get(0));
        g_publisherIds[qos] = publishers[qos]->GetPublisherId();
    }
    if (!pcap.empty())
    {
        link.EnablePcapAll(pcap);
    }

    Simulator::Stop(Seconds(stop));
    Simulator::Run();

    std::cout << "error rate " << errorRate << " per packet and direction, " << messages
              << " messages per QoS, " << size << " B every " << interval << " s\n";
    std::cout << "qos     sent  delivered  ratio   dups  lat_p50_ms  lat_p95_ms  lat_p99_ms  "
                 "lat_max_ms\n";
    for (uint32_t qos = 0; qos < 3; ++qos)
    {
        const Flow& flow = g_flows[qos];
        uint64_t sent = publishers[qos]->GetPublishesSent();
        double ratio = sent ? double(flow.sequences.size()) / double(sent) : 0.0;
        std::cout << std::fixed << std::setprecision(3) << std::setw(3) << qos << std::setw(9)
                  << sent << std::setw(11) << flow.sequences.size() << std::setw(7) << ratio
                  << std::setw(7) << flow.duplicates << std::setw(12)
                  << ExamplePercentile(flow.latenciesMs, 50) << std::setw(12)
                  << ExamplePercentile(flow.latenciesMs, 95) << std::setw(12)
                  << ExamplePercentile(flow.latenciesMs, 99) << std::setw(12)
                  << ExamplePercentile(flow.latenciesMs, 100) << "\n";
    }
    Simulator::Destroy();
    return 0;
}
