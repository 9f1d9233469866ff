/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The study's radio energy per device (doc/device-cost.md): for each device of a group with an
 * energy block, the model of its radio driven by its node's device, written to /device_energy
 * and /device_battery at the end of the run. Cellular (point-to-point) devices: the RRC state
 * model on the device's frames; 802.15.4 devices: the PHY's state changes; Wi-Fi devices:
 * ns-3's energy framework (BasicEnergySource and WifiRadioEnergyModel), with the same states
 * accounted from the PHY's state trace beside it.
 */
#include "mqtt-cellular-parameters.h"
#include "mqtt-study-run-context.h"
#include "mqtt-units.h"

#include "ns3/basic-energy-source-helper.h"
#include "ns3/data-rate.h"
#include "ns3/double.h"
#include "ns3/fatal-error.h"
#include "ns3/lr-wpan-net-device.h"
#include "ns3/lr-wpan-phy.h"
#include "ns3/node.h"
#include "ns3/packet.h"
#include "ns3/point-to-point-net-device.h"
#include "ns3/simulator.h"
#include "ns3/wifi-net-device.h"
#include "ns3/wifi-phy-state-helper.h"
#include "ns3/wifi-phy.h"
#include "ns3/wifi-radio-energy-model-helper.h"
#include "ns3/wifi-radio-energy-model.h"

#include <algorithm>
#include <set>

namespace ns3
{
namespace mqtt
{

/** One device's energy model and what it is driven by. */
struct MqttStudyDeviceEnergy
{
    uint32_t client = 0;
    const MqttEnergySpec* spec = nullptr;
    std::unique_ptr<MqttCellularEnergy> cellular;
    std::unique_ptr<MqttStateEnergy> states;
    /** Wi-Fi: the PHY whose state is current at the end, and its state indices. */
    Ptr<WifiPhy> wifiPhy;
    double wifiLogged = 0; //!< seconds the PHY's State trace has reported
    double end = 0;        //!< end of the run (a transmission may be reported beyond it)
    Ptr<WifiRadioEnergyModel> framework;
};

namespace
{

// Our state indices of a Wi-Fi radio, the order of energy/wifi-*.yaml.
const std::vector<std::string> WIFI_STATES = {"tx", "rx", "idle", "cca-busy", "switching", "sleep"};
const std::vector<std::string> LOWPAN_STATES = {"tx", "rx", "idle", "sleep"};

/** Watts of each state: amperes times the radio's voltage. */
std::vector<double>
Watts(const MqttRadioEnergySpec& r, const std::vector<std::string>& names)
{
    std::vector<double> w;
    for (const auto& n : names)
    {
        w.push_back(r.State(n) * r.volts);
    }
    return w;
}

std::size_t
WifiIndex(WifiPhyState s)
{
    switch (s)
    {
    case WifiPhyState::TX:
        return 0;
    case WifiPhyState::RX:
        return 1;
    case WifiPhyState::CCA_BUSY:
        return 3;
    case WifiPhyState::SWITCHING:
        return 4;
    case WifiPhyState::SLEEP:
    case WifiPhyState::OFF:
        return 5;
    case WifiPhyState::IDLE:
    default:
        return 2;
    }
}

std::size_t
LowPanIndex(LrWpanPhyEnumeration s)
{
    switch (s)
    {
    case IEEE_802_15_4_PHY_TX_ON:
    case IEEE_802_15_4_PHY_BUSY_TX:
        return 0;
    case IEEE_802_15_4_PHY_RX_ON:
    case IEEE_802_15_4_PHY_BUSY_RX:
        return 1;
    default: // TRX_OFF, FORCE_TRX_OFF and the transitions: the oscillator runs
        return 2;
    }
}

void
CellularFrame(MqttCellularEnergy* e, bool tx, Ptr<const ns3::Packet> p)
{
    e->OnFrame(Simulator::Now().GetSeconds(), tx, p->GetSize());
}

void
LowPanState(MqttStateEnergy* e, Time t, LrWpanPhyEnumeration, LrWpanPhyEnumeration state)
{
    e->Enter(LowPanIndex(state), t.GetSeconds());
}

/** A period of one Wi-Fi PHY state, reported when it ended. */
void
WifiState(MqttStudyDeviceEnergy* d, Time start, Time duration, WifiPhyState state)
{
    double from = std::min(start.GetSeconds(), d->end);
    double to = std::min((start + duration).GetSeconds(), d->end);
    d->states->Enter(WifiIndex(state), from);
    d->states->Enter(WifiIndex(state), to);
    d->wifiLogged = to;
}

} // namespace

void
MqttStudyRunner::Impl::InstallEnergy()
{
    std::set<Ptr<Node>> done;
    for (uint32_t i = 0; i < builder->Clients().size(); ++i)
    {
        const MqttBuiltClient& c = builder->Clients()[i];
        if (!c.group->energy || !done.insert(c.node).second)
        {
            continue;
        }
        auto d = std::make_shared<MqttStudyDeviceEnergy>();
        d->client = i;
        d->spec = &*c.group->energy;
        d->end = ToSeconds(s.duration);
        const MqttRadioEnergySpec& r = d->spec->radio;
        for (uint32_t k = 0; k < c.node->GetNDevices(); ++k)
        {
            Ptr<NetDevice> dev = c.node->GetDevice(k);
            if (auto p2p = DynamicCast<PointToPointNetDevice>(dev); p2p && r.radio == "cellular")
            {
                DataRateValue rate;
                p2p->GetAttribute("DataRate", rate);
                MqttCellularParameters p =
                    MqttCellularParametersOf(r, double(rate.Get().GetBitRate()));
                d->cellular = std::make_unique<MqttCellularEnergy>(p);
                p2p->TraceConnectWithoutContext(
                    "MacTx", MakeBoundCallback(&CellularFrame, d->cellular.get(), true));
                p2p->TraceConnectWithoutContext(
                    "MacRx", MakeBoundCallback(&CellularFrame, d->cellular.get(), false));
            }
            else if (auto lr = DynamicCast<LrWpanNetDevice>(dev); lr && r.radio == "802.15.4")
            {
                d->states =
                    std::make_unique<MqttStateEnergy>(LOWPAN_STATES, Watts(r, LOWPAN_STATES), 2);
                if (!lr->GetPhy()->TraceConnectWithoutContext(
                        "TrxState", MakeBoundCallback(&LowPanState, d->states.get())))
                {
                    NS_FATAL_ERROR("LrWpanPhy has no TrxState trace source");
                }
            }
            else if (auto wifi = DynamicCast<WifiNetDevice>(dev); wifi && r.radio == "wifi")
            {
                InstallWifiEnergy(*d, wifi);
            }
        }
        energy.push_back(std::move(d));
    }
}

void
MqttStudyRunner::Impl::InstallWifiEnergy(MqttStudyDeviceEnergy& d, Ptr<WifiNetDevice> wifi)
{
    const MqttRadioEnergySpec& r = d.spec->radio;
    // ns-3's framework as its helpers install it: a source that does not run dry during the
    // run (battery life is computed from the energy used, not simulated), the radio model.
    // Not more than it needs: the model schedules its switch off at the time the remaining
    // energy lasts, and 1e12 J overflowed ns-3's Time (the radio went off after 1.15 s).
    double maxWatts = 0;
    for (const auto& [state, amperes] : r.states)
    {
        maxWatts = std::max(maxWatts, amperes * r.volts);
    }
    BasicEnergySourceHelper sourceHelper;
    sourceHelper.Set("BasicEnergySupplyVoltageV", DoubleValue(r.volts));
    sourceHelper.Set("BasicEnergySourceInitialEnergyJ",
                     DoubleValue(10 * maxWatts * ToSeconds(s.duration) + 1));
    EnergySourceContainer sources = sourceHelper.Install(wifi->GetNode());
    WifiRadioEnergyModelHelper radioHelper;
    radioHelper.Set("TxCurrentA", DoubleValue(r.State("tx")));
    radioHelper.Set("RxCurrentA", DoubleValue(r.State("rx")));
    radioHelper.Set("IdleCurrentA", DoubleValue(r.State("idle")));
    radioHelper.Set("CcaBusyCurrentA", DoubleValue(r.State("cca-busy")));
    radioHelper.Set("SwitchingCurrentA", DoubleValue(r.State("switching")));
    radioHelper.Set("SleepCurrentA", DoubleValue(r.State("sleep")));
    DeviceEnergyModelContainer models = radioHelper.Install(wifi, sources.Get(0));
    auto model = DynamicCast<WifiRadioEnergyModel>(models.Get(0));
    Ptr<WifiPhy> phy = wifi->GetPhy();
    d.framework = model;
    // Our accounting of the same states, from the PHY's state trace.
    d.states = std::make_unique<MqttStateEnergy>(WIFI_STATES, Watts(r, WIFI_STATES), 2);
    d.wifiPhy = phy;
    phy->GetState()->TraceConnectWithoutContext("State", MakeBoundCallback(&WifiState, &d));
}

void
MqttStudyRunner::Impl::RecordEnergy()
{
    const double end = Simulator::Now().GetSeconds();
    for (auto& d : energy)
    {
        std::vector<MqttStateTotal> totals;
        double joules = 0;
        uint32_t setups = 0;
        if (d->cellular)
        {
            d->cellular->Finish(end);
            totals = d->cellular->Totals();
            joules = d->cellular->Joules();
            setups = static_cast<uint32_t>(d->cellular->Setups());
        }
        else if (d->states)
        {
            if (d->wifiPhy)
            {
                // The state the PHY is in now began where its trace last reported.
                d->states->Enter(WifiIndex(d->wifiPhy->GetState()->GetState()), d->wifiLogged);
            }
            d->states->Finish(end);
            totals = d->states->Totals();
            joules = d->states->Joules();
        }
        else
        {
            continue; // no device of its radio on the node (the loader checks the link type)
        }
        const MqttEnergySpec& spec = *d->spec;
        for (const auto& t : totals)
        {
            recorder->Record(
                MqttDeviceEnergyRecord{d->client, spec.radio.radio, t.state, t.seconds, t.joules});
        }
        MqttDeviceBatteryRecord b;
        b.client = d->client;
        b.radio = spec.radio.radio;
        b.joules = joules;
        b.frameworkJoules = d->framework ? d->framework->GetTotalEnergyConsumption() : joules;
        b.batteryMah = spec.batteryMah;
        b.volts = spec.batteryVolts;
        b.setups = setups;
        recorder->Record(b);
    }
}

} // namespace mqtt
} // namespace ns3
