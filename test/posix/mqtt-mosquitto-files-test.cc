/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * mosquitto's files accepted (doc/auth.md, doc/real-socket.md): password files written by the
 * real mosquitto_passwd ($6$ and $7$ hashes), `./ns3-mqtt passwd` files that the real mosquitto
 * accepts, ACL deny rules, and `mqtt-broker --config` reading a mosquitto.conf written here.
 */
#include "mqtt-mosquitto-conf.h"
#include "mqtt-password-hashes.h"
#include "mqtt-posix-test-util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

using namespace ns3::mqtt;
using namespace ns3::mqtt::test;

namespace
{

class MosquittoFiles : public ::testing::Test
{
  protected:
    void
    SetUp() override
    {
        if (FindProgram("mosquitto_passwd").empty() || FindProgram("mosquitto_pub").empty() ||
            FindProgram("mosquitto").empty())
        {
            GTEST_SKIP() << "mosquitto, mosquitto_passwd or mosquitto_pub not installed (Debian "
                            "packages mosquitto, mosquitto-clients; ./ns3-mqtt test installs "
                            "them)";
        }
    }

    /** mosquitto_pub's exit status publishing one message to @p port as @p user. */
    int
    Publish(uint16_t port, const std::string& user, const std::string& password)
    {
        std::vector<std::string> argv = {FindProgram("mosquitto_pub"),
                                         "-h",
                                         "127.0.0.1",
                                         "-p",
                                         std::to_string(port),
                                         "-t",
                                         "t",
                                         "-m",
                                         "x",
                                         "-q",
                                         "1"};
        if (!user.empty())
        {
            argv.insert(argv.end(), {"-u", user, "-P", password});
        }
        std::string out;
        return RunProgram(argv, out);
    }

    /** Runs mqtt-passwd with @p password on its standard input. */
    int
    Passwd(const std::vector<std::string>& args, const std::string& password, std::string& out)
    {
        std::string command = "printf '%s\\n' '" + password + "' | " + MQTT_PASSWD_BINARY;
        for (const std::string& a : args)
        {
            command += " '" + a + "'";
        }
        return RunProgram({"/bin/sh", "-c", command}, out);
    }

    ScratchDir m_dir;
};

/** A real mosquitto with @p conf (its listener on @p port), up and accepting connections. */
bool
StartMosquitto(ChildProcess& mosquitto, const ScratchDir& dir, const std::string& conf, uint16_t port)
{
    const std::string path = dir.Write("mosquitto-" + std::to_string(port) + ".conf", conf);
    if (!mosquitto.Start({FindProgram("mosquitto"), "-c", path}, path + ".log"))
    {
        return false;
    }
    for (int i = 0; i < 500 && mosquitto.Running(); ++i)
    {
        RawClient probe;
        if (probe.Connect(port))
        {
            return true;
        }
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

} // namespace

TEST_F(MosquittoFiles, HashesWrittenByMosquittoPasswdAreAccepted)
{
    // mosquitto_passwd's default ($7$, PBKDF2-SHA512) and its older -H sha512 ($6$).
    const std::string file = m_dir.Path() + "/passwords";
    std::string out;
    ASSERT_EQ(RunProgram({FindProgram("mosquitto_passwd"), "-c", "-b", file, "alice", "s3cret"}, out), 0)
        << out;
    ASSERT_EQ(RunProgram({FindProgram("mosquitto_passwd"), "-H", "sha512", "-b", file, "bob", "b0b:pw"},
                         out),
              0)
        << out;
    const std::string text = ReadFile(file);
    ASSERT_NE(text.find("alice:$7$101$"), std::string::npos) << text;
    ASSERT_NE(text.find("bob:$6$"), std::string::npos) << text;

    MqttAuthenticator auth;
    auth.SetPasswordVerifier(MqttPasswordHashes::Shared());
    MqttConfigError error;
    ASSERT_TRUE(auth.Load(file, error)) << error.ToString();
    auto pw = [](const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); };
    EXPECT_EQ(auth.Authenticate(std::string("alice"), pw("s3cret")), ConnectReturnCode::Accepted);
    EXPECT_EQ(auth.Authenticate(std::string("alice"), pw("s3cres")),
              ConnectReturnCode::BadUserNameOrPassword);
    EXPECT_EQ(auth.Authenticate(std::string("bob"), pw("b0b:pw")), ConnectReturnCode::Accepted);
    EXPECT_EQ(auth.Authenticate(std::string("bob"), pw("")), ConnectReturnCode::BadUserNameOrPassword);
    EXPECT_EQ(auth.Authenticate(std::string("eve"), pw("s3cret")),
              ConnectReturnCode::BadUserNameOrPassword);

    // The standalone broker with that file, met by mosquitto_pub.
    BrokerProcess broker;
    ASSERT_TRUE(broker.Start({"--passwords", file})) << broker.Output();
    EXPECT_EQ(Publish(broker.Port(), "alice", "s3cret"), 0);
    EXPECT_EQ(Publish(broker.Port(), "bob", "b0b:pw"), 0);
    EXPECT_NE(Publish(broker.Port(), "alice", "wrong"), 0);
    EXPECT_NE(Publish(broker.Port(), "", ""), 0); // anonymous: not allowed by default
}

TEST_F(MosquittoFiles, PlainAndHashedLinesMixAndBadHashesNameTheLine)
{
    MqttAuthenticator auth;
    auth.SetPasswordVerifier(MqttPasswordHashes::Shared());
    MqttConfigError error;
    std::optional<std::string> hash = MqttPasswordHashes::HashPbkdf2("pw", 5);
    ASSERT_TRUE(hash);
    ASSERT_TRUE(auth.Parse("plain:text\nhashed:" + *hash + "\n", "pw.txt", error))
        << error.ToString();
    auto pw = [](const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); };
    EXPECT_EQ(auth.Authenticate(std::string("plain"), pw("text")), ConnectReturnCode::Accepted);
    EXPECT_EQ(auth.Authenticate(std::string("hashed"), pw("pw")), ConnectReturnCode::Accepted);
    // The hash's text is not a password that works.
    EXPECT_EQ(auth.Authenticate(std::string("hashed"), pw(*hash)),
              ConnectReturnCode::BadUserNameOrPassword);

    EXPECT_FALSE(auth.Parse("a:x\nb:$7$abc$c2FsdA==$aGFzaA==\n", "pw.txt", error));
    EXPECT_EQ(error.ToString(),
              "pw.txt:2: user 'b': iterations 'abc' not a whole number from 1 to 10000000");
    EXPECT_FALSE(auth.Parse("b:$6$c2FsdA==$aGFzaA==\n", "pw.txt", error));
    EXPECT_EQ(error.ToString(), "pw.txt:1: user 'b': hash is not 64 bytes of base64");
    EXPECT_FALSE(auth.Parse("b:$7$101$onlysalt\n", "pw.txt", error));
    EXPECT_EQ(error.ToString(),
              "pw.txt:1: user 'b': expected $6$SALT$HASH or $7$ITERATIONS$SALT$HASH");
    // Without a verifier a hash is refused, never taken as a plain-text password.
    MqttAuthenticator plainOnly;
    EXPECT_FALSE(plainOnly.Parse("b:" + *hash + "\n", "pw.txt", error));
    EXPECT_EQ(error.ToString(),
              "pw.txt:1: hashed password ('$7$') but this program reads plain-text passwords only");
}

TEST_F(MosquittoFiles, PasswdWritesHashesThatMosquittoAccepts)
{
    // ./ns3-mqtt passwd FILE USER (--password-stdin for scripts): mosquitto itself reads it.
    const std::string file = m_dir.Write("passwords", "# kept\n");
    std::string out;
    ASSERT_EQ(Passwd({"--password-stdin", file, "carol"}, "s3cret", out), 0) << out;
    ASSERT_EQ(Passwd({"--password-stdin", file, "dave"}, "first", out), 0) << out;
    ASSERT_EQ(Passwd({"--password-stdin", file, "dave"}, "second", out), 0) << out;
    const std::string text = ReadFile(file);
    EXPECT_EQ(text.rfind("# kept\ncarol:$7$101$", 0), 0u) << text;
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text; // dave replaced, not added

    const uint16_t port = FreePort();
    ChildProcess mosquitto;
    ASSERT_TRUE(StartMosquitto(mosquitto,
                               m_dir,
                               "listener " + std::to_string(port) +
                                   " 127.0.0.1\nallow_anonymous false\npassword_file " + file +
                                   "\nuser root\n",
                               port))
        << mosquitto.Output();
    EXPECT_EQ(Publish(port, "carol", "s3cret"), 0);
    EXPECT_EQ(Publish(port, "dave", "second"), 0);
    EXPECT_NE(Publish(port, "dave", "first"), 0);
    EXPECT_NE(Publish(port, "carol", "wrong"), 0);
    mosquitto.Kill();

    // And ours, with the same file.
    BrokerProcess broker;
    ASSERT_TRUE(broker.Start({"--passwords", file})) << broker.Output();
    EXPECT_EQ(Publish(broker.Port(), "carol", "s3cret"), 0);
    EXPECT_NE(Publish(broker.Port(), "dave", "first"), 0);
}

TEST_F(MosquittoFiles, PasswdWithoutATerminalAsksForPasswordStdin)
{
    std::string out;
    const std::string file = m_dir.Path() + "/pw";
    EXPECT_EQ(RunProgram({"/bin/sh", "-c", std::string(MQTT_PASSWD_BINARY) + " " + file +
                                                " carol < /dev/null"},
                         out),
              2);
    EXPECT_NE(out.find("--password-stdin"), std::string::npos) << out;
    EXPECT_EQ(Passwd({"--password-stdin", file, "a:b"}, "x", out), 2);
    EXPECT_NE(out.find("cannot be written in a password file"), std::string::npos) << out;
}

TEST_F(MosquittoFiles, Mqtt_3_9_3_2_AclDenyGivesSuback0x80OnTheRealBroker)
{
    // [MQTT-3.9.3-2]: 0x80 for the denied filter; mosquitto's "topic deny" wins over the grant.
    const std::string acl = m_dir.Write("acl", "topic readwrite #\ntopic deny secret/#\n");
    BrokerProcess broker;
    ASSERT_TRUE(broker.Start({"--acl", acl})) << broker.Output();
    RawClient client;
    ASSERT_TRUE(client.Connect(broker.Port()));
    ASSERT_EQ(client.MqttConnect("c"), 0);
    EXPECT_EQ(client.MqttSubscribe("secret/#", Qos::AtLeastOnce), 0x80);
    EXPECT_EQ(client.MqttSubscribe("secret/x", Qos::AtLeastOnce), 0x80);
    EXPECT_EQ(client.MqttSubscribe("open/#", Qos::AtLeastOnce), 1);
}

// --- mosquitto.conf ----------------------------------------------------------------------------

TEST(MosquittoConf, TranslatesTheKeysThatMapOntoThisBroker)
{
    MosquittoConf conf;
    MqttConfigError error;
    const std::string text = "# a comment\n"
                             "allow_anonymous false\n"
                             "password_file /etc/pw\n"
                             "acl_file /etc/acl\n"
                             "persistence true\n"
                             "persistence_location /var/lib/b/\n"
                             "max_queued_messages 0\n"
                             "max_inflight_messages 10\n"
                             "message_size_limit 65536\n"
                             "memory_limit 1048576\n"
                             "persistent_client_expiration 2d\n"
                             "log_dest stdout\n"
                             "listener 1883\n"
                             "listener 8883 ::1\n"
                             "certfile /c.pem\n"
                             "keyfile /k.pem\n"
                             "cafile /ca.pem\n"
                             "require_certificate true\n"
                             "use_identity_as_username true\n"
                             "tls_version tlsv1.3\n"
                             "listener 8080 127.0.0.1\n"
                             "protocol websockets\n"
                             "listener 8081\n"
                             "protocol websockets\n"
                             "certfile /c.pem\n";
    ASSERT_TRUE(TranslateMosquittoConf(text, "m.conf", conf, error)) << error.ToString();
    EXPECT_EQ(conf.listenArgs,
              (std::vector<std::string>{"--listen",
                                        "0.0.0.0:1883",
                                        "--tls-listen",
                                        "[::1]:8883",
                                        "--ws-listen",
                                        "127.0.0.1:8080",
                                        "--wss-listen",
                                        "0.0.0.0:8081"}));
    EXPECT_EQ(conf.args,
              (std::vector<std::string>{"--allow-anonymous",
                                        "false",
                                        "--passwords",
                                        "/etc/pw",
                                        "--acl",
                                        "/etc/acl",
                                        "--set",
                                        "max-queued-messages=0",
                                        "--set",
                                        "max-inflight-out=10",
                                        "--max-packet-size",
                                        "65536",
                                        "--memory-limit",
                                        "1048576",
                                        "--persistent-client-expiration",
                                        "172800s",
                                        "--cafile",
                                        "/ca.pem",
                                        "--certfile",
                                        "/c.pem",
                                        "--keyfile",
                                        "/k.pem",
                                        "--require-certificate",
                                        "--tls-version",
                                        "tlsv1.3",
                                        "--use-identity-as-username",
                                        "--persistence",
                                        "/var/lib/b/"}));
    EXPECT_EQ(conf.warnings,
              (std::vector<std::string>{
                  "m.conf:12: log_dest ignored (the log goes to standard error)"}));
}

TEST(MosquittoConf, UnknownAndRefusedKeysNameTheFileAndLine)
{
    MosquittoConf conf;
    MqttConfigError error;
    EXPECT_FALSE(TranslateMosquittoConf("listener 1883\nallow_anonymus true\n", "m.conf", conf, error));
    EXPECT_EQ(error.ToString(), "m.conf:2: unknown key 'allow_anonymus'");
    EXPECT_FALSE(TranslateMosquittoConf("per_listener_settings true\n", "m.conf", conf, error));
    EXPECT_EQ(error.ToString(),
              "m.conf:1: per_listener_settings is not supported here (security settings apply to "
              "every listener here)");
    EXPECT_FALSE(TranslateMosquittoConf("connection bridge1\n", "m.conf", conf, error));
    EXPECT_EQ(error.ToString(), "m.conf:1: connection is not supported here (bridges are not supported)");
    EXPECT_FALSE(TranslateMosquittoConf("max_queued_messages many\n", "m.conf", conf, error));
    EXPECT_EQ(error.ToString(),
              "m.conf:1: expected a whole number after max_queued_messages, got 'many'");
    EXPECT_FALSE(TranslateMosquittoConf(
        "listener 1\ncertfile /a\nlistener 2\ncertfile /b\n", "m.conf", conf, error));
    EXPECT_EQ(error.ToString(),
              "m.conf:4: certfile: this broker has one TLS configuration for all its listeners, "
              "and certfile was '/a' on line 2");
    EXPECT_FALSE(TranslateMosquittoConf("persistent_client_expiration 5x\n", "m.conf", conf, error));
    EXPECT_EQ(error.ToString(),
              "m.conf:1: expected a duration like 2h, 14d, 1w, 1m or 1y after "
              "persistent_client_expiration, got '5x'");
}

TEST_F(MosquittoFiles, BrokerRunsFromAMosquittoConfThatMosquittoAlsoRuns)
{
    // One mosquitto.conf (apart from its port) for mosquitto and for ours: hashed passwords
    // from mosquitto_passwd, an ACL with deny, anonymous clients refused.
    const std::string pw = m_dir.Path() + "/passwords";
    std::string out;
    ASSERT_EQ(RunProgram({FindProgram("mosquitto_passwd"), "-c", "-b", pw, "alice", "s3cret"}, out), 0);
    const std::string acl = m_dir.Write("acl", "topic readwrite #\ntopic deny secret/#\n");
    auto confFor = [&](uint16_t port) {
        return "# written by the test\nlistener " + std::to_string(port) +
               " 127.0.0.1\nallow_anonymous false\npassword_file " + pw + "\nacl_file " + acl +
               "\nmax_queued_messages 100\nmax_inflight_messages 5\npersistence false\n"
               // mosquitto run by root reads the 0600 password file only as root; ours warns.
               "user root\n";
    };
    const uint16_t mosquittoPort = FreePort();
    ChildProcess mosquitto;
    ASSERT_TRUE(StartMosquitto(mosquitto, m_dir, confFor(mosquittoPort), mosquittoPort))
        << mosquitto.Output();
    EXPECT_EQ(Publish(mosquittoPort, "alice", "s3cret"), 0);
    mosquitto.Kill();

    const uint16_t port = FreePort();
    const std::string conf = m_dir.Write("ours.conf", confFor(port));
    ChildProcess broker;
    ASSERT_TRUE(broker.Start({MQTT_BROKER_BINARY, "--config", conf}, m_dir.Path() + "/ours.log"));
    ASSERT_TRUE(broker.WaitForOutput("listening on", 10000ms)) << broker.Output();
    EXPECT_NE(broker.Output().find("listening on 127.0.0.1:" + std::to_string(port)),
              std::string::npos)
        << broker.Output();
    EXPECT_EQ(Publish(port, "alice", "s3cret"), 0);
    EXPECT_NE(Publish(port, "alice", "wrong"), 0);
    EXPECT_NE(Publish(port, "", ""), 0); // allow_anonymous false
    broker.Kill();
}

TEST_F(MosquittoFiles, CommandLineOverridesTheConfigFile)
{
    // The file's listener gives way to --listen; an unknown key stops the broker with file:line.
    const uint16_t filePort = FreePort();
    const std::string conf = m_dir.Write("m.conf",
                                         "listener " + std::to_string(filePort) +
                                             " 127.0.0.1\nallow_anonymous false\n");
    BrokerProcess broker;
    ASSERT_TRUE(broker.Start({"--config", conf, "--allow-anonymous", "true"})) << broker.Output();
    EXPECT_NE(broker.Port(), filePort);
    EXPECT_EQ(broker.Endpoints().size(), 1u) << broker.Output();
    EXPECT_EQ(Publish(broker.Port(), "", ""), 0); // the command line's true won

    const std::string bad = m_dir.Write("bad.conf", "listener 1883\nlog_type all\nfoo bar\n");
    std::string out;
    EXPECT_EQ(RunProgram({MQTT_BROKER_BINARY, "--config", bad}, out), 2);
    EXPECT_NE(out.find("--config: " + bad + ":3: unknown key 'foo'"), std::string::npos) << out;
}

TEST_F(MosquittoFiles, MemoryKeysOfTheConfigReachTheirOptions)
{
    // memory_limit, message_size_limit and persistent_client_expiration become --memory-limit,
    // --max-packet-size and --persistent-client-expiration, options of the trust-memory work;
    // until the broker has them this test cannot run.
    std::string help;
    RunProgram({MQTT_BROKER_BINARY, "--help"}, help);
    for (const char* option : {"--memory-limit", "--max-packet-size", "--persistent-client-expiration"})
    {
        if (help.find(option) == std::string::npos)
        {
            GTEST_SKIP() << "mqtt-broker has no " << option << " yet";
        }
    }
    const std::string conf = m_dir.Write("m.conf",
                                         "memory_limit 67108864\nmessage_size_limit 1048576\n"
                                         "persistent_client_expiration 1d\n");
    BrokerProcess broker;
    ASSERT_TRUE(broker.Start({"--config", conf})) << broker.Output();
    EXPECT_EQ(Publish(broker.Port(), "", ""), 0);
}
