/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Jobs and outcomes as they travel between MPI ranks (a line of JSON): exact framing, round
 * trips, every truncation and a wrong type refused.
 */
#include "mqtt-sweep-job.h"

#include <gtest/gtest.h>

using namespace ns3::mqtt;

namespace
{

TEST(SweepJob, JobRoundTrip)
{
    MqttSweepJob j;
    j.index = 41;
    j.id = "loss=0.1_run=2";
    j.argv = {"/bin/runner", "/s/star.yaml", "--out", "/o/runs/x", "--set", "a=b,c:d", ""};
    j.dir = "/o/runs/x";
    j.log = "/o/logs/x.log";
    j.results = "/o/runs/x/results.h5";
    j.timeout = 0.1;
    std::string bytes = j.Encode();
    EXPECT_EQ(bytes.substr(0, 41), R"({"kind":"job1","index":41,"id":"loss=0.1_)");
    auto back = MqttSweepJob::Decode(bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, j);
    // Truncated, extended, or of the other kind: refused, never read past the end.
    for (std::size_t n = 0; n < bytes.size(); ++n)
    {
        EXPECT_FALSE(MqttSweepJob::Decode(bytes.substr(0, n))) << n;
    }
    EXPECT_FALSE(MqttSweepJob::Decode(bytes + "0:,"));
    EXPECT_FALSE(MqttSweepJob::Decode(bytes + "{}"));
    EXPECT_FALSE(MqttSweepJob::Decode(R"({"kind":"job1","index":-1})"));
    std::string badArg = bytes;
    badArg.replace(badArg.find(R"("/bin/runner")"), 13, "7");
    EXPECT_FALSE(MqttSweepJob::Decode(badArg));
}

TEST(SweepJob, OutcomeRoundTrip)
{
    MqttSweepOutcome o;
    o.index = 7;
    o.ok = false;
    o.exitCode = -1;
    o.signal = 9;
    o.reason = "timeout after 10 s";
    o.wallTime = 12.345678901234;
    o.host = "n1";
    o.rank = 3;
    std::string bytes = o.Encode();
    auto back = MqttSweepOutcome::Decode(bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, o);
    EXPECT_FALSE(MqttSweepOutcome::Decode(bytes.substr(0, bytes.size() - 1)));
    MqttSweepJob j;
    EXPECT_FALSE(MqttSweepOutcome::Decode(j.Encode()));
    EXPECT_FALSE(MqttSweepJob::Decode(bytes));
}

} // namespace
