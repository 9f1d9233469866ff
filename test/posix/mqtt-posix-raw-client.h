/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A blocking raw MQTT connection for the real-socket tests, built on the codec, and the checks
 * made with it (a broker serves a well-behaved client, numbered floods and their counts).
 */
#ifndef MQTT_POSIX_RAW_CLIENT_H
#define MQTT_POSIX_RAW_CLIENT_H

#include "mqtt-frame-reader.h"
#include "mqtt-packets.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{
namespace test
{

using namespace std::chrono_literals;

/** Milliseconds from now to @p deadline, 0 once it passed (a poll() timeout). */
int RemainingMs(std::chrono::steady_clock::time_point deadline);

/** A blocking TCP connection speaking MQTT through the codec, with timeouts; for tests only. */
class RawClient
{
  public:
    RawClient() = default;
    ~RawClient();
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    bool Connect(uint16_t port, const std::string& host = "127.0.0.1");
    void Close();
    int Fd() const;
    /** Sets SO_RCVBUF (before Connect to take effect on the window). */
    void SetReceiveBuffer(int bytes);

    bool SendBytes(const std::vector<uint8_t>& bytes);
    bool Send(const Packet& packet);
    /** The next packet within @p timeout, or nothing (timeout, close or malformed input). */
    std::optional<Packet> Read(std::chrono::milliseconds timeout);
    /** Whether the peer closes the connection within @p timeout (bytes before EOF are skipped). */
    bool WaitClosed(std::chrono::milliseconds timeout);

    /** CONNECT and CONNACK; returns the CONNACK return code or -1. */
    int MqttConnect(const std::string& clientId,
                    uint16_t keepAlive = 60,
                    bool cleanSession = true,
                    std::chrono::milliseconds timeout = 5000ms);
    /** SUBSCRIBE one filter; returns the SUBACK return code or -1. */
    int MqttSubscribe(const std::string& filter,
                      Qos qos,
                      std::chrono::milliseconds timeout = 5000ms);
    /** A PUBLISH packet on the wire. */
    static std::vector<uint8_t> PublishBytes(const std::string& topic,
                                             const std::vector<uint8_t>& payload,
                                             Qos qos,
                                             uint16_t packetId);

  private:
    int m_fd = -1;
    int m_receiveBuffer = 0;
    uint16_t m_nextPacketId = 1;
    MqttFrameReader m_reader;
};

/**
 * Checks that the broker on @p port serves a well-behaved client: CONNECT, SUBSCRIBE QoS 1 to a
 * topic of its own, PUBLISH QoS 1 to it, and PUBACK plus the message back, all within
 * @p timeout. @return the round trip from PUBLISH to the message's arrival, or nothing on failure.
 */
std::optional<std::chrono::microseconds> ProbeBroker(uint16_t port,
                                                     const std::string& clientId,
                                                     std::chrono::milliseconds timeout = 5000ms,
                                                     const std::string& host = "127.0.0.1");

/**
 * @p client, subscribed at QoS 1 to @p topic, publishes "ok" there at QoS 1 with @p packetId and
 * reads (acknowledging what comes) until the PUBACK and its message are back. @return the round
 * trip from the PUBLISH to the message's arrival, or nothing if not both came within @p timeout.
 */
std::optional<std::chrono::microseconds> EchoRoundTrip(RawClient& client,
                                                       const std::string& topic,
                                                       uint16_t packetId,
                                                       std::chrono::milliseconds timeout = 5000ms);

/**
 * QoS 1 PUBLISHes on @p topic with packet ids 1..@p count, each payload its id (2 bytes, big
 * endian), in one buffer: a publisher that outruns its subscriber (back-pressure tests).
 */
std::vector<uint8_t> NumberedQos1Flood(const std::string& topic, uint16_t count);

/** PUBACKs read until @p want arrived or nothing came for @p quiet. */
std::size_t CountPubacks(RawClient& client, std::size_t want, std::chrono::milliseconds quiet);

/**
 * Reads PUBLISHes of NumberedQos1Flood (acknowledging each) until @p want arrived or nothing came
 * for @p quiet. @return their numbers, in arrival order.
 */
std::vector<uint16_t> ReceiveNumbered(RawClient& subscriber,
                                      std::size_t want,
                                      std::chrono::milliseconds quiet);

} // namespace test
} // namespace mqtt
} // namespace ns3

#endif // MQTT_POSIX_RAW_CLIENT_H
