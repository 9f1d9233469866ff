/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The connections of an ns-3 MQTT application (broker or client) and the engine actions both
 * carry out alike.
 */
#ifndef MQTT_NS3_CONNECTIONS_H
#define MQTT_NS3_CONNECTIONS_H

#include "mqtt-action-visit.h"
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
    /** Not read while the engine does not take its input (back-pressure). */
    bool readPaused = false;
};

/** An application's connections by id. */
class MqttNs3Connections : public std::map<ConnectionId, MqttNs3Connection>
{
  public:
    /** Writes to a live connection; unknown or closing ones are ignored. */
    void Send(const SendAction& send);
    /** Closes a live connection gracefully; unknown or closing ones are ignored. */
    void Close(const CloseAction& close);
};

/**
 * The handlers of the actions MqttBroker and MqttClient carry out alike (send, close, timers),
 * for their overload set: MqttOverloaded{MqttNs3CommonActions{connections, timers}, ...}. Each
 * application adds the handlers of what is its own (notifications; opening connections).
 */
struct MqttNs3CommonActions : MqttTimerActions<MqttNs3Timers>
{
    MqttNs3CommonActions(MqttNs3Connections& connections, MqttNs3Timers& timers)
        : MqttTimerActions<MqttNs3Timers>{timers}
        , connections(connections)
    {
    }

    using MqttTimerActions<MqttNs3Timers>::operator();

    void
    operator()(const SendAction& send) const
    {
        connections.Send(send);
    }

    void
    operator()(const CloseAction& close) const
    {
        connections.Close(close);
    }

    MqttNs3Connections& connections;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_NS3_CONNECTIONS_H
