/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-sweep-job.h"

#include "mqtt-sweep-json.h"

namespace ns3
{
namespace mqtt
{

namespace
{

// The kind of message comes first, so a job is never taken for an outcome or the reverse.
static constexpr const char* JOB_KIND = "job1";
static constexpr const char* OUTCOME_KIND = "out1";

/** @p bytes as a JSON object whose "kind" is @p kind. */
std::optional<MqttJson>
Message(const std::string& bytes, const char* kind)
{
    std::string error;
    auto n = MqttJsonObject(bytes, &error);
    std::string got;
    if (!n || !MqttJsonField(*n, "kind", &got) || got != kind)
    {
        return std::nullopt;
    }
    return n;
}

} // namespace

std::string
MqttSweepJob::Encode() const
{
    return MqttJsonLine({{"kind", JOB_KIND},
                         {"index", index},
                         {"id", id},
                         {"argv", argv},
                         {"dir", dir},
                         {"log", log},
                         {"results", results},
                         {"timeout", timeout}});
}

std::optional<MqttSweepJob>
MqttSweepJob::Decode(const std::string& bytes)
{
    auto n = Message(bytes, JOB_KIND);
    if (!n)
    {
        return std::nullopt;
    }
    const MqttJson& m = *n;
    MqttSweepJob j;
    auto args = m.find("argv");
    if (!MqttJsonField(m, "index", &j.index) || !MqttJsonField(m, "id", &j.id) || args == m.end() ||
        !args->is_array() || !MqttJsonField(m, "dir", &j.dir) || !MqttJsonField(m, "log", &j.log) ||
        !MqttJsonField(m, "results", &j.results) || !MqttJsonField(m, "timeout", &j.timeout))
    {
        return std::nullopt;
    }
    for (const auto& a : *args)
    {
        if (!a.is_string())
        {
            return std::nullopt;
        }
        j.argv.push_back(a.get<std::string>());
    }
    return j;
}

bool
MqttSweepJob::operator==(const MqttSweepJob& o) const
{
    return index == o.index && id == o.id && argv == o.argv && dir == o.dir && log == o.log &&
           results == o.results && timeout == o.timeout;
}

std::string
MqttSweepOutcome::Encode() const
{
    return MqttJsonLine({{"kind", OUTCOME_KIND},
                         {"index", index},
                         {"ok", ok},
                         {"exit_code", exitCode},
                         {"signal", signal},
                         {"reason", reason},
                         {"wall_time", wallTime},
                         {"host", host},
                         {"rank", rank}});
}

std::optional<MqttSweepOutcome>
MqttSweepOutcome::Decode(const std::string& bytes)
{
    auto n = Message(bytes, OUTCOME_KIND);
    MqttSweepOutcome o;
    if (!n || !MqttJsonField(*n, "index", &o.index) || !MqttJsonField(*n, "ok", &o.ok) ||
        !MqttJsonField(*n, "exit_code", &o.exitCode) || !MqttJsonField(*n, "signal", &o.signal) ||
        !MqttJsonField(*n, "reason", &o.reason) || !MqttJsonField(*n, "wall_time", &o.wallTime) ||
        !MqttJsonField(*n, "host", &o.host) || !MqttJsonField(*n, "rank", &o.rank))
    {
        return std::nullopt;
    }
    return o;
}

bool
MqttSweepOutcome::operator==(const MqttSweepOutcome& o) const
{
    return index == o.index && ok == o.ok && exitCode == o.exitCode && signal == o.signal &&
           reason == o.reason && wallTime == o.wallTime && host == o.host && rank == o.rank;
}

} // namespace mqtt
} // namespace ns3
