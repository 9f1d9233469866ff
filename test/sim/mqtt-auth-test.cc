/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker application's PasswordFile and AclFile Attributes (formats in doc/auth.md).
 */
#include "mqtt-sim-fixture.h"

#include "ns3/boolean.h"

#include <cstdio>
#include <fstream>

using namespace mqtt_sim;

namespace
{

/** Writes @p text to a fresh file under the test's temporary directory. */
std::string
WriteTempFile(const std::string& name, const std::string& text)
{
    std::string path = ::testing::TempDir() + "mqtt-sim-" + name;
    std::ofstream(path) << text;
    return path;
}

} // namespace

// Section 3.2.2.3: a bad password gets CONNACK 4 and the connection ends;
// the right one connects.
TEST_F(SimTest, PasswordFileAcceptsKnownUserAndRefusesWrongPassword)
{
    Star star(2);
    MqttBrokerHelper brokerHelper;
    brokerHelper.SetAttribute(
        "PasswordFile",
        StringValue(WriteTempFile("passwords.txt", "alice:alice-secret\nbob:b0b\n")));
    star.InstallBroker(brokerHelper);

    MqttClientHelper good = ClientHelper("good");
    good.SetAttribute("UserName", StringValue("alice"));
    good.SetAttribute("Password", StringValue("alice-secret"));
    Ptr<MqttClient> goodClient = star.InstallClient(0, good, 0.1);

    MqttClientHelper bad = ClientHelper("bad");
    bad.SetAttribute("UserName", StringValue("bob"));
    bad.SetAttribute("Password", StringValue("wrong"));
    bad.SetAttribute("AutoReconnect", BooleanValue(false));
    Ptr<MqttClient> badClient = star.InstallClient(1, bad, 0.1);
    std::vector<uint8_t> refusedCodes;
    badClient->TraceConnectWithoutContext(
        "ConnectRefused",
        Callback<void, const MqttEvent&>([&](const MqttEvent& event)
                                         { refusedCodes.push_back(event.code); }));

    Simulator::Stop(Seconds(3));
    Simulator::Run();

    EXPECT_EQ(goodClient->GetSessionsStarted(), 1u);
    EXPECT_EQ(goodClient->GetState(), ClientState::Connected);
    EXPECT_EQ(badClient->GetSessionsStarted(), 0u);
    ASSERT_EQ(refusedCodes.size(), 1u);
    EXPECT_EQ(refusedCodes[0], static_cast<uint8_t>(ConnectReturnCode::BadUserNameOrPassword));
}

TEST_F(SimTest, AclFileStopsUnauthorizedPublish)
{
    Star star(2);
    MqttBrokerHelper brokerHelper;
    brokerHelper.SetAttribute(
        "AclFile",
        StringValue(WriteTempFile("acl.txt", "topic read #\npattern write devices/%c/#\n")));
    Ptr<MqttBroker> broker = star.InstallBroker(brokerHelper);
    std::vector<std::string> dropped;
    broker->TraceConnectWithoutContext(
        "Dropped",
        Callback<void, const MqttEvent&>([&](const MqttEvent& event)
                                         { dropped.push_back(DropReasonName(event.dropReason)); }));

    MqttClientHelper subHelper = ClientHelper("sub");
    subHelper.SetAttribute("Subscriptions", StringValue("#:1"));
    Ptr<MqttClient> sub = star.InstallClient(0, subHelper, 0.1);
    Receiver received;
    received.Attach(sub);

    MqttClientHelper ownHelper = ClientHelper("dev1");
    ownHelper.SetAttribute("Topic", StringValue("devices/dev1/t"));
    ownHelper.SetAttribute("Qos", UintegerValue(1));
    ownHelper.SetAttribute("MaxMessages", UintegerValue(2));
    ownHelper.SetAttribute("Interval", Constant(0.1));
    star.InstallClient(1, ownHelper, 0.5);
    MqttClientHelper otherHelper = ClientHelper("dev2");
    otherHelper.SetAttribute("Topic", StringValue("devices/dev1/t"));
    otherHelper.SetAttribute("Qos", UintegerValue(1));
    otherHelper.SetAttribute("MaxMessages", UintegerValue(2));
    otherHelper.SetAttribute("Interval", Constant(0.1));
    star.InstallClient(1, otherHelper, 0.5);

    Simulator::Stop(Seconds(3));
    Simulator::Run();

    EXPECT_EQ(received.Unique(), 2u);
    EXPECT_EQ(dropped, (std::vector<std::string>{"NotAuthorized", "NotAuthorized"}));
}

TEST(MqttBrokerDeathTest, MissingPasswordFileIsFatalWithTheErrorText)
{
    ::testing::FLAGS_gtest_death_test_style = "threadsafe";
    EXPECT_DEATH(
        {
            Ptr<Node> node = CreateObject<Node>();
            InternetStackHelper().Install(node);
            MqttBrokerHelper helper;
            helper.SetAttribute("PasswordFile", StringValue("/nonexistent/mqtt-passwords"));
            helper.Install(node);
            Simulator::Stop(Seconds(1));
            Simulator::Run();
        },
        "/nonexistent/mqtt-passwords: cannot open file");
}

TEST(MqttBrokerDeathTest, MalformedAclIsFatalWithTheErrorText)
{
    ::testing::FLAGS_gtest_death_test_style = "threadsafe";
    std::string path = WriteTempFile("bad-acl.txt", "topic read public/#\ntopic fly x\n");
    EXPECT_DEATH(
        {
            Ptr<Node> node = CreateObject<Node>();
            InternetStackHelper().Install(node);
            MqttBrokerHelper helper;
            helper.SetAttribute("AclFile", StringValue(path));
            helper.Install(node);
            Simulator::Stop(Seconds(1));
            Simulator::Run();
        },
        path + ":2: ");
}
