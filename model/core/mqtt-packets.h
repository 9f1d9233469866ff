/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The 14 MQTT 3.1.1 control packets as plain values, and a variant over them.
 */
#ifndef MQTT_PACKETS_H
#define MQTT_PACKETS_H

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** Quality of service of a PUBLISH or a subscription (MQTT 3.1.1 section 4.3). */
enum class Qos : uint8_t
{
    AtMostOnce = 0,
    AtLeastOnce = 1,
    ExactlyOnce = 2,
};

/** Control packet types, the high nibble of the first byte (section 2.2.1). */
enum class PacketType : uint8_t
{
    Connect = 1,
    Connack = 2,
    Publish = 3,
    Puback = 4,
    Pubrec = 5,
    Pubrel = 6,
    Pubcomp = 7,
    Subscribe = 8,
    Suback = 9,
    Unsubscribe = 10,
    Unsuback = 11,
    Pingreq = 12,
    Pingresp = 13,
    Disconnect = 14,
};

/** CONNACK return codes (section 3.2.2.3, table 3.1). */
enum class ConnectReturnCode : uint8_t
{
    Accepted = 0,
    UnacceptableProtocolVersion = 1,
    IdentifierRejected = 2,
    ServerUnavailable = 3,
    BadUserNameOrPassword = 4,
    NotAuthorized = 5,
};

/** The SUBACK return code for a refused filter (section 3.9.3). */
static constexpr uint8_t SUBACK_FAILURE = 0x80;

/** The Will of a CONNECT (section 3.1.2.5 to 3.1.2.7, 3.1.3.2, 3.1.3.3). */
struct Will
{
    std::string topic;
    std::vector<uint8_t> payload;
    Qos qos = Qos::AtMostOnce;
    bool retain = false;
};

struct ConnectPacket
{
    /** "MQTT" for 3.1.1; decoding keeps what was on the wire so errors can say what came. */
    std::string protocolName = "MQTT";
    uint8_t protocolLevel = 4;
    bool cleanSession = true;
    uint16_t keepAliveSeconds = 0;
    std::string clientId;
    std::optional<Will> will;
    std::optional<std::string> userName;
    /** Binary data (section 3.1.3.5). Present only with a user name [MQTT-3.1.2-22]. */
    std::optional<std::vector<uint8_t>> password;
};

struct ConnackPacket
{
    bool sessionPresent = false;
    ConnectReturnCode returnCode = ConnectReturnCode::Accepted;
};

struct PublishPacket
{
    bool dup = false;
    Qos qos = Qos::AtMostOnce;
    bool retain = false;
    std::string topic;
    /** Present on the wire only for QoS 1 and 2 [MQTT-2.3.1-5]; 0 for QoS 0. */
    uint16_t packetId = 0;
    std::vector<uint8_t> payload;
};

struct PubackPacket
{
    uint16_t packetId = 0;
};

struct PubrecPacket
{
    uint16_t packetId = 0;
};

struct PubrelPacket
{
    uint16_t packetId = 0;
};

struct PubcompPacket
{
    uint16_t packetId = 0;
};

/** One topic filter and its requested QoS in a SUBSCRIBE. */
struct TopicRequest
{
    std::string filter;
    Qos qos = Qos::AtMostOnce;
};

struct SubscribePacket
{
    uint16_t packetId = 0;
    std::vector<TopicRequest> topics;
};

struct SubackPacket
{
    uint16_t packetId = 0;
    /** 0x00, 0x01, 0x02 (granted QoS) or SUBACK_FAILURE, one per requested filter. */
    std::vector<uint8_t> returnCodes;
};

struct UnsubscribePacket
{
    uint16_t packetId = 0;
    std::vector<std::string> filters;
};

struct UnsubackPacket
{
    uint16_t packetId = 0;
};

struct PingreqPacket
{
};

struct PingrespPacket
{
};

struct DisconnectPacket
{
};

/** Any control packet. The index order follows PacketType (index + 1 == type). */
using Packet = std::variant<ConnectPacket,
                            ConnackPacket,
                            PublishPacket,
                            PubackPacket,
                            PubrecPacket,
                            PubrelPacket,
                            PubcompPacket,
                            SubscribePacket,
                            SubackPacket,
                            UnsubscribePacket,
                            UnsubackPacket,
                            PingreqPacket,
                            PingrespPacket,
                            DisconnectPacket>;

/** The type of a packet held in the variant. */
PacketType TypeOf(const Packet& packet);

/** A short upper-case name ("CONNECT", "PUBLISH", ...) for logs and traces. */
const char* PacketTypeName(PacketType type);

bool operator==(const Will& a, const Will& b);
bool operator==(const ConnectPacket& a, const ConnectPacket& b);
bool operator==(const ConnackPacket& a, const ConnackPacket& b);
bool operator==(const PublishPacket& a, const PublishPacket& b);
bool operator==(const PubackPacket& a, const PubackPacket& b);
bool operator==(const PubrecPacket& a, const PubrecPacket& b);
bool operator==(const PubrelPacket& a, const PubrelPacket& b);
bool operator==(const PubcompPacket& a, const PubcompPacket& b);
bool operator==(const TopicRequest& a, const TopicRequest& b);
bool operator==(const SubscribePacket& a, const SubscribePacket& b);
bool operator==(const SubackPacket& a, const SubackPacket& b);
bool operator==(const UnsubscribePacket& a, const UnsubscribePacket& b);
bool operator==(const UnsubackPacket& a, const UnsubackPacket& b);
bool operator==(const PingreqPacket& a, const PingreqPacket& b);
bool operator==(const PingrespPacket& a, const PingrespPacket& b);
bool operator==(const DisconnectPacket& a, const DisconnectPacket& b);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_PACKETS_H
