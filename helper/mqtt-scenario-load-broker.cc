/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker section: profile, port, persistence, front ends, profile overrides, and the
 * service model (with the calibration file it names).
 */
#include "mqtt-broker-settings.h"
#include "mqtt-calibration.h"
#include "mqtt-scenario-yaml.h"

namespace ns3
{
namespace mqtt
{
namespace scenario_yaml
{

namespace
{

/** What write-per (in a scenario's service block and in a calibration file) may say. */
const std::vector<std::pair<std::string, MqttServiceWritePer>> WRITE_PER = {
    {"turn", MqttServiceWritePer::Turn},
    {"packet", MqttServiceWritePer::Packet}};

const char*
WritePerName(MqttServiceWritePer w)
{
    return w == MqttServiceWritePer::Packet ? "packet" : "turn";
}

/** What read-per (in a scenario's service block and in a calibration file) may say. */
const std::vector<std::pair<std::string, MqttServiceReadPer>> READ_PER = {
    {"turn", MqttServiceReadPer::Turn},
    {"packet", MqttServiceReadPer::Packet}};

const char*
ReadPerName(MqttServiceReadPer r)
{
    return r == MqttServiceReadPer::Packet ? "packet" : "turn";
}

/** broker.service: "off", or {calibration, cores, input-limit, read-per, write-per, costs}. */
void
ReadService(Map& broker, MqttServiceSpec* service)
{
    Reader& r = broker.R();
    YAML::Node node = broker.Get("service");
    service->given = true;
    if (node.IsScalar())
    {
        if (node.Scalar() != "off")
        {
            broker.Fail("service",
                        "expected off or a map (calibration, cores, input-limit, read-per, "
                        "write-per, costs), got " +
                            node.Scalar());
        }
        service->off = true;
        return;
    }
    Map m(r,
          node,
          "broker.service",
          {"calibration", "cores", "input-limit", "read-per", "write-per", "costs"});
    if (!m.Ok())
    {
        return;
    }
    if (!m.Has("calibration") && !m.Has("cores"))
    {
        r.Error("broker.service",
                &node,
                "expected a calibration or cores (or service: off), got neither");
    }
    m.String("calibration", &service->calibration);
    if (m.Has("calibration") && service->calibration.empty())
    {
        m.Fail("calibration", "expected a calibration name or a file path, got nothing");
    }
    if (m.Has("cores"))
    {
        uint32_t cores = 0;
        m.Unsigned("cores", 1, 4096, &cores);
        service->cores = cores;
    }
    uint64_t limit = 0;
    if (m.ByteSize("input-limit", &limit))
    {
        service->inputLimit = limit;
    }
    if (m.Has("read-per"))
    {
        MqttServiceReadPer readPer = MqttServiceReadPer::Turn;
        m.Enum("read-per", READ_PER, &readPer);
        service->readPer = readPer;
    }
    if (m.Has("write-per"))
    {
        MqttServiceWritePer writePer = MqttServiceWritePer::Turn;
        m.Enum("write-per", WRITE_PER, &writePer);
        service->writePer = writePer;
    }
    if (!m.Has("costs"))
    {
        return;
    }
    Map costs(r, m.Get("costs"), "broker.service.costs", MqttServiceOpNames());
    if (!costs.Ok())
    {
        return;
    }
    for (const auto& kv : m.Get("costs"))
    {
        std::optional<MqttServiceOp> op = MqttServiceOpByName(kv.first.Scalar());
        Picos cost = 0;
        if (op && costs.CpuCost(kv.first.Scalar(), &cost))
        {
            service->costs.emplace_back(*op, cost);
        }
    }
}

void
AddCost(MqttServiceSpec* service, MqttServiceOp op, Picos cost)
{
    service->settings.emplace_back(std::string("service-cost-") + MqttServiceOpName(op),
                                   FormatCpuCost(cost));
}

/**
 * Whether a scenario without a service block gets the default calibration: a self-hosted broker
 * is CPU-bound, a managed one (the AWS profiles) is not from the customer's side (its account
 * quotas bind); service-* keys in broker.overrides are a model given another way.
 */
bool
DefaultToCalibration(const MqttScenario& s)
{
    if (s.broker.profile.rfind("aws-", 0) == 0)
    {
        return false;
    }
    for (const auto& [key, value] : s.broker.overrides)
    {
        if (key.rfind("service-", 0) == 0)
        {
            return false;
        }
    }
    return true;
}

} // namespace

void
ResolveService(Reader& r, MqttScenario* s, const std::string& baseDir)
{
    MqttServiceSpec& service = s->broker.service;
    service.settings.clear();
    if (!service.given && !DefaultToCalibration(*s))
    {
        return;
    }
    if (!service.given)
    {
        service.calibration = MqttServiceSpec::DEFAULT_CALIBRATION;
        service.defaulted = true;
    }
    if (service.off)
    {
        service.settings.emplace_back("service-cores", "0");
        return;
    }
    if (!service.calibration.empty())
    {
        std::optional<std::string> file =
            CalibrationPath(service.calibration, baseDir, DefaultCalibrationDir());
        if (!file)
        {
            r.Error("broker.service.calibration",
                    nullptr,
                    "expected a calibration name (letters, digits, '.', '_', '-') or a path "
                    "with a '/', got " +
                        service.calibration);
            return;
        }
        service.calibrationFile = *file;
        MqttCalibrationLoadResult loaded = LoadCalibrationFile(*file);
        if (!loaded.calibration)
        {
            r.Error("broker.service.calibration",
                    nullptr,
                    "calibration " + service.calibration + " does not load:");
            for (const std::string& e : loaded.errors)
            {
                r.Raw("  " + e);
            }
            return;
        }
        service.settings.emplace_back("service-cores",
                                      std::to_string(loaded.calibration->cores));
        for (const auto& [op, cost] : loaded.calibration->costs)
        {
            AddCost(&service, op, cost);
        }
        // A calibration is self-contained: what its `read` and `write` costs were fitted to go
        // with it.
        service.settings.emplace_back("service-read-per",
                                      ReadPerName(loaded.calibration->readPer));
        service.settings.emplace_back("service-write-per",
                                      WritePerName(loaded.calibration->writePer));
    }
    if (service.cores)
    {
        service.settings.emplace_back("service-cores", std::to_string(*service.cores));
    }
    if (service.inputLimit)
    {
        service.settings.emplace_back("service-input-limit", FormatByteSize(*service.inputLimit));
    }
    if (service.readPer)
    {
        service.settings.emplace_back("service-read-per", ReadPerName(*service.readPer));
    }
    if (service.writePer)
    {
        service.settings.emplace_back("service-write-per", WritePerName(*service.writePer));
    }
    for (const auto& [op, cost] : service.costs)
    {
        AddCost(&service, op, cost);
    }
}

void
ReadBroker(Reader& r, const YAML::Node& node, MqttScenario* s)
{
    Map m(r,
          node,
          "broker",
          {"profile",
           "port",
           "persistence",
           "overrides",
           "front-ends",
           "service",
           "tls",
           "scram-users"});
    if (!m.Ok())
    {
        return;
    }
    ReadBrokerTls(r, m, &s->broker.tls);
    m.String("profile", &s->broker.profile);
    m.Unsigned("port", 1, 65535, &s->broker.port);
    m.Bool("persistence", &s->broker.persistence);
    m.String("scram-users", &s->broker.scramUsers);
    if (m.Has("scram-users") && s->broker.scramUsers.empty())
    {
        m.Fail("scram-users", "expected a SCRAM credentials file (doc/auth.md), got nothing");
    }
    if (m.Has("service"))
    {
        ReadService(m, &s->broker.service);
    }
    if (m.Has("front-ends"))
    {
        // A count, or {count, link}.
        if (m.Get("front-ends").IsMap())
        {
            Map f(r, m.Get("front-ends"), "broker.front-ends", {"count", "link"});
            if (f.Ok())
            {
                f.Unsigned("count", 1, MqttScenario::MAX_FRONT_ENDS, &s->broker.frontEnds);
                f.String("link", &s->broker.frontEndLink);
            }
        }
        else
        {
            m.Unsigned("front-ends", 1, MqttScenario::MAX_FRONT_ENDS, &s->broker.frontEnds);
        }
    }
    if (m.Has("overrides"))
    {
        YAML::Node o = m.Get("overrides");
        if (!o.IsMap())
        {
            r.Error("broker.overrides", &o, "expected a map of profile fields, got " + Describe(o));
            return;
        }
        for (const auto& kv : o)
        {
            std::string key = kv.first.Scalar();
            std::string path = "broker.overrides." + key;
            r.Remember(path, kv.first);
            const MqttBrokerSetting* setting = MqttBrokerSettings::Find(key);
            if (setting != nullptr && setting->type == MqttSettingType::List &&
                kv.second.IsSequence())
            {
                // A list (topic prefixes, name=value User Properties), the same as the
                // comma-separated form.
                std::string joined;
                bool ok = true;
                for (const auto& item : kv.second)
                {
                    if (!item.IsScalar() || item.Scalar().empty() ||
                        item.Scalar().find(',') != std::string::npos)
                    {
                        r.Error(path,
                                &item,
                                std::string(key == "reserved-topic-prefixes"
                                                ? "expected topic prefixes"
                                                : "expected name=value items") +
                                    " (no commas), got " + Describe(item));
                        ok = false;
                        break;
                    }
                    joined += (joined.empty() ? "" : ",") + item.Scalar();
                }
                if (ok)
                {
                    s->broker.overrides.emplace_back(key, joined);
                }
                continue;
            }
            if (!kv.second.IsScalar())
            {
                r.Error(path, &kv.second, "expected a value, got " + Describe(kv.second));
                continue;
            }
            s->broker.overrides.emplace_back(key, kv.second.Scalar());
        }
    }
}

} // namespace scenario_yaml
} // namespace mqtt
} // namespace ns3
