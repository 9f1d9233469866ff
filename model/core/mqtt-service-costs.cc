/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-service-costs.h"

namespace ns3
{
namespace mqtt
{

namespace
{

/** The names, in enum order (the shared interface of issue #13). */
constexpr const char* OP_NAMES[MQTT_SERVICE_OPS] = {
    "accept",
    "connect",
    "publish-qos0",
    "publish-qos1",
    "publish-qos2",
    "ack",
    "subscribe",
    "filter",
    "unsubscribe",
    "pingreq",
    "disconnect",
    "match",
    "delivery",
    "byte-in",
    "byte-out",
    "tls-handshake",
    "read",
    "write",
    "wait",
    "wakeup",
    "auth",
};

constexpr const char* OP_DOCS[MQTT_SERVICE_OPS] = {
    "a new transport connection",
    "a CONNECT handled, authentication included",
    "an inbound PUBLISH of QoS 0",
    "an inbound PUBLISH of QoS 1",
    "an inbound PUBLISH of QoS 2",
    "each inbound PUBACK, PUBREC, PUBREL or PUBCOMP",
    "a SUBSCRIBE packet",
    "each topic filter of a SUBSCRIBE or UNSUBSCRIBE",
    "an UNSUBSCRIBE packet",
    "a PINGREQ",
    "a DISCONNECT or a connection loss",
    "each subscription a PUBLISH matched",
    "each outbound PUBLISH, retained ones included",
    "each byte read",
    "each byte written",
    "a TLS handshake",
    "a read of a connection's socket (one per connection per turn; read-per packet: per packet)",
    "a write of a connection's output (one per connection per turn; write-per packet: per packet)",
    "a turn of the broker's loop (its epoll_wait and wakeup)",
    "a turn on a core that was idle (its thread slept in epoll_wait and is woken)",
    ("a credential check: a CONNECT's user name and password against the password file, or "
     "one step of a 5.0 enhanced authentication (CONNECT or AUTH with an Authentication Method)"),
};

static_assert(static_cast<std::size_t>(MqttServiceOp::Auth) + 1 == MQTT_SERVICE_OPS,
              "one name per operation");

} // namespace

const char*
MqttServiceOpName(MqttServiceOp op)
{
    return OP_NAMES[static_cast<std::size_t>(op)];
}

const char*
MqttServiceOpDoc(MqttServiceOp op)
{
    return OP_DOCS[static_cast<std::size_t>(op)];
}

std::optional<MqttServiceOp>
MqttServiceOpByName(const std::string& name)
{
    for (std::size_t i = 0; i < MQTT_SERVICE_OPS; ++i)
    {
        if (name == OP_NAMES[i])
        {
            return static_cast<MqttServiceOp>(i);
        }
    }
    return std::nullopt;
}

std::vector<std::string>
MqttServiceOpNames()
{
    return std::vector<std::string>(std::begin(OP_NAMES), std::end(OP_NAMES));
}

MqttServiceWork&
MqttServiceWork::operator+=(const MqttServiceWork& other)
{
    for (std::size_t i = 0; i < MQTT_SERVICE_OPS; ++i)
    {
        count[i] += other.count[i];
    }
    return *this;
}

Picos
MqttServiceCosts::Of(const MqttServiceWork& work) const
{
    Picos total = 0;
    for (std::size_t i = 0; i < MQTT_SERVICE_OPS; ++i)
    {
        total += work.count[i] * picos[i];
    }
    return total;
}

} // namespace mqtt
} // namespace ns3
