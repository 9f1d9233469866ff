/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-posix-store-writer.h"

#include "mqtt-posix-socket.h"

#include <cerrno>
#include <cstdint>

#include <sys/eventfd.h>
#include <unistd.h>

namespace ns3
{
namespace mqtt
{

MqttPosixStoreWriter::MqttPosixStoreWriter(Commit commit)
    : m_commit(std::move(commit))
{
}

MqttPosixStoreWriter::~MqttPosixStoreWriter()
{
    if (m_thread.joinable())
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_changed.notify_all();
        m_thread.join();
    }
    if (m_eventFd >= 0)
    {
        close(m_eventFd);
    }
}

bool
MqttPosixStoreWriter::Start(std::string& error)
{
    m_eventFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_eventFd < 0)
    {
        error = "eventfd: " + PosixErrorString(errno);
        return false;
    }
    m_thread = std::thread([this] { Run(); });
    return true;
}

int
MqttPosixStoreWriter::Fd() const
{
    return m_eventFd;
}

bool
MqttPosixStoreWriter::Busy() const
{
    return m_busy;
}

void
MqttPosixStoreWriter::Submit(std::vector<PersistOp> ops)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_job = std::move(ops);
        m_hasJob = true;
        m_done = false;
    }
    m_busy = true;
    m_changed.notify_all();
}

bool
MqttPosixStoreWriter::TakeResult(bool wait, bool& stored, std::string& error)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    if (wait)
    {
        m_changed.wait(lock, [this] { return m_done || !m_busy; });
    }
    if (!m_busy || !m_done)
    {
        return false;
    }
    uint64_t count = 0;
    ssize_t ignored = read(m_eventFd, &count, sizeof(count)); // reset the readiness
    (void)ignored;
    m_done = false;
    m_busy = false;
    stored = m_stored;
    error = std::move(m_error);
    return true;
}

void
MqttPosixStoreWriter::Run()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;)
    {
        m_changed.wait(lock, [this] { return m_hasJob || m_stop; });
        if (!m_hasJob)
        {
            return; // stopping, nothing left to write
        }
        std::vector<PersistOp> ops = std::move(m_job);
        m_hasJob = false;
        lock.unlock();
        std::string error;
        bool stored = m_commit(ops, error);
        lock.lock();
        m_stored = stored;
        m_error = std::move(error);
        m_done = true;
        uint64_t one = 1;
        ssize_t ignored = write(m_eventFd, &one, sizeof(one));
        (void)ignored;
        m_changed.notify_all();
    }
}

} // namespace mqtt
} // namespace ns3
