/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Writes a synthetic but plausible results file with the recorder, so that the analysis
 * scripts are tested against what the real writer produces without running a simulation:
 *
 *   mqtt-results-sample OUT.h5 [LOSS] [SEED]
 *
 * 30 QoS 1 meters and 20 QoS 0 trackers publish for 60 s to one backend subscribed to
 * "telemetry/#"; each message is lost with probability LOSS (QoS 0) or delivered late by a
 * retransmission (QoS 1); gateway links go down from 20 s to 30 s, so the clients behind them
 * disconnect; broker and link statistics every second. The `overrides` attribute says
 * "links.access.loss.rate=LOSS", as a --set would, for analysis/compare.py.
 */
#include "mqtt-hdf5-recorder.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using namespace ns3::mqtt;

namespace
{

/** A uniform draw in [0, 1) computed by hand, so the file is the same with any libstdc++. */
double
Uniform(std::mt19937_64& rng)
{
    return (rng() >> 11) * (1.0 / 9007199254740992.0);
}

} // namespace

int
main(int argc, char** argv)
{
    if (argc < 2)
    {
        std::fprintf(stderr, "usage: %s OUT.h5 [LOSS] [SEED]\n", argv[0]);
        return 2;
    }
    double loss = argc > 2 ? std::atof(argv[2]) : 0.05;
    uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;
    std::string error;
    auto r = MqttHdf5Recorder::Create(argv[1], MqttHdf5Recorder::Options(), &error);
    if (!r)
    {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    std::mt19937_64 rng(seed);
    const double duration = 60;
    r->SetAttribute("scenario", std::string("name: sample\nduration: 60s\n"));
    r->SetAttribute("name", std::string("sample"));
    r->SetAttribute("overrides",
                    "links.access.loss.rate=" + std::string(argc > 2 ? argv[2] : "0.05"));
    r->SetAttribute("seed", seed);
    r->SetAttribute("run", uint64_t(1));
    r->SetAttribute("duration", duration);
    r->SetAttribute("broker_profile", std::string("standard"));

    struct Client
    {
        uint32_t index;
        uint8_t qos;
        uint32_t gateway;
    };
    std::vector<Client> devices;
    uint32_t backend = r->AddClient({"cloud-0", "cloud", "backend", "cloud-0", 0, false});
    r->Record(MqttSubscriptionRecord{0.2, backend, "telemetry/#", 1, 1});
    std::vector<uint32_t> links;
    for (uint32_t g = 0; g < 2; ++g)
    {
        std::string gw = "n" + std::to_string(g + 1);
        links.push_back(r->AddLink({"n0--" + gw, "wan", "p2p", "n0", gw, 100000000, 0.01, 0}));
    }
    for (uint32_t i = 0; i < 50; ++i)
    {
        bool meter = i < 30;
        std::string group = meter ? "meters" : "trackers";
        uint32_t id = meter ? i : i - 30;
        std::string name = group + "-" + std::to_string(id);
        uint8_t qos = meter ? 1 : 0;
        uint32_t c = r->AddClient({name, group, "device", name, qos, true});
        devices.push_back({c, qos, i % 2});
        links.push_back(r->AddLink(
            {name, "cellular", "p2p", name, "n" + std::to_string(i % 2 + 1), 256000, 0.04, loss}));
        r->Record(MqttConnectionRecord{0.1 + i * 0.01, c, "client", "opened", "", false, 0});
        r->Record(MqttConnectionRecord{0.2 + i * 0.01, c, "client", "session", "", false, 0});
    }
    // Gateway n2 (index 1) is cut from 20 s to 30 s: its clients lose their connections.
    for (const Client& d : devices)
    {
        if (d.gateway == 1)
        {
            r->Record(MqttConnectionRecord{20 + 1.5 * Uniform(rng),
                                           d.index,
                                           "broker",
                                           "closed",
                                           "KeepAliveTimeout",
                                           false,
                                           0});
            r->Record(MqttConnectionRecord{
                31 + 2 * Uniform(rng), d.index, "client", "session", "", false, 0});
        }
    }
    std::vector<uint64_t> sequence(devices.size(), 0);
    uint64_t delivered = 0;
    uint64_t published = 0;
    double nextStats = 1;
    for (double t = 1; t < duration; t += 0.05)
    {
        for (std::size_t k = 0; k < devices.size(); ++k)
        {
            const Client& d = devices[k];
            if (Uniform(rng) > 0.05 * (d.qos == 1 ? 0.5 : 1.0))
            {
                continue;
            }
            uint64_t seq = sequence[k]++;
            std::string topic = std::string("telemetry/") + (d.qos ? "meters/" : "trackers/") +
                                std::to_string(d.index);
            MqttPublishRecord p;
            p.time = t;
            p.client = d.index;
            p.sequence = seq;
            p.topic = r->Topic(topic);
            p.qos = d.qos;
            p.payload = d.qos ? 64 : 48;
            r->Record(p);
            ++published;
            bool outage = d.gateway == 1 && t >= 20 && t < 30;
            double latency = 0.1 + 0.02 * -std::log(1 - Uniform(rng));
            bool lost = Uniform(rng) < loss;
            if (d.qos == 0 && (lost || outage))
            {
                continue;
            }
            if (d.qos == 1 && (lost || outage))
            {
                latency += outage ? (31 - t) + Uniform(rng) : 1.0; // retransmitted
            }
            MqttDeliveryRecord del;
            del.time = t + latency;
            del.sent = t;
            del.latency = latency;
            del.subscriber = backend;
            del.publisher = d.index;
            del.sequence = seq;
            del.topic = p.topic;
            del.qos = d.qos;
            del.publishQos = d.qos;
            if (del.time < duration)
            {
                r->Record(del);
                ++delivered;
                if (d.qos == 1 && Uniform(rng) < loss / 4) // the PUBACK was lost
                {
                    del.time += 1.0;
                    del.latency += 1.0;
                    del.duplicate = true;
                    del.dupFlag = true;
                    r->Record(del);
                }
            }
        }
        if (t >= nextStats)
        {
            MqttBrokerStatsRecord b;
            b.time = nextStats;
            bool down = nextStats >= 21 && nextStats < 31;
            b.connections = down ? 26 : 51;
            b.sessions = 51;
            b.inflight = static_cast<uint32_t>(3 * Uniform(rng));
            b.queued = down ? 40 + static_cast<uint32_t>(10 * (nextStats - 21)) : 0;
            b.publishesIn = published;
            b.publishesOut = delivered;
            b.bytesIn = published * 80;
            b.bytesOut = delivered * 80;
            b.retransmissions = static_cast<uint64_t>(published * loss / 2);
            r->Record(b);
            for (std::size_t l = 0; l < links.size(); ++l)
            {
                MqttLinkStatsRecord s;
                s.time = nextStats;
                s.link = links[l];
                s.txPackets = static_cast<uint64_t>(nextStats * (l < 2 ? 60 : 3));
                s.rxPackets = static_cast<uint64_t>(s.txPackets * (1 - (l < 2 ? 0 : loss)));
                s.lostPackets = s.txPackets - s.rxPackets;
                s.txBytes = s.txPackets * 100;
                s.rxBytes = s.rxPackets * 100;
                s.queueDepth = static_cast<uint32_t>(4 * Uniform(rng));
                s.up = !(l == 1 && nextStats >= 20 && nextStats < 30);
                r->Record(s);
            }
            nextStats += 1;
        }
    }
    r->Record(MqttDropRecord{25, backend, devices[1].index, 3, 0, "broker", "QosZeroOffline"});
    if (!r->Close(&error))
    {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    return 0;
}
