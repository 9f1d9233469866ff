/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-reason-codes.h"

namespace ns3
{
namespace mqtt
{

namespace
{

/** One row of table 2-6: a code, its name and the packets it may stand in. */
struct ReasonRow
{
    uint8_t code;
    const char* name;
    uint16_t packets; //!< bit (1 << PacketType) per packet
};

constexpr uint16_t
Bit(PacketType t)
{
    return static_cast<uint16_t>(1u << static_cast<unsigned>(t));
}

constexpr uint16_t CONNACK = Bit(PacketType::Connack);
constexpr uint16_t PUBACK = Bit(PacketType::Puback);
constexpr uint16_t PUBREC = Bit(PacketType::Pubrec);
constexpr uint16_t PUBREL = Bit(PacketType::Pubrel);
constexpr uint16_t PUBCOMP = Bit(PacketType::Pubcomp);
constexpr uint16_t SUBACK = Bit(PacketType::Suback);
constexpr uint16_t UNSUBACK = Bit(PacketType::Unsuback);
constexpr uint16_t DISCONNECT = Bit(PacketType::Disconnect);
constexpr uint16_t AUTH = Bit(PacketType::Auth);

// Table 2-6, in its order.
constexpr ReasonRow TABLE[] = {
    {0x00, "Success", CONNACK | PUBACK | PUBREC | PUBREL | PUBCOMP | UNSUBACK | AUTH},
    {0x00, "Normal disconnection", DISCONNECT},
    {0x00, "Granted QoS 0", SUBACK},
    {0x01, "Granted QoS 1", SUBACK},
    {0x02, "Granted QoS 2", SUBACK},
    {0x04, "Disconnect with Will Message", DISCONNECT},
    {0x10, "No matching subscribers", PUBACK | PUBREC},
    {0x11, "No subscription existed", UNSUBACK},
    {0x18, "Continue authentication", AUTH},
    {0x19, "Re-authenticate", AUTH},
    {0x80, "Unspecified error", CONNACK | PUBACK | PUBREC | SUBACK | UNSUBACK | DISCONNECT},
    {0x81, "Malformed Packet", CONNACK | DISCONNECT},
    {0x82, "Protocol Error", CONNACK | DISCONNECT},
    {0x83,
     "Implementation specific error",
     CONNACK | PUBACK | PUBREC | SUBACK | UNSUBACK | DISCONNECT},
    {0x84, "Unsupported Protocol Version", CONNACK},
    {0x85, "Client Identifier not valid", CONNACK},
    {0x86, "Bad User Name or Password", CONNACK},
    {0x87, "Not authorized", CONNACK | PUBACK | PUBREC | SUBACK | UNSUBACK | DISCONNECT},
    {0x88, "Server unavailable", CONNACK},
    {0x89, "Server busy", CONNACK | DISCONNECT},
    {0x8A, "Banned", CONNACK},
    {0x8B, "Server shutting down", DISCONNECT},
    {0x8C, "Bad authentication method", CONNACK | DISCONNECT},
    {0x8D, "Keep Alive timeout", DISCONNECT},
    {0x8E, "Session taken over", DISCONNECT},
    {0x8F, "Topic Filter invalid", SUBACK | UNSUBACK | DISCONNECT},
    {0x90, "Topic Name invalid", CONNACK | PUBACK | PUBREC | DISCONNECT},
    {0x91, "Packet Identifier in use", PUBACK | PUBREC | SUBACK | UNSUBACK},
    {0x92, "Packet Identifier not found", PUBREL | PUBCOMP},
    {0x93, "Receive Maximum exceeded", DISCONNECT},
    {0x94, "Topic Alias invalid", DISCONNECT},
    {0x95, "Packet too large", CONNACK | DISCONNECT},
    {0x96, "Message rate too high", DISCONNECT},
    {0x97, "Quota exceeded", CONNACK | PUBACK | PUBREC | SUBACK | DISCONNECT},
    {0x98, "Administrative action", DISCONNECT},
    {0x99, "Payload format invalid", CONNACK | PUBACK | PUBREC | DISCONNECT},
    {0x9A, "Retain not supported", CONNACK | DISCONNECT},
    {0x9B, "QoS not supported", CONNACK | DISCONNECT},
    {0x9C, "Use another server", CONNACK | DISCONNECT},
    {0x9D, "Server moved", CONNACK | DISCONNECT},
    {0x9E, "Shared Subscriptions not supported", SUBACK | DISCONNECT},
    {0x9F, "Connection rate exceeded", CONNACK | DISCONNECT},
    {0xA0, "Maximum connect time", DISCONNECT},
    {0xA1, "Subscription Identifiers not supported", SUBACK | DISCONNECT},
    {0xA2, "Wildcard Subscriptions not supported", SUBACK | DISCONNECT},
};

const ReasonRow*
Find(uint8_t code, uint16_t packets)
{
    for (const ReasonRow& row : TABLE)
    {
        if (row.code == code && (row.packets & packets) != 0)
        {
            return &row;
        }
    }
    return nullptr;
}

} // namespace

bool
IsReasonCodeAllowed(PacketType type, uint8_t code)
{
    return Find(code, Bit(type)) != nullptr;
}

const char*
ReasonCodeName(ReasonCode code, PacketType type)
{
    const ReasonRow* row = Find(static_cast<uint8_t>(code), Bit(type));
    return row ? row->name : "Unknown";
}

const char*
ReasonCodeName(ReasonCode code)
{
    const ReasonRow* row = Find(static_cast<uint8_t>(code), 0xFFFF);
    return row ? row->name : "Unknown";
}

} // namespace mqtt
} // namespace ns3
