/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The graph model: vertices, edges, names, selectors, connectivity and shortest paths. The
 * generators are in mqtt-graph-generators.cc, GraphML and DOT in mqtt-graph-io.cc.
 */
#include "mqtt-topology-graph.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/connected_components.hpp>

namespace ns3
{
namespace mqtt
{

namespace
{

/** The graph Boost's algorithms run on: vertex i is m_vertices[i], edges carry their index. */
struct AlgoEdge
{
    uint32_t index = 0;
};
using AlgoGraph = boost::
    adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property, AlgoEdge>;

AlgoGraph
ToAlgoGraph(const MqttTopologyGraph& g)
{
    AlgoGraph ag(g.Vertices().size());
    for (uint32_t i = 0; i < g.Edges().size(); ++i)
    {
        boost::add_edge(g.Edges()[i].a, g.Edges()[i].b, AlgoEdge{i}, ag);
    }
    return ag;
}

} // namespace

const char*
MqttNodeRoleName(MqttNodeRole role)
{
    switch (role)
    {
    case MqttNodeRole::Router:
        return "router";
    case MqttNodeRole::Broker:
        return "broker";
    case MqttNodeRole::Gateway:
        return "gateway";
    case MqttNodeRole::Backend:
        return "backend";
    case MqttNodeRole::Device:
        return "device";
    }
    return "router";
}

std::optional<MqttNodeRole>
MqttNodeRoleFromName(const std::string& name)
{
    for (auto r : {MqttNodeRole::Router,
                   MqttNodeRole::Broker,
                   MqttNodeRole::Gateway,
                   MqttNodeRole::Backend,
                   MqttNodeRole::Device})
    {
        if (name == MqttNodeRoleName(r))
        {
            return r;
        }
    }
    return std::nullopt;
}

const char*
MqttGraphGeneratorName(MqttGraphGenerator g)
{
    switch (g)
    {
    case MqttGraphGenerator::Star:
        return "star";
    case MqttGraphGenerator::Tree:
        return "tree";
    case MqttGraphGenerator::Grid:
        return "grid";
    case MqttGraphGenerator::RandomGeometric:
        return "random-geometric";
    case MqttGraphGenerator::ScaleFree:
        return "scale-free";
    case MqttGraphGenerator::SmallWorld:
        return "small-world";
    }
    return "star";
}

std::optional<MqttGraphGenerator>
MqttGraphGeneratorFromName(const std::string& name)
{
    for (auto g : {MqttGraphGenerator::Star,
                   MqttGraphGenerator::Tree,
                   MqttGraphGenerator::Grid,
                   MqttGraphGenerator::RandomGeometric,
                   MqttGraphGenerator::ScaleFree,
                   MqttGraphGenerator::SmallWorld})
    {
        if (name == MqttGraphGeneratorName(g))
        {
            return g;
        }
    }
    return std::nullopt;
}

uint32_t
MqttTopologyGraph::AddVertex(MqttGraphVertex vertex)
{
    uint32_t index = m_vertices.size();
    m_vertexByName.emplace(vertex.name, index);
    m_vertices.push_back(std::move(vertex));
    return index;
}

uint32_t
MqttTopologyGraph::AddEdge(MqttGraphEdge edge)
{
    if (edge.name.empty())
    {
        edge.name = m_vertices[edge.a].name + "--" + m_vertices[edge.b].name;
    }
    uint32_t index = m_edges.size();
    m_edgeByName.emplace(edge.name, index);
    m_edges.push_back(std::move(edge));
    return index;
}

const std::vector<MqttGraphVertex>&
MqttTopologyGraph::Vertices() const
{
    return m_vertices;
}

const std::vector<MqttGraphEdge>&
MqttTopologyGraph::Edges() const
{
    return m_edges;
}

void
MqttTopologyGraph::SetRole(uint32_t vertex, MqttNodeRole role, const std::string& group)
{
    m_vertices.at(vertex).role = role;
    m_vertices.at(vertex).group = group;
}

void
MqttTopologyGraph::SetPosition(uint32_t vertex, double x, double y)
{
    m_vertices.at(vertex).x = x;
    m_vertices.at(vertex).y = y;
}

std::optional<uint32_t>
MqttTopologyGraph::FindVertex(const std::string& name) const
{
    auto it = m_vertexByName.find(name);
    if (it == m_vertexByName.end())
    {
        return std::nullopt;
    }
    return it->second;
}

std::optional<uint32_t>
MqttTopologyGraph::FindEdge(const std::string& name) const
{
    auto it = m_edgeByName.find(name);
    if (it == m_edgeByName.end())
    {
        return std::nullopt;
    }
    return it->second;
}

std::vector<uint32_t>
MqttTopologyGraph::Degrees() const
{
    std::vector<uint32_t> d(m_vertices.size(), 0);
    for (const auto& e : m_edges)
    {
        ++d[e.a];
        ++d[e.b];
    }
    return d;
}

std::vector<int>
MqttTopologyGraph::Components(int* count) const
{
    AlgoGraph ag = ToAlgoGraph(*this);
    std::vector<int> component(m_vertices.size(), 0);
    *count = m_vertices.empty() ? 0 : boost::connected_components(ag, component.data());
    return component;
}

bool
MqttTopologyGraph::IsConnected() const
{
    int count = 0;
    Components(&count);
    return count <= 1;
}

std::vector<std::optional<uint32_t>>
MqttTopologyGraph::NextHopEdges(uint32_t target) const
{
    std::vector<std::optional<uint32_t>> hop(m_vertices.size());
    AlgoGraph ag = ToAlgoGraph(*this);
    // The BFS tree rooted at the target: a vertex's tree edge points towards the target.
    struct Recorder : boost::default_bfs_visitor
    {
        std::vector<std::optional<uint32_t>>* hop;

        void
        tree_edge(boost::graph_traits<AlgoGraph>::edge_descriptor e, const AlgoGraph& g)
        {
            (*hop)[boost::target(e, g)] = g[e].index;
        }
    };
    Recorder rec;
    rec.hop = &hop;
    boost::breadth_first_search(ag, boost::vertex(target, ag), boost::visitor(rec));
    return hop;
}

std::optional<std::vector<uint32_t>>
MqttTopologyGraph::Select(const std::string& selector, std::string* error) const
{
    std::vector<uint32_t> out;
    if (auto v = FindVertex(selector))
    {
        out.push_back(*v);
        return out;
    }
    std::vector<uint32_t> degrees = Degrees();
    static const std::map<std::string, MqttNodeRole> ROLES = {{"brokers", MqttNodeRole::Broker},
                                                              {"routers", MqttNodeRole::Router},
                                                              {"gateways", MqttNodeRole::Gateway},
                                                              {"backends", MqttNodeRole::Backend},
                                                              {"devices", MqttNodeRole::Device}};
    auto role = ROLES.find(selector);
    bool isGroup = selector.rfind("group:", 0) == 0;
    if (selector != "all" && selector != "leaves" && role == ROLES.end() && !isGroup)
    {
        *error = "no vertex named '" + selector +
                 "' (a selector is a vertex name, all, leaves, brokers, routers, gateways, "
                 "backends, devices or group:NAME)";
        return std::nullopt;
    }
    for (uint32_t i = 0; i < m_vertices.size(); ++i)
    {
        bool take = selector == "all" || (selector == "leaves" && degrees[i] == 1) ||
                    (role != ROLES.end() && m_vertices[i].role == role->second) ||
                    (isGroup && m_vertices[i].group == selector.substr(6));
        if (take)
        {
            out.push_back(i);
        }
    }
    return out;
}

} // namespace mqtt
} // namespace ns3
