/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * UTF-8 rules of MQTT strings (section 1.5.3).
 */
#include "mqtt-utf8.h"

#include <gtest/gtest.h>

#include <string>

using namespace ns3::mqtt;

namespace
{

std::string
Bytes(std::initializer_list<int> bytes)
{
    std::string s;
    for (int b : bytes)
    {
        s.push_back(static_cast<char>(b));
    }
    return s;
}

} // namespace

TEST(Utf8, AcceptsAsciiAndMultiByteCharacters)
{
    EXPECT_EQ(CheckUtf8(""), Utf8Status::Valid);
    EXPECT_EQ(CheckUtf8("sensors/temp"), Utf8Status::Valid);
    // The spec's own example (section 1.5.3.1): U+2A6D4 followed by A.
    EXPECT_EQ(CheckUtf8(Bytes({'A', 0xF0, 0xAA, 0x9B, 0x94})), Utf8Status::Valid);
    EXPECT_EQ(CheckUtf8(Bytes({0xC3, 0xA9})), Utf8Status::Valid);             // U+00E9
    EXPECT_EQ(CheckUtf8(Bytes({0xE2, 0x82, 0xAC})), Utf8Status::Valid);       // U+20AC
    EXPECT_EQ(CheckUtf8(Bytes({0xF4, 0x8F, 0xBF, 0xBF})), Utf8Status::Valid); // U+10FFFF
}

// [MQTT-1.5.3-1] ill-formed UTF-8 and encoded surrogates are rejected.
TEST(Utf8, Mqtt_1_5_3_1_RejectsIllFormedSequencesAndSurrogates)
{
    EXPECT_EQ(CheckUtf8(Bytes({0x80})), Utf8Status::Malformed);             // lone continuation
    EXPECT_EQ(CheckUtf8(Bytes({0xC3})), Utf8Status::Malformed);             // truncated
    EXPECT_EQ(CheckUtf8(Bytes({0xE2, 0x82})), Utf8Status::Malformed);       // truncated
    EXPECT_EQ(CheckUtf8(Bytes({0xC3, 0x41})), Utf8Status::Malformed);       // bad continuation
    EXPECT_EQ(CheckUtf8(Bytes({0xC1, 0xBF})), Utf8Status::Malformed);       // overlong U+007F
    EXPECT_EQ(CheckUtf8(Bytes({0xE0, 0x80, 0xAF})), Utf8Status::Malformed); // overlong '/'
    EXPECT_EQ(CheckUtf8(Bytes({0xED, 0xA0, 0x80})), Utf8Status::Malformed); // U+D800
    EXPECT_EQ(CheckUtf8(Bytes({0xED, 0xBF, 0xBF})), Utf8Status::Malformed); // U+DFFF
    EXPECT_EQ(CheckUtf8(Bytes({0xF4, 0x90, 0x80, 0x80})), Utf8Status::Malformed); // > U+10FFFF
    EXPECT_EQ(CheckUtf8(Bytes({0xF8, 0x88, 0x80, 0x80, 0x80})), Utf8Status::Malformed);
    EXPECT_EQ(CheckUtf8(Bytes({0xFF})), Utf8Status::Malformed);
}

// [MQTT-1.5.3-2] U+0000 is refused, both raw and in its overlong two-byte form.
TEST(Utf8, Mqtt_1_5_3_2_RejectsNullCharacter)
{
    EXPECT_EQ(CheckUtf8(Bytes({'a', 0x00, 'b'})), Utf8Status::NullCharacter);
    EXPECT_EQ(CheckUtf8(Bytes({0xC0, 0x80})), Utf8Status::Malformed);
}

// [MQTT-1.5.3-3] EF BB BF is U+FEFF, an ordinary character: accepted, not stripped.
TEST(Utf8, Mqtt_1_5_3_3_KeepsByteOrderMarkAsCharacter)
{
    const std::string withBom = Bytes({0xEF, 0xBB, 0xBF, 'a'});
    EXPECT_EQ(CheckUtf8(withBom), Utf8Status::Valid);
    EXPECT_EQ(withBom.size(), 4u);
}
