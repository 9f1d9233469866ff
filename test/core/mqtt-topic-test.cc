/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Topic name and filter validation and single-filter matching (section 4.7).
 */
#include "mqtt-topic.h"

#include <gtest/gtest.h>

#include <string>

using namespace ns3::mqtt;

// [MQTT-4.7.1-1] wildcards may appear in filters only, never in names.
TEST(Topic, Mqtt_4_7_1_1_WildcardsOnlyInFilters)
{
    EXPECT_EQ(ValidateTopicName("a/+"), TopicError::WildcardInName);
    EXPECT_EQ(ValidateTopicName("a/#"), TopicError::WildcardInName);
    EXPECT_EQ(ValidateTopicName("a+b"), TopicError::WildcardInName);
    EXPECT_EQ(ValidateTopicName("a/b"), TopicError::None);
    EXPECT_EQ(ValidateTopicFilter("a/+"), TopicError::None);
    EXPECT_EQ(ValidateTopicFilter("a/#"), TopicError::None);
}

// [MQTT-4.7.1-2] '#' is the whole filter or follows '/', and is the last character.
TEST(Topic, Mqtt_4_7_1_2_MultiLevelWildcardPlacement)
{
    EXPECT_EQ(ValidateTopicFilter("#"), TopicError::None);
    EXPECT_EQ(ValidateTopicFilter("sport/#"), TopicError::None);
    EXPECT_EQ(ValidateTopicFilter("sport/tennis/#"), TopicError::None);
    EXPECT_EQ(ValidateTopicFilter("/#"), TopicError::None);
    EXPECT_EQ(ValidateTopicFilter("sport/tennis#"), TopicError::MisplacedMultiLevel);
    EXPECT_EQ(ValidateTopicFilter("sport/tennis/#/ranking"), TopicError::MisplacedMultiLevel);
    EXPECT_EQ(ValidateTopicFilter("a#"), TopicError::MisplacedMultiLevel);
    EXPECT_EQ(ValidateTopicFilter("#/a"), TopicError::MisplacedMultiLevel);
    EXPECT_EQ(ValidateTopicFilter("##"), TopicError::MisplacedMultiLevel);
}

// [MQTT-4.7.1-3] '+' occupies a whole level, at any level including first and last.
TEST(Topic, Mqtt_4_7_1_3_SingleLevelWildcardPlacement)
{
    EXPECT_EQ(ValidateTopicFilter("+"), TopicError::None);
    EXPECT_EQ(ValidateTopicFilter("+/tennis/#"), TopicError::None);
    EXPECT_EQ(ValidateTopicFilter("sport/+/player1"), TopicError::None);
    EXPECT_EQ(ValidateTopicFilter("+/+"), TopicError::None);
    EXPECT_EQ(ValidateTopicFilter("/+"), TopicError::None);
    EXPECT_EQ(ValidateTopicFilter("sport+"), TopicError::MisplacedSingleLevel);
    EXPECT_EQ(ValidateTopicFilter("a/+b"), TopicError::MisplacedSingleLevel);
    EXPECT_EQ(ValidateTopicFilter("++"), TopicError::MisplacedSingleLevel);
}

// [MQTT-4.7.3-1] names and filters are at least one character long.
TEST(Topic, Mqtt_4_7_3_1_EmptyTopicsRejected)
{
    EXPECT_EQ(ValidateTopicName(""), TopicError::Empty);
    EXPECT_EQ(ValidateTopicFilter(""), TopicError::Empty);
    // A single separator is a valid (two empty levels) topic.
    EXPECT_EQ(ValidateTopicName("/"), TopicError::None);
    EXPECT_EQ(ValidateTopicFilter("/"), TopicError::None);
}

// [MQTT-4.7.3-2] no U+0000 in names or filters.
TEST(Topic, Mqtt_4_7_3_2_NullCharacterRejected)
{
    EXPECT_EQ(ValidateTopicName(std::string("a\0b", 3)), TopicError::NullCharacter);
    EXPECT_EQ(ValidateTopicFilter(std::string("a/\0", 3)), TopicError::NullCharacter);
}

// [MQTT-4.7.3-3] at most 65535 bytes.
TEST(Topic, Mqtt_4_7_3_3_LengthLimit)
{
    EXPECT_EQ(ValidateTopicName(std::string(65535, 'a')), TopicError::None);
    EXPECT_EQ(ValidateTopicName(std::string(65536, 'a')), TopicError::TooLong);
    EXPECT_EQ(ValidateTopicFilter(std::string(65536, 'a')), TopicError::TooLong);
}

// [MQTT-1.5.3-1] topics are UTF-8 strings; ill-formed ones are refused.
TEST(Topic, Mqtt_1_5_3_1_MalformedUtf8Rejected)
{
    EXPECT_EQ(ValidateTopicName("a/\xED\xA0\x80"), TopicError::MalformedUtf8);
    EXPECT_EQ(ValidateTopicFilter("\xC3"), TopicError::MalformedUtf8);
}

// Section 4.7.1.2: the multi-level wildcard matches the parent and any number of levels.
TEST(Topic, MultiLevelMatching)
{
    EXPECT_TRUE(TopicMatches("sport/tennis/player1/#", "sport/tennis/player1"));
    EXPECT_TRUE(TopicMatches("sport/tennis/player1/#", "sport/tennis/player1/ranking"));
    EXPECT_TRUE(TopicMatches("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon"));
    EXPECT_TRUE(TopicMatches("sport/#", "sport"));
    EXPECT_TRUE(TopicMatches("#", "sport/tennis"));
    EXPECT_TRUE(TopicMatches("#", "/"));
    EXPECT_FALSE(TopicMatches("sport/tennis/#", "sport/tenni"));
    EXPECT_FALSE(TopicMatches("sport/#", "sports"));
}

// Section 4.7.1.3: the single-level wildcard matches exactly one level, possibly empty.
TEST(Topic, SingleLevelMatching)
{
    EXPECT_TRUE(TopicMatches("sport/tennis/+", "sport/tennis/player1"));
    EXPECT_TRUE(TopicMatches("sport/tennis/+", "sport/tennis/player2"));
    EXPECT_FALSE(TopicMatches("sport/tennis/+", "sport/tennis/player1/ranking"));
    EXPECT_TRUE(TopicMatches("sport/+", "sport/"));
    EXPECT_FALSE(TopicMatches("sport/+", "sport"));
    EXPECT_FALSE(TopicMatches("+", "/finance"));
    EXPECT_TRUE(TopicMatches("+/+", "/finance"));
    EXPECT_TRUE(TopicMatches("/+", "/finance"));
    EXPECT_TRUE(TopicMatches("+/tennis/#", "sport/tennis/player1"));
    EXPECT_TRUE(TopicMatches("+", ""));
}

TEST(Topic, LiteralMatchingAndEmptyLevels)
{
    EXPECT_TRUE(TopicMatches("a//b", "a//b"));
    EXPECT_FALSE(TopicMatches("a//b", "a/b"));
    EXPECT_TRUE(TopicMatches("a/+/b", "a//b"));
    EXPECT_TRUE(TopicMatches("/a", "/a"));
    EXPECT_FALSE(TopicMatches("/a", "a"));
    EXPECT_TRUE(TopicMatches("a/", "a/"));
    EXPECT_FALSE(TopicMatches("a/", "a"));
    // Names are case-sensitive and may contain spaces (section 4.7.3).
    EXPECT_FALSE(TopicMatches("ACCOUNTS", "Accounts"));
    EXPECT_TRUE(TopicMatches("Accounts payable", "Accounts payable"));
}

// [MQTT-4.7.2-1] a filter starting with a wildcard does not match '$' topics, but an explicit
// '$SYS' level does (section 4.7.2).
TEST(Topic, Mqtt_4_7_2_1_DollarTopicsNotMatchedByLeadingWildcard)
{
    EXPECT_FALSE(TopicMatches("#", "$SYS/broker/clients"));
    EXPECT_FALSE(TopicMatches("+/monitor/Clients", "$SYS/monitor/Clients"));
    EXPECT_FALSE(TopicMatches("+", "$SYS"));
    EXPECT_TRUE(TopicMatches("$SYS/#", "$SYS/monitor/Clients"));
    EXPECT_TRUE(TopicMatches("$SYS/monitor/+", "$SYS/monitor/Clients"));
    EXPECT_TRUE(TopicMatches("$SYS/#", "$SYS"));
    // A '$' later in the name is an ordinary character.
    EXPECT_TRUE(TopicMatches("#", "a/$b"));
    EXPECT_TRUE(TopicMatches("+/+", "a/$b"));
}

// [MQTT-4.7.3-4] matching compares raw bytes: no Unicode normalisation.
TEST(Topic, Mqtt_4_7_3_4_NoNormalisation)
{
    const std::string precomposed = "caf\xC3\xA9"; // U+00E9
    const std::string decomposed = "cafe\xCC\x81"; // e + U+0301
    EXPECT_EQ(ValidateTopicName(precomposed), TopicError::None);
    EXPECT_EQ(ValidateTopicName(decomposed), TopicError::None);
    EXPECT_FALSE(TopicMatches(precomposed, decomposed));
    EXPECT_FALSE(TopicMatches(decomposed, precomposed));
    EXPECT_TRUE(TopicMatches(precomposed, precomposed));
}

TEST(Topic, LevelCount)
{
    EXPECT_EQ(TopicLevelCount("a"), 1u);
    EXPECT_EQ(TopicLevelCount("a/b"), 2u);
    EXPECT_EQ(TopicLevelCount("/"), 2u);
    EXPECT_EQ(TopicLevelCount("a//b/"), 4u);
}
