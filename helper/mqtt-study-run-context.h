/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Inside MqttStudyRunner (not for users): the state of one run and its steps.
 * mqtt-study-runner.cc prepares the run (network, graph file, recorder), plays the faults,
 * samples statistics and shows progress; mqtt-study-apps.cc installs the broker and the
 * clients and turns their traces into records. Object creation and random draws keep the
 * order pinned figures depend on.
 */
#ifndef MQTT_STUDY_RUN_CONTEXT_H
#define MQTT_STUDY_RUN_CONTEXT_H

#include "mqtt-broker.h"
#include "mqtt-client.h"
#include "mqtt-device-bytes.h"
#include "mqtt-end-to-end-window.h"
#include "mqtt-energy-models.h"
#include "mqtt-hdf5-recorder.h"
#include "mqtt-payload-stamp.h"
#include "mqtt-study-runner.h"
#include "mqtt-topology-builder.h"

#include "ns3/random-variable-stream.h"

#include <chrono>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace ns3
{
class WifiNetDevice;

namespace mqtt
{

struct MqttStudyDeviceEnergy;

struct MqttStudyRunner::Impl
{
    using Clock = std::chrono::steady_clock;

    const MqttScenario& s;
    Options o;
    std::ostream& log;
    std::unique_ptr<MqttTopologyBuilder> builder;
    std::unique_ptr<MqttHdf5Recorder> recorder;
    std::string resultsPath;
    std::string graphPath;
    Clock::time_point wallStart;
    double wall = 0;
    uint64_t events = 0;
    double lastProgress = -1;
    int lastDecile = -1;

    // The applications and what the traces need to find rows.
    Ptr<MqttBroker> broker;
    std::vector<Ptr<MqttClient>> apps; //!< by client index
    std::vector<uint8_t> publishQos;   //!< by client index
    std::map<uint64_t, uint32_t> byPublisher;
    std::map<std::string, uint32_t> byClientId;
    std::map<Ptr<Node>, std::vector<Ptr<MqttClient>>> onNode;
    uint64_t bytesIn = 0;
    uint64_t bytesOut = 0;
    uint64_t publishesIn = 0;
    uint64_t publishesOut = 0;
    uint64_t retransmissions = 0;
    uint64_t drops = 0;
    /** Byte accounting per device node: (client index of its first client, accounting). */
    std::vector<std::pair<uint32_t, std::unique_ptr<MqttDeviceBytes>>> deviceBytes;
    /** Radio energy per device of the groups with an energy block (shared_ptr: the type is
     * complete only in mqtt-study-energy.cc, where they are made). */
    std::vector<std::shared_ptr<MqttStudyDeviceEnergy>> energy;
    /** The service model's busy time and the time at the previous broker_service row. */
    Nanos serviceBusy{0};
    Nanos serviceSampled{0};
    /** The closed-loop window of groups with end-to-end-window (null: none has one), and the
     * pending write-off check of each publisher waiting at it. */
    std::unique_ptr<MqttEndToEndWindow> endToEnd;
    std::map<uint64_t, EventId> writeOffChecks;

    Impl(const MqttScenario& scenario, const Options& options, std::ostream& l);

    // --- The run (mqtt-study-runner.cc) ------------------------------------------------------

    bool Run();
    /** Output directory, network, graph file and (unless a dry run) the recorder. */
    bool Prepare();
    bool CreateOutputDir();
    /** Seeds the RNG and builds the network; returns the seconds it took. */
    double BuildNetwork();
    bool WriteGraph();
    /** The results file, with the run's attributes and the links table. */
    bool OpenRecorder();
    void RecordLinks();
    /** Runs the simulation to the scenario's end; the last samples; closes the results. */
    bool Simulate();

    void ScheduleFaults();
    void ScheduleFault(const MqttFaultSpec& f);
    void LinksDown(const MqttFaultSpec* f, bool down);
    void SetLoss(const MqttFaultSpec* f);
    void Crash(const std::string& name, bool crash);

    void Sample();
    void SampleLinks();
    /** Progress: checked every 100 ms of simulated time, printed at most twice a second. */
    void Progress();
    void ShowProgressLine(double sim, double total, double elapsed);

    // --- The ns-3 MQTT applications (mqtt-study-apps.cc) -------------------------------------

    bool InstallApplications();
    void InstallBroker(const MqttBrokerProfile& profile);
    void ConnectBroker();
    /** The start-time variable of every group, each on its own stream. */
    std::map<const MqttClientGroupSpec*, Ptr<RandomVariableStream>> StartTimes() const;
    void InstallClient(uint32_t i, Ptr<RandomVariableStream> start);
    void ConfigureClient(Ptr<MqttClient> app, const MqttBuiltClient& c) const;
    void StopApplications(Ptr<Node> node);
    void StartApplications(Ptr<Node> node);
    void BrokerRestart(const MqttFaultSpec* f);
    void SampleBroker();
    /** A broker_service row, if the broker has a service model (mqtt-study-service.cc). */
    void SampleService();
    /** The service model's totals as file attributes, at the end of the run. */
    void RecordServiceTotals();
    void FinishApplications();
    void ConnectClient(Ptr<MqttClient> app, uint32_t index);
    void ConnectPublishes(Ptr<MqttClient> app, uint32_t i);
    /** tls_handshakes rows of a client over simulated TLS. */
    void ConnectTls(Ptr<MqttClient> app, uint32_t i);
    /** connection_setups rows of every client, TLS or not. */
    void ConnectSetUps(Ptr<MqttClient> app, uint32_t i);
    void ConnectConnections(Ptr<MqttClient> app, uint32_t i);
    void ConnectSubscriptions(Ptr<MqttClient> app, uint32_t i);
    void ConnectDrops(Ptr<MqttClient> app, uint32_t i);
    void OnBrokerEvent(const MqttEvent& e);
    void OnBrokerDrop(const MqttEvent& e);
    /** A broker-side row of /connections for client @p clientId, if it is one of ours. */
    void OnBrokerConnection(const std::string& clientId,
                            const char* event,
                            const std::string& reason,
                            bool sessionPresent);
    // --- Closed-loop publishers (mqtt-study-end-to-end-window.cc) -----------------------------

    /** The window of groups with end-to-end-window: every subscriber counted, gates set. */
    void InstallEndToEndWindow();
    /** Publisher @p publisher (client @p i) waits at its gate: check for a write-off when due. */
    void ScheduleWriteOff(uint64_t publisher, uint32_t i);
    /** The end_to_end_written_off attribute, at the end of the run. */
    void RecordEndToEndWindow();

    // --- Bytes by cause per device (mqtt-study-device-bytes.cc) -------------------------------

    void WatchDeviceBytes();
    /** The /device_bytes rows, at the end of the run. */
    void RecordDeviceBytes();

    // --- Radio energy per device (mqtt-study-energy.cc) ---------------------------------------

    void InstallEnergy();
    void InstallWifiEnergy(MqttStudyDeviceEnergy& d, Ptr<WifiNetDevice> wifi);
    /** The /device_energy and /device_battery rows, at the end of the run. */
    void RecordEnergy();

    void OnDelivery(uint32_t i,
                    const MqttEvent& e,
                    const MqttPayloadStamp& stamp,
                    Time latency,
                    bool duplicate);
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_STUDY_RUN_CONTEXT_H
