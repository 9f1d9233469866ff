/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Hardware in the loop, broker side: a simulated MQTT broker that simulated sensors (behind
 * lossy simulated links) and real clients use at once, in real time.
 *
 * Two ways in for real clients:
 * - MQTT level (default): the simulated broker also listens on a real TCP address (--listen).
 *     ./ns3-mqtt example mqtt-hil-broker --listen=127.0.0.1:1883
 *     mosquitto_sub -h 127.0.0.1 -p 1883 -t 'sensors/#' -v
 *     mosquitto_pub -h 127.0.0.1 -p 1883 -t commands/1 -m on -q 1
 * - Packet level (--tap, as root): a TAP device, opened through /dev/net/tun, is an FdNetDevice
 *   of a gateway node; with --netns the TAP moves into a new network namespace of that name. A
 *   real process there reaches the broker's simulated address through a lossy simulated link;
 *   its TCP segments cross the simulated network like any simulated node's.
 *     ./ns3-mqtt example mqtt-hil-broker --tap --netns=mqtt-hil
 *     ip netns exec mqtt-hil mosquitto_sub -h 10.99.1.2 -t 'sensors/#' -v
 *
 *   [sensor n] --lossy p2p-- [broker 10.99.1.2] --lossy p2p-- [gateway 10.99.0.1] --TAP-- real
 *
 * Sensors publish readable JSON every --interval seconds (QoS 1) to sensors/NODE/temperature and
 * print what arrives on commands/NODE. It runs for --duration seconds (0: until SIGINT or
 * SIGTERM), then removes what it created.
 */
#include "mqtt-broker-helper.h"
#include "mqtt-broker.h"
#include "mqtt-client-helper.h"
#include "mqtt-client.h"
#include "mqtt-example-hil.h"
#include "mqtt-realtime-helper.h"

#include "ns3/boolean.h"
#include "ns3/command-line.h"
#include "ns3/config.h"
#include "ns3/double.h"
#include "ns3/error-model.h"
#include "ns3/fd-net-device.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/ipv4-global-routing-helper.h"
#include "ns3/mac48-address.h"
#include "ns3/node-container.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/pointer.h"
#include "ns3/simulator.h"
#include "ns3/string.h"

#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <sys/wait.h>
#include <unistd.h>

using namespace ns3;
using namespace ns3::mqtt;

namespace
{

std::vector<ExampleTextDevice> g_sensors;

std::string
ReadingText(const ExampleTextDevice& sensor, uint32_t index)
{
    std::ostringstream text;
    text << std::fixed << std::setprecision(1) << "{\"sensor\":\"" << sensor.client->GetClientId()
         << "\",\"seq\":" << sensor.sequence
         << ",\"celsius\":" << 20.0 + 0.1 * ((sensor.sequence * 7 + index * 13) % 50) << "}";
    return text.str();
}

int
Shell(const std::string& command)
{
    std::cout << "+ " << command << std::endl;
    int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/** A point-to-point link whose receivers drop a fraction @p loss of packets. */
NetDeviceContainer
LossyLink(Ptr<Node> a, Ptr<Node> b, const std::string& delay, double loss)
{
    PointToPointHelper link;
    link.SetDeviceAttribute("DataRate", StringValue("10Mbps"));
    link.SetChannelAttribute("Delay", StringValue(delay));
    NetDeviceContainer devices = link.Install(a, b);
    for (uint32_t i = 0; i < devices.GetN(); ++i)
    {
        Ptr<RateErrorModel> error = CreateObject<RateErrorModel>();
        error->SetAttribute("ErrorRate", DoubleValue(loss));
        error->SetAttribute("ErrorUnit", StringValue("ERROR_UNIT_PACKET"));
        devices.Get(i)->SetAttribute("ReceiveErrorModel", PointerValue(error));
    }
    return devices;
}

} // namespace

int
main(int argc, char** argv)
{
    std::string listen = "127.0.0.1:1883";
    uint32_t sensors = 3;
    double loss = 0.01;
    std::string delay = "20ms";
    double interval = 1.0;
    double duration = 60;
    bool tap = false;
    std::string tapName = "mqtt-tap0";
    std::string netns;
    std::string tlsListen;
    MqttTlsOptions tls;
    CommandLine cmd(__FILE__);
    cmd.AddValue(
        "listen", "real TCP address the simulated broker also listens on ('' for none)", listen);
    cmd.AddValue("sensors", "simulated sensors", sensors);
    cmd.AddValue("loss", "packet loss rate of every simulated link", loss);
    cmd.AddValue("delay", "one-way delay of every simulated link", delay);
    cmd.AddValue("interval", "seconds between a sensor's publishes", interval);
    cmd.AddValue("duration", "seconds to run (0: until SIGINT/SIGTERM)", duration);
    cmd.AddValue("tap", "packet-level HIL: a TAP device as a gateway node's FdNetDevice", tap);
    cmd.AddValue("tapName", "name of the TAP device", tapName);
    cmd.AddValue("netns", "with --tap: move the TAP into this new network namespace", netns);
    cmd.AddValue("tls-listen", "real address for MQTT over TLS (needs certfile, keyfile)", tlsListen);
    cmd.AddValue("cafile", "TLS: CA certificates (PEM) of client certificates", tls.caFile);
    cmd.AddValue("certfile", "TLS: the broker's certificate chain (PEM)", tls.certFile);
    cmd.AddValue("keyfile", "TLS: the broker's private key (PEM)", tls.keyFile);
    cmd.AddValue("require-certificate",
                 "TLS: refuse clients without a certificate signed by cafile",
                 tls.requireCertificate);
    cmd.Parse(argc, argv);

    MqttRealtimeHelper::EnableRealtime();
    ExampleCatchSignals();

    Ptr<Node> broker = CreateObject<Node>();
    NodeContainer sensorNodes;
    sensorNodes.Create(sensors);
    InternetStackHelper internet;
    internet.Install(broker);
    internet.Install(sensorNodes);

    Ipv4AddressHelper addresses;
    std::vector<Ipv4Address> brokerAddresses;
    for (uint32_t i = 0; i < sensors; ++i)
    {
        NetDeviceContainer devices = LossyLink(broker, sensorNodes.Get(i), delay, loss);
        std::string base = "10.1." + std::to_string(i + 1) + ".0";
        addresses.SetBase(Ipv4Address(base.c_str()), "255.255.255.0");
        brokerAddresses.push_back(addresses.Assign(devices).GetAddress(0));
    }

    // Packet level: a gateway node with the TAP as its FdNetDevice, a lossy link to the broker.
    int tapFd = -1;
    bool netnsMade = false;
    if (tap)
    {
        std::string error;
        tapFd = MqttRealtimeHelper::OpenTap(tapName, error);
        if (tapFd < 0)
        {
            std::cerr << "--tap: " << error << std::endl;
            return 2;
        }
        // ns-3.37 echoes a wrong TSecr in its SYN-ACK to a Linux SYN (seen: 200 for a TSval of
        // 4073175498), and Linux answers that with RST: no TCP timestamps in the simulation.
        Config::SetDefault("ns3::TcpSocketBase::Timestamp", BooleanValue(false));
        Ptr<Node> gateway = CreateObject<Node>();
        internet.Install(gateway);
        NetDeviceContainer backbone = LossyLink(gateway, broker, delay, loss);
        addresses.SetBase("10.99.1.0", "255.255.255.0");
        addresses.Assign(backbone); // gateway 10.99.1.1, broker 10.99.1.2

        Ptr<FdNetDevice> device = CreateObject<FdNetDevice>();
        device->SetAddress(Mac48Address::Allocate());
        device->SetFileDescriptor(tapFd);
        gateway->AddDevice(device);
        addresses.SetBase("10.99.0.0", "255.255.255.0");
        addresses.Assign(NetDeviceContainer(device)); // gateway 10.99.0.1; the real side .2
        Ipv4GlobalRoutingHelper::PopulateRoutingTables();

        if (!netns.empty())
        {
            if (Shell("ip netns add " + netns) != 0 ||
                Shell("ip link set " + tapName + " netns " + netns) != 0)
            {
                std::cerr << "--netns: could not set up " << netns << std::endl;
                Shell("ip netns del " + netns + " 2>/dev/null");
                return 2;
            }
            netnsMade = true;
            Shell("ip -n " + netns + " link set lo up");
            Shell("ip -n " + netns + " addr add 10.99.0.2/24 dev " + tapName);
            Shell("ip -n " + netns + " link set " + tapName + " up");
            Shell("ip -n " + netns + " route add default via 10.99.0.1");
        }
        else
        {
            Shell("ip addr add 10.99.0.2/24 dev " + tapName);
            Shell("ip link set " + tapName + " up");
            Shell("ip route add 10.99.1.0/24 via 10.99.0.1 dev " + tapName);
        }
    }

    ApplicationContainer brokerApps = MqttBrokerHelper().Install(broker);
    auto brokerApp = DynamicCast<MqttBroker>(brokerApps.Get(0));
    brokerApp->TraceConnectWithoutContext(
        "ConnectionClosed",
        Callback<void, uint64_t, const std::string&, const std::string&>(
            [](uint64_t id, const std::string& clientId, const std::string& reason)
            {
                std::cout << ExampleStamp() << " broker: connection " << id << " (" << clientId
                          << ") closed: " << reason << std::endl;
            }));
    brokerApp->TraceConnectWithoutContext("Event",
                                          Callback<void, const MqttEvent&>(
                                              [](const MqttEvent& event)
                                              {
                                                  if (event.type == EventType::SessionStarted)
                                                  {
                                                      std::cout << ExampleStamp()
                                                                << " broker: " << event.clientId
                                                                << " connected" << std::endl;
                                                  }
                                              }));
    if (listen != "none")
    {
        MqttPosixEndpoint bound = MqttRealtimeHelper::ListenReal(brokerApp, listen);
        std::string host = bound.ToString().substr(0, bound.ToString().rfind(':'));
        std::cout << "real clients: mosquitto_sub -h " << host << " -p " << bound.Port()
                  << " -t 'sensors/#' -v" << std::endl;
    }
    if (!tlsListen.empty())
    {
        MqttPosixEndpoint bound = MqttRealtimeHelper::ListenReal(
            brokerApp,
            tlsListen,
            MqttRealtimeHelper::TlsOrExit(MqttTlsContext::Role::Server, tls));
        std::cout << "real clients over TLS: mosquitto_sub -p " << bound.Port()
                  << " --cafile CA --cert CERT --key KEY -t 'sensors/#' -v" << std::endl;
    }
    if (tap)
    {
        std::cout << "packet level: " << (netns.empty() ? "" : "ip netns exec " + netns + " ")
                  << "mosquitto_sub -h 10.99.1.2 -t 'sensors/#' -v" << std::endl;
    }

    for (uint32_t i = 0; i < sensors; ++i)
    {
        MqttClientHelper sensor(brokerAddresses[i]);
        sensor.SetAttribute("ClientId", StringValue("sensor-%n"));
        sensor.SetAttribute("Subscriptions", StringValue("commands/%n:1"));
        ApplicationContainer apps = sensor.Install(sensorNodes.Get(i));
        Time start = Seconds(0.1 + 0.05 * i);
        apps.Start(start);
        auto client = DynamicCast<MqttClient>(apps.Get(0));
        std::string topic =
            "sensors/" + std::to_string(sensorNodes.Get(i)->GetId()) + "/temperature";
        g_sensors.push_back(ExampleTextDevice{client, topic, Qos::AtLeastOnce});
        Simulator::Schedule(start + Seconds(interval),
                            &PublishExampleText,
                            &g_sensors,
                            i,
                            Seconds(interval),
                            &ReadingText);
        LogExampleReceived(client, "received command on");
    }

    ScheduleExampleStop(duration, "stopping (signal)");
    std::cout << "ready: " << sensors << " simulated sensors, loss " << loss << ", delay " << delay
              << std::endl;
    Simulator::Run();

    uint64_t accepted = brokerApp->GetConnectionsAccepted();
    g_sensors.clear();
    Simulator::Destroy();
    if (netnsMade)
    {
        Shell("ip netns del " + netns);
    }
    if (tapFd >= 0)
    {
        close(tapFd);
    }
    std::cout << "done: the broker accepted " << accepted << " connections" << std::endl;
    return 0;
}
