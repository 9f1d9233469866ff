/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What TLS costs on loopback (./ns3-mqtt bench tls-cost): connections per second (CONNECT to
 * CONNACK, then DISCONNECT) in plain TCP, with full TLS handshakes and with resumed ones (session
 * tickets), TLS 1.2 and 1.3; and QoS 0 deliveries per second through the broker, plain and over
 * TLS. One process: our standalone broker's transport in a thread, MqttPosixClient as the
 * clients; every ratio is against plain TCP measured in the same run. Certificates are made at
 * start with the openssl command (EC P-256, or RSA 2048 with --rsa).
 */
#include "mqtt-broker-engine.h"
#include "mqtt-broker-profile.h"
#include "mqtt-posix-broker.h"
#include "mqtt-posix-client.h"
#include "mqtt-posix-clock.h"
#include "mqtt-tls.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <ctime>

#include <unistd.h>

using namespace ns3::mqtt;
using Clock = std::chrono::steady_clock;

namespace
{

/** CPU time of the whole process (the broker thread and the clients: both ends). */
double
ProcessCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/** A rate and the CPU time (both ends) per operation. */
struct Rate
{
    double perSecond = 0;
    double cpuMicros = 0;
};

bool
Shell(const std::string& command)
{
    return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, in @p dir. */
bool
MakeCertificates(const std::string& dir, bool rsa)
{
    std::string key = rsa ? "-newkey rsa:2048" : "-newkey ec -pkeyopt ec_paramgen_curve:P-256";
    if (!Shell("printf 'subjectAltName=IP:127.0.0.1\\n' > " + dir + "/ext") ||
        !Shell("openssl req -x509 " + key + " -nodes -keyout " + dir + "/ca.key -out " + dir +
               "/ca.crt -subj /CN=bench-ca -days 1"))
    {
        return false;
    }
    for (const char* name : {"server", "client"})
    {
        std::string n = dir + "/" + name;
        if (!Shell("openssl req " + key + " -nodes -keyout " + n + ".key -out " + n +
                   ".csr -subj /CN=" + name) ||
            !Shell("openssl x509 -req -in " + n + ".csr -CA " + dir + "/ca.crt -CAkey " + dir +
                   "/ca.key -CAcreateserial -days 1 -out " + n + ".crt -extfile " + dir + "/ext"))
        {
            return false;
        }
    }
    return true;
}

MqttClientConfig
Config(const std::string& id)
{
    MqttClientConfig config;
    config.clientId = id;
    config.keepAliveSeconds = 60;
    config.autoReconnect = false;
    return config;
}

bool
WaitState(MqttPosixClient& client, ClientState state)
{
    return client.RunUntil([&] { return client.State() == state; }, std::chrono::seconds(5));
}

/** Connects @p client (over @p tls when given); false, said on stderr, if it fails. */
bool
Connect(MqttPosixClient& client, const std::shared_ptr<MqttTlsContext>& tls, bool setTls)
{
    if (tls && setTls)
    {
        client.SetTls(tls);
    }
    client.Connect();
    if (!WaitState(client, ClientState::Connected))
    {
        std::fprintf(stderr, "connect failed: %s\n", client.LastError().c_str());
        return false;
    }
    return true;
}

/**
 * Connections per second for @p seconds: CONNECT, CONNACK, DISCONNECT, closed. @p resume keeps
 * one client (it resumes its TLS session on each reconnection); otherwise each connection is a
 * new client (a full handshake). @p resumed counts the connections that did resume.
 */
Rate
ConnectRate(const MqttPosixEndpoint& broker,
            const std::shared_ptr<MqttTlsContext>& tls,
            bool resume,
            double seconds,
            uint64_t& resumed)
{
    resumed = 0;
    uint64_t done = 0;
    std::unique_ptr<MqttPosixClient> client;
    auto start = Clock::now();
    double cpuStart = ProcessCpuSeconds();
    auto end = start + std::chrono::duration<double>(seconds);
    while (Clock::now() < end)
    {
        bool fresh = !client || !resume;
        if (fresh)
        {
            client = std::make_unique<MqttPosixClient>(Config("bench-connect"), broker);
        }
        if (!Connect(*client, tls, fresh))
        {
            return {};
        }
        resumed += client->TlsResumed() ? 1 : 0;
        client->Disconnect();
        WaitState(*client, ClientState::Idle);
        ++done;
    }
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    return {static_cast<double>(done) / elapsed,
            (ProcessCpuSeconds() - cpuStart) * 1e6 / static_cast<double>(done)};
}

/** QoS 0 messages of @p size bytes per second from one publisher to one subscriber. */
Rate
DeliveryRate(const MqttPosixEndpoint& broker,
             const std::shared_ptr<MqttTlsContext>& tls,
             uint64_t messages,
             std::size_t size)
{
    MqttPosixClient subscriber(Config("bench-sub"), broker);
    MqttPosixClient publisher(Config("bench-pub"), broker);
    uint64_t received = 0;
    bool subscribed = false;
    subscriber.SetEventCallback(
        [&](const MqttEvent& event)
        {
            received += event.type == EventType::PublishReceived ? 1 : 0;
            subscribed = subscribed || event.type == EventType::SubscriptionGranted;
        });
    if (!Connect(subscriber, tls, true) || !Connect(publisher, tls, true))
    {
        return {};
    }
    subscriber.Subscribe({TopicRequest{"bench/deliver", Qos::AtMostOnce}});
    subscriber.RunUntil([&] { return subscribed; }, std::chrono::seconds(5));
    std::vector<uint8_t> payload(size, 0x5A);
    constexpr uint64_t WINDOW = 500;
    uint64_t sent = 0;
    auto start = Clock::now();
    double cpuStart = ProcessCpuSeconds();
    auto deadline = start + std::chrono::seconds(60);
    while (received < messages && Clock::now() < deadline)
    {
        while (sent < messages && sent - received < WINDOW)
        {
            publisher.Publish("bench/deliver", payload, Qos::AtMostOnce, false);
            ++sent;
        }
        publisher.RunOnce(Nanos(0));
        subscriber.RunOnce(std::chrono::milliseconds(1));
    }
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    double cpu = ProcessCpuSeconds() - cpuStart;
    publisher.Disconnect();
    subscriber.Disconnect();
    if (received != messages)
    {
        std::fprintf(stderr,
                     "deliveries: %llu of %llu arrived\n",
                     static_cast<unsigned long long>(received),
                     static_cast<unsigned long long>(messages));
        return {};
    }
    return {static_cast<double>(received) / elapsed, cpu * 1e6 / static_cast<double>(received)};
}

} // namespace

int
main(int argc, char** argv)
{
    double seconds = 3;
    uint64_t messages = 200000;
    bool rsa = false;
    int repeat = 3;
    for (int i = 1; i < argc; ++i)
    {
        if (std::strcmp(argv[i], "--rsa") == 0)
        {
            rsa = true;
        }
        else if (std::strncmp(argv[i], "--seconds=", 10) == 0)
        {
            seconds = std::atof(argv[i] + 10);
        }
        else if (std::strncmp(argv[i], "--repeat=", 9) == 0)
        {
            repeat = std::max(1, std::atoi(argv[i] + 9));
        }
        else if (std::strncmp(argv[i], "--messages=", 11) == 0)
        {
            messages = std::strtoull(argv[i] + 11, nullptr, 10);
        }
        else
        {
            std::fprintf(stderr,
                         "usage: %s [--rsa] [--seconds=S] [--messages=N] [--repeat=R]\n",
                         argv[0]);
            return 2;
        }
    }
    char dirTemplate[] = "/tmp/mqtt-tls-cost-XXXXXX";
    std::string dir = mkdtemp(dirTemplate);
    if (!MakeCertificates(dir, rsa))
    {
        std::fprintf(stderr, "tls-cost: openssl could not make the certificates in %s\n", dir.c_str());
        return 1;
    }
    std::string error;
    MqttTlsOptions serverOptions;
    serverOptions.caFile = dir + "/ca.crt";
    serverOptions.certFile = dir + "/server.crt";
    serverOptions.keyFile = dir + "/server.key";
    serverOptions.requireCertificate = true;
    MqttPosixBrokerOptions options;
    options.log = nullptr;
    MqttPosixEndpoint any;
    MqttPosixEndpoint::Parse("127.0.0.1:0", any, error);
    options.listen = {any};
    options.tlsListen = {any};
    options.tls = MqttTlsContext::Create(MqttTlsContext::Role::Server, serverOptions, error);
    if (!options.tls)
    {
        std::fprintf(stderr, "tls-cost: %s\n", error.c_str());
        return 1;
    }
    MqttBrokerEngine engine(MqttBrokerProfile::Standard311(), 1);
    MqttPosixBroker broker(engine, options);
    if (!broker.Open(error))
    {
        std::fprintf(stderr, "tls-cost: %s\n", error.c_str());
        return 1;
    }
    MqttPosixEndpoint plain = broker.Listening()[0];
    MqttPosixEndpoint secure = broker.Listening()[1];
    std::thread loop([&broker] { broker.Run(); });

    auto clientTls = [&](const char* version)
    {
        MqttTlsOptions o;
        o.caFile = dir + "/ca.crt";
        o.certFile = dir + "/client.crt";
        o.keyFile = dir + "/client.key";
        o.version = version;
        return MqttTlsContext::Create(MqttTlsContext::Role::Client, o, error);
    };
    std::printf("tls-cost: loopback, broker thread + client thread, %s keys, %.1f s per connect "
                "case, %llu QoS 0 messages of 64 B per delivery case, medians of %d runs; cpu is "
                "both ends' CPU time per connection or delivery\n",
                rsa ? "RSA 2048" : "EC P-256",
                seconds,
                static_cast<unsigned long long>(messages),
                repeat);
    // Cases run in turn, repeat after repeat, so a change in machine load hits them all; the
    // medians are reported, with ratios to plain TCP (wall-clock rate and CPU per operation).
    struct Case
    {
        std::string name;
        std::function<Rate(uint64_t& resumed)> run;
        std::vector<Rate> rates;
        uint64_t resumed = 0;
    };
    auto tls12 = clientTls("tlsv1.2");
    auto tls13 = clientTls("tlsv1.3");
    std::vector<Case> cases;
    auto connectCase = [&](const std::string& name,
                           const MqttPosixEndpoint& to,
                           std::shared_ptr<MqttTlsContext> tls,
                           bool resume)
    {
        cases.push_back({"connect " + name,
                         [&, to, tls, resume](uint64_t& resumed)
                         { return ConnectRate(to, tls, resume, seconds, resumed); },
                         {},
                         0});
    };
    connectCase("plain", plain, nullptr, false);
    connectCase("tlsv1.2-full", secure, tls12, false);
    connectCase("tlsv1.2-resumed", secure, tls12, true);
    connectCase("tlsv1.3-full", secure, tls13, false);
    connectCase("tlsv1.3-resumed", secure, tls13, true);
    auto deliverCase = [&](const std::string& name,
                           const MqttPosixEndpoint& to,
                           std::shared_ptr<MqttTlsContext> tls)
    {
        cases.push_back({"deliver " + name,
                         [&, to, tls](uint64_t&) { return DeliveryRate(to, tls, messages, 64); },
                         {},
                         0});
    };
    deliverCase("plain", plain, nullptr);
    deliverCase("tlsv1.2", secure, tls12);
    deliverCase("tlsv1.3", secure, tls13);
    for (int r = 0; r < repeat; ++r)
    {
        for (Case& c : cases)
        {
            uint64_t resumed = 0;
            c.rates.push_back(c.run(resumed));
            c.resumed += resumed;
        }
    }
    auto median = [](std::vector<double> values)
    {
        std::sort(values.begin(), values.end());
        return values[values.size() / 2];
    };
    Rate baseline;
    for (Case& c : cases)
    {
        std::vector<double> rates;
        std::vector<double> cpus;
        for (const Rate& rate : c.rates)
        {
            rates.push_back(rate.perSecond);
            cpus.push_back(rate.cpuMicros);
        }
        Rate m{median(rates), median(cpus)};
        if (c.name.find("plain") != std::string::npos)
        {
            baseline = m;
            std::printf("tls-cost %s rate=%.0f/s cpu=%.2fus\n", c.name.c_str(), m.perSecond,
                        m.cpuMicros);
            continue;
        }
        std::printf("tls-cost %s rate=%.0f/s cpu=%.2fus ratio=%.3f cpu-ratio=%.2f%s\n",
                    c.name.c_str(),
                    m.perSecond,
                    m.cpuMicros,
                    m.perSecond / baseline.perSecond,
                    m.cpuMicros / baseline.cpuMicros,
                    c.name.find("resumed") != std::string::npos
                        ? (" resumed=" + std::to_string(c.resumed)).c_str()
                        : "");
    }
    broker.Stop();
    loop.join();
    Shell("rm -rf " + dir);
    return 0;
}
