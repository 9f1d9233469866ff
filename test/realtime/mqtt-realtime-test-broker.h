/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A simulated broker serving real sockets (MqttRealtimeHelper::ListenReal) for the real-time
 * tests whose clients are real: set it up, run the real-time simulation while a thread of real
 * clients runs, tear the simulator down.
 */
#ifndef MQTT_REALTIME_TEST_BROKER_H
#define MQTT_REALTIME_TEST_BROKER_H

#include "mqtt-broker-helper.h"
#include "mqtt-broker.h"
#include "mqtt-realtime-helper.h"

#include "ns3/global-value.h"
#include "ns3/node.h"
#include "ns3/simulator.h"
#include "ns3/string.h"

#include <functional>
#include <thread>

namespace ns3
{
namespace mqtt
{
namespace test
{

class RealtimeTestBroker
{
  public:
    /** A broker made by @p helper (Attributes set), listening on a free loopback port. */
    explicit RealtimeTestBroker(MqttBrokerHelper helper = MqttBrokerHelper())
    {
        MqttRealtimeHelper::EnableRealtime();
        Ptr<Node> node = CreateObject<Node>();
        ApplicationContainer apps = helper.Install(node);
        m_broker = DynamicCast<MqttBroker>(apps.Get(0));
    }

    ~RealtimeTestBroker()
    {
        Simulator::Destroy();
        GlobalValue::Bind("SimulatorImplementationType", StringValue("ns3::DefaultSimulatorImpl"));
    }

    RealtimeTestBroker(const RealtimeTestBroker&) = delete;
    RealtimeTestBroker& operator=(const RealtimeTestBroker&) = delete;

    Ptr<MqttBroker>
    Broker() const
    {
        return m_broker;
    }

    /**
     * Listens (after the settings are made), runs the simulation while @p clients runs in a
     * thread with the real port, and stops it when @p clients returns (at most 60 s).
     */
    void
    Run(const std::function<void(uint16_t port)>& clients)
    {
        const uint16_t port = MqttRealtimeHelper::ListenReal(m_broker, "127.0.0.1:0").Port();
        std::thread thread(
            [&]
            {
                clients(port);
                Simulator::ScheduleWithContext(Simulator::NO_CONTEXT, Seconds(0), &Simulator::Stop);
            });
        Simulator::Stop(Seconds(60)); // a bound; the clients stop it much sooner
        Simulator::Run();
        thread.join();
    }

  private:
    Ptr<MqttBroker> m_broker;
};

} // namespace test
} // namespace mqtt
} // namespace ns3

#endif // MQTT_REALTIME_TEST_BROKER_H
