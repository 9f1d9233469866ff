/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Reading calibration files with the scenario loader's YAML reader, so that their errors name
 * the file, the line and the field the same way.
 */
#include "mqtt-calibration.h"

#include "mqtt-scenario-yaml.h"

#include <fstream>
#include <iterator>

#ifndef MQTT_CALIBRATION_DIR
#error "MQTT_CALIBRATION_DIR must name the repository's calibrations/ folder"
#endif

namespace ns3
{
namespace mqtt
{

namespace
{

using namespace scenario_yaml;

void
ReadMeasured(Reader& r, const YAML::Node& node, MqttCalibration* c)
{
    Map m(r, node, "measured", {"date", "machine", "load"});
    if (!m.Ok())
    {
        return;
    }
    m.String("date", &c->date);
    m.String("machine", &c->machine);
    if (m.Has("load"))
    {
        double load = 0;
        m.Real("load", 0, 1e6, "a load average >= 0", &load);
        c->load = load;
    }
}

void
ReadCosts(Reader& r, const YAML::Node& node, MqttCalibration* c)
{
    Map m(r, node, "costs", MqttServiceOpNames());
    if (!m.Ok())
    {
        return;
    }
    for (const auto& kv : node)
    {
        std::optional<MqttServiceOp> op = MqttServiceOpByName(kv.first.Scalar());
        Picos cost = 0;
        if (op && m.CpuCost(kv.first.Scalar(), &cost))
        {
            c->costs.emplace_back(*op, cost);
        }
    }
}

void
ReadFit(Reader& r, const YAML::Node& node, MqttCalibration* c)
{
    Map m(r, node, "fit", {"method", "workloads", "r2"});
    if (!m.Ok())
    {
        return;
    }
    m.String("method", &c->fitMethod);
    if (m.Has("r2"))
    {
        double r2 = 0;
        m.Real("r2", -1e300, 1, "a number up to 1", &r2);
        c->r2 = r2;
    }
    if (!m.Has("workloads"))
    {
        return;
    }
    YAML::Node workloads = m.Get("workloads");
    if (!workloads.IsMap())
    {
        r.Error("fit.workloads", &workloads, "expected a map of workloads, got " +
                                                 Describe(workloads));
        return;
    }
    for (const auto& kv : workloads)
    {
        std::string name = kv.first.Scalar();
        Map w(r, kv.second, "fit.workloads." + name, {"measured-cpu", "predicted-cpu", "residual"});
        if (!w.Ok())
        {
            continue;
        }
        w.Require({"measured-cpu", "predicted-cpu"});
        ScenarioTime measured{0};
        ScenarioTime predicted{0};
        MqttCalibrationWorkload load;
        w.Duration("measured-cpu", &measured);
        w.Duration("predicted-cpu", &predicted);
        w.Number("residual", &load.residual);
        load.measuredCpuSeconds = ToSeconds(measured);
        load.predictedCpuSeconds = ToSeconds(predicted);
        c->workloads[name] = load;
    }
}

} // namespace

MqttServiceCosts
MqttCalibration::Costs() const
{
    MqttServiceCosts out;
    for (const auto& [op, cost] : costs)
    {
        out[op] = cost;
    }
    return out;
}

MqttCalibrationLoadResult
LoadCalibrationText(const std::string& text, const std::string& fileName)
{
    MqttCalibrationLoadResult result;
    YAML::Node root;
    try
    {
        root = YAML::Load(text);
    }
    catch (const YAML::ParserException& e)
    {
        result.errors.push_back(fileName + ":" + std::to_string(e.mark.line + 1) +
                                ": not valid YAML: " + e.msg);
        return result;
    }
    Reader r(fileName);
    MqttCalibration c;
    Map top(r,
            root,
            "",
            {"broker",
             "broker-version",
             "cores",
             "read-per",
             "write-per",
             "measured",
             "costs",
             "fit"});
    if (top.Ok())
    {
        top.Require({"broker", "cores", "costs"});
        top.String("broker", &c.broker);
        top.String("broker-version", &c.brokerVersion);
        top.Unsigned("cores", 1, 4096, &c.cores);
        if (top.Has("read-per"))
        {
            top.Enum("read-per",
                     std::vector<std::pair<std::string, MqttServiceReadPer>>{
                         {"turn", MqttServiceReadPer::Turn},
                         {"packet", MqttServiceReadPer::Packet}},
                     &c.readPer);
        }
        if (top.Has("write-per"))
        {
            top.Enum("write-per",
                     std::vector<std::pair<std::string, MqttServiceWritePer>>{
                         {"turn", MqttServiceWritePer::Turn},
                         {"packet", MqttServiceWritePer::Packet}},
                     &c.writePer);
        }
        if (top.Has("measured"))
        {
            ReadMeasured(r, top.Get("measured"), &c);
        }
        if (top.Has("costs"))
        {
            ReadCosts(r, top.Get("costs"), &c);
        }
        if (top.Has("fit"))
        {
            ReadFit(r, top.Get("fit"), &c);
        }
    }
    result.errors = r.Errors();
    if (result.errors.empty())
    {
        result.calibration = std::move(c);
    }
    return result;
}

MqttCalibrationLoadResult
LoadCalibrationFile(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
    {
        MqttCalibrationLoadResult r;
        r.errors.push_back(path + ": cannot open the calibration file");
        return r;
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return LoadCalibrationText(text, path);
}

std::optional<std::string>
CalibrationPath(const std::string& ref,
                const std::string& scenarioDir,
                const std::string& calibrationDir)
{
    if (ref.find('/') != std::string::npos)
    {
        if (ref[0] == '/' || scenarioDir.empty())
        {
            return ref;
        }
        return scenarioDir + "/" + ref;
    }
    if (ref.empty())
    {
        return std::nullopt;
    }
    for (char ch : ref)
    {
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  ch == '.' || ch == '_' || ch == '-';
        if (!ok)
        {
            return std::nullopt;
        }
    }
    return calibrationDir + "/" + ref + ".yaml";
}

std::string
DefaultCalibrationDir()
{
    return MQTT_CALIBRATION_DIR;
}

} // namespace mqtt
} // namespace ns3
