/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The shipped radio parameter files (energy/NAME.yaml, doc/device-cost.md): every one loads, the
 * values that have a machine-checkable source match it (ns-3's own defaults for wifi-ns3), and
 * the optional release-assistance timer of cellular files reads as documented.
 */
#include "mqtt-scenario.h"

#include "ns3/double.h"
#include "ns3/type-id.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>

namespace ns3
{
namespace mqtt
{
namespace
{

std::string
EnergyFile(const std::string& name)
{
    return std::string(MQTT_TEST_SOURCE_DIR) + "/energy/" + name + ".yaml";
}

TEST(EnergyFilesTest, EveryShippedFileLoadsWithItsRadio)
{
    const std::pair<const char*, const char*> files[] = {
        {"cc2420", "802.15.4"}, {"nbiot", "cellular"}, {"ltem", "cellular"}, {"wifi-ns3", "wifi"}};
    for (const auto& [name, radio] : files)
    {
        MqttRadioEnergySpec r;
        auto errors = MqttLoadRadioEnergy(EnergyFile(name), &r);
        EXPECT_TRUE(errors.empty()) << name << ": " << (errors.empty() ? "" : errors.front());
        EXPECT_EQ(r.radio, radio) << name;
        EXPECT_GT(r.volts, 0) << name;
    }
    // LTE-M: the nRF9160 timers of its source, no release assistance unless a file says so.
    MqttRadioEnergySpec ltem;
    ASSERT_TRUE(MqttLoadRadioEnergy(EnergyFile("ltem"), &ltem).empty());
    EXPECT_DOUBLE_EQ(ltem.Timer("inactivity"), 10.0);
    EXPECT_DOUBLE_EQ(ltem.Timer("setup"), 3.2);
    EXPECT_DOUBLE_EQ(ltem.Timer("release"), -1.0);
    EXPECT_DOUBLE_EQ(ltem.State("connected"), 0.0238);
}

TEST(EnergyFilesTest, WifiNs3FileHoldsTheFrameworksDefaults)
{
    MqttRadioEnergySpec r;
    ASSERT_TRUE(MqttLoadRadioEnergy(EnergyFile("wifi-ns3"), &r).empty());
    auto initial = [](const char* type, const char* attribute)
    {
        TypeId tid = TypeId::LookupByName(type);
        TypeId::AttributeInformation info;
        EXPECT_TRUE(tid.LookupAttributeByName(attribute, &info)) << type << " " << attribute;
        auto v = DynamicCast<const DoubleValue>(info.initialValue);
        return v ? v->Get() : -1.0;
    };
    EXPECT_DOUBLE_EQ(r.volts, initial("ns3::BasicEnergySource", "BasicEnergySupplyVoltageV"));
    const std::pair<const char*, const char*> states[] = {{"tx", "TxCurrentA"},
                                                          {"rx", "RxCurrentA"},
                                                          {"idle", "IdleCurrentA"},
                                                          {"cca-busy", "CcaBusyCurrentA"},
                                                          {"switching", "SwitchingCurrentA"},
                                                          {"sleep", "SleepCurrentA"}};
    for (const auto& [state, attribute] : states)
    {
        EXPECT_DOUBLE_EQ(r.State(state), initial("ns3::WifiRadioEnergyModel", attribute)) << state;
    }
}

TEST(EnergyFilesTest, ReleaseTimerIsOptionalForCellularRadios)
{
    const std::string base = ::testing::TempDir() + "/release-";
    auto load = [&](const std::string& name, const std::string& timers, MqttRadioEnergySpec* r)
    {
        std::ifstream in(EnergyFile("nbiot"));
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        text += timers;
        const std::string path = base + name + ".yaml";
        std::ofstream(path) << text;
        return MqttLoadRadioEnergy(path, r);
    };
    MqttRadioEnergySpec r;
    EXPECT_TRUE(load("one", "  release: {value: 1s, source: test}\n", &r).empty());
    EXPECT_DOUBLE_EQ(r.Timer("release"), 1.0);
    MqttRadioEnergySpec off;
    EXPECT_TRUE(load("off", "  release: {value: off, source: test}\n", &off).empty());
    EXPECT_DOUBLE_EQ(off.Timer("release"), -1.0);
    MqttRadioEnergySpec bad;
    auto errors = load("bad", "  tail: {value: 1s, source: test}\n", &bad);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find("release-bad.yaml:"), std::string::npos) << errors[0];
    EXPECT_NE(errors[0].find("tail"), std::string::npos) << errors[0];
}

} // namespace
} // namespace mqtt
} // namespace ns3
