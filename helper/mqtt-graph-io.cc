/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * GraphML and Graphviz DOT, in and out, for MqttTopologyGraph. Boost's GraphML and Graphviz
 * readers and writers are used here and nowhere else.
 */
#include "mqtt-topology-graph.h"
#include "mqtt-units.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphml.hpp>
#include <boost/graph/graphviz.hpp>

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

using Attrs = std::map<std::string, std::string>;

/** Letters, digits, '-', '_' and '.' only (names become ns-3 node names). */
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

/** The vertex that attributes @p attrs of vertex @p i describe; "" or what is wrong. */
std::string
ConvertVertex(const Attrs& attrs,
              uint32_t i,
              const std::string& idKey,
              const MqttTopologyGraph& g,
              MqttGraphVertex* v)
{
    v->name = Attr(attrs, "name");
    if (v->name.empty() && !idKey.empty())
    {
        v->name = Attr(attrs, idKey);
    }
    if (v->name.empty())
    {
        return "vertex " + std::to_string(i) +
               ": no 'name' attribute (node ids are not readable; every vertex needs a name)";
    }
    std::string where = "vertex '" + v->name + "'";
    if (!ValidName(v->name))
    {
        return where + ": name may contain only letters, digits, '-', '_' and '.'";
    }
    if (g.FindVertex(v->name))
    {
        return where + ": name used twice";
    }
    std::string role = Attr(attrs, "role");
    if (!role.empty())
    {
        auto r = MqttNodeRoleFromName(role);
        if (!r)
        {
            return where + ": role: expected router, broker, gateway, backend or device, got '" +
                   role + "'";
        }
        v->role = *r;
    }
    v->group = Attr(attrs, "group");
    for (auto [key, out] : {std::make_pair("x", &v->x), std::make_pair("y", &v->y)})
    {
        std::string text = Attr(attrs, key);
        if (!text.empty() && !ParseDouble(text, out))
        {
            return where + ": " + key + ": expected a number, got '" + text + "'";
        }
    }
    return "";
}

/** The link attributes of an edge (rate, delay, loss); "" or what is wrong. */
std::string
ConvertLinkAttributes(const Attrs& attrs, const std::string& where, MqttGraphEdge* e)
{
    e->link = Attr(attrs, "link");
    std::string rate = Attr(attrs, "rate");
    if (!rate.empty())
    {
        e->rateBps = ParseDataRate(rate);
        if (!e->rateBps)
        {
            return where + ": rate: expected a data rate like 100Mbps, got '" + rate + "'";
        }
    }
    std::string delay = Attr(attrs, "delay");
    if (!delay.empty())
    {
        e->delay = ParseDuration(delay);
        if (!e->delay)
        {
            return where + ": delay: expected a duration like 2ms, got '" + delay + "'";
        }
    }
    std::string loss = Attr(attrs, "loss");
    if (!loss.empty())
    {
        double l = 0;
        if (!ParseDouble(loss, &l) || l < 0 || l > 1)
        {
            return where + ": loss: expected a probability in [0, 1], got '" + loss + "'";
        }
        e->loss = l;
    }
    return "";
}

/** The edge a--b with attributes @p attrs; "" or what is wrong. @p seen: vertex pairs so far. */
std::string
ConvertEdge(const Attrs& attrs,
            const MqttTopologyGraph& g,
            std::set<std::pair<uint32_t, uint32_t>>* seen,
            MqttGraphEdge* e)
{
    e->name = Attr(attrs, "name");
    std::string where = "edge " + g.Vertices()[e->a].name + "--" + g.Vertices()[e->b].name;
    if (e->a == e->b)
    {
        return where + ": self-loop";
    }
    if (!seen->insert({std::min(e->a, e->b), std::max(e->a, e->b)}).second)
    {
        return where + ": the two vertices are linked twice";
    }
    if (!e->name.empty() && !ValidName(e->name))
    {
        return where + ": name may contain only letters, digits, '-', '_' and '.'";
    }
    if (!e->name.empty() && g.FindEdge(e->name))
    {
        return where + ": edge name '" + e->name + "' used twice";
    }
    std::string problem = ConvertLinkAttributes(attrs, where, e);
    if (!problem.empty())
    {
        return problem;
    }
    if (e->name.empty() && g.FindEdge(g.Vertices()[e->a].name + "--" + g.Vertices()[e->b].name))
    {
        return where + ": its default name is already taken";
    }
    return "";
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
    for (uint32_t i = 0; i < boost::num_vertices(io); ++i)
    {
        MqttGraphVertex v;
        std::string problem = ConvertVertex(io[i].attrs, i, idKey, g, &v);
        if (!problem.empty())
        {
            *error = problem;
            return std::nullopt;
        }
        g.AddVertex(v);
    }
    // Out-edges vertex by vertex (an undirected edge shows at both ends: keep it at its lower
    // end). Boost's edge_iterator does the same, and trips GCC's maybe-uninitialized warning.
    struct Found
    {
        uint32_t a;
        uint32_t b;
        const Attrs* attrs;
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
        MqttGraphEdge e;
        e.a = f.a;
        e.b = f.b;
        std::string problem = ConvertEdge(*f.attrs, g, &seen, &e);
        if (!problem.empty())
        {
            *error = problem;
            return std::nullopt;
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

} // namespace mqtt
} // namespace ns3
