/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Encoding of MQTT 3.1.1 and 5.0 control packets into buffers sized exactly once (EncodedSize).
 */
#include "mqtt-codec-flags.h"
#include "mqtt-codec-impl.h"

namespace ns3
{
namespace mqtt
{

namespace
{
using namespace wire;

/**
 * The optional tail of a 5.0 acknowledgement, DISCONNECT or AUTH in its shortest form
 * (sections 3.4.2.1, 3.14.2.1, 3.15.2.1): nothing for Success without properties, the Reason
 * Code alone without properties, else both.
 */
std::size_t
ReasonTailSize(ReasonCode code, const Properties& properties)
{
    if (!properties.Empty())
    {
        return 1 + PropertySectionSize(properties);
    }
    return code == ReasonCode::Success ? 0 : 1;
}

void
WriteReasonTail(Writer& w, ReasonCode code, const Properties& properties)
{
    if (!properties.Empty())
    {
        w.U8(static_cast<uint8_t>(code));
        WriteProperties(w, properties);
    }
    else if (code != ReasonCode::Success)
    {
        w.U8(static_cast<uint8_t>(code));
    }
}

/** A property section in 5.0, nothing in 3.1.1. */
std::size_t
SectionSize(bool v5, const Properties& properties)
{
    return v5 ? PropertySectionSize(properties) : 0;
}

/** The body of a PUBLISH whose property section (0 in 3.1.1) takes @p section bytes. */
std::size_t
PublishBodySize(std::string_view topic, Qos qos, std::size_t section, std::size_t payloadSize)
{
    return 2 + topic.size() + (qos != Qos::AtMostOnce ? 2 : 0) + section + payloadSize;
}

/** The bytes of the variable header and payload (the Remaining Length) of each packet. */
struct BodySizeVisitor
{
    bool v5;

    std::size_t
    operator()(const ConnectPacket& p) const
    {
        const bool level5 = p.protocolLevel == 5;
        std::size_t n = 2 + p.protocolName.size() + 1 + 1 + 2 + SectionSize(level5, p.properties) +
                        2 + p.clientId.size();
        if (p.will)
        {
            n += SectionSize(level5, p.will->properties) + 2 + p.will->topic.size() + 2 +
                 p.will->payload.size();
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
    operator()(const ConnackPacket& p) const
    {
        return 2 + SectionSize(v5, p.properties);
    }

    std::size_t
    operator()(const PublishPacket& p) const
    {
        return PublishBodySize(p.topic, p.qos, SectionSize(v5, p.properties), p.payload.size());
    }

    std::size_t
    operator()(const SubscribePacket& p) const
    {
        std::size_t n = 2 + SectionSize(v5, p.properties);
        for (const TopicRequest& t : p.topics)
        {
            n += 2 + t.filter.size() + 1;
        }
        return n;
    }

    std::size_t
    operator()(const SubackPacket& p) const
    {
        return 2 + SectionSize(v5, p.properties) + p.returnCodes.size();
    }

    std::size_t
    operator()(const UnsubscribePacket& p) const
    {
        std::size_t n = 2 + SectionSize(v5, p.properties);
        for (const std::string& f : p.filters)
        {
            n += 2 + f.size();
        }
        return n;
    }

    std::size_t
    operator()(const UnsubackPacket& p) const
    {
        return 2 + (v5 ? PropertySectionSize(p.properties) + p.reasonCodes.size() : 0);
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
    operator()(const DisconnectPacket& p) const
    {
        return v5 ? ReasonTailSize(p.reasonCode, p.properties) : 0;
    }

    std::size_t
    operator()(const AuthPacket& p) const
    {
        return ReasonTailSize(p.reasonCode, p.properties); // AUTH exists in 5.0 only
    }

    // PUBACK, PUBREC, PUBREL, PUBCOMP
    template<typename T>
    std::size_t
    operator()(const T& p) const
    {
        return 2 + (v5 ? ReasonTailSize(p.reasonCode, p.properties) : 0);
    }
};

/** Makes room for @p body bytes after a fixed header at the end of @p out. */
Writer
Grow(std::vector<uint8_t>& out, std::size_t body)
{
    std::size_t old = out.size();
    // resize grows geometrically, so appending many packets to one vector stays linear.
    out.resize(old + 1 + VariableByteIntegerSize(body) + body);
    return Writer(out.data() + old);
}

uint8_t
FirstByte(PacketType type, uint8_t flags = 0)
{
    return static_cast<uint8_t>(static_cast<uint8_t>(type) << 4 | flags);
}

uint8_t
PublishFlags(bool dup, Qos qos, bool retain)
{
    return static_cast<uint8_t>((dup ? PUBLISH_DUP : 0) |
                                static_cast<uint8_t>(qos) << PUBLISH_QOS_SHIFT |
                                (retain ? PUBLISH_RETAIN : 0));
}

/** The one PUBLISH writer of both versions (@p properties is null for 3.1.1). */
void
WritePublish(bool dup,
             Qos qos,
             bool retain,
             std::string_view topic,
             uint16_t packetId,
             const Properties* properties,
             const uint8_t* payload,
             std::size_t payloadSize,
             std::vector<uint8_t>& out)
{
    const bool hasId = qos != Qos::AtMostOnce; // [MQTT-2.3.1-5], [MQTT5-2.2.1-2]
    // The properties are sized once, for both the Remaining Length and the Property Length.
    const std::size_t length = properties ? PropertiesLength(*properties) : 0;
    const std::size_t section = properties ? VariableByteIntegerSize(length) + length : 0;
    const std::size_t body = PublishBodySize(topic, qos, section, payloadSize);
    Writer w = Grow(out, body);
    w.FixedHeader(FirstByte(PacketType::Publish, PublishFlags(dup, qos, retain)), body);
    w.Field(topic);
    if (hasId)
    {
        w.U16(packetId);
    }
    if (properties)
    {
        WriteProperties(w, *properties, length);
    }
    w.Bytes(payload, payloadSize);
}

/** Appends each packet's bytes; one operator per packet type, so none can be forgotten. */
struct EncodeVisitor
{
    std::vector<uint8_t>& out;
    bool v5;

    /** A packet's fixed header, its body to be written after it. */
    template<typename P>
    Writer
    Start(const P& p, PacketType type, uint8_t flags = 0) const
    {
        const std::size_t body = BodySizeVisitor{v5}(p);
        Writer w = Grow(out, body);
        w.FixedHeader(FirstByte(type, flags), body);
        return w;
    }

    void
    operator()(const ConnectPacket& p) const
    {
        const bool level5 = p.protocolLevel == 5;
        Writer w = Start(p, PacketType::Connect);
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
        if (level5)
        {
            WriteProperties(w, p.properties);
        }
        // [MQTT-3.1.3-1], [MQTT5-3.1.3-1]: client id, (will properties,) will topic, will
        // message, user name, password.
        w.Field(p.clientId);
        if (p.will)
        {
            if (level5)
            {
                WriteProperties(w, p.will->properties);
            }
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
        Writer w = Start(p, PacketType::Connack);
        w.U8(p.sessionPresent ? 0x01 : 0x00);
        if (v5)
        {
            w.U8(static_cast<uint8_t>(p.reasonCode));
            WriteProperties(w, p.properties);
        }
        else
        {
            w.U8(static_cast<uint8_t>(p.returnCode));
        }
    }

    void
    operator()(const PublishPacket& p) const
    {
        WritePublish(p.dup,
                     p.qos,
                     p.retain,
                     p.topic,
                     p.packetId,
                     v5 ? &p.properties : nullptr,
                     p.payload.data(),
                     p.payload.size(),
                     out);
    }

    template<typename P>
    void
    Ack(const P& p, PacketType type, uint8_t flags = 0) const
    {
        Writer w = Start(p, type, flags);
        w.U16(p.packetId);
        if (v5)
        {
            WriteReasonTail(w, p.reasonCode, p.properties);
        }
    }

    void
    operator()(const PubackPacket& p) const
    {
        Ack(p, PacketType::Puback);
    }

    void
    operator()(const PubrecPacket& p) const
    {
        Ack(p, PacketType::Pubrec);
    }

    void
    operator()(const PubrelPacket& p) const
    {
        Ack(p, PacketType::Pubrel, 0x02); // [MQTT-3.6.1-1], [MQTT5-3.6.1-1]
    }

    void
    operator()(const PubcompPacket& p) const
    {
        Ack(p, PacketType::Pubcomp);
    }

    void
    operator()(const SubscribePacket& p) const
    {
        Writer w = Start(p, PacketType::Subscribe, 0x02); // [MQTT-3.8.1-1], [MQTT5-3.8.1-1]
        w.U16(p.packetId);
        if (v5)
        {
            WriteProperties(w, p.properties);
        }
        for (const TopicRequest& t : p.topics)
        {
            w.Field(t.filter);
            uint8_t options = static_cast<uint8_t>(t.qos);
            if (v5)
            {
                options |= static_cast<uint8_t>(
                    (t.noLocal ? SUBSCRIBE_NO_LOCAL : 0) |
                    (t.retainAsPublished ? SUBSCRIBE_RETAIN_AS_PUBLISHED : 0) |
                    static_cast<uint8_t>(t.retainHandling) << SUBSCRIBE_RETAIN_HANDLING_SHIFT);
            }
            w.U8(options);
        }
    }

    void
    operator()(const SubackPacket& p) const
    {
        Writer w = Start(p, PacketType::Suback);
        w.U16(p.packetId);
        if (v5)
        {
            WriteProperties(w, p.properties);
        }
        w.Bytes(p.returnCodes.data(), p.returnCodes.size());
    }

    void
    operator()(const UnsubscribePacket& p) const
    {
        Writer w = Start(p, PacketType::Unsubscribe, 0x02); // [MQTT-3.10.1-1], [MQTT5-3.10.1-1]
        w.U16(p.packetId);
        if (v5)
        {
            WriteProperties(w, p.properties);
        }
        for (const std::string& f : p.filters)
        {
            w.Field(f);
        }
    }

    void
    operator()(const UnsubackPacket& p) const
    {
        Writer w = Start(p, PacketType::Unsuback);
        w.U16(p.packetId);
        if (v5)
        {
            WriteProperties(w, p.properties);
            w.Bytes(p.reasonCodes.data(), p.reasonCodes.size());
        }
    }

    void
    operator()(const PingreqPacket& p) const
    {
        Start(p, PacketType::Pingreq);
    }

    void
    operator()(const PingrespPacket& p) const
    {
        Start(p, PacketType::Pingresp);
    }

    void
    operator()(const DisconnectPacket& p) const
    {
        Writer w = Start(p, PacketType::Disconnect);
        if (v5)
        {
            WriteReasonTail(w, p.reasonCode, p.properties);
        }
    }

    void
    operator()(const AuthPacket& p) const
    {
        Writer w = Start(p, PacketType::Auth);
        WriteReasonTail(w, p.reasonCode, p.properties);
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
    WritePublish(dup, qos, retain, topic, packetId, nullptr, payload, payloadSize, out);
}

void
EncodePublish5(bool dup,
               Qos qos,
               bool retain,
               std::string_view topic,
               uint16_t packetId,
               const Properties& properties,
               const uint8_t* payload,
               std::size_t payloadSize,
               std::vector<uint8_t>& out)
{
    WritePublish(dup, qos, retain, topic, packetId, &properties, payload, payloadSize, out);
}

void
Encode(const Packet& packet, std::vector<uint8_t>& out, ProtocolVersion version)
{
    std::visit(EncodeVisitor{out, version == ProtocolVersion::Mqtt5}, packet);
}

std::size_t
EncodedSize(const Packet& packet, ProtocolVersion version)
{
    std::size_t body = std::visit(BodySizeVisitor{version == ProtocolVersion::Mqtt5}, packet);
    return 1 + VariableByteIntegerSize(body) + body;
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
