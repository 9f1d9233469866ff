/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What a device's bytes were for (doc/device-cost.md): a passive observer of the frames at the
 * device's link, like a packet analyser on its interface. Each frame is dissected (link header,
 * IPv4, TCP, the MQTT packets in the TCP stream) and its bytes are attributed to a cause
 * (telemetry PUBLISH, acknowledgements, keep-alive, connection set-up, ...) and a layer (MQTT,
 * TLS records, TCP/IP headers, link). Standard library and the core's TLS model only: fed with
 * plain bytes, so the tests script frames.
 */
#ifndef MQTT_DEVICE_BYTES_H
#define MQTT_DEVICE_BYTES_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** Why bytes were sent or received (doc/results.md, table device_bytes). */
enum class MqttByteCause : uint8_t
{
    Publish,        //!< PUBLISH packets (telemetry sent, messages received)
    Ack,            //!< PUBACK, PUBREC, PUBREL, PUBCOMP
    KeepAlive,      //!< PINGREQ, PINGRESP
    Connect,        //!< TCP SYN, SYN-ACK and the handshake's ACK; CONNECT, CONNACK
    Subscribe,      //!< SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK
    Disconnect,     //!< DISCONNECT; TCP FIN and RST segments without data
    Retransmission, //!< TCP segments sending (tx) or bringing (rx) stream bytes seen before
    TcpAck,         //!< TCP segments with no data and no SYN/FIN/RST (but the handshake's)
    Other,          //!< not TCP (ARP, ICMP, neighbour discovery), or a stream never whole
    Relay,          //!< 802.15.4: what a mote receives to forward and forwards for other motes
    TlsHandshake,   //!< TLS handshake flights: handshake and ChangeCipherSpec records
};
constexpr std::size_t MQTT_BYTE_CAUSES = 11;

/** Where in the frame the bytes are. */
enum class MqttByteLayer : uint8_t
{
    Mqtt,  //!< TCP payload: the MQTT packets
    TcpIp, //!< IPv4 and TCP headers
    Link,  //!< the frame beyond the IP packet (link header and trailer)
    Tls,   //!< TCP payload that is TLS: record headers, nonces, inner types, tags; handshakes
};
constexpr std::size_t MQTT_BYTE_LAYERS = 4;

enum class MqttByteDirection : uint8_t
{
    Tx, //!< the device sent it
    Rx, //!< the device received it
};

const char* MqttByteCauseName(MqttByteCause cause);
const char* MqttByteLayerName(MqttByteLayer layer);
const char* MqttByteDirectionName(MqttByteDirection direction);

/**
 * The accounting of one device. OnFrame() takes every frame the device's link sends or delivers
 * (the frames the link counters count); At() holds the bytes and frames per cause, layer and
 * direction, and the bytes of all causes and layers of a direction add up to the frames' sizes.
 *
 * A frame with TCP data is split among the MQTT packets whose bytes it carries: its MQTT-layer
 * bytes exactly, its TCP/IP and link bytes in proportion to the MQTT bytes of each cause
 * (rounded down, the remainder to the cause of its first byte). It counts as one frame in each
 * cause it carries. Stream bytes that arrive ahead of a gap wait for the gap to fill; Finish()
 * counts those still waiting as Other.
 *
 * A stream that opens with a TLS handshake record is read as TLS records (simulated TLS,
 * doc/tls-sim.md; implemented in mqtt-device-bytes-tls.cc): handshake and ChangeCipherSpec
 * records, and TLS 1.3 records whose inner content type is handshake, are cause TlsHandshake,
 * layer Tls; an application data record's plaintext is MQTT (its packets' causes, layer Mqtt)
 * and its header, explicit nonce, inner content type and tag are layer Tls with the cause of the
 * MQTT packet its plaintext begins with; alerts are Disconnect. The record layout comes from the
 * connection's ClientHello (the simulated offer: version and cipher suite). A frame waits until
 * the records it carries are whole.
 */
class MqttDeviceBytes
{
  public:
    struct Count
    {
        uint64_t bytes = 0;
        uint64_t frames = 0;
    };

    /**
     * One frame: @p linkHeader bytes of link header, then (if it is one) an IPv4 packet, then
     * anything the link appends. @p frame holds all @p size bytes.
     */
    void OnFrame(MqttByteDirection direction,
                 const uint8_t* frame,
                 std::size_t size,
                 std::size_t linkHeader);

    /**
     * One IEEE 802.15.4 frame as the LrWpanMac traces give it (MAC header, MSDU, 2-byte FCS)
     * carrying 6LoWPAN (RFC 4944, RFC 6282): the MAC header and FCS are `link`, the 6LoWPAN
     * headers (mesh, fragment, IPHC or uncompressed IPv6) and the TCP header `tcpip`, the TCP
     * payload `mqtt`. The device's own TCP segments are followed like OnFrame's, fragment by
     * fragment; datagrams between two other nodes are Relay; a MAC acknowledgement takes the
     * cause of the frame it acknowledges, a MAC retry (the same frame again, same sequence
     * number) is a Retransmission (Relay if it relays). Implemented in
     * mqtt-device-bytes-lowpan.cc; the rules are in doc/device-cost.md.
     */
    void OnLowPanFrame(MqttByteDirection direction, const uint8_t* frame, std::size_t size);

    /** An IPv6 address, or an IPv4 one in its first four bytes. */
    using Address = std::array<uint8_t, 16>;

    /**
     * The device's own IPv6 addresses: an 802.15.4 datagram sent from another address, or
     * received for another unicast address, is relayed. Without them every datagram is the
     * device's own.
     */
    void SetOwnAddresses(std::vector<Address> addresses);

    /** Counts the bytes still waiting for a gap in their stream (as Other). */
    void Finish();

    const Count& At(MqttByteCause cause, MqttByteLayer layer, MqttByteDirection direction) const;
    /** Bytes of every cause and layer in @p direction: the frames' sizes. */
    uint64_t TotalBytes(MqttByteDirection direction) const;

  private:
    /** A piece of the stream: [begin, end), its cause and layer. */
    struct Span
    {
        uint64_t begin;
        uint64_t end;
        MqttByteCause cause;
        MqttByteLayer layer = MqttByteLayer::Mqtt;
    };

    /** Where the MQTT packets of a byte sequence start and end (a plain stream's bytes, or the
     * plaintext of a TLS stream's application records), and their types. */
    struct MqttParse
    {
        /** Bytes parsed so far. */
        uint64_t next = 0;
        /** The MQTT packets parsed and not yet passed by every frame (offsets of the parse). */
        std::deque<Span> spans;
        /** Fixed header of the packet being parsed (type byte and Remaining Length). */
        std::array<uint8_t, 5> header{};
        std::size_t headerBytes = 0;
        /** Where the packet being parsed ends; UINT64_MAX while its length is incomplete. */
        uint64_t packetEnd = 0;
    };

    /** The TLS record layout of a connection (from its ClientHello). */
    struct TlsLayout
    {
        bool known = false;
        bool tls13 = false;
        /** Bytes between the record header and the plaintext (TLS 1.2 explicit nonce). */
        std::size_t prefix = 0;
        /** Bytes after the plaintext (TLS 1.3 inner content type, then the AEAD tag). */
        std::size_t suffix = 0;
    };

    /** A frame's numbers to attribute once its stream bytes are known. */
    struct Segment
    {
        uint64_t begin = 0;
        std::vector<uint8_t> payload;
        uint64_t tcpIp = 0;
        uint64_t link = 0;
    };

    /** One direction of one TCP connection. */
    struct Stream
    {
        bool synSeen = false;
        uint32_t isn = 0;
        /** Stream bytes seen so far: [0, next) in order (the MQTT packets are parsed). */
        uint64_t next = 0;
        /** Received beyond a gap, by stream offset (rx only). */
        std::map<uint64_t, Segment> ahead;
        /** The MQTT packets: of the stream, or of the TLS records' plaintext. */
        MqttParse mqtt;
        /** The device sent SYN and has not yet acknowledged the SYN-ACK. */
        bool handshakeAckDue = false;
        /** The stream is TLS records. */
        bool tls = false;
        TlsLayout layout;
        /** TLS: the record being read, from its first byte, and where it began. */
        std::vector<uint8_t> record;
        uint64_t recordBegin = 0;
        /** TLS: the pieces of the whole records read, by stream offset. */
        std::deque<Span> spans;
        /** In-order frames waiting for their records to be whole (TLS). */
        std::deque<Segment> pending;
    };

    /** Connection: (remote address, remote port, local port). */
    using ConnectionKey = std::tuple<Address, uint16_t, uint16_t>;

    /** The TCP segment a frame carries, or the part of it in one 6LoWPAN fragment. */
    struct TcpPart
    {
        ConnectionKey key;
        uint32_t seq = 0;
        uint8_t flags = 0;
        /** The segment carries data (in this frame or in other fragments of its datagram). */
        bool data = false;
        /** Where this frame's payload starts in the segment's payload. */
        uint64_t offset = 0;
        const uint8_t* payload = nullptr;
        std::size_t payloadSize = 0;
        uint64_t tcpIp = 0;
        uint64_t link = 0;
    };

    void Add(MqttByteCause cause,
             MqttByteLayer layer,
             MqttByteDirection direction,
             uint64_t bytes,
             bool frame);
    /** A frame all of one cause. */
    void AddFrame(MqttByteCause cause,
                  MqttByteDirection direction,
                  uint64_t mqtt,
                  uint64_t tcpIp,
                  uint64_t link,
                  uint64_t tls = 0);
    /** A frame all of one cause whose TCP payload is of the stream's kind (MQTT or TLS). */
    void AddStreamFrame(const Stream& s,
                        MqttByteCause cause,
                        MqttByteDirection direction,
                        const Segment& seg);
    /** Big-endian fields of the headers. */
    static uint16_t Be16(const uint8_t* p);
    static uint32_t Be32(const uint8_t* p);
    /** Attributes a frame's TCP part; returns its cause (of its first byte; Other while it
     *  waits behind a gap or for its TLS records to be whole). */
    MqttByteCause OnTcp(MqttByteDirection direction, const TcpPart& part);
    /** Parses @p size more in-order bytes into @p p's spans. */
    static void Parse(MqttParse& p, const uint8_t* data, std::size_t size);
    /** @p size more in-order bytes of the stream of @p direction (plain MQTT or TLS). */
    static void Take(std::array<Stream, 2>& streams,
                     MqttByteDirection direction,
                     const uint8_t* data,
                     std::size_t size);
    /** TLS: @p size more in-order bytes into records (mqtt-device-bytes-tls.cc). */
    static void TakeTls(std::array<Stream, 2>& streams,
                        MqttByteDirection direction,
                        const uint8_t* data,
                        std::size_t size);
    /** TLS: the spans of the whole record in s.record (mqtt-device-bytes-tls.cc). */
    static void DissectRecord(std::array<Stream, 2>& streams, MqttByteDirection direction);
    /** Stream bytes whose spans are final: all parsed bytes, or the whole TLS records. */
    static uint64_t Resolved(const Stream& s);
    /** Splits a frame carrying stream bytes [seg.begin, +payload) by the spans of @p s;
     *  returns the cause of its first byte. */
    MqttByteCause Attribute(Stream& s, MqttByteDirection direction, const Segment& seg);
    /** Attributes the pending frames whose bytes are resolved; returns the cause of the
     *  (@p index)th of them (counted from the front before settling), Other if it still waits. */
    MqttByteCause Settle(Stream& s, MqttByteDirection direction, std::size_t index = 0);
    /** Takes a data segment in order or ahead of a gap; attributes what became whole; returns
     *  the segment's cause (Other while it waits). */
    MqttByteCause OnData(std::array<Stream, 2>& streams, MqttByteDirection direction, Segment seg);

    /** A fragmented 6LoWPAN datagram: (direction, sender's MAC address, tag, size). */
    using DatagramKey = std::tuple<uint8_t, uint64_t, uint16_t, uint16_t>;
    /** Where its TCP payload starts (uncompressed offset; UINT64_MAX: not TCP), the
     *  uncompressed bytes seen so far, and how its later fragments are attributed: as part of
     *  the device's TCP segment @c tcp when @c followed, else all to @c cause. */
    struct Datagram
    {
        uint64_t payloadStart = 0;
        uint64_t seen = 0;
        bool followed = false;
        TcpPart tcp;
        MqttByteCause cause = MqttByteCause::Other;
    };

    /** The last data frame from one sender in one direction, to recognise a MAC retry. */
    struct LastFrame
    {
        std::vector<uint8_t> bytes;
        MqttByteCause cause = MqttByteCause::Other;
        uint64_t mqtt = 0;
        uint64_t tcpIp = 0;
        uint64_t link = 0;
    };

    /** Dissects a 6LoWPAN data frame's MSDU; returns its cause and its mqtt/tcpip bytes. */
    MqttByteCause OnLowPanData(MqttByteDirection direction,
                               uint64_t source,
                               const uint8_t* msduBytes,
                               std::size_t msdu,
                               uint64_t link,
                               uint64_t* mqtt);
    bool IsOwn(const Address& a) const;

    std::map<ConnectionKey, std::array<Stream, 2>> m_connections;
    std::map<DatagramKey, Datagram> m_datagrams;
    std::vector<Address> m_own;
    /** (direction, sender's MAC address) -> its last data frame. */
    std::map<std::pair<uint8_t, uint64_t>, LastFrame> m_lastFrames;
    /** Per direction, the cause of the last data frame of each MAC sequence number (plus one;
     *  0: none), for the acknowledgements of the other direction. */
    std::array<std::array<uint8_t, 256>, 2> m_sequenceCause{};
    std::array<Count, MQTT_BYTE_CAUSES * MQTT_BYTE_LAYERS * 2> m_counts{};
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_DEVICE_BYTES_H
