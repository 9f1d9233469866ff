/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The coordinator of a sweep (the process, or MPI rank 0, that owns the sweep directory): it
 * decides which runs are still to do, hands them to its own executor and to remote workers as
 * they ask, writes the index (the only writer), and sums up. Layout of the sweep directory:
 *
 *   DIR/sweep.json          the plan (axes, seeds, run ids), for analysis/sweep.py
 *   DIR/index.jsonl         one row per run (MqttSweepIndex)
 *   DIR/runs/ID/            the runner's --out directory (results file and whatever else)
 *   DIR/logs/ID.log         the runner's stdout and stderr
 *   DIR/summary.txt         the summary printed at the end
 */
#ifndef MQTT_SWEEP_COORDINATOR_H
#define MQTT_SWEEP_COORDINATOR_H

#include "mqtt-sweep-executor.h"
#include "mqtt-sweep-index.h"
#include "mqtt-sweep-job.h"
#include "mqtt-sweep-plan.h"

#include <csignal>
#include <deque>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** Workers in other processes (MPI ranks), as the coordinator sees them. */
class MqttSweepWorkers
{
  public:
    virtual ~MqttSweepWorkers() = default;

    /** Number of remote workers. */
    virtual std::size_t Count() const = 0;

    /**
     * Answers the requests that have arrived: each gets a job from @p next or, when @p next has
     * none left, the order to stop. Adds the outcomes that have arrived. Never blocks long.
     */
    virtual void Serve(const std::function<std::optional<MqttSweepJob>()>& next,
                       std::vector<MqttSweepOutcome>* outcomes) = 0;

    /** True while a worker has not been told to stop, or still owes an outcome. */
    virtual bool Busy() const = 0;
};

struct MqttSweepOptions
{
    std::string out;      //!< sweep directory ("" : results/NAME)
    std::string runner;   //!< runner program
    std::size_t jobs = 1; //!< runs at a time in this process
    bool dryRun = false;  //!< print the plan and what would run, run nothing
};

class MqttSweepCoordinator
{
  public:
    /** Exit codes of Run(). */
    static constexpr int ALL_OK = 0;
    static constexpr int SOME_FAILED = 1;
    static constexpr int CANNOT_RUN = 2;
    static constexpr int INTERRUPTED = 130;

    MqttSweepCoordinator(MqttSweepPlan plan, MqttSweepOptions options);

    /**
     * Runs what is left of the sweep. @p workers may be null (local only). Stops early, ending
     * its runs, when @p interrupted becomes non-zero. Progress and the summary go to @p out.
     */
    int Run(MqttSweepWorkers* workers,
            const volatile std::sig_atomic_t* interrupted,
            std::ostream& out);

    /** The sweep directory (absolute). */
    const std::string& Directory() const;

  private:
    MqttSweepJob MakeJob(const MqttSweepRun& run) const;
    std::string SweepJson() const;
    bool Finished(const MqttSweepRun& run, const MqttSweepIndex& index) const;
    /** The row of the index for @p outcome. */
    MqttSweepIndexRow IndexRow(const MqttSweepOutcome& outcome) const;

    // The phases of Run().
    /** --dry-run: what would run, with the commands. */
    int DryRun(std::ostream& out) const;
    /** Opens the index (the directory is locked) and writes sweep.json. */
    bool Prepare(MqttSweepIndex* index, std::ostream& out) const;
    /** The runs still to do as jobs; counts the finished ones in @p earlier; the plan line. */
    std::deque<MqttSweepJob> Pending(const MqttSweepIndex& index,
                                     std::size_t workers,
                                     std::size_t* earlier,
                                     std::ostream& out) const;
    /** Runs @p pending here and on @p workers, a row in @p index for each; false if a row could
     * not be written. @p stopped: an interrupt ended it early. */
    bool Execute(std::deque<MqttSweepJob> pending,
                 MqttSweepWorkers* workers,
                 const volatile std::sig_atomic_t* interrupted,
                 MqttSweepIndex* index,
                 bool* stopped,
                 std::ostream& out) const;
    /** Prints and writes the summary; returns the number of runs not finished. */
    std::size_t Summarize(const MqttSweepIndex& index,
                          std::size_t earlier,
                          bool stopped,
                          std::ostream& out) const;

    MqttSweepPlan m_plan;
    MqttSweepOptions m_options;
    std::string m_dir;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SWEEP_COORDINATOR_H
