/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The HDF5 recorder, without a simulation: rows appended in blocks with flat memory, compound
 * datasets with fixed-size fields that h5py and pandas read as they are, chunked and deflated,
 * attributes, identical bytes for identical input. Files are read back by
 * test/scenario/check-recorder.py under /usr/bin/python3 (h5py, pandas), so that no test
 * includes HDF5 itself.
 */
#include "mqtt-hdf5-recorder.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace ns3::mqtt;

namespace
{

std::string
TempPath(const std::string& name)
{
    return ::testing::TempDir() + "mqtt-recorder-" + name;
}

/** Runs the Python checker on @p file for @p check; returns its exit status. */
int
PythonCheck(const std::string& check, const std::string& file, const std::string& arg = "")
{
    std::string cmd = "/usr/bin/python3 " + std::string(MQTT_TEST_SOURCE_DIR) +
                      "/test/scenario/check-recorder.py " + check + " " + file + " " + arg;
    return std::system(cmd.c_str());
}

std::string
Bytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/**
 * The sample run check-recorder.py knows: two clients, publishes and deliveries whose counts
 * and values it asserts, one of each other row type, small buffers so blocks are appended.
 */
void
WriteSample(const std::string& path, std::size_t bufferRows)
{
    MqttHdf5Recorder::Options o;
    o.bufferRows = bufferRows;
    o.chunkRows = 64;
    std::string error;
    auto r = MqttHdf5Recorder::Create(path, o, &error);
    ASSERT_TRUE(r) << error;
    r->SetAttribute("scenario", std::string("name: sample\nduration: 10s\n"));
    r->SetAttribute("seed", uint64_t(42));
    r->SetAttribute("run", uint64_t(3));
    r->SetAttribute("duration", 10.0);
    MqttClientInfo dev{"sensor-0", "sensors", "device", "sensors-0", 1, true};
    MqttClientInfo back{"cloud-0", "cloud", "backend", "n0", 0, false};
    // A name longer than its field is cut at a UTF-8 boundary: 63 'x' then a 2-byte character.
    MqttClientInfo longName{std::string(63, 'x') + "\xc3\xa9", "g", "device", "n", 0, false};
    EXPECT_EQ(r->AddClient(dev), 0u);
    EXPECT_EQ(r->AddClient(back), 1u);
    EXPECT_EQ(r->AddClient(longName), 2u);
    EXPECT_EQ(r->Topic("sensors/0/telemetry"), 0u);
    EXPECT_EQ(r->Topic("other"), 1u);
    EXPECT_EQ(r->Topic("sensors/0/telemetry"), 0u);
    EXPECT_EQ(r->AddLink({"n0--n1", "backbone", "p2p", "n0", "n1", 100000000, 0.002, 0.0}), 0u);
    for (uint64_t i = 0; i < 1000; ++i)
    {
        MqttPublishRecord p;
        p.time = i * 0.01;
        p.client = 0;
        p.sequence = i;
        p.topic = 0;
        p.qos = 1;
        p.payload = 64;
        r->Record(p);
        if (i % 10 != 9) // every tenth is lost
        {
            MqttDeliveryRecord d;
            d.sent = p.time;
            d.time = p.time + 0.005 + 0.001 * (i % 7);
            d.latency = d.time - d.sent;
            d.subscriber = 1;
            d.publisher = 0;
            d.sequence = i;
            d.qos = 1;
            d.publishQos = 1;
            d.duplicate = i % 100 == 0;
            d.dupFlag = d.duplicate;
            r->Record(d);
        }
    }
    r->Record(MqttSubscriptionRecord{0.1, 1, "sensors/#", 1, 1});
    r->Record(MqttConnectionRecord{0.5, 0, "client", "closed", "KeepAliveTimeout", false, 0});
    r->Record(MqttDropRecord{1.5, 1, 0, 9, 1, "broker", "QueueFull"});
    r->Record(MqttBrokerStatsRecord{1.0, 2, 2, 3, 4, 500, 600, 7, 8, 9, 10});
    r->Record(MqttLinkStatsRecord{1.0, 0, 11, 12, 1300, 1400, 15, 16, 17, false});
    EXPECT_EQ(r->Rows("publishes"), 1000u);
    EXPECT_EQ(r->Rows("deliveries"), 900u);
    EXPECT_LE(r->PeakBufferedRows(), bufferRows);
    ASSERT_TRUE(r->Close(&error)) << error;
}

} // namespace

TEST(Hdf5Recorder, SampleReadsBackInH5pyAndPandas)
{
    std::string path = TempPath("sample.h5");
    WriteSample(path, 100);
    EXPECT_EQ(PythonCheck("sample", path), 0);
}

TEST(Hdf5Recorder, MemoryStaysFlatOnLongRuns)
{
    std::string path = TempPath("long.h5");
    MqttHdf5Recorder::Options o;
    o.bufferRows = 512;
    std::string error;
    auto r = MqttHdf5Recorder::Create(path, o, &error);
    ASSERT_TRUE(r) << error;
    for (uint64_t i = 0; i < 200000; ++i)
    {
        MqttDeliveryRecord d;
        d.time = i * 1e-3;
        d.sequence = i;
        r->Record(d);
    }
    EXPECT_EQ(r->Rows("deliveries"), 200000u);
    EXPECT_EQ(r->PeakBufferedRows(), 512u);
    ASSERT_TRUE(r->Close(&error)) << error;
    EXPECT_EQ(PythonCheck("count", path, "deliveries=200000"), 0);
}

TEST(Hdf5Recorder, SameInputGivesTheSameBytes)
{
    std::string a = TempPath("same-a.h5");
    std::string b = TempPath("same-b.h5");
    WriteSample(a, 100);
    WriteSample(b, 100);
    std::string ba = Bytes(a);
    EXPECT_GT(ba.size(), 0u);
    EXPECT_TRUE(ba == Bytes(b));
}

TEST(Hdf5Recorder, EmptyDatasetsExistAndAreReadable)
{
    std::string path = TempPath("empty.h5");
    std::string error;
    auto r = MqttHdf5Recorder::Create(path, MqttHdf5Recorder::Options(), &error);
    ASSERT_TRUE(r) << error;
    ASSERT_TRUE(r->Close(&error)) << error;
    EXPECT_EQ(PythonCheck("count", path, "publishes=0 deliveries=0 connections=0 drops=0"), 0);
}

TEST(Hdf5Recorder, UnwritablePathIsAnError)
{
    std::string error;
    auto r = MqttHdf5Recorder::Create("/nonexistent-dir/x.h5", MqttHdf5Recorder::Options(), &error);
    EXPECT_FALSE(r);
    EXPECT_EQ(error, "/nonexistent-dir/x.h5: HDF5 cannot create the file");
}
