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

} // namespace

TEST(ScenarioClientWindow, MaxInflightIsTheGroupsWindow)
{
    MqttScenarioLoadResult r = Load("");
    ASSERT_TRUE(r.scenario) << r.errors.front();
    EXPECT_EQ(r.scenario->FindGroup("d")->maxInflight, 20u); // the client's default
    r = Load("    max-inflight: 50\n");
    ASSERT_TRUE(r.scenario) << r.errors.front();
    EXPECT_EQ(r.scenario->FindGroup("d")->maxInflight, 50u);
    r = Load("", {"devices.d.max-inflight=65535"});
    ASSERT_TRUE(r.scenario) << r.errors.front();
    EXPECT_EQ(r.scenario->FindGroup("d")->maxInflight, 65535u);
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
    MqttScenarioLoadResult r = Load("");
    ASSERT_TRUE(r.scenario) << r.errors.front();
    EXPECT_EQ(r.scenario->FindGroup("d")->endToEndWindow, 0u); // open loop
    r = Load("    end-to-end-window: 256\n");
    ASSERT_TRUE(r.scenario) << r.errors.front();
    EXPECT_EQ(r.scenario->FindGroup("d")->endToEndWindow, 256u);
    r = Load("", {"devices.d.end-to-end-window=3"});
    ASSERT_TRUE(r.scenario) << r.errors.front();
    EXPECT_EQ(r.scenario->FindGroup("d")->endToEndWindow, 3u);
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
