/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A job (one run to execute) and its outcome, as they travel between the coordinator and the
 * workers: self-contained (absolute paths and the whole command line), so a worker needs
 * neither the sweep file nor the index. Encode/Decode give a line of JSON for MPI messages.
 */
#ifndef MQTT_SWEEP_JOB_H
#define MQTT_SWEEP_JOB_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

struct MqttSweepJob
{
    uint64_t index = 0;            //!< MqttSweepRun::index
    std::string id;                //!< MqttSweepRun::id, for messages
    std::vector<std::string> argv; //!< the runner's command line
    std::string dir;               //!< run directory (emptied first: half-written runs redo)
    std::string log;               //!< the runner's stdout and stderr go here
    std::string results;           //!< must exist after a successful exit
    double timeout = 0;            //!< s, 0: none

    std::string Encode() const;
    static std::optional<MqttSweepJob> Decode(const std::string& bytes);
    bool operator==(const MqttSweepJob& other) const;
};

struct MqttSweepOutcome
{
    uint64_t index = 0;
    bool ok = false;
    int exitCode = -1; //!< -1 when the runner did not exit by itself
    int signal = 0;
    std::string reason; //!< "" when ok
    double wallTime = 0;
    std::string host;
    int rank = 0;

    std::string Encode() const;
    static std::optional<MqttSweepOutcome> Decode(const std::string& bytes);
    bool operator==(const MqttSweepOutcome& other) const;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SWEEP_JOB_H
