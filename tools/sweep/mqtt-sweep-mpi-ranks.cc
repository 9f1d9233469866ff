/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttSweepRanks over MPI: a work queue on rank 0. A worker sends a request for each free slot;
 * rank 0 answers with a job, or with the order to stop when none is left; the worker sends each
 * outcome back. Messages are the JSON lines of MqttSweepJob and MqttSweepOutcome.
 */
#include "mqtt-sweep-executor.h"
#include "mqtt-sweep-ranks.h"

#include <mpi.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace ns3
{
namespace mqtt
{

namespace
{

/** MPI message tags. */
enum Tag : int
{
    TAG_REQUEST = 1, //!< worker -> 0: a slot is free (empty message)
    TAG_JOB = 2,     //!< 0 -> worker: a job to run (MqttSweepJob::Encode)
    TAG_STOP = 3,    //!< 0 -> worker: no more jobs (empty message)
    TAG_OUTCOME = 4, //!< worker -> 0: a run ended (MqttSweepOutcome::Encode)
};

static constexpr auto POLL = std::chrono::milliseconds(5);

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
                Answer(next(), status.MPI_SOURCE);
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
    /** Gives @p job to @p rank, or the order to stop when there is none. */
    void
    Answer(const std::optional<MqttSweepJob>& job, int rank)
    {
        if (job)
        {
            Send(job->Encode(), rank, TAG_JOB);
            ++m_owed;
        }
        else
        {
            Send("", rank, TAG_STOP);
            ++m_stopped;
        }
    }

    int m_size;
    int m_stopped = 0;
    long m_owed = 0;
};

/** Waits for a message from rank 0 without blocking signals out; nothing when interrupted. */
std::optional<std::pair<int, std::string>>
AwaitFromRoot(const volatile std::sig_atomic_t* interrupted)
{
    while (!*interrupted)
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

} // namespace

bool
MqttSweepRanks::HaveMpi()
{
    return true;
}

MqttSweepRanks::MqttSweepRanks(int* argc, char*** argv)
{
    // Started directly, the sweep runs on local processes and needs no MPI at all.
    if (LaunchedByMpi())
    {
        MPI_Init(argc, argv);
        MPI_Comm_rank(MPI_COMM_WORLD, &m_rank);
        MPI_Comm_size(MPI_COMM_WORLD, &m_size);
        m_joined = true;
    }
}

MqttSweepRanks::~MqttSweepRanks()
{
    if (m_joined)
    {
        MPI_Finalize();
    }
}

int
MqttSweepRanks::Share(int code)
{
    if (m_joined)
    {
        MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
    }
    return code;
}

std::unique_ptr<MqttSweepWorkers>
MqttSweepRanks::Workers()
{
    if (m_size < 2)
    {
        return nullptr;
    }
    return std::make_unique<MpiWorkers>(m_size);
}

int
MqttSweepRanks::Work(std::size_t slots, const volatile std::sig_atomic_t* interrupted)
{
    MqttSweepExecutor executor(slots, m_rank);
    bool stopped = false;
    while (!stopped || executor.Running() > 0)
    {
        while (!stopped && executor.HasFreeSlot() && !*interrupted)
        {
            Send("", 0, TAG_REQUEST);
            auto reply = AwaitFromRoot(interrupted);
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
                std::cerr << "mqtt-sweep: rank " << m_rank << ": malformed job from rank 0\n";
                MPI_Abort(MPI_COMM_WORLD, 2);
            }
            executor.Start(*job);
        }
        if (*interrupted)
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

void
MqttSweepRanks::Abort(int code)
{
    if (m_joined)
    {
        MPI_Abort(MPI_COMM_WORLD, code);
    }
    std::exit(code);
}

} // namespace mqtt
} // namespace ns3
