/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Hardware in the loop, device side: simulated MQTT devices that connect to a real broker
 * (mosquitto, the standalone ./ns3-mqtt broker, a cloud broker), in real time.
 *
 *   mosquitto -p 1883 &                       # or: ./ns3-mqtt broker --listen 127.0.0.1:1883 &
 *   ./ns3-mqtt example mqtt-hil-devices --broker=127.0.0.1:1883 --devices=20
 *   mosquitto_sub -h 127.0.0.1 -t 'devices/+/telemetry' -v
 *   mosquitto_pub -h 127.0.0.1 -t devices/3/cmd -m reboot -q 1
 *
 * Each device is an MqttClient on its own node whose connection is a real TCP socket to
 * --broker. It publishes readable telemetry to devices/NODE/telemetry every --interval seconds at
 * --qos, subscribes to devices/NODE/cmd and prints what arrives there. The engines behave as in
 * any simulation (keep-alive, reconnect with backoff, QoS 1/2 flows), against a real broker. At
 * the end it prints each device's counters.
 */
#include "mqtt-client-helper.h"
#include "mqtt-client.h"
#include "mqtt-example-hil.h"
#include "mqtt-realtime-helper.h"

#include "ns3/command-line.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/node-container.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

using namespace ns3;
using namespace ns3::mqtt;

namespace
{

std::vector<ExampleTextDevice> g_devices;

std::string
TelemetryText(const ExampleTextDevice& device, uint32_t /* index */)
{
    std::ostringstream text;
    text << "{\"device\":\"" << device.client->GetClientId() << "\",\"seq\":" << device.sequence
         << ",\"sim_time_s\":" << std::fixed << std::setprecision(3)
         << Simulator::Now().GetSeconds() << "}";
    return text.str();
}

} // namespace

int
main(int argc, char** argv)
{
    std::string broker = "127.0.0.1:1883";
    uint32_t devices = 5;
    double interval = 1.0;
    uint32_t qos = 1;
    double duration = 30;
    std::string prefix = "hil-device-";
    double ramp = -1;
    MqttTlsOptions tls;
    std::string alpn;
    std::string webSocketPath;
    CommandLine cmd(__FILE__);
    cmd.AddValue("broker", "the real broker, HOST:PORT (IPv6 as [ADDR]:PORT)", broker);
    cmd.AddValue("devices", "simulated devices", devices);
    cmd.AddValue("interval", "seconds between a device's publishes", interval);
    cmd.AddValue("qos", "QoS of the telemetry (0, 1, 2)", qos);
    cmd.AddValue("duration", "seconds to run (0: until SIGINT/SIGTERM)", duration);
    cmd.AddValue("prefix", "client id prefix (the node id follows)", prefix);
    cmd.AddValue("ramp",
                 "seconds over which the devices start, evenly (default: 50 ms apart, at most "
                 "5 s in all)",
                 ramp);
    cmd.AddValue("cafile", "TLS (on when given): CA certificates (PEM) of the broker", tls.caFile);
    cmd.AddValue("cert", "TLS: the devices' certificate (PEM)", tls.certFile);
    cmd.AddValue("key", "TLS: the devices' private key (PEM)", tls.keyFile);
    cmd.AddValue("sni", "TLS: server name sent and checked against the certificate", tls.serverName);
    cmd.AddValue("alpn", "TLS: ALPN protocol offered (x-amzn-mqtt-ca for AWS IoT on 443)", alpn);
    cmd.AddValue("tls-version", "TLS: tlsv1.2 or tlsv1.3 (default: either)", tls.version);
    cmd.AddValue("websocket",
                 "MQTT over WebSocket to the broker's ws:// listener (wss:// with --cafile): "
                 "the request path, e.g. /mqtt",
                 webSocketPath);
    cmd.Parse(argc, argv);
    if (!alpn.empty())
    {
        tls.alpn = {alpn};
    }
    if (ramp < 0)
    {
        ramp = std::min(5.0, 0.05 * devices);
    }
    if (qos > 2)
    {
        std::cerr << "--qos must be 0, 1 or 2" << std::endl;
        return 2;
    }

    MqttRealtimeHelper::EnableRealtime();
    ExampleCatchSignals();
    MqttRealtimeHelper::ParseEndpoint(broker); // a malformed --broker stops here, named
    std::shared_ptr<MqttTlsContext> context;
    if (!tls.caFile.empty())
    {
        context = MqttRealtimeHelper::TlsOrExit(MqttTlsContext::Role::Client, tls);
    }

    std::optional<MqttWebSocketClientOptions> webSocket;
    if (!webSocketPath.empty())
    {
        webSocket = MqttWebSocketClientOptions{broker, webSocketPath};
    }

    NodeContainer nodes;
    nodes.Create(devices);
    InternetStackHelper().Install(nodes);
    for (uint32_t i = 0; i < devices; ++i)
    {
        // The address is not used: the connection is a real socket to --broker.
        MqttClientHelper helper(Ipv4Address::GetLoopback());
        helper.SetAttribute("ClientId", StringValue(prefix + "%n"));
        helper.SetAttribute("Subscriptions", StringValue("devices/%n/cmd:1"));
        helper.SetAttribute("KeepAlive", UintegerValue(30));
        ApplicationContainer apps = helper.Install(nodes.Get(i));
        MqttRealtimeHelper::UseRealBroker(apps, broker, MqttClientStreamOptions(context, webSocket));
        // Staggered like devices powering up, not a thundering herd of CONNECTs.
        Time start = Seconds(ramp * i / devices);
        apps.Start(start);
        auto client = DynamicCast<MqttClient>(apps.Get(0));
        g_devices.push_back(
            ExampleTextDevice{client,
                              "devices/" + std::to_string(nodes.Get(i)->GetId()) + "/telemetry",
                              static_cast<Qos>(qos)});
        Simulator::Schedule(start + Seconds(interval),
                            &PublishExampleText,
                            &g_devices,
                            i,
                            Seconds(interval),
                            &TelemetryText);
        LogExampleReceived(client, "received");
        client->TraceConnectWithoutContext("Connected",
                                           Callback<void, bool>(
                                               [client](bool sessionPresent)
                                               {
                                                   std::cout << ExampleStamp() << " "
                                                             << client->GetClientId()
                                                             << " connected to the real"
                                                             << " broker (session present "
                                                             << sessionPresent << ")" << std::endl;
                                               }));
        client->TraceConnectWithoutContext("Disconnected",
                                           Callback<void, const std::string&>(
                                               [client](const std::string& reason)
                                               {
                                                   std::cout << ExampleStamp() << " "
                                                             << client->GetClientId()
                                                             << " disconnected: " << reason
                                                             << std::endl;
                                               }));
    }

    ScheduleExampleStop(duration, "");
    std::cout << "ready: " << devices << " simulated devices -> real broker " << broker
              << std::endl;
    Simulator::Run();

    std::cout << "device published completed received sessions" << std::endl;
    for (const ExampleTextDevice& device : g_devices)
    {
        std::cout << device.client->GetClientId() << " " << device.sequence << " "
                  << device.client->GetPublishesCompleted() << " "
                  << device.client->GetMessagesReceived() << " "
                  << device.client->GetSessionsStarted() << std::endl;
    }
    g_devices.clear();
    Simulator::Destroy();
    return 0;
}
