/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Constrained devices on IEEE 802.15.4 with 6LoWPAN and IPv6 publishing over MQTT/TCP through a
 * border router to a broker on a CSMA backbone. The devices sit in one radio cell around the
 * border router (lr-wpan), which routes between the 6LoWPAN prefix 2001:1::/64 and the backbone
 * prefix 2001:2::/64. A dashboard on the broker's node subscribes to everything.
 *
 *   ./ns3-mqtt example mqtt-lowpan-sensors [--sensors=5] [--qos=1] [--size=32] [--interval=5]
 *       [--messages=10] [--stop=120] [--pcap=PREFIX]
 */
#include "mqtt-broker-helper.h"
#include "mqtt-broker.h"
#include "mqtt-client-helper.h"
#include "mqtt-client.h"
#include "mqtt-example-clients.h"

#include "ns3/boolean.h"
#include "ns3/command-line.h"
#include "ns3/config.h"
#include "ns3/csma-helper.h"
#include "ns3/double.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv6-address-helper.h"
#include "ns3/lr-wpan-helper.h"
#include "ns3/mobility-helper.h"
#include "ns3/node-container.h"
#include "ns3/simulator.h"
#include "ns3/sixlowpan-helper.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

using namespace ns3;
using namespace ns3::mqtt;

int
main(int argc, char** argv)
{
    uint32_t sensors = 5;
    uint32_t qos = 1;
    uint32_t size = 32;
    double interval = 5;
    uint32_t messages = 10;
    double stop = 120;
    std::string pcap;
    CommandLine cmd(__FILE__);
    cmd.AddValue("sensors", "number of 802.15.4 devices", sensors);
    cmd.AddValue("qos", "QoS of the devices' publishes", qos);
    cmd.AddValue("size", "payload bytes (27 or more carry the latency stamp)", size);
    cmd.AddValue("interval", "seconds between a device's publishes", interval);
    cmd.AddValue("messages", "publishes per device", messages);
    cmd.AddValue("stop", "simulated seconds", stop);
    cmd.AddValue("pcap", "write pcap files PREFIX-*.pcap", pcap);
    cmd.Parse(argc, argv);

    // Duplicate address detection only delays the start here: every address is unique.
    Config::SetDefault("ns3::Icmpv6L4Protocol::DAD", BooleanValue(false));

    NodeContainer devices;
    devices.Create(sensors);
    NodeContainer borderRouter;
    borderRouter.Create(1);
    NodeContainer broker;
    broker.Create(1);
    NodeContainer lowpanNodes(borderRouter, devices);

    MobilityHelper mobility;
    mobility.SetMobilityModel("ns3::ConstantPositionMobilityModel");
    mobility.SetPositionAllocator("ns3::GridPositionAllocator",
                                  "MinX",
                                  DoubleValue(0.0),
                                  "MinY",
                                  DoubleValue(0.0),
                                  "DeltaX",
                                  DoubleValue(10),
                                  "DeltaY",
                                  DoubleValue(10),
                                  "GridWidth",
                                  UintegerValue(4),
                                  "LayoutType",
                                  StringValue("RowFirst"));
    mobility.Install(lowpanNodes);

    LrWpanHelper lrWpan;
    NetDeviceContainer radios = lrWpan.Install(lowpanNodes);
    lrWpan.AssociateToPan(radios, 0);

    CsmaHelper csma;
    csma.SetChannelAttribute("DataRate", StringValue("100Mbps"));
    csma.SetChannelAttribute("Delay", TimeValue(MicroSeconds(50)));
    NetDeviceContainer backbone = csma.Install(NodeContainer(borderRouter, broker));

    InternetStackHelper stack;
    stack.SetIpv4StackInstall(false);
    stack.Install(lowpanNodes);
    stack.Install(broker);

    SixLowPanHelper sixlowpan;
    NetDeviceContainer lowpanDevices = sixlowpan.Install(radios);

    Ipv6AddressHelper addresses;
    addresses.SetBase(Ipv6Address("2001:1::"), Ipv6Prefix(64));
    Ipv6InterfaceContainer lowpanIf = addresses.Assign(lowpanDevices);
    lowpanIf.SetForwarding(0, true);
    lowpanIf.SetDefaultRouteInAllNodes(0);
    addresses.SetBase(Ipv6Address("2001:2::"), Ipv6Prefix(64));
    Ipv6InterfaceContainer backboneIf = addresses.Assign(backbone);
    backboneIf.SetForwarding(0, true);
    backboneIf.SetDefaultRouteInAllNodes(0);
    Ipv6Address brokerAddress = backboneIf.GetAddress(1, 1);

    Ptr<MqttClient> dashboardClient =
        InstallExampleDashboard(broker, Ipv6Address::GetLoopback(), "lowpan/#", qos);

    MqttClientHelper sensor(brokerAddress);
    sensor.SetAttribute("ClientId", StringValue("mote-%n"));
    sensor.SetAttribute("Topic", StringValue("lowpan/%n"));
    SetExamplePublishTraffic(sensor,
                             qos,
                             60,
                             size,
                             ExampleIntervals("ExponentialRandomVariable", "Mean", interval),
                             messages);
    ApplicationContainer sensorApps = sensor.Install(devices);
    // Spread the connects: a cell of 802.15.4 radios collides when all start together.
    for (uint32_t i = 0; i < sensorApps.GetN(); ++i)
    {
        sensorApps.Get(i)->SetStartTime(Seconds(1 + 0.5 * i));
    }
    MqttClientHelper::AssignStreams(sensorApps, 1000);
    if (!pcap.empty())
    {
        lrWpan.EnablePcapAll(pcap);
        csma.EnablePcapAll(pcap);
    }

    Simulator::Stop(Seconds(stop));
    Simulator::Run();

    std::cout << sensors << " 6LoWPAN devices, QoS " << qos << ", " << size << " B: ";
    PrintExampleSensorSummary(sensorApps, dashboardClient);
    Simulator::Destroy();
    return 0;
}
