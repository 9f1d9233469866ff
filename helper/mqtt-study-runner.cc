/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-study-runner.h"

#include "mqtt-hdf5-recorder.h"
#include "mqtt-topology-builder.h"
#include "mqtt-units.h"

#include "ns3/names.h"
#include "ns3/node.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simulator.h"
#include "ns3/version.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
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
    bool failed = false;

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
        return ok && !failed;
    }

    // The ns-3 MQTT applications (mqtt-study-apps.cc).
    bool InstallApplications();
    void StopApplications(Ptr<Node> node);
    void StartApplications(Ptr<Node> node);
    void BrokerRestart(const MqttFaultSpec* f);
    void SampleBroker();
    void FinishApplications();
};

// PENDING(ns3 applications): replaced by the MqttBroker / MqttClient glue when they land.
bool
MqttStudyRunner::Impl::InstallApplications()
{
    log << "ns3-mqtt-run: the ns-3 MQTT applications are not in this build yet; only --dry-run "
           "works\n";
    return false;
}

void
MqttStudyRunner::Impl::StopApplications(Ptr<Node>)
{
}

void
MqttStudyRunner::Impl::StartApplications(Ptr<Node>)
{
}

void
MqttStudyRunner::Impl::BrokerRestart(const MqttFaultSpec*)
{
}

void
MqttStudyRunner::Impl::SampleBroker()
{
}

void
MqttStudyRunner::Impl::FinishApplications()
{
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
