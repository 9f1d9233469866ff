/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Bursty packet loss: the Gilbert-Elliott model, a two-state Markov chain (good, bad) with a
 * loss probability per state and per-packet state transitions.
 */
#ifndef MQTT_GILBERT_ELLIOTT_ERROR_MODEL_H
#define MQTT_GILBERT_ELLIOTT_ERROR_MODEL_H

#include "ns3/error-model.h"
#include "ns3/random-variable-stream.h"

namespace ns3
{
namespace mqtt
{

/**
 * For each packet: it is lost with the loss probability of the current state (LossGood or
 * LossBad), then the state changes with PGoodBad (from good) or PBadGood (from bad). The chain
 * starts in the good state. The long-run loss is
 * (PBadGood * LossGood + PGoodBad * LossBad) / (PGoodBad + PBadGood), and the mean burst of
 * bad-state packets is 1 / PBadGood. Both draws use one stream (AssignStreams), so a seed
 * reproduces the exact loss pattern.
 */
class MqttGilbertElliottErrorModel : public ErrorModel
{
  public:
    static TypeId GetTypeId();

    MqttGilbertElliottErrorModel();

    /** Uses stream @p stream; returns the number of streams used (1). */
    int64_t AssignStreams(int64_t stream);

    /** True while the chain is in the bad state. */
    bool IsBad() const;

    /** Packets seen and packets lost so far. */
    uint64_t GetPackets() const;
    uint64_t GetLost() const;

  private:
    bool DoCorrupt(Ptr<Packet> p) override;
    void DoReset() override;

    double m_pGoodBad;
    double m_pBadGood;
    double m_lossGood;
    double m_lossBad;
    bool m_bad;
    uint64_t m_packets;
    uint64_t m_lost;
    Ptr<UniformRandomVariable> m_random;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_GILBERT_ELLIOTT_ERROR_MODEL_H
