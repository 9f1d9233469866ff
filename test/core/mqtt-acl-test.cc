/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Topic access control: the ACL file format (doc/auth.md), publish / subscribe / receive checks,
 * user blocks, patterns, and which filters a rule covers.
 */
#include "mqtt-acl-test-util.h"
#include "mqtt-acl.h"
#include "mqtt-auth-test-util.h"
#include "mqtt-topic.h"

#include <gtest/gtest.h>

#include <bitset>
#include <string>
#include <vector>

using namespace ns3::mqtt;
using mqtt_test::Acl;
using mqtt_test::ANONYMOUS;

namespace
{

/** Parses @p text as "acl.txt" and returns the error text, or "" when it parsed. */
std::string
ParseError(std::string_view text)
{
    MqttAcl acl;
    MqttConfigError error;
    if (acl.Parse(text, "acl.txt", error))
    {
        return "";
    }
    return error.ToString();
}

} // namespace

TEST(Acl, ParsesRulesCommentsBlankLinesAndIndentation)
{
    MqttAcl acl;
    MqttConfigError error;
    const std::string text = "# a comment\n"
                             "\n"
                             "  \t\n"
                             "topic public/#\n"
                             "  # an indented comment\n"
                             "user alice\n"
                             "\ttopic  read\t  alice/#  \n"
                             "pattern write devices/%c/#\n"
                             "topic readwrite shared\n";
    ASSERT_TRUE(acl.Parse(text, "acl.txt", error)) << error.ToString();
    EXPECT_EQ(acl.RuleCount(), 4u);
    EXPECT_TRUE(acl.MayPublish("c", ANONYMOUS, "public/x")); // default access is readwrite
    EXPECT_TRUE(acl.MayReceive("c", ANONYMOUS, "public/x"));
    EXPECT_TRUE(acl.MayReceive("c", "alice", "alice/x"));
    EXPECT_FALSE(acl.MayPublish("c", "alice", "alice/x")); // read only
    EXPECT_TRUE(acl.MayPublish("dev", ANONYMOUS, "devices/dev/t"));
    EXPECT_FALSE(acl.MayReceive("dev", ANONYMOUS, "devices/dev/t")); // write only
    EXPECT_TRUE(acl.MayPublish("c", "alice", "shared"));
    EXPECT_TRUE(acl.MayReceive("c", "alice", "shared"));
}

TEST(Acl, CrlfLineEndings)
{
    MqttAcl acl;
    MqttConfigError error;
    ASSERT_TRUE(acl.Parse("# c\r\n\r\nuser alice\r\ntopic read a/#\r\n", "acl.txt", error))
        << error.ToString();
    EXPECT_EQ(acl.RuleCount(), 1u);
    // The user name is "alice", not "alice\r", and the filter is "a/#", not "a/#\r".
    EXPECT_TRUE(acl.MayReceive("c", "alice", "a/b"));
    EXPECT_TRUE(acl.MaySubscribe("c", "alice", "a/#"));
    EXPECT_EQ(ParseError("topic a\r\n\r\ntopic a/#/b\r\n"),
              "acl.txt:3: invalid topic filter 'a/#/b': '#' must be a whole level and the last "
              "one");
}

TEST(Acl, ErrorsNameFileLineAndWhatWasExpected)
{
    EXPECT_EQ(ParseError("topic a\ntopik b\n"),
              "acl.txt:2: unknown directive 'topik': expected 'user', 'topic' or 'pattern'");
    EXPECT_EQ(ParseError("Topic a\n"),
              "acl.txt:1: unknown directive 'Topic': expected 'user', 'topic' or 'pattern'");
    EXPECT_EQ(ParseError("usera\n"),
              "acl.txt:1: unknown directive 'usera': expected 'user', 'topic' or 'pattern'");
    EXPECT_EQ(ParseError("# x\ntopic\n"), "acl.txt:2: expected a topic filter after 'topic'");
    EXPECT_EQ(ParseError("pattern  \n"), "acl.txt:1: expected a topic filter after 'pattern'");
    // An access word alone is not taken as a filter named "read".
    EXPECT_EQ(ParseError("topic read\n"), "acl.txt:1: expected a topic filter after 'read'");
    EXPECT_EQ(ParseError("pattern readwrite \n"),
              "acl.txt:1: expected a topic filter after 'readwrite'");
    EXPECT_EQ(ParseError("topic reed a/b\n"),
              "acl.txt:1: unknown access 'reed': expected 'read', 'write', 'readwrite' or 'deny'");
    EXPECT_EQ(ParseError("topic deny\n"), "acl.txt:1: expected a topic filter after 'deny'");
    EXPECT_EQ(ParseError("topic read a/b c\n"),
              "acl.txt:1: unexpected 'c' after the topic filter (filters with spaces are not "
              "supported)");
    EXPECT_EQ(ParseError("topic a/#/b\n"),
              "acl.txt:1: invalid topic filter 'a/#/b': '#' must be a whole level and the last "
              "one");
    EXPECT_EQ(ParseError("topic write a#\n"),
              "acl.txt:1: invalid topic filter 'a#': '#' must be a whole level and the last one");
    EXPECT_EQ(ParseError("topic a+\n"),
              "acl.txt:1: invalid topic filter 'a+': '+' must be a whole level");
    EXPECT_EQ(ParseError("pattern read devices/%c+\n"),
              "acl.txt:1: invalid topic filter 'devices/%c+': '+' must be a whole level");
    EXPECT_EQ(ParseError("topic a/\xC3(\n"), "acl.txt:1: invalid topic filter: not valid UTF-8");
    EXPECT_EQ(ParseError(std::string("topic a\0b\n", 10)),
              "acl.txt:1: invalid topic filter: contains U+0000");
    EXPECT_EQ(ParseError("topic " + std::string(65536, 'a')),
              "acl.txt:1: invalid topic filter: longer than 65535 bytes");
    EXPECT_EQ(ParseError("user\n"), "acl.txt:1: expected a user name after 'user'");
    EXPECT_EQ(ParseError("user \t \n"), "acl.txt:1: expected a user name after 'user'");
    EXPECT_EQ(ParseError("user \xC3(\n"),
              "acl.txt:1: user name is not valid UTF-8 or contains U+0000");
    EXPECT_EQ(ParseError("user " + std::string(65536, 'u')),
              "acl.txt:1: user name longer than 65535 bytes");
    EXPECT_EQ(ParseError("topic " + std::string(65535, 'a')), "");
}

TEST(Acl, FailedParseKeepsTheOldRules)
{
    MqttAcl acl = Acl("topic a\n");
    MqttConfigError error;
    EXPECT_FALSE(acl.Parse("topic b\nnonsense\n", "other.txt", error));
    EXPECT_EQ(error.ToString(),
              "other.txt:2: unknown directive 'nonsense': expected 'user', 'topic' or 'pattern'");
    EXPECT_EQ(acl.RuleCount(), 1u);
    EXPECT_TRUE(acl.MayPublish("c", ANONYMOUS, "a"));
    EXPECT_FALSE(acl.MayPublish("c", ANONYMOUS, "b"));
    // A successful parse replaces the rules.
    ASSERT_TRUE(acl.Parse("topic b\n", "acl.txt", error));
    EXPECT_FALSE(acl.MayPublish("c", ANONYMOUS, "a"));
    EXPECT_TRUE(acl.MayPublish("c", ANONYMOUS, "b"));
}

TEST(Acl, LoadReadsAFileAndNamesItInErrors)
{
    mqtt_test::ScratchDir dir;
    MqttAcl acl;
    MqttConfigError error;
    ASSERT_TRUE(acl.Load(dir.Write("good.acl", "user bob\r\ntopic read b/#\r\n"), error))
        << error.ToString();
    EXPECT_TRUE(acl.MayReceive("c", "bob", "b/1"));

    const std::string bad = dir.Write("bad.acl", "user bob\ntopic read\n");
    EXPECT_FALSE(acl.Load(bad, error));
    EXPECT_EQ(error.ToString(), bad + ":2: expected a topic filter after 'read'");

    const std::string missing = dir.Path("missing.acl");
    EXPECT_FALSE(acl.Load(missing, error));
    EXPECT_EQ(error.ToString(), missing + ": cannot open file");
    EXPECT_TRUE(acl.MayReceive("c", "bob", "b/1"));
}

TEST(Acl, EmptyAclDeniesEverything)
{
    for (const char* text : {"", "# only comments\n\n", "user alice\n"})
    {
        MqttAcl acl = Acl(text);
        EXPECT_EQ(acl.RuleCount(), 0u);
        EXPECT_FALSE(acl.MayPublish("c", "alice", "a"));
        EXPECT_FALSE(acl.MaySubscribe("c", "alice", "a"));
        EXPECT_FALSE(acl.MayReceive("c", "alice", "a"));
        EXPECT_FALSE(acl.MayPublish("c", ANONYMOUS, "a"));
    }
    MqttAcl unloaded;
    EXPECT_FALSE(unloaded.MayPublish("c", ANONYMOUS, "a"));
    EXPECT_FALSE(unloaded.MaySubscribe("c", ANONYMOUS, "#"));
}

TEST(Acl, UserBlocksAndRulesForEveryone)
{
    MqttAcl acl = Acl("topic read public/#\n"
                      "user alice\n"
                      "topic alice/#\n"
                      "user bob smith\n" // a user name with a space
                      "topic write bob/#\n"
                      "user alice\n" // a second block for alice adds to the first
                      "topic read shared/+\n");
    EXPECT_EQ(acl.RuleCount(), 4u);

    // The rule before any user line applies to everyone, anonymous clients included.
    for (const std::optional<std::string>& user :
         {std::optional<std::string>("alice"), std::optional<std::string>("bob smith"), ANONYMOUS})
    {
        EXPECT_TRUE(acl.MayReceive("c", user, "public/news"));
        EXPECT_TRUE(acl.MaySubscribe("c", user, "public/#"));
        EXPECT_FALSE(acl.MayPublish("c", user, "public/news"));
    }

    EXPECT_TRUE(acl.MayPublish("c", "alice", "alice/x"));
    EXPECT_TRUE(acl.MayReceive("c", "alice", "alice/x/y"));
    EXPECT_TRUE(acl.MayReceive("c", "alice", "shared/1"));
    EXPECT_FALSE(acl.MayPublish("c", "alice", "shared/1"));
    EXPECT_FALSE(acl.MayPublish("c", "alice", "bob/x"));

    EXPECT_TRUE(acl.MayPublish("c", "bob smith", "bob/x"));
    EXPECT_FALSE(acl.MayReceive("c", "bob smith", "bob/x"));
    EXPECT_FALSE(acl.MaySubscribe("c", "bob smith", "bob/x"));
    EXPECT_FALSE(acl.MayPublish("c", "bob smith", "alice/x"));
    EXPECT_FALSE(acl.MayPublish("c", "bob", "bob/x"));

    // Anonymous clients get only the rules for everyone; a client id is not a user name.
    EXPECT_FALSE(acl.MayPublish("alice", ANONYMOUS, "alice/x"));
    EXPECT_FALSE(acl.MayReceive("alice", ANONYMOUS, "alice/x"));
    // User names are compared exactly.
    EXPECT_FALSE(acl.MayPublish("c", "Alice", "alice/x"));
}

TEST(Acl, ReadAndWriteAreSeparate)
{
    MqttAcl acl = Acl("topic write in/#\n"
                      "topic read out/#\n"
                      "topic readwrite both\n");
    EXPECT_TRUE(acl.MayPublish("c", ANONYMOUS, "in/1"));
    EXPECT_FALSE(acl.MayReceive("c", ANONYMOUS, "in/1"));
    EXPECT_FALSE(acl.MaySubscribe("c", ANONYMOUS, "in/1"));
    EXPECT_FALSE(acl.MayPublish("c", ANONYMOUS, "out/1"));
    EXPECT_TRUE(acl.MayReceive("c", ANONYMOUS, "out/1"));
    EXPECT_TRUE(acl.MaySubscribe("c", ANONYMOUS, "out/1"));
    EXPECT_TRUE(acl.MayPublish("c", ANONYMOUS, "both"));
    EXPECT_TRUE(acl.MayReceive("c", ANONYMOUS, "both"));
    EXPECT_FALSE(acl.MayPublish("c", ANONYMOUS, "both/x"));
}

TEST(Acl, PatternsSubstituteClientIdAndUserName)
{
    MqttAcl acl = Acl("user alice\n"
                      "pattern devices/%c/#\n" // a pattern applies to every client wherever it is
                      "pattern read inbox/%u\n"
                      "pattern write log/%u/%c\n"
                      "pattern read news\n"); // a pattern without %c or %u: a rule for all
    EXPECT_EQ(acl.RuleCount(), 4u);

    EXPECT_TRUE(acl.MayPublish("dev1", ANONYMOUS, "devices/dev1/temp"));
    EXPECT_TRUE(acl.MayPublish("dev1", ANONYMOUS, "devices/dev1"));
    EXPECT_TRUE(acl.MaySubscribe("dev1", ANONYMOUS, "devices/dev1/#"));
    EXPECT_TRUE(acl.MaySubscribe("dev1", "bob", "devices/dev1/+/x"));
    EXPECT_FALSE(acl.MayPublish("dev1", ANONYMOUS, "devices/dev2/temp"));
    EXPECT_FALSE(acl.MaySubscribe("dev1", ANONYMOUS, "devices/+/temp"));
    EXPECT_FALSE(acl.MayReceive("dev1", ANONYMOUS, "devices/dev2/temp"));

    EXPECT_TRUE(acl.MayReceive("c", "bob", "inbox/bob"));
    EXPECT_FALSE(acl.MayReceive("c", "bob", "inbox/alice"));
    EXPECT_FALSE(acl.MayPublish("c", "bob", "inbox/bob"));
    // A pattern using %u does not apply to a client without a user name.
    EXPECT_FALSE(acl.MayReceive("c", ANONYMOUS, "inbox/"));
    EXPECT_FALSE(acl.MayReceive("c", ANONYMOUS, "inbox/%u"));

    EXPECT_TRUE(acl.MayPublish("dev1", "bob", "log/bob/dev1"));
    EXPECT_FALSE(acl.MayPublish("dev1", "bob", "log/bob/dev2"));
    EXPECT_FALSE(acl.MayPublish("dev1", ANONYMOUS, "log//dev1"));

    EXPECT_TRUE(acl.MayReceive("anyone", ANONYMOUS, "news"));
}

// A client id or user name with a wildcard or '/' must not widen what a pattern grants.
TEST(Acl, SubstitutedValuesCannotWidenAPattern)
{
    MqttAcl acl = Acl("pattern devices/%c/#\n"
                      "pattern read inbox/%u\n");
    // Client "+" would turn the pattern into devices/+/# (every device).
    EXPECT_FALSE(acl.MaySubscribe("+", ANONYMOUS, "devices/+/#"));
    EXPECT_FALSE(acl.MaySubscribe("+", ANONYMOUS, "devices/dev1/#"));
    EXPECT_FALSE(acl.MayReceive("+", ANONYMOUS, "devices/dev1/temp"));
    EXPECT_FALSE(acl.MayPublish("+", ANONYMOUS, "devices/dev1/temp"));
    // Client "#" would turn it into devices/#/#; "dev1/#" into devices/dev1/#/#.
    EXPECT_FALSE(acl.MayReceive("#", ANONYMOUS, "devices/dev1/temp"));
    EXPECT_FALSE(acl.MaySubscribe("#", ANONYMOUS, "devices/#"));
    EXPECT_FALSE(acl.MaySubscribe("dev1/#", ANONYMOUS, "devices/dev1/#"));
    // Client "dev1/x" would get a part of dev1's space.
    EXPECT_FALSE(acl.MayPublish("dev1/x", ANONYMOUS, "devices/dev1/x/temp"));
    // Client "a+b" is harmless in a name but refused all the same (it contains a wildcard).
    EXPECT_FALSE(acl.MayPublish("a+b", ANONYMOUS, "devices/a+b/temp"));
    // The empty client id and user name would give all such clients one shared space.
    EXPECT_FALSE(acl.MayPublish("", ANONYMOUS, "devices//temp"));
    EXPECT_FALSE(acl.MayReceive("c", std::string(), "inbox/"));
    // User names are treated the same way.
    EXPECT_FALSE(acl.MayReceive("c", "+", "inbox/alice"));
    EXPECT_FALSE(acl.MaySubscribe("c", "#", "inbox/#"));
    EXPECT_FALSE(acl.MaySubscribe("c", "#", "inbox/+"));
    EXPECT_FALSE(acl.MayReceive("c", "a/b", "inbox/a/b"));
    // Substitution is one pass: a client id "%u" is literal text.
    EXPECT_TRUE(acl.MayPublish("%u", "bob", "devices/%u/x"));
    EXPECT_FALSE(acl.MayPublish("%u", "bob", "devices/bob/x"));
    // Ordinary clients are unaffected.
    EXPECT_TRUE(acl.MayPublish("dev1", ANONYMOUS, "devices/dev1/temp"));
    EXPECT_TRUE(acl.MayReceive("c", "alice", "inbox/alice"));
}

// [MQTT-4.7.2-1]: a client id starting with '$' must not move "%c/#" into the server's $ topics.
TEST(Acl, Mqtt_4_7_2_1_PatternCannotReachDollarTopicsThroughTheClientId)
{
    MqttAcl acl = Acl("pattern %c/#\n");
    EXPECT_TRUE(acl.MayPublish("dev1", ANONYMOUS, "dev1/x"));
    EXPECT_FALSE(acl.MaySubscribe("$SYS", ANONYMOUS, "$SYS/#"));
    EXPECT_FALSE(acl.MayReceive("$SYS", ANONYMOUS, "$SYS/broker/uptime"));
    EXPECT_FALSE(acl.MayPublish("$SYS", ANONYMOUS, "$SYS/broker/uptime"));
}

// A rule starting with a wildcard does not reach '$' topics, as a subscription would not
// [MQTT-4.7.2-1]; access to them must be written explicitly.
TEST(Acl, Mqtt_4_7_2_1_WildcardRulesDoNotReachDollarTopics)
{
    MqttAcl acl = Acl("user admin\n"
                      "topic #\n"
                      "user monitor\n"
                      "topic #\n"
                      "topic read $SYS/#\n");
    EXPECT_TRUE(acl.MaySubscribe("c", "admin", "#"));
    EXPECT_TRUE(acl.MaySubscribe("c", "admin", "+/x"));
    EXPECT_FALSE(acl.MaySubscribe("c", "admin", "$SYS/#"));
    EXPECT_FALSE(acl.MaySubscribe("c", "admin", "$SYS/broker/load"));
    EXPECT_FALSE(acl.MayReceive("c", "admin", "$SYS/broker/load"));
    EXPECT_FALSE(acl.MayPublish("c", "admin", "$SYS/broker/load"));
    EXPECT_TRUE(acl.MayPublish("c", "admin", "x/$SYS")); // '$' is special only at the start

    EXPECT_TRUE(acl.MaySubscribe("c", "monitor", "$SYS/#"));
    EXPECT_TRUE(acl.MaySubscribe("c", "monitor", "$SYS/+/load"));
    EXPECT_TRUE(acl.MayReceive("c", "monitor", "$SYS/broker/load"));
    EXPECT_FALSE(acl.MayPublish("c", "monitor", "$SYS/broker/load"));
}

// Receiving is checked per message, against read rules only: a client that may publish to a
// topic may not read it, and a rule that allows a subscription cannot leak other topics.
TEST(Acl, ReceiveIsCheckedPerTopic)
{
    MqttAcl acl = Acl("topic write a/#\n"
                      "topic read a/public\n"
                      "topic read b/1\n"
                      "topic read b/2\n");
    EXPECT_TRUE(acl.MayReceive("c", ANONYMOUS, "a/public"));
    EXPECT_FALSE(acl.MayReceive("c", ANONYMOUS, "a/private"));
    EXPECT_FALSE(acl.MaySubscribe("c", ANONYMOUS, "a/#"));
    EXPECT_FALSE(acl.MaySubscribe("c", ANONYMOUS, "a/+"));
    EXPECT_TRUE(acl.MaySubscribe("c", ANONYMOUS, "a/public"));
    // Coverage needs one rule: b/1 and b/2 together do not cover b/+ (b/3 is not readable).
    EXPECT_FALSE(acl.MaySubscribe("c", ANONYMOUS, "b/+"));
    EXPECT_TRUE(acl.MaySubscribe("c", ANONYMOUS, "b/1"));
}

TEST(FilterCovers, MultiLevelRule)
{
    EXPECT_TRUE(FilterCovers("a/#", "a/+/b"));
    EXPECT_TRUE(FilterCovers("a/#", "a")); // "a/#" matches the parent "a"
    EXPECT_TRUE(FilterCovers("a/#", "a/#"));
    EXPECT_TRUE(FilterCovers("a/#", "a/b/c/d"));
    EXPECT_TRUE(FilterCovers("a/#", "a/+"));
    EXPECT_TRUE(FilterCovers("a/#", "a/"));
    EXPECT_FALSE(FilterCovers("a/#", "#"));
    EXPECT_FALSE(FilterCovers("a/#", "+"));
    EXPECT_FALSE(FilterCovers("a/#", "+/b"));
    EXPECT_FALSE(FilterCovers("a/#", "b/#"));
    EXPECT_FALSE(FilterCovers("a/b/#", "a"));
    EXPECT_TRUE(FilterCovers("a/b/#", "a/b"));
    EXPECT_TRUE(FilterCovers("#", "#"));
    EXPECT_TRUE(FilterCovers("#", "+/+/x"));
    EXPECT_TRUE(FilterCovers("#", "/"));
    EXPECT_TRUE(FilterCovers("+/#", "a"));
    EXPECT_TRUE(FilterCovers("+/#", "+"));
    // "+/#" and "#" match the same names (names have at least one level), and so do "/+/#" and
    // "/#" (their parent would be the empty name, and topics are never empty: section 4.7.3) ...
    EXPECT_TRUE(FilterCovers("+/#", "#"));
    EXPECT_TRUE(FilterCovers("/+/#", "/#"));
    // ... but "a/+/#" does not match the parent "a" that "a/#" matches.
    EXPECT_FALSE(FilterCovers("a/+/#", "a/#"));
    EXPECT_FALSE(FilterCovers("+/+/#", "#"));
}

TEST(FilterCovers, SingleLevelRule)
{
    EXPECT_FALSE(FilterCovers("a/+", "a/#"));
    EXPECT_TRUE(FilterCovers("a/+", "a/+"));
    EXPECT_TRUE(FilterCovers("a/+", "a/b"));
    EXPECT_TRUE(FilterCovers("a/+", "a/")); // '+' matches an empty level
    EXPECT_FALSE(FilterCovers("a/+", "a"));
    EXPECT_FALSE(FilterCovers("a/+", "a/b/c"));
    EXPECT_FALSE(FilterCovers("a/+", "+/b"));
    EXPECT_TRUE(FilterCovers("+/+", "/a"));
    EXPECT_TRUE(FilterCovers("+", "+"));
    EXPECT_FALSE(FilterCovers("+", "#"));
    EXPECT_FALSE(FilterCovers("+", "a/b"));
}

TEST(FilterCovers, LiteralRule)
{
    EXPECT_TRUE(FilterCovers("a/b", "a/b"));
    EXPECT_FALSE(FilterCovers("a/b", "a/+"));
    EXPECT_FALSE(FilterCovers("a/b", "a/#"));
    EXPECT_FALSE(FilterCovers("a/b", "a"));
    EXPECT_FALSE(FilterCovers("a/b", "a/b/c"));
    EXPECT_FALSE(FilterCovers("a/b", "a/b/"));
    EXPECT_FALSE(FilterCovers("a/b", "A/b")); // raw byte comparison [MQTT-4.7.3-4]
    EXPECT_FALSE(FilterCovers("a", "/a"));
}

// [MQTT-4.7.2-1]: a rule starting with a wildcard covers no filter that can only match '$'
// topics; "$SYS/#" has to be written out.
TEST(FilterCovers, Mqtt_4_7_2_1_DollarTopics)
{
    EXPECT_FALSE(FilterCovers("#", "$SYS/#"));
    EXPECT_FALSE(FilterCovers("#", "$SYS"));
    EXPECT_FALSE(FilterCovers("+/#", "$SYS/x"));
    EXPECT_FALSE(FilterCovers("+", "$SYS"));
    EXPECT_FALSE(FilterCovers("+/+", "$SYS/+"));
    EXPECT_TRUE(FilterCovers("$SYS/#", "$SYS/#"));
    EXPECT_TRUE(FilterCovers("$SYS/#", "$SYS/broker/+"));
    EXPECT_TRUE(FilterCovers("$SYS/+", "$SYS/x"));
    EXPECT_FALSE(FilterCovers("$SYS/#", "#"));
    EXPECT_FALSE(FilterCovers("$SYS/#", "+/x"));
    // A requested filter starting with a wildcard matches no '$' topic, so '#' covers it.
    EXPECT_TRUE(FilterCovers("#", "+/x"));
    // '$' only matters at the start.
    EXPECT_TRUE(FilterCovers("a/#", "a/$SYS"));
    EXPECT_TRUE(FilterCovers("a/+", "a/$x"));
}

// FilterCovers(rule, requested) must say exactly whether every topic name that requested
// matches is also matched by rule. Checked against TopicMatches for every pair of filters of up
// to four levels built from {a, $s, "", +, #}, over every name of up to five levels built from
// {a, $s, "", z} ('z' appears in no filter, so it witnesses what '+' or '#' reach and a literal
// does not; five levels witness what a '#' reaches beyond four).
TEST(FilterCovers, AgreesWithTopicMatchesExhaustively)
{
    const std::vector<std::string> filterLevels{"a", "$s", "", "+", "#"};
    const std::vector<std::string> nameLevels{"a", "$s", "", "z"};

    auto build = [](const std::vector<std::string>& levels, std::size_t depth)
    {
        std::vector<std::string> out;
        std::vector<std::string> current{""};
        for (std::size_t d = 1; d <= depth; ++d)
        {
            std::vector<std::string> next;
            for (const std::string& prefix : current)
            {
                for (const std::string& level : levels)
                {
                    next.push_back(d == 1 ? level : prefix + "/" + level);
                }
            }
            out.insert(out.end(), next.begin(), next.end());
            current = next;
        }
        return out;
    };

    std::vector<std::string> filters;
    for (const std::string& f : build(filterLevels, 4))
    {
        if (ValidateTopicFilter(f) == TopicError::None)
        {
            filters.push_back(f);
        }
    }
    std::vector<std::string> names;
    for (const std::string& n : build(nameLevels, 5))
    {
        if (ValidateTopicName(n) == TopicError::None)
        {
            names.push_back(n);
        }
    }
    ASSERT_EQ(filters.size(), 4u + 20u + 80u + 320u); // '#' only last; "" is not a filter
    ASSERT_EQ(names.size(), 4u + 16u + 64u + 256u + 1024u - 1u); // all but the empty name

    std::vector<std::bitset<2048>> matched(filters.size());
    for (std::size_t f = 0; f < filters.size(); ++f)
    {
        for (std::size_t n = 0; n < names.size(); ++n)
        {
            matched[f][n] = TopicMatches(filters[f], names[n]);
        }
    }
    std::size_t covered = 0;
    for (std::size_t r = 0; r < filters.size(); ++r)
    {
        for (std::size_t q = 0; q < filters.size(); ++q)
        {
            const bool expected = (matched[q] & ~matched[r]).none();
            ASSERT_EQ(FilterCovers(filters[r], filters[q]), expected)
                << "rule '" << filters[r] << "' requested '" << filters[q] << "'";
            covered += expected ? 1 : 0;
        }
    }
    // Not a trivial answer either way.
    EXPECT_GT(covered, filters.size());
    EXPECT_LT(covered, filters.size() * filters.size() / 2);
}

TEST(Acl, LoadsTheExampleFile)
{
    MqttAcl acl;
    MqttConfigError error;
    ASSERT_TRUE(acl.Load(mqtt_test::AuthDataFile("acl.txt"), error)) << error.ToString();
    EXPECT_EQ(acl.RuleCount(), 7u);
    EXPECT_TRUE(acl.MaySubscribe("anon", ANONYMOUS, "public/#"));
    EXPECT_FALSE(acl.MayPublish("anon", ANONYMOUS, "public/x"));
    EXPECT_TRUE(acl.MayPublish("a1", "alice", "anything/at/all"));
    EXPECT_TRUE(acl.MaySubscribe("a1", "alice", "$SYS/#"));
    EXPECT_FALSE(acl.MayPublish("a1", "alice", "$SYS/x"));
    EXPECT_TRUE(acl.MayPublish("b1", "bob", "sensors/bob/t"));
    EXPECT_FALSE(acl.MayReceive("b1", "bob", "sensors/bob/t"));
    EXPECT_TRUE(acl.MaySubscribe("b1", "bob", "commands/bob"));
    EXPECT_TRUE(acl.MaySubscribe("b1", "bob", "inbox/bob"));
    EXPECT_FALSE(acl.MaySubscribe("b1", "bob", "inbox/alice"));
    EXPECT_TRUE(acl.MayPublish("device-1", ANONYMOUS, "devices/device-1/temp"));
    EXPECT_FALSE(acl.MayPublish("device-1", ANONYMOUS, "devices/device-2/temp"));
}
