/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What the two star benchmarks share: options, the topology, the start times and the report
 * line, so the MQTT run and the plain-TCP run differ only in what the nodes run.
 */
#ifndef MQTT_STAR_COMMON_H
#define MQTT_STAR_COMMON_H

#include "ns3/command-line.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/point-to-point-star.h"
#include "ns3/random-variable-stream.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simulator.h"
#include "ns3/string.h"

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace star
{

/** Options of both benchmarks. */
struct StarOptions
{
    uint32_t n = 1000;     //!< spokes (devices)
    uint32_t m = 10;       //!< messages per device
    uint32_t size = 60;    //!< bytes per message (MQTT: payload bytes)
    double interval = 100; //!< ms between messages
    double stop = 20;      //!< simulated seconds
    uint32_t run = 1;      //!< ns-3 run number
    std::string pcap;      //!< pcap file prefix (empty: none)

    void
    Parse(int argc, char** argv)
    {
        ns3::CommandLine cmd;
        cmd.AddValue("n", "devices (spokes of the star)", n);
        cmd.AddValue("m", "messages per device", m);
        cmd.AddValue("size", "bytes per message", size);
        cmd.AddValue("interval", "milliseconds between messages", interval);
        cmd.AddValue("stop", "simulated seconds", stop);
        cmd.AddValue("run", "ns-3 run number", run);
        cmd.AddValue("pcap", "write pcap files PREFIX-*.pcap", pcap);
        cmd.Parse(argc, argv);
        ns3::RngSeedManager::SetSeed(1);
        ns3::RngSeedManager::SetRun(run);
    }
};

/** The star: 100 Mb/s, 5 ms point-to-point links from each device to the hub. */
struct StarTopology
{
    std::unique_ptr<ns3::PointToPointStarHelper> star;
    /** When each device starts, uniform in [0, 1) s, drawn in spoke order. */
    std::vector<double> startSeconds;

    explicit StarTopology(const StarOptions& options)
    {
        ns3::PointToPointHelper link;
        link.SetDeviceAttribute("DataRate", ns3::StringValue("100Mbps"));
        link.SetChannelAttribute("Delay", ns3::StringValue("5ms"));
        star = std::make_unique<ns3::PointToPointStarHelper>(options.n, link);
        ns3::InternetStackHelper stack;
        star->InstallStack(stack);
        star->AssignIpv4Addresses(ns3::Ipv4AddressHelper("10.0.0.0", "255.255.255.252"));
        if (!options.pcap.empty())
        {
            link.EnablePcapAll(options.pcap);
        }
        auto start = ns3::CreateObject<ns3::UniformRandomVariable>();
        start->SetStream(1);
        for (uint32_t i = 0; i < options.n; ++i)
        {
            startSeconds.push_back(start->GetValue(0.0, 1.0));
        }
    }
};

/** Peak resident set (VmHWM) of this process in kB. */
inline long
PeakRssKb()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
    {
        if (line.rfind("VmHWM:", 0) == 0)
        {
            return std::stol(line.substr(6));
        }
    }
    return -1;
}

/** CPU seconds (user + system) this process used: less disturbed by other load than wall time. */
inline double
CpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
           (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

using Clock = std::chrono::steady_clock;

inline double
Elapsed(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration<double>(to - from).count();
}

/** Runs the simulation and prints the one result line ./ns3-mqtt bench star parses. */
template<typename Counts>
void
RunAndReport(const char* name, const StarOptions& options, Clock::time_point begin, Counts counts)
{
    Clock::time_point setup = Clock::now();
    ns3::Simulator::Stop(ns3::Seconds(options.stop));
    ns3::Simulator::Run();
    Clock::time_point end = Clock::now();
    std::cout << std::fixed << std::setprecision(3) << "result " << name << " n=" << options.n
              << " m=" << options.m << " size=" << options.size << " interval=" << options.interval
              << " " << counts() << " events=" << ns3::Simulator::GetEventCount()
              << " setup_s=" << Elapsed(begin, setup) << " run_s=" << Elapsed(setup, end)
              << " wall_s=" << Elapsed(begin, end) << " cpu_s=" << CpuSeconds()
              << " peak_rss_kb=" << PeakRssKb() << std::endl;
    ns3::Simulator::Destroy();
}

} // namespace star

#endif // MQTT_STAR_COMMON_H
