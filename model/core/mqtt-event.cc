/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-event.h"

namespace ns3
{
namespace mqtt
{

const char*
CloseReasonName(CloseReason reason)
{
    switch (reason)
    {
    case CloseReason::ClientDisconnect:
        return "ClientDisconnect";
    case CloseReason::NetworkClosed:
        return "NetworkClosed";
    case CloseReason::KeepAliveTimeout:
        return "KeepAliveTimeout";
    case CloseReason::ProtocolError:
        return "ProtocolError";
    case CloseReason::Takeover:
        return "Takeover";
    case CloseReason::AuthFailure:
        return "AuthFailure";
    case CloseReason::ConnectRefused:
        return "ConnectRefused";
    case CloseReason::ConnectTimeout:
        return "ConnectTimeout";
    case CloseReason::PolicyViolation:
        return "PolicyViolation";
    case CloseReason::ServerShutdown:
        return "ServerShutdown";
    case CloseReason::Throttled:
        return "Throttled";
    case CloseReason::AckTimeout:
        return "AckTimeout";
    case CloseReason::ThrottledAccountConnectRate:
        return "ThrottledAccountConnectRate";
    case CloseReason::ThrottledAccountConnections:
        return "ThrottledAccountConnections";
    case CloseReason::ThrottledAccountPublishInRate:
        return "ThrottledAccountPublishInRate";
    case CloseReason::ThrottledAccountRetainedPublishRate:
        return "ThrottledAccountRetainedPublishRate";
    case CloseReason::MemoryLimit:
        return "MemoryLimit";
    case CloseReason::ServerDisconnect:
        return "ServerDisconnect";
    }
    return "Unknown";
}

const char*
DropReasonName(DropReason reason)
{
    switch (reason)
    {
    case DropReason::None:
        return "None";
    case DropReason::QueueFull:
        return "QueueFull";
    case DropReason::QosZeroOffline:
        return "QosZeroOffline";
    case DropReason::NotAuthorized:
        return "NotAuthorized";
    case DropReason::QosNotSupported:
        return "QosNotSupported";
    case DropReason::SessionExpired:
        return "SessionExpired";
    case DropReason::SubscriptionPending:
        return "SubscriptionPending";
    case DropReason::Throttled:
        return "Throttled";
    case DropReason::PayloadTooLarge:
        return "PayloadTooLarge";
    case DropReason::TopicRejected:
        return "TopicRejected";
    case DropReason::SessionDiscarded:
        return "SessionDiscarded";
    case DropReason::RetainedStoreFull:
        return "RetainedStoreFull";
    case DropReason::ThrottledAccountPublishInRate:
        return "ThrottledAccountPublishInRate";
    case DropReason::ThrottledAccountPublishOutRate:
        return "ThrottledAccountPublishOutRate";
    case DropReason::ThrottledAccountSubscribeRate:
        return "ThrottledAccountSubscribeRate";
    case DropReason::MessageExpired:
        return "MessageExpired";
    case DropReason::TooLargeForClient:
        return "TooLargeForClient";
    case DropReason::ThrottledAccountQueuedRate:
        return "ThrottledAccountQueuedRate";
    case DropReason::ThrottledAccountRetainedPublishRate:
        return "ThrottledAccountRetainedPublishRate";
    case DropReason::MemoryLimit:
        return "MemoryLimit";
    case DropReason::RefusedByServer:
        return "RefusedByServer";
    case DropReason::RetainNotAvailable:
        return "RetainNotAvailable";
    case DropReason::ThrottledAccountSubscriptions:
        return "ThrottledAccountSubscriptions";
    }
    return "Unknown";
}

const char*
EventTypeName(EventType type)
{
    switch (type)
    {
    case EventType::ConnectionOpened:
        return "ConnectionOpened";
    case EventType::ConnectionClosed:
        return "ConnectionClosed";
    case EventType::SessionStarted:
        return "SessionStarted";
    case EventType::ConnectRefused:
        return "ConnectRefused";
    case EventType::PublishReceived:
        return "PublishReceived";
    case EventType::MessageDelivered:
        return "MessageDelivered";
    case EventType::MessageSent:
        return "MessageSent";
    case EventType::MessageQueued:
        return "MessageQueued";
    case EventType::MessageDropped:
        return "MessageDropped";
    case EventType::PublishCompleted:
        return "PublishCompleted";
    case EventType::SubscriptionGranted:
        return "SubscriptionGranted";
    case EventType::SubscriptionDenied:
        return "SubscriptionDenied";
    case EventType::Unsubscribed:
        return "Unsubscribed";
    case EventType::WillPublished:
        return "WillPublished";
    case EventType::RetainedStored:
        return "RetainedStored";
    case EventType::RetainedDeleted:
        return "RetainedDeleted";
    case EventType::StateChanged:
        return "StateChanged";
    case EventType::AckTimeout:
        return "AckTimeout";
    case EventType::LifecyclePublished:
        return "LifecyclePublished";
    case EventType::Reauthenticated:
        return "Reauthenticated";
    }
    return "Unknown";
}

} // namespace mqtt
} // namespace ns3
