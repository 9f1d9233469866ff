/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The layers of an IEEE 802.15.4 frame carrying 6LoWPAN (doc/device-cost.md): MAC header and
 * FCS (IEEE 802.15.4-2006 section 7.2), the 6LoWPAN headers (RFC 4944 mesh, broadcast and
 * fragment headers; RFC 6282 IPHC; uncompressed IPv6), the TCP header and the TCP payload.
 */
#include "mqtt-device-bytes.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

namespace
{

constexpr std::size_t FCS = 2;
constexpr std::size_t IPV6_HEADER = 40;
constexpr uint8_t IP_PROTOCOL_TCP = 6;
constexpr uint64_t NOT_TCP = UINT64_MAX;

/** Bytes of an address in the MAC header by its addressing mode (none, reserved, 16, 64 bit). */
std::size_t
MacAddressBytes(unsigned mode)
{
    return mode == 2 ? 2 : mode == 3 ? 8 : 0;
}

/** The MAC header of a frame: its type, sequence number, length and source address (0 when
 *  absent). */
struct MacHeader
{
    unsigned type = 0;
    uint8_t sequence = 0;
    std::size_t length = 0;
    uint64_t source = 0;
};

constexpr unsigned FRAME_DATA = 1;
constexpr unsigned FRAME_ACK = 2;

MacHeader
ReadMacHeader(const uint8_t* p, std::size_t size)
{
    MacHeader h;
    if (size < 3 + FCS)
    {
        return h;
    }
    const unsigned fcf = p[0] | (p[1] << 8); // little-endian (section 7.2.1.1)
    const bool security = (fcf >> 3) & 1;
    const bool panIdCompression = (fcf >> 6) & 1;
    const unsigned destinationMode = (fcf >> 10) & 3;
    const unsigned sourceMode = (fcf >> 14) & 3;
    std::size_t n = 3; // frame control, sequence number
    if (destinationMode != 0)
    {
        n += 2 + MacAddressBytes(destinationMode);
    }
    if (sourceMode != 0)
    {
        n += panIdCompression ? 0 : 2;
        const std::size_t at = n;
        n += MacAddressBytes(sourceMode);
        for (std::size_t i = at; i < n && i < size; ++i)
        {
            h.source = (h.source << 8) | p[i];
        }
    }
    if (security && n < size)
    {
        // Auxiliary security header: control, frame counter, key identifier by its mode.
        static constexpr std::size_t keyId[] = {0, 1, 5, 9};
        n += 5 + keyId[(p[n] >> 3) & 3];
    }
    h.type = fcf & 7;
    h.sequence = p[2];
    h.length = n;
    return h;
}

using Address = MqttDeviceBytes::Address;

/** An IPv6 address of a header: known when inline or derivable without a context. */
struct Ipv6Field
{
    bool known = false;
    bool multicast = false;
    Address bytes{};
};

/** A stateless (no context) unicast address by its RFC 6282 mode: 128 bits inline, 64 or 16
 *  bits inline after the link-local prefix, or elided (derived from the link layer: unknown
 *  here). */
Ipv6Field
StatelessAddress(const uint8_t* p, std::size_t size, unsigned mode)
{
    static constexpr std::size_t INLINE[] = {16, 8, 2, 0};
    Ipv6Field a;
    if (mode == 3 || size < INLINE[mode])
    {
        return a;
    }
    a.known = true;
    if (mode == 0)
    {
        std::copy(p, p + 16, a.bytes.begin());
        return a;
    }
    a.bytes[0] = 0xFE;
    a.bytes[1] = 0x80;
    if (mode == 2)
    {
        a.bytes[11] = 0xFF;
        a.bytes[12] = 0xFE;
    }
    std::copy(p, p + INLINE[mode], a.bytes.end() - INLINE[mode]);
    return a;
}

/** RFC 6282 IPHC: the bytes of the compressed header, the next header (0 if compressed) and
 *  the addresses. */
struct Iphc
{
    std::size_t length = 0;
    uint8_t nextHeader = 0;
    Ipv6Field source;
    Ipv6Field destination;
};

Iphc
ReadIphc(const uint8_t* p, std::size_t size)
{
    Iphc h;
    if (size < 2)
    {
        return h;
    }
    const unsigned tf = (p[0] >> 3) & 3;
    const bool nhCompressed = (p[0] >> 2) & 1;
    const unsigned hlim = p[0] & 3;
    const bool cid = (p[1] >> 7) & 1;
    const bool sac = (p[1] >> 6) & 1;
    const unsigned sam = (p[1] >> 4) & 3;
    const bool multicast = (p[1] >> 3) & 1;
    const bool dac = (p[1] >> 2) & 1;
    const unsigned dam = p[1] & 3;
    static constexpr std::size_t TF[] = {4, 3, 1, 0};
    static constexpr std::size_t STATELESS[] = {16, 8, 2, 0};
    static constexpr std::size_t STATEFUL[] = {0, 8, 2, 0};
    static constexpr std::size_t MULTICAST[] = {16, 6, 4, 1};
    std::size_t n = 2 + (cid ? 1 : 0) + TF[tf];
    if (!nhCompressed && n < size)
    {
        h.nextHeader = p[n];
    }
    n += nhCompressed ? 0 : 1;
    n += hlim == 0 ? 1 : 0;
    if (!sac)
    {
        h.source = StatelessAddress(p + std::min(n, size), size - std::min(n, size), sam);
    }
    else if (sam == 0)
    {
        h.source.known = true; // the unspecified address
    }
    n += sac ? STATEFUL[sam] : STATELESS[sam];
    if (multicast)
    {
        h.destination.multicast = true;
        n += dac ? (dam == 0 ? 6 : 0) : MULTICAST[dam];
    }
    else
    {
        if (!dac)
        {
            h.destination =
                StatelessAddress(p + std::min(n, size), size - std::min(n, size), dam);
        }
        n += dac ? STATEFUL[dam] : STATELESS[dam];
    }
    h.length = n;
    return h;
}

/** The TCP header's length at @p p (0 when the frame does not hold its data offset). */
std::size_t
TcpHeaderBytes(const uint8_t* p, std::size_t size)
{
    return size > 12 ? (p[12] >> 4) * 4u : 0;
}

} // namespace

void
MqttDeviceBytes::SetOwnAddresses(std::vector<Address> addresses)
{
    m_own = std::move(addresses);
}

bool
MqttDeviceBytes::IsOwn(const Address& a) const
{
    return std::find(m_own.begin(), m_own.end(), a) != m_own.end();
}

void
MqttDeviceBytes::OnLowPanFrame(MqttByteDirection direction, const uint8_t* frame, std::size_t size)
{
    const MacHeader mac = ReadMacHeader(frame, size);
    const std::size_t d = std::size_t(direction);
    if (mac.type == FRAME_ACK && size >= 3 + FCS)
    {
        // A MAC acknowledgement (link whole) counts with the frame it acknowledges: the last
        // data frame of the other direction with its sequence number.
        const uint8_t acknowledged = m_sequenceCause[1 - d][mac.sequence];
        AddFrame(acknowledged ? MqttByteCause(acknowledged - 1) : MqttByteCause::Other,
                 direction,
                 0,
                 0,
                 size);
        return;
    }
    if (mac.type != FRAME_DATA || mac.length + FCS > size)
    {
        // Not a data frame (or not one this observer can read): all of it is link.
        AddFrame(MqttByteCause::Other, direction, 0, 0, size);
        return;
    }
    const uint64_t link = mac.length + FCS;
    LastFrame& last = m_lastFrames[{uint8_t(d), mac.source}];
    MqttByteCause cause;
    if (last.bytes.size() == size && std::equal(last.bytes.begin(), last.bytes.end(), frame))
    {
        // The same frame again, sequence number included: a MAC retry (the acknowledgement did
        // not come), or its duplicate received. Not dissected again.
        cause = last.cause == MqttByteCause::Relay ? MqttByteCause::Relay
                                                   : MqttByteCause::Retransmission;
        AddFrame(cause, direction, last.mqtt, last.tcpIp, last.link);
    }
    else
    {
        uint64_t mqtt = 0;
        cause = OnLowPanData(direction, mac.source, frame + mac.length, size - link, link, &mqtt);
        last.bytes.assign(frame, frame + size);
        last.cause = cause;
        last.mqtt = mqtt;
        last.tcpIp = size - link - mqtt;
        last.link = link;
    }
    m_sequenceCause[d][mac.sequence] = uint8_t(uint8_t(cause) + 1);
}

MqttByteCause
MqttDeviceBytes::OnLowPanData(MqttByteDirection direction,
                              uint64_t source,
                              const uint8_t* p,
                              std::size_t msdu,
                              uint64_t link,
                              uint64_t* mqttOut)
{
    std::size_t at = 0; // 6LoWPAN header bytes read so far
    // Mesh (10xxxxxx) and broadcast (0x50) headers come first (RFC 4944 section 5.1).
    while (at < msdu)
    {
        const uint8_t b = p[at];
        if ((b & 0xC0) == 0x80)
        {
            at += 1 + ((b & 0x20) ? 2 : 8) + ((b & 0x10) ? 2 : 8);
        }
        else if (b == 0x50)
        {
            at += 2;
        }
        else
        {
            break;
        }
    }
    // A fragment header: FRAG1 (11000xxx, 4 bytes) or FRAGN (11100xxx, 5 bytes, an offset).
    bool fragment = false;
    bool first = true;
    uint64_t offset = 0;
    uint16_t datagramSize = 0;
    DatagramKey key{};
    if (at + 4 <= msdu && ((p[at] & 0xF8) == 0xC0 || (p[at] & 0xF8) == 0xE0))
    {
        fragment = true;
        first = (p[at] & 0xF8) == 0xC0;
        datagramSize = static_cast<uint16_t>(((p[at] & 7) << 8) | p[at + 1]);
        const uint16_t tag = static_cast<uint16_t>((p[at + 2] << 8) | p[at + 3]);
        key = DatagramKey{uint8_t(direction), source, tag, datagramSize};
        if (!first && at + 5 <= msdu)
        {
            offset = uint64_t(p[at + 4]) * 8;
        }
        at += first ? 4 : 5;
    }
    at = std::min(at, msdu);

    // How this frame is attributed (for a first fragment: its whole datagram), where the TCP
    // payload starts in uncompressed datagram bytes, and where this frame's content after the
    // 6LoWPAN headers starts in the same count.
    Datagram datagram;
    datagram.payloadStart = NOT_TCP;
    uint64_t contentAt = offset;
    if (first)
    {
        std::size_t header = 0;
        Iphc ip;
        if (at < msdu && (p[at] & 0xE0) == 0x60)
        {
            ip = ReadIphc(p + at, msdu - at);
            header = ip.length;
        }
        else if (at < msdu && p[at] == 0x41 && msdu - at >= 1 + IPV6_HEADER)
        {
            const uint8_t* v6 = p + at + 1;
            header = 1 + IPV6_HEADER;
            ip.nextHeader = v6[6];
            ip.source.known = ip.destination.known = true;
            std::copy(v6 + 8, v6 + 24, ip.source.bytes.begin());
            std::copy(v6 + 24, v6 + 40, ip.destination.bytes.begin());
            ip.destination.multicast = v6[24] == 0xFF;
        }
        if (header > 0 && at + header <= msdu)
        {
            at += header;
            contentAt = IPV6_HEADER;
            // Route-over forwarding: a datagram from another node's address, or for another
            // node's unicast address, passes through this mote for others.
            const bool tx = direction == MqttByteDirection::Tx;
            const Ipv6Field& other = tx ? ip.destination : ip.source;
            const bool relay =
                !m_own.empty() &&
                (tx ? ip.source.known && !IsOwn(ip.source.bytes)
                    : ip.destination.known && !ip.destination.multicast &&
                          !IsOwn(ip.destination.bytes));
            const uint8_t* tcp = p + at;
            const std::size_t tcpHeader = TcpHeaderBytes(tcp, msdu - at);
            if (ip.nextHeader == IP_PROTOCOL_TCP && tcpHeader >= 20)
            {
                datagram.payloadStart = IPV6_HEADER + tcpHeader;
            }
            if (relay)
            {
                datagram.cause = MqttByteCause::Relay;
            }
            else if (datagram.payloadStart != NOT_TCP && msdu - at > 13)
            {
                // The device's own segment, its ports, sequence number and flags in this frame.
                TcpPart& t = datagram.tcp;
                const uint16_t sourcePort = Be16(tcp);
                const uint16_t destinationPort = Be16(tcp + 2);
                t.key = tx ? ConnectionKey{other.bytes, destinationPort, sourcePort}
                           : ConnectionKey{other.bytes, sourcePort, destinationPort};
                t.seq = Be32(tcp + 4);
                t.flags = tcp[13];
                t.data = fragment ? datagramSize > datagram.payloadStart
                                  : msdu - at > datagram.payloadStart - IPV6_HEADER;
                datagram.followed = true;
            }
        }
        else
        {
            at = msdu; // not a header this observer reads: the rest counts as tcpip
        }
    }
    else
    {
        auto it = m_datagrams.find(key);
        if (it != m_datagrams.end())
        {
            datagram = it->second;
        }
    }
    const uint64_t payloadStart = datagram.payloadStart;

    // The content after the headers: TCP header bytes up to payloadStart, payload after it.
    const uint64_t content = msdu - at;
    uint64_t mqtt = 0;
    uint64_t payloadFrom = contentAt;
    if (payloadStart != NOT_TCP && contentAt + content > payloadStart)
    {
        payloadFrom = std::max(contentAt, payloadStart);
        mqtt = contentAt + content - payloadFrom;
    }
    *mqttOut = mqtt;
    MqttByteCause cause = datagram.cause;
    if (datagram.followed)
    {
        TcpPart part = datagram.tcp;
        part.offset = mqtt > 0 ? payloadFrom - payloadStart : 0;
        part.payload = mqtt > 0 ? p + at + (payloadFrom - contentAt) : nullptr;
        part.payloadSize = mqtt;
        part.tcpIp = msdu - mqtt;
        part.link = link;
        cause = OnTcp(direction, part);
    }
    else
    {
        AddFrame(cause, direction, mqtt, msdu - mqtt, link);
    }

    if (fragment)
    {
        // Remember the datagram for its next fragments; forget it once every byte was seen.
        // (A later fragment whose first one was not seen has nothing to go by.)
        auto it = first ? m_datagrams.insert_or_assign(key, datagram).first
                        : m_datagrams.find(key);
        if (it != m_datagrams.end())
        {
            it->second.seen += contentAt + content - (first ? 0 : offset);
            if (it->second.seen >= datagramSize)
            {
                m_datagrams.erase(it);
            }
        }
    }
    return cause;
}

} // namespace mqtt
} // namespace ns3
