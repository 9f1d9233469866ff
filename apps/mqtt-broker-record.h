/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * mqtt-broker --record: the standalone broker's engine events as a results file (doc/results.md).
 */
#ifndef MQTT_BROKER_RECORD_H
#define MQTT_BROKER_RECORD_H

#include "mqtt-action.h"
#include "mqtt-hdf5-recorder.h"

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

class MqttBrokerEngine;

/**
 * Turns broker engine events into rows of the results schema, seen from the broker: times are
 * seconds since the broker started; /clients has a row per client id that connected; /publishes
 * a row per PUBLISH the broker took over; /deliveries a row per message the broker delivered
 * (QoS 0 written, QoS 1 PUBACK, QoS 2 PUBCOMP), with `sent` the time the broker received it, so
 * `latency` is the time the message spent in the broker (and, for QoS 1/2, the subscriber's
 * acknowledgement); /connections rows with side "broker"; /subscriptions, /drops and a
 * /broker_stats sample every second.
 */
class MqttBrokerRecord
{
  public:
    /** Opens @p path; nothing and @p error when HDF5 refuses. */
    static std::unique_ptr<MqttBrokerRecord> Create(const std::string& path,
                                                    const std::string& profile,
                                                    const std::string& listen,
                                                    Nanos start,
                                                    std::string* error);

    /** One engine notification. */
    void OnEvent(const MqttEvent& event, Nanos now);
    /** A /broker_stats row (the driver calls it every second). */
    void Sample(const MqttBrokerEngine& engine,
                uint64_t bytesIn,
                uint64_t bytesOut,
                std::size_t connections,
                Nanos now);
    /** The /account_quotas rows: what the engine's account saw over the run. */
    void RecordAccount(const MqttBrokerEngine& engine);
    bool Close(std::string* error);

  private:
    MqttBrokerRecord(std::unique_ptr<MqttHdf5Recorder> recorder, Nanos start);

    double Seconds(Nanos now) const;
    uint32_t Client(const std::string& clientId);

    // One row per event of each kind, at time @p t (s).
    void RecordConnection(const MqttEvent& event, double t);
    void RecordPublish(const MqttEvent& event, double t);
    void RecordDelivery(const MqttEvent& event, double t);
    void RecordDrop(const MqttEvent& event, double t);
    void RecordSubscription(const MqttEvent& event, double t);

    /** What the broker knew of a message when it took it over (for its deliveries). */
    struct Arrival
    {
        uint64_t id = 0;
        double time = 0;
        uint32_t publisher = 0;
        uint64_t sequence = 0;
        uint8_t qos = 0;
    };
    const Arrival* FindArrival(uint64_t messageId) const;

    std::unique_ptr<MqttHdf5Recorder> m_recorder;
    Nanos m_start;
    std::map<std::string, uint32_t> m_clients;
    /** Per publisher, the next sequence number for payloads without a stamp. */
    std::map<uint32_t, uint64_t> m_nextSequence;
    /** Recent arrivals in message-id order (ids increase), pruned by age and count. */
    std::deque<Arrival> m_arrivals;
    uint64_t m_publishesIn = 0;
    uint64_t m_publishesOut = 0;
    uint64_t m_retransmissions = 0;
    uint64_t m_drops = 0;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_BROKER_RECORD_H
