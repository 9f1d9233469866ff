/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A closed-loop load: each publisher of a group with `end-to-end-window: N` (doc/scenarios.md)
 * has at most N of its messages not yet received by every subscriber they go to; the next
 * publish waits until one is. The same flow as the load generator that drives the real brokers
 * (../shared/bench/mqtt-loadgen, --flow e2e), so a simulated run and a real one offer their
 * broker the same batches (doc/capacity.md, "The twin check").
 *
 * Rules (the loadgen's):
 * 1. A message is outstanding from its publish until every subscriber it goes to has received
 *    it once: every client with a subscription matching its topic, and each shared-subscription
 *    group once. A message nobody subscribes to is never outstanding.
 * 2. A publisher may publish while fewer than its window are outstanding.
 * 3. Duplicates count once (the caller passes only first receipts).
 * 4. A publisher whose window is full and that has seen no receipt of its messages for
 *    WRITE_OFF_AFTER (1 s) writes its outstanding messages off (lost ones never free it
 *    otherwise); the count of those is kept.
 * No ns-3 here: times come in, decisions go out; the study runner drives it.
 */
#ifndef MQTT_END_TO_END_WINDOW_H
#define MQTT_END_TO_END_WINDOW_H

#include "mqtt-action.h"

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace ns3
{
namespace mqtt
{

class MqttEndToEndWindow
{
  public:
    static constexpr Nanos WRITE_OFF_AFTER = std::chrono::seconds(1);

    /** A subscriber: its filters, or (with @p shareGroup) one member of a shared group. */
    void AddSubscriber(const std::vector<std::string>& filters, const std::string& shareGroup);
    /** A publisher held by a window of @p window messages (at least 1). */
    void AddPublisher(uint64_t publisher, uint32_t window);
    bool Holds(uint64_t publisher) const;

    /** Rule 2: whether @p publisher may publish now. */
    bool MayPublish(uint64_t publisher) const;
    /** @p publisher published message @p sequence on @p topic at @p now. */
    void Published(uint64_t publisher, uint64_t sequence, const std::string& topic, Nanos now);
    /**
     * A subscriber received @p sequence of @p publisher for the first time.
     * @return true when this opened the publisher's full window (it may publish again)
     */
    bool Received(uint64_t publisher, uint64_t sequence, Nanos now);
    /** Rule 4: when a full window of @p publisher is written off if nothing comes first. */
    Nanos WriteOffTime(uint64_t publisher) const;
    /**
     * Rule 4 at @p now: writes @p publisher's outstanding messages off if its window is full and
     * due. @return the messages written off (0: not due, the window opened meanwhile)
     */
    uint32_t WriteOffIfStalled(uint64_t publisher, Nanos now);

    /** Subscribers a message on @p topic goes to (rule 1). */
    uint32_t Recipients(const std::string& topic);
    uint32_t Outstanding(uint64_t publisher) const;
    /** Messages written off so far, all publishers. */
    uint64_t WrittenOff() const;

  private:
    struct Publisher
    {
        uint32_t window = 1;
        /** Receipts each outstanding message still waits for, by sequence. */
        std::map<uint64_t, uint32_t> waiting;
        /** The last receipt of one of its messages, or when its window last filled. */
        Nanos lastProgress{0};
    };
    std::vector<std::vector<std::string>> m_subscribers;
    std::map<std::string, std::vector<std::string>> m_shared;
    std::unordered_map<std::string, uint32_t> m_recipients;
    std::unordered_map<uint64_t, Publisher> m_publishers;
    uint64_t m_writtenOff = 0;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_END_TO_END_WINDOW_H
