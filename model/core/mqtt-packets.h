/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The control packets of MQTT 3.1.1 and 5.0 as plain values, and a variant over them. One set of
 * types serves both versions: a 5.0 packet is its 3.1.1 counterpart plus properties and reason
 * codes (left empty and default in 3.1.1, whose layout has no place for them), and AUTH.
 */
#ifndef MQTT_PACKETS_H
#define MQTT_PACKETS_H

#include "mqtt-packet-type.h"
#include "mqtt-properties.h"
#include "mqtt-reason-codes.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ns3
{
namespace mqtt
{

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
    /** 5.0 Will Properties (section 3.1.3.2). */
    Properties properties{};
};

struct ConnectPacket
{
    /** "MQTT"; decoding keeps what was on the wire so errors can say what came. */
    std::string protocolName = "MQTT";
    /** 4 for 3.1.1, 5 for 5.0: the layout of this CONNECT and the version of its connection. */
    uint8_t protocolLevel = 4;
    /** Clean Session in 3.1.1, Clean Start in 5.0 (the same bit, section 3.1.2.4). */
    bool cleanSession = true;
    uint16_t keepAliveSeconds = 0;
    std::string clientId;
    std::optional<Will> will;
    std::optional<std::string> userName;
    /**
     * Binary data (section 3.1.3.5). In 3.1.1 present only with a user name [MQTT-3.1.2-22];
     * 5.0 allows a password alone.
     */
    std::optional<std::vector<uint8_t>> password;
    /** 5.0 CONNECT Properties (section 3.1.2.11). */
    Properties properties{};
};

struct ConnackPacket
{
    bool sessionPresent = false;
    /** The 3.1.1 return code (table 3.1); 5.0 uses reasonCode instead. */
    ConnectReturnCode returnCode = ConnectReturnCode::Accepted;
    /** The 5.0 Connect Reason Code (section 3.2.2.2). */
    ReasonCode reasonCode{ReasonCode::Success};
    Properties properties{};
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
    /** 5.0 PUBLISH Properties (section 3.3.2.3). */
    Properties properties{};
};

struct PubackPacket
{
    uint16_t packetId = 0;
    /** 5.0 only: omitted on the wire when Success with no properties. */
    ReasonCode reasonCode{ReasonCode::Success};
    Properties properties{};
};

struct PubrecPacket
{
    uint16_t packetId = 0;
    /** 5.0 only: omitted on the wire when Success with no properties. */
    ReasonCode reasonCode{ReasonCode::Success};
    Properties properties{};
};

struct PubrelPacket
{
    uint16_t packetId = 0;
    /** 5.0 only: omitted on the wire when Success with no properties. */
    ReasonCode reasonCode{ReasonCode::Success};
    Properties properties{};
};

struct PubcompPacket
{
    uint16_t packetId = 0;
    /** 5.0 only: omitted on the wire when Success with no properties. */
    ReasonCode reasonCode{ReasonCode::Success};
    Properties properties{};
};

/** The 5.0 Retain Handling subscription option (section 3.8.3.1). */
enum class RetainHandling : uint8_t
{
    SendOnSubscribe = 0, //!< send retained messages at the time of the subscribe
    SendIfNew = 1,       //!< only if the subscription did not exist [MQTT5-3.3.1-10]
    DoNotSend = 2,       //!< never [MQTT5-3.3.1-11]
};

/**
 * One topic filter and its requested QoS in a SUBSCRIBE; in 5.0 the other subscription options of
 * the same byte (section 3.8.3.1) too.
 */
struct TopicRequest
{
    std::string filter;
    Qos qos = Qos::AtMostOnce;
    bool noLocal{false};
    bool retainAsPublished{false};
    RetainHandling retainHandling{RetainHandling::SendOnSubscribe};
};

struct SubscribePacket
{
    uint16_t packetId = 0;
    std::vector<TopicRequest> topics;
    Properties properties{};
};

struct SubackPacket
{
    uint16_t packetId = 0;
    /**
     * One per requested filter. 3.1.1: 0x00, 0x01, 0x02 (granted QoS) or SUBACK_FAILURE; 5.0: the
     * Subscribe Reason Codes (section 3.9.3).
     */
    std::vector<uint8_t> returnCodes;
    Properties properties{};
};

struct UnsubscribePacket
{
    uint16_t packetId = 0;
    std::vector<std::string> filters;
    Properties properties{};
};

struct UnsubackPacket
{
    uint16_t packetId = 0;
    /** 5.0 only: one Unsubscribe Reason Code per filter (section 3.11.3). */
    std::vector<uint8_t> reasonCodes{};
    Properties properties{};
};

struct PingreqPacket
{
};

struct PingrespPacket
{
};

struct DisconnectPacket
{
    /** 5.0 only: omitted on the wire when Normal disconnection with no properties. */
    ReasonCode reasonCode{ReasonCode::NormalDisconnection};
    Properties properties{};
};

/** 5.0 only (section 3.15): a step of enhanced authentication. */
struct AuthPacket
{
    ReasonCode reasonCode{ReasonCode::Success};
    Properties properties{};
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
                            DisconnectPacket,
                            AuthPacket>;

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
bool operator==(const AuthPacket& a, const AuthPacket& b);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_PACKETS_H
