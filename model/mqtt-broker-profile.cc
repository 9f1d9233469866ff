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
    return profile;
}

std::optional<MqttBrokerProfile>
MqttBrokerProfile::ByName(const std::string& name)
{
    if (name == "standard")
    {
        return Standard311();
    }
    return std::nullopt;
}

std::vector<std::string>
MqttBrokerProfile::Names()
{
    return {"standard"};
}

} // namespace mqtt
} // namespace ns3
