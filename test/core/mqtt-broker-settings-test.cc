/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The table of broker settings: every profile field by key, values read and printed back, and
 * the one wording of its errors.
 */
#include "mqtt-broker-settings.h"
#include "mqtt-units.h"

#include <gtest/gtest.h>

#include <set>

using namespace ns3::mqtt;

TEST(BrokerSettings, EveryKeyAppliesAndRejectsGarbage)
{
    MqttBrokerProfile p;
    EXPECT_FALSE(MqttBrokerSettings::Apply(&p, "max-qos", "1"));
    EXPECT_EQ(p.maxQos, Qos::AtLeastOnce);
    EXPECT_FALSE(MqttBrokerSettings::Apply(&p, "retain", "disconnect"));
    EXPECT_EQ(p.retain, RetainPolicy::Disconnect);
    EXPECT_FALSE(MqttBrokerSettings::Apply(&p, "session-expiry", "1h"));
    EXPECT_EQ(p.sessionExpiry, std::chrono::hours(1));
    EXPECT_FALSE(MqttBrokerSettings::Apply(&p, "reserved-topic-prefixes", "$aws/,$sys/"));
    EXPECT_EQ(p.reservedTopicPrefixes, (std::vector<std::string>{"$aws/", "$sys/"}));
    EXPECT_FALSE(MqttBrokerSettings::Apply(&p, "reserved-topic-prefixes", ""));
    EXPECT_TRUE(p.reservedTopicPrefixes.empty());
    for (const auto& key : MqttBrokerSettings::Keys())
    {
        // Every key but the free-text ones rejects a value no field type accepts.
        if (key != "reserved-topic-prefixes" && key != "lifecycle-topic-prefix" &&
            key != "assigned-client-id-prefix" && key != "response-information-prefix")
        {
            EXPECT_TRUE(MqttBrokerSettings::Apply(&p, key, "@@")) << key;
        }
    }
}

TEST(BrokerSettings, ErrorsHaveOneWording)
{
    MqttBrokerProfile p;
    auto error = [&p](const std::string& key, const std::string& value)
    {
        std::optional<MqttSettingError> e = MqttBrokerSettings::Apply(&p, key, value);
        return e ? e->ToString() : std::string("(no error)");
    };
    EXPECT_EQ(error("max-keep-alive", "70000"),
              "broker setting 'max-keep-alive': expected an integer from 0 to 65535, got '70000'");
    EXPECT_EQ(error("qos0-duplicate-probability", "2"),
              "broker setting 'qos0-duplicate-probability': expected a probability from 0 to 1, "
              "got '2'");
    EXPECT_EQ(error("max-qos", "3"),
              "broker setting 'max-qos': expected an integer from 0 to 2, got '3'");
    EXPECT_EQ(error("retain", "keep"),
              "broker setting 'retain': expected one of store, disconnect, "
              "store-exact-match-only, got 'keep'");
    EXPECT_EQ(error("connect-timeout", "30"),
              "broker setting 'connect-timeout': expected a duration like 30s or 250ms, got '30'");
    EXPECT_EQ(error("close-on-throttle", "yes"),
              "broker setting 'close-on-throttle': expected true or false, got 'yes'");
    EXPECT_EQ(error("reserved-topic-prefixes", "a,,b"),
              "broker setting 'reserved-topic-prefixes': expected comma-separated topic "
              "prefixes, got 'a,,b'");
    std::string unknown = error("max-inflight", "5");
    EXPECT_EQ(unknown.rfind("unknown broker setting 'max-inflight' (known: connect-timeout, "
                            "max-packet-size, ",
                            0),
              0u)
        << unknown;
    EXPECT_NE(unknown.find(", lifecycle-qos, protocol-version, "), std::string::npos) << unknown;
    EXPECT_NE(unknown.find(", reason-strings, enhanced-authentication, ack-user-properties)"),
              std::string::npos)
        << unknown;
    // Each item a User Property: a name, "=", a value.
    EXPECT_EQ(error("ack-user-properties", "server=a,=b"),
              "broker setting 'ack-user-properties': expected comma-separated name=value pairs, "
              "got 'server=a,=b'");
    EXPECT_EQ(error("ack-user-properties", "server"),
              "broker setting 'ack-user-properties': expected comma-separated name=value pairs, "
              "got 'server'");
    EXPECT_EQ(error("ack-user-properties", "a=1,b="), "(no error)");
    EXPECT_EQ(p.ackUserProperties, (std::vector<std::string>{"a=1", "b="}));

    std::optional<MqttSettingError> e = MqttBrokerSettings::ApplyAssignment(&p, "max-inflight-out");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->ToString(),
              "broker setting 'max-inflight-out': expected KEY=VALUE, got 'max-inflight-out'");
}

TEST(BrokerSettings, AFailedValueLeavesTheProfileAlone)
{
    MqttBrokerProfile p = MqttBrokerProfile::AwsIotCore();
    MqttBrokerProfile before = p;
    for (const auto& key : MqttBrokerSettings::Keys())
    {
        MqttBrokerSettings::Apply(&p, key, "@@");
        if (key != "reserved-topic-prefixes" && key != "lifecycle-topic-prefix" &&
            key != "assigned-client-id-prefix" && key != "response-information-prefix")
        {
            const MqttBrokerSetting* s = MqttBrokerSettings::Find(key);
            EXPECT_EQ(s->format(p), s->format(before)) << key;
        }
    }
}

// What Format prints, Apply reads back to the same field, for every key of every profile.
TEST(BrokerSettings, FormatReadsBack)
{
    for (const std::string& name : MqttBrokerProfile::Names())
    {
        MqttBrokerProfile source = *MqttBrokerProfile::ByName(name);
        MqttBrokerProfile target;
        for (const MqttBrokerSetting& s : MqttBrokerSettings::All())
        {
            std::string text = s.format(source);
            EXPECT_FALSE(MqttBrokerSettings::Apply(&target, s.key, text)) << name << " " << s.key;
            EXPECT_EQ(s.format(target), text) << name << " " << s.key;
        }
    }
    MqttBrokerProfile p;
    EXPECT_EQ(MqttBrokerSettings::Find("keep-alive-factor")->format(p), "1.5");
    EXPECT_EQ(MqttBrokerSettings::Find("connect-timeout")->format(p), "30s");
    EXPECT_EQ(MqttBrokerSettings::Find("max-qos")->format(p), "2");
    EXPECT_EQ(MqttBrokerSettings::Find("takeover")->format(p), "close-existing");
}

TEST(BrokerSettings, KeysAreUniqueAndDocumented)
{
    std::set<std::string> seen;
    for (const MqttBrokerSetting& s : MqttBrokerSettings::All())
    {
        EXPECT_TRUE(seen.insert(s.key).second) << s.key;
        EXPECT_FALSE(s.doc.empty()) << s.key;
        EXPECT_EQ(s.key.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-"),
                  std::string::npos)
            << s.key;
    }
    // Every field of MqttBrokerProfile but its name: 44, the 6 account-wide quota rates, the
    // service model's cores, input limit, read-per, write-per and 21 costs, the memory limit,
    // and the 13 of 5.0.
    EXPECT_EQ(seen.size(), 89u);
    std::string help = MqttBrokerSettings::Describe(MqttBrokerProfile::Standard311());
    EXPECT_NE(help.find("  max-inflight-out <integer>"), std::string::npos) << help;
    EXPECT_NE(help.find("(standard: '20')"), std::string::npos) << help;
}

TEST(Units, DurationsReadAndPrint)
{
    EXPECT_EQ(ParseDuration("250ms"), std::chrono::milliseconds(250));
    EXPECT_EQ(ParseDuration("1.5s"), std::chrono::milliseconds(1500));
    EXPECT_EQ(ParseDuration("0"), std::chrono::nanoseconds(0));
    EXPECT_FALSE(ParseDuration("30"));
    EXPECT_FALSE(ParseDuration("-1s"));
    EXPECT_EQ(FormatDuration(std::chrono::milliseconds(1500)), "1500ms");
    EXPECT_EQ(FormatDuration(std::chrono::nanoseconds(0)), "0s");
}
