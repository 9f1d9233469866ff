/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-device-bytes.h"

#include <algorithm>
#include <cstdint>
#include <optional>

namespace ns3
{
namespace mqtt
{

namespace
{

/** The content type of a TLS handshake record (RFC 8446 section 5.1). */
constexpr uint8_t TLS_HANDSHAKE_RECORD = 22;

constexpr uint8_t TCP_FIN = 0x01;
constexpr uint8_t TCP_SYN = 0x02;
constexpr uint8_t TCP_RST = 0x04;
constexpr uint8_t IP_PROTOCOL_TCP = 6;
constexpr uint64_t UNKNOWN_END = UINT64_MAX;

/** The cause of an MQTT packet, by the type in the high nibble of its first byte. */
MqttByteCause
CauseOfType(uint8_t type)
{
    switch (type)
    {
    case 1: // CONNECT
    case 2: // CONNACK
        return MqttByteCause::Connect;
    case 3:
        return MqttByteCause::Publish;
    case 4: // PUBACK
    case 5: // PUBREC
    case 6: // PUBREL
    case 7: // PUBCOMP
        return MqttByteCause::Ack;
    case 8:  // SUBSCRIBE
    case 9:  // SUBACK
    case 10: // UNSUBSCRIBE
    case 11: // UNSUBACK
        return MqttByteCause::Subscribe;
    case 12: // PINGREQ
    case 13: // PINGRESP
        return MqttByteCause::KeepAlive;
    case 14:
        return MqttByteCause::Disconnect;
    default: // 0 and 15 are reserved: not an MQTT 3.1.1 stream
        return MqttByteCause::Other;
    }
}

} // namespace

uint16_t
MqttDeviceBytes::Be16(const uint8_t* p)
{
    return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

uint32_t
MqttDeviceBytes::Be32(const uint8_t* p)
{
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

const char*
MqttByteCauseName(MqttByteCause cause)
{
    switch (cause)
    {
    case MqttByteCause::Publish:
        return "publish";
    case MqttByteCause::Ack:
        return "ack";
    case MqttByteCause::KeepAlive:
        return "keepalive";
    case MqttByteCause::Connect:
        return "connect";
    case MqttByteCause::Subscribe:
        return "subscribe";
    case MqttByteCause::Disconnect:
        return "disconnect";
    case MqttByteCause::Retransmission:
        return "retransmission";
    case MqttByteCause::TcpAck:
        return "tcp-ack";
    case MqttByteCause::Other:
        return "other";
    case MqttByteCause::Relay:
        return "relay";
    case MqttByteCause::TlsHandshake:
        return "tls-handshake";
    }
    return "other";
}

const char*
MqttByteLayerName(MqttByteLayer layer)
{
    switch (layer)
    {
    case MqttByteLayer::Mqtt:
        return "mqtt";
    case MqttByteLayer::TcpIp:
        return "tcpip";
    case MqttByteLayer::Link:
        return "link";
    case MqttByteLayer::Tls:
        return "tls";
    }
    return "link";
}

const char*
MqttByteDirectionName(MqttByteDirection direction)
{
    return direction == MqttByteDirection::Tx ? "tx" : "rx";
}

const MqttDeviceBytes::Count&
MqttDeviceBytes::At(MqttByteCause cause, MqttByteLayer layer, MqttByteDirection direction) const
{
    return m_counts[(std::size_t(cause) * MQTT_BYTE_LAYERS + std::size_t(layer)) * 2 +
                    std::size_t(direction)];
}

uint64_t
MqttDeviceBytes::TotalBytes(MqttByteDirection direction) const
{
    uint64_t total = 0;
    for (std::size_t c = 0; c < MQTT_BYTE_CAUSES; ++c)
    {
        for (std::size_t l = 0; l < MQTT_BYTE_LAYERS; ++l)
        {
            total += At(MqttByteCause(c), MqttByteLayer(l), direction).bytes;
        }
    }
    return total;
}

void
MqttDeviceBytes::Add(MqttByteCause cause,
                     MqttByteLayer layer,
                     MqttByteDirection direction,
                     uint64_t bytes,
                     bool frame)
{
    if (bytes == 0)
    {
        return;
    }
    Count& c = m_counts[(std::size_t(cause) * MQTT_BYTE_LAYERS + std::size_t(layer)) * 2 +
                        std::size_t(direction)];
    c.bytes += bytes;
    c.frames += frame ? 1 : 0;
}

void
MqttDeviceBytes::AddFrame(MqttByteCause cause,
                          MqttByteDirection direction,
                          uint64_t mqtt,
                          uint64_t tcpIp,
                          uint64_t link,
                          uint64_t tls)
{
    Add(cause, MqttByteLayer::Mqtt, direction, mqtt, true);
    Add(cause, MqttByteLayer::Tls, direction, tls, true);
    Add(cause, MqttByteLayer::TcpIp, direction, tcpIp, true);
    Add(cause, MqttByteLayer::Link, direction, link, true);
}

void
MqttDeviceBytes::AddStreamFrame(const Stream& s,
                                MqttByteCause cause,
                                MqttByteDirection direction,
                                const Segment& seg)
{
    const uint64_t payload = seg.payload.size();
    AddFrame(cause, direction, s.tls ? 0 : payload, seg.tcpIp, seg.link, s.tls ? payload : 0);
}

void
MqttDeviceBytes::OnFrame(MqttByteDirection direction,
                         const uint8_t* frame,
                         std::size_t size,
                         std::size_t linkHeader)
{
    // IPv4 (RFC 791): version 4, header length, total length, not a fragment.
    const uint8_t* ip = frame + linkHeader;
    if (size < linkHeader + 20 || (ip[0] >> 4) != 4)
    {
        AddFrame(MqttByteCause::Other, direction, 0, 0, size);
        return;
    }
    const std::size_t ipHeader = (ip[0] & 0x0F) * 4u;
    const std::size_t ipTotal = Be16(ip + 2);
    if (ipHeader < 20 || ipTotal < ipHeader || ipTotal > size - linkHeader)
    {
        AddFrame(MqttByteCause::Other, direction, 0, 0, size);
        return;
    }
    const uint64_t link = size - ipTotal;
    const bool fragment = (Be16(ip + 6) & 0x3FFF) != 0; // MF or an offset
    const uint8_t* tcp = ip + ipHeader;
    const std::size_t tcpHeader = ipTotal - ipHeader >= 20 ? (tcp[12] >> 4) * 4u : 0;
    if (ip[9] != IP_PROTOCOL_TCP || fragment || tcpHeader < 20 || tcpHeader > ipTotal - ipHeader)
    {
        AddFrame(MqttByteCause::Other, direction, 0, ipTotal, link);
        return;
    }

    // TCP (RFC 793): the connection as seen from the device, the sequence number, the flags.
    const uint8_t* remote = direction == MqttByteDirection::Tx ? ip + 16 : ip + 12;
    TcpPart part;
    Address address{};
    std::copy(remote, remote + 4, address.begin());
    const uint16_t sourcePort = Be16(tcp);
    const uint16_t destinationPort = Be16(tcp + 2);
    part.key = direction == MqttByteDirection::Tx
                   ? ConnectionKey{address, destinationPort, sourcePort}
                   : ConnectionKey{address, sourcePort, destinationPort};
    part.seq = Be32(tcp + 4);
    part.flags = tcp[13];
    part.payload = tcp + tcpHeader;
    part.payloadSize = ipTotal - ipHeader - tcpHeader;
    part.data = part.payloadSize > 0;
    part.tcpIp = ipHeader + tcpHeader;
    part.link = link;
    OnTcp(direction, part);
}

MqttByteCause
MqttDeviceBytes::OnTcp(MqttByteDirection direction, const TcpPart& part)
{
    auto& streams = m_connections[part.key];
    Stream& s = streams[std::size_t(direction)];
    Stream& tx = streams[std::size_t(MqttByteDirection::Tx)];
    const uint64_t payload = part.payloadSize;

    if (part.flags & TCP_SYN)
    {
        if (s.synSeen && part.seq == s.isn)
        {
            AddFrame(MqttByteCause::Retransmission, direction, payload, part.tcpIp, part.link);
            return MqttByteCause::Retransmission;
        }
        s = Stream{};
        s.synSeen = true;
        s.isn = part.seq;
        // The device opened the connection: its ACK of the SYN-ACK is part of the set-up.
        if (direction == MqttByteDirection::Tx)
        {
            tx.handshakeAckDue = true;
        }
        AddFrame(MqttByteCause::Connect, direction, payload, part.tcpIp, part.link);
        return MqttByteCause::Connect;
    }
    if (part.data)
    {
        if (!s.synSeen || payload == 0)
        {
            // Data of a connection whose SYN was not seen; or a 6LoWPAN fragment holding only
            // headers of a segment whose data follows in later fragments (ns-3 never cuts so).
            AddFrame(MqttByteCause::Other, direction, payload, part.tcpIp, part.link);
            return MqttByteCause::Other;
        }
        Segment seg;
        // The SYN takes sequence number ISN; a later fragment starts part.offset further.
        seg.begin = uint64_t(uint32_t(part.seq - s.isn - 1)) + part.offset;
        seg.payload.assign(part.payload, part.payload + payload);
        seg.tcpIp = part.tcpIp;
        seg.link = part.link;
        return OnData(streams, direction, std::move(seg));
    }
    if (part.flags & (TCP_FIN | TCP_RST))
    {
        AddFrame(MqttByteCause::Disconnect, direction, 0, part.tcpIp, part.link);
        return MqttByteCause::Disconnect;
    }
    const bool handshake = direction == MqttByteDirection::Tx && tx.handshakeAckDue;
    tx.handshakeAckDue = false;
    const MqttByteCause cause = handshake ? MqttByteCause::Connect : MqttByteCause::TcpAck;
    AddFrame(cause, direction, 0, part.tcpIp, part.link);
    return cause;
}

MqttByteCause
MqttDeviceBytes::OnData(std::array<Stream, 2>& streams, MqttByteDirection direction, Segment seg)
{
    Stream& s = streams[std::size_t(direction)];
    const uint64_t end = seg.begin + seg.payload.size();
    if (seg.begin > s.next)
    {
        // Ahead of a gap: wait for it (a second copy of a waiting segment is a retransmission).
        auto [it, inserted] = s.ahead.emplace(seg.begin, Segment{});
        if (!inserted)
        {
            AddStreamFrame(s, MqttByteCause::Retransmission, direction, seg);
            return MqttByteCause::Retransmission;
        }
        it->second = std::move(seg);
        return MqttByteCause::Other;
    }
    // The segment's place among the frames waiting to be attributed, if it waits (in order).
    std::optional<std::size_t> mine;
    if (seg.begin < s.next)
    {
        // Bytes seen before: the whole frame is a retransmission; new bytes in it are parsed.
        if (end > s.next)
        {
            Take(streams, direction, seg.payload.data() + (s.next - seg.begin), end - s.next);
        }
        AddStreamFrame(s, MqttByteCause::Retransmission, direction, seg);
    }
    else
    {
        Take(streams, direction, seg.payload.data(), seg.payload.size());
        mine = s.pending.size();
        s.pending.push_back(std::move(seg));
    }
    // The gap may be filled: what waited behind it is in order now.
    while (!s.ahead.empty() && s.ahead.begin()->first <= s.next)
    {
        Segment waiting = std::move(s.ahead.begin()->second);
        s.ahead.erase(s.ahead.begin());
        const uint64_t waitingEnd = waiting.begin + waiting.payload.size();
        if (waitingEnd <= s.next)
        {
            AddStreamFrame(s, MqttByteCause::Retransmission, direction, waiting);
            continue;
        }
        Take(streams, direction, waiting.payload.data() + (s.next - waiting.begin), waitingEnd - s.next);
        s.pending.push_back(std::move(waiting));
    }
    const MqttByteCause settled = Settle(s, direction, mine.value_or(0));
    return mine ? settled : MqttByteCause::Retransmission;
}

void
MqttDeviceBytes::Take(std::array<Stream, 2>& streams,
                      MqttByteDirection direction,
                      const uint8_t* data,
                      std::size_t size)
{
    Stream& s = streams[std::size_t(direction)];
    if (s.next == 0 && size > 0 && data[0] == TLS_HANDSHAKE_RECORD)
    {
        // A TLS stream (doc/tls-sim.md): it opens with a handshake record, which as MQTT would be
        // a CONNECT with reserved flags.
        s.tls = true;
    }
    if (s.tls)
    {
        TakeTls(streams, direction, data, size);
    }
    else
    {
        Parse(s.mqtt, data, size);
    }
    s.next += size;
}

uint64_t
MqttDeviceBytes::Resolved(const Stream& s)
{
    return s.tls ? s.recordBegin : s.next;
}

MqttByteCause
MqttDeviceBytes::Settle(Stream& s, MqttByteDirection direction, std::size_t index)
{
    const uint64_t resolved = Resolved(s);
    MqttByteCause cause = MqttByteCause::Other;
    for (std::size_t i = 0; !s.pending.empty() &&
                            s.pending.front().begin + s.pending.front().payload.size() <= resolved;
         ++i)
    {
        const MqttByteCause c = Attribute(s, direction, s.pending.front());
        cause = i == index ? c : cause;
        s.pending.pop_front();
    }
    return cause;
}

void
MqttDeviceBytes::Parse(MqttParse& s, const uint8_t* data, std::size_t size)
{
    // MQTT fixed header (section 2.2): the type in the first byte's high nibble, then the
    // Remaining Length in 1 to 4 bytes of 7 bits, least significant first. Bodies are skipped:
    // only where each packet starts and ends, and its type, are needed.
    uint64_t at = s.next;
    std::size_t i = 0;
    while (i < size)
    {
        if (s.headerBytes == 0 && at != s.packetEnd)
        {
            std::size_t skip =
                std::min<uint64_t>(size - i, s.packetEnd == UNKNOWN_END ? size : s.packetEnd - at);
            i += skip;
            at += skip;
            continue;
        }
        if (s.headerBytes == 0)
        {
            s.spans.push_back(Span{at, UNKNOWN_END, CauseOfType(data[i] >> 4)});
            s.packetEnd = UNKNOWN_END;
        }
        s.header[s.headerBytes++] = data[i];
        ++i;
        ++at;
        if (s.headerBytes >= 2 && (data[i - 1] & 0x80) == 0)
        {
            uint64_t remaining = 0;
            for (std::size_t b = 1; b < s.headerBytes; ++b)
            {
                remaining |= uint64_t(s.header[b] & 0x7F) << (7 * (b - 1));
            }
            s.packetEnd = s.spans.back().begin + s.headerBytes + remaining;
            s.spans.back().end = s.packetEnd;
            s.headerBytes = 0;
        }
        else if (s.headerBytes == s.header.size())
        {
            // A fifth length byte: not MQTT; the rest of the stream is one span of Other.
            s.spans.back().cause = MqttByteCause::Other;
            s.headerBytes = 0;
        }
    }
    s.next = at;
}

MqttByteCause
MqttDeviceBytes::Attribute(Stream& s, MqttByteDirection direction, const Segment& seg)
{
    std::deque<Span>& spans = s.tls ? s.spans : s.mqtt.spans;
    const uint64_t begin = seg.begin;
    const uint64_t end = begin + seg.payload.size();
    std::array<uint64_t, MQTT_BYTE_CAUSES> mqtt{};
    std::array<uint64_t, MQTT_BYTE_CAUSES> tls{};
    MqttByteCause first = MqttByteCause::Other;
    uint64_t covered = 0;
    for (const Span& span : spans)
    {
        uint64_t from = std::max(begin, span.begin);
        uint64_t to = std::min(end, span.end);
        if (from < to)
        {
            first = covered == 0 ? span.cause : first;
            (span.layer == MqttByteLayer::Tls ? tls : mqtt)[std::size_t(span.cause)] += to - from;
            covered += to - from;
        }
    }
    (s.tls ? tls : mqtt)[std::size_t(MqttByteCause::Other)] += (end - begin) - covered;
    // Headers in proportion to the payload bytes of each cause; what rounding leaves, to the first.
    const uint64_t total = end - begin;
    uint64_t tcpIpLeft = seg.tcpIp;
    uint64_t linkLeft = seg.link;
    std::array<uint64_t, MQTT_BYTE_CAUSES> tcpIp{};
    std::array<uint64_t, MQTT_BYTE_CAUSES> link{};
    for (std::size_t c = 0; c < MQTT_BYTE_CAUSES; ++c)
    {
        tcpIp[c] = seg.tcpIp * (mqtt[c] + tls[c]) / total;
        link[c] = seg.link * (mqtt[c] + tls[c]) / total;
        tcpIpLeft -= tcpIp[c];
        linkLeft -= link[c];
    }
    tcpIp[std::size_t(first)] += tcpIpLeft;
    link[std::size_t(first)] += linkLeft;
    for (std::size_t c = 0; c < MQTT_BYTE_CAUSES; ++c)
    {
        AddFrame(MqttByteCause(c), direction, mqtt[c], tcpIp[c], link[c], tls[c]);
    }
    // Later frames start at or after this one (in order, or drained from behind a gap).
    while (!spans.empty() && spans.front().end <= begin)
    {
        spans.pop_front();
    }
    return first;
}

void
MqttDeviceBytes::Finish()
{
    for (auto& [key, streams] : m_connections)
    {
        for (std::size_t d = 0; d < streams.size(); ++d)
        {
            Stream& s = streams[d];
            // Frames of a record never whole: what is not in a whole record counts as Other.
            for (const Segment& seg : s.pending)
            {
                Attribute(s, MqttByteDirection(d), seg);
            }
            s.pending.clear();
            for (const auto& [begin, seg] : s.ahead)
            {
                AddStreamFrame(s, MqttByteCause::Other, MqttByteDirection(d), seg);
            }
            s.ahead.clear();
        }
    }
}

} // namespace mqtt
} // namespace ns3
