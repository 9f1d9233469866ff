/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Runs jobs as local child processes, a fixed number at a time. Each run gets its own process
 * group (a timeout or an interrupt ends the runner and anything it started), its own empty
 * output directory, and its output (stdout and stderr) in its log file. Nothing blocks: Poll()
 * reaps what has ended, so one loop can also serve MPI messages.
 */
#ifndef MQTT_SWEEP_EXECUTOR_H
#define MQTT_SWEEP_EXECUTOR_H

#include "mqtt-sweep-job.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace ns3
{
namespace mqtt
{

class MqttSweepExecutor
{
  public:
    /** Seconds between SIGTERM and SIGKILL when a run is ended. */
    static constexpr double KILL_GRACE = 5.0;

    /**
     * @p slots runs at a time; @p rank goes into the outcomes; @p killGrace: seconds between
     * SIGTERM and SIGKILL.
     */
    MqttSweepExecutor(std::size_t slots, int rank, double killGrace = KILL_GRACE);
    ~MqttSweepExecutor();
    MqttSweepExecutor(const MqttSweepExecutor&) = delete;
    MqttSweepExecutor& operator=(const MqttSweepExecutor&) = delete;

    bool HasFreeSlot() const;
    std::size_t Running() const;

    /**
     * Empties the job's directory and starts the runner (the log is kept outside that
     * directory, so a runner that recreates its --out directory cannot lose it). A job that cannot
     * start (no such program, directory not writable) becomes a failed outcome of the next Poll().
     */
    void Start(const MqttSweepJob& job);

    /** Outcomes of the runs that ended since the last call; ends runs past their timeout. */
    std::vector<MqttSweepOutcome> Poll();

    /** Ends every run (SIGTERM, SIGKILL after KILL_GRACE) and waits for them; no outcomes. */
    void Terminate();

    /** This machine's host name. */
    static std::string HostName();

  private:
    struct Active
    {
        MqttSweepJob job;
        pid_t pid = -1;
        std::chrono::steady_clock::time_point start;
        std::optional<std::chrono::steady_clock::time_point> termAt;
        bool timedOut = false;
    };

    MqttSweepOutcome Finish(const Active& a, int status);
    MqttSweepOutcome Failed(const MqttSweepJob& job, const std::string& reason) const;

    std::size_t m_slots;
    int m_rank;
    double m_killGrace;
    std::string m_host;
    std::vector<Active> m_active;
    std::vector<MqttSweepOutcome> m_ready;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SWEEP_EXECUTOR_H
