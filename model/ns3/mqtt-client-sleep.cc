/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttClient's duty cycle, for sleepy devices: from each start (or wake) it stays AwakeTime
 * connected, then sends DISCONNECT and sleeps SleepTime, then connects again. The publish process
 * goes on while it sleeps: the engine keeps QoS 1/2 messages for the next wake (and drops QoS 0
 * ones, QosZeroOffline), so what a device sends and receives on waking shows what its session
 * kept (doc/mqtt5.md).
 */
#include "mqtt-client.h"

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
                      MakeTimeChecker());
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
    m_engine->Disconnect(MqttNs3Timers::Now(), m_actions.Out());
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
