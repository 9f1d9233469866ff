/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MqttDeviceBytes on a TLS stream (doc/device-cost.md): the stream is cut into records, and each
 * whole record into its pieces (TLS overhead, the MQTT packets of its plaintext), the way a
 * packet analyser holding the session keys shows them. The simulated TLS of doc/tls-sim.md
 * writes records of the real sizes: the ClientHello carries the client's offer (version and
 * cipher suite, so the record layout), the application records the plaintext, and TLS 1.3
 * records their inner content type.
 */
#include "mqtt-device-bytes.h"
#include "mqtt-tls-model.h"
#include "mqtt-tls-session.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

void
MqttDeviceBytes::TakeTls(std::array<Stream, 2>& streams,
                         MqttByteDirection direction,
                         const uint8_t* data,
                         std::size_t size)
{
    Stream& s = streams[std::size_t(direction)];
    auto length = [&s] { return std::size_t{s.record[3]} << 8 | s.record[4]; };
    for (std::size_t i = 0; i < size;)
    {
        std::size_t want = s.record.size() < TLS_RECORD_HEADER ? TLS_RECORD_HEADER
                                                                 : TLS_RECORD_HEADER + length();
        std::size_t take = std::min(want - s.record.size(), size - i);
        s.record.insert(s.record.end(), data + i, data + i + take);
        i += take;
        if (s.record.size() >= TLS_RECORD_HEADER && s.record.size() == TLS_RECORD_HEADER + length())
        {
            DissectRecord(streams, direction);
            s.recordBegin += s.record.size();
            s.record.clear();
        }
    }
}

void
MqttDeviceBytes::DissectRecord(std::array<Stream, 2>& streams, MqttByteDirection direction)
{
    Stream& s = streams[std::size_t(direction)];
    const std::vector<uint8_t>& r = s.record;
    const uint64_t begin = s.recordBegin;
    const uint64_t end = begin + r.size();
    const uint8_t* body = r.data() + TLS_RECORD_HEADER;
    const std::size_t length = r.size() - TLS_RECORD_HEADER;
    auto whole = [&](MqttByteCause cause) {
        s.spans.push_back(Span{begin, end, cause, MqttByteLayer::Tls});
    };
    uint8_t type = r[0];
    if (type == TLS_HANDSHAKE && begin == 0 && !s.layout.known)
    {
        // The ClientHello: the offer fixes the record layout of both directions.
        MqttTlsClientProfile offer;
        bool resume = false;
        if (MqttTlsDecodeOffer(body, length, offer, resume))
        {
            TlsLayout layout;
            layout.known = true;
            layout.tls13 = offer.version == TlsVersion::Tls13;
            layout.prefix = MqttTlsRecordPrefix(offer.version, offer.cipher) - TLS_RECORD_HEADER;
            layout.suffix = MqttTlsRecordOverhead(offer.version, offer.cipher) -
                            MqttTlsRecordPrefix(offer.version, offer.cipher);
            streams[0].layout = layout;
            streams[1].layout = layout;
        }
    }
    const TlsLayout& layout = s.layout;
    if (type == TLS_APPLICATION_DATA)
    {
        if (!layout.known || length < layout.prefix + layout.suffix)
        {
            whole(MqttByteCause::Other);
            return;
        }
        if (layout.tls13)
        {
            // TLS 1.3 hides the real content type after the plaintext (RFC 8446 section 5.2).
            type = body[length - layout.suffix];
        }
    }
    switch (type)
    {
    case TLS_HANDSHAKE:
    case TLS_CHANGE_CIPHER_SPEC:
        whole(MqttByteCause::TlsHandshake);
        return;
    case TLS_ALERT:
        whole(MqttByteCause::Disconnect); // close_notify, or the error that ends the connection
        return;
    case TLS_APPLICATION_DATA:
        break;
    default:
        whole(MqttByteCause::Other);
        return;
    }
    // Application data: the plaintext's MQTT packets, the overhead with the cause of the first.
    MqttParse& p = s.mqtt;
    const uint64_t plainBegin = p.next;
    const std::size_t plainBytes = length - layout.prefix - layout.suffix;
    Parse(p, body + layout.prefix, plainBytes);
    const uint64_t plainEnd = p.next;
    const uint64_t at = begin + TLS_RECORD_HEADER + layout.prefix; // the plaintext in the stream
    MqttByteCause cause = MqttByteCause::Other;
    std::deque<Span> pieces;
    for (const Span& span : p.spans)
    {
        const uint64_t from = std::max(span.begin, plainBegin);
        const uint64_t to = std::min(span.end, plainEnd);
        if (from < to)
        {
            cause = pieces.empty() ? span.cause : cause;
            pieces.push_back(
                Span{at + (from - plainBegin), at + (to - plainBegin), span.cause, MqttByteLayer::Mqtt});
        }
    }
    while (!p.spans.empty() && p.spans.front().end <= plainEnd)
    {
        p.spans.pop_front();
    }
    s.spans.push_back(Span{begin, at, cause, MqttByteLayer::Tls});
    s.spans.insert(s.spans.end(), pieces.begin(), pieces.end());
    s.spans.push_back(Span{end - layout.suffix, end, cause, MqttByteLayer::Tls});
}

} // namespace mqtt
} // namespace ns3
