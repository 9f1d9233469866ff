/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-sweep-coordinator.h"

#include "mqtt-sweep-index.h"
#include "mqtt-sweep-inputs.h"
#include "mqtt-sweep-json.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ns3
{
namespace mqtt
{

namespace
{

namespace fs = std::filesystem;

/** Pause of the coordinator loop when nothing happened. */
static constexpr auto IDLE = std::chrono::milliseconds(10);

std::string
RunDir(const std::string& id)
{
    return "runs/" + id;
}

std::string
LogPath(const std::string& id)
{
    return "logs/" + id + ".log";
}

bool
IsFile(const std::string& path)
{
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string
FormatSeconds(double s)
{
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.1f s", s);
    return buf;
}

/** Creates DIR/runs and DIR/logs; false (and says why on @p out) when it cannot. */
bool
CreateDirectories(const std::string& dir, std::ostream& out)
{
    std::error_code ec;
    fs::create_directories(dir + "/runs", ec);
    if (!ec)
    {
        fs::create_directories(dir + "/logs", ec);
    }
    if (ec)
    {
        out << "mqtt-sweep: cannot create " << dir << ": " << ec.message() << "\n";
        return false;
    }
    return true;
}

/** Holds an exclusive lock on DIR/.lock, so two sweeps never write one directory. */
class DirLock
{
  public:
    bool
    Take(const std::string& dir, std::string* error)
    {
        std::string path = dir + "/.lock";
        m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (m_fd < 0)
        {
            *error = path + ": " + std::strerror(errno);
            return false;
        }
        if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0)
        {
            *error = errno == EWOULDBLOCK ? "another sweep is running in " + dir
                                          : path + ": " + std::strerror(errno);
            return false;
        }
        return true;
    }

    ~DirLock()
    {
        if (m_fd >= 0)
        {
            ::close(m_fd);
        }
    }

  private:
    int m_fd = -1;
};

} // namespace

MqttSweepCoordinator::MqttSweepCoordinator(MqttSweepPlan plan, MqttSweepOptions options)
    : m_plan(std::move(plan))
    , m_options(std::move(options))
{
    std::string out = m_options.out.empty() ? "results/" + m_plan.name : m_options.out;
    m_dir = fs::absolute(out).lexically_normal().string();
    while (m_dir.size() > 1 && m_dir.back() == '/')
    {
        m_dir.pop_back();
    }
    // Workers on other hosts may start elsewhere: give them an absolute program path.
    if (m_options.runner.find('/') != std::string::npos)
    {
        m_options.runner = fs::absolute(m_options.runner).lexically_normal().string();
    }
}

const std::string&
MqttSweepCoordinator::Directory() const
{
    return m_dir;
}

MqttSweepJob
MqttSweepCoordinator::MakeJob(const MqttSweepRun& run) const
{
    MqttSweepJob j;
    j.index = run.index;
    j.id = run.id;
    j.dir = m_dir + "/" + RunDir(run.id);
    j.log = m_dir + "/" + LogPath(run.id);
    j.results = j.dir + "/" + m_plan.resultsName;
    j.timeout = m_plan.timeout;
    j.argv = m_plan.Command(m_options.runner, run, j.dir);
    return j;
}

bool
MqttSweepCoordinator::Finished(const MqttSweepRun& run, const MqttSweepIndex& index) const
{
    const MqttSweepIndexRow* row = index.Find(run.id);
    return row != nullptr && row->status == "ok" && row->fingerprint == run.fingerprint &&
           IsFile(m_dir + "/" + row->results);
}

std::string
MqttSweepCoordinator::SweepJson() const
{
    MqttJson set = MqttJson::object();
    for (const auto& [key, value] : m_plan.fixed)
    {
        set[key] = value;
    }
    MqttJson axes = MqttJson::array();
    for (const auto& a : m_plan.axes)
    {
        axes.push_back({{"key", a.key}, {"name", a.name}, {"values", a.values}});
    }
    MqttJson runs = MqttJson::array();
    for (const auto& run : m_plan.runs)
    {
        runs.push_back(run.id);
    }
    MqttJson plan = {{"name", m_plan.name},
                     {"file", m_plan.file},
                     {"scenario", m_plan.scenario},
                     {"runner", m_options.runner},
                     {"rng_seed", m_plan.rngSeed},
                     {"seeds", m_plan.seeds},
                     {"timeout", m_plan.timeout},
                     {"results", m_plan.resultsName},
                     {"set", set},
                     {"axes", axes},
                     {"runs", runs}};
    return MqttJsonLine(plan, 2) + "\n";
}

int
MqttSweepCoordinator::DryRun(std::ostream& out) const
{
    MqttSweepIndex index;
    std::size_t badLines = 0;
    std::string error;
    if (!index.Open(m_dir + "/index.jsonl", &badLines, &error, true))
    {
        out << "mqtt-sweep: " << error << "\n";
        return CANNOT_RUN;
    }
    std::size_t todo = 0;
    for (const auto& run : m_plan.runs)
    {
        bool done = Finished(run, index);
        todo += done ? 0 : 1;
        std::string cmd;
        for (const auto& a : MakeJob(run).argv)
        {
            cmd += (cmd.empty() ? "" : " ") + a;
        }
        out << (done ? "finished " : "to run   ") << run.id << "\n    " << cmd << "\n";
    }
    out << "sweep " << m_plan.name << ": " << m_plan.runs.size() << " runs, " << todo
        << " to run, into " << m_dir << "\n";
    return ALL_OK;
}

bool
MqttSweepCoordinator::Prepare(MqttSweepIndex* index, std::ostream& out) const
{
    const std::string indexPath = m_dir + "/index.jsonl";
    std::size_t badLines = 0;
    std::string error;
    if (!index->Open(indexPath, &badLines, &error))
    {
        out << "mqtt-sweep: " << error << "\n";
        return false;
    }
    if (badLines > 0)
    {
        out << "mqtt-sweep: " << indexPath << ": skipped " << badLines
            << " unreadable line(s) (a sweep killed while writing?)\n";
    }
    std::ofstream plan(m_dir + "/sweep.json");
    plan << SweepJson();
    if (!plan)
    {
        out << "mqtt-sweep: cannot write " << m_dir << "/sweep.json\n";
        return false;
    }
    return true;
}

std::deque<MqttSweepJob>
MqttSweepCoordinator::Pending(const MqttSweepIndex& index,
                              std::size_t workers,
                              std::size_t* earlier,
                              std::ostream& out) const
{
    std::deque<MqttSweepJob> pending;
    std::size_t stale = 0;
    for (const auto& run : m_plan.runs)
    {
        if (Finished(run, index))
        {
            ++*earlier;
            continue;
        }
        const MqttSweepIndexRow* row = index.Find(run.id);
        if (row != nullptr && row->status == "ok")
        {
            ++stale; // results gone, or made from another scenario file or command
        }
        pending.push_back(MakeJob(run));
    }
    out << "sweep " << m_plan.name << ": " << m_plan.runs.size() << " runs, " << *earlier
        << " finished earlier, " << pending.size() << " to run";
    if (stale > 0)
    {
        out << " (" << stale << " of them had finished, but their results are gone or were made "
            << "from another scenario file or command)";
    }
    out << "; " << m_options.jobs << " at a time here";
    if (workers > 0)
    {
        out << " and on each of " << workers << " MPI worker(s)";
    }
    out << "; directory " << m_dir << "\n" << std::flush;
    return pending;
}

MqttSweepIndexRow
MqttSweepCoordinator::IndexRow(const MqttSweepOutcome& o) const
{
    const MqttSweepRun& run = m_plan.runs.at(o.index);
    MqttSweepIndexRow row;
    row.id = run.id;
    row.params = run.params;
    row.seed = run.seed;
    row.run = run.run;
    row.status = o.ok ? "ok" : "failed";
    row.exitCode = o.exitCode;
    row.signal = o.signal;
    row.reason = o.reason;
    row.wallTime = o.wallTime;
    row.path = RunDir(run.id);
    row.results = row.path + "/" + m_plan.resultsName;
    row.log = LogPath(run.id);
    row.host = o.host;
    row.rank = o.rank;
    row.fingerprint = run.fingerprint;
    return row;
}

bool
MqttSweepCoordinator::Execute(std::deque<MqttSweepJob> pending,
                              MqttSweepWorkers* workers,
                              const volatile std::sig_atomic_t* interrupted,
                              MqttSweepIndex* index,
                              bool* stopped,
                              std::ostream& out) const
{
    MqttSweepExecutor executor(m_options.jobs, 0);
    const std::size_t toRun = pending.size();
    std::size_t done = 0;
    bool written = true;
    auto next = [&pending]() -> std::optional<MqttSweepJob>
    {
        if (pending.empty())
        {
            return std::nullopt;
        }
        MqttSweepJob j = std::move(pending.front());
        pending.pop_front();
        return j;
    };
    while (!pending.empty() || executor.Running() > 0 || (workers && workers->Busy()))
    {
        if (*interrupted)
        {
            *stopped = true;
            executor.Terminate();
            break;
        }
        bool progress = false;
        while (executor.HasFreeSlot() && !pending.empty())
        {
            executor.Start(*next());
            progress = true;
        }
        std::vector<MqttSweepOutcome> outcomes = executor.Poll();
        if (workers != nullptr)
        {
            std::size_t before = pending.size();
            workers->Serve(next, &outcomes);
            progress = progress || pending.size() != before;
        }
        for (const auto& o : outcomes)
        {
            std::string error;
            if (!index->Append(IndexRow(o), &error))
            {
                out << "mqtt-sweep: " << error << "\n";
                written = false;
            }
            out << "[" << ++done << "/" << toRun << "] " << (o.ok ? "ok     " : "FAILED ")
                << m_plan.runs.at(o.index).id << "  " << FormatSeconds(o.wallTime) << "  " << o.host
                << ":" << o.rank << (o.ok ? "" : "  " + o.reason) << "\n"
                << std::flush;
        }
        if (!progress && outcomes.empty())
        {
            std::this_thread::sleep_for(IDLE);
        }
    }
    return written;
}

std::size_t
MqttSweepCoordinator::Summarize(const MqttSweepIndex& index,
                                std::size_t earlier,
                                bool stopped,
                                std::ostream& out) const
{
    std::size_t ok = 0;
    std::ostringstream failures;
    for (const auto& run : m_plan.runs)
    {
        const MqttSweepIndexRow* row = index.Find(run.id);
        if (Finished(run, index))
        {
            ++ok;
        }
        else if (row != nullptr && row->fingerprint == run.fingerprint && row->status != "ok")
        {
            failures << "  failed " << run.id << ": " << row->reason << " (log: " << m_dir << "/"
                     << row->log << ")\n";
        }
    }
    const std::size_t total = m_plan.runs.size();
    std::ostringstream summary;
    summary << "sweep " << m_plan.name << ": " << total << " runs: " << ok << " ok ("
            << ok - std::min(ok, earlier) << " now, " << earlier << " earlier), " << total - ok
            << (stopped ? " not done (interrupted)" : " failed") << "\n"
            << failures.str() << "index: " << m_dir << "/index.jsonl\n";
    if (stopped)
    {
        summary << "interrupted: run the same command again to resume\n";
    }
    out << summary.str() << std::flush;
    std::ofstream(m_dir + "/summary.txt") << summary.str();
    return total - ok;
}

int
MqttSweepCoordinator::Run(MqttSweepWorkers* workers,
                          const volatile std::sig_atomic_t* interrupted,
                          std::ostream& out)
{
    // A finished run counts only while what decides its results is unchanged: the scenario
    // and overrides (the plan's fingerprint) and the files it names and the runner's build.
    MqttSweepAddInputs(m_options.runner, &m_plan);
    if (m_options.dryRun)
    {
        return DryRun(out);
    }
    // The lock comes before the index is read: two sweeps never write one directory.
    DirLock lock;
    MqttSweepIndex index;
    std::string error;
    if (!CreateDirectories(m_dir, out))
    {
        return CANNOT_RUN;
    }
    if (!lock.Take(m_dir, &error))
    {
        out << "mqtt-sweep: " << error << "\n";
        return CANNOT_RUN;
    }
    if (!Prepare(&index, out))
    {
        return CANNOT_RUN;
    }
    std::size_t earlier = 0;
    auto pending = Pending(index, workers ? workers->Count() : 0, &earlier, out);
    bool stopped = false;
    bool written = Execute(std::move(pending), workers, interrupted, &index, &stopped, out);
    std::vector<std::string> order;
    for (const auto& run : m_plan.runs)
    {
        order.push_back(run.id);
    }
    if (!index.Compact(order, &error))
    {
        out << "mqtt-sweep: " << error << "\n";
        written = false;
    }
    std::size_t failed = Summarize(index, earlier, stopped, out);
    if (stopped)
    {
        return INTERRUPTED;
    }
    if (!written)
    {
        return CANNOT_RUN;
    }
    return failed == 0 ? ALL_OK : SOME_FAILED;
}

} // namespace mqtt
} // namespace ns3
