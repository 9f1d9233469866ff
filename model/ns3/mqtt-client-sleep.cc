/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttClient's duty cycle, for sleepy devices: from each start (or wake) it stays AwakeTime
 * connected, then sends DISCONNECT and sleeps SleepTime, then connects again. The publish process
 * goes on while it sleeps: the engine keeps QoS 1/2 messages for the next wake (and drops QoS 0
 * ones, QosZeroOffline), so what a device sends and receives on waking shows what its session
 * kept (doc/mqtt5.md). A 5.0 device may say at each DISCONNECT how long the broker keeps its
 * session while it sleeps (SleepSessionExpiryInterval), longer than while it is connected.
 */
#include "mqtt-client.h"

#include "ns3/integer.h"
#include "ns3/log.h"
#include "ns3/nstime.h"
#include "ns3/simulator.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("MqttClientSleep");

namespace mqtt
{

TypeId
MqttClient::AddSleepAttributes(TypeId tid)
{
    return tid
        .AddAttribute("AwakeTime",
                      "Time connected after each start or wake before going to sleep (0: "
                      "always awake).",
                      TimeValue(Seconds(0)),
                      MakeTimeAccessor(&MqttClient::m_awakeTime),
                      MakeTimeChecker())
        .AddAttribute("SleepTime",
                      "Time asleep (disconnected) between two awake times (0: no sleep).",
                      TimeValue(Seconds(0)),
                      MakeTimeAccessor(&MqttClient::m_sleepTime),
                      MakeTimeChecker())
        .AddAttribute("SleepSessionExpiryInterval",
                      "5.0: Session Expiry Interval of the DISCONNECT sent when going to sleep, "
                      "seconds (-1: none, the CONNECT's stays in force). Needs a non-zero "
                      "SessionExpiryInterval: after 0 in CONNECT it is a Protocol Error.",
                      IntegerValue(-1),
                      MakeIntegerAccessor(&MqttClient::m_sleepSessionExpiryInterval),
                      MakeIntegerChecker<int64_t>(-1, 0xFFFFFFFFLL));
}

void
MqttClient::StartSleepCycle()
{
    if (m_awakeTime.IsStrictlyPositive() && m_sleepTime.IsStrictlyPositive())
    {
        m_sleepEvent = Simulator::Schedule(m_awakeTime, &MqttClient::Sleep, this);
    }
}

void
MqttClient::Sleep()
{
    NS_LOG_FUNCTION(this);
    if (!m_running || !m_engine)
    {
        return;
    }
    // 5.0 with SleepSessionExpiryInterval: the DISCONNECT carries it. Otherwise (or when no
    // CONNECT went out on this connection) a plain Disconnect, which also stops reconnecting.
    const bool withExpiry =
        m_protocolVersion == 5 && m_sleepSessionExpiryInterval >= 0 &&
        m_engine->Disconnect(MqttNs3Timers::Now(),
                             m_actions.Out(),
                             ReasonCode::NormalDisconnection,
                             static_cast<uint32_t>(m_sleepSessionExpiryInterval));
    if (!withExpiry)
    {
        m_engine->Disconnect(MqttNs3Timers::Now(), m_actions.Out());
    }
    Execute();
    m_sleepEvent = Simulator::Schedule(m_sleepTime, &MqttClient::Wake, this);
}

void
MqttClient::Wake()
{
    NS_LOG_FUNCTION(this);
    if (!m_running || !m_engine)
    {
        return;
    }
    m_engine->Connect(MqttNs3Timers::Now(), m_actions.Out());
    Execute();
    StartSleepCycle();
}

} // namespace mqtt
} // namespace ns3
