/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-broker-helper.h"

#include "mqtt-broker.h"

#include "ns3/uinteger.h"

namespace ns3
{
namespace mqtt
{

template class MqttAppHelper<MqttBroker>;

MqttBrokerHelper::MqttBrokerHelper(uint16_t port)
{
    m_factory.Set("Port", UintegerValue(port));
}

void
MqttBrokerHelper::SetProfile(const MqttBrokerProfile& profile)
{
    m_profile = profile;
}

void
MqttBrokerHelper::Configure(Ptr<MqttBroker> app) const
{
    if (m_profile)
    {
        app->SetProfile(*m_profile);
    }
}

} // namespace mqtt
} // namespace ns3
