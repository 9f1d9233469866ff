/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttClient's MQTT 5.0 Attributes: ProtocolVersion (4 = 3.1.1, 5 = 5.0) and the 5.0 options,
 * and how they fill the engine's config (doc/mqtt5.md, "The client engine").
 */
#include "mqtt-client.h"
#include "mqtt-scram.h"

#include "ns3/boolean.h"
#include "ns3/fatal-error.h"
#include "ns3/random-variable-stream.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <limits>

namespace ns3
{
namespace mqtt
{

TypeId
MqttClient::AddProtocol5Attributes(TypeId tid)
{
    return tid
        .AddAttribute("ProtocolVersion",
                      "MQTT protocol level of CONNECT: 4 (3.1.1) or 5 (5.0). The other 5.0 "
                      "Attributes apply only with 5.",
                      UintegerValue(4),
                      MakeUintegerAccessor(&MqttClient::m_protocolVersion),
                      MakeUintegerChecker<uint8_t>(4, 5))
        .AddAttribute("SessionExpiryInterval",
                      "5.0: seconds the session outlives the connection (0: ends with it; "
                      "4294967295: never). Reconnects resume it with Clean Start 0.",
                      UintegerValue(0),
                      MakeUintegerAccessor(&MqttClient::m_sessionExpiryInterval),
                      MakeUintegerChecker<uint32_t>())
        .AddAttribute("ReceiveMaximum",
                      "5.0: QoS 1/2 publishes the broker may have unacknowledged towards us.",
                      UintegerValue(65535),
                      MakeUintegerAccessor(&MqttClient::m_receiveMaximum),
                      MakeUintegerChecker<uint16_t>(1))
        .AddAttribute("TopicAliasMaximum",
                      "5.0: topic aliases the broker may use towards us (0: none).",
                      UintegerValue(0),
                      MakeUintegerAccessor(&MqttClient::m_topicAliasMaximum),
                      MakeUintegerChecker<uint16_t>())
        .AddAttribute("TopicAliases",
                      "5.0: topic aliases we use on our publishes, at most (and at most the "
                      "broker's Topic Alias Maximum); each new topic takes the next one.",
                      UintegerValue(0),
                      MakeUintegerAccessor(&MqttClient::m_topicAliases),
                      MakeUintegerChecker<uint16_t>())
        .AddAttribute("MessageExpiryInterval",
                      "5.0: Message Expiry Interval of generated publishes, seconds (0: none).",
                      UintegerValue(0),
                      MakeUintegerAccessor(&MqttClient::m_messageExpiryInterval),
                      MakeUintegerChecker<uint32_t>())
        .AddAttribute("WillDelayInterval",
                      "5.0: Will Delay Interval of the will, seconds (0: none).",
                      UintegerValue(0),
                      MakeUintegerAccessor(&MqttClient::m_willDelayInterval),
                      MakeUintegerChecker<uint32_t>())
        .AddAttribute("RequestResponseInformation",
                      "5.0: ask the broker for Response Information in CONNACK.",
                      BooleanValue(false),
                      MakeBooleanAccessor(&MqttClient::m_requestResponseInformation),
                      MakeBooleanChecker())
        .AddAttribute("RequestProblemInformation",
                      "5.0: let the broker send Reason Strings and User Properties on any "
                      "packet.",
                      BooleanValue(true),
                      MakeBooleanAccessor(&MqttClient::m_requestProblemInformation),
                      MakeBooleanChecker())
        .AddAttribute("AuthMethod",
                      "5.0: enhanced authentication method of CONNECT (doc/auth.md): "
                      "SCRAM-SHA-256, or empty for none.",
                      StringValue(""),
                      MakeStringAccessor(&MqttClient::m_authMethod),
                      MakeStringChecker())
        .AddAttribute("AuthUserName",
                      "5.0: the user the AuthMethod authenticates (SCRAM's n=).",
                      StringValue(""),
                      MakeStringAccessor(&MqttClient::m_authUserName),
                      MakeStringChecker())
        .AddAttribute("AuthPassword",
                      "5.0: the AuthMethod's password.",
                      StringValue(""),
                      MakeStringAccessor(&MqttClient::m_authPassword),
                      MakeStringChecker());
}

void
MqttClient::ApplyProtocol5(MqttClientConfig& config) const
{
    if (m_protocolVersion != 5)
    {
        return;
    }
    config.protocolVersion = ProtocolVersion::Mqtt5;
    config.sessionExpiryInterval = m_sessionExpiryInterval;
    config.receiveMaximum = m_receiveMaximum;
    config.topicAliasMaximum = m_topicAliasMaximum;
    config.outboundTopicAliases = m_topicAliases;
    config.messageExpiryInterval = m_messageExpiryInterval;
    config.requestResponseInformation = m_requestResponseInformation;
    config.requestProblemInformation = m_requestProblemInformation;
    if (m_sleepSessionExpiryInterval > 0 && m_sessionExpiryInterval == 0)
    {
        // 3.14.2.2.2: a non-zero interval at DISCONNECT after 0 in CONNECT is a Protocol Error.
        NS_FATAL_ERROR("MqttClient " << config.clientId
                                     << ": SleepSessionExpiryInterval needs a non-zero "
                                        "SessionExpiryInterval");
    }
    if (!m_authMethod.empty())
    {
        if (m_authMethod != "SCRAM-SHA-256")
        {
            NS_FATAL_ERROR("MqttClient " << config.clientId << ": AuthMethod '" << m_authMethod
                                         << "' unknown (SCRAM-SHA-256 or empty)");
        }
        // Client nonces from the run's seed (the jitter's stream, drawn once per client), so
        // that a seed reproduces the run's bytes, as the broker's nonces do.
        const uint32_t seed = m_jitter->GetInteger(1, std::numeric_limits<uint32_t>::max());
        config.authMethod = std::make_shared<MqttScramSha256>(MqttScramSha256::SeededNonces(seed));
        config.authCredentials.userName = m_authUserName;
        config.authCredentials.secret.assign(m_authPassword.begin(), m_authPassword.end());
    }
    if (config.will && m_willDelayInterval != 0)
    {
        config.will->properties.AddNumber(PropertyId::WillDelayInterval, m_willDelayInterval);
    }
}

} // namespace mqtt
} // namespace ns3
