/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The run: prepare (output directory, network, graph file, recorder), then simulate with the
 * faults, statistics samples and progress on the timeline. The applications are in
 * mqtt-study-apps.cc.
 */
#include "mqtt-study-runner.h"

#include "mqtt-ns3-version.h"

#include "mqtt-study-run-context.h"
#include "mqtt-units.h"

#include "ns3/names.h"
#include "ns3/node.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simulator.h"
#include "ns3/version.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>

namespace ns3
{
namespace mqtt
{

namespace
{

double
Since(std::chrono::steady_clock::time_point t)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
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

} // namespace

MqttStudyRunner::Impl::Impl(const MqttScenario& scenario, const Options& options, std::ostream& l)
    : s(scenario)
    , o(options)
    , log(l)
{
}

// --- Preparing ---------------------------------------------------------------------------------

bool
MqttStudyRunner::Impl::Prepare()
{
    if (!CreateOutputDir())
    {
        return false;
    }
    double buildSeconds = BuildNetwork();
    if (s.output.graphml && !WriteGraph())
    {
        return false;
    }
    log << "[ns3-mqtt] " << s.name << ": " << builder->AllNodes().GetN() << " nodes, "
        << builder->Links().size() << " links, " << builder->Clients().size()
        << " clients; built in " << std::fixed << std::setprecision(1) << buildSeconds << " s\n";
    return o.dryRun || OpenRecorder();
}

bool
MqttStudyRunner::Impl::CreateOutputDir()
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
    return true;
}

double
MqttStudyRunner::Impl::BuildNetwork()
{
    RngSeedManager::SetSeed(static_cast<uint32_t>(s.seed));
    RngSeedManager::SetRun(s.run);
    auto t0 = Clock::now();
    builder = std::make_unique<MqttTopologyBuilder>(s);
    builder->Build(0);
    return Since(t0);
}

bool
MqttStudyRunner::Impl::WriteGraph()
{
    std::ofstream g(graphPath);
    builder->BuiltGraph().WriteGraphMl(g);
    if (!g)
    {
        log << "ns3-mqtt-run: cannot write " << graphPath << "\n";
        return false;
    }
    return true;
}

bool
MqttStudyRunner::Impl::OpenRecorder()
{
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
    recorder->SetAttribute("ns3_version", Ns3VersionString());
    recorder->SetAttribute("ns3_mqtt_version", std::string(MQTT_VERSION));
    RecordLinks();
    return true;
}

void
MqttStudyRunner::Impl::RecordLinks()
{
    // The builder's order is the links table's order.
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
}

// --- Running -----------------------------------------------------------------------------------

bool
MqttStudyRunner::Impl::Run()
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
    bool ok = Simulate();
    Simulator::Destroy();
    Names::Clear();
    return ok;
}

bool
MqttStudyRunner::Impl::Simulate()
{
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
    return ok;
}

// --- Faults ------------------------------------------------------------------------------------

void
MqttStudyRunner::Impl::ScheduleFaults()
{
    for (const MqttFaultSpec& f : s.faults)
    {
        ScheduleFault(f);
    }
}

void
MqttStudyRunner::Impl::ScheduleFault(const MqttFaultSpec& f)
{
    Time at = NanoSeconds(f.at.count());
    Time end = at + NanoSeconds(f.duration.count());
    switch (f.action)
    {
    case MqttFaultAction::LinkDown:
        Simulator::Schedule(at, &Impl::LinksDown, this, &f, true);
        if (f.duration.count() > 0)
        {
            Simulator::Schedule(end, &Impl::LinksDown, this, &f, false);
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
            Simulator::Schedule(end, &Impl::Crash, this, f.node, false);
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

void
MqttStudyRunner::Impl::LinksDown(const MqttFaultSpec* f, bool down)
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
MqttStudyRunner::Impl::SetLoss(const MqttFaultSpec* f)
{
    for (MqttBuiltLink* l : builder->FindLinks(f->link, f->linkClass))
    {
        builder->SetLinkLoss(*l, f->loss);
    }
}

void
MqttStudyRunner::Impl::Crash(const std::string& name, bool crash)
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

// --- Statistics and progress -------------------------------------------------------------------

void
MqttStudyRunner::Impl::Sample()
{
    if (s.output.linkStats)
    {
        SampleLinks();
    }
    if (s.output.brokerStats)
    {
        SampleBroker();
        SampleService();
    }
    Time next = Simulator::Now() + NanoSeconds(s.output.statsInterval.count());
    if (next <= NanoSeconds(s.duration.count()))
    {
        Simulator::Schedule(NanoSeconds(s.output.statsInterval.count()), &Impl::Sample, this);
    }
}

void
MqttStudyRunner::Impl::SampleLinks()
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
MqttStudyRunner::Impl::Progress()
{
    double sim = Simulator::Now().GetSeconds();
    double total = ToSeconds(s.duration);
    double elapsed = Since(wallStart);
    if (o.progress == 2 && elapsed - lastProgress >= 0.5)
    {
        lastProgress = elapsed;
        ShowProgressLine(sim, total, elapsed);
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

/** One terminal line, rewritten in place: times, event rate, time left. */
void
MqttStudyRunner::Impl::ShowProgressLine(double sim, double total, double elapsed)
{
    uint64_t ev = Simulator::GetEventCount();
    double rate = elapsed > 0 ? ev / elapsed : 0;
    double eta = sim > 0 ? elapsed * (total - sim) / sim : 0;
    char line[160];
    std::snprintf(line,
                  sizeof(line),
                  "\r[ns3-mqtt] sim %7.1f / %.0f s  wall %6.1f s  %7.0f events/s  ETA %5.0f s ",
                  sim,
                  total,
                  elapsed,
                  rate,
                  eta);
    log << line << std::flush;
}

// --- MqttStudyRunner ---------------------------------------------------------------------------

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
