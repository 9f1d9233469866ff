/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Bit layouts of MQTT 3.1.1 and 5.0 header fields, shared by the decoder and the encoder (internal
 * to the codec: not part of its interface).
 */
#ifndef MQTT_CODEC_FLAGS_H
#define MQTT_CODEC_FLAGS_H

#include <cstdint>

namespace ns3
{
namespace mqtt
{
namespace wire
{

/** Bits of the CONNECT flags byte (section 3.1.2.3). */
inline constexpr uint8_t CONNECT_RESERVED = 0x01;
inline constexpr uint8_t CONNECT_CLEAN_SESSION = 0x02;
inline constexpr uint8_t CONNECT_WILL = 0x04;
inline constexpr uint8_t CONNECT_WILL_QOS_SHIFT = 3;
inline constexpr uint8_t CONNECT_WILL_RETAIN = 0x20;
inline constexpr uint8_t CONNECT_PASSWORD = 0x40;
inline constexpr uint8_t CONNECT_USER_NAME = 0x80;

/** Bits of the PUBLISH fixed-header flags (section 3.3.1). */
inline constexpr uint8_t PUBLISH_DUP = 0x08;
inline constexpr uint8_t PUBLISH_QOS_SHIFT = 1;
inline constexpr uint8_t PUBLISH_RETAIN = 0x01;

/** Bits of the 5.0 Subscription Options byte (section 3.8.3.1). */
inline constexpr uint8_t SUBSCRIBE_QOS_MASK = 0x03;
inline constexpr uint8_t SUBSCRIBE_NO_LOCAL = 0x04;
inline constexpr uint8_t SUBSCRIBE_RETAIN_AS_PUBLISHED = 0x08;
inline constexpr uint8_t SUBSCRIBE_RETAIN_HANDLING_SHIFT = 4;
inline constexpr uint8_t SUBSCRIBE_OPTIONS_RESERVED = 0xC0;

/** The highest CONNACK return code in use (table 3.1). */
inline constexpr uint8_t MAX_CONNACK_RETURN_CODE = 5;

} // namespace wire
} // namespace mqtt
} // namespace ns3

#endif // MQTT_CODEC_FLAGS_H
