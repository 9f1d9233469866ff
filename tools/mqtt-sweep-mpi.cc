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
#include "mqtt-command-line.h"
#include "mqtt-sweep-coordinator.h"
#include "mqtt-sweep-plan.h"
#include "mqtt-sweep-ranks.h"
#include "mqtt-units.h"

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

struct Args
{
    std::string sweep;
    MqttSweepOptions options;
    bool where = false;
};

/**
 * The command line, checked: one sweep file, a runner, -j in [1, 4096]. On Help or Error @p cli
 * holds what to print (rank 0 prints it).
 */
MqttCommandLine::Outcome
ParseArgs(int argc, char** argv, MqttCommandLine& cli, Args& a)
{
#ifdef MQTT_SWEEP_DEFAULT_RUNNER
    a.options.runner = MQTT_SWEEP_DEFAULT_RUNNER;
#endif
    std::string jobs = "1";
    CLI::App& app = cli.App();
    app.add_option("sweep", a.sweep, "the sweep file")->type_name("SWEEP.yaml");
    app.add_option("--out",
                   a.options.out,
                   "sweep directory (default results/NAME); the same DIR "
                   "resumes")
        ->type_name("DIR");
    app.add_option("-j,--jobs", jobs, "runs at a time per process (per MPI rank), default 1")
        ->type_name("K");
    app.add_option("--runner",
                   a.options.runner,
                   "the scenario runner (PROGRAM SCENARIO --out D --set K=V ...)")
        ->type_name("PROGRAM");
    app.add_flag("--dry-run", a.options.dryRun, "list the runs and their commands, run nothing");
    app.add_flag("--where", a.where, "print the sweep directory and exit");
    cli.SetFooter("Under MPI: mpirun -np N [--hostfile H] mqtt-sweep SWEEP.yaml [--out DIR] "
                  "[-j K]\nExit: 0 all runs ok, 1 some failed, 2 bad arguments or sweep file, 130 "
                  "interrupted.");
    MqttCommandLine::Outcome outcome = cli.Parse(argc, argv);
    if (outcome != MqttCommandLine::Outcome::Run)
    {
        return outcome;
    }
    std::optional<uint64_t> n = ParseCount(jobs, 4096);
    if (!n || *n < 1)
    {
        cli.Fail(MqttCommandLine::Expected("-j", "a number of runs from 1 to 4096", jobs));
    }
    else if (a.sweep.empty())
    {
        cli.Fail("no sweep file given (see --help)");
    }
    else if (!a.where && a.options.runner.empty())
    {
        cli.Fail("no runner: give --runner PROGRAM");
    }
    else
    {
        a.options.jobs = static_cast<std::size_t>(*n);
        return outcome;
    }
    return MqttCommandLine::Outcome::Error;
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
Decide(MqttCommandLine::Outcome parsed,
       MqttCommandLine& cli,
       const Args& args,
       int ranks,
       std::optional<MqttSweepPlan>* plan)
{
    if (parsed != MqttCommandLine::Outcome::Run)
    {
        return cli.Report();
    }
    std::vector<std::string> errors;
    *plan = MqttSweepPlan::Load(args.sweep, &errors);
    if (!*plan)
    {
        for (const auto& e : errors)
        {
            std::cerr << e << "\n";
        }
        return MqttSweepCoordinator::CANNOT_RUN;
    }
    if ((args.options.dryRun || args.where) && ranks > 1)
    {
        std::cerr << "mqtt-sweep: --dry-run and --where do not need mpirun\n";
        return MqttSweepCoordinator::CANNOT_RUN;
    }
    if (args.where)
    {
        std::cout << MqttSweepCoordinator(**plan, args.options).Directory() << "\n";
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
    MqttCommandLine cli("mqtt-sweep",
                        "Runs every run of a sweep that has not finished yet (doc/scaling.md), "
                        "each one\ninvocation of the scenario runner, on -j local processes or "
                        "over MPI ranks.");
    Args args;
    MqttCommandLine::Outcome parsed = ParseArgs(argc, argv, cli, args);
    std::optional<MqttSweepPlan> plan;
    int code =
        ranks.Share(ranks.Rank() == 0 ? Decide(parsed, cli, args, ranks.Size(), &plan) : GO);
    if (code != GO)
    {
        return code;
    }
    if (ranks.Rank() == 0)
    {
        MqttSweepCoordinator coordinator(std::move(*plan), args.options);
        code = coordinator.Run(ranks.Workers().get(), &g_interrupted, std::cout);
    }
    else
    {
        code = ranks.Work(args.options.jobs, &g_interrupted);
    }
    if (code == MqttSweepCoordinator::INTERRUPTED)
    {
        ranks.Abort(code);
    }
    // Every rank exits with the sweep's verdict, so mpirun's exit status is the sweep's.
    return ranks.Share(code);
}
