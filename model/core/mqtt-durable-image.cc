/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Images are little-endian: a format byte, then fixed-width integers and length-prefixed
 * strings. Decoding checks every length against what is left, so a damaged value is refused,
 * never read past. Session formats: 1 (3.1.1), 2 (1 and the session's 5.0 state), 3 (2 and the
 * 5.0 state of its deliveries and its delayed will); each is written only when needed.
 */
#include "mqtt-durable-image.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace ns3
{
namespace mqtt
{

namespace
{

constexpr uint8_t MESSAGE_FORMAT = 1;
constexpr uint8_t SESSION_FORMAT = 1;
/** Format 1 followed by the 5.0 state (doc/broker-engine.md, "Durable persistence"). */
constexpr uint8_t MESSAGE_FORMAT_5 = 2;
constexpr uint8_t SESSION_FORMAT_5 = 2;
/** Format 2 followed by each delivery's 5.0 state and the delayed will. */
constexpr uint8_t SESSION_FORMAT_5_DELIVERIES = 3;

class Writer
{
  public:
    explicit Writer(std::vector<uint8_t>& out)
        : m_out(out)
    {
    }

    void
    Int(uint64_t value, int bytes)
    {
        for (int i = 0; i < bytes; ++i)
        {
            m_out.push_back(static_cast<uint8_t>(value >> (8 * i)));
        }
    }

    template<class Bytes>
    void
    Blob(const Bytes& bytes)
    {
        Int(bytes.size(), 4);
        m_out.insert(m_out.end(), bytes.begin(), bytes.end());
    }

  private:
    std::vector<uint8_t>& m_out;
};

class Reader
{
  public:
    explicit Reader(const std::vector<uint8_t>& in)
        : m_in(in)
    {
    }

    bool
    Int(uint64_t& value, int bytes)
    {
        if (m_in.size() - m_pos < static_cast<std::size_t>(bytes))
        {
            return false;
        }
        value = 0;
        for (int i = 0; i < bytes; ++i)
        {
            value |= static_cast<uint64_t>(m_in[m_pos++]) << (8 * i);
        }
        return true;
    }

    template<class T>
    bool
    Small(T& value, int bytes)
    {
        uint64_t v = 0;
        if (!Int(v, bytes))
        {
            return false;
        }
        value = static_cast<T>(v);
        return true;
    }

    bool
    Qos_(Qos& qos)
    {
        uint64_t v = 0;
        if (!Int(v, 1) || v > 2)
        {
            return false;
        }
        qos = static_cast<Qos>(v);
        return true;
    }

    template<class Bytes>
    bool
    Blob(Bytes& bytes)
    {
        uint64_t size = 0;
        if (!Int(size, 4) || m_in.size() - m_pos < size)
        {
            return false;
        }
        bytes.assign(m_in.begin() + static_cast<std::ptrdiff_t>(m_pos),
                     m_in.begin() + static_cast<std::ptrdiff_t>(m_pos + size));
        m_pos += size;
        return true;
    }

    bool
    AtEnd() const
    {
        return m_pos == m_in.size();
    }

  private:
    const std::vector<uint8_t>& m_in;
    std::size_t m_pos = 0;
};

void
WriteDeliveries(Writer& w, const std::vector<DurableDelivery>& deliveries)
{
    w.Int(deliveries.size(), 4);
    for (const DurableDelivery& d : deliveries)
    {
        w.Int(d.messageId, 8);
        w.Int(static_cast<uint8_t>(d.qos), 1);
        w.Int(d.retain ? 1 : 0, 1);
        w.Int(d.packetId, 2);
        w.Int(d.state, 1);
    }
}

bool
ReadDeliveries(Reader& r, std::vector<DurableDelivery>& deliveries)
{
    uint64_t count = 0;
    if (!r.Int(count, 4))
    {
        return false;
    }
    for (uint64_t i = 0; i < count; ++i)
    {
        DurableDelivery d;
        if (!r.Int(d.messageId, 8) || !r.Qos_(d.qos) || !r.Small(d.retain, 1) ||
            !r.Small(d.packetId, 2) || !r.Small(d.state, 1))
        {
            return false;
        }
        deliveries.push_back(d);
    }
    return true;
}

void
WriteProperties(Writer& w, const Properties& properties)
{
    std::size_t count = 0;
    for (const Property& p : properties.items)
    {
        count += p.id != PropertyId::SubscriptionIdentifier ? 1 : 0;
    }
    w.Int(count, 4);
    for (const Property& p : properties.items)
    {
        if (p.id == PropertyId::SubscriptionIdentifier)
        {
            continue;
        }
        w.Int(static_cast<uint8_t>(p.id), 1);
        w.Int(p.number, 4);
        w.Blob(p.text);
        w.Blob(p.value);
        w.Blob(p.binary);
    }
}

bool
ReadProperties(Reader& r, Properties& properties)
{
    uint64_t count = 0;
    if (!r.Int(count, 4))
    {
        return false;
    }
    for (uint64_t i = 0; i < count; ++i)
    {
        Property p;
        uint8_t id = 0;
        if (!r.Small(id, 1) || !r.Small(p.number, 4) || !r.Blob(p.text) || !r.Blob(p.value) ||
            !r.Blob(p.binary))
        {
            return false;
        }
        p.id = static_cast<PropertyId>(id);
        properties.items.push_back(std::move(p));
    }
    return true;
}

/** Format 3: the Subscription Identifiers and shared group of every delivery, in order. */
void
WriteDeliveries5(Writer& w, const std::vector<DurableDelivery>& deliveries)
{
    for (const DurableDelivery& d : deliveries)
    {
        w.Int(d.subscriptionIds5.size(), 4);
        for (uint32_t id : d.subscriptionIds5)
        {
            w.Int(id, 4);
        }
        w.Blob(d.sharedGroup5);
    }
}

bool
ReadDeliveries5(Reader& r, std::vector<DurableDelivery>& deliveries)
{
    for (DurableDelivery& d : deliveries)
    {
        uint64_t count = 0;
        if (!r.Int(count, 4))
        {
            return false;
        }
        for (uint64_t i = 0; i < count; ++i)
        {
            uint32_t id = 0;
            if (!r.Small(id, 4))
            {
                return false;
            }
            d.subscriptionIds5.push_back(id);
        }
        if (!r.Blob(d.sharedGroup5))
        {
            return false;
        }
    }
    return true;
}

void
WriteWill5(Writer& w, const std::optional<DurableWill>& will)
{
    w.Int(will ? 1 : 0, 1);
    if (!will)
    {
        return;
    }
    w.Blob(will->will.topic);
    w.Blob(will->will.payload);
    w.Int(static_cast<uint8_t>(will->will.qos), 1);
    w.Int(will->will.retain ? 1 : 0, 1);
    WriteProperties(w, will->will.properties);
    w.Int(will->userName ? 1 : 0, 1);
    if (will->userName)
    {
        w.Blob(*will->userName);
    }
    w.Int(static_cast<uint64_t>(std::max<int64_t>(1, will->delayLeft.count())), 8);
}

bool
ReadWill5(Reader& r, std::optional<DurableWill>& will)
{
    bool present = false;
    if (!r.Small(present, 1))
    {
        return false;
    }
    if (!present)
    {
        return true;
    }
    DurableWill d;
    bool hasUser = false;
    if (!r.Blob(d.will.topic) || !r.Blob(d.will.payload) || !r.Qos_(d.will.qos) ||
        !r.Small(d.will.retain, 1) || !ReadProperties(r, d.will.properties) ||
        !r.Small(hasUser, 1))
    {
        return false;
    }
    if (hasUser)
    {
        d.userName.emplace();
        if (!r.Blob(*d.userName))
        {
            return false;
        }
    }
    uint64_t left = 0;
    if (!r.Int(left, 8) || left == 0 || left > static_cast<uint64_t>(INT64_MAX))
    {
        return false;
    }
    d.delayLeft = std::chrono::nanoseconds(static_cast<int64_t>(left));
    will = std::move(d);
    return true;
}

/** Whether @p s has state only format 3 holds. */
bool
NeedsFormat3(const DurableSession& s)
{
    auto any = [](const std::vector<DurableDelivery>& deliveries)
    {
        return std::any_of(deliveries.begin(),
                           deliveries.end(),
                           [](const DurableDelivery& d)
                           { return !d.subscriptionIds5.empty() || !d.sharedGroup5.empty(); });
    };
    return s.will5.has_value() || any(s.inflight) || any(s.queued);
}

} // namespace

std::vector<uint8_t>
EncodeMessageImage(const MqttMessage& m, std::chrono::nanoseconds now)
{
    std::vector<uint8_t> out;
    out.reserve(16 + m.publisherId.size() + m.topic.size() + m.payload.size());
    Writer w(out);
    const bool v5 = !m.properties.Empty() || m.expiresAt > std::chrono::nanoseconds(0);
    w.Int(v5 ? MESSAGE_FORMAT_5 : MESSAGE_FORMAT, 1);
    w.Int(static_cast<uint8_t>(m.qos), 1);
    w.Int(m.retain ? 1 : 0, 1);
    w.Blob(m.publisherId);
    w.Blob(m.topic);
    w.Blob(m.payload);
    if (v5)
    {
        // What is left of the Message Expiry (at least 1 ns: 0 means none).
        const auto left = m.expiresAt > std::chrono::nanoseconds(0)
                              ? std::max<int64_t>(1, (m.expiresAt - now).count())
                              : 0;
        w.Int(static_cast<uint64_t>(left), 8);
        WriteProperties(w, m.properties);
    }
    return out;
}

std::optional<MqttMessage>
DecodeMessageImage(uint64_t id, const std::vector<uint8_t>& bytes)
{
    Reader r(bytes);
    MqttMessage m;
    m.id = id;
    uint8_t format = 0;
    if (!r.Small(format, 1) || (format != MESSAGE_FORMAT && format != MESSAGE_FORMAT_5) ||
        !r.Qos_(m.qos) || !r.Small(m.retain, 1) || !r.Blob(m.publisherId) || !r.Blob(m.topic) ||
        !r.Blob(m.payload))
    {
        return std::nullopt;
    }
    if (format == MESSAGE_FORMAT_5)
    {
        uint64_t left = 0;
        if (!r.Int(left, 8) || left > static_cast<uint64_t>(INT64_MAX) ||
            !ReadProperties(r, m.properties))
        {
            return std::nullopt;
        }
        m.expiresAt = std::chrono::nanoseconds(static_cast<int64_t>(left));
    }
    if (!r.AtEnd())
    {
        return std::nullopt;
    }
    return m;
}

std::vector<uint8_t>
EncodeSessionImage(const DurableSession& s)
{
    std::vector<uint8_t> out;
    Writer w(out);
    const bool deliveries5 = NeedsFormat3(s);
    const bool v5 = deliveries5 || s.expiryInterval5 || !s.options5.empty();
    w.Int(deliveries5 ? SESSION_FORMAT_5_DELIVERIES : v5 ? SESSION_FORMAT_5 : SESSION_FORMAT, 1);
    w.Int(s.userName ? 1 : 0, 1);
    if (s.userName)
    {
        w.Blob(*s.userName);
    }
    w.Int(s.subscriptions.size(), 4);
    for (const auto& [filter, qos] : s.subscriptions)
    {
        w.Blob(filter);
        w.Int(static_cast<uint8_t>(qos), 1);
    }
    WriteDeliveries(w, s.inflight);
    WriteDeliveries(w, s.queued);
    w.Int(s.inboundQos2.size(), 4);
    for (uint16_t id : s.inboundQos2)
    {
        w.Int(id, 2);
    }
    if (v5)
    {
        w.Int(s.expiryInterval5 ? 1 : 0, 1);
        w.Int(s.expiryInterval5.value_or(0), 4);
        w.Int(s.options5.size(), 4);
        for (const DurableSubscriptionOptions& o : s.options5)
        {
            w.Int(o.noLocal ? 1 : 0, 1);
            w.Int(o.retainAsPublished ? 1 : 0, 1);
            w.Int(o.subscriptionId, 4);
        }
    }
    if (deliveries5)
    {
        WriteDeliveries5(w, s.inflight);
        WriteDeliveries5(w, s.queued);
        WriteWill5(w, s.will5);
    }
    return out;
}

std::optional<DurableSession>
DecodeSessionImage(const std::vector<uint8_t>& bytes)
{
    Reader r(bytes);
    DurableSession s;
    uint8_t format = 0;
    bool hasUser = false;
    if (!r.Small(format, 1) || format < SESSION_FORMAT || format > SESSION_FORMAT_5_DELIVERIES ||
        !r.Small(hasUser, 1))
    {
        return std::nullopt;
    }
    if (hasUser)
    {
        s.userName.emplace();
        if (!r.Blob(*s.userName))
        {
            return std::nullopt;
        }
    }
    uint64_t count = 0;
    if (!r.Int(count, 4))
    {
        return std::nullopt;
    }
    for (uint64_t i = 0; i < count; ++i)
    {
        std::string filter;
        Qos qos = Qos::AtMostOnce;
        if (!r.Blob(filter) || !r.Qos_(qos))
        {
            return std::nullopt;
        }
        s.subscriptions.emplace_back(std::move(filter), qos);
    }
    if (!ReadDeliveries(r, s.inflight) || !ReadDeliveries(r, s.queued) || !r.Int(count, 4))
    {
        return std::nullopt;
    }
    for (uint64_t i = 0; i < count; ++i)
    {
        uint16_t id = 0;
        if (!r.Small(id, 2))
        {
            return std::nullopt;
        }
        s.inboundQos2.push_back(id);
    }
    if (format >= SESSION_FORMAT_5)
    {
        bool hasExpiry = false;
        uint32_t expiry = 0;
        if (!r.Small(hasExpiry, 1) || !r.Small(expiry, 4) || !r.Int(count, 4) ||
            (count != 0 && count != s.subscriptions.size()))
        {
            return std::nullopt;
        }
        if (hasExpiry)
        {
            s.expiryInterval5 = expiry;
        }
        for (uint64_t i = 0; i < count; ++i)
        {
            DurableSubscriptionOptions o;
            if (!r.Small(o.noLocal, 1) || !r.Small(o.retainAsPublished, 1) ||
                !r.Small(o.subscriptionId, 4))
            {
                return std::nullopt;
            }
            s.options5.push_back(o);
        }
    }
    if (format == SESSION_FORMAT_5_DELIVERIES &&
        (!ReadDeliveries5(r, s.inflight) || !ReadDeliveries5(r, s.queued) ||
         !ReadWill5(r, s.will5)))
    {
        return std::nullopt;
    }
    if (!r.AtEnd())
    {
        return std::nullopt;
    }
    return s;
}

void
ApplyPersistOps(MqttDurableState& state, const std::vector<PersistOp>& ops)
{
    for (const PersistOp& op : ops)
    {
        switch (op.kind)
        {
        case PersistOp::Kind::Clear:
            state = MqttDurableState{};
            break;
        case PersistOp::Kind::PutMessage:
            state.messages[op.messageId] = op.value;
            break;
        case PersistOp::Kind::DeleteMessage:
            state.messages.erase(op.messageId);
            break;
        case PersistOp::Kind::PutSession:
            state.sessions[op.key] = op.value;
            break;
        case PersistOp::Kind::DeleteSession:
            state.sessions.erase(op.key);
            break;
        case PersistOp::Kind::PutRetained:
            state.retained[op.key] = op.messageId;
            break;
        case PersistOp::Kind::DeleteRetained:
            state.retained.erase(op.key);
            break;
        }
    }
}

} // namespace mqtt
} // namespace ns3
