/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The enhanced-authentication interface: the registry and one exchange of the test method from
 * both sides.
 */
#include "mqtt-auth-method.h"
#include "mqtt-auth-test-method.h"

#include <gtest/gtest.h>

using namespace ns3::mqtt;
using namespace mqtt_test;

TEST(AuthMethods, FindsByExactNameAndListsSorted)
{
    MqttAuthMethods methods;
    EXPECT_TRUE(methods.Empty());
    methods.Add(std::make_shared<ChallengeMethod>());
    EXPECT_FALSE(methods.Empty());
    EXPECT_NE(methods.Find("TEST-CHALLENGE"), nullptr);
    EXPECT_EQ(methods.Find("test-challenge"), nullptr); // names are compared exactly
    EXPECT_EQ(methods.Find("SCRAM-SHA-256"), nullptr);
    EXPECT_EQ(methods.Names(), std::vector<std::string>{"TEST-CHALLENGE"});
}

TEST(AuthMethods, AddReplacesSameName)
{
    MqttAuthMethods methods;
    auto first = std::make_shared<ChallengeMethod>();
    auto second = std::make_shared<ChallengeMethod>();
    methods.Add(first);
    methods.Add(second);
    EXPECT_EQ(methods.Find("TEST-CHALLENGE"), second);
    EXPECT_EQ(methods.Names().size(), 1u);
}

TEST(AuthMethods, OneExchangeBothSides)
{
    ChallengeMethod method;
    auto server = method.StartServer();
    auto client = method.StartClient({"alice", AuthBytes("pw")});
    MqttAuthStep s = client->Start();
    ASSERT_EQ(s.outcome, MqttAuthOutcome::Continue);
    MqttAuthStep r = server->Step(s.data);
    ASSERT_EQ(r.outcome, MqttAuthOutcome::Continue);
    EXPECT_EQ(AuthText(r.data), "c1");
    s = client->Respond(r.data);
    ASSERT_EQ(s.outcome, MqttAuthOutcome::Continue);
    EXPECT_EQ(AuthText(s.data), "pw:c1");
    r = server->Step(s.data);
    ASSERT_EQ(r.outcome, MqttAuthOutcome::Success);
    EXPECT_EQ(server->Identity(), std::optional<std::string>("alice"));
    EXPECT_EQ(client->Finish(r.data).outcome, MqttAuthOutcome::Success);
}

TEST(AuthMethods, StepBuildersSayWhatTheyAre)
{
    EXPECT_EQ(MqttAuthStep::Continue({1}).outcome, MqttAuthOutcome::Continue);
    EXPECT_EQ(MqttAuthStep::Success().data.size(), 0u);
    MqttAuthStep f = MqttAuthStep::Failure(ReasonCode::BadAuthenticationMethod, "x");
    EXPECT_EQ(f.outcome, MqttAuthOutcome::Failure);
    EXPECT_EQ(f.reason, ReasonCode::BadAuthenticationMethod);
    EXPECT_EQ(f.detail, "x");
}
