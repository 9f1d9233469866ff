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
#include "ns3/trace-source-accessor.h"
#include "ns3/traced-callback.h"
#include "ns3/type-id.h"

#include <map>
#include <string>

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
    /**
     * Closes a live connection gracefully; unknown or closing ones are ignored. Closed for the
     * memory limit, it drops what its peer did not read (MqttTransport::CloseDiscardingUnsent).
     */
    void Close(const CloseAction& close);

    /** Whether @p id is known and the engine still uses it (inline: asked per packet). */
    bool
    IsLive(ConnectionId id) const
    {
        auto it = find(id);
        return it != end() && it->second.live;
    }

    /**
     * Forgets @p id once its transport reported the end.
     * @return whether the engine still used it (so it must be told); false if unknown.
     */
    bool Remove(ConnectionId id);
    /** Drops every transport at once, reporting nothing (application disposal). */
    void AbortAll();
};

/** The Rx and Tx trace sources an application fires for its transports' bytes. */
using MqttNs3BytesTrace = TracedCallback<Ptr<const ns3::Packet>, const Address&>;

/** Points @p callbacks' rx and tx at an application's Rx and Tx trace sources. */
void MqttNs3TraceBytes(MqttTransportCallbacks& callbacks,
                       MqttNs3BytesTrace& rx,
                       MqttNs3BytesTrace& tx);

/**
 * Adds an application's Rx and Tx trace sources (@p rx, @p tx: the members MqttNs3TraceBytes
 * points its transports at), described by @p rxHelp and @p txHelp.
 */
template<typename App>
TypeId
MqttNs3AddBytesTraceSources(TypeId tid,
                            MqttNs3BytesTrace App::*rx,
                            MqttNs3BytesTrace App::*tx,
                            const std::string& rxHelp,
                            const std::string& txHelp)
{
    return tid
        .AddTraceSource(
            "Rx", rxHelp, MakeTraceSourceAccessor(rx), "ns3::Packet::AddressTracedCallback")
        .AddTraceSource(
            "Tx", txHelp, MakeTraceSourceAccessor(tx), "ns3::Packet::AddressTracedCallback");
}

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
