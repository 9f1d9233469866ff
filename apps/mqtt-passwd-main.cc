/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * mqtt-passwd: adds or replaces a user in a password file with a "$7$" (PBKDF2-HMAC-SHA512) hash,
 * the format mosquitto_passwd writes, so that no one has to keep plain-text passwords
 * (what `./ns3-mqtt passwd FILE USER` runs; doc/auth.md).
 */
#include "mqtt-authenticator.h"
#include "mqtt-command-line.h"
#include "mqtt-password-hashes.h"
#include "mqtt-scram.h"
#include "mqtt-units.h"
#include "mqtt-utf8.h"

#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

using namespace ns3::mqtt;

namespace
{

/** Why @p user cannot be written as "USER:HASH", or nothing. */
std::optional<std::string>
CheckUser(const std::string& user)
{
    if (user.empty() || user.size() > MqttAuthenticator::MAX_FIELD_LENGTH)
    {
        return std::string("a user name has 1 to 65535 bytes");
    }
    if (user.find(':') != std::string::npos || user.find('\n') != std::string::npos ||
        user.front() == '#' || user.rfind("allow_anonymous", 0) == 0)
    {
        return "user name '" + user + "' cannot be written in a password file (':', a line " +
               "break, a leading '#' or 'allow_anonymous')";
    }
    if (CheckUtf8(user) != Utf8Status::Valid)
    {
        return std::string("user name is not valid UTF-8 or contains U+0000");
    }
    return std::nullopt;
}

/** One line of standard input without its line break; nothing at end of input. */
std::optional<std::string>
ReadLine(std::istream& in)
{
    std::string line;
    if (!std::getline(in, line) && line.empty())
    {
        return std::nullopt;
    }
    if (!line.empty() && line.back() == '\r')
    {
        line.pop_back();
    }
    return line;
}

/** Asks on the terminal (echo off) for the password, twice. */
std::optional<std::string>
Prompt(std::string& error)
{
    if (isatty(STDIN_FILENO) == 0)
    {
        error = "standard input is not a terminal to ask for the password on: give it with "
                "--password-stdin";
        return std::nullopt;
    }
    termios saved{};
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    std::fprintf(stderr, "Password: ");
    std::optional<std::string> first = ReadLine(std::cin);
    std::fprintf(stderr, "\nReenter password: ");
    std::optional<std::string> second = ReadLine(std::cin);
    std::fprintf(stderr, "\n");
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    if (!first || !second || *first != *second)
    {
        error = "the passwords do not match";
        return std::nullopt;
    }
    return first;
}

/**
 * @p text with @p user's line replaced by "USER:HASH" (every other line kept as it was), or the
 * line appended when the user has none.
 */
std::string
WithUser(const std::string& text, const std::string& user, const std::string& hash)
{
    std::string out;
    bool replaced = false;
    for (std::string_view line : SplitConfigLines(text))
    {
        if (line.substr(0, user.size() + 1) == user + ":")
        {
            if (replaced)
            {
                continue; // a second line of the same user would shadow nothing: drop it
            }
            out += user + ":" + hash + "\n";
            replaced = true;
            continue;
        }
        out.append(line);
        out += '\n';
    }
    if (!replaced)
    {
        out += user + ":" + hash + "\n";
    }
    return out;
}

/** Writes @p text to @p path through a temporary file and rename (mode 0600 if new). */
bool
WriteFile(const std::string& path, const std::string& text, std::string& error)
{
    struct stat st{};
    const mode_t mode = stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0600;
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out || !(out << text) || !out.flush())
        {
            error = tmp + ": cannot write";
            return false;
        }
    }
    if (chmod(tmp.c_str(), mode) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0)
    {
        std::remove(tmp.c_str());
        error = path + ": cannot replace";
        return false;
    }
    return true;
}

} // namespace

int
main(int argc, char** argv)
{
    MqttCommandLine cli("passwd",
                        "Adds USER to the password FILE (created if missing) or replaces its "
                        "password,\nstored as a $7$ PBKDF2-HMAC-SHA512 hash as mosquitto_passwd "
                        "writes it\n(./ns3-mqtt passwd FILE USER). The password is asked for "
                        "twice on the terminal,\nor read from the first line of standard input "
                        "with --password-stdin.");
    std::string file;
    std::string user;
    bool fromStdin = false;
    std::string iterationsText;
    CLI::App& app = cli.App();
    app.add_option("FILE", file, "the password file (format: doc/auth.md)")->required();
    app.add_option("USER", user, "the user name")->required();
    app.add_flag("--password-stdin",
                 fromStdin,
                 "read the password from the first line of standard input\n"
                 "(for scripts and CI, which have no terminal)");
    bool scram = false;
    app.add_flag("--scram",
                 scram,
                 "write a SCRAM-SHA-256 credential instead (a --scram-users\n"
                 "file of the broker, MQTT 5.0 enhanced authentication)");
    app.add_option("--iterations",
                   iterationsText,
                   "PBKDF2 iterations (default 101, as mosquitto_passwd, or 4096\n"
                   "with --scram; more makes each CONNECT of this user cost more CPU)")
        ->type_name("N");
    if (cli.Parse(argc, argv) != MqttCommandLine::Outcome::Run)
    {
        return cli.Report();
    }
    uint32_t iterations = scram ? MqttScramSha256::DEFAULT_ITERATIONS
                                : MqttPasswordHashes::DEFAULT_ITERATIONS;
    if (!iterationsText.empty())
    {
        std::optional<uint64_t> n = ParseCount(iterationsText, MqttPasswordHashes::MAX_ITERATIONS);
        if (!n || *n == 0)
        {
            cli.Fail(MqttCommandLine::Expected(
                "--iterations", "a whole number from 1 to 10000000", iterationsText));
            return cli.Report();
        }
        iterations = static_cast<uint32_t>(*n);
    }
    if (std::optional<std::string> bad = CheckUser(user))
    {
        cli.Fail(*bad);
        return cli.Report();
    }
    std::string error;
    std::optional<std::string> password = fromStdin ? ReadLine(std::cin) : Prompt(error);
    if (!password)
    {
        cli.Fail(fromStdin ? "--password-stdin: no password on standard input" : error);
        return cli.Report();
    }
    std::string text;
    MqttConfigError readError;
    struct stat st{};
    if (stat(file.c_str(), &st) == 0 && !ReadConfigFile(file, text, readError))
    {
        cli.Fail(readError.ToString());
        return cli.Report();
    }
    std::optional<std::string> hash;
    if (!scram)
    {
        hash = MqttPasswordHashes::HashPbkdf2(*password, iterations);
    }
    else if (std::optional<MqttScramCredential> c =
                 MqttScramSha256::MakeCredential(*password, iterations))
    {
        hash = MqttScramSha256::FormatCredential(*c);
    }
    if (!hash)
    {
        cli.Fail("no random bytes for the salt (OpenSSL RAND_bytes failed)");
        return cli.Report();
    }
    if (!WriteFile(file, WithUser(text, user, *hash), error))
    {
        cli.Fail(error);
        return cli.Report();
    }
    return 0;
}
