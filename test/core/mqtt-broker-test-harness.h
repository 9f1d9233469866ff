/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A byte-script harness for the broker engine: open connections, feed bytes or encoded
 * packets, advance a fake clock (firing due timers in order), and read back exactly what the
 * engine sent to each connection, which connections it closed and why, and its events.
 *
 * Every action is checked as it comes out: a SendAction or CloseAction must target a
 * connection that is open, and the first packet sent on a connection must be a CONNACK
 * [MQTT-3.2.0-1]; a breach fails the running test.
 */
#ifndef MQTT_BROKER_TEST_HARNESS_H
#define MQTT_BROKER_TEST_HARNESS_H

#include "mqtt-broker-engine.h"
#include "mqtt-codec.h"
#include "mqtt-durable-image.h"
#include "mqtt-packets.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace brokertest
{

using namespace ns3::mqtt;
using std::chrono::milliseconds;
using std::chrono::seconds;

/** "20 02 00 00": lower-case hex bytes separated by spaces. */
inline std::string
Hex(const std::vector<uint8_t>& bytes)
{
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < bytes.size(); ++i)
    {
        if (i != 0)
        {
            s.push_back(' ');
        }
        s.push_back(digits[bytes[i] >> 4]);
        s.push_back(digits[bytes[i] & 0x0f]);
    }
    return s;
}

/** Parses hex digits, ignoring spaces. */
inline std::vector<uint8_t>
FromHex(std::string_view hex)
{
    std::vector<uint8_t> out;
    int high = -1;
    for (char c : hex)
    {
        int v;
        if (c >= '0' && c <= '9')
        {
            v = c - '0';
        }
        else if (c >= 'a' && c <= 'f')
        {
            v = c - 'a' + 10;
        }
        else if (c >= 'A' && c <= 'F')
        {
            v = c - 'A' + 10;
        }
        else
        {
            continue;
        }
        if (high < 0)
        {
            high = v;
        }
        else
        {
            out.push_back(static_cast<uint8_t>(high << 4 | v));
            high = -1;
        }
    }
    return out;
}

inline std::vector<uint8_t>
Bytes(const Packet& p)
{
    std::vector<uint8_t> out;
    Encode(p, out);
    return out;
}

inline std::string
HexOf(const Packet& p)
{
    return Hex(Bytes(p));
}

inline std::vector<uint8_t>
Payload(std::string_view text)
{
    return std::vector<uint8_t>(text.begin(), text.end());
}

inline ConnectPacket
MakeConnect(const std::string& clientId, bool clean = true, uint16_t keepAlive = 0)
{
    ConnectPacket p;
    p.clientId = clientId;
    p.cleanSession = clean;
    p.keepAliveSeconds = keepAlive;
    return p;
}

inline PublishPacket
MakePublish(const std::string& topic,
            std::string_view payload,
            Qos qos = Qos::AtMostOnce,
            uint16_t packetId = 0,
            bool retain = false,
            bool dup = false)
{
    PublishPacket p;
    p.topic = topic;
    p.payload = Payload(payload);
    p.qos = qos;
    p.packetId = packetId;
    p.retain = retain;
    p.dup = dup;
    return p;
}

inline SubscribePacket
MakeSubscribe(uint16_t packetId, std::vector<TopicRequest> topics)
{
    SubscribePacket p;
    p.packetId = packetId;
    p.topics = std::move(topics);
    return p;
}

/** The standard 3.1.1 profile with a memory budget of @p limit bytes (memoryLimit). */
inline MqttBrokerProfile
WithMemoryLimit(std::size_t limit)
{
    MqttBrokerProfile p = MqttBrokerProfile::Standard311();
    p.memoryLimit = limit;
    return p;
}

class BrokerHarness
{
  public:
    explicit BrokerHarness(MqttBrokerProfile profile = MqttBrokerProfile::Standard311(),
                           uint64_t seed = 1)
        : m_engine(std::move(profile), seed)
    {
    }

    MqttBrokerEngine&
    Engine()
    {
        return m_engine;
    }

    Nanos
    Now() const
    {
        return m_now;
    }

    // --- Input ----------------------------------------------------------------------------
    void
    Open(ConnectionId c)
    {
        m_open.insert(c);
        m_closed.erase(c);
        MqttActions out;
        m_engine.OnConnectionOpened(c, m_now, out);
        Process(out);
    }

    void
    Feed(ConnectionId c, const std::vector<uint8_t>& bytes)
    {
        MqttActions out;
        m_engine.OnBytes(c, bytes.data(), bytes.size(), m_now, out);
        Process(out);
    }

    void
    FeedHex(ConnectionId c, std::string_view hex)
    {
        Feed(c, FromHex(hex));
    }

    void
    Send(ConnectionId c, const Packet& p)
    {
        Feed(c, Bytes(p));
    }

    /** The transport closed without the engine asking. */
    void
    NetClose(ConnectionId c)
    {
        m_open.erase(c);
        MqttActions out;
        m_engine.OnConnectionClosed(c, m_now, out);
        Process(out);
    }

    /** The driver holds @p unsent bytes for @p c (MqttBrokerEngine::OnOutputBuffered). */
    void
    OutputBuffered(ConnectionId c, std::size_t unsent)
    {
        MqttActions out;
        m_engine.OnOutputBuffered(c, unsent, m_now, out);
        Process(out);
    }

    void
    Shutdown()
    {
        MqttActions out;
        m_engine.Shutdown(m_now, out);
        Process(out);
    }

    void
    Resume()
    {
        MqttActions out;
        m_engine.Resume(m_now, out);
        Process(out);
    }

    // --- Durable persistence: an in-memory store (ApplyPersistOps) -----------------------
    /**
     * With @p on (the default once EnablePersistence or Restore is called through here), every
     * PersistAction is applied to Store() and reported durable at once; off, they wait in
     * PendingPersist() for Persisted() or PersistFailed().
     */
    void
    SetAutoPersist(bool on)
    {
        m_autoPersist = on;
    }

    void
    EnablePersistence(bool autoPersist = true)
    {
        m_engine.EnablePersistence();
        m_autoPersist = autoPersist;
    }

    /** Restores @p state; @return the engine's error, empty on success. */
    std::string
    Restore(const MqttDurableState& state, bool autoPersist = true)
    {
        MqttActions out;
        std::string error;
        m_autoPersist = autoPersist;
        if (!m_engine.Restore(state, m_now, out, error))
        {
            return error.empty() ? "failed without a message" : error;
        }
        Process(out);
        return {};
    }

    /** Batches emitted and not yet reported (auto-persist off). */
    std::vector<PersistAction>&
    PendingPersist()
    {
        return m_pendingPersist;
    }

    /** Applies the pending batches up to @p batch to Store() and reports them durable. */
    void
    Persisted(uint64_t batch)
    {
        while (!m_pendingPersist.empty() && m_pendingPersist.front().batch <= batch)
        {
            ApplyPersistOps(m_store, m_pendingPersist.front().ops);
            m_pendingPersist.erase(m_pendingPersist.begin());
        }
        MqttActions out;
        m_engine.OnPersisted(batch, m_now, out);
        Process(out);
    }

    /** The store failed @p batch: the pending batches are dropped. */
    void
    PersistFailed(uint64_t batch)
    {
        m_pendingPersist.clear();
        MqttActions out;
        m_engine.OnPersistFailed(batch, m_now, out);
        Process(out);
    }

    /** What the in-memory store holds. */
    const MqttDurableState&
    Store() const
    {
        return m_store;
    }

    /** Moves the clock to @p t, firing every timer due by then in (time, id) order. */
    void
    AdvanceTo(Nanos t)
    {
        for (;;)
        {
            auto next = m_timers.end();
            for (auto it = m_timers.begin(); it != m_timers.end(); ++it)
            {
                if (it->second <= t && (next == m_timers.end() || it->second < next->second))
                {
                    next = it;
                }
            }
            if (next == m_timers.end())
            {
                break;
            }
            TimerId id = next->first;
            m_now = std::max(m_now, next->second);
            m_timers.erase(next);
            FireTimer(id);
        }
        m_now = std::max(m_now, t);
    }

    void
    Advance(Nanos d)
    {
        AdvanceTo(m_now + d);
    }

    /** Calls OnTimer directly (also for ids the engine never started or already forgot). */
    void
    FireTimer(TimerId id)
    {
        MqttActions out;
        m_engine.OnTimer(id, m_now, out);
        Process(out);
    }

    // --- Output ---------------------------------------------------------------------------
    /** Bytes sent to @p c since the last Take, as hex. */
    std::string
    TakeHex(ConnectionId c)
    {
        std::string s = Hex(m_pending[c]);
        m_pending[c].clear();
        return s;
    }

    /** Packets sent to @p c since the last Take, decoded. */
    std::vector<Packet>
    TakePackets(ConnectionId c)
    {
        std::vector<uint8_t> bytes = std::move(m_pending[c]);
        m_pending[c].clear();
        std::vector<Packet> packets;
        std::size_t at = 0;
        while (at < bytes.size())
        {
            Packet p;
            DecodeResult r = Decode(bytes.data() + at, bytes.size() - at, p);
            if (r.status != DecodeStatus::Complete)
            {
                ADD_FAILURE() << "engine sent bytes that do not decode: " << Hex(bytes);
                break;
            }
            packets.push_back(std::move(p));
            at += r.consumed;
        }
        return packets;
    }

    /** Removes the first packet sent to @p c (since the last Take) and decodes it. */
    std::optional<Packet>
    TakeFirstPacket(ConnectionId c)
    {
        std::vector<uint8_t>& bytes = m_pending[c];
        Packet p;
        DecodeResult r = Decode(bytes.data(), bytes.size(), p);
        if (r.status != DecodeStatus::Complete)
        {
            return std::nullopt;
        }
        bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(r.consumed));
        return p;
    }

    /** Every byte ever sent to @p c. */
    const std::vector<uint8_t>&
    AllSent(ConnectionId c)
    {
        return m_allSent[c];
    }

    bool
    IsOpen(ConnectionId c) const
    {
        return m_open.count(c) != 0;
    }

    /** The reason the engine closed @p c with, if it did. */
    std::optional<CloseReason>
    ClosedWith(ConnectionId c) const
    {
        auto it = m_closed.find(c);
        if (it == m_closed.end())
        {
            return std::nullopt;
        }
        return it->second;
    }

    /** Events since the last TakeEvents(). */
    std::vector<MqttEvent>
    TakeEvents()
    {
        std::vector<MqttEvent> e = std::move(m_events);
        m_events.clear();
        return e;
    }

    /** Events of @p type since the last TakeEvents() (not consumed). */
    std::vector<MqttEvent>
    Events(EventType type) const
    {
        std::vector<MqttEvent> e;
        for (const auto& ev : m_events)
        {
            if (ev.type == type)
            {
                e.push_back(ev);
            }
        }
        return e;
    }

    std::size_t
    Count(EventType type) const
    {
        return Events(type).size();
    }

    /** Timers started and neither fired nor cancelled, with their deadlines. */
    const std::map<TimerId, Nanos>&
    Timers() const
    {
        return m_timers;
    }

    /** Forgets the action log (long loops). */
    void
    ClearLog()
    {
        m_log.clear();
    }

    /** Every action, in order, since the harness started (or the last ClearLog()). */
    const MqttActions&
    Log() const
    {
        return m_log;
    }

    // --- Scripts --------------------------------------------------------------------------
    /** Opens @p c and connects it; expects CONNACK 0 and returns its Session Present. */
    bool
    Connect(ConnectionId c, const ConnectPacket& p)
    {
        Open(c);
        Send(c, p);
        // Anything after the CONNACK (re-sent or queued messages) stays for the test to read.
        std::optional<Packet> got = TakeFirstPacket(c);
        if (!got || !std::holds_alternative<ConnackPacket>(*got))
        {
            ADD_FAILURE() << "no CONNACK for " << p.clientId;
            return false;
        }
        const auto& ack = std::get<ConnackPacket>(*got);
        EXPECT_EQ(ack.returnCode, ConnectReturnCode::Accepted) << p.clientId;
        return ack.sessionPresent;
    }

    bool
    Connect(ConnectionId c, const std::string& clientId, bool clean = true, uint16_t keepAlive = 0)
    {
        return Connect(c, MakeConnect(clientId, clean, keepAlive));
    }

    /** Subscribes to one filter and expects a SUBACK granting @p expected. */
    void
    Subscribe(ConnectionId c,
              const std::string& filter,
              Qos qos,
              uint16_t packetId = 1,
              std::optional<uint8_t> expected = std::nullopt)
    {
        Send(c, MakeSubscribe(packetId, {{filter, qos}}));
        // Retained messages after the SUBACK stay for the test to read.
        std::optional<Packet> got = TakeFirstPacket(c);
        uint8_t code = expected.value_or(static_cast<uint8_t>(qos));
        ASSERT_TRUE(got.has_value()) << "no SUBACK for " << filter;
        ASSERT_TRUE(std::holds_alternative<SubackPacket>(*got));
        EXPECT_EQ(std::get<SubackPacket>(*got),
                  (SubackPacket{packetId, std::vector<uint8_t>{code}}));
    }

    /** Connects "pub" on 1 and "sub" on 2, then subscribes "sub" to @p filter (see Subscribe). */
    void
    ConnectPubSub(const std::string& filter, Qos qos, uint16_t packetId = 1)
    {
        Connect(1, "pub");
        Connect(2, "sub");
        Subscribe(2, filter, qos, packetId);
    }

    /** Connects "pub" on 1 and "sub" (CleanSession=0) on 2, subscribed to @p filter. */
    void
    ConnectPubAndPersistentSub(const std::string& filter, Qos qos)
    {
        Connect(1, "pub");
        Connect(2, "sub", false);
        Subscribe(2, filter, qos);
    }

    /** ConnectPubAndPersistentSub, then closes 2: "sub" is an offline stored session. */
    void
    ConnectPubAndOfflineSub(const std::string& filter, Qos qos)
    {
        ConnectPubAndPersistentSub(filter, qos);
        NetClose(2);
    }

  private:
    void
    Process(const MqttActions& out)
    {
        for (const MqttAction& a : out)
        {
            m_log.push_back(a);
            if (const auto* send = std::get_if<SendAction>(&a))
            {
                if (m_open.count(send->connection) == 0)
                {
                    ADD_FAILURE() << "SendAction to connection " << send->connection
                                  << " which is not open: " << Hex(send->bytes);
                }
                auto& all = m_allSent[send->connection];
                // 5.0 lets AUTH (enhanced authentication) come before the CONNACK
                // [MQTT5-3.2.0-1].
                if (all.empty() && !send->bytes.empty() && send->bytes[0] != 0x20 &&
                    send->bytes[0] != 0xF0)
                {
                    ADD_FAILURE() << "first packet to connection " << send->connection
                                  << " is neither CONNACK nor AUTH [MQTT-3.2.0-1]: "
                                  << Hex(send->bytes);
                }
                all.insert(all.end(), send->bytes.begin(), send->bytes.end());
                auto& pending = m_pending[send->connection];
                pending.insert(pending.end(), send->bytes.begin(), send->bytes.end());
            }
            else if (const auto* close = std::get_if<CloseAction>(&a))
            {
                if (m_open.count(close->connection) == 0)
                {
                    ADD_FAILURE() << "CloseAction for connection " << close->connection
                                  << " which is not open";
                }
                m_open.erase(close->connection);
                m_closed[close->connection] = close->reason;
            }
            else if (const auto* start = std::get_if<StartTimerAction>(&a))
            {
                m_timers[start->timer] = start->at;
            }
            else if (const auto* cancel = std::get_if<CancelTimerAction>(&a))
            {
                m_timers.erase(cancel->timer);
            }
            else if (const auto* notify = std::get_if<NotifyAction>(&a))
            {
                m_events.push_back(notify->event);
            }
            else if (const auto* persist = std::get_if<PersistAction>(&a))
            {
                m_pendingPersist.push_back(*persist);
            }
        }
        if (m_autoPersist && !m_pendingPersist.empty())
        {
            Persisted(m_pendingPersist.back().batch);
        }
    }

    MqttBrokerEngine m_engine;
    Nanos m_now{0};
    std::set<ConnectionId> m_open;
    std::map<ConnectionId, CloseReason> m_closed;
    std::map<ConnectionId, std::vector<uint8_t>> m_pending;
    std::map<ConnectionId, std::vector<uint8_t>> m_allSent;
    std::map<TimerId, Nanos> m_timers;
    std::vector<MqttEvent> m_events;
    MqttActions m_log;
    bool m_autoPersist = false;
    std::vector<PersistAction> m_pendingPersist;
    MqttDurableState m_store;
};

} // namespace brokertest

#endif // MQTT_BROKER_TEST_HARNESS_H
