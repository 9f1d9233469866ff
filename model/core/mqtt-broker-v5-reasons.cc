/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT 5.0 Reason Strings on the broker's own packets (profile field reasonStrings): a packet
 * whose reason code is a failure (0x80 and above) carries the code's name from table 2-6 as its
 * Reason String. CONNACK and DISCONNECT always may; PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK and
 * UNSUBACK only when the client left Request Problem Information at 1 [MQTT5-3.1.2-29]. A Reason
 * String that would make the packet larger than the client's Maximum Packet Size is left out
 * [MQTT5-3.2.2-19], [MQTT5-3.4.2-2], [MQTT5-3.9.2-1], [MQTT5-3.11.2-1], [MQTT5-3.14.2-3]. The
 * broker sends no User Properties of its own, so their rules are kept by sending none.
 */
#include "mqtt-broker-engine-impl.h"

#include <algorithm>
#include <type_traits>

namespace ns3
{
namespace mqtt
{

namespace
{

template <class T, class = void>
struct HasProperties : std::false_type
{
};

template <class T>
struct HasProperties<T, std::void_t<decltype(std::declval<T&>().properties)>> : std::true_type
{
};

/** The first failure among per-filter codes (SUBACK, UNSUBACK), or Success. */
ReasonCode
FirstFailure(const std::vector<uint8_t>& codes)
{
    for (uint8_t c : codes)
    {
        if (c >= 0x80)
        {
            return static_cast<ReasonCode>(c);
        }
    }
    return ReasonCode::Success;
}

/** The failure @p packet reports, or Success. */
ReasonCode
FailureOf(const Packet& packet)
{
    return std::visit(
        [](const auto& p) -> ReasonCode {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, SubackPacket>)
            {
                return FirstFailure(p.returnCodes);
            }
            else if constexpr (std::is_same_v<T, UnsubackPacket>)
            {
                return FirstFailure(p.reasonCodes);
            }
            else if constexpr (std::is_same_v<T, ConnackPacket> ||
                               std::is_same_v<T, PubackPacket> ||
                               std::is_same_v<T, PubrecPacket> ||
                               std::is_same_v<T, PubrelPacket> ||
                               std::is_same_v<T, PubcompPacket> ||
                               std::is_same_v<T, DisconnectPacket>)
            {
                return p.reasonCode;
            }
            else
            {
                return ReasonCode::Success;
            }
        },
        packet);
}

} // namespace

void
MqttBrokerEngine::Impl::SendPacket5(const MqttBrokerConnection& conn,
                                    Packet packet,
                                    MqttActions& out)
{
    const Mqtt5ConnectionState* v5 = conn.V5();
    const ReasonCode code = FailureOf(packet);
    const bool connackOrDisconnect = std::holds_alternative<ConnackPacket>(packet) ||
                                     std::holds_alternative<DisconnectPacket>(packet);
    if (m_profile.reasonStrings && v5 != nullptr && IsFailure(code) &&
        (connackOrDisconnect || v5->requestProblemInformation))
    {
        auto properties = [](auto& p) -> Properties* {
            if constexpr (HasProperties<std::decay_t<decltype(p)>>::value)
            {
                return &p.properties;
            }
            else
            {
                return nullptr;
            }
        };
        if (Properties* props = std::visit(properties, packet))
        {
            props->AddText(PropertyId::ReasonString, ReasonCodeName(code));
            if (v5->clientMaximumPacketSize != 0)
            {
                m_sizeScratch.clear();
                Encode(packet, m_sizeScratch, ProtocolVersion::Mqtt5);
                if (m_sizeScratch.size() > v5->clientMaximumPacketSize)
                {
                    props->items.pop_back(); // too large with it: sent without
                }
            }
        }
    }
    Encode(packet, SendBuffer(conn.Id(), out), ProtocolVersion::Mqtt5);
}

} // namespace mqtt
} // namespace ns3
