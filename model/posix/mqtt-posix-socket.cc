/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-posix-socket.h"

#include <cerrno>
#include <cstring>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ns3
{
namespace mqtt
{

int
PosixListen(const MqttPosixEndpoint& endpoint, int backlog, std::string& error)
{
    int fd = socket(endpoint.Family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
    {
        error = "listen " + endpoint.ToString() + ": socket: " + PosixErrorString(errno);
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (endpoint.Family() == AF_INET6)
    {
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    }
    if (bind(fd, endpoint.Address(), endpoint.AddressLength()) != 0)
    {
        error = "listen " + endpoint.ToString() + ": bind: " + PosixErrorString(errno);
        close(fd);
        return -1;
    }
    if (listen(fd, backlog) != 0)
    {
        error = "listen " + endpoint.ToString() + ": listen: " + PosixErrorString(errno);
        close(fd);
        return -1;
    }
    return fd;
}

int
PosixConnect(const MqttPosixEndpoint& endpoint, bool& inProgress, std::string& error)
{
    inProgress = false;
    int fd = socket(endpoint.Family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
    {
        error = "connect " + endpoint.ToString() + ": socket: " + PosixErrorString(errno);
        return -1;
    }
    PosixSetNoDelay(fd);
    if (connect(fd, endpoint.Address(), endpoint.AddressLength()) != 0)
    {
        if (errno != EINPROGRESS)
        {
            error = "connect " + endpoint.ToString() + ": " + PosixErrorString(errno);
            close(fd);
            return -1;
        }
        inProgress = true;
    }
    return fd;
}

int
PosixAccept(int listenFd, MqttPosixEndpoint& peer)
{
    sockaddr_storage addr{};
    socklen_t length = sizeof(addr);
    int fd = accept4(
        listenFd, reinterpret_cast<sockaddr*>(&addr), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0)
    {
        PosixSetNoDelay(fd);
        peer = MqttPosixEndpoint::FromSockaddr(reinterpret_cast<sockaddr*>(&addr), length);
    }
    return fd;
}

PosixReadStatus
PosixRead(int fd, uint8_t* buffer, std::size_t size, std::size_t& got)
{
    ssize_t n;
    do
    {
        n = recv(fd, buffer, size, 0);
    } while (n < 0 && errno == EINTR);
    got = n > 0 ? static_cast<std::size_t>(n) : 0;
    if (n > 0)
    {
        return PosixReadStatus::Data;
    }
    if (n == 0)
    {
        return PosixReadStatus::Closed;
    }
    return errno == EAGAIN || errno == EWOULDBLOCK ? PosixReadStatus::Again
                                                   : PosixReadStatus::Failed;
}

int
PosixSocketError(int fd)
{
    int value = 0;
    socklen_t length = sizeof(value);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) != 0)
    {
        return errno;
    }
    return value;
}

void
PosixSetNoDelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

MqttPosixEndpoint
PosixLocalEndpoint(int fd)
{
    sockaddr_storage addr{};
    socklen_t length = sizeof(addr);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0)
    {
        return MqttPosixEndpoint();
    }
    return MqttPosixEndpoint::FromSockaddr(reinterpret_cast<sockaddr*>(&addr), length);
}

uint64_t
PosixRaiseFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
    {
        return 0;
    }
    if (limit.rlim_cur < limit.rlim_max)
    {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
        {
            limit = raised;
        }
    }
    return static_cast<uint64_t>(limit.rlim_cur);
}

std::string
PosixErrorString(int error)
{
    char buffer[128] = {0};
    // The GNU strerror_r returns a pointer that may or may not be buffer.
    const char* text = strerror_r(error, buffer, sizeof(buffer));
    return text != nullptr ? std::string(text) : std::to_string(error);
}

} // namespace mqtt
} // namespace ns3
