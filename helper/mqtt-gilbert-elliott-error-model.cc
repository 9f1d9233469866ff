/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-gilbert-elliott-error-model.h"

#include "ns3/double.h"
#include "ns3/log.h"
#include "ns3/pointer.h"

namespace ns3
{
namespace mqtt
{

NS_LOG_COMPONENT_DEFINE("MqttGilbertElliottErrorModel");

NS_OBJECT_ENSURE_REGISTERED(MqttGilbertElliottErrorModel);

TypeId
MqttGilbertElliottErrorModel::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::mqtt::MqttGilbertElliottErrorModel")
            .SetParent<ErrorModel>()
            .SetGroupName("Mqtt")
            .AddConstructor<MqttGilbertElliottErrorModel>()
            .AddAttribute("PGoodBad",
                          "Probability of moving from the good to the bad state after a packet.",
                          DoubleValue(0.0),
                          MakeDoubleAccessor(&MqttGilbertElliottErrorModel::m_pGoodBad),
                          MakeDoubleChecker<double>(0.0, 1.0))
            .AddAttribute("PBadGood",
                          "Probability of moving from the bad to the good state after a packet.",
                          DoubleValue(1.0),
                          MakeDoubleAccessor(&MqttGilbertElliottErrorModel::m_pBadGood),
                          MakeDoubleChecker<double>(0.0, 1.0))
            .AddAttribute("LossGood",
                          "Loss probability of a packet in the good state.",
                          DoubleValue(0.0),
                          MakeDoubleAccessor(&MqttGilbertElliottErrorModel::m_lossGood),
                          MakeDoubleChecker<double>(0.0, 1.0))
            .AddAttribute("LossBad",
                          "Loss probability of a packet in the bad state.",
                          DoubleValue(1.0),
                          MakeDoubleAccessor(&MqttGilbertElliottErrorModel::m_lossBad),
                          MakeDoubleChecker<double>(0.0, 1.0));
    return tid;
}

MqttGilbertElliottErrorModel::MqttGilbertElliottErrorModel()
    : m_pGoodBad(0)
    , m_pBadGood(1)
    , m_lossGood(0)
    , m_lossBad(1)
    , m_bad(false)
    , m_packets(0)
    , m_lost(0)
    , m_random(CreateObject<UniformRandomVariable>())
{
    NS_LOG_FUNCTION(this);
}

int64_t
MqttGilbertElliottErrorModel::AssignStreams(int64_t stream)
{
    NS_LOG_FUNCTION(this << stream);
    m_random->SetStream(stream);
    return 1;
}

bool
MqttGilbertElliottErrorModel::IsBad() const
{
    return m_bad;
}

uint64_t
MqttGilbertElliottErrorModel::GetPackets() const
{
    return m_packets;
}

uint64_t
MqttGilbertElliottErrorModel::GetLost() const
{
    return m_lost;
}

bool
MqttGilbertElliottErrorModel::DoCorrupt(Ptr<Packet> p)
{
    NS_LOG_FUNCTION(this << p);
    ++m_packets;
    bool lost = m_random->GetValue() < (m_bad ? m_lossBad : m_lossGood);
    if (lost)
    {
        ++m_lost;
    }
    double change = m_bad ? m_pBadGood : m_pGoodBad;
    if (m_random->GetValue() < change)
    {
        m_bad = !m_bad;
    }
    return lost;
}

void
MqttGilbertElliottErrorModel::DoReset()
{
    NS_LOG_FUNCTION(this);
    m_bad = false;
}

} // namespace mqtt
} // namespace ns3
