/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What the client engine's 5.0 byte scripts share (mqtt-client-v5-*-test.cc): the 5.0 config,
 * its CONNECT and the plain CONNACK, connecting in one call, and a publish with properties.
 */
#ifndef MQTT_CLIENT5_TEST_UTIL_H
#define MQTT_CLIENT5_TEST_UTIL_H

#include "mqtt-client-test-util.h"

namespace ns3
{
namespace mqtt
{
namespace clienttest
{

// CONNECT of Config5(): "MQTT" level 5, flags 02 (Clean Start), keep-alive 60, no properties,
// id "c1".
inline constexpr const char* CONNECT5_C1 = "10 0F 00 04 4D 51 54 54 05 02 00 3C 00 00 02 63 31";
// CONNACK 5.0: session not present, Success, no properties.
inline constexpr const char* CONNACK5 = "20 03 00 00 00";

/** BaseConfig() speaking 5.0, without reconnect jitter. */
inline MqttClientConfig
Config5()
{
    MqttClientConfig config = BaseConfig();
    config.protocolVersion = ProtocolVersion::Mqtt5;
    config.reconnectJitter = 0;
    return config;
}

/** Connect, transport up, then @p connack, all at @p t. */
inline void
Establish5(ClientHarness& h, Nanos t, std::string_view connack = CONNACK5)
{
    h.Open(t);
    h.Feed(t, connack);
    ASSERT_EQ(h.engine.State(), ClientState::Connected);
}

/** A publish with 5.0 properties. */
inline Lines
Publish5(ClientHarness& h,
         Nanos t,
         const std::string& topic,
         std::string_view payload,
         Qos qos,
         Properties properties,
         bool retain = false)
{
    return h.Run(t,
                 [&](MqttActions& a) {
                     h.lastPublish =
                         h.engine.Publish(topic, Raw(payload), qos, retain, properties, t, a);
                 });
}

} // namespace clienttest
} // namespace mqtt
} // namespace ns3

#endif // MQTT_CLIENT5_TEST_UTIL_H
