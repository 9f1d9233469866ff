/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The network of a study as a graph: vertices with roles (broker, routers, gateways, backend
 * hosts, devices) and edges with link attributes. Generators (star, tree, grid, random
 * geometric, scale-free, small-world), GraphML and Graphviz DOT input and output. The
 * interface is plain C++; Boost.Graph does the work inside: the model in
 * mqtt-topology-graph.cc, the generators in mqtt-graph-generators.cc, the file formats in
 * mqtt-graph-io.cc.
 */
#ifndef MQTT_TOPOLOGY_GRAPH_H
#define MQTT_TOPOLOGY_GRAPH_H

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** What a vertex is in the study. */
enum class MqttNodeRole : uint8_t
{
    Router = 0, //!< forwards only (the default)
    Broker,     //!< runs the MQTT broker
    Gateway,    //!< a router that device groups attach to (descriptive; any vertex can be)
    Backend,    //!< hosts backend subscribers
    Device,     //!< is itself a device of a client group
};

/** "router", "broker", "gateway", "backend", "device". */
const char* MqttNodeRoleName(MqttNodeRole role);

/** The role named @p name, or nothing. */
std::optional<MqttNodeRole> MqttNodeRoleFromName(const std::string& name);

struct MqttGraphVertex
{
    /** Unique; becomes the ns-3 node name. Letters, digits, '-', '_' and '.' only. */
    std::string name;
    MqttNodeRole role = MqttNodeRole::Router;
    /** Client group of a device or backend vertex ("" otherwise). */
    std::string group;
    /** Position in metres (layout of generators, positions of wireless nodes). */
    double x = 0;
    double y = 0;
};

struct MqttGraphEdge
{
    uint32_t a = 0;
    uint32_t b = 0;
    /** Unique; "A--B" when the file or generator gives none. */
    std::string name;
    /** Link class (a key of the scenario's links); "" means the topology's default class. */
    std::string link;
    /** Per-edge overrides of the class. */
    std::optional<uint64_t> rateBps;
    std::optional<std::chrono::nanoseconds> delay;
    /** Packet loss rate in [0, 1] replacing the class's loss model (a rate model). */
    std::optional<double> loss;
};

enum class MqttGraphGenerator : uint8_t
{
    Star = 0,        //!< hub n0 and nodes-1 leaves
    Tree,            //!< complete tree: fanout children per vertex, depth levels below n0
    Grid,            //!< rows x cols lattice, optionally with diagonals (a mesh)
    RandomGeometric, //!< nodes uniform in a square, edges between vertices within radius
    ScaleFree,       //!< Barabasi-Albert preferential attachment, or PLOD (power-law degrees)
    SmallWorld,      //!< Watts-Strogatz: ring lattice with neighbors, each edge rewired with p
};

/** "star", "tree", "grid", "random-geometric", "scale-free", "small-world". */
const char* MqttGraphGeneratorName(MqttGraphGenerator g);
std::optional<MqttGraphGenerator> MqttGraphGeneratorFromName(const std::string& name);

/**
 * Parameters of a generator; each generator reads only its own fields. Vertices are named n0,
 * n1, ... in generation order; n0 is the hub (star), the root (tree), the corner (grid) and the
 * first vertex otherwise. Random generators draw from a Mersenne twister seeded with seed, with
 * Boost.Random distributions (whose results, unlike std::'s, are the same on every platform).
 * Random graphs that come out disconnected are joined (see doc/scenarios.md), so every
 * generated graph is connected.
 */
struct MqttGraphGeneratorParams
{
    MqttGraphGenerator type = MqttGraphGenerator::Star;
    /** star (hub included), random-geometric, scale-free, small-world. */
    uint32_t nodes = 10;
    /** tree. */
    uint32_t fanout = 2;
    uint32_t depth = 2;
    /** grid. */
    uint32_t rows = 3;
    uint32_t cols = 3;
    bool diagonals = false;
    /** grid spacing and random-geometric square side, in metres. */
    double spacing = 100;
    /** random-geometric: connection radius as a fraction of the square side. */
    double radius = 0.3;
    /** scale-free: "ba" (Barabasi-Albert) or "plod" (boost::plod_iterator). */
    std::string model = "ba";
    /** scale-free ba: edges each new vertex brings. */
    uint32_t edgesPerNode = 2;
    /** scale-free plod: degree distribution parameters (P(d) ~ beta * d^-alpha). */
    double alpha = 2.5;
    double beta = 100;
    /** small-world: neighbours of each vertex on the ring (even), rewiring probability. */
    uint32_t neighbors = 4;
    double rewire = 0.1;
    uint64_t seed = 1;
    /** Link class of every generated edge. */
    std::string link;
};

class MqttTopologyGraph
{
  public:
    /** Generates a graph; @p error explains invalid parameters (nothing is returned then). */
    static std::optional<MqttTopologyGraph> Generate(const MqttGraphGeneratorParams& params,
                                                     std::string* error);

    /**
     * Reads GraphML. Vertex attributes: name (required: Boost does not expose node ids), role,
     * group, x, y. Edge attributes: name, link, rate, delay, loss. Other attributes (colours,
     * labels of other tools) are ignored. @p error gets a message and nothing is returned on
     * malformed input, a bad attribute value, a missing or duplicate name or a self-loop.
     */
    static std::optional<MqttTopologyGraph> ReadGraphMl(std::istream& in, std::string* error);

    /** Reads Graphviz DOT (graph or digraph; node ids are the names), same attributes. */
    static std::optional<MqttTopologyGraph> ReadDot(std::istream& in, std::string* error);

    /** Reads @p path as GraphML (.graphml, .xml) or DOT (.dot, .gv); errors name the file. */
    static std::optional<MqttTopologyGraph> ReadFile(const std::string& path, std::string* error);

    /**
     * Writes GraphML that NetworkX, Gephi and ReadGraphMl read: the vertex and edge attributes
     * above, ids n0, n1, ... in vertex order, rate and delay in their text form.
     */
    void WriteGraphMl(std::ostream& out) const;

    /** Writes Graphviz DOT (an undirected graph, node ids are the names) that ReadDot reads. */
    void WriteDot(std::ostream& out) const;

    /** Adds a vertex and returns its index. The name must be new. */
    uint32_t AddVertex(MqttGraphVertex vertex);

    /** Adds an edge and returns its index; an empty name becomes "A--B". */
    uint32_t AddEdge(MqttGraphEdge edge);

    const std::vector<MqttGraphVertex>& Vertices() const;
    const std::vector<MqttGraphEdge>& Edges() const;

    /** Changes what a vertex is (the name stays). */
    void SetRole(uint32_t vertex, MqttNodeRole role, const std::string& group);
    void SetPosition(uint32_t vertex, double x, double y);

    std::optional<uint32_t> FindVertex(const std::string& name) const;
    std::optional<uint32_t> FindEdge(const std::string& name) const;

    /** Number of edges at each vertex. */
    std::vector<uint32_t> Degrees() const;

    /** The connected component of every vertex (numbered from 0); @p count gets their number. */
    std::vector<int> Components(int* count) const;

    /** True when every vertex can reach every other one (true for an empty graph). */
    bool IsConnected() const;

    /**
     * Shortest paths (in hops) towards @p target: for every vertex the index of the edge its
     * first hop takes, or nothing for the target and unreachable vertices. Ties go to the
     * lower-numbered vertex, so routes are reproducible.
     */
    std::vector<std::optional<uint32_t>> NextHopEdges(uint32_t target) const;

    /**
     * Vertices chosen by a selector: a vertex name; "all"; "leaves" (degree 1); a role word
     * ("brokers", "routers", "gateways", "backends", "devices"); or "group:NAME" (vertices whose
     * group is NAME). Results are in vertex order. Unknown selectors give nothing and @p error.
     */
    std::optional<std::vector<uint32_t>> Select(const std::string& selector,
                                                std::string* error) const;

  private:
    std::vector<MqttGraphVertex> m_vertices;
    std::vector<MqttGraphEdge> m_edges;
    std::map<std::string, uint32_t> m_vertexByName;
    std::map<std::string, uint32_t> m_edgeByName;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_TOPOLOGY_GRAPH_H
