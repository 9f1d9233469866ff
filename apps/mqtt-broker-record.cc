/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-broker-record.h"

#include "mqtt-account-quota-rows.h"
#include "mqtt-broker-engine.h"
#include "mqtt-event.h"
#include "mqtt-payload-stamp.h"

#include <algorithm>
#include <limits>

namespace ns3
{
namespace mqtt
{

namespace
{
/** Arrivals kept to find a delivered message's arrival: at most this many, this old. */
constexpr std::size_t MAX_ARRIVALS = 1000000;
constexpr double MAX_ARRIVAL_AGE_S = 600;
} // namespace

std::unique_ptr<MqttBrokerRecord>
MqttBrokerRecord::Create(const std::string& path,
                         const std::string& profile,
                         const std::string& listen,
                         Nanos start,
                         std::string* error)
{
    std::unique_ptr<MqttHdf5Recorder> recorder =
        MqttHdf5Recorder::Create(path, MqttHdf5Recorder::Options(), error);
    if (!recorder)
    {
        return nullptr;
    }
    recorder->SetAttribute("schema_version", uint64_t{1});
    recorder->SetAttribute("name", std::string("mqtt-broker"));
    recorder->SetAttribute("source",
                           std::string("real-socket broker: times are seconds since it started, "
                                       "deliveries as the broker saw them"));
    recorder->SetAttribute("listen", listen);
    recorder->SetAttribute("broker_profile", profile);
    return std::unique_ptr<MqttBrokerRecord>(new MqttBrokerRecord(std::move(recorder), start));
}

MqttBrokerRecord::MqttBrokerRecord(std::unique_ptr<MqttHdf5Recorder> recorder, Nanos start)
    : m_recorder(std::move(recorder))
    , m_start(start)
{
}

double
MqttBrokerRecord::Seconds(Nanos now) const
{
    return std::chrono::duration<double>(now - m_start).count();
}

uint32_t
MqttBrokerRecord::Client(const std::string& clientId)
{
    auto it = m_clients.find(clientId);
    if (it != m_clients.end())
    {
        return it->second;
    }
    MqttClientInfo info;
    info.name = clientId;
    info.group = "real";
    info.role = "device";
    info.node = "";
    uint32_t index = m_recorder->AddClient(info);
    m_clients.emplace(clientId, index);
    return index;
}

const MqttBrokerRecord::Arrival*
MqttBrokerRecord::FindArrival(uint64_t messageId) const
{
    auto it = std::lower_bound(m_arrivals.begin(),
                               m_arrivals.end(),
                               messageId,
                               [](const Arrival& arrival, uint64_t id) { return arrival.id < id; });
    return it != m_arrivals.end() && it->id == messageId ? &*it : nullptr;
}

void
MqttBrokerRecord::OnEvent(const MqttEvent& event, Nanos now)
{
    double t = Seconds(now);
    switch (event.type)
    {
    case EventType::SessionStarted:
    case EventType::ConnectRefused:
    case EventType::ConnectionClosed:
        RecordConnection(event, t);
        break;
    case EventType::PublishReceived:
        RecordPublish(event, t);
        break;
    case EventType::MessageSent:
        ++m_publishesOut;
        m_retransmissions += event.dup ? 1 : 0;
        break;
    case EventType::MessageDelivered:
        RecordDelivery(event, t);
        break;
    case EventType::MessageDropped:
        RecordDrop(event, t);
        break;
    case EventType::SubscriptionGranted:
    case EventType::SubscriptionDenied:
        RecordSubscription(event, t);
        break;
    default:
        break;
    }
}

void
MqttBrokerRecord::RecordConnection(const MqttEvent& event, double t)
{
    // A connection closed before CONNECT named no client: there is no row to tie it to.
    if (event.type == EventType::ConnectionClosed && event.clientId.empty())
    {
        return;
    }
    MqttConnectionRecord row;
    row.time = t;
    row.client = Client(event.clientId);
    row.side = "broker";
    if (event.type == EventType::SessionStarted)
    {
        row.event = "session";
        row.sessionPresent = event.sessionPresent;
    }
    else if (event.type == EventType::ConnectRefused)
    {
        row.event = "refused";
        row.code = event.code;
    }
    else
    {
        row.event = "closed";
        row.reason = CloseReasonName(event.closeReason);
    }
    m_recorder->Record(row);
}

void
MqttBrokerRecord::RecordPublish(const MqttEvent& event, double t)
{
    if (!event.message)
    {
        return;
    }
    ++m_publishesIn;
    const MqttMessage& message = *event.message;
    uint32_t publisher = Client(event.clientId);
    uint64_t sequence;
    if (auto stamp = MqttPayloadStamp::Decode(message.payload.data(), message.payload.size()))
    {
        sequence = stamp->sequence;
    }
    else
    {
        sequence = m_nextSequence[publisher]++;
    }
    MqttPublishRecord row;
    row.time = t;
    row.client = publisher;
    row.sequence = sequence;
    row.topic = m_recorder->Topic(message.topic);
    row.qos = static_cast<uint8_t>(event.qos);
    row.retain = event.retain;
    row.payload = static_cast<uint32_t>(message.payload.size());
    m_recorder->Record(row);
    m_arrivals.push_back(Arrival{message.id, t, publisher, sequence, row.qos});
    while (m_arrivals.size() > MAX_ARRIVALS ||
           (!m_arrivals.empty() && t - m_arrivals.front().time > MAX_ARRIVAL_AGE_S))
    {
        m_arrivals.pop_front();
    }
}

void
MqttBrokerRecord::RecordDelivery(const MqttEvent& event, double t)
{
    if (!event.message)
    {
        return;
    }
    MqttDeliveryRecord row;
    row.time = t;
    row.subscriber = Client(event.peerId.empty() ? event.clientId : event.peerId);
    row.topic = m_recorder->Topic(event.message->topic);
    row.qos = static_cast<uint8_t>(event.qos);
    row.dupFlag = event.dup;
    row.retained = event.retain;
    if (const Arrival* arrival = FindArrival(event.message->id))
    {
        row.sent = arrival->time;
        row.publisher = arrival->publisher;
        row.sequence = arrival->sequence;
        row.publishQos = arrival->qos;
    }
    else
    {
        // Older than the window (a retained message, say): the arrival is unknown.
        row.sent = std::numeric_limits<double>::quiet_NaN();
        row.publisher = std::numeric_limits<uint32_t>::max();
        row.publishQos = static_cast<uint8_t>(event.message->qos);
    }
    row.latency = row.time - row.sent;
    m_recorder->Record(row);
}

void
MqttBrokerRecord::RecordDrop(const MqttEvent& event, double t)
{
    ++m_drops;
    MqttDropRecord row;
    row.time = t;
    row.client = Client(event.peerId.empty() ? event.clientId : event.peerId);
    row.publisher = std::numeric_limits<uint32_t>::max();
    if (event.message)
    {
        if (const Arrival* arrival = FindArrival(event.message->id))
        {
            row.publisher = arrival->publisher;
            row.sequence = arrival->sequence;
        }
    }
    row.qos = static_cast<uint8_t>(event.qos);
    row.where = "broker";
    row.reason = DropReasonName(event.dropReason);
    m_recorder->Record(row);
}

void
MqttBrokerRecord::RecordSubscription(const MqttEvent& event, double t)
{
    MqttSubscriptionRecord row;
    row.time = t;
    row.client = Client(event.clientId);
    row.filter = event.topic;
    row.qos = static_cast<uint8_t>(event.qos);
    row.granted = event.code;
    m_recorder->Record(row);
}

void
MqttBrokerRecord::Sample(const MqttBrokerEngine& engine,
                         uint64_t bytesIn,
                         uint64_t bytesOut,
                         std::size_t connections,
                         Nanos now)
{
    MqttBrokerStatsRecord row;
    row.time = Seconds(now);
    row.connections = static_cast<uint32_t>(connections);
    row.sessions = static_cast<uint32_t>(engine.SessionCount());
    uint64_t queued = 0;
    for (const auto& [clientId, index] : m_clients)
    {
        queued += engine.QueueDepth(clientId);
    }
    // The engine reports queued and in-flight together per session.
    row.queued = static_cast<uint32_t>(std::min<uint64_t>(queued, UINT32_MAX));
    row.bytesIn = bytesIn;
    row.bytesOut = bytesOut;
    row.publishesIn = m_publishesIn;
    row.publishesOut = m_publishesOut;
    row.retransmissions = m_retransmissions;
    row.drops = m_drops;
    m_recorder->Record(row);
}

void
MqttBrokerRecord::RecordAccount(const MqttBrokerEngine& engine)
{
    for (MqttAccountQuotaRecord row : AccountQuotaRows(engine.Account()))
    {
        row.peakTime = row.peak > 0 ? Seconds(Nanos(static_cast<int64_t>(row.peakTime * 1e9))) : 0;
        m_recorder->Record(row);
    }
}

bool
MqttBrokerRecord::Close(std::string* error)
{
    return m_recorder->Close(error);
}

} // namespace mqtt
} // namespace ns3
