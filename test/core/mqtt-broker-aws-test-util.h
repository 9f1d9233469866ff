/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Helpers for the AWS IoT Core profile tests (test/core/mqtt-broker-2x-aws-*-test.cc).
 */
#ifndef MQTT_BROKER_AWS_TEST_UTIL_H
#define MQTT_BROKER_AWS_TEST_UTIL_H

#include "mqtt-broker-test-harness.h"

#include <string>
#include <vector>

namespace brokertest
{

/**
 * An AWS IoT Core profile by name with its probabilistic deviations and delays off (the
 * documented points 2, 4, 7 and 8 use illustrative values, which the tests of the other points
 * and of the limits must not depend on); each test turns on what it checks.
 */
inline MqttBrokerProfile
QuietAws(const std::string& name = "aws-iot-core")
{
    MqttBrokerProfile p = *MqttBrokerProfile::ByName(name);
    p.qos0DuplicateProbability = 0;
    p.resendNewPacketIdProbability = 0;
    p.reorderJitter = Nanos(0);
    p.subscriptionDelay = Nanos(0);
    return p;
}

/** The PUBLISH packets among @p packets. */
inline std::vector<PublishPacket>
Publishes(const std::vector<Packet>& packets)
{
    std::vector<PublishPacket> out;
    for (const Packet& p : packets)
    {
        if (const auto* pub = std::get_if<PublishPacket>(&p))
        {
            out.push_back(*pub);
        }
    }
    return out;
}

/** Payloads of the PUBLISH packets among @p packets, as text, in order. */
inline std::vector<std::string>
PayloadTexts(const std::vector<Packet>& packets)
{
    std::vector<std::string> out;
    for (const PublishPacket& p : Publishes(packets))
    {
        out.emplace_back(p.payload.begin(), p.payload.end());
    }
    return out;
}

inline std::string
Text(const std::vector<uint8_t>& bytes)
{
    return std::string(bytes.begin(), bytes.end());
}

/** Two-digit payloads "00", "01", ... */
inline std::string
Numbered(int i)
{
    return std::string(1, static_cast<char>('0' + i / 10)) + static_cast<char>('0' + i % 10);
}

} // namespace brokertest

#endif // MQTT_BROKER_AWS_TEST_UTIL_H
