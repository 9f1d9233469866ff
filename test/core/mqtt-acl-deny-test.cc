/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Topic access control: mosquitto's "deny" access (doc/auth.md). A deny rule that applies to a
 * client wins over every grant for the topics it matches; a subscription is refused (SUBACK
 * 0x80) when a deny rule covers the whole filter, and messages of denied topics are withheld
 * from a wider subscription.
 */
#include "mqtt-acl-test-util.h"
#include "mqtt-broker-test-harness.h"

using namespace brokertest;
using mqtt_test::Acl;
using mqtt_test::ANONYMOUS;

TEST(AclDeny, DenyWinsOverAGrantForPublishAndReceive)
{
    const MqttAcl acl = Acl("topic readwrite a/#\n"
                            "topic deny a/secret/#\n");
    EXPECT_TRUE(acl.MayPublish("c", ANONYMOUS, "a/open"));
    EXPECT_TRUE(acl.MayReceive("c", ANONYMOUS, "a/open"));
    EXPECT_FALSE(acl.MayPublish("c", ANONYMOUS, "a/secret"));
    EXPECT_FALSE(acl.MayPublish("c", ANONYMOUS, "a/secret/x"));
    EXPECT_FALSE(acl.MayReceive("c", ANONYMOUS, "a/secret/x"));
    EXPECT_EQ(acl.RuleCount(), 2u);
}

TEST(AclDeny, DenyOrderAndBlockDoNotMatterButItAppliesOnlyToItsClients)
{
    // Before the grant, or in a user block: still wins, for the clients it applies to.
    const MqttAcl acl = Acl("topic deny x/#\n"
                            "topic readwrite #\n"
                            "user bob\n"
                            "topic deny a/b\n");
    EXPECT_FALSE(acl.MayPublish("c", ANONYMOUS, "x/1"));
    EXPECT_TRUE(acl.MayPublish("c", ANONYMOUS, "a/b"));
    EXPECT_TRUE(acl.MayPublish("c", std::string("alice"), "a/b"));
    EXPECT_FALSE(acl.MayPublish("c", std::string("bob"), "a/b"));
    EXPECT_FALSE(acl.MayReceive("c", std::string("bob"), "a/b"));
    EXPECT_TRUE(acl.MayReceive("c", std::string("bob"), "a/c"));
}

TEST(AclDeny, SubscribeIsRefusedOnlyWhenADenyRuleCoversTheWholeFilter)
{
    const MqttAcl acl = Acl("topic read a/#\n"
                            "topic deny a/secret/#\n");
    EXPECT_FALSE(acl.MaySubscribe("c", ANONYMOUS, "a/secret/#"));
    EXPECT_FALSE(acl.MaySubscribe("c", ANONYMOUS, "a/secret/+"));
    EXPECT_FALSE(acl.MaySubscribe("c", ANONYMOUS, "a/secret"));
    // Partly denied: granted; the denied topics are withheld at delivery.
    EXPECT_TRUE(acl.MaySubscribe("c", ANONYMOUS, "a/#"));
    EXPECT_TRUE(acl.MaySubscribe("c", ANONYMOUS, "a/+/x"));
    EXPECT_FALSE(acl.MayReceive("c", ANONYMOUS, "a/secret/x"));
}

TEST(AclDeny, PatternDenySubstitutesAndFailsSafe)
{
    const MqttAcl acl = Acl("topic readwrite devices/#\n"
                            "pattern deny devices/%c/config\n"
                            "pattern deny private/%u/#\n"
                            "topic readwrite private/#\n");
    EXPECT_FALSE(acl.MayPublish("d1", ANONYMOUS, "devices/d1/config"));
    EXPECT_TRUE(acl.MayPublish("d1", ANONYMOUS, "devices/d2/config"));
    EXPECT_FALSE(acl.MayPublish("d1", std::string("bob"), "private/bob/x"));
    EXPECT_TRUE(acl.MayPublish("d1", std::string("bob"), "private/eve/x"));
    // A pattern needing a user name does not apply to a client without one...
    EXPECT_TRUE(acl.MayPublish("d1", ANONYMOUS, "private/eve/x"));
    // ...but one that cannot be filled in for a client ('+', '#', '/', a leading '$') denies
    // it everything: a client id "+" must not escape "devices/%c/config".
    EXPECT_FALSE(acl.MayPublish("+", ANONYMOUS, "devices/+/config"));
    EXPECT_FALSE(acl.MayPublish("a/b", ANONYMOUS, "devices/x"));
    EXPECT_FALSE(acl.MayReceive("d1", std::string("a/b"), "devices/x"));
}

TEST(AclDeny, Mqtt_3_9_3_2_DeniedFilterGetsSuback0x80AndDeniedTopicsAreWithheld)
{
    // [MQTT-3.8.4-5] [MQTT-3.9.3-2]: the denied filter gets 0x80 in its place; the others are
    // granted. A message on a denied topic is not delivered through the wider subscription.
    BrokerHarness h;
    auto acl = std::make_shared<MqttAcl>(Acl("topic readwrite a/#\n"
                                             "topic deny a/secret\n"));
    h.Engine().SetAcl(acl);
    h.Connect(1, "sub");
    h.Send(1, MakeSubscribe(3, {{"a/#", Qos::AtMostOnce}, {"a/secret", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(1), "90 04 00 03 00 80");
    EXPECT_EQ(h.Count(EventType::SubscriptionDenied), 1u);
    h.Connect(2, "pub");
    h.Send(2, MakePublish("a/open", "1"));
    h.Send(2, MakePublish("a/secret", "2")); // denied to publish, too
    EXPECT_EQ(h.TakeHex(1), "30 09 00 06 61 2f 6f 70 65 6e 31");
}
