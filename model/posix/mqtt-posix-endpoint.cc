/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-posix-endpoint.h"

#include <cstring>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

namespace ns3
{
namespace mqtt
{

MqttPosixEndpoint::MqttPosixEndpoint()
    : m_addr{}
    , m_length(0)
{
}

namespace
{

/** Splits HOST:PORT or [IPV6]:PORT and checks the port. @return false with @p error set. */
bool
SplitHostPort(const std::string& text, std::string& host, uint16_t& port, std::string& error)
{
    std::string portText;
    if (!text.empty() && text[0] == '[')
    {
        std::size_t close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
        {
            error = "'" + text + "': expected [IPV6]:PORT";
            return false;
        }
        host = text.substr(1, close - 1);
        portText = text.substr(close + 2);
    }
    else
    {
        std::size_t colon = text.rfind(':');
        if (colon == std::string::npos || text.find(':') != colon)
        {
            error = "'" + text + "': expected HOST:PORT (IPv6 as [ADDR]:PORT)";
            return false;
        }
        host = text.substr(0, colon);
        portText = text.substr(colon + 1);
    }
    if (host.empty())
    {
        error = "'" + text + "': empty host";
        return false;
    }
    if (portText.empty() || portText.size() > 5 ||
        portText.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(portText) > 65535)
    {
        error = "'" + text + "': port must be a number from 0 to 65535";
        return false;
    }
    port = static_cast<uint16_t>(std::stoul(portText));
    return true;
}

} // namespace

bool
MqttPosixEndpoint::Parse(const std::string& text, MqttPosixEndpoint& out, std::string& error)
{
    std::string host;
    uint16_t portNumber = 0;
    if (!SplitHostPort(text, host, portNumber, error))
    {
        return false;
    }
    in_addr v4{};
    in6_addr v6{};
    MqttPosixEndpoint result;
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1)
    {
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_addr = v4;
        result = FromSockaddr(reinterpret_cast<const sockaddr*>(&sin), sizeof(sin));
    }
    else if (inet_pton(AF_INET6, host.c_str(), &v6) == 1)
    {
        sockaddr_in6 sin6{};
        sin6.sin6_family = AF_INET6;
        sin6.sin6_addr = v6;
        result = FromSockaddr(reinterpret_cast<const sockaddr*>(&sin6), sizeof(sin6));
    }
    else
    {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* list = nullptr;
        int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
        if (rc != 0 || list == nullptr)
        {
            error = "'" + text + "': cannot resolve host '" + host + "': " + gai_strerror(rc);
            return false;
        }
        result = FromSockaddr(list->ai_addr, list->ai_addrlen);
        freeaddrinfo(list);
    }
    // One place sets the port, whether the address was literal or resolved.
    if (result.Family() == AF_INET)
    {
        reinterpret_cast<sockaddr_in*>(&result.m_addr)->sin_port = htons(portNumber);
    }
    else
    {
        reinterpret_cast<sockaddr_in6*>(&result.m_addr)->sin6_port = htons(portNumber);
    }
    out = result;
    return true;
}

MqttPosixEndpoint
MqttPosixEndpoint::FromSockaddr(const sockaddr* addr, socklen_t length)
{
    MqttPosixEndpoint result;
    if (length > sizeof(result.m_addr))
    {
        length = sizeof(result.m_addr);
    }
    std::memcpy(&result.m_addr, addr, length);
    result.m_length = length;
    return result;
}

std::string
MqttPosixEndpoint::ToString() const
{
    char buffer[INET6_ADDRSTRLEN] = {0};
    if (Family() == AF_INET)
    {
        auto sin = reinterpret_cast<const sockaddr_in*>(&m_addr);
        inet_ntop(AF_INET, &sin->sin_addr, buffer, sizeof(buffer));
        return std::string(buffer) + ":" + std::to_string(Port());
    }
    if (Family() == AF_INET6)
    {
        auto sin6 = reinterpret_cast<const sockaddr_in6*>(&m_addr);
        inet_ntop(AF_INET6, &sin6->sin6_addr, buffer, sizeof(buffer));
        return "[" + std::string(buffer) + "]:" + std::to_string(Port());
    }
    return "?";
}

int
MqttPosixEndpoint::Family() const
{
    return m_length == 0 ? AF_UNSPEC : m_addr.ss_family;
}

uint16_t
MqttPosixEndpoint::Port() const
{
    if (Family() == AF_INET)
    {
        return ntohs(reinterpret_cast<const sockaddr_in*>(&m_addr)->sin_port);
    }
    if (Family() == AF_INET6)
    {
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&m_addr)->sin6_port);
    }
    return 0;
}

const sockaddr*
MqttPosixEndpoint::Address() const
{
    return reinterpret_cast<const sockaddr*>(&m_addr);
}

socklen_t
MqttPosixEndpoint::AddressLength() const
{
    return m_length;
}

} // namespace mqtt
} // namespace ns3
