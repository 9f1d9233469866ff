/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Interoperability in MQTT 5.0: paho-mqtt's MQTTv5 client (python3-paho-mqtt, an independent
 * 5.0 implementation; test/posix/mqtt-paho5.py) against our standalone broker with the
 * standard-5 profile: Response Information, forwarded properties, a shared subscription and No
 * Local, each checked by the script on what paho decoded.
 */
#include "mqtt-posix-test-util.h"

#include <gtest/gtest.h>

using namespace ns3::mqtt;
using namespace ns3::mqtt::test;

namespace
{

bool
HavePaho()
{
    std::string out;
    return RunProgram({"/usr/bin/python3", "-c", "import paho.mqtt.client"}, out) == 0;
}

} // namespace

// [MQTT5-3.1.2-28] (Response Information only when asked: here asked), [MQTT5-3.3.2-15]
// [MQTT5-3.3.2-17] [MQTT5-3.3.2-18] [MQTT5-3.3.2-20] (properties unchanged, User Properties in
// order), [MQTT5-4.8.2-1] (a shared group splits the messages), [MQTT5-3.8.3-3] (No Local).
TEST(Paho5, PahoMqttV5ClientAgainstTheStandardFiveBroker)
{
    if (!HavePaho())
    {
        GTEST_SKIP() << "python3-paho-mqtt not installed (./ns3-mqtt test installs it)";
    }
    BrokerProcess broker;
    ASSERT_TRUE(broker.Start({"--profile", "standard-5"})) << broker.Output();
    std::string out;
    const int status = RunProgram({"/usr/bin/python3",
                                   std::string(MQTT_TEST_SOURCE_DIR) + "/test/posix/mqtt-paho5.py",
                                   "--port",
                                   std::to_string(broker.Port())},
                                  out,
                                  30000ms);
    EXPECT_EQ(status, 0) << out << broker.Output();
    for (const char* check : {"connack ok", "props ok", "shared ok", "nolocal ok"})
    {
        EXPECT_NE(out.find(check), std::string::npos) << check << "\n" << out;
    }
}
