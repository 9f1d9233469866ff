/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-client-helper.h"

#include "mqtt-client.h"

#include "ns3/address.h"
#include "ns3/names.h"
#include "ns3/node.h"
#include "ns3/uinteger.h"

namespace ns3
{
namespace mqtt
{

MqttClientHelper::MqttClientHelper()
{
    m_factory.SetTypeId(MqttClient::GetTypeId());
}

MqttClientHelper::MqttClientHelper(const Address& broker, uint16_t port)
    : MqttClientHelper()
{
    m_factory.Set("BrokerAddress", AddressValue(broker));
    m_factory.Set("BrokerPort", UintegerValue(port));
}

void
MqttClientHelper::SetAttribute(const std::string& name, const AttributeValue& value)
{
    m_factory.Set(name, value);
}

ApplicationContainer
MqttClientHelper::Install(Ptr<Node> node) const
{
    Ptr<MqttClient> app = m_factory.Create<MqttClient>();
    node->AddApplication(app);
    return ApplicationContainer(app);
}

ApplicationContainer
MqttClientHelper::Install(const std::string& nodeName) const
{
    return Install(Names::Find<Node>(nodeName));
}

ApplicationContainer
MqttClientHelper::Install(NodeContainer nodes) const
{
    ApplicationContainer apps;
    for (auto it = nodes.Begin(); it != nodes.End(); ++it)
    {
        apps.Add(Install(*it));
    }
    return apps;
}

int64_t
MqttClientHelper::AssignStreams(ApplicationContainer apps, int64_t stream)
{
    int64_t current = stream;
    for (auto it = apps.Begin(); it != apps.End(); ++it)
    {
        if (Ptr<MqttClient> client = DynamicCast<MqttClient>(*it))
        {
            current += client->AssignStreams(current);
        }
    }
    return current - stream;
}

int64_t
MqttClientHelper::AssignStreams(NodeContainer nodes, int64_t stream)
{
    ApplicationContainer apps;
    for (auto it = nodes.Begin(); it != nodes.End(); ++it)
    {
        for (uint32_t i = 0; i < (*it)->GetNApplications(); ++i)
        {
            apps.Add((*it)->GetApplication(i));
        }
    }
    return AssignStreams(apps, stream);
}

} // namespace mqtt
} // namespace ns3
