/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Interoperability: mosquitto_pub and mosquitto_sub (libmosquitto, an independent MQTT 3.1.1
 * implementation) against our standalone broker on a kernel-chosen loopback port.
 */
#include "mqtt-posix-test-util.h"

#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <thread>

using namespace ns3::mqtt;
using namespace ns3::mqtt::test;

namespace
{

/** One mosquitto_pub or mosquitto_sub run, stdout line-buffered so tests can watch it. */
class Tool : public ChildProcess
{
  public:
    Tool(const ScratchDir& dir, const std::string& name, std::vector<std::string> args)
    {
        static int counter = 0;
        std::vector<std::string> argv = {"stdbuf", "-oL", FindProgram(name), "-d"};
        argv.insert(argv.end(), args.begin(), args.end());
        m_started = Start(argv, dir.Path() + "/" + name + "-" + std::to_string(++counter) + ".out");
    }

    bool
    Started() const
    {
        return m_started;
    }

  private:
    bool m_started = false;
};

class MosquittoClients : public ::testing::Test
{
  protected:
    void
    SetUp() override
    {
        if (FindProgram("mosquitto_sub").empty() || FindProgram("mosquitto_pub").empty() ||
            FindProgram("stdbuf").empty())
        {
            GTEST_SKIP() << "mosquitto_pub/mosquitto_sub not installed (Debian package "
                            "mosquitto-clients; ./ns3-mqtt test installs it)";
        }
    }

    void
    StartBroker(std::vector<std::string> args = {})
    {
        args.push_back("--connect-timeout");
        args.push_back("5");
        ASSERT_TRUE(m_broker.Start(args)) << m_broker.Output();
        m_port = std::to_string(m_broker.Port());
    }

    /** mosquitto_sub, waiting until its SUBACK arrived. */
    std::unique_ptr<Tool>
    Subscribe(std::vector<std::string> args)
    {
        std::vector<std::string> full = {"-h", "127.0.0.1", "-p", m_port, "-v", "-W", "20"};
        full.insert(full.end(), args.begin(), args.end());
        auto tool = std::make_unique<Tool>(m_dir, "mosquitto_sub", full);
        EXPECT_TRUE(tool->Started());
        EXPECT_TRUE(tool->WaitForOutput("received SUBACK", 10000ms)) << tool->Output();
        return tool;
    }

    /** mosquitto_pub to completion; returns its exit status. */
    int
    Publish(std::vector<std::string> args, std::string* output = nullptr)
    {
        std::vector<std::string> full = {"-h", "127.0.0.1", "-p", m_port};
        full.insert(full.end(), args.begin(), args.end());
        Tool tool(m_dir, "mosquitto_pub", full);
        EXPECT_TRUE(tool.Started());
        int status = tool.Wait(20000ms);
        if (output != nullptr)
        {
            *output = tool.Output();
        }
        EXPECT_EQ(status == -1, false) << "mosquitto_pub did not finish: " << tool.Output();
        return status;
    }

    ScratchDir m_dir;
    BrokerProcess m_broker;
    std::string m_port;
};

std::string
Data(const std::string& relative)
{
    return std::string(MQTT_TEST_SOURCE_DIR) + "/test/data/" + relative;
}

} // namespace

// [MQTT-4.3.1-1] [MQTT-4.3.2-1] [MQTT-4.3.2-2] [MQTT-4.3.3-1] [MQTT-4.3.3-2] [MQTT-3.8.4-6]:
// each QoS end to end, with the acknowledgement flow libmosquitto logs on both sides.
TEST_F(MosquittoClients, Qos0Qos1Qos2EndToEnd)
{
    StartBroker();
    for (int qos = 0; qos <= 2; ++qos)
    {
        SCOPED_TRACE("qos " + std::to_string(qos));
        const std::string q = std::to_string(qos);
        auto sub = Subscribe({"-t", "interop/q" + q, "-q", q, "-C", "1", "-i", "sub-q" + q});
        std::string pubOutput;
        EXPECT_EQ(Publish({"-t", "interop/q" + q, "-q", q, "-m", "hello-" + q, "-i", "pub-q" + q},
                          &pubOutput),
                  0)
            << pubOutput;
        EXPECT_EQ(sub->Wait(10000ms), 0) << sub->Output();
        std::string subOutput = sub->Output();
        EXPECT_NE(subOutput.find("Subscribed (mid: 1): " + q), std::string::npos) << subOutput;
        EXPECT_NE(subOutput.find("interop/q" + q + " hello-" + q), std::string::npos) << subOutput;
        EXPECT_NE(subOutput.find("received PUBLISH (d0, q" + q + ", r0"), std::string::npos)
            << subOutput;
        if (qos == 1)
        {
            EXPECT_NE(pubOutput.find("received PUBACK"), std::string::npos) << pubOutput;
        }
        if (qos == 2)
        {
            EXPECT_NE(pubOutput.find("received PUBREC"), std::string::npos) << pubOutput;
            EXPECT_NE(pubOutput.find("received PUBCOMP"), std::string::npos) << pubOutput;
            EXPECT_NE(subOutput.find("received PUBREL"), std::string::npos) << subOutput;
        }
    }
}

// A QoS 2 subscription receiving a QoS 1 publish gets it at QoS 1 [MQTT-3.8.4-6].
TEST_F(MosquittoClients, DeliveryUsesTheLowerOfPublishAndGrantedQos)
{
    StartBroker();
    auto sub = Subscribe({"-t", "interop/min", "-q", "2", "-C", "1"});
    EXPECT_EQ(Publish({"-t", "interop/min", "-q", "1", "-m", "m"}), 0);
    EXPECT_EQ(sub->Wait(10000ms), 0) << sub->Output();
    EXPECT_NE(sub->Output().find("received PUBLISH (d0, q1, r0"), std::string::npos)
        << sub->Output();
}

// [MQTT-3.3.1-5] [MQTT-3.3.1-6] [MQTT-3.3.1-8] [MQTT-3.3.1-10]: a retained message reaches a
// later subscriber with RETAIN=1; an empty retained publish deletes it.
TEST_F(MosquittoClients, RetainedMessageReachesLaterSubscriberAndIsDeleted)
{
    StartBroker();
    EXPECT_EQ(Publish({"-t", "interop/retained", "-q", "1", "-r", "-m", "kept"}), 0);
    auto late = Subscribe({"-t", "interop/#", "-q", "1", "-C", "1"});
    EXPECT_EQ(late->Wait(10000ms), 0) << late->Output();
    EXPECT_NE(late->Output().find("interop/retained kept"), std::string::npos) << late->Output();
    EXPECT_NE(late->Output().find("received PUBLISH (d0, q1, r1"), std::string::npos)
        << late->Output();

    EXPECT_EQ(Publish({"-t", "interop/retained", "-q", "1", "-r", "-n"}), 0);
    // A subscriber after the delete gets only the message published after it subscribed.
    auto after = Subscribe({"-t", "interop/#", "-q", "1", "-C", "1"});
    EXPECT_EQ(Publish({"-t", "interop/other", "-q", "1", "-m", "fresh"}), 0);
    EXPECT_EQ(after->Wait(10000ms), 0) << after->Output();
    EXPECT_EQ(after->Output().find("interop/retained"), std::string::npos) << after->Output();
    EXPECT_NE(after->Output().find("interop/other fresh"), std::string::npos) << after->Output();
}

// [MQTT-3.1.2-8] [MQTT-3.1.2-10]: the will of a client whose process dies (its connection
// closes without DISCONNECT) is published; one that disconnects cleanly publishes none.
TEST_F(MosquittoClients, WillOfAKilledClientIsPublished)
{
    StartBroker();
    auto watcher = Subscribe({"-t", "interop/will/#", "-q", "1", "-C", "1"});
    auto owner = Subscribe({"-t",
                            "interop/unused",
                            "-i",
                            "will-owner",
                            "--will-topic",
                            "interop/will/owner",
                            "--will-payload",
                            "owner-gone",
                            "--will-qos",
                            "1"});
    // A clean exit (DISCONNECT) of another will owner must not publish its will [MQTT-3.1.2-10].
    auto polite = Subscribe({"-t",
                             "interop/unused",
                             "-i",
                             "will-polite",
                             "--will-topic",
                             "interop/will/polite",
                             "--will-payload",
                             "polite-gone",
                             "-C",
                             "1"});
    EXPECT_EQ(Publish({"-t", "interop/unused", "-m", "x"}), 0);
    EXPECT_EQ(polite->Wait(10000ms), 0) << polite->Output();
    EXPECT_NE(polite->Output().find("sending DISCONNECT"), std::string::npos);

    owner->Kill(); // SIGKILL: the kernel closes the socket, no DISCONNECT
    EXPECT_EQ(watcher->Wait(10000ms), 0) << watcher->Output();
    EXPECT_NE(watcher->Output().find("interop/will/owner owner-gone"), std::string::npos)
        << watcher->Output();
    EXPECT_EQ(watcher->Output().find("polite-gone"), std::string::npos) << watcher->Output();
}

// [MQTT-3.1.2-4] [MQTT-3.1.2-5] [MQTT-3.2.2-2]: a persistent session keeps its subscription
// and queues QoS 1 messages while the client is away; the client resumes and receives them.
TEST_F(MosquittoClients, PersistentSessionResumes)
{
    StartBroker();
    auto first = Subscribe({"-c", "-i", "persistent-1", "-q", "1", "-t", "interop/persist"});
    first->Signal(SIGTERM);
    EXPECT_NE(first->Wait(10000ms), -1);
    ASSERT_TRUE(m_broker.WaitForOutput("disconnect client=persistent-1", 5000ms))
        << m_broker.Output();

    EXPECT_EQ(Publish({"-t", "interop/persist", "-q", "1", "-m", "while-away"}), 0);

    std::vector<std::string> resume = {"-h",
                                       "127.0.0.1",
                                       "-p",
                                       m_port,
                                       "-v",
                                       "-W",
                                       "20",
                                       "-c",
                                       "-i",
                                       "persistent-1",
                                       "-q",
                                       "1",
                                       "-t",
                                       "interop/persist",
                                       "-C",
                                       "1"};
    Tool second(m_dir, "mosquitto_sub", resume);
    EXPECT_EQ(second.Wait(10000ms), 0) << second.Output();
    EXPECT_NE(second.Output().find("interop/persist while-away"), std::string::npos)
        << second.Output();
    EXPECT_NE(m_broker.Output().find("connect client=persistent-1 conn="), std::string::npos);
    EXPECT_NE(m_broker.Output().find("session_present=1"), std::string::npos) << m_broker.Output();
}

// Passwords (test/data/auth/passwords.txt): wrong password -> CONNACK 4, no user name while
// anonymous access is off -> CONNACK 5, right password -> accepted.
TEST_F(MosquittoClients, UserNameAndPassword)
{
    StartBroker({"--passwords", Data("auth/passwords.txt")});
    std::string output;
    EXPECT_NE(Publish({"-t", "public/x", "-m", "x", "-u", "alice", "-P", "wrong"}, &output), 0);
    EXPECT_NE(output.find("received CONNACK (4)"), std::string::npos) << output;
    EXPECT_NE(Publish({"-t", "public/x", "-m", "x"}, &output), 0);
    EXPECT_NE(output.find("received CONNACK (5)"), std::string::npos) << output;
    EXPECT_EQ(Publish({"-t", "public/x", "-m", "x", "-u", "alice", "-P", "alice-secret"}, &output),
              0)
        << output;
    EXPECT_NE(output.find("received CONNACK (0)"), std::string::npos) << output;
    EXPECT_NE(m_broker.Output().find("connect refused"), std::string::npos) << m_broker.Output();
}

// The ACL (test/data/auth/acl.txt): bob may write sensors/bob/# only, so alice (who may read
// everything) receives what bob publishes there and nothing bob publishes elsewhere; a filter
// bob may not read gets SUBACK 0x80.
TEST_F(MosquittoClients, AclFiltersPublishesAndSubscriptions)
{
    StartBroker({"--passwords", Data("auth/passwords.txt"), "--acl", Data("auth/acl.txt")});
    auto alice =
        Subscribe({"-u", "alice", "-P", "alice-secret", "-t", "sensors/#", "-q", "1", "-C", "2"});
    const std::vector<std::string> bob = {"-u", "bob", "-P", "b0b:has:colons", "-q", "1"};
    auto publishAsBob = [&](const std::string& topic, const std::string& message)
    {
        std::vector<std::string> args = bob;
        args.insert(args.end(), {"-t", topic, "-m", message});
        return Publish(args);
    };
    EXPECT_EQ(publishAsBob("sensors/bob/temp", "21"), 0);
    EXPECT_EQ(publishAsBob("sensors/alice/temp", "denied"), 0); // accepted, not forwarded
    EXPECT_EQ(publishAsBob("sensors/bob/temp", "22"), 0);
    EXPECT_EQ(alice->Wait(10000ms), 0) << alice->Output();
    std::string received = alice->Output();
    EXPECT_NE(received.find("sensors/bob/temp 21"), std::string::npos) << received;
    EXPECT_NE(received.find("sensors/bob/temp 22"), std::string::npos) << received;
    EXPECT_EQ(received.find("denied"), std::string::npos) << received;

    std::vector<std::string> args = {
        "-h", "127.0.0.1", "-p", m_port, "-W", "5", "-E", "-t", "commands/#"};
    args.insert(args.end(), bob.begin(), bob.end());
    Tool refused(m_dir, "mosquitto_sub", args);
    refused.Wait(10000ms);
    EXPECT_NE(refused.Output().find("Subscribed (mid: 1): 128"), std::string::npos)
        << refused.Output();
}
