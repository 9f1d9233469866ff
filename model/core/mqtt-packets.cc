/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-packets.h"

namespace ns3
{
namespace mqtt
{

PacketType
TypeOf(const Packet& packet)
{
    // The variant's alternatives are declared in PacketType order, starting at CONNECT = 1.
    return static_cast<PacketType>(packet.index() + 1);
}

const char*
PacketTypeName(PacketType type)
{
    switch (type)
    {
    case PacketType::Connect:
        return "CONNECT";
    case PacketType::Connack:
        return "CONNACK";
    case PacketType::Publish:
        return "PUBLISH";
    case PacketType::Puback:
        return "PUBACK";
    case PacketType::Pubrec:
        return "PUBREC";
    case PacketType::Pubrel:
        return "PUBREL";
    case PacketType::Pubcomp:
        return "PUBCOMP";
    case PacketType::Subscribe:
        return "SUBSCRIBE";
    case PacketType::Suback:
        return "SUBACK";
    case PacketType::Unsubscribe:
        return "UNSUBSCRIBE";
    case PacketType::Unsuback:
        return "UNSUBACK";
    case PacketType::Pingreq:
        return "PINGREQ";
    case PacketType::Pingresp:
        return "PINGRESP";
    case PacketType::Disconnect:
        return "DISCONNECT";
    case PacketType::Auth:
        return "AUTH";
    }
    return "RESERVED";
}

bool
operator==(const Will& a, const Will& b)
{
    return a.topic == b.topic && a.payload == b.payload && a.qos == b.qos && a.retain == b.retain &&
           a.properties == b.properties;
}

bool
operator==(const ConnectPacket& a, const ConnectPacket& b)
{
    return a.protocolName == b.protocolName && a.protocolLevel == b.protocolLevel &&
           a.cleanSession == b.cleanSession && a.keepAliveSeconds == b.keepAliveSeconds &&
           a.clientId == b.clientId && a.will == b.will && a.userName == b.userName &&
           a.password == b.password && a.properties == b.properties;
}

bool
operator==(const ConnackPacket& a, const ConnackPacket& b)
{
    return a.sessionPresent == b.sessionPresent && a.returnCode == b.returnCode &&
           a.reasonCode == b.reasonCode && a.properties == b.properties;
}

bool
operator==(const PublishPacket& a, const PublishPacket& b)
{
    return a.dup == b.dup && a.qos == b.qos && a.retain == b.retain && a.topic == b.topic &&
           a.packetId == b.packetId && a.payload == b.payload && a.properties == b.properties;
}

bool
operator==(const PubackPacket& a, const PubackPacket& b)
{
    return a.packetId == b.packetId && a.reasonCode == b.reasonCode && a.properties == b.properties;
}

bool
operator==(const PubrecPacket& a, const PubrecPacket& b)
{
    return a.packetId == b.packetId && a.reasonCode == b.reasonCode && a.properties == b.properties;
}

bool
operator==(const PubrelPacket& a, const PubrelPacket& b)
{
    return a.packetId == b.packetId && a.reasonCode == b.reasonCode && a.properties == b.properties;
}

bool
operator==(const PubcompPacket& a, const PubcompPacket& b)
{
    return a.packetId == b.packetId && a.reasonCode == b.reasonCode && a.properties == b.properties;
}

bool
operator==(const TopicRequest& a, const TopicRequest& b)
{
    return a.filter == b.filter && a.qos == b.qos && a.noLocal == b.noLocal &&
           a.retainAsPublished == b.retainAsPublished && a.retainHandling == b.retainHandling;
}

bool
operator==(const SubscribePacket& a, const SubscribePacket& b)
{
    return a.packetId == b.packetId && a.topics == b.topics && a.properties == b.properties;
}

bool
operator==(const SubackPacket& a, const SubackPacket& b)
{
    return a.packetId == b.packetId && a.returnCodes == b.returnCodes &&
           a.properties == b.properties;
}

bool
operator==(const UnsubscribePacket& a, const UnsubscribePacket& b)
{
    return a.packetId == b.packetId && a.filters == b.filters && a.properties == b.properties;
}

bool
operator==(const UnsubackPacket& a, const UnsubackPacket& b)
{
    return a.packetId == b.packetId && a.reasonCodes == b.reasonCodes &&
           a.properties == b.properties;
}

bool
operator==(const PingreqPacket&, const PingreqPacket&)
{
    return true;
}

bool
operator==(const PingrespPacket&, const PingrespPacket&)
{
    return true;
}

bool
operator==(const DisconnectPacket& a, const DisconnectPacket& b)
{
    return a.reasonCode == b.reasonCode && a.properties == b.properties;
}

bool
operator==(const AuthPacket& a, const AuthPacket& b)
{
    return a.reasonCode == b.reasonCode && a.properties == b.properties;
}

} // namespace mqtt
} // namespace ns3
