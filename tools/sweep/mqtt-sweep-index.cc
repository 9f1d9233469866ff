/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-sweep-index.h"
#include "mqtt-sweep-write.h"

#include "mqtt-sweep-json.h"

#include <cerrno>
#include <cmath>
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

bool
MqttSweepIndexRow::operator==(const MqttSweepIndexRow& o) const
{
    return id == o.id && params == o.params && seed == o.seed && run == o.run &&
           status == o.status && exitCode == o.exitCode && signal == o.signal &&
           reason == o.reason && wallTime == o.wallTime && path == o.path && results == o.results &&
           log == o.log && host == o.host && rank == o.rank && fingerprint == o.fingerprint;
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
    MqttJson params = MqttJson::object();
    for (const auto& [k, v] : r.params)
    {
        params[k] = v;
    }
    return MqttJsonLine({{"id", r.id},
                         {"params", params},
                         {"seed", r.seed},
                         {"run", r.run},
                         {"status", r.status},
                         {"exit_code", r.exitCode},
                         {"signal", r.signal},
                         {"reason", r.reason},
                         // Milliseconds are plenty, and keep the lines short.
                         {"wall_time", std::round(r.wallTime * 1000) / 1000},
                         {"path", r.path},
                         {"results", r.results},
                         {"log", r.log},
                         {"host", r.host},
                         {"rank", r.rank},
                         {"fingerprint", r.fingerprint}});
}

std::optional<MqttSweepIndexRow>
MqttSweepIndex::FromJson(const std::string& line, std::string* error)
{
    auto n = MqttJsonObject(line, error);
    if (!n)
    {
        return std::nullopt;
    }
    MqttSweepIndexRow r;
    const char* missing = nullptr;
    auto field = [&](const char* key, auto* out)
    {
        if (!missing && !MqttJsonField(*n, key, out))
        {
            missing = key;
        }
    };
    field("id", &r.id);
    field("status", &r.status);
    field("reason", &r.reason);
    field("path", &r.path);
    field("results", &r.results);
    field("log", &r.log);
    field("host", &r.host);
    field("fingerprint", &r.fingerprint);
    field("seed", &r.seed);
    field("run", &r.run);
    field("exit_code", &r.exitCode);
    field("signal", &r.signal);
    field("wall_time", &r.wallTime);
    field("rank", &r.rank);
    auto params = n->find("params");
    if (!missing && (params == n->end() || !params->is_object()))
    {
        missing = "params";
    }
    if (!missing)
    {
        for (auto it = params->begin(); it != params->end(); ++it)
        {
            if (!it->is_string())
            {
                missing = "params";
                break;
            }
            r.params.emplace_back(it.key(), it->get<std::string>());
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
