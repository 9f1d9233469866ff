/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The processes of a sweep. Started by mpirun, rank 0 coordinates (a work queue: each worker
 * asks for a run when it has a free slot, so long and short runs balance) and is the only writer
 * of the index; every rank, rank 0 included, runs -j runs at a time. MPI is optional at build
 * time: a build without it (mqtt-sweep-no-mpi.cc) is one process, rank 0 of 1, and says so when
 * mpirun starts it anyway.
 */
#ifndef MQTT_SWEEP_RANKS_H
#define MQTT_SWEEP_RANKS_H

#include "mqtt-sweep-coordinator.h"

#include <csignal>
#include <memory>

namespace ns3
{
namespace mqtt
{

class MqttSweepRanks
{
  public:
    /** True when this build has MPI. */
    static bool HaveMpi();

    /** Joins the MPI job when an MPI launcher started this process; alone otherwise. */
    MqttSweepRanks(int* argc, char*** argv);
    /** Leaves the MPI job. */
    ~MqttSweepRanks();
    MqttSweepRanks(const MqttSweepRanks&) = delete;
    MqttSweepRanks& operator=(const MqttSweepRanks&) = delete;

    int
    Rank() const
    {
        return m_rank;
    }

    /** Processes that share the sweep (1 without MPI). */
    int
    Size() const
    {
        return m_size;
    }

    /** Rank 0's @p code, on every rank. */
    int Share(int code);

    /** The other ranks as rank 0's coordinator sees them; null when alone. */
    std::unique_ptr<MqttSweepWorkers> Workers();

    /** A rank other than 0: runs the jobs rank 0 hands out, @p slots at a time. */
    int Work(std::size_t slots, const volatile std::sig_atomic_t* interrupted);

    /** Ends every rank now: after an interrupt, workers may wait for answers that never come. */
    [[noreturn]] void Abort(int code);

  private:
    bool m_joined = false;
    int m_rank = 0;
    int m_size = 1;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SWEEP_RANKS_H
