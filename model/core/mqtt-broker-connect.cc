/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * CONNECT and the end of connections: the checks of a CONNECT in their order, takeover of a
 * client id, clean session processing, CONNACK and keep-alive; refusals, protocol violations and
 * every close (wills, session detach, expiry timer).
 *
 * Order of checks (doc/broker-engine.md): will topic, account connect rate, client id, connect
 * rate of the client id, (5.0) Will QoS and Will Retain the broker cannot honour, will retain,
 * shutdown, credentials, takeover policy, connection slots
 * (the account's connections); then takeover, clean session
 * processing, CONNACK 0, resume, lifecycle event.
 */
#include "mqtt-broker-engine-impl.h"

#include "mqtt-authenticator.h"
#include "mqtt-lifecycle-event.h"
#include "mqtt-topic.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

void
MqttBrokerEngine::Impl::HandleConnect(MqttBrokerConnection& conn,
                                      ConnectPacket& p,
                                      Nanos now,
                                      MqttActions& out)
{
    if (p.protocolLevel == 5)
    {
        ReadConnect5(conn, p);
    }
    if (conn.Identity())
    {
        // The transport's identity is the user name; the password is not looked at.
        p.userName = conn.Identity();
        p.password.reset();
    }
    std::optional<std::string> checked = CheckConnect(conn, p, now, out);
    if (!checked)
    {
        return;
    }
    if (WantsEnhancedAuth5(conn, p))
    {
        StartConnectAuth5(conn, p, *checked, now, out); // mqtt-broker-v5-auth.cc
        return;
    }
    AcceptConnect(conn, p, *checked, now, out);
}

void
MqttBrokerEngine::Impl::AcceptConnect(MqttBrokerConnection& conn,
                                      ConnectPacket& p,
                                      const std::string& clientId,
                                      Nanos now,
                                      MqttActions& out)
{
    MqttSession* session = m_sessions.Find(clientId);
    MqttBrokerConnection* previous = session != nullptr ? session->Connection() : nullptr;
    if (RefusesTakeover(m_profile, previous != nullptr))
    {
        RefuseConnect(conn, ConnectReturnCode::IdentifierRejected, clientId, now, out);
        return;
    }
    const bool slotsFull = ConnectionSlotsFull(m_profile, m_connectedClients, previous != nullptr);
    if (previous == nullptr)
    {
        m_account->NoteConnectionRequest(slotsFull);
    }
    if (slotsFull)
    {
        // The account's concurrent connections are all taken: CONNACK 3, the one 3.1.1 code
        // that says "not now".
        RefuseConnect(conn,
                      ConnectReturnCode::ServerUnavailable,
                      clientId,
                      now,
                      out,
                      CloseReason::ThrottledAccountConnections);
        return;
    }
    // A new session, or a large will, that would pass the memory limit.
    if ((session == nullptr && MemoryRefusesSession(clientId)) ||
        (p.will && !ChargeWill(conn, clientId, *p.will)))
    {
        RefuseConnect(conn,
                      ConnectReturnCode::ServerUnavailable,
                      clientId,
                      now,
                      out,
                      CloseReason::MemoryLimit);
        return;
    }
    if (!m_delayedWills.empty())
    {
        CancelDelayedWill(clientId, out); // 5.0: back before the Will Delay passed
    }
    if (previous != nullptr)
    {
        // [MQTT-3.1.4-2]: the existing connection of this client id is closed. It ended without
        // DISCONNECT, so its will fires unless the profile says otherwise.
        CloseSpec spec;
        spec.reason = CloseReason::Takeover;
        spec.publishWill = TakeoverPublishesWill(
            m_profile, ResumesStoredSession(p.cleanSession, session->IsClean()));
        spec.takeover = true;
        CloseConnection(*previous, spec, now, out);
        session = m_sessions.Find(clientId); // a clean session ended with that connection
    }
    bool sessionPresent = false;
    // 3.1.1: Clean Session decides both; 5.0: Clean Start whether a stored session is resumed,
    // the Session Expiry Interval whether this one outlives the connection.
    const bool endsWithConnection = conn.V5() ? conn.V5()->sessionExpiry == 0 : p.cleanSession;
    MqttSession& s =
        OpenSession(session, clientId, p.cleanSession, endsWithConnection, sessionPresent, out);

    const ConnectionId id = conn.Id();
    conn.SetState(BrokerConnectionState::Connected);
    conn.SetClientId(clientId);
    conn.SetUserName(p.userName);
    conn.StoredWill() = std::move(p.will); // [MQTT-3.1.2-8]
    conn.SetSession(&s);
    s.SetConnection(&conn);
    ActivateSubscriptions(s.Subscriptions().size(), now); // a resumed session's come back
    s.SetUserName(p.userName);
    s.SetExpiryInterval5(conn.V5() ? std::optional<uint32_t>(conn.V5()->sessionExpiry)
                                   : std::nullopt);
    MarkSession(s);
    ++m_connectedClients;
    m_account->NoteConnected(m_connectedClients, now);

    // The first packet the broker sends is this CONNACK [MQTT-3.2.0-1], [MQTT-3.1.4-4].
    SendPacket(id,
               conn.V5() ? Connack5(conn, p, clientId, sessionPresent)
                         : ConnackPacket{sessionPresent, ConnectReturnCode::Accepted},
               out);
    MqttEvent& e = Notify(EventType::SessionStarted, id, out);
    e.clientId = clientId;
    e.sessionPresent = sessionPresent;

    StartKeepAlive(conn, p.keepAliveSeconds, now, out);
    Resume(s, now, out);
    if (!m_profile.lifecycleTopicPrefix.empty() && HasLifecycleEvents(clientId))
    {
        conn.SetLifecycleVersion(++m_lifecycleSeq);
        PublishLifecycle(conn, true, CloseReason::ClientDisconnect, now, out);
    }
}

std::optional<std::string>
MqttBrokerEngine::Impl::CheckConnect(MqttBrokerConnection& conn,
                                     const ConnectPacket& p,
                                     Nanos now,
                                     MqttActions& out)
{
    if (p.will && ValidateTopicName(p.will->topic) != TopicError::None)
    {
        // The codec checks the will topic too; this keeps a wildcard out of the router
        // whatever a decoder let through [MQTT-3.1.4-1].
        ProtocolViolation(conn, DecodeError::InvalidTopicName, std::nullopt, now, out);
        return std::nullopt;
    }
    std::string clientId = p.clientId;
    if (!m_account->Admit(AccountQuota::ConnectRate, now))
    {
        // Every CONNECT counts against the account's rate, whatever becomes of it. Over it: not
        // answered, closed, as for the rate per client id (MQTT 3.1.1 has no CONNACK for it).
        conn.SetClientId(clientId);
        CloseConnection(conn, CloseSpec{CloseReason::ThrottledAccountConnectRate}, now, out);
        return std::nullopt;
    }
    // 5.0 assigns an identifier whatever Clean Start says [MQTT5-3.1.3-6].
    switch (ClientIdPolicy(m_profile, clientId, p.cleanSession || conn.V5() != nullptr))
    {
    case ClientIdVerdict::Reject:
        RefuseConnect(conn, ConnectReturnCode::IdentifierRejected, clientId, now, out);
        return std::nullopt;
    case ClientIdVerdict::Assign:
        clientId = AssignClientId();
        break;
    case ClientIdVerdict::Accept:
        if (!AdmitConnect(clientId, now))
        {
            // Too soon after the previous CONNECT of this id: not answered, the connection
            // closed; a client connected with this id stays.
            conn.SetClientId(clientId);
            CloseConnection(conn, CloseSpec{CloseReason::Throttled}, now, out);
            return std::nullopt;
        }
        break;
    }
    if (p.will && conn.V5() != nullptr)
    {
        // 5.0 refuses a will the broker could not publish as asked, with the code that says why,
        // then closes: Will QoS above Maximum QoS 0x9B [MQTT5-3.2.2-12], Will Retain without
        // retain support 0x9A [MQTT5-3.2.2-13].
        if (std::optional<ReasonCode> refusal = WillRefusal5(m_profile, *p.will))
        {
            RefuseConnect(conn,
                          ConnectReturnCode::NotAuthorized,
                          clientId,
                          now,
                          out,
                          CloseReason::PolicyViolation,
                          refusal);
            return std::nullopt;
        }
    }
    if (p.will && RefusesRetain(m_profile, p.will->retain))
    {
        // A will with Will Retain = 1 is a request to retain a message: the connection ends.
        conn.SetClientId(clientId);
        CloseConnection(conn, CloseSpec{CloseReason::PolicyViolation}, now, out);
        return std::nullopt;
    }
    if (m_shutdown)
    {
        RefuseConnect(conn, ConnectReturnCode::ServerUnavailable, clientId, now, out);
        return std::nullopt;
    }
    if (m_authenticator && !conn.Identity() && !WantsEnhancedAuth5(conn, p))
    {
        if (p.userName)
        {
            // A password checked against its hash (PBKDF2: milliseconds, not microseconds); an
            // anonymous CONNECT costs only the lookup, which `connect` covers.
            m_work.Add(MqttServiceOp::Auth);
        }
        ConnectReturnCode rc = m_authenticator->Authenticate(p.userName, p.password);
        if (rc != ConnectReturnCode::Accepted)
        {
            RefuseConnect(conn, rc, clientId, now, out);
            return std::nullopt;
        }
    }
    return clientId;
}

MqttSession&
MqttBrokerEngine::Impl::OpenSession(MqttSession* stored,
                                    const std::string& clientId,
                                    bool cleanSession,
                                    bool endsWithConnection,
                                    bool& sessionPresent,
                                    MqttActions& out)
{
    // Clean session processing [MQTT-3.1.4-3], [MQTT-3.1.2-4], [MQTT-3.1.2-6].
    sessionPresent = false;
    if (stored != nullptr && !ResumesStoredSession(cleanSession, stored->IsClean()))
    {
        DiscardSession(*stored, DropReason::SessionDiscarded, out);
        stored = nullptr;
    }
    if (stored == nullptr)
    {
        ChargeSession(clientId);
        // [MQTT-3.2.2-1], [MQTT-3.2.2-3]
        return m_sessions.Create(clientId, endsWithConnection);
    }
    sessionPresent = true; // [MQTT-3.2.2-2]
    stored->SetClean(endsWithConnection);
    if (stored->ExpiryTimer() != 0)
    {
        CancelTimer(stored->ExpiryTimer(), out);
        stored->SetExpiryTimer(0);
    }
    return *stored;
}

void
MqttBrokerEngine::Impl::StartKeepAlive(MqttBrokerConnection& conn,
                                       uint16_t keepAliveSeconds,
                                       Nanos now,
                                       MqttActions& out)
{
    uint16_t keepAlive = EffectiveKeepAlive(m_profile, keepAliveSeconds);
    conn.SetKeepAliveSeconds(keepAlive);
    Nanos period = KeepAlivePeriod(m_profile, keepAlive);
    conn.SetKeepAlivePeriod(period);
    if (period > Nanos(0))
    {
        if (conn.Timer() != 0)
        {
            // The CONNECT deadline timer becomes the keep-alive timer.
            out.emplace_back(StartTimerAction{conn.Timer(), now + period});
        }
        else
        {
            conn.SetTimer(StartTimer(TimerKind::Connection, conn.Id(), now + period, out));
        }
    }
    else if (conn.Timer() != 0)
    {
        CancelTimer(conn.Timer(), out);
        conn.SetTimer(0);
    }
}

void
MqttBrokerEngine::Impl::RefuseConnect(MqttBrokerConnection& conn,
                                      ConnectReturnCode code,
                                      const std::string& clientId,
                                      Nanos now,
                                      MqttActions& out,
                                      std::optional<CloseReason> reason,
                                      std::optional<ReasonCode> reason5)
{
    // Session Present is 0 with a non-zero code [MQTT-3.2.2-4]; then close [MQTT-3.2.2-5].
    ConnackPacket refusal{false, code};
    if (conn.V5())
    {
        // The 5.0 codes that say the same (table 2-6).
        static constexpr ReasonCode BY_RETURN_CODE[] = {ReasonCode::Success,
                                                        ReasonCode::UnsupportedProtocolVersion,
                                                        ReasonCode::ClientIdentifierNotValid,
                                                        ReasonCode::ServerUnavailable,
                                                        ReasonCode::BadUserNameOrPassword,
                                                        ReasonCode::NotAuthorized};
        refusal.reasonCode = reason5.value_or(BY_RETURN_CODE[static_cast<uint8_t>(code) % 6]);
    }
    if (conn.V5())
    {
        SendPacket5(conn, refusal, out);
    }
    else
    {
        SendPacket(conn.Id(), refusal, out);
    }
    MqttEvent& e = Notify(EventType::ConnectRefused, conn.Id(), out);
    e.clientId = clientId;
    e.code = static_cast<uint8_t>(code);
    if (conn.V5())
    {
        e.reasonCode = refusal.reasonCode; // what the 5.0 client was told
    }
    CloseSpec spec;
    spec.reason = reason.value_or(RefusalCloseReason(code));
    spec.code = static_cast<uint8_t>(code);
    CloseConnection(conn, spec, now, out);
}

void
MqttBrokerEngine::Impl::ProtocolViolation(MqttBrokerConnection& conn,
                                          DecodeError error,
                                          std::optional<PacketType> packetType,
                                          Nanos now,
                                          MqttActions& out)
{
    CloseSpec spec;
    spec.reason = CloseReason::ProtocolError;
    spec.code = static_cast<uint8_t>(error);
    spec.packetType = packetType;
    spec.publishWill = true; // section 3.1.2.5: a protocol error fires the will
    CloseConnection(conn, spec, now, out);
}

void
MqttBrokerEngine::Impl::CloseConnection(MqttBrokerConnection& conn,
                                        const CloseSpec& spec,
                                        Nanos now,
                                        MqttActions& out)
{
    const ConnectionId id = conn.Id();
    // Kept alive to the end of this function; it has left the table, so nothing below can send
    // to it.
    std::unique_ptr<MqttBrokerConnection> owned = ForgetConnection(conn, out);
    if (spec.emitClose && conn.V5() && conn.State() == BrokerConnectionState::Connected &&
        spec.reason != CloseReason::ClientDisconnect)
    {
        SendDisconnect5(conn, spec, out); // the 5.0 client is told why (section 4.13)
    }
    if (spec.emitClose)
    {
        out.emplace_back(CloseAction{id, spec.reason});
    }
    MqttEvent& e = Notify(EventType::ConnectionClosed, id, out);
    e.clientId = conn.ClientId();
    e.closeReason = spec.reason;
    e.code = spec.code;
    e.packetType = spec.packetType;

    MqttSession* s = conn.Session();
    if (s == nullptr)
    {
        return; // CONNECT was never accepted: no session, no will
    }
    if (conn.HasExtras())
    {
        DropHeldOutput(conn, *s, out);
    }
    StopPaced(*s, out);
    if (!m_pauses.empty())
    {
        ReleaseWaiters(*s, true, out); // an offline session pauses no one
    }
    s->SetConnection(nullptr);
    DeactivateSubscriptions(s->Subscriptions().size());
    conn.SetSession(nullptr);
    --m_connectedClients;
    std::optional<Will> will = std::move(conn.StoredWill());
    const std::string clientId = conn.ClientId();
    const std::optional<std::string> userName = conn.UserName();

    const bool sessionEnds = s->IsClean();
    if (!sessionEnds && !spec.takeover)
    {
        SharedMemberOffline(*s, out);
    }
    if (sessionEnds)
    {
        // A clean session lives as long as its connection [MQTT-3.1.2-6].
        DiscardSession(*s, DropReason::SessionDiscarded, out);
    }
    else if (const Nanos expiry = conn.V5() ? SessionExpiry5(*conn.V5()) : m_profile.sessionExpiry;
             !spec.takeover && expiry > Nanos(0))
    {
        s->SetExpiryTimer(StartTimer(TimerKind::SessionExpiry, s->Handle(), now + expiry, out));
    }
    if (conn.LifecycleVersion() != 0)
    {
        PublishLifecycle(conn, false, spec.reason, now, out);
    }
    // The will is published on every end but DISCONNECT [MQTT-3.1.2-8]; never when there was
    // none [MQTT-3.1.2-12]; and only once [MQTT-3.1.2-10].
    if (spec.publishWill && will)
    {
        if (!DelayWill(conn, sessionEnds ? nullptr : s, spec.takeover, *will, now, out))
        {
            PublishWill(id, clientId, userName, std::move(*will), now, out);
        }
        else if (auto delayed = m_delayedWills.find(clientId); delayed != m_delayedWills.end())
        {
            delayed->second.charge = std::move(conn.WillCharge()); // 5.0: held until it fires
        }
    }
    conn.WillCharge() = MqttMemoryCharge(); // published (a message now), delayed or discarded
}

std::unique_ptr<MqttBrokerConnection>
MqttBrokerEngine::Impl::ForgetConnection(MqttBrokerConnection& conn, MqttActions& out)
{
    const ConnectionId id = conn.Id();
    std::unique_ptr<MqttBrokerConnection> owned = std::move(m_connections[id]);
    m_connections.erase(id);
    m_memory->ForgetPartial(id);
    m_memory->ForgetOutput(id);
    if (conn.Timer() != 0)
    {
        CancelTimer(conn.Timer(), out);
        conn.SetTimer(0);
    }
    if (!m_resumeInput.empty())
    {
        // Released, not processed yet: nothing of it is processed any more (the id may be
        // reused after a Shutdown).
        m_resumeInput.erase(std::remove(m_resumeInput.begin(), m_resumeInput.end(), id),
                            m_resumeInput.end());
    }
    if (conn.HasExtras())
    {
        for (TimerId* t :
             {&conn.Held().timer, &conn.Limits().resumeTimer, &conn.Limits().pauseTimer})
        {
            if (*t != 0)
            {
                CancelTimer(*t, out);
                *t = 0;
            }
        }
    }
    return owned;
}

bool
MqttBrokerEngine::Impl::CloseWithWill(MqttBrokerConnection& conn,
                                      CloseReason reason,
                                      Nanos now,
                                      MqttActions& out)
{
    CloseSpec spec;
    spec.reason = reason;
    spec.publishWill = true;
    CloseConnection(conn, spec, now, out);
    return false;
}

bool
MqttBrokerEngine::Impl::AdmitConnect(const std::string& clientId, Nanos now)
{
    const Nanos interval = m_profile.minConnectInterval;
    if (interval <= Nanos(0))
    {
        return true;
    }
    auto it = m_lastConnect.find(clientId);
    if (it != m_lastConnect.end())
    {
        if (now - it->second < interval)
        {
            return false;
        }
        it->second = now;
        return true;
    }
    m_lastConnect.emplace(clientId, now);
    if (m_lastConnect.size() > m_lastConnectPruneAt)
    {
        // Entries older than the interval no longer limit anything; pruning when the map has
        // doubled keeps the cost per CONNECT constant on average.
        for (auto e = m_lastConnect.begin(); e != m_lastConnect.end();)
        {
            e = now - e->second >= interval ? m_lastConnect.erase(e) : std::next(e);
        }
        m_lastConnectPruneAt = std::max<std::size_t>(64, 2 * m_lastConnect.size());
    }
    return true;
}

std::string
MqttBrokerEngine::Impl::AssignClientId()
{
    // Unique among the sessions held: a counter, skipping ids a client chose itself.
    for (;;)
    {
        std::string id = m_profile.assignedClientIdPrefix + std::to_string(m_nextAssignedId++);
        if (m_sessions.Find(id) == nullptr)
        {
            return id;
        }
    }
}

} // namespace mqtt
} // namespace ns3
