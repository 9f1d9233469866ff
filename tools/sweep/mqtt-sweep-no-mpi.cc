/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttSweepRanks in a build without MPI: one process. Under mpirun every process would run the
 * whole sweep into one directory, so only the first one runs it (on local processes, -j) and
 * says why; the others leave at once.
 */
#include "mqtt-sweep-ranks.h"

#include <cstdlib>
#include <iostream>
#include <string>

namespace ns3
{
namespace mqtt
{

namespace
{

/** An environment variable as a number, @p otherwise when it is not set. */
int
EnvNumber(std::initializer_list<const char*> names, int otherwise)
{
    for (const char* name : names)
    {
        if (const char* v = std::getenv(name))
        {
            return std::atoi(v);
        }
    }
    return otherwise;
}

} // namespace

bool
MqttSweepRanks::HaveMpi()
{
    return false;
}

MqttSweepRanks::MqttSweepRanks(int*, char***)
{
    m_rank = EnvNumber({"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"}, 0);
    int launched = EnvNumber({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}, 1);
    if (m_rank == 0 && launched > 1)
    {
        std::cerr << "mqtt-sweep: this build has no MPI (CMake found none): of the " << launched
                  << " processes mpirun started, this one runs the sweep, on local processes "
                  << "(-j K); the others exit\n";
    }
}

MqttSweepRanks::~MqttSweepRanks() = default;

int
MqttSweepRanks::Share(int code)
{
    // The extra processes of an mpirun leave quietly, whatever rank 0 decided.
    return m_rank == 0 ? code : 0;
}

std::unique_ptr<MqttSweepWorkers>
MqttSweepRanks::Workers()
{
    return nullptr;
}

int
MqttSweepRanks::Work(std::size_t, const volatile std::sig_atomic_t*)
{
    return MqttSweepCoordinator::ALL_OK;
}

void
MqttSweepRanks::Abort(int code)
{
    std::exit(code);
}

} // namespace mqtt
} // namespace ns3
