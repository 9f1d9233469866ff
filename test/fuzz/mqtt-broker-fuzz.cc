/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Fuzz target for the broker engine. The input is a profile selector (four bytes: the standard
 * limits and policies, then the AWS IoT Core ones: reorder jitter, subscription delay, rates,
 * paced drain, lifecycle events, connect interval, inbound window, duplicates, and the engine's
 * back-pressure on publishers) followed by a script
 * of operations from up to four connections: open, close, raw bytes, well-formed packets built from
 * small parameter sets (so the fuzzer reaches deep states fast), time advances, due timers and
 * stale timer ids. After every operation it checks:
 *   - every SendAction and CloseAction targets an open connection, and the first packet to a
 *     connection is CONNACK;
 *   - everything the broker sends decodes;
 *   - every PUBLISH sent to a connection has a topic matching a filter granted (at some time)
 *     to that connection's client id: no delivery without a subscription;
 *   - its QoS is never above the highest QoS granted to a matching filter, nor above the
 *     profile's maximum;
 *   - a new (DUP=0) QoS 1/2 PUBLISH never reuses a packet id still in flight to its session
 *     (an id is freed by the client's PUBACK or PUBCOMP, or PUBREC of a QoS 1 one, or a new
 *     session);
 *   - queues stay within the profile's bounds, and the engine's counts agree with ours;
 *   - with a memory limit: the memory budget's charges for sessions and subscriptions agree
 *     with the engine's counts, and nothing is charged for messages when no queue, window or
 *     retained store holds one (without reordering, whose held QoS 0 PUBLISHes no count shows);
 *   - the subscriptions a session holds are those granted and not removed since: by UNSUBSCRIBE
 *     [MQTT-3.10.4-1], by a new session [MQTT-3.1.2-6], at the end of a clean session, and
 *     across a restart (Shutdown, Resume) where persistent sessions keep theirs; the topic tree
 *     holds exactly the sessions' subscriptions;
 *   - QoS 2 exactly once per subscriber [MQTT-4.3.3-2]: a message is delivered (PUBCOMP'd) at QoS
 *     2 at most once to a session (retained copies, sent anew on each SUBSCRIBE, aside).
 * A persistence mode (profile byte 3, bits 2-3 = 10) turns durability on: PersistActions wait in
 * a store until the script makes them durable (ApplyPersistOps, OnPersisted), and a crash
 * replaces the engine by one restored from the durable image; then every QoS 1/2 message a
 * persistent session came to hold in a durable batch (routed to it from an acknowledged PUBLISH,
 * or a retained copy on its acknowledged SUBSCRIBE) and still holds (queued or in flight, not
 * delivered, not dropped) must be held by the restored session: no acknowledged message is lost.
 */
#include "mqtt-broker-engine.h"
#include "mqtt-codec.h"
#include "mqtt-durable-image.h"
#include "mqtt-frame-reader.h"
#include "mqtt-memory-budget.h"
#include "mqtt-topic.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

using namespace ns3::mqtt;

namespace
{

/** MQTT_FUZZ_TRACE=1: the script's steps and the broker's PUBLISHes on stderr, to read a finding.
 */
const bool TRACE = std::getenv("MQTT_FUZZ_TRACE") != nullptr;

[[noreturn]] void
Fail(const char* what)
{
    std::fprintf(stderr, "broker fuzz invariant broken: %s\n", what);
    std::abort();
}

class Input
{
  public:
    Input(const uint8_t* data, std::size_t size)
        : m_data(data)
        , m_size(size)
    {
    }

    bool
    Empty() const
    {
        return m_at >= m_size;
    }

    uint8_t
    Byte()
    {
        return m_at < m_size ? m_data[m_at++] : 0;
    }

  private:
    const uint8_t* m_data;
    std::size_t m_size;
    std::size_t m_at = 0;
};

const char* const CLIENT_IDS[] = {"a", "b", "c", ""};
const char* const TOPICS[] = {"t", "t/1", "t/2", "u", "$SYS/x", "a/b/c", "t/1/deep"};
const char* const FILTERS[] = {"t", "t/+", "t/#", "#", "+", "$SYS/#", "a/+/c", "u", "+/1"};

/** A filter from a script byte: the high bit picks the lifecycle events' filter. */
const char*
FilterFrom(uint8_t b)
{
    return (b & 0x80) ? "$aws/events/presence/#" : FILTERS[b % 9];
}

struct Connection
{
    std::unique_ptr<MqttFrameReader> reader;
    std::string clientId; //!< known once SessionStarted was seen
    bool gotFirstPacket = false;
};

/** The longest client id the engine may assign or the script use (for the budget's bounds). */
constexpr std::size_t MAX_CLIENT_ID = 64;
/** The longest filter the script subscribes to ("$aws/events/presence/#"). */
constexpr std::size_t MAX_FILTER = 22;

class Fuzzer
{
  public:
    Fuzzer(const MqttBrokerProfile& profile, bool backPressure, bool persistent)
        : m_profile(profile)
        , m_backPressure(backPressure)
        , m_persistent(persistent)
    {
        m_engine = NewEngine();
        if (persistent)
        {
            m_engine->EnablePersistence();
        }
    }

    void
    Run(Input& in)
    {
        while (!in.Empty())
        {
            Step(in);
            Check();
        }
    }

  private:
    std::unique_ptr<MqttBrokerEngine>
    NewEngine() const
    {
        auto engine = std::make_unique<MqttBrokerEngine>(m_profile, 1);
        if (m_backPressure)
        {
            engine->SetBackPressure(2, std::chrono::seconds(1));
        }
        return engine;
    }

    void
    Step(Input& in)
    {
        uint8_t op = in.Byte();
        ConnectionId c = 1 + (in.Byte() & 3);
        MqttActions out;
        if (TRACE)
        {
            std::fprintf(stderr,
                         "step op %d connection %llu\n",
                         op % 12,
                         static_cast<unsigned long long>(c));
        }
        switch (op % 12)
        {
        case 0:
            if (m_open.count(c) == 0)
            {
                m_open[c] = Connection{std::make_unique<MqttFrameReader>(), "", false};
                m_connectClean[c] = true;
                m_engine->OnConnectionOpened(c, m_now, out);
            }
            break;
        case 1:
            if (m_open.count(c) != 0)
            {
                m_open.erase(c);
                m_engine->OnConnectionClosed(c, m_now, out);
            }
            break;
        case 2:
        {
            std::vector<uint8_t> bytes(in.Byte() % 24);
            for (auto& b : bytes)
            {
                b = in.Byte();
            }
            FeedRaw(c, bytes, out);
            break;
        }
        case 3:
        {
            ConnectPacket p;
            uint8_t flags = in.Byte();
            p.clientId = CLIENT_IDS[flags & 3];
            p.cleanSession = (flags & 4) != 0;
            p.keepAliveSeconds = (flags & 8) ? in.Byte() % 8 : 0;
            if (flags & 16)
            {
                p.will = Will{TOPICS[in.Byte() % 7],
                              {1, 2},
                              static_cast<Qos>(in.Byte() % 3),
                              (flags & 32) != 0};
            }
            m_connectClean[c] = p.cleanSession;
            FeedPacket(c, p, out);
            break;
        }
        case 4:
        {
            SubscribePacket p;
            p.packetId = 1 + in.Byte() % 4;
            int n = 1 + in.Byte() % 3;
            for (int i = 0; i < n; ++i)
            {
                uint8_t b = in.Byte();
                p.topics.push_back({FilterFrom(b), static_cast<Qos>((b >> 4) % 3)});
            }
            FeedPacket(c, p, out);
            break;
        }
        case 5:
        {
            PublishPacket p;
            uint8_t b = in.Byte();
            p.topic = TOPICS[b % 7];
            p.qos = static_cast<Qos>((b >> 3) % 3);
            p.retain = (b & 0x40) != 0;
            p.dup = p.qos != Qos::AtMostOnce && (b & 0x80) != 0;
            p.packetId = p.qos == Qos::AtMostOnce ? 0 : 1 + in.Byte() % 4;
            p.payload.assign(in.Byte() % 4, 0x55);
            FeedPacket(c, p, out);
            break;
        }
        case 6:
        {
            uint8_t b = in.Byte();
            uint16_t id = 1 + (b >> 2) % 8;
            switch (b & 3)
            {
            case 0:
                FeedPacket(c, PubackPacket{id}, out);
                break;
            case 1:
                FeedPacket(c, PubrecPacket{id}, out);
                break;
            case 2:
                FeedPacket(c, PubrelPacket{id}, out);
                break;
            default:
                FeedPacket(c, PubcompPacket{id}, out);
                break;
            }
            break;
        }
        case 7:
        {
            UnsubscribePacket p;
            p.packetId = 1 + in.Byte() % 4;
            p.filters.push_back(FilterFrom(in.Byte()));
            FeedPacket(c, p, out);
            break;
        }
        case 8:
        {
            uint8_t b = in.Byte() % 8;
            if (b == 6)
            {
                // A restart with persistence: only session-expiry timers may outlive it.
                m_engine->Shutdown(m_now, out);
                Process(out);
                out.clear();
                // With durability a close may wait for its batch: the driver sees it later.
                if (m_engine->ConnectionCount() != 0 || (!m_persistent && !m_open.empty()) ||
                    m_engine->ActiveTimerCount() > m_engine->SessionCount())
                {
                    Fail("Shutdown left connections or connection timers");
                }
            }
            else if (b == 7)
            {
                m_engine->Resume(m_now, out);
            }
            else if (b & 1)
            {
                FeedPacket(c, PingreqPacket{}, out);
            }
            else
            {
                FeedPacket(c, DisconnectPacket{}, out);
            }
            break;
        }
        case 9:
            m_now += std::chrono::milliseconds(250) * in.Byte();
            FireDue();
            break;
        case 10:
            if (m_persistent)
            {
                Durability(in.Byte() % 8);
                break;
            }
            FireDue();
            break;
        default:
            // A timer id the engine may never have started, or has cancelled.
            m_engine->OnTimer(in.Byte(), m_now, out);
            break;
        }
        Process(out);
    }

    void
    Feed(ConnectionId c, const std::vector<uint8_t>& bytes, MqttActions& out)
    {
        if (m_open.count(c) != 0)
        {
            m_engine->OnBytes(c, bytes.data(), bytes.size(), m_now, out);
        }
    }

    /** Raw bytes may hold a CONNECT whose CleanSession flag the model does not know. */
    void
    FeedRaw(ConnectionId c, const std::vector<uint8_t>& bytes, MqttActions& out)
    {
        m_connectClean[c].reset();
        Feed(c, bytes, out);
    }

    /**
     * The engine closed connection @p c of @p clientId (ConnectionClosed). If it held the
     * session, a clean session ends with it: no subscription is left [MQTT-3.1.2-6]; a
     * persistent one may expire while offline (known again at its next CONNACK).
     */
    void
    Gone(ConnectionId c, const std::string& clientId)
    {
        auto owner = m_owner.find(clientId);
        if (clientId.empty() || owner == m_owner.end() || owner->second != c)
        {
            return;
        }
        m_owner.erase(owner);
        const std::optional<bool> clean = m_cleanSession[clientId];
        if (clean == true)
        {
            m_active[clientId].clear();
        }
        else if (!clean)
        {
            m_subsUnknown.insert(clientId);
        }
        else if (m_profile.sessionExpiry > Nanos(0))
        {
            m_mayExpire.insert(clientId);
        }
    }

    /**
     * The persistence mode's store and crashes: @p what 0-3 fires due timers, 4 makes the
     * oldest batch durable, 5 and 6 all of them, 7 crashes.
     */
    void
    Durability(uint8_t what)
    {
        if (TRACE)
        {
            std::fprintf(
                stderr, "  durability %d (0-3 timers, 4 oldest batch, 5-6 all, 7 crash)\n", what);
        }
        if (what < 4)
        {
            FireDue();
            return;
        }
        if (what == 7)
        {
            Crash();
            return;
        }
        while (!m_batches.empty())
        {
            PersistAction batch = std::move(m_batches.front());
            m_batches.pop_front();
            ApplyPersistOps(m_store, batch.ops);
            m_durableBatch = batch.batch;
            MqttActions out;
            m_engine->OnPersisted(batch.batch, m_now, out);
            Process(out);
            if (what == 4)
            {
                return;
            }
        }
    }

    /** The broker dies: a new engine restored from the durable image. */
    void
    Crash()
    {
        // What must survive: per persistent session, the messages it still holds that it came
        // to hold in a durable batch (a PUBLISH routed to it, a retained copy on its SUBSCRIBE:
        // the PUBACK or SUBACK waited for that batch).
        std::map<std::string, std::size_t> expected;
        for (const auto& [clientId, held] : m_held)
        {
            auto clean = m_cleanSession.find(clientId);
            if (clean == m_cleanSession.end() || clean->second != false)
            {
                continue; // clean sessions are not stored; unknown ones not checked
            }
            for (const auto& [id, batch] : held)
            {
                expected[clientId] += batch <= m_durableBatch ? 1 : 0;
            }
        }
        m_open.clear();
        m_owner.clear();
        m_timers.clear();
        m_batches.clear();
        m_engine = NewEngine();
        MqttActions out;
        std::string error;
        if (!m_engine->Restore(m_store, m_now, out, error))
        {
            std::fprintf(stderr, "%s\n", error.c_str());
            Fail("the durable image does not restore");
        }
        Process(out);
        for (const auto& [clientId, count] : expected)
        {
            if (TRACE)
            {
                std::fprintf(stderr,
                             "  crash: '%s' must hold %zu, holds %zu queued %zu in flight\n",
                             clientId.c_str(),
                             count,
                             m_engine->QueueDepth(clientId),
                             m_engine->InflightCount(clientId));
            }
            if (m_engine->QueueDepth(clientId) + m_engine->InflightCount(clientId) < count)
            {
                Fail("a crash lost a message acknowledged for a persistent session");
            }
        }
        // The model goes on from what was stored: subscriptions of persistent sessions are
        // those of their last durable batch, and deliveries in flight those of the image. A
        // clean session's discard of the persistent session before it may not have been durable
        // yet: the stored session is then back, with its subscriptions.
        for (const std::string& clientId : m_clientIds)
        {
            if (m_cleanSession[clientId] != true || m_store.sessions.count(clientId) != 0)
            {
                m_subsUnknown.insert(clientId);
            }
            else
            {
                m_active[clientId].clear();
            }
            m_inFlight.erase(clientId);
        }
        for (const auto& [clientId, bytes] : m_store.sessions)
        {
            if (auto d = DecodeSessionImage(bytes))
            {
                for (const DurableDelivery& f : d->inflight)
                {
                    m_inFlight[clientId][f.packetId] = f.qos;
                }
            }
        }
        // What each session holds now is what its image holds, all of it durable (batch 0).
        m_held.clear();
        for (const auto& [clientId, bytes] : m_store.sessions)
        {
            if (auto d = DecodeSessionImage(bytes))
            {
                for (const DurableDelivery& f : d->inflight)
                {
                    m_held[clientId][f.messageId] = 0;
                }
                for (const DurableDelivery& q : d->queued)
                {
                    m_held[clientId][q.messageId] = 0;
                }
            }
        }
        m_durableBatch = 0; // the new engine numbers its batches from 1 again
        // A QoS 2 completion after the last durable batch is done again: not a duplicate.
        m_deliveredQos2.clear();
    }

    void
    FeedPacket(ConnectionId c, const Packet& p, MqttActions& out)
    {
        auto open = m_open.find(c);
        if (open != m_open.end() && !open->second.clientId.empty())
        {
            // The client's acknowledgements free the ids they complete (see the header).
            auto& inFlight = m_inFlight[open->second.clientId];
            if (const auto* ack = std::get_if<PubackPacket>(&p))
            {
                inFlight.erase(ack->packetId);
            }
            else if (const auto* comp = std::get_if<PubcompPacket>(&p))
            {
                inFlight.erase(comp->packetId);
            }
            else if (const auto* rec = std::get_if<PubrecPacket>(&p))
            {
                auto it = inFlight.find(rec->packetId);
                if (it != inFlight.end() && it->second == Qos::AtLeastOnce)
                {
                    inFlight.erase(it);
                }
            }
        }
        std::vector<uint8_t> bytes;
        Encode(p, bytes);
        if (TRACE)
        {
            std::fprintf(stderr,
                         "  -> %llu %s (first byte 0x%02x, %zu bytes)\n",
                         static_cast<unsigned long long>(c),
                         PacketTypeName(TypeOf(p)),
                         bytes[0],
                         bytes.size());
        }
        Feed(c, bytes, out);
    }

    void
    FireDue()
    {
        // Fire due timers in deadline order; the actions they cause may start more.
        for (int guard = 0; guard < 64; ++guard)
        {
            auto next = m_timers.end();
            for (auto it = m_timers.begin(); it != m_timers.end(); ++it)
            {
                if (it->second <= m_now && (next == m_timers.end() || it->second < next->second))
                {
                    next = it;
                }
            }
            if (next == m_timers.end())
            {
                return;
            }
            TimerId id = next->first;
            m_timers.erase(next);
            MqttActions more;
            m_engine->OnTimer(id, m_now, more);
            Process(more);
        }
    }

    void
    Process(const MqttActions& out)
    {
        for (const MqttAction& a : out)
        {
            if (const auto* send = std::get_if<SendAction>(&a))
            {
                auto it = m_open.find(send->connection);
                if (it == m_open.end())
                {
                    Fail("SendAction to a connection that is not open");
                }
                if (!it->second.gotFirstPacket && !send->bytes.empty())
                {
                    if (send->bytes[0] != 0x20)
                    {
                        Fail("first packet is not CONNACK");
                    }
                    it->second.gotFirstPacket = true;
                }
                CheckSent(it->second, send->bytes);
            }
            else if (const auto* close = std::get_if<CloseAction>(&a))
            {
                if (m_open.erase(close->connection) == 0)
                {
                    Fail("CloseAction for a connection that is not open");
                }
            }
            else if (const auto* persist = std::get_if<PersistAction>(&a))
            {
                if (TRACE)
                {
                    std::fprintf(stderr,
                                 "  persist batch %llu (%zu ops)\n",
                                 static_cast<unsigned long long>(persist->batch),
                                 persist->ops.size());
                }
                for (auto& [clientId, held] : m_held)
                {
                    for (auto& [id, batch] : held)
                    {
                        batch = std::min(batch, persist->batch);
                    }
                }
                m_batches.push_back(*persist);
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
                const MqttEvent& e = notify->event;
                if (TRACE)
                {
                    std::fprintf(stderr,
                                 "  event %s client '%s' peer '%s' message %llu%s\n",
                                 EventTypeName(e.type),
                                 e.clientId.c_str(),
                                 e.peerId.c_str(),
                                 e.message ? static_cast<unsigned long long>(e.message->id) : 0ULL,
                                 e.sessionPresent ? " session present" : "");
                }
                if (e.type == EventType::SessionStarted)
                {
                    auto it = m_open.find(e.connection);
                    if (it == m_open.end())
                    {
                        Fail("SessionStarted for a connection that is not open");
                    }
                    it->second.clientId = e.clientId;
                    m_clientIds.insert(e.clientId);
                    m_owner[e.clientId] = e.connection;
                    m_cleanSession[e.clientId] = m_connectClean[e.connection];
                    m_mayExpire.erase(e.clientId); // present: it did not expire
                    if (!e.sessionPresent)
                    {
                        m_inFlight.erase(e.clientId); // a new session: nothing in flight,
                        m_held.erase(e.clientId);     // nothing held for it
                        m_active[e.clientId].clear(); // and no subscription [MQTT-3.1.2-6]
                        m_subsUnknown.erase(e.clientId);
                        ++m_generation[e.clientId];
                    }
                }
                else if (e.type == EventType::ConnectionClosed)
                {
                    Gone(e.connection, e.clientId);
                }
                else if (e.type == EventType::SubscriptionGranted)
                {
                    Qos& highest = m_granted[e.clientId][e.topic];
                    highest = std::max(highest, e.qos);
                    m_active[e.clientId].insert(e.topic);
                }
                else if (e.type == EventType::Unsubscribed)
                {
                    m_active[e.clientId].erase(e.topic);
                }
                else if ((e.type == EventType::MessageQueued || e.type == EventType::MessageSent) &&
                         e.qos != Qos::AtMostOnce && e.message)
                {
                    // Held from the call's batch (the next PersistAction) unless held before.
                    m_held[e.peerId].emplace(e.message->id, UNBATCHED);
                }
                else if (e.type == EventType::MessageDropped && !e.peerId.empty() && e.message)
                {
                    m_held[e.peerId].erase(e.message->id);
                }
                else if (e.type == EventType::MessageDelivered && e.message)
                {
                    m_held[e.peerId].erase(e.message->id);
                    if (e.qos == Qos::ExactlyOnce && !e.retain &&
                        !m_deliveredQos2.emplace(e.peerId, m_generation[e.peerId], e.message->id)
                             .second)
                    {
                        Fail("a QoS 2 message delivered twice to one session");
                    }
                }
            }
        }
    }

    void
    CheckSent(Connection& conn, const std::vector<uint8_t>& bytes)
    {
        conn.reader->Append(bytes.data(), bytes.size());
        Packet p;
        for (;;)
        {
            DecodeResult r = conn.reader->Next(p);
            if (r.status == DecodeStatus::NeedMore)
            {
                return;
            }
            if (r.status == DecodeStatus::Error)
            {
                Fail("the broker sent bytes that do not decode");
            }
            if (const auto* pub = std::get_if<PublishPacket>(&p); pub != nullptr && TRACE)
            {
                std::fprintf(stderr,
                             "  <- %s PUBLISH %s qos %d id %u dup %d\n",
                             conn.clientId.c_str(),
                             pub->topic.c_str(),
                             static_cast<int>(pub->qos),
                             pub->packetId,
                             pub->dup ? 1 : 0);
            }
            if (const auto* pub = std::get_if<PublishPacket>(&p))
            {
                const auto& filters = m_granted[conn.clientId];
                bool matched = false;
                Qos highest = Qos::AtMostOnce;
                for (const auto& [f, qos] : filters)
                {
                    if (TopicMatches(f, pub->topic))
                    {
                        matched = true;
                        highest = std::max(highest, qos);
                    }
                }
                if (!matched)
                {
                    Fail("PUBLISH to a client without a matching subscription");
                }
                if (pub->qos > highest)
                {
                    Fail("PUBLISH above the QoS granted to its subscription");
                }
                if (pub->qos > m_profile.maxQos)
                {
                    Fail("PUBLISH above the profile's maximum QoS");
                }
                if (pub->qos != Qos::AtMostOnce)
                {
                    auto& inFlight = m_inFlight[conn.clientId];
                    if (!pub->dup && inFlight.count(pub->packetId) != 0)
                    {
                        Fail("a new PUBLISH reuses a packet id still in flight");
                    }
                    inFlight[pub->packetId] = pub->qos;
                }
            }
        }
    }

    void
    Check()
    {
        // With durability a close may wait for its batch: the driver hears of it later.
        if (m_persistent ? m_engine->ConnectionCount() > m_open.size()
                         : m_engine->ConnectionCount() != m_open.size())
        {
            Fail("engine and driver disagree on open connections");
        }
        CheckSubscriptions();
        uint32_t window = m_profile.maxInflightOut == 0 ? 65535 : m_profile.maxInflightOut;
        for (const std::string& id : m_clientIds)
        {
            if (m_engine->InflightCount(id) > window)
            {
                Fail("in-flight window exceeded");
            }
            if (m_profile.maxQueuedMessages != 0 &&
                m_engine->QueueDepth(id) > m_profile.maxQueuedMessages + window)
            {
                Fail("queue bound exceeded");
            }
        }
        // Per connection: CONNECT deadline / keep-alive, held output, input paused by the byte
        // rate, input paused by back-pressure; per session: expiry (offline) or paced drain
        // (online).
        if (m_engine->ActiveTimerCount() >
            4 * m_engine->ConnectionCount() + m_engine->SessionCount())
        {
            Fail("more timers than connections and sessions allow");
        }
        CheckMemory();
    }

    void
    CheckSubscriptions()
    {
        std::size_t total = 0;
        for (const std::string& id : m_clientIds)
        {
            const std::size_t held = m_engine->SubscriptionCount(id);
            total += held;
            if (m_subsUnknown.count(id) == 0 && m_mayExpire.count(id) == 0 &&
                held != m_active[id].size())
            {
                Fail("a session holds other subscriptions than those granted and not removed");
            }
        }
        if (total != m_engine->TotalSubscriptionCount())
        {
            Fail("the topic tree holds other subscriptions than the sessions");
        }
    }

    void
    CheckMemory()
    {
        const MqttMemoryBudget& memory = m_engine->Memory();
        if (!memory.Enabled())
        {
            return;
        }
        const std::size_t sessions = m_engine->SessionCount();
        const std::size_t sessionBytes = memory.Used(MemoryUse::Sessions);
        if (sessionBytes < MqttMemoryBudget::SessionCost("") * sessions ||
            sessionBytes >
                MqttMemoryBudget::SessionCost(std::string(MAX_CLIENT_ID, 'x')) * sessions)
        {
            Fail("the memory charged for sessions disagrees with the sessions held");
        }
        std::size_t subscriptions = 0;
        bool holding = m_engine->RetainedCount() != 0;
        for (const std::string& id : m_clientIds)
        {
            subscriptions += m_engine->SubscriptionCount(id);
            holding = holding || m_engine->QueueDepth(id) != 0 || m_engine->InflightCount(id) != 0;
        }
        const std::size_t subscriptionBytes = memory.Used(MemoryUse::Subscriptions);
        if (subscriptionBytes < MqttMemoryBudget::SubscriptionCost("t") * subscriptions ||
            subscriptionBytes >
                MqttMemoryBudget::SubscriptionCost(std::string(MAX_FILTER, 'x')) * subscriptions)
        {
            Fail("the memory charged for subscriptions disagrees with the subscriptions held");
        }
        // Reordering holds QoS 0 PUBLISHes too, which no count shows: not checked then.
        if (!holding && m_profile.reorderJitter == Nanos(0) &&
            memory.Used(MemoryUse::Messages) != 0)
        {
            Fail("memory charged for messages that nothing holds");
        }
    }

    MqttBrokerProfile m_profile;
    bool m_backPressure;
    bool m_persistent;
    std::unique_ptr<MqttBrokerEngine> m_engine;
    Nanos m_now{0};
    std::map<ConnectionId, Connection> m_open;
    std::map<TimerId, Nanos> m_timers;
    std::set<std::string> m_clientIds;
    /** Per client id: each filter ever granted, with the highest QoS granted to it. */
    std::map<std::string, std::map<std::string, Qos>> m_granted;
    /** Per client id: packet ids of QoS 1/2 PUBLISHes sent and not completed, with their QoS. */
    std::map<std::string, std::map<uint16_t, Qos>> m_inFlight;
    /** Per connection: the CleanSession flag of its last CONNECT (unknown after raw bytes). */
    std::map<ConnectionId, std::optional<bool>> m_connectClean;
    /** Per client id: the connection its session is attached to. */
    std::map<std::string, ConnectionId> m_owner;
    /** Per client id: the CleanSession flag of its session (unknown: raw bytes connected it). */
    std::map<std::string, std::optional<bool>> m_cleanSession;
    /** Per client id: the filters its session holds (granted and not removed). */
    std::map<std::string, std::set<std::string>> m_active;
    /** Client ids whose subscriptions the model cannot know (expiry, raw CONNECT, a crash). */
    std::set<std::string> m_subsUnknown;
    /** Client ids of offline persistent sessions that may have expired (profile expiry). */
    std::set<std::string> m_mayExpire;
    /** Per client id: its sessions so far (a new one starts without session present). */
    std::map<std::string, uint64_t> m_generation;
    /** (subscriber, its session, message id) of every QoS 2 delivery completed. */
    std::set<std::tuple<std::string, uint64_t, uint64_t>> m_deliveredQos2;
    /**
     * Per client id: messages (QoS 1/2) its session holds, queued or in flight, each with the
     * batch that stored it there (UNBATCHED until the next PersistAction; 0: restored).
     */
    std::map<std::string, std::map<uint64_t, uint64_t>> m_held;
    static constexpr uint64_t UNBATCHED = UINT64_MAX;
    // Persistence mode.
    MqttDurableState m_store;
    std::deque<PersistAction> m_batches; //!< emitted, not durable yet
    uint64_t m_durableBatch = 0;
};

MqttBrokerProfile
ProfileFrom(Input& in)
{
    MqttBrokerProfile p = MqttBrokerProfile::Standard311();
    uint8_t a = in.Byte();
    uint8_t b = in.Byte();
    p.maxInflightOut = 1 + (a & 3);
    p.maxQueuedMessages = 1 + ((a >> 2) & 7);
    p.queueDropPolicy = (a & 0x20) ? QueueDropPolicy::DropOldest : QueueDropPolicy::DropNewest;
    p.queueQos0Offline = (a & 0x40) != 0;
    p.sessionExpiry = (a & 0x80) ? std::chrono::seconds(10) : Nanos(0);
    p.retain = static_cast<RetainPolicy>(b % 3);
    p.maxQos = static_cast<Qos>((b >> 2) % 3);
    p.qosRequestPolicy = static_cast<QosRequestPolicy>((b >> 4) % 3);
    p.wildcardSubscriptions = (b & 0x40) == 0;
    p.takeoverWill = (b & 0x80) ? TakeoverWillPolicy::Discard : TakeoverWillPolicy::Publish;
    p.connectTimeout = std::chrono::seconds(5);
    p.maxPacketSize = 256;
    uint8_t c = in.Byte();
    uint8_t d = in.Byte();
    if (c & 1)
    {
        p.reorderJitter = std::chrono::milliseconds(400);
    }
    if (c & 2)
    {
        p.subscriptionDelay = std::chrono::milliseconds(300);
        p.subscriptionDelayShape = static_cast<DelayShape>((c >> 2) % 3);
        p.subscriptionDelaySpread = std::chrono::milliseconds(200);
    }
    if (c & 0x10)
    {
        p.maxPublishRate = 4;
        p.closeOnThrottle = (c & 0x20) != 0;
    }
    if (c & 0x40)
    {
        p.maxInboundBytesRate = 64;
    }
    if (c & 0x80)
    {
        p.offlineDrainRate = 2;
    }
    if (d & 1)
    {
        p.lifecycleTopicPrefix = "$aws/events/presence/";
        p.lifecycleQos = static_cast<Qos>((d >> 6) % 3);
    }
    if (d & 2)
    {
        p.minConnectInterval = std::chrono::seconds(1);
    }
    if (d & 4)
    {
        p.maxInflightIn = 2;
    }
    if (d & 8)
    {
        p.qos0DuplicateProbability = 0.5;
    }
    if (d & 0x10)
    {
        p.resendNewPacketIdProbability = 0.5;
    }
    if (d & 0x20)
    {
        p.maxRetainedMessages = 2;
    }
    // Bits 6-7 of d also pick the lifecycle QoS; sharing them costs no coverage.
    if (p.takeoverWill == TakeoverWillPolicy::Discard && (d & 0x40) != 0)
    {
        p.takeoverWill = TakeoverWillPolicy::DiscardOnResume;
    }
    p.closeOnControlCharacters = (d & 0x80) == 0;
    if ((c & 0x0C) == 0x0C)
    {
        // Room for about three sessions with a few subscriptions and messages: refusals happen.
        // (Bits 2-3 of c also pick the subscription delay's shape when that is on.)
        p.memoryLimit = 2500;
    }
    return p;
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    Input in(data, size);
    MqttBrokerProfile profile = ProfileFrom(in);
    // Bit 6 of the fourth profile byte (also the lifecycle QoS's low bit when lifecycle events
    // are on): queue depth 2 pauses a publisher.
    bool backPressure = size >= 4 && (data[3] & 0x40) != 0;
    // Bits 2-3 of the third profile byte: 11 is the memory limit, 10 the persistence mode.
    bool persistent = size >= 3 && (data[2] & 0x0C) == 0x08;
    Fuzzer fuzzer(profile, backPressure, persistent);
    fuzzer.Run(in);
    return 0;
}
