/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What the broker adds to its own packets to a 5.0 client: Reason Strings (profile field
 * reasonStrings) and User Properties (ackUserProperties). A packet whose reason code is a
 * failure (0x80 and above), or an UNSUBACK of a filter that had no subscription (0x11), carries
 * the code's name from table 2-6 as its Reason String; the acknowledgements (PUBACK, PUBREC,
 * PUBREL, PUBCOMP, SUBACK, UNSUBACK) carry the profile's User Properties. CONNACK and DISCONNECT
 * always may carry a Reason String; the acknowledgements only when the client left Request
 * Problem Information at 1 [MQTT5-3.1.2-29]. What would make the packet larger than the
 * client's Maximum Packet Size is left out: the User Properties first, then the Reason String
 * [MQTT5-3.2.2-19], [MQTT5-3.4.2-2], [MQTT5-3.4.2-3], [MQTT5-3.5.2-2], [MQTT5-3.5.2-3],
 * [MQTT5-3.6.2-2], [MQTT5-3.6.2-3], [MQTT5-3.7.2-2], [MQTT5-3.7.2-3], [MQTT5-3.9.2-1],
 * [MQTT5-3.9.2-2], [MQTT5-3.11.2-1], [MQTT5-3.11.2-2], [MQTT5-3.14.2-3].
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

/** UNSUBACK: the first code that is not Success (0x11 No subscription existed, or a failure). */
ReasonCode
FirstNotSuccess(const std::vector<uint8_t>& codes)
{
    for (uint8_t c : codes)
    {
        if (c != static_cast<uint8_t>(ReasonCode::Success))
        {
            return static_cast<ReasonCode>(c);
        }
    }
    return ReasonCode::Success;
}

/** Whether @p packet is an acknowledgement that may carry the profile's User Properties. */
bool
IsAcknowledgement(const Packet& packet)
{
    return std::holds_alternative<PubackPacket>(packet) ||
           std::holds_alternative<PubrecPacket>(packet) ||
           std::holds_alternative<PubrelPacket>(packet) ||
           std::holds_alternative<PubcompPacket>(packet) ||
           std::holds_alternative<SubackPacket>(packet) ||
           std::holds_alternative<UnsubackPacket>(packet);
}

/** The code whose name @p packet's Reason String would be, or Success (none). */
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
                return FirstNotSuccess(p.reasonCodes);
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
    auto propertiesOf = [](auto& p) -> Properties* {
        if constexpr (HasProperties<std::decay_t<decltype(p)>>::value)
        {
            return &p.properties;
        }
        else
        {
            return nullptr;
        }
    };
    Properties* props = v5 != nullptr ? std::visit(propertiesOf, packet) : nullptr;
    if (props == nullptr)
    {
        Encode(packet, SendBuffer(conn.Id(), out), ProtocolVersion::Mqtt5);
        return;
    }
    const ReasonCode code = FailureOf(packet);
    const bool connackOrDisconnect = std::holds_alternative<ConnackPacket>(packet) ||
                                     std::holds_alternative<DisconnectPacket>(packet);
    bool reasonAdded = false;
    if (m_profile.reasonStrings && code != ReasonCode::Success &&
        (connackOrDisconnect || v5->requestProblemInformation))
    {
        props->AddText(PropertyId::ReasonString, ReasonCodeName(code));
        reasonAdded = true;
    }
    std::size_t usersAdded = 0;
    if (!m_profile.ackUserProperties.empty() && v5->requestProblemInformation &&
        IsAcknowledgement(packet))
    {
        for (const std::string& item : m_profile.ackUserProperties)
        {
            const std::size_t eq = item.find('=');
            props->AddUserProperty(std::string_view(item).substr(0, eq),
                                   std::string_view(item).substr(eq + 1));
            ++usersAdded;
        }
    }
    if ((reasonAdded || usersAdded != 0) && v5->clientMaximumPacketSize != 0)
    {
        // Too large for the client with what we added: the User Properties go first, then the
        // Reason String (what was added is at the end of the list).
        auto tooLarge = [&] {
            m_sizeScratch.clear();
            Encode(packet, m_sizeScratch, ProtocolVersion::Mqtt5);
            return m_sizeScratch.size() > v5->clientMaximumPacketSize;
        };
        if (usersAdded != 0 && tooLarge())
        {
            props->items.resize(props->items.size() - usersAdded);
        }
        if (reasonAdded && tooLarge())
        {
            props->items.pop_back();
        }
    }
    Encode(packet, SendBuffer(conn.Id(), out), ProtocolVersion::Mqtt5);
}

} // namespace mqtt
} // namespace ns3
