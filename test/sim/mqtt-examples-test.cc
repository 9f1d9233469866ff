/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The examples as users run them: each one ends well with its expected summary, and the bytes on
 * the simulated wire are MQTT as Wireshark knows it (an example run with --pcap, the captures
 * decoded with tshark: every packet type the run used, nothing malformed).
 */
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>
#include <string>

namespace
{

/** Runs @p command with a shell; returns its standard output, and its exit status in @p status. */
std::string
Run(const std::string& command, int& status)
{
    std::string output;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr)
    {
        status = -1;
        return output;
    }
    std::array<char, 4096> buffer{};
    std::size_t n;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    {
        output.append(buffer.data(), n);
    }
    status = pclose(pipe);
    return output;
}

/** MQTT message types (numbers) tshark decodes in @p pcap. */
std::set<int>
DecodedTypes(const std::string& pcap)
{
    int status = 0;
    std::string out =
        Run("tshark -r '" + pcap +
                "' -d tcp.port==1883,mqtt -Y mqtt -T fields -e mqtt.msgtype 2>/dev/null",
            status);
    EXPECT_EQ(status, 0) << out;
    std::set<int> types;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line))
    {
        std::istringstream fields(line);
        std::string field;
        // Several MQTT messages in one segment come as "3,3,4".
        while (std::getline(fields, field, ','))
        {
            types.insert(std::atoi(field.c_str()));
        }
    }
    return types;
}

std::string
Malformed(const std::string& pcap)
{
    int status = 0;
    std::string out =
        Run("tshark -r '" + pcap + "' -d tcp.port==1883,mqtt -Y _ws.malformed 2>/dev/null", status);
    EXPECT_EQ(status, 0) << out;
    return out;
}

/** Runs examples/NAME with @p args; returns its standard output, failing the test on a bad exit. */
std::string
RunExample(const std::string& name, const std::string& args)
{
    int status = 0;
    std::string out =
        Run(std::string(MQTT_EXAMPLES_DIR) + "/" + name + " " + args + " 2>&1", status);
    EXPECT_EQ(status, 0) << name << " " << args << "\n" << out;
    return out;
}

void
CheckExampleCapture(const std::string& name, const std::string& args, const std::set<int>& want)
{
    std::string prefix = ::testing::TempDir() + "mqtt-pcap-" + name;
    std::string command = std::string(MQTT_EXAMPLES_DIR) + "/mqtt-basic-pubsub " + args +
                          " --pcap=" + prefix + " >/dev/null 2>&1";
    int status = std::system(command.c_str());
    ASSERT_EQ(status, 0) << command;
    for (const char* side : {"-0-0.pcap", "-1-0.pcap"})
    {
        std::string pcap = prefix + side;
        std::set<int> types = DecodedTypes(pcap);
        EXPECT_EQ(types, want) << pcap;
        EXPECT_EQ(Malformed(pcap), "") << pcap;
    }
}

/** How many frames of @p pcap tshark shows for the display filter @p filter. */
std::size_t
CountFrames(const std::string& pcap, const std::string& filter)
{
    int status = 0;
    std::string out = Run("tshark -r '" + pcap + "' -d tcp.port==1883,mqtt -Y '" + filter +
                              "' -T fields -e frame.number 2>/dev/null",
                          status);
    EXPECT_EQ(status, 0) << out;
    std::size_t lines = 0;
    for (char c : out)
    {
        lines += c == '\n' ? 1 : 0;
    }
    return lines;
}

} // namespace

// CONNECT 1, CONNACK 2, PUBLISH 3, PUBREC 5, PUBREL 6, PUBCOMP 7, SUBSCRIBE 8, SUBACK 9,
// PINGREQ 12, PINGRESP 13, DISCONNECT 14.
TEST(Pcap, BasicPubSubQos2DecodesAsMqtt)
{
    CheckExampleCapture("qos2",
                        "--count=3 --qos=2 --interval=2.5 --keepAlive=1",
                        {1, 2, 3, 5, 6, 7, 8, 9, 12, 13, 14});
}

// PUBACK 4 instead of the QoS 2 exchange.
TEST(Pcap, BasicPubSubQos1DecodesAsMqtt)
{
    CheckExampleCapture("qos1", "--count=3 --qos=1 --interval=0.5", {1, 2, 3, 4, 8, 9, 14});
}

// MQTT 5.0 (--protocol=5, the standard-5 broker): every packet type the device and the broker
// exchange, UNSUBSCRIBE 10 and UNSUBACK 11 included, decode as MQTT 5.0 with their properties
// (Session and Message Expiry, CONNACK's capabilities, Topic Aliases both ways, a PUBLISH with
// an empty topic and its alias), nothing malformed, no alias Wireshark cannot resolve. AUTH (15)
// is not exchanged: the client engine has no enhanced authentication.
TEST(Pcap, BasicPubSubMqtt5DecodesAsMqtt5)
{
    CheckExampleCapture("mqtt5",
                        "--protocol=5 --unsubscribe --count=3 --qos=2 --interval=2.5 "
                        "--keepAlive=1",
                        {1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14});
    for (const char* side : {"-0-0.pcap", "-1-0.pcap"})
    {
        const std::string pcap = ::testing::TempDir() + "mqtt-pcap-mqtt5" + side;
        EXPECT_EQ(CountFrames(pcap, "mqtt.msgtype == 1 && mqtt.ver == 5"), 1u) << pcap;
        EXPECT_GE(CountFrames(pcap, "mqtt.msgtype == 2 && mqtt.property_id"), 1u) << pcap;
        EXPECT_GE(CountFrames(pcap, "mqtt.msgtype == 3 && mqtt.property.topic_alias"), 6u)
            << pcap;
        EXPECT_GE(CountFrames(pcap, "mqtt.msgtype == 3 && mqtt.topic_len == 0"), 2u) << pcap;
        EXPECT_EQ(CountFrames(pcap,
                              "mqtt.unknown_topic_alias || mqtt.illegal_topic_length || "
                              "mqtt.unknown_version || mqtt.prop_unknown"),
                  0u)
            << pcap;
    }
}

TEST(Examples, LossyLinkWithoutLossDeliversEveryQosAtTheLinkLatency)
{
    std::string out = RunExample("mqtt-lossy-link", "--errorRate=0 --messages=20");
    // Two 20 ms hops plus serialisation on 1 Mb/s; nothing lost, nothing twice.
    EXPECT_NE(out.find("  0       20         20  1.000      0      42.640"), std::string::npos)
        << out;
    EXPECT_NE(out.find("  1       20         20  1.000      0"), std::string::npos) << out;
    EXPECT_NE(out.find("  2       20         20  1.000      0"), std::string::npos) << out;
}

TEST(Examples, WifiSensorsAdHocAndInfrastructure)
{
    for (const char* mode : {"adhoc", "infra"})
    {
        std::string out = RunExample(
            "mqtt-wifi-sensors", std::string("--sensors=5 --messages=5 --stop=20 --mode=") + mode);
        EXPECT_NE(out.find("sessions 5, published 25, dashboard received 25 (duplicates 0)"),
                  std::string::npos)
            << out;
    }
}

TEST(Examples, LowpanSensorsReachTheBrokerThroughTheBorderRouter)
{
    std::string out =
        RunExample("mqtt-lowpan-sensors", "--sensors=3 --messages=3 --interval=2 --stop=60");
    EXPECT_NE(out.find("sessions 3, published 9, dashboard received 9 (duplicates 0)"),
              std::string::npos)
        << out;
}
