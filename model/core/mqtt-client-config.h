/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Settings of one MQTT client engine.
 */
#ifndef MQTT_CLIENT_CONFIG_H
#define MQTT_CLIENT_CONFIG_H

#include "mqtt-action.h"
#include "mqtt-auth-method.h"
#include "mqtt-packets.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ns3
{
namespace mqtt
{

struct MqttClientConfig
{
    std::string clientId;
    bool cleanSession = true;
    /** 0 turns keep-alive off (section 3.1.2.10). */
    uint16_t keepAliveSeconds = 60;
    std::optional<Will> will;
    std::optional<std::string> userName;
    std::optional<std::vector<uint8_t>> password;

    /** No CONNACK within this time after CONNECT: close and retry. */
    Nanos connackTimeout = std::chrono::seconds(10);
    /** No PINGRESP within this time after PINGREQ: the broker is taken for dead. */
    Nanos pingTimeout = std::chrono::seconds(10);
    /**
     * No PUBACK/PUBREC/PUBCOMP/SUBACK/UNSUBACK within this time: report AckTimeout. With
     * closeOnAckTimeout the connection is closed too (reason AckTimeout: the broker is taken
     * for unresponsive), so a reconnect re-sends (section 4.4). Zero turns it off.
     */
    Nanos ackTimeout = std::chrono::seconds(30);
    bool closeOnAckTimeout = true;
    /** QoS 1/2 publishes in flight at once; more wait in order. 0 counts as 1. */
    uint16_t maxInflight = 20;
    /** Bound on QoS 1/2 publishes waiting (in flight included); beyond it Publish drops. */
    uint32_t maxQueued = 1000;

    /**
     * Reconnect after a lost connection, a CONNACK timeout or CONNACK 3 (server unavailable),
     * with exponential backoff and jitter. The delay before attempt n (n = 0 after a session
     * ended or the first failure) is min(initial x multiplier^n, max) scaled by the jitter
     * factor; n returns to 0 after a CONNACK 0.
     */
    bool autoReconnect = true;
    /**
     * CONNACK 1, 2, 4 and 5 (bad protocol level, identifier rejected, bad credentials, not
     * authorised) will not change by retrying, so by default they stop the client (state Idle)
     * instead of hammering the broker. True retries them too, with the same backoff.
     */
    bool retryRefusedConnect = false;
    Nanos reconnectInitialDelay = std::chrono::seconds(1);
    Nanos reconnectMaxDelay = std::chrono::seconds(60);
    double reconnectMultiplier = 2.0;
    /** Each delay is scaled by a uniform factor in [1 - jitter, 1 + jitter]. */
    double reconnectJitter = 0.2;

    /** Largest packet accepted from the broker. */
    std::size_t maxPacketSize = 268435460;
    /** Seeds the engine's generator when no random source is injected. */
    uint64_t seed = 1;

    // MQTT 5.0 (doc/mqtt5.md, "The client engine"). With Mqtt311 the fields below are unused.

    /** Mqtt311 (level 4) or Mqtt5 (level 5): the CONNECT's Protocol Level. */
    ProtocolVersion protocolVersion = ProtocolVersion::Mqtt311;
    /**
     * Session Expiry Interval of CONNECT, seconds (0: the session ends with the connection;
     * 0xFFFFFFFF: never). cleanSession is Clean Start, sent on the first CONNECT after Connect();
     * reconnects send Clean Start 0 while the session has not expired.
     */
    uint32_t sessionExpiryInterval = 0;
    /** QoS 1/2 PUBLISHes the broker may have unacknowledged towards us (1 to 65535). */
    uint16_t receiveMaximum = 65535;
    /** Topic aliases the broker may use towards us (CONNECT's Topic Alias Maximum; 0: none). */
    uint16_t topicAliasMaximum = 0;
    /**
     * Topic aliases we use on our PUBLISHes, at most (and at most the broker's Topic Alias
     * Maximum): each new topic takes the next alias until they are used up, never reassigned.
     */
    uint16_t outboundTopicAliases = 0;
    bool requestResponseInformation = false;
    bool requestProblemInformation = true;
    /** User Properties of CONNECT, in order. */
    std::vector<std::pair<std::string, std::string>> userProperties;
    /** Message Expiry Interval of every publish that sets none, seconds (0: none). */
    uint32_t messageExpiryInterval = 0;
    /**
     * Enhanced authentication (section 4.12, doc/auth.md): the method whose exchange runs before
     * the CONNACK (its Name() is the CONNECT's Authentication Method) and that
     * MqttClientEngine::Reauthenticate runs again; null: none, and the client never sends AUTH.
     */
    std::shared_ptr<const MqttAuthMethod> authMethod;
    /** What the method authenticates with (for SCRAM-SHA-256: the user name and password). */
    MqttAuthMethod::ClientCredentials authCredentials;
    /** User Properties put on every PUBACK, PUBREC, PUBREL and PUBCOMP the client sends. */
    std::vector<std::pair<std::string, std::string>> ackUserProperties;
    /**
     * A Reason String on the acknowledgements that refuse (0x92 Packet Identifier not found,
     * 0x99 Payload format invalid), saying why in words.
     */
    bool ackReasonStrings = false;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_CLIENT_CONFIG_H
