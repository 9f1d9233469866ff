/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Packet identifier allocation (section 2.3.1).
 */
#include "mqtt-packet-id-allocator.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

using namespace ns3::mqtt;

// [MQTT-2.3.1-1], [MQTT-2.3.1-2]: non-zero ids, never one in use; round-robin after the last one
// handed out, so a just-freed id is not reused at once.
TEST(PacketIdAllocator, AllocatesUnusedIdsRoundRobin)
{
    MqttPacketIdAllocator ids;
    EXPECT_EQ(ids.Allocate(), 1);
    EXPECT_EQ(ids.Allocate(), 2);
    EXPECT_EQ(ids.Allocate(), 3);
    EXPECT_TRUE(ids.Release(2));
    EXPECT_FALSE(ids.Release(2));
    EXPECT_EQ(ids.Allocate(), 4);
    EXPECT_TRUE(ids.Contains(1));
    EXPECT_FALSE(ids.Contains(2));
    EXPECT_EQ(ids.Size(), 3u);
}

TEST(PacketIdAllocator, WrapsAroundSkippingIdsInUse)
{
    MqttPacketIdAllocator ids;
    EXPECT_TRUE(ids.Reserve(65534));
    EXPECT_TRUE(ids.Reserve(1));
    EXPECT_TRUE(ids.Reserve(3));
    EXPECT_FALSE(ids.Reserve(3));
    EXPECT_FALSE(ids.Reserve(0));
    // Allocation continues after the last id it handed out (none yet): 2, 4, ...
    EXPECT_EQ(ids.Allocate(), 2);
    EXPECT_EQ(ids.Allocate(), 4);
    ids.Clear();
    EXPECT_EQ(ids.Size(), 0u);
    EXPECT_EQ(ids.Allocate(), 1);
}

TEST(PacketIdAllocator, WrapsFrom65535ToOne)
{
    MqttPacketIdAllocator ids;
    for (int i = 1; i <= 65533; ++i)
    {
        ASSERT_EQ(ids.Allocate(), i);
    }
    ids.Reserve(65535);
    ids.Release(5);
    ids.Release(1);
    // 65534 is next, then 65535 is taken, so it wraps to 1.
    EXPECT_EQ(ids.Allocate(), 65534);
    EXPECT_EQ(ids.Allocate(), 1);
    EXPECT_EQ(ids.Allocate(), 5);
    EXPECT_TRUE(ids.Full());
    EXPECT_EQ(ids.Allocate(), 0);
    ids.Release(40000);
    EXPECT_FALSE(ids.Full());
    EXPECT_EQ(ids.Allocate(), 40000);
}

// Against a std::set model under random allocate/release.
TEST(PacketIdAllocator, MatchesASetModel)
{
    MqttPacketIdAllocator ids;
    std::set<uint16_t> model;
    std::mt19937 gen(42);
    for (int step = 0; step < 50000; ++step)
    {
        if (model.empty() || gen() % 3 != 0)
        {
            uint16_t id = ids.Allocate();
            ASSERT_NE(id, 0);
            ASSERT_TRUE(model.insert(id).second) << "id " << id << " was in use";
        }
        else
        {
            auto it = model.begin();
            std::advance(it, gen() % model.size());
            ASSERT_TRUE(ids.Release(*it));
            model.erase(it);
        }
        ASSERT_EQ(ids.Size(), model.size());
        if (model.size() > 3000)
        {
            while (model.size() > 100)
            {
                ids.Release(*model.begin());
                model.erase(model.begin());
            }
        }
    }
}
