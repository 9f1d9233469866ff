/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Simulated devices on a real broker, shared by the real-time tests: a publisher and a
 * subscriber reaching the broker through the bridge (plain, TLS or WebSocket), and a loop that
 * runs the real-time simulation until a condition holds.
 */
#ifndef MQTT_REALTIME_TEST_DEVICES_H
#define MQTT_REALTIME_TEST_DEVICES_H

#include "mqtt-client-helper.h"
#include "mqtt-client.h"
#include "mqtt-realtime-helper.h"

#include "ns3/internet-stack-helper.h"
#include "ns3/node-container.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <functional>
#include <string>

namespace ns3
{
namespace mqtt
{
namespace test
{

/** The two simulated devices of SimulatedPair(). */
struct SimulatedDevices
{
    Ptr<MqttClient> publisher;
    Ptr<MqttClient> subscriber;
};

/**
 * A subscriber to hil/# (QoS 1, from 0.05 s) and a publisher of 20 QoS 1 messages on @p topic
 * (20 ms apart, from 0.5 s, after the subscription is in place), client ids @p prefix followed by
 * "-publisher" and "-subscriber", on two nodes, both reaching the real broker at @p endpoint
 * through the bridge with @p streams (TLS and/or WebSocket).
 */
inline SimulatedDevices
SimulatedPair(const std::string& prefix,
              const std::string& topic,
              const std::string& endpoint,
              MqttClientStreamOptions streams = {})
{
    NodeContainer nodes;
    nodes.Create(2);
    InternetStackHelper().Install(nodes);
    MqttClientHelper publisherHelper(Ipv4Address("10.0.0.1")); // unused: the broker is real
    publisherHelper.SetAttribute("ClientId", StringValue(prefix + "-publisher"));
    publisherHelper.SetAttribute("Topic", StringValue(topic));
    publisherHelper.SetAttribute("Qos", UintegerValue(1));
    publisherHelper.SetAttribute("MaxMessages", UintegerValue(20));
    publisherHelper.SetAttribute("Interval",
                                 StringValue("ns3::ConstantRandomVariable[Constant=0.02]"));
    ApplicationContainer publisherApps = publisherHelper.Install(nodes.Get(0));
    MqttClientHelper subscriberHelper(Ipv4Address("10.0.0.1"));
    subscriberHelper.SetAttribute("ClientId", StringValue(prefix + "-subscriber"));
    subscriberHelper.SetAttribute("Subscriptions", StringValue("hil/#:1"));
    ApplicationContainer subscriberApps = subscriberHelper.Install(nodes.Get(1));
    MqttRealtimeHelper::UseRealBroker(publisherApps, endpoint, streams);
    MqttRealtimeHelper::UseRealBroker(subscriberApps, endpoint, streams);
    subscriberApps.Start(Seconds(0.05));
    publisherApps.Start(Seconds(0.5));
    return {DynamicCast<MqttClient>(publisherApps.Get(0)),
            DynamicCast<MqttClient>(subscriberApps.Get(0))};
}

/** Runs the simulation until @p done() holds (checked every 50 ms) or @p limit passes. */
inline void
RunSimulationUntil(std::function<bool()> done, Time limit)
{
    std::function<void()> check = [&]()
    {
        if (done())
        {
            Simulator::Stop();
            return;
        }
        Simulator::Schedule(MilliSeconds(50), check);
    };
    Simulator::Schedule(MilliSeconds(50), check);
    Simulator::Stop(limit);
    Simulator::Run();
}

} // namespace test
} // namespace mqtt
} // namespace ns3

#endif // MQTT_REALTIME_TEST_DEVICES_H
