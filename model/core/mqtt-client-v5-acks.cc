/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The client's own acknowledgements (PUBACK, PUBREC, PUBREL, PUBCOMP) with the ack options of
 * the config: User Properties on every ack (ackUserProperties) and a Reason String on those that
 * refuse (ackReasonStrings: the reason code's name, as the broker writes them). Each is left out
 * when it would make the ack larger than the broker's Maximum Packet Size, the Reason String
 * first [MQTT5-3.4.2-2], [MQTT5-3.5.2-2], [MQTT5-3.6.2-2], [MQTT5-3.7.2-2], then the User
 * Properties [MQTT5-3.4.2-3], [MQTT5-3.5.2-3], [MQTT5-3.6.2-3], [MQTT5-3.7.2-3].
 */
#include "mqtt-client-engine-impl.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

namespace
{

/** The properties and reason code of an ack packet, or null for another packet. */
template<typename... Acks>
Properties*
AckFields(Packet& packet, ReasonCode& reason)
{
    Properties* props = nullptr;
    (
        [&]
        {
            if (auto* ack = std::get_if<Acks>(&packet))
            {
                props = &ack->properties;
                reason = ack->reasonCode;
            }
        }(),
        ...);
    return props;
}

void
Remove(Properties& props, PropertyId id)
{
    auto& items = props.items;
    items.erase(
        std::remove_if(items.begin(), items.end(), [id](const Property& p) { return p.id == id; }),
        items.end());
}

} // namespace

void
MqttClientEngine::Impl::SendAck(Packet ack, Nanos now, MqttActions& out)
{
    ReasonCode reason = ReasonCode::Success;
    Properties* props =
        V5() ? AckFields<PubackPacket, PubrecPacket, PubrelPacket, PubcompPacket>(ack, reason)
             : nullptr;
    const bool reasonString = m_config.ackReasonStrings && IsFailure(reason);
    if (props == nullptr || (!reasonString && m_config.ackUserProperties.empty()))
    {
        SendPacket(ack, now, out);
        return;
    }
    if (reasonString)
    {
        props->AddText(PropertyId::ReasonString, ReasonCodeName(reason));
    }
    for (const auto& [name, value] : m_config.ackUserProperties)
    {
        props->AddUserProperty(name, value);
    }
    SendAction action;
    action.connection = m_connection;
    Encode(ack, action.bytes, m_config.protocolVersion);
    const uint32_t limit = m_v5.server.maximumPacketSize;
    for (PropertyId id : {PropertyId::ReasonString, PropertyId::UserProperty})
    {
        if (limit == 0 || action.bytes.size() <= limit)
        {
            break;
        }
        Remove(*props, id);
        action.bytes.clear();
        Encode(ack, action.bytes, m_config.protocolVersion);
    }
    out.emplace_back(std::move(action));
    m_lastSend = now;
}

} // namespace mqtt
} // namespace ns3
