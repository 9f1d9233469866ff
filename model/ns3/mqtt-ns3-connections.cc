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
        it->second.transport->Close();
    }
}

} // namespace mqtt
} // namespace ns3
