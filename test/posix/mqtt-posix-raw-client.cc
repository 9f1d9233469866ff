/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-posix-raw-client.h"

#include "mqtt-codec.h"

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ns3
{
namespace mqtt
{
namespace test
{

namespace
{

using Clock = std::chrono::steady_clock;

bool
LoopbackAddress(const std::string& host, uint16_t port, sockaddr_storage& addr, socklen_t& length)
{
    std::memset(&addr, 0, sizeof(addr));
    auto* sin = reinterpret_cast<sockaddr_in*>(&addr);
    if (inet_pton(AF_INET, host.c_str(), &sin->sin_addr) == 1)
    {
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        length = sizeof(sockaddr_in);
        return true;
    }
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&addr);
    if (inet_pton(AF_INET6, host.c_str(), &sin6->sin6_addr) == 1)
    {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        length = sizeof(sockaddr_in6);
        return true;
    }
    return false;
}

} // namespace

RawClient::~RawClient()
{
    Close();
}

void
RawClient::SetReceiveBuffer(int bytes)
{
    m_receiveBuffer = bytes;
}

bool
RawClient::Connect(uint16_t port, const std::string& host)
{
    Close();
    sockaddr_storage addr;
    socklen_t length = 0;
    if (!LoopbackAddress(host, port, addr, length))
    {
        return false;
    }
    m_fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0)
    {
        return false;
    }
    if (m_receiveBuffer > 0)
    {
        setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &m_receiveBuffer, sizeof(m_receiveBuffer));
    }
    int one = 1;
    setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(m_fd, reinterpret_cast<sockaddr*>(&addr), length) != 0)
    {
        Close();
        return false;
    }
    m_reader.Reset();
    return true;
}

void
RawClient::Close()
{
    if (m_fd >= 0)
    {
        close(m_fd);
        m_fd = -1;
    }
}

int
RawClient::Fd() const
{
    return m_fd;
}

bool
RawClient::SendBytes(const std::vector<uint8_t>& bytes)
{
    std::size_t done = 0;
    while (done < bytes.size())
    {
        ssize_t n = send(m_fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n <= 0)
        {
            if (n < 0 && errno == EINTR)
            {
                continue;
            }
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool
RawClient::Send(const Packet& packet)
{
    std::vector<uint8_t> bytes;
    Encode(packet, bytes);
    return SendBytes(bytes);
}

std::optional<Packet>
RawClient::Read(std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + timeout;
    while (m_fd >= 0)
    {
        Packet packet;
        DecodeResult result = m_reader.Next(packet);
        if (result.status == DecodeStatus::Complete)
        {
            return packet;
        }
        if (result.status == DecodeStatus::Error)
        {
            return std::nullopt;
        }
        pollfd pfd{m_fd, POLLIN, 0};
        if (poll(&pfd, 1, RemainingMs(deadline)) <= 0)
        {
            return std::nullopt;
        }
        uint8_t buffer[65536];
        ssize_t n = recv(m_fd, buffer, sizeof(buffer), 0);
        if (n <= 0)
        {
            return std::nullopt;
        }
        m_reader.Append(buffer, static_cast<std::size_t>(n));
    }
    return std::nullopt;
}

bool
RawClient::WaitClosed(std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + timeout;
    while (m_fd >= 0)
    {
        pollfd pfd{m_fd, POLLIN, 0};
        int ready = poll(&pfd, 1, RemainingMs(deadline));
        if (ready <= 0)
        {
            return false;
        }
        uint8_t buffer[65536];
        ssize_t n = recv(m_fd, buffer, sizeof(buffer), 0);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
        {
            return true;
        }
    }
    return true;
}

int
RawClient::MqttConnect(const std::string& clientId,
                       uint16_t keepAlive,
                       bool cleanSession,
                       std::chrono::milliseconds timeout)
{
    ConnectPacket connect;
    connect.clientId = clientId;
    connect.keepAliveSeconds = keepAlive;
    connect.cleanSession = cleanSession;
    if (!Send(connect))
    {
        return -1;
    }
    std::optional<Packet> reply = Read(timeout);
    if (!reply || !std::holds_alternative<ConnackPacket>(*reply))
    {
        return -1;
    }
    return static_cast<int>(std::get<ConnackPacket>(*reply).returnCode);
}

int
RawClient::MqttSubscribe(const std::string& filter, Qos qos, std::chrono::milliseconds timeout)
{
    SubscribePacket subscribe;
    subscribe.packetId = m_nextPacketId++;
    subscribe.topics.push_back(TopicRequest{filter, qos});
    if (!Send(subscribe))
    {
        return -1;
    }
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline)
    {
        std::optional<Packet> reply = Read(std::chrono::milliseconds(RemainingMs(deadline)));
        if (!reply)
        {
            return -1;
        }
        if (auto* suback = std::get_if<SubackPacket>(&*reply))
        {
            if (suback->packetId != subscribe.packetId || suback->returnCodes.size() != 1)
            {
                return -1;
            }
            return suback->returnCodes[0];
        }
        // A retained message may come before the SUBACK is read; skip it.
    }
    return -1;
}

std::vector<uint8_t>
RawClient::PublishBytes(const std::string& topic,
                        const std::vector<uint8_t>& payload,
                        Qos qos,
                        uint16_t packetId)
{
    PublishPacket publish;
    publish.topic = topic;
    publish.payload = payload;
    publish.qos = qos;
    publish.packetId = qos == Qos::AtMostOnce ? 0 : packetId;
    std::vector<uint8_t> bytes;
    Encode(publish, bytes);
    return bytes;
}

std::optional<std::chrono::microseconds>
EchoRoundTrip(RawClient& client,
              const std::string& topic,
              uint16_t packetId,
              std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + timeout;
    const std::vector<uint8_t> payload = {'o', 'k'};
    auto sent = Clock::now();
    if (!client.SendBytes(RawClient::PublishBytes(topic, payload, Qos::AtLeastOnce, packetId)))
    {
        return std::nullopt;
    }
    bool acked = false;
    std::optional<std::chrono::microseconds> roundTrip;
    while (!(acked && roundTrip) && Clock::now() < deadline)
    {
        std::optional<Packet> packet =
            client.Read(std::chrono::milliseconds(RemainingMs(deadline)));
        if (!packet)
        {
            return std::nullopt;
        }
        if (auto* puback = std::get_if<PubackPacket>(&*packet))
        {
            acked = acked || puback->packetId == packetId;
        }
        else if (auto* publish = std::get_if<PublishPacket>(&*packet))
        {
            if (publish->topic == topic && publish->payload == payload)
            {
                roundTrip =
                    std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent);
            }
            if (publish->qos == Qos::AtLeastOnce)
            {
                client.Send(PubackPacket{publish->packetId});
            }
        }
    }
    if (!acked || !roundTrip)
    {
        return std::nullopt;
    }
    return roundTrip;
}

std::optional<std::chrono::microseconds>
ProbeBroker(uint16_t port,
            const std::string& clientId,
            std::chrono::milliseconds timeout,
            const std::string& host)
{
    auto deadline = Clock::now() + timeout;
    RawClient client;
    const std::string topic = "probe/" + clientId;
    if (!client.Connect(port, host) || client.MqttConnect(clientId, 60, true, timeout) != 0 ||
        client.MqttSubscribe(topic, Qos::AtLeastOnce, timeout) != 1)
    {
        return std::nullopt;
    }
    std::optional<std::chrono::microseconds> roundTrip =
        EchoRoundTrip(client, topic, 7, std::chrono::milliseconds(RemainingMs(deadline)));
    if (roundTrip)
    {
        client.Send(DisconnectPacket{});
    }
    return roundTrip;
}

std::vector<uint8_t>
NumberedQos1Flood(const std::string& topic, uint16_t count)
{
    std::vector<uint8_t> bytes;
    for (uint16_t id = 1; id <= count; ++id)
    {
        std::vector<uint8_t> payload = {static_cast<uint8_t>(id >> 8),
                                        static_cast<uint8_t>(id & 0xff)};
        std::vector<uint8_t> one = RawClient::PublishBytes(topic, payload, Qos::AtLeastOnce, id);
        bytes.insert(bytes.end(), one.begin(), one.end());
    }
    return bytes;
}

std::size_t
CountPubacks(RawClient& client, std::size_t want, std::chrono::milliseconds quiet)
{
    std::size_t count = 0;
    while (count < want)
    {
        std::optional<Packet> packet = client.Read(quiet);
        if (!packet)
        {
            break;
        }
        count += std::holds_alternative<PubackPacket>(*packet) ? 1 : 0;
    }
    return count;
}

std::vector<uint16_t>
ReceiveNumbered(RawClient& subscriber, std::size_t want, std::chrono::milliseconds quiet)
{
    std::vector<uint16_t> got;
    while (got.size() < want)
    {
        std::optional<Packet> packet = subscriber.Read(quiet);
        if (!packet)
        {
            break;
        }
        if (const auto* publish = std::get_if<PublishPacket>(&*packet))
        {
            got.push_back(
                static_cast<uint16_t>(publish->payload.at(0) << 8 | publish->payload.at(1)));
            if (!subscriber.Send(PubackPacket{publish->packetId}))
            {
                break;
            }
        }
    }
    return got;
}

} // namespace test
} // namespace mqtt
} // namespace ns3
