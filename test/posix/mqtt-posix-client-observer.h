/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttPosixClient with what its events said, for the tests of our client on real sockets
 * (mqtt-posix-client-test.cc, mqtt-posix-client5-auth-test.cc).
 */
#ifndef MQTT_POSIX_CLIENT_OBSERVER_H
#define MQTT_POSIX_CLIENT_OBSERVER_H

#include "mqtt-posix-client.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ns3
{
namespace mqtt
{
namespace test
{

/** A client plus what its events said. */
struct Observed
{
    std::unique_ptr<MqttPosixClient> client;
    std::vector<MqttEvent> events;
    std::vector<std::pair<std::string, std::string>> messages; //!< topic, payload
    int sessionsStarted = 0;
    bool lastSessionPresent = false;
    int completed = 0;

    Observed(uint16_t port, MqttClientConfig config)
    {
        MqttPosixEndpoint broker;
        std::string error;
        MqttPosixEndpoint::Parse("127.0.0.1:" + std::to_string(port), broker, error);
        client = std::make_unique<MqttPosixClient>(std::move(config), broker);
        client->SetEventCallback(
            [this](const MqttEvent& event)
            {
                events.push_back(event);
                if (event.type == EventType::SessionStarted)
                {
                    ++sessionsStarted;
                    lastSessionPresent = event.sessionPresent;
                }
                if (event.type == EventType::PublishCompleted)
                {
                    ++completed;
                }
                if (event.type == EventType::PublishReceived && event.message)
                {
                    messages.emplace_back(
                        event.message->topic,
                        std::string(event.message->payload.begin(), event.message->payload.end()));
                }
            });
    }

    std::size_t
    Count(EventType type) const
    {
        std::size_t n = 0;
        for (const MqttEvent& event : events)
        {
            n += event.type == type ? 1 : 0;
        }
        return n;
    }
};

} // namespace test
} // namespace mqtt
} // namespace ns3

#endif // MQTT_POSIX_CLIENT_OBSERVER_H
