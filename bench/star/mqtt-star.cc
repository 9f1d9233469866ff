/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The MQTT star: n devices on point-to-point links around a hub running the broker. Each device
 * connects (MqttClient) and publishes m QoS 0 messages of size payload bytes, one every interval
 * ms, the first once its session starts. Compared with tcp-star (same links, start times,
 * message pattern) by ./ns3-mqtt bench star.
 */
#include "mqtt-broker-helper.h"
#include "mqtt-broker.h"
#include "mqtt-client-helper.h"

#include "star-common.h"

#include "ns3/double.h"
#include "ns3/node.h"
#include "ns3/uinteger.h"

using namespace ns3;

namespace
{

uint64_t g_published = 0;
uint64_t g_sessions = 0;

void
CountPublish(const mqtt::MqttEvent&)
{
    ++g_published;
}

void
CountSession(const mqtt::MqttEvent& event)
{
    g_sessions += event.type == mqtt::EventType::SessionStarted ? 1 : 0;
}

} // namespace

int
main(int argc, char** argv)
{
    star::Clock::time_point begin = star::Clock::now();
    star::StarOptions options;
    options.Parse(argc, argv);
    star::StarTopology topology(options);

    mqtt::MqttBrokerHelper brokerHelper;
    ApplicationContainer brokers = brokerHelper.Install(topology.star->GetHub());
    Ptr<mqtt::MqttBroker> broker = DynamicCast<mqtt::MqttBroker>(brokers.Get(0));
    broker->TraceConnectWithoutContext("PublishReceived", MakeCallback(&CountPublish));
    broker->TraceConnectWithoutContext("Event", MakeCallback(&CountSession));

    mqtt::MqttClientHelper clients;
    clients.SetAttribute("ClientId", StringValue("dev-%n"));
    clients.SetAttribute("Topic", StringValue("star/%n"));
    clients.SetAttribute("Qos", UintegerValue(0));
    clients.SetAttribute(
        "PayloadSize",
        StringValue("ns3::ConstantRandomVariable[Constant=" + std::to_string(options.size) + "]"));
    clients.SetAttribute("Interval",
                         StringValue("ns3::ConstantRandomVariable[Constant=" +
                                     std::to_string(options.interval / 1000.0) + "]"));
    clients.SetAttribute("MaxMessages", UintegerValue(options.m));
    for (uint32_t i = 0; i < options.n; ++i)
    {
        clients.SetAttribute("BrokerAddress", AddressValue(topology.star->GetHubIpv4Address(i)));
        ApplicationContainer app = clients.Install(topology.star->GetSpokeNode(i));
        app.Start(Seconds(topology.startSeconds[i]));
    }
    uint64_t expected = uint64_t(options.n) * options.m;
    star::RunAndReport("mqtt",
                       options,
                       begin,
                       [expected]()
                       {
                           return "sessions=" + std::to_string(g_sessions) +
                                  " publishes=" + std::to_string(g_published) +
                                  " expected_publishes=" + std::to_string(expected);
                       });
    return g_published == expected ? 0 : 1;
}
