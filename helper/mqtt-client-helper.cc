/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-client-helper.h"

#include "mqtt-client.h"

#include "ns3/uinteger.h"

namespace ns3
{
namespace mqtt
{

template class MqttAppHelper<MqttClient>;

MqttClientHelper::MqttClientHelper(const Address& broker, uint16_t port)
{
    m_factory.Set("BrokerAddress", AddressValue(broker));
    m_factory.Set("BrokerPort", UintegerValue(port));
}

} // namespace mqtt
} // namespace ns3
