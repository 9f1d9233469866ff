/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker's service model in scenario files (broker: service:, doc/scenarios.md) and the
 * calibration files it names (doc/capacity.md): what a block becomes, and one exact error per
 * mistake naming the file, the line and the field.
 */
#include "mqtt-broker-profile.h"
#include "mqtt-calibration.h"
#include "mqtt-scenario-loader.h"

#include <gtest/gtest.h>

using namespace ns3::mqtt;

namespace
{

const std::string DATA = std::string(MQTT_TEST_SOURCE_DIR) + "/test/scenario/data";

/** A scenario with a broker section ending in @p service (lines 10 on). */
std::string
WithService(const std::string& service)
{
    return "duration: 10s\n"                                      // 1
           "topology: {generator: star, nodes: 3, link: l}\n"     // 2
           "links:\n"                                             // 3
           "  l: {type: p2p, rate: 10Mbps, delay: 1ms}\n"         // 4
           "devices:\n"                                           // 5
           "  d: {count: 2, attach: leaves, interval: 1s}\n"      // 6
           "broker:\n"                                            // 7
           "  profile: standard\n"                                // 8
           "  overrides: {service-cores: 5}\n"                    // 9
           + service;
}

/** Loads @p text as if it were DATA/s.yaml (so relative calibration paths resolve there). */
MqttScenarioLoadResult
Load(const std::string& text, const std::vector<std::string>& overrides = {})
{
    return MqttScenarioLoader::LoadText(text, "s.yaml", DATA, overrides);
}

std::string
Errors(const MqttScenarioLoadResult& r)
{
    std::string all;
    for (const std::string& e : r.errors)
    {
        all += e + "\n";
    }
    return all;
}

MqttBrokerProfile
ProfileOf(const std::string& service, const std::vector<std::string>& overrides = {})
{
    MqttScenarioLoadResult r = Load(WithService(service), overrides);
    EXPECT_TRUE(r.scenario) << Errors(r);
    if (!r.scenario)
    {
        return {};
    }
    std::optional<MqttBrokerProfile> p = r.scenario->broker.Profile();
    EXPECT_TRUE(p);
    return p.value_or(MqttBrokerProfile{});
}

} // namespace

// --- Calibration files -------------------------------------------------------------------------

TEST(Calibration, AFileLoadsWithEveryField)
{
    MqttCalibrationLoadResult r = LoadCalibrationFile(DATA + "/calibration-test.yaml");
    ASSERT_TRUE(r.calibration) << r.errors.front();
    const MqttCalibration& c = *r.calibration;
    EXPECT_EQ(c.broker, "test-broker");
    EXPECT_EQ(c.brokerVersion, "0.0");
    EXPECT_EQ(c.cores, 2u);
    EXPECT_EQ(c.readPer, MqttServiceReadPer::Packet);
    EXPECT_EQ(c.writePer, MqttServiceWritePer::Packet);
    EXPECT_EQ(c.date, "2026-12-02");
    EXPECT_EQ(c.machine, "none (test data)");
    EXPECT_EQ(c.load, 0.5);
    MqttServiceCosts costs = c.Costs();
    EXPECT_EQ(costs[MqttServiceOp::Accept], 9'000'000u);
    EXPECT_EQ(costs[MqttServiceOp::Connect], 14'200'000u);
    EXPECT_EQ(costs[MqttServiceOp::PublishQos0], 2'100'000u);
    EXPECT_EQ(costs[MqttServiceOp::ByteIn], 400u);
    EXPECT_EQ(costs[MqttServiceOp::Match], 0u); // not in the file
    EXPECT_EQ(c.costs.size(), 6u);
    EXPECT_EQ(c.fitMethod, "none: test data");
    ASSERT_EQ(c.workloads.count("connect-storm"), 1u);
    EXPECT_DOUBLE_EQ(c.workloads.at("connect-storm").measuredCpuSeconds, 1.23);
    EXPECT_DOUBLE_EQ(c.workloads.at("connect-storm").predictedCpuSeconds, 1.2);
    EXPECT_DOUBLE_EQ(c.workloads.at("connect-storm").residual, -0.024);
    EXPECT_EQ(c.r2, 0.998);
}

TEST(Calibration, ErrorsNameTheFileLineAndField)
{
    MqttCalibrationLoadResult r = LoadCalibrationFile(DATA + "/calibration-bad.yaml");
    EXPECT_FALSE(r.calibration);
    const std::string file = DATA + "/calibration-bad.yaml";
    ASSERT_EQ(r.errors.size(), 2u);
    EXPECT_EQ(r.errors[0].rfind(file + ":6: costs.publish-qos7: unknown field (expected one of: "
                                       "accept, connect, publish-qos0, ",
                                0),
              0u)
        << r.errors[0];
    EXPECT_EQ(r.errors[1],
              file + ":7: costs.delivery: expected a CPU time like 3.5us or 0.4ns, got fast");

    r = LoadCalibrationText("broker: x\ncosts: {}\n", "c.yaml");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0], "c.yaml:1: missing required field 'cores'");
    r = LoadCalibrationText("broker: x\ncores: 0\ncosts: {}\n", "c.yaml");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0], "c.yaml:2: cores: expected an integer from 1 to 4096, got 0");
    r = LoadCalibrationText("broker: x\ncores: 1\nread-per: syscall\ncosts: {}\n", "c.yaml");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0], "c.yaml:3: read-per: expected one of turn, packet, got syscall");
    r = LoadCalibrationText("broker: x\ncores: 1\ncosts: {}\n", "c.yaml");
    ASSERT_TRUE(r.calibration);
    EXPECT_EQ(r.calibration->readPer, MqttServiceReadPer::Turn); // the default
    r = LoadCalibrationText("broker: [x\n", "c.yaml");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].rfind("c.yaml:", 0), 0u) << r.errors[0];
    EXPECT_NE(r.errors[0].find("not valid YAML"), std::string::npos) << r.errors[0];
    r = LoadCalibrationFile("/nonexistent/c.yaml");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0], "/nonexistent/c.yaml: cannot open the calibration file");
}

TEST(Calibration, ANameIsInTheRepositoryAPathNextToTheScenario)
{
    EXPECT_EQ(CalibrationPath("mosquitto", "/s", "/repo/calibrations"),
              "/repo/calibrations/mosquitto.yaml");
    EXPECT_EQ(CalibrationPath("cal/x.yaml", "/s", "/repo/calibrations"), "/s/cal/x.yaml");
    EXPECT_EQ(CalibrationPath("./x.yaml", "/s", "/repo/calibrations"), "/s/./x.yaml");
    EXPECT_EQ(CalibrationPath("/abs/x.yaml", "/s", "/repo/calibrations"), "/abs/x.yaml");
    EXPECT_FALSE(CalibrationPath("my broker", "/s", "/repo/calibrations"));
    EXPECT_FALSE(CalibrationPath("", "/s", "/repo/calibrations"));
    EXPECT_EQ(DefaultCalibrationDir(), std::string(MQTT_TEST_SOURCE_DIR) + "/calibrations");
}

// --- broker: service: --------------------------------------------------------------------------

TEST(ScenarioService, WithoutTheBlockTheProfileAndOverridesDecide)
{
    MqttScenarioLoadResult r = Load(WithService(""));
    ASSERT_TRUE(r.scenario) << Errors(r);
    EXPECT_FALSE(r.scenario->broker.service.given);
    EXPECT_EQ(r.scenario->broker.Profile()->service.cores, 5u); // broker.overrides
}

TEST(ScenarioService, WithoutTheBlockASelfHostedBrokerHasTheOursCalibration)
{
    const std::string text = "duration: 10s\n"
                             "topology: {generator: star, nodes: 3, link: l}\n"
                             "links:\n"
                             "  l: {type: p2p, rate: 10Mbps, delay: 1ms}\n"
                             "devices:\n"
                             "  d: {count: 2, attach: leaves, interval: 1s}\n"
                             "broker:\n"
                             "  profile: PROFILE\n";
    auto load = [&text](const std::string& profile)
    {
        std::string t = text;
        t.replace(t.find("PROFILE"), 7, profile);
        return Load(t);
    };
    MqttCalibrationLoadResult ours =
        LoadCalibrationFile(DefaultCalibrationDir() + "/ours.yaml");
    ASSERT_TRUE(ours.calibration);
    MqttScenarioLoadResult r = load("standard");
    ASSERT_TRUE(r.scenario) << Errors(r);
    EXPECT_TRUE(r.scenario->broker.service.defaulted);
    EXPECT_EQ(r.scenario->broker.service.calibrationFile, DefaultCalibrationDir() + "/ours.yaml");
    MqttBrokerProfile p = *r.scenario->broker.Profile();
    EXPECT_EQ(p.service.cores, ours.calibration->cores);
    EXPECT_GT(p.service.cores, 0u);
    for (const auto& [op, cost] : ours.calibration->costs)
    {
        EXPECT_EQ(p.service.costs[op], cost) << MqttServiceOpName(op);
    }
    EXPECT_EQ(p.service.inputLimit, 4u << 20);

    // A managed broker (the AWS profiles) is not CPU-bound from the customer's side.
    for (const char* aws : {"aws-iot-core", "aws-iot-core-2021"})
    {
        r = load(aws);
        ASSERT_TRUE(r.scenario) << Errors(r);
        EXPECT_FALSE(r.scenario->broker.service.defaulted);
        EXPECT_EQ(r.scenario->broker.Profile()->service.cores, 0u) << aws;
    }
}

TEST(ScenarioService, OffTurnsTheModelOff)
{
    EXPECT_EQ(ProfileOf("  service: off\n").service.cores, 0u);
}

TEST(ScenarioService, ACalibrationGivesCoresAndCostsAndTheBlockOverridesThem)
{
    MqttBrokerProfile p = ProfileOf("  service: {calibration: ./calibration-test.yaml}\n");
    EXPECT_EQ(p.service.cores, 2u);
    EXPECT_EQ(p.service.inputLimit, 4u << 20); // the default
    EXPECT_EQ(p.service.costs[MqttServiceOp::Connect], 14'200'000u);
    EXPECT_EQ(p.service.costs[MqttServiceOp::ByteIn], 400u);
    EXPECT_EQ(p.service.writePer, MqttServiceWritePer::Packet); // the calibration's
    EXPECT_EQ(p.service.readPer, MqttServiceReadPer::Packet);   // the calibration's

    p = ProfileOf("  service:\n"
                  "    calibration: ./calibration-test.yaml\n"
                  "    cores: 8\n"
                  "    input-limit: 256KiB\n"
                  "    read-per: turn\n"
                  "    write-per: turn\n"
                  "    costs: {connect: 20us, match: 0.25us}\n");
    EXPECT_EQ(p.service.readPer, MqttServiceReadPer::Turn);
    EXPECT_EQ(p.service.writePer, MqttServiceWritePer::Turn);
    EXPECT_EQ(p.service.cores, 8u);
    EXPECT_EQ(p.service.inputLimit, 256u << 10);
    EXPECT_EQ(p.service.costs[MqttServiceOp::Connect], 20'000'000u);
    EXPECT_EQ(p.service.costs[MqttServiceOp::Match], 250'000u);
    EXPECT_EQ(p.service.costs[MqttServiceOp::Accept], 9'000'000u); // the calibration's
}

TEST(ScenarioService, CoresAndCostsWithoutACalibration)
{
    MqttBrokerProfile p = ProfileOf("  service: {cores: 1, costs: {publish-qos1: 100us}}\n");
    EXPECT_EQ(p.service.cores, 1u);
    EXPECT_EQ(p.service.costs[MqttServiceOp::PublishQos1], 100'000'000u);
    EXPECT_EQ(p.service.costs[MqttServiceOp::Connect], 0u);
}

TEST(ScenarioService, SetReachesTheBlock)
{
    MqttBrokerProfile p = ProfileOf("  service: {cores: 1}\n",
                                    {"broker.service.cores=4",
                                     "broker.service.costs.delivery=2us"});
    EXPECT_EQ(p.service.cores, 4u);
    EXPECT_EQ(p.service.costs[MqttServiceOp::Delivery], 2'000'000u);
}

TEST(ScenarioServiceErrors, EachMistakeNamesTheLineAndField)
{
    auto one = [](const std::string& service)
    {
        MqttScenarioLoadResult r = Load(WithService(service));
        EXPECT_EQ(r.errors.size(), 1u) << Errors(r);
        return r.errors.empty() ? std::string() : r.errors[0];
    };
    EXPECT_EQ(one("  service: on\n"),
              "s.yaml:10: broker.service: expected off or a map (calibration, cores, "
              "input-limit, read-per, write-per, costs), got on");
    EXPECT_EQ(one("  service: {}\n"),
              "s.yaml:10: broker.service: expected a calibration or cores (or service: off), got "
              "neither");
    EXPECT_EQ(one("  service:\n    cores: 0\n"),
              "s.yaml:11: broker.service.cores: expected an integer from 1 to 4096, got 0");
    EXPECT_EQ(one("  service:\n    cores: 1\n    input-limit: 4MB\n"),
              "s.yaml:12: broker.service.input-limit: expected a size like 4MiB or 65536, got 4MB");
    EXPECT_EQ(one("  service:\n    cores: 1\n    costs:\n      conect: 1us\n"),
              "s.yaml:13: broker.service.costs.conect: unknown field (expected one of: accept, "
              "connect, publish-qos0, publish-qos1, publish-qos2, ack, subscribe, filter, "
              "unsubscribe, pingreq, disconnect, match, delivery, byte-in, byte-out, "
              "tls-handshake, read, write, wait, wakeup, auth)");
    EXPECT_EQ(one("  service:\n    cores: 1\n    costs:\n      connect: 1\n"),
              "s.yaml:13: broker.service.costs.connect: expected a CPU time like 3.5us or 0.4ns, "
              "got 1");
    EXPECT_EQ(one("  service:\n    cores: 1\n    speed: 2\n"),
              "s.yaml:12: broker.service.speed: unknown field (expected one of: calibration, "
              "cores, input-limit, read-per, write-per, costs)");
    EXPECT_EQ(one("  service:\n    cores: 1\n    write-per: call\n"),
              "s.yaml:12: broker.service.write-per: expected one of turn, packet, got call");
    EXPECT_EQ(one("  service:\n    cores: 1\n    input-limit: 1MiB\n    read-per: recv\n"),
              "s.yaml:13: broker.service.read-per: expected one of turn, packet, got recv");
    EXPECT_EQ(one("  service:\n    calibration: my broker\n"),
              "s.yaml:11: broker.service.calibration: expected a calibration name (letters, "
              "digits, '.', '_', '-') or a path with a '/', got my broker");
}

TEST(ScenarioServiceErrors, ACalibrationThatDoesNotLoadSaysWhy)
{
    MqttScenarioLoadResult r =
        Load(WithService("  service:\n    calibration: ./calibration-bad.yaml\n"));
    ASSERT_EQ(r.errors.size(), 3u) << Errors(r);
    EXPECT_EQ(r.errors[0],
              "s.yaml:11: broker.service.calibration: calibration ./calibration-bad.yaml does "
              "not load:");
    EXPECT_EQ(r.errors[2],
              "  " + DATA +
                  "/./calibration-bad.yaml:7: costs.delivery: expected a CPU time like 3.5us or "
                  "0.4ns, got fast");

    r = Load(WithService("  service: {calibration: no-such-broker}\n"));
    ASSERT_EQ(r.errors.size(), 2u) << Errors(r);
    EXPECT_EQ(r.errors[0],
              "s.yaml:10: broker.service.calibration: calibration no-such-broker does not load:");
    EXPECT_EQ(r.errors[1],
              "  " + DefaultCalibrationDir() +
                  "/no-such-broker.yaml: cannot open the calibration file");
}
