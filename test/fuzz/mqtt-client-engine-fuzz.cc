/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Drives one client engine with a fuzzed script of application calls, transport events, timer
 * firings and broker bytes (random, or well-formed acks and publishes so deep states are
 * reached), and checks invariants on every action it emits:
 * - every SendAction holds exactly one well-formed packet;
 * - the first packet on a connection is CONNECT [MQTT-3.1.0-1];
 * - nothing is sent on a connection after DISCONNECT or after the engine closed it
 *   [MQTT-3.14.4-2];
 * - a new QoS > 0 PUBLISH, SUBSCRIBE or UNSUBSCRIBE uses an id not in use [MQTT-2.3.1-2]; a DUP
 *   PUBLISH or a PUBREL uses one that is [MQTT-2.3.1-3];
 * - the window and queue bounds hold;
 * - inbound exactly once [MQTT-4.3.3-2]: a QoS 2 PUBLISH reaches the application once per
 *   packet id until the client has answered its PUBREL with PUBCOMP (or the session ended: a
 *   CONNACK without session present, or the end of a clean session); repeats meanwhile only
 *   get their PUBREC again.
 */
#include "mqtt-client-engine.h"
#include "mqtt-codec.h"

#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <vector>

using namespace ns3::mqtt;

namespace
{

void
Check(bool ok)
{
    if (!ok)
    {
        std::abort();
    }
}

class Reader
{
  public:
    Reader(const uint8_t* data, std::size_t size)
        : m_data(data)
        , m_size(size)
    {
    }

    bool
    Done() const
    {
        return m_pos >= m_size;
    }

    uint8_t
    Byte()
    {
        return m_pos < m_size ? m_data[m_pos++] : 0;
    }

    uint16_t
    Id()
    {
        // Small ids, so acks often hit what is in flight.
        return static_cast<uint16_t>(Byte() % 8 + 1);
    }

  private:
    const uint8_t* m_data;
    std::size_t m_size;
    std::size_t m_pos = 0;
};

struct Checker
{
    const MqttClientConfig* config = nullptr;
    const MqttClientEngine* engine = nullptr;
    std::map<TimerId, Nanos> timers;
    std::set<ConnectionId> sentOn;   //!< connections that carried a packet
    std::set<ConnectionId> finished; //!< closed by the engine or after DISCONNECT
    std::set<uint16_t> outstanding;  //!< ids of our requests not finally acknowledged
    std::set<uint16_t> receivedQos2; //!< inbound QoS 2 ids delivered, PUBCOMP not yet sent

    void
    Take(const MqttActions& actions)
    {
        for (const auto& action : actions)
        {
            if (auto* send = std::get_if<SendAction>(&action))
            {
                OnSend(*send);
            }
            else if (auto* close = std::get_if<CloseAction>(&action))
            {
                finished.insert(close->connection);
            }
            else if (auto* start = std::get_if<StartTimerAction>(&action))
            {
                timers[start->timer] = start->at;
            }
            else if (auto* cancel = std::get_if<CancelTimerAction>(&action))
            {
                timers.erase(cancel->timer);
            }
            else if (auto* notify = std::get_if<NotifyAction>(&action))
            {
                OnEvent(notify->event);
            }
        }
        Check(engine->InflightPublishes() <= config->maxInflight);
        Check(engine->PendingPublishes() <= config->maxQueued);
    }

    void
    OnSend(const SendAction& send)
    {
        Check(finished.count(send.connection) == 0);
        Packet packet;
        DecodeResult r = Decode(send.bytes.data(), send.bytes.size(), packet);
        Check(r.status == DecodeStatus::Complete && r.consumed == send.bytes.size());
        PacketType type = TypeOf(packet);
        Check(sentOn.count(send.connection) != 0 || type == PacketType::Connect);
        sentOn.insert(send.connection);
        switch (type)
        {
        case PacketType::Disconnect:
            finished.insert(send.connection);
            break;
        case PacketType::Publish:
        {
            const auto& p = std::get<PublishPacket>(packet);
            if (p.qos != Qos::AtMostOnce)
            {
                bool inUse = outstanding.count(p.packetId) != 0;
                Check(p.dup ? inUse : !inUse);
                outstanding.insert(p.packetId);
            }
            break;
        }
        case PacketType::Subscribe:
            // A SUBSCRIBE re-sent after a reconnect keeps its id.
            outstanding.insert(std::get<SubscribePacket>(packet).packetId);
            break;
        case PacketType::Unsubscribe:
            outstanding.insert(std::get<UnsubscribePacket>(packet).packetId);
            break;
        case PacketType::Pubrel:
            Check(outstanding.count(std::get<PubrelPacket>(packet).packetId) != 0);
            break;
        case PacketType::Pubcomp:
            receivedQos2.erase(std::get<PubcompPacket>(packet).packetId);
            break;
        default:
            break;
        }
    }

    void
    OnEvent(const MqttEvent& event)
    {
        switch (event.type)
        {
        case EventType::PublishCompleted:
        case EventType::Unsubscribed:
        case EventType::SubscriptionGranted:
        case EventType::SubscriptionDenied:
            outstanding.erase(event.packetId);
            break;
        case EventType::MessageDropped:
            if (event.dropReason == DropReason::SessionDiscarded)
            {
                outstanding.erase(event.packetId);
            }
            break;
        case EventType::ConnectionClosed:
            // A clean session frees every id (unacknowledged subscribes are queued afresh).
            if (config->cleanSession)
            {
                outstanding.clear();
                receivedQos2.clear();
            }
            break;
        case EventType::SessionStarted:
            if (!event.sessionPresent)
            {
                receivedQos2.clear(); // the broker has no PUBREL left to send for them
            }
            break;
        case EventType::PublishReceived:
            if (event.qos == Qos::ExactlyOnce)
            {
                Check(receivedQos2.insert(event.packetId).second); // delivered once
            }
            break;
        default:
            break;
        }
    }
};

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    Reader in(data, size);
    uint8_t flags = in.Byte();
    MqttClientConfig config;
    config.clientId = "fz";
    config.cleanSession = flags & 1;
    config.closeOnAckTimeout = flags & 2;
    config.autoReconnect = !(flags & 4);
    config.retryRefusedConnect = flags & 8;
    config.keepAliveSeconds = (flags >> 4) % 4 * 5;
    config.maxInflight = in.Byte() % 4 + 1;
    config.maxQueued = in.Byte() % 8 + 1;
    config.ackTimeout = std::chrono::seconds(in.Byte() % 4 * 10);
    config.maxPacketSize = 64;

    double u = 0.5;
    MqttClientEngine engine(config, [&u]() { return u; });
    Checker checker;
    checker.config = &engine.Config();
    checker.engine = &engine;
    Nanos now{0};

    while (!in.Done())
    {
        MqttActions out;
        uint8_t op = in.Byte();
        switch (op % 16)
        {
        case 0:
            engine.Connect(now, out);
            break;
        case 1:
            engine.OnTransportConnected(now, out);
            break;
        case 2:
            engine.OnTransportFailed(now, out);
            break;
        case 3:
            engine.OnTransportClosed(now, out);
            break;
        case 4:
        {
            std::vector<uint8_t> bytes(in.Byte() % 16);
            for (auto& b : bytes)
            {
                b = in.Byte();
            }
            engine.OnBytes(bytes.data(), bytes.size(), now, out);
            break;
        }
        case 5:
        {
            auto qos = static_cast<Qos>(in.Byte() % 3);
            engine.Publish("t", std::vector<uint8_t>(in.Byte() % 4, 'x'), qos, false, now, out);
            break;
        }
        case 6:
            engine.Subscribe({{"s/#", static_cast<Qos>(in.Byte() % 3)}}, now, out);
            break;
        case 7:
            engine.Unsubscribe({"s/#"}, now, out);
            break;
        case 8:
            if (!checker.timers.empty())
            {
                // Fire the earliest timer.
                auto next = checker.timers.begin();
                for (auto it = checker.timers.begin(); it != checker.timers.end(); ++it)
                {
                    if (it->second < next->second)
                    {
                        next = it;
                    }
                }
                TimerId id = next->first;
                now = std::max(now, next->second);
                checker.timers.erase(next);
                engine.OnTimer(id, now, out);
            }
            break;
        case 9:
            engine.Disconnect(now, out);
            break;
        case 10:
            now += std::chrono::milliseconds(in.Byte() * 100);
            u = in.Byte() / 256.0;
            break;
        default:
        {
            // A well-formed packet from the broker.
            uint16_t id = in.Id();
            uint8_t hi = static_cast<uint8_t>(id >> 8);
            uint8_t lo = static_cast<uint8_t>(id);
            uint8_t b = in.Byte();
            std::vector<uint8_t> p;
            switch (op % 16)
            {
            case 11:
                p = {0x20,
                     0x02,
                     static_cast<uint8_t>(b & 1),
                     static_cast<uint8_t>(b % 3 == 0 ? 0 : b % 6)};
                break;
            case 12:
                p = {static_cast<uint8_t>(0x40 + (b % 4 == 1   ? 0x10
                                                  : b % 4 == 2 ? 0x30
                                                               : 0)),
                     0x02,
                     hi,
                     lo};
                break;
            case 13:
                p = {0x50, 0x02, hi, lo};
                break;
            case 14:
                p = {0x90, 0x03, hi, lo, static_cast<uint8_t>(b % 2 ? 0x80 : b % 3)};
                if (b & 0x40)
                {
                    p = {0xB0, 0x02, hi, lo};
                }
                break;
            default:
            {
                // PUBLISH at QoS b % 3 (DUP on repeats), or PUBREL.
                uint8_t qos = b % 3;
                if (b & 0x80)
                {
                    p = {0x62, 0x02, hi, lo};
                }
                else if (qos == 0)
                {
                    p = {0x30, 0x04, 0x00, 0x01, 0x74, 0x78};
                }
                else
                {
                    p = {static_cast<uint8_t>(0x30 | qos << 1 | (b & 0x40 ? 0x08 : 0)),
                         0x06,
                         0x00,
                         0x01,
                         0x74,
                         hi,
                         lo,
                         0x78};
                }
                break;
            }
            }
            engine.OnBytes(p.data(), p.size(), now, out);
            break;
        }
        }
        checker.Take(out);
    }
    return 0;
}
