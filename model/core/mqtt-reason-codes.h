/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT 5.0 reason codes (section 2.4, table 2-6): every code with its name, and which packet
 * may carry which.
 */
#ifndef MQTT_REASON_CODES_H
#define MQTT_REASON_CODES_H

#include "mqtt-packet-type.h"

#include <cstdint>

namespace ns3
{
namespace mqtt
{

/**
 * The reason codes of MQTT 5.0. 0x00 has three names in the table (Success, Normal
 * disconnection, Granted QoS 0): they are one value here, named by the packet it stands in
 * (ReasonCodeName).
 */
enum class ReasonCode : uint8_t
{
    Success = 0x00,
    NormalDisconnection = 0x00,
    GrantedQos0 = 0x00,
    GrantedQos1 = 0x01,
    GrantedQos2 = 0x02,
    DisconnectWithWillMessage = 0x04,
    NoMatchingSubscribers = 0x10,
    NoSubscriptionExisted = 0x11,
    ContinueAuthentication = 0x18,
    ReAuthenticate = 0x19,
    UnspecifiedError = 0x80,
    MalformedPacket = 0x81,
    ProtocolError = 0x82,
    ImplementationSpecificError = 0x83,
    UnsupportedProtocolVersion = 0x84,
    ClientIdentifierNotValid = 0x85,
    BadUserNameOrPassword = 0x86,
    NotAuthorized = 0x87,
    ServerUnavailable = 0x88,
    ServerBusy = 0x89,
    Banned = 0x8A,
    ServerShuttingDown = 0x8B,
    BadAuthenticationMethod = 0x8C,
    KeepAliveTimeout = 0x8D,
    SessionTakenOver = 0x8E,
    TopicFilterInvalid = 0x8F,
    TopicNameInvalid = 0x90,
    PacketIdentifierInUse = 0x91,
    PacketIdentifierNotFound = 0x92,
    ReceiveMaximumExceeded = 0x93,
    TopicAliasInvalid = 0x94,
    PacketTooLarge = 0x95,
    MessageRateTooHigh = 0x96,
    QuotaExceeded = 0x97,
    AdministrativeAction = 0x98,
    PayloadFormatInvalid = 0x99,
    RetainNotSupported = 0x9A,
    QosNotSupported = 0x9B,
    UseAnotherServer = 0x9C,
    ServerMoved = 0x9D,
    SharedSubscriptionsNotSupported = 0x9E,
    ConnectionRateExceeded = 0x9F,
    MaximumConnectTime = 0xA0,
    SubscriptionIdentifiersNotSupported = 0xA1,
    WildcardSubscriptionsNotSupported = 0xA2,
};

/**
 * Whether table 2-6 lists @p code for @p type (CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK,
 * UNSUBACK, DISCONNECT, AUTH; false for the packets that carry no reason code).
 */
bool IsReasonCodeAllowed(PacketType type, uint8_t code);

/**
 * The name table 2-6 gives @p code in @p type ("Normal disconnection" for 0x00 in a DISCONNECT,
 * "Granted QoS 0" in a SUBACK, "Success" elsewhere); "Unknown" for a code the table lacks.
 */
const char* ReasonCodeName(ReasonCode code, PacketType type);

/** The name of @p code wherever it stands (0x00 is "Success"). */
const char* ReasonCodeName(ReasonCode code);

/** Whether @p code reports a failure (0x80 and above, section 2.4). */
inline bool
IsFailure(ReasonCode code)
{
    return static_cast<uint8_t>(code) >= 0x80;
}

} // namespace mqtt
} // namespace ns3

#endif // MQTT_REASON_CODES_H
