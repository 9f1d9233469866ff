/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-broker-helper.h"

#include "mqtt-broker.h"

#include "ns3/names.h"
#include "ns3/node.h"
#include "ns3/uinteger.h"

namespace ns3
{
namespace mqtt
{

MqttBrokerHelper::MqttBrokerHelper(uint16_t port)
{
    m_factory.SetTypeId(MqttBroker::GetTypeId());
    m_factory.Set("Port", UintegerValue(port));
}

void
MqttBrokerHelper::SetAttribute(const std::string& name, const AttributeValue& value)
{
    m_factory.Set(name, value);
}

void
MqttBrokerHelper::SetProfile(const MqttBrokerProfile& profile)
{
    m_profile = profile;
}

ApplicationContainer
MqttBrokerHelper::Install(Ptr<Node> node) const
{
    Ptr<MqttBroker> app = m_factory.Create<MqttBroker>();
    if (m_profile)
    {
        app->SetProfile(*m_profile);
    }
    node->AddApplication(app);
    return ApplicationContainer(app);
}

ApplicationContainer
MqttBrokerHelper::Install(const std::string& nodeName) const
{
    return Install(Names::Find<Node>(nodeName));
}

ApplicationContainer
MqttBrokerHelper::Install(NodeContainer nodes) const
{
    ApplicationContainer apps;
    for (auto it = nodes.Begin(); it != nodes.End(); ++it)
    {
        apps.Add(Install(*it));
    }
    return apps;
}

int64_t
MqttBrokerHelper::AssignStreams(ApplicationContainer apps, int64_t stream)
{
    int64_t current = stream;
    for (auto it = apps.Begin(); it != apps.End(); ++it)
    {
        if (Ptr<MqttBroker> broker = DynamicCast<MqttBroker>(*it))
        {
            current += broker->AssignStreams(current);
        }
    }
    return current - stream;
}

int64_t
MqttBrokerHelper::AssignStreams(NodeContainer nodes, int64_t stream)
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
