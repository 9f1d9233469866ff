/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Lifecycle events (lifecycleTopicPrefix): the broker's own JSON message on
 * <prefix>connected/<id> and <prefix>disconnected/<id>, routed like any other.
 */
#include "mqtt-broker-engine-impl.h"

#include "mqtt-lifecycle-event.h"

namespace ns3
{
namespace mqtt
{

void
MqttBrokerEngine::Impl::PublishLifecycle(const MqttBrokerConnection& conn,
                                         bool connected,
                                         CloseReason reason,
                                         Nanos now,
                                         MqttActions& out)
{
    MqttLifecycleEvent ev;
    ev.connected = connected;
    ev.clientId = conn.ClientId();
    ev.timestampMs = static_cast<int64_t>(now.count() / 1000000);
    ev.sessionIdentifier = LifecycleSessionIdentifier(conn.LifecycleVersion());
    ev.principalIdentifier = conn.UserName();
    ev.versionNumber = conn.LifecycleVersion();
    if (!connected)
    {
        ev.clientInitiatedDisconnect = reason == CloseReason::ClientDisconnect;
        ev.disconnectReason = LifecycleDisconnectReason(reason);
    }
    std::string topic = ev.Topic(m_profile.lifecycleTopicPrefix);
    if (topic.size() > MAX_TOPIC_LENGTH)
    {
        return; // a client id so long that the topic cannot be encoded
    }
    std::string json = ev.ToJson();
    // The broker's own message: no publisher, no ACL or publish limits (it uses a reserved
    // topic), never retained.
    MqttMessagePtr m = MakeMessage("",
                                   std::move(topic),
                                   std::vector<uint8_t>(json.begin(), json.end()),
                                   MinQos(m_profile.lifecycleQos, m_profile.maxQos),
                                   false);
    MqttEvent& e = NotifyMessage(EventType::LifecyclePublished, conn.Id(), conn.ClientId(), m, out);
    e.qos = m->qos;
    e.closeReason = reason;
    Route(m, now, out);
}

} // namespace mqtt
} // namespace ns3
