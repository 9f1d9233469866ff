/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Client setups the examples share: the publish traffic of a client, and the sensors-and-dashboard
 * setup of mqtt-wifi-sensors and mqtt-lowpan-sensors (a broker with a dashboard client on its
 * node, one summary line with latency percentiles); only the network in between differs.
 */
#ifndef MQTT_EXAMPLE_CLIENTS_H
#define MQTT_EXAMPLE_CLIENTS_H

#include "mqtt-broker-helper.h"
#include "mqtt-client-helper.h"
#include "mqtt-client.h"
#include "mqtt-example-latency.h"

#include "ns3/address.h"
#include "ns3/application-container.h"
#include "ns3/node-container.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** Latencies (ms) of the stamped publishes the dashboard received. */
inline std::vector<double> g_exampleDashboardLatenciesMs;

/** PublishReceived sink of the dashboard: keeps the latency of stamped publishes. */
inline void
ExampleDashboardReceived(const MqttEvent&, const MqttPayloadStamp&, Time latency, bool)
{
    if (!latency.IsNegative())
    {
        g_exampleDashboardLatenciesMs.push_back(latency.GetSeconds() * 1000.0);
    }
}

/**
 * Starts a broker on @p broker at 0 s and, at 0.1 s, a dashboard client on the same node that
 * reaches it over @p loopback and subscribes to @p filter at @p qos.
 * @return the dashboard, its latencies traced into g_exampleDashboardLatenciesMs
 */
inline Ptr<MqttClient>
InstallExampleDashboard(NodeContainer broker,
                        const Address& loopback,
                        const std::string& filter,
                        uint32_t qos)
{
    MqttBrokerHelper().Install(broker).Start(Seconds(0));
    MqttClientHelper dashboard(loopback);
    dashboard.SetAttribute("ClientId", StringValue("dashboard"));
    dashboard.SetAttribute("Subscriptions", StringValue(filter + ":" + std::to_string(qos)));
    ApplicationContainer dashboardApps = dashboard.Install(broker);
    dashboardApps.Start(Seconds(0.1));
    Ptr<MqttClient> dashboardClient = DynamicCast<MqttClient>(dashboardApps.Get(0));
    dashboardClient->TraceConnectWithoutContext("PublishReceived",
                                                MakeCallback(&ExampleDashboardReceived));
    return dashboardClient;
}

/**
 * Sets the publish traffic on @p publisher: @p messages publishes of @p size bytes at intervals
 * drawn from @p intervals (a random variable, e.g. from ExampleIntervals).
 */
inline void
SetExamplePublishTraffic(MqttClientHelper& publisher,
                         uint32_t qos,
                         uint32_t keepAlive,
                         uint32_t size,
                         const std::string& intervals,
                         uint32_t messages)
{
    publisher.SetAttribute("Qos", UintegerValue(qos));
    publisher.SetAttribute("KeepAlive", UintegerValue(keepAlive));
    publisher.SetAttribute(
        "PayloadSize",
        StringValue("ns3::ConstantRandomVariable[Constant=" + std::to_string(size) + "]"));
    publisher.SetAttribute("Interval", StringValue(intervals));
    publisher.SetAttribute("MaxMessages", UintegerValue(messages));
}

/** "ns3::@p variable[@p parameter=@p seconds]": intervals for SetExamplePublishTraffic. */
inline std::string
ExampleIntervals(const std::string& variable, const std::string& parameter, double seconds)
{
    std::ostringstream every;
    every << "ns3::" << variable << "[" << parameter << "=" << seconds << "]";
    return every.str();
}

/** Prints, after the caller's prefix, the sensors' sessions and publishes, what @p dashboard
 * received and its latency percentiles. */
inline void
PrintExampleSensorSummary(const ApplicationContainer& sensorApps, Ptr<MqttClient> dashboard)
{
    uint64_t sent = 0;
    uint64_t sessions = 0;
    for (uint32_t i = 0; i < sensorApps.GetN(); ++i)
    {
        Ptr<MqttClient> client = DynamicCast<MqttClient>(sensorApps.Get(i));
        sent += client->GetPublishesSent();
        sessions += client->GetSessionsStarted();
    }
    const std::vector<double>& latencies = g_exampleDashboardLatenciesMs;
    std::cout << "sessions " << sessions << ", published " << sent << ", dashboard received "
              << dashboard->GetMessagesReceived() << " (duplicates "
              << dashboard->GetDuplicatesReceived() << ")\n"
              << std::fixed << std::setprecision(3) << "latency ms: p50 "
              << ExamplePercentile(latencies, 50) << ", p95 " << ExamplePercentile(latencies, 95)
              << ", max " << ExamplePercentile(latencies, 100) << std::endl;
}

} // namespace mqtt
} // namespace ns3

#endif // MQTT_EXAMPLE_CLIENTS_H
