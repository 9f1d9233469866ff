/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Links of the topology builder: wired devices, the loss models on every device of a link,
 * and the counters and queue-depth probes of its statistics.
 */
#include "mqtt-gilbert-elliott-error-model.h"
#include "mqtt-topology-build-context.h"

#include "ns3/csma-helper.h"
#include "ns3/csma-net-device.h"
#include "ns3/double.h"
#include "ns3/drop-tail-queue.h"
#include "ns3/lr-wpan-mac.h"
#include "ns3/lr-wpan-net-device.h"
#include "ns3/lr-wpan-phy.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/point-to-point-net-device.h"
#include "ns3/wifi-mac-queue.h"
#include "ns3/wifi-mac.h"
#include "ns3/wifi-net-device.h"
#include "ns3/wifi-phy.h"

namespace ns3
{
namespace mqtt
{

namespace
{

void
CountTx(MqttLinkCounters* c, Ptr<const Packet> p)
{
    ++c->txPackets;
    c->txBytes += p->GetSize();
}

void
CountRx(MqttLinkCounters* c, Ptr<const Packet> p)
{
    ++c->rxPackets;
    c->rxBytes += p->GetSize();
}

void
CountLost(MqttLinkCounters* c, Ptr<const Packet>)
{
    ++c->lostPackets;
}

void
CountQueueDrop(MqttLinkCounters* c, Ptr<const Packet>)
{
    ++c->queueDrops;
}

void
CountWifiLost(MqttLinkCounters* c, Ptr<const Packet>, WifiPhyRxfailureReason)
{
    ++c->lostPackets;
}

void
Add(uint32_t* v, Ptr<const Packet>)
{
    ++*v;
}

void
Sub(uint32_t* v, Ptr<const Packet>)
{
    if (*v > 0)
    {
        --*v;
    }
}

using Probes = std::vector<std::function<uint32_t()>>;

/** Point-to-point and CSMA devices: the same traces, the same device queue. */
template<typename Device>
void
InstrumentWired(Ptr<Device> dev, MqttLinkCounters* c, Probes* probes)
{
    dev->TraceConnectWithoutContext("MacTx", MakeBoundCallback(&CountTx, c));
    dev->TraceConnectWithoutContext("MacRx", MakeBoundCallback(&CountRx, c));
    dev->TraceConnectWithoutContext("PhyRxDrop", MakeBoundCallback(&CountLost, c));
    Ptr<Queue<Packet>> q = dev->GetQueue();
    q->TraceConnectWithoutContext("Drop", MakeBoundCallback(&CountQueueDrop, c));
    probes->push_back([q]() { return q->GetNPackets(); });
}

void
InstrumentWifi(Ptr<WifiNetDevice> wifi, MqttLinkCounters* c, Probes* probes)
{
    Ptr<WifiMac> mac = wifi->GetMac();
    mac->TraceConnectWithoutContext("MacTx", MakeBoundCallback(&CountTx, c));
    mac->TraceConnectWithoutContext("MacRx", MakeBoundCallback(&CountRx, c));
    mac->TraceConnectWithoutContext("MacTxDrop", MakeBoundCallback(&CountQueueDrop, c));
    wifi->GetPhy()->TraceConnectWithoutContext("PhyRxDrop", MakeBoundCallback(&CountWifiLost, c));
    std::vector<Ptr<WifiMacQueue>> queues = MqttWifiTxQueues(mac);
    probes->push_back(
        [queues]()
        {
            uint32_t n = 0;
            for (const auto& q : queues)
            {
                n += q->GetNPackets();
            }
            return n;
        });
}

void
InstrumentLowPan(Ptr<LrWpanNetDevice> lr, MqttLinkCounters* c, Probes* probes)
{
    Ptr<LrWpanMac> mac = lr->GetMac();
    mac->TraceConnectWithoutContext("MacTx", MakeBoundCallback(&CountTx, c));
    mac->TraceConnectWithoutContext("MacRx", MakeBoundCallback(&CountRx, c));
    mac->TraceConnectWithoutContext("MacTxDrop", MakeBoundCallback(&CountQueueDrop, c));
    lr->GetPhy()->TraceConnectWithoutContext("PhyRxDrop", MakeBoundCallback(&CountLost, c));
    // The MAC's queue is not exposed: follow it through its enqueue and dequeue.
    auto n = std::make_shared<uint32_t>(0);
    mac->TraceConnectWithoutContext("MacTxEnqueue", MakeBoundCallback(&Add, n.get()));
    mac->TraceConnectWithoutContext("MacTxDequeue", MakeBoundCallback(&Sub, n.get()));
    probes->push_back([n]() { return *n; });
}

} // namespace

std::vector<Ptr<WifiMacQueue>>
MqttWifiTxQueues(Ptr<WifiMac> mac)
{
    std::vector<Ptr<WifiMacQueue>> queues;
    if (mac->GetQosSupported())
    {
        for (AcIndex ac : {AC_BE, AC_BK, AC_VI, AC_VO})
        {
            queues.push_back(mac->GetTxopQueue(ac));
        }
    }
    else
    {
        queues.push_back(mac->GetTxopQueue(AC_BE_NQOS));
    }
    return queues;
}

Ptr<ErrorModel>
MqttTopologyBuilder::Impl::MakeModel(const MqttLossSpec& loss, int64_t* stream)
{
    switch (loss.model)
    {
    case MqttLossSpec::Model::None:
        return nullptr;
    case MqttLossSpec::Model::Rate:
    {
        auto em = CreateObject<RateErrorModel>();
        em->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
        em->SetRate(loss.rate);
        em->AssignStreams((*stream)++);
        return em;
    }
    case MqttLossSpec::Model::GilbertElliott:
    {
        auto em = CreateObject<MqttGilbertElliottErrorModel>();
        em->SetAttribute("PGoodBad", DoubleValue(loss.pGoodBad));
        em->SetAttribute("PBadGood", DoubleValue(loss.pBadGood));
        em->SetAttribute("LossGood", DoubleValue(loss.lossGood));
        em->SetAttribute("LossBad", DoubleValue(loss.lossBad));
        em->AssignStreams((*stream)++);
        return em;
    }
    }
    return nullptr;
}

void
MqttTopologyBuilder::Impl::InstallModel(Ptr<NetDevice> dev, Ptr<ErrorModel> em)
{
    if (auto p2p = DynamicCast<PointToPointNetDevice>(dev))
    {
        p2p->SetReceiveErrorModel(em);
    }
    else if (auto csma = DynamicCast<CsmaNetDevice>(dev))
    {
        csma->SetReceiveErrorModel(em);
    }
    else if (auto wifi = DynamicCast<WifiNetDevice>(dev))
    {
        wifi->GetPhy()->SetPostReceptionErrorModel(em);
    }
    else if (auto lr = DynamicCast<LrWpanNetDevice>(dev))
    {
        lr->GetPhy()->SetPostReceptionErrorModel(em);
    }
}

void
MqttTopologyBuilder::Impl::ApplyLoss(MqttBuiltLink& link, const MqttLossSpec& loss, int64_t* stream)
{
    for (uint32_t i = 0; i < link.devices.GetN(); ++i)
    {
        InstallModel(link.devices.Get(i), MakeModel(loss, stream));
    }
}

void
MqttTopologyBuilder::Impl::Instrument(MqttBuiltLink& link)
{
    MqttLinkCounters* c = &link.counters;
    Probes* probes = &depth[&link];
    for (uint32_t i = 0; i < link.devices.GetN(); ++i)
    {
        Ptr<NetDevice> dev = link.devices.Get(i);
        if (auto p2p = DynamicCast<PointToPointNetDevice>(dev))
        {
            InstrumentWired(p2p, c, probes);
        }
        else if (auto csma = DynamicCast<CsmaNetDevice>(dev))
        {
            InstrumentWired(csma, c, probes);
        }
        else if (auto wifi = DynamicCast<WifiNetDevice>(dev))
        {
            InstrumentWifi(wifi, c, probes);
        }
        else if (auto lr = DynamicCast<LrWpanNetDevice>(dev))
        {
            InstrumentLowPan(lr, c, probes);
        }
    }
}

MqttBuiltLink&
MqttTopologyBuilder::Impl::NewLink(const std::string& name,
                                   const MqttLinkSpec& cls,
                                   NetDeviceContainer devices,
                                   const std::string& a,
                                   const std::string& b,
                                   uint64_t rate,
                                   ScenarioTime delay,
                                   const MqttLossSpec& loss)
{
    links.emplace_back();
    MqttBuiltLink& l = links.back();
    l.name = name;
    l.linkClass = cls.name;
    l.type = cls.type;
    l.a = a;
    l.b = b;
    l.rateBps = rate;
    l.delay = delay;
    l.loss = loss;
    l.devices = devices;
    ApplyLoss(l, loss, &nextStream);
    Instrument(l);
    return l;
}

NetDeviceContainer
MqttTopologyBuilder::Impl::Wire(const MqttLinkSpec& cls,
                                NodeContainer nodes,
                                uint64_t rate,
                                ScenarioTime delay)
{
    QueueSizeValue queue(QueueSize(QueueSizeUnit::PACKETS, cls.queuePackets));
    if (cls.type == MqttLinkType::PointToPoint)
    {
        PointToPointHelper p2p;
        p2p.SetDeviceAttribute("DataRate", DataRateValue(DataRate(rate)));
        p2p.SetChannelAttribute("Delay", TimeValue(NanoSeconds(delay.count())));
        p2p.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", queue);
        return p2p.Install(nodes.Get(0), nodes.Get(1));
    }
    CsmaHelper csma;
    csma.SetChannelAttribute("DataRate", DataRateValue(DataRate(rate)));
    csma.SetChannelAttribute("Delay", TimeValue(NanoSeconds(delay.count())));
    csma.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", queue);
    return csma.Install(nodes);
}

} // namespace mqtt
} // namespace ns3
