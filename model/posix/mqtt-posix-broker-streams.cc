/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttPosixBroker's stream layers (TLS, WebSocket): the stack a listener's protocol needs, and
 * the bytes of a connection passed through it in both directions.
 */
#include "mqtt-posix-broker.h"

#include "mqtt-tls.h"
#include "mqtt-websocket-layer.h"

namespace ns3
{
namespace mqtt
{

std::unique_ptr<MqttStreamStack>
MqttPosixBroker::MakeStream(Protocol protocol) const
{
    if (protocol == Protocol::Mqtt)
    {
        return nullptr;
    }
    auto stack = std::make_unique<MqttStreamStack>();
    if (protocol == Protocol::Tls || protocol == Protocol::Wss)
    {
        stack->Push(std::make_unique<MqttTlsLayer>(m_options.tls));
    }
    if (protocol == Protocol::Ws || protocol == Protocol::Wss)
    {
        stack->Push(std::make_unique<MqttWebSocketLayer>());
    }
    return stack;
}

void
MqttPosixBroker::ReadStream(Connection& connection, std::size_t size, Nanos now)
{
    std::vector<uint8_t> app;
    std::vector<uint8_t> wire;
    MqttStreamStatus status = connection.stream->Receive(m_readBuffer.data(), size, app, wire);
    if (!wire.empty())
    {
        connection.out.Append(wire);
        MarkDirty(connection);
    }
    if (!connection.streamOpen && connection.stream->IsOpen())
    {
        connection.streamOpen = true;
        m_handshakes.Cancel(connection.id);
        if (m_options.identityAsUserName)
        {
            if (auto identity = connection.stream->PeerIdentity())
            {
                m_engine.SetPeerIdentity(connection.id, *identity);
            }
        }
    }
    if (!app.empty())
    {
        m_engine.OnBytes(connection.id, app.data(), app.size(), now, m_actions);
        Apply(now);
        PauseIfPaused(connection);
    }
    if (status == MqttStreamStatus::Ok || connection.closing)
    {
        return; // a connection the engine closed (DISCONNECT, then close_notify) just ends
    }
    // The layer's last words (an alert, a close frame or an HTTP refusal), best effort.
    (void)connection.out.Write(connection.fd);
    if (status == MqttStreamStatus::Failed)
    {
        if (!connection.streamOpen)
        {
            ++m_stats.handshakesFailed;
        }
        Lost(connection, connection.stream->Error(), now);
    }
    else
    {
        Lost(connection, "closed by peer (TLS close_notify or WebSocket close)", now);
    }
}

bool
MqttPosixBroker::SealStream(Connection& connection, Nanos now)
{
    std::vector<uint8_t> wire;
    if (!connection.plain.empty())
    {
        MqttStreamStatus status =
            connection.stream->Send(connection.plain.data(), connection.plain.size(), wire);
        connection.plain.clear();
        if (status == MqttStreamStatus::Failed)
        {
            if (connection.closing)
            {
                Destroy(connection.id);
            }
            else
            {
                Lost(connection, connection.stream->Error(), now);
            }
            return false;
        }
    }
    if (connection.closing && !connection.streamClosed)
    {
        connection.streamClosed = true;
        connection.stream->Close(wire);
    }
    connection.out.Append(wire);
    return true;
}

} // namespace mqtt
} // namespace ns3
