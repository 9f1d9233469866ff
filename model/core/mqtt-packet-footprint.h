/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What decoding and handling one packet costs in memory, read from its bytes before anything is
 * allocated (the memory budget's "packet-handling" use).
 */
#ifndef MQTT_PACKET_FOOTPRINT_H
#define MQTT_PACKET_FOOTPRINT_H

#include "mqtt-codec.h"

#include <cstddef>
#include <cstdint>

namespace ns3
{
namespace mqtt
{

/**
 * The heap a broker takes, transiently, to decode the whole packet @p packet (@p size bytes,
 * fixed header included) and handle it: for SUBSCRIBE and UNSUBSCRIBE, per filter, the decoded
 * request, its event (an action carrying the filter and @p clientIdSize bytes of client id) and
 * its return code, with the slack of the vectors growing by doubling. A 100,000-filter SUBSCRIBE
 * is about 1.5 MB on the wire and some 60 MB handled; counting its filters first lets the budget
 * refuse it before it is decoded. Other packets decode into at most about their own size, which
 * the partial-packet charge and the maximum packet size bound: 0 for them. Malformed bytes give
 * what was counted before the fault (the decoder then refuses the packet).
 */
std::size_t HandlingFootprint(const uint8_t* packet,
                              std::size_t size,
                              ProtocolVersion version,
                              std::size_t clientIdSize);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_PACKET_FOOTPRINT_H
