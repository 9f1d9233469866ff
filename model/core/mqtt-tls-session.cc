/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-tls-session.h"

#include <algorithm>
#include <cstring>

namespace ns3
{
namespace mqtt
{
namespace
{

constexpr uint8_t OFFER_MAGIC[] = {'T', 'L', 'S', 'S', 'I', 'M'};
constexpr uint8_t SERVER_MAGIC[] = {'T', 'L', 'S', 'S', 'R', 'V'};
constexpr uint8_t LEGACY_VERSION_MAJOR = 3;
constexpr uint8_t LEGACY_VERSION_MINOR = 3;

void
Header(uint8_t type, std::size_t length, std::vector<uint8_t>& down)
{
    down.push_back(type);
    down.push_back(LEGACY_VERSION_MAJOR);
    down.push_back(LEGACY_VERSION_MINOR);
    down.push_back(static_cast<uint8_t>(length >> 8));
    down.push_back(static_cast<uint8_t>(length & 0xFF));
}

/** Reads offer fields in order; any read past the end makes ok false. */
class OfferReader
{
  public:
    OfferReader(const uint8_t* data, std::size_t size)
        : m_data(data),
          m_size(size)
    {
    }

    uint8_t
    Byte()
    {
        if (m_at >= m_size)
        {
            m_ok = false;
            return 0;
        }
        return m_data[m_at++];
    }

    std::size_t
    Number(int bytes)
    {
        std::size_t value = 0;
        for (int i = 0; i < bytes; ++i)
        {
            value = value << 8 | Byte();
        }
        return value;
    }

    bool Ok() const
    {
        return m_ok;
    }

  private:
    const uint8_t* m_data;
    std::size_t m_size;
    std::size_t m_at = 0;
    bool m_ok = true;
};

void
PutNumber(std::size_t value, int bytes, std::vector<uint8_t>& out)
{
    for (int i = bytes - 1; i >= 0; --i)
    {
        out.push_back(static_cast<uint8_t>(value >> (8 * i)));
    }
}

void
PutChain(const std::vector<std::size_t>& chain, std::vector<uint8_t>& out)
{
    out.push_back(static_cast<uint8_t>(chain.size()));
    for (std::size_t certificate : chain)
    {
        PutNumber(certificate, 3, out);
    }
}

void
ReadChain(OfferReader& in, std::vector<std::size_t>& chain)
{
    chain.resize(in.Byte());
    for (auto& certificate : chain)
    {
        certificate = in.Number(3);
    }
}

/** @p out padded with zeros to @p size; a hello is always larger than what it carries here (it
 * lists all of it and more), and a chain is limited to 8 certificates by the scenario loader. */
std::vector<uint8_t>
Padded(std::vector<uint8_t> out, std::size_t size)
{
    out.resize(size, 0);
    return out;
}

} // namespace

std::vector<uint8_t>
MqttTlsEncodeServer(const MqttTlsServerProfile& p, std::size_t size)
{
    std::vector<uint8_t> out(std::begin(SERVER_MAGIC), std::end(SERVER_MAGIC));
    out.push_back(static_cast<uint8_t>(p.key));
    out.push_back(static_cast<uint8_t>(p.requestClientCertificate));
    out.push_back(static_cast<uint8_t>(p.resumption));
    out.push_back(p.tickets);
    PutNumber(p.ticketBytes, 3, out);
    PutChain(p.certificateChain, out);
    return Padded(std::move(out), size);
}

bool
MqttTlsDecodeServer(const uint8_t* body, std::size_t size, MqttTlsServerProfile& p)
{
    if (size < sizeof(SERVER_MAGIC) ||
        std::memcmp(body, SERVER_MAGIC, sizeof(SERVER_MAGIC)) != 0)
    {
        return false;
    }
    OfferReader in(body + sizeof(SERVER_MAGIC), size - sizeof(SERVER_MAGIC));
    uint8_t key = in.Byte();
    if (key > 1)
    {
        return false;
    }
    p.key = static_cast<TlsKeyType>(key);
    p.requestClientCertificate = in.Byte() != 0;
    p.resumption = in.Byte() != 0;
    p.tickets = in.Byte();
    p.ticketBytes = in.Number(3);
    ReadChain(in, p.certificateChain);
    return in.Ok();
}

std::vector<uint8_t>
MqttTlsEncodeOffer(const MqttTlsClientProfile& p, bool resume, std::size_t size)
{
    std::vector<uint8_t> out(std::begin(OFFER_MAGIC), std::end(OFFER_MAGIC));
    for (auto value : {static_cast<uint8_t>(p.version),
                       static_cast<uint8_t>(p.cipher),
                       static_cast<uint8_t>(p.group),
                       static_cast<uint8_t>(p.key),
                       static_cast<uint8_t>(p.resumption),
                       static_cast<uint8_t>(resume),
                       static_cast<uint8_t>(p.middleboxCompat),
                       p.offeredSuites,
                       p.offeredGroups,
                       p.offeredSignatureAlgorithms})
    {
        out.push_back(value);
    }
    PutNumber(p.serverNameBytes, 2, out);
    out.push_back(static_cast<uint8_t>(p.alpn.size()));
    for (const auto& name : p.alpn)
    {
        out.push_back(static_cast<uint8_t>(name.size()));
        out.insert(out.end(), name.begin(), name.end());
    }
    PutChain(p.certificateChain, out);
    return Padded(std::move(out), size);
}

bool
MqttTlsDecodeOffer(const uint8_t* body,
                   std::size_t size,
                   MqttTlsClientProfile& p,
                   bool& resume)
{
    if (size < sizeof(OFFER_MAGIC) || std::memcmp(body, OFFER_MAGIC, sizeof(OFFER_MAGIC)) != 0)
    {
        return false;
    }
    OfferReader in(body + sizeof(OFFER_MAGIC), size - sizeof(OFFER_MAGIC));
    uint8_t version = in.Byte();
    uint8_t cipher = in.Byte();
    uint8_t group = in.Byte();
    uint8_t key = in.Byte();
    if (version > 1 || cipher > 2 || group > 1 || key > 1)
    {
        return false;
    }
    p.version = static_cast<TlsVersion>(version);
    p.cipher = static_cast<TlsCipher>(cipher);
    p.group = static_cast<TlsGroup>(group);
    p.key = static_cast<TlsKeyType>(key);
    p.resumption = in.Byte() != 0;
    resume = in.Byte() != 0;
    p.middleboxCompat = in.Byte() != 0;
    p.offeredSuites = in.Byte();
    p.offeredGroups = in.Byte();
    p.offeredSignatureAlgorithms = in.Byte();
    p.serverNameBytes = in.Number(2);
    p.alpn.resize(in.Byte());
    for (auto& name : p.alpn)
    {
        name.resize(in.Byte());
        for (auto& c : name)
        {
            c = static_cast<char>(in.Byte());
        }
    }
    ReadChain(in, p.certificateChain);
    return in.Ok();
}

MqttTlsSession
MqttTlsSession::Client(const MqttTlsClientProfile& profile, std::size_t ticketBytes)
{
    MqttTlsSession session;
    session.m_client = true;
    session.m_clientProfile = profile;
    session.m_resume = ticketBytes > 0 && profile.resumption;
    // Until the ServerHello tells the server's profile, the client knows its ClientHello only
    // (whose size, when resuming, is that of the ticket it holds).
    session.m_serverProfile.resumption = true;
    session.m_serverProfile.ticketBytes = ticketBytes;
    return session;
}

MqttTlsSession
MqttTlsSession::Server(const MqttTlsServerProfile& profile)
{
    MqttTlsSession session;
    session.m_client = false;
    session.m_serverProfile = profile;
    return session;
}

void
MqttTlsSession::Start(std::vector<uint8_t>& down)
{
    if (!m_client || m_known)
    {
        return;
    }
    m_handshake = MqttTlsHandshakeFlights(m_clientProfile, m_serverProfile, m_resume);
    m_known = true;
    Advance(down);
}

void
MqttTlsSession::WriteFlight(const MqttTlsFlight& flight, std::vector<uint8_t>& down)
{
    for (const auto& record : flight.records)
    {
        std::size_t body = record.bytes - TLS_RECORD_HEADER;
        Header(record.contentType, body, down);
        std::string message = record.message;
        if (message == "ClientHello" || message == "ServerHello")
        {
            auto hello = m_client ? MqttTlsEncodeOffer(m_clientProfile, m_resume, body)
                                  : MqttTlsEncodeServer(m_serverProfile, body);
            down.insert(down.end(), hello.begin(), hello.end());
        }
        else
        {
            down.insert(down.end(), body, 0);
            if (record.contentType == TLS_APPLICATION_DATA)
            {
                // An encrypted TLS 1.3 handshake message: its real content type follows the
                // message, before the tag (RFC 8446 section 5.2), where an observer with the
                // keys reads it (the device-bytes dissector, doc/device-cost.md).
                down[down.size() - InnerTypeBack()] = TLS_HANDSHAKE;
            }
        }
        m_handshakeSent += record.bytes;
    }
}

void
MqttTlsSession::Advance(std::vector<uint8_t>& down)
{
    const auto& flights = m_handshake.flights;
    while (m_flight < flights.size() && flights[m_flight].fromClient == m_client)
    {
        WriteFlight(flights[m_flight], down);
        ++m_flight;
    }
    std::size_t openAfter = m_client ? m_handshake.clientOpenAfter : m_handshake.serverOpenAfter;
    if (!m_open && m_flight > openAfter)
    {
        m_open = true;
        std::vector<uint8_t> held;
        held.swap(m_held);
        if (!held.empty())
        {
            WriteApplication(held.data(), held.size(), down);
        }
    }
}

bool
MqttTlsSession::Receive(const uint8_t* data,
                        std::size_t size,
                        std::vector<uint8_t>& up,
                        std::vector<uint8_t>& down)
{
    m_partial.insert(m_partial.end(), data, data + size);
    std::size_t at = 0;
    bool ok = true;
    while (ok && m_partial.size() - at >= TLS_RECORD_HEADER)
    {
        const uint8_t* record = m_partial.data() + at;
        std::size_t length = std::size_t{record[3]} << 8 | record[4];
        if (record[0] < TLS_CHANGE_CIPHER_SPEC || record[0] > TLS_APPLICATION_DATA ||
            record[1] != LEGACY_VERSION_MAJOR || length > TLS_MAX_PLAINTEXT + 256)
        {
            ok = false;
            break;
        }
        if (m_partial.size() - at < TLS_RECORD_HEADER + length)
        {
            break;
        }
        ok = OnRecord(record[0], record + TLS_RECORD_HEADER, length, up, down);
        at += TLS_RECORD_HEADER + length;
    }
    m_partial.erase(m_partial.begin(), m_partial.begin() + static_cast<std::ptrdiff_t>(at));
    return ok;
}

bool
MqttTlsSession::OnRecord(uint8_t type,
                         const uint8_t* body,
                         std::size_t size,
                         std::vector<uint8_t>& up,
                         std::vector<uint8_t>& down)
{
    std::size_t bytes = TLS_RECORD_HEADER + size;
    if (!m_known)
    {
        // A server learns the handshake from the ClientHello's offer.
        bool resume = false;
        if (m_client || type != TLS_HANDSHAKE ||
            !MqttTlsDecodeOffer(body, size, m_clientProfile, resume))
        {
            return false;
        }
        m_handshake = MqttTlsHandshakeFlights(m_clientProfile, m_serverProfile, resume);
        // What came is what came (a resumed hello to a server without tickets is answered in
        // full).
        m_handshake.flights.front().records = {{TLS_HANDSHAKE, bytes, "ClientHello"}};
        m_known = true;
    }
    const auto& flights = m_handshake.flights;
    if (m_flight < flights.size())
    {
        const auto& flight = flights[m_flight];
        if (flight.fromClient == m_client)
        {
            return false; // the peer speaks while it is our turn
        }
        if (m_client && !m_serverKnown)
        {
            // The ServerHello tells the server's profile: the rest of the handshake follows.
            if (type != TLS_HANDSHAKE || !MqttTlsDecodeServer(body, size, m_serverProfile))
            {
                return false;
            }
            m_serverKnown = true;
            auto sent = m_handshake.flights.front();
            m_handshake = MqttTlsHandshakeFlights(m_clientProfile, m_serverProfile, m_resume);
            m_handshake.flights.front() = sent; // what went out stays what went out
        }
        const auto& expected = m_handshake.flights[m_flight];
        m_flightBytes += bytes;
        m_handshakeReceived += bytes;
        if (m_flightBytes < expected.Bytes())
        {
            return true;
        }
        if (m_flightBytes > expected.Bytes())
        {
            return false;
        }
        m_flightBytes = 0;
        ++m_flight;
        Advance(down);
        return true;
    }
    if (type != TLS_APPLICATION_DATA || !m_open)
    {
        return false;
    }
    TlsVersion version = m_clientProfile.version;
    TlsCipher cipher = m_clientProfile.cipher;
    std::size_t prefix = MqttTlsRecordPrefix(version, cipher) - TLS_RECORD_HEADER;
    std::size_t overhead = MqttTlsRecordOverhead(version, cipher) - TLS_RECORD_HEADER;
    if (size < overhead)
    {
        return false;
    }
    up.insert(up.end(), body + prefix, body + prefix + (size - overhead));
    return true;
}

void
MqttTlsSession::Send(const uint8_t* data, std::size_t size, std::vector<uint8_t>& down)
{
    if (!m_open)
    {
        m_held.insert(m_held.end(), data, data + size);
        return;
    }
    WriteApplication(data, size, down);
}

void
MqttTlsSession::WriteApplication(const uint8_t* data, std::size_t size, std::vector<uint8_t>& down)
{
    TlsVersion version = m_clientProfile.version;
    TlsCipher cipher = m_clientProfile.cipher;
    std::size_t prefix = MqttTlsRecordPrefix(version, cipher) - TLS_RECORD_HEADER;
    std::size_t overhead = MqttTlsRecordOverhead(version, cipher) - TLS_RECORD_HEADER;
    for (std::size_t at = 0; at < size; at += TLS_MAX_PLAINTEXT)
    {
        std::size_t chunk = std::min(TLS_MAX_PLAINTEXT, size - at);
        Header(TLS_APPLICATION_DATA, chunk + overhead, down);
        down.insert(down.end(), prefix, 0);
        down.insert(down.end(), data + at, data + at + chunk);
        down.insert(down.end(), overhead - prefix, 0);
        if (version == TlsVersion::Tls13)
        {
            down[down.size() - InnerTypeBack()] = TLS_APPLICATION_DATA;
        }
        m_overheadSent += TLS_RECORD_HEADER + overhead;
    }
}

std::size_t
MqttTlsSession::InnerTypeBack() const
{
    const TlsCipher cipher = m_clientProfile.cipher;
    return MqttTlsRecordOverhead(TlsVersion::Tls13, cipher) -
           MqttTlsRecordPrefix(TlsVersion::Tls13, cipher);
}

bool
MqttTlsSession::IsOpen() const
{
    return m_open;
}

bool
MqttTlsSession::Complete() const
{
    return m_known && m_open && m_flight >= m_handshake.flights.size();
}

bool
MqttTlsSession::HandshakeKnown() const
{
    return m_known;
}

const MqttTlsHandshake&
MqttTlsSession::Handshake() const
{
    return m_handshake;
}

std::size_t
MqttTlsSession::TicketBytes() const
{
    return m_client && Complete() && m_serverKnown
               ? MqttTlsTicketBytes(m_clientProfile, m_serverProfile)
               : 0;
}

std::size_t
MqttTlsSession::NextFlight() const
{
    return m_flight;
}

const MqttTlsClientProfile&
MqttTlsSession::ClientProfile() const
{
    return m_clientProfile;
}

const MqttTlsServerProfile&
MqttTlsSession::ServerProfile() const
{
    return m_serverProfile;
}

std::size_t
MqttTlsSession::HandshakeBytesSent() const
{
    return m_handshakeSent;
}

std::size_t
MqttTlsSession::HandshakeBytesReceived() const
{
    return m_handshakeReceived;
}

std::size_t
MqttTlsSession::RecordOverheadSent() const
{
    return m_overheadSent;
}

} // namespace mqtt
} // namespace ns3
