/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * ns3-mqtt-run: runs a study described by a scenario file (doc/scenarios.md).
 *
 *   ns3-mqtt-run [SCENARIO] [--out DIR] [--set PATH=VALUE ...] [--dry-run]
 *                [--progress auto|bar|plain|none]
 *
 * Without SCENARIO it runs scenarios/default.yaml. The results go to DIR (default
 * output.dir of the scenario, else results/NAME): results.h5 and topology.graphml. Messages and
 * progress go to stderr; the last line on stdout is DIR, for the caller (./ns3-mqtt run hands
 * it to analysis/report.py). Exit status 0 on success, 2 for a bad scenario or command line,
 * 1 when the run fails.
 */
#include "mqtt-scenario-loader.h"
#include "mqtt-study-runner.h"

#include <cstring>
#include <iostream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace ns3::mqtt;

namespace
{

int
Usage(const char* error)
{
    if (error)
    {
        std::cerr << "ns3-mqtt-run: " << error << "\n";
    }
    std::cerr << "usage: ns3-mqtt-run [SCENARIO] [--out DIR] [--set PATH=VALUE ...] [--dry-run] "
                 "[--progress auto|bar|plain|none]\n";
    return 2;
}

} // namespace

int
main(int argc, char** argv)
{
    std::string scenario;
    std::string out;
    std::string progress = "auto";
    std::vector<std::string> sets;
    bool dryRun = false;
    for (int i = 1; i < argc; ++i)
    {
        std::string a = argv[i];
        auto value = [&](const char* name) -> const char*
        {
            if (a.rfind(std::string(name) + "=", 0) == 0)
            {
                return argv[i] + std::strlen(name) + 1;
            }
            if (i + 1 >= argc)
            {
                return nullptr;
            }
            return argv[++i];
        };
        if (a == "--out" || a.rfind("--out=", 0) == 0)
        {
            const char* v = value("--out");
            if (!v)
            {
                return Usage("--out needs a directory");
            }
            out = v;
        }
        else if (a == "--set" || a.rfind("--set=", 0) == 0)
        {
            const char* v = value("--set");
            if (!v)
            {
                return Usage("--set needs PATH=VALUE");
            }
            sets.emplace_back(v);
        }
        else if (a == "--progress" || a.rfind("--progress=", 0) == 0)
        {
            const char* v = value("--progress");
            if (!v)
            {
                return Usage("--progress needs auto, bar, plain or none");
            }
            progress = v;
        }
        else if (a == "--dry-run")
        {
            dryRun = true;
        }
        else if (a == "-h" || a == "--help")
        {
            Usage(nullptr);
            return 0;
        }
        else if (!a.empty() && a[0] == '-')
        {
            return Usage(("unknown option " + a).c_str());
        }
        else if (scenario.empty())
        {
            scenario = a;
        }
        else
        {
            return Usage("one scenario at a time");
        }
    }
    if (scenario.empty())
    {
        // The default study, from here or from the source tree this runner was built from.
        scenario = "scenarios/default.yaml";
        if (access(scenario.c_str(), R_OK) != 0)
        {
            scenario = std::string(MQTT_SOURCE_DIR) + "/" + scenario;
        }
    }
    MqttScenarioLoadResult loaded = MqttScenarioLoader::LoadFile(scenario, sets);
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
    MqttStudyRunner::Options options;
    options.outDir = !out.empty()            ? out
                     : !s.output.dir.empty() ? s.output.dir
                                             : "results/" + s.name;
    options.dryRun = dryRun;
    if (progress == "auto")
    {
        options.progress = isatty(STDERR_FILENO) ? 2 : 1;
    }
    else if (progress == "bar" || progress == "plain" || progress == "none")
    {
        options.progress = progress == "bar" ? 2 : progress == "plain" ? 1 : 0;
    }
    else
    {
        return Usage("--progress needs auto, bar, plain or none");
    }
    MqttStudyRunner runner(s, options, std::cerr);
    if (!runner.Run())
    {
        return 1;
    }
    if (!dryRun)
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
