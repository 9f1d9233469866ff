/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-ns3-connections.h"

namespace ns3
{
namespace mqtt
{

void
MqttNs3Connections::Send(const SendAction& send)
{
    auto it = find(send.connection);
    if (it != end() && it->second.live)
    {
        it->second.transport->Send(send.bytes.data(), send.bytes.size());
    }
}

void
MqttNs3Connections::Close(const CloseAction& close)
{
    auto it = find(close.connection);
    if (it != end() && it->second.live)
    {
        it->second.live = false;
        if (close.reason == CloseReason::MemoryLimit && it->second.transport->PendingBytes() > 0)
        {
            // What the peer did not read is what the memory budget refused to hold.
            it->second.transport->CloseDiscardingUnsent();
        }
        else
        {
            it->second.transport->Close();
        }
    }
}

bool
MqttNs3Connections::Remove(ConnectionId id)
{
    auto it = find(id);
    if (it == end())
    {
        return false;
    }
    bool live = it->second.live;
    erase(it);
    return live;
}

void
MqttNs3Connections::AbortAll()
{
    for (auto& [id, connection] : *this)
    {
        connection.transport->Abort();
    }
    clear();
}

void
MqttNs3TraceBytes(MqttTransportCallbacks& callbacks, MqttNs3BytesTrace& rx, MqttNs3BytesTrace& tx)
{
    callbacks.rx = MakeCallback(&MqttNs3BytesTrace::operator(), &rx);
    callbacks.tx = MakeCallback(&MqttNs3BytesTrace::operator(), &tx);
}

} // namespace mqtt
} // namespace ns3
