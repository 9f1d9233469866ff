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

int
RemainingMs(Clock::time_point deadline)
{
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

bool
LoopbackAddress(const std::string& host, uint16_t port, sockaddr_storage& addr, socklen_t& length)
{
    std::memset(&addr, 0, sizeof(addr));
    auto* sin = reinterpret_cast<sockaddr_in*>(&addr);
    if (inet_pton(AF_INET, host.c_str(), &sin->sin_addr) == 1)
    {
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        length = sizeof(sockaddr_in);
        return true;
    }
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&addr);
    if (inet_pton(AF_INET6, host.c_str(), &sin6->sin6_addr) == 1)
    {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        length = sizeof(sockaddr_in6);
        return true;
    }
    return false;
}

} // namespace

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

// --- RawClient ---------------------------------------------------------------------------------

RawClient::~RawClient()
{
    Close();
}

void
RawClient::SetReceiveBuffer(int bytes)
{
    m_receiveBuffer = bytes;
}

bool
RawClient::Connect(uint16_t port, const std::string& host)
{
    Close();
    sockaddr_storage addr;
    socklen_t length = 0;
    if (!LoopbackAddress(host, port, addr, length))
    {
        return false;
    }
    m_fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0)
    {
        return false;
    }
    if (m_receiveBuffer > 0)
    {
        setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &m_receiveBuffer, sizeof(m_receiveBuffer));
    }
    int one = 1;
    setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(m_fd, reinterpret_cast<sockaddr*>(&addr), length) != 0)
    {
        Close();
        return false;
    }
    m_reader.Reset();
    return true;
}

void
RawClient::Close()
{
    if (m_fd >= 0)
    {
        close(m_fd);
        m_fd = -1;
    }
}

int
RawClient::Fd() const
{
    return m_fd;
}

bool
RawClient::SendBytes(const std::vector<uint8_t>& bytes)
{
    std::size_t done = 0;
    while (done < bytes.size())
    {
        ssize_t n = send(m_fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n <= 0)
        {
            if (n < 0 && errno == EINTR)
            {
                continue;
            }
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool
RawClient::Send(const Packet& packet)
{
    std::vector<uint8_t> bytes;
    Encode(packet, bytes);
    return SendBytes(bytes);
}

std::optional<Packet>
RawClient::Read(std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + timeout;
    while (m_fd >= 0)
    {
        Packet packet;
        DecodeResult result = m_reader.Next(packet);
        if (result.status == DecodeStatus::Complete)
        {
            return packet;
        }
        if (result.status == DecodeStatus::Error)
        {
            return std::nullopt;
        }
        pollfd pfd{m_fd, POLLIN, 0};
        if (poll(&pfd, 1, RemainingMs(deadline)) <= 0)
        {
            return std::nullopt;
        }
        uint8_t buffer[65536];
        ssize_t n = recv(m_fd, buffer, sizeof(buffer), 0);
        if (n <= 0)
        {
            return std::nullopt;
        }
        m_reader.Append(buffer, static_cast<std::size_t>(n));
    }
    return std::nullopt;
}

bool
RawClient::WaitClosed(std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + timeout;
    while (m_fd >= 0)
    {
        pollfd pfd{m_fd, POLLIN, 0};
        int ready = poll(&pfd, 1, RemainingMs(deadline));
        if (ready <= 0)
        {
            return false;
        }
        uint8_t buffer[65536];
        ssize_t n = recv(m_fd, buffer, sizeof(buffer), 0);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
        {
            return true;
        }
    }
    return true;
}

int
RawClient::MqttConnect(const std::string& clientId,
                       uint16_t keepAlive,
                       bool cleanSession,
                       std::chrono::milliseconds timeout)
{
    ConnectPacket connect;
    connect.clientId = clientId;
    connect.keepAliveSeconds = keepAlive;
    connect.cleanSession = cleanSession;
    if (!Send(connect))
    {
        return -1;
    }
    std::optional<Packet> reply = Read(timeout);
    if (!reply || !std::holds_alternative<ConnackPacket>(*reply))
    {
        return -1;
    }
    return static_cast<int>(std::get<ConnackPacket>(*reply).returnCode);
}

int
RawClient::MqttSubscribe(const std::string& filter, Qos qos, std::chrono::milliseconds timeout)
{
    SubscribePacket subscribe;
    subscribe.packetId = m_nextPacketId++;
    subscribe.topics.push_back(TopicRequest{filter, qos});
    if (!Send(subscribe))
    {
        return -1;
    }
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline)
    {
        std::optional<Packet> reply = Read(std::chrono::milliseconds(RemainingMs(deadline)));
        if (!reply)
        {
            return -1;
        }
        if (auto* suback = std::get_if<SubackPacket>(&*reply))
        {
            if (suback->packetId != subscribe.packetId || suback->returnCodes.size() != 1)
            {
                return -1;
            }
            return suback->returnCodes[0];
        }
        // A retained message may come before the SUBACK is read; skip it.
    }
    return -1;
}

std::vector<uint8_t>
RawClient::PublishBytes(const std::string& topic,
                        const std::vector<uint8_t>& payload,
                        Qos qos,
                        uint16_t packetId)
{
    PublishPacket publish;
    publish.topic = topic;
    publish.payload = payload;
    publish.qos = qos;
    publish.packetId = qos == Qos::AtMostOnce ? 0 : packetId;
    std::vector<uint8_t> bytes;
    Encode(publish, bytes);
    return bytes;
}

std::optional<std::chrono::microseconds>
EchoRoundTrip(RawClient& client,
              const std::string& topic,
              uint16_t packetId,
              std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + timeout;
    const std::vector<uint8_t> payload = {'o', 'k'};
    auto sent = Clock::now();
    if (!client.SendBytes(RawClient::PublishBytes(topic, payload, Qos::AtLeastOnce, packetId)))
    {
        return std::nullopt;
    }
    bool acked = false;
    std::optional<std::chrono::microseconds> roundTrip;
    while (!(acked && roundTrip) && Clock::now() < deadline)
    {
        std::optional<Packet> packet =
            client.Read(std::chrono::milliseconds(RemainingMs(deadline)));
        if (!packet)
        {
            return std::nullopt;
        }
        if (auto* puback = std::get_if<PubackPacket>(&*packet))
        {
            acked = acked || puback->packetId == packetId;
        }
        else if (auto* publish = std::get_if<PublishPacket>(&*packet))
        {
            if (publish->topic == topic && publish->payload == payload)
            {
                roundTrip =
                    std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent);
            }
            if (publish->qos == Qos::AtLeastOnce)
            {
                client.Send(PubackPacket{publish->packetId});
            }
        }
    }
    if (!acked || !roundTrip)
    {
        return std::nullopt;
    }
    return roundTrip;
}

std::optional<std::chrono::microseconds>
ProbeBroker(uint16_t port,
            const std::string& clientId,
            std::chrono::milliseconds timeout,
            const std::string& host)
{
    auto deadline = Clock::now() + timeout;
    RawClient client;
    const std::string topic = "probe/" + clientId;
    if (!client.Connect(port, host) || client.MqttConnect(clientId, 60, true, timeout) != 0 ||
        client.MqttSubscribe(topic, Qos::AtLeastOnce, timeout) != 1)
    {
        return std::nullopt;
    }
    std::optional<std::chrono::microseconds> roundTrip =
        EchoRoundTrip(client, topic, 7, std::chrono::milliseconds(RemainingMs(deadline)));
    if (roundTrip)
    {
        client.Send(DisconnectPacket{});
    }
    return roundTrip;
}

std::vector<uint8_t>
NumberedQos1Flood(const std::string& topic, uint16_t count)
{
    std::vector<uint8_t> bytes;
    for (uint16_t id = 1; id <= count; ++id)
    {
        std::vector<uint8_t> payload = {static_cast<uint8_t>(id >> 8),
                                        static_cast<uint8_t>(id & 0xff)};
        std::vector<uint8_t> one = RawClient::PublishBytes(topic, payload, Qos::AtLeastOnce, id);
        bytes.insert(bytes.end(), one.begin(), one.end());
    }
    return bytes;
}

std::size_t
CountPubacks(RawClient& client, std::size_t want, std::chrono::milliseconds quiet)
{
    std::size_t count = 0;
    while (count < want)
    {
        std::optional<Packet> packet = client.Read(quiet);
        if (!packet)
        {
            break;
        }
        count += std::holds_alternative<PubackPacket>(*packet) ? 1 : 0;
    }
    return count;
}

std::vector<uint16_t>
ReceiveNumbered(RawClient& subscriber, std::size_t want, std::chrono::milliseconds quiet)
{
    std::vector<uint16_t> got;
    while (got.size() < want)
    {
        std::optional<Packet> packet = subscriber.Read(quiet);
        if (!packet)
        {
            break;
        }
        if (const auto* publish = std::get_if<PublishPacket>(&*packet))
        {
            got.push_back(
                static_cast<uint16_t>(publish->payload.at(0) << 8 | publish->payload.at(1)));
            if (!subscriber.Send(PubackPacket{publish->packetId}))
            {
                break;
            }
        }
    }
    return got;
}

} // namespace test
} // namespace mqtt
} // namespace ns3
