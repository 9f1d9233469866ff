/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Names of the decoder's errors, for logs, traces and test messages.
 */
#include "mqtt-codec.h"

namespace ns3
{
namespace mqtt
{

const char*
DecodeErrorName(DecodeError error)
{
    switch (error)
    {
    case DecodeError::None:
        return "None";
    case DecodeError::ReservedPacketType:
        return "ReservedPacketType";
    case DecodeError::InvalidFixedHeaderFlags:
        return "InvalidFixedHeaderFlags";
    case DecodeError::RemainingLengthTooLong:
        return "RemainingLengthTooLong";
    case DecodeError::PacketTooLarge:
        return "PacketTooLarge";
    case DecodeError::InvalidProtocolName:
        return "InvalidProtocolName";
    case DecodeError::UnsupportedProtocolLevel:
        return "UnsupportedProtocolLevel";
    case DecodeError::ConnectReservedFlagSet:
        return "ConnectReservedFlagSet";
    case DecodeError::WillFlagsWithoutWill:
        return "WillFlagsWithoutWill";
    case DecodeError::InvalidWillQos:
        return "InvalidWillQos";
    case DecodeError::PasswordWithoutUserName:
        return "PasswordWithoutUserName";
    case DecodeError::MalformedUtf8:
        return "MalformedUtf8";
    case DecodeError::Utf8NullCharacter:
        return "Utf8NullCharacter";
    case DecodeError::InvalidTopicName:
        return "InvalidTopicName";
    case DecodeError::InvalidTopicFilter:
        return "InvalidTopicFilter";
    case DecodeError::SubscribeWithoutTopics:
        return "SubscribeWithoutTopics";
    case DecodeError::UnsubscribeWithoutTopics:
        return "UnsubscribeWithoutTopics";
    case DecodeError::InvalidQos:
        return "InvalidQos";
    case DecodeError::InvalidRequestedQos:
        return "InvalidRequestedQos";
    case DecodeError::DupWithQosZero:
        return "DupWithQosZero";
    case DecodeError::PacketIdZero:
        return "PacketIdZero";
    case DecodeError::TrailingBytes:
        return "TrailingBytes";
    case DecodeError::Truncated:
        return "Truncated";
    case DecodeError::InvalidConnackFlags:
        return "InvalidConnackFlags";
    case DecodeError::InvalidConnackReturnCode:
        return "InvalidConnackReturnCode";
    case DecodeError::InvalidSubackReturnCode:
        return "InvalidSubackReturnCode";
    case DecodeError::SubackWithoutReturnCodes:
        return "SubackWithoutReturnCodes";
    case DecodeError::NonMinimalVariableByteInteger:
        return "NonMinimalVariableByteInteger";
    case DecodeError::VariableByteIntegerTooLong:
        return "VariableByteIntegerTooLong";
    case DecodeError::UnknownProperty:
        return "UnknownProperty";
    case DecodeError::PropertyNotAllowed:
        return "PropertyNotAllowed";
    case DecodeError::DuplicateProperty:
        return "DuplicateProperty";
    case DecodeError::InvalidPayloadFormatIndicator:
        return "InvalidPayloadFormatIndicator";
    case DecodeError::PropertyNotBoolean:
        return "PropertyNotBoolean";
    case DecodeError::InvalidMaximumQos:
        return "InvalidMaximumQos";
    case DecodeError::ReceiveMaximumZero:
        return "ReceiveMaximumZero";
    case DecodeError::MaximumPacketSizeZero:
        return "MaximumPacketSizeZero";
    case DecodeError::TopicAliasZero:
        return "TopicAliasZero";
    case DecodeError::SubscriptionIdentifierZero:
        return "SubscriptionIdentifierZero";
    case DecodeError::InvalidResponseTopic:
        return "InvalidResponseTopic";
    case DecodeError::AuthenticationDataWithoutMethod:
        return "AuthenticationDataWithoutMethod";
    case DecodeError::AuthWithoutMethod:
        return "AuthWithoutMethod";
    case DecodeError::EmptyTopicWithoutAlias:
        return "EmptyTopicWithoutAlias";
    case DecodeError::InvalidReasonCode:
        return "InvalidReasonCode";
    case DecodeError::SessionPresentWithError:
        return "SessionPresentWithError";
    case DecodeError::SubscriptionOptionsReservedBits:
        return "SubscriptionOptionsReservedBits";
    case DecodeError::InvalidRetainHandling:
        return "InvalidRetainHandling";
    case DecodeError::InvalidSharedSubscription:
        return "InvalidSharedSubscription";
    case DecodeError::NoLocalOnSharedSubscription:
        return "NoLocalOnSharedSubscription";
    case DecodeError::UnsubackWithoutReasonCodes:
        return "UnsubackWithoutReasonCodes";
    }
    return "Unknown";
}

} // namespace mqtt
} // namespace ns3
