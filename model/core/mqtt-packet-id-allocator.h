/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Packet Identifiers in use by one sender (MQTT 3.1.1 section 2.3.1).
 */
#ifndef MQTT_PACKET_ID_ALLOCATOR_H
#define MQTT_PACKET_ID_ALLOCATOR_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ns3
{
namespace mqtt
{

/**
 * The set of non-zero 16-bit Packet Identifiers a sender has in use, and allocation of unused
 * ones [MQTT-2.3.1-1], [MQTT-2.3.1-2]. An identifier stays in use until Release() (the final
 * ack was processed [MQTT-2.3.1-3]).
 *
 * New identifiers are taken round-robin after the last one handed out, so a just-freed id is not
 * reused at once (a late ack cannot be mistaken for the new message's). The in-use set is a sorted
 * vector: two bytes per id in use and nothing when idle, so a broker can hold one per session;
 * with ids allocated and freed roughly in order every operation touches the vector's ends.
 * The same class serves as a plain id set (Reserve / Contains / Release), e.g. for the QoS 2
 * identifiers a receiver has seen but not yet released.
 */
class MqttPacketIdAllocator
{
  public:
    /** The number of usable identifiers (1 to 65535). */
    static constexpr std::size_t CAPACITY = 65535;

    /** Returns an unused identifier and marks it used; 0 when all 65535 are in use. */
    uint16_t Allocate();

    /** Marks @p id used (e.g. restored from a stored session). False if 0 or already used. */
    bool Reserve(uint16_t id);

    /** Frees @p id. False if it was not in use. */
    bool Release(uint16_t id);

    bool Contains(uint16_t id) const;

    /** Identifiers in use. */
    std::size_t Size() const;

    bool Full() const;

    /** Frees every identifier; allocation starts again at 1. */
    void Clear();

  private:
    std::vector<uint16_t> m_used; //!< sorted ascending
    uint16_t m_last = 0;          //!< the last id handed out by Allocate()
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_PACKET_ID_ALLOCATOR_H
