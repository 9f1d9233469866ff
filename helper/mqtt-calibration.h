/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A calibration file: the CPU cost per operation of a real broker, fitted from measurements on
 * one machine (written by ./ns3-mqtt calibrate, read by a scenario's broker: service: block).
 * The format is in doc/capacity.md, "Calibration", "The file".
 */
#ifndef MQTT_CALIBRATION_H
#define MQTT_CALIBRATION_H

#include "mqtt-service-costs.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** One workload of the fit: the broker's measured CPU time and what the costs predict. */
struct MqttCalibrationWorkload
{
    double measuredCpuSeconds = 0;
    double predictedCpuSeconds = 0;
    /** (predicted - measured) / measured, as the file states it. */
    double residual = 0;
};

struct MqttCalibration
{
    /** ours, mosquitto, or the command calibrated. */
    std::string broker;
    std::string brokerVersion;
    /** Cores the real broker used. */
    uint32_t cores = 1;
    /** measured: date, machine and load average. */
    std::string date;
    std::string machine;
    std::optional<double> load;
    /**
     * read-per: what the `read` cost was fitted to, a read of up to 64 KiB per connection per
     * turn (turn, the default) or one packet read (packet: mosquitto); service-read-per.
     */
    MqttServiceReadPer readPer = MqttServiceReadPer::Turn;
    /**
     * write-per: what the `write` cost was fitted to, a flush per connection per turn (turn, the
     * default) or a write per outbound packet (packet: mosquitto); service-write-per.
     */
    MqttServiceWritePer writePer = MqttServiceWritePer::Turn;
    /** Each cost the file gives, in file order (the others are 0). */
    std::vector<std::pair<MqttServiceOp, Picos>> costs;
    /** fit: method, workloads by name, r2 (absent: not stated). */
    std::string fitMethod;
    std::map<std::string, MqttCalibrationWorkload> workloads;
    std::optional<double> r2;

    /** The costs as the service model holds them. */
    MqttServiceCosts Costs() const;
};

struct MqttCalibrationLoadResult
{
    std::optional<MqttCalibration> calibration;
    /** "FILE:LINE: FIELD: MESSAGE", one per problem; empty when the file loaded. */
    std::vector<std::string> errors;
};

/** Reads calibration file @p path. */
MqttCalibrationLoadResult LoadCalibrationFile(const std::string& path);

/** Reads a calibration from @p text; @p fileName names it in errors. */
MqttCalibrationLoadResult LoadCalibrationText(const std::string& text,
                                              const std::string& fileName);

/**
 * The file a scenario's "calibration: @p ref" names: a name without '/' ("mosquitto") is
 * @p calibrationDir/NAME.yaml (the repository's calibrations/ folder); anything with a '/' is a
 * path, relative to @p scenarioDir unless absolute. Nothing when a name has characters other
 * than letters, digits, '.', '_' and '-'.
 */
std::optional<std::string> CalibrationPath(const std::string& ref,
                                           const std::string& scenarioDir,
                                           const std::string& calibrationDir);

/** The repository's calibrations/ folder (where "calibration: NAME" looks). */
std::string DefaultCalibrationDir();

} // namespace mqtt
} // namespace ns3

#endif // MQTT_CALIBRATION_H
