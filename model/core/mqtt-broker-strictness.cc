/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What a strict broker refuses although the packet decodes (doc/conformance.md): strings holding
 * control characters (section 1.5.3 lets a receiver close) and acknowledgements of the wrong
 * kind for a delivery in flight (section 4.8: a protocol violation closes).
 *
 * Rules: checked before the packet is handled, so a refused packet changes nothing; a client id
 * with a control character is not refused here but by ClientIdPolicy (CONNACK 0x02,
 * [MQTT-3.1.3-9]); an acknowledgement for an identifier not in flight is no violation (it can be
 * a late repeat).
 */
#include "mqtt-broker-engine-impl.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

namespace
{

/** Whether an acknowledgement of @p type is the wrong kind for a delivery in @p state. */
bool
WrongAckKind(PacketType type, InflightState state)
{
    switch (type)
    {
    case PacketType::Puback:
        return state != InflightState::AwaitingPuback; // PUBACK for a QoS 2 delivery
    case PacketType::Pubrec:
        return state == InflightState::AwaitingPuback; // a QoS 1 flow has no PUBREC
    case PacketType::Pubcomp:
        // QoS 1 has no PUBCOMP; a QoS 2 flow completes only after the broker's PUBREL.
        return state != InflightState::AwaitingPubcomp;
    default:
        return false;
    }
}

/** The identifier of a PUBACK, PUBREC or PUBCOMP, or nothing for any other packet. */
std::optional<uint16_t>
OutboundAckId(const Packet& packet)
{
    if (const auto* p = std::get_if<PubackPacket>(&packet))
    {
        return p->packetId;
    }
    if (const auto* p = std::get_if<PubrecPacket>(&packet))
    {
        return p->packetId;
    }
    if (const auto* p = std::get_if<PubcompPacket>(&packet))
    {
        return p->packetId;
    }
    return std::nullopt;
}

} // namespace

bool
MqttBrokerEngine::Impl::HasRefusedString(const Packet& packet) const
{
    auto refused = [this](std::string_view text)
    { return RefusesControlCharacters(m_profile, text); };
    if (const auto* p = std::get_if<ConnectPacket>(&packet))
    {
        return (p->userName && refused(*p->userName)) || (p->will && refused(p->will->topic));
    }
    if (const auto* p = std::get_if<PublishPacket>(&packet))
    {
        return refused(p->topic);
    }
    if (const auto* p = std::get_if<SubscribePacket>(&packet))
    {
        return std::any_of(p->topics.begin(),
                           p->topics.end(),
                           [&refused](const TopicRequest& r) { return refused(r.filter); });
    }
    if (const auto* p = std::get_if<UnsubscribePacket>(&packet))
    {
        return std::any_of(p->filters.begin(), p->filters.end(), refused);
    }
    return false;
}

bool
MqttBrokerEngine::Impl::RefusesPacket(MqttBrokerConnection& conn, Nanos now, MqttActions& out)
{
    const bool beforeConnect = conn.State() == BrokerConnectionState::AwaitingConnect;
    if (beforeConnect && !std::holds_alternative<ConnectPacket>(m_packet))
    {
        return false; // only CONNECT may come first [MQTT-3.1.0-1]: HandlePacket closes
    }
    if (HasRefusedString(m_packet))
    {
        CloseWithWill(conn, CloseReason::PolicyViolation, now, out);
        return true;
    }
    const std::optional<uint16_t> ackId = OutboundAckId(m_packet);
    if (!ackId || conn.Session() == nullptr)
    {
        return false;
    }
    const InflightMessage* f = conn.Session()->FindInflight(*ackId);
    if (f != nullptr && WrongAckKind(TypeOf(m_packet), f->state))
    {
        ProtocolViolation(conn, DecodeError::None, TypeOf(m_packet), now, out);
        return true;
    }
    return false;
}

} // namespace mqtt
} // namespace ns3
