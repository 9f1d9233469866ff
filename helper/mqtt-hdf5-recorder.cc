/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-hdf5-recorder.h"

#include <hdf5.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <map>
#include <vector>

namespace ns3
{
namespace mqtt
{

namespace
{

using L = MqttRecordLimits;

/** Copies @p src into a fixed field of @p n bytes, cut at a UTF-8 boundary, zero padded. */
void
CopyString(char* dst, std::size_t n, const std::string& src)
{
    std::size_t len = std::min(n, src.size());
    // Never end inside a multi-byte character: back off over continuation bytes.
    if (len < src.size())
    {
        while (len > 0 && (static_cast<unsigned char>(src[len]) & 0xC0) == 0x80)
        {
            --len;
        }
    }
    std::memset(dst, 0, n);
    std::memcpy(dst, src.data(), len);
}

// Row layouts in memory. Every field has a fixed size; the file type is the packed copy.
struct ClientRow
{
    char name[L::NAME];
    char group[L::GROUP];
    char role[L::KIND];
    char node[L::NAME];
    uint8_t qos;
    int8_t publishes;
};

struct TopicRow
{
    char name[L::TOPIC];
};

struct LinkRow
{
    char name[L::NAME];
    char linkClass[L::GROUP];
    char type[L::KIND];
    char a[L::NAME];
    char b[L::NAME];
    uint64_t rateBps;
    double delay;
    double meanLoss;
};

struct PublishRow
{
    double time;
    uint32_t client;
    uint64_t sequence;
    uint32_t topic;
    uint8_t qos;
    int8_t retain;
    uint32_t payload;
};

struct DeliveryRow
{
    double time;
    double sent;
    double latency;
    uint32_t subscriber;
    uint32_t publisher;
    uint64_t sequence;
    uint32_t topic;
    uint8_t qos;
    uint8_t publishQos;
    int8_t duplicate;
    int8_t dupFlag;
    int8_t retained;
};

struct SubscriptionRow
{
    double time;
    uint32_t client;
    char filter[L::TOPIC];
    uint8_t qos;
    uint8_t granted;
};

struct ConnectionRow
{
    double time;
    uint32_t client;
    char side[L::KIND];
    char event[L::KIND];
    char reason[L::REASON];
    int8_t sessionPresent;
    uint8_t code;
};

struct DropRow
{
    double time;
    uint32_t client;
    uint32_t publisher;
    uint64_t sequence;
    uint8_t qos;
    char where[L::KIND];
    char reason[L::REASON];
};

struct BrokerStatsRow
{
    double time;
    uint32_t connections;
    uint32_t sessions;
    uint32_t inflight;
    uint32_t queued;
    uint64_t bytesIn;
    uint64_t bytesOut;
    uint64_t publishesIn;
    uint64_t publishesOut;
    uint64_t retransmissions;
    uint64_t drops;
};

struct LinkStatsRow
{
    double time;
    uint32_t link;
    uint64_t txPackets;
    uint64_t rxPackets;
    uint64_t txBytes;
    uint64_t rxBytes;
    uint64_t lostPackets;
    uint64_t queueDrops;
    uint32_t queueDepth;
    int8_t up;
};

/** Builds a compound type field by field. */
class Compound
{
  public:
    explicit Compound(std::size_t size)
        : m_type(H5Tcreate(H5T_COMPOUND, size))
    {
    }

    Compound&
    Num(const char* name, std::size_t offset, hid_t type)
    {
        H5Tinsert(m_type, name, offset, type);
        return *this;
    }

    Compound&
    Str(const char* name, std::size_t offset, std::size_t size)
    {
        hid_t s = H5Tcopy(H5T_C_S1);
        H5Tset_size(s, size);
        H5Tset_strpad(s, H5T_STR_NULLPAD);
        H5Tinsert(m_type, name, offset, s);
        H5Tclose(s);
        return *this;
    }

    /** An enum {FALSE, TRUE} over int8: what h5py reads as numpy bool. */
    Compound&
    Bool(const char* name, std::size_t offset)
    {
        hid_t e = H5Tenum_create(H5T_NATIVE_INT8);
        int8_t no = 0;
        int8_t yes = 1;
        H5Tenum_insert(e, "FALSE", &no);
        H5Tenum_insert(e, "TRUE", &yes);
        H5Tinsert(m_type, name, offset, e);
        H5Tclose(e);
        return *this;
    }

    hid_t
    Id() const
    {
        return m_type;
    }

  private:
    hid_t m_type;
};

#define MQTT_OFF(T, f) offsetof(T, f)

/** One appendable dataset with its row buffer. */
struct Table
{
    std::string name;
    hid_t dataset = -1;
    hid_t memType = -1;
    std::size_t rowSize = 0;
    std::vector<uint8_t> buffer;
    std::size_t bufferedRows = 0;
    uint64_t written = 0;
    std::size_t peak = 0;
};

} // namespace

struct MqttHdf5Recorder::Impl
{
    Options options;
    hid_t file = -1;
    std::string error;
    bool closed = false;
    std::map<std::string, Table> tables;
    std::map<std::string, uint32_t> topics;

    bool
    Check(int64_t status, const std::string& what)
    {
        if (status < 0 && error.empty())
        {
            error = "HDF5: cannot " + what;
        }
        return status >= 0;
    }

    void
    CreateTable(const std::string& name, hid_t memType, std::size_t rowSize)
    {
        Table t;
        t.name = name;
        t.memType = memType;
        t.rowSize = rowSize;
        t.buffer.reserve(options.bufferRows * rowSize);
        hsize_t dims[1] = {0};
        hsize_t maxDims[1] = {H5S_UNLIMITED};
        hsize_t chunk[1] = {std::max<hsize_t>(1, options.chunkRows)};
        hid_t space = H5Screate_simple(1, dims, maxDims);
        hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        H5Pset_chunk(dcpl, 1, chunk);
        if (options.deflate > 0)
        {
            H5Pset_shuffle(dcpl);
            H5Pset_deflate(dcpl, options.deflate);
        }
        // No modification times in object headers: the same run gives the same bytes.
        H5Pset_obj_track_times(dcpl, false);
        hid_t fileType = H5Tcopy(memType);
        H5Tpack(fileType);
        t.dataset = H5Dcreate2(file, name.c_str(), fileType, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        Check(t.dataset, "create dataset /" + name);
        H5Tclose(fileType);
        H5Pclose(dcpl);
        H5Sclose(space);
        tables.emplace(name, std::move(t));
    }

    void
    Append(const std::string& name, const void* row)
    {
        Table& t = tables.at(name);
        if (closed)
        {
            return;
        }
        const auto* bytes = static_cast<const uint8_t*>(row);
        t.buffer.insert(t.buffer.end(), bytes, bytes + t.rowSize);
        ++t.bufferedRows;
        t.peak = std::max(t.peak, t.bufferedRows);
        if (t.bufferedRows >= options.bufferRows)
        {
            Write(t);
        }
    }

    void
    Write(Table& t)
    {
        if (t.bufferedRows == 0 || t.dataset < 0)
        {
            t.buffer.clear();
            t.bufferedRows = 0;
            return;
        }
        hsize_t start[1] = {t.written};
        hsize_t count[1] = {t.bufferedRows};
        hsize_t size[1] = {t.written + t.bufferedRows};
        if (Check(H5Dset_extent(t.dataset, size), "extend /" + t.name))
        {
            hid_t fileSpace = H5Dget_space(t.dataset);
            H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nullptr, count, nullptr);
            hid_t memSpace = H5Screate_simple(1, count, nullptr);
            Check(H5Dwrite(t.dataset, t.memType, memSpace, fileSpace, H5P_DEFAULT, t.buffer.data()),
                  "write /" + t.name);
            H5Sclose(memSpace);
            H5Sclose(fileSpace);
        }
        t.written += t.bufferedRows;
        t.bufferedRows = 0;
        t.buffer.clear();
    }

    void
    Attribute(const std::string& name, hid_t fileType, hid_t memType, const void* value)
    {
        if (closed)
        {
            return;
        }
        if (H5Aexists(file, name.c_str()) > 0)
        {
            H5Adelete(file, name.c_str());
        }
        hid_t space = H5Screate(H5S_SCALAR);
        hid_t attr = H5Acreate2(file, name.c_str(), fileType, space, H5P_DEFAULT, H5P_DEFAULT);
        if (Check(attr, "create attribute " + name))
        {
            Check(H5Awrite(attr, memType, value), "write attribute " + name);
            H5Aclose(attr);
        }
        H5Sclose(space);
    }
};

MqttHdf5Recorder::MqttHdf5Recorder(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl))
{
}

MqttHdf5Recorder::~MqttHdf5Recorder()
{
    std::string ignored;
    Close(&ignored);
}

std::unique_ptr<MqttHdf5Recorder>
MqttHdf5Recorder::Create(const std::string& path, const Options& options, std::string* error)
{
    // Errors come back as values; HDF5 must not print its own stack traces.
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->options.bufferRows = std::max<std::size_t>(1, options.bufferRows);
    impl->file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (impl->file < 0)
    {
        *error = path + ": HDF5 cannot create the file";
        return nullptr;
    }
    Impl& m = *impl;
    m.CreateTable("clients",
                  Compound(sizeof(ClientRow))
                      .Str("name", MQTT_OFF(ClientRow, name), L::NAME)
                      .Str("group", MQTT_OFF(ClientRow, group), L::GROUP)
                      .Str("role", MQTT_OFF(ClientRow, role), L::KIND)
                      .Str("node", MQTT_OFF(ClientRow, node), L::NAME)
                      .Num("qos", MQTT_OFF(ClientRow, qos), H5T_NATIVE_UINT8)
                      .Bool("publishes", MQTT_OFF(ClientRow, publishes))
                      .Id(),
                  sizeof(ClientRow));
    m.CreateTable("topics",
                  Compound(sizeof(TopicRow)).Str("name", MQTT_OFF(TopicRow, name), L::TOPIC).Id(),
                  sizeof(TopicRow));
    m.CreateTable("links",
                  Compound(sizeof(LinkRow))
                      .Str("name", MQTT_OFF(LinkRow, name), L::NAME)
                      .Str("class", MQTT_OFF(LinkRow, linkClass), L::GROUP)
                      .Str("type", MQTT_OFF(LinkRow, type), L::KIND)
                      .Str("a", MQTT_OFF(LinkRow, a), L::NAME)
                      .Str("b", MQTT_OFF(LinkRow, b), L::NAME)
                      .Num("rate_bps", MQTT_OFF(LinkRow, rateBps), H5T_NATIVE_UINT64)
                      .Num("delay", MQTT_OFF(LinkRow, delay), H5T_NATIVE_DOUBLE)
                      .Num("mean_loss", MQTT_OFF(LinkRow, meanLoss), H5T_NATIVE_DOUBLE)
                      .Id(),
                  sizeof(LinkRow));
    m.CreateTable("publishes",
                  Compound(sizeof(PublishRow))
                      .Num("time", MQTT_OFF(PublishRow, time), H5T_NATIVE_DOUBLE)
                      .Num("client", MQTT_OFF(PublishRow, client), H5T_NATIVE_UINT32)
                      .Num("sequence", MQTT_OFF(PublishRow, sequence), H5T_NATIVE_UINT64)
                      .Num("topic", MQTT_OFF(PublishRow, topic), H5T_NATIVE_UINT32)
                      .Num("qos", MQTT_OFF(PublishRow, qos), H5T_NATIVE_UINT8)
                      .Bool("retain", MQTT_OFF(PublishRow, retain))
                      .Num("payload", MQTT_OFF(PublishRow, payload), H5T_NATIVE_UINT32)
                      .Id(),
                  sizeof(PublishRow));
    m.CreateTable("deliveries",
                  Compound(sizeof(DeliveryRow))
                      .Num("time", MQTT_OFF(DeliveryRow, time), H5T_NATIVE_DOUBLE)
                      .Num("sent", MQTT_OFF(DeliveryRow, sent), H5T_NATIVE_DOUBLE)
                      .Num("latency", MQTT_OFF(DeliveryRow, latency), H5T_NATIVE_DOUBLE)
                      .Num("subscriber", MQTT_OFF(DeliveryRow, subscriber), H5T_NATIVE_UINT32)
                      .Num("publisher", MQTT_OFF(DeliveryRow, publisher), H5T_NATIVE_UINT32)
                      .Num("sequence", MQTT_OFF(DeliveryRow, sequence), H5T_NATIVE_UINT64)
                      .Num("topic", MQTT_OFF(DeliveryRow, topic), H5T_NATIVE_UINT32)
                      .Num("qos", MQTT_OFF(DeliveryRow, qos), H5T_NATIVE_UINT8)
                      .Num("publish_qos", MQTT_OFF(DeliveryRow, publishQos), H5T_NATIVE_UINT8)
                      .Bool("duplicate", MQTT_OFF(DeliveryRow, duplicate))
                      .Bool("dup_flag", MQTT_OFF(DeliveryRow, dupFlag))
                      .Bool("retained", MQTT_OFF(DeliveryRow, retained))
                      .Id(),
                  sizeof(DeliveryRow));
    m.CreateTable("subscriptions",
                  Compound(sizeof(SubscriptionRow))
                      .Num("time", MQTT_OFF(SubscriptionRow, time), H5T_NATIVE_DOUBLE)
                      .Num("client", MQTT_OFF(SubscriptionRow, client), H5T_NATIVE_UINT32)
                      .Str("filter", MQTT_OFF(SubscriptionRow, filter), L::TOPIC)
                      .Num("qos", MQTT_OFF(SubscriptionRow, qos), H5T_NATIVE_UINT8)
                      .Num("granted", MQTT_OFF(SubscriptionRow, granted), H5T_NATIVE_UINT8)
                      .Id(),
                  sizeof(SubscriptionRow));
    m.CreateTable("connections",
                  Compound(sizeof(ConnectionRow))
                      .Num("time", MQTT_OFF(ConnectionRow, time), H5T_NATIVE_DOUBLE)
                      .Num("client", MQTT_OFF(ConnectionRow, client), H5T_NATIVE_UINT32)
                      .Str("side", MQTT_OFF(ConnectionRow, side), L::KIND)
                      .Str("event", MQTT_OFF(ConnectionRow, event), L::KIND)
                      .Str("reason", MQTT_OFF(ConnectionRow, reason), L::REASON)
                      .Bool("session_present", MQTT_OFF(ConnectionRow, sessionPresent))
                      .Num("code", MQTT_OFF(ConnectionRow, code), H5T_NATIVE_UINT8)
                      .Id(),
                  sizeof(ConnectionRow));
    m.CreateTable("drops",
                  Compound(sizeof(DropRow))
                      .Num("time", MQTT_OFF(DropRow, time), H5T_NATIVE_DOUBLE)
                      .Num("client", MQTT_OFF(DropRow, client), H5T_NATIVE_UINT32)
                      .Num("publisher", MQTT_OFF(DropRow, publisher), H5T_NATIVE_UINT32)
                      .Num("sequence", MQTT_OFF(DropRow, sequence), H5T_NATIVE_UINT64)
                      .Num("qos", MQTT_OFF(DropRow, qos), H5T_NATIVE_UINT8)
                      .Str("where", MQTT_OFF(DropRow, where), L::KIND)
                      .Str("reason", MQTT_OFF(DropRow, reason), L::REASON)
                      .Id(),
                  sizeof(DropRow));
    m.CreateTable(
        "broker_stats",
        Compound(sizeof(BrokerStatsRow))
            .Num("time", MQTT_OFF(BrokerStatsRow, time), H5T_NATIVE_DOUBLE)
            .Num("connections", MQTT_OFF(BrokerStatsRow, connections), H5T_NATIVE_UINT32)
            .Num("sessions", MQTT_OFF(BrokerStatsRow, sessions), H5T_NATIVE_UINT32)
            .Num("inflight", MQTT_OFF(BrokerStatsRow, inflight), H5T_NATIVE_UINT32)
            .Num("queued", MQTT_OFF(BrokerStatsRow, queued), H5T_NATIVE_UINT32)
            .Num("bytes_in", MQTT_OFF(BrokerStatsRow, bytesIn), H5T_NATIVE_UINT64)
            .Num("bytes_out", MQTT_OFF(BrokerStatsRow, bytesOut), H5T_NATIVE_UINT64)
            .Num("publishes_in", MQTT_OFF(BrokerStatsRow, publishesIn), H5T_NATIVE_UINT64)
            .Num("publishes_out", MQTT_OFF(BrokerStatsRow, publishesOut), H5T_NATIVE_UINT64)
            .Num("retransmissions", MQTT_OFF(BrokerStatsRow, retransmissions), H5T_NATIVE_UINT64)
            .Num("drops", MQTT_OFF(BrokerStatsRow, drops), H5T_NATIVE_UINT64)
            .Id(),
        sizeof(BrokerStatsRow));
    m.CreateTable("link_stats",
                  Compound(sizeof(LinkStatsRow))
                      .Num("time", MQTT_OFF(LinkStatsRow, time), H5T_NATIVE_DOUBLE)
                      .Num("link", MQTT_OFF(LinkStatsRow, link), H5T_NATIVE_UINT32)
                      .Num("tx_packets", MQTT_OFF(LinkStatsRow, txPackets), H5T_NATIVE_UINT64)
                      .Num("rx_packets", MQTT_OFF(LinkStatsRow, rxPackets), H5T_NATIVE_UINT64)
                      .Num("tx_bytes", MQTT_OFF(LinkStatsRow, txBytes), H5T_NATIVE_UINT64)
                      .Num("rx_bytes", MQTT_OFF(LinkStatsRow, rxBytes), H5T_NATIVE_UINT64)
                      .Num("lost_packets", MQTT_OFF(LinkStatsRow, lostPackets), H5T_NATIVE_UINT64)
                      .Num("queue_drops", MQTT_OFF(LinkStatsRow, queueDrops), H5T_NATIVE_UINT64)
                      .Num("queue_depth", MQTT_OFF(LinkStatsRow, queueDepth), H5T_NATIVE_UINT32)
                      .Bool("up", MQTT_OFF(LinkStatsRow, up))
                      .Id(),
                  sizeof(LinkStatsRow));
    if (!m.error.empty())
    {
        *error = path + ": " + m.error;
        return nullptr;
    }
    uint64_t schema = 1;
    m.Attribute("schema_version", H5T_STD_U64LE, H5T_NATIVE_UINT64, &schema);
    std::unique_ptr<MqttHdf5Recorder> r(new MqttHdf5Recorder(std::move(impl)));
    r->SetAttribute("hdf5_version", LibraryVersion());
    return r;
}

void
MqttHdf5Recorder::SetAttribute(const std::string& name, const std::string& value)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    const char* p = value.c_str();
    m_impl->Attribute(name, t, t, &p);
    H5Tclose(t);
}

void
MqttHdf5Recorder::SetAttribute(const std::string& name, uint64_t value)
{
    m_impl->Attribute(name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

void
MqttHdf5Recorder::SetAttribute(const std::string& name, double value)
{
    m_impl->Attribute(name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

uint32_t
MqttHdf5Recorder::AddClient(const MqttClientInfo& c)
{
    ClientRow row{};
    CopyString(row.name, L::NAME, c.name);
    CopyString(row.group, L::GROUP, c.group);
    CopyString(row.role, L::KIND, c.role);
    CopyString(row.node, L::NAME, c.node);
    row.qos = c.qos;
    row.publishes = c.publishes;
    uint32_t index = Rows("clients");
    m_impl->Append("clients", &row);
    return index;
}

uint32_t
MqttHdf5Recorder::Topic(const std::string& topic)
{
    auto it = m_impl->topics.find(topic);
    if (it != m_impl->topics.end())
    {
        return it->second;
    }
    TopicRow row{};
    CopyString(row.name, L::TOPIC, topic);
    uint32_t index = Rows("topics");
    m_impl->Append("topics", &row);
    m_impl->topics.emplace(topic, index);
    return index;
}

uint32_t
MqttHdf5Recorder::AddLink(const MqttLinkInfo& l)
{
    LinkRow row{};
    CopyString(row.name, L::NAME, l.name);
    CopyString(row.linkClass, L::GROUP, l.linkClass);
    CopyString(row.type, L::KIND, l.type);
    CopyString(row.a, L::NAME, l.a);
    CopyString(row.b, L::NAME, l.b);
    row.rateBps = l.rateBps;
    row.delay = l.delay;
    row.meanLoss = l.meanLoss;
    uint32_t index = Rows("links");
    m_impl->Append("links", &row);
    return index;
}

void
MqttHdf5Recorder::Record(const MqttPublishRecord& r)
{
    PublishRow row{};
    row.time = r.time;
    row.client = r.client;
    row.sequence = r.sequence;
    row.topic = r.topic;
    row.qos = r.qos;
    row.retain = r.retain;
    row.payload = r.payload;
    m_impl->Append("publishes", &row);
}

void
MqttHdf5Recorder::Record(const MqttDeliveryRecord& r)
{
    DeliveryRow row{};
    row.time = r.time;
    row.sent = r.sent;
    row.latency = r.latency;
    row.subscriber = r.subscriber;
    row.publisher = r.publisher;
    row.sequence = r.sequence;
    row.topic = r.topic;
    row.qos = r.qos;
    row.publishQos = r.publishQos;
    row.duplicate = r.duplicate;
    row.dupFlag = r.dupFlag;
    row.retained = r.retained;
    m_impl->Append("deliveries", &row);
}

void
MqttHdf5Recorder::Record(const MqttSubscriptionRecord& r)
{
    SubscriptionRow row{};
    row.time = r.time;
    row.client = r.client;
    CopyString(row.filter, L::TOPIC, r.filter);
    row.qos = r.qos;
    row.granted = r.granted;
    m_impl->Append("subscriptions", &row);
}

void
MqttHdf5Recorder::Record(const MqttConnectionRecord& r)
{
    ConnectionRow row{};
    row.time = r.time;
    row.client = r.client;
    CopyString(row.side, L::KIND, r.side);
    CopyString(row.event, L::KIND, r.event);
    CopyString(row.reason, L::REASON, r.reason);
    row.sessionPresent = r.sessionPresent;
    row.code = r.code;
    m_impl->Append("connections", &row);
}

void
MqttHdf5Recorder::Record(const MqttDropRecord& r)
{
    DropRow row{};
    row.time = r.time;
    row.client = r.client;
    row.publisher = r.publisher;
    row.sequence = r.sequence;
    row.qos = r.qos;
    CopyString(row.where, L::KIND, r.where);
    CopyString(row.reason, L::REASON, r.reason);
    m_impl->Append("drops", &row);
}

void
MqttHdf5Recorder::Record(const MqttBrokerStatsRecord& r)
{
    BrokerStatsRow row{};
    row.time = r.time;
    row.connections = r.connections;
    row.sessions = r.sessions;
    row.inflight = r.inflight;
    row.queued = r.queued;
    row.bytesIn = r.bytesIn;
    row.bytesOut = r.bytesOut;
    row.publishesIn = r.publishesIn;
    row.publishesOut = r.publishesOut;
    row.retransmissions = r.retransmissions;
    row.drops = r.drops;
    m_impl->Append("broker_stats", &row);
}

void
MqttHdf5Recorder::Record(const MqttLinkStatsRecord& r)
{
    LinkStatsRow row{};
    row.time = r.time;
    row.link = r.link;
    row.txPackets = r.txPackets;
    row.rxPackets = r.rxPackets;
    row.txBytes = r.txBytes;
    row.rxBytes = r.rxBytes;
    row.lostPackets = r.lostPackets;
    row.queueDrops = r.queueDrops;
    row.queueDepth = r.queueDepth;
    row.up = r.up;
    m_impl->Append("link_stats", &row);
}

void
MqttHdf5Recorder::Flush()
{
    if (m_impl->closed)
    {
        return;
    }
    for (auto& [name, t] : m_impl->tables)
    {
        m_impl->Write(t);
    }
    m_impl->Check(H5Fflush(m_impl->file, H5F_SCOPE_LOCAL), "flush the file");
}

bool
MqttHdf5Recorder::Close(std::string* error)
{
    Impl& m = *m_impl;
    if (!m.closed)
    {
        Flush();
        for (auto& [name, t] : m.tables)
        {
            if (t.dataset >= 0)
            {
                H5Dclose(t.dataset);
            }
            H5Tclose(t.memType);
        }
        m.Check(H5Fclose(m.file), "close the file");
        m.closed = true;
    }
    if (!m.error.empty())
    {
        *error = m.error;
        return false;
    }
    return true;
}

uint64_t
MqttHdf5Recorder::Rows(const std::string& name) const
{
    const Table& t = m_impl->tables.at(name);
    return t.written + t.bufferedRows;
}

std::size_t
MqttHdf5Recorder::PeakBufferedRows() const
{
    std::size_t peak = 0;
    for (const auto& [name, t] : m_impl->tables)
    {
        peak = std::max(peak, t.peak);
    }
    return peak;
}

std::string
MqttHdf5Recorder::LibraryVersion()
{
    unsigned major = 0;
    unsigned minor = 0;
    unsigned release = 0;
    H5get_libversion(&major, &minor, &release);
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

} // namespace mqtt
} // namespace ns3
