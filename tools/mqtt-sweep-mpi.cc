/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * mqtt-sweep: runs a parameter sweep (doc/scaling.md), each run one invocation of the scenario
 * runner. Started by mpirun it spreads the runs over the ranks: rank 0 coordinates (a work
 * queue: each worker asks for a run when it has a free slot, so long and short runs balance)
 * and is the only writer of the index; every rank, rank 0 included, runs -j runs at a time.
 * Started directly it runs -j local processes and needs no MPI at all.
 *
 *   mqtt-sweep SWEEP.yaml [--out DIR] [-j K] [--runner PROGRAM] [--dry-run]
 *   mpirun -np N [--hostfile H] mqtt-sweep SWEEP.yaml --out DIR
 */
#include "mqtt-command-line.h"
#include "mqtt-sweep-coordinator.h"
#include "mqtt-sweep-executor.h"
#include "mqtt-sweep-plan.h"
#include "mqtt-units.h"

#include <mpi.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

using namespace ns3::mqtt;

namespace
{

volatile std::sig_atomic_t g_interrupted = 0;

/** MPI message tags. */
enum Tag : int
{
    TAG_REQUEST = 1, //!< worker -> 0: a slot is free (empty message)
    TAG_JOB = 2,     //!< 0 -> worker: a job to run (MqttSweepJob::Encode)
    TAG_STOP = 3,    //!< 0 -> worker: no more jobs (empty message)
    TAG_OUTCOME = 4, //!< worker -> 0: a run ended (MqttSweepOutcome::Encode)
};

static constexpr auto POLL = std::chrono::milliseconds(5);

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

/** True when an MPI launcher (mpirun, srun, hydra) started this process. */
bool
LaunchedByMpi()
{
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    {
        if (std::getenv(v) != nullptr)
        {
            return true;
        }
    }
    return false;
}

/** Receives a message already probed as @p status. */
std::string
Receive(const MPI_Status& status)
{
    int count = 0;
    MPI_Get_count(&status, MPI_CHAR, &count);
    std::string bytes(static_cast<std::size_t>(count), '\0');
    MPI_Recv(bytes.data(),
             count,
             MPI_CHAR,
             status.MPI_SOURCE,
             status.MPI_TAG,
             MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    return bytes;
}

void
Send(const std::string& bytes, int dest, int tag)
{
    MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_CHAR, dest, tag, MPI_COMM_WORLD);
}

/** The other ranks, as rank 0 sees them. */
class MpiWorkers : public MqttSweepWorkers
{
  public:
    explicit MpiWorkers(int size)
        : m_size(size)
    {
    }

    std::size_t
    Count() const override
    {
        return static_cast<std::size_t>(m_size - 1);
    }

    void
    Serve(const std::function<std::optional<MqttSweepJob>()>& next,
          std::vector<MqttSweepOutcome>* outcomes) override
    {
        for (;;)
        {
            int flag = 0;
            MPI_Status status;
            MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
            if (!flag)
            {
                return;
            }
            std::string bytes = Receive(status);
            if (status.MPI_TAG == TAG_REQUEST)
            {
                std::optional<MqttSweepJob> job = next();
                if (job)
                {
                    Send(job->Encode(), status.MPI_SOURCE, TAG_JOB);
                    ++m_owed;
                }
                else
                {
                    Send("", status.MPI_SOURCE, TAG_STOP);
                    ++m_stopped;
                }
            }
            else if (status.MPI_TAG == TAG_OUTCOME)
            {
                auto o = MqttSweepOutcome::Decode(bytes);
                if (!o)
                {
                    std::cerr << "mqtt-sweep: rank 0: malformed outcome from rank "
                              << status.MPI_SOURCE << "\n";
                    MPI_Abort(MPI_COMM_WORLD, 2);
                }
                --m_owed;
                outcomes->push_back(*o);
            }
        }
    }

    bool
    Busy() const override
    {
        return m_stopped < m_size - 1 || m_owed > 0;
    }

  private:
    int m_size;
    int m_stopped = 0;
    long m_owed = 0;
};

/** Waits for a message from rank 0 without blocking signals out; nothing when interrupted. */
std::optional<std::pair<int, std::string>>
AwaitFromRoot()
{
    while (!g_interrupted)
    {
        int flag = 0;
        MPI_Status status;
        MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
        if (flag)
        {
            return std::make_pair(status.MPI_TAG, Receive(status));
        }
        std::this_thread::sleep_for(POLL);
    }
    return std::nullopt;
}

/** A rank other than 0: asks for runs while it has free slots, reports each outcome. */
int
WorkerLoop(int rank, std::size_t slots)
{
    MqttSweepExecutor executor(slots, rank);
    bool stopped = false;
    while (!stopped || executor.Running() > 0)
    {
        while (!stopped && executor.HasFreeSlot() && !g_interrupted)
        {
            Send("", 0, TAG_REQUEST);
            auto reply = AwaitFromRoot();
            if (!reply)
            {
                break;
            }
            if (reply->first == TAG_STOP)
            {
                stopped = true;
                break;
            }
            auto job = MqttSweepJob::Decode(reply->second);
            if (!job)
            {
                std::cerr << "mqtt-sweep: rank " << rank << ": malformed job from rank 0\n";
                MPI_Abort(MPI_COMM_WORLD, 2);
            }
            executor.Start(*job);
        }
        if (g_interrupted)
        {
            executor.Terminate();
            return MqttSweepCoordinator::INTERRUPTED;
        }
        for (const auto& o : executor.Poll())
        {
            Send(o.Encode(), 0, TAG_OUTCOME);
        }
        std::this_thread::sleep_for(POLL);
    }
    return MqttSweepCoordinator::ALL_OK;
}

/** Rank 0 (or the only process): loads the sweep; an exit code when it cannot run. */
std::optional<MqttSweepPlan>
LoadPlan(const Args& args, int* code)
{
    std::vector<std::string> errors;
    auto plan = MqttSweepPlan::Load(args.sweep, &errors);
    if (!plan)
    {
        for (const auto& e : errors)
        {
            std::cerr << e << "\n";
        }
        *code = MqttSweepCoordinator::CANNOT_RUN;
    }
    return plan;
}

} // namespace

int
main(int argc, char** argv)
{
    const bool mpi = LaunchedByMpi();
    int rank = 0;
    int size = 1;
    if (mpi)
    {
        MPI_Init(&argc, &argv);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &size);
    }
    InstallSignalHandlers();

    // Rank 0 decides whether the sweep can run at all and tells the others (-1: go).
    int code = -1;
    MqttCommandLine cli("mqtt-sweep",
                        "Runs every run of a sweep that has not finished yet (doc/scaling.md), "
                        "each one\ninvocation of the scenario runner, on -j local processes or "
                        "over MPI ranks.");
    Args args;
    MqttCommandLine::Outcome parsed = ParseArgs(argc, argv, cli, args);
    std::optional<MqttSweepPlan> plan;
    if (rank == 0)
    {
        if (parsed != MqttCommandLine::Outcome::Run)
        {
            code = cli.Report();
        }
        else
        {
            plan = LoadPlan(args, &code);
        }
        if (code == -1 && (args.options.dryRun || args.where) && size > 1)
        {
            std::cerr << "mqtt-sweep: --dry-run and --where do not need mpirun\n";
            code = MqttSweepCoordinator::CANNOT_RUN;
        }
        if (code == -1 && args.where)
        {
            std::cout << MqttSweepCoordinator(*plan, args.options).Directory() << "\n";
            code = 0;
        }
    }
    if (mpi)
    {
        MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
    }
    if (code != -1)
    {
        if (mpi)
        {
            MPI_Finalize();
        }
        return code;
    }

    if (rank == 0)
    {
        MqttSweepCoordinator coordinator(std::move(*plan), args.options);
        std::optional<MpiWorkers> workers;
        if (size > 1)
        {
            workers.emplace(size);
        }
        code = coordinator.Run(workers ? &*workers : nullptr, &g_interrupted, std::cout);
        if (mpi && code == MqttSweepCoordinator::INTERRUPTED)
        {
            // Workers may be waiting for an answer that will not come.
            MPI_Abort(MPI_COMM_WORLD, code);
        }
    }
    else
    {
        code = WorkerLoop(rank, args.options.jobs);
        if (code == MqttSweepCoordinator::INTERRUPTED)
        {
            MPI_Abort(MPI_COMM_WORLD, code);
        }
    }
    if (mpi)
    {
        // Every rank exits with the sweep's verdict, so mpirun's exit status is the sweep's.
        MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
        MPI_Finalize();
    }
    return code;
}
