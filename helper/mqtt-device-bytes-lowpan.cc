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

/** The MAC header of a data frame: its length and the source address (0 when absent). */
struct MacHeader
{
    bool data = false;
    std::size_t length = 0;
    uint64_t source = 0;
};

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
    h.data = (fcf & 7) == 1;
    h.length = n;
    return h;
}

/** RFC 6282 IPHC: the bytes of the compressed header and the next header (0 if compressed). */
struct Iphc
{
    std::size_t length = 0;
    uint8_t nextHeader = 0;
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
    n += sac ? STATEFUL[sam] : STATELESS[sam];
    if (multicast)
    {
        n += dac ? (dam == 0 ? 6 : 0) : MULTICAST[dam];
    }
    else
    {
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
MqttDeviceBytes::OnLowPanFrame(MqttByteDirection direction, const uint8_t* frame, std::size_t size)
{
    const MacHeader mac = ReadMacHeader(frame, size);
    if (!mac.data || mac.length + FCS > size)
    {
        // Not a data frame (or not one this observer can read): all of it is link.
        AddFrame(MqttByteCause::Other, direction, 0, 0, size);
        return;
    }
    const uint64_t link = mac.length + FCS;
    const uint8_t* p = frame + mac.length;
    const std::size_t msdu = size - link;
    std::size_t at = 0; // 6LoWPAN header bytes read so far
    // Mesh (10xxxxxx) and broadcast (0x50) headers come first (RFC 4944 section 5.1).
    while (at < msdu)
    {
        const uint8_t d = p[at];
        if ((d & 0xC0) == 0x80)
        {
            at += 1 + ((d & 0x20) ? 2 : 8) + ((d & 0x10) ? 2 : 8);
        }
        else if (d == 0x50)
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
    DatagramKey key{};
    if (at + 4 <= msdu && ((p[at] & 0xF8) == 0xC0 || (p[at] & 0xF8) == 0xE0))
    {
        fragment = true;
        first = (p[at] & 0xF8) == 0xC0;
        const uint16_t datagramSize = static_cast<uint16_t>(((p[at] & 7) << 8) | p[at + 1]);
        const uint16_t tag = static_cast<uint16_t>((p[at + 2] << 8) | p[at + 3]);
        key = DatagramKey{uint8_t(direction), mac.source, tag, datagramSize};
        if (!first && at + 5 <= msdu)
        {
            offset = uint64_t(p[at + 4]) * 8;
        }
        at += first ? 4 : 5;
    }
    at = std::min(at, msdu);

    // Where the TCP payload starts, in uncompressed datagram bytes, and where this frame's
    // content after the 6LoWPAN headers starts in the same count.
    uint64_t payloadStart = NOT_TCP;
    uint64_t contentAt = offset;
    if (first)
    {
        std::size_t header = 0;
        uint8_t next = 0;
        if (at < msdu && (p[at] & 0xE0) == 0x60)
        {
            const Iphc h = ReadIphc(p + at, msdu - at);
            header = h.length;
            next = h.nextHeader;
        }
        else if (at < msdu && p[at] == 0x41 && msdu - at >= 1 + IPV6_HEADER)
        {
            header = 1 + IPV6_HEADER;
            next = p[at + 1 + 6];
        }
        if (header > 0 && at + header <= msdu)
        {
            at += header;
            contentAt = IPV6_HEADER;
            const std::size_t tcp = TcpHeaderBytes(p + at, msdu - at);
            if (next == IP_PROTOCOL_TCP && tcp >= 20)
            {
                payloadStart = IPV6_HEADER + tcp;
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
        payloadStart = it == m_datagrams.end() ? NOT_TCP : it->second.payloadStart;
    }

    // The content after the headers: TCP header bytes up to payloadStart, payload after it.
    const uint64_t content = msdu - at;
    uint64_t mqtt = 0;
    if (payloadStart != NOT_TCP && contentAt + content > payloadStart)
    {
        mqtt = contentAt + content - std::max(contentAt, payloadStart);
    }
    AddFrame(MqttByteCause::Other, direction, mqtt, msdu - mqtt, link);

    if (fragment)
    {
        // Remember the datagram for its next fragments; forget it once every byte was seen.
        // (A later fragment whose first one was not seen has nothing to go by.)
        auto it = first ? m_datagrams.insert_or_assign(key, Datagram{payloadStart, 0}).first
                        : m_datagrams.find(key);
        if (it != m_datagrams.end())
        {
            it->second.seen += contentAt + content - (first ? 0 : offset);
            if (it->second.seen >= std::get<3>(key))
            {
                m_datagrams.erase(it);
            }
        }
    }
}

} // namespace mqtt
} // namespace ns3
