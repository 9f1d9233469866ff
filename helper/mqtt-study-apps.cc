/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The study's ns-3 MQTT applications: the broker and one client per built client, their
 * attributes from the scenario, and their traces turned into rows of the results file.
 */
#include "mqtt-account-quota-rows.h"
#include "mqtt-payload-stamp.h"
#include "mqtt-study-run-context.h"
#include "mqtt-topic.h"
#include "mqtt-units.h"

#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/integer.h"
#include "ns3/names.h"
#include "ns3/node.h"
#include "ns3/pointer.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <optional>

namespace ns3
{
namespace mqtt
{

namespace
{

/** Streams: the builder uses [0, 2e6) (see MqttTopologyBuilder), the applications these. */
static constexpr int64_t CLIENT_STREAMS = 2000000;
static constexpr int64_t START_STREAMS = 3000000;
static constexpr int64_t BROKER_STREAMS = 4000000;

/** Client index of unknown publishers in the recorder (doc/results.md). */
static constexpr uint32_t NO_CLIENT = 0xffffffffu;

/** An ns-3 random variable (seconds) for a scenario's random time. */
Ptr<RandomVariableStream>
MakeRandomTime(const MqttRandomTime& t)
{
    switch (t.kind)
    {
    case MqttRandomTime::Kind::Constant:
    {
        auto v = CreateObject<ConstantRandomVariable>();
        v->SetAttribute("Constant", DoubleValue(ToSeconds(t.a)));
        return v;
    }
    case MqttRandomTime::Kind::Exponential:
    {
        auto v = CreateObject<ExponentialRandomVariable>();
        v->SetAttribute("Mean", DoubleValue(ToSeconds(t.a)));
        return v;
    }
    case MqttRandomTime::Kind::Uniform:
    {
        auto v = CreateObject<UniformRandomVariable>();
        v->SetAttribute("Min", DoubleValue(ToSeconds(t.a)));
        v->SetAttribute("Max", DoubleValue(ToSeconds(t.b)));
        return v;
    }
    }
    return nullptr;
}

/** The stamp at the start of an event's message, if it has one. */
std::optional<MqttPayloadStamp>
StampOf(const MqttEvent& e)
{
    if (!e.message)
    {
        return std::nullopt;
    }
    return MqttPayloadStamp::Decode(e.message->payload.data(), e.message->payload.size());
}

double
NowSeconds()
{
    return Simulator::Now().GetSeconds();
}

} // namespace

// --- Installing --------------------------------------------------------------------------------

bool
MqttStudyRunner::Impl::InstallApplications()
{
    // Validate() checked the profile name and every override.
    std::optional<MqttBrokerProfile> profile = s.broker.Profile();
    if (!profile)
    {
        log << "ns3-mqtt-run: " << s.sourceFile << ": broker: the profile does not resolve\n";
        return false;
    }
    InstallBroker(*profile);
    ConnectBroker();
    // Clients, in the builder's order: their index is their row of /clients.
    auto starts = StartTimes();
    for (uint32_t i = 0; i < builder->Clients().size(); ++i)
    {
        InstallClient(i, starts[builder->Clients()[i].group]);
    }
    InstallEndToEndWindow();
    WatchDeviceBytes();
    InstallEnergy();
    return true;
}

void
MqttStudyRunner::Impl::InstallBroker(const MqttBrokerProfile& profile)
{
    broker = CreateObject<MqttBroker>();
    broker->SetAttribute("Port", UintegerValue(s.broker.port));
    broker->SetAttribute("Persistence", BooleanValue(s.broker.persistence));
    broker->SetAttribute("ScramUsersFile", StringValue(s.broker.scramUsers));
    broker->SetProfile(profile);
    if (s.broker.tls)
    {
        broker->SetTls(s.broker.tls->server);
    }
    broker->AssignStreams(BROKER_STREAMS);
    Ptr<Node> brokerNode = builder->BrokerNode();
    brokerNode->AddApplication(broker);
    for (const Ptr<Node>& fe : builder->FrontEnds())
    {
        broker->AddFrontEnd(fe);
    }
    broker->SetStartTime(Seconds(0));
}

void
MqttStudyRunner::Impl::ConnectBroker()
{
    broker->TraceConnectWithoutContext("Rx",
                                       Callback<void, Ptr<const ns3::Packet>, const Address&>(
                                           [this](Ptr<const ns3::Packet> p, const Address&)
                                           { bytesIn += p->GetSize(); }));
    broker->TraceConnectWithoutContext("Tx",
                                       Callback<void, Ptr<const ns3::Packet>, const Address&>(
                                           [this](Ptr<const ns3::Packet> p, const Address&)
                                           { bytesOut += p->GetSize(); }));
    broker->TraceConnectWithoutContext(
        "Event",
        Callback<void, const MqttEvent&>([this](const MqttEvent& e) { OnBrokerEvent(e); }));
    broker->TraceConnectWithoutContext(
        "Dropped",
        Callback<void, const MqttEvent&>([this](const MqttEvent& e) { OnBrokerDrop(e); }));
    broker->TraceConnectWithoutContext(
        "ConnectionClosed",
        Callback<void, uint64_t, const std::string&, const std::string&>(
            [this](uint64_t, const std::string& clientId, const std::string& reason)
            { OnBrokerConnection(clientId, "closed", reason, false); }));
}

std::map<const MqttClientGroupSpec*, Ptr<RandomVariableStream>>
MqttStudyRunner::Impl::StartTimes() const
{
    std::map<const MqttClientGroupSpec*, Ptr<RandomVariableStream>> starts;
    for (uint32_t g = 0; g < s.groups.size(); ++g)
    {
        Ptr<RandomVariableStream> start = MakeRandomTime(s.groups[g].start);
        start->SetStream(START_STREAMS + g);
        starts[&s.groups[g]] = start;
    }
    return starts;
}

void
MqttStudyRunner::Impl::InstallClient(uint32_t i, Ptr<RandomVariableStream> start)
{
    const MqttBuiltClient& c = builder->Clients()[i];
    const MqttClientGroupSpec& g = *c.group;
    MqttClientInfo info;
    info.name = c.clientId;
    info.group = g.name;
    info.role = g.role == MqttClientRole::Device ? "device" : "backend";
    info.node = Names::FindName(c.node);
    info.qos = g.qos;
    info.publishes = g.interval.has_value();
    info.protocol = g.protocol;
    recorder->AddClient(info);
    publishQos.push_back(g.qos);

    Ptr<MqttClient> app = CreateObject<MqttClient>();
    ConfigureClient(app, c);
    c.node->AddApplication(app);
    app->SetStartTime(Seconds(start->GetValue()));
    app->AssignStreams(CLIENT_STREAMS + 3 * int64_t(i));
    uint32_t appIndex = c.node->GetNApplications() - 1;
    byPublisher[MqttPayloadStamp::PublisherId(c.node->GetId(), appIndex)] = i;
    byClientId[c.clientId] = i;
    apps.push_back(app);
    onNode[c.node].push_back(app);
    ConnectClient(app, i);
}

void
MqttStudyRunner::Impl::ConfigureClient(Ptr<MqttClient> app, const MqttBuiltClient& c) const
{
    const MqttClientGroupSpec& g = *c.group;
    app->SetAttribute("BrokerAddress", AddressValue(c.broker));
    app->SetAttribute("ClientId", StringValue(c.clientId));
    app->SetAttribute("KeepAlive", UintegerValue(g.keepAlive.count() / 1000000000));
    app->SetAttribute("CleanSession", BooleanValue(g.cleanSession));
    std::string subs;
    // A share group makes each filter a shared subscription, $share/GROUP/FILTER (5.0, 4.8.2).
    const std::string share = g.shareGroup.empty() ? "" : "$share/" + g.shareGroup + "/";
    for (const auto& sub : g.subscriptions)
    {
        subs += (subs.empty() ? "" : ";") + share + g.Expand(sub.filter, c.index) + ":" +
                std::to_string(sub.qos);
    }
    app->SetAttribute("Subscriptions", StringValue(subs));
    if (g.interval)
    {
        app->SetAttribute("Topic", StringValue(g.Expand(g.topic, c.index)));
        app->SetAttribute("Qos", UintegerValue(g.qos));
        app->SetAttribute("Retain", BooleanValue(g.retain));
        auto size = CreateObject<ConstantRandomVariable>();
        size->SetAttribute("Constant", DoubleValue(g.payload));
        app->SetAttribute("PayloadSize", PointerValue(size));
        app->SetAttribute("Interval", PointerValue(MakeRandomTime(*g.interval)));
        app->SetAttribute("MaxMessages", UintegerValue(g.messages));
    }
    app->SetAttribute("MaxInflight", UintegerValue(g.maxInflight));
    app->SetAttribute("AutoReconnect", BooleanValue(g.reconnect.enabled));
    app->SetAttribute("ReconnectInitialDelay", TimeValue(NanoSeconds(g.reconnect.initial.count())));
    app->SetAttribute("ReconnectMaxDelay", TimeValue(NanoSeconds(g.reconnect.max.count())));
    app->SetAttribute("ReconnectMultiplier", DoubleValue(g.reconnect.multiplier));
    app->SetAttribute("ReconnectJitter", DoubleValue(g.reconnect.jitter));
    app->SetAttribute("ProtocolVersion", UintegerValue(g.protocol));
    if (g.protocol == 5)
    {
        app->SetAttribute("SessionExpiryInterval",
                          UintegerValue(g.sessionExpiry.count() / 1000000000));
        app->SetAttribute("TopicAliasMaximum", UintegerValue(g.topicAliases));
        app->SetAttribute("TopicAliases", UintegerValue(g.topicAliases));
        app->SetAttribute("ReceiveMaximum", UintegerValue(g.receiveMaximum));
        app->SetAttribute("MessageExpiryInterval",
                          UintegerValue(g.messageExpiry.count() / 1000000000));
        app->SetAttribute("AuthMethod", StringValue(g.authMethod));
        app->SetAttribute("AuthUserName", StringValue(g.Expand(g.authUser, c.index)));
        app->SetAttribute("AuthPassword", StringValue(g.authPassword));
        if (g.sleepSessionExpiry)
        {
            app->SetAttribute("SleepSessionExpiryInterval",
                              IntegerValue(g.sleepSessionExpiry->count() / 1000000000));
        }
    }
    app->SetAttribute("AwakeTime", TimeValue(NanoSeconds(g.awake.count())));
    app->SetAttribute("SleepTime", TimeValue(NanoSeconds(g.asleep.count())));
    if (g.tls)
    {
        app->SetTls(g.tls->client,
                    g.tls->cpuCosts ? std::optional<MqttTlsCpuCosts>(*g.tls->cpuCosts)
                                    : std::nullopt);
    }
}

// --- Client traces -----------------------------------------------------------------------------

void
MqttStudyRunner::Impl::ConnectClient(Ptr<MqttClient> app, uint32_t i)
{
    ConnectPublishes(app, i);
    ConnectTls(app, i);
    ConnectSetUps(app, i);
    ConnectConnections(app, i);
    ConnectSubscriptions(app, i);
    ConnectDrops(app, i);
}

void
MqttStudyRunner::Impl::ConnectTls(Ptr<MqttClient> app, uint32_t i)
{
    if (!builder->Clients()[i].group->tls)
    {
        return;
    }
    app->TraceConnectWithoutContext(
        "TlsHandshake",
        Callback<void, const MqttTlsHandshakeInfo&>(
            [this, i](const MqttTlsHandshakeInfo& info)
            {
                MqttTlsHandshakeRecord r;
                r.time = NowSeconds();
                r.client = i;
                r.version = TlsVersionName(info.version);
                r.resumed = info.resumed;
                r.setup = (info.open - info.start).GetSeconds();
                r.bytesSent = info.bytesSent;
                r.bytesReceived = info.bytesReceived;
                r.cpu = info.cpu.GetSeconds();
                recorder->Record(r);
            }));
}

void
MqttStudyRunner::Impl::ConnectSetUps(Ptr<MqttClient> app, uint32_t i)
{
    app->TraceConnectWithoutContext(
        "ConnectionSetUp",
        Callback<void, const MqttConnectionSetUpInfo&>(
            [this, i](const MqttConnectionSetUpInfo& info)
            {
                MqttConnectionSetUpRecord r;
                r.time = NowSeconds();
                r.client = i;
                r.tls = info.tls ? TlsVersionName(info.version) : "off";
                r.resumed = info.resumed;
                r.tcp = (info.connected - info.start).GetSeconds();
                r.handshake = (info.open - info.connected).GetSeconds();
                r.mqtt = (info.connack - info.open).GetSeconds();
                r.setup = (info.connack - info.start).GetSeconds();
                r.bytesSent = info.bytesSent;
                r.bytesReceived = info.bytesReceived;
                recorder->Record(r);
            }));
}

void
MqttStudyRunner::Impl::ConnectPublishes(Ptr<MqttClient> app, uint32_t i)
{
    const MqttClientGroupSpec& g = *builder->Clients()[i].group;
    app->TraceConnectWithoutContext(
        "PublishSent",
        Callback<void, const std::string&, const MqttPayloadStamp&, uint32_t, uint8_t>(
            [this, i, &g](
                const std::string& topic, const MqttPayloadStamp& stamp, uint32_t size, uint8_t qos)
            {
                if (s.output.publishes)
                {
                    MqttPublishRecord r;
                    r.time = NowSeconds();
                    r.client = i;
                    r.sequence = stamp.sequence;
                    r.topic = recorder->Topic(topic);
                    r.qos = qos;
                    r.retain = g.retain;
                    r.payload = size;
                    recorder->Record(r);
                }
            }));
    app->TraceConnectWithoutContext(
        "PublishReceived",
        Callback<void, const MqttEvent&, const MqttPayloadStamp&, Time, bool>(
            [this,
             i](const MqttEvent& e, const MqttPayloadStamp& stamp, Time latency, bool duplicate)
            { OnDelivery(i, e, stamp, latency, duplicate); }));
}

void
MqttStudyRunner::Impl::OnDelivery(
    uint32_t i, const MqttEvent& e, const MqttPayloadStamp& stamp, Time latency, bool duplicate)
{
    // Only stamped messages can be attributed (doc/payload-format.md).
    if (!s.output.deliveries || latency.IsStrictlyNegative())
    {
        return;
    }
    auto from = byPublisher.find(stamp.publisher);
    MqttDeliveryRecord r;
    r.time = NowSeconds();
    r.sent = stamp.sendTimeNs * 1e-9;
    r.latency = latency.GetSeconds();
    r.subscriber = i;
    r.publisher = from == byPublisher.end() ? NO_CLIENT : from->second;
    r.sequence = stamp.sequence;
    r.topic = recorder->Topic(e.message ? e.message->topic : e.topic);
    r.qos = static_cast<uint8_t>(e.qos);
    r.publishQos = from == byPublisher.end() ? r.qos : publishQos[from->second];
    r.duplicate = duplicate;
    r.dupFlag = e.dup;
    r.retained = e.retain;
    recorder->Record(r);
}

void
MqttStudyRunner::Impl::ConnectConnections(Ptr<MqttClient> app, uint32_t i)
{
    // reasonCode (5.0): the CONNACK's for refused, the DISCONNECT's sent or received for closed.
    const bool v5 = builder->Clients()[i].group->protocol == 5;
    auto connection = [this, i](const char* event,
                                const std::string& reason,
                                bool present,
                                uint8_t code,
                                uint8_t reasonCode)
    {
        if (s.output.connections)
        {
            MqttConnectionRecord r{NowSeconds(), i, "client", event, reason, present, code};
            r.reasonCode = reasonCode;
            recorder->Record(r);
        }
    };
    app->TraceConnectWithoutContext(
        "Connected",
        Callback<void, bool>([connection](bool present)
                             { connection("session", "", present, 0, 0); }));
    app->TraceConnectWithoutContext(
        "ConnectRefused",
        Callback<void, const MqttEvent&>(
            [connection, v5](const MqttEvent& e)
            { connection("refused", "", false, e.code, v5 ? e.code : 0); }));
    app->TraceConnectWithoutContext(
        "Event",
        Callback<void, const MqttEvent&>(
            [connection](const MqttEvent& e)
            {
                if (e.type == EventType::ConnectionOpened)
                {
                    connection("opened", "", false, 0, 0);
                }
                else if (e.type == EventType::ConnectionClosed)
                {
                    connection("closed",
                               CloseReasonName(e.closeReason),
                               false,
                               0,
                               e.reasonCode ? static_cast<uint8_t>(*e.reasonCode) : 0);
                }
            }));
}

void
MqttStudyRunner::Impl::ConnectSubscriptions(Ptr<MqttClient> app, uint32_t i)
{
    const MqttClientGroupSpec& g = *builder->Clients()[i].group;
    uint32_t index = builder->Clients()[i].index;
    app->TraceConnectWithoutContext(
        "Subscribed",
        Callback<void, const MqttEvent&>(
            [this, i, &g, index](const MqttEvent& e)
            {
                // The QoS the scenario asked for this filter.
                uint8_t requested = 0;
                for (const auto& sub : g.subscriptions)
                {
                    requested = g.Expand(sub.filter, index) == e.topic ? sub.qos : requested;
                }
                recorder->Record(
                    MqttSubscriptionRecord{NowSeconds(), i, e.topic, requested, e.code});
            }));
}

void
MqttStudyRunner::Impl::ConnectDrops(Ptr<MqttClient> app, uint32_t i)
{
    app->TraceConnectWithoutContext("Dropped",
                                    Callback<void, const MqttEvent&>(
                                        [this, i](const MqttEvent& e)
                                        {
                                            ++drops;
                                            if (s.output.drops)
                                            {
                                                auto stamp = StampOf(e);
                                                MqttDropRecord r{NowSeconds(),
                                                                 i,
                                                                 i,
                                                                 stamp ? stamp->sequence : 0,
                                                                 static_cast<uint8_t>(e.qos),
                                                                 "client",
                                                                 DropReasonName(e.dropReason)};
                                                // 5.0: the refusing PUBACK/PUBREC's code.
                                                r.reasonCode = e.code;
                                                recorder->Record(r);
                                            }
                                        }));
}

// --- Broker traces -----------------------------------------------------------------------------

void
MqttStudyRunner::Impl::OnBrokerConnection(const std::string& clientId,
                                          const char* event,
                                          const std::string& reason,
                                          bool sessionPresent)
{
    auto it = byClientId.find(clientId);
    if (s.output.connections && it != byClientId.end())
    {
        recorder->Record(MqttConnectionRecord{
            NowSeconds(), it->second, "broker", event, reason, sessionPresent, 0});
    }
}

void
MqttStudyRunner::Impl::OnBrokerEvent(const MqttEvent& e)
{
    switch (e.type)
    {
    case EventType::PublishReceived:
        ++publishesIn;
        break;
    case EventType::MessageSent:
        ++publishesOut;
        retransmissions += e.dup ? 1 : 0;
        break;
    case EventType::SessionStarted:
        OnBrokerConnection(e.clientId, "session", "", e.sessionPresent);
        break;
    default:
        break;
    }
}

void
MqttStudyRunner::Impl::OnBrokerDrop(const MqttEvent& e)
{
    ++drops;
    if (!s.output.drops)
    {
        return;
    }
    // The subscriber that misses the message, or the publisher whose message was refused.
    auto who = byClientId.find(e.peerId.empty() ? e.clientId : e.peerId);
    auto stamp = StampOf(e);
    auto from = stamp ? byPublisher.find(stamp->publisher) : byPublisher.end();
    recorder->Record(MqttDropRecord{NowSeconds(),
                                    who == byClientId.end() ? NO_CLIENT : who->second,
                                    from == byPublisher.end() ? NO_CLIENT : from->second,
                                    stamp ? stamp->sequence : 0,
                                    static_cast<uint8_t>(e.qos),
                                    "broker",
                                    DropReasonName(e.dropReason)});
}

// --- Faults and statistics of the applications ------------------------------------------------

void
MqttStudyRunner::Impl::StopApplications(Ptr<Node> node)
{
    for (const auto& app : onNode[node])
    {
        app->StopApplication();
    }
    if (node == builder->BrokerNode())
    {
        broker->StopApplication();
    }
}

void
MqttStudyRunner::Impl::StartApplications(Ptr<Node> node)
{
    for (const auto& app : onNode[node])
    {
        app->StartApplication();
    }
    if (node == builder->BrokerNode())
    {
        broker->StartApplication();
    }
}

void
MqttStudyRunner::Impl::BrokerRestart(const MqttFaultSpec* f)
{
    broker->StopApplication();
    Simulator::Schedule(NanoSeconds(f->duration.count()), &MqttBroker::StartApplication, broker);
}

void
MqttStudyRunner::Impl::SampleBroker()
{
    MqttBrokerStatsRecord r;
    r.time = NowSeconds();
    if (const MqttBrokerEngine* engine = broker->GetEngine())
    {
        r.connections = engine->ConnectionCount();
        r.sessions = engine->SessionCount();
        for (const auto& [id, index] : byClientId)
        {
            r.queued += engine->QueueDepth(id);
            r.inflight += engine->InflightCount(id);
        }
    }
    r.bytesIn = bytesIn;
    r.bytesOut = bytesOut;
    r.publishesIn = publishesIn;
    r.publishesOut = publishesOut;
    r.retransmissions = retransmissions;
    r.drops = drops;
    recorder->Record(r);
}

void
MqttStudyRunner::Impl::FinishApplications()
{
    // The last sample at the end of the run (Simulator::Stop ran before events of its time).
    if (s.output.linkStats)
    {
        SampleLinks();
    }
    if (s.output.brokerStats)
    {
        SampleBroker();
        SampleService();
    }
    RecordServiceTotals();
    RecordEndToEndWindow();
    // What the account's quotas saw over the whole run (kept across broker restarts).
    if (std::shared_ptr<const MqttAccountQuotas> account = broker->GetAccount())
    {
        for (const MqttAccountQuotaRecord& row : AccountQuotaRows(*account))
        {
            recorder->Record(row);
        }
    }
    RecordDeviceBytes();
    RecordEnergy();
}

} // namespace mqtt
} // namespace ns3
