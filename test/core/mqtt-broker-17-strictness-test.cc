/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine: what a strict broker refuses although it decodes (doc/conformance.md). Control
 * characters in strings (section 1.5.3: a receiver MAY close), acknowledgements of the wrong
 * kind for a delivery in flight (section 4.8), and the will of a connection taken over by a
 * reconnect that resumes its session.
 */
#include "mqtt-broker-test-harness.h"

#include "mqtt-broker-settings.h"
#include "mqtt-utf8.h"

using namespace brokertest;

namespace
{

/** U+0001, U+001F, U+007F (DEL), U+0080 and U+009F, each inside a topic level. */
const char* const CONTROL_TOPICS[] = {"a\001b", "a\x1f", "\x7f", "a/\xc2\x80", "\xc2\x9f/b"};

MqttBrokerProfile
Tolerant()
{
    MqttBrokerProfile p = MqttBrokerProfile::Standard311();
    p.closeOnControlCharacters = false;
    return p;
}

} // namespace

TEST(BrokerStrictness, ControlCharactersAreFoundExactly)
{
    for (const char* s : CONTROL_TOPICS)
    {
        EXPECT_TRUE(HasControlCharacter(s)) << Hex(Payload(s));
    }
    // U+00A0 (C2 A0), U+0100 (C4 80), U+FEFF and plain ASCII are no control characters.
    EXPECT_FALSE(HasControlCharacter("a/b c~"));
    EXPECT_FALSE(HasControlCharacter("\xc2\xa0"));
    EXPECT_FALSE(HasControlCharacter("\xc4\x80"));
    EXPECT_FALSE(HasControlCharacter("\xef\xbb\xbf"));
    EXPECT_FALSE(HasControlCharacter(""));
}

TEST(BrokerStrictness, Mqtt_1_5_3_ControlCharacterInAPublishTopicCloses)
{
    // Section 1.5.3: a receiver MAY close on U+0001..U+001F, U+007F..U+009F; the standard
    // profile does, with PolicyViolation, and nothing is routed. Its will fires.
    for (const char* topic : CONTROL_TOPICS)
    {
        BrokerHarness h;
        h.Connect(1, "watcher");
        h.Subscribe(1, "#", Qos::AtMostOnce);
        ConnectPacket dev = MakeConnect("dev");
        dev.will = Will{"w", Payload("gone"), Qos::AtMostOnce, false};
        h.Connect(2, dev);
        h.Send(2, MakePublish(topic, "x", Qos::AtLeastOnce, 1));
        EXPECT_EQ(h.ClosedWith(2), CloseReason::PolicyViolation) << Hex(Payload(topic));
        EXPECT_EQ(h.TakeHex(2), "");                          // no PUBACK
        EXPECT_EQ(h.TakeHex(1), "30 07 00 01 77 67 6f 6e 65"); // only the will
    }
}

TEST(BrokerStrictness, Mqtt_1_5_3_ControlCharacterInFiltersCloses)
{
    BrokerHarness h;
    h.Connect(1, "a");
    h.Send(1, MakeSubscribe(1, {{"ok/#", Qos::AtMostOnce}, {"x/\x1b/#", Qos::AtMostOnce}}));
    EXPECT_EQ(h.ClosedWith(1), CloseReason::PolicyViolation);
    EXPECT_EQ(h.TakeHex(1), ""); // no SUBACK, and no filter of the packet was made
    EXPECT_EQ(h.Engine().SubscriptionCount("a"), 0u);

    h.Connect(2, "b");
    h.Subscribe(2, "t", Qos::AtMostOnce);
    UnsubscribePacket u;
    u.packetId = 2;
    u.filters = {"t", "\xc2\x85"};
    h.Send(2, u);
    EXPECT_EQ(h.ClosedWith(2), CloseReason::PolicyViolation);
    EXPECT_EQ(h.TakeHex(2), "");
}

TEST(BrokerStrictness, Mqtt_3_1_3_9_ControlCharacterInAClientIdGetsConnack2)
{
    // [MQTT-3.1.3-9]: a rejected client id is answered CONNACK 0x02, then the connection closes.
    BrokerHarness h;
    h.Open(1);
    h.Send(1, MakeConnect("dev\x07"));
    EXPECT_EQ(h.TakeHex(1), "20 02 00 02");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::ConnectRefused);
}

TEST(BrokerStrictness, Mqtt_1_5_3_ControlCharacterInUserNameOrWillTopicCloses)
{
    BrokerHarness h;
    h.Open(1);
    ConnectPacket user = MakeConnect("dev");
    user.userName = "bob\t";
    h.Send(1, user);
    EXPECT_EQ(h.TakeHex(1), ""); // closed before any CONNACK
    EXPECT_EQ(h.ClosedWith(1), CloseReason::PolicyViolation);

    h.Open(2);
    ConnectPacket will = MakeConnect("dev");
    will.will = Will{"w/\x7f", Payload("gone"), Qos::AtMostOnce, false};
    h.Send(2, will);
    EXPECT_EQ(h.TakeHex(2), "");
    EXPECT_EQ(h.ClosedWith(2), CloseReason::PolicyViolation);
    EXPECT_EQ(h.Count(EventType::WillPublished), 0u);
    EXPECT_FALSE(h.Engine().IsConnected("dev"));
}

TEST(BrokerStrictness, TolerantProfileAcceptsControlCharacters)
{
    BrokerHarness h(Tolerant());
    ConnectPacket c = MakeConnect("dev\x01");
    c.userName = "bob\t";
    c.will = Will{"w\x02", Payload("gone"), Qos::AtMostOnce, false};
    h.Connect(1, c);
    h.Subscribe(1, "a\x01" "b", Qos::AtMostOnce);
    h.Send(1, MakePublish("a\x01" "b", "x"));
    EXPECT_EQ(h.TakeHex(1), "30 06 00 03 61 01 62 78");
    EXPECT_TRUE(h.IsOpen(1));
}

TEST(BrokerStrictness, ProfilesSayWhetherTheyCloseOnControlCharacters)
{
    EXPECT_TRUE(MqttBrokerProfile::Standard311().closeOnControlCharacters);
    EXPECT_FALSE(MqttBrokerProfile::AwsIotCore().closeOnControlCharacters);
    EXPECT_FALSE(MqttBrokerProfile::AwsIotCore2021().closeOnControlCharacters);
    MqttBrokerProfile p = MqttBrokerProfile::Standard311();
    EXPECT_FALSE(MqttBrokerSettings::Apply(&p, "close-on-control-characters", "false"));
    EXPECT_FALSE(p.closeOnControlCharacters);
}

// --- Acknowledgements of the wrong kind (section 4.8) ------------------------------------------

namespace
{

/** "sub" on 2 has one delivery of @p qos in flight with packet id 1. */
void
OneDeliveryInFlight(BrokerHarness& h, Qos qos)
{
    h.ConnectPubSub("t", qos);
    h.Send(1, MakePublish("t", "a", qos, 7));
    h.TakeHex(1);
    EXPECT_EQ(h.TakeHex(2), qos == Qos::AtLeastOnce ? "32 06 00 01 74 00 01 61"
                                                     : "34 06 00 01 74 00 01 61");
}

} // namespace

TEST(BrokerStrictness, Mqtt_4_8_0_1_PubrecOrPubcompForAQos1DeliveryCloses)
{
    // [MQTT-4.3.2-1]: a QoS 1 delivery is completed by PUBACK only; PUBREC or PUBCOMP for its
    // identifier is a protocol violation, which closes the connection [MQTT-4.8.0-1].
    for (const char* ack : {"50 02 00 01", "70 02 00 01"})
    {
        BrokerHarness h;
        OneDeliveryInFlight(h, Qos::AtLeastOnce);
        h.FeedHex(2, ack);
        EXPECT_EQ(h.ClosedWith(2), CloseReason::ProtocolError) << ack;
        EXPECT_EQ(h.TakeHex(2), "") << ack; // no PUBREL
        EXPECT_EQ(h.Count(EventType::MessageDelivered), 0u) << ack;
    }
}

TEST(BrokerStrictness, Mqtt_4_8_0_1_PubackOrEarlyPubcompForAQos2DeliveryCloses)
{
    // [MQTT-4.3.3-1]: a QoS 2 delivery awaits PUBREC, then PUBCOMP after the broker's PUBREL.
    // PUBACK, or PUBCOMP before the PUBREL, is a protocol violation [MQTT-4.8.0-1].
    for (const char* ack : {"40 02 00 01", "70 02 00 01"})
    {
        BrokerHarness h;
        OneDeliveryInFlight(h, Qos::ExactlyOnce);
        h.FeedHex(2, ack);
        EXPECT_EQ(h.ClosedWith(2), CloseReason::ProtocolError) << ack;
        EXPECT_EQ(h.Count(EventType::MessageDelivered), 0u) << ack;
    }
    // After PUBREC and the broker's PUBREL, a PUBACK is still the wrong kind.
    BrokerHarness h;
    OneDeliveryInFlight(h, Qos::ExactlyOnce);
    h.FeedHex(2, "50 02 00 01");
    EXPECT_EQ(h.TakeHex(2), "62 02 00 01");
    h.FeedHex(2, "40 02 00 01");
    EXPECT_EQ(h.ClosedWith(2), CloseReason::ProtocolError);
}

TEST(BrokerStrictness, Mqtt_4_3_3_1_RightAcksAndRepeatsStillComplete)
{
    // The right kinds complete as before; a repeated PUBREC gets PUBREL again [MQTT-4.3.3-1];
    // acknowledgements for identifiers not in flight (late repeats) are ignored, not refused.
    BrokerHarness h;
    OneDeliveryInFlight(h, Qos::ExactlyOnce);
    h.FeedHex(2, "50 02 00 01");
    h.FeedHex(2, "50 02 00 01");
    EXPECT_EQ(h.TakeHex(2), "62 02 00 01 62 02 00 01");
    h.FeedHex(2, "70 02 00 01");
    EXPECT_EQ(h.Count(EventType::MessageDelivered), 1u);
    h.FeedHex(2, "40 02 00 01 70 02 00 01 40 02 00 09");
    EXPECT_TRUE(h.IsOpen(2));
    EXPECT_EQ(h.TakeHex(2), "");
}

TEST(BrokerStrictness, Mqtt_4_3_3_2_PubrelForAnIdNotHeldIsStillCompleted)
{
    // A PUBREL for an identifier the broker no longer holds cannot be told from one re-sent
    // after our PUBCOMP was lost: it is answered PUBCOMP [MQTT-4.3.3-2], never refused.
    BrokerHarness h;
    h.Connect(1, "pub");
    h.FeedHex(1, "62 02 00 05");
    EXPECT_EQ(h.TakeHex(1), "70 02 00 05");
    EXPECT_TRUE(h.IsOpen(1));
}

// --- Wills on takeover -------------------------------------------------------------------------

namespace
{

/** A watcher on 1 subscribed to "w"; "dev" (CleanSession @p clean) with a will on 2. */
void
WatchedDevice(BrokerHarness& h, bool clean)
{
    h.Connect(1, "watcher");
    h.Subscribe(1, "w", Qos::AtMostOnce);
    ConnectPacket p = MakeConnect("dev", clean);
    p.will = Will{"w", Payload("gone"), Qos::AtMostOnce, false};
    h.Connect(2, p);
}

} // namespace

TEST(BrokerStrictness, Mqtt_3_1_2_8_TakeoverWillFiresByDefaultEvenOnResume)
{
    // [MQTT-3.1.2-8]: the will is published when the connection closes without DISCONNECT; a
    // takeover that resumes the session is such a close, so the standard profile publishes it.
    BrokerHarness h;
    WatchedDevice(h, false);
    EXPECT_TRUE(h.Connect(3, "dev", false));
    EXPECT_EQ(h.ClosedWith(2), CloseReason::Takeover);
    EXPECT_EQ(h.TakeHex(1), "30 07 00 01 77 67 6f 6e 65");
}

TEST(BrokerStrictness, TakeoverWillDiscardOnResumeDropsItOnlyWhenTheSessionResumes)
{
    MqttBrokerProfile profile = MqttBrokerProfile::Standard311();
    ASSERT_FALSE(MqttBrokerSettings::Apply(&profile, "takeover-will", "discard-on-resume"));
    EXPECT_EQ(profile.takeoverWill, TakeoverWillPolicy::DiscardOnResume);
    {
        // CleanSession 0 finding the stored session: the device is alive, no will.
        BrokerHarness h(profile);
        WatchedDevice(h, false);
        EXPECT_TRUE(h.Connect(3, "dev", false));
        EXPECT_EQ(h.ClosedWith(2), CloseReason::Takeover);
        EXPECT_EQ(h.TakeHex(1), "");
        EXPECT_EQ(h.Count(EventType::WillPublished), 0u);
    }
    {
        // A clean reconnect starts a new session: the will fires.
        BrokerHarness h(profile);
        WatchedDevice(h, false);
        EXPECT_FALSE(h.Connect(3, "dev", true));
        EXPECT_EQ(h.TakeHex(1), "30 07 00 01 77 67 6f 6e 65");
    }
    {
        // The old connection had a clean session: nothing to resume, the will fires.
        BrokerHarness h(profile);
        WatchedDevice(h, true);
        EXPECT_FALSE(h.Connect(3, "dev", false));
        EXPECT_EQ(h.TakeHex(1), "30 07 00 01 77 67 6f 6e 65");
    }
}
