/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Decoding of CONNECT, 3.1.1 and 5.0 (section 3.1): the flags, the variable header with its
 * properties, the payload (client id, will, user name, password), each field checked as a
 * receiver must, then copied into the packet.
 */
#include "mqtt-codec-flags.h"
#include "mqtt-codec-impl.h"

namespace ns3
{
namespace mqtt
{
namespace wire
{

namespace
{
/** The fields of a CONNECT as they stand in the bytes, before they are copied into a packet. */
struct ConnectFields
{
    std::string_view name;
    uint8_t level = 0;
    uint8_t flags = 0;
    uint16_t keepAlive = 0;
    PropertyScan properties;
    std::string_view clientId;
    PropertyScan willProperties;
    std::string_view willTopic;
    std::string_view willMessage;
    std::string_view userName;
    std::string_view password;

    bool
    IsV5() const
    {
        return level == 5;
    }

    bool
    HasWill() const
    {
        return (flags & CONNECT_WILL) != 0;
    }

    bool
    HasUser() const
    {
        return (flags & CONNECT_USER_NAME) != 0;
    }

    bool
    HasPassword() const
    {
        return (flags & CONNECT_PASSWORD) != 0;
    }
};

/** The CONNECT flags byte alone (section 3.1.2.3). */
DecodeError
CheckConnectFlags(uint8_t flags, bool v5)
{
    if ((flags & CONNECT_RESERVED) != 0)
    {
        return DecodeError::ConnectReservedFlagSet; // [MQTT-3.1.2-3], [MQTT5-3.1.2-3]
    }
    const bool hasWill = (flags & CONNECT_WILL) != 0;
    const uint8_t willQos = (flags >> CONNECT_WILL_QOS_SHIFT) & 0x03;
    const bool willRetain = (flags & CONNECT_WILL_RETAIN) != 0;
    if (!hasWill && (willQos != 0 || willRetain))
    {
        // [MQTT-3.1.2-11], -13, -15; [MQTT5-3.1.2-11], [MQTT5-3.1.2-13]
        return DecodeError::WillFlagsWithoutWill;
    }
    if (willQos == 3)
    {
        return DecodeError::InvalidWillQos; // [MQTT-3.1.2-14], [MQTT5-3.1.2-12]
    }
    // 5.0 allows a password without a user name (section 3.1.2.9).
    if (!v5 && (flags & CONNECT_PASSWORD) != 0 && (flags & CONNECT_USER_NAME) == 0)
    {
        return DecodeError::PasswordWithoutUserName; // [MQTT-3.1.2-22]
    }
    return DecodeError::None;
}

/** Protocol name and level, flags, keep-alive and 5.0 properties (section 3.1.2). */
DecodeError
DecodeConnectHeader(Cursor& c, ConnectFields& f, Packet& out, bool acceptV5)
{
    if (!c.ReadField(f.name) || !c.ReadU8(f.level))
    {
        return DecodeError::Truncated;
    }
    const bool isMqtt = f.name == "MQTT";
    if (!isMqtt || !(f.level == 4 || (f.level == 5 && acceptV5)))
    {
        // Keep what came, so the broker can log it and answer CONNACK 0x01 [MQTT-3.1.2-2]
        // (0x84 in 5.0 [MQTT5-3.1.2-2]). "MQIsdp" is MQTT 3.1: a known protocol at a level we
        // do not speak.
        auto& p = out.emplace<ConnectPacket>();
        p.protocolName.assign(f.name);
        p.protocolLevel = f.level;
        // [MQTT-3.1.2-1], [MQTT5-3.1.2-1]
        return (isMqtt || f.name == "MQIsdp") ? DecodeError::UnsupportedProtocolLevel
                                              : DecodeError::InvalidProtocolName;
    }
    if (!c.ReadU8(f.flags))
    {
        return DecodeError::Truncated;
    }
    DecodeError e = CheckConnectFlags(f.flags, f.IsV5());
    if (e != DecodeError::None)
    {
        return e;
    }
    if (!c.ReadU16(f.keepAlive))
    {
        return DecodeError::Truncated;
    }
    return f.IsV5() ? CheckProperties(c, PropertyPlace::Connect, f.properties) : DecodeError::None;
}

/** The payload in the order of [MQTT-3.1.3-1]; each field only when its flag says so. */
DecodeError
DecodeConnectPayload(Cursor& c, ConnectFields& f)
{
    if (!c.ReadField(f.clientId))
    {
        return DecodeError::Truncated;
    }
    DecodeError e = CheckString(f.clientId); // [MQTT-3.1.3-4], [MQTT5-3.1.3-4]
    if (e != DecodeError::None)
    {
        return e;
    }
    if (f.HasWill())
    {
        if (f.IsV5())
        {
            // Will Properties come first in 5.0 [MQTT5-3.1.3-1].
            e = CheckProperties(c, PropertyPlace::Will, f.willProperties);
            if (e != DecodeError::None)
            {
                return e;
            }
        }
        if (!c.ReadField(f.willTopic))
        {
            return DecodeError::Truncated;
        }
        e = CheckTopicName(f.willTopic); // [MQTT-3.1.3-10], [MQTT5-3.1.3-11]
        if (e != DecodeError::None)
        {
            return e;
        }
        if (!c.ReadField(f.willMessage))
        {
            return DecodeError::Truncated;
        }
    }
    if (f.HasUser())
    {
        if (!c.ReadField(f.userName))
        {
            return DecodeError::Truncated;
        }
        e = CheckString(f.userName); // [MQTT-3.1.3-11], [MQTT5-3.1.3-12]
        if (e != DecodeError::None)
        {
            return e;
        }
    }
    if (f.HasPassword() && !c.ReadField(f.password))
    {
        return DecodeError::Truncated;
    }
    return c.AtEnd() ? DecodeError::None : DecodeError::TrailingBytes;
}

/** Copies checked fields into @p out, reusing its buffers when it already holds a CONNECT. */
void
StoreConnect(const ConnectFields& f, Packet& out)
{
    auto& p = Reuse<ConnectPacket>(out);
    p.protocolName.assign(f.name);
    p.protocolLevel = f.level;
    p.cleanSession = (f.flags & CONNECT_CLEAN_SESSION) != 0;
    p.keepAliveSeconds = f.keepAlive;
    StoreOrClear(f.IsV5(), f.properties, p.properties);
    p.clientId.assign(f.clientId);
    if (f.HasWill())
    {
        Will& w = p.will ? *p.will : p.will.emplace();
        w.topic.assign(f.willTopic);
        w.payload.assign(f.willMessage.begin(), f.willMessage.end());
        w.qos = static_cast<Qos>((f.flags >> CONNECT_WILL_QOS_SHIFT) & 0x03);
        w.retain = (f.flags & CONNECT_WILL_RETAIN) != 0;
        StoreOrClear(f.IsV5(), f.willProperties, w.properties);
    }
    else
    {
        p.will.reset();
    }
    if (f.HasUser())
    {
        (p.userName ? *p.userName : p.userName.emplace()).assign(f.userName);
    }
    else
    {
        p.userName.reset();
    }
    if (f.HasPassword())
    {
        (p.password ? *p.password : p.password.emplace())
            .assign(f.password.begin(), f.password.end());
    }
    else
    {
        p.password.reset();
    }
}

} // namespace

DecodeError
DecodeConnect(Cursor c, Packet& out, bool acceptV5)
{
    ConnectFields f;
    DecodeError e = DecodeConnectHeader(c, f, out, acceptV5);
    if (e == DecodeError::None)
    {
        e = DecodeConnectPayload(c, f);
    }
    if (e == DecodeError::None)
    {
        StoreConnect(f, out);
    }
    return e;
}

} // namespace wire
} // namespace mqtt
} // namespace ns3
