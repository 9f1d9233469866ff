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
 * disconnect; broker and link statistics every second; the account quotas of an AWS IoT Core
 * broker at the end. The `overrides` attribute says
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

/** A device client of the sample. */
struct Device
{
    uint32_t index;
    uint8_t qos;
    uint32_t gateway;
};

/** The sample run, written row by row in the order a run would write them. */
class SampleRun
{
  public:
    SampleRun(MqttHdf5Recorder& recorder, double loss, uint64_t seed)
        : m_r(recorder)
        , m_rng(seed)
        , m_loss(loss)
    {
    }

    /** The backend, its subscription, the links and the devices with their first sessions. */
    void
    AddClients()
    {
        m_backend = m_r.AddClient({"cloud-0", "cloud", "backend", "cloud-0", 0, false});
        m_r.Record(MqttSubscriptionRecord{0.2, m_backend, "telemetry/#", 1, 1});
        for (uint32_t g = 0; g < 2; ++g)
        {
            std::string gw = "n" + std::to_string(g + 1);
            m_links.push_back(
                m_r.AddLink({"n0--" + gw, "wan", "p2p", "n0", gw, 100000000, 0.01, 0}));
        }
        for (uint32_t i = 0; i < 50; ++i)
        {
            bool meter = i < 30;
            std::string group = meter ? "meters" : "trackers";
            uint32_t id = meter ? i : i - 30;
            std::string name = group + "-" + std::to_string(id);
            uint8_t qos = meter ? 1 : 0;
            uint32_t c = m_r.AddClient({name, group, "device", name, qos, true});
            m_devices.push_back({c, qos, i % 2});
            m_links.push_back(m_r.AddLink({name,
                                           "cellular",
                                           "p2p",
                                           name,
                                           "n" + std::to_string(i % 2 + 1),
                                           256000,
                                           0.04,
                                           m_loss}));
            m_r.Record(MqttConnectionRecord{0.1 + i * 0.01, c, "client", "opened", "", false, 0});
            m_r.Record(MqttConnectionRecord{0.2 + i * 0.01, c, "client", "session", "", false, 0});
        }
        m_sequence.assign(m_devices.size(), 0);
    }

    /** Gateway n2 (index 1) is cut from 20 s to 30 s: its clients lose their connections. */
    void
    CutGateway()
    {
        for (const Device& d : m_devices)
        {
            if (d.gateway == 1)
            {
                m_r.Record(MqttConnectionRecord{20 + 1.5 * Uniform(m_rng),
                                                d.index,
                                                "broker",
                                                "closed",
                                                "KeepAliveTimeout",
                                                false,
                                                0});
                m_r.Record(MqttConnectionRecord{
                    31 + 2 * Uniform(m_rng), d.index, "client", "session", "", false, 0});
            }
        }
    }

    /** Publishes every 50 ms until @p duration, with broker and link statistics every second. */
    void
    Traffic(double duration)
    {
        double nextStats = 1;
        for (double t = 1; t < duration; t += 0.05)
        {
            for (std::size_t k = 0; k < m_devices.size(); ++k)
            {
                if (Uniform(m_rng) <= 0.05 * (m_devices[k].qos == 1 ? 0.5 : 1.0))
                {
                    Publish(k, t, duration);
                }
            }
            if (t >= nextStats)
            {
                Stats(nextStats);
                nextStats += 1;
            }
        }
        m_r.Record(
            MqttDropRecord{25, m_backend, m_devices[1].index, 3, 0, "broker", "QosZeroOffline"});
    }

  private:
    /** Device @p k publishes at @p t; the backend receives it unless it is lost. */
    void
    Publish(std::size_t k, double t, double duration)
    {
        const Device& d = m_devices[k];
        uint64_t seq = m_sequence[k]++;
        std::string topic =
            std::string("telemetry/") + (d.qos ? "meters/" : "trackers/") + std::to_string(d.index);
        MqttPublishRecord p;
        p.time = t;
        p.client = d.index;
        p.sequence = seq;
        p.topic = m_r.Topic(topic);
        p.qos = d.qos;
        p.payload = d.qos ? 64 : 48;
        m_r.Record(p);
        ++m_published;
        bool outage = d.gateway == 1 && t >= 20 && t < 30;
        double latency = 0.1 + 0.02 * -std::log(1 - Uniform(m_rng));
        bool lost = Uniform(m_rng) < m_loss;
        if (d.qos == 0 && (lost || outage))
        {
            return;
        }
        if (d.qos == 1 && (lost || outage))
        {
            latency += outage ? (31 - t) + Uniform(m_rng) : 1.0; // retransmitted
        }
        MqttDeliveryRecord del;
        del.time = t + latency;
        del.sent = t;
        del.latency = latency;
        del.subscriber = m_backend;
        del.publisher = d.index;
        del.sequence = seq;
        del.topic = p.topic;
        del.qos = d.qos;
        del.publishQos = d.qos;
        if (del.time >= duration)
        {
            return;
        }
        m_r.Record(del);
        ++m_delivered;
        if (d.qos == 1 && Uniform(m_rng) < m_loss / 4) // the PUBACK was lost
        {
            del.time += 1.0;
            del.latency += 1.0;
            del.duplicate = true;
            del.dupFlag = true;
            m_r.Record(del);
        }
    }

    /** The broker and link samples at @p at. */
    void
    Stats(double at)
    {
        MqttBrokerStatsRecord b;
        b.time = at;
        bool down = at >= 21 && at < 31;
        b.connections = down ? 26 : 51;
        b.sessions = 51;
        b.inflight = static_cast<uint32_t>(3 * Uniform(m_rng));
        b.queued = down ? 40 + static_cast<uint32_t>(10 * (at - 21)) : 0;
        b.publishesIn = m_published;
        b.publishesOut = m_delivered;
        b.bytesIn = m_published * 80;
        b.bytesOut = m_delivered * 80;
        b.retransmissions = static_cast<uint64_t>(m_published * m_loss / 2);
        m_r.Record(b);
        for (std::size_t l = 0; l < m_links.size(); ++l)
        {
            MqttLinkStatsRecord s;
            s.time = at;
            s.link = m_links[l];
            s.txPackets = static_cast<uint64_t>(at * (l < 2 ? 60 : 3));
            s.rxPackets = static_cast<uint64_t>(s.txPackets * (1 - (l < 2 ? 0 : m_loss)));
            s.lostPackets = s.txPackets - s.rxPackets;
            s.txBytes = s.txPackets * 100;
            s.rxBytes = s.rxPackets * 100;
            s.queueDepth = static_cast<uint32_t>(4 * Uniform(m_rng));
            s.up = !(l == 1 && at >= 20 && at < 30);
            m_r.Record(s);
        }
    }

    MqttHdf5Recorder& m_r;
    std::mt19937_64 m_rng;
    double m_loss;
    uint32_t m_backend = 0;
    std::vector<Device> m_devices;
    std::vector<uint32_t> m_links;
    std::vector<uint64_t> m_sequence;
    uint64_t m_published = 0;
    uint64_t m_delivered = 0;
};

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
    const double duration = 60;
    r->SetAttribute("scenario", std::string("name: sample\nduration: 60s\n"));
    r->SetAttribute("name", std::string("sample"));
    r->SetAttribute("overrides",
                    "links.access.loss.rate=" + std::string(argc > 2 ? argv[2] : "0.05"));
    r->SetAttribute("seed", seed);
    r->SetAttribute("run", uint64_t(1));
    r->SetAttribute("duration", duration);
    r->SetAttribute("broker_profile", std::string("aws-iot-core"));
    SampleRun run(*r, loss, seed);
    run.AddClients();
    run.CutGateway();
    run.Traffic(duration);
    // The account's quotas as an AWS IoT Core broker would end the run: 51 clients connect in
    // the first second, about 35 publishes a second come in and go out.
    const MqttAccountQuotaRecord quotas[] = {
        {"account-connect-rate", "rate", 500, 51, 0, 76, 0},
        {"account-publish-in-rate", "rate", 20000, 41, 5, 2000, 0},
        {"account-publish-out-rate", "rate", 20000, 38, 5, 1800, 0},
        {"account-subscribe-rate", "rate", 500, 1, 0, 1, 0},
        {"account-connections", "count", 500000, 51, 0.6, 76, 0},
    };
    for (const MqttAccountQuotaRecord& q : quotas)
    {
        r->Record(q);
    }
    if (!r->Close(&error))
    {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    return 0;
}
