/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A client group's in-flight window (devices/backends max-inflight, doc/scenarios.md): read from
 * the scenario, 20 without it, its bounds in an error that names the line and the field.
 */
#include "mqtt-scenario-loader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace ns3::mqtt;

namespace
{

/** A scenario whose device group ends with @p extra (line 7 on). */
MqttScenarioLoadResult
Load(const std::string& extra, const std::vector<std::string>& overrides = {})
{
    return MqttScenarioLoader::LoadText("duration: 10s\n"                                  // 1
                                        "topology: {generator: star, nodes: 3, link: l}\n" // 2
                                        "links:\n"                                         // 3
                                        "  l: {type: p2p, rate: 10Mbps, delay: 1ms}\n"     // 4
                                        "devices:\n"                                       // 5
                                        "  d:\n"                                           // 6
                                        "    count: 2\n"                                   // 7
                                        "    attach: leaves\n"                             // 8
                                        "    interval: 1s\n"                               // 9
                                        "    qos: 1\n" +                                   // 10
                                            extra,
                                        "s.yaml",
                                        ".",
                                        overrides);
}

/** Group d's @p field once loaded (as text), or the loader's first error. */
std::string
Field(uint32_t MqttClientGroupSpec::*field,
      const std::string& extra,
      const std::vector<std::string>& overrides = {})
{
    MqttScenarioLoadResult r = Load(extra, overrides);
    return r.scenario ? std::to_string(r.scenario->FindGroup("d")->*field)
                      : "error: " + r.errors.front();
}

} // namespace

TEST(ScenarioClientWindow, MaxInflightIsTheGroupsWindow)
{
    const auto field = &MqttClientGroupSpec::maxInflight;
    EXPECT_EQ(Field(field, ""), "20"); // the client's default
    EXPECT_EQ(Field(field, "    max-inflight: 50\n"), "50");
    EXPECT_EQ(Field(field, "", {"devices.d.max-inflight=65535"}), "65535");
}

TEST(ScenarioClientWindow, OutOfRangeNamesTheLineAndField)
{
    MqttScenarioLoadResult r = Load("    max-inflight: 0\n");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0],
              "s.yaml:11: devices.d.max-inflight: expected an integer from 1 to 65535, got 0");
    r = Load("    max-inflight: 65536\n");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0],
              "s.yaml:11: devices.d.max-inflight: expected an integer from 1 to 65535, got "
              "65536");
}

TEST(ScenarioClientWindow, EndToEndWindowIsReadAndOffWithoutIt)
{
    const auto field = &MqttClientGroupSpec::endToEndWindow;
    EXPECT_EQ(Field(field, ""), "0"); // open loop
    EXPECT_EQ(Field(field, "    end-to-end-window: 256\n"), "256");
    EXPECT_EQ(Field(field, "", {"devices.d.end-to-end-window=3"}), "3");
}

TEST(ScenarioClientWindow, EndToEndWindowOutOfRangeOrWithoutPublishingNamesTheLineAndField)
{
    MqttScenarioLoadResult r = Load("    end-to-end-window: 0\n");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0],
              "s.yaml:11: devices.d.end-to-end-window: expected an integer from 1 to 65535, got "
              "0");
    r = Load("backends:\n"                  // 11
             "  b:\n"                       // 12
             "    attach: leaves\n"         // 13
             "    subscribe: ['#']\n"       // 14
             "    end-to-end-window: 4\n"); // 15
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0],
              "s.yaml:15: backends.b.end-to-end-window: only for a group that publishes (give it "
              "an interval: the time between publishes while the window is open)");
}
