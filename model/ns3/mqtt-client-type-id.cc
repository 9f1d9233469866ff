/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttClient's TypeId: its Attributes and trace sources, in the order ns-3 lists them. Kept
 * apart from the application's behaviour (mqtt-client.cc).
 */
#include "mqtt-client.h"
#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/fatal-error.h"
#include "ns3/inet-socket-address.h"
#include "ns3/inet6-socket-address.h"
#include "ns3/ipv4-address.h"
#include "ns3/ipv6-address.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/pointer.h"
#include "ns3/random-variable-stream.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

namespace ns3
{
namespace mqtt
{

NS_OBJECT_ENSURE_REGISTERED(MqttClient);


TypeId
MqttClient::GetTypeId()
{
    static TypeId tid = AddTraceSources(AddSleepAttributes(AddProtocol5Attributes(
        AddEngineAttributes(AddPublishAttributes(AddConnectionAttributes(
            TypeId("ns3::mqtt::MqttClient")
                .SetParent<Application>()
                .SetGroupName("Mqtt")
                .AddConstructor<MqttClient>()))))));
    return tid;
}

TypeId
MqttClient::AddConnectionAttributes(TypeId tid)
{
    return tid
        .AddAttribute("BrokerAddress",
                      "The broker: an Ipv4Address or Ipv6Address (with BrokerPort), or an "
                      "InetSocketAddress or Inet6SocketAddress.",
                      AddressValue(),
                      MakeAddressAccessor(&MqttClient::m_brokerAddress),
                      MakeAddressChecker())
        .AddAttribute("BrokerPort",
                      "The broker's TCP port when BrokerAddress has none.",
                      UintegerValue(1883),
                      MakeUintegerAccessor(&MqttClient::m_brokerPort),
                      MakeUintegerChecker<uint16_t>())
        .AddAttribute("ClientId",
                      "Client id template: %n is the node id, %a the application index.",
                      StringValue("client-%n-%a"),
                      MakeStringAccessor(&MqttClient::m_clientIdTemplate),
                      MakeStringChecker())
        .AddAttribute("KeepAlive",
                      "Keep-alive in seconds (0: off).",
                      UintegerValue(60),
                      MakeUintegerAccessor(&MqttClient::m_keepAlive),
                      MakeUintegerChecker<uint16_t>())
        .AddAttribute("CleanSession",
                      "Clean session flag of CONNECT.",
                      BooleanValue(true),
                      MakeBooleanAccessor(&MqttClient::m_cleanSession),
                      MakeBooleanChecker())
        .AddAttribute("WillTopic",
                      "Topic of the will (empty: no will); %n and %a expand.",
                      StringValue(""),
                      MakeStringAccessor(&MqttClient::m_willTopic),
                      MakeStringChecker())
        .AddAttribute("WillPayload",
                      "Payload of the will.",
                      StringValue(""),
                      MakeStringAccessor(&MqttClient::m_willPayload),
                      MakeStringChecker())
        .AddAttribute("WillQos",
                      "QoS of the will.",
                      UintegerValue(0),
                      MakeUintegerAccessor(&MqttClient::m_willQos),
                      MakeUintegerChecker<uint8_t>(0, 2))
        .AddAttribute("WillRetain",
                      "Retain flag of the will.",
                      BooleanValue(false),
                      MakeBooleanAccessor(&MqttClient::m_willRetain),
                      MakeBooleanChecker())
        .AddAttribute("UserName",
                      "User name of CONNECT (empty: none).",
                      StringValue(""),
                      MakeStringAccessor(&MqttClient::m_userName),
                      MakeStringChecker())
        .AddAttribute("Password",
                      "Password of CONNECT (empty: none; needs a UserName).",
                      StringValue(""),
                      MakeStringAccessor(&MqttClient::m_password),
                      MakeStringChecker())
        .AddAttribute("Subscriptions",
                      "Topic filters to subscribe to: \"filter:qos;filter:qos\" (qos "
                      "defaults to 0); %n and %a expand.",
                      StringValue(""),
                      MakeStringAccessor(&MqttClient::m_subscriptionsText),
                      MakeStringChecker());
}

TypeId
MqttClient::AddPublishAttributes(TypeId tid)
{
    return tid
        .AddAttribute("Topic",
                      "Topic template of generated publishes (empty: publish nothing).",
                      StringValue(""),
                      MakeStringAccessor(&MqttClient::m_topicTemplate),
                      MakeStringChecker())
        .AddAttribute("Qos",
                      "QoS of generated publishes.",
                      UintegerValue(0),
                      MakeUintegerAccessor(&MqttClient::m_qos),
                      MakeUintegerChecker<uint8_t>(0, 2))
        .AddAttribute("Retain",
                      "Retain flag of generated publishes.",
                      BooleanValue(false),
                      MakeBooleanAccessor(&MqttClient::m_retain),
                      MakeBooleanChecker())
        .AddAttribute("PayloadSize",
                      "Payload size in bytes of each generated publish (rounded down).",
                      StringValue("ns3::ConstantRandomVariable[Constant=100]"),
                      MakePointerAccessor(&MqttClient::m_payloadSize),
                      MakePointerChecker<RandomVariableStream>())
        .AddAttribute("Interval",
                      "Time in seconds between generated publishes.",
                      StringValue("ns3::ConstantRandomVariable[Constant=1.0]"),
                      MakePointerAccessor(&MqttClient::m_interval),
                      MakePointerChecker<RandomVariableStream>())
        .AddAttribute("MaxMessages",
                      "Generated publishes in all (0: unlimited).",
                      UintegerValue(0),
                      MakeUintegerAccessor(&MqttClient::m_maxMessages),
                      MakeUintegerChecker<uint64_t>());
}

TypeId
MqttClient::AddEngineAttributes(TypeId tid)
{
    return tid
        .AddAttribute("AutoReconnect",
                      "Reconnect after a lost or refused connection.",
                      BooleanValue(true),
                      MakeBooleanAccessor(&MqttClient::m_autoReconnect),
                      MakeBooleanChecker())
        .AddAttribute("ReconnectInitialDelay",
                      "First reconnect delay.",
                      TimeValue(Seconds(1)),
                      MakeTimeAccessor(&MqttClient::m_reconnectInitialDelay),
                      MakeTimeChecker())
        .AddAttribute("ReconnectMaxDelay",
                      "Bound on the reconnect delay.",
                      TimeValue(Seconds(60)),
                      MakeTimeAccessor(&MqttClient::m_reconnectMaxDelay),
                      MakeTimeChecker())
        .AddAttribute("ReconnectMultiplier",
                      "Factor between successive reconnect delays.",
                      DoubleValue(2.0),
                      MakeDoubleAccessor(&MqttClient::m_reconnectMultiplier),
                      MakeDoubleChecker<double>(1.0))
        .AddAttribute("ReconnectJitter",
                      "Each reconnect delay is scaled by a uniform factor in "
                      "[1 - jitter, 1 + jitter].",
                      DoubleValue(0.2),
                      MakeDoubleAccessor(&MqttClient::m_reconnectJitter),
                      MakeDoubleChecker<double>(0.0, 1.0))
        .AddAttribute("ConnackTimeout",
                      "No CONNACK within this time after CONNECT: close and retry.",
                      TimeValue(Seconds(10)),
                      MakeTimeAccessor(&MqttClient::m_connackTimeout),
                      MakeTimeChecker())
        .AddAttribute("PingTimeout",
                      "No PINGRESP within this time: the broker is taken for dead.",
                      TimeValue(Seconds(10)),
                      MakeTimeAccessor(&MqttClient::m_pingTimeout),
                      MakeTimeChecker())
        .AddAttribute("AckTimeout",
                      "No acknowledgement within this time: AckTimeout.",
                      TimeValue(Seconds(30)),
                      MakeTimeAccessor(&MqttClient::m_ackTimeout),
                      MakeTimeChecker())
        .AddAttribute("CloseOnAckTimeout",
                      "Close the connection on an AckTimeout (a reconnect re-sends).",
                      BooleanValue(true),
                      MakeBooleanAccessor(&MqttClient::m_closeOnAckTimeout),
                      MakeBooleanChecker())
        .AddAttribute("MaxInflight",
                      "QoS 1/2 publishes in flight at once.",
                      UintegerValue(20),
                      MakeUintegerAccessor(&MqttClient::m_maxInflight),
                      MakeUintegerChecker<uint16_t>(1))
        .AddAttribute("MaxQueued",
                      "QoS 1/2 publishes waiting (in flight included); beyond it publishes "
                      "are dropped.",
                      UintegerValue(1000),
                      MakeUintegerAccessor(&MqttClient::m_maxQueued),
                      MakeUintegerChecker<uint32_t>())
        .AddAttribute("DetectDuplicates",
                      "Remember (publisher, sequence) of stamped messages received to count "
                      "duplicates (memory grows with the messages received).",
                      BooleanValue(true),
                      MakeBooleanAccessor(&MqttClient::m_detectDuplicates),
                      MakeBooleanChecker());
}

TypeId
MqttClient::AddTraceSources(TypeId tid)
{
    tid.AddTraceSource("Event",
                       "Every notification of the engine.",
                       MakeTraceSourceAccessor(&MqttClient::m_eventTrace),
                       "ns3::mqtt::MqttClient::EventTracedCallback")
        .AddTraceSource("StateTransition",
                        "The connection state machine changed (old, new state name).",
                        MakeTraceSourceAccessor(&MqttClient::m_stateTransitionTrace),
                        "ns3::Application::StateTransitionCallback")
        .AddTraceSource("Connected",
                        "A session started (CONNACK 0); the argument is session present.",
                        MakeTraceSourceAccessor(&MqttClient::m_connectedTrace),
                        "ns3::mqtt::MqttClient::ConnectedTracedCallback")
        .AddTraceSource("Disconnected",
                        "The connection ended; the argument names the reason.",
                        MakeTraceSourceAccessor(&MqttClient::m_disconnectedTrace),
                        "ns3::mqtt::MqttClient::DisconnectedTracedCallback")
        .AddTraceSource("ConnectRefused",
                        "The broker refused the connection (CONNACK code in the event).",
                        MakeTraceSourceAccessor(&MqttClient::m_connectRefusedTrace),
                        "ns3::mqtt::MqttClient::EventTracedCallback")
        .AddTraceSource("PublishSent",
                        "A generated publish was handed to the engine.",
                        MakeTraceSourceAccessor(&MqttClient::m_publishSentTrace),
                        "ns3::mqtt::MqttClient::PublishSentTracedCallback")
        .AddTraceSource("PublishReceived",
                        "A message arrived from the broker, with its stamp and latency.",
                        MakeTraceSourceAccessor(&MqttClient::m_publishReceivedTrace),
                        "ns3::mqtt::MqttClient::PublishReceivedTracedCallback")
        .AddTraceSource("PublishCompleted",
                        "An own QoS 1/2 publish was acknowledged.",
                        MakeTraceSourceAccessor(&MqttClient::m_publishCompletedTrace),
                        "ns3::mqtt::MqttClient::EventTracedCallback")
        .AddTraceSource("Dropped",
                        "An own message was dropped; the event says why.",
                        MakeTraceSourceAccessor(&MqttClient::m_droppedTrace),
                        "ns3::mqtt::MqttClient::EventTracedCallback")
        .AddTraceSource("Subscribed",
                        "A SUBACK code for one filter (granted QoS or 0x80).",
                        MakeTraceSourceAccessor(&MqttClient::m_subscribedTrace),
                        "ns3::mqtt::MqttClient::EventTracedCallback")
        .AddTraceSource("AckTimeout",
                        "No acknowledgement for a packet in time.",
                        MakeTraceSourceAccessor(&MqttClient::m_ackTimeoutTrace),
                        "ns3::mqtt::MqttClient::EventTracedCallback")
        .AddTraceSource("TlsHandshake",
                        "A simulated TLS handshake completed (times, bytes, resumed).",
                        MakeTraceSourceAccessor(&MqttClient::m_tlsHandshakeTrace),
                        "ns3::mqtt::MqttClient::TlsHandshakeTracedCallback")
        .AddTraceSource("ConnectionSetUp",
                        "A connection reached its CONNACK: how long TCP, TLS and MQTT took and "
                        "the stream bytes until then, with or without TLS.",
                        MakeTraceSourceAccessor(&MqttClient::m_connectionSetUpTrace),
                        "ns3::mqtt::MqttClient::ConnectionSetUpTracedCallback");
    return MqttNs3AddBytesTraceSources(tid,
                                       &MqttClient::m_rxTrace,
                                       &MqttClient::m_txTrace,
                                       "Bytes read from the socket.",
                                       "Bytes written to the socket.");
}

} // namespace mqtt
} // namespace ns3
