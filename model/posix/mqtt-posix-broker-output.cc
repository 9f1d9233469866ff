/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttPosixBroker's output side: the engine's sends and closes queued per connection, the
 * flush of every connection that got output, slow readers, and connections lost or destroyed.
 */
#include "mqtt-posix-broker.h"

#include "mqtt-broker-engine.h"
#include "mqtt-memory-budget.h"
#include "mqtt-posix-socket.h"

#include <cerrno>
#include <string>

#include <unistd.h>

namespace ns3
{
namespace mqtt
{

void
MqttPosixBroker::Send(SendAction& send)
{
    Connection* connection = Find(send.connection);
    if (connection != nullptr && !connection->closing)
    {
        if (connection->stream)
        {
            connection->plain.insert(connection->plain.end(), send.bytes.begin(), send.bytes.end());
        }
        else
        {
            connection->out.Append(std::move(send.bytes));
        }
        MarkDirty(*connection);
    }
}

void
MqttPosixBroker::Close(const CloseAction& close)
{
    Connection* connection = Find(close.connection);
    if (connection != nullptr && !connection->closing)
    {
        connection->closing = true;
        ++m_stats.closedByEngine;
        Log("disconnect client=%s conn=%llu peer=%s reason=%s",
            connection->clientId.empty() ? "-" : connection->clientId.c_str(),
            static_cast<unsigned long long>(connection->id),
            connection->peer.c_str(),
            CloseReasonName(close.reason));
        MarkDirty(*connection);
    }
}

void
MqttPosixBroker::MarkDirty(Connection& connection)
{
    if (!connection.dirty)
    {
        connection.dirty = true;
        m_dirty.push_back(connection.id);
    }
}

void
MqttPosixBroker::Flush(Nanos now)
{
    // Lost() may make the engine send to other connections; they join m_dirty and are written
    // in this same pass.
    for (std::size_t i = 0; i < m_dirty.size(); ++i)
    {
        Connection* connection = Find(m_dirty[i]);
        if (connection == nullptr)
        {
            continue;
        }
        connection->dirty = false;
        if (connection->stream && !SealStream(*connection, now))
        {
            continue;
        }
        uint64_t writtenBefore = connection->out.Written();
        auto result = connection->out.Empty() ? MqttPosixOutputBuffer::WriteResult::Drained
                                              : connection->out.Write(connection->fd);
        m_stats.bytesOut += connection->out.Written() - writtenBefore;
        if (result == MqttPosixOutputBuffer::WriteResult::Failed)
        {
            if (connection->closing)
            {
                Destroy(connection->id);
            }
            else
            {
                Lost(*connection, PosixErrorString(connection->out.Error()), now);
            }
            continue;
        }
        if (result == MqttPosixOutputBuffer::WriteResult::Drained)
        {
            if (connection->closing)
            {
                Destroy(connection->id);
            }
            else if (ReportUnsent(*connection, now))
            {
                SetInterest(*connection, !connection->readPaused, false);
            }
            continue;
        }
        // Blocked: the kernel's send buffer is full.
        if (connection->closing)
        {
            SetInterest(*connection, false, true);
            if (!connection->lingering)
            {
                connection->lingering = true;
                m_lingers.Start(connection->id, now + m_options.closeLinger);
            }
            continue;
        }
        if (!ReportUnsent(*connection, now))
        {
            continue;
        }
        if (connection->out.Size() > m_options.maxUnsentBytes)
        {
            ++m_stats.closedSlow;
            Lost(*connection,
                 "slow consumer: " + std::to_string(connection->out.Size()) +
                     " bytes unsent (limit " + std::to_string(m_options.maxUnsentBytes) + ")",
                 now);
            continue;
        }
        SetInterest(*connection, !connection->readPaused, true);
    }
    m_dirty.clear();
}

bool
MqttPosixBroker::ReportUnsent(Connection& connection, Nanos now)
{
    const std::size_t unsent = connection.out.Size();
    if (unsent == connection.reportedUnsent || !m_engine.Memory().Enabled())
    {
        return true;
    }
    connection.reportedUnsent = unsent;
    const ConnectionId id = connection.id;
    m_engine.OnOutputBuffered(id, unsent, now, m_actions);
    Apply(now);
    Connection* still = Find(id);
    if (still != nullptr && still->closing)
    {
        // Over the memory limit: what it did not read is what the budget refused.
        Destroy(id);
        return false;
    }
    return still != nullptr;
}

void
MqttPosixBroker::Lost(Connection& connection, const std::string& why, Nanos now)
{
    ConnectionId id = connection.id;
    if (why.rfind("slow consumer", 0) != 0)
    {
        ++m_stats.closedByPeer;
    }
    Log("disconnect client=%s conn=%llu peer=%s reason=NetworkClosed (%s)",
        connection.clientId.empty() ? "-" : connection.clientId.c_str(),
        static_cast<unsigned long long>(id),
        connection.peer.c_str(),
        why.c_str());
    Destroy(id);
    m_engine.OnConnectionClosed(id, now, m_actions);
    Apply(now);
}

void
MqttPosixBroker::Destroy(ConnectionId id)
{
    auto it = m_connections.find(id);
    if (it == m_connections.end())
    {
        return;
    }
    Connection& connection = it->second;
    // Send FIN rather than RST where possible: a peer that still had bytes in flight to us
    // would otherwise lose what we wrote last (a CONNACK refusal, say).
    shutdown(connection.fd, SHUT_WR);
    close(connection.fd);
    m_lingers.Cancel(id);
    m_handshakes.Cancel(id);
    m_connections.erase(it);
}

} // namespace mqtt
} // namespace ns3
