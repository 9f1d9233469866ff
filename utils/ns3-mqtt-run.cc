/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * ns3-mqtt-run: runs a study described by a scenario file (doc/scenarios.md).
 *
 *   ns3-mqtt-run [SCENARIO] [--out DIR] [--set PATH=VALUE ...] [--dry-run]
 *                [--progress auto|bar|plain|none] [--inputs]
 *
 * --inputs prints what decides the run's results and runs nothing: the effective scenario's
 * hash, each file it names and the runner's build, with their content hashes (mqtt-run-inputs.h;
 * mqtt-sweep keys its resumption on them).
 *
 * Without SCENARIO it runs scenarios/default.yaml. The results go to DIR (default
 * output.dir of the scenario, else results/NAME): results.h5 and topology.graphml. Messages and
 * progress go to stderr; the last line on stdout is DIR, for the caller (./ns3-mqtt run hands
 * it to analysis/report.py). Exit status 0 on success, 2 for a bad scenario or command line,
 * 1 when the run fails.
 */
#include "mqtt-command-line.h"
#include "mqtt-run-inputs.h"
#include "mqtt-scenario-loader.h"
#include "mqtt-study-runner.h"

#include <algorithm>
#include <iostream>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

using namespace ns3::mqtt;

namespace
{

/** The command line of the runner. */
struct RunArgs
{
    std::string scenario;
    std::string out;
    std::string progress = "auto";
    std::vector<std::string> sets;
    bool dryRun = false;
    bool inputs = false;
};

void
DeclareOptions(MqttCommandLine& cli, RunArgs& a)
{
    CLI::App& app = cli.App();
    app.add_option("scenario", a.scenario, "the scenario file (default scenarios/default.yaml)")
        ->type_name("SCENARIO");
    app.add_option("--out", a.out, "results directory (default output.dir, else results/NAME)")
        ->type_name("DIR");
    cli.AddRepeatable("--set",
                      &a.sets,
                      "PATH=VALUE",
                      "change a field of the scenario (repeatable; doc/scenarios.md)");
    app.add_flag(
        "--dry-run", a.dryRun, "build and check the study, write the topology, run nothing");
    app.add_flag("--inputs",
                 a.inputs,
                 "print what decides the results (the scenario with --set applied, the files "
                 "it names, this runner's build) with content hashes; run nothing");
    app.add_option("--progress", a.progress, "progress on stderr (default auto: bar on a terminal)")
        ->type_name("auto|bar|plain|none");
}

/** 2: bar, 1: plain lines, 0: none; nothing for a word that is none of those. */
std::optional<int>
ProgressLevel(const std::string& progress)
{
    if (progress == "auto")
    {
        return isatty(STDERR_FILENO) ? 2 : 1;
    }
    if (progress == "bar" || progress == "plain" || progress == "none")
    {
        return progress == "bar" ? 2 : progress == "plain" ? 1 : 0;
    }
    return std::nullopt;
}

} // namespace

int
main(int argc, char** argv)
{
    MqttCommandLine cli("ns3-mqtt-run",
                        "Runs the study a scenario file describes (doc/scenarios.md). Results go "
                        "to DIR;\nthe last line on stdout is DIR. Exit status 0 on success, 2 for "
                        "a bad scenario\nor command line, 1 when the run fails.");
    RunArgs args;
    DeclareOptions(cli, args);
    if (cli.Parse(argc, argv) != MqttCommandLine::Outcome::Run)
    {
        return cli.Report();
    }
    std::optional<int> progress = ProgressLevel(args.progress);
    if (!progress)
    {
        cli.Fail(
            MqttCommandLine::Expected("--progress", "auto, bar, plain or none", args.progress));
        return cli.Report();
    }
    std::string& scenario = args.scenario;
    if (scenario.empty())
    {
        // The default study, from here or from the source tree this runner was built from.
        scenario = "scenarios/default.yaml";
        if (access(scenario.c_str(), R_OK) != 0)
        {
            scenario = std::string(MQTT_SOURCE_DIR) + "/" + scenario;
        }
    }
    MqttScenarioLoadResult loaded = MqttScenarioLoader::LoadFile(scenario, args.sets);
    if (!loaded.scenario)
    {
        for (const auto& e : loaded.errors)
        {
            std::cerr << e << "\n";
        }
        std::cerr << "ns3-mqtt-run: " << loaded.errors.size() << " error"
                  << (loaded.errors.size() == 1 ? "" : "s") << " in " << scenario
                  << "; nothing was run\n";
        return 2;
    }
    const MqttScenario& s = *loaded.scenario;
    if (args.inputs)
    {
        MqttWriteRunInputs(s, std::cout);
        return 0;
    }
    MqttStudyRunner::Options options;
    options.outDir = !args.out.empty()       ? args.out
                     : !s.output.dir.empty() ? s.output.dir
                                             : "results/" + s.name;
    options.dryRun = args.dryRun;
    options.progress = *progress;
    MqttStudyRunner runner(s, options, std::cerr);
    if (!runner.Run())
    {
        return 1;
    }
    if (!args.dryRun)
    {
        std::cerr << "[ns3-mqtt] " << runner.Events() << " events in " << runner.WallSeconds()
                  << " s wall ("
                  << static_cast<uint64_t>(runner.Events() / std::max(runner.WallSeconds(), 1e-9))
                  << " events/s)\n";
        std::cerr << "[ns3-mqtt] results: " << runner.ResultsPath() << "\n";
    }
    if (s.output.graphml)
    {
        std::cerr << "[ns3-mqtt] topology: " << runner.GraphPath() << "\n";
    }
    std::cout << options.outDir << std::endl;
    return 0;
}
