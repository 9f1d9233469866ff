/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-realtime-helper.h"

#include "mqtt-real-transport.h"
#include "mqtt-realtime-bridge.h"

#include "ns3/boolean.h"
#include "ns3/global-value.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/simulator.h"
#include "ns3/string.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("MqttRealtimeHelper");

namespace mqtt
{

void
MqttRealtimeHelper::EnableRealtime()
{
    GlobalValue::Bind("SimulatorImplementationType", StringValue("ns3::RealtimeSimulatorImpl"));
    GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));
}

MqttPosixEndpoint
MqttRealtimeHelper::ParseEndpoint(const std::string& text)
{
    MqttPosixEndpoint endpoint;
    std::string error;
    NS_ABORT_MSG_UNLESS(MqttPosixEndpoint::Parse(text, endpoint, error), "real endpoint " << error);
    return endpoint;
}

void
MqttRealtimeHelper::OfferConnection(Ptr<MqttBroker> broker,
                                    uint64_t handle,
                                    const Address& peer,
                                    uint32_t attempt)
{
    ConnectionId id = broker->AddConnection(
        [handle, peer](ConnectionId id, const MqttTransportCallbacks& callbacks)
        { return Create<MqttRealTransport>(id, handle, peer, callbacks); },
        peer);
    if (id != 0)
    {
        return;
    }
    // The broker is not running: not started yet (a real client may connect before the
    // application's start event), or stopped. Hold the connection a while, like a listen backlog.
    if (attempt < HOLD_ATTEMPTS)
    {
        Simulator::Schedule(MilliSeconds(HOLD_STEP_MS),
                            &MqttRealtimeHelper::OfferConnection,
                            broker,
                            handle,
                            peer,
                            attempt + 1);
        return;
    }
    NS_LOG_WARN("real connection refused: the broker is not running");
    MqttRealtimeBridge::Get()->Abort(handle);
}

MqttPosixEndpoint
MqttRealtimeHelper::ListenReal(Ptr<MqttBroker> broker,
                               const std::string& text,
                               std::shared_ptr<MqttTlsContext> tls)
{
    MqttPosixEndpoint endpoint = ParseEndpoint(text);
    Ptr<MqttRealtimeBridge> bridge = MqttRealtimeBridge::Get();
    auto accepted = [broker](MqttRealtimeBridge::Handle handle, const Address& peer)
    { OfferConnection(broker, handle, peer, 0); };
    std::string error;
    MqttRealtimeBridge::Handle listener = bridge->Listen(
        endpoint, broker->GetNode()->GetId(), MqttRealtimeBridge::AcceptCallback(accepted), error, std::move(tls));
    NS_ABORT_MSG_IF(listener == 0, "MqttBroker real listener: " << error);
    MqttPosixEndpoint bound = bridge->ListeningEndpoint(listener);
    NS_LOG_INFO("broker on node " << broker->GetNode()->GetId() << " listens on real "
                                  << bound.ToString());
    return bound;
}

void
MqttRealtimeHelper::UseRealBroker(Ptr<MqttClient> client,
                                  const std::string& text,
                                  MqttClientStreamOptions streams)
{
    MqttPosixEndpoint endpoint = ParseEndpoint(text);
    // The node id, not the node: the client holds the factory, and the node holds the client.
    uint32_t context = client->GetNode()->GetId();
    client->SetTransportFactory(
        [endpoint, context, streams](ConnectionId id, const MqttTransportCallbacks& callbacks) {
            return Ptr<MqttTransport>(
                MqttRealTransport::Connect(id, context, endpoint, callbacks, streams));
        });
}

std::shared_ptr<MqttTlsContext>
MqttRealtimeHelper::TlsOrExit(MqttTlsContext::Role role, const MqttTlsOptions& options)
{
    std::string error;
    std::shared_ptr<MqttTlsContext> context = MqttTlsContext::Create(role, options, error);
    if (!context)
    {
        std::fprintf(stderr, "TLS: %s\n", error.c_str());
        std::exit(2);
    }
    return context;
}

int
MqttRealtimeHelper::OpenTap(const std::string& name, std::string& error)
{
    if (name.empty() || name.size() >= IFNAMSIZ)
    {
        error = "TAP name '" + name + "' must have 1 to " + std::to_string(IFNAMSIZ - 1) +
                " characters";
        return -1;
    }
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0)
    {
        error = "/dev/net/tun: " + std::string(std::strerror(errno));
        return -1;
    }
    ifreq request{};
    request.ifr_flags = IFF_TAP | IFF_NO_PI;
    std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &request) != 0)
    {
        error = "TUNSETIFF " + name + ": " + std::string(std::strerror(errno)) +
                (errno == EPERM ? " (needs root)" : "");
        close(fd);
        return -1;
    }
    return fd;
}

void
MqttRealtimeHelper::UseRealBroker(const ApplicationContainer& apps,
                                  const std::string& endpoint,
                                  MqttClientStreamOptions streams)
{
    for (auto it = apps.Begin(); it != apps.End(); ++it)
    {
        if (Ptr<MqttClient> client = DynamicCast<MqttClient>(*it))
        {
            UseRealBroker(client, endpoint, streams);
        }
    }
}

} // namespace mqtt
} // namespace ns3
