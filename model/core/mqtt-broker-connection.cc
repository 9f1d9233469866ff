/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-broker-connection.h"

#include <utility>

namespace ns3
{
namespace mqtt
{

MqttBrokerConnection::MqttBrokerConnection(ConnectionId id,
                                           std::size_t maxPacketSize,
                                           Nanos openedAt,
                                           ProtocolVersion version)
    : m_id(id)
    , m_reader(maxPacketSize, version)
    , m_lastActivity(openedAt)
{
}

ConnectionId
MqttBrokerConnection::Id() const
{
    return m_id;
}

MqttFrameReader&
MqttBrokerConnection::Reader()
{
    return m_reader;
}

BrokerConnectionState
MqttBrokerConnection::State() const
{
    return m_state;
}

void
MqttBrokerConnection::SetState(BrokerConnectionState state)
{
    m_state = state;
}

const std::string&
MqttBrokerConnection::ClientId() const
{
    return m_clientId;
}

void
MqttBrokerConnection::SetClientId(std::string clientId)
{
    m_clientId = std::move(clientId);
}

const std::optional<std::string>&
MqttBrokerConnection::UserName() const
{
    return m_userName;
}

void
MqttBrokerConnection::SetUserName(std::optional<std::string> userName)
{
    m_userName = std::move(userName);
}

const std::optional<std::string>&
MqttBrokerConnection::Identity() const
{
    return m_identity;
}

void
MqttBrokerConnection::SetIdentity(std::string identity)
{
    m_identity = std::move(identity);
}

std::optional<Will>&
MqttBrokerConnection::StoredWill()
{
    return m_will;
}

MqttMemoryCharge&
MqttBrokerConnection::WillCharge()
{
    return m_willCharge;
}

MqttSession*
MqttBrokerConnection::Session() const
{
    return m_session;
}

void
MqttBrokerConnection::SetSession(MqttSession* session)
{
    m_session = session;
}

TimerId
MqttBrokerConnection::Timer() const
{
    return m_timer;
}

void
MqttBrokerConnection::SetTimer(TimerId timer)
{
    m_timer = timer;
}

MqttBrokerConnection::OpenSend&
MqttBrokerConnection::CurrentSend()
{
    return m_send;
}

Nanos
MqttBrokerConnection::LastActivity() const
{
    return m_lastActivity;
}

void
MqttBrokerConnection::SetLastActivity(Nanos now)
{
    m_lastActivity = now;
}

Nanos
MqttBrokerConnection::KeepAlivePeriod() const
{
    return m_keepAlivePeriod;
}

void
MqttBrokerConnection::SetKeepAlivePeriod(Nanos period)
{
    m_keepAlivePeriod = period;
}

uint16_t
MqttBrokerConnection::KeepAliveSeconds() const
{
    return m_keepAliveSeconds;
}

void
MqttBrokerConnection::SetKeepAliveSeconds(uint16_t seconds)
{
    m_keepAliveSeconds = seconds;
}

MqttBrokerConnection::Extras&
MqttBrokerConnection::GetExtras()
{
    if (!m_extras)
    {
        m_extras = std::make_unique<Extras>();
    }
    return *m_extras;
}

HeldOutput&
MqttBrokerConnection::Held()
{
    return GetExtras().held;
}

InboundLimits&
MqttBrokerConnection::Limits()
{
    return GetExtras().limits;
}

bool
MqttBrokerConnection::HasExtras() const
{
    return m_extras != nullptr;
}

uint64_t
MqttBrokerConnection::LifecycleVersion() const
{
    return m_lifecycleVersion;
}

void
MqttBrokerConnection::SetLifecycleVersion(uint64_t version)
{
    m_lifecycleVersion = version;
}

Mqtt5ConnectionState*
MqttBrokerConnection::V5() const
{
    return m_v5.get();
}

Mqtt5ConnectionState&
MqttBrokerConnection::MakeV5()
{
    if (!m_v5)
    {
        m_v5 = std::make_unique<Mqtt5ConnectionState>();
    }
    return *m_v5;
}

} // namespace mqtt
} // namespace ns3
