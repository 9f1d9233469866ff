/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What the simulation tests share: a fixture that destroys the simulator after each test, a star
 * of point-to-point links with the broker in the middle, link loss and cuts, and recorders of the
 * applications' traces.
 */
#ifndef MQTT_SIM_FIXTURE_H
#define MQTT_SIM_FIXTURE_H

#include "mqtt-broker-helper.h"
#include "mqtt-broker.h"
#include "mqtt-client-helper.h"
#include "mqtt-client.h"

#include "ns3/error-model.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/net-device-container.h"
#include "ns3/node-container.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/pointer.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace mqtt_sim
{

using namespace ns3;
using namespace ns3::mqtt;

/** Every simulation test starts from seed 1 run 1 and destroys the simulator at the end. */
class SimTest : public ::testing::Test
{
  protected:
    void
    SetUp() override
    {
        RngSeedManager::SetSeed(1);
        RngSeedManager::SetRun(1);
    }

    void
    TearDown() override
    {
        Simulator::Destroy();
    }
};

/** Devices on their own point-to-point link to the broker node (node 0). */
struct Star
{
    Ptr<Node> broker;
    NodeContainer devices;
    /** The broker's address on device i's link. */
    std::vector<Ipv4Address> brokerAddress;
    /** The two ends of device i's link (0: broker side, 1: device side). */
    std::vector<NetDeviceContainer> links;

    explicit Star(uint32_t n, const std::string& rate = "10Mbps", const std::string& delay = "2ms")
    {
        NodeContainer all;
        all.Create(n + 1);
        broker = all.Get(0);
        InternetStackHelper stack;
        stack.Install(all);
        PointToPointHelper p2p;
        p2p.SetDeviceAttribute("DataRate", StringValue(rate));
        p2p.SetChannelAttribute("Delay", StringValue(delay));
        Ipv4AddressHelper addresses("10.1.0.0", "255.255.255.0");
        for (uint32_t i = 0; i < n; ++i)
        {
            devices.Add(all.Get(i + 1));
            NetDeviceContainer link = p2p.Install(broker, all.Get(i + 1));
            links.push_back(link);
            Ipv4InterfaceContainer interfaces = addresses.Assign(link);
            brokerAddress.push_back(interfaces.GetAddress(0));
            addresses.NewNetwork();
        }
    }

    /** Drops packets of device i's link at @p rate in both directions; returns the models. */
    std::vector<Ptr<RateErrorModel>>
    SetLoss(uint32_t i, double rate) const
    {
        std::vector<Ptr<RateErrorModel>> models;
        for (uint32_t end = 0; end < 2; ++end)
        {
            Ptr<RateErrorModel> model = CreateObject<RateErrorModel>();
            model->SetAttribute("ErrorUnit", StringValue("ERROR_UNIT_PACKET"));
            model->SetRate(rate);
            model->AssignStreams(100 + 2 * i + end);
            links[i].Get(end)->SetAttribute("ReceiveErrorModel", PointerValue(model));
            models.push_back(model);
        }
        return models;
    }

    Ptr<MqttBroker>
    InstallBroker(const MqttBrokerHelper& helper = MqttBrokerHelper()) const
    {
        ApplicationContainer apps = helper.Install(broker);
        apps.Start(Seconds(0));
        return DynamicCast<MqttBroker>(apps.Get(0));
    }

    /** Installs a client on device i, started at @p start. */
    Ptr<MqttClient>
    InstallClient(uint32_t i, MqttClientHelper helper, double start) const
    {
        helper.SetAttribute("BrokerAddress", AddressValue(brokerAddress[i]));
        ApplicationContainer apps = helper.Install(devices.Get(i));
        apps.Start(Seconds(start));
        return DynamicCast<MqttClient>(apps.Get(0));
    }
};

/** A link that drops everything while cut: receive error models at rate 1 on both ends. */
inline void
CutLink(const std::vector<Ptr<RateErrorModel>>& models, bool cut)
{
    for (const Ptr<RateErrorModel>& model : models)
    {
        if (cut)
        {
            model->Enable();
        }
        else
        {
            model->Disable();
        }
    }
}

/** Records what one client receives. */
struct Receiver
{
    std::vector<std::string> topics;
    std::vector<std::string> payloads;
    std::vector<bool> retainFlags;
    /** (publisher, sequence) of stamped messages, with repeats. */
    std::multiset<std::pair<uint64_t, uint64_t>> stamped;
    std::vector<Time> latencies;
    uint64_t duplicates = 0;

    void
    Attach(Ptr<MqttClient> client)
    {
        client->TraceConnectWithoutContext(
            "PublishReceived",
            Callback<void, const MqttEvent&, const MqttPayloadStamp&, Time, bool>(
                [this](const MqttEvent& event,
                       const MqttPayloadStamp& stamp,
                       Time latency,
                       bool duplicate)
                {
                    topics.push_back(event.topic.empty() && event.message ? event.message->topic
                                                                          : event.topic);
                    std::string payload;
                    if (event.message)
                    {
                        payload.assign(event.message->payload.begin(),
                                       event.message->payload.end());
                    }
                    payloads.push_back(payload);
                    retainFlags.push_back(event.retain);
                    if (!latency.IsNegative())
                    {
                        stamped.emplace(stamp.publisher, stamp.sequence);
                        latencies.push_back(latency);
                    }
                    duplicates += duplicate ? 1 : 0;
                }));
    }

    /** Distinct (publisher, sequence) pairs received. */
    std::size_t
    Unique() const
    {
        return std::set<std::pair<uint64_t, uint64_t>>(stamped.begin(), stamped.end()).size();
    }
};

/** A client helper with the usual test settings. */
inline MqttClientHelper
ClientHelper(const std::string& clientId)
{
    MqttClientHelper helper;
    helper.SetAttribute("ClientId", StringValue(clientId));
    return helper;
}

/** "ns3::ConstantRandomVariable[Constant=x]". */
inline StringValue
Constant(double value)
{
    std::ostringstream text;
    text << "ns3::ConstantRandomVariable[Constant=" << value << "]";
    return StringValue(text.str());
}

/** Appends "clientId:reason" to @p closed for every connection @p broker closes. */
inline void
RecordClosedConnections(Ptr<MqttBroker> broker, std::vector<std::string>& closed)
{
    broker->TraceConnectWithoutContext(
        "ConnectionClosed",
        Callback<void, uint64_t, const std::string&, const std::string&>(
            [&closed](uint64_t, const std::string& clientId, const std::string& reason)
            { closed.push_back(clientId + ":" + reason); }));
}

/** Appends the Session Present flag of every CONNACK @p client accepts to @p present. */
inline void
RecordSessionPresent(Ptr<MqttClient> client, std::vector<bool>& present)
{
    client->TraceConnectWithoutContext(
        "Connected",
        Callback<void, bool>([&present](bool sessionPresent)
                             { present.push_back(sessionPresent); }));
}

} // namespace mqtt_sim

#endif // MQTT_SIM_FIXTURE_H
