/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-run-inputs.h"

#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include <limits.h>
#include <unistd.h>

namespace ns3
{
namespace mqtt
{

namespace
{

/** The directory part of @p path ("." without one). */
std::string
DirectoryOf(const std::string& path)
{
    std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string
Hex(const unsigned char* data, unsigned int size)
{
    static const char* DIGITS = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i)
    {
        out += DIGITS[data[i] >> 4];
        out += DIGITS[data[i] & 0xF];
    }
    return out;
}

} // namespace

std::vector<std::string>
MqttScenarioInputFiles(const MqttScenario& s)
{
    std::vector<std::string> files;
    auto add = [&files](const std::string& f) {
        if (!f.empty() && std::find(files.begin(), files.end(), f) == files.end())
        {
            files.push_back(f);
        }
    };
    add(s.broker.service.calibrationFile);
    if (s.broker.tls)
    {
        add(s.broker.tls->cpuFile);
    }
    if (!s.topology.file.empty())
    {
        // As MqttScenario::BuildGraph resolves it: against the scenario file's directory.
        const std::string& f = s.topology.file;
        add(f[0] == '/' ? f : DirectoryOf(s.sourceFile) + "/" + f);
    }
    for (const auto& g : s.groups)
    {
        if (g.energy)
        {
            add(g.energy->file);
        }
        if (g.tls)
        {
            add(g.tls->cpuFile);
        }
    }
    return files;
}

std::vector<std::string>
MqttRunnerBinaries()
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
    {
        return {};
    }
    const std::string self(exe, static_cast<std::size_t>(n));
    const std::string dir = DirectoryOf(self) + "/";
    std::set<std::string> libraries;
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line))
    {
        std::size_t at = line.find('/');
        if (at == std::string::npos)
        {
            continue;
        }
        std::string path = line.substr(at);
        if (path != self && path.compare(0, dir.size(), dir) == 0 &&
            path.find(".so") != std::string::npos)
        {
            libraries.insert(path);
        }
    }
    std::vector<std::string> out{self};
    out.insert(out.end(), libraries.begin(), libraries.end());
    return out;
}

std::string
MqttSha256(const std::string& bytes)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
    return Hex(digest, size);
}

std::string
MqttFileSha256(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        return "unreadable";
    }
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    std::vector<char> buffer(1 << 20);
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0)
    {
        EVP_DigestUpdate(ctx, buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx, digest, &size);
    EVP_MD_CTX_free(ctx);
    return Hex(digest, size);
}

void
MqttWriteRunInputs(const MqttScenario& s, std::ostream& out)
{
    out << "scenario " << MqttSha256(s.sourceText) << "\n";
    for (const std::string& f : MqttScenarioInputFiles(s))
    {
        out << "file " << MqttFileSha256(f) << " " << f << "\n";
    }
    for (const std::string& b : MqttRunnerBinaries())
    {
        out << "binary " << MqttFileSha256(b) << " " << b << "\n";
    }
}

} // namespace mqtt
} // namespace ns3
