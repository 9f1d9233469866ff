/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-sweep-job.h"

#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace ns3
{
namespace mqtt
{

namespace
{

/** Fields as netstrings ("LEN:BYTES,"), so any byte may appear in a field. */
class Writer
{
  public:
    void
    Put(const std::string& field)
    {
        m_out += std::to_string(field.size()) + ":" + field + ",";
    }

    void
    Put(uint64_t v)
    {
        Put(std::to_string(v));
    }

    void
    Put(int v)
    {
        Put(std::to_string(v));
    }

    void
    Put(double v)
    {
        char buf[40];
        std::snprintf(buf, sizeof(buf), "%.17g", v);
        Put(std::string(buf));
    }

    std::string
    Take()
    {
        return std::move(m_out);
    }

  private:
    std::string m_out;
};

class Reader
{
  public:
    explicit Reader(const std::string& in)
        : m_in(in)
    {
    }

    bool
    Get(std::string* out)
    {
        std::size_t colon = m_in.find(':', m_pos);
        if (colon == std::string::npos || colon == m_pos || colon - m_pos > 12)
        {
            return false;
        }
        std::size_t len = 0;
        for (std::size_t i = m_pos; i < colon; ++i)
        {
            if (m_in[i] < '0' || m_in[i] > '9')
            {
                return false;
            }
            len = len * 10 + static_cast<std::size_t>(m_in[i] - '0');
        }
        if (len > m_in.size() - colon - 1 || colon + 1 + len >= m_in.size() ||
            m_in[colon + 1 + len] != ',')
        {
            return false;
        }
        *out = m_in.substr(colon + 1, len);
        m_pos = colon + 2 + len;
        return true;
    }

    template<typename T>
    bool
    GetNumber(T* out)
    {
        std::string s;
        if (!Get(&s) || s.empty())
        {
            return false;
        }
        char* end = nullptr;
        if constexpr (std::is_floating_point_v<T>)
        {
            *out = std::strtod(s.c_str(), &end);
        }
        else if constexpr (std::is_signed_v<T>)
        {
            *out = static_cast<T>(std::strtoll(s.c_str(), &end, 10));
        }
        else
        {
            *out = static_cast<T>(std::strtoull(s.c_str(), &end, 10));
        }
        return end == s.c_str() + s.size();
    }

    bool
    AtEnd() const
    {
        return m_pos == m_in.size();
    }

  private:
    const std::string& m_in;
    std::size_t m_pos = 0;
};

static constexpr const char* JOB_TAG = "job1";
static constexpr const char* OUTCOME_TAG = "out1";
static constexpr uint64_t MAX_ARGS = 100000;

} // namespace

std::string
MqttSweepJob::Encode() const
{
    Writer w;
    w.Put(std::string(JOB_TAG));
    w.Put(index);
    w.Put(id);
    w.Put(static_cast<uint64_t>(argv.size()));
    for (const auto& a : argv)
    {
        w.Put(a);
    }
    w.Put(dir);
    w.Put(log);
    w.Put(results);
    w.Put(timeout);
    return w.Take();
}

std::optional<MqttSweepJob>
MqttSweepJob::Decode(const std::string& bytes)
{
    Reader r(bytes);
    MqttSweepJob j;
    std::string tag;
    uint64_t n = 0;
    if (!r.Get(&tag) || tag != JOB_TAG || !r.GetNumber(&j.index) || !r.Get(&j.id) ||
        !r.GetNumber(&n) || n > MAX_ARGS)
    {
        return std::nullopt;
    }
    j.argv.resize(n);
    for (auto& a : j.argv)
    {
        if (!r.Get(&a))
        {
            return std::nullopt;
        }
    }
    if (!r.Get(&j.dir) || !r.Get(&j.log) || !r.Get(&j.results) || !r.GetNumber(&j.timeout) ||
        !r.AtEnd())
    {
        return std::nullopt;
    }
    return j;
}

bool
MqttSweepJob::operator==(const MqttSweepJob& o) const
{
    return index == o.index && id == o.id && argv == o.argv && dir == o.dir && log == o.log &&
           results == o.results && timeout == o.timeout;
}

std::string
MqttSweepOutcome::Encode() const
{
    Writer w;
    w.Put(std::string(OUTCOME_TAG));
    w.Put(index);
    w.Put(static_cast<int>(ok));
    w.Put(exitCode);
    w.Put(signal);
    w.Put(reason);
    w.Put(wallTime);
    w.Put(host);
    w.Put(rank);
    return w.Take();
}

std::optional<MqttSweepOutcome>
MqttSweepOutcome::Decode(const std::string& bytes)
{
    Reader r(bytes);
    MqttSweepOutcome o;
    std::string tag;
    int ok = 0;
    if (!r.Get(&tag) || tag != OUTCOME_TAG || !r.GetNumber(&o.index) || !r.GetNumber(&ok) ||
        !r.GetNumber(&o.exitCode) || !r.GetNumber(&o.signal) || !r.Get(&o.reason) ||
        !r.GetNumber(&o.wallTime) || !r.Get(&o.host) || !r.GetNumber(&o.rank) || !r.AtEnd())
    {
        return std::nullopt;
    }
    o.ok = ok != 0;
    return o;
}

bool
MqttSweepOutcome::operator==(const MqttSweepOutcome& o) const
{
    return index == o.index && ok == o.ok && exitCode == o.exitCode && signal == o.signal &&
           reason == o.reason && wallTime == o.wallTime && host == o.host && rank == o.rank;
}

} // namespace mqtt
} // namespace ns3
