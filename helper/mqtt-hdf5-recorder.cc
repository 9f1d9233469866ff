/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-hdf5-recorder.h"

#include <hdf5.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <map>
#include <type_traits>
#include <vector>

namespace ns3
{
namespace mqtt
{

namespace
{

/** Copies @p src into a fixed field of @p n bytes, cut at a UTF-8 boundary, zero padded. */
void
CopyString(uint8_t* dst, std::size_t n, const std::string& src)
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

/** Writes one field of a packed row at @p dst (the column's bytes wide). */
template<typename T>
void
PackField(uint8_t* dst, const MqttResultsColumn& column, const T& value)
{
    if constexpr (std::is_same_v<T, std::string>)
    {
        CopyString(dst, column.bytes, value);
    }
    else if constexpr (std::is_same_v<T, bool>)
    {
        int8_t flag = value ? 1 : 0;
        std::memcpy(dst, &flag, 1);
    }
    else
    {
        static_assert(std::is_arithmetic_v<T>);
        std::memcpy(dst, &value, sizeof(T));
    }
}

/** A string type of @p size bytes, zero padded. */
hid_t
FixedString(std::size_t size)
{
    hid_t s = H5Tcopy(H5T_C_S1);
    H5Tset_size(s, size);
    H5Tset_strpad(s, H5T_STR_NULLPAD);
    return s;
}

/** An enum {FALSE, TRUE} over int8: what h5py reads as numpy bool. */
hid_t
BoolEnum()
{
    hid_t e = H5Tenum_create(H5T_NATIVE_INT8);
    int8_t no = 0;
    int8_t yes = 1;
    H5Tenum_insert(e, "FALSE", &no);
    H5Tenum_insert(e, "TRUE", &yes);
    return e;
}

/** The HDF5 type of a field holding a T; the caller closes it. */
template<typename T>
hid_t
FieldType(const MqttResultsColumn& column)
{
    if constexpr (std::is_same_v<T, std::string>)
    {
        return FixedString(column.bytes);
    }
    else if constexpr (std::is_same_v<T, bool>)
    {
        return BoolEnum();
    }
    else if constexpr (std::is_same_v<T, double>)
    {
        return H5Tcopy(H5T_NATIVE_DOUBLE);
    }
    else if constexpr (std::is_same_v<T, uint8_t>)
    {
        return H5Tcopy(H5T_NATIVE_UINT8);
    }
    else if constexpr (std::is_same_v<T, uint32_t>)
    {
        return H5Tcopy(H5T_NATIVE_UINT32);
    }
    else
    {
        static_assert(std::is_same_v<T, uint64_t>);
        return H5Tcopy(H5T_NATIVE_UINT64);
    }
}

/** The packed compound type of @p Record's rows (the same in memory and in the file). */
template<typename Record>
hid_t
CompoundType(std::size_t* rowSize)
{
    std::size_t size = 0;
    const Record record{};
    MqttResultsTable<Record>::ForEachField(
        record, [&size](const MqttResultsColumn& c, const auto&) { size += c.bytes; });
    hid_t type = H5Tcreate(H5T_COMPOUND, size);
    std::size_t offset = 0;
    MqttResultsTable<Record>::ForEachField(record,
                                           [&](const MqttResultsColumn& c, const auto& value)
                                           {
                                               hid_t field =
                                                   FieldType<std::decay_t<decltype(value)>>(c);
                                               H5Tinsert(type, c.name, offset, field);
                                               H5Tclose(field);
                                               offset += c.bytes;
                                           });
    *rowSize = size;
    return type;
}

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

    template<typename Record>
    void
    CreateTable()
    {
        Table t;
        t.name = MqttResultsTable<Record>::NAME;
        t.memType = CompoundType<Record>(&t.rowSize);
        t.buffer.reserve(options.bufferRows * t.rowSize);
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
        t.dataset =
            H5Dcreate2(file, t.name.c_str(), t.memType, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        Check(t.dataset, "create dataset /" + t.name);
        H5Pclose(dcpl);
        H5Sclose(space);
        tables.emplace(t.name, std::move(t));
    }

    /** Packs @p record into its table's buffer; returns its row number. */
    template<typename Record>
    uint32_t
    Append(const Record& record)
    {
        Table& t = tables.at(MqttResultsTable<Record>::NAME);
        auto index = static_cast<uint32_t>(t.written + t.bufferedRows);
        if (closed)
        {
            return index;
        }
        std::size_t at = t.buffer.size();
        t.buffer.resize(at + t.rowSize);
        MqttResultsTable<Record>::ForEachField(record,
                                               [&](const MqttResultsColumn& c, const auto& value)
                                               {
                                                   PackField(&t.buffer[at], c, value);
                                                   at += c.bytes;
                                               });
        ++t.bufferedRows;
        t.peak = std::max(t.peak, t.bufferedRows);
        if (t.bufferedRows >= options.bufferRows)
        {
            Write(t);
        }
        return index;
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
#define MQTT_RESULTS_CREATE(Record, dataset, FIELDS) impl->CreateTable<Record>();
    MQTT_RESULTS_TABLES(MQTT_RESULTS_CREATE)
#undef MQTT_RESULTS_CREATE
    if (!impl->error.empty())
    {
        *error = path + ": " + impl->error;
        return nullptr;
    }
    uint64_t schema = 1;
    impl->Attribute("schema_version", H5T_STD_U64LE, H5T_NATIVE_UINT64, &schema);
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
MqttHdf5Recorder::AddClient(const MqttClientInfo& client)
{
    return m_impl->Append(client);
}

uint32_t
MqttHdf5Recorder::Topic(const std::string& topic)
{
    auto it = m_impl->topics.find(topic);
    if (it != m_impl->topics.end())
    {
        return it->second;
    }
    uint32_t index = m_impl->Append(MqttTopicInfo{topic});
    m_impl->topics.emplace(topic, index);
    return index;
}

uint32_t
MqttHdf5Recorder::AddLink(const MqttLinkInfo& link)
{
    return m_impl->Append(link);
}

void
MqttHdf5Recorder::Record(const MqttPublishRecord& r)
{
    m_impl->Append(r);
}

void
MqttHdf5Recorder::Record(const MqttDeliveryRecord& r)
{
    m_impl->Append(r);
}

void
MqttHdf5Recorder::Record(const MqttSubscriptionRecord& r)
{
    m_impl->Append(r);
}

void
MqttHdf5Recorder::Record(const MqttConnectionRecord& r)
{
    m_impl->Append(r);
}

void
MqttHdf5Recorder::Record(const MqttDropRecord& r)
{
    m_impl->Append(r);
}

void
MqttHdf5Recorder::Record(const MqttBrokerStatsRecord& r)
{
    m_impl->Append(r);
}

void
MqttHdf5Recorder::Record(const MqttBrokerServiceRecord& r)
{
    m_impl->Append(r);
}

void
MqttHdf5Recorder::Record(const MqttLinkStatsRecord& r)
{
    m_impl->Append(r);
}

void
MqttHdf5Recorder::Record(const MqttDeviceBytesRecord& r)
{
    m_impl->Append(r);
}

void
MqttHdf5Recorder::Record(const MqttDeviceEnergyRecord& r)
{
    m_impl->Append(r);
}

void
MqttHdf5Recorder::Record(const MqttDeviceBatteryRecord& r)
{
    m_impl->Append(r);
}

void
MqttHdf5Recorder::Record(const MqttAccountQuotaRecord& r)
{
    m_impl->Append(r);
}

void
MqttHdf5Recorder::Record(const MqttTlsHandshakeRecord& r)
{
    m_impl->Append(r);
}

void
MqttHdf5Recorder::Record(const MqttConnectionSetUpRecord& r)
{
    m_impl->Append(r);
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
