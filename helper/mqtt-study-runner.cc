/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-study-runner.h"

#include "mqtt-broker.h"
#include "mqtt-client.h"
#include "mqtt-hdf5-recorder.h"
#include "mqtt-payload-stamp.h"
#include "mqtt-topic.h"
#include "mqtt-topology-builder.h"
#include "mqtt-units.h"

#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/names.h"
#include "ns3/node.h"
#include "ns3/pointer.h"
#include "ns3/random-variable-stream.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"
#include "ns3/version.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>

namespace ns3
{
namespace mqtt
{

namespace
{

using Clock = std::chrono::steady_clock;

double
Since(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string
Join(const std::vector<std::string>& items, const char* sep)
{
    std::string out;
    for (const auto& i : items)
    {
        out += (out.empty() ? "" : sep) + i;
    }
    return out;
}

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

} // namespace

struct MqttStudyRunner::Impl
{
    const MqttScenario& s;
    Options o;
    std::ostream& log;
    std::unique_ptr<MqttTopologyBuilder> builder;
    std::unique_ptr<MqttHdf5Recorder> recorder;
    std::string resultsPath;
    std::string graphPath;
    Clock::time_point wallStart;
    double wall = 0;
    uint64_t events = 0;
    double lastProgress = -1;
    int lastDecile = -1;

    // The applications and what the traces need to find rows.
    Ptr<MqttBroker> broker;
    std::vector<Ptr<MqttClient>> apps; //!< by client index
    std::vector<uint8_t> publishQos;   //!< by client index
    std::map<uint64_t, uint32_t> byPublisher;
    std::map<std::string, uint32_t> byClientId;
    std::map<Ptr<Node>, std::vector<Ptr<MqttClient>>> onNode;
    uint64_t bytesIn = 0;
    uint64_t bytesOut = 0;
    uint64_t publishesIn = 0;
    uint64_t publishesOut = 0;
    uint64_t retransmissions = 0;
    uint64_t drops = 0;

    Impl(const MqttScenario& scenario, const Options& options, std::ostream& l)
        : s(scenario)
        , o(options)
        , log(l)
    {
    }

    bool
    Prepare()
    {
        std::error_code ec;
        std::filesystem::create_directories(o.outDir, ec);
        if (ec)
        {
            log << "ns3-mqtt-run: cannot create " << o.outDir << ": " << ec.message() << "\n";
            return false;
        }
        resultsPath = o.outDir + "/results.h5";
        graphPath = o.outDir + "/topology.graphml";

        RngSeedManager::SetSeed(static_cast<uint32_t>(s.seed));
        RngSeedManager::SetRun(s.run);
        auto t0 = Clock::now();
        builder = std::make_unique<MqttTopologyBuilder>(s);
        builder->Build(0);
        double buildSeconds = Since(t0);

        if (s.output.graphml)
        {
            std::ofstream g(graphPath);
            builder->BuiltGraph().WriteGraphMl(g);
            if (!g)
            {
                log << "ns3-mqtt-run: cannot write " << graphPath << "\n";
                return false;
            }
        }
        log << "[ns3-mqtt] " << s.name << ": " << builder->AllNodes().GetN() << " nodes, "
            << builder->Links().size() << " links, " << builder->Clients().size()
            << " clients; built in " << std::fixed << std::setprecision(1) << buildSeconds
            << " s\n";
        if (o.dryRun)
        {
            return true;
        }

        std::string error;
        recorder = MqttHdf5Recorder::Create(resultsPath, MqttHdf5Recorder::Options(), &error);
        if (!recorder)
        {
            log << "ns3-mqtt-run: " << error << "\n";
            return false;
        }
        recorder->SetAttribute("scenario", s.sourceText);
        recorder->SetAttribute("scenario_file", s.sourceFile);
        recorder->SetAttribute("overrides", Join(s.overrides, "\n"));
        recorder->SetAttribute("name", s.name);
        recorder->SetAttribute("description", s.description);
        recorder->SetAttribute("seed", s.seed);
        recorder->SetAttribute("run", s.run);
        recorder->SetAttribute("duration", ToSeconds(s.duration));
        recorder->SetAttribute("broker_profile", s.broker.profile);
        recorder->SetAttribute("ns3_version", Version::ShortVersion());
        recorder->SetAttribute("ns3_mqtt_version", std::string(MQTT_VERSION));
        // Links: the builder's order is the links table's order.
        for (const MqttBuiltLink& l : builder->Links())
        {
            MqttLinkInfo info;
            info.name = l.name;
            info.linkClass = l.linkClass;
            info.type = MqttLinkTypeName(l.type);
            info.a = l.a;
            info.b = l.b;
            info.rateBps = l.rateBps;
            info.delay = ToSeconds(l.delay);
            info.meanLoss = l.loss.MeanLoss();
            recorder->AddLink(info);
        }
        return true;
    }

    void
    ScheduleFaults()
    {
        for (const MqttFaultSpec& f : s.faults)
        {
            Time at = NanoSeconds(f.at.count());
            switch (f.action)
            {
            case MqttFaultAction::LinkDown:
                Simulator::Schedule(at, &Impl::LinksDown, this, &f, true);
                if (f.duration.count() > 0)
                {
                    Simulator::Schedule(
                        at + NanoSeconds(f.duration.count()), &Impl::LinksDown, this, &f, false);
                }
                break;
            case MqttFaultAction::LinkUp:
                Simulator::Schedule(at, &Impl::LinksDown, this, &f, false);
                break;
            case MqttFaultAction::SetLoss:
                Simulator::Schedule(at, &Impl::SetLoss, this, &f);
                break;
            case MqttFaultAction::NodeCrash:
                Simulator::Schedule(at, &Impl::Crash, this, f.node, true);
                if (f.duration.count() > 0)
                {
                    Simulator::Schedule(
                        at + NanoSeconds(f.duration.count()), &Impl::Crash, this, f.node, false);
                }
                break;
            case MqttFaultAction::NodeRestart:
                Simulator::Schedule(at, &Impl::Crash, this, f.node, false);
                break;
            case MqttFaultAction::BrokerRestart:
                Simulator::Schedule(at, &Impl::BrokerRestart, this, &f);
                break;
            }
        }
    }

    void
    LinksDown(const MqttFaultSpec* f, bool down)
    {
        for (MqttBuiltLink* l : builder->FindLinks(f->link, f->linkClass))
        {
            if (down)
            {
                builder->SetLinkDown(*l);
            }
            else
            {
                builder->SetLinkUp(*l);
            }
        }
    }

    void
    SetLoss(const MqttFaultSpec* f)
    {
        for (MqttBuiltLink* l : builder->FindLinks(f->link, f->linkClass))
        {
            builder->SetLinkLoss(*l, f->loss);
        }
    }

    void
    Crash(const std::string& name, bool crash)
    {
        Ptr<Node> node = builder->FindNode(name);
        if (crash)
        {
            builder->CrashNode(node);
            StopApplications(node);
        }
        else
        {
            builder->RestartNode(node);
            StartApplications(node);
        }
    }

    void
    SampleLinks()
    {
        double now = Simulator::Now().GetSeconds();
        uint32_t index = 0;
        for (const MqttBuiltLink& l : builder->Links())
        {
            MqttLinkStatsRecord r;
            r.time = now;
            r.link = index++;
            r.txPackets = l.counters.txPackets;
            r.rxPackets = l.counters.rxPackets;
            r.txBytes = l.counters.txBytes;
            r.rxBytes = l.counters.rxBytes;
            r.lostPackets = l.counters.lostPackets;
            r.queueDrops = l.counters.queueDrops;
            r.queueDepth = builder->QueueDepth(l);
            r.up = l.up;
            recorder->Record(r);
        }
    }

    void
    Sample()
    {
        if (s.output.linkStats)
        {
            SampleLinks();
        }
        if (s.output.brokerStats)
        {
            SampleBroker();
        }
        Time next = Simulator::Now() + NanoSeconds(s.output.statsInterval.count());
        if (next <= NanoSeconds(s.duration.count()))
        {
            Simulator::Schedule(NanoSeconds(s.output.statsInterval.count()), &Impl::Sample, this);
        }
    }

    /** Progress: checked every 100 ms of simulated time, printed at most twice a second. */
    void
    Progress()
    {
        double sim = Simulator::Now().GetSeconds();
        double total = ToSeconds(s.duration);
        double elapsed = Since(wallStart);
        if (o.progress == 2 && elapsed - lastProgress >= 0.5)
        {
            lastProgress = elapsed;
            uint64_t ev = Simulator::GetEventCount();
            double rate = elapsed > 0 ? ev / elapsed : 0;
            double eta = sim > 0 ? elapsed * (total - sim) / sim : 0;
            char line[160];
            std::snprintf(
                line,
                sizeof(line),
                "\r[ns3-mqtt] sim %7.1f / %.0f s  wall %6.1f s  %7.0f events/s  ETA %5.0f s ",
                sim,
                total,
                elapsed,
                rate,
                eta);
            log << line << std::flush;
        }
        else if (o.progress == 1)
        {
            int decile = static_cast<int>(10 * sim / total);
            if (decile > lastDecile)
            {
                lastDecile = decile;
                log << "[ns3-mqtt] " << std::fixed << std::setprecision(0) << sim << " / " << total
                    << " s simulated, " << std::setprecision(1) << elapsed << " s wall\n";
            }
        }
        if (sim + 0.1 < total)
        {
            Simulator::Schedule(MilliSeconds(100), &Impl::Progress, this);
        }
    }

    bool
    Run()
    {
        if (!Prepare())
        {
            return false;
        }
        if (o.dryRun)
        {
            Simulator::Destroy();
            Names::Clear();
            return true;
        }
        if (!InstallApplications())
        {
            return false;
        }
        ScheduleFaults();
        Simulator::Schedule(Seconds(0), &Impl::Sample, this);
        if (o.progress > 0)
        {
            Simulator::Schedule(Seconds(0), &Impl::Progress, this);
        }
        Simulator::Stop(NanoSeconds(s.duration.count()));
        wallStart = Clock::now();
        Simulator::Run();
        wall = Since(wallStart);
        events = Simulator::GetEventCount();
        if (o.progress == 2)
        {
            log << "\n";
        }
        FinishApplications();
        std::string error;
        bool ok = recorder->Close(&error);
        if (!ok)
        {
            log << "ns3-mqtt-run: " << resultsPath << ": " << error << "\n";
        }
        Simulator::Destroy();
        Names::Clear();
        return ok;
    }

    // The ns-3 MQTT applications (mqtt-study-apps.cc).
    bool InstallApplications();
    void StopApplications(Ptr<Node> node);
    void StartApplications(Ptr<Node> node);
    void BrokerRestart(const MqttFaultSpec* f);
    void SampleBroker();
    void FinishApplications();
    void ConnectClient(Ptr<MqttClient> app, uint32_t index);
    void OnBrokerEvent(const MqttEvent& e);
    void OnBrokerDrop(const MqttEvent& e);
};

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
    broker = CreateObject<MqttBroker>();
    broker->SetAttribute("Port", UintegerValue(s.broker.port));
    broker->SetAttribute("Persistence", BooleanValue(s.broker.persistence));
    broker->SetProfile(*profile);
    broker->AssignStreams(BROKER_STREAMS);
    Ptr<Node> brokerNode = builder->BrokerNode();
    brokerNode->AddApplication(broker);
    for (const Ptr<Node>& fe : builder->FrontEnds())
    {
        broker->AddFrontEnd(fe);
    }
    broker->SetStartTime(Seconds(0));
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
            {
                auto it = byClientId.find(clientId);
                if (s.output.connections && it != byClientId.end())
                {
                    recorder->Record(MqttConnectionRecord{Simulator::Now().GetSeconds(),
                                                          it->second,
                                                          "broker",
                                                          "closed",
                                                          reason,
                                                          false,
                                                          0});
                }
            }));

    // Clients, in the builder's order: their index is their row of /clients.
    const auto& clients = builder->Clients();
    std::map<const MqttClientGroupSpec*, Ptr<RandomVariableStream>> starts;
    for (uint32_t g = 0; g < s.groups.size(); ++g)
    {
        Ptr<RandomVariableStream> start = MakeRandomTime(s.groups[g].start);
        start->SetStream(START_STREAMS + g);
        starts[&s.groups[g]] = start;
    }
    for (uint32_t i = 0; i < clients.size(); ++i)
    {
        const MqttBuiltClient& c = clients[i];
        const MqttClientGroupSpec& g = *c.group;
        MqttClientInfo info;
        info.name = c.clientId;
        info.group = g.name;
        info.role = g.role == MqttClientRole::Device ? "device" : "backend";
        info.node = Names::FindName(c.node);
        info.qos = g.qos;
        info.publishes = g.interval.has_value();
        recorder->AddClient(info);
        publishQos.push_back(g.qos);

        Ptr<MqttClient> app = CreateObject<MqttClient>();
        app->SetAttribute("BrokerAddress", AddressValue(c.broker));
        app->SetAttribute("ClientId", StringValue(c.clientId));
        app->SetAttribute("KeepAlive", UintegerValue(g.keepAlive.count() / 1000000000));
        app->SetAttribute("CleanSession", BooleanValue(g.cleanSession));
        std::string subs;
        for (const auto& sub : g.subscriptions)
        {
            subs += (subs.empty() ? "" : ";") + g.Expand(sub.filter, c.index) + ":" +
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
        app->SetAttribute("AutoReconnect", BooleanValue(g.reconnect.enabled));
        app->SetAttribute("ReconnectInitialDelay",
                          TimeValue(NanoSeconds(g.reconnect.initial.count())));
        app->SetAttribute("ReconnectMaxDelay", TimeValue(NanoSeconds(g.reconnect.max.count())));
        app->SetAttribute("ReconnectMultiplier", DoubleValue(g.reconnect.multiplier));
        app->SetAttribute("ReconnectJitter", DoubleValue(g.reconnect.jitter));
        c.node->AddApplication(app);
        app->SetStartTime(Seconds(starts[&g]->GetValue()));
        app->AssignStreams(CLIENT_STREAMS + 3 * int64_t(i));
        uint32_t appIndex = c.node->GetNApplications() - 1;
        byPublisher[MqttPayloadStamp::PublisherId(c.node->GetId(), appIndex)] = i;
        byClientId[c.clientId] = i;
        apps.push_back(app);
        onNode[c.node].push_back(app);
        ConnectClient(app, i);
    }
    return true;
}

void
MqttStudyRunner::Impl::ConnectClient(Ptr<MqttClient> app, uint32_t i)
{
    const MqttClientGroupSpec& g = *builder->Clients()[i].group;
    uint32_t index = builder->Clients()[i].index;
    auto now = []() { return Simulator::Now().GetSeconds(); };
    app->TraceConnectWithoutContext(
        "PublishSent",
        Callback<void, const std::string&, const MqttPayloadStamp&, uint32_t, uint8_t>(
            [this, i, &g, now](
                const std::string& topic, const MqttPayloadStamp& stamp, uint32_t size, uint8_t qos)
            {
                if (s.output.publishes)
                {
                    MqttPublishRecord r;
                    r.time = now();
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
            [this, i, now](
                const MqttEvent& e, const MqttPayloadStamp& stamp, Time latency, bool duplicate)
            {
                // Only stamped messages can be attributed (doc/payload-format.md).
                if (!s.output.deliveries || latency.IsStrictlyNegative())
                {
                    return;
                }
                auto from = byPublisher.find(stamp.publisher);
                MqttDeliveryRecord r;
                r.time = now();
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
            }));
    auto connection =
        [this, i, now](const char* event, const std::string& reason, bool present, uint8_t code)
    {
        if (s.output.connections)
        {
            recorder->Record(
                MqttConnectionRecord{now(), i, "client", event, reason, present, code});
        }
    };
    app->TraceConnectWithoutContext(
        "Connected",
        Callback<void, bool>([connection](bool present)
                             { connection("session", "", present, 0); }));
    app->TraceConnectWithoutContext(
        "Disconnected",
        Callback<void, const std::string&>([connection](const std::string& reason)
                                           { connection("closed", reason, false, 0); }));
    app->TraceConnectWithoutContext(
        "ConnectRefused",
        Callback<void, const MqttEvent&>([connection](const MqttEvent& e)
                                         { connection("refused", "", false, e.code); }));
    app->TraceConnectWithoutContext("Event",
                                    Callback<void, const MqttEvent&>(
                                        [connection](const MqttEvent& e)
                                        {
                                            if (e.type == EventType::ConnectionOpened)
                                            {
                                                connection("opened", "", false, 0);
                                            }
                                        }));
    app->TraceConnectWithoutContext(
        "Subscribed",
        Callback<void, const MqttEvent&>(
            [this, i, &g, index, now](const MqttEvent& e)
            {
                uint8_t requested = 0;
                for (const auto& sub : g.subscriptions)
                {
                    requested = g.Expand(sub.filter, index) == e.topic ? sub.qos : requested;
                }
                recorder->Record(MqttSubscriptionRecord{now(), i, e.topic, requested, e.code});
            }));
    app->TraceConnectWithoutContext("Dropped",
                                    Callback<void, const MqttEvent&>(
                                        [this, i, now](const MqttEvent& e)
                                        {
                                            ++drops;
                                            if (s.output.drops)
                                            {
                                                auto stamp = StampOf(e);
                                                recorder->Record(
                                                    MqttDropRecord{now(),
                                                                   i,
                                                                   i,
                                                                   stamp ? stamp->sequence : 0,
                                                                   static_cast<uint8_t>(e.qos),
                                                                   "client",
                                                                   DropReasonName(e.dropReason)});
                                            }
                                        }));
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
    {
        auto it = byClientId.find(e.clientId);
        if (s.output.connections && it != byClientId.end())
        {
            recorder->Record(MqttConnectionRecord{Simulator::Now().GetSeconds(),
                                                  it->second,
                                                  "broker",
                                                  "session",
                                                  "",
                                                  e.sessionPresent,
                                                  0});
        }
        break;
    }
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
    recorder->Record(MqttDropRecord{Simulator::Now().GetSeconds(),
                                    who == byClientId.end() ? NO_CLIENT : who->second,
                                    from == byPublisher.end() ? NO_CLIENT : from->second,
                                    stamp ? stamp->sequence : 0,
                                    static_cast<uint8_t>(e.qos),
                                    "broker",
                                    DropReasonName(e.dropReason)});
}

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
    r.time = Simulator::Now().GetSeconds();
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
    }
}

MqttStudyRunner::MqttStudyRunner(const MqttScenario& scenario,
                                 const Options& options,
                                 std::ostream& log)
    : m_impl(std::make_unique<Impl>(scenario, options, log))
{
}

MqttStudyRunner::~MqttStudyRunner() = default;

bool
MqttStudyRunner::Run()
{
    return m_impl->Run();
}

std::string
MqttStudyRunner::ResultsPath() const
{
    return m_impl->resultsPath;
}

std::string
MqttStudyRunner::GraphPath() const
{
    return m_impl->graphPath;
}

uint64_t
MqttStudyRunner::Events() const
{
    return m_impl->events;
}

double
MqttStudyRunner::WallSeconds() const
{
    return m_impl->wall;
}

} // namespace mqtt
} // namespace ns3
