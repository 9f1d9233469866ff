/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What the ns-3 applications need of one connection, whatever carries it: an ns-3 TCP socket
 * (MqttNs3Transport) or, under the real-time simulator, a real TCP socket (MqttRealTransport).
 */
#ifndef MQTT_TRANSPORT_H
#define MQTT_TRANSPORT_H

#include "mqtt-action.h"

#include "ns3/address.h"
#include "ns3/callback.h"
#include "ns3/packet.h"
#include "ns3/ptr.h"
#include "ns3/simple-ref-count.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>

namespace ns3
{
namespace mqtt
{

/** What a transport tells its owner. Every callback may be null. */
struct MqttTransportCallbacks
{
    /** The outgoing connection is up. */
    Callback<void, ConnectionId> connected;
    /** The outgoing connection failed to open. */
    Callback<void, ConnectionId> connectFailed;
    /** Bytes arrived (not called after Close()). */
    Callback<void, ConnectionId, const uint8_t*, std::size_t> data;
    /** The connection is closed (bool: by an error); also after Close(). */
    Callback<void, ConnectionId, bool> closed;
    /** A packet was written / read (the bytes as an ns-3 Packet, and the peer). */
    Callback<void, Ptr<const ns3::Packet>, const Address&> tx;
    Callback<void, Ptr<const ns3::Packet>, const Address&> rx;
    /** The bytes kept because the connection did not take them changed (PendingBytes()). */
    Callback<void, ConnectionId, std::size_t> unsent;
};

/**
 * One connection carrying MQTT bytes. Close() is graceful (what was sent before is written
 * first; the owner then hears only the final closed callback); Abort() drops everything at once
 * and reports nothing. Connection failures and closes are always reported from a later event,
 * so an owner is never re-entered from its own call.
 */
class MqttTransport : public SimpleRefCount<MqttTransport>
{
  public:
    virtual ~MqttTransport() = default;

    /** Writes @p size bytes (or keeps them until the connection takes them). */
    virtual void Send(const uint8_t* data, std::size_t size) = 0;
    /** Writes what is pending, then closes. */
    virtual void Close() = 0;
    /**
     * Closes like Close() but drops what is pending first: the peer did not read it, and the
     * memory budget refused to hold more for it (MqttBrokerEngine::OnOutputBuffered).
     */
    virtual void CloseDiscardingUnsent() = 0;
    /** Closes at once, drops pending bytes, reports nothing more. */
    virtual void Abort() = 0;
    /**
     * Stops (true) or resumes (false) reading, so that the peer's TCP flow control holds back
     * what it sends (back-pressure). A peer's orderly close found while paused is reported once
     * the bytes before it were read.
     */
    virtual void SetReadPaused(bool paused) = 0;

    virtual ConnectionId Id() const = 0;
    virtual const Address& Peer() const = 0;
    /** Bytes kept because the connection did not take them yet. */
    virtual std::size_t PendingBytes() const = 0;
    /** Whether the connection is up and not closing. */
    virtual bool IsOpen() const = 0;
};

/**
 * What every MqttTransport keeps and reports alike (the id, the peer, the owner's callbacks);
 * the drivers differ only in how bytes move. Nothing here is virtual beyond the interface.
 */
class MqttTransportBase : public MqttTransport
{
  public:
    ConnectionId
    Id() const override
    {
        return m_id;
    }

    const Address&
    Peer() const override
    {
        return m_peer;
    }

    bool
    IsOpen() const override
    {
        return m_connected && !m_closing && !m_finished;
    }

  protected:
    MqttTransportBase(ConnectionId id, const Address& peer, MqttTransportCallbacks callbacks)
        : m_id(id)
        , m_peer(peer)
        , m_callbacks(std::move(callbacks))
    {
    }

    void
    NotifyConnected() const
    {
        if (!m_callbacks.connected.IsNull())
        {
            m_callbacks.connected(m_id);
        }
    }

    void
    NotifyConnectFailed() const
    {
        if (!m_callbacks.connectFailed.IsNull())
        {
            m_callbacks.connectFailed(m_id);
        }
    }

    void
    NotifyClosed(bool error) const
    {
        if (!m_callbacks.closed.IsNull())
        {
            m_callbacks.closed(m_id, error);
        }
    }

    /** Reports @p pending unsent bytes if that changed since the last report. */
    void
    NotifyUnsent(std::size_t pending)
    {
        if (pending != m_notifiedUnsent && !m_callbacks.unsent.IsNull() && !m_finished)
        {
            m_notifiedUnsent = pending;
            m_callbacks.unsent(m_id, pending);
        }
    }

    /** Enters finished once. @return false if already finished (nothing to do). */
    bool
    MarkFinished()
    {
        if (m_finished)
        {
            return false;
        }
        m_finished = true;
        return true;
    }

    ConnectionId m_id;
    Address m_peer;
    MqttTransportCallbacks m_callbacks;
    bool m_connected = false;
    /** Close() was called: pending bytes still go out, nothing new is taken. */
    bool m_closing = false;
    /** Closed or aborted: nothing more is reported. */
    bool m_finished = false;
    /** The unsent bytes last reported (NotifyUnsent). */
    std::size_t m_notifiedUnsent = 0;
};

/**
 * Makes the transport of a client's connection @p id (instead of an ns-3 TCP socket), reporting
 * through @p callbacks: how an MqttClient reaches a real broker.
 */
using MqttTransportFactory =
    std::function<Ptr<MqttTransport>(ConnectionId id, const MqttTransportCallbacks& callbacks)>;

} // namespace mqtt
} // namespace ns3

#endif // MQTT_TRANSPORT_H
