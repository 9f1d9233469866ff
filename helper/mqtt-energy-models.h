/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Radio energy of a device (doc/device-cost.md) as pure state machines: times in, joules per
 * state out. MqttStateEnergy integrates the power of a radio that reports its state changes
 * (an 802.15.4 PHY, a Wi-Fi PHY); MqttCellularEnergy derives the states of a cellular modem
 * (RRC connected with its inactivity tail, idle with paging or eDRX, PSM) from the device's
 * traffic. Standard library only, so the tests script exact sequences.
 */
#ifndef MQTT_ENERGY_MODELS_H
#define MQTT_ENERGY_MODELS_H

#include <cstddef>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** Time and energy spent in one state. */
struct MqttStateTotal
{
    std::string state;
    double seconds = 0;
    double joules = 0;
};

/** The joules of all states. */
double MqttTotalJoules(const std::vector<MqttStateTotal>& totals);

/**
 * A radio in one state at a time, each state at its own power. Enter() at each change;
 * Finish() at the end closes the current state.
 */
class MqttStateEnergy
{
  public:
    /** States by index: names and powers (W). The radio starts in state @p initial at 0 s. */
    MqttStateEnergy(std::vector<std::string> names, std::vector<double> watts, std::size_t initial);

    /** The radio is in @p state from @p t (s) on; t never goes back. */
    void Enter(std::size_t state, double t);
    /** Accounts the current state up to @p t. */
    void Finish(double t);

    std::vector<MqttStateTotal> Totals() const;
    double Joules() const;

  private:
    std::vector<MqttStateTotal> m_totals;
    std::vector<double> m_watts;
    std::size_t m_state;
    double m_since = 0;
};

/** A cellular modem's powers (W) and timers (s); the files in energy/ give them with sources. */
struct MqttCellularParameters
{
    double txWatts = 0;           //!< transmitting
    double rxWatts = 0;           //!< receiving
    double connectedWatts = 0;    //!< RRC connected, neither sending nor receiving
    double setupWatts = 0;        //!< RRC connection set-up (random access, RRC messages)
    double idleWatts = 0;         //!< RRC idle, paging or eDRX cycles (average)
    double psmWatts = 0;          //!< power saving mode
    double setupSeconds = 0;      //!< duration of an RRC connection set-up
    double inactivitySeconds = 0; //!< RRC inactivity timer: connected this long after traffic
    double activeSeconds = 0;     //!< T3324: idle this long before PSM (negative: never PSM)
    double uplinkBps = 0;         //!< air rate sending
    double downlinkBps = 0;       //!< air rate receiving
    /** Release assistance (RAI, 3GPP Rel-14): connected this long after the first frame
     *  received after an uplink (the answer the device waited for) instead of the inactivity
     *  timer; negative: no release assistance. */
    double releaseSeconds = -1;
};

/**
 * States of a cellular modem from its traffic: a frame sent or received takes its air time
 * (bytes at the link's rate) in tx or rx; after the last frame the modem stays connected for
 * the inactivity timer, then idle for T3324, then in PSM. With release assistance, the
 * connection ends `releaseSeconds` after the first frame received after an uplink instead,
 * whatever is sent or received in between; a frame after that sets it up again.
 * A frame while not connected first costs an RRC connection set-up. Frames that overlap are
 * sent one after the other.
 * The model charges energy only: it does not delay the simulated frames.
 */
class MqttCellularEnergy
{
  public:
    explicit MqttCellularEnergy(const MqttCellularParameters& p);

    /** A frame of @p bytes sent (@p tx) or received at @p t (s). */
    void OnFrame(double t, bool tx, std::size_t bytes);
    /** Accounts up to @p t: the tail, idle and PSM after the last frame. */
    void Finish(double t);

    /** tx, rx, connected, setup, idle, psm. */
    std::vector<MqttStateTotal> Totals() const;
    double Joules() const;
    /** RRC connection set-ups so far. */
    std::size_t Setups() const;

  private:
    enum State : std::size_t
    {
        TX,
        RX,
        CONNECTED,
        SETUP,
        IDLE,
        PSM,
        COUNT
    };

    void Spend(State s, double seconds);
    /** How long the modem stays connected after the last frame's end. */
    double Tail() const;
    /** The quiet time from the end of the last frame to @p t: tail, idle, PSM. */
    void Quiet(double t);

    MqttCellularParameters m_p;
    std::vector<MqttStateTotal> m_totals;
    double m_busyUntil = 0; //!< end of the last frame's air time
    bool m_connected = false;
    /** When release assistance releases the connection (negative: not set; the inactivity
     *  timer runs). */
    double m_releaseAt = -1;
    /** An uplink was sent and no frame received since (release assistance waits for one). */
    bool m_awaitingAnswer = false;
    std::size_t m_setups = 0;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_ENERGY_MODELS_H
