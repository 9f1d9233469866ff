/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A sweep as plain data: the base scenario, the grid of --set values, the seeds, and the runs
 * they expand to (the cartesian product, the first grid key outermost, seeds innermost). Built
 * from a sweep file (YAML, doc/scaling.md); every error names the file, the line and the field.
 * The sweep knows the runner only through its command line: SCENARIO --out DIR --set K=V ...
 */
#ifndef MQTT_SWEEP_PLAN_H
#define MQTT_SWEEP_PLAN_H

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** One dimension of the grid: a --set key and the values it takes. */
struct MqttSweepAxis
{
    std::string key;                 //!< dotted scenario path, "links.access.loss.rate"
    std::string name;                //!< short name for run ids and plots, "loss"
    std::vector<std::string> values; //!< --set values as written in the sweep file
};

/** One run of the sweep: a point of the grid and one seed. */
struct MqttSweepRun
{
    std::size_t index = 0; //!< position in the plan
    /** Readable and unique, usable as a directory name: "loss=0.01_qos=1_run=3". */
    std::string id;
    /** Grid values of this run: (key, value), in axis order. */
    std::vector<std::pair<std::string, std::string>> params;
    uint64_t seed = 1; //!< ns-3 RngSeed (the same for every run of a sweep)
    uint64_t run = 1;  //!< ns-3 RngRun: the replication
    /** Every --set this run passes: fixed ones, grid values, seed and run, in that order. */
    std::vector<std::string> overrides;
    /**
     * Hash (16 hex digits) of what decides the run's results: the base scenario file's bytes and
     * the overrides, and once the coordinator has asked the runner (MqttSweepAddInputs), the
     * content of the files the scenario names and the runner's build. A finished run counts
     * only while its fingerprint still matches.
     */
    std::string fingerprint;
};

struct MqttSweepPlan
{
    std::string file;                                       //!< the sweep file, as given
    std::string name;                                       //!< "name:", else the file's stem
    std::string scenario;                                   //!< absolute path of the base scenario
    std::vector<std::pair<std::string, std::string>> fixed; //!< "set:" overrides for every run
    std::vector<MqttSweepAxis> axes;
    std::vector<uint64_t> seeds;            //!< the replications (ns-3 run numbers)
    uint64_t rngSeed = 1;                   //!< ns-3 seed shared by all runs
    double timeout = 0;                     //!< wall-clock limit per run, s (0: none)
    std::string resultsName = "results.h5"; //!< file the runner writes in its --out directory
    std::vector<MqttSweepRun> runs;

    /**
     * Loads the sweep file @p path. Errors are "FILE:LINE: FIELD: MESSAGE", one each; the plan is
     * set only when there is none.
     */
    static std::optional<MqttSweepPlan> Load(const std::string& path,
                                             std::vector<std::string>* errors);

    /**
     * Loads sweep @p text named @p fileName; @p baseDir (absolute) resolves the scenario path.
     */
    static std::optional<MqttSweepPlan> LoadText(const std::string& text,
                                                 const std::string& fileName,
                                                 const std::string& baseDir,
                                                 std::vector<std::string>* errors);

    /**
     * The runner's command line for @p run: @p runner, the scenario, --out @p outDir, then one
     * --set per override.
     */
    std::vector<std::string> Command(const std::string& runner,
                                     const MqttSweepRun& run,
                                     const std::string& outDir) const;

    /** Parses "90", "1.5s", "500ms", "10m", "2h" into seconds; nothing when malformed. */
    static std::optional<double> ParseSeconds(const std::string& text);

    /** 64-bit FNV-1a of @p bytes, as 16 lowercase hex digits. */
    static std::string Fingerprint(const std::string& bytes);
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SWEEP_PLAN_H
