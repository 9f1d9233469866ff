/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The payload stamp of generated messages (doc/payload-format.md): exact bytes and round trips.
 */
#include "mqtt-payload-stamp.h"

#include <gtest/gtest.h>

using ns3::mqtt::MqttPayloadStamp;

TEST(PayloadStamp, EncodesExactBigEndianLayout)
{
    MqttPayloadStamp stamp;
    stamp.publisher = MqttPayloadStamp::PublisherId(0x01020304, 0x05060708);
    stamp.sequence = 0x1112131415161718ULL;
    stamp.sendTimeNs = 0x2122232425262728LL;
    std::vector<uint8_t> payload = stamp.MakePayload(30);
    const std::vector<uint8_t> expected = {
        'M',  'Q',  1,                                  // magic, version
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // publisher
        0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, // sequence
        0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, // send time
        0,    0,    0,                                  // filler
    };
    EXPECT_EQ(payload, expected);
}

TEST(PayloadStamp, RoundTripsAtExactSize)
{
    MqttPayloadStamp stamp;
    stamp.publisher = 7;
    stamp.sequence = 12345;
    stamp.sendTimeNs = 1'500'000'000;
    std::vector<uint8_t> payload = stamp.MakePayload(MqttPayloadStamp::SIZE);
    ASSERT_EQ(payload.size(), MqttPayloadStamp::SIZE);
    auto decoded = MqttPayloadStamp::Decode(payload.data(), payload.size());
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, stamp);
}

TEST(PayloadStamp, ShortPayloadIsOnlyFiller)
{
    MqttPayloadStamp stamp;
    stamp.publisher = 1;
    std::vector<uint8_t> payload = stamp.MakePayload(MqttPayloadStamp::SIZE - 1);
    EXPECT_EQ(payload, std::vector<uint8_t>(MqttPayloadStamp::SIZE - 1, 0));
    EXPECT_FALSE(MqttPayloadStamp::Decode(payload.data(), payload.size()).has_value());
    EXPECT_TRUE(stamp.MakePayload(0).empty());
}

TEST(PayloadStamp, RejectsWrongMagicOrVersion)
{
    MqttPayloadStamp stamp;
    std::vector<uint8_t> payload = stamp.MakePayload(40);
    ASSERT_TRUE(MqttPayloadStamp::Decode(payload.data(), payload.size()).has_value());
    for (std::size_t i = 0; i < 3; ++i)
    {
        std::vector<uint8_t> bad = payload;
        bad[i] ^= 0x40;
        EXPECT_FALSE(MqttPayloadStamp::Decode(bad.data(), bad.size()).has_value()) << i;
    }
}

TEST(PayloadStamp, NegativeSendTimeSurvives)
{
    MqttPayloadStamp stamp;
    stamp.sendTimeNs = -5;
    std::vector<uint8_t> payload = stamp.MakePayload(MqttPayloadStamp::SIZE);
    EXPECT_EQ(MqttPayloadStamp::Decode(payload.data(), payload.size())->sendTimeNs, -5);
}
