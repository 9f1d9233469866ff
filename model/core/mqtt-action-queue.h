/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Runs an engine's actions in order, also when carrying out one action leads to another engine
 * call (a socket callback, an application reacting to a notification).
 */
#ifndef MQTT_ACTION_QUEUE_H
#define MQTT_ACTION_QUEUE_H

#include "mqtt-action.h"

#include <cstddef>
#include <utility>

namespace ns3
{
namespace mqtt
{

/**
 * A FIFO of actions shared by every engine call of one driver. Pass Out() to the engine, then
 * Drain(). A Drain() reached from inside a handler returns at once: the outer Drain() carries out
 * the new actions after the ones already queued, so actions run in the order the engine calls
 * were made and each call's actions in the order the engine gave them.
 */
class MqttActionQueue
{
  public:
    /** The vector engine calls append to. */
    MqttActions&
    Out()
    {
        return m_actions;
    }

    /** Calls @p handler(MqttAction&) for each queued action, in order, unless already draining. */
    template<typename Handler>
    void
    Drain(Handler&& handler)
    {
        if (m_draining)
        {
            return;
        }
        m_draining = true;
        while (m_next < m_actions.size())
        {
            // Moved out: the handler may append to m_actions, which may reallocate.
            MqttAction action = std::move(m_actions[m_next++]);
            handler(action);
        }
        m_actions.clear();
        m_next = 0;
        m_draining = false;
    }

    /** Forgets queued actions (application disposed). */
    void
    Clear()
    {
        m_actions.clear();
        m_next = 0;
    }

    bool
    Draining() const
    {
        return m_draining;
    }

  private:
    MqttActions m_actions;
    std::size_t m_next = 0;
    bool m_draining = false;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_ACTION_QUEUE_H
