/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * IPv4 routing on the scenario graph (MqttGraphRoutes, MqttGraphRouting): longest-prefix
 * homes, next hops along the graph, default routes of clients, down interfaces; and broker
 * front ends in the built topology.
 */
#include "mqtt-graph-routes.h"
#include "mqtt-graph-routing-helper.h"
#include "mqtt-graph-routing.h"
#include "mqtt-scenario-loader.h"
#include "mqtt-topology-builder.h"

#include "ns3/channel.h"
#include "ns3/inet-socket-address.h"
#include "ns3/ipv4-header.h"
#include "ns3/ipv4-route.h"
#include "ns3/ipv4.h"
#include "ns3/names.h"
#include "ns3/output-stream-wrapper.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

using namespace ns3;
using namespace ns3::mqtt;

namespace
{

TEST(GraphRoutes, LongestPrefixGivesTheHome)
{
    MqttGraphRoutes r(3);
    r.AddSubnet(Ipv4Address("10.0.0.0"), Ipv4Mask("255.255.0.0"), 0);
    r.AddSubnet(Ipv4Address("10.0.1.4"), Ipv4Mask("255.255.255.252"), 2);
    r.AddSubnet(Ipv4Address("10.0.1.0"), Ipv4Mask("255.255.255.0"), 1);
    EXPECT_EQ(r.Home(Ipv4Address("10.0.1.5")), 2u);
    EXPECT_EQ(r.Home(Ipv4Address("10.0.1.6")), 2u);
    EXPECT_EQ(r.Home(Ipv4Address("10.0.1.8")), 1u);
    EXPECT_EQ(r.Home(Ipv4Address("10.0.200.1")), 0u);
    EXPECT_EQ(r.Home(Ipv4Address("10.1.0.1")), std::nullopt);
    // Added after a lookup: still found.
    r.AddSubnet(Ipv4Address("192.168.0.0"), Ipv4Mask("255.255.255.0"), 1);
    EXPECT_EQ(r.Home(Ipv4Address("192.168.0.77")), 1u);
    EXPECT_EQ(r.GetNSubnets(), 4u);
}

TEST(GraphRoutes, NextHopsAreSetPerPair)
{
    MqttGraphRoutes r(3);
    r.SetHop(0, 2, MqttGraphRoutes::Hop{4, Ipv4Address("10.0.0.2")});
    ASSERT_NE(r.NextHop(0, 2), nullptr);
    EXPECT_EQ(r.NextHop(0, 2)->interface, 4u);
    EXPECT_EQ(r.NextHop(0, 2)->gateway, Ipv4Address("10.0.0.2"));
    EXPECT_EQ(r.NextHop(2, 0), nullptr);
    EXPECT_EQ(r.NextHop(0, 3), nullptr);
    EXPECT_EQ(r.NextHop(7, 0), nullptr);
}

class GraphRouting : public ::testing::Test
{
  protected:
    void
    TearDown() override
    {
        Simulator::Destroy();
        Names::Clear();
    }

    static MqttScenario
    Load(const std::string& text)
    {
        MqttScenarioLoadResult r = MqttScenarioLoader::LoadText(text, "test.yaml", ".");
        EXPECT_TRUE(r.scenario) << (r.errors.empty() ? "" : r.errors[0]);
        return r.scenario.value_or(MqttScenario());
    }

    /** The route @p node picks for @p destination: (gateway, output node id), or none. */
    static std::optional<std::pair<Ipv4Address, Ptr<NetDevice>>>
    Route(Ptr<Node> node, Ipv4Address destination)
    {
        Ipv4Header h;
        h.SetDestination(destination);
        Socket::SocketErrno err;
        Ptr<Ipv4Route> r = node->GetObject<Ipv4>()->GetRoutingProtocol()->RouteOutput(
            Create<Packet>(), h, nullptr, err);
        if (!r)
        {
            EXPECT_EQ(err, Socket::ERROR_NOROUTETOHOST);
            return std::nullopt;
        }
        EXPECT_EQ(err, Socket::ERROR_NOTERROR);
        return std::make_pair(r->GetGateway(), r->GetOutputDevice());
    }

    /** The address of @p node on the link it shares with @p peer. */
    static Ipv4Address
    AddressTowards(Ptr<Node> node, Ptr<Node> peer)
    {
        Ptr<Ipv4> ip = node->GetObject<Ipv4>();
        for (uint32_t i = 1; i < ip->GetNInterfaces(); ++i)
        {
            Ptr<NetDevice> d = ip->GetNetDevice(i);
            Ptr<Channel> c = d->GetChannel();
            for (std::size_t k = 0; c && k < c->GetNDevices(); ++k)
            {
                if (c->GetDevice(k)->GetNode() == peer)
                {
                    return ip->GetAddress(i, 0).GetLocal();
                }
            }
        }
        ADD_FAILURE() << "no link between nodes " << node->GetId() << " and " << peer->GetId();
        return Ipv4Address();
    }

    static Ptr<NetDevice>
    DeviceTowards(Ptr<Node> node, Ptr<Node> peer)
    {
        Ptr<Ipv4> ip = node->GetObject<Ipv4>();
        return ip->GetNetDevice(ip->GetInterfaceForAddress(AddressTowards(node, peer)));
    }
};

// A line n0 - n1 - n2 (grid 1 x 3), broker n0, two devices on p2p links at n2.
const char* LINE = R"(name: line
duration: 10s
topology: {generator: grid, rows: 1, cols: 3, link: core, roles: {broker: n0}}
links:
  core: {type: p2p, rate: 10Mbps, delay: 1ms}
  access: {type: p2p, rate: 1Mbps, delay: 5ms}
devices:
  d: {count: 2, attach: n2, link: access, interval: 1s, topic: "t/{id}"}
)";

TEST_F(GraphRouting, RoutesFollowTheGraph)
{
    MqttScenario s = Load(LINE);
    MqttTopologyBuilder b(s);
    b.Build(0);
    Ptr<Node> n0 = b.FindNode("n0");
    Ptr<Node> n1 = b.FindNode("n1");
    Ptr<Node> n2 = b.FindNode("n2");
    Ptr<Node> d0 = b.FindNode("d-0");
    Ptr<Node> d1 = b.FindNode("d-1");
    Ipv4Address broker = b.BrokerAddress();
    Ipv4Address d1Address = AddressTowards(d1, n2);

    // A device: everything through its gateway vertex.
    auto r = Route(d0, broker);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->first, AddressTowards(n2, d0));
    EXPECT_EQ(r->second, DeviceTowards(d0, n2));
    r = Route(d0, d1Address);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->first, AddressTowards(n2, d0));
    // The gateway vertex: its devices are directly connected.
    r = Route(n2, d1Address);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->first, Ipv4Address::GetAny());
    EXPECT_EQ(r->second, DeviceTowards(n2, d1));
    // A transit vertex: towards the device's home vertex n2, and back to the broker.
    r = Route(n1, d1Address);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->first, AddressTowards(n2, n1));
    EXPECT_EQ(r->second, DeviceTowards(n1, n2));
    r = Route(n0, d1Address);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->first, AddressTowards(n1, n0));
    r = Route(n2, broker);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->first, AddressTowards(n1, n2));
    // Loopback, and addresses outside every subnet.
    r = Route(n1, Ipv4Address::GetLoopback());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->second, n1->GetObject<Ipv4>()->GetNetDevice(0));
    EXPECT_FALSE(Route(n1, Ipv4Address("192.168.7.7")));
    // A down interface carries nothing; up again, the route is back.
    Ptr<Ipv4> ip1 = n1->GetObject<Ipv4>();
    uint32_t towardsN2 = ip1->GetInterfaceForDevice(DeviceTowards(n1, n2));
    ip1->SetDown(towardsN2);
    EXPECT_FALSE(Route(n1, d1Address));
    ip1->SetUp(towardsN2);
    EXPECT_TRUE(Route(n1, d1Address));
}

TEST_F(GraphRouting, RoutingStateOfVerticesDoesNotGrowWithDevices)
{
    // 300 devices at one gateway: the transit vertex n1 holds nothing per device; the shared
    // table holds one subnet per link (2 edges + 300 access links).
    MqttScenario s =
        Load(std::string(LINE).replace(std::string(LINE).find("count: 2"), 8, "count: 300"));
    MqttTopologyBuilder b(s);
    b.Build(0);
    std::ostringstream table;
    Ptr<OutputStreamWrapper> out = Create<OutputStreamWrapper>(&table);
    b.FindNode("n1")->GetObject<Ipv4>()->GetRoutingProtocol()->PrintRoutingTable(out);
    // A title, then loopback and two edges.
    std::string t = table.str();
    EXPECT_EQ(std::count(t.begin(), t.end(), '\n'), 4) << t;
    EXPECT_NE(t.find("302 subnets"), std::string::npos) << t;
}

TEST_F(GraphRouting, FrontEndsServeTheDevicesRoundRobin)
{
    MqttScenario s = Load(R"(name: fe
duration: 10s
topology: {generator: grid, rows: 1, cols: 3, link: core, roles: {broker: n0}}
links:
  core: {type: p2p, rate: 10Mbps, delay: 1ms}
  access: {type: p2p, rate: 1Mbps, delay: 5ms}
  fe: {type: p2p, rate: 1Gbps, delay: 3ms}
broker: {front-ends: {count: 3, link: fe}}
devices:
  d: {count: 2, attach: n2, link: access, interval: 1s, topic: "t/{id}"}
backends:
  sink: {attach: n1, link: access, subscribe: ["t/#"]}
)");
    MqttTopologyBuilder b(s);
    b.Build(0);
    ASSERT_EQ(b.FrontEnds().size(), 3u);
    std::vector<Ipv4Address> fe;
    for (uint32_t i = 0; i < 3; ++i)
    {
        EXPECT_EQ(b.FindNode("n0.fe" + std::to_string(i)), b.FrontEnds()[i]);
        fe.push_back(AddressTowards(b.FrontEnds()[i], b.BrokerNode()));
    }
    ASSERT_EQ(b.Clients().size(), 3u);
    for (uint32_t i = 0; i < 2; ++i)
    {
        const MqttBuiltClient& c = b.Clients()[i];
        EXPECT_EQ(InetSocketAddress::ConvertFrom(c.broker).GetIpv4(), fe[i]);
        EXPECT_EQ(c.frontEnd, i);
        // Access 5 ms, two core hops of 1 ms, the front end's link 3 ms.
        EXPECT_EQ(c.pathDelay, std::chrono::milliseconds(10));
    }
    // Backends reach the broker node itself.
    EXPECT_EQ(InetSocketAddress::ConvertFrom(b.Clients()[2].broker).GetIpv4(), b.BrokerAddress());
    EXPECT_EQ(b.Clients()[2].frontEnd, std::nullopt);
    // Front ends route through the broker vertex.
    auto r = Route(b.FrontEnds()[2], AddressTowards(b.FindNode("d-1"), b.FindNode("n2")));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->first, AddressTowards(b.BrokerNode(), b.FrontEnds()[2]));
}

} // namespace
