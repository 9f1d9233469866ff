/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Sweep files: a good file expands to the exact runs (order, ids, --set values, command line);
 * every kind of bad file gives one exact message naming the file, the line and the field.
 */
#include "mqtt-sweep-plan.h"
#include "mqtt-sweep-test-util.h"

#include <gtest/gtest.h>

using namespace ns3::mqtt;

namespace
{

class SweepPlan : public ::testing::Test
{
  protected:
    void
    SetUp() override
    {
        m_dir.Write("star.yaml", "name: star\n");
    }

    std::optional<MqttSweepPlan>
    Load(const std::string& text)
    {
        m_errors.clear();
        return MqttSweepPlan::LoadText(text, "sw.yaml", m_dir.Path(), &m_errors);
    }

    /** The one error of loading @p text (fails the test unless there is exactly one). */
    std::string
    Error(const std::string& text)
    {
        auto plan = Load(text);
        EXPECT_FALSE(plan.has_value());
        EXPECT_EQ(m_errors.size(), 1u);
        std::string all;
        for (const auto& e : m_errors)
        {
            all += e + "\n";
        }
        return m_errors.size() == 1 ? m_errors[0] : all;
    }

    ScratchDir m_dir;
    std::vector<std::string> m_errors;
};

const char* GOOD = R"(name: loss
scenario: star.yaml
grid:
  links.access.loss.rate: {name: loss, values: [0, 0.05]}
  devices.sensors.qos: [0, 1, 2]
set:
  duration: 30s
  devices.sensors.attach: [gw0, gw1]
seeds: 2
rng-seed: 7
timeout: 10m
)";

TEST_F(SweepPlan, ExpandsTheProductFirstKeyOutermostSeedsInnermost)
{
    auto plan = Load(GOOD);
    ASSERT_TRUE(plan) << m_errors.front();
    EXPECT_EQ(plan->name, "loss");
    EXPECT_EQ(plan->scenario, m_dir.Path() + "/star.yaml");
    EXPECT_EQ(plan->rngSeed, 7u);
    EXPECT_EQ(plan->timeout, 600.0);
    EXPECT_EQ(plan->resultsName, "results.h5");
    ASSERT_EQ(plan->axes.size(), 2u);
    EXPECT_EQ(plan->axes[0].name, "loss");
    EXPECT_EQ(plan->axes[1].name, "qos"); // the last part of the key
    EXPECT_EQ(plan->axes[1].values, (std::vector<std::string>{"0", "1", "2"}));
    ASSERT_EQ(plan->runs.size(), 12u);
    std::vector<std::string> ids;
    for (const auto& r : plan->runs)
    {
        ids.push_back(r.id);
        EXPECT_EQ(r.index, ids.size() - 1);
    }
    EXPECT_EQ(ids,
              (std::vector<std::string>{"loss=0_qos=0_run=1",
                                        "loss=0_qos=0_run=2",
                                        "loss=0_qos=1_run=1",
                                        "loss=0_qos=1_run=2",
                                        "loss=0_qos=2_run=1",
                                        "loss=0_qos=2_run=2",
                                        "loss=0.05_qos=0_run=1",
                                        "loss=0.05_qos=0_run=2",
                                        "loss=0.05_qos=1_run=1",
                                        "loss=0.05_qos=1_run=2",
                                        "loss=0.05_qos=2_run=1",
                                        "loss=0.05_qos=2_run=2"}));
    const MqttSweepRun& r = plan->runs[9];
    EXPECT_EQ(r.seed, 7u);
    EXPECT_EQ(r.run, 2u);
    EXPECT_EQ(r.params,
              (std::vector<std::pair<std::string, std::string>>{{"links.access.loss.rate", "0.05"},
                                                                {"devices.sensors.qos", "1"}}));
    // Fixed values first, lists in flow YAML, then the grid, then seed and run.
    EXPECT_EQ(r.overrides,
              (std::vector<std::string>{"duration=30s",
                                        "devices.sensors.attach=[gw0, gw1]",
                                        "links.access.loss.rate=0.05",
                                        "devices.sensors.qos=1",
                                        "seed=7",
                                        "run=2"}));
    EXPECT_EQ(plan->Command("/bin/runner", r, "/o/r"),
              (std::vector<std::string>{"/bin/runner",
                                        m_dir.Path() + "/star.yaml",
                                        "--out",
                                        "/o/r",
                                        "--set",
                                        "duration=30s",
                                        "--set",
                                        "devices.sensors.attach=[gw0, gw1]",
                                        "--set",
                                        "links.access.loss.rate=0.05",
                                        "--set",
                                        "devices.sensors.qos=1",
                                        "--set",
                                        "seed=7",
                                        "--set",
                                        "run=2"}));
}

TEST_F(SweepPlan, SeedsAsAListAndNoGrid)
{
    auto plan = Load("scenario: star.yaml\nseeds: [3, 11]\nresults: out.h5\n");
    ASSERT_TRUE(plan);
    EXPECT_EQ(plan->name, "sw"); // the file's stem
    ASSERT_EQ(plan->runs.size(), 2u);
    EXPECT_EQ(plan->runs[0].id, "run=3");
    EXPECT_EQ(plan->runs[1].id, "run=11");
    EXPECT_EQ(plan->runs[1].overrides, (std::vector<std::string>{"seed=1", "run=11"}));
    EXPECT_EQ(plan->resultsName, "out.h5");
    EXPECT_EQ(plan->timeout, 0.0);
}

TEST_F(SweepPlan, IdsKeepOnlyFileNameCharacters)
{
    auto plan = Load("scenario: star.yaml\ngrid:\n  broker.profile: [aws-iot-core, 'a b/c']\n"
                     "seeds: 1\n");
    ASSERT_TRUE(plan);
    EXPECT_EQ(plan->runs[0].id, "profile=aws-iot-core_run=1");
    EXPECT_EQ(plan->runs[1].id, "profile=a_b_c_run=1");
    EXPECT_EQ(plan->runs[1].overrides[0], "broker.profile=a b/c"); // the value itself is intact
}

TEST_F(SweepPlan, FingerprintFollowsTheScenarioFileAndTheOverrides)
{
    auto a = Load(GOOD);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->runs[0].fingerprint.size(), 16u);
    EXPECT_NE(a->runs[0].fingerprint, a->runs[1].fingerprint);
    auto same = Load(GOOD);
    EXPECT_EQ(a->runs[0].fingerprint, same->runs[0].fingerprint);
    auto otherSet = Load(std::string(GOOD) + "results: r.h5\n");
    EXPECT_EQ(a->runs[0].fingerprint, otherSet->runs[0].fingerprint); // not an input of the run
    m_dir.Write("star.yaml", "name: star2\n");
    auto edited = Load(GOOD);
    EXPECT_NE(a->runs[0].fingerprint, edited->runs[0].fingerprint);
    // FNV-1a 64 reference values.
    EXPECT_EQ(MqttSweepPlan::Fingerprint(""), "cbf29ce484222325");
    EXPECT_EQ(MqttSweepPlan::Fingerprint("a"), "af63dc4c8601ec8c");
}

TEST_F(SweepPlan, ParseSeconds)
{
    EXPECT_EQ(MqttSweepPlan::ParseSeconds("90"), 90.0);
    EXPECT_EQ(MqttSweepPlan::ParseSeconds("1.5s"), 1.5);
    EXPECT_EQ(MqttSweepPlan::ParseSeconds("500ms"), 0.5);
    EXPECT_EQ(MqttSweepPlan::ParseSeconds("10m"), 600.0);
    EXPECT_EQ(MqttSweepPlan::ParseSeconds("2min"), 120.0);
    EXPECT_EQ(MqttSweepPlan::ParseSeconds("2h"), 7200.0);
    EXPECT_EQ(MqttSweepPlan::ParseSeconds("0"), 0.0);
    EXPECT_FALSE(MqttSweepPlan::ParseSeconds(""));
    EXPECT_FALSE(MqttSweepPlan::ParseSeconds("s"));
    EXPECT_FALSE(MqttSweepPlan::ParseSeconds("-1s"));
    EXPECT_FALSE(MqttSweepPlan::ParseSeconds("1.2.3s"));
    EXPECT_FALSE(MqttSweepPlan::ParseSeconds("5 days"));
    EXPECT_FALSE(MqttSweepPlan::ParseSeconds("."));
}

TEST_F(SweepPlan, LoadReadsTheFileAndResolvesTheScenarioNextToIt)
{
    std::string path = m_dir.Write("sub/s.yaml", "scenario: ../star.yaml\nseeds: 1\n");
    auto plan = MqttSweepPlan::Load(path, &m_errors);
    ASSERT_TRUE(plan);
    EXPECT_EQ(plan->scenario, m_dir.Path() + "/sub/../star.yaml");
    EXPECT_EQ(plan->file, path);
    EXPECT_FALSE(MqttSweepPlan::Load(m_dir.Path() + "/none.yaml", &m_errors));
    EXPECT_EQ(m_errors.back(), m_dir.Path() + "/none.yaml: cannot open the sweep file");
}

TEST(SweepFiles, ShippedSweepLoss)
{
    std::vector<std::string> errors;
    auto plan = MqttSweepPlan::Load(
        std::string(MQTT_TEST_SOURCE_DIR) + "/scenarios/sweeps/sweep-loss.yaml", &errors);
    ASSERT_TRUE(plan) << (errors.empty() ? "" : errors.front());
    EXPECT_EQ(plan->name, "sweep-loss");
    EXPECT_EQ(plan->scenario, std::string(MQTT_TEST_SOURCE_DIR) + "/scenarios/sweeps/../lossy-star.yaml");
    ASSERT_EQ(plan->runs.size(), 50u); // 5 loss rates x 2 QoS x 5 seeds
    EXPECT_EQ(plan->runs.front().id, "loss=0_qos=1_run=1");
    EXPECT_EQ(plan->runs.back().id, "loss=0.3_qos=2_run=5");
    EXPECT_EQ(plan->runs.back().overrides,
              (std::vector<std::string>{"backends.sink.subscribe.0.qos=2",
                                        "devices.qos0.messages=30",
                                        "devices.qos1.messages=30",
                                        "duration=150s",
                                        "devices.qos1.clean-session=false",
                                        "links.access.loss.rate=0.3",
                                        "devices.qos1.qos=2",
                                        "seed=1",
                                        "run=5"}));
}

// Errors: one test per kind, each with the exact message.

TEST_F(SweepPlan, ErrorNotYaml)
{
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: [1, 2\n"),
              "sw.yaml:3: not valid YAML: end of sequence flow not found");
}

TEST_F(SweepPlan, ErrorNotAMap)
{
    EXPECT_EQ(Error("- a\n"), "sw.yaml: expected a map (scenario, grid, seeds, ...), got a list");
}

TEST_F(SweepPlan, ErrorUnknownTopKey)
{
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\nsed: 3\n"),
              "sw.yaml:3: sed: unknown key (expected one of name, scenario, grid, set, seeds, "
              "rng-seed, timeout, results)");
}

TEST_F(SweepPlan, ErrorDuplicateTopKey)
{
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\nseeds: 2\n"),
              "sw.yaml:3: seeds: appears twice");
}

TEST_F(SweepPlan, ErrorMissingRequired)
{
    EXPECT_EQ(Error("seeds: 1\n"), "sw.yaml:1: missing 'scenario'");
    EXPECT_EQ(Error("scenario: star.yaml\n"), "sw.yaml:1: missing 'seeds'");
}

TEST_F(SweepPlan, ErrorScenarioUnreadable)
{
    EXPECT_EQ(Error("seeds: 1\nscenario: nope.yaml\n"),
              "sw.yaml:2: scenario: cannot read " + m_dir.Path() + "/nope.yaml");
}

TEST_F(SweepPlan, ErrorUnknownAxisKey)
{
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\ngrid:\n  a.b:\n    name: x\n    vals: [1]\n"),
              "sw.yaml:6: grid.a.b.vals: unknown key (expected name, values)");
}

TEST_F(SweepPlan, ErrorAxisWithoutValues)
{
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\ngrid:\n  a.b: []\n"),
              "sw.yaml:4: grid.a.b: expected a non-empty list of values, got a list");
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\ngrid:\n  a.b: 3\n"),
              "sw.yaml:4: grid.a.b: expected a non-empty list of values, got '3'");
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\ngrid:\n  a.b: {name: x}\n"),
              "sw.yaml:4: grid.a.b: missing 'values'");
}

TEST_F(SweepPlan, ErrorDuplicateValue)
{
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\ngrid:\n  a.b: [1, 2,\n    1]\n"),
              "sw.yaml:5: grid.a.b[2]: value '1' appears twice");
}

TEST_F(SweepPlan, ErrorNullValue)
{
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\ngrid:\n  a.b: [1, ~]\n"),
              "sw.yaml:4: grid.a.b[1]: expected a value, got nothing");
}

TEST_F(SweepPlan, ErrorBadKey)
{
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\ngrid:\n  a..b: [1]\n"),
              "sw.yaml:4: grid.a..b: expected a dotted scenario key such as a.b.c");
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\nset:\n  'a b': 1\n"),
              "sw.yaml:4: set.a b: expected a dotted scenario key such as a.b.c");
}

TEST_F(SweepPlan, ErrorReservedKeys)
{
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\ngrid:\n  seed: [1, 2]\n"),
              "sw.yaml:4: grid.seed: the sweep sets 'seed' itself (see seeds and rng-seed)");
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\nset: {run: 4}\n"),
              "sw.yaml:3: set.run: the sweep sets 'run' itself (see seeds and rng-seed)");
}

TEST_F(SweepPlan, ErrorKeyInGridAndSet)
{
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\nset: {a.b: 1}\ngrid:\n  a.b: [1, 2]\n"),
              "sw.yaml:5: grid.a.b: appears twice (in grid or set)");
}

TEST_F(SweepPlan, ErrorShortNamesClash)
{
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\ngrid:\n  a.qos: [1]\n  b.qos: [2]\n"),
              "sw.yaml:5: grid.b.qos: short name 'qos' is also the name of grid.a.qos; give one "
              "of them a name: {name: N, values: [...]}");
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\ngrid:\n  a.run: [1]\n"),
              "sw.yaml:4: grid.a.run: short name 'run' is taken by the seeds; give the key "
              "another name");
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\ngrid:\n  a.b: {name: 'x y', values: [1]}\n"),
              "sw.yaml:4: grid.a.b.name: expected a short name of letters, digits, '-' and '_', "
              "got 'x y'");
}

TEST_F(SweepPlan, ErrorSeeds)
{
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 0\n"),
              "sw.yaml:2: seeds: expected a count from 1 to 1000000 or a list of run numbers, "
              "got '0'");
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: [1, x]\n"),
              "sw.yaml:2: seeds[1]: expected a run number from 1 to 4294967295, got 'x'");
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: [4, 4]\n"),
              "sw.yaml:2: seeds[1]: run number 4 appears twice");
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: {a: 1}\n"),
              "sw.yaml:2: seeds: expected a count or a non-empty list of run numbers, got a map");
}

TEST_F(SweepPlan, ErrorScalars)
{
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\nrng-seed: -3\n"),
              "sw.yaml:3: rng-seed: expected a seed from 1 to 4294967295, got '-3'");
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\ntimeout: soon\n"),
              "sw.yaml:3: timeout: expected a duration such as 90s, 10m or 2h (0: none), got "
              "'soon'");
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\nresults: a/b.h5\n"),
              "sw.yaml:3: results: expected a file name (no directory), got 'a/b.h5'");
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\nname: a/b\n"),
              "sw.yaml:3: name: expected a name of letters, digits, '-' and '_', got 'a/b'");
    EXPECT_EQ(Error("scenario: [a]\nseeds: 1\n"),
              "sw.yaml:1: scenario: expected the path of a scenario file, got a list");
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\nset: [a]\n"),
              "sw.yaml:3: set: expected a map of scenario keys to values, got a list");
}

TEST_F(SweepPlan, ErrorIdsCollide)
{
    EXPECT_EQ(Error("scenario: star.yaml\nseeds: 1\ngrid:\n  a.b: ['x y', 'x/y']\n"),
              "sw.yaml:4: grid: two runs get the same id 'b=x_y_run=1' (values that differ only "
              "in characters a file name cannot hold)");
}

TEST_F(SweepPlan, SeveralErrorsAreAllReported)
{
    auto plan = Load("scenario: star.yaml\nseeds: 0\ntimeout: x\n");
    EXPECT_FALSE(plan);
    EXPECT_EQ(m_errors.size(), 2u);
}

} // namespace
