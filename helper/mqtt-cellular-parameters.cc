/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-cellular-parameters.h"

namespace ns3
{
namespace mqtt
{

MqttCellularParameters
MqttCellularParametersOf(const MqttRadioEnergySpec& r, double bps)
{
    MqttCellularParameters p;
    p.txWatts = r.State("tx");
    p.rxWatts = r.State("rx");
    p.connectedWatts = r.State("connected");
    p.setupWatts = r.State("setup");
    p.idleWatts = r.State("idle");
    p.psmWatts = r.State("psm");
    p.setupSeconds = r.Timer("setup");
    p.inactivitySeconds = r.Timer("inactivity");
    p.activeSeconds = r.Timer("active");
    // The loader gives every cellular file a release timer: -1 (none) unless the file has one.
    p.releaseSeconds = r.Timer("release");
    p.uplinkBps = bps;
    p.downlinkBps = bps;
    return p;
}

} // namespace mqtt
} // namespace ns3
