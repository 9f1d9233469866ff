/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-energy-models.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

double
MqttTotalJoules(const std::vector<MqttStateTotal>& totals)
{
    double j = 0;
    for (const auto& s : totals)
    {
        j += s.joules;
    }
    return j;
}

// --- MqttStateEnergy ---------------------------------------------------------------------------

MqttStateEnergy::MqttStateEnergy(std::vector<std::string> names,
                                 std::vector<double> watts,
                                 std::size_t initial)
    : m_watts(std::move(watts))
    , m_state(initial)
{
    for (auto& n : names)
    {
        m_totals.push_back(MqttStateTotal{std::move(n), 0, 0});
    }
}

void
MqttStateEnergy::Finish(double t)
{
    double dt = std::max(0.0, t - m_since);
    m_totals[m_state].seconds += dt;
    m_totals[m_state].joules += dt * m_watts[m_state];
    m_since = std::max(m_since, t);
}

void
MqttStateEnergy::Enter(std::size_t state, double t)
{
    Finish(t);
    m_state = state;
}

std::vector<MqttStateTotal>
MqttStateEnergy::Totals() const
{
    return m_totals;
}

double
MqttStateEnergy::Joules() const
{
    return MqttTotalJoules(m_totals);
}

// --- MqttCellularEnergy ------------------------------------------------------------------------

MqttCellularEnergy::MqttCellularEnergy(const MqttCellularParameters& p)
    : m_p(p)
{
    for (const char* name : {"tx", "rx", "connected", "setup", "idle", "psm"})
    {
        m_totals.push_back(MqttStateTotal{name, 0, 0});
    }
}

void
MqttCellularEnergy::Spend(State s, double seconds)
{
    static constexpr std::size_t N = COUNT;
    const double watts[N] = {
        m_p.txWatts, m_p.rxWatts, m_p.connectedWatts, m_p.setupWatts, m_p.idleWatts, m_p.psmWatts};
    m_totals[s].seconds += seconds;
    m_totals[s].joules += seconds * watts[s];
}

void
MqttCellularEnergy::Quiet(double t)
{
    double quiet = t - m_busyUntil;
    if (quiet <= 0)
    {
        return;
    }
    if (m_connected)
    {
        double tail = std::min(quiet, Tail());
        Spend(CONNECTED, tail);
        quiet -= tail;
        if (quiet <= 0)
        {
            m_busyUntil = t;
            return;
        }
        m_connected = false;
        m_releaseAt = -1;
        // Released: idle from here; how long it has been idle is what is left of quiet.
        double idle = m_p.activeSeconds < 0 ? quiet : std::min(quiet, m_p.activeSeconds);
        Spend(IDLE, idle);
        Spend(PSM, quiet - idle);
    }
    else
    {
        // Only at the start (before any frame): the modem is idle, then in PSM.
        double idle = m_p.activeSeconds < 0 ? quiet : std::min(quiet, m_p.activeSeconds);
        Spend(IDLE, idle);
        Spend(PSM, quiet - idle);
    }
    m_busyUntil = t;
}

void
MqttCellularEnergy::OnFrame(double t, bool tx, std::size_t bytes)
{
    // A frame that comes while the last one is still on the air follows it.
    t = std::max(t, m_busyUntil);
    if (m_connected && t - m_busyUntil <= Tail())
    {
        Spend(CONNECTED, t - m_busyUntil);
    }
    else
    {
        Quiet(t);
        Spend(SETUP, m_p.setupSeconds);
        ++m_setups;
        m_connected = true;
        t += m_p.setupSeconds;
    }
    double bps = tx ? m_p.uplinkBps : m_p.downlinkBps;
    double air = bps > 0 ? 8.0 * double(bytes) / bps : 0;
    Spend(tx ? TX : RX, air);
    m_busyUntil = t + air;
    // Release assistance: the first frame received after an uplink is the awaited answer; the
    // release follows it, whatever is sent or received in between (a TCP acknowledgement).
    if (!tx && m_awaitingAnswer && m_p.releaseSeconds >= 0)
    {
        m_releaseAt = m_busyUntil + m_p.releaseSeconds;
    }
    m_awaitingAnswer = tx && m_releaseAt < 0;
}

double
MqttCellularEnergy::Tail() const
{
    return m_releaseAt >= 0 ? std::max(0.0, m_releaseAt - m_busyUntil) : m_p.inactivitySeconds;
}

void
MqttCellularEnergy::Finish(double t)
{
    if (t > m_busyUntil)
    {
        Quiet(t);
    }
}

std::vector<MqttStateTotal>
MqttCellularEnergy::Totals() const
{
    return m_totals;
}

double
MqttCellularEnergy::Joules() const
{
    return MqttTotalJoules(m_totals);
}

std::size_t
MqttCellularEnergy::Setups() const
{
    return m_setups;
}

} // namespace mqtt
} // namespace ns3
