/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Access networks of the topology builder: how a client group reaches the vertices it attaches
 * to. Point-to-point links one per client, CSMA segments, Wi-Fi BSSs and 6LoWPAN PANs one per
 * attach vertex (the vertex is the segment's router, access point or border router).
 */
#include "mqtt-topology-build-context.h"

#include "ns3/double.h"
#include "ns3/ipv6-address-helper.h"
#include "ns3/ipv6-static-routing-helper.h"
#include "ns3/ipv6-static-routing.h"
#include "ns3/ipv6.h"
#include "ns3/lr-wpan-helper.h"
#include "ns3/lr-wpan-net-device.h"
#include "ns3/lr-wpan-phy.h"
#include "ns3/mobility-model.h"
#include "ns3/propagation-delay-model.h"
#include "ns3/propagation-loss-model.h"
#include "ns3/single-model-spectrum-channel.h"
#include "ns3/sixlowpan-helper.h"
#include "ns3/ssid.h"
#include "ns3/wifi-mac-queue.h"
#include "ns3/wifi-mac.h"
#include "ns3/wifi-net-device.h"
#include "ns3/yans-wifi-helper.h"

#include <cmath>

namespace ns3
{
namespace mqtt
{

namespace
{

/** Members of a group by the vertex they attach to (one segment each), in member order. */
std::map<uint32_t, std::vector<uint32_t>>
Segments(const std::vector<uint32_t>& place)
{
    std::map<uint32_t, std::vector<uint32_t>> segments;
    for (uint32_t i = 0; i < place.size(); ++i)
    {
        segments[place[i]].push_back(i);
    }
    return segments;
}

using Positions = std::vector<std::pair<double, double>>;

/**
 * Points of a PAN of @p n devices: the border router at a corner of the grid (or the end of
 * the line), point 0; devices on the other points.
 */
Positions
PanLayout(const MqttLinkSpec& cls, const MqttGraphVertex& at, uint32_t n)
{
    uint32_t cols =
        cls.layout == "line" ? n + 1 : static_cast<uint32_t>(std::ceil(std::sqrt(double(n + 1))));
    Positions pos(n + 1);
    for (uint32_t k = 0; k <= n; ++k)
    {
        pos[k] = {at.x + (k % cols) * cls.spacing, at.y + (k / cols) * cls.spacing};
    }
    return pos;
}

/** A spectrum channel where radio range is a hard edge: beyond it, no reception, no noise. */
Ptr<SingleModelSpectrumChannel>
PanChannel(double range)
{
    Ptr<SingleModelSpectrumChannel> channel = CreateObject<SingleModelSpectrumChannel>();
    Ptr<LogDistancePropagationLossModel> logd = CreateObject<LogDistancePropagationLossModel>();
    Ptr<RangePropagationLossModel> cut = CreateObject<RangePropagationLossModel>();
    cut->SetAttribute("MaxRange", DoubleValue(range));
    logd->SetNext(cut);
    channel->AddPropagationLossModel(logd);
    // Frames the range cut (-1000 dBm) are not even delivered to the receivers.
    channel->SetAttribute("MaxLossDb", DoubleValue(500));
    channel->SetPropagationDelayModel(CreateObject<ConstantSpeedPropagationDelayModel>());
    return channel;
}

/**
 * The routing tree of a PAN: a BFS tree over the radio graph (points within range) from the
 * border router, point 0. Returns each point's parent (0 for the border router itself).
 */
std::vector<uint32_t>
PanParents(const Positions& pos, double range)
{
    uint32_t n = pos.size() - 1;
    MqttTopologyGraph radio;
    for (uint32_t k = 0; k <= n; ++k)
    {
        MqttGraphVertex v;
        v.name = "p" + std::to_string(k);
        radio.AddVertex(v);
    }
    for (uint32_t a = 0; a <= n; ++a)
    {
        for (uint32_t b = a + 1; b <= n; ++b)
        {
            double dist = std::hypot(pos[a].first - pos[b].first, pos[a].second - pos[b].second);
            if (dist <= range)
            {
                MqttGraphEdge e;
                e.a = a;
                e.b = b;
                radio.AddEdge(e);
            }
        }
    }
    auto hop = radio.NextHopEdges(0);
    std::vector<uint32_t> parent(n + 1, 0);
    for (uint32_t k = 1; k <= n; ++k)
    {
        NS_ABORT_MSG_UNLESS(hop[k], "6LoWPAN device out of range of its network");
        const MqttGraphEdge& e = radio.Edges()[*hop[k]];
        parent[k] = e.a == k ? e.b : e.a;
    }
    return parent;
}

/** Static IPv6 routes along the PAN's tree: up by default, down by host routes. */
void
RoutePan(const NodeContainer& pan,
         const Ipv6InterfaceContainer& ifc,
         const std::vector<uint32_t>& parent)
{
    Ipv6StaticRoutingHelper routing;
    for (uint32_t k = 1; k < parent.size(); ++k)
    {
        Ptr<Ipv6> ip = pan.Get(k)->GetObject<Ipv6>();
        uint32_t iface = ifc.GetInterfaceIndex(k);
        routing.GetStaticRouting(ip)->SetDefaultRoute(ifc.GetAddress(parent[k], 1), iface);
        // Every ancestor two or more hops up reaches k through the next node down.
        uint32_t child = parent[k];
        for (uint32_t up = parent[child]; child != 0; child = up, up = parent[up])
        {
            Ptr<Ipv6> upIp = pan.Get(up)->GetObject<Ipv6>();
            routing.GetStaticRouting(upIp)->AddHostRouteTo(
                ifc.GetAddress(k, 1), ifc.GetAddress(child, 1), ifc.GetInterfaceIndex(up));
        }
    }
}

/** Every transmit queue of the Wi-Fi devices @p devs holds @p packets at most. */
void
LimitWifiQueues(const NetDeviceContainer& devs, uint32_t packets)
{
    QueueSize size(QueueSizeUnit::PACKETS, packets);
    for (uint32_t i = 0; i < devs.GetN(); ++i)
    {
        for (const auto& q : MqttWifiTxQueues(DynamicCast<WifiNetDevice>(devs.Get(i))->GetMac()))
        {
            q->SetMaxSize(size);
        }
    }
}

} // namespace

void
MqttTopologyBuilder::Impl::BuildWiredAccess(const MqttClientGroupSpec& g,
                                            const MqttLinkSpec& cls,
                                            const std::vector<uint32_t>& place)
{
    if (cls.type == MqttLinkType::PointToPoint)
    {
        BuildP2pAccess(g, cls, place);
        return;
    }
    for (const auto& [vertex, members] : Segments(place))
    {
        BuildCsmaSegment(g, cls, vertex, members);
    }
}

void
MqttTopologyBuilder::Impl::BuildP2pAccess(const MqttClientGroupSpec& g,
                                          const MqttLinkSpec& cls,
                                          const std::vector<uint32_t>& place)
{
    const auto& vs = s.graph.Vertices();
    for (uint32_t i = 0; i < place.size(); ++i)
    {
        Ptr<Node> n = NewClientNode(g, i, true, false);
        Ptr<Node> at = vertexNodes[place[i]];
        NetDeviceContainer d = Wire(cls, NodeContainer(n, at), cls.rateBps, cls.delay);
        std::string name = MqttScenario::ClientNodeName(g, i);
        NewLink(name, cls, d, name, vs[place[i]].name, cls.rateBps, cls.delay, cls.loss);
        AssignV4(d, place[i], 1);
        double angle = 2 * M_PI * i / place.size();
        Export(g,
               i,
               vs[place[i]].name,
               name,
               cls,
               vs[place[i]].x + 5 * std::cos(angle),
               vs[place[i]].y + 5 * std::sin(angle));
    }
}

void
MqttTopologyBuilder::Impl::BuildCsmaSegment(const MqttClientGroupSpec& g,
                                            const MqttLinkSpec& cls,
                                            uint32_t vertex,
                                            const std::vector<uint32_t>& members)
{
    const MqttGraphVertex& at = s.graph.Vertices()[vertex];
    // The vertex first on the segment.
    NodeContainer nodes(vertexNodes[vertex]);
    for (uint32_t i : members)
    {
        nodes.Add(NewClientNode(g, i, true, false));
    }
    NetDeviceContainer d = Wire(cls, nodes, cls.rateBps, cls.delay);
    std::string name = MqttScenario::SegmentName(g, at.name);
    NewLink(name, cls, d, at.name, "", cls.rateBps, cls.delay, cls.loss);
    AssignV4(d, vertex, 0);
    for (uint32_t k = 0; k < members.size(); ++k)
    {
        Export(g, members[k], at.name, name, cls, at.x + 3.0 * (k + 1), at.y - 5);
    }
}

void
MqttTopologyBuilder::Impl::BuildWifi(const MqttClientGroupSpec& g,
                                     const MqttLinkSpec& cls,
                                     const std::vector<uint32_t>& place)
{
    // One stream for the positions of every station of the group.
    Ptr<UniformRandomVariable> u = CreateObject<UniformRandomVariable>();
    u->SetStream(nextStream++);
    for (const auto& [vertex, members] : Segments(place))
    {
        BuildWifiBss(g, cls, vertex, members, u);
    }
}

void
MqttTopologyBuilder::Impl::BuildWifiBss(const MqttClientGroupSpec& g,
                                        const MqttLinkSpec& cls,
                                        uint32_t vertex,
                                        const std::vector<uint32_t>& members,
                                        Ptr<UniformRandomVariable> u)
{
    static const std::map<std::string, WifiStandard> STANDARDS = {
        {"802.11b", WIFI_STANDARD_80211b},
        {"802.11g", WIFI_STANDARD_80211g},
        {"802.11n", WIFI_STANDARD_80211n},
        {"802.11ac", WIFI_STANDARD_80211ac}};
    const MqttGraphVertex& at = s.graph.Vertices()[vertex];
    std::string name = MqttScenario::SegmentName(g, at.name);
    // One channel per BSS: access networks at different gateways do not interfere.
    YansWifiChannelHelper channel = YansWifiChannelHelper::Default();
    YansWifiPhyHelper phy;
    phy.SetChannel(channel.Create());
    WifiHelper wifi;
    wifi.SetStandard(STANDARDS.at(cls.wifiStandard));
    WifiMacHelper mac;
    Ssid ssid(name);
    NodeContainer stations;
    for (uint32_t i : members)
    {
        stations.Add(NewClientNode(g, i, true, false));
    }
    Ptr<Node> ap = vertexNodes[vertex];
    Place(ap, at.x, at.y);
    // Stations uniform over the disc of the class's radius around the access point.
    for (uint32_t k = 0; k < members.size(); ++k)
    {
        double r = cls.radius * std::sqrt(u->GetValue());
        double a = 2 * M_PI * u->GetValue();
        Place(stations.Get(k), at.x + r * std::cos(a), at.y + r * std::sin(a));
    }
    mac.SetType("ns3::StaWifiMac", "Ssid", SsidValue(ssid));
    NetDeviceContainer staDevs = wifi.Install(phy, mac, stations);
    mac.SetType("ns3::ApWifiMac", "Ssid", SsidValue(ssid));
    NetDeviceContainer apDev = wifi.Install(phy, mac, ap);
    nextStream += wifi.AssignStreams(apDev, nextStream);
    nextStream += wifi.AssignStreams(staDevs, nextStream);
    NetDeviceContainer devs(apDev, staDevs);
    LimitWifiQueues(devs, cls.queuePackets);
    NewLink(name, cls, devs, at.name, "", 0, ScenarioTime(0), cls.loss);
    AssignV4(devs, vertex, 0);
    for (uint32_t k = 0; k < members.size(); ++k)
    {
        Vector p = stations.Get(k)->GetObject<MobilityModel>()->GetPosition();
        Export(g, members[k], at.name, name, cls, p.x, p.y);
    }
}

void
MqttTopologyBuilder::Impl::BuildLowPan(const MqttClientGroupSpec& g,
                                       const MqttLinkSpec& cls,
                                       const std::vector<uint32_t>& place)
{
    for (const auto& [vertex, members] : Segments(place))
    {
        BuildPan(g, cls, vertex, members);
    }
}

void
MqttTopologyBuilder::Impl::BuildPan(const MqttClientGroupSpec& g,
                                    const MqttLinkSpec& cls,
                                    uint32_t vertex,
                                    const std::vector<uint32_t>& members)
{
    const MqttGraphVertex& at = s.graph.Vertices()[vertex];
    std::string name = MqttScenario::SegmentName(g, at.name);
    uint32_t n = members.size();
    Positions pos = PanLayout(cls, at, n);
    NodeContainer pan(vertexNodes[vertex]);
    Place(pan.Get(0), pos[0].first, pos[0].second);
    for (uint32_t k = 0; k < n; ++k)
    {
        Ptr<Node> d = NewClientNode(g, members[k], false, true);
        Place(d, pos[k + 1].first, pos[k + 1].second);
        pan.Add(d);
    }
    Ptr<SingleModelSpectrumChannel> channel = PanChannel(cls.range);
    LrWpanHelper lr;
    lr.SetChannel(channel);
    NetDeviceContainer lrDevs = lr.Install(pan);
    for (uint32_t k = 0; k < lrDevs.GetN(); ++k)
    {
        DynamicCast<LrWpanNetDevice>(lrDevs.Get(k))
            ->GetPhy()
            ->SetMobility(pan.Get(k)->GetObject<MobilityModel>());
    }
    // LrWpanHelper disposes its channel when it goes out of scope: hand it a spare.
    lr.SetChannel(CreateObject<SingleModelSpectrumChannel>());
    lr.AssociateToPan(lrDevs, static_cast<uint16_t>(panPrefixes.size() + 1));
    nextStream += lr.AssignStreams(lrDevs, nextStream);
    SixLowPanHelper six;
    NetDeviceContainer sixDevs = six.Install(lrDevs);
    nextStream += six.AssignStreams(sixDevs, nextStream);
    NewLink(name, cls, lrDevs, at.name, "", 250000, ScenarioTime(0), cls.loss);
    Ipv6Address prefix = MqttIpv6Net(0xff000000u | ++v6Nets);
    Ipv6AddressHelper h;
    h.SetBase(prefix, Ipv6Prefix(64));
    // (The 6LoWPAN devices keep the queue disc the helper gives them: they have no device
    // queue of their own for the traffic control layer to fall back on.)
    Ipv6InterfaceContainer ifc = h.Assign(sixDevs);
    for (uint32_t k = 0; k < ifc.GetN(); ++k)
    {
        ifc.SetForwarding(k, true);
    }
    panPrefixes.emplace_back(prefix, vertex);
    std::vector<uint32_t> parent = PanParents(pos, cls.range);
    RoutePan(pan, ifc, parent);
    for (uint32_t k = 0; k < n; ++k)
    {
        ExportVertex(g, members[k], pos[k + 1].first, pos[k + 1].second);
    }
    for (uint32_t k = 0; k < n; ++k)
    {
        uint32_t p = parent[k + 1];
        ExportEdge(g,
                   members[k],
                   p == 0 ? at.name : MqttScenario::ClientNodeName(g, members[p - 1]),
                   name,
                   cls);
    }
}

} // namespace mqtt
} // namespace ns3
