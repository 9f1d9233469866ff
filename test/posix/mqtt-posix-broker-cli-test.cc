/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The mqtt-broker command line: option and file errors name what is wrong; several listeners,
 * IPv4 and IPv6.
 */
#include "mqtt-posix-test-util.h"

#include <gtest/gtest.h>

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
        {{"--record", "run.h5"}, {"--record", "not available yet"}},
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

TEST(BrokerCommandLine, HelpListsTheOptions)
{
    std::string output;
    EXPECT_EQ(RunBroker({"--help"}, output), 0);
    for (const char* option : {"--listen", "--profile", "--passwords", "--acl", "--record"})
    {
        EXPECT_NE(output.find(option), std::string::npos) << option;
    }
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
