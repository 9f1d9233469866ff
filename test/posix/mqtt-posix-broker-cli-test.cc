/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The mqtt-broker command line: option and file errors name what is wrong; several listeners,
 * IPv4 and IPv6.
 */
#include "mqtt-posix-test-util.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>

using namespace ns3::mqtt;
using namespace ns3::mqtt::test;

namespace
{

/** Runs the broker binary with @p args; returns its exit status and output. */
int
RunBroker(const std::vector<std::string>& args, std::string& output)
{
    ScratchDir dir;
    ChildProcess broker;
    std::vector<std::string> argv = {MQTT_BROKER_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    if (!broker.Start(argv, dir.Path() + "/out"))
    {
        return -2;
    }
    int status = broker.Wait(10000ms);
    output = broker.Output();
    return status;
}

} // namespace

TEST(BrokerCommandLine, ErrorsNameTheOptionOrFile)
{
    ScratchDir dir;
    std::string badAcl = dir.Write("bad-acl.txt", "user alice\ntopic sideways a/#\n");
    struct Case
    {
        std::vector<std::string> args;
        std::vector<std::string> expected;
    };
    const std::vector<Case> cases = {
        {{"--bogus"}, {"unknown option '--bogus'"}},
        {{"--listen"}, {"--listen", "missing value"}},
        {{"--listen", "localhost"}, {"--listen", "'localhost'", "HOST:PORT"}},
        {{"--listen", "127.0.0.1:99999"}, {"--listen", "port"}},
        {{"--profile", "no-such-profile"}, {"--profile", "no-such-profile", "standard"}},
        {{"--passwords", dir.Path() + "/missing.txt"}, {"--passwords", "missing.txt"}},
        {{"--acl", badAcl}, {"--acl", "bad-acl.txt:2"}},
        {{"--max-unsent-bytes", "lots"}, {"--max-unsent-bytes", "'lots'"}},
        {{"--max-queued-messages", "0"}, {"--max-queued-messages", "'0'"}},
        {{"--max-inflight", "x"}, {"--max-inflight", "'x'"}},
        {{"--connect-timeout", "-1"}, {"--connect-timeout", "'-1'"}},
        {{"--record", dir.Path() + "/no-such-dir/run.h5"}, {"--record", "run.h5"}},
    };
    for (const Case& c : cases)
    {
        std::string output;
        EXPECT_EQ(RunBroker(c.args, output), 2) << c.args[0] << ": " << output;
        for (const std::string& text : c.expected)
        {
            EXPECT_NE(output.find(text), std::string::npos)
                << c.args[0] << ": expected '" << text << "' in: " << output;
        }
    }
}

// --set takes any broker setting (the table of model/core/mqtt-broker-settings.h); its errors are
// the table's, in the same words as everywhere else.
TEST(BrokerCommandLine, SetErrorsUseTheSettingsWording)
{
    struct Case
    {
        std::vector<std::string> args;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {{"--set", "bogus=1"},
         "mqtt-broker: --set: unknown broker setting 'bogus' (known: connect-timeout, "},
        {{"--set=max-qos=3"},
         "mqtt-broker: --set: broker setting 'max-qos': expected an integer from 0 to 2, got '3'"},
        {{"--set", "max-qos"},
         "mqtt-broker: --set: broker setting 'max-qos': expected KEY=VALUE, got 'max-qos'"},
        {{"--set"}, "mqtt-broker: --set: missing value (see --help)"},
        {{"--max-inflight=0"},
         "mqtt-broker: --max-inflight: expected a positive whole number, got '0'"},
        {{"--connect-timeout", "3s"},
         "mqtt-broker: --connect-timeout: expected a whole number of seconds, got '3s'"},
        {{"stray"}, "mqtt-broker: unexpected argument 'stray' (see --help)"},
    };
    for (const Case& c : cases)
    {
        std::string output;
        EXPECT_EQ(RunBroker(c.args, output), 2) << c.args[0] << ": " << output;
        EXPECT_NE(output.find(c.expected), std::string::npos)
            << c.args[0] << ": expected '" << c.expected << "' in: " << output;
    }
}

// A setting given with --set reaches the engine: max-qos=0 grants QoS 0 to a QoS 2 request, 1
// grants 1; --set mixes with the older setting options, as --opt value or --opt=value.
TEST(BrokerCommandLine, SetReachesTheEngine)
{
    BrokerProcess broker;
    ASSERT_TRUE(
        broker.Start({"--max-inflight=5", "--set", "max-qos=0", "--set=max-inflight-out=7"}))
        << broker.Output();
    RawClient client;
    ASSERT_TRUE(client.Connect(broker.Port()));
    ASSERT_EQ(client.MqttConnect("set-test"), 0);
    EXPECT_EQ(client.MqttSubscribe("set/#", Qos::ExactlyOnce), 0);

    BrokerProcess standard;
    ASSERT_TRUE(standard.Start({"--set", "max-qos=1"})) << standard.Output();
    RawClient other;
    ASSERT_TRUE(other.Connect(standard.Port()));
    ASSERT_EQ(other.MqttConnect("set-test-2"), 0);
    EXPECT_EQ(other.MqttSubscribe("set/#", Qos::ExactlyOnce), 1);
}

TEST(BrokerCommandLine, HelpListsTheOptions)
{
    std::string output;
    EXPECT_EQ(RunBroker({"--help"}, output), 0);
    for (const char* option :
         {"--listen", "--profile", "--passwords", "--acl", "--record", "--set"})
    {
        EXPECT_NE(output.find(option), std::string::npos) << option;
    }
    // The settings --set takes, with what they do and their standard values.
    EXPECT_NE(output.find("  max-inflight-out <integer>"), std::string::npos) << output;
    EXPECT_NE(output.find("(standard: '20')"), std::string::npos) << output;
}

TEST(BrokerCommandLine, ListensOnSeveralAddressesIpv4AndIpv6)
{
    BrokerProcess broker;
    std::string output;
    if (!broker.Start({"--listen", "[::1]:0", "--listen", "127.0.0.1:0"}))
    {
        output = broker.Output();
        if (output.find("[::1]") != std::string::npos &&
            output.find("Cannot assign") != std::string::npos)
        {
            GTEST_SKIP() << "no IPv6 loopback: " << output;
        }
        FAIL() << output;
    }
    broker.WaitForOutput("profile", 2000ms);
    std::vector<std::string> endpoints = broker.Endpoints();
    ASSERT_EQ(endpoints.size(), 3u) << broker.Output(); // --listen 127.0.0.1:0 comes first
    for (const std::string& endpoint : endpoints)
    {
        std::size_t colon = endpoint.rfind(':');
        std::string host = endpoint.substr(0, colon);
        if (host.front() == '[')
        {
            host = host.substr(1, host.size() - 2);
        }
        uint16_t port = static_cast<uint16_t>(std::stoul(endpoint.substr(colon + 1)));
        EXPECT_TRUE(ProbeBroker(port, "probe-" + std::to_string(port), 5000ms, host).has_value())
            << endpoint;
    }
}

#ifdef MQTT_BROKER_RECORD
// --record writes the results schema (doc/results.md) from the broker's side: read back with
// h5py (python3-h5py), as the analysis does.
TEST(BrokerCommandLine, RecordWritesResultsFile)
{
    if (FindProgram("python3").empty() ||
        std::system("/usr/bin/python3 -c 'import h5py' 2>/dev/null") != 0)
    {
        GTEST_SKIP() << "needs /usr/bin/python3 with h5py (Debian python3-h5py) to read the file";
    }
    ScratchDir dir;
    std::string file = dir.Path() + "/broker.h5";
    BrokerProcess broker;
    ASSERT_TRUE(broker.Start({"--record", file}));
    {
        RawClient subscriber;
        ASSERT_TRUE(subscriber.Connect(broker.Port()));
        ASSERT_EQ(subscriber.MqttConnect("rec-sub"), 0);
        ASSERT_EQ(subscriber.MqttSubscribe("rec/#", Qos::AtLeastOnce), 1);
        RawClient publisher;
        ASSERT_TRUE(publisher.Connect(broker.Port()));
        ASSERT_EQ(publisher.MqttConnect("rec-pub"), 0);
        for (uint16_t id = 1; id <= 3; ++id)
        {
            publisher.SendBytes(RawClient::PublishBytes("rec/t", {'x'}, Qos::AtLeastOnce, id));
        }
        int received = 0;
        while (received < 3)
        {
            std::optional<Packet> packet = subscriber.Read(5000ms);
            ASSERT_TRUE(packet.has_value());
            if (auto* publish = std::get_if<PublishPacket>(&*packet))
            {
                ++received;
                subscriber.Send(PubackPacket{publish->packetId});
            }
        }
        subscriber.Send(DisconnectPacket{});
        publisher.Send(DisconnectPacket{});
        ASSERT_TRUE(subscriber.WaitClosed(2000ms));
    }
    broker.Signal(SIGTERM);
    ASSERT_EQ(broker.Wait(10000ms), 0) << broker.Output();
    ChildProcess reader;
    ASSERT_TRUE(reader.Start({"/usr/bin/python3",
                              "-c",
                              "import h5py, sys\n"
                              "f = h5py.File(sys.argv[1], 'r')\n"
                              "print('counts', *(f[k].shape[0] for k in ('clients', 'publishes', "
                              "'deliveries', 'subscriptions', 'connections', 'drops')))\n"
                              "print('clients', *(n.decode() for n in f['clients']['name']))\n"
                              "d = f['deliveries'][:]\n"
                              "print('latency_ok', bool(((d['latency'] >= 0) & (d['latency'] < "
                              "5)).all()))\n",
                              file},
                             dir.Path() + "/reader.out"));
    ASSERT_EQ(reader.Wait(20000ms), 0) << reader.Output();
    // 2 clients, 3 publishes, 3 deliveries (QoS 1 PUBACKed), 1 subscription; connections: a
    // session and a close each.
    EXPECT_NE(reader.Output().find("counts 2 3 3 1 4 0"), std::string::npos) << reader.Output();
    EXPECT_NE(reader.Output().find("clients rec-sub rec-pub"), std::string::npos)
        << reader.Output();
    EXPECT_NE(reader.Output().find("latency_ok True"), std::string::npos) << reader.Output();
}
#endif
