/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-sweep-inputs.h"

#include <cerrno>
#include <cstring>
#include <map>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace ns3
{
namespace mqtt
{

std::string
MqttSweepRunnerInputs(const std::string& runner,
                      const std::string& scenario,
                      const std::vector<std::string>& overrides)
{
    std::vector<std::string> args{runner, scenario, "--inputs"};
    for (const auto& o : overrides)
    {
        args.push_back("--set");
        args.push_back(o);
    }
    std::vector<char*> argv;
    for (auto& a : args)
    {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
    {
        return std::string("cannot run: pipe: ") + std::strerror(errno);
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    int err = posix_spawnp(&pid, runner.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (err != 0)
    {
        close(fds[0]);
        return "cannot run: " + runner + ": " + std::strerror(err);
    }
    std::string text;
    char buf[4096];
    for (;;)
    {
        ssize_t n = read(fds[0], buf, sizeof(buf));
        if (n > 0)
        {
            text.append(buf, static_cast<std::size_t>(n));
        }
        else if (n == 0 || errno != EINTR)
        {
            break;
        }
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    {
    }
    return text + "exit " +
           std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

void
MqttSweepAddInputs(const std::string& runner, MqttSweepPlan* plan)
{
    std::map<std::vector<std::string>, std::string> known;
    for (auto& run : plan->runs)
    {
        std::vector<std::string> overrides;
        for (const auto& o : run.overrides)
        {
            if (o.rfind("seed=", 0) != 0 && o.rfind("run=", 0) != 0)
            {
                overrides.push_back(o);
            }
        }
        auto it = known.find(overrides);
        if (it == known.end())
        {
            it = known.emplace(overrides, MqttSweepRunnerInputs(runner, plan->scenario, overrides))
                     .first;
        }
        run.fingerprint = MqttSweepPlan::Fingerprint(run.fingerprint + '\0' + it->second);
    }
}

} // namespace mqtt
} // namespace ns3
