/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The tables of a results file (doc/results.md), each declared once. A table is a list of
 * fields X(member, column, kind, initial value); that list makes the record struct the drivers
 * fill, the row the recorder packs, the HDF5 compound type, and the column list that
 * test/scenario/check-schema.py holds doc/results.md and analysis/mqttresults.py to.
 *
 * A kind is named as doc/results.md names the column type: float64, uint8, uint32, uint64,
 * bool (an HDF5 enum over int8), S16/S32/S64/S256 (fixed-length zero-padded strings: the
 * record holds a std::string, cut at a UTF-8 boundary when written). Standard library only.
 */
#ifndef MQTT_RESULTS_SCHEMA_H
#define MQTT_RESULTS_SCHEMA_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** Each column kind: the member type (the alias) and its bytes in a packed row (KIND_BYTES). */
namespace MqttResultsKind
{
// clang-format off
using float64 = double;       constexpr std::size_t float64_BYTES = 8;
using uint8 = uint8_t;        constexpr std::size_t uint8_BYTES = 1;
using uint32 = uint32_t;      constexpr std::size_t uint32_BYTES = 4;
using uint64 = uint64_t;      constexpr std::size_t uint64_BYTES = 8;
using boolean = bool;         constexpr std::size_t boolean_BYTES = 1;
using S16 = std::string;      constexpr std::size_t S16_BYTES = 16;
using S32 = std::string;      constexpr std::size_t S32_BYTES = 32;
using S64 = std::string;      constexpr std::size_t S64_BYTES = 64;
using S256 = std::string;     constexpr std::size_t S256_BYTES = 256;
// clang-format on
} // namespace MqttResultsKind

// The tables. `boolean` is the kind doc/results.md calls bool (bool is a C++ keyword).
// clang-format off
// /clients: one row per client; its row number is the client index the other tables use.
#define MQTT_RESULTS_CLIENTS(X)                                                                  \
    X(name, "name", S64, {})                 /* client id */                                     \
    X(group, "group", S32, {})               /* client group */                                  \
    X(role, "role", S16, {})                 /* "device" or "backend" */                         \
    X(node, "node", S64, {})                 /* ns-3 node (or host) it runs on */                \
    X(qos, "qos", uint8, 0)                  /* QoS it publishes with */                         \
    X(publishes, "publishes", boolean, false)                                                    \
    X(protocol, "protocol", uint8, 4)        /* MQTT protocol level: 4 (3.1.1) or 5 (5.0) */

// /topics: one row per topic name; its row number is the topic index.
#define MQTT_RESULTS_TOPICS(X)                                                                   \
    X(name, "name", S256, {})

// /links: one row per link; its row number is the link index of /link_stats.
#define MQTT_RESULTS_LINKS(X)                                                                    \
    X(name, "name", S64, {})                                                                     \
    X(linkClass, "class", S32, {})                                                               \
    X(type, "type", S16, {})                 /* p2p, csma, wifi, lowpan */                       \
    X(a, "a", S64, {})                       /* one end (the AP or border router if wireless) */ \
    X(b, "b", S64, {})                       /* other end ("" for a shared medium) */            \
    X(rateBps, "rate_bps", uint64, 0)                                                            \
    X(delay, "delay", float64, 0)            /* s */                                             \
    X(meanLoss, "mean_loss", float64, 0)     /* long-run loss of its model at the start */

// /publishes: a message a client handed to its engine.
#define MQTT_RESULTS_PUBLISHES(X)                                                                \
    X(time, "time", float64, 0)                                                                  \
    X(client, "client", uint32, 0)                                                               \
    X(sequence, "sequence", uint64, 0)                                                           \
    X(topic, "topic", uint32, 0)             /* index in /topics */                              \
    X(qos, "qos", uint8, 0)                                                                      \
    X(retain, "retain", boolean, false)                                                          \
    X(payload, "payload", uint32, 0)         /* bytes */

// /deliveries: a message a subscriber received.
#define MQTT_RESULTS_DELIVERIES(X)                                                               \
    X(time, "time", float64, 0)              /* receive time, s */                               \
    X(sent, "sent", float64, 0)              /* the publisher's send time (payload stamp) */     \
    X(latency, "latency", float64, 0)        /* time - sent, s */                                \
    X(subscriber, "subscriber", uint32, 0)                                                       \
    X(publisher, "publisher", uint32, 0)                                                         \
    X(sequence, "sequence", uint64, 0)                                                           \
    X(topic, "topic", uint32, 0)                                                                 \
    X(qos, "qos", uint8, 0)                  /* QoS of the PUBLISH received */                   \
    X(publishQos, "publish_qos", uint8, 0)   /* QoS the publisher used */                        \
    X(duplicate, "duplicate", boolean, false) /* had (publisher, sequence) already */            \
    X(dupFlag, "dup_flag", boolean, false)   /* the DUP flag of the PUBLISH received */          \
    X(retained, "retained", boolean, false)  /* a retained message sent on subscribe */

// /subscriptions: a subscription a client made, when its SUBACK came.
#define MQTT_RESULTS_SUBSCRIPTIONS(X)                                                            \
    X(time, "time", float64, 0)                                                                  \
    X(client, "client", uint32, 0)                                                               \
    X(filter, "filter", S256, {})                                                                \
    X(qos, "qos", uint8, 0)                  /* requested */                                     \
    X(granted, "granted", uint8, 0)          /* granted QoS, or 0x80 (refused) */

// /connections: connection and session events, on either side.
#define MQTT_RESULTS_CONNECTIONS(X)                                                              \
    X(time, "time", float64, 0)                                                                  \
    X(client, "client", uint32, 0)                                                               \
    X(side, "side", S16, {})                 /* "client" or "broker" */                          \
    X(event, "event", S16, {})               /* opened, session, refused, closed */              \
    X(reason, "reason", S32, {})             /* close reason (CloseReasonName) */                \
    X(sessionPresent, "session_present", boolean, false)                                         \
    X(code, "code", uint8, 0)                /* CONNACK return code for refused */               \
    X(reasonCode, "reason_code", uint8, 0)   /* 5.0: CONNACK (refused), DISCONNECT (closed) */

// /drops: a message that did not reach a subscriber, or was refused.
#define MQTT_RESULTS_DROPS(X)                                                                    \
    X(time, "time", float64, 0)                                                                  \
    X(client, "client", uint32, 0)           /* the subscriber (publisher if refused) */         \
    X(publisher, "publisher", uint32, 0)     /* UINT32_MAX: unknown */                           \
    X(sequence, "sequence", uint64, 0)                                                           \
    X(qos, "qos", uint8, 0)                                                                      \
    X(where, "where", S16, {})               /* "broker" or "client" */                          \
    X(reason, "reason", S32, {})             /* DropReasonName */                                \
    X(reasonCode, "reason_code", uint8, 0)   /* 5.0: PUBACK/PUBREC code (RefusedByServer) */

// /broker_stats: a periodic sample; counters are cumulative since the start.
#define MQTT_RESULTS_BROKER_STATS(X)                                                             \
    X(time, "time", float64, 0)                                                                  \
    X(connections, "connections", uint32, 0) /* open connections now */                          \
    X(sessions, "sessions", uint32, 0)       /* connected and persistent offline, now */         \
    X(inflight, "inflight", uint32, 0)       /* QoS 1/2 messages in flight now */                \
    X(queued, "queued", uint32, 0)           /* queued (offline and over the window) now */      \
    X(bytesIn, "bytes_in", uint64, 0)                                                            \
    X(bytesOut, "bytes_out", uint64, 0)                                                          \
    X(publishesIn, "publishes_in", uint64, 0)                                                    \
    X(publishesOut, "publishes_out", uint64, 0)                                                  \
    X(retransmissions, "retransmissions", uint64, 0)                                             \
    X(drops, "drops", uint64, 0)

// /broker_service: a periodic sample of the broker's service model (none without one); counters
// are cumulative since the start, so the last row holds the run's totals.
#define MQTT_RESULTS_BROKER_SERVICE(X)                                                           \
    X(time, "time", float64, 0)                                                                  \
    X(cores, "cores", uint32, 0)                                                                 \
    X(utilisation, "utilisation", float64, 0) /* busy share of the cores since the last row */   \
    X(busyCores, "busy_cores", uint32, 0)    /* cores serving now */                             \
    X(queuedBytes, "queued_bytes", uint64, 0) /* input waiting for a core now */                 \
    X(queuedItems, "queued_items", uint64, 0) /* pieces of input (packets) waiting now */         \
    X(readsPaused, "reads_paused", boolean, false) /* input over its bound: not reading */       \
    X(busyTime, "busy_time", float64, 0)     /* core seconds spent */                            \
    X(completed, "completed", uint64, 0)     /* pieces of input served */                        \
    X(publishes, "publishes", uint64, 0)     /* inbound PUBLISH served, any QoS */               \
    X(deliveries, "deliveries", uint64, 0)   /* outbound PUBLISH */                              \
    X(readPauses, "read_pauses", uint64, 0)  /* times reading a connection stopped */            \
    X(peakQueuedBytes, "peak_queued_bytes", uint64, 0)

// /link_stats: a periodic sample per link; counters are cumulative since the start.
#define MQTT_RESULTS_LINK_STATS(X)                                                               \
    X(time, "time", float64, 0)                                                                  \
    X(link, "link", uint32, 0)                                                                   \
    X(txPackets, "tx_packets", uint64, 0)                                                        \
    X(rxPackets, "rx_packets", uint64, 0)                                                        \
    X(txBytes, "tx_bytes", uint64, 0)                                                            \
    X(rxBytes, "rx_bytes", uint64, 0)                                                            \
    X(lostPackets, "lost_packets", uint64, 0) /* by the loss model (or an outage) */             \
    X(queueDrops, "queue_drops", uint64, 0)  /* by a full transmit queue */                      \
    X(queueDepth, "queue_depth", uint32, 0)  /* packets in the transmit queues now */            \
    X(up, "up", boolean, true)

// /device_bytes: at the end of the run, what each device's frames carried, by cause and layer
// (doc/device-cost.md); one row per (client, cause, layer, direction) with bytes.
#define MQTT_RESULTS_DEVICE_BYTES(X)                                                             \
    X(client, "client", uint32, 0)           /* the device (first client of its node) */         \
    X(cause, "cause", S16, {})               /* publish, ack, keepalive, connect, ... */         \
    X(layer, "layer", S16, {})               /* mqtt, tcpip, link */                             \
    X(direction, "direction", S16, {})       /* tx, rx */                                        \
    X(bytes, "bytes", uint64, 0)                                                                 \
    X(frames, "frames", uint64, 0)           /* frames that carried bytes of this cause */

// /device_energy: at the end of the run, each device's radio time and energy per state.
#define MQTT_RESULTS_DEVICE_ENERGY(X)                                                            \
    X(client, "client", uint32, 0)                                                               \
    X(radio, "radio", S16, {})               /* cellular, 802.15.4, wifi */                      \
    X(state, "state", S16, {})               /* tx, rx, idle, ... (doc/device-cost.md) */        \
    X(seconds, "seconds", float64, 0)                                                            \
    X(joules, "joules", float64, 0)

// /device_battery: at the end of the run, each device's energy and its battery.
#define MQTT_RESULTS_DEVICE_BATTERY(X)                                                           \
    X(client, "client", uint32, 0)                                                               \
    X(radio, "radio", S16, {})                                                                   \
    X(joules, "joules", float64, 0)          /* sum of its device_energy rows */                 \
    X(frameworkJoules, "framework_joules", float64, 0) /* ns-3's energy framework (Wi-Fi) */     \
    X(batteryMah, "battery_mah", float64, 0)                                                     \
    X(volts, "volts", float64, 0)            /* the battery's voltage */                         \
    X(setups, "setups", uint32, 0)           /* cellular: RRC connection set-ups */
// /account_quotas: one row per account quota (AWS IoT Core), written at the end of the run.
#define MQTT_RESULTS_ACCOUNT_QUOTAS(X)                                                           \
    X(name, "name", S32, {})                 /* account-connect-rate, ... (AccountQuotaName) */  \
    X(kind, "kind", S16, {})                 /* "rate" (per second) or "count" */                \
    X(limit, "limit", float64, 0)            /* per second or a count; 0: unlimited */           \
    X(peak, "peak", uint64, 0)               /* most requests in one second, or most at once */  \
    X(peakTime, "peak_time", float64, 0)     /* that second, or when first reached, s */         \
    X(requests, "requests", uint64, 0)       /* offered over the run */                          \
    X(throttled, "throttled", uint64, 0)     /* refused by the quota */
// /tls_handshakes: one row per simulated TLS handshake a client completed (doc/tls-sim.md).
#define MQTT_RESULTS_TLS_HANDSHAKES(X)                                                           \
    X(time, "time", float64, 0)              /* complete (TLS 1.3: tickets in), s */             \
    X(client, "client", uint32, 0)                                                               \
    X(version, "version", S16, {})           /* "1.2" or "1.3" */                                \
    X(resumed, "resumed", boolean, false)                                                        \
    X(setup, "setup", float64, 0)            /* TCP connected to TLS open, s */                  \
    X(bytesSent, "bytes_sent", uint64, 0)    /* handshake records the client sent */             \
    X(bytesReceived, "bytes_received", uint64, 0)                                                \
    X(cpu, "cpu", float64, 0)                /* device public-key CPU time, s (0: no figures) */
// /connection_setups: one row per client connection that reached its CONNACK, TLS or not.
#define MQTT_RESULTS_CONNECTION_SETUPS(X)                                                        \
    X(time, "time", float64, 0)              /* the CONNACK arrived, s */                        \
    X(client, "client", uint32, 0)                                                               \
    X(tls, "tls", S16, {})                   /* "off", "1.2" or "1.3" */                         \
    X(resumed, "resumed", boolean, false)    /* a resumed TLS handshake */                       \
    X(tcp, "tcp", float64, 0)                /* connect() to TCP connected, s */                 \
    X(handshake, "handshake", float64, 0)    /* TCP connected to TLS open, s (0 without TLS) */  \
    X(mqtt, "mqtt", float64, 0)              /* TLS open (or TCP connected) to CONNACK, s */     \
    X(setup, "setup", float64, 0)            /* connect() to CONNACK, s */                       \
    X(bytesSent, "bytes_sent", uint64, 0)    /* stream bytes sent until the CONNACK */           \
    X(bytesReceived, "bytes_received", uint64, 0)
// clang-format on

/** Every table: X(record struct, dataset name, field list), in the order files list them. */
#define MQTT_RESULTS_TABLES(X)                                                                     \
    X(MqttClientInfo, "clients", MQTT_RESULTS_CLIENTS)                                             \
    X(MqttTopicInfo, "topics", MQTT_RESULTS_TOPICS)                                                \
    X(MqttLinkInfo, "links", MQTT_RESULTS_LINKS)                                                   \
    X(MqttPublishRecord, "publishes", MQTT_RESULTS_PUBLISHES)                                      \
    X(MqttDeliveryRecord, "deliveries", MQTT_RESULTS_DELIVERIES)                                   \
    X(MqttSubscriptionRecord, "subscriptions", MQTT_RESULTS_SUBSCRIPTIONS)                         \
    X(MqttConnectionRecord, "connections", MQTT_RESULTS_CONNECTIONS)                               \
    X(MqttDropRecord, "drops", MQTT_RESULTS_DROPS)                                                 \
    X(MqttBrokerStatsRecord, "broker_stats", MQTT_RESULTS_BROKER_STATS)                            \
    X(MqttBrokerServiceRecord, "broker_service", MQTT_RESULTS_BROKER_SERVICE)                      \
    X(MqttLinkStatsRecord, "link_stats", MQTT_RESULTS_LINK_STATS)                                  \
    X(MqttDeviceBytesRecord, "device_bytes", MQTT_RESULTS_DEVICE_BYTES)                            \
    X(MqttDeviceEnergyRecord, "device_energy", MQTT_RESULTS_DEVICE_ENERGY)                         \
    X(MqttDeviceBatteryRecord, "device_battery", MQTT_RESULTS_DEVICE_BATTERY)                      \
    X(MqttAccountQuotaRecord, "account_quotas", MQTT_RESULTS_ACCOUNT_QUOTAS)                      \
    X(MqttTlsHandshakeRecord, "tls_handshakes", MQTT_RESULTS_TLS_HANDSHAKES)                      \
    X(MqttConnectionSetUpRecord, "connection_setups", MQTT_RESULTS_CONNECTION_SETUPS)

/** One column of a table, as the file and the documentation name it. */
struct MqttResultsColumn
{
    const char* name;  //!< column name in the file
    const char* kind;  //!< doc/results.md's type: float64, uint32, bool, S64, ...
    std::size_t bytes; //!< bytes in a packed row
};

/** Field visitor: calls visit(column, record.member) for each field, in file order. */
template<typename Record>
struct MqttResultsTable;

#define MQTT_RESULTS_MEMBER(member, column, kind, init) MqttResultsKind::kind member = init;

#define MQTT_RESULTS_VISIT(member, column, kind, init)                                             \
    visit(MqttResultsColumn{column, MqttResultsKindName(#kind), MqttResultsKind::kind##_BYTES},    \
          record.member);

#define MQTT_RESULTS_DECLARE(Record, dataset, FIELDS)                                              \
    struct Record                                                                                  \
    {                                                                                              \
        FIELDS(MQTT_RESULTS_MEMBER)                                                                \
    };                                                                                             \
    template<>                                                                                     \
    struct MqttResultsTable<Record>                                                                \
    {                                                                                              \
        static constexpr const char* NAME = dataset;                                               \
        template<typename R, typename Visit>                                                       \
        static void                                                                                \
        ForEachField(R& record, Visit&& visit)                                                     \
        {                                                                                          \
            FIELDS(MQTT_RESULTS_VISIT)                                                             \
        }                                                                                          \
    };

/** The kind as doc/results.md writes it ("boolean" is "bool" there). */
constexpr const char*
MqttResultsKindName(std::string_view token)
{
    return token == "boolean" ? "bool" : token.data(); // token is a string literal
}

MQTT_RESULTS_TABLES(MQTT_RESULTS_DECLARE)
#undef MQTT_RESULTS_DECLARE
#undef MQTT_RESULTS_VISIT
#undef MQTT_RESULTS_MEMBER

/** A table's name and columns, in file order. */
struct MqttResultsTableSchema
{
    std::string name;
    std::vector<MqttResultsColumn> columns;
};

/** Every table of a results file, in the order of MQTT_RESULTS_TABLES. */
std::vector<MqttResultsTableSchema> MqttResultsSchema();

} // namespace mqtt
} // namespace ns3

#endif // MQTT_RESULTS_SCHEMA_H
