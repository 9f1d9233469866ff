/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The same devices and the same workload against a standard MQTT 3.1.1 broker and an AWS IoT
 * Core broker (profile "aws-iot-core"), one run each with the same seed, and a table of what
 * differs (doc/aws-iot-core.md):
 *
 *  - sensors upload bursts of QoS 1 readings (20 at 2 ms spacing every 2 s): a dashboard
 *    subscribed at QoS 0 and an archiver subscribed at QoS 1 count duplicates and readings that
 *    arrive after a later one of the same sensor (order violations);
 *  - a late subscriber subscribes just before a burst: readings published while its subscription
 *    is still pending are lost to it;
 *  - a legacy device publishes at QoS 2 (AWS: no PUBREC, the device's ack timeout fires);
 *  - a status device publishes retained messages (AWS: the connection is closed);
 *  - a firmware device floods QoS 0 at 500/s (AWS: the excess over 100/s is discarded);
 *  - a monitor subscribes to the lifecycle events $aws/events/presence/#.
 *
 *   ./ns3-mqtt example mqtt-aws-iot-profile [--sensors=5] [--bursts=5] [--delay=5ms]
 *       [--profile=aws-iot-core] [--seed=1] [--pcap=PREFIX]
 */
#include "mqtt-broker-helper.h"
#include "mqtt-broker.h"
#include "mqtt-client-helper.h"
#include "mqtt-client.h"

#include "ns3/boolean.h"
#include "ns3/command-line.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/node-container.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace ns3;
using namespace ns3::mqtt;

namespace
{

struct Options
{
    uint32_t sensors = 5;
    uint32_t bursts = 5;
    uint32_t burstSize = 20;
    std::string delay = "5ms";
    std::string pcap;
};

/** What one subscriber saw of the sensors' readings ("sensor:sequence" payloads). */
struct ReadingLog
{
    uint64_t received = 0;
    uint64_t duplicates = 0;
    uint64_t orderViolations = 0;
    std::set<std::pair<uint32_t, uint32_t>> seen;
    std::map<uint32_t, uint32_t> highest;

    void
    Add(const MqttEvent& event)
    {
        if (!event.message || event.message->topic.rfind("sensors/", 0) != 0)
        {
            return;
        }
        std::string text(event.message->payload.begin(), event.message->payload.end());
        auto colon = text.find(':');
        if (colon == std::string::npos)
        {
            return;
        }
        uint32_t sensor = static_cast<uint32_t>(std::stoul(text.substr(0, colon)));
        uint32_t sequence = static_cast<uint32_t>(std::stoul(text.substr(colon + 1)));
        ++received;
        if (!seen.emplace(sensor, sequence).second)
        {
            ++duplicates;
            return;
        }
        auto it = highest.find(sensor);
        if (it != highest.end() && sequence < it->second)
        {
            ++orderViolations;
        }
        if (it == highest.end() || sequence > it->second)
        {
            highest[sensor] = sequence;
        }
    }
};

/** The figures one run produces. */
struct Results
{
    uint64_t readingsPublished = 0;
    uint64_t readingsCompleted = 0;
    ReadingLog dashboard;
    ReadingLog archiver;
    ReadingLog late;
    uint64_t qos2Published = 0;
    uint64_t qos2Completed = 0;
    uint64_t qos2AckTimeouts = 0;
    uint64_t retainedPublished = 0;
    uint64_t retainedCompleted = 0;
    uint64_t statusDisconnects = 0;
    uint64_t floodPublished = 0;
    std::set<std::string> floodDelivered;
    uint64_t lifecycleEvents = 0;
    std::map<std::string, uint64_t> brokerDrops;
    std::map<std::string, uint64_t> brokerCloses;
};

void
PublishText(Ptr<MqttClient> client,
            const std::string& topic,
            const std::string& text,
            Qos qos,
            bool retain,
            uint64_t* counter)
{
    if (client->Publish(topic, std::vector<uint8_t>(text.begin(), text.end()), qos, retain) != 0)
    {
        ++*counter;
    }
}

Results
Run(const std::string& profile, const Options& o)
{
    Results r;
    // Node 0 is the broker; every device has its own point-to-point link to it.
    const uint32_t devices = o.sensors + 7;
    NodeContainer nodes;
    nodes.Create(devices + 1);
    InternetStackHelper stack;
    stack.Install(nodes);
    // Fixed stream numbers: both runs draw the same random numbers wherever they do the same.
    stack.AssignStreams(nodes, 0);
    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue("10Mbps"));
    p2p.SetChannelAttribute("Delay", StringValue(o.delay));
    Ipv4AddressHelper addresses("10.1.0.0", "255.255.255.0");
    std::vector<Ipv4Address> brokerAddress;
    for (uint32_t i = 1; i <= devices; ++i)
    {
        NetDeviceContainer link = p2p.Install(nodes.Get(0), nodes.Get(i));
        brokerAddress.push_back(addresses.Assign(link).GetAddress(0));
        addresses.NewNetwork();
    }
    if (!o.pcap.empty())
    {
        p2p.EnablePcapAll(o.pcap + "-" + profile);
    }

    MqttBrokerHelper brokerHelper;
    brokerHelper.SetAttribute("Profile", StringValue(profile));
    ApplicationContainer brokerApps = brokerHelper.Install(nodes.Get(0));
    brokerApps.Start(Seconds(0));
    Ptr<MqttBroker> broker = DynamicCast<MqttBroker>(brokerApps.Get(0));
    broker->AssignStreams(1000);
    broker->TraceConnectWithoutContext(
        "Dropped",
        Callback<void, const MqttEvent&>([&r](const MqttEvent& e)
                                         { ++r.brokerDrops[DropReasonName(e.dropReason)]; }));
    broker->TraceConnectWithoutContext(
        "ConnectionClosed",
        Callback<void, uint64_t, const std::string&, const std::string&>(
            [&r](uint64_t, const std::string&, const std::string& reason)
            { ++r.brokerCloses[reason]; }));

    uint32_t next = 0; // device index
    auto install = [&](const std::string& id,
                       double start,
                       const std::string& subscriptions,
                       bool cleanSession)
    {
        MqttClientHelper helper(brokerAddress[next]);
        helper.SetAttribute("ClientId", StringValue(id));
        helper.SetAttribute("KeepAlive", UintegerValue(60));
        helper.SetAttribute("CleanSession", BooleanValue(cleanSession));
        helper.SetAttribute("AckTimeout", TimeValue(Seconds(2)));
        helper.SetAttribute("ReconnectInitialDelay", TimeValue(Seconds(1.5)));
        helper.SetAttribute("Subscriptions", StringValue(subscriptions));
        ApplicationContainer apps = helper.Install(nodes.Get(++next));
        apps.Start(Seconds(start));
        Ptr<MqttClient> client = DynamicCast<MqttClient>(apps.Get(0));
        client->AssignStreams(2000 + 10 * next);
        return client;
    };
    auto onReading = [](ReadingLog& log)
    {
        return Callback<void, const MqttEvent&, const MqttPayloadStamp&, Time, bool>(
            [&log](const MqttEvent& e, const MqttPayloadStamp&, Time, bool) { log.Add(e); });
    };

    // Subscribers.
    Ptr<MqttClient> dashboard = install("dashboard", 0.1, "sensors/#:0;firmware/#:0", true);
    dashboard->TraceConnectWithoutContext("PublishReceived", onReading(r.dashboard));
    dashboard->TraceConnectWithoutContext(
        "PublishReceived",
        Callback<void, const MqttEvent&, const MqttPayloadStamp&, Time, bool>(
            [&r](const MqttEvent& e, const MqttPayloadStamp&, Time, bool)
            {
                if (e.message->topic == "firmware/log")
                {
                    r.floodDelivered.emplace(e.message->payload.begin(), e.message->payload.end());
                }
            }));
    Ptr<MqttClient> archiver = install("archiver", 0.1, "sensors/#:1", false);
    archiver->TraceConnectWithoutContext("PublishReceived", onReading(r.archiver));
    Ptr<MqttClient> monitor = install("monitor", 0.1, "$aws/events/presence/#:1", true);
    monitor->TraceConnectWithoutContext(
        "PublishReceived",
        Callback<void, const MqttEvent&, const MqttPayloadStamp&, Time, bool>(
            [&r](const MqttEvent&, const MqttPayloadStamp&, Time, bool) { ++r.lifecycleEvents; }));
    // Subscribes 30 ms before the third burst.
    const double burstPeriod = 2.0;
    const double lateStart = 1.0 + 2 * burstPeriod - 0.03;
    Ptr<MqttClient> late = install("late", lateStart, "sensors/#:1", true);
    late->TraceConnectWithoutContext("PublishReceived", onReading(r.late));

    // Sensors: bursts of readings at QoS 1.
    for (uint32_t s = 0; s < o.sensors; ++s)
    {
        Ptr<MqttClient> sensor = install("sensor-" + std::to_string(s), 0.2, "", true);
        sensor->TraceConnectWithoutContext(
            "PublishCompleted",
            Callback<void, const MqttEvent&>([&r](const MqttEvent&) { ++r.readingsCompleted; }));
        for (uint32_t b = 0; b < o.bursts; ++b)
        {
            for (uint32_t k = 0; k < o.burstSize; ++k)
            {
                uint32_t sequence = b * o.burstSize + k;
                double at = 1.0 + b * burstPeriod + s * 0.0003 + k * 0.002;
                std::string text = std::to_string(s) + ":" + std::to_string(sequence);
                Simulator::Schedule(Seconds(at),
                                    &PublishText,
                                    sensor,
                                    "sensors/" + std::to_string(s) + "/reading",
                                    text,
                                    Qos::AtLeastOnce,
                                    false,
                                    &r.readingsPublished);
            }
        }
    }

    // A legacy device at QoS 2, one message a second.
    Ptr<MqttClient> legacy = install("legacy", 0.2, "", true);
    legacy->TraceConnectWithoutContext(
        "PublishCompleted",
        Callback<void, const MqttEvent&>([&r](const MqttEvent&) { ++r.qos2Completed; }));
    legacy->TraceConnectWithoutContext(
        "AckTimeout",
        Callback<void, const MqttEvent&>([&r](const MqttEvent&) { ++r.qos2AckTimeouts; }));
    for (uint32_t i = 0; i < 5; ++i)
    {
        Simulator::Schedule(Seconds(1.0 + i),
                            &PublishText,
                            legacy,
                            std::string("legacy/meter"),
                            "reading " + std::to_string(i),
                            Qos::ExactlyOnce,
                            false,
                            &r.qos2Published);
    }

    // A status device with retained messages.
    Ptr<MqttClient> status = install("status", 0.2, "", true);
    status->TraceConnectWithoutContext(
        "PublishCompleted",
        Callback<void, const MqttEvent&>([&r](const MqttEvent&) { ++r.retainedCompleted; }));
    status->TraceConnectWithoutContext(
        "Disconnected",
        Callback<void, const std::string&>([&r](const std::string&) { ++r.statusDisconnects; }));
    for (uint32_t i = 0; i < 3; ++i)
    {
        Simulator::Schedule(Seconds(1.0 + 3 * i),
                            &PublishText,
                            status,
                            std::string("status/gateway"),
                            "online " + std::to_string(i),
                            Qos::AtLeastOnce,
                            true,
                            &r.retainedPublished);
    }

    // A firmware device flooding its log at QoS 0: 300 lines at 500 per second.
    Ptr<MqttClient> firmware = install("firmware", 0.2, "", true);
    for (uint32_t i = 0; i < 300; ++i)
    {
        Simulator::Schedule(Seconds(6.0 + i * 0.002),
                            &PublishText,
                            firmware,
                            std::string("firmware/log"),
                            "line " + std::to_string(i),
                            Qos::AtMostOnce,
                            false,
                            &r.floodPublished);
    }

    Simulator::Stop(Seconds(2.0 + o.bursts * burstPeriod + 3));
    Simulator::Run();
    Simulator::Destroy();
    return r;
}

void
Row(const std::string& what, uint64_t a, uint64_t b)
{
    std::cout << "  " << std::left << std::setw(52) << what << std::right << std::setw(10) << a
              << std::setw(14) << b << (a != b ? "   <- differs" : "") << "\n";
}

} // namespace

int
main(int argc, char** argv)
{
    Options o;
    std::string profile = "aws-iot-core";
    uint32_t seed = 1;
    CommandLine cmd(__FILE__);
    cmd.AddValue("sensors", "sensors uploading bursts of readings", o.sensors);
    cmd.AddValue("bursts", "bursts per sensor (one every 2 s)", o.bursts);
    cmd.AddValue("burstSize", "readings per burst (2 ms apart)", o.burstSize);
    cmd.AddValue("delay", "one-way delay of every device link", o.delay);
    cmd.AddValue("profile", "the profile compared with standard", profile);
    cmd.AddValue("seed", "ns-3 run seed (the same for both runs)", seed);
    cmd.AddValue("pcap", "write pcap files PREFIX-PROFILE-NODE-DEVICE.pcap", o.pcap);
    cmd.Parse(argc, argv);
    if (!MqttBrokerProfile::ByName(profile))
    {
        std::cerr << "unknown profile '" << profile << "'" << std::endl;
        return 2;
    }

    RngSeedManager::SetSeed(seed);
    Results s = Run("standard", o);
    Results a = Run(profile, o);

    std::cout << "Same devices, same workload (seed " << seed << "): standard vs " << profile
              << "\n\n";
    std::cout << "  " << std::left << std::setw(52) << "" << std::right << std::setw(10)
              << "standard" << std::setw(14) << profile << "\n";
    std::cout << "Sensor readings (QoS 1, bursts of " << o.burstSize << " at 2 ms):\n";
    Row("published", s.readingsPublished, a.readingsPublished);
    Row("acknowledged to the sensors", s.readingsCompleted, a.readingsCompleted);
    Row("dashboard (QoS 0): received", s.dashboard.received, a.dashboard.received);
    Row("dashboard: duplicates", s.dashboard.duplicates, a.dashboard.duplicates);
    Row("dashboard: order violations", s.dashboard.orderViolations, a.dashboard.orderViolations);
    Row("archiver (QoS 1): received", s.archiver.received, a.archiver.received);
    Row("archiver: duplicates (same reading, new packet id)",
        s.archiver.duplicates,
        a.archiver.duplicates);
    Row("archiver: order violations", s.archiver.orderViolations, a.archiver.orderViolations);
    Row("late subscriber: distinct readings received", s.late.seen.size(), a.late.seen.size());
    std::cout << "QoS 2 (legacy device):\n";
    Row("published", s.qos2Published, a.qos2Published);
    Row("completed (PUBCOMP)", s.qos2Completed, a.qos2Completed);
    Row("ack timeouts at the device", s.qos2AckTimeouts, a.qos2AckTimeouts);
    std::cout << "Retained messages (status device):\n";
    Row("published", s.retainedPublished, a.retainedPublished);
    Row("completed (PUBACK)", s.retainedCompleted, a.retainedCompleted);
    Row("connections lost", s.statusDisconnects, a.statusDisconnects);
    std::cout << "QoS 0 flood (firmware device, 500 per second):\n";
    Row("published", s.floodPublished, a.floodPublished);
    Row("distinct lines delivered to the dashboard",
        s.floodDelivered.size(),
        a.floodDelivered.size());
    std::cout << "Lifecycle events received by the monitor:\n";
    Row("$aws/events/presence/#", s.lifecycleEvents, a.lifecycleEvents);
    std::cout << "Broker: messages dropped, by reason:\n";
    std::set<std::string> reasons;
    for (const auto& m : {s.brokerDrops, a.brokerDrops})
    {
        for (const auto& [reason, n] : m)
        {
            reasons.insert(reason);
        }
    }
    for (const std::string& reason : reasons)
    {
        Row(reason, s.brokerDrops[reason], a.brokerDrops[reason]);
    }
    std::cout << "Broker: connections closed, by reason:\n";
    reasons.clear();
    for (const auto& m : {s.brokerCloses, a.brokerCloses})
    {
        for (const auto& [reason, n] : m)
        {
            reasons.insert(reason);
        }
    }
    for (const std::string& reason : reasons)
    {
        Row(reason, s.brokerCloses[reason], a.brokerCloses[reason]);
    }
    return 0;
}
