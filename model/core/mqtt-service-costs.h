/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What a broker's CPU spends per operation: the operations the service model charges (accept,
 * connect, publish-qos1, delivery, byte-in, ...), the work the engine did for one piece of input
 * counted by operation, and the cost table that turns that work into a CPU duration. Costs are
 * kept in picoseconds so per-byte costs below a nanosecond ("0.4ns") are exact.
 */
#ifndef MQTT_SERVICE_COSTS_H
#define MQTT_SERVICE_COSTS_H

#include "mqtt-units.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** An operation the broker's CPU pays for (doc/capacity.md, "Service model"). */
enum class MqttServiceOp : uint8_t
{
    Accept = 0,   //!< a new transport connection
    Connect,      //!< a CONNECT handled, authentication included
    PublishQos0,  //!< an inbound PUBLISH of QoS 0
    PublishQos1,  //!< an inbound PUBLISH of QoS 1
    PublishQos2,  //!< an inbound PUBLISH of QoS 2
    Ack,          //!< each inbound PUBACK, PUBREC, PUBREL or PUBCOMP
    Subscribe,    //!< a SUBSCRIBE packet
    Filter,       //!< each topic filter of a SUBSCRIBE or UNSUBSCRIBE
    Unsubscribe,  //!< an UNSUBSCRIBE packet
    Pingreq,      //!< a PINGREQ
    Disconnect,   //!< a DISCONNECT, or a connection loss handled
    Match,        //!< each subscription a PUBLISH matched
    Delivery,     //!< each outbound PUBLISH (retained ones and re-sends included)
    ByteIn,       //!< each byte read
    ByteOut,      //!< each byte written
    TlsHandshake, //!< a TLS handshake (0 until TLS exists)
    Read,         //!< each read of a connection's socket (one per connection per reactor turn;
                  //!< with read-per packet, one per packet read)
    Write,        //!< each flush of a connection's output (one per connection per turn)
    Wait,         //!< each turn of the broker's loop: its epoll_wait and the wakeup
    Wakeup,       //!< each turn on a core that was idle: its thread slept and is woken
    Auth,         //!< each credential check: a CONNECT's password, or an enhanced auth step
};

/** Number of MqttServiceOp values. */
constexpr std::size_t MQTT_SERVICE_OPS = 21;

/** The operation's key: "publish-qos1", as in service-cost-publish-qos1 and costs.NAME. */
const char* MqttServiceOpName(MqttServiceOp op);

/** What the operation is, for help texts: "an inbound PUBLISH of QoS 1". */
const char* MqttServiceOpDoc(MqttServiceOp op);

/** The operation named @p name, or nothing. */
std::optional<MqttServiceOp> MqttServiceOpByName(const std::string& name);

/** Every operation name, in enum order. */
std::vector<std::string> MqttServiceOpNames();

/** How many of each operation one piece of work took. */
struct MqttServiceWork
{
    std::array<uint64_t, MQTT_SERVICE_OPS> count{};

    void
    Add(MqttServiceOp op, uint64_t n = 1)
    {
        count[static_cast<std::size_t>(op)] += n;
    }

    uint64_t
    Of(MqttServiceOp op) const
    {
        return count[static_cast<std::size_t>(op)];
    }

    /** Adds @p other's counts to these. */
    MqttServiceWork& operator+=(const MqttServiceWork& other);
};

/** The CPU cost of each operation. */
struct MqttServiceCosts
{
    std::array<Picos, MQTT_SERVICE_OPS> picos{};

    Picos&
    operator[](MqttServiceOp op)
    {
        return picos[static_cast<std::size_t>(op)];
    }

    Picos
    operator[](MqttServiceOp op) const
    {
        return picos[static_cast<std::size_t>(op)];
    }

    /** The CPU time @p work takes: the sum over operations of count x cost. */
    Picos Of(const MqttServiceWork& work) const;
};

/**
 * What one `write` is (service-write-per): a flush of a connection's output per turn (Turn:
 * this project's broker, which writes each connection once per reactor turn), or one outbound
 * packet (Packet: a broker that writes every packet with a call of its own, as mosquitto does).
 */
enum class MqttServiceWritePer : uint8_t
{
    Turn = 0,
    Packet,
};

/**
 * What one `read` is (service-read-per): a read of up to readSize bytes of a connection per turn
 * (Turn: this project's broker, one recv() per ready connection per reactor turn), or one MQTT
 * packet (Packet: a broker whose loop takes one packet per ready connection per iteration, as
 * mosquitto 2.0 does; the `read` cost is then the cost of reading one packet, whatever number of
 * system calls that takes).
 */
enum class MqttServiceReadPer : uint8_t
{
    Turn = 0,
    Packet,
};

/**
 * A broker's service model (the service-* broker settings): how many cores serve its input and
 * what each operation costs them. cores 0: no model, the infinitely fast broker.
 */
struct MqttServiceConfig
{
    /** Cores serving the input (0: none, every piece of input is handled at once). */
    uint32_t cores = 0;
    /** Bytes of input waiting for service above which the broker stops reading (0: no bound). */
    uint64_t inputLimit = 4ULL << 20;
    /** Bytes one read takes from a connection (MqttPosixBrokerOptions::readChunk). */
    uint64_t readSize = 64 * 1024;
    /** Connections one turn reads at most (MqttPosixReactor::MAX_EVENTS). */
    uint32_t readsPerTurn = 256;
    /** What a turn reads of a connection and a `read` is charged for (see MqttServiceReadPer). */
    MqttServiceReadPer readPer = MqttServiceReadPer::Turn;
    /** What a `write` is charged for (see MqttServiceWritePer). */
    MqttServiceWritePer writePer = MqttServiceWritePer::Turn;
    MqttServiceCosts costs;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SERVICE_COSTS_H
