/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * One end of a simulated TLS connection: the flights of the TLS model (mqtt-tls-model.h) as
 * records of their real sizes, then application bytes in records with their real overhead. No
 * cryptography: the records' bodies are zeros, except the ClientHello and the ServerHello, which
 * carry the client's offer and the server's profile so that each end derives the same flights,
 * the application records, which carry the plaintext, and TLS 1.3's inner content type byte
 * (handshake or application data, as an observer holding the keys would read it). Bytes in, bytes out, no clock: a simulation driver sends the bytes
 * over TCP (loss and retransmission act on them) and holds MQTT until IsOpen().
 */
#ifndef MQTT_TLS_SESSION_H
#define MQTT_TLS_SESSION_H

#include "mqtt-tls-model.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ns3
{
namespace mqtt
{

class MqttTlsSession
{
  public:
    /** A client offering @p profile; @p ticketBytes: the size of a ticket from an earlier
     * connection to resume with (0: a full handshake). */
    static MqttTlsSession Client(const MqttTlsClientProfile& profile, std::size_t ticketBytes);
    /** A server with @p profile: its flights follow the ClientHello it receives. */
    static MqttTlsSession Server(const MqttTlsServerProfile& profile);

    /** Client: the ClientHello into @p down. A server does nothing here. */
    void Start(std::vector<uint8_t>& down);
    /**
     * Records from the peer: plaintext into @p up, our next flight (and application records
     * held until the handshake ended) into @p down. @return false if the bytes are not records
     * this session expects (the driver closes the connection).
     */
    bool Receive(const uint8_t* data,
                 std::size_t size,
                 std::vector<uint8_t>& up,
                 std::vector<uint8_t>& down);
    /** Application bytes: records into @p down, or held until the handshake has ended. */
    void Send(const uint8_t* data, std::size_t size, std::vector<uint8_t>& down);

    /** Application data may flow (this end's handshake part is over). */
    bool IsOpen() const;
    /** Every flight of the handshake was sent or received (TLS 1.3: the tickets too). */
    bool Complete() const;
    /** The handshake is known (client: from the start; server: once the ClientHello came). */
    bool HandshakeKnown() const;
    const MqttTlsHandshake& Handshake() const;
    /** Client, once complete: the size of the ticket the server sent (0: none), to resume
     * with. */
    std::size_t TicketBytes() const;
    /** The flight of the handshake to be sent or received next. */
    std::size_t NextFlight() const;
    /** The profiles in use (the server's as the client learnt it from the ServerHello). */
    const MqttTlsClientProfile& ClientProfile() const;
    const MqttTlsServerProfile& ServerProfile() const;
    /** Handshake bytes (records of the flights) sent and received so far. */
    std::size_t HandshakeBytesSent() const;
    std::size_t HandshakeBytesReceived() const;
    /** Record overhead (headers, nonces, inner types, tags) on application data sent. */
    std::size_t RecordOverheadSent() const;

  private:
    MqttTlsSession() = default;

    /** Sends our flights that are due; opens when the open point is passed. */
    void Advance(std::vector<uint8_t>& down);
    bool OnRecord(uint8_t type,
                  const uint8_t* body,
                  std::size_t size,
                  std::vector<uint8_t>& up,
                  std::vector<uint8_t>& down);
    void WriteFlight(const MqttTlsFlight& flight, std::vector<uint8_t>& down);
    void WriteApplication(const uint8_t* data, std::size_t size, std::vector<uint8_t>& down);
    /** TLS 1.3: how far from a record's end its inner content type byte is (type and tag). */
    std::size_t InnerTypeBack() const;

    bool m_client = true;
    MqttTlsClientProfile m_clientProfile;
    MqttTlsServerProfile m_serverProfile;
    bool m_resume = false;
    /** Client: the server's profile is known (from its ServerHello). */
    bool m_serverKnown = false;
    bool m_known = false;
    MqttTlsHandshake m_handshake;
    /** The next flight of the handshake (ours to send or the peer's to receive). */
    std::size_t m_flight = 0;
    /** Bytes of the peer's current flight received so far. */
    std::size_t m_flightBytes = 0;
    bool m_open = false;
    std::size_t m_handshakeSent = 0;
    std::size_t m_handshakeReceived = 0;
    std::size_t m_overheadSent = 0;
    /** Bytes received that do not yet make a whole record. */
    std::vector<uint8_t> m_partial;
    /** Application bytes sent before the handshake ended. */
    std::vector<uint8_t> m_held;
};

/** Writes the server's profile into a ServerHello body of @p size bytes (the rest zeros). */
std::vector<uint8_t> MqttTlsEncodeServer(const MqttTlsServerProfile& profile, std::size_t size);
/** Reads a profile written by MqttTlsEncodeServer; false if @p body is not one. */
bool MqttTlsDecodeServer(const uint8_t* body, std::size_t size, MqttTlsServerProfile& profile);
/** Writes the client's offer into a ClientHello body of @p size bytes (the rest zeros). */
std::vector<uint8_t> MqttTlsEncodeOffer(const MqttTlsClientProfile& profile,
                                        bool resume,
                                        std::size_t size);
/** Reads an offer written by MqttTlsEncodeOffer; false if @p body is not one. */
bool MqttTlsDecodeOffer(const uint8_t* body,
                        std::size_t size,
                        MqttTlsClientProfile& profile,
                        bool& resume);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_TLS_SESSION_H
