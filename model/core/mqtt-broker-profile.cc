/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-broker-profile.h"

namespace ns3
{
namespace mqtt
{

MqttBrokerProfile
MqttBrokerProfile::Standard311()
{
    // The defaults of the struct are plain MQTT 3.1.1; spelled out here only where the value
    // is a choice the specification leaves to the server.
    MqttBrokerProfile profile;
    profile.name = "standard";
    profile.maxQos = Qos::ExactlyOnce;
    profile.retain = RetainPolicy::Store;
    profile.takeover = TakeoverPolicy::CloseExisting;
    // The old connection ended without DISCONNECT, so section 3.1.2.5 says its will fires.
    profile.takeoverWill = TakeoverWillPolicy::Publish;
    profile.keepAliveFactor = 1.5; // [MQTT-3.1.2-24]
    // Section 1.5.3 lets a receiver close on control characters; a strict broker does.
    profile.closeOnControlCharacters = true;
    return profile;
}

MqttBrokerProfile
MqttBrokerProfile::Standard5()
{
    // Standard311() that also speaks 5.0; the 5.0 capabilities are the ones this engine has
    // (doc/mqtt5.md): Topic Alias Maximum 10 each way is a choice (mosquitto's default is 10).
    MqttBrokerProfile profile = Standard311();
    profile.name = "standard-5";
    profile.protocolVersion = ProtocolVersion::Mqtt5;
    profile.topicAliasMaximum = 10;
    profile.outboundTopicAliases = 10;
    profile.subscriptionIdentifiers = false;
    // Shared subscriptions, round robin like mosquitto and EMQX's default (doc/mqtt5.md).
    profile.sharedSubscriptions = true;
    profile.sharedSubscriptionPolicy = SharedSubscriptionPolicy::RoundRobin;
    // A client that asks for Response Information gets "response/<client id>" (a choice: the
    // specification leaves its content to the server, section 3.2.2.3.15).
    profile.responseInformationPrefix = "response/";
    return profile;
}

// Sources cited below (doc/aws-iot-core.md has the details and the behaviour chosen where a
// source leaves it open):
// - "AWS doc point N": the N-th difference from MQTT 3.1.1 listed in the AWS IoT Core Developer
//   Guide, "MQTT" (the seed document of issue 5).
// - "Quotas": AWS General Reference, "AWS IoT Core endpoints and quotas", section "Message
//   broker and protocol limits and quotas".
// - "Persistent sessions": AWS IoT Core Developer Guide, "MQTT persistent sessions".
// - "Lifecycle events": AWS IoT Core Developer Guide, "Lifecycle events".
// - "Retained messages": AWS IoT Core Developer Guide, "MQTT retained messages" (retained
//   messages became available in 2021).
// Values marked "illustrative" are not published by AWS: the documents say the behaviour
// exists but not how often or how long. They are set so that the profile shows every documented
// deviation; a study sets its own.
MqttBrokerProfile
MqttBrokerProfile::AwsIotCore()
{
    MqttBrokerProfile p = Standard311();
    p.name = "aws-iot-core";

    // AWS doc point 1: QoS 0 and 1 only; a QoS 2 PUBLISH or SUBSCRIBE gets no PUBACK/SUBACK.
    p.maxQos = Qos::AtLeastOnce;
    p.qosRequestPolicy = QosRequestPolicy::Ignore;
    // AWS doc point 2: a QoS 0 subscription gets a message zero or more times, a repeat without
    // DUP. Illustrative rate.
    p.qos0DuplicateProbability = 0.01;
    // AWS doc point 3 (session present in CONNACK) is standard behaviour: nothing to set.
    // AWS doc point 4: a delay between SUBACK and the first matching message. Illustrative.
    p.subscriptionDelay = std::chrono::milliseconds(100);
    p.subscriptionDelayShape = DelayShape::Exponential;
    // AWS doc point 5: no retained messages; a retain request disconnects.
    p.retain = RetainPolicy::Disconnect;
    // AWS doc point 6: a second connection with a client id in use is accepted, the first one
    // disconnected ([MQTT-3.1.4-2] too); it ended without DISCONNECT, so its will fires.
    p.takeover = TakeoverPolicy::CloseExisting;
    p.takeoverWill = TakeoverWillPolicy::Publish;
    // AWS does not document closing on control characters in topics or client ids, so the
    // profile follows only what is documented and accepts them (doc/conformance.md).
    p.closeOnControlCharacters = false;
    // AWS doc point 7: on rare occasions the same PUBLISH again with a new packet id.
    // Illustrative rate.
    p.resendNewPacketIdProbability = 0.001;
    // AWS doc point 8: no guarantee of the order of messages and ACKs. Illustrative spread.
    p.reorderJitter = std::chrono::milliseconds(10);

    // Quotas: client ID size, 128 bytes of UTF-8 (a longer one gets CONNACK 2).
    p.maxClientIdLength = 128;
    // Quotas: connect requests per second per client ID, 1.
    p.minConnectInterval = std::chrono::seconds(1);
    // Quotas: keep-alive 30..1200 s; 0 (and above 1200) means the default of 1200 s; the
    // connection is dropped after 1.5 x the interval.
    p.keepAliveWhenZero = 1200;
    p.minKeepAlive = 30;
    p.maxKeepAlive = 1200;
    p.keepAliveFactor = 1.5;
    // Quotas: topic size 256 bytes of UTF-8; at most 7 forward slashes in a topic or filter.
    p.maxTopicLength = 256;
    p.maxTopicSlashes = 7;
    // Quotas / AWS IoT Core Developer Guide "Reserved topics": topics starting with $aws/ are
    // the service's; a client cannot publish to one the broker does not implement (none here).
    p.reservedTopicPrefixes = {"$aws/"};
    // Quotas: message size, 128 KB payload per PUBLISH; a larger one is rejected (here: the
    // connection is closed, CLIENT_ERROR in the lifecycle event).
    p.maxPayloadSize = 128 * 1024;
    // Quotas: maximum in-flight unacknowledged messages, 100 inbound and 100 outbound per client.
    p.maxInflightOut = 100;
    p.maxInflightIn = 100;
    // Quotas: subscriptions per SUBSCRIBE request, 8; subscriptions per connection, 50.
    p.maxFiltersPerSubscribe = 8;
    p.maxSubscriptionsPerSession = 50;
    // Quotas: publish requests per second per connection, 100 (the excess is discarded);
    // throughput per connection, 512 KiB/s (the excess is delayed in processing).
    p.maxPublishRate = 100;
    p.maxInboundBytesRate = 512 * 1024;
    // Quotas, account-wide (AWS General Reference, "AWS IoT Core endpoints and quotas",
    // https://docs.aws.amazon.com/general/latest/gr/iot-core.html, message broker table, as
    // published on 2023-07-10; read 2026-12-02 from a copy of that page, doc/aws-iot-core.md).
    // Defaults of the large Regions (us-east-1, us-west-2, eu-west-1 and most others); every one
    // is adjustable on request. The "select Regions" (eu-north-1, me-south-1, me-central-1,
    // eu-west-3, ap-east-1, us-gov-east-1, us-gov-west-1, us-west-1, ca-central-1,
    // cn-northwest-1) have 100, 2,000, 2,000, 200 and 100,000.
    // Connect requests per second per account: 500.
    p.accountConnectRate = 500;
    // Inbound publish requests per second per account: 20,000.
    p.accountPublishInRate = 20000;
    // Outbound publish requests per second per account: 20,000 (each subscription matched).
    p.accountPublishOutRate = 20000;
    // Subscriptions per second per account: 500 (topic filters, not SUBSCRIBE packets).
    p.accountSubscribeRate = 500;
    // Maximum concurrent client connections per account: 500,000.
    p.maxConnectedClients = 500000;
    // Subscriptions per account: 500,000, "across all active connections".
    p.maxAccountSubscriptions = 500000;
    // Queued messages per second per account: 500 (messages stored for offline persistent
    // sessions; the Developer Guide, "MQTT 5 features": new messages past it are dropped).
    p.accountQueuedRate = 500;
    // Retained message publish requests per second per account: 500 (counted where retained
    // messages are stored: the 2021 profile; here a retain request disconnects first).
    p.accountRetainedPublishRate = 500;
    // Persistent sessions: only QoS 1 messages are stored for an offline client; the session
    // expires 1 hour after the disconnect (Quotas: persistent session expiry period); stored
    // messages are sent after the reconnect at most 10 per second.
    p.queueQos0Offline = false;
    p.sessionExpiry = std::chrono::hours(1);
    p.offlineDrainRate = 10;
    // Lifecycle events: $aws/events/presence/connected/<clientId> and .../disconnected/...
    p.lifecycleTopicPrefix = "$aws/events/presence/";
    p.lifecycleQos = Qos::AtLeastOnce;
    return p;
}

MqttBrokerProfile
MqttBrokerProfile::AwsIotCore2021()
{
    MqttBrokerProfile p = AwsIotCore();
    p.name = "aws-iot-core-2021";
    // Retained messages: one message per topic, replaced by the next retained one, deleted by an
    // empty one; sent to a client when it subscribes to that topic (here: a filter equal to the
    // topic; wildcard filters get none).
    p.retain = RetainPolicy::StoreExactMatchOnly;
    // Quotas: maximum number of retained messages per account, 500,000.
    p.maxRetainedMessages = 500000;
    return p;
}

// Sources of the 5.0 values (doc/aws-iot-core.md, "MQTT 5", has the details):
// - "MQTT 5 features": AWS IoT Core Developer Guide, "MQTT", sections "MQTT 5 supported
//   features", "MQTT 5 properties" and "AWS IoT differences from MQTT specifications",
//   https://docs.aws.amazon.com/iot/latest/developerguide/mqtt.html (the values as issue #16
//   quotes them; the session could not read the tables themselves).
// - "Quotas" and "Persistent sessions" as above.
MqttBrokerProfile
MqttBrokerProfile::AwsIotCore5()
{
    MqttBrokerProfile p = AwsIotCore2021();
    p.name = "aws-iot-core-5";
    p.protocolVersion = ProtocolVersion::Mqtt5;
    // MQTT 5 features: no QoS 2 (Maximum QoS 1 in CONNACK; a QoS 2 PUBLISH is DISCONNECT 0x9B
    // in 5.0 instead of 3.1.1's silence), no enhanced authentication (AUTH is a protocol error
    // here too), Subscription Identifier Available 0.
    p.maxQos = Qos::AtLeastOnce;
    p.subscriptionIdentifiers = false;
    p.enhancedAuthentication = false; // a CONNECT naming a method: CONNACK 0x8C
    // MQTT 5 features: Topic Alias Maximum 8 (aliases from the client); AWS sets none towards
    // the client.
    p.topicAliasMaximum = 8;
    p.outboundTopicAliases = 0;
    // MQTT 5 features: Message Expiry Interval up to 7 days; a longer one is lowered.
    p.maxMessageExpiryInterval = 7 * 24 * 3600;
    // Quotas / Persistent sessions: the persistent session expiry period, 1 hour by default and
    // adjustable up to 7 days, bounds the Session Expiry Interval granted (CONNACK says so).
    p.maxSessionExpiryInterval = 3600;
    // Quotas: 100 in-flight unacknowledged messages inbound per client: the Receive Maximum.
    p.receiveMaximum = 100;
    // Shared subscriptions: supported for MQTT 3.1.1 and 5 since 2023; AWS sends "a published
    // message to only one of its subscribers in a random manner" (AWS IoT blog, "How to get
    // started with the new shared subscriptions in AWS IoT Core", 2023; doc/aws-iot-core.md).
    p.sharedSubscriptions = true;
    p.sharedSubscriptionPolicy = SharedSubscriptionPolicy::Random;
    return p;
}

std::optional<MqttBrokerProfile>
MqttBrokerProfile::ByName(const std::string& name)
{
    if (name == "standard")
    {
        return Standard311();
    }
    if (name == "standard-5")
    {
        return Standard5();
    }
    if (name == "aws-iot-core")
    {
        return AwsIotCore();
    }
    if (name == "aws-iot-core-2021")
    {
        return AwsIotCore2021();
    }
    if (name == "aws-iot-core-5")
    {
        return AwsIotCore5();
    }
    return std::nullopt;
}

std::vector<std::string>
MqttBrokerProfile::Names()
{
    return {"standard", "standard-5", "aws-iot-core", "aws-iot-core-2021", "aws-iot-core-5"};
}

} // namespace mqtt
} // namespace ns3
