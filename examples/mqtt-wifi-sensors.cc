/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Sensors on Wi-Fi publishing to a wired broker. The sensors sit on a circle around a gateway;
 * in ad hoc mode they share an ad hoc network with it, in infrastructure mode the gateway is the
 * access point. The gateway routes to the broker over a point-to-point link; a dashboard client
 * on the broker's node (over loopback) subscribes to every sensor and measures latency.
 *
 *   ./ns3-mqtt example mqtt-wifi-sensors [--sensors=10] [--mode=adhoc|infra] [--radius=20]
 *       [--qos=1] [--size=64] [--interval=1] [--messages=20] [--stop=40] [--startSpread=1]
 *       [--pcap=PREFIX]
 */
#include "mqtt-broker-helper.h"
#include "mqtt-broker.h"
#include "mqtt-client-helper.h"
#include "mqtt-client.h"
#include "mqtt-example-clients.h"

#include "ns3/command-line.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/ipv4-global-routing-helper.h"
#include "ns3/mobility-helper.h"
#include "ns3/node-container.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/random-variable-stream.h"
#include "ns3/simulator.h"
#include "ns3/ssid.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"
#include "ns3/vector.h"
#include "ns3/wifi-helper.h"
#include "ns3/wifi-mac-helper.h"
#include "ns3/yans-wifi-helper.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

using namespace ns3;
using namespace ns3::mqtt;

int
main(int argc, char** argv)
{
    uint32_t sensors = 10;
    std::string mode = "adhoc";
    double radius = 20;
    uint32_t qos = 1;
    uint32_t size = 64;
    double interval = 1;
    uint32_t messages = 20;
    double stop = 40;
    double startSpread = 1;
    std::string pcap;
    CommandLine cmd(__FILE__);
    cmd.AddValue("sensors", "number of Wi-Fi sensors", sensors);
    cmd.AddValue("mode", "adhoc or infra (the gateway is the access point)", mode);
    cmd.AddValue("radius", "metres between the gateway and each sensor", radius);
    cmd.AddValue("qos", "QoS of the sensors' publishes", qos);
    cmd.AddValue("size", "payload bytes", size);
    cmd.AddValue("interval", "seconds between a sensor's publishes", interval);
    cmd.AddValue("messages", "publishes per sensor", messages);
    cmd.AddValue("stop", "simulated seconds", stop);
    cmd.AddValue("startSpread", "sensors start uniformly in [1, 1 + startSpread) s", startSpread);
    cmd.AddValue("pcap", "write pcap files PREFIX-*.pcap", pcap);
    cmd.Parse(argc, argv);
    if (mode != "adhoc" && mode != "infra")
    {
        std::cerr << "--mode must be adhoc or infra" << std::endl;
        return 2;
    }

    NodeContainer sensorNodes;
    sensorNodes.Create(sensors);
    NodeContainer gateway;
    gateway.Create(1);
    NodeContainer broker;
    broker.Create(1);

    YansWifiChannelHelper channel = YansWifiChannelHelper::Default();
    YansWifiPhyHelper phy;
    phy.SetChannel(channel.Create());
    phy.SetPcapDataLinkType(WifiPhyHelper::DLT_IEEE802_11_RADIO);
    WifiHelper wifi;
    wifi.SetStandard(WIFI_STANDARD_80211n);
    WifiMacHelper mac;
    NetDeviceContainer wifiDevices;
    if (mode == "adhoc")
    {
        mac.SetType("ns3::AdhocWifiMac");
        wifiDevices.Add(wifi.Install(phy, mac, gateway));
        wifiDevices.Add(wifi.Install(phy, mac, sensorNodes));
    }
    else
    {
        Ssid ssid("mqtt-sensors");
        mac.SetType("ns3::ApWifiMac", "Ssid", SsidValue(ssid));
        wifiDevices.Add(wifi.Install(phy, mac, gateway));
        mac.SetType("ns3::StaWifiMac", "Ssid", SsidValue(ssid));
        wifiDevices.Add(wifi.Install(phy, mac, sensorNodes));
    }

    MobilityHelper mobility;
    Ptr<ListPositionAllocator> positions = CreateObject<ListPositionAllocator>();
    positions->Add(Vector(0, 0, 0)); // the gateway
    for (uint32_t i = 0; i < sensors; ++i)
    {
        double angle = 2 * M_PI * i / sensors;
        positions->Add(Vector(radius * std::cos(angle), radius * std::sin(angle), 0));
    }
    mobility.SetPositionAllocator(positions);
    mobility.SetMobilityModel("ns3::ConstantPositionMobilityModel");
    mobility.Install(gateway);
    mobility.Install(sensorNodes);

    PointToPointHelper wire;
    wire.SetDeviceAttribute("DataRate", StringValue("100Mbps"));
    wire.SetChannelAttribute("Delay", StringValue("2ms"));
    NetDeviceContainer wired = wire.Install(gateway.Get(0), broker.Get(0));

    InternetStackHelper stack;
    stack.Install(sensorNodes);
    stack.Install(gateway);
    stack.Install(broker);
    Ipv4AddressHelper addresses("10.1.0.0", "255.255.255.0");
    addresses.Assign(wifiDevices);
    addresses.SetBase("10.2.0.0", "255.255.255.0");
    Ipv4InterfaceContainer wiredIf = addresses.Assign(wired);
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();

    Ptr<MqttClient> dashboardClient =
        InstallExampleDashboard(broker, Ipv4Address::GetLoopback(), "sensors/#", qos);

    MqttClientHelper sensor(wiredIf.GetAddress(1));
    sensor.SetAttribute("ClientId", StringValue("sensor-%n"));
    sensor.SetAttribute("Topic", StringValue("sensors/%n/temperature"));
    SetExamplePublishTraffic(sensor,
                             qos,
                             30,
                             size,
                             ExampleIntervals("ExponentialRandomVariable", "Mean", interval),
                             messages);
    ApplicationContainer sensorApps = sensor.Install(sensorNodes);
    // Spread the starts: sensors that all ARP at once collide (broadcasts are not retried), and
    // ns-3's ARP then holds the failed entry dead for 100 s.
    Ptr<UniformRandomVariable> start = CreateObject<UniformRandomVariable>();
    start->SetStream(999);
    for (uint32_t i = 0; i < sensorApps.GetN(); ++i)
    {
        sensorApps.Get(i)->SetStartTime(Seconds(1 + start->GetValue(0, startSpread)));
    }
    MqttClientHelper::AssignStreams(sensorApps, 1000);
    if (!pcap.empty())
    {
        phy.EnablePcap(pcap, wifiDevices.Get(0));
        wire.EnablePcapAll(pcap);
    }

    Simulator::Stop(Seconds(stop));
    Simulator::Run();

    std::cout << sensors << " sensors, " << mode << " Wi-Fi, " << radius << " m, QoS " << qos
              << ": ";
    PrintExampleSensorSummary(sensorApps, dashboardClient);
    Simulator::Destroy();
    return 0;
}
