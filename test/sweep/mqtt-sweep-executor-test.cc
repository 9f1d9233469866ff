/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The local executor with /bin/sh as the runner: success needs exit 0 and the results file;
 * a non-zero exit, a crash, a timeout, a missing program are failures with exact reasons; the
 * run directory starts empty; the output lands in the log; slots limit concurrency.
 */
#include "mqtt-sweep-executor.h"
#include "mqtt-sweep-test-util.h"

#include <gtest/gtest.h>

#include <thread>

using namespace ns3::mqtt;

namespace
{

class SweepExecutor : public ::testing::Test
{
  protected:
    MqttSweepJob
    Job(uint64_t index, const std::string& script, double timeout = 0)
    {
        MqttSweepJob j;
        j.index = index;
        j.id = "r" + std::to_string(index);
        j.dir = m_dir.Path() + "/runs/" + j.id;
        j.log = m_dir.Path() + "/logs/" + j.id + ".log";
        j.results = j.dir + "/results.h5";
        j.timeout = timeout;
        j.argv = {"/bin/sh", "-c", script, "runner", j.results};
        return j;
    }

    /** Polls until @p n outcomes arrived (10 s at most). */
    std::vector<MqttSweepOutcome>
    Wait(MqttSweepExecutor& e, std::size_t n)
    {
        std::vector<MqttSweepOutcome> all;
        auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (all.size() < n && std::chrono::steady_clock::now() < until)
        {
            for (auto& o : e.Poll())
            {
                all.push_back(o);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return all;
    }

    ScratchDir m_dir;
};

TEST_F(SweepExecutor, OkNeedsExitZeroAndTheResultsFile)
{
    MqttSweepExecutor e(1, 4);
    MqttSweepJob job = Job(3, "echo out; echo err >&2; : > \"$1\"");
    // Half-written output of an earlier attempt goes away.
    m_dir.Write("runs/r3/stale.txt", "x");
    e.Start(job);
    auto outcomes = Wait(e, 1);
    ASSERT_EQ(outcomes.size(), 1u);
    const auto& o = outcomes[0];
    EXPECT_TRUE(o.ok);
    EXPECT_EQ(o.index, 3u);
    EXPECT_EQ(o.exitCode, 0);
    EXPECT_EQ(o.signal, 0);
    EXPECT_EQ(o.reason, "");
    EXPECT_EQ(o.rank, 4);
    EXPECT_EQ(o.host, MqttSweepExecutor::HostName());
    EXPECT_GT(o.wallTime, 0.0);
    EXPECT_FALSE(std::filesystem::exists(job.dir + "/stale.txt"));
    std::string log = ScratchDir::Read(job.log);
    std::string header = "$ /bin/sh -c 'echo out; echo err >&2; : > \"$1\"' runner " + job.results +
                         "\nout\nerr\n[mqtt-sweep] ok (";
    EXPECT_EQ(log.substr(0, header.size()), header);
    EXPECT_EQ(e.Running(), 0u);
}

TEST_F(SweepExecutor, RunnersDoNotSeeTheMpiLaunchersVariables)
{
    ::setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
    ::setenv("PMIX_RANK", "1", 1);
    ::setenv("MQTT_SWEEP_TEST_KEPT", "yes", 1);
    MqttSweepExecutor e(1, 0);
    e.Start(
        Job(0,
            "test -z \"$OMPI_COMM_WORLD_SIZE$PMIX_RANK\" && test \"$MQTT_SWEEP_TEST_KEPT\" = yes "
            "&& : > \"$1\""));
    auto outcomes = Wait(e, 1);
    ::unsetenv("OMPI_COMM_WORLD_SIZE");
    ::unsetenv("PMIX_RANK");
    ::unsetenv("MQTT_SWEEP_TEST_KEPT");
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_TRUE(outcomes[0].ok) << outcomes[0].reason;
}

TEST_F(SweepExecutor, FailureReasons)
{
    MqttSweepExecutor e(5, 0);
    e.Start(Job(0, "exit 3"));
    e.Start(Job(1, "kill -SEGV $$"));
    e.Start(Job(2, "exit 0"));
    e.Start(Job(3, ": > \"$1\"; exit 1"));
    MqttSweepJob missing = Job(4, "");
    missing.argv = {m_dir.Path() + "/no-such-runner"};
    e.Start(missing);
    auto outcomes = Wait(e, 5);
    ASSERT_EQ(outcomes.size(), 5u);
    std::map<uint64_t, MqttSweepOutcome> by;
    for (const auto& o : outcomes)
    {
        EXPECT_FALSE(o.ok);
        by[o.index] = o;
    }
    EXPECT_EQ(by[0].exitCode, 3);
    EXPECT_EQ(by[0].reason, "exit 3");
    EXPECT_EQ(by[1].exitCode, -1);
    EXPECT_EQ(by[1].signal, 11);
    EXPECT_EQ(by[1].reason, "killed by signal 11 (Segmentation fault)");
    EXPECT_EQ(by[2].reason, "exit 0 but no results file " + Job(2, "").results);
    EXPECT_EQ(by[3].reason, "exit 1"); // a results file does not make a failed run ok
    EXPECT_EQ(by[4].reason,
              "cannot start " + m_dir.Path() + "/no-such-runner: No such file or directory");
    EXPECT_NE(ScratchDir::Read(Job(1, "").log).find("[mqtt-sweep] failed: killed by signal 11"),
              std::string::npos);
}

TEST_F(SweepExecutor, TimeoutEndsTheWholeProcessGroup)
{
    MqttSweepExecutor e(1, 0);
    // The grandchild keeps the log open: if it survived, it would write "late".
    e.Start(Job(0, "(sleep 1; echo late) & sleep 30", 0.2));
    auto start = std::chrono::steady_clock::now();
    auto outcomes = Wait(e, 1);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
    EXPECT_FALSE(outcomes[0].ok);
    EXPECT_EQ(outcomes[0].signal, SIGTERM);
    EXPECT_EQ(outcomes[0].reason, "timeout after 0.2 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));
    EXPECT_EQ(ScratchDir::Read(Job(0, "").log).find("\nlate"), std::string::npos);
}

TEST_F(SweepExecutor, SlotsLimitConcurrency)
{
    MqttSweepExecutor e(2, 0);
    EXPECT_TRUE(e.HasFreeSlot());
    e.Start(Job(0, "sleep 0.3; : > \"$1\""));
    e.Start(Job(1, "sleep 0.3; : > \"$1\""));
    EXPECT_FALSE(e.HasFreeSlot());
    EXPECT_EQ(e.Running(), 2u);
    auto outcomes = Wait(e, 2);
    ASSERT_EQ(outcomes.size(), 2u);
    EXPECT_TRUE(e.HasFreeSlot());
    // A job that cannot start holds its slot until Poll hands out its outcome.
    MqttSweepExecutor one(1, 0);
    MqttSweepJob bad = Job(9, "");
    bad.argv.clear();
    one.Start(bad);
    EXPECT_FALSE(one.HasFreeSlot());
    auto o = one.Poll();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].reason, "empty command");
    EXPECT_TRUE(one.HasFreeSlot());
}

TEST_F(SweepExecutor, TerminateEndsEveryRunWithoutOutcomes)
{
    MqttSweepExecutor e(2, 0, 0.3);
    e.Start(Job(0, "sleep 30"));
    e.Start(Job(1, "trap '' TERM; sleep 30")); // ignores SIGTERM: needs the SIGKILL
    auto start = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    e.Terminate();
    EXPECT_EQ(e.Running(), 0u);
    EXPECT_TRUE(e.Poll().empty());
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
    EXPECT_NE(ScratchDir::Read(Job(0, "").log).find("[mqtt-sweep] interrupted"), std::string::npos);
}

} // namespace
