/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: message ordering (section 4.6).
 */
#include "mqtt-broker-test-harness.h"

using namespace brokertest;

namespace
{

/** The payloads of the PUBLISH packets among @p packets, in order. */
std::vector<std::string>
Payloads(const std::vector<Packet>& packets)
{
    std::vector<std::string> out;
    for (const Packet& p : packets)
    {
        if (const auto* pub = std::get_if<PublishPacket>(&p))
        {
            out.emplace_back(pub->payload.begin(), pub->payload.end());
        }
    }
    return out;
}

} // namespace

TEST(BrokerOrdering, Mqtt_4_6_0_6_MessagesFromOnePublisherArriveInOrder)
{
    // [MQTT-4.6.0-5] [MQTT-4.6.0-6]: every topic is ordered; two publishers interleaved on
    // three topics, QoS 1 with a small window and acknowledgements in scrambled order: the
    // subscriber sees each publisher's messages in the order they were sent.
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxInflightOut = 3;
    BrokerHarness h(profile);
    h.Connect(1, "pa");
    h.Connect(2, "pb");
    h.Connect(3, "sub");
    h.Subscribe(3, "#", Qos::AtLeastOnce);
    std::vector<std::string> expected;
    for (int i = 0; i < 30; ++i)
    {
        std::string topic = "t" + std::to_string(i % 3);
        std::string a = "a" + std::to_string(i);
        std::string b = "b" + std::to_string(i);
        h.Send(1, MakePublish(topic, a, Qos::AtLeastOnce, static_cast<uint16_t>(i + 1)));
        h.Send(2, MakePublish(topic, b, Qos::AtLeastOnce, static_cast<uint16_t>(i + 1)));
        expected.push_back(a);
        expected.push_back(b);
    }
    std::vector<std::string> got;
    for (int round = 0; round < 100 && got.size() < expected.size(); ++round)
    {
        std::vector<Packet> packets = h.TakePackets(3);
        std::vector<uint16_t> ids;
        for (const Packet& p : packets)
        {
            ids.push_back(std::get<PublishPacket>(p).packetId);
        }
        for (const std::string& s : Payloads(packets))
        {
            got.push_back(s);
        }
        // Acknowledge newest first.
        for (auto it = ids.rbegin(); it != ids.rend(); ++it)
        {
            h.Send(3, PubackPacket{*it});
        }
    }
    EXPECT_EQ(got, expected);
}

TEST(BrokerOrdering, Mqtt_4_6_0_2_PubacksInTheOrderPublishesArrived)
{
    // [MQTT-4.6.0-2] [MQTT-4.6.0-3]: acknowledgements to a publisher follow the order of its
    // PUBLISH packets, QoS 1 and 2 mixed.
    BrokerHarness h;
    h.Connect(1, "pub");
    h.FeedHex(1,
              "32 06 00 01 74 00 05 61 34 06 00 01 74 00 03 62 32 06 00 01 74 00 09 63 "
              "34 06 00 01 74 00 01 64");
    EXPECT_EQ(h.TakeHex(1), "40 02 00 05 50 02 00 03 40 02 00 09 50 02 00 01");
}

TEST(BrokerOrdering, Mqtt_4_6_0_1_ResentPublishesKeepTheirOriginalOrder)
{
    // [MQTT-4.6.0-1] [MQTT-4.4.0-1]: ids wrap around, so send order is not id order; the
    // resend after reconnect follows send order (65534, 65535, 1, 2), not id order.
    BrokerHarness h;
    h.ConnectPubAndPersistentSub("t", Qos::AtLeastOnce);
    std::vector<uint8_t> publish = Bytes(MakePublish("t", "", Qos::AtLeastOnce, 1));
    for (int i = 1; i <= 65533; ++i)
    {
        h.Feed(1, publish);
        h.Send(2, PubackPacket{static_cast<uint16_t>(i)});
        h.TakeEvents();
        h.ClearLog();
    }
    h.TakeHex(2);
    h.TakeHex(1);
    for (const char* p : {"w", "x", "y", "z"})
    {
        h.Send(1, MakePublish("t", p, Qos::AtLeastOnce, 1));
    }
    EXPECT_EQ(h.TakeHex(2),
              "32 06 00 01 74 ff fe 77 32 06 00 01 74 ff ff 78 "
              "32 06 00 01 74 00 01 79 32 06 00 01 74 00 02 7a");
    h.NetClose(2);
    h.Connect(3, "sub", false);
    EXPECT_EQ(h.TakeHex(3),
              "3a 06 00 01 74 ff fe 77 3a 06 00 01 74 ff ff 78 "
              "3a 06 00 01 74 00 01 79 3a 06 00 01 74 00 02 7a");
}

TEST(BrokerOrdering, OfflineQueueDrainsInOrderThroughTheWindow)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    profile.maxInflightOut = 2;
    BrokerHarness h(profile);
    h.ConnectPubAndOfflineSub("#", Qos::ExactlyOnce);
    std::vector<std::string> expected;
    for (int i = 0; i < 10; ++i)
    {
        std::string p = std::to_string(i);
        h.Send(1,
               MakePublish(i % 2 ? "odd" : "even",
                           p,
                           i % 3 ? Qos::AtLeastOnce : Qos::ExactlyOnce,
                           static_cast<uint16_t>(i + 1)));
        expected.push_back(p);
    }
    h.Connect(3, "sub", false);
    std::vector<std::string> got;
    for (int round = 0; round < 50; ++round)
    {
        std::vector<Packet> packets = h.TakePackets(3);
        if (packets.empty())
        {
            break;
        }
        for (const Packet& p : packets)
        {
            if (const auto* pub = std::get_if<PublishPacket>(&p))
            {
                got.emplace_back(pub->payload.begin(), pub->payload.end());
                if (pub->qos == Qos::AtLeastOnce)
                {
                    h.Send(3, PubackPacket{pub->packetId});
                }
                else
                {
                    h.Send(3, PubrecPacket{pub->packetId});
                }
            }
            else if (const auto* rel = std::get_if<PubrelPacket>(&p))
            {
                h.Send(3, PubcompPacket{rel->packetId});
            }
        }
    }
    EXPECT_EQ(got, expected);
    EXPECT_EQ(h.Engine().QueueDepth("sub"), 0u);
}
