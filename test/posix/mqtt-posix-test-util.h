/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Helpers of the real-socket tests: child processes (our broker, mosquitto and its clients), a
 * scratch directory, a test PKI, free loopback ports; the raw MQTT connection is in
 * mqtt-posix-raw-client.h.
 */
#ifndef MQTT_POSIX_TEST_UTIL_H
#define MQTT_POSIX_TEST_UTIL_H

#include "mqtt-action.h"
#include "mqtt-posix-raw-client.h"

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

} // namespace test
} // namespace mqtt
} // namespace ns3

#endif // MQTT_POSIX_TEST_UTIL_H
