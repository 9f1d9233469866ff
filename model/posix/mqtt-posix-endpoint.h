/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A TCP endpoint (IPv4 or IPv6 address and port) for the real-socket drivers.
 */
#ifndef MQTT_POSIX_ENDPOINT_H
#define MQTT_POSIX_ENDPOINT_H

#include <cstdint>
#include <string>

#include <sys/socket.h>

namespace ns3
{
namespace mqtt
{

/** An IPv4 or IPv6 socket address, written "HOST:PORT" or "[V6ADDR]:PORT". */
class MqttPosixEndpoint
{
  public:
    MqttPosixEndpoint();

    /**
     * Parses "1.2.3.4:1883", "[::1]:1883", "localhost:1883" (a name is resolved, first address
     * wins). Port 0 is allowed (the kernel chooses, for listeners).
     * @return false with @p error naming what is wrong.
     */
    static bool Parse(const std::string& text, MqttPosixEndpoint& out, std::string& error);

    /** The endpoint of a socket address (from accept, getsockname or getpeername). */
    static MqttPosixEndpoint FromSockaddr(const sockaddr* addr, socklen_t length);

    /** "1.2.3.4:1883" or "[::1]:1883". */
    std::string ToString() const;

    int Family() const;
    uint16_t Port() const;
    const sockaddr* Address() const;
    socklen_t AddressLength() const;

  private:
    sockaddr_storage m_addr;
    socklen_t m_length;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_POSIX_ENDPOINT_H
