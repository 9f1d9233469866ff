/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Helpers of the real-socket tests: child processes (our broker, mosquitto and its clients), a
 * blocking raw MQTT connection built on the codec, free loopback ports.
 */
#ifndef MQTT_POSIX_TEST_UTIL_H
#define MQTT_POSIX_TEST_UTIL_H

#include "mqtt-action.h"
#include "mqtt-frame-reader.h"
#include "mqtt-packets.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace ns3
{
namespace mqtt
{
namespace test
{

using namespace std::chrono_literals;

/** A loopback TCP port nobody listens on now (bind to port 0, read it, close). */
uint16_t FreePort();

/** The path of @p name on PATH, or "" if it is not installed. */
std::string FindProgram(const std::string& name);

/** VmRSS of a process in KiB (from /proc/PID/status), 0 if unknown. */
long VmRssKb(pid_t pid);

/**
 * Whether a test may assert the broker's RSS: not in the sanitizer build (MQTT_SANITIZED, set for
 * the test binary), where ASan keeps freed memory in quarantine and shadows all of it.
 */
#ifdef MQTT_SANITIZED
constexpr bool CHECK_RSS = false;
#else
constexpr bool CHECK_RSS = true;
#endif

/** The contents of a file ("" if missing). */
std::string ReadFile(const std::string& path);

/** A scratch directory for one test, removed with its files at destruction. */
class ScratchDir
{
  public:
    ScratchDir();
    ~ScratchDir();
    const std::string& Path() const;
    /** Writes @p text to Path()/name and returns the file's path. */
    std::string Write(const std::string& name, const std::string& text) const;

  private:
    std::string m_path;
};

/** A child process with stdout and stderr going to one file; killed at destruction. */
class ChildProcess
{
  public:
    ChildProcess() = default;
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    /** Starts argv[0] (looked up on PATH) with output to @p outputFile. */
    bool Start(const std::vector<std::string>& argv, const std::string& outputFile);
    pid_t Pid() const;
    bool Running();
    void Signal(int signal);
    /** Waits for the exit; returns the exit status, 128+signal, or -1 on timeout. */
    int Wait(std::chrono::milliseconds timeout);
    /** Kills (SIGKILL) and reaps it if it is still running. */
    void Kill();
    std::string Output() const;
    /** Waits until the output contains @p needle (or the process exits). */
    bool WaitForOutput(const std::string& needle, std::chrono::milliseconds timeout);
    /** How often @p needle occurs in the output. */
    std::size_t CountInOutput(const std::string& needle) const;

  private:
    pid_t m_pid = -1;
    int m_status = -1;
    std::string m_outputFile;
};

/**
 * Certificates made at test time with the openssl command (no private key is committed): a CA,
 * a server certificate for localhost and 127.0.0.1, client certificates with a chosen CN, and a
 * second CA that signs nothing the broker trusts. EC P-256 keys: quick to make and to use.
 */
class TestPki
{
  public:
    /** Makes the CAs and the server certificate; Ok() tells whether openssl succeeded. */
    TestPki();
    bool Ok() const;
    std::string CaFile() const;
    std::string ServerCert() const;
    std::string ServerKey() const;
    /** Makes a client certificate with CN @p cn, signed by the CA (or the other CA). */
    bool MakeClient(const std::string& cn, bool otherCa = false);
    std::string ClientCert(const std::string& cn) const;
    std::string ClientKey(const std::string& cn) const;
    const ScratchDir& Dir() const;

  private:
    bool Run(const std::string& command) const;
    bool Sign(const std::string& name, const std::string& cn, const std::string& ca,
              const std::string& extensions) const;

    ScratchDir m_dir;
    bool m_ok = false;
};

/** Runs @p argv to its end (at most @p timeout); its exit status (-1: timeout), output in @p out. */
int RunProgram(const std::vector<std::string>& argv,
               std::string& out,
               std::chrono::milliseconds timeout = 10000ms);

/** Our broker (the mqtt-broker binary) on a kernel-chosen loopback port. */
class BrokerProcess : public ChildProcess
{
  public:
    /** Starts it with --listen 127.0.0.1:0 plus @p extraArgs; waits until it listens. */
    bool Start(const std::vector<std::string>& extraArgs = {},
               const std::string& listen = "127.0.0.1:0");
    /** A program (and its arguments) the broker is started under, e.g. prlimit --fsize=N. */
    void SetLauncher(std::vector<std::string> launcher);
    uint16_t Port() const;
    /** Every "listening on" address the broker printed. */
    std::vector<std::string> Endpoints() const;
    /** The port of the first listener printed with @p protocol ("tls", "ws", "wss"), or 0. */
    uint16_t PortOf(const std::string& protocol) const;
    long RssKb() const;

  private:
    ScratchDir m_dir;
    uint16_t m_port = 0;
    std::vector<std::string> m_launcher;
};

/** mosquitto on a free loopback port (allow_anonymous, no persistence). */
class MosquittoProcess : public ChildProcess
{
  public:
    bool Start(uint16_t port = 0);
    uint16_t Port() const;

  private:
    ScratchDir m_dir;
    uint16_t m_port = 0;
};

/** A blocking TCP connection speaking MQTT through the codec, with timeouts; for tests only. */
class RawClient
{
  public:
    RawClient() = default;
    ~RawClient();
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    bool Connect(uint16_t port, const std::string& host = "127.0.0.1");
    void Close();
    int Fd() const;
    /** Sets SO_RCVBUF (before Connect to take effect on the window). */
    void SetReceiveBuffer(int bytes);

    bool SendBytes(const std::vector<uint8_t>& bytes);
    bool Send(const Packet& packet);
    /** The next packet within @p timeout, or nothing (timeout, close or malformed input). */
    std::optional<Packet> Read(std::chrono::milliseconds timeout);
    /** Whether the peer closes the connection within @p timeout (bytes before EOF are skipped). */
    bool WaitClosed(std::chrono::milliseconds timeout);

    /** CONNECT and CONNACK; returns the CONNACK return code or -1. */
    int MqttConnect(const std::string& clientId,
                    uint16_t keepAlive = 60,
                    bool cleanSession = true,
                    std::chrono::milliseconds timeout = 5000ms);
    /** SUBSCRIBE one filter; returns the SUBACK return code or -1. */
    int MqttSubscribe(const std::string& filter,
                      Qos qos,
                      std::chrono::milliseconds timeout = 5000ms);
    /** A PUBLISH packet on the wire. */
    static std::vector<uint8_t> PublishBytes(const std::string& topic,
                                             const std::vector<uint8_t>& payload,
                                             Qos qos,
                                             uint16_t packetId);

  private:
    int m_fd = -1;
    int m_receiveBuffer = 0;
    uint16_t m_nextPacketId = 1;
    MqttFrameReader m_reader;
};

/**
 * Checks that the broker on @p port serves a well-behaved client: CONNECT, SUBSCRIBE QoS 1 to a
 * topic of its own, PUBLISH QoS 1 to it, and PUBACK plus the message back, all within
 * @p timeout. @return the round trip from PUBLISH to the message's arrival, or nothing on failure.
 */
std::optional<std::chrono::microseconds> ProbeBroker(uint16_t port,
                                                     const std::string& clientId,
                                                     std::chrono::milliseconds timeout = 5000ms,
                                                     const std::string& host = "127.0.0.1");

/**
 * @p client, subscribed at QoS 1 to @p topic, publishes "ok" there at QoS 1 with @p packetId and
 * reads (acknowledging what comes) until the PUBACK and its message are back. @return the round
 * trip from the PUBLISH to the message's arrival, or nothing if not both came within @p timeout.
 */
std::optional<std::chrono::microseconds> EchoRoundTrip(RawClient& client,
                                                       const std::string& topic,
                                                       uint16_t packetId,
                                                       std::chrono::milliseconds timeout = 5000ms);

/**
 * QoS 1 PUBLISHes on @p topic with packet ids 1..@p count, each payload its id (2 bytes, big
 * endian), in one buffer: a publisher that outruns its subscriber (back-pressure tests).
 */
std::vector<uint8_t> NumberedQos1Flood(const std::string& topic, uint16_t count);

/** PUBACKs read until @p want arrived or nothing came for @p quiet. */
std::size_t CountPubacks(RawClient& client, std::size_t want, std::chrono::milliseconds quiet);

/**
 * Reads PUBLISHes of NumberedQos1Flood (acknowledging each) until @p want arrived or nothing came
 * for @p quiet. @return their numbers, in arrival order.
 */
std::vector<uint16_t> ReceiveNumbered(RawClient& subscriber,
                                      std::size_t want,
                                      std::chrono::milliseconds quiet);

} // namespace test
} // namespace mqtt
} // namespace ns3

#endif // MQTT_POSIX_TEST_UTIL_H
