/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Random valid packets for the codec's randomized round trips (3.1.1 and 5.0).
 */
#ifndef MQTT_RANDOM_PACKETS_H
#define MQTT_RANDOM_PACKETS_H

#include "mqtt-codec.h"

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{
namespace test
{

/** Random valid 3.1.1 packets; a seed gives the same sequence. */

class RandomPackets
{
  public:
    explicit RandomPackets(uint32_t seed)
        : m_rng(seed)
    {
    }

    int
    Int(int lo, int hi)
    {
        return std::uniform_int_distribution<int>(lo, hi)(m_rng);
    }

    bool
    Coin()
    {
        return Int(0, 1) == 1;
    }

    /** A random code point that is valid in an MQTT string: no U+0000, no surrogate. */
    uint32_t
    CodePoint(bool asciiOnly)
    {
        switch (asciiOnly ? 0 : Int(0, 3))
        {
        case 0:
            return static_cast<uint32_t>(Int(1, 0x7F));
        case 1:
            return static_cast<uint32_t>(Int(0x80, 0x7FF));
        case 2:
        {
            uint32_t cp;
            do
            {
                cp = static_cast<uint32_t>(Int(0x800, 0xFFFF));
            } while (cp >= 0xD800 && cp <= 0xDFFF);
            return cp;
        }
        default:
            return static_cast<uint32_t>(Int(0x10000, 0x10FFFF));
        }
    }

    static void
    AppendUtf8(std::string& s, uint32_t cp)
    {
        if (cp < 0x80)
        {
            s.push_back(static_cast<char>(cp));
        }
        else if (cp < 0x800)
        {
            s.push_back(static_cast<char>(0xC0 | cp >> 6));
            s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
        else if (cp < 0x10000)
        {
            s.push_back(static_cast<char>(0xE0 | cp >> 12));
            s.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
            s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
        else
        {
            s.push_back(static_cast<char>(0xF0 | cp >> 18));
            s.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
            s.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
            s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
    }

    /** A valid UTF-8 string of up to @p maxChars characters, without the excluded ASCII. */
    std::string
    Text(int minChars, int maxChars, std::string_view exclude = "")
    {
        std::string s;
        int n = Int(minChars, maxChars);
        bool ascii = Int(0, 3) == 0;
        while (static_cast<int>(s.size()) < n)
        {
            uint32_t cp = CodePoint(ascii);
            if (cp < 0x80 && exclude.find(static_cast<char>(cp)) != std::string_view::npos)
            {
                continue;
            }
            AppendUtf8(s, cp);
        }
        return s;
    }

    std::string
    TopicName()
    {
        std::string t;
        int levels = Int(1, 4);
        for (int i = 0; i < levels; ++i)
        {
            if (i > 0)
            {
                t.push_back('/');
            }
            t += Text(i == 0 && levels == 1 ? 1 : 0, 12, "+#/");
        }
        return t;
    }

    std::string
    TopicFilter()
    {
        std::string t;
        int levels = Int(1, 4);
        for (int i = 0; i < levels; ++i)
        {
            if (i > 0)
            {
                t.push_back('/');
            }
            int kind = Int(0, 5);
            if (kind == 0)
            {
                t.push_back('+');
            }
            else if (kind == 1 && i == levels - 1)
            {
                t.push_back('#');
            }
            else
            {
                t += Text(i == 0 && levels == 1 ? 1 : 0, 12, "+#/");
            }
        }
        return t;
    }

    std::vector<uint8_t>
    Blob(int maxSize)
    {
        // Mostly small, sometimes big.
        int size = Int(0, 9) == 0 ? Int(0, maxSize) : Int(0, 64);
        std::vector<uint8_t> b(static_cast<std::size_t>(size));
        for (auto& x : b)
        {
            x = static_cast<uint8_t>(Int(0, 255));
        }
        return b;
    }

    uint16_t
    Id()
    {
        return static_cast<uint16_t>(Int(1, 65535));
    }

    Qos
    AnyQos()
    {
        return static_cast<Qos>(Int(0, 2));
    }

    Packet
    Any()
    {
        switch (Int(1, 14))
        {
        case 1:
        {
            ConnectPacket c;
            c.cleanSession = Coin();
            c.keepAliveSeconds = static_cast<uint16_t>(Int(0, 65535));
            c.clientId = Text(0, 30);
            if (Coin())
            {
                c.will = Will{TopicName(), Blob(3000), AnyQos(), Coin()};
            }
            if (Coin())
            {
                c.userName = Text(0, 20);
                if (Coin())
                {
                    c.password = Blob(200);
                }
            }
            return c;
        }
        case 2:
            return ConnackPacket{Coin(), static_cast<ConnectReturnCode>(Int(0, 5))};
        case 3:
        {
            PublishPacket p;
            p.qos = AnyQos();
            p.dup = p.qos != Qos::AtMostOnce && Coin();
            p.retain = Coin();
            p.topic = TopicName();
            p.packetId = p.qos == Qos::AtMostOnce ? 0 : Id();
            p.payload = Blob(200000);
            return p;
        }
        case 4:
            return PubackPacket{Id()};
        case 5:
            return PubrecPacket{Id()};
        case 6:
            return PubrelPacket{Id()};
        case 7:
            return PubcompPacket{Id()};
        case 8:
        {
            SubscribePacket s;
            s.packetId = Id();
            int n = Int(1, 6);
            for (int i = 0; i < n; ++i)
            {
                s.topics.push_back({TopicFilter(), AnyQos()});
            }
            return s;
        }
        case 9:
        {
            SubackPacket s;
            s.packetId = Id();
            int n = Int(1, 6);
            const uint8_t codes[4] = {0x00, 0x01, 0x02, 0x80};
            for (int i = 0; i < n; ++i)
            {
                s.returnCodes.push_back(codes[Int(0, 3)]);
            }
            return s;
        }
        case 10:
        {
            UnsubscribePacket u;
            u.packetId = Id();
            int n = Int(1, 6);
            for (int i = 0; i < n; ++i)
            {
                u.filters.push_back(TopicFilter());
            }
            return u;
        }
        case 11:
            return UnsubackPacket{Id()};
        case 12:
            return PingreqPacket{};
        case 13:
            return PingrespPacket{};
        default:
            return DisconnectPacket{};
        }
    }

    /** A random valid 5.0 packet: Any() with 5.0 reason codes, options and properties. */
    Packet
    Any5()
    {
        Packet p = Int(1, 15) == 15 ? Packet{AuthPacket{}} : Any();
        std::visit([this](auto& q) { Decorate5(q); }, p);
        return p;
    }

    /** Random valid properties for @p place, each identifier at most once unless it may repeat. */
    Properties
    RandomProperties(PropertyPlace place)
    {
        Properties props;
        int n = Int(0, 3) == 0 ? 0 : Int(1, 6);
        for (int i = 0; i < n; ++i)
        {
            const PropertyInfo* info = FindPropertyInfo(static_cast<uint32_t>(Int(1, 0x2A)));
            if (info == nullptr || !IsPropertyAllowed(info->id, place) ||
                (props.Has(info->id) && !MayRepeat(info->id, place)))
            {
                continue;
            }
            AddRandomValue(props, *info);
        }
        if (props.Has(PropertyId::AuthenticationData) &&
            !props.Has(PropertyId::AuthenticationMethod))
        {
            props.AddText(PropertyId::AuthenticationMethod, Text(1, 10));
        }
        return props;
    }

  private:
    void
    AddRandomValue(Properties& props, const PropertyInfo& info)
    {
        switch (info.type)
        {
        case PropertyType::Byte:
            props.AddNumber(info.id, static_cast<uint32_t>(Int(0, 1)));
            return;
        case PropertyType::TwoByteInteger:
            props.AddNumber(info.id, static_cast<uint32_t>(Int(1, 65535)));
            return;
        case PropertyType::FourByteInteger:
            props.AddNumber(info.id, static_cast<uint32_t>(Int(1, 0x7FFFFFFF)) * 2u);
            return;
        case PropertyType::VariableByteInteger:
            props.AddNumber(info.id, static_cast<uint32_t>(Int(1, 268435455)));
            return;
        case PropertyType::Utf8String:
            props.AddText(info.id,
                          info.id == PropertyId::ResponseTopic ? TopicName() : Text(0, 20));
            return;
        case PropertyType::Utf8StringPair:
            props.AddUserProperty(Text(0, 10), Text(0, 10));
            return;
        case PropertyType::BinaryData:
            props.AddBinary(info.id, Blob(100));
            return;
        }
    }

    /** A random reason code that table 2-6 allows in @p type. */
    ReasonCode
    Reason(PacketType type)
    {
        while (true)
        {
            auto code = static_cast<uint8_t>(Int(0, 255));
            if (IsReasonCodeAllowed(type, code))
            {
                return static_cast<ReasonCode>(code);
            }
        }
    }

    std::vector<uint8_t>
    Codes(PacketType type, std::size_t n)
    {
        std::vector<uint8_t> codes;
        for (std::size_t i = 0; i < n; ++i)
        {
            codes.push_back(static_cast<uint8_t>(Reason(type)));
        }
        return codes;
    }

    void
    Decorate5(ConnectPacket& c)
    {
        c.protocolLevel = 5;
        c.properties = RandomProperties(PropertyPlace::Connect);
        if (c.will)
        {
            c.will->properties = RandomProperties(PropertyPlace::Will);
        }
        if (Coin())
        {
            c.userName.reset(); // 5.0 allows a password alone
        }
    }

    void
    Decorate5(ConnackPacket& c)
    {
        c.returnCode = ConnectReturnCode::Accepted;
        c.reasonCode = Coin() ? ReasonCode::Success : Reason(PacketType::Connack);
        c.sessionPresent = c.sessionPresent && c.reasonCode == ReasonCode::Success;
        c.properties = RandomProperties(PropertyPlace::Connack);
    }

    void
    Decorate5(PublishPacket& p)
    {
        p.properties = RandomProperties(PropertyPlace::Publish);
        if (p.properties.Has(PropertyId::TopicAlias) && Coin())
        {
            p.topic.clear();
        }
    }

    template<typename Ack>
    void
    DecorateAck(Ack& a, PacketType type)
    {
        a.reasonCode = Coin() ? ReasonCode::Success : Reason(type);
        if (Coin())
        {
            a.properties = RandomProperties(static_cast<PropertyPlace>(
                static_cast<int>(PropertyPlace::Puback) + static_cast<int>(type) -
                static_cast<int>(PacketType::Puback)));
        }
    }

    void
    Decorate5(PubackPacket& a)
    {
        DecorateAck(a, PacketType::Puback);
    }

    void
    Decorate5(PubrecPacket& a)
    {
        DecorateAck(a, PacketType::Pubrec);
    }

    void
    Decorate5(PubrelPacket& a)
    {
        DecorateAck(a, PacketType::Pubrel);
    }

    void
    Decorate5(PubcompPacket& a)
    {
        DecorateAck(a, PacketType::Pubcomp);
    }

    void
    Decorate5(SubscribePacket& s)
    {
        s.properties = RandomProperties(PropertyPlace::Subscribe);
        for (TopicRequest& t : s.topics)
        {
            t.noLocal = Coin();
            t.retainAsPublished = Coin();
            t.retainHandling = static_cast<RetainHandling>(Int(0, 2));
        }
    }

    void
    Decorate5(SubackPacket& s)
    {
        s.properties = RandomProperties(PropertyPlace::Suback);
        s.returnCodes = Codes(PacketType::Suback, s.returnCodes.size());
    }

    void
    Decorate5(UnsubscribePacket& u)
    {
        u.properties = RandomProperties(PropertyPlace::Unsubscribe);
    }

    void
    Decorate5(UnsubackPacket& u)
    {
        u.properties = RandomProperties(PropertyPlace::Unsuback);
        u.reasonCodes = Codes(PacketType::Unsuback, static_cast<std::size_t>(Int(1, 6)));
    }

    void
    Decorate5(PingreqPacket&)
    {
    }

    void
    Decorate5(PingrespPacket&)
    {
    }

    void
    Decorate5(DisconnectPacket& d)
    {
        d.reasonCode = Coin() ? ReasonCode::NormalDisconnection : Reason(PacketType::Disconnect);
        d.properties = RandomProperties(PropertyPlace::Disconnect);
    }

    void
    Decorate5(AuthPacket& a)
    {
        a.reasonCode = Int(0, 2) == 0 ? ReasonCode::Success : Reason(PacketType::Auth);
        a.properties = RandomProperties(PropertyPlace::Auth);
        if ((a.reasonCode != ReasonCode::Success || !a.properties.Empty()) &&
            !a.properties.Has(PropertyId::AuthenticationMethod))
        {
            a.properties.AddText(PropertyId::AuthenticationMethod, Text(1, 10));
        }
    }

  private:
    std::mt19937 m_rng;
};

} // namespace test
} // namespace mqtt
} // namespace ns3

#endif // MQTT_RANDOM_PACKETS_H
