/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Runs a validated scenario: builds the network, installs the broker and the clients, plays
 * the faults, samples statistics, records everything into results.h5 and writes
 * topology.graphml. Progress goes to a terminal as one updating line, or as plain lines.
 */
#ifndef MQTT_STUDY_RUNNER_H
#define MQTT_STUDY_RUNNER_H

#include "mqtt-scenario.h"

#include <iosfwd>
#include <memory>
#include <string>

namespace ns3
{
namespace mqtt
{

class MqttStudyRunner
{
  public:
    struct Options
    {
        /** Output directory (created if missing). */
        std::string outDir;
        /** Progress: 0 none, 1 plain lines, 2 one updating terminal line. */
        int progress = 1;
        /** Build the network and write topology.graphml, but simulate nothing. */
        bool dryRun = false;
    };

    MqttStudyRunner(const MqttScenario& scenario, const Options& options, std::ostream& log);
    ~MqttStudyRunner();

    /** Runs the study; false (and the reason on the log) when it cannot. */
    bool Run();

    /** Path of the results file written by Run. */
    std::string ResultsPath() const;
    std::string GraphPath() const;

    /** Simulator events executed and wall time of the run, for the summary. */
    uint64_t Events() const;
    double WallSeconds() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_STUDY_RUNNER_H
