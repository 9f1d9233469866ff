/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-sweep-executor.h"
#include "mqtt-sweep-write.h"

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace ns3
{
namespace mqtt
{

namespace
{

/** @p arg as a POSIX shell word, for the command line at the top of a log. */
std::string
ShellWord(const std::string& arg)
{
    bool plain = !arg.empty();
    for (char c : arg)
    {
        plain = plain && (std::isalnum(static_cast<unsigned char>(c)) ||
                          std::strchr("-_./=:,+@%", c) != nullptr);
    }
    if (plain)
    {
        return arg;
    }
    std::string out = "'";
    for (char c : arg)
    {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

void
AppendToLog(const std::string& path, const std::string& text)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd >= 0)
    {
        WriteAll(fd, text);
        ::close(fd);
    }
}

double
Seconds(std::chrono::steady_clock::duration d)
{
    return std::chrono::duration<double>(d).count();
}

std::string
FormatSeconds(double s)
{
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.3g s", s);
    return buf;
}

/**
 * The environment for a runner: ours without the MPI launcher's variables, so a runner that
 * happens to load an MPI library does not take itself for a rank of the sweep's job.
 */
std::vector<char*>
RunnerEnvironment()
{
    static const char* MPI_PREFIXES[] = {"OMPI_", "PMIX_", "PMI_", "HYDRA_", "MPIR_"};
    std::vector<char*> env;
    for (char** e = environ; *e != nullptr; ++e)
    {
        bool mpi = false;
        for (const char* p : MPI_PREFIXES)
        {
            mpi = mpi || std::strncmp(*e, p, std::strlen(p)) == 0;
        }
        if (!mpi)
        {
            env.push_back(*e);
        }
    }
    env.push_back(nullptr);
    return env;
}

} // namespace

MqttSweepExecutor::MqttSweepExecutor(std::size_t slots, int rank, double killGrace)
    : m_slots(slots)
    , m_rank(rank)
    , m_killGrace(killGrace)
    , m_host(HostName())
{
}

MqttSweepExecutor::~MqttSweepExecutor()
{
    Terminate();
}

bool
MqttSweepExecutor::HasFreeSlot() const
{
    return m_active.size() + m_ready.size() < m_slots;
}

std::size_t
MqttSweepExecutor::Running() const
{
    return m_active.size() + m_ready.size();
}

std::string
MqttSweepExecutor::HostName()
{
    char name[256] = {};
    if (::gethostname(name, sizeof(name) - 1) != 0)
    {
        return "unknown";
    }
    return name;
}

MqttSweepOutcome
MqttSweepExecutor::Failed(const MqttSweepJob& job, const std::string& reason) const
{
    MqttSweepOutcome o;
    o.index = job.index;
    o.ok = false;
    o.reason = reason;
    o.host = m_host;
    o.rank = m_rank;
    return o;
}

void
MqttSweepExecutor::Start(const MqttSweepJob& job)
{
    // A run that did not finish may have left half-written files: start from nothing.
    std::error_code ec;
    std::filesystem::remove_all(job.dir, ec);
    if (!ec)
    {
        std::filesystem::create_directories(job.dir, ec);
    }
    if (!ec)
    {
        std::filesystem::create_directories(std::filesystem::path(job.log).parent_path(), ec);
    }
    if (ec)
    {
        m_ready.push_back(Failed(job, "cannot prepare " + job.dir + ": " + ec.message()));
        return;
    }
    if (job.argv.empty())
    {
        m_ready.push_back(Failed(job, "empty command"));
        return;
    }
    int log = ::open(job.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log < 0)
    {
        m_ready.push_back(Failed(job, "cannot create " + job.log + ": " + std::strerror(errno)));
        return;
    }
    std::string header = "$";
    for (const auto& a : job.argv)
    {
        header += " " + ShellWord(a);
    }
    WriteAll(log, header + "\n");

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, log, 1);
    posix_spawn_file_actions_adddup2(&actions, log, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigset_t all;
    sigemptyset(&none);
    sigfillset(&all);
    // Own process group (so a timeout can end the whole tree), default signal dispositions
    // and an empty mask whatever the sweep (or MPI) set up for itself.
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);

    std::vector<char*> argv;
    for (const auto& a : job.argv)
    {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    Active a;
    a.job = job;
    a.start = std::chrono::steady_clock::now();
    std::vector<char*> env = RunnerEnvironment();
    int rc = posix_spawnp(&a.pid, argv[0], &actions, &attr, argv.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(log);
    if (rc != 0)
    {
        std::string reason = "cannot start " + job.argv[0] + ": " + std::strerror(rc);
        AppendToLog(job.log, "[mqtt-sweep] " + reason + "\n");
        m_ready.push_back(Failed(job, reason));
        return;
    }
    m_active.push_back(std::move(a));
}

MqttSweepOutcome
MqttSweepExecutor::Finish(const Active& a, int status)
{
    MqttSweepOutcome o = Failed(a.job, "");
    o.wallTime = Seconds(std::chrono::steady_clock::now() - a.start);
    if (WIFEXITED(status))
    {
        o.exitCode = WEXITSTATUS(status);
    }
    else if (WIFSIGNALED(status))
    {
        o.signal = WTERMSIG(status);
    }
    struct stat st;
    bool haveResults = ::stat(a.job.results.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    if (a.timedOut)
    {
        o.reason = "timeout after " + FormatSeconds(a.job.timeout);
    }
    else if (o.signal != 0)
    {
        o.reason =
            "killed by signal " + std::to_string(o.signal) + " (" + strsignal(o.signal) + ")";
    }
    else if (o.exitCode != 0)
    {
        o.reason = "exit " + std::to_string(o.exitCode);
    }
    else if (!haveResults)
    {
        o.reason = "exit 0 but no results file " + a.job.results;
    }
    else
    {
        o.ok = true;
    }
    AppendToLog(a.job.log,
                "[mqtt-sweep] " + std::string(o.ok ? "ok" : "failed: " + o.reason) + " (" +
                    FormatSeconds(o.wallTime) + " on " + o.host + ")\n");
    return o;
}

std::vector<MqttSweepOutcome>
MqttSweepExecutor::Poll()
{
    std::vector<MqttSweepOutcome> done;
    done.swap(m_ready);
    auto now = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < m_active.size();)
    {
        Active& a = m_active[i];
        int status = 0;
        pid_t r = ::waitpid(a.pid, &status, WNOHANG);
        if (r == a.pid)
        {
            // Whatever the runner left behind in its group goes with it.
            ::kill(-a.pid, SIGKILL);
            done.push_back(Finish(a, status));
            m_active.erase(m_active.begin() + static_cast<std::ptrdiff_t>(i));
            continue;
        }
        if (a.job.timeout > 0 && !a.termAt && Seconds(now - a.start) > a.job.timeout)
        {
            a.timedOut = true;
            a.termAt = now;
            ::kill(-a.pid, SIGTERM);
        }
        else if (a.termAt && Seconds(now - *a.termAt) > m_killGrace)
        {
            ::kill(-a.pid, SIGKILL);
        }
        ++i;
    }
    return done;
}

void
MqttSweepExecutor::Terminate()
{
    m_ready.clear();
    for (const auto& a : m_active)
    {
        ::kill(-a.pid, SIGTERM);
    }
    auto since = std::chrono::steady_clock::now();
    bool killed = false;
    while (!m_active.empty())
    {
        for (std::size_t i = 0; i < m_active.size();)
        {
            int status = 0;
            if (::waitpid(m_active[i].pid, &status, WNOHANG) == m_active[i].pid)
            {
                ::kill(-m_active[i].pid, SIGKILL);
                AppendToLog(m_active[i].job.log, "[mqtt-sweep] interrupted\n");
                m_active.erase(m_active.begin() + static_cast<std::ptrdiff_t>(i));
                continue;
            }
            ++i;
        }
        if (!killed && Seconds(std::chrono::steady_clock::now() - since) > m_killGrace)
        {
            for (const auto& a : m_active)
            {
                ::kill(-a.pid, SIGKILL);
            }
            killed = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

} // namespace mqtt
} // namespace ns3
