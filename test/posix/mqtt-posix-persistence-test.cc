/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The standalone broker with --persistence DIR against kill -9 (doc/broker-engine.md, "Durable
 * persistence"): SIGKILL at random points of QoS 1 and QoS 2 flows, restart on the same DIR,
 * then every message the broker acknowledged (PUBACK, PUBREC) reaches the persistent
 * subscriber (QoS 2: exactly once), sessions resume with Session Present 1 and the retained
 * message is there. Also: a torn write at the end of the WAL, a full disk (a file size limit)
 * and damaged files.
 */
#include "mqtt-posix-test-util.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <map>
#include <random>
#include <set>

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace ns3::mqtt;
using namespace ns3::mqtt::test;
using Clock = std::chrono::steady_clock;

namespace
{

std::vector<uint8_t>
Number(uint16_t n)
{
    return {static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n & 0xff)};
}

/** CONNECT with CleanSession=0; @return the CONNACK (return code 0x100 + session present). */
std::optional<ConnackPacket>
ConnectPersistent(RawClient& client, uint16_t port, const std::string& clientId)
{
    ConnectPacket connect;
    connect.clientId = clientId;
    connect.cleanSession = false;
    connect.keepAliveSeconds = 60;
    if (!client.Connect(port) || !client.Send(connect))
    {
        return std::nullopt;
    }
    std::optional<Packet> reply = client.Read(5000ms);
    if (!reply || !std::holds_alternative<ConnackPacket>(*reply))
    {
        return std::nullopt;
    }
    return std::get<ConnackPacket>(*reply);
}

/**
 * A persistent publisher that numbers its messages (packet id = number, payload = number) and,
 * like a client keeping its session, sends again after each reconnect what the broker did not
 * acknowledge: PUBLISH with DUP=1, or PUBREL once PUBREC came.
 */
class Publisher
{
  public:
    explicit Publisher(Qos qos)
        : m_qos(qos)
    {
    }

    bool
    Connect(uint16_t port, bool sessionPresent)
    {
        auto ack = ConnectPersistent(client, port, "pub");
        if (!ack || ack->returnCode != ConnectReturnCode::Accepted ||
            ack->sessionPresent != sessionPresent)
        {
            return false;
        }
        std::vector<uint8_t> bytes;
        for (const auto& [n, released] : m_outstanding)
        {
            if (released)
            {
                Encode(PubrelPacket{n}, bytes);
            }
            else
            {
                PublishPacket p;
                p.topic = "t";
                p.payload = Number(n);
                p.qos = m_qos;
                p.packetId = n;
                p.dup = true;
                Encode(p, bytes);
            }
        }
        return bytes.empty() || client.SendBytes(bytes);
    }

    void
    PublishNew(int count)
    {
        std::vector<uint8_t> bytes;
        for (int i = 0; i < count; ++i)
        {
            uint16_t n = m_next++;
            std::vector<uint8_t> one = RawClient::PublishBytes("t", Number(n), m_qos, n);
            bytes.insert(bytes.end(), one.begin(), one.end());
            m_outstanding[n] = false;
        }
        client.SendBytes(bytes);
    }

    /** Handles what arrives within @p timeout (and all that is already there). */
    void
    Poll(std::chrono::milliseconds timeout)
    {
        for (auto packet = client.Read(timeout); packet; packet = client.Read(0ms))
        {
            if (const auto* puback = std::get_if<PubackPacket>(&*packet))
            {
                acknowledged.insert(puback->packetId);
                m_outstanding.erase(puback->packetId);
            }
            else if (const auto* pubrec = std::get_if<PubrecPacket>(&*packet))
            {
                acknowledged.insert(pubrec->packetId);
                m_outstanding[pubrec->packetId] = true;
                client.Send(PubrelPacket{pubrec->packetId});
            }
            else if (const auto* pubcomp = std::get_if<PubcompPacket>(&*packet))
            {
                m_outstanding.erase(pubcomp->packetId);
            }
        }
    }

    bool
    Done() const
    {
        return m_outstanding.empty();
    }

    RawClient client;
    /** Numbers the broker acknowledged (PUBACK, or PUBREC at QoS 2). */
    std::set<uint16_t> acknowledged;

  private:
    Qos m_qos;
    uint16_t m_next = 1;
    /** Number -> PUBREL sent (QoS 2, after PUBREC). */
    std::map<uint16_t, bool> m_outstanding;
};

/** A persistent subscriber to "t", QoS 2 receiver method B: delivered on the first PUBLISH. */
class Subscriber
{
  public:
    bool
    Connect(uint16_t port, bool sessionPresent, Qos subscribeQos)
    {
        auto ack = ConnectPersistent(client, port, "sub");
        if (!ack || ack->returnCode != ConnectReturnCode::Accepted ||
            ack->sessionPresent != sessionPresent)
        {
            return false;
        }
        return sessionPresent ||
               client.MqttSubscribe("t", subscribeQos) == static_cast<int>(subscribeQos);
    }

    /** Handles what arrives within @p timeout (and all that is already there). @return how many. */
    std::size_t
    Poll(std::chrono::milliseconds timeout)
    {
        std::size_t handled = 0;
        for (auto packet = client.Read(timeout); packet; packet = client.Read(0ms), ++handled)
        {
            if (const auto* publish = std::get_if<PublishPacket>(&*packet))
            {
                uint16_t n = static_cast<uint16_t>(publish->payload.at(0) << 8 |
                                                   publish->payload.at(1));
                if (publish->qos == Qos::AtLeastOnce)
                {
                    ++received[n];
                    client.Send(PubackPacket{publish->packetId});
                }
                else
                {
                    if (m_awaitingRelease.insert(publish->packetId).second)
                    {
                        ++received[n]; // [MQTT-4.3.3-2]: not again until PUBREL
                    }
                    client.Send(PubrecPacket{publish->packetId});
                }
            }
            else if (const auto* pubrel = std::get_if<PubrelPacket>(&*packet))
            {
                m_awaitingRelease.erase(pubrel->packetId);
                client.Send(PubcompPacket{pubrel->packetId});
            }
        }
        return handled;
    }

    RawClient client;
    std::map<uint16_t, int> received;

  private:
    std::set<uint16_t> m_awaitingRelease;
};

struct KillLoopResult
{
    std::size_t acknowledged = 0;
    std::size_t delivered = 0;
    std::size_t duplicates = 0;
    std::vector<uint16_t> lost;
    /** Kills that found publishes not yet acknowledged (the flow interrupted). */
    int killsMidFlow = 0;
    /** Acknowledged before the last start. */
    std::size_t acknowledgedByKills = 0;
};

/**
 * @p cycles times: start the broker on the same DIR, connect (Session Present 1 after the
 * first), publish a burst, serve for a random 0..40 ms, SIGKILL. Then a last start serves
 * until everything is acknowledged and delivered.
 */
KillLoopResult
KillLoop(Qos qos, int cycles, uint32_t seed, bool withRetained)
{
    ScratchDir dir;
    const std::string store = dir.Path() + "/store";
    Publisher pub(qos);
    Subscriber sub;
    std::mt19937 rng(seed);
    KillLoopResult result;
    for (int cycle = 0; cycle <= cycles; ++cycle)
    {
        BrokerProcess broker;
        if (!broker.Start({"--persistence", store, "--quiet"}))
        {
            ADD_FAILURE() << "cycle " << cycle << ": the broker did not start: "
                          << broker.Output();
            return result;
        }
        if (!sub.Connect(broker.Port(), cycle > 0, qos) || !pub.Connect(broker.Port(), cycle > 0))
        {
            ADD_FAILURE() << "cycle " << cycle << ": no session resumed [MQTT-3.2.2-2]";
            return result;
        }
        if (withRetained && cycle == 0)
        {
            RawClient retainer;
            EXPECT_TRUE(retainer.Connect(broker.Port()) && retainer.MqttConnect("ret") == 0);
            PublishPacket p;
            p.topic = "r";
            p.payload = {'k', 'e', 'p', 't'};
            p.qos = Qos::AtLeastOnce;
            p.packetId = 1;
            p.retain = true;
            retainer.Send(p);
            auto ack = retainer.Read(5000ms);
            EXPECT_TRUE(ack && std::holds_alternative<PubackPacket>(*ack));
        }
        if (cycle == cycles)
        {
            result.acknowledgedByKills = pub.acknowledged.size();
            // The last start: serve until all is acknowledged and quiet.
            auto deadline = Clock::now() + 20s;
            while (Clock::now() < deadline && !pub.Done())
            {
                pub.Poll(5ms);
                sub.Poll(5ms);
            }
            while (Clock::now() < deadline && sub.Poll(500ms) > 0)
            {
            }
            EXPECT_TRUE(pub.Done()) << "the publisher's flows did not all complete";
            if (withRetained)
            {
                RawClient probe;
                EXPECT_TRUE(probe.Connect(broker.Port()) && probe.MqttConnect("probe") == 0);
                probe.MqttSubscribe("r", Qos::AtLeastOnce);
                auto retained = probe.Read(5000ms);
                EXPECT_TRUE(retained && std::holds_alternative<PublishPacket>(*retained) &&
                            std::get<PublishPacket>(*retained).retain)
                    << "the retained message did not survive the kills";
            }
            break;
        }
        pub.PublishNew(30);
        auto killAt = Clock::now() + std::chrono::milliseconds(rng() % 41);
        do
        {
            pub.Poll(1ms);
            sub.Poll(1ms);
        } while (Clock::now() < killAt);
        result.killsMidFlow += pub.Done() ? 0 : 1;
        broker.Kill();
        // What the broker wrote before it died is still readable: it counts.
        pub.Poll(200ms);
        sub.Poll(200ms);
        pub.client.Close();
        sub.client.Close();
    }
    result.acknowledged = pub.acknowledged.size();
    for (uint16_t n : pub.acknowledged)
    {
        if (sub.received.count(n) == 0)
        {
            result.lost.push_back(n);
        }
    }
    for (const auto& [n, count] : sub.received)
    {
        result.delivered += 1;
        result.duplicates += static_cast<std::size_t>(count - 1);
    }
    return result;
}

long
FileSize(const std::string& path)
{
    struct stat st
    {
    };
    return stat(path.c_str(), &st) == 0 ? static_cast<long>(st.st_size) : -1;
}

/**
 * KillLoop over 20 kills, its figures printed; expects a kill to have interrupted a flow, some
 * messages acknowledged and none of them lost.
 */
KillLoopResult
TwentyKills(Qos qos, uint32_t seed, bool withRetained)
{
    auto start = Clock::now();
    KillLoopResult r = KillLoop(qos, 20, seed, withRetained);
    std::printf("QoS %d: 20 kills (%d mid-flow), %zu acknowledged (%zu before the last start), "
                "%zu delivered, %zu duplicates, %.1f s\n",
                static_cast<int>(qos),
                r.killsMidFlow,
                r.acknowledged,
                r.acknowledgedByKills,
                r.delivered,
                r.duplicates,
                std::chrono::duration<double>(Clock::now() - start).count());
    EXPECT_GT(r.killsMidFlow, 0) << "no kill interrupted a flow: the test proves nothing";
    EXPECT_GT(r.acknowledged, 0u);
    EXPECT_TRUE(r.lost.empty()) << r.lost.size() << " acknowledged messages lost, first "
                                << r.lost.front();
    return r;
}

} // namespace

TEST(PosixPersistence, Qos1EveryAcknowledgedMessageSurvivesTwentyKills)
{
    // [MQTT-4.3.2-2] with a broker that dies: what it acknowledged with PUBACK is delivered
    // after the restart (duplicates allowed at QoS 1 [MQTT-4.3.2-1]); [MQTT-3.2.2-2] the
    // sessions resume; [MQTT-3.3.1-5] the retained message stays.
    TwentyKills(Qos::AtLeastOnce, 14, true);
}

TEST(PosixPersistence, Qos2EveryAcknowledgedMessageArrivesExactlyOnceOverTwentyKills)
{
    // [MQTT-4.3.3-2] across crashes: every PUBREC'd message once, none twice.
    KillLoopResult r = TwentyKills(Qos::ExactlyOnce, 15, false);
    EXPECT_EQ(r.duplicates, 0u);
}

TEST(PosixPersistence, ATornWriteAtTheEndOfTheWalIsRecoveredFrom)
{
    // A crash in the middle of appending a commit to the WAL: the next start ignores the torn
    // frame (SQLite's frame checksums) and serves the state of the commit before it.
    ScratchDir dir;
    const std::string store = dir.Path() + "/store";
    {
        BrokerProcess broker;
        ASSERT_TRUE(broker.Start({"--persistence", store, "--quiet"}));
        Subscriber sub;
        ASSERT_TRUE(sub.Connect(broker.Port(), false, Qos::AtLeastOnce));
        sub.client.Close();
        RawClient pub;
        ASSERT_TRUE(pub.Connect(broker.Port()) && pub.MqttConnect("pub") == 0);
        for (uint16_t n = 1; n <= 10; ++n)
        {
            pub.SendBytes(RawClient::PublishBytes("t", Number(n), Qos::AtLeastOnce, n));
            auto ack = pub.Read(5000ms);
            ASSERT_TRUE(ack && std::holds_alternative<PubackPacket>(*ack));
        }
        broker.Kill();
    }
    const std::string wal = store + "/broker.db-wal";
    long size = FileSize(wal);
    ASSERT_GT(size, 4096) << wal;
    ASSERT_EQ(truncate(wal.c_str(), size - 100), 0);

    BrokerProcess broker;
    ASSERT_TRUE(broker.Start({"--persistence", store, "--quiet"})) << broker.Output();
    Subscriber sub;
    ASSERT_TRUE(sub.Connect(broker.Port(), true, Qos::AtLeastOnce));
    while (sub.Poll(500ms) > 0)
    {
    }
    // The last commit (message 10) was torn; everything before it is there, once, in order.
    ASSERT_GE(sub.received.size(), 9u);
    for (uint16_t n = 1; n <= 9; ++n)
    {
        EXPECT_EQ(sub.received[n], 1) << n;
    }
}

TEST(PosixPersistence, AFullDiskRefusesCleanlyAndLosesNothingAcknowledged)
{
    // A file size limit (prlimit --fsize) stands for a full disk: the message that cannot be
    // stored gets no PUBACK, every client is disconnected and CONNECTs get CONNACK 0x03 while
    // the store fails; what was acknowledged before is delivered after a restart with room.
    ScratchDir dir;
    const std::string store = dir.Path() + "/store";
    std::size_t acknowledged = 0;
    {
        BrokerProcess broker;
        broker.SetLauncher({"prlimit", "--fsize=200000", "--"});
        ASSERT_TRUE(broker.Start({"--persistence", store, "--quiet"})) << broker.Output();
        Subscriber sub;
        ASSERT_TRUE(sub.Connect(broker.Port(), false, Qos::AtLeastOnce));
        sub.client.Close();
        RawClient pub;
        ASSERT_TRUE(pub.Connect(broker.Port()) && pub.MqttConnect("pub") == 0);
        std::vector<uint8_t> big(16000, 'x');
        for (uint16_t n = 1; n <= 100; ++n)
        {
            big[0] = static_cast<uint8_t>(n >> 8);
            big[1] = static_cast<uint8_t>(n & 0xff);
            pub.SendBytes(RawClient::PublishBytes("t", big, Qos::AtLeastOnce, n));
            auto ack = pub.Read(3000ms);
            if (!ack || !std::holds_alternative<PubackPacket>(*ack))
            {
                break;
            }
            ++acknowledged;
        }
        EXPECT_GT(acknowledged, 0u);
        EXPECT_LT(acknowledged, 100u) << "the file size limit was never reached";
        EXPECT_TRUE(pub.WaitClosed(3000ms));
        EXPECT_TRUE(broker.Running()) << "the broker must refuse, not die";
        EXPECT_NE(broker.Output().find("persistence failed"), std::string::npos);
        EXPECT_NE(broker.Output().find(store + "/broker.db"), std::string::npos);
        RawClient late;
        ASSERT_TRUE(late.Connect(broker.Port()));
        EXPECT_EQ(late.MqttConnect("late"), 3); // server unavailable
        broker.Kill();
    }
    BrokerProcess broker;
    ASSERT_TRUE(broker.Start({"--persistence", store, "--quiet"})) << broker.Output();
    RawClient sub;
    auto ack = ConnectPersistent(sub, broker.Port(), "sub");
    ASSERT_TRUE(ack && ack->sessionPresent);
    std::set<uint16_t> got;
    while (auto packet = sub.Read(1000ms))
    {
        if (const auto* publish = std::get_if<PublishPacket>(&*packet))
        {
            got.insert(static_cast<uint16_t>(publish->payload[0] << 8 | publish->payload[1]));
            sub.Send(PubackPacket{publish->packetId});
        }
    }
    for (uint16_t n = 1; n <= acknowledged; ++n)
    {
        EXPECT_EQ(got.count(n), 1u) << "acknowledged message " << n << " lost";
    }
}

TEST(PosixPersistence, AFileThatIsNotADatabaseStopsTheBrokerNamingIt)
{
    ScratchDir dir;
    const std::string store = dir.Path() + "/store";
    ASSERT_EQ(mkdir(store.c_str(), 0755), 0);
    dir.Write("store/broker.db", std::string(8192, 'z'));
    BrokerProcess broker;
    EXPECT_FALSE(broker.Start({"--persistence", store}));
    EXPECT_NE(broker.Wait(5000ms), 0);
    EXPECT_NE(broker.Output().find(store + "/broker.db"), std::string::npos) << broker.Output();
}

TEST(PosixPersistence, ADamagedSessionStopsTheBrokerNamingTheFileAndTheSession)
{
    ScratchDir dir;
    const std::string store = dir.Path() + "/store";
    {
        BrokerProcess broker;
        ASSERT_TRUE(broker.Start({"--persistence", store, "--quiet"}));
        Subscriber sub;
        ASSERT_TRUE(sub.Connect(broker.Port(), false, Qos::AtLeastOnce));
        broker.Kill();
    }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((store + "/broker.db").c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, "UPDATE session SET image=x'0102'", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    BrokerProcess broker;
    EXPECT_FALSE(broker.Start({"--persistence", store}));
    EXPECT_NE(broker.Wait(5000ms), 0);
    EXPECT_NE(broker.Output().find(store + "/broker.db: session 'sub' is not a session image"),
              std::string::npos)
        << broker.Output();
}
