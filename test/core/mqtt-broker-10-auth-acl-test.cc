/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Broker engine with an authenticator and an ACL (section 3.1.4 step 3, section 3.3.5).
 */
#include "mqtt-acl.h"
#include "mqtt-authenticator.h"
#include "mqtt-broker-test-harness.h"

#include <memory>

using namespace brokertest;

namespace
{

ConnectPacket
WithUser(const std::string& clientId,
         std::optional<std::string> user,
         std::optional<std::string> password)
{
    ConnectPacket p = MakeConnect(clientId);
    p.userName = std::move(user);
    if (password)
    {
        p.password = Payload(*password);
    }
    return p;
}

std::shared_ptr<MqttAcl>
ParseAcl(std::string_view text)
{
    auto acl = std::make_shared<MqttAcl>();
    MqttConfigError error;
    EXPECT_TRUE(acl->Parse(text, "acl", error)) << error.ToString();
    return acl;
}

} // namespace

TEST(BrokerAuth, EveryPasswordCheckedIsOneAuthOperationForTheServiceModel)
{
    // A CONNECT with a user name has its password checked (a hash: the service model's `auth`,
    // doc/capacity.md), whether it passes or not; an anonymous one does not.
    BrokerHarness h;
    auto auth = std::make_shared<MqttAuthenticator>();
    auth->SetUser("alice", Payload("secret"));
    auth->SetAllowAnonymous(true);
    h.Engine().SetAuthenticator(auth);
    h.Open(1);
    h.Send(1, WithUser("c1", "alice", "secret"));
    EXPECT_EQ(h.TakeHex(1), "20 02 00 00");
    h.Open(2);
    h.Send(2, WithUser("c2", "alice", "wrong"));
    EXPECT_EQ(h.TakeHex(2), "20 02 00 04");
    h.Open(3);
    h.Send(3, WithUser("c3", std::nullopt, std::nullopt));
    EXPECT_EQ(h.TakeHex(3), "20 02 00 00");
    MqttServiceWork w = h.Engine().TakeWork();
    EXPECT_EQ(w.Of(MqttServiceOp::Auth), 2u);
    EXPECT_EQ(w.Of(MqttServiceOp::Connect), 3u);
}

TEST(BrokerAuth, CredentialsCheckedWithConnack4Or5)
{
    // Section 3.1.4 step 3: a failed check gets CONNACK 4 or 5 and the connection closes
    // [MQTT-3.2.2-5], Session Present 0 [MQTT-3.2.2-4].
    BrokerHarness h;
    auto auth = std::make_shared<MqttAuthenticator>();
    auth->SetUser("alice", Payload("secret"));
    h.Engine().SetAuthenticator(auth);

    h.Open(1);
    h.Send(1, WithUser("c1", "alice", "wrong"));
    EXPECT_EQ(h.TakeHex(1), "20 02 00 04");
    EXPECT_EQ(h.ClosedWith(1), CloseReason::AuthFailure);

    h.Open(2);
    h.Send(2, WithUser("c2", "mallory", "secret"));
    EXPECT_EQ(h.TakeHex(2), "20 02 00 04");

    h.Open(3);
    h.Send(3, WithUser("c3", std::nullopt, std::nullopt));
    EXPECT_EQ(h.TakeHex(3), "20 02 00 05");
    EXPECT_EQ(h.ClosedWith(3), CloseReason::AuthFailure);

    h.Open(4);
    h.Send(4, WithUser("c4", "alice", "secret"));
    EXPECT_EQ(h.TakeHex(4), "20 02 00 00");
    EXPECT_TRUE(h.IsOpen(4));

    auto refused = h.Events(EventType::ConnectRefused);
    ASSERT_EQ(refused.size(), 3u);
    EXPECT_EQ(refused[0].code, 4);
    EXPECT_EQ(refused[2].code, 5);
    EXPECT_EQ(h.Engine().SessionCount(), 1u);
}

TEST(BrokerAuth, AnonymousAllowedWhenTheTableSaysSo)
{
    BrokerHarness h;
    auto auth = std::make_shared<MqttAuthenticator>();
    auth->SetAllowAnonymous(true);
    h.Engine().SetAuthenticator(auth);
    h.Open(1);
    h.Send(1, MakeConnect("anon"));
    EXPECT_EQ(h.TakeHex(1), "20 02 00 00");
}

TEST(BrokerAuth, RefusedClientDoesNotTakeOverTheConnectedOne)
{
    BrokerHarness h;
    auto auth = std::make_shared<MqttAuthenticator>();
    auth->SetUser("alice", Payload("secret"));
    h.Engine().SetAuthenticator(auth);
    h.Connect(1, WithUser("dev", "alice", "secret"));
    h.Open(2);
    h.Send(2, WithUser("dev", "alice", "guess"));
    EXPECT_EQ(h.TakeHex(2), "20 02 00 04");
    EXPECT_TRUE(h.IsOpen(1));
}

TEST(BrokerAcl, DeniedFilterGetsSubackFailure)
{
    // [MQTT-3.8.4-5] [MQTT-3.9.3-1]: 0x80 for the filter the ACL does not cover, in place.
    BrokerHarness h;
    h.Engine().SetAcl(ParseAcl("topic read public/#\ntopic readwrite own/#\n"));
    h.Connect(1, "c");
    h.Send(
        1,
        MakeSubscribe(
            3,
            {{"public/+", Qos::AtLeastOnce}, {"#", Qos::AtMostOnce}, {"own/x", Qos::ExactlyOnce}}));
    EXPECT_EQ(h.TakeHex(1), "90 05 00 03 01 80 02");
    auto denied = h.Events(EventType::SubscriptionDenied);
    ASSERT_EQ(denied.size(), 1u);
    EXPECT_EQ(denied[0].topic, "#");
}

TEST(BrokerAcl, Mqtt_3_3_5_2_UnauthorizedPublishIsAcknowledgedButNotForwarded)
{
    // [MQTT-3.3.5-2]: the client cannot be told: PUBACK / PUBREC as usual, nothing
    // forwarded or retained, MessageDropped NotAuthorized reported.
    BrokerHarness h;
    h.Engine().SetAcl(ParseAcl("topic read #\ntopic write open/#\n"));
    h.ConnectPubSub("#", Qos::AtLeastOnce);
    h.Send(1, MakePublish("closed", "x", Qos::AtLeastOnce, 4, true));
    EXPECT_EQ(h.TakeHex(1), "40 02 00 04");
    h.Send(1, MakePublish("closed", "x", Qos::ExactlyOnce, 5));
    EXPECT_EQ(h.TakeHex(1), "50 02 00 05");
    h.Send(1, MakePublish("closed", "x"));
    EXPECT_EQ(h.TakeHex(2), "");
    EXPECT_EQ(h.Engine().RetainedCount(), 0u);
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 3u);
    for (const auto& d : dropped)
    {
        EXPECT_EQ(d.dropReason, DropReason::NotAuthorized);
        EXPECT_EQ(d.clientId, "pub");
    }
    h.Send(1, MakePublish("open/a", "y"));
    EXPECT_EQ(h.TakeHex(2), "30 09 00 06 6f 70 65 6e 2f 61 79");
}

TEST(BrokerAcl, DeliveriesCheckedWithMayReceive)
{
    // The subscription was allowed under the first ACL; the second one no longer lets the
    // client read the topic: deliveries (routed and retained) are dropped NotAuthorized.
    BrokerHarness h;
    h.Engine().SetAcl(ParseAcl("topic readwrite #\n"));
    h.ConnectPubSub("a/#", Qos::AtMostOnce);
    h.Send(1, MakePublish("a/r", "x", Qos::AtMostOnce, 0, true));
    EXPECT_EQ(h.TakeHex(2), "30 06 00 03 61 2f 72 78");
    h.TakeEvents();
    h.Engine().SetAcl(ParseAcl("topic write #\nuser reader\ntopic read a/#\n"));
    h.Send(1, MakePublish("a/b", "x"));
    EXPECT_EQ(h.TakeHex(2), "");
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::NotAuthorized);
    EXPECT_EQ(dropped[0].peerId, "sub");
    // The retained message is not sent on a (re)subscription either; the SUBSCRIBE itself is
    // refused now, so use a client the new ACL lets read.
    h.Connect(3, WithUser("reader", "reader", std::nullopt));
    h.Send(3, MakeSubscribe(1, {{"a/#", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(3), "90 03 00 01 00 31 06 00 03 61 2f 72 78");
}

TEST(BrokerAcl, WillSubjectToTheAcl)
{
    BrokerHarness h;
    h.Engine().SetAcl(ParseAcl("topic read #\ntopic write allowed\n"));
    h.Connect(1, "watcher");
    h.Subscribe(1, "#", Qos::AtMostOnce);
    ConnectPacket p = MakeConnect("dev");
    p.will = Will{"forbidden", Payload("x"), Qos::AtMostOnce, false};
    h.Connect(2, p);
    h.NetClose(2);
    EXPECT_EQ(h.TakeHex(1), "");
    auto dropped = h.Events(EventType::MessageDropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].dropReason, DropReason::NotAuthorized);
    EXPECT_EQ(dropped[0].clientId, "dev");
}

TEST(BrokerAuth, PeerIdentityIsTheUserNameAndSkipsThePasswordCheck)
{
    // A TLS client certificate's CN (SetPeerIdentity, --use-identity-as-username): CONNECT's
    // user name and password are not looked at; the identity is the user name of the ACL's %u.
    BrokerHarness h;
    auto auth = std::make_shared<MqttAuthenticator>();
    auth->SetUser("bob", Payload("secret"));
    h.Engine().SetAuthenticator(auth);
    h.Engine().SetAcl(ParseAcl("pattern readwrite users/%u/#\n"));
    h.Open(1);
    h.Engine().SetPeerIdentity(1, "alice");
    h.Send(1, WithUser("c1", "bob", "wrong"));
    EXPECT_EQ(h.TakeHex(1), "20 02 00 00");
    h.Send(1, MakeSubscribe(2, {{"users/alice/#", Qos::AtMostOnce}, {"users/bob/#", Qos::AtMostOnce}}));
    EXPECT_EQ(h.TakeHex(1), "90 04 00 02 00 80");

    // Without an identity the same CONNECT is refused by the password table.
    h.Open(2);
    h.Send(2, WithUser("c2", "bob", "wrong"));
    EXPECT_EQ(h.TakeHex(2), "20 02 00 04");
}
