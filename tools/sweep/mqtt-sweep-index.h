/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The sweep index: DIR/index.jsonl, one JSON object per line and per finished run (format in
 * doc/scaling.md). Only the coordinator writes it: a row is appended as each run ends, so a
 * killed sweep keeps what it finished, and at the end the file is rewritten with the latest row
 * of each run. A torn last line (the writer was killed mid-write) is skipped when reading.
 */
#ifndef MQTT_SWEEP_INDEX_H
#define MQTT_SWEEP_INDEX_H

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ns3
{
namespace mqtt
{

struct MqttSweepIndexRow
{
    std::string id;
    std::vector<std::pair<std::string, std::string>> params; //!< grid (key, value)
    uint64_t seed = 0;
    uint64_t run = 0;
    std::string status;  //!< "ok" or "failed"
    int exitCode = -1;   //!< the runner's exit status; -1 when it did not exit by itself
    int signal = 0;      //!< the signal that ended it, 0 if none
    std::string reason;  //!< why it failed, "" when ok
    double wallTime = 0; //!< s
    std::string path;    //!< run directory, relative to the sweep directory
    std::string results; //!< results file, relative to the sweep directory
    std::string log;     //!< the runner's output, relative to the sweep directory
    std::string host;
    int rank = 0;
    std::string fingerprint; //!< MqttSweepRun::fingerprint of the run that wrote it

    bool operator==(const MqttSweepIndexRow& other) const;
};

class MqttSweepIndex
{
  public:
    MqttSweepIndex() = default;
    ~MqttSweepIndex();
    MqttSweepIndex(const MqttSweepIndex&) = delete;
    MqttSweepIndex& operator=(const MqttSweepIndex&) = delete;

    /** One line of JSON, without the newline; keys in a fixed order. */
    static std::string ToJson(const MqttSweepIndexRow& row);

    /** Parses a line ToJson wrote; nothing and @p error when it is not one. */
    static std::optional<MqttSweepIndexRow> FromJson(const std::string& line, std::string* error);

    /**
     * Reads @p path if it exists (the latest row of each id wins) and, unless @p readOnly, opens
     * it for appending. False and @p error when it cannot be opened. @p badLines counts lines
     * that did not parse.
     */
    bool Open(const std::string& path,
              std::size_t* badLines,
              std::string* error,
              bool readOnly = false);

    /** The latest row of @p id, if any. */
    const MqttSweepIndexRow* Find(const std::string& id) const;

    /** Appends @p row to the file (one write) and remembers it. */
    bool Append(const MqttSweepIndexRow& row, std::string* error);

    /**
     * Rewrites the file (atomically, by rename) with one row per id: first the ids in
     * @p order that have a row, then any other ids in the order they first appeared.
     */
    bool Compact(const std::vector<std::string>& order, std::string* error);

  private:
    std::string m_path;
    int m_fd = -1;
    std::map<std::string, MqttSweepIndexRow> m_latest;
    std::vector<std::string> m_seen; //!< ids in the order they first appeared
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SWEEP_INDEX_H
