/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The standalone broker's store writes on their own thread: while one group of batches is being
 * made durable (an fsync takes milliseconds), the broker's loop goes on reading, routing and
 * gathering the next group. Group commit without stalling the loop.
 */
#ifndef MQTT_POSIX_STORE_WRITER_H
#define MQTT_POSIX_STORE_WRITER_H

#include "mqtt-action.h"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ns3
{
namespace mqtt
{

class MqttPosixStoreWriter
{
  public:
    /** Makes @p ops durable in one transaction; false with @p error set when it could not. */
    using Commit = std::function<bool(const std::vector<PersistOp>& ops, std::string& error)>;

    explicit MqttPosixStoreWriter(Commit commit);
    /** Finishes the write in progress, then stops the thread. */
    ~MqttPosixStoreWriter();
    MqttPosixStoreWriter(const MqttPosixStoreWriter&) = delete;
    MqttPosixStoreWriter& operator=(const MqttPosixStoreWriter&) = delete;

    /** Starts the thread and its eventfd. @return false with @p error set. */
    bool Start(std::string& error);

    /** Readable (an eventfd) when a submitted write has finished. */
    int Fd() const;

    /** A write was submitted and its outcome not yet taken. */
    bool Busy() const;

    /** Writes @p ops on the thread; only when not Busy(). */
    void Submit(std::vector<PersistOp> ops);

    /**
     * The outcome of the submitted write, if it finished (after Fd() was readable), or with
     * @p wait until it has. @return false when it has not finished (or none was submitted).
     */
    bool TakeResult(bool wait, bool& stored, std::string& error);

  private:
    void Run();

    Commit m_commit;
    int m_eventFd = -1;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    /** Guarded by m_mutex. */
    std::vector<PersistOp> m_job;
    bool m_hasJob = false;
    bool m_done = false;
    bool m_stored = false;
    std::string m_error;
    bool m_stop = false;
    /** Loop thread only. */
    bool m_busy = false;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_POSIX_STORE_WRITER_H
