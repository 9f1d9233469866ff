/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Results of a run as HDF5 (schema: doc/results.md): compound datasets of fixed-size fields,
 * chunked and deflate-compressed, appended while the run goes (rows are buffered and written in
 * blocks, so memory stays flat however long the run). The interface takes plain structs and
 * knows nothing of ns-3, so the real-socket broker records through it too. This file pair is
 * the only place that includes HDF5.
 */
#ifndef MQTT_HDF5_RECORDER_H
#define MQTT_HDF5_RECORDER_H

#include <cstdint>
#include <memory>
#include <string>

namespace ns3
{
namespace mqtt
{

/** Lengths of the fixed-size string fields (longer text is cut, at a UTF-8 boundary). */
struct MqttRecordLimits
{
    static constexpr std::size_t NAME = 64;   //!< client, node and link names
    static constexpr std::size_t GROUP = 32;  //!< group and link class names
    static constexpr std::size_t KIND = 16;   //!< roles, link types, event kinds, where
    static constexpr std::size_t REASON = 32; //!< close and drop reasons
    static constexpr std::size_t TOPIC = 256; //!< topic names
};

/** A row of /clients; its row number is the client index other datasets use. */
struct MqttClientInfo
{
    std::string name;  //!< client id
    std::string group; //!< client group
    std::string role;  //!< "device" or "backend"
    std::string node;  //!< ns-3 node (or host) it runs on
    uint8_t qos = 0;   //!< QoS it publishes with
    bool publishes = false;
};

/** A row of /links; its row number is the link index of /link_stats. */
struct MqttLinkInfo
{
    std::string name;
    std::string linkClass;
    std::string type; //!< p2p, csma, wifi, lowpan
    std::string a;    //!< one end (node name; the AP or border router for wireless)
    std::string b;    //!< other end ("" for a shared medium)
    uint64_t rateBps = 0;
    double delay = 0;    //!< s
    double meanLoss = 0; //!< long-run loss of its model at the start
};

/** /publishes: a message a client handed to its engine. */
struct MqttPublishRecord
{
    double time = 0; //!< s
    uint32_t client = 0;
    uint64_t sequence = 0;
    uint32_t topic = 0; //!< index in /topics
    uint8_t qos = 0;
    bool retain = false;
    uint32_t payload = 0; //!< bytes
};

/** /deliveries: a message a subscriber received. */
struct MqttDeliveryRecord
{
    double time = 0;    //!< receive time, s
    double sent = 0;    //!< the publisher's send time (from the payload stamp), s
    double latency = 0; //!< time - sent, s
    uint32_t subscriber = 0;
    uint32_t publisher = 0; //!< client index of the publisher
    uint64_t sequence = 0;
    uint32_t topic = 0;
    uint8_t qos = 0;        //!< QoS of the delivery (the PUBLISH received)
    uint8_t publishQos = 0; //!< QoS the publisher used
    bool duplicate = false; //!< this subscriber had (publisher, sequence) already
    bool dupFlag = false;   //!< the DUP flag of the PUBLISH received
    bool retained = false;  //!< RETAIN set (a retained message sent on subscribe)
};

/** /subscriptions: a subscription a client made, when its SUBACK came. */
struct MqttSubscriptionRecord
{
    double time = 0;
    uint32_t client = 0;
    std::string filter;
    uint8_t qos = 0;     //!< requested
    uint8_t granted = 0; //!< granted QoS, or 0x80 (refused)
};

/** /connections: connection and session events, on either side. */
struct MqttConnectionRecord
{
    double time = 0;
    uint32_t client = 0;
    std::string side;   //!< "client" or "broker"
    std::string event;  //!< opened, session-started, refused, closed
    std::string reason; //!< close reason (CloseReasonName), "" otherwise
    bool sessionPresent = false;
    uint8_t code = 0; //!< CONNACK return code for refused
};

/** /drops: a message that did not reach a subscriber, or was refused. */
struct MqttDropRecord
{
    double time = 0;
    uint32_t client = 0;    //!< the subscriber (or the publisher, for refused publishes)
    uint32_t publisher = 0; //!< client index of the publisher (UINT32_MAX: unknown)
    uint64_t sequence = 0;
    uint8_t qos = 0;
    std::string where;  //!< "broker" or "client"
    std::string reason; //!< DropReasonName
};

/** /broker_stats: a periodic sample; counters are cumulative since the start. */
struct MqttBrokerStatsRecord
{
    double time = 0;
    uint32_t connections = 0; //!< open connections now
    uint32_t sessions = 0;    //!< sessions now (connected and persistent offline)
    uint32_t inflight = 0;    //!< QoS 1/2 messages in flight to subscribers now
    uint32_t queued = 0;      //!< messages queued (offline and over the window) now
    uint64_t bytesIn = 0;
    uint64_t bytesOut = 0;
    uint64_t publishesIn = 0;
    uint64_t publishesOut = 0;
    uint64_t retransmissions = 0;
    uint64_t drops = 0;
};

/** /link_stats: a periodic sample per link; counters are cumulative since the start. */
struct MqttLinkStatsRecord
{
    double time = 0;
    uint32_t link = 0;
    uint64_t txPackets = 0;
    uint64_t rxPackets = 0;
    uint64_t txBytes = 0;
    uint64_t rxBytes = 0;
    uint64_t lostPackets = 0; //!< dropped by the loss model (or an outage)
    uint64_t queueDrops = 0;  //!< dropped by a full transmit queue
    uint32_t queueDepth = 0;  //!< packets in the transmit queues now
    bool up = true;
};

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
    void Record(const MqttLinkStatsRecord& r);

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
