/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * mqtt-sweep: runs a parameter sweep (doc/scaling.md), each run one invocation of the scenario
 * runner. Started by mpirun it spreads the runs over the ranks (MqttSweepRanks: rank 0
 * coordinates, every rank runs -j runs at a time); started directly it runs -j local processes
 * and needs no MPI at all. A build without MPI runs every sweep that way.
 *
 *   mqtt-sweep SWEEP.yaml [--out DIR] [-j K] [--runner PROGRAM] [--dry-run]
 *   mpirun -np N [--hostfile H] mqtt-sweep SWEEP.yaml --out DIR
 */
#include "mqtt-sweep-coordinator.h"
#include "mqtt-sweep-plan.h"
#include "mqtt-sweep-ranks.h"

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

using namespace ns3::mqtt;

namespace
{

volatile std::sig_atomic_t g_interrupted = 0;

const char* USAGE =
    "Usage: mqtt-sweep SWEEP.yaml [--out DIR] [-j K] [--runner PROGRAM] [--dry-run]\n"
    "       mpirun -np N [--hostfile H] mqtt-sweep SWEEP.yaml [--out DIR] [-j K]\n"
    "\n"
    "Runs every run of the sweep that has not finished yet (see doc/scaling.md).\n"
    "  --out DIR         sweep directory (default results/NAME); the same DIR resumes\n"
    "  -j K              runs at a time per process (per MPI rank), default 1\n"
    "  --runner PROGRAM  the scenario runner (PROGRAM SCENARIO --out D --set K=V ...)\n"
    "  --dry-run         list the runs and their commands, run nothing\n"
    "  --where           print the sweep directory and exit\n"
    "Exit: 0 all runs ok, 1 some failed, 2 bad arguments or sweep file, 130 interrupted.\n";

struct Args
{
    std::string sweep;
    MqttSweepOptions options;
    bool help = false;
    bool where = false;
};

std::optional<Args>
ParseArgs(int argc, char** argv, std::string* error)
{
    Args a;
#ifdef MQTT_SWEEP_DEFAULT_RUNNER
    a.options.runner = MQTT_SWEEP_DEFAULT_RUNNER;
#endif
    for (int i = 1; i < argc; ++i)
    {
        std::string arg = argv[i];
        auto value = [&](const std::string& name) -> std::optional<std::string>
        {
            if (arg.rfind(name + "=", 0) == 0)
            {
                return arg.substr(name.size() + 1);
            }
            if (i + 1 >= argc)
            {
                *error = name + " needs a value";
                return std::nullopt;
            }
            return std::string(argv[++i]);
        };
        auto is = [&](const std::string& name)
        { return arg == name || arg.rfind(name + "=", 0) == 0; };
        if (arg == "-h" || arg == "--help")
        {
            a.help = true;
        }
        else if (arg == "--dry-run")
        {
            a.options.dryRun = true;
        }
        else if (arg == "--where")
        {
            a.where = true;
        }
        else if (is("--out"))
        {
            auto v = value("--out");
            if (!v)
            {
                return std::nullopt;
            }
            a.options.out = *v;
        }
        else if (is("--runner"))
        {
            auto v = value("--runner");
            if (!v)
            {
                return std::nullopt;
            }
            a.options.runner = *v;
        }
        else if (arg == "-j" || arg.rfind("-j", 0) == 0 || is("--jobs"))
        {
            std::string v;
            if (arg == "-j" || arg == "--jobs")
            {
                if (i + 1 >= argc)
                {
                    *error = arg + " needs a value";
                    return std::nullopt;
                }
                v = argv[++i];
            }
            else
            {
                v = arg.rfind("--jobs=", 0) == 0 ? arg.substr(7) : arg.substr(2);
            }
            char* end = nullptr;
            long n = std::strtol(v.c_str(), &end, 10);
            if (v.empty() || *end != '\0' || n < 1 || n > 4096)
            {
                *error = "-j: expected a number of runs from 1 to 4096, got '" + v + "'";
                return std::nullopt;
            }
            a.options.jobs = static_cast<std::size_t>(n);
        }
        else if (!arg.empty() && arg[0] == '-')
        {
            *error = "unknown option " + arg;
            return std::nullopt;
        }
        else if (a.sweep.empty())
        {
            a.sweep = arg;
        }
        else
        {
            *error = "one sweep file only (got " + a.sweep + " and " + arg + ")";
            return std::nullopt;
        }
    }
    if (!a.help && a.sweep.empty())
    {
        *error = "no sweep file given";
        return std::nullopt;
    }
    if (!a.help && !a.where && a.options.runner.empty())
    {
        *error = "no runner: give --runner PROGRAM";
        return std::nullopt;
    }
    return a;
}

void
OnSignal(int)
{
    g_interrupted = 1;
}

void
InstallSignalHandlers()
{
    struct sigaction sa = {};
    sa.sa_handler = OnSignal;
    sigemptyset(&sa.sa_mask);
    for (int s : {SIGINT, SIGTERM, SIGHUP})
    {
        sigaction(s, &sa, nullptr);
    }
}

/** Decide()'s answer when the sweep is to run. */
static constexpr int GO = -1;

/**
 * Rank 0 (or the only process) decides whether the sweep can run at all: an exit code when it
 * cannot or need not (help, --where, bad arguments or sweep file), GO with @p plan loaded.
 */
int
Decide(const std::optional<Args>& args,
       const std::string& error,
       int ranks,
       std::optional<MqttSweepPlan>* plan)
{
    if (!args)
    {
        std::cerr << "mqtt-sweep: " << error << "\n" << USAGE;
        return MqttSweepCoordinator::CANNOT_RUN;
    }
    if (args->help)
    {
        std::cout << USAGE;
        return 0;
    }
    std::vector<std::string> errors;
    *plan = MqttSweepPlan::Load(args->sweep, &errors);
    if (!*plan)
    {
        for (const auto& e : errors)
        {
            std::cerr << e << "\n";
        }
        return MqttSweepCoordinator::CANNOT_RUN;
    }
    if ((args->options.dryRun || args->where) && ranks > 1)
    {
        std::cerr << "mqtt-sweep: --dry-run and --where do not need mpirun\n";
        return MqttSweepCoordinator::CANNOT_RUN;
    }
    if (args->where)
    {
        std::cout << MqttSweepCoordinator(**plan, args->options).Directory() << "\n";
        return 0;
    }
    return GO;
}

} // namespace

int
main(int argc, char** argv)
{
    MqttSweepRanks ranks(&argc, &argv);
    InstallSignalHandlers();
    std::string error;
    auto args = ParseArgs(argc, argv, &error);
    std::optional<MqttSweepPlan> plan;
    int code = ranks.Share(ranks.Rank() == 0 ? Decide(args, error, ranks.Size(), &plan) : GO);
    if (code != GO)
    {
        return code;
    }
    if (ranks.Rank() == 0)
    {
        MqttSweepCoordinator coordinator(std::move(*plan), args->options);
        code = coordinator.Run(ranks.Workers().get(), &g_interrupted, std::cout);
    }
    else
    {
        code = ranks.Work(args->options.jobs, &g_interrupted);
    }
    if (code == MqttSweepCoordinator::INTERRUPTED)
    {
        ranks.Abort(code);
    }
    // Every rank exits with the sweep's verdict, so mpirun's exit status is the sweep's.
    return ranks.Share(code);
}
