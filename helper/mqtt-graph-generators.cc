/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The topology generators of MqttTopologyGraph::Generate, one function each: star, tree,
 * grid, random geometric, scale-free (Barabasi-Albert or PLOD), small-world. Random ones draw
 * from a Mersenne twister with Boost.Random distributions (the same results on every platform)
 * and are joined when they come out disconnected.
 */
#include "mqtt-topology-graph.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/plod_generator.hpp>
#include <boost/graph/small_world_generator.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include <algorithm>
#include <cmath>
#include <set>

namespace ns3
{
namespace mqtt
{

namespace
{

constexpr double PI = 3.14159265358979323846;
constexpr uint32_t MAX_VERTICES = 100000;

using Rng = boost::random::mt19937;

/** The graph type the Boost generators fill. */
using GenGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;

/** A graph being generated: edges are added once each, whatever order they come in. */
struct Generation
{
    const MqttGraphGeneratorParams& p;
    MqttTopologyGraph g;
    std::set<std::pair<uint32_t, uint32_t>> seen;
    Rng rng;

    explicit Generation(const MqttGraphGeneratorParams& params)
        : p(params)
        , rng(static_cast<uint32_t>(params.seed ^ (params.seed >> 32)))
    {
    }

    /** Adds edge {a, b} unless it is a self-loop or already present. */
    void
    AddUniqueEdge(uint32_t a, uint32_t b)
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
        e.link = p.link;
        g.AddEdge(e);
    }

    /** Vertices n0 .. n(n-1). */
    void
    AddVertices(uint32_t n)
    {
        for (uint32_t i = 0; i < n; ++i)
        {
            MqttGraphVertex v;
            v.name = "n" + std::to_string(i);
            g.AddVertex(v);
        }
    }

    void
    CircleLayout(double radius)
    {
        uint32_t n = g.Vertices().size();
        for (uint32_t i = 0; i < n; ++i)
        {
            double angle = 2 * PI * i / n;
            g.SetPosition(i, radius * std::cos(angle), radius * std::sin(angle));
        }
    }

    void JoinComponents(bool byDistance);
    void JoinClosest(const std::vector<int>& comp, int other);
    void JoinAtRandom(const std::vector<int>& comp, int main, int other);
};

/**
 * Joins a disconnected graph: every component other than the largest (ties: the one with the
 * lowest vertex) gets one edge. With positions, the edge joins the closest pair of vertices
 * between the component and the rest; without, the component's lowest vertex joins a vertex
 * of the largest component drawn uniformly.
 */
void
Generation::JoinComponents(bool byDistance)
{
    for (;;)
    {
        int count = 0;
        std::vector<int> comp = g.Components(&count);
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
        if (byDistance)
        {
            JoinClosest(comp, other);
        }
        else
        {
            JoinAtRandom(comp, main, other);
        }
    }
}

/** The closest pair of vertices between component @p other and the rest. */
void
Generation::JoinClosest(const std::vector<int>& comp, int other)
{
    const auto& v = g.Vertices();
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
    AddUniqueEdge(ba, bb);
}

/** The lowest vertex of component @p other to a vertex of component @p main drawn uniformly. */
void
Generation::JoinAtRandom(const std::vector<int>& comp, int main, int other)
{
    const auto& v = g.Vertices();
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
    AddUniqueEdge(first, mainVertices[pick(rng)]);
}

// Each generator returns "" or what is wrong with its parameters.

std::string
Star(Generation& gen)
{
    const auto& p = gen.p;
    if (p.nodes < 2 || p.nodes > MAX_VERTICES)
    {
        return "nodes: a star needs 2 to 100000 nodes (the hub and its leaves)";
    }
    gen.AddVertices(p.nodes);
    for (uint32_t i = 1; i < p.nodes; ++i)
    {
        gen.AddUniqueEdge(0, i);
        double angle = 2 * PI * (i - 1) / (p.nodes - 1);
        gen.g.SetPosition(i, p.spacing * std::cos(angle), p.spacing * std::sin(angle));
    }
    return "";
}

std::string
Tree(Generation& gen)
{
    const auto& p = gen.p;
    if (p.fanout < 1 || p.depth < 1)
    {
        return "fanout and depth must be at least 1";
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
            return "fanout and depth give more than 100000 vertices";
        }
    }
    gen.AddVertices(total);
    uint32_t next = 1;
    uint64_t width = 1;
    uint32_t levelStart = 0;
    for (uint32_t d = 0; d < p.depth; ++d)
    {
        for (uint32_t parent = levelStart; parent < levelStart + width; ++parent)
        {
            for (uint32_t c = 0; c < p.fanout; ++c)
            {
                gen.AddUniqueEdge(parent, next++);
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
            gen.g.SetPosition(levelStart + i,
                              (i + 0.5 - width / 2.0) * p.spacing,
                              -static_cast<double>(d) * p.spacing);
        }
        levelStart += width;
        width *= p.fanout;
    }
    return "";
}

std::string
Grid(Generation& gen)
{
    const auto& p = gen.p;
    if (p.rows < 1 || p.cols < 1 || p.rows * p.cols < 2 ||
        static_cast<uint64_t>(p.rows) * p.cols > MAX_VERTICES)
    {
        return "rows x cols must be 2 to 100000 vertices";
    }
    gen.AddVertices(p.rows * p.cols);
    for (uint32_t r = 0; r < p.rows; ++r)
    {
        for (uint32_t c = 0; c < p.cols; ++c)
        {
            uint32_t v = r * p.cols + c;
            gen.g.SetPosition(v, c * p.spacing, r * p.spacing);
            if (c + 1 < p.cols)
            {
                gen.AddUniqueEdge(v, v + 1);
            }
            if (r + 1 < p.rows)
            {
                gen.AddUniqueEdge(v, v + p.cols);
            }
            if (p.diagonals && r + 1 < p.rows && c + 1 < p.cols)
            {
                gen.AddUniqueEdge(v, v + p.cols + 1);
            }
            if (p.diagonals && r + 1 < p.rows && c > 0)
            {
                gen.AddUniqueEdge(v, v + p.cols - 1);
            }
        }
    }
    return "";
}

std::string
RandomGeometric(Generation& gen)
{
    const auto& p = gen.p;
    if (p.nodes < 2 || p.nodes > MAX_VERTICES)
    {
        return "nodes: 2 to 100000";
    }
    if (!(p.radius > 0 && p.radius <= 1.5))
    {
        return "radius: a fraction of the square side in (0, 1.5]";
    }
    gen.AddVertices(p.nodes);
    boost::random::uniform_real_distribution<double> coord(0, p.spacing);
    for (uint32_t i = 0; i < p.nodes; ++i)
    {
        double x = coord(gen.rng);
        double y = coord(gen.rng);
        gen.g.SetPosition(i, x, y);
    }
    double reach = p.radius * p.spacing;
    const auto& v = gen.g.Vertices();
    for (uint32_t i = 0; i < p.nodes; ++i)
    {
        for (uint32_t j = i + 1; j < p.nodes; ++j)
        {
            if (std::hypot(v[i].x - v[j].x, v[i].y - v[j].y) <= reach)
            {
                gen.AddUniqueEdge(i, j);
            }
        }
    }
    gen.JoinComponents(true);
    return "";
}

/**
 * Barabasi-Albert: a clique of m + 1 seed vertices, then preferential attachment: each vertex
 * endpoint appears in 'ends' once per edge, so a uniform pick from it is a pick proportional to
 * degree.
 */
std::string
BarabasiAlbert(Generation& gen)
{
    const auto& p = gen.p;
    if (p.edgesPerNode < 1 || p.edgesPerNode >= p.nodes)
    {
        return "edges-per-node: at least 1 and less than nodes";
    }
    uint32_t m = p.edgesPerNode;
    std::vector<uint32_t> ends;
    for (uint32_t i = 0; i <= m && i < p.nodes; ++i)
    {
        for (uint32_t j = 0; j < i; ++j)
        {
            gen.AddUniqueEdge(j, i);
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
            targets.insert(ends[pick(gen.rng)]);
        }
        for (uint32_t t : targets)
        {
            gen.AddUniqueEdge(t, v);
            ends.push_back(t);
            ends.push_back(v);
        }
    }
    return "";
}

/** Power-law out-degree (boost::plod_iterator), joined when disconnected. */
std::string
Plod(Generation& gen)
{
    const auto& p = gen.p;
    if (!(p.alpha > 0) || !(p.beta > 0))
    {
        return "alpha and beta must be positive";
    }
    using PlodIterator = boost::plod_iterator<Rng, GenGraph>;
    for (PlodIterator it(gen.rng, p.nodes, p.alpha, p.beta, false), end; it != end; ++it)
    {
        gen.AddUniqueEdge(it->first, it->second);
    }
    gen.JoinComponents(false);
    return "";
}

std::string
ScaleFree(Generation& gen)
{
    const auto& p = gen.p;
    if (p.nodes < 2 || p.nodes > MAX_VERTICES)
    {
        return "nodes: 2 to 100000";
    }
    gen.AddVertices(p.nodes);
    std::string error;
    if (p.model == "ba")
    {
        error = BarabasiAlbert(gen);
    }
    else if (p.model == "plod")
    {
        error = Plod(gen);
    }
    else
    {
        error = "model: expected ba or plod, got '" + p.model + "'";
    }
    if (error.empty())
    {
        gen.CircleLayout(p.spacing);
    }
    return error;
}

std::string
SmallWorld(Generation& gen)
{
    const auto& p = gen.p;
    if (p.nodes < 3 || p.nodes > MAX_VERTICES)
    {
        return "nodes: 3 to 100000";
    }
    if (p.neighbors < 2 || p.neighbors % 2 != 0 || p.neighbors >= p.nodes)
    {
        return "neighbors: an even number, at least 2 and less than nodes";
    }
    if (!(p.rewire >= 0 && p.rewire <= 1))
    {
        return "rewire: a probability in [0, 1]";
    }
    gen.AddVertices(p.nodes);
    using SmallWorldIterator = boost::small_world_iterator<Rng, GenGraph>;
    for (SmallWorldIterator it(gen.rng, p.nodes, p.neighbors, p.rewire, false), end; it != end;
         ++it)
    {
        gen.AddUniqueEdge(it->first, it->second);
    }
    gen.JoinComponents(false);
    gen.CircleLayout(p.spacing);
    return "";
}

} // namespace

std::optional<MqttTopologyGraph>
MqttTopologyGraph::Generate(const MqttGraphGeneratorParams& p, std::string* error)
{
    Generation gen(p);
    std::string problem;
    switch (p.type)
    {
    case MqttGraphGenerator::Star:
        problem = Star(gen);
        break;
    case MqttGraphGenerator::Tree:
        problem = Tree(gen);
        break;
    case MqttGraphGenerator::Grid:
        problem = Grid(gen);
        break;
    case MqttGraphGenerator::RandomGeometric:
        problem = RandomGeometric(gen);
        break;
    case MqttGraphGenerator::ScaleFree:
        problem = ScaleFree(gen);
        break;
    case MqttGraphGenerator::SmallWorld:
        problem = SmallWorld(gen);
        break;
    }
    if (!problem.empty())
    {
        *error = problem;
        return std::nullopt;
    }
    return std::move(gen.g);
}

} // namespace mqtt
} // namespace ns3
