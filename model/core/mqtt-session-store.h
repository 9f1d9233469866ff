/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Every session a broker holds, found by client id [MQTT-3.1.3-2] or by topic-tree handle.
 */
#ifndef MQTT_SESSION_STORE_H
#define MQTT_SESSION_STORE_H

#include "mqtt-session.h"
#include "mqtt-topic-tree.h"

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ns3
{
namespace mqtt
{

/**
 * Owns the sessions. Client ids are kept in an ordered map, so walking the sessions is
 * reproducible; the handle index is only ever looked up, never iterated.
 */
class MqttSessionStore
{
  public:
    /** The session of @p clientId, or null. */
    MqttSession* Find(std::string_view clientId);
    const MqttSession* Find(std::string_view clientId) const;

    /** The session the topic tree knows as @p handle, or null. */
    MqttSession* FindByHandle(SubscriberId handle);

    /** Creates a session for a client id that has none (an existing one is returned as is), with a
     * fresh, never reused handle. */
    MqttSession& Create(const std::string& clientId, bool cleanSession);

    /** Forgets a session; the caller has removed its subscriptions from the topic tree. */
    void Erase(std::string_view clientId);

    std::size_t Size() const;

    /** Calls @p f for every session, in client id order. */
    void ForEach(const std::function<void(MqttSession&)>& f);

  private:
    std::map<std::string, MqttSession, std::less<>> m_byClientId;
    std::unordered_map<SubscriberId, MqttSession*> m_byHandle;
    SubscriberId m_nextHandle = 1;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SESSION_STORE_H
