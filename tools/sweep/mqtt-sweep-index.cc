/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-sweep-index.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>

#include <fcntl.h>
#include <unistd.h>

namespace ns3
{
namespace mqtt
{

namespace
{

bool
WriteAll(int fd, const std::string& text)
{
    std::size_t done = 0;
    while (done < text.size())
    {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
        {
            continue;
        }
        if (n <= 0)
        {
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

template<typename T>
bool
Number(const YAML::Node& n, T* out)
{
    if (!n.IsDefined() || !n.IsScalar())
    {
        return false;
    }
    try
    {
        *out = n.as<T>();
        return true;
    }
    catch (const YAML::Exception&)
    {
        return false;
    }
}

} // namespace

bool
MqttSweepIndexRow::operator==(const MqttSweepIndexRow& o) const
{
    return id == o.id && params == o.params && seed == o.seed && run == o.run &&
           status == o.status && exitCode == o.exitCode && signal == o.signal &&
           reason == o.reason && wallTime == o.wallTime && path == o.path && results == o.results &&
           log == o.log && host == o.host && rank == o.rank && fingerprint == o.fingerprint;
}

std::string
MqttSweepIndex::JsonString(const std::string& s)
{
    std::string out = "\"";
    for (unsigned char c : s)
    {
        switch (c)
        {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\r':
            out += "\\r";
            break;
        default:
            if (c < 0x20 || c == 0x7f)
            {
                char buf[8];
                std::snprintf(buf, sizeof(buf), "\\u%04x", c);
                out += buf;
            }
            else
            {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

MqttSweepIndex::~MqttSweepIndex()
{
    if (m_fd >= 0)
    {
        ::close(m_fd);
    }
}

std::string
MqttSweepIndex::ToJson(const MqttSweepIndexRow& r)
{
    std::string params;
    for (const auto& [k, v] : r.params)
    {
        params += (params.empty() ? "" : ", ") + JsonString(k) + ": " + JsonString(v);
    }
    char wall[32];
    std::snprintf(wall, sizeof(wall), "%.3f", r.wallTime);
    return "{\"id\": " + JsonString(r.id) + ", \"params\": {" + params +
           "}, \"seed\": " + std::to_string(r.seed) + ", \"run\": " + std::to_string(r.run) +
           ", \"status\": " + JsonString(r.status) +
           ", \"exit_code\": " + std::to_string(r.exitCode) +
           ", \"signal\": " + std::to_string(r.signal) + ", \"reason\": " + JsonString(r.reason) +
           ", \"wall_time\": " + wall + ", \"path\": " + JsonString(r.path) +
           ", \"results\": " + JsonString(r.results) + ", \"log\": " + JsonString(r.log) +
           ", \"host\": " + JsonString(r.host) + ", \"rank\": " + std::to_string(r.rank) +
           ", \"fingerprint\": " + JsonString(r.fingerprint) + "}";
}

std::optional<MqttSweepIndexRow>
MqttSweepIndex::FromJson(const std::string& line, std::string* error)
{
    // JSON is YAML in flow style; yaml-cpp reads it, so the sweep needs no second parser.
    YAML::Node loaded;
    try
    {
        loaded = YAML::Load(line);
    }
    catch (const YAML::Exception& e)
    {
        *error = "not JSON: " + e.msg;
        return std::nullopt;
    }
    const YAML::Node& n = loaded; // const: looking up a key must not add it
    if (!n.IsMap())
    {
        *error = "not a JSON object";
        return std::nullopt;
    }
    MqttSweepIndexRow r;
    const char* missing = nullptr;
    auto text = [&](const char* key, std::string* out)
    {
        if (!n[key].IsDefined() || !n[key].IsScalar())
        {
            missing = missing ? missing : key;
            return;
        }
        *out = n[key].Scalar();
    };
    text("id", &r.id);
    text("status", &r.status);
    text("reason", &r.reason);
    text("path", &r.path);
    text("results", &r.results);
    text("log", &r.log);
    text("host", &r.host);
    text("fingerprint", &r.fingerprint);
    auto number = [&](const char* key, auto* out)
    {
        if (!Number(n[key], out))
        {
            missing = missing ? missing : key;
        }
    };
    number("seed", &r.seed);
    number("run", &r.run);
    number("exit_code", &r.exitCode);
    number("signal", &r.signal);
    number("wall_time", &r.wallTime);
    number("rank", &r.rank);
    const YAML::Node params = n["params"];
    if (!params.IsDefined() || !params.IsMap())
    {
        missing = missing ? missing : "params";
    }
    else
    {
        for (const auto& kv : params)
        {
            r.params.emplace_back(kv.first.Scalar(), kv.second.Scalar());
        }
    }
    if (missing)
    {
        *error = std::string("no valid '") + missing + "'";
        return std::nullopt;
    }
    return r;
}

bool
MqttSweepIndex::Open(const std::string& path,
                     std::size_t* badLines,
                     std::string* error,
                     bool readOnly)
{
    m_path = path;
    *badLines = 0;
    {
        std::ifstream in(path);
        std::string line;
        std::string ignored;
        while (std::getline(in, line))
        {
            if (line.empty())
            {
                continue;
            }
            auto row = FromJson(line, &ignored);
            if (!row)
            {
                ++*badLines;
                continue;
            }
            if (m_latest.count(row->id) == 0)
            {
                m_seen.push_back(row->id);
            }
            m_latest[row->id] = *row;
        }
    }
    if (readOnly)
    {
        return true;
    }
    m_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (m_fd < 0)
    {
        *error = path + ": " + std::strerror(errno);
        return false;
    }
    // A torn last line (no newline) must not swallow the next row.
    off_t size = ::lseek(m_fd, 0, SEEK_END);
    if (size > 0)
    {
        char last = '\n';
        int rd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (rd >= 0)
        {
            if (::pread(rd, &last, 1, size - 1) != 1)
            {
                last = '\n';
            }
            ::close(rd);
        }
        if (last != '\n' && !WriteAll(m_fd, "\n"))
        {
            *error = path + ": " + std::strerror(errno);
            return false;
        }
    }
    return true;
}

const MqttSweepIndexRow*
MqttSweepIndex::Find(const std::string& id) const
{
    auto it = m_latest.find(id);
    return it == m_latest.end() ? nullptr : &it->second;
}

bool
MqttSweepIndex::Append(const MqttSweepIndexRow& row, std::string* error)
{
    if (m_latest.count(row.id) == 0)
    {
        m_seen.push_back(row.id);
    }
    m_latest[row.id] = row;
    if (m_fd < 0 || !WriteAll(m_fd, ToJson(row) + "\n"))
    {
        *error = m_path + ": cannot append: " + std::strerror(errno);
        return false;
    }
    return true;
}

bool
MqttSweepIndex::Compact(const std::vector<std::string>& order, std::string* error)
{
    std::string text;
    std::set<std::string> done;
    auto add = [&](const std::string& id)
    {
        auto it = m_latest.find(id);
        if (it != m_latest.end() && done.insert(id).second)
        {
            text += ToJson(it->second) + "\n";
        }
    };
    for (const auto& id : order)
    {
        add(id);
    }
    for (const auto& id : m_seen)
    {
        add(id);
    }
    std::string tmp = m_path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || !WriteAll(fd, text) || ::fsync(fd) != 0)
    {
        *error = tmp + ": " + std::strerror(errno);
        if (fd >= 0)
        {
            ::close(fd);
        }
        return false;
    }
    ::close(fd);
    if (::rename(tmp.c_str(), m_path.c_str()) != 0)
    {
        *error = m_path + ": " + std::strerror(errno);
        return false;
    }
    // Later appends go to the new file.
    if (m_fd >= 0)
    {
        ::close(m_fd);
    }
    m_fd = ::open(m_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    return true;
}

} // namespace mqtt
} // namespace ns3
