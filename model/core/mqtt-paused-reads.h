/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Which connections a broker driver stopped reading because the engine paused their input: one
 * piece for the standalone broker and the ns-3 broker.
 */
#ifndef MQTT_PAUSED_READS_H
#define MQTT_PAUSED_READS_H

#include "mqtt-action.h"
#include "mqtt-broker-engine.h"

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace ns3
{
namespace mqtt
{

/**
 * The connections a driver does not read while MqttBrokerEngine::IsInputPaused holds for them
 * (back-pressure, a byte rate), or while a service model's input is full (MqttServiceModel), so
 * that the peer's TCP flow control holds back what it sends.
 * The driver keeps a readPaused flag per connection (cheap to test on its hot path); this keeps
 * the list to look at again after engine calls.
 */
class MqttPausedReads
{
  public:
    /**
     * Records @p connection (and sets @p readPaused) if the engine paused its input and it is not
     * paused already. @return whether the driver must stop reading it now.
     */
    bool
    Pause(const MqttBrokerEngine& engine, ConnectionId connection, bool& readPaused)
    {
        return PauseIf(engine.IsInputPaused(connection), connection, readPaused);
    }

    /** Pause() for a driver that decides itself whether @p connection's input is paused. */
    bool
    PauseIf(bool inputPaused, ConnectionId connection, bool& readPaused)
    {
        if (readPaused || !inputPaused)
        {
            return false;
        }
        readPaused = true;
        m_paused.push_back(connection);
        ++m_pauses;
        return true;
    }

    /**
     * Looks at every paused connection again: @p find(id) gives its readPaused flag, or null
     * when it is gone or closing (then it is forgotten); one whose input the engine takes again
     * is forgotten, its flag cleared, and @p resume(id) called to read it again.
     */
    template<typename Find, typename OnResume>
    void
    Resume(const MqttBrokerEngine& engine, Find&& find, OnResume&& resume)
    {
        ResumeIf([&engine](ConnectionId id) { return engine.IsInputPaused(id); },
                 std::forward<Find>(find),
                 std::forward<OnResume>(resume));
    }

    /** Resume() with @p paused(id) saying whether a connection's input is still paused. */
    template<typename Paused, typename Find, typename OnResume>
    void
    ResumeIf(Paused&& paused, Find&& find, OnResume&& resume)
    {
        std::size_t kept = 0;
        for (std::size_t i = 0; i < m_paused.size(); ++i)
        {
            ConnectionId id = m_paused[i];
            bool* readPaused = find(id);
            if (readPaused == nullptr)
            {
                continue;
            }
            if (paused(id))
            {
                m_paused[kept++] = id;
                continue;
            }
            *readPaused = false;
            resume(id);
        }
        m_paused.resize(kept);
    }

    /** Whether no connection is paused (nothing to look at). */
    bool
    Empty() const
    {
        return m_paused.empty();
    }

    /** Times reading a connection stopped. */
    uint64_t
    Pauses() const
    {
        return m_pauses;
    }

    /** Forgets the paused connections (the driver's connections are gone). */
    void
    Clear()
    {
        m_paused.clear();
    }

  private:
    /** In pause order. */
    std::vector<ConnectionId> m_paused;
    uint64_t m_pauses = 0;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_PAUSED_READS_H
