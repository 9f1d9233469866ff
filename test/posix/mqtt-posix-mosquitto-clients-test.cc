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

    /**
     * kill -9 of the standard-5 broker, then @p again on the same --persistence @p store (with
     * the @p extra options the first one had).
     */
    void
    KillAndRestart5(BrokerProcess& again,
                    const std::string& store,
                    const std::vector<std::string>& extra = {})
    {
        m_broker.Kill();
        std::vector<std::string> args = {"--profile", "standard-5", "--persistence", store,
                                         "--connect-timeout", "5"};
        args.insert(args.end(), extra.begin(), extra.end());
        ASSERT_TRUE(again.Start(args)) << again.Output();
        m_port = std::to_string(again.Port());
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

// MQTT 5.0 with libmosquitto's own 5.0 code (-V mqttv5) against the standard-5 profile: User
// Properties (-D), Content Type and Response Topic reach a 5.0 subscriber unchanged and in order
// [MQTT5-3.3.2-15] [MQTT5-3.3.2-17] [MQTT5-3.3.2-18] [MQTT5-3.3.2-20]; a 3.1.1 subscriber on the
// same broker gets topic and payload only (doc/mqtt5.md).
TEST_F(MosquittoClients, Mqtt5PropertiesReachAFiveSubscriberUnchanged)
{
    StartBroker({"--profile", "standard-5"});
    auto sub5 = Subscribe({"-V",
                           "mqttv5",
                           "-t",
                           "interop5/t",
                           "-q",
                           "1",
                           "-C",
                           "1",
                           "-F",
                           "five %t %p ct=%C rt=%R up=%P"});
    auto sub3 = Subscribe({"-V", "mqttv311", "-t", "interop5/t", "-q", "1", "-C", "1"});
    std::string pubOutput;
    EXPECT_EQ(Publish({"-V",           "mqttv5",        "-t",         "interop5/t",
                       "-q",           "1",             "-m",         "hello5",
                       "-D",           "publish",       "user-property", "k1",
                       "v1",           "-D",            "publish",    "user-property",
                       "k2",           "v2",            "-D",         "publish",
                       "content-type", "text/plain",    "-D",         "publish",
                       "response-topic", "reply/t"},
                      &pubOutput),
              0)
        << pubOutput;
    EXPECT_EQ(sub5->Wait(10000ms), 0) << sub5->Output();
    const std::string five = sub5->Output();
    EXPECT_NE(five.find("five interop5/t hello5 ct=text/plain rt=reply/t up=k1:v1"),
              std::string::npos)
        << five;
    EXPECT_NE(five.find("k2:v2"), std::string::npos) << five;
    EXPECT_EQ(sub3->Wait(10000ms), 0) << sub3->Output();
    EXPECT_NE(sub3->Output().find("interop5/t hello5"), std::string::npos) << sub3->Output();
}

// MQTT 5.0 session expiry with mosquitto_sub -V mqttv5 -c -x: a QoS 1 message published while
// the subscriber is away is delivered when it comes back within the interval [MQTT5-3.1.2-23]
// [MQTT5-3.1.2-5].
TEST_F(MosquittoClients, Mqtt5SessionExpiryKeepsMessagesForAReturningSubscriber)
{
    StartBroker({"--profile", "standard-5"});
    auto first = Subscribe(
        {"-V", "mqttv5", "-t", "interop5/s", "-q", "1", "-c", "-x", "60", "-i", "sleepy", "-C", "1"});
    EXPECT_EQ(Publish({"-V", "mqttv5", "-t", "interop5/s", "-q", "1", "-m", "one"}), 0);
    EXPECT_EQ(first->Wait(10000ms), 0) << first->Output();
    EXPECT_EQ(Publish({"-V", "mqttv5", "-t", "interop5/s", "-q", "1", "-m", "while-away"}), 0);
    auto back = std::make_unique<Tool>(
        m_dir,
        "mosquitto_sub",
        std::vector<std::string>{"-h", "127.0.0.1", "-p", m_port, "-v", "-V", "mqttv5", "-t",
                                 "interop5/s", "-q", "1", "-c", "-x", "60", "-i", "sleepy",
                                 "-C", "1", "-W", "20"});
    EXPECT_EQ(back->Wait(10000ms), 0) << back->Output();
    EXPECT_NE(back->Output().find("interop5/s while-away"), std::string::npos) << back->Output();
}

// Shared subscriptions with mosquitto_sub -V mqttv5 (doc/mqtt5.md "Shared subscriptions"): two
// workers in group "workers" split four QoS 1 jobs round robin in join order (standard-5), one
// copy each [MQTT5-4.8.2-1] [MQTT5-4.8.2-3], while a non-shared subscriber gets all four.
TEST_F(MosquittoClients, Mqtt5SharedSubscriptionSplitsJobsRoundRobin)
{
    StartBroker({"--profile", "standard-5"});
    auto a = Subscribe(
        {"-V", "mqttv5", "-t", "$share/workers/jobs", "-q", "1", "-C", "2", "-i", "worker-a"});
    auto b = Subscribe(
        {"-V", "mqttv5", "-t", "$share/workers/jobs", "-q", "1", "-C", "2", "-i", "worker-b"});
    auto all = Subscribe({"-V", "mqttv5", "-t", "jobs", "-q", "1", "-C", "4", "-i", "auditor"});
    for (int i = 1; i <= 4; ++i)
    {
        EXPECT_EQ(Publish({"-V", "mqttv5", "-t", "jobs", "-q", "1", "-m", "job" + std::to_string(i)}),
                  0);
    }
    EXPECT_EQ(a->Wait(10000ms), 0) << a->Output();
    EXPECT_EQ(b->Wait(10000ms), 0) << b->Output();
    EXPECT_EQ(all->Wait(10000ms), 0) << all->Output();
    const std::string outA = a->Output();
    const std::string outB = b->Output();
    EXPECT_NE(outA.find("jobs job1"), std::string::npos) << outA;
    EXPECT_NE(outA.find("jobs job3"), std::string::npos) << outA;
    EXPECT_EQ(outA.find("jobs job2"), std::string::npos) << outA;
    EXPECT_NE(outB.find("jobs job2"), std::string::npos) << outB;
    EXPECT_NE(outB.find("jobs job4"), std::string::npos) << outB;
    EXPECT_EQ(outB.find("jobs job1"), std::string::npos) << outB;
    for (int i = 1; i <= 4; ++i)
    {
        EXPECT_NE(all->Output().find("jobs job" + std::to_string(i)), std::string::npos);
    }
}

// Message Expiry through the broker (-D publish message-expiry-interval): a 5.0 subscriber
// gets what is left of it (60 s, rounded up to whole seconds) [MQTT5-3.3.2-6].
TEST_F(MosquittoClients, Mqtt5MessageExpiryIsForwardedCountedDown)
{
    StartBroker({"--profile", "standard-5"});
    auto sub = Subscribe(
        {"-V", "mqttv5", "-t", "interop5/e", "-q", "1", "-C", "1", "-F", "got %p exp=%E"});
    EXPECT_EQ(Publish({"-V", "mqttv5", "-t", "interop5/e", "-q", "1", "-m", "soon", "-D",
                       "publish", "message-expiry-interval", "60"}),
              0);
    EXPECT_EQ(sub->Wait(10000ms), 0) << sub->Output();
    EXPECT_NE(sub->Output().find("got soon exp=60"), std::string::npos) << sub->Output();
}

// The 5.0 state of a persistent session survives kill -9 (--persistence, doc/mqtt5.md): a
// session with Session Expiry 300 s (mosquitto_sub -V mqttv5 -c -x 300) is away; a QoS 1 message
// with User Property, Content Type and Message Expiry 600 s is acknowledged; the broker is
// killed and restarted on the same store; the session comes back with the message, its
// properties and what is left of its expiry (counted again from the restart: 599 or 600 s).
TEST_F(MosquittoClients, Mqtt5SessionAndMessagePropertiesSurviveKillNine)
{
    const std::string store = m_dir.Path() + "/store";
    StartBroker({"--profile", "standard-5", "--persistence", store});
    std::vector<std::string> sub = {"-V", "mqttv5", "-c", "-x", "300", "-i", "sleepy5", "-t",
                                    "k/#", "-q", "1"};
    std::vector<std::string> first = sub;
    first.push_back("-E"); // exit once subscribed: the session is away from then on
    auto away = Subscribe(first);
    EXPECT_EQ(away->Wait(10000ms), 0) << away->Output();
    EXPECT_EQ(Publish({"-V", "mqttv5", "-t", "k/1", "-q", "1", "-m", "kept", "-D", "publish",
                       "user-property", "a", "b", "-D", "publish", "content-type", "text/x",
                       "-D", "publish", "message-expiry-interval", "600"}),
              0);
    BrokerProcess again;
    KillAndRestart5(again, store);
    std::vector<std::string> back = {"-h", "127.0.0.1", "-p", m_port, "-W", "20", "-C", "1", "-F",
                                     "got %t %p ct=%C up=%P exp=%E"};
    back.insert(back.end(), sub.begin(), sub.end());
    Tool returning(m_dir, "mosquitto_sub", back);
    ASSERT_TRUE(returning.Started());
    EXPECT_EQ(returning.Wait(20000ms), 0) << returning.Output() << again.Output();
    const std::string out = returning.Output();
    EXPECT_TRUE(out.find("got k/1 kept ct=text/x up=a:b exp=600") != std::string::npos ||
                out.find("got k/1 kept ct=text/x up=a:b exp=599") != std::string::npos)
        << out;
}

// A delayed will survives kill -9 (--persistence; doc/mqtt5.md, "A delayed will across a
// restart") [MQTT5-3.1.2-8]: "dev" (Session Expiry 300 s, Will Delay 5 s) is killed, so its
// connection ends without DISCONNECT and its will waits in the stored session; the broker is
// killed within the delay and restarted on the same store; the will is still published, after
// the restart, to a watcher that subscribed then (the timing is the core test's:
// Broker5Persistence.Mqtt5_3_1_2_8_ADelayedWillFiresAtWhatWasLeftOfItsDelay).
TEST_F(MosquittoClients, Mqtt5DelayedWillSurvivesKillNine)
{
    const std::string store = m_dir.Path() + "/store";
    StartBroker({"--profile", "standard-5", "--persistence", store});
    auto dev = Subscribe({"-V", "mqttv5", "-c", "-x", "300", "-i", "dev", "-t", "d/#", "-q", "1",
                          "--will-topic", "w", "--will-payload", "gone", "-D", "will",
                          "will-delay-interval", "5"});
    dev->Kill();
    // The broker writes the session with its will in the call that sees the connection end.
    std::this_thread::sleep_for(500ms);
    BrokerProcess again;
    KillAndRestart5(again, store);
    auto watcher = Subscribe({"-V", "mqttv5", "-i", "watcher", "-t", "w", "-C", "1"});
    EXPECT_EQ(watcher->Wait(20000ms), 0) << watcher->Output() << again.Output();
    EXPECT_NE(watcher->Output().find("w gone"), std::string::npos) << watcher->Output();
}

// [MQTT5-3.3.4-3] across kill -9: a stored delivery keeps the Subscription Identifier of the
// subscription it matched (7; doc/mqtt5.md, "5.0 state in durable persistence"). The returning
// client subscribes again with 9, but the queued message goes out right after its CONNACK,
// before that SUBSCRIBE, with the identifier it was stored with.
TEST_F(MosquittoClients, Mqtt5SubscriptionIdentifierOfAStoredDeliverySurvivesKillNine)
{
    const std::string store = m_dir.Path() + "/store";
    const std::vector<std::string> ids = {"--set", "subscription-identifiers=true"};
    StartBroker({"--profile", "standard-5", "--persistence", store, ids[0], ids[1]});
    auto away = Subscribe({"-V", "mqttv5", "-c", "-x", "300", "-i", "ids5", "-t", "k/#", "-q",
                           "1", "-D", "subscribe", "subscription-identifier", "7", "-E"});
    EXPECT_EQ(away->Wait(10000ms), 0) << away->Output();
    EXPECT_EQ(Publish({"-V", "mqttv5", "-t", "k/1", "-q", "1", "-m", "kept"}), 0);
    BrokerProcess again;
    KillAndRestart5(again, store, ids);
    Tool returning(m_dir,
                   "mosquitto_sub",
                   {"-h", "127.0.0.1", "-p", m_port, "-W", "20", "-C", "1", "-F",
                    "got %t %p id=%S", "-V", "mqttv5", "-c", "-x", "300", "-i", "ids5", "-t",
                    "k/#", "-q", "1", "-D", "subscribe", "subscription-identifier", "9"});
    ASSERT_TRUE(returning.Started());
    EXPECT_EQ(returning.Wait(20000ms), 0) << returning.Output() << again.Output();
    EXPECT_NE(returning.Output().find("got k/1 kept id=7"), std::string::npos)
        << returning.Output();
}
