/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What the hardware-in-the-loop examples (mqtt-hil-broker, mqtt-hil-devices) share: a real-time
 * run that SIGINT/SIGTERM end cleanly, simulated devices publishing readable text, and a log line
 * for each publish a client receives.
 */
#ifndef MQTT_EXAMPLE_HIL_H
#define MQTT_EXAMPLE_HIL_H

#include "mqtt-client.h"
#include "mqtt-example-latency.h"

#include "ns3/callback.h"
#include "ns3/nstime.h"
#include "ns3/simulator.h"

#include <csignal>
#include <iostream>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** Set by the signal handler, read by ExampleWatchForSignals. */
inline volatile std::sig_atomic_t g_exampleStopRequested = 0;

/** SIGINT/SIGTERM handler: only sets the flag. */
inline void
ExampleOnSignal(int)
{
    g_exampleStopRequested = 1;
}

/** From now on SIGINT and SIGTERM stop the run (at the next ExampleWatchForSignals). */
inline void
ExampleCatchSignals()
{
    std::signal(SIGINT, ExampleOnSignal);
    std::signal(SIGTERM, ExampleOnSignal);
}

/**
 * A signal handler may not touch the simulator: this event looks at the flag instead, every
 * 100 ms; @p announce is printed (when not empty) as the run stops.
 */
inline void
ExampleWatchForSignals(std::string announce)
{
    if (g_exampleStopRequested)
    {
        if (!announce.empty())
        {
            std::cout << announce << std::endl;
        }
        Simulator::Stop();
        return;
    }
    Simulator::Schedule(MilliSeconds(100), &ExampleWatchForSignals, announce);
}

/**
 * Starts the signal watch in 100 ms and, when @p duration is above 0, stops the run after
 * @p duration seconds.
 */
inline void
ScheduleExampleStop(double duration, const std::string& announce)
{
    Simulator::Schedule(MilliSeconds(100), &ExampleWatchForSignals, announce);
    if (duration > 0)
    {
        Simulator::Stop(Seconds(duration));
    }
}

/** A simulated device: readable payloads, so real subscribers can show them. */
struct ExampleTextDevice
{
    Ptr<MqttClient> client;
    std::string topic;
    Qos qos = Qos::AtLeastOnce;
    uint32_t sequence = 0; //!< publishes so far
};

/** Makes the payload of the publish @p device.sequence of device @p index. */
using ExampleTextMaker = std::string (*)(const ExampleTextDevice& device, uint32_t index);

/** Publishes the next text of device @p index of @p devices, then again after @p interval. */
inline void
PublishExampleText(std::vector<ExampleTextDevice>* devices,
                   uint32_t index,
                   Time interval,
                   ExampleTextMaker text)
{
    ExampleTextDevice& device = (*devices)[index];
    ++device.sequence;
    std::string payload = text(device, index);
    device.client->Publish(
        device.topic, std::vector<uint8_t>(payload.begin(), payload.end()), device.qos);
    Simulator::Schedule(interval, &PublishExampleText, devices, index, interval, text);
}

/** Prints "STAMP CLIENT-ID @p what TOPIC: PAYLOAD" for every publish @p client receives. */
inline void
LogExampleReceived(Ptr<MqttClient> client, const std::string& what)
{
    client->TraceConnectWithoutContext(
        "PublishReceived",
        Callback<void, const MqttEvent&, const MqttPayloadStamp&, Time, bool>(
            [client, what](const MqttEvent& event, const MqttPayloadStamp&, Time, bool)
            {
                std::cout << ExampleStamp() << " " << client->GetClientId() << " " << what << " "
                          << event.message->topic << ": "
                          << std::string(event.message->payload.begin(),
                                         event.message->payload.end())
                          << std::endl;
            }));
}

} // namespace mqtt
} // namespace ns3

#endif // MQTT_EXAMPLE_HIL_H
