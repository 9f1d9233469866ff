/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Encoding of MQTT 3.1.1 control packets into buffers sized exactly once (EncodedSize).
 */
#include "mqtt-codec.h"
#include "mqtt-codec-flags.h"

#include <cstring>

namespace ns3
{
namespace mqtt
{

namespace
{
using namespace wire;

/** A write cursor into space already sized by EncodedSize. */
class Writer
{
  public:
    explicit Writer(uint8_t* p)
        : m_p(p)
    {
    }

    void
    U8(uint8_t v)
    {
        *m_p++ = v;
    }

    void
    U16(uint16_t v)
    {
        m_p[0] = static_cast<uint8_t>(v >> 8);
        m_p[1] = static_cast<uint8_t>(v);
        m_p += 2;
    }

    void
    Bytes(const void* data, std::size_t n)
    {
        if (n != 0)
        {
            std::memcpy(m_p, data, n);
            m_p += n;
        }
    }

    void
    Field(const void* data, std::size_t n)
    {
        U16(static_cast<uint16_t>(n));
        Bytes(data, n);
    }

    void
    Field(std::string_view s)
    {
        Field(s.data(), s.size());
    }

    void
    Field(const std::vector<uint8_t>& v)
    {
        Field(v.data(), v.size());
    }

    void
    FixedHeader(uint8_t first, std::size_t remaining)
    {
        U8(first);
        m_p += EncodeRemainingLength(static_cast<uint32_t>(remaining), m_p);
    }

    uint8_t*
    Position() const
    {
        return m_p;
    }

  private:
    uint8_t* m_p;
};

/** The bytes of the variable header and payload (the Remaining Length) of each packet. */
struct BodySizeVisitor
{
    std::size_t
    operator()(const ConnectPacket& p) const
    {
        std::size_t n = 2 + p.protocolName.size() + 1 + 1 + 2 + 2 + p.clientId.size();
        if (p.will)
        {
            n += 2 + p.will->topic.size() + 2 + p.will->payload.size();
        }
        if (p.userName)
        {
            n += 2 + p.userName->size();
        }
        if (p.password)
        {
            n += 2 + p.password->size();
        }
        return n;
    }

    std::size_t
    operator()(const ConnackPacket&) const
    {
        return 2;
    }

    std::size_t
    operator()(const PublishPacket& p) const
    {
        return 2 + p.topic.size() + (p.qos != Qos::AtMostOnce ? 2 : 0) + p.payload.size();
    }

    std::size_t
    operator()(const SubscribePacket& p) const
    {
        std::size_t n = 2;
        for (const TopicRequest& t : p.topics)
        {
            n += 2 + t.filter.size() + 1;
        }
        return n;
    }

    std::size_t
    operator()(const SubackPacket& p) const
    {
        return 2 + p.returnCodes.size();
    }

    std::size_t
    operator()(const UnsubscribePacket& p) const
    {
        std::size_t n = 2;
        for (const std::string& f : p.filters)
        {
            n += 2 + f.size();
        }
        return n;
    }

    std::size_t
    operator()(const PingreqPacket&) const
    {
        return 0;
    }

    std::size_t
    operator()(const PingrespPacket&) const
    {
        return 0;
    }

    std::size_t
    operator()(const DisconnectPacket&) const
    {
        return 0;
    }

    // PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK
    template<typename T>
    std::size_t
    operator()(const T&) const
    {
        return 2;
    }
};

std::size_t
BodySize(const Packet& packet)
{
    return std::visit(BodySizeVisitor{}, packet);
}

std::size_t
RemainingLengthSize(std::size_t length)
{
    return length < 128 ? 1 : length < 16384 ? 2 : length < 2097152 ? 3 : 4;
}

/** Makes room for @p body bytes after a fixed header at the end of @p out. */
Writer
Grow(std::vector<uint8_t>& out, std::size_t body)
{
    std::size_t old = out.size();
    // resize grows geometrically, so appending many packets to one vector stays linear.
    out.resize(old + 1 + RemainingLengthSize(body) + body);
    return Writer(out.data() + old);
}

uint8_t
FirstByte(PacketType type, uint8_t flags = 0)
{
    return static_cast<uint8_t>(static_cast<uint8_t>(type) << 4 | flags);
}

void
EncodeIdOnly(PacketType type, uint8_t flags, uint16_t packetId, std::vector<uint8_t>& out)
{
    Writer w = Grow(out, 2);
    w.FixedHeader(FirstByte(type, flags), 2);
    w.U16(packetId);
}

void
EncodeEmpty(PacketType type, std::vector<uint8_t>& out)
{
    Writer w = Grow(out, 0);
    w.FixedHeader(FirstByte(type), 0);
}

/** Appends each packet's bytes; one operator per packet type, so none can be forgotten. */
struct EncodeVisitor
{
    std::vector<uint8_t>& out;

    void
    operator()(const ConnectPacket& p) const
    {
        const std::size_t body = BodySizeVisitor{}(p);
        Writer w = Grow(out, body);
        w.FixedHeader(FirstByte(PacketType::Connect), body);
        w.Field(p.protocolName);
        w.U8(p.protocolLevel);
        uint8_t flags = p.cleanSession ? CONNECT_CLEAN_SESSION : 0;
        if (p.will)
        {
            flags |=
                CONNECT_WILL |
                static_cast<uint8_t>(static_cast<uint8_t>(p.will->qos) << CONNECT_WILL_QOS_SHIFT) |
                (p.will->retain ? CONNECT_WILL_RETAIN : 0);
        }
        flags |= (p.userName ? CONNECT_USER_NAME : 0) | (p.password ? CONNECT_PASSWORD : 0);
        w.U8(flags);
        w.U16(p.keepAliveSeconds);
        // [MQTT-3.1.3-1]: client id, will topic, will message, user name, password.
        w.Field(p.clientId);
        if (p.will)
        {
            w.Field(p.will->topic);
            w.Field(p.will->payload);
        }
        if (p.userName)
        {
            w.Field(*p.userName);
        }
        if (p.password)
        {
            w.Field(*p.password);
        }
    }

    void
    operator()(const ConnackPacket& p) const
    {
        Writer w = Grow(out, 2);
        w.FixedHeader(FirstByte(PacketType::Connack), 2);
        w.U8(p.sessionPresent ? 0x01 : 0x00);
        w.U8(static_cast<uint8_t>(p.returnCode));
    }

    void
    operator()(const PublishPacket& p) const
    {
        EncodePublish(
            p.dup, p.qos, p.retain, p.topic, p.packetId, p.payload.data(), p.payload.size(), out);
    }

    void
    operator()(const PubackPacket& p) const
    {
        EncodeIdOnly(PacketType::Puback, 0, p.packetId, out);
    }

    void
    operator()(const PubrecPacket& p) const
    {
        EncodeIdOnly(PacketType::Pubrec, 0, p.packetId, out);
    }

    void
    operator()(const PubrelPacket& p) const
    {
        EncodeIdOnly(PacketType::Pubrel, 0x02, p.packetId, out); // [MQTT-3.6.1-1]
    }

    void
    operator()(const PubcompPacket& p) const
    {
        EncodeIdOnly(PacketType::Pubcomp, 0, p.packetId, out);
    }

    void
    operator()(const SubscribePacket& p) const
    {
        const std::size_t body = BodySizeVisitor{}(p);
        Writer w = Grow(out, body);
        w.FixedHeader(FirstByte(PacketType::Subscribe, 0x02), body); // [MQTT-3.8.1-1]
        w.U16(p.packetId);
        for (const TopicRequest& t : p.topics)
        {
            w.Field(t.filter);
            w.U8(static_cast<uint8_t>(t.qos));
        }
    }

    void
    operator()(const SubackPacket& p) const
    {
        const std::size_t body = BodySizeVisitor{}(p);
        Writer w = Grow(out, body);
        w.FixedHeader(FirstByte(PacketType::Suback), body);
        w.U16(p.packetId);
        w.Bytes(p.returnCodes.data(), p.returnCodes.size());
    }

    void
    operator()(const UnsubscribePacket& p) const
    {
        const std::size_t body = BodySizeVisitor{}(p);
        Writer w = Grow(out, body);
        w.FixedHeader(FirstByte(PacketType::Unsubscribe, 0x02), body); // [MQTT-3.10.1-1]
        w.U16(p.packetId);
        for (const std::string& f : p.filters)
        {
            w.Field(f);
        }
    }

    void
    operator()(const UnsubackPacket& p) const
    {
        EncodeIdOnly(PacketType::Unsuback, 0, p.packetId, out);
    }

    void
    operator()(const PingreqPacket&) const
    {
        EncodeEmpty(PacketType::Pingreq, out);
    }

    void
    operator()(const PingrespPacket&) const
    {
        EncodeEmpty(PacketType::Pingresp, out);
    }

    void
    operator()(const DisconnectPacket&) const
    {
        EncodeEmpty(PacketType::Disconnect, out);
    }
};

} // namespace

std::size_t
EncodeRemainingLength(uint32_t length, uint8_t* out)
{
    std::size_t n = 0;
    do
    {
        uint8_t b = length & 0x7F;
        length >>= 7;
        if (length != 0)
        {
            b |= 0x80;
        }
        out[n++] = b;
    } while (length != 0);
    return n;
}

void
EncodePublish(bool dup,
              Qos qos,
              bool retain,
              std::string_view topic,
              uint16_t packetId,
              const uint8_t* payload,
              std::size_t payloadSize,
              std::vector<uint8_t>& out)
{
    const bool hasId = qos != Qos::AtMostOnce; // [MQTT-2.3.1-5]
    const std::size_t body = 2 + topic.size() + (hasId ? 2 : 0) + payloadSize;
    Writer w = Grow(out, body);
    uint8_t flags = static_cast<uint8_t>((dup ? PUBLISH_DUP : 0) |
                                         static_cast<uint8_t>(qos) << PUBLISH_QOS_SHIFT |
                                         (retain ? PUBLISH_RETAIN : 0));
    w.FixedHeader(FirstByte(PacketType::Publish, flags), body);
    w.Field(topic);
    if (hasId)
    {
        w.U16(packetId);
    }
    w.Bytes(payload, payloadSize);
}

void
Encode(const Packet& packet, std::vector<uint8_t>& out)
{
    std::visit(EncodeVisitor{out}, packet);
}

std::size_t
EncodedSize(const Packet& packet)
{
    std::size_t body = BodySize(packet);
    return 1 + RemainingLengthSize(body) + body;
}

std::size_t
EncodedPacketSize(const uint8_t* data, std::size_t size)
{
    std::size_t header = 1;
    std::size_t remaining = 0;
    for (unsigned shift = 0; header < size && header < 5; shift += 7)
    {
        uint8_t b = data[header++];
        remaining |= static_cast<std::size_t>(b & 0x7F) << shift;
        if ((b & 0x80) == 0)
        {
            break;
        }
    }
    return header + remaining;
}

} // namespace mqtt
} // namespace ns3
