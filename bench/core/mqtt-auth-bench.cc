/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Password checks (the time must not depend on where a guess differs) and ACL decisions with
 * many users, as the broker makes them per CONNECT, SUBSCRIBE and delivery.
 */
#include "mqtt-acl.h"
#include "mqtt-authenticator.h"

#include <benchmark/benchmark.h>

#include <string>

using namespace ns3::mqtt;

namespace
{

constexpr std::size_t PASSWORD_LENGTH = 64;

MqttAuthenticator
MakeAuthenticator()
{
    MqttAuthenticator auth;
    for (int i = 0; i < 1000; ++i)
    {
        auth.SetUser("user" + std::to_string(i), std::vector<uint8_t>(PASSWORD_LENGTH, 'p'));
    }
    return auth;
}

/** A 64-byte guess for user500 that differs from the password at byte range(0), or not. */
void
BM_AuthenticateDiffAt(benchmark::State& state)
{
    const MqttAuthenticator auth = MakeAuthenticator();
    std::vector<uint8_t> guess(PASSWORD_LENGTH, 'p');
    const auto at = static_cast<std::size_t>(state.range(0));
    if (at < PASSWORD_LENGTH)
    {
        guess[at] = 'x';
    }
    const std::optional<std::string> user("user500");
    const std::optional<std::vector<uint8_t>> password(guess);
    for (auto _ : state)
    {
        benchmark::DoNotOptimize(auth.Authenticate(user, password));
    }
}
BENCHMARK(BM_AuthenticateDiffAt)->Arg(0)->Arg(31)->Arg(63)->Arg(64); // 64: the right password

std::string
MakeAclText(int users)
{
    std::string text = "topic read public/#\n";
    for (int i = 0; i < users; ++i)
    {
        const std::string name = "user" + std::to_string(i);
        text += "user " + name + "\ntopic read " + name + "/in/#\ntopic write " + name +
                "/out/+\ntopic read shared/" + std::to_string(i % 10) + "/#\n";
    }
    text += "pattern readwrite devices/%c/#\npattern read inbox/%u\n";
    return text;
}

/** One delivery check for a user among range(0) users: the common path when a rule allows. */
void
BM_AclMayReceive(benchmark::State& state)
{
    MqttAcl acl;
    MqttConfigError error;
    if (!acl.Parse(MakeAclText(static_cast<int>(state.range(0))), "bench", error))
    {
        state.SkipWithError(error.ToString().c_str());
        return;
    }
    const std::string clientId = "dev-42";
    const std::optional<std::string> user("user7");
    for (auto _ : state)
    {
        benchmark::DoNotOptimize(acl.MayReceive(clientId, user, "shared/7/x/y"));
        benchmark::DoNotOptimize(acl.MayReceive(clientId, user, "devices/dev-42/temp"));
        benchmark::DoNotOptimize(acl.MayReceive(clientId, user, "forbidden/topic"));
    }
    state.SetItemsProcessed(3 * static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_AclMayReceive)->Arg(10)->Arg(1000)->Arg(10000);

void
BM_AclMaySubscribe(benchmark::State& state)
{
    MqttAcl acl;
    MqttConfigError error;
    if (!acl.Parse(MakeAclText(1000), "bench", error))
    {
        state.SkipWithError(error.ToString().c_str());
        return;
    }
    const std::optional<std::string> user("user7");
    for (auto _ : state)
    {
        benchmark::DoNotOptimize(acl.MaySubscribe("dev-42", user, "shared/7/+/y"));
        benchmark::DoNotOptimize(acl.MaySubscribe("dev-42", user, "devices/dev-42/#"));
    }
    state.SetItemsProcessed(2 * static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_AclMaySubscribe);

void
BM_AclParse(benchmark::State& state)
{
    const std::string text = MakeAclText(1000);
    for (auto _ : state)
    {
        MqttAcl acl;
        MqttConfigError error;
        benchmark::DoNotOptimize(acl.Parse(text, "bench", error));
    }
    state.SetBytesProcessed(static_cast<int64_t>(text.size() * state.iterations()));
}
BENCHMARK(BM_AclParse);

} // namespace
