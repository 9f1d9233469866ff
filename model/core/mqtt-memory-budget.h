/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * One memory budget for what a broker keeps on behalf of its peers (the profile's memoryLimit,
 * `mqtt-broker --memory-limit`, mosquitto's memory_limit): partial packets, messages (queued, in
 * flight, retained), sessions, subscriptions, inbound QoS 2 packet ids, the output the transport
 * could not write yet, and the transient memory of handling one packet.
 */
#ifndef MQTT_MEMORY_BUDGET_H
#define MQTT_MEMORY_BUDGET_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ns3
{
namespace mqtt
{

struct MqttMessage;

/** What a byte of the budget is spent on. */
enum class MemoryUse : uint8_t
{
    PartialPackets = 0, //!< input buffered for a packet that has not arrived whole
    Messages,           //!< messages the broker holds (queued, in flight, retained)
    Sessions,           //!< session state, without its subscriptions
    Subscriptions,      //!< one per topic filter of a session
    InboundQos2,        //!< inbound QoS 2 packet ids awaiting PUBREL
    OutputBuffers,      //!< bytes the driver holds for a connection that has not taken them
    PacketHandling,     //!< decoding and handling one packet, until the driver's call ends
    Wills,              //!< will messages held for a connection or a delayed will (5.0)
    TopicAliases,       //!< the topics of a 5.0 client's topic aliases
    Count,
};

/**
 * "partial-packets", "messages", "sessions", "subscriptions", "inbound-qos2", "output-buffers",
 * "packet-handling", "wills", "topic-aliases".
 */
const char* MemoryUseName(MemoryUse use);

/**
 * The accounting of one broker engine: charges and releases per use, and whether a new charge
 * fits under the limit. The costs are estimates of the heap a thing takes (its bytes plus the
 * overhead of the containers holding it, measured against VmRSS by the hostile tests); the
 * limit is on their sum, so it bounds the broker's growth under any mix of abuse. With a limit of
 * 0 everything fits and the engine does not account at all.
 *
 * Partial packets are kept per connection: Partial() replaces a connection's charge by what its
 * frame reader buffers now, so a connection that trickles a large packet pays for every byte it
 * has sent and is the one refused when the sum would pass the limit. A partial packet of at most
 * PARTIAL_ALLOWANCE bytes is charged but never refused: it is no more than one read of the
 * socket, and refusing it would close well-behaved clients whose packets a full budget (of
 * retained messages, say) happens to find split across two reads. The output a driver could not
 * write to a connection is kept per connection the same way (Output()), with the same allowance:
 * a subscriber that does not read is the one closed.
 */
class MqttMemoryBudget
{
  public:
    /**
     * Partial packets up to this size are always accepted (one read of the POSIX broker); so are
     * a connection's unsent output and the handling of one packet up to it.
     */
    static constexpr std::size_t PARTIAL_ALLOWANCE = 64 * 1024;

    explicit MqttMemoryBudget(std::size_t limit = 0);

    /** The limit in bytes (0: no limit). */
    std::size_t Limit() const;
    /** Whether there is a limit (and so accounting). */
    bool Enabled() const;
    /** Bytes charged, in all or for one use. */
    std::size_t Used() const;
    std::size_t Used(MemoryUse use) const;
    /** Whether @p bytes more stay within the limit. */
    bool Fits(std::size_t bytes) const;
    /** Charges @p bytes if they fit; false (a refusal counted for @p use) if not. */
    bool TryCharge(MemoryUse use, std::size_t bytes);
    /**
     * Whether the charges are over the limit, counting a refusal for @p use if so: for what is
     * charged before it is known whether it will be kept (a message, stored only if a queue or
     * the retained store takes it).
     */
    bool RefuseIfOver(MemoryUse use);
    /** Charges @p bytes whatever the limit (state that exists already, e.g. restored). */
    void Charge(MemoryUse use, std::size_t bytes);
    void Release(MemoryUse use, std::size_t bytes);
    /** Refusals for @p use since the start. */
    uint64_t Refused(MemoryUse use) const;

    /**
     * Sets @p connection's partial-packet charge to @p buffered bytes; false when @p buffered is
     * over PARTIAL_ALLOWANCE and the other charges and this one pass the limit (a refusal
     * counted; the caller closes the connection, then calls ForgetPartial).
     */
    bool Partial(uint64_t connection, std::size_t buffered);
    /** Releases what @p connection's partial packet was charged. */
    void ForgetPartial(uint64_t connection);
    /**
     * Sets @p connection's output charge to the @p unsent bytes its driver holds; false (a
     * refusal counted) when @p unsent is over PARTIAL_ALLOWANCE and the charges would pass the
     * limit: the caller closes the connection, then calls ForgetOutput.
     */
    bool Output(uint64_t connection, std::size_t unsent);
    /** Releases what @p connection's output was charged. */
    void ForgetOutput(uint64_t connection);
    /**
     * Adds @p bytes the engine produced for @p connection during one of its calls (a delivery
     * written into the call's actions) to the connection's output charge, so that what one packet
     * makes (a SUBSCRIBE matching many retained messages, a large message fanned out) is counted
     * as it is made, not once the driver holds it. With @p refusable, false (a refusal counted,
     * nothing charged) under the rule of Output(): the connection's output then passes
     * PARTIAL_ALLOWANCE and the charges would pass the limit. A connection refused so while its
     * driver held more than PARTIAL_ALLOWANCE before the call (a peer that does not read) is
     * noted for TakeSlowReaders.
     */
    bool Produced(uint64_t connection, std::size_t bytes, bool refusable);
    /**
     * The connections Produced() refused while their driver held more than PARTIAL_ALLOWANCE:
     * the engine closes them at the end of its call (their output is what fills the budget).
     */
    std::vector<uint64_t> TakeSlowReaders();
    /**
     * The engine's call ends: what Produced() charged is given back (the driver carries the
     * actions out and reports what it still holds through Output()).
     */
    void EndProduced();

    /** Estimated heap of a message (shared by every queue, window and store holding it). */
    static std::size_t MessageCost(const MqttMessage& m);
    /** The same before the message exists: for a PUBLISH of @p topic and @p payload bytes. */
    static std::size_t MessageCost(std::size_t publisherId, std::size_t topic, std::size_t payload);
    /** Estimated heap of a session with @p clientId, without subscriptions. */
    static std::size_t SessionCost(std::string_view clientId);
    /** Estimated heap of one subscription to @p filter (session entry and topic-tree nodes). */
    static std::size_t SubscriptionCost(std::string_view filter);
    /** Estimated heap of one inbound QoS 2 packet id awaiting PUBREL (a std::set node). */
    static std::size_t InboundQos2Cost();

  private:
    std::size_t m_limit;
    std::size_t m_used = 0;
    std::array<std::size_t, static_cast<std::size_t>(MemoryUse::Count)> m_byUse{};
    std::array<uint64_t, static_cast<std::size_t>(MemoryUse::Count)> m_refused{};
    /** Replaces @p connection's charge in @p held (PartialPackets or OutputBuffers). */
    bool PerConnection(MemoryUse use,
                       std::unordered_map<uint64_t, std::size_t>& held,
                       uint64_t connection,
                       std::size_t bytes);
    void Forget(MemoryUse use, std::unordered_map<uint64_t, std::size_t>& held, uint64_t connection);

    std::unordered_map<uint64_t, std::size_t> m_partial;
    std::unordered_map<uint64_t, std::size_t> m_output;
    /** What Produced() added per connection in the engine's current call. */
    std::unordered_map<uint64_t, std::size_t> m_produced;
    std::vector<uint64_t> m_slowReaders;
};

/**
 * Bytes charged to a budget for as long as this object lives: it moves with what it pays for (a
 * will from its connection to the delayed wills) and releases them when destroyed or replaced.
 */
class MqttMemoryCharge
{
  public:
    MqttMemoryCharge() = default;
    /** Charges @p bytes for @p use to @p budget (whatever the limit: the caller checked). */
    MqttMemoryCharge(std::shared_ptr<MqttMemoryBudget> budget, MemoryUse use, std::size_t bytes);
    ~MqttMemoryCharge();
    MqttMemoryCharge(MqttMemoryCharge&& other) noexcept;
    MqttMemoryCharge& operator=(MqttMemoryCharge&& other) noexcept;
    MqttMemoryCharge(const MqttMemoryCharge&) = delete;
    MqttMemoryCharge& operator=(const MqttMemoryCharge&) = delete;

    std::size_t Bytes() const;

  private:
    void Release();

    std::shared_ptr<MqttMemoryBudget> m_budget;
    MemoryUse m_use = MemoryUse::Messages;
    std::size_t m_bytes = 0;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_MEMORY_BUDGET_H
