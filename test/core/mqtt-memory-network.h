/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * An in-memory network for engine tests: one broker engine and any number of client engines on a
 * fake clock. SendAction bytes reach the other side after a fixed latency, in order, packet by
 * packet; CloseAction and OpenConnectionAction behave like a TCP connection's close and connect;
 * timers run on the same clock. A link can be cut (both ends see the transport close, bytes in
 * flight are lost) at once or right after its n-th packet is delivered, or go silent (a
 * half-open connection that keep-alive has to find).
 */
#ifndef MQTT_MEMORY_NETWORK_H
#define MQTT_MEMORY_NETWORK_H

#include "mqtt-broker-engine.h"
#include "mqtt-client-engine.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ns3
{
namespace mqtt
{
namespace memnet
{

/**
 * Splits a well-formed byte stream into its packets, reading only the fixed headers.
 */
inline std::vector<std::vector<uint8_t>>
SplitPackets(const std::vector<uint8_t>& bytes)
{
    std::vector<std::vector<uint8_t>> packets;
    std::size_t pos = 0;
    while (pos < bytes.size())
    {
        std::size_t length = 0;
        std::size_t shift = 0;
        std::size_t at = pos + 1;
        while (at < bytes.size())
        {
            uint8_t b = bytes[at++];
            length |= static_cast<std::size_t>(b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0)
            {
                break;
            }
        }
        std::size_t end = std::min(bytes.size(), at + length);
        packets.emplace_back(bytes.begin() + pos, bytes.begin() + end);
        pos = end;
    }
    return packets;
}

class MemoryNetwork
{
  public:
    /** Calls an engine method: (engine, now, actions). */
    using ClientCall = std::function<void(MqttClientEngine&, Nanos, MqttActions&)>;

    explicit MemoryNetwork(MqttBrokerProfile profile = MqttBrokerProfile::Standard311(),
                           Nanos latency = std::chrono::milliseconds(1))
        : m_broker(std::move(profile))
        , m_latency(latency)
    {
    }

    /** Adds a client engine (not started); returns its index. */
    std::size_t
    AddClient(MqttClientConfig config, MqttClientEngine::UniformSource uniform = {})
    {
        auto node = std::make_unique<ClientNode>();
        node->engine = std::make_unique<MqttClientEngine>(std::move(config), std::move(uniform));
        m_clients.push_back(std::move(node));
        return m_clients.size() - 1;
    }

    MqttClientEngine&
    Client(std::size_t i)
    {
        return *m_clients[i]->engine;
    }

    MqttBrokerEngine&
    Broker()
    {
        return m_broker;
    }

    Nanos
    Now() const
    {
        return m_now;
    }

    /** Runs an application call on client @p i now and carries out its actions. */
    void
    Call(std::size_t i, const ClientCall& call)
    {
        MqttActions out;
        call(*m_clients[i]->engine, m_now, out);
        ClientActions(i, out);
    }

    void
    Connect(std::size_t i)
    {
        Call(i, [](MqttClientEngine& e, Nanos now, MqttActions& out) { e.Connect(now, out); });
    }

    uint64_t
    Publish(std::size_t i, const std::string& topic, const std::string& payload, Qos qos)
    {
        uint64_t id = 0;
        Call(i,
             [&](MqttClientEngine& e, Nanos now, MqttActions& out)
             {
                 id = e.Publish(topic,
                                std::vector<uint8_t>(payload.begin(), payload.end()),
                                qos,
                                false,
                                now,
                                out);
             });
        return id;
    }

    void
    Subscribe(std::size_t i, const std::string& filter, Qos qos)
    {
        Call(i,
             [&](MqttClientEngine& e, Nanos now, MqttActions& out) {
                 e.Subscribe({{filter, qos}}, now, out);
             });
    }

    void
    Disconnect(std::size_t i)
    {
        Call(i, [](MqttClientEngine& e, Nanos now, MqttActions& out) { e.Disconnect(now, out); });
    }

    /** Runs every event due up to and including @p until; the clock ends at @p until. */
    void
    RunUntil(Nanos until)
    {
        while (!m_queue.empty() && m_queue.begin()->first.first <= until)
        {
            auto it = m_queue.begin();
            m_now = it->first.first;
            auto event = std::move(it->second);
            m_queue.erase(it);
            event();
        }
        m_now = until;
    }

    void
    RunFor(Nanos duration)
    {
        RunUntil(m_now + duration);
    }

    /** Cuts client @p i's current link now: both ends see it close, bytes in flight are lost. */
    void
    Cut(std::size_t i)
    {
        if (Link* link = CurrentLink(i))
        {
            CutLink(*link);
        }
    }

    /**
     * Cuts client @p i's current link right after @p packets more packets (either direction)
     * have been delivered on it; whatever is still in flight then is lost.
     */
    void
    CutAfter(std::size_t i, uint64_t packets)
    {
        if (Link* link = CurrentLink(i))
        {
            link->cutAt = link->delivered + packets;
        }
    }

    /**
     * Like CutAfter(), but silently: after @p packets more packets the link stops delivering and
     * neither end is told (a half-open connection); keep-alive has to find out.
     */
    void
    BlackholeAfter(std::size_t i, uint64_t packets)
    {
        if (Link* link = CurrentLink(i))
        {
            link->cutAt = link->delivered + packets;
            link->silent = true;
        }
    }

    /** While false, connection attempts fail (the broker host is unreachable). */
    void
    SetReachable(bool reachable)
    {
        m_reachable = reachable;
    }

    /** Every event client @p i reported, in order. */
    const std::vector<MqttEvent>&
    Events(std::size_t i) const
    {
        return m_clients[i]->events;
    }

    const std::vector<MqttEvent>&
    BrokerEvents() const
    {
        return m_brokerEvents;
    }

    /** Events of @p type reported by client @p i. */
    std::vector<MqttEvent>
    Events(std::size_t i, EventType type) const
    {
        std::vector<MqttEvent> out;
        for (const auto& e : m_clients[i]->events)
        {
            if (e.type == type)
            {
                out.push_back(e);
            }
        }
        return out;
    }

    /** Connection attempts so far (one link each, reachable or not). */
    std::size_t
    LinkCount() const
    {
        return m_links.size();
    }

  private:
    struct Link
    {
        std::size_t client = 0;
        ConnectionId clientConn = 0;
        ConnectionId brokerConn = 0;
        bool up = true;          //!< not cut
        bool clientOpen = true;  //!< the client has not closed or been told of a close
        bool brokerOpen = false; //!< the broker knows the connection and has not closed it
        uint64_t delivered = 0;  //!< packets delivered on this link, both directions
        uint64_t cutAt = 0;      //!< cut when delivered reaches this (0: never)
        bool silent = false;     //!< the cut tells neither end
    };

    struct Timers
    {
        std::map<TimerId, uint64_t> generation;
    };

    struct ClientNode
    {
        std::unique_ptr<MqttClientEngine> engine;
        std::vector<MqttEvent> events;
        Timers timers;
        std::map<ConnectionId, std::size_t> links; //!< client connection id -> link index
        ConnectionId current = 0;
    };

    void
    Schedule(Nanos at, std::function<void()> event)
    {
        m_queue.emplace(std::make_pair(std::max(at, m_now), m_nextSeq++), std::move(event));
    }

    Link*
    CurrentLink(std::size_t i)
    {
        auto& node = *m_clients[i];
        auto it = node.links.find(node.current);
        return it == node.links.end() ? nullptr : &m_links[it->second];
    }

    void
    CutLink(Link& link)
    {
        if (!link.up)
        {
            return;
        }
        link.up = false;
        std::size_t index = &link - m_links.data();
        if (link.clientOpen)
        {
            link.clientOpen = false;
            MqttActions out;
            m_clients[link.client]->engine->OnTransportClosed(m_now, out);
            ClientActions(link.client, out);
        }
        Link& again = m_links[index]; // ClientActions may have grown m_links
        if (again.brokerOpen)
        {
            again.brokerOpen = false;
            MqttActions out;
            m_broker.OnConnectionClosed(again.brokerConn, m_now, out);
            BrokerActions(out);
        }
    }

    void
    Delivered(std::size_t index)
    {
        Link& link = m_links[index];
        ++link.delivered;
        if (link.cutAt != 0 && link.delivered >= link.cutAt)
        {
            link.cutAt = 0;
            if (link.silent)
            {
                link.up = false;
            }
            else
            {
                CutLink(link);
            }
        }
    }

    void
    StartTimer(Timers& timers, TimerId id, Nanos at, std::function<void(TimerId, Nanos)> fire)
    {
        uint64_t generation = ++m_timerGeneration;
        timers.generation[id] = generation;
        Schedule(at,
                 [this, &timers, id, generation, fire]()
                 {
                     auto it = timers.generation.find(id);
                     if (it != timers.generation.end() && it->second == generation)
                     {
                         timers.generation.erase(it);
                         fire(id, m_now);
                     }
                 });
    }

    void
    ClientActions(std::size_t i, MqttActions& actions)
    {
        ClientNode& node = *m_clients[i];
        for (auto& action : actions)
        {
            if (auto* open = std::get_if<OpenConnectionAction>(&action))
            {
                Link link;
                link.client = i;
                link.clientConn = open->connection;
                link.brokerConn = m_nextBrokerConn++;
                m_links.push_back(link);
                std::size_t index = m_links.size() - 1;
                node.links[open->connection] = index;
                node.current = open->connection;
                bool reachable = m_reachable;
                Schedule(m_now + m_latency,
                         [this, i, index, reachable]()
                         {
                             Link& l = m_links[index];
                             if (!l.clientOpen)
                             {
                                 return; // the client gave up on it
                             }
                             MqttActions out;
                             if (!reachable || !l.up)
                             {
                                 l.clientOpen = false;
                                 m_clients[i]->engine->OnTransportFailed(m_now, out);
                                 ClientActions(i, out);
                                 return;
                             }
                             l.brokerOpen = true;
                             m_broker.OnConnectionOpened(l.brokerConn, m_now, out);
                             BrokerActions(out);
                             out.clear();
                             m_clients[i]->engine->OnTransportConnected(m_now, out);
                             ClientActions(i, out);
                         });
            }
            else if (auto* send = std::get_if<SendAction>(&action))
            {
                Transmit(node.links.at(send->connection), send->bytes, true);
            }
            else if (auto* close = std::get_if<CloseAction>(&action))
            {
                std::size_t index = node.links.at(close->connection);
                m_links[index].clientOpen = false;
                Schedule(m_now + m_latency,
                         [this, index]()
                         {
                             Link& l = m_links[index];
                             if (!l.up || !l.brokerOpen)
                             {
                                 return;
                             }
                             l.brokerOpen = false;
                             MqttActions out;
                             m_broker.OnConnectionClosed(l.brokerConn, m_now, out);
                             BrokerActions(out);
                         });
            }
            else if (auto* start = std::get_if<StartTimerAction>(&action))
            {
                StartTimer(node.timers,
                           start->timer,
                           start->at,
                           [this, i](TimerId id, Nanos now)
                           {
                               MqttActions out;
                               m_clients[i]->engine->OnTimer(id, now, out);
                               ClientActions(i, out);
                           });
            }
            else if (auto* cancel = std::get_if<CancelTimerAction>(&action))
            {
                node.timers.generation.erase(cancel->timer);
            }
            else if (auto* notify = std::get_if<NotifyAction>(&action))
            {
                node.events.push_back(std::move(notify->event));
            }
        }
    }

    std::size_t
    LinkOfBroker(ConnectionId brokerConn) const
    {
        // Broker connection ids are handed out in order, from 1.
        return static_cast<std::size_t>(brokerConn - 1);
    }

    /**
     * Sends @p bytes on link @p index, packet by packet (an engine's SendAction may hold several,
     * and a cut can fall between any two), to the broker or to the client.
     */
    void
    Transmit(std::size_t index, const std::vector<uint8_t>& bytes, bool toBroker)
    {
        for (auto& packet : SplitPackets(bytes))
        {
            Schedule(m_now + m_latency,
                     [this, index, toBroker, packet = std::move(packet)]()
                     {
                         Link& l = m_links[index];
                         if (!l.up || !(toBroker ? l.brokerOpen : l.clientOpen))
                         {
                             return;
                         }
                         MqttActions out;
                         if (toBroker)
                         {
                             m_broker.OnBytes(
                                 l.brokerConn, packet.data(), packet.size(), m_now, out);
                             BrokerActions(out);
                         }
                         else
                         {
                             std::size_t client = l.client;
                             m_clients[client]->engine->OnBytes(
                                 packet.data(), packet.size(), m_now, out);
                             ClientActions(client, out);
                         }
                         Delivered(index);
                     });
        }
    }

    void
    BrokerActions(MqttActions& actions)
    {
        for (auto& action : actions)
        {
            if (auto* send = std::get_if<SendAction>(&action))
            {
                Transmit(LinkOfBroker(send->connection), send->bytes, false);
            }
            else if (auto* close = std::get_if<CloseAction>(&action))
            {
                std::size_t index = LinkOfBroker(close->connection);
                m_links[index].brokerOpen = false;
                Schedule(m_now + m_latency,
                         [this, index]()
                         {
                             Link& l = m_links[index];
                             if (!l.up || !l.clientOpen)
                             {
                                 return;
                             }
                             l.clientOpen = false;
                             MqttActions out;
                             m_clients[l.client]->engine->OnTransportClosed(m_now, out);
                             ClientActions(l.client, out);
                         });
            }
            else if (auto* start = std::get_if<StartTimerAction>(&action))
            {
                StartTimer(m_brokerTimers,
                           start->timer,
                           start->at,
                           [this](TimerId id, Nanos now)
                           {
                               MqttActions out;
                               m_broker.OnTimer(id, now, out);
                               BrokerActions(out);
                           });
            }
            else if (auto* cancel = std::get_if<CancelTimerAction>(&action))
            {
                m_brokerTimers.generation.erase(cancel->timer);
            }
            else if (auto* notify = std::get_if<NotifyAction>(&action))
            {
                m_brokerEvents.push_back(std::move(notify->event));
            }
        }
    }

    MqttBrokerEngine m_broker;
    Nanos m_latency;
    Nanos m_now{0};
    bool m_reachable = true;
    std::vector<std::unique_ptr<ClientNode>> m_clients;
    std::vector<Link> m_links; //!< index = broker connection id - 1
    ConnectionId m_nextBrokerConn = 1;
    Timers m_brokerTimers;
    uint64_t m_timerGeneration = 0;
    uint64_t m_nextSeq = 0;
    std::map<std::pair<Nanos, uint64_t>, std::function<void()>> m_queue;
    std::vector<MqttEvent> m_brokerEvents;
};

} // namespace memnet
} // namespace mqtt
} // namespace ns3

#endif // MQTT_MEMORY_NETWORK_H
