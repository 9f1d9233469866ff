/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Results of a run as HDF5 (doc/results.md; the tables are declared in mqtt-results-schema.h):
 * compound datasets of fixed-size fields, chunked and deflate-compressed, appended while the run
 * goes (rows are buffered and written in blocks, so memory stays flat however long the run).
 * The interface takes plain structs and knows nothing of ns-3, so the real-socket broker
 * records through it too. This file pair is the only place that includes HDF5.
 */
#ifndef MQTT_HDF5_RECORDER_H
#define MQTT_HDF5_RECORDER_H

#include "mqtt-results-schema.h"

#include <cstdint>
#include <memory>
#include <string>

namespace ns3
{
namespace mqtt
{

class MqttHdf5Recorder
{
  public:
    struct Options
    {
        /** Rows kept per dataset before they are written. */
        std::size_t bufferRows = 4096;
        /** Rows per chunk of each dataset. */
        std::size_t chunkRows = 4096;
        /** Deflate level, 0-9. */
        int deflate = 4;
    };

    /** Creates (or truncates) @p path; nothing and @p error when HDF5 refuses. */
    static std::unique_ptr<MqttHdf5Recorder> Create(const std::string& path,
                                                    const Options& options,
                                                    std::string* error);

    ~MqttHdf5Recorder();
    MqttHdf5Recorder(const MqttHdf5Recorder&) = delete;
    MqttHdf5Recorder& operator=(const MqttHdf5Recorder&) = delete;

    /** A string attribute of the file (variable-length UTF-8; h5py reads it as str). */
    void SetAttribute(const std::string& name, const std::string& value);
    void SetAttribute(const std::string& name, uint64_t value);
    void SetAttribute(const std::string& name, double value);

    /** Adds a row to /clients and returns its index. */
    uint32_t AddClient(const MqttClientInfo& client);
    /** Index of @p topic in /topics, adding it the first time. */
    uint32_t Topic(const std::string& topic);
    /** Adds a row to /links and returns its index. */
    uint32_t AddLink(const MqttLinkInfo& link);

    void Record(const MqttPublishRecord& r);
    void Record(const MqttDeliveryRecord& r);
    void Record(const MqttSubscriptionRecord& r);
    void Record(const MqttConnectionRecord& r);
    void Record(const MqttDropRecord& r);
    void Record(const MqttBrokerStatsRecord& r);
    void Record(const MqttBrokerServiceRecord& r);
    void Record(const MqttLinkStatsRecord& r);
    void Record(const MqttDeviceBytesRecord& r);
    void Record(const MqttDeviceEnergyRecord& r);
    void Record(const MqttDeviceBatteryRecord& r);
    void Record(const MqttAccountQuotaRecord& r);
    void Record(const MqttTlsHandshakeRecord& r);
    void Record(const MqttConnectionSetUpRecord& r);

    /** Writes buffered rows and flushes the file to disk. */
    void Flush();

    /** Writes what is left and closes; false and @p error if any write failed on the way. */
    bool Close(std::string* error);

    /** Rows recorded so far in dataset @p name ("publishes", ...), buffered ones included. */
    uint64_t Rows(const std::string& name) const;

    /** Largest number of rows held in memory at once by any dataset (stays <= bufferRows). */
    std::size_t PeakBufferedRows() const;

    /** The HDF5 library version, "1.10.8". */
    static std::string LibraryVersion();

  private:
    struct Impl;
    explicit MqttHdf5Recorder(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_HDF5_RECORDER_H
