/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Topology graphs: generators (exact shapes, seeded reproducibility, connectivity), GraphML and
 * DOT input with roles and link attributes, the GraphML round trip, selectors, next hops,
 * connected components.
 */
#include "mqtt-topology-graph.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

using namespace ns3::mqtt;

namespace
{

MqttTopologyGraph
Gen(MqttGraphGeneratorParams p)
{
    std::string error;
    auto g = MqttTopologyGraph::Generate(p, &error);
    EXPECT_TRUE(g.has_value()) << error;
    return g.value_or(MqttTopologyGraph());
}

std::set<std::pair<uint32_t, uint32_t>>
EdgeSet(const MqttTopologyGraph& g)
{
    std::set<std::pair<uint32_t, uint32_t>> s;
    for (const auto& e : g.Edges())
    {
        s.insert({std::min(e.a, e.b), std::max(e.a, e.b)});
    }
    return s;
}

/** No self-loops and no edge twice. */
void
ExpectSimple(const MqttTopologyGraph& g)
{
    for (const auto& e : g.Edges())
    {
        EXPECT_NE(e.a, e.b);
    }
    EXPECT_EQ(EdgeSet(g).size(), g.Edges().size());
}

MqttTopologyGraph
ReadGraphMlText(const std::string& text, std::string* error)
{
    std::istringstream in(text);
    auto g = MqttTopologyGraph::ReadGraphMl(in, error);
    return g.value_or(MqttTopologyGraph());
}

} // namespace

TEST(TopologyGraph, StarHasHubAndLeaves)
{
    MqttGraphGeneratorParams p;
    p.type = MqttGraphGenerator::Star;
    p.nodes = 6;
    p.link = "backbone";
    MqttTopologyGraph g = Gen(p);
    ASSERT_EQ(g.Vertices().size(), 6u);
    ASSERT_EQ(g.Edges().size(), 5u);
    EXPECT_EQ(g.Degrees()[0], 5u);
    EXPECT_EQ(g.Vertices()[0].name, "n0");
    EXPECT_EQ(g.Vertices()[5].name, "n5");
    EXPECT_EQ(g.Edges()[0].name, "n0--n1");
    EXPECT_EQ(g.Edges()[0].link, "backbone");
    EXPECT_TRUE(g.IsConnected());
}

TEST(TopologyGraph, TreeIsCompleteWithFanoutAndDepth)
{
    MqttGraphGeneratorParams p;
    p.type = MqttGraphGenerator::Tree;
    p.fanout = 3;
    p.depth = 2;
    MqttTopologyGraph g = Gen(p);
    ASSERT_EQ(g.Vertices().size(), 13u);
    EXPECT_EQ(g.Edges().size(), 12u);
    auto d = g.Degrees();
    EXPECT_EQ(d[0], 3u);
    EXPECT_EQ(d[1], 4u); // a parent and three children
    std::string error;
    auto leaves = g.Select("leaves", &error);
    ASSERT_TRUE(leaves);
    EXPECT_EQ(leaves->size(), 9u);
    EXPECT_EQ(leaves->front(), 4u);
    EXPECT_TRUE(g.IsConnected());
}

TEST(TopologyGraph, GridAndMeshEdgeCounts)
{
    MqttGraphGeneratorParams p;
    p.type = MqttGraphGenerator::Grid;
    p.rows = 3;
    p.cols = 4;
    p.spacing = 10;
    MqttTopologyGraph g = Gen(p);
    EXPECT_EQ(g.Vertices().size(), 12u);
    EXPECT_EQ(g.Edges().size(), 3u * 3 + 2u * 4);
    EXPECT_DOUBLE_EQ(g.Vertices()[5].x, 10);
    EXPECT_DOUBLE_EQ(g.Vertices()[5].y, 10);
    p.diagonals = true;
    MqttTopologyGraph mesh = Gen(p);
    EXPECT_EQ(mesh.Edges().size(), 17u + 2u * 2 * 3);
    ExpectSimple(mesh);
}

TEST(TopologyGraph, RandomGeometricIsSeededAndConnected)
{
    MqttGraphGeneratorParams p;
    p.type = MqttGraphGenerator::RandomGeometric;
    p.nodes = 60;
    p.radius = 0.12; // sparse enough to need joining
    p.seed = 7;
    MqttTopologyGraph a = Gen(p);
    MqttTopologyGraph b = Gen(p);
    EXPECT_TRUE(a.IsConnected());
    ExpectSimple(a);
    EXPECT_EQ(EdgeSet(a), EdgeSet(b));
    EXPECT_DOUBLE_EQ(a.Vertices()[17].x, b.Vertices()[17].x);
    // Every edge within radius except the few that join components.
    p.seed = 8;
    MqttTopologyGraph c = Gen(p);
    EXPECT_NE(EdgeSet(a), EdgeSet(c));
    EXPECT_TRUE(c.IsConnected());
}

TEST(TopologyGraph, BarabasiAlbertEdgeCountAndHubs)
{
    MqttGraphGeneratorParams p;
    p.type = MqttGraphGenerator::ScaleFree;
    p.nodes = 200;
    p.edgesPerNode = 2;
    p.seed = 3;
    MqttTopologyGraph g = Gen(p);
    // A triangle of seed vertices, then two edges per new vertex.
    EXPECT_EQ(g.Edges().size(), 3u + 197u * 2);
    EXPECT_TRUE(g.IsConnected());
    ExpectSimple(g);
    auto d = g.Degrees();
    uint32_t maxDegree = *std::max_element(d.begin(), d.end());
    EXPECT_GT(maxDegree, 15u); // preferential attachment grows hubs
    EXPECT_EQ(EdgeSet(g), EdgeSet(Gen(p)));
    p.seed = 4;
    EXPECT_NE(EdgeSet(g), EdgeSet(Gen(p)));
}

TEST(TopologyGraph, PlodIsSimpleAndConnected)
{
    MqttGraphGeneratorParams p;
    p.type = MqttGraphGenerator::ScaleFree;
    p.model = "plod";
    p.nodes = 100;
    p.alpha = 2.2;
    p.beta = 40;
    p.seed = 11;
    MqttTopologyGraph g = Gen(p);
    EXPECT_EQ(g.Vertices().size(), 100u);
    EXPECT_TRUE(g.IsConnected());
    ExpectSimple(g);
    EXPECT_EQ(EdgeSet(g), EdgeSet(Gen(p)));
}

TEST(TopologyGraph, SmallWorldWithoutRewiringIsARingLattice)
{
    MqttGraphGeneratorParams p;
    p.type = MqttGraphGenerator::SmallWorld;
    p.nodes = 20;
    p.neighbors = 4;
    p.rewire = 0;
    MqttTopologyGraph ring = Gen(p);
    EXPECT_EQ(ring.Edges().size(), 40u);
    for (uint32_t d : ring.Degrees())
    {
        EXPECT_EQ(d, 4u);
    }
    p.rewire = 0.3;
    p.seed = 5;
    MqttTopologyGraph sw = Gen(p);
    EXPECT_TRUE(sw.IsConnected());
    ExpectSimple(sw);
    EXPECT_NE(EdgeSet(sw), EdgeSet(ring));
    EXPECT_EQ(EdgeSet(sw), EdgeSet(Gen(p)));
}

TEST(TopologyGraph, GeneratorParameterErrors)
{
    std::string error;
    MqttGraphGeneratorParams p;
    p.type = MqttGraphGenerator::SmallWorld;
    p.nodes = 10;
    p.neighbors = 3;
    EXPECT_FALSE(MqttTopologyGraph::Generate(p, &error));
    EXPECT_EQ(error, "neighbors: an even number, at least 2 and less than nodes");
    p.type = MqttGraphGenerator::ScaleFree;
    p.model = "er";
    EXPECT_FALSE(MqttTopologyGraph::Generate(p, &error));
    EXPECT_EQ(error, "model: expected ba or plod, got 'er'");
    p.type = MqttGraphGenerator::Star;
    p.nodes = 1;
    EXPECT_FALSE(MqttTopologyGraph::Generate(p, &error));
}

TEST(TopologyGraph, GraphMlRoundTripKeepsRolesAndLinkAttributes)
{
    MqttGraphGeneratorParams p;
    p.type = MqttGraphGenerator::Tree;
    p.fanout = 2;
    p.depth = 2;
    p.link = "backbone";
    MqttTopologyGraph g = Gen(p);
    g.SetRole(0, MqttNodeRole::Broker, "");
    g.SetRole(3, MqttNodeRole::Device, "sensors");
    g.SetPosition(3, 1.25, -7.5);
    MqttGraphEdge e;
    e.a = 4;
    e.b = 5;
    e.name = "radio-1";
    e.link = "access";
    e.rateBps = 250000;
    e.delay = std::chrono::microseconds(1500);
    e.loss = 0.125;
    g.AddEdge(e);

    std::ostringstream out;
    g.WriteGraphMl(out);
    std::string error;
    MqttTopologyGraph back = ReadGraphMlText(out.str(), &error);
    ASSERT_EQ(error, "");
    ASSERT_EQ(back.Vertices().size(), g.Vertices().size());
    ASSERT_EQ(back.Edges().size(), g.Edges().size());
    for (uint32_t i = 0; i < g.Vertices().size(); ++i)
    {
        EXPECT_EQ(back.Vertices()[i].name, g.Vertices()[i].name);
        EXPECT_EQ(back.Vertices()[i].role, g.Vertices()[i].role);
        EXPECT_EQ(back.Vertices()[i].group, g.Vertices()[i].group);
        EXPECT_DOUBLE_EQ(back.Vertices()[i].x, g.Vertices()[i].x);
        EXPECT_DOUBLE_EQ(back.Vertices()[i].y, g.Vertices()[i].y);
    }
    auto radio = back.FindEdge("radio-1");
    ASSERT_TRUE(radio);
    const MqttGraphEdge& r = back.Edges()[*radio];
    EXPECT_EQ(back.Vertices()[r.a].name, "n4");
    EXPECT_EQ(back.Vertices()[r.b].name, "n5");
    EXPECT_EQ(r.link, "access");
    EXPECT_EQ(r.rateBps, 250000u);
    EXPECT_EQ(r.delay, std::chrono::microseconds(1500));
    EXPECT_EQ(r.loss, 0.125);
    auto plain = back.FindEdge("n0--n1");
    ASSERT_TRUE(plain);
    EXPECT_EQ(back.Edges()[*plain].link, "backbone");
    EXPECT_FALSE(back.Edges()[*plain].rateBps);
    EXPECT_FALSE(back.Edges()[*plain].loss);
    EXPECT_EQ(EdgeSet(back), EdgeSet(g));
}

TEST(TopologyGraph, DotRoundTripKeepsEverything)
{
    MqttGraphGeneratorParams p;
    p.type = MqttGraphGenerator::Grid;
    p.rows = 2;
    p.cols = 3;
    p.link = "mesh";
    MqttTopologyGraph g = Gen(p);
    g.SetRole(0, MqttNodeRole::Broker, "");
    g.SetRole(5, MqttNodeRole::Device, "meters");
    MqttGraphEdge e;
    e.a = 0;
    e.b = 4;
    e.name = "diag";
    e.link = "radio";
    e.rateBps = 250000;
    e.delay = std::chrono::microseconds(250);
    e.loss = 0.5;
    g.AddEdge(e);
    std::ostringstream out;
    g.WriteDot(out);
    std::istringstream in(out.str());
    std::string error;
    auto back = MqttTopologyGraph::ReadDot(in, &error);
    ASSERT_TRUE(back) << error << "\n" << out.str();
    ASSERT_EQ(back->Vertices().size(), g.Vertices().size());
    for (const auto& v : g.Vertices())
    {
        auto i = back->FindVertex(v.name);
        ASSERT_TRUE(i) << v.name;
        EXPECT_EQ(back->Vertices()[*i].role, v.role);
        EXPECT_EQ(back->Vertices()[*i].group, v.group);
        EXPECT_DOUBLE_EQ(back->Vertices()[*i].x, v.x);
        EXPECT_DOUBLE_EQ(back->Vertices()[*i].y, v.y);
    }
    ASSERT_EQ(back->Edges().size(), g.Edges().size());
    for (const auto& edge : g.Edges())
    {
        auto i = back->FindEdge(edge.name);
        ASSERT_TRUE(i) << edge.name;
        const MqttGraphEdge& b = back->Edges()[*i];
        EXPECT_EQ(back->Vertices()[b.a].name, g.Vertices()[edge.a].name);
        EXPECT_EQ(back->Vertices()[b.b].name, g.Vertices()[edge.b].name);
        EXPECT_EQ(b.link, edge.link);
        EXPECT_EQ(b.rateBps, edge.rateBps);
        EXPECT_EQ(b.delay, edge.delay);
        EXPECT_EQ(b.loss, edge.loss);
    }
}

TEST(TopologyGraph, GraphMlFromOtherToolsWithTypedAndUnknownAttributes)
{
    // What NetworkX writes: typed keys, and attributes of its own (ignored).
    const std::string text = R"(<?xml version='1.0' encoding='utf-8'?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="d0" for="node" attr.name="name" attr.type="string"/>
  <key id="d1" for="node" attr.name="x" attr.type="double"/>
  <key id="d2" for="node" attr.name="role" attr.type="string"/>
  <key id="d3" for="node" attr.name="color" attr.type="int"/>
  <key id="d4" for="edge" attr.name="loss" attr.type="double"/>
  <key id="d5" for="edge" attr.name="weight" attr.type="long"/>
  <graph edgedefault="undirected">
    <node id="a"><data key="d0">core</data><data key="d1">2.5</data><data key="d2">broker</data><data key="d3">3</data></node>
    <node id="b"><data key="d0">edge-1</data><data key="d2">gateway</data></node>
    <edge source="a" target="b"><data key="d4">0.05</data><data key="d5">7</data></edge>
  </graph>
</graphml>)";
    std::string error;
    MqttTopologyGraph g = ReadGraphMlText(text, &error);
    ASSERT_EQ(error, "");
    ASSERT_EQ(g.Vertices().size(), 2u);
    EXPECT_EQ(g.Vertices()[0].name, "core");
    EXPECT_EQ(g.Vertices()[0].role, MqttNodeRole::Broker);
    EXPECT_DOUBLE_EQ(g.Vertices()[0].x, 2.5);
    EXPECT_EQ(g.Vertices()[1].role, MqttNodeRole::Gateway);
    ASSERT_EQ(g.Edges().size(), 1u);
    EXPECT_EQ(g.Edges()[0].name, "core--edge-1");
    EXPECT_EQ(g.Edges()[0].loss, 0.05);
}

TEST(TopologyGraph, GraphMlErrorsNameTheVertexOrEdge)
{
    auto doc = [](const std::string& nodes, const std::string& edges)
    {
        return R"(<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">
<key id="n" for="node" attr.name="name" attr.type="string"/>
<key id="r" for="node" attr.name="role" attr.type="string"/>
<key id="rate" for="edge" attr.name="rate" attr.type="string"/>
<graph edgedefault="undirected">)" +
               nodes + edges + "</graph></graphml>";
    };
    std::string error;
    ReadGraphMlText(doc(R"(<node id="a"/><node id="b"><data key="n">b</data></node>)", ""), &error);
    EXPECT_EQ(error,
              "vertex 0: no 'name' attribute (node ids are not readable; every vertex "
              "needs a name)");
    ReadGraphMlText(doc(R"(<node id="a"><data key="n">x</data></node>
<node id="b"><data key="n">x</data></node>)",
                        ""),
                    &error);
    EXPECT_EQ(error, "vertex 'x': name used twice");
    ReadGraphMlText(
        doc(R"(<node id="a"><data key="n">x</data><data key="r">server</data></node>)", ""),
        &error);
    EXPECT_EQ(
        error,
        "vertex 'x': role: expected router, broker, gateway, backend or device, got 'server'");
    ReadGraphMlText(
        doc(R"(<node id="a"><data key="n">a</data></node><node id="b"><data key="n">b</data></node>)",
            R"(<edge source="a" target="b"><data key="rate">fast</data></edge>)"),
        &error);
    EXPECT_EQ(error, "edge a--b: rate: expected a data rate like 100Mbps, got 'fast'");
    ReadGraphMlText(
        doc(R"(<node id="a"><data key="n">a</data></node>)", R"(<edge source="a" target="a"/>)"),
        &error);
    EXPECT_EQ(error, "edge a--a: self-loop");
    ReadGraphMlText("<graphml><graph", &error);
    EXPECT_EQ(error.rfind("cannot parse: ", 0), 0u) << error;
}

TEST(TopologyGraph, DotWithAttributesAndDirectedEdges)
{
    const std::string text = R"(digraph campus {
  core [role=broker];
  "gw-1" [role=gateway, x=10, y=-2.5];
  cloud [role=backend];
  core -> "gw-1" [link=backbone, rate="1Gbps", delay="2ms", name=uplink];
  cloud -> core [link=wan, delay="20ms", loss=0.01];
})";
    std::istringstream in(text);
    std::string error;
    auto g = MqttTopologyGraph::ReadDot(in, &error);
    ASSERT_TRUE(g) << error;
    ASSERT_EQ(g->Vertices().size(), 3u);
    // Boost's DOT reader orders vertices by id.
    EXPECT_EQ(g->Vertices()[0].name, "cloud");
    auto gw = g->FindVertex("gw-1");
    ASSERT_TRUE(gw);
    EXPECT_EQ(g->Vertices()[*gw].role, MqttNodeRole::Gateway);
    EXPECT_DOUBLE_EQ(g->Vertices()[*gw].x, 10);
    EXPECT_DOUBLE_EQ(g->Vertices()[*gw].y, -2.5);
    EXPECT_EQ(g->Vertices()[*g->FindVertex("cloud")].role, MqttNodeRole::Backend);
    EXPECT_EQ(g->Vertices()[*g->FindVertex("core")].role, MqttNodeRole::Broker);
    auto up = g->FindEdge("uplink");
    ASSERT_TRUE(up);
    EXPECT_EQ(g->Edges()[*up].rateBps, 1000000000u);
    EXPECT_EQ(g->Edges()[*up].delay, std::chrono::milliseconds(2));
    auto wan = g->FindEdge("cloud--core");
    ASSERT_TRUE(wan);
    EXPECT_EQ(g->Edges()[*wan].link, "wan");
    EXPECT_EQ(g->Edges()[*wan].loss, 0.01);
}

TEST(TopologyGraph, SelectorsPickVerticesInOrder)
{
    MqttGraphGeneratorParams p;
    p.type = MqttGraphGenerator::Tree;
    p.fanout = 2;
    p.depth = 2;
    MqttTopologyGraph g = Gen(p);
    g.SetRole(0, MqttNodeRole::Broker, "");
    g.SetRole(1, MqttNodeRole::Gateway, "");
    g.SetRole(2, MqttNodeRole::Gateway, "");
    g.SetRole(6, MqttNodeRole::Device, "meters");
    std::string error;
    EXPECT_EQ(*g.Select("gateways", &error), (std::vector<uint32_t>{1, 2}));
    EXPECT_EQ(*g.Select("brokers", &error), (std::vector<uint32_t>{0}));
    EXPECT_EQ(*g.Select("n4", &error), (std::vector<uint32_t>{4}));
    EXPECT_EQ(*g.Select("leaves", &error), (std::vector<uint32_t>{3, 4, 5, 6}));
    EXPECT_EQ(*g.Select("group:meters", &error), (std::vector<uint32_t>{6}));
    EXPECT_EQ(g.Select("all", &error)->size(), 7u);
    EXPECT_FALSE(g.Select("n99", &error));
    EXPECT_EQ(error,
              "no vertex named 'n99' (a selector is a vertex name, all, leaves, brokers, "
              "routers, gateways, backends, devices or group:NAME)");
}

TEST(TopologyGraph, NextHopEdgesFollowShortestPaths)
{
    // n0 - n1 - n2 - n3 and a shortcut n0 - n3: n2 goes via n3 or n1 (both two hops).
    MqttTopologyGraph g;
    for (int i = 0; i < 4; ++i)
    {
        MqttGraphVertex v;
        v.name = "n" + std::to_string(i);
        g.AddVertex(v);
    }
    g.AddEdge({0, 1, "", "", {}, {}, {}});
    g.AddEdge({1, 2, "", "", {}, {}, {}});
    g.AddEdge({2, 3, "", "", {}, {}, {}});
    g.AddEdge({0, 3, "", "", {}, {}, {}});
    auto hops = g.NextHopEdges(0);
    EXPECT_FALSE(hops[0]);
    EXPECT_EQ(hops[1], 0u);
    EXPECT_EQ(hops[3], 3u);
    ASSERT_TRUE(hops[2]);
    EXPECT_TRUE(*hops[2] == 1u || *hops[2] == 2u);
    EXPECT_EQ(hops[2], g.NextHopEdges(0)[2]); // reproducible
}

TEST(TopologyGraph, ComponentsNumberTheConnectedParts)
{
    // n0 - n1   n2   n3 - n4: three components, numbered in vertex order.
    MqttTopologyGraph g;
    for (int i = 0; i < 5; ++i)
    {
        MqttGraphVertex v;
        v.name = "n" + std::to_string(i);
        g.AddVertex(v);
    }
    g.AddEdge({0, 1, "", "", {}, {}, {}});
    g.AddEdge({3, 4, "", "", {}, {}, {}});
    int count = 0;
    std::vector<int> component = g.Components(&count);
    EXPECT_EQ(count, 3);
    EXPECT_EQ(component, (std::vector<int>{0, 0, 1, 2, 2}));
    EXPECT_FALSE(g.IsConnected());
    MqttTopologyGraph empty;
    EXPECT_TRUE(empty.Components(&count).empty());
    EXPECT_EQ(count, 0);
    EXPECT_TRUE(empty.IsConnected());
}
