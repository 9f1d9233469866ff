/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-posix-test-util.h"

#include "mqtt-codec.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace ns3
{
namespace mqtt
{
namespace test
{

namespace
{
using Clock = std::chrono::steady_clock;
} // namespace

int
RemainingMs(std::chrono::steady_clock::time_point deadline)
{
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

uint16_t
FreePort()
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = 0;
    uint16_t port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof(sin)) == 0)
    {
        socklen_t length = sizeof(sin);
        getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &length);
        port = ntohs(sin.sin_port);
    }
    close(fd);
    return port;
}

std::string
FindProgram(const std::string& name)
{
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    // mosquitto itself lives in /usr/sbin, which a non-root PATH may lack.
    dirs += ":/usr/sbin:/sbin";
    std::stringstream stream(dirs);
    std::string dir;
    while (std::getline(stream, dir, ':'))
    {
        std::string candidate = dir + "/" + name;
        if (!dir.empty() && access(candidate.c_str(), X_OK) == 0)
        {
            return candidate;
        }
    }
    return "";
}

long
VmRssKb(pid_t pid)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
    {
        if (line.rfind("VmRSS:", 0) == 0)
        {
            return std::strtol(line.c_str() + 6, nullptr, 10);
        }
    }
    return 0;
}

std::string
ReadFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// --- ScratchDir --------------------------------------------------------------------------------

ScratchDir::ScratchDir()
{
    char pattern[] = "/tmp/mqtt-posix-test-XXXXXX";
    const char* made = mkdtemp(pattern);
    m_path = made != nullptr ? made : "/tmp";
}

ScratchDir::~ScratchDir()
{
    if (m_path != "/tmp")
    {
        std::string command = "rm -rf '" + m_path + "'";
        int ignored = std::system(command.c_str());
        (void)ignored;
    }
}

const std::string&
ScratchDir::Path() const
{
    return m_path;
}

std::string
ScratchDir::Write(const std::string& name, const std::string& text) const
{
    std::string path = m_path + "/" + name;
    std::ofstream out(path, std::ios::binary);
    out << text;
    return path;
}

// --- ChildProcess ------------------------------------------------------------------------------

ChildProcess::~ChildProcess()
{
    Kill();
}

bool
ChildProcess::Start(const std::vector<std::string>& argv, const std::string& outputFile)
{
    m_outputFile = outputFile;
    std::vector<char*> args;
    for (const std::string& arg : argv)
    {
        args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(
        &actions, 1, outputFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::string program = argv[0].find('/') == std::string::npos ? FindProgram(argv[0]) : argv[0];
    int rc = program.empty()
                 ? ENOENT
                 : posix_spawn(&m_pid, program.c_str(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
    {
        m_pid = -1;
        return false;
    }
    m_status = -1;
    return true;
}

pid_t
ChildProcess::Pid() const
{
    return m_pid;
}

bool
ChildProcess::Running()
{
    if (m_pid <= 0)
    {
        return false;
    }
    int status = 0;
    pid_t r = waitpid(m_pid, &status, WNOHANG);
    if (r == m_pid)
    {
        m_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        m_pid = -1;
        return false;
    }
    return true;
}

void
ChildProcess::Signal(int signal)
{
    if (m_pid > 0)
    {
        kill(m_pid, signal);
    }
}

int
ChildProcess::Wait(std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + timeout;
    while (Running())
    {
        if (Clock::now() >= deadline)
        {
            return -1;
        }
        std::this_thread::sleep_for(5ms);
    }
    return m_status;
}

void
ChildProcess::Kill()
{
    if (m_pid > 0)
    {
        kill(m_pid, SIGKILL);
        int status = 0;
        waitpid(m_pid, &status, 0);
        m_status = 128 + SIGKILL;
        m_pid = -1;
    }
}

std::string
ChildProcess::Output() const
{
    return ReadFile(m_outputFile);
}

bool
ChildProcess::WaitForOutput(const std::string& needle, std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + timeout;
    while (true)
    {
        if (Output().find(needle) != std::string::npos)
        {
            return true;
        }
        if (!Running() || Clock::now() >= deadline)
        {
            return Output().find(needle) != std::string::npos;
        }
        std::this_thread::sleep_for(10ms);
    }
}

std::size_t
ChildProcess::CountInOutput(const std::string& needle) const
{
    std::string output = Output();
    std::size_t count = 0;
    for (std::size_t at = output.find(needle); at != std::string::npos;
         at = output.find(needle, at + needle.size()))
    {
        ++count;
    }
    return count;
}

// --- BrokerProcess -----------------------------------------------------------------------------

bool
BrokerProcess::Start(const std::vector<std::string>& extraArgs, const std::string& listen)
{
    std::vector<std::string> argv = m_launcher;
    argv.insert(argv.end(), {MQTT_BROKER_BINARY, "--listen", listen});
    argv.insert(argv.end(), extraArgs.begin(), extraArgs.end());
    if (!ChildProcess::Start(argv, m_dir.Path() + "/broker.log"))
    {
        return false;
    }
    const std::string marker = "listening on ";
    if (!WaitForOutput(marker, 10000ms))
    {
        return false;
    }
    std::string output = Output();
    std::size_t at = output.find(marker);
    std::size_t end = output.find('\n', at);
    std::string endpoint = output.substr(at + marker.size(), end - at - marker.size());
    m_port = static_cast<uint16_t>(std::stoul(endpoint.substr(endpoint.rfind(':') + 1)));
    return m_port != 0;
}

void
BrokerProcess::SetLauncher(std::vector<std::string> launcher)
{
    m_launcher = std::move(launcher);
}

uint16_t
BrokerProcess::Port() const
{
    return m_port;
}

std::vector<std::string>
BrokerProcess::Endpoints() const
{
    std::vector<std::string> endpoints;
    const std::string marker = "listening on ";
    std::string output = Output();
    for (std::size_t at = output.find(marker); at != std::string::npos;
         at = output.find(marker, at + 1))
    {
        std::size_t end = output.find('\n', at);
        endpoints.push_back(output.substr(at + marker.size(), end - at - marker.size()));
    }
    return endpoints;
}

uint16_t
BrokerProcess::PortOf(const std::string& protocol) const
{
    const std::string suffix = " (" + protocol + ")";
    for (const std::string& endpoint : Endpoints())
    {
        if (endpoint.size() > suffix.size() &&
            endpoint.compare(endpoint.size() - suffix.size(), suffix.size(), suffix) == 0)
        {
            std::string address = endpoint.substr(0, endpoint.size() - suffix.size());
            return static_cast<uint16_t>(std::stoul(address.substr(address.rfind(':') + 1)));
        }
    }
    return 0;
}

// --- TestPki -----------------------------------------------------------------------------------

TestPki::TestPki()
{
    const std::string& d = m_dir.Path();
    m_ok = !FindProgram("openssl").empty();
    for (const char* ca : {"ca", "other-ca"})
    {
        m_ok = m_ok && Run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                           "-keyout " + d + "/" + ca + ".key -out " + d + "/" + ca +
                           ".crt -subj /CN=" + ca + " -days 2");
    }
    m_dir.Write("server.ext", "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    m_ok = m_ok && Sign("server", "localhost", "ca", d + "/server.ext");
}

bool
TestPki::Run(const std::string& command) const
{
    return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

bool
TestPki::Sign(const std::string& name,
              const std::string& cn,
              const std::string& ca,
              const std::string& extensions) const
{
    const std::string& d = m_dir.Path();
    return Run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + d +
               "/" + name + ".key -out " + d + "/" + name + ".csr -subj /CN=" + cn) &&
           Run("openssl x509 -req -in " + d + "/" + name + ".csr -CA " + d + "/" + ca +
               ".crt -CAkey " + d + "/" + ca + ".key -CAcreateserial -days 2 -out " + d + "/" +
               name + ".crt" + (extensions.empty() ? "" : " -extfile " + extensions));
}

bool
TestPki::Ok() const
{
    return m_ok;
}

std::string
TestPki::CaFile() const
{
    return m_dir.Path() + "/ca.crt";
}

std::string
TestPki::ServerCert() const
{
    return m_dir.Path() + "/server.crt";
}

std::string
TestPki::ServerKey() const
{
    return m_dir.Path() + "/server.key";
}

bool
TestPki::MakeClient(const std::string& cn, bool otherCa)
{
    return Sign("client-" + cn, cn, otherCa ? "other-ca" : "ca", "");
}

std::string
TestPki::ClientCert(const std::string& cn) const
{
    return m_dir.Path() + "/client-" + cn + ".crt";
}

std::string
TestPki::ClientKey(const std::string& cn) const
{
    return m_dir.Path() + "/client-" + cn + ".key";
}

const ScratchDir&
TestPki::Dir() const
{
    return m_dir;
}

int
RunProgram(const std::vector<std::string>& argv, std::string& out, std::chrono::milliseconds timeout)
{
    static int counter = 0;
    ScratchDir dir;
    ChildProcess child;
    if (!child.Start(argv, dir.Path() + "/out-" + std::to_string(++counter)))
    {
        out = "cannot start " + argv[0];
        return -1;
    }
    int status = child.Wait(timeout);
    out = child.Output();
    if (status == -1)
    {
        child.Kill();
    }
    return status;
}

long
BrokerProcess::RssKb() const
{
    return VmRssKb(Pid());
}

// --- MosquittoProcess --------------------------------------------------------------------------

bool
MosquittoProcess::Start(uint16_t port)
{
    m_port = port != 0 ? port : FreePort();
    std::string conf = m_dir.Write("mosquitto.conf",
                                   "listener " + std::to_string(m_port) +
                                       " 127.0.0.1\n"
                                       "allow_anonymous true\n"
                                       "persistence false\n"
                                       "log_dest stderr\n");
    if (!ChildProcess::Start({FindProgram("mosquitto"), "-c", conf}, m_dir.Path() + "/log"))
    {
        return false;
    }
    auto deadline = Clock::now() + 10s;
    while (Clock::now() < deadline && Running())
    {
        RawClient probe;
        if (probe.Connect(m_port))
        {
            return true;
        }
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

uint16_t
MosquittoProcess::Port() const
{
    return m_port;
}

} // namespace test
} // namespace mqtt
} // namespace ns3
