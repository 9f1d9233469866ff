/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Small helpers over the BSD socket calls the real-socket drivers share.
 */
#ifndef MQTT_POSIX_SOCKET_H
#define MQTT_POSIX_SOCKET_H

#include "mqtt-posix-endpoint.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace ns3
{
namespace mqtt
{

/**
 * A non-blocking, close-on-exec listening TCP socket bound to @p endpoint (SO_REUSEADDR; an
 * IPv6 socket is IPv6-only so "[::]" and "0.0.0.0" can both be listened on).
 * @return the descriptor, or -1 with @p error naming the endpoint and the reason.
 */
int PosixListen(const MqttPosixEndpoint& endpoint, int backlog, std::string& error);

/**
 * Starts a non-blocking TCP connection. @p inProgress tells whether the connection completes
 * later (the socket becomes writable; PosixSocketError() then says how it ended).
 * @return the descriptor, or -1 with @p error set.
 */
int PosixConnect(const MqttPosixEndpoint& endpoint, bool& inProgress, std::string& error);

/**
 * Accepts a pending connection of @p listenFd: non-blocking, close-on-exec, TCP_NODELAY, its
 * address in @p peer. @return the descriptor, or -1 with errno set (EAGAIN: none pending).
 */
int PosixAccept(int listenFd, MqttPosixEndpoint& peer);

/** What one read of a non-blocking socket found. */
enum class PosixReadStatus : uint8_t
{
    Data,   //!< bytes were read
    Again,  //!< nothing to read now
    Closed, //!< the peer closed (end of stream)
    Failed, //!< the connection is broken (errno tells why)
};

/** Reads at most @p size bytes into @p buffer (retrying EINTR); @p got says how many. */
PosixReadStatus PosixRead(int fd, uint8_t* buffer, std::size_t size, std::size_t& got);

/** The pending error of a socket (SO_ERROR), 0 if none. */
int PosixSocketError(int fd);

/** Turns Nagle's algorithm off: the drivers batch their writes themselves. */
void PosixSetNoDelay(int fd);

/** The local address of a socket (for listeners bound to port 0). */
MqttPosixEndpoint PosixLocalEndpoint(int fd);

/**
 * Raises the soft limit of open descriptors (RLIMIT_NOFILE) to the hard limit.
 * @return the soft limit in effect afterwards.
 */
uint64_t PosixRaiseFileLimit();

/** strerror() of @p error, thread-safe. */
std::string PosixErrorString(int error);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_POSIX_SOCKET_H
