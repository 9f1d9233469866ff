/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-client-streams.h"

namespace ns3
{
namespace mqtt
{

std::unique_ptr<MqttStreamStack>
MqttClientStreams(const MqttClientStreamOptions& options, MqttTlsLayer** tlsLayer)
{
    if (tlsLayer != nullptr)
    {
        *tlsLayer = nullptr;
    }
    if (!options.tls && !options.webSocket)
    {
        return nullptr;
    }
    auto stack = std::make_unique<MqttStreamStack>();
    if (options.tls)
    {
        auto tls = std::make_unique<MqttTlsLayer>(options.tls);
        if (tlsLayer != nullptr)
        {
            *tlsLayer = tls.get();
        }
        stack->Push(std::move(tls));
    }
    if (options.webSocket)
    {
        stack->Push(std::make_unique<MqttWebSocketLayer>(*options.webSocket));
    }
    return stack;
}

} // namespace mqtt
} // namespace ns3
