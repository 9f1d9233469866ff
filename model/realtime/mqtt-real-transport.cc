/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-real-transport.h"

#include "ns3/log.h"
#include "ns3/packet.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("MqttRealTransport");

namespace mqtt
{

MqttRealTransport::MqttRealTransport(ConnectionId id,
                                     const Address& peer,
                                     MqttTransportCallbacks callbacks)
    : MqttTransportBase(id, peer, std::move(callbacks))
    , m_bridge(MqttRealtimeBridge::Get())
{
}

MqttRealTransport::MqttRealTransport(ConnectionId id,
                                     MqttRealtimeBridge::Handle handle,
                                     const Address& peer,
                                     MqttTransportCallbacks callbacks)
    : MqttRealTransport(id, peer, std::move(callbacks))
{
    NS_LOG_FUNCTION(this << id << handle);
    m_handle = handle;
    m_connected = true;
    m_bridge->Attach(m_handle, MakeSink());
}

MqttRealTransport::~MqttRealTransport()
{
    if (!m_finished && m_handle != 0)
    {
        m_bridge->Abort(m_handle);
    }
}

Ptr<MqttRealTransport>
MqttRealTransport::Connect(ConnectionId id,
                           uint32_t context,
                           const MqttPosixEndpoint& peer,
                           MqttTransportCallbacks callbacks,
                           MqttClientStreamOptions streams)
{
    Ptr<MqttRealTransport> transport = Ptr<MqttRealTransport>(
        new MqttRealTransport(id, MqttRealtimeBridge::ToAddress(peer), std::move(callbacks)),
        false);
    transport->m_handle = transport->m_bridge->Connect(peer, context, transport->MakeSink(), std::move(streams));
    return transport;
}

MqttRealtimeBridge::Sink
MqttRealTransport::MakeSink()
{
    // The bridge calls these only while the handle is attached; the destructor aborts it.
    MqttRealtimeBridge::Sink sink;
    sink.connected = MakeCallback(&MqttRealTransport::HandleConnected, this);
    sink.connectFailed = MakeCallback(&MqttRealTransport::HandleConnectFailed, this);
    sink.data = MakeCallback(&MqttRealTransport::HandleData, this);
    sink.closed = MakeCallback(&MqttRealTransport::HandleClosed, this);
    sink.written = MakeCallback(&MqttRealTransport::HandleWritten, this);
    return sink;
}

void
MqttRealTransport::Send(const uint8_t* data, std::size_t size)
{
    if (m_finished || m_closing)
    {
        return;
    }
    m_bridge->Send(m_handle, data, size);
    if (!m_callbacks.tx.IsNull())
    {
        m_callbacks.tx(Create<ns3::Packet>(data, static_cast<uint32_t>(size)), m_peer);
    }
    // What the kernel did not take is held by the bridge: its owner (the memory budget) hears.
    NotifyUnsent(PendingBytes());
}

void
MqttRealTransport::Close()
{
    NS_LOG_FUNCTION(this << m_id);
    if (m_finished || m_closing)
    {
        return;
    }
    m_closing = true;
    m_bridge->Close(m_handle);
}

void
MqttRealTransport::CloseDiscardingUnsent()
{
    NS_LOG_FUNCTION(this << m_id);
    if (m_finished || m_closing)
    {
        return;
    }
    m_closing = true;
    m_bridge->Close(m_handle, true);
}

void
MqttRealTransport::Abort()
{
    NS_LOG_FUNCTION(this << m_id);
    if (!MarkFinished())
    {
        return;
    }
    m_bridge->Abort(m_handle);
}

void
MqttRealTransport::SetReadPaused(bool paused)
{
    if (!m_finished && !m_closing)
    {
        m_bridge->SetReadPaused(m_handle, paused);
    }
}

std::size_t
MqttRealTransport::PendingBytes() const
{
    return m_finished ? 0 : m_bridge->PendingBytes(m_handle);
}

void
MqttRealTransport::HandleConnected()
{
    NS_LOG_FUNCTION(this << m_id);
    m_connected = true;
    NotifyConnected();
}

void
MqttRealTransport::HandleConnectFailed()
{
    NS_LOG_FUNCTION(this << m_id);
    m_finished = true;
    NotifyConnectFailed();
}

void
MqttRealTransport::HandleData(const uint8_t* data, std::size_t size)
{
    if (!m_callbacks.rx.IsNull())
    {
        m_callbacks.rx(Create<ns3::Packet>(data, static_cast<uint32_t>(size)), m_peer);
    }
    if (!m_callbacks.data.IsNull())
    {
        m_callbacks.data(m_id, data, size);
    }
}

void
MqttRealTransport::HandleWritten()
{
    if (!m_closing)
    {
        NotifyUnsent(PendingBytes());
    }
}

void
MqttRealTransport::HandleClosed(bool error)
{
    NS_LOG_FUNCTION(this << m_id << error);
    m_finished = true;
    NotifyClosed(error);
}

} // namespace mqtt
} // namespace ns3
