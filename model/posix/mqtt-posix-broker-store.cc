/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttPosixBroker's durable store (--persistence): restoring the engine, handing its persist
 * batches to the writer thread and feeding the commits back (doc/broker-engine.md).
 */
#include "mqtt-posix-broker.h"

#include "mqtt-broker-engine.h"
#include "mqtt-posix-clock.h"

namespace ns3
{
namespace mqtt
{

bool
MqttPosixBroker::SetStore(CommitCallback commit, std::string& error)
{
    m_writer = std::make_unique<MqttPosixStoreWriter>(std::move(commit));
    uint32_t interest = 0;
    if (!m_writer->Start(error))
    {
        return false;
    }
    if (!m_reactor.IsOpen() ||
        !m_reactor.Add(m_writer->Fd(), Tag(Kind::Store, 0), EPOLLIN, interest))
    {
        error = "epoll_ctl(store writer): call Open() first";
        return false;
    }
    return true;
}

bool
MqttPosixBroker::Restore(const MqttDurableState& state, std::string& error)
{
    Nanos now = PosixMonotonicNow();
    bool restored = m_engine.Restore(state, now, m_actions, error);
    Apply(now);
    return restored;
}

void
MqttPosixBroker::CommitPersisted(Nanos now)
{
    if (m_batchesPending == 0 || (m_writer != nullptr && m_writer->Busy()))
    {
        return; // nothing new, or it joins the next group
    }
    ++m_stats.commits;
    m_stats.persistBatches += m_batchesPending;
    m_batchesPending = 0;
    m_writingBatch = m_persistBatch;
    if (m_writer == nullptr)
    {
        m_persistOps.clear();
        std::fprintf(m_options.log != nullptr ? m_options.log : stderr,
                     "mqtt-broker: persistence failed: no store\n");
        m_engine.OnPersistFailed(m_writingBatch, now, m_actions);
        Apply(now);
        return;
    }
    m_writer->Submit(std::move(m_persistOps));
    m_persistOps.clear();
}

bool
MqttPosixBroker::TakeStoreResult(Nanos now, bool wait)
{
    bool stored = false;
    std::string error;
    if (m_writer == nullptr || !m_writer->TakeResult(wait, stored, error))
    {
        return false;
    }
    if (stored)
    {
        m_engine.OnPersisted(m_writingBatch, now, m_actions);
    }
    else
    {
        ++m_stats.commitFailures;
        // Said even with --quiet (which silences connection lines only).
        std::FILE* log = m_options.log != nullptr ? m_options.log : stderr;
        std::fprintf(log,
                     "mqtt-broker: persistence failed, every client disconnected and refused "
                     "until the state is stored again: %s\n",
                     error.c_str());
        std::fflush(log);
        m_engine.OnPersistFailed(m_writingBatch, now, m_actions);
    }
    Apply(now);
    return true;
}

} // namespace mqtt
} // namespace ns3
