/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The AWS IoT Device SDK "basicPubSub" sample as a simulation: one device connects to the broker
 * over a point-to-point link, subscribes to a topic, publishes "Hello World! [n]" to that topic
 * count times (one per interval), prints every message it receives, and disconnects once it has
 * received them all.
 *
 *   ./ns3-mqtt example mqtt-basic-pubsub [--count=10] [--topic=sdk/test/cpp] [--qos=1]
 *       [--message="Hello World!"] [--interval=1] [--keepAlive=30] [--delay=10ms]
 *       [--protocol=4|5] [--unsubscribe] [--pcap=PREFIX]
 *
 * --protocol=5 runs it in MQTT 5.0 against the standard-5 broker, with the 5.0 options a study
 * of sleepy devices uses (Session and Message Expiry Intervals, topic aliases both ways); with
 * --unsubscribe the device unsubscribes before it disconnects.
 */
#include "mqtt-broker-helper.h"
#include "mqtt-broker.h"
#include "mqtt-client-helper.h"
#include "mqtt-client.h"
#include "mqtt-example-latency.h"

#include "ns3/command-line.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/node-container.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <iomanip>
#include <iostream>
#include <sstream>

using namespace ns3;
using namespace ns3::mqtt;

namespace
{

struct Sample
{
    Ptr<MqttClient> device;
    std::string topic;
    std::string message;
    Qos qos = Qos::AtLeastOnce;
    uint32_t count = 10;
    Time interval = Seconds(1);
    uint32_t published = 0;
    uint32_t received = 0;
    bool unsubscribe = false;
};

Sample g_sample;

void
PublishNext()
{
    if (g_sample.published >= g_sample.count)
    {
        return;
    }
    std::string text = g_sample.message + " [" + std::to_string(++g_sample.published) + "]";
    std::cout << ExampleStamp() << " Publishing message to topic '" << g_sample.topic
              << "': " << text << std::endl;
    g_sample.device->Publish(
        g_sample.topic, std::vector<uint8_t>(text.begin(), text.end()), g_sample.qos);
    Simulator::Schedule(g_sample.interval, &PublishNext);
}

void
OnConnected(bool sessionPresent)
{
    std::cout << ExampleStamp()
              << " Connected (session present: " << (sessionPresent ? "yes" : "no") << ")"
              << std::endl;
}

void
OnSubscribed(const MqttEvent& event)
{
    std::cout << ExampleStamp() << " Subscribed to '" << g_sample.topic << "' with QoS "
              << static_cast<int>(event.code) << std::endl;
    if (g_sample.published == 0)
    {
        PublishNext();
    }
}

void
Disconnect()
{
    std::cout << ExampleStamp() << " Disconnecting..." << std::endl;
    g_sample.device->StopApplication();
}

void
OnReceived(const MqttEvent& event, const MqttPayloadStamp&, Time, bool)
{
    std::string text(event.message->payload.begin(), event.message->payload.end());
    std::cout << ExampleStamp() << " Received message from topic '" << event.message->topic
              << "': " << text << std::endl;
    if (++g_sample.received == g_sample.count)
    {
        std::cout << ExampleStamp() << " " << g_sample.count << " message(s) received."
                  << std::endl;
        if (g_sample.unsubscribe)
        {
            std::cout << ExampleStamp() << " Unsubscribing from '" << g_sample.topic << "'"
                      << std::endl;
            g_sample.device->Unsubscribe({g_sample.topic});
            Simulator::Schedule(Seconds(0.5), &Disconnect);
            return;
        }
        Disconnect();
    }
}

void
OnDisconnected(const std::string& reason)
{
    std::cout << ExampleStamp() << " Disconnected: " << reason << std::endl;
}

} // namespace

int
main(int argc, char** argv)
{
    uint32_t qos = 1;
    std::string delay = "10ms";
    std::string pcap;
    double interval = 1.0;
    uint32_t keepAlive = 30;
    uint32_t protocol = 4;
    g_sample.topic = "sdk/test/cpp";
    g_sample.message = "Hello World!";
    CommandLine cmd(__FILE__);
    cmd.AddValue("count", "messages to publish and receive", g_sample.count);
    cmd.AddValue("topic", "topic to subscribe and publish to", g_sample.topic);
    cmd.AddValue("message", "message text", g_sample.message);
    cmd.AddValue("qos", "QoS of the subscription and the publishes (0, 1, 2)", qos);
    cmd.AddValue("interval", "seconds between publishes", interval);
    cmd.AddValue("keepAlive", "keep-alive of the device, seconds", keepAlive);
    cmd.AddValue("delay", "one-way delay of the link", delay);
    cmd.AddValue("protocol", "MQTT protocol level: 4 (3.1.1) or 5 (5.0)", protocol);
    cmd.AddValue("unsubscribe", "unsubscribe before disconnecting", g_sample.unsubscribe);
    cmd.AddValue("pcap", "write pcap files PREFIX-*.pcap", pcap);
    cmd.Parse(argc, argv);
    if (protocol != 4 && protocol != 5)
    {
        std::cerr << "--protocol must be 4 or 5" << std::endl;
        return 2;
    }
    if (qos > 2)
    {
        std::cerr << "--qos must be 0, 1 or 2" << std::endl;
        return 2;
    }
    g_sample.qos = static_cast<Qos>(qos);
    g_sample.interval = Seconds(interval);

    NodeContainer nodes;
    nodes.Create(2); // 0: broker, 1: device
    PointToPointHelper link;
    link.SetDeviceAttribute("DataRate", StringValue("10Mbps"));
    link.SetChannelAttribute("Delay", StringValue(delay));
    NetDeviceContainer devices = link.Install(nodes);
    InternetStackHelper().Install(nodes);
    Ipv4InterfaceContainer interfaces =
        Ipv4AddressHelper("10.1.1.0", "255.255.255.0").Assign(devices);

    MqttBrokerHelper broker;
    MqttClientHelper client(interfaces.GetAddress(0));
    if (protocol == 5)
    {
        // standard-5 allows 10 topic aliases each way; the device uses and accepts 4.
        broker.SetAttribute("Profile", StringValue("standard-5"));
        client.SetAttribute("ProtocolVersion", UintegerValue(5));
        client.SetAttribute("SessionExpiryInterval", UintegerValue(3600));
        client.SetAttribute("MessageExpiryInterval", UintegerValue(600));
        client.SetAttribute("TopicAliases", UintegerValue(4));
        client.SetAttribute("TopicAliasMaximum", UintegerValue(4));
    }
    broker.Install(nodes.Get(0)).Start(Seconds(0));
    client.SetAttribute("ClientId", StringValue("basicPubSub"));
    client.SetAttribute("KeepAlive", UintegerValue(keepAlive));
    client.SetAttribute("Subscriptions", StringValue(g_sample.topic + ":" + std::to_string(qos)));
    ApplicationContainer apps = client.Install(nodes.Get(1));
    apps.Start(Seconds(0.1));
    g_sample.device = DynamicCast<MqttClient>(apps.Get(0));
    g_sample.device->TraceConnectWithoutContext("Connected", MakeCallback(&OnConnected));
    g_sample.device->TraceConnectWithoutContext("Subscribed", MakeCallback(&OnSubscribed));
    g_sample.device->TraceConnectWithoutContext("PublishReceived", MakeCallback(&OnReceived));
    g_sample.device->TraceConnectWithoutContext("Disconnected", MakeCallback(&OnDisconnected));
    if (!pcap.empty())
    {
        link.EnablePcapAll(pcap);
    }

    Simulator::Stop(Seconds(5 + g_sample.count * interval));
    Simulator::Run();
    Simulator::Destroy();
    return g_sample.received == g_sample.count ? 0 : 1;
}
