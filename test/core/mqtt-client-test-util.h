/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A fake-clock harness for client engine byte scripts: every call returns the actions it produced
 * as short strings ("send c1 30 07 00 03 ...", "timer keepalive 14s", "state Connected"), so a
 * test states the exact sequence it expects.
 */
#ifndef MQTT_CLIENT_TEST_UTIL_H
#define MQTT_CLIENT_TEST_UTIL_H

#include "mqtt-client-engine.h"
#include "mqtt-codec-test-util.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{
namespace clienttest
{

using test::Bytes;
using test::Hex;
using test::Raw;
using Lines = std::vector<std::string>;
using namespace std::chrono_literals;

inline std::string
ToHex(const Bytes& bytes)
{
    std::string s;
    char buf[4];
    for (std::size_t i = 0; i < bytes.size(); ++i)
    {
        std::snprintf(buf, sizeof(buf), i == 0 ? "%02X" : " %02X", bytes[i]);
        s += buf;
    }
    return s;
}

inline std::string
TimeText(Nanos t)
{
    int64_t ns = t.count();
    if (ns % 1000000000 == 0)
    {
        return std::to_string(ns / 1000000000) + "s";
    }
    if (ns % 1000000 == 0)
    {
        return std::to_string(ns / 1000000) + "ms";
    }
    return std::to_string(ns) + "ns";
}

inline std::string
TimerName(TimerId id)
{
    switch (id)
    {
    case MqttClientEngine::CONNACK_TIMER:
        return "connack";
    case MqttClientEngine::KEEP_ALIVE_TIMER:
        return "keepalive";
    case MqttClientEngine::PING_TIMER:
        return "ping";
    case MqttClientEngine::ACK_TIMER:
        return "ack";
    case MqttClientEngine::RECONNECT_TIMER:
        return "reconnect";
    default:
        return "timer" + std::to_string(id);
    }
}

// Expected lines, built by the same code that describes actual ones.

inline std::string
Send(ConnectionId c, std::string_view hex)
{
    return "send c" + std::to_string(c) + " " + ToHex(Hex(hex));
}

inline std::string
Close(ConnectionId c, CloseReason reason)
{
    return "close c" + std::to_string(c) + " reason=" + std::to_string(static_cast<int>(reason));
}

inline std::string
Open(ConnectionId c)
{
    return "open c" + std::to_string(c);
}

inline std::string
Timer(TimerId id, Nanos at)
{
    return "timer " + TimerName(id) + " " + TimeText(at);
}

inline std::string
Cancel(TimerId id)
{
    return "cancel " + TimerName(id);
}

inline std::string
State(ClientState state)
{
    return std::string("state ") + ClientStateName(state);
}

inline std::string
Opened(ConnectionId c)
{
    return "opened c" + std::to_string(c);
}

inline std::string
Closed(ConnectionId c, CloseReason reason, int code = 0)
{
    std::string s =
        "closed c" + std::to_string(c) + " reason=" + std::to_string(static_cast<int>(reason));
    if (code != 0)
    {
        s += " code=" + std::to_string(code);
    }
    return s;
}

inline std::string
Session(bool present)
{
    return std::string("session present=") + (present ? "1" : "0");
}

inline std::string
Refused(ConnectionId c, int code)
{
    return "refused c" + std::to_string(c) + " code=" + std::to_string(code);
}

inline std::string
Received(std::string_view topic,
         std::string_view payload,
         int qos,
         int packetId,
         bool dup = false,
         bool retain = false)
{
    std::string s = "received " + std::string(topic) + " '" + std::string(payload) +
                    "' qos=" + std::to_string(qos) + " id=" + std::to_string(packetId);
    if (dup)
    {
        s += " dup";
    }
    if (retain)
    {
        s += " retain";
    }
    return s;
}

/** A non-zero 5.0 reason code, as " code=0xNN" (nothing for 0). */
inline std::string
CodeSuffix(int code)
{
    if (code == 0)
    {
        return "";
    }
    char buf[16];
    std::snprintf(buf, sizeof(buf), " code=0x%02X", code);
    return buf;
}

/** @p code: the ack's 5.0 reason code (0 on 3.1.1). */
inline std::string
Completed(uint64_t message, int packetId, int code = 0)
{
    return "completed msg=" + std::to_string(message) + " id=" + std::to_string(packetId) +
           CodeSuffix(code);
}

/** @p code: the refusing ack's 5.0 reason code (RefusedByServer). */
inline std::string
Dropped(uint64_t message, DropReason reason, int packetId = 0, int code = 0)
{
    return "dropped msg=" + std::to_string(message) +
           " reason=" + std::to_string(static_cast<int>(reason)) +
           " id=" + std::to_string(packetId) + CodeSuffix(code);
}

inline std::string
Granted(std::string_view filter, int qos, int packetId)
{
    return "granted " + std::string(filter) + " qos=" + std::to_string(qos) +
           " id=" + std::to_string(packetId);
}

/** @p code: the SUBACK code when not 0x80 (5.0 refusals). */
inline std::string
Denied(std::string_view filter, int packetId, int code = SUBACK_FAILURE)
{
    return "denied " + std::string(filter) + " id=" + std::to_string(packetId) +
           (code == SUBACK_FAILURE ? std::string() : CodeSuffix(code));
}

/** @p code: the 5.0 Unsubscribe Reason Code. */
inline std::string
Unsubscribed(std::string_view filter, int packetId, int code = 0)
{
    return "unsubscribed " + std::string(filter) + " id=" + std::to_string(packetId) +
           CodeSuffix(code);
}

/** ConnectionClosed with the 5.0 DISCONNECT reason code sent or received. */
inline std::string
Closed5(ConnectionId c, CloseReason reason, ReasonCode sentOrReceived, int code = 0)
{
    char buf[24];
    std::snprintf(buf, sizeof(buf), " disconnect=0x%02X", static_cast<int>(sentOrReceived));
    return Closed(c, reason, code) + buf;
}

inline std::string
Reauthenticated()
{
    return "reauthenticated";
}

inline std::string
AckTimedOut(int packetId)
{
    return "ack-timeout id=" + std::to_string(packetId);
}

inline std::string
Describe(const MqttEvent& e)
{
    std::string payload;
    if (e.message)
    {
        payload.assign(e.message->payload.begin(), e.message->payload.end());
    }
    switch (e.type)
    {
    case EventType::StateChanged:
        return State(static_cast<ClientState>(e.code));
    case EventType::ConnectionOpened:
        return Opened(e.connection);
    case EventType::ConnectionClosed:
        return e.reasonCode ? Closed5(e.connection, e.closeReason, *e.reasonCode, e.code)
                            : Closed(e.connection, e.closeReason, e.code);
    case EventType::SessionStarted:
        return Session(e.sessionPresent);
    case EventType::ConnectRefused:
        return Refused(e.connection, e.code);
    case EventType::PublishReceived:
        return Received(
            e.message->topic, payload, static_cast<int>(e.qos), e.packetId, e.dup, e.retain);
    case EventType::PublishCompleted:
        return Completed(e.message->id, e.packetId, e.code);
    case EventType::MessageDropped:
        return Dropped(e.message ? e.message->id : 0, e.dropReason, e.packetId, e.code);
    case EventType::SubscriptionGranted:
        return Granted(e.topic, e.code, e.packetId);
    case EventType::SubscriptionDenied:
        return Denied(e.topic, e.packetId, e.code);
    case EventType::Unsubscribed:
        return Unsubscribed(e.topic, e.packetId, e.code);
    case EventType::AckTimeout:
        return AckTimedOut(e.packetId);
    case EventType::Reauthenticated:
        return Reauthenticated();
    default:
        return "event " + std::to_string(static_cast<int>(e.type));
    }
}

inline std::string
Describe(const MqttAction& action)
{
    if (auto* send = std::get_if<SendAction>(&action))
    {
        return "send c" + std::to_string(send->connection) + " " + ToHex(send->bytes);
    }
    if (auto* close = std::get_if<CloseAction>(&action))
    {
        return Close(close->connection, close->reason);
    }
    if (auto* open = std::get_if<OpenConnectionAction>(&action))
    {
        return Open(open->connection);
    }
    if (auto* start = std::get_if<StartTimerAction>(&action))
    {
        return Timer(start->timer, start->at);
    }
    if (auto* cancel = std::get_if<CancelTimerAction>(&action))
    {
        return Cancel(cancel->timer);
    }
    return Describe(std::get<NotifyAction>(action).event);
}

/** Only the SendAction lines of @p lines. */
inline Lines
Sends(const Lines& lines)
{
    Lines out;
    for (const auto& line : lines)
    {
        if (line.rfind("send ", 0) == 0)
        {
            out.push_back(line);
        }
    }
    return out;
}

/** The lines of a CONNACK that refuses: the connection closed with @p reason, then @p after. */
inline Lines
RefusedLines(ConnectionId c, int code, CloseReason reason, Lines after)
{
    Lines lines{Cancel(MqttClientEngine::CONNACK_TIMER),
                Refused(c, code),
                Close(c, reason),
                Closed(c, reason, code)};
    lines.insert(lines.end(), after.begin(), after.end());
    return lines;
}

/**
 * One client engine on a fake clock. Each call sets the clock, runs the engine and returns the
 * actions as lines; `last` keeps the raw actions of the latest call. Started timers are tracked,
 * so Fire() can check that a timer is armed and run it at its deadline.
 */
class ClientHarness
{
  public:
    /** @param uniforms values the jitter source returns, in turn (cycling). */
    explicit ClientHarness(MqttClientConfig config, std::vector<double> uniforms = {0.5})
        : m_uniforms(std::move(uniforms))
        , engine(std::move(config),
                 [this]()
                 {
                     double u = m_uniforms[m_next % m_uniforms.size()];
                     ++m_next;
                     return u;
                 })
    {
    }

    /** Sets the clock to @p t, runs @p call with a fresh action list, returns its lines. */
    template<typename Call>
    Lines
    Run(Nanos t, Call&& call)
    {
        now = t;
        MqttActions a;
        call(a);
        return Take(a);
    }

    Lines
    Take(MqttActions& actions)
    {
        Lines lines;
        for (const auto& action : actions)
        {
            lines.push_back(Describe(action));
            if (auto* start = std::get_if<StartTimerAction>(&action))
            {
                timers[start->timer] = start->at;
            }
            else if (auto* cancel = std::get_if<CancelTimerAction>(&action))
            {
                timers.erase(cancel->timer);
            }
        }
        last = std::move(actions);
        return lines;
    }

    Lines
    Connect(Nanos t)
    {
        return Run(t, [&](MqttActions& a) { engine.Connect(now, a); });
    }

    Lines
    Connected(Nanos t)
    {
        return Run(t, [&](MqttActions& a) { engine.OnTransportConnected(now, a); });
    }

    /** Connect, then the transport up, both at @p t: the lines of the second (the CONNECT). */
    Lines
    Open(Nanos t)
    {
        Connect(t);
        return Connected(t);
    }

    Lines
    Failed(Nanos t)
    {
        return Run(t, [&](MqttActions& a) { engine.OnTransportFailed(now, a); });
    }

    Lines
    PeerClosed(Nanos t)
    {
        return Run(t, [&](MqttActions& a) { engine.OnTransportClosed(now, a); });
    }

    Lines
    Feed(Nanos t, std::string_view hex)
    {
        const Bytes bytes = Hex(hex);
        return Run(t, [&](MqttActions& a) { engine.OnBytes(bytes.data(), bytes.size(), now, a); });
    }

    /** Runs @p id at its armed deadline; fails the test if it is not armed. */
    Lines
    Fire(TimerId id)
    {
        auto it = timers.find(id);
        if (it == timers.end())
        {
            ADD_FAILURE() << "timer " << TimerName(id) << " is not armed";
            return {};
        }
        now = it->second;
        timers.erase(it);
        MqttActions a;
        engine.OnTimer(id, now, a);
        return Take(a);
    }

    Lines
    Publish(
        Nanos t, const std::string& topic, std::string_view payload, Qos qos, bool retain = false)
    {
        return Run(t,
                   [&](MqttActions& a)
                   { lastPublish = engine.Publish(topic, Raw(payload), qos, retain, now, a); });
    }

    Lines
    Subscribe(Nanos t, std::vector<TopicRequest> topics)
    {
        return Run(t, [&](MqttActions& a) { engine.Subscribe(std::move(topics), now, a); });
    }

    Lines
    Unsubscribe(Nanos t, std::vector<std::string> filters)
    {
        return Run(t, [&](MqttActions& a) { engine.Unsubscribe(std::move(filters), now, a); });
    }

    Lines
    Disconnect(Nanos t)
    {
        return Run(t, [&](MqttActions& a) { engine.Disconnect(now, a); });
    }

    /** Connect, transport up, CONNACK 0 (session present as given), all at @p t. */
    void
    Establish(Nanos t, bool sessionPresent = false)
    {
        Open(t);
        Feed(t, sessionPresent ? "20 02 01 00" : "20 02 00 00");
        ASSERT_EQ(engine.State(), ClientState::Connected);
    }

  private:
    std::vector<double> m_uniforms;
    std::size_t m_next = 0;

  public:
    MqttClientEngine engine;
    Nanos now{0};
    MqttActions last;
    uint64_t lastPublish = 0;
    std::map<TimerId, Nanos> timers;
};

/** A config with the defaults the tests start from: id "c1", keep-alive 60 s. */
inline MqttClientConfig
BaseConfig()
{
    MqttClientConfig config;
    config.clientId = "c1";
    return config;
}

} // namespace clienttest
} // namespace mqtt
} // namespace ns3

#endif // MQTT_CLIENT_TEST_UTIL_H
