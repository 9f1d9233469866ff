/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Build as phases over the build context (mqtt-topology-build-context.h), the nodes and
 * addresses they share, and the run-time handles faults and statistics use.
 */
#include "mqtt-topology-builder.h"

#include "mqtt-graph-routing-helper.h"
#include "mqtt-graph-routing.h"
#include "mqtt-topology-build-context.h"

#include "ns3/boolean.h"
#include "ns3/config.h"
#include "ns3/constant-position-mobility-model.h"
#include "ns3/inet-socket-address.h"
#include "ns3/inet6-socket-address.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4.h"
#include "ns3/ipv6-address-helper.h"
#include "ns3/ipv6-static-routing-helper.h"
#include "ns3/ipv6-static-routing.h"
#include "ns3/ipv6.h"
#include "ns3/log.h"
#include "ns3/names.h"
#include "ns3/traffic-control-helper.h"

#include <cmath>

namespace ns3
{
namespace mqtt
{

NS_LOG_COMPONENT_DEFINE("MqttTopologyBuilder");

namespace
{

/** Streams Build may use; models created later (SetLinkLoss) take streams above this. */
static constexpr int64_t BUILD_STREAMS = 1000000;

/** The role a client group gives the vertices it stands for in the exported graph. */
MqttNodeRole
ExportedRole(const MqttClientGroupSpec& g)
{
    return g.role == MqttClientRole::Device ? MqttNodeRole::Device : MqttNodeRole::Backend;
}

} // namespace

std::pair<Ipv4Address, Ipv4Mask>
MqttSubnetAllocator::Next(uint32_t hosts)
{
    uint32_t size = 4;
    while (size - 2 < hosts)
    {
        size <<= 1;
    }
    m_cursor = (m_cursor + size - 1) / size * size;
    NS_ABORT_MSG_IF(m_cursor + size > (1u << 24), "IPv4 addresses of 10.0.0.0/8 exhausted");
    Ipv4Address net((10u << 24) | m_cursor);
    m_cursor += size;
    return {net, Ipv4Mask(~(size - 1))};
}

Ipv6Address
MqttIpv6Net(uint32_t k)
{
    uint8_t b[16] = {
        0xfd, 0x00, 0x00, 0x00, uint8_t(k >> 24), uint8_t(k >> 16), uint8_t(k >> 8), uint8_t(k)};
    return Ipv6Address(b);
}

MqttTopologyBuilder::Impl::Impl(const MqttScenario& scenario)
    : s(scenario)
{
}

// --- Phases of Build -------------------------------------------------------------------------

void
MqttTopologyBuilder::Impl::ConfigureDefaults()
{
    for (const auto& g : s.groups)
    {
        const MqttLinkSpec* l = g.link.empty() ? nullptr : s.FindLink(g.link);
        ipv6 = ipv6 || (l && l->type == MqttLinkType::LowPan);
    }
    if (ipv6)
    {
        // Addresses are static and unique by construction: no duplicate address detection,
        // and relays in a radio mesh forward on the interface they received on without
        // telling the sender to go direct.
        Config::SetDefault("ns3::Icmpv6L4Protocol::DAD", BooleanValue(false));
        Config::SetDefault("ns3::Ipv6L3Protocol::SendIcmpv6Redirect", BooleanValue(false));
    }
    // No TCP timestamps: with them ns-3.37 TCP stalls for good after some single losses on an
    // idle connection (a device publishing once a minute over a 1 % lossy link: 59 of 10,000
    // messages stuck until the client's 30 s ack timeout, none of them retransmitted; without
    // timestamps every loss is repaired by a retransmission a second later). Linux peers in the
    // packet-level HIL need them off too (doc/real-socket.md).
    Config::SetDefault("ns3::TcpSocketBase::Timestamp", BooleanValue(false));
    brokerVertex = *s.BrokerVertex();
    built = MqttTopologyGraph();
}

void
MqttTopologyBuilder::Impl::CreateVertexNodes()
{
    const auto& vs = s.graph.Vertices();
    for (const auto& v : vs)
    {
        Ptr<Node> n = CreateObject<Node>();
        Names::Add(v.name, n);
        vertexNodes.push_back(n);
        byName[v.name] = n;
        all.Add(n);
        built.AddVertex(v);
    }
    routes = std::make_shared<MqttGraphRoutes>(vs.size());
    InternetStackHelper stack;
    stack.SetRoutingHelper(MqttGraphRoutingHelper(routes));
    stack.SetIpv6StackInstall(ipv6);
    for (uint32_t v = 0; v < vs.size(); ++v)
    {
        stack.Install(vertexNodes[v]);
        MqttGraphRoutingHelper::Get(vertexNodes[v])->SetVertex(v);
    }
}

void
MqttTopologyBuilder::Impl::WireGraphEdges()
{
    std::size_t n = s.graph.Edges().size();
    edgeV4.resize(n);
    edgeV6.resize(n);
    edgeIf.resize(n);
    for (uint32_t i = 0; i < n; ++i)
    {
        WireGraphEdge(i);
    }
}

void
MqttTopologyBuilder::Impl::WireGraphEdge(uint32_t i)
{
    const auto& vs = s.graph.Vertices();
    const MqttGraphEdge& e = s.graph.Edges()[i];
    MqttEdgeLink link = s.ResolveEdge(e);
    NetDeviceContainer d = Wire(
        *link.spec, NodeContainer(vertexNodes[e.a], vertexNodes[e.b]), link.rateBps, link.delay);
    NewLink(e.name, *link.spec, d, vs[e.a].name, vs[e.b].name, link.rateBps, link.delay, link.loss);
    Ipv4InterfaceContainer ifc4 = AssignV4(d, e.a, -1);
    edgeV4[i] = {{ifc4.Get(0).second, ifc4.GetAddress(0)},
                 {ifc4.Get(1).second, ifc4.GetAddress(1)}};
    if (ipv6)
    {
        Ipv6InterfaceContainer ifc = AssignV6(d);
        edgeV6[i] = {ifc.GetAddress(0, 1), ifc.GetAddress(1, 1)};
        edgeIf[i] = {ifc.GetInterfaceIndex(0), ifc.GetInterfaceIndex(1)};
    }
    // The exported edge carries the resolved class, rate, delay and mean loss.
    MqttGraphEdge copy = e;
    copy.link = link.spec->name;
    copy.rateBps = link.rateBps;
    copy.delay = link.delay;
    if (link.loss.model != MqttLossSpec::Model::None)
    {
        copy.loss = link.loss.MeanLoss();
    }
    built.AddEdge(copy);
}

void
MqttTopologyBuilder::Impl::BuildAccessNetworks()
{
    const auto& vs = s.graph.Vertices();
    for (const auto& g : s.groups)
    {
        std::vector<uint32_t> place = s.PlaceGroup(g);
        placements.push_back(place);
        if (g.link.empty())
        {
            // Clients on the vertices themselves: routers they stand on become theirs.
            for (uint32_t v : place)
            {
                if (vs[v].role == MqttNodeRole::Router)
                {
                    built.SetRole(v, ExportedRole(g), g.name);
                }
            }
            continue;
        }
        const MqttLinkSpec& cls = *s.FindLink(g.link);
        switch (cls.type)
        {
        case MqttLinkType::PointToPoint:
        case MqttLinkType::Csma:
            BuildWiredAccess(g, cls, place);
            break;
        case MqttLinkType::Wifi:
            BuildWifi(g, cls, place);
            break;
        case MqttLinkType::LowPan:
            BuildLowPan(g, cls, place);
            break;
        }
    }
}

void
MqttTopologyBuilder::Impl::BuildFrontEnds()
{
    if (s.broker.frontEnds <= 1)
    {
        return;
    }
    MqttLinkSpec ideal;
    ideal.name = "";
    ideal.type = MqttLinkType::PointToPoint;
    ideal.rateBps = 10'000'000'000ull;
    ideal.delay = ScenarioTime(0);
    ideal.queuePackets = 1000;
    const MqttLinkSpec& cls =
        s.broker.frontEndLink.empty() ? ideal : *s.FindLink(s.broker.frontEndLink);
    for (uint32_t i = 0; i < s.broker.frontEnds; ++i)
    {
        BuildFrontEnd(i, cls);
    }
}

void
MqttTopologyBuilder::Impl::BuildFrontEnd(uint32_t i, const MqttLinkSpec& cls)
{
    Ptr<Node> broker = vertexNodes[brokerVertex];
    const MqttGraphVertex& bv = s.graph.Vertices()[brokerVertex];
    std::string name = MqttBrokerSpec::FrontEndName(bv.name, i);
    Ptr<Node> fe = NewNode(name, true, false);
    NetDeviceContainer d = Wire(cls, NodeContainer(fe, broker), cls.rateBps, cls.delay);
    NewLink(name, cls, d, name, bv.name, cls.rateBps, cls.delay, cls.loss);
    Ipv4InterfaceContainer ifc = AssignV4(d, brokerVertex, 1);
    frontEnds.push_back(fe);
    frontEndV4.push_back(ifc.GetAddress(0));
    frontEndDelay = cls.delay;
    // In the exported graph: on a small circle around the broker vertex.
    MqttGraphVertex v;
    v.name = name;
    v.role = MqttNodeRole::Broker;
    double angle = 2 * M_PI * i / s.broker.frontEnds;
    v.x = bv.x + 3 * std::cos(angle);
    v.y = bv.y + 3 * std::sin(angle);
    built.AddVertex(v);
    MqttGraphEdge e;
    e.a = *built.FindVertex(bv.name);
    e.b = *built.FindVertex(name);
    e.name = name;
    e.link = cls.name;
    e.rateBps = cls.rateBps;
    e.delay = cls.delay;
    built.AddEdge(e);
}

void
MqttTopologyBuilder::Impl::RouteIpv4()
{
    const auto& es = s.graph.Edges();
    uint32_t n = s.graph.Vertices().size();
    for (uint32_t target = 0; target < n; ++target)
    {
        auto hops = s.graph.NextHopEdges(target);
        for (uint32_t v = 0; v < n; ++v)
        {
            if (hops[v])
            {
                uint32_t e = *hops[v];
                bool atA = es[e].a == v;
                const auto& near = atA ? edgeV4[e].first : edgeV4[e].second;
                const auto& far = atA ? edgeV4[e].second : edgeV4[e].first;
                routes->SetHop(v, target, MqttGraphRoutes::Hop{near.first, far.second});
            }
        }
    }
}

void
MqttTopologyBuilder::Impl::RouteIpv6()
{
    if (!ipv6)
    {
        return;
    }
    const auto& es = s.graph.Edges();
    Ipv6StaticRoutingHelper routing;
    // Calls add(routing of v, next hop, interface) at every vertex v with a path to target.
    auto route = [&](uint32_t target, auto add)
    {
        auto hops = s.graph.NextHopEdges(target);
        for (uint32_t v = 0; v < hops.size(); ++v)
        {
            if (!hops[v])
            {
                continue;
            }
            uint32_t e = *hops[v];
            bool atA = es[e].a == v;
            Ipv6Address next = atA ? edgeV6[e].second : edgeV6[e].first;
            uint32_t iface = atA ? edgeIf[e].first : edgeIf[e].second;
            add(routing.GetStaticRouting(vertexNodes[v]->GetObject<Ipv6>()), next, iface);
        }
    };
    route(brokerVertex,
          [](Ptr<Ipv6StaticRouting> r, Ipv6Address next, uint32_t iface)
          { r->SetDefaultRoute(next, iface); });
    for (const auto& [prefix, br] : panPrefixes)
    {
        Ipv6Address p = prefix;
        route(br,
              [p](Ptr<Ipv6StaticRouting> r, Ipv6Address next, uint32_t iface)
              { r->AddNetworkRouteTo(p, Ipv6Prefix(64), next, iface); });
    }
}

void
MqttTopologyBuilder::Impl::FindBrokerAddresses()
{
    Ptr<Node> broker = vertexNodes[brokerVertex];
    Ptr<Ipv4> ip4 = broker->GetObject<Ipv4>();
    NS_ABORT_MSG_IF(ip4->GetNInterfaces() < 2, "the broker vertex has no link");
    brokerV4 = ip4->GetAddress(1, 0).GetLocal();
    if (!ipv6)
    {
        return;
    }
    Ptr<Ipv6> ip6 = broker->GetObject<Ipv6>();
    for (uint32_t i = 1; i < ip6->GetNInterfaces() && brokerV6 == Ipv6Address(); ++i)
    {
        for (uint32_t a = 0; a < ip6->GetNAddresses(i); ++a)
        {
            Ipv6InterfaceAddress addr = ip6->GetAddress(i, a);
            if (addr.GetScope() == Ipv6InterfaceAddress::GLOBAL)
            {
                brokerV6 = addr.GetAddress();
                break;
            }
        }
    }
}

void
MqttTopologyBuilder::Impl::PlaceClients()
{
    auto brokerHops = s.graph.NextHopEdges(brokerVertex);
    uint32_t devices = 0;
    for (uint32_t gi = 0; gi < s.groups.size(); ++gi)
    {
        for (uint32_t i = 0; i < placements[gi].size(); ++i)
        {
            clients.push_back(NewClient(s.groups[gi], i, placements[gi][i], brokerHops, &devices));
        }
    }
}

MqttBuiltClient
MqttTopologyBuilder::Impl::NewClient(const MqttClientGroupSpec& g,
                                     uint32_t i,
                                     uint32_t vertex,
                                     const std::vector<std::optional<uint32_t>>& brokerHops,
                                     uint32_t* devices) const
{
    const MqttLinkSpec* cls = g.link.empty() ? nullptr : s.FindLink(g.link);
    MqttBuiltClient c;
    c.group = &g;
    c.index = i;
    c.clientId = g.Expand(g.clientId, i);
    c.node = cls ? byName.at(MqttScenario::ClientNodeName(g, i)) : vertexNodes[vertex];
    if (c.node == vertexNodes[brokerVertex])
    {
        // On the broker's own node: loopback. ns-3 3.37 delivers a packet for the node's own
        // interface address within the sending call, so TCP's answer comes before the sender
        // has counted its data sent and is dropped ("Ignored ack"): no data comes back
        // (test/sim/mqtt-own-address-test.cc).
        c.broker = InetSocketAddress(Ipv4Address::GetLoopback(), s.broker.port);
    }
    else if (cls && cls->type == MqttLinkType::LowPan)
    {
        c.broker = Inet6SocketAddress(brokerV6, s.broker.port);
    }
    else if (!frontEnds.empty() && g.role == MqttClientRole::Device)
    {
        // Devices spread over the front ends in turn.
        uint32_t fe = (*devices)++ % frontEnds.size();
        c.broker = InetSocketAddress(frontEndV4[fe], s.broker.port);
        c.frontEnd = fe;
    }
    else
    {
        c.broker = InetSocketAddress(brokerV4, s.broker.port);
    }
    c.pathDelay = DelayToBroker(vertex, brokerHops);
    if (cls && cls->IsWired())
    {
        c.pathDelay += cls->delay;
    }
    if (c.frontEnd)
    {
        c.pathDelay += frontEndDelay;
    }
    return c;
}

ScenarioTime
MqttTopologyBuilder::Impl::DelayToBroker(uint32_t v,
                                         const std::vector<std::optional<uint32_t>>& hops) const
{
    ScenarioTime total(0);
    while (hops[v])
    {
        const MqttGraphEdge& e = s.graph.Edges()[*hops[v]];
        total += s.ResolveEdge(e).delay;
        v = e.a == v ? e.b : e.a;
    }
    return total;
}

// --- Nodes, addresses, the exported graph ----------------------------------------------------

Ptr<Node>
MqttTopologyBuilder::Impl::NewNode(const std::string& name, bool v4, bool v6)
{
    Ptr<Node> n = CreateObject<Node>();
    Names::Add(name, n);
    byName[name] = n;
    all.Add(n);
    InternetStackHelper stack;
    stack.SetRoutingHelper(MqttGraphRoutingHelper(routes));
    stack.SetIpv4StackInstall(v4);
    stack.SetIpv6StackInstall(v6);
    stack.Install(n);
    return n;
}

Ptr<Node>
MqttTopologyBuilder::Impl::NewClientNode(const MqttClientGroupSpec& g, uint32_t i, bool v4, bool v6)
{
    return NewNode(MqttScenario::ClientNodeName(g, i), v4, v6);
}

void
MqttTopologyBuilder::Impl::Place(Ptr<Node> node, double x, double y)
{
    Ptr<MobilityModel> m = node->GetObject<MobilityModel>();
    if (!m)
    {
        m = CreateObject<ConstantPositionMobilityModel>();
        node->AggregateObject(m);
    }
    m->SetPosition(Vector(x, y, 0));
}

Ipv4InterfaceContainer
MqttTopologyBuilder::Impl::AssignV4(NetDeviceContainer devices, uint32_t home, int32_t vertexDevice)
{
    auto [net, mask] = v4.Next(devices.GetN());
    // By hand rather than with Ipv4AddressHelper, which would put an FqCoDel queue disc of
    // 10,240 packets in front of every device: a link's queue is the one its class sets.
    Ipv4InterfaceContainer ifc;
    for (uint32_t i = 0; i < devices.GetN(); ++i)
    {
        Ptr<Ipv4> ipv4 = devices.Get(i)->GetNode()->GetObject<Ipv4>();
        int32_t iface = ipv4->AddInterface(devices.Get(i));
        ipv4->AddAddress(iface, Ipv4InterfaceAddress(Ipv4Address(net.Get() + 1 + i), mask));
        ipv4->SetMetric(iface, 1);
        ipv4->SetUp(iface);
        ifc.Add(ipv4, iface);
    }
    routes->AddSubnet(net, mask, home);
    if (vertexDevice < 0)
    {
        return ifc;
    }
    Ipv4Address gateway = ifc.GetAddress(vertexDevice);
    for (uint32_t i = 0; i < ifc.GetN(); ++i)
    {
        if (static_cast<int32_t>(i) != vertexDevice)
        {
            Ptr<Node> node = devices.Get(i)->GetNode();
            MqttGraphRoutingHelper::Get(node)->SetDefaultRoute(gateway, ifc.Get(i).second);
        }
    }
    return ifc;
}

Ipv6InterfaceContainer
MqttTopologyBuilder::Impl::AssignV6(NetDeviceContainer devices)
{
    Ipv6AddressHelper h;
    h.SetBase(MqttIpv6Net(++v6Nets), Ipv6Prefix(64));
    Ipv6InterfaceContainer ifc = h.Assign(devices);
    TrafficControlHelper().Uninstall(devices); // the link's own queue only, as for IPv4
    for (uint32_t i = 0; i < ifc.GetN(); ++i)
    {
        ifc.SetForwarding(i, true);
    }
    return ifc;
}

void
MqttTopologyBuilder::Impl::ExportVertex(const MqttClientGroupSpec& g,
                                        uint32_t i,
                                        double x,
                                        double y)
{
    MqttGraphVertex v;
    v.name = MqttScenario::ClientNodeName(g, i);
    v.role = ExportedRole(g);
    v.group = g.name;
    v.x = x;
    v.y = y;
    built.AddVertex(v);
}

void
MqttTopologyBuilder::Impl::ExportEdge(const MqttClientGroupSpec& g,
                                      uint32_t i,
                                      const std::string& peer,
                                      const std::string& linkName,
                                      const MqttLinkSpec& cls)
{
    std::string name = MqttScenario::ClientNodeName(g, i);
    MqttGraphEdge e;
    e.a = *built.FindVertex(peer);
    e.b = *built.FindVertex(name);
    // Segments are one link shared by many: each member's edge gets its own name.
    e.name = linkName == name ? name : linkName + "/" + name;
    e.link = cls.name;
    if (cls.IsWired())
    {
        e.rateBps = cls.rateBps;
        e.delay = cls.delay;
    }
    if (cls.loss.model != MqttLossSpec::Model::None)
    {
        e.loss = cls.loss.MeanLoss();
    }
    built.AddEdge(e);
}

void
MqttTopologyBuilder::Impl::Export(const MqttClientGroupSpec& g,
                                  uint32_t i,
                                  const std::string& peer,
                                  const std::string& linkName,
                                  const MqttLinkSpec& cls,
                                  double x,
                                  double y)
{
    ExportVertex(g, i, x, y);
    ExportEdge(g, i, peer, linkName, cls);
}

// --- MqttTopologyBuilder ---------------------------------------------------------------------

MqttTopologyBuilder::MqttTopologyBuilder(const MqttScenario& scenario)
    : m_impl(std::make_unique<Impl>(scenario))
{
}

MqttTopologyBuilder::~MqttTopologyBuilder() = default;

void
MqttTopologyBuilder::Build(int64_t stream)
{
    Impl& m = *m_impl;
    m.nextStream = stream;
    m.lateStream = stream + BUILD_STREAMS;
    m.ConfigureDefaults();
    m.CreateVertexNodes();
    m.WireGraphEdges();
    m.BuildAccessNetworks();
    // Front ends after the clients, so that node ids and random streams of a run are those of
    // the same scenario without front ends.
    m.BuildFrontEnds();
    // Routing on the graph's shortest paths: IPv4 by MqttGraphRouting (a subnet's home vertex,
    // then the next hop to it), IPv6 by static routes where 6LoWPAN needs it.
    m.RouteIpv4();
    m.RouteIpv6();
    m.FindBrokerAddresses();
    // Clients in group and member order.
    m.PlaceClients();
    // The internet stacks' own random variables (ARP request jitter, ICMPv6 neighbour discovery
    // delays, IPv6 fragment identifiers) on streams of this build: left to ns-3's global
    // counter they depend on every random variable created before in the process, so a test
    // passed alone and failed after others (TopologyBuilder.LowPanLineIsMultiHopOverIpv6).
    m.nextStream += InternetStackHelper().AssignStreams(m.all, m.nextStream);
}

int64_t
MqttTopologyBuilder::AssignedStreams() const
{
    return BUILD_STREAMS;
}

Ptr<Node>
MqttTopologyBuilder::BrokerNode() const
{
    return m_impl->vertexNodes[m_impl->brokerVertex];
}

Ipv4Address
MqttTopologyBuilder::BrokerAddress() const
{
    return m_impl->brokerV4;
}

Ipv6Address
MqttTopologyBuilder::BrokerAddress6() const
{
    return m_impl->brokerV6;
}

const std::vector<Ptr<Node>>&
MqttTopologyBuilder::FrontEnds() const
{
    return m_impl->frontEnds;
}

const std::vector<MqttBuiltClient>&
MqttTopologyBuilder::Clients() const
{
    return m_impl->clients;
}

std::deque<MqttBuiltLink>&
MqttTopologyBuilder::Links()
{
    return m_impl->links;
}

const std::deque<MqttBuiltLink>&
MqttTopologyBuilder::Links() const
{
    return m_impl->links;
}

Ptr<Node>
MqttTopologyBuilder::FindNode(const std::string& name) const
{
    auto it = m_impl->byName.find(name);
    return it == m_impl->byName.end() ? nullptr : it->second;
}

NodeContainer
MqttTopologyBuilder::AllNodes() const
{
    return m_impl->all;
}

void
MqttTopologyBuilder::SetLinkDown(MqttBuiltLink& link)
{
    if (!link.up)
    {
        return;
    }
    link.up = false;
    for (uint32_t i = 0; i < link.devices.GetN(); ++i)
    {
        auto em = CreateObject<RateErrorModel>();
        em->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
        em->SetRate(1.0);
        Impl::InstallModel(link.devices.Get(i), em);
    }
}

void
MqttTopologyBuilder::SetLinkUp(MqttBuiltLink& link)
{
    if (link.up)
    {
        return;
    }
    link.up = true;
    m_impl->ApplyLoss(link, link.loss, &m_impl->lateStream);
}

void
MqttTopologyBuilder::SetLinkLoss(MqttBuiltLink& link, const MqttLossSpec& loss)
{
    link.loss = loss;
    if (link.up)
    {
        m_impl->ApplyLoss(link, loss, &m_impl->lateStream);
    }
}

std::vector<MqttBuiltLink*>
MqttTopologyBuilder::FindLinks(const std::string& name, const std::string& linkClass)
{
    std::vector<MqttBuiltLink*> out;
    for (auto& l : m_impl->links)
    {
        if ((!name.empty() && l.name == name) || (!linkClass.empty() && l.linkClass == linkClass))
        {
            out.push_back(&l);
        }
    }
    return out;
}

void
MqttTopologyBuilder::CrashNode(Ptr<Node> node)
{
    auto& down = m_impl->crashed[node];
    if (Ptr<Ipv4> ip = node->GetObject<Ipv4>())
    {
        for (uint32_t i = 1; i < ip->GetNInterfaces(); ++i)
        {
            if (ip->IsUp(i))
            {
                ip->SetDown(i);
                down.first.push_back(i);
            }
        }
    }
    if (Ptr<Ipv6> ip = node->GetObject<Ipv6>())
    {
        for (uint32_t i = 1; i < ip->GetNInterfaces(); ++i)
        {
            if (ip->IsUp(i))
            {
                ip->SetDown(i);
                down.second.push_back(i);
            }
        }
    }
}

void
MqttTopologyBuilder::RestartNode(Ptr<Node> node)
{
    auto it = m_impl->crashed.find(node);
    if (it == m_impl->crashed.end())
    {
        return;
    }
    for (uint32_t i : it->second.first)
    {
        node->GetObject<Ipv4>()->SetUp(i);
    }
    for (uint32_t i : it->second.second)
    {
        node->GetObject<Ipv6>()->SetUp(i);
    }
    m_impl->crashed.erase(it);
}

uint32_t
MqttTopologyBuilder::QueueDepth(const MqttBuiltLink& link) const
{
    uint32_t n = 0;
    auto it = m_impl->depth.find(&link);
    if (it != m_impl->depth.end())
    {
        for (const auto& probe : it->second)
        {
            n += probe();
        }
    }
    return n;
}

MqttTopologyGraph
MqttTopologyBuilder::BuiltGraph() const
{
    return m_impl->built;
}

} // namespace mqtt
} // namespace ns3
