/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-topology-graph.h"

#include "mqtt-units.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/graphml.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/graph/plod_generator.hpp>
#include <boost/graph/small_world_generator.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace ns3
{
namespace mqtt
{

namespace
{

constexpr double PI = 3.14159265358979323846;

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

/** Connected component of every vertex and their number. */
std::vector<int>
Components(const MqttTopologyGraph& g, int* count)
{
    AlgoGraph ag = ToAlgoGraph(g);
    std::vector<int> component(g.Vertices().size(), 0);
    *count = g.Vertices().empty() ? 0 : boost::connected_components(ag, component.data());
    return component;
}

bool
ValidName(const std::string& name)
{
    if (name.empty())
    {
        return false;
    }
    for (char c : name)
    {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
        {
            return false;
        }
    }
    return true;
}

std::string
VertexName(uint32_t i)
{
    return "n" + std::to_string(i);
}

// --- Generators ----------------------------------------------------------------------------

using Rng = boost::random::mt19937;

/** Adds edge {a, b} unless it is a self-loop or already present. */
void
AddUniqueEdge(MqttTopologyGraph& g,
              std::set<std::pair<uint32_t, uint32_t>>& seen,
              uint32_t a,
              uint32_t b,
              const std::string& link)
{
    if (a == b)
    {
        return;
    }
    auto key = std::make_pair(std::min(a, b), std::max(a, b));
    if (!seen.insert(key).second)
    {
        return;
    }
    MqttGraphEdge e;
    e.a = key.first;
    e.b = key.second;
    e.link = link;
    g.AddEdge(e);
}

/**
 * Joins a disconnected graph: every component other than the largest (ties: the one with the
 * lowest vertex) gets one edge. With positions, the edge joins the closest pair of vertices
 * between the component and the rest; without, the component's lowest vertex joins a vertex
 * of the largest component drawn uniformly.
 */
void
JoinComponents(MqttTopologyGraph& g,
               std::set<std::pair<uint32_t, uint32_t>>& seen,
               const std::string& link,
               bool byDistance,
               Rng& rng)
{
    for (;;)
    {
        int count = 0;
        std::vector<int> comp = Components(g, &count);
        if (count <= 1)
        {
            return;
        }
        std::vector<uint32_t> size(count, 0);
        for (int c : comp)
        {
            ++size[c];
        }
        int main = 0;
        for (int c = 1; c < count; ++c)
        {
            if (size[c] > size[main])
            {
                main = c;
            }
        }
        // The first component (in vertex order) that is not the main one.
        int other = -1;
        for (int c : comp)
        {
            if (c != main)
            {
                other = c;
                break;
            }
        }
        const auto& v = g.Vertices();
        if (byDistance)
        {
            double best = -1;
            uint32_t ba = 0;
            uint32_t bb = 0;
            for (uint32_t i = 0; i < v.size(); ++i)
            {
                if (comp[i] != other)
                {
                    continue;
                }
                for (uint32_t j = 0; j < v.size(); ++j)
                {
                    if (comp[j] == other)
                    {
                        continue;
                    }
                    double d = std::hypot(v[i].x - v[j].x, v[i].y - v[j].y);
                    if (best < 0 || d < best)
                    {
                        best = d;
                        ba = i;
                        bb = j;
                    }
                }
            }
            AddUniqueEdge(g, seen, ba, bb, link);
        }
        else
        {
            std::vector<uint32_t> mainVertices;
            uint32_t first = 0;
            bool found = false;
            for (uint32_t i = 0; i < v.size(); ++i)
            {
                if (comp[i] == main)
                {
                    mainVertices.push_back(i);
                }
                else if (comp[i] == other && !found)
                {
                    first = i;
                    found = true;
                }
            }
            boost::random::uniform_int_distribution<uint32_t> pick(0, mainVertices.size() - 1);
            AddUniqueEdge(g, seen, first, mainVertices[pick(rng)], link);
        }
    }
}

void
CircleLayout(MqttTopologyGraph& g, double radius)
{
    uint32_t n = g.Vertices().size();
    for (uint32_t i = 0; i < n; ++i)
    {
        double angle = 2 * PI * i / n;
        g.SetPosition(i, radius * std::cos(angle), radius * std::sin(angle));
    }
}

void
AddVertices(MqttTopologyGraph& g, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i)
    {
        MqttGraphVertex v;
        v.name = VertexName(i);
        g.AddVertex(v);
    }
}

/** The graph type the Boost generators fill. */
using GenGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;

// --- Reading -------------------------------------------------------------------------------

/** Every attribute of a vertex or edge as text, whatever type the file declared. */
struct IoProps
{
    std::map<std::string, std::string> attrs;
};

template<typename Directed>
using IoGraph = boost::adjacency_list<boost::vecS, boost::vecS, Directed, IoProps, IoProps>;

std::string
AnyToString(const boost::any& value)
{
    if (const auto* s = boost::any_cast<std::string>(&value))
    {
        return *s;
    }
    if (const auto* b = boost::any_cast<bool>(&value))
    {
        return *b ? "true" : "false";
    }
    if (const auto* i = boost::any_cast<int>(&value))
    {
        return std::to_string(*i);
    }
    if (const auto* l = boost::any_cast<long>(&value))
    {
        return std::to_string(*l);
    }
    char buf[64];
    double d = 0;
    if (const auto* f = boost::any_cast<float>(&value))
    {
        d = *f;
    }
    else if (const auto* dd = boost::any_cast<double>(&value))
    {
        d = *dd;
    }
    else
    {
        return "";
    }
    auto r = std::to_chars(buf, buf + sizeof(buf), d);
    return std::string(buf, r.ptr);
}

/**
 * A property map that takes any attribute name and value type and stores the value as text in
 * the vertex or edge, so that every attribute of a file can be read whatever its declared type.
 * Keys that are neither vertices nor edges (graph attributes) are ignored.
 */
template<typename Graph>
class TextAttributeMap : public boost::dynamic_property_map
{
  public:
    using Vertex = typename boost::graph_traits<Graph>::vertex_descriptor;
    using Edge = typename boost::graph_traits<Graph>::edge_descriptor;

    TextAttributeMap(Graph* g, std::string name, const std::type_info& keyType)
        : m_g(g)
        , m_name(std::move(name))
        , m_keyType(keyType)
    {
    }

    boost::any
    get(const boost::any& key) override
    {
        return get_string(key);
    }

    std::string
    get_string(const boost::any& key) override
    {
        const std::map<std::string, std::string>* attrs = Attrs(key);
        if (!attrs)
        {
            return "";
        }
        auto it = attrs->find(m_name);
        return it == attrs->end() ? "" : it->second;
    }

    void
    put(const boost::any& key, const boost::any& value) override
    {
        std::map<std::string, std::string>* attrs = Attrs(key);
        if (attrs)
        {
            (*attrs)[m_name] = AnyToString(value);
        }
    }

    const std::type_info&
    key() const override
    {
        return m_keyType;
    }

    const std::type_info&
    value() const override
    {
        return typeid(std::string);
    }

  private:
    std::map<std::string, std::string>*
    Attrs(const boost::any& key)
    {
        if (const auto* v = boost::any_cast<Vertex>(&key))
        {
            return &(*m_g)[*v].attrs;
        }
        if (const auto* e = boost::any_cast<Edge>(&key))
        {
            return &(*m_g)[*e].attrs;
        }
        return nullptr;
    }

    Graph* m_g;
    std::string m_name;
    const std::type_info& m_keyType;
};

template<typename Graph>
boost::dynamic_properties
TextProperties(Graph* g)
{
    return boost::dynamic_properties(
        [g](const std::string& name,
            const boost::any& key,
            const boost::any&) -> boost::shared_ptr<boost::dynamic_property_map>
        { return boost::make_shared<TextAttributeMap<Graph>>(g, name, key.type()); });
}

bool
ParseDouble(const std::string& text, double* out)
{
    if (text.empty())
    {
        return false;
    }
    const char* end = text.data() + text.size();
    auto r = std::from_chars(text.data(), end, *out);
    return r.ec == std::errc() && r.ptr == end && std::isfinite(*out);
}

/** Value of attribute @p key, or "" when absent. */
std::string
Attr(const std::map<std::string, std::string>& attrs, const std::string& key)
{
    auto it = attrs.find(key);
    return it == attrs.end() ? "" : it->second;
}

/**
 * Turns what Boost read into our graph, checking every attribute we know. @p idKey is the
 * attribute holding the node id when the format has one ("node_id" for DOT), else "".
 */
template<typename Graph>
std::optional<MqttTopologyGraph>
Convert(const Graph& io, const std::string& idKey, std::string* error)
{
    MqttTopologyGraph g;
    auto fail = [error](const std::string& msg)
    {
        *error = msg;
        return std::nullopt;
    };
    for (uint32_t i = 0; i < boost::num_vertices(io); ++i)
    {
        const auto& attrs = io[i].attrs;
        MqttGraphVertex v;
        v.name = Attr(attrs, "name");
        if (v.name.empty() && !idKey.empty())
        {
            v.name = Attr(attrs, idKey);
        }
        std::string where = "vertex " + std::to_string(i);
        if (v.name.empty())
        {
            return fail(where + ": no 'name' attribute (node ids are not readable; every vertex "
                                "needs a name)");
        }
        where = "vertex '" + v.name + "'";
        if (!ValidName(v.name))
        {
            return fail(where + ": name may contain only letters, digits, '-', '_' and '.'");
        }
        if (g.FindVertex(v.name))
        {
            return fail(where + ": name used twice");
        }
        std::string role = Attr(attrs, "role");
        if (!role.empty())
        {
            auto r = MqttNodeRoleFromName(role);
            if (!r)
            {
                return fail(where +
                            ": role: expected router, broker, gateway, backend or "
                            "device, got '" +
                            role + "'");
            }
            v.role = *r;
        }
        v.group = Attr(attrs, "group");
        for (auto [key, out] : {std::make_pair("x", &v.x), std::make_pair("y", &v.y)})
        {
            std::string text = Attr(attrs, key);
            if (!text.empty() && !ParseDouble(text, out))
            {
                return fail(where + ": " + key + ": expected a number, got '" + text + "'");
            }
        }
        g.AddVertex(v);
    }
    // Out-edges vertex by vertex (an undirected edge shows at both ends: keep it at its lower
    // end). Boost's edge_iterator does the same, and trips GCC's maybe-uninitialized warning.
    struct Found
    {
        uint32_t a;
        uint32_t b;
        const std::map<std::string, std::string>* attrs;
    };
    std::vector<Found> found;
    for (uint32_t u = 0; u < boost::num_vertices(io); ++u)
    {
        for (auto [oi, oend] = boost::out_edges(u, io); oi != oend; ++oi)
        {
            uint32_t t = boost::target(*oi, io);
            if (boost::is_directed(io) || u <= t)
            {
                found.push_back({u, t, &io[*oi].attrs});
            }
        }
    }
    std::set<std::pair<uint32_t, uint32_t>> seen;
    for (const Found& f : found)
    {
        const auto& attrs = *f.attrs;
        MqttGraphEdge e;
        e.a = f.a;
        e.b = f.b;
        e.name = Attr(attrs, "name");
        std::string where = "edge " + g.Vertices()[e.a].name + "--" + g.Vertices()[e.b].name;
        if (e.a == e.b)
        {
            return fail(where + ": self-loop");
        }
        if (!seen.insert({std::min(e.a, e.b), std::max(e.a, e.b)}).second)
        {
            return fail(where + ": the two vertices are linked twice");
        }
        if (!e.name.empty() && !ValidName(e.name))
        {
            return fail(where + ": name may contain only letters, digits, '-', '_' and '.'");
        }
        if (!e.name.empty() && g.FindEdge(e.name))
        {
            return fail(where + ": edge name '" + e.name + "' used twice");
        }
        e.link = Attr(attrs, "link");
        std::string rate = Attr(attrs, "rate");
        if (!rate.empty())
        {
            e.rateBps = ParseDataRate(rate);
            if (!e.rateBps)
            {
                return fail(where + ": rate: expected a data rate like 100Mbps, got '" + rate +
                            "'");
            }
        }
        std::string delay = Attr(attrs, "delay");
        if (!delay.empty())
        {
            e.delay = ParseDuration(delay);
            if (!e.delay)
            {
                return fail(where + ": delay: expected a duration like 2ms, got '" + delay + "'");
            }
        }
        std::string loss = Attr(attrs, "loss");
        if (!loss.empty())
        {
            double l = 0;
            if (!ParseDouble(loss, &l) || l < 0 || l > 1)
            {
                return fail(where + ": loss: expected a probability in [0, 1], got '" + loss + "'");
            }
            e.loss = l;
        }
        if (e.name.empty() && g.FindEdge(g.Vertices()[e.a].name + "--" + g.Vertices()[e.b].name))
        {
            return fail(where + ": its default name is already taken");
        }
        g.AddEdge(e);
    }
    return g;
}

/** Reads with @p read into an undirected graph, or a directed one if the file says so. */
template<typename ReadFn>
std::optional<MqttTopologyGraph>
ReadEitherDirection(const std::string& text,
                    const std::string& idKey,
                    ReadFn read,
                    std::string* error)
{
    try
    {
        try
        {
            IoGraph<boost::undirectedS> g;
            boost::dynamic_properties dp = TextProperties(&g);
            std::istringstream in(text);
            read(in, g, dp);
            return Convert(g, idKey, error);
        }
        catch (const boost::directed_graph_error&)
        {
            IoGraph<boost::directedS> g;
            boost::dynamic_properties dp = TextProperties(&g);
            std::istringstream in(text);
            read(in, g, dp);
            return Convert(g, idKey, error);
        }
    }
    catch (const std::exception& e)
    {
        *error = std::string("cannot parse: ") + e.what();
        return std::nullopt;
    }
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

std::optional<MqttTopologyGraph>
MqttTopologyGraph::Generate(const MqttGraphGeneratorParams& p, std::string* error)
{
    static constexpr uint32_t MAX_VERTICES = 100000;
    auto fail = [error](const std::string& msg)
    {
        *error = msg;
        return std::nullopt;
    };
    MqttTopologyGraph g;
    std::set<std::pair<uint32_t, uint32_t>> seen;
    Rng rng(static_cast<uint32_t>(p.seed ^ (p.seed >> 32)));
    switch (p.type)
    {
    case MqttGraphGenerator::Star:
    {
        if (p.nodes < 2 || p.nodes > MAX_VERTICES)
        {
            return fail("nodes: a star needs 2 to 100000 nodes (the hub and its leaves)");
        }
        AddVertices(g, p.nodes);
        for (uint32_t i = 1; i < p.nodes; ++i)
        {
            AddUniqueEdge(g, seen, 0, i, p.link);
            double angle = 2 * PI * (i - 1) / (p.nodes - 1);
            g.SetPosition(i, p.spacing * std::cos(angle), p.spacing * std::sin(angle));
        }
        break;
    }
    case MqttGraphGenerator::Tree:
    {
        if (p.fanout < 1 || p.depth < 1)
        {
            return fail("fanout and depth must be at least 1");
        }
        // Vertices level by level: n0 the root, then its children, and so on.
        uint64_t total = 1;
        uint64_t level = 1;
        for (uint32_t d = 0; d < p.depth; ++d)
        {
            level *= p.fanout;
            total += level;
            if (total > MAX_VERTICES)
            {
                return fail("fanout and depth give more than 100000 vertices");
            }
        }
        AddVertices(g, total);
        uint32_t next = 1;
        uint64_t width = 1;
        uint32_t levelStart = 0;
        for (uint32_t d = 0; d < p.depth; ++d)
        {
            for (uint32_t parent = levelStart; parent < levelStart + width; ++parent)
            {
                for (uint32_t c = 0; c < p.fanout; ++c)
                {
                    AddUniqueEdge(g, seen, parent, next++, p.link);
                }
            }
            levelStart += width;
            width *= p.fanout;
        }
        // Layered layout: the root on top, each level spread evenly.
        levelStart = 0;
        width = 1;
        for (uint32_t d = 0; d <= p.depth; ++d)
        {
            for (uint32_t i = 0; i < width; ++i)
            {
                g.SetPosition(levelStart + i,
                              (i + 0.5 - width / 2.0) * p.spacing,
                              -static_cast<double>(d) * p.spacing);
            }
            levelStart += width;
            width *= p.fanout;
        }
        break;
    }
    case MqttGraphGenerator::Grid:
    {
        if (p.rows < 1 || p.cols < 1 || p.rows * p.cols < 2 ||
            static_cast<uint64_t>(p.rows) * p.cols > MAX_VERTICES)
        {
            return fail("rows x cols must be 2 to 100000 vertices");
        }
        AddVertices(g, p.rows * p.cols);
        for (uint32_t r = 0; r < p.rows; ++r)
        {
            for (uint32_t c = 0; c < p.cols; ++c)
            {
                uint32_t v = r * p.cols + c;
                g.SetPosition(v, c * p.spacing, r * p.spacing);
                if (c + 1 < p.cols)
                {
                    AddUniqueEdge(g, seen, v, v + 1, p.link);
                }
                if (r + 1 < p.rows)
                {
                    AddUniqueEdge(g, seen, v, v + p.cols, p.link);
                }
                if (p.diagonals && r + 1 < p.rows && c + 1 < p.cols)
                {
                    AddUniqueEdge(g, seen, v, v + p.cols + 1, p.link);
                }
                if (p.diagonals && r + 1 < p.rows && c > 0)
                {
                    AddUniqueEdge(g, seen, v, v + p.cols - 1, p.link);
                }
            }
        }
        break;
    }
    case MqttGraphGenerator::RandomGeometric:
    {
        if (p.nodes < 2 || p.nodes > MAX_VERTICES)
        {
            return fail("nodes: 2 to 100000");
        }
        if (!(p.radius > 0 && p.radius <= 1.5))
        {
            return fail("radius: a fraction of the square side in (0, 1.5]");
        }
        AddVertices(g, p.nodes);
        boost::random::uniform_real_distribution<double> coord(0, p.spacing);
        for (uint32_t i = 0; i < p.nodes; ++i)
        {
            double x = coord(rng);
            double y = coord(rng);
            g.SetPosition(i, x, y);
        }
        double reach = p.radius * p.spacing;
        const auto& v = g.Vertices();
        for (uint32_t i = 0; i < p.nodes; ++i)
        {
            for (uint32_t j = i + 1; j < p.nodes; ++j)
            {
                if (std::hypot(v[i].x - v[j].x, v[i].y - v[j].y) <= reach)
                {
                    AddUniqueEdge(g, seen, i, j, p.link);
                }
            }
        }
        JoinComponents(g, seen, p.link, true, rng);
        break;
    }
    case MqttGraphGenerator::ScaleFree:
    {
        if (p.nodes < 2 || p.nodes > MAX_VERTICES)
        {
            return fail("nodes: 2 to 100000");
        }
        AddVertices(g, p.nodes);
        if (p.model == "ba")
        {
            if (p.edgesPerNode < 1 || p.edgesPerNode >= p.nodes)
            {
                return fail("edges-per-node: at least 1 and less than nodes");
            }
            // A clique of m + 1 seed vertices, then preferential attachment: each vertex
            // endpoint appears in 'ends' once per edge, so a uniform pick from it is a pick
            // proportional to degree.
            uint32_t m = p.edgesPerNode;
            std::vector<uint32_t> ends;
            for (uint32_t i = 0; i <= m && i < p.nodes; ++i)
            {
                for (uint32_t j = 0; j < i; ++j)
                {
                    AddUniqueEdge(g, seen, j, i, p.link);
                    ends.push_back(i);
                    ends.push_back(j);
                }
            }
            for (uint32_t v = m + 1; v < p.nodes; ++v)
            {
                std::set<uint32_t> targets;
                while (targets.size() < m)
                {
                    boost::random::uniform_int_distribution<std::size_t> pick(0, ends.size() - 1);
                    targets.insert(ends[pick(rng)]);
                }
                for (uint32_t t : targets)
                {
                    AddUniqueEdge(g, seen, t, v, p.link);
                    ends.push_back(t);
                    ends.push_back(v);
                }
            }
        }
        else if (p.model == "plod")
        {
            if (!(p.alpha > 0) || !(p.beta > 0))
            {
                return fail("alpha and beta must be positive");
            }
            using Plod = boost::plod_iterator<Rng, GenGraph>;
            for (Plod it(rng, p.nodes, p.alpha, p.beta, false), end; it != end; ++it)
            {
                AddUniqueEdge(g, seen, it->first, it->second, p.link);
            }
            JoinComponents(g, seen, p.link, false, rng);
        }
        else
        {
            return fail("model: expected ba or plod, got '" + p.model + "'");
        }
        CircleLayout(g, p.spacing);
        break;
    }
    case MqttGraphGenerator::SmallWorld:
    {
        if (p.nodes < 3 || p.nodes > MAX_VERTICES)
        {
            return fail("nodes: 3 to 100000");
        }
        if (p.neighbors < 2 || p.neighbors % 2 != 0 || p.neighbors >= p.nodes)
        {
            return fail("neighbors: an even number, at least 2 and less than nodes");
        }
        if (!(p.rewire >= 0 && p.rewire <= 1))
        {
            return fail("rewire: a probability in [0, 1]");
        }
        AddVertices(g, p.nodes);
        using SmallWorld = boost::small_world_iterator<Rng, GenGraph>;
        for (SmallWorld it(rng, p.nodes, p.neighbors, p.rewire, false), end; it != end; ++it)
        {
            AddUniqueEdge(g, seen, it->first, it->second, p.link);
        }
        JoinComponents(g, seen, p.link, false, rng);
        CircleLayout(g, p.spacing);
        break;
    }
    }
    return g;
}

std::optional<MqttTopologyGraph>
MqttTopologyGraph::ReadGraphMl(std::istream& in, std::string* error)
{
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return ReadEitherDirection(
        text,
        "",
        [](std::istream& s, auto& g, boost::dynamic_properties& dp)
        { boost::read_graphml(s, g, dp); },
        error);
}

std::optional<MqttTopologyGraph>
MqttTopologyGraph::ReadDot(std::istream& in, std::string* error)
{
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return ReadEitherDirection(
        text,
        "node_id",
        [](std::istream& s, auto& g, boost::dynamic_properties& dp)
        {
            if (!boost::read_graphviz(s, g, dp, "node_id"))
            {
                throw std::runtime_error("not a Graphviz graph");
            }
        },
        error);
}

std::optional<MqttTopologyGraph>
MqttTopologyGraph::ReadFile(const std::string& path, std::string* error)
{
    std::ifstream in(path);
    if (!in)
    {
        *error = path + ": cannot open";
        return std::nullopt;
    }
    auto endsWith = [&path](const std::string& suffix)
    {
        return path.size() >= suffix.size() &&
               path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    std::optional<MqttTopologyGraph> g;
    if (endsWith(".graphml") || endsWith(".xml"))
    {
        g = ReadGraphMl(in, error);
    }
    else if (endsWith(".dot") || endsWith(".gv"))
    {
        g = ReadDot(in, error);
    }
    else
    {
        *error = "expected a .graphml, .xml, .dot or .gv file";
    }
    if (!g)
    {
        *error = path + ": " + *error;
    }
    return g;
}

void
MqttTopologyGraph::WriteGraphMl(std::ostream& out) const
{
    struct WV
    {
        std::string name;
        std::string role;
        std::string group;
        double x = 0;
        double y = 0;
    };
    struct WE
    {
        std::string name;
        std::string link;
        std::string rate;
        std::string delay;
        std::string loss;
    };
    using WG = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, WV, WE>;
    WG wg(m_vertices.size());
    for (uint32_t i = 0; i < m_vertices.size(); ++i)
    {
        const auto& v = m_vertices[i];
        wg[i] = WV{v.name, MqttNodeRoleName(v.role), v.group, v.x, v.y};
    }
    for (const auto& e : m_edges)
    {
        WE we;
        we.name = e.name;
        we.link = e.link;
        we.rate = e.rateBps ? FormatDataRate(*e.rateBps) : "";
        we.delay = e.delay ? FormatDuration(*e.delay) : "";
        if (e.loss)
        {
            char buf[64];
            auto r = std::to_chars(buf, buf + sizeof(buf), *e.loss);
            we.loss.assign(buf, r.ptr);
        }
        boost::add_edge(e.a, e.b, we, wg);
    }
    boost::dynamic_properties dp;
    dp.property("name", boost::get(&WV::name, wg));
    dp.property("role", boost::get(&WV::role, wg));
    dp.property("group", boost::get(&WV::group, wg));
    dp.property("x", boost::get(&WV::x, wg));
    dp.property("y", boost::get(&WV::y, wg));
    dp.property("name", boost::get(&WE::name, wg));
    dp.property("link", boost::get(&WE::link, wg));
    dp.property("rate", boost::get(&WE::rate, wg));
    dp.property("delay", boost::get(&WE::delay, wg));
    dp.property("loss", boost::get(&WE::loss, wg));
    boost::write_graphml(out, wg, boost::get(boost::vertex_index, wg), dp, true);
}

void
MqttTopologyGraph::WriteDot(std::ostream& out) const
{
    // Written by hand: every attribute quoted, empty ones left out, ids are the names.
    auto quote = [](const std::string& s)
    {
        std::string q = "\"";
        for (char c : s)
        {
            if (c == '"' || c == '\\')
            {
                q += '\\';
            }
            q += c;
        }
        return q + "\"";
    };
    auto number = [](double v)
    {
        char buf[64];
        auto r = std::to_chars(buf, buf + sizeof(buf), v);
        return std::string(buf, r.ptr);
    };
    out << "graph topology {\n";
    for (const auto& v : m_vertices)
    {
        out << "  " << quote(v.name) << " [role=" << quote(MqttNodeRoleName(v.role));
        if (!v.group.empty())
        {
            out << ", group=" << quote(v.group);
        }
        out << ", x=" << quote(number(v.x)) << ", y=" << quote(number(v.y)) << "];\n";
    }
    for (const auto& e : m_edges)
    {
        out << "  " << quote(m_vertices[e.a].name) << " -- " << quote(m_vertices[e.b].name)
            << " [name=" << quote(e.name);
        if (!e.link.empty())
        {
            out << ", link=" << quote(e.link);
        }
        if (e.rateBps)
        {
            out << ", rate=" << quote(FormatDataRate(*e.rateBps));
        }
        if (e.delay)
        {
            out << ", delay=" << quote(FormatDuration(*e.delay));
        }
        if (e.loss)
        {
            out << ", loss=" << quote(number(*e.loss));
        }
        out << "];\n";
    }
    out << "}\n";
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

bool
MqttTopologyGraph::IsConnected() const
{
    int count = 0;
    Components(*this, &count);
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
