/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The small enums every packet header needs: packet types, QoS and the protocol version.
 */
#ifndef MQTT_PACKET_TYPE_H
#define MQTT_PACKET_TYPE_H

#include <cstdint>

namespace ns3
{
namespace mqtt
{

/** Quality of service of a PUBLISH or a subscription (MQTT 3.1.1 section 4.3). */
enum class Qos : uint8_t
{
    AtMostOnce = 0,
    AtLeastOnce = 1,
    ExactlyOnce = 2,
};

/** Control packet types, the high nibble of the first byte (section 2.2.1). */
enum class PacketType : uint8_t
{
    Connect = 1,
    Connack = 2,
    Publish = 3,
    Puback = 4,
    Pubrec = 5,
    Pubrel = 6,
    Pubcomp = 7,
    Subscribe = 8,
    Suback = 9,
    Unsubscribe = 10,
    Unsuback = 11,
    Pingreq = 12,
    Pingresp = 13,
    Disconnect = 14,
    Auth = 15, //!< MQTT 5.0 only; reserved in 3.1.1
};

/**
 * The protocol a connection speaks, by the Protocol Level of its CONNECT (3.1.1 section 3.1.2.2,
 * 5.0 section 3.1.2.2).
 */
enum class ProtocolVersion : uint8_t
{
    Mqtt311 = 4,
    Mqtt5 = 5,
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_PACKET_TYPE_H
