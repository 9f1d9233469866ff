/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The ns-3 topology builder, checked with plain UDP traffic (the MQTT applications are not
 * needed): every client reaches the broker over wired, Wi-Fi and multi-hop 6LoWPAN access,
 * latency is never below the path's propagation delay, outages and crashes cut traffic,
 * loss models are seeded, and the built graph exports.
 */
#include "mqtt-gilbert-elliott-error-model.h"
#include "mqtt-scenario-loader.h"
#include "mqtt-topology-builder.h"

#include "ns3/double.h"
#include "ns3/inet-socket-address.h"
#include "ns3/inet6-socket-address.h"
#include "ns3/names.h"
#include "ns3/packet.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/seq-ts-header.h"
#include "ns3/simulator.h"
#include "ns3/udp-client-server-helper.h"
#include "ns3/udp-server.h"
#include "ns3/uinteger.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

using namespace ns3;
using namespace ns3::mqtt;
using namespace std::chrono_literals;

namespace
{

class TopologyBuilder : public ::testing::Test
{
  protected:
    void
    TearDown() override
    {
        Simulator::Destroy();
        Names::Clear();
    }

    MqttScenario
    Load(const std::string& text)
    {
        MqttScenarioLoadResult r = MqttScenarioLoader::LoadText(text, "test.yaml", ".");
        std::string all;
        for (const auto& e : r.errors)
        {
            all += e + "\n";
        }
        EXPECT_TRUE(r.scenario) << all;
        return r.scenario.value_or(MqttScenario());
    }

    /** UDP from every client to the broker: @p packets each, one per second from t=1 s. */
    void
    Traffic(MqttTopologyBuilder& b, uint32_t packets, uint32_t size = 40)
    {
        UdpServerHelper server(9);
        ApplicationContainer sa = server.Install(b.BrokerNode());
        sa.Start(Seconds(0));
        m_server = DynamicCast<UdpServer>(sa.Get(0));
        m_server->TraceConnectWithoutContext("Rx", MakeCallback(&TopologyBuilder::Rx, this));
        m_server->TraceConnectWithoutContext("RxWithAddresses",
                                             MakeCallback(&TopologyBuilder::RxFrom, this));
        for (const auto& c : b.Clients())
        {
            Address to = c.broker;
            if (InetSocketAddress::IsMatchingType(to))
            {
                to = InetSocketAddress(InetSocketAddress::ConvertFrom(to).GetIpv4(), 9);
            }
            else
            {
                to = Inet6SocketAddress(Inet6SocketAddress::ConvertFrom(to).GetIpv6(), 9);
            }
            UdpClientHelper client(to);
            client.SetAttribute("MaxPackets", UintegerValue(packets));
            client.SetAttribute("Interval", TimeValue(Seconds(1)));
            client.SetAttribute("PacketSize", UintegerValue(size));
            ApplicationContainer ca = client.Install(c.node);
            ca.Start(Seconds(1));
        }
    }

    void
    Rx(Ptr<const Packet> p)
    {
        SeqTsHeader h;
        p->Copy()->RemoveHeader(h);
        Time latency = Simulator::Now() - h.GetTs();
        m_minLatency = std::min(m_minLatency, latency);
    }

    void
    RxFrom(Ptr<const Packet>, const Address& from, const Address&)
    {
        std::ostringstream s;
        s << from;
        m_sources.insert(s.str());
    }

    uint64_t
    Received() const
    {
        return m_server->GetReceived();
    }

    Ptr<UdpServer> m_server;
    Time m_minLatency = Seconds(1000);
    std::set<std::string> m_sources;
};

const char* TREE = R"(name: tree
duration: 10s
topology: {generator: tree, fanout: 2, depth: 2, link: backbone}
links:
  backbone: {type: p2p, rate: 10Mbps, delay: 2ms}
  access: {type: p2p, rate: 1Mbps, delay: 10ms}
devices:
  sensors: {count: 8, attach: leaves, link: access, interval: 1s, qos: 1}
)";

} // namespace

TEST_F(TopologyBuilder, WiredTreeEveryDeviceReachesTheBroker)
{
    MqttScenario s = Load(TREE);
    MqttTopologyBuilder b(s);
    b.Build(100);
    ASSERT_EQ(b.Clients().size(), 8u);
    EXPECT_EQ(b.Links().size(), 6u + 8u);
    EXPECT_EQ(b.Clients()[0].clientId, "sensors-0");
    EXPECT_EQ(Names::FindName(b.Clients()[0].node), "sensors-0");
    // Leaves are two backbone hops from the root: 2 x 2 ms + 10 ms of access.
    for (const auto& c : b.Clients())
    {
        EXPECT_EQ(c.pathDelay, 14ms) << c.clientId;
    }
    Traffic(b, 3);
    Simulator::Stop(Seconds(6));
    Simulator::Run();
    EXPECT_EQ(Received(), 24u);
    EXPECT_GE(m_minLatency, MilliSeconds(14));
    EXPECT_LT(m_minLatency, MilliSeconds(16)); // plus serialization of 40 bytes
    for (const auto& l : b.Links())
    {
        EXPECT_EQ(l.counters.lostPackets, 0u) << l.name;
    }
    const MqttBuiltLink& access = *b.FindLinks("sensors-0", "")[0];
    EXPECT_GE(access.counters.txPackets, 3u);
    EXPECT_EQ(access.a, "sensors-0");
    EXPECT_EQ(access.b, "n3");
}

TEST_F(TopologyBuilder, OutageAndLossCutTrafficOnTheLink)
{
    MqttScenario s = Load(R"(name: outage
duration: 10s
topology: {generator: star, nodes: 2, link: backbone}
links:
  backbone: {type: p2p, rate: 10Mbps, delay: 1ms}
  access: {type: csma, rate: 10Mbps, delay: 1ms}
devices:
  sensors: {count: 2, attach: n1, link: access, interval: 1s, qos: 0}
)");
    MqttTopologyBuilder b(s);
    b.Build(100);
    auto links = b.FindLinks("n0--n1", "");
    ASSERT_EQ(links.size(), 1u);
    MqttBuiltLink* backbone = links[0];
    // Sends at 1, 2, 3, 4, 5 s; the backbone is down from 1.5 s to 3.5 s.
    Traffic(b, 5);
    Simulator::Schedule(Seconds(1.5), [&] { b.SetLinkDown(*backbone); });
    Simulator::Schedule(Seconds(3.5), [&] { b.SetLinkUp(*backbone); });
    Simulator::Stop(Seconds(7));
    Simulator::Run();
    EXPECT_EQ(Received(), 2u * 3);
    EXPECT_EQ(backbone->counters.lostPackets, 2u * 2);
    EXPECT_TRUE(backbone->up);
    ASSERT_EQ(b.FindLinks("", "access").size(), 1u);
    EXPECT_EQ(b.FindLinks("", "access")[0]->name, "sensors@n1");
}

TEST_F(TopologyBuilder, SetLossDropsEverythingAtRateOne)
{
    MqttScenario s = Load(TREE);
    MqttTopologyBuilder b(s);
    b.Build(100);
    Traffic(b, 3);
    MqttLossSpec all;
    all.model = MqttLossSpec::Model::Rate;
    all.rate = 1;
    Simulator::Schedule(Seconds(0.5),
                        [&]
                        {
                            for (MqttBuiltLink* l : b.FindLinks("", "access"))
                            {
                                b.SetLinkLoss(*l, all);
                            }
                        });
    Simulator::Stop(Seconds(6));
    Simulator::Run();
    EXPECT_EQ(Received(), 0u);
}

TEST_F(TopologyBuilder, CrashedGatewayCutsItsDevices)
{
    MqttScenario s = Load(TREE);
    MqttTopologyBuilder b(s);
    b.Build(100);
    Traffic(b, 3);
    // n3 serves sensors-0 and sensors-4; crashed for the whole run.
    Ptr<Node> gw = b.FindNode("n3");
    ASSERT_TRUE(gw);
    Simulator::Schedule(Seconds(0.5), [&] { b.CrashNode(gw); });
    Simulator::Stop(Seconds(6));
    Simulator::Run();
    EXPECT_EQ(Received(), 6u * 3);
}

TEST_F(TopologyBuilder, WifiStationsReachTheBroker)
{
    MqttScenario s = Load(R"(name: wifi
duration: 10s
topology: {generator: star, nodes: 3, link: backbone, roles: {broker: n0, gateway: leaves}}
links:
  backbone: {type: p2p, rate: 100Mbps, delay: 1ms}
  radio: {type: wifi, standard: 802.11n, radius: 10}
devices:
  phones: {count: 6, attach: gateways, link: radio, interval: 1s}
)");
    MqttTopologyBuilder b(s);
    b.Build(100);
    ASSERT_EQ(b.Clients().size(), 6u);
    EXPECT_EQ(b.FindLinks("", "radio").size(), 2u); // one BSS per gateway
    Traffic(b, 3);
    Simulator::Stop(Seconds(6));
    Simulator::Run();
    EXPECT_EQ(Received(), 18u);
    EXPECT_GE(m_minLatency, MilliSeconds(1));
}

TEST_F(TopologyBuilder, LowPanLineIsMultiHopOverIpv6)
{
    MqttScenario s = Load(R"(name: lowpan
duration: 10s
topology: {generator: star, nodes: 2, link: backbone}
links:
  backbone: {type: p2p, rate: 100Mbps, delay: 1ms}
  mesh: {type: lowpan, layout: line, spacing: 10, range: 12}
devices:
  motes: {count: 4, attach: n1, link: mesh, interval: 1s}
)");
    MqttTopologyBuilder b(s);
    b.Build(100);
    ASSERT_EQ(b.Clients().size(), 4u);
    EXPECT_TRUE(Inet6SocketAddress::IsMatchingType(b.Clients()[0].broker));
    EXPECT_NE(b.BrokerAddress6(), Ipv6Address());
    Traffic(b, 2);
    Simulator::Stop(Seconds(6));
    Simulator::Run();
    // Every mote, up to four hops out, gets through (a frame may collide: they start together).
    EXPECT_GE(Received(), 6u);
    EXPECT_EQ(m_sources.size(), 4u);
    // Motes 1 to 4 hops out: each packet is received once per hop on the PAN.
    const MqttBuiltLink& pan = *b.FindLinks("motes@n1", "")[0];
    EXPECT_GE(pan.counters.rxPackets, 2u * (1 + 2 + 3 + 4));
    // The exported graph follows the routing tree: a chain from the border router.
    MqttTopologyGraph g = b.BuiltGraph();
    EXPECT_TRUE(g.FindEdge("motes@n1/motes-0"));
    const MqttGraphEdge& e = g.Edges()[*g.FindEdge("motes@n1/motes-3")];
    EXPECT_EQ(g.Vertices()[e.a].name, "motes-2");
}

TEST_F(TopologyBuilder, BuiltGraphHasClientsAndAccessLinks)
{
    MqttScenario s = Load(TREE);
    MqttTopologyBuilder b(s);
    b.Build(100);
    MqttTopologyGraph g = b.BuiltGraph();
    EXPECT_EQ(g.Vertices().size(), 7u + 8u);
    EXPECT_EQ(g.Edges().size(), 6u + 8u);
    const MqttGraphVertex& dev = g.Vertices()[*g.FindVertex("sensors-5")];
    EXPECT_EQ(dev.role, MqttNodeRole::Device);
    EXPECT_EQ(dev.group, "sensors");
    const MqttGraphEdge& access = g.Edges()[*g.FindEdge("sensors-5")];
    EXPECT_EQ(access.rateBps, 1000000u);
    EXPECT_EQ(access.delay, 10ms);
    std::ostringstream out;
    g.WriteGraphMl(out);
    std::istringstream in(out.str());
    std::string error;
    auto back = MqttTopologyGraph::ReadGraphMl(in, &error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(back->Edges().size(), g.Edges().size());
}

// A client running on the broker's own node talks to it over loopback: ns-3 3.37 carries no data
// back on a TCP connection to the node's own interface address (test/sim/mqtt-own-address-test.cc
// pins why); clients elsewhere get the broker's interface address.
TEST_F(TopologyBuilder, ClientOnTheBrokerVertexUsesLoopback)
{
    MqttScenario s = Load(std::string(TREE) + R"(backends:
  cloud: {attach: n0, subscribe: ["#"]}
broker: {port: 1999}
)");
    MqttTopologyBuilder b(s);
    b.Build(100);
    ASSERT_EQ(b.Clients().size(), 9u);
    const MqttBuiltClient& cloud = b.Clients()[8];
    EXPECT_EQ(cloud.clientId, "cloud-0");
    EXPECT_EQ(cloud.node, b.BrokerNode());
    ASSERT_TRUE(InetSocketAddress::IsMatchingType(cloud.broker));
    EXPECT_EQ(InetSocketAddress::ConvertFrom(cloud.broker).GetIpv4(), Ipv4Address::GetLoopback());
    EXPECT_EQ(InetSocketAddress::ConvertFrom(cloud.broker).GetPort(), 1999);
    const InetSocketAddress device = InetSocketAddress::ConvertFrom(b.Clients()[0].broker);
    EXPECT_NE(device.GetIpv4(), Ipv4Address::GetLoopback());
    EXPECT_EQ(device.GetPort(), 1999);
}

TEST(GilbertElliott, LossIsBurstyWithTheExpectedMeanAndSeeded)
{
    auto run = [](int64_t stream, std::vector<bool>* pattern)
    {
        auto em = CreateObject<MqttGilbertElliottErrorModel>();
        em->SetAttribute("PGoodBad", DoubleValue(0.05));
        em->SetAttribute("PBadGood", DoubleValue(0.25));
        em->SetAttribute("LossGood", DoubleValue(0.0));
        em->SetAttribute("LossBad", DoubleValue(1.0));
        em->AssignStreams(stream);
        Ptr<Packet> p = Create<Packet>(10);
        for (int i = 0; i < 200000; ++i)
        {
            pattern->push_back(em->IsCorrupt(p));
        }
        EXPECT_EQ(em->GetPackets(), 200000u);
        return em->GetLost();
    };
    std::vector<bool> a;
    std::vector<bool> b;
    std::vector<bool> c;
    uint64_t lost = run(7, &a);
    // Long-run loss 0.05 / 0.3 = 1/6; bursts of 1 / 0.25 = 4 packets on average.
    EXPECT_NEAR(lost / 200000.0, 1.0 / 6, 0.01);
    uint64_t bursts = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        bursts += a[i] && (i == 0 || !a[i - 1]);
    }
    EXPECT_NEAR(double(lost) / bursts, 4.0, 0.2);
    run(7, &b);
    EXPECT_EQ(a, b);
    run(8, &c);
    EXPECT_NE(a, c);
}
