/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The connections of an ns-3 MQTT application (broker or client) and the engine actions both
 * carry out alike.
 */
#ifndef MQTT_NS3_CONNECTIONS_H
#define MQTT_NS3_CONNECTIONS_H

#include "mqtt-action.h"
#include "mqtt-ns3-timers.h"
#include "mqtt-transport.h"

#include "ns3/ptr.h"

#include <map>

namespace ns3
{
namespace mqtt
{

/** One transport connection of an application. */
struct MqttNs3Connection
{
    Ptr<MqttTransport> transport;
    /** Whether the engine still knows it (false once it asked to close it). */
    bool live = true;
};

/**
 * An application's connections by id. Apply() carries out the actions that MqttBroker and
 * MqttClient handle the same way (send, close, timers), so that each of them only handles what
 * is its own (notifications; opening connections).
 */
class MqttNs3Connections : public std::map<ConnectionId, MqttNs3Connection>
{
  public:
    /**
     * Sends to or closes a live connection (unknown or closing ones are ignored), or starts or
     * cancels a timer of @p timers. @return false for other actions, left to the caller.
     */
    bool Apply(const MqttAction& action, MqttNs3Timers& timers);
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_NS3_CONNECTIONS_H
