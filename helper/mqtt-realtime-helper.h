/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Hardware in the loop at the MQTT level: simulated brokers that real clients reach, simulated
 * clients that reach real brokers.
 */
#ifndef MQTT_REALTIME_HELPER_H
#define MQTT_REALTIME_HELPER_H

#include "mqtt-broker.h"
#include "mqtt-client-streams.h"
#include "mqtt-client.h"
#include "mqtt-posix-endpoint.h"
#include "mqtt-tls.h"

#include "ns3/application-container.h"
#include "ns3/nstime.h"
#include "ns3/ptr.h"

#include <string>

namespace ns3
{
namespace mqtt
{

/**
 * Connects MQTT applications of a simulation to real TCP sockets (MqttRealtimeBridge).
 *
 * The simulation must run in real time: call EnableRealtime() before creating any node. Real
 * bytes enter the simulation as events at the current real time, so the simulated clock and the
 * wall clock stay together (best effort: a slow simulation falls behind).
 */
class MqttRealtimeHelper
{
  public:
    /**
     * Binds SimulatorImplementationType to ns3::RealtimeSimulatorImpl and turns on checksums
     * (packets that leave or enter through real devices need them).
     */
    static void EnableRealtime();

    /**
     * Makes @p broker also serve real TCP clients on @p endpoint ("HOST:PORT", IPv6 as
     * "[ADDR]:PORT", port 0: the kernel chooses), besides the clients of its node. A real client
     * that connects while the broker application is not running is held up to 2 s, then closed.
     * Stops the simulation (NS_FATAL) if the address is malformed or cannot be bound.
     * @return the address really listened on
     */
    static MqttPosixEndpoint ListenReal(Ptr<MqttBroker> broker,
                                        const std::string& endpoint,
                                        std::shared_ptr<MqttTlsContext> tls = nullptr);

    /** Makes @p client connect to the real broker at @p endpoint instead of BrokerAddress,
     * over TLS and/or WebSocket with @p streams (a TLS context alone converts). */
    static void UseRealBroker(Ptr<MqttClient> client,
                              const std::string& endpoint,
                              MqttClientStreamOptions streams = {});
    /**
     * A TLS context for ListenReal (Role::Server) or UseRealBroker (Role::Client) from command-
     * line options; on an error (an unreadable or mismatched file, named) the program exits
     * with status 2.
     */
    static std::shared_ptr<MqttTlsContext> TlsOrExit(MqttTlsContext::Role role,
                                                     const MqttTlsOptions& options);

    /** UseRealBroker for every MqttClient in @p apps. */
    static void UseRealBroker(const ApplicationContainer& apps,
                              const std::string& endpoint,
                              MqttClientStreamOptions streams = {});

    /**
     * Opens (creating it if needed) the TAP device @p name through /dev/net/tun, without packet
     * information headers, for an FdNetDevice (packet-level hardware in the loop). Needs root
     * (CAP_NET_ADMIN). @return the descriptor, or -1 with @p error set.
     */
    static int OpenTap(const std::string& name, std::string& error);

    /** Parses an endpoint, stopping the simulation with a message naming it if malformed. */
    static MqttPosixEndpoint ParseEndpoint(const std::string& endpoint);

  private:
    /** Checks every HOLD_STEP_MS milliseconds whether a broker that is not running has started. */
    static constexpr uint32_t HOLD_ATTEMPTS = 200;
    static constexpr uint32_t HOLD_STEP_MS = 10;

    /** Hands an accepted real connection to @p broker, or holds it until the broker runs. */
    static void OfferConnection(Ptr<MqttBroker> broker,
                                uint64_t handle,
                                const Address& peer,
                                uint32_t attempt);
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_REALTIME_HELPER_H
