/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Why SQLite in WAL mode (doc/broker-engine.md has the longer answer): a commit is one append
 * to the write-ahead log and one fsync, so a group of batches costs what one costs; a torn
 * append at the end of the log (a crash mid-write) is recognised by its checksums and ignored on
 * the next open; and the file is checked, dumped and repaired with the sqlite3 tool everyone has.
 */
#include "mqtt-sqlite-store.h"

#include <cerrno>
#include <cstring>
#include <unordered_map>

#include <sqlite3.h>
#include <sys/stat.h>

namespace ns3
{
namespace mqtt
{

namespace
{

/** Written once into a new database, checked on every open. */
constexpr const char* FORMAT = "ns3-mqtt-broker-1";

constexpr const char* SCHEMA = "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
                               "CREATE TABLE IF NOT EXISTS message("
                               "  id INTEGER PRIMARY KEY, image BLOB NOT NULL);"
                               "CREATE TABLE IF NOT EXISTS session("
                               "  client_id TEXT PRIMARY KEY, image BLOB NOT NULL);"
                               "CREATE TABLE IF NOT EXISTS retained("
                               "  topic TEXT PRIMARY KEY, message_id INTEGER NOT NULL);";

void
Finalize(sqlite3_stmt*& statement)
{
    sqlite3_finalize(statement);
    statement = nullptr;
}

std::vector<uint8_t>
ColumnBlob(sqlite3_stmt* statement, int column)
{
    const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(statement, column));
    return std::vector<uint8_t>(data, data + sqlite3_column_bytes(statement, column));
}

std::string
ColumnText(sqlite3_stmt* statement, int column)
{
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
    return data == nullptr ? std::string()
                           : std::string(data, static_cast<std::size_t>(
                                                   sqlite3_column_bytes(statement, column)));
}

} // namespace

MqttSqliteStore::~MqttSqliteStore()
{
    Close();
}

void
MqttSqliteStore::Close()
{
    for (sqlite3_stmt** s : {&m_putMessage,
                             &m_deleteMessage,
                             &m_putSession,
                             &m_deleteSession,
                             &m_putRetained,
                             &m_deleteRetained})
    {
        Finalize(*s);
    }
    if (m_db != nullptr)
    {
        sqlite3_close(m_db);
        m_db = nullptr;
    }
}

const std::string&
MqttSqliteStore::Path() const
{
    return m_path;
}

std::string
MqttSqliteStore::Failure(const std::string& what) const
{
    return m_path + ": " + what + (m_db != nullptr ? std::string(": ") + sqlite3_errmsg(m_db) : "");
}

std::string
MqttSqliteStore::QueryText(const char* sql)
{
    sqlite3_stmt* statement = nullptr;
    std::string value;
    if (sqlite3_prepare_v2(m_db, sql, -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW)
    {
        value = ColumnText(statement, 0);
    }
    Finalize(statement);
    return value;
}

bool
MqttSqliteStore::Exec(const char* sql, std::string& error)
{
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
    {
        error = Failure(sql);
        return false;
    }
    return true;
}

bool
MqttSqliteStore::Open(const std::string& directory, MqttDurableState& state, std::string& error)
{
    Close();
    if (mkdir(directory.c_str(), 0755) != 0 && errno != EEXIST)
    {
        error = directory + ": cannot create the persistence directory: " + std::strerror(errno);
        return false;
    }
    m_path = directory + "/broker.db";
    if (sqlite3_open_v2(m_path.c_str(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK)
    {
        error = Failure("cannot open");
        return false;
    }
    // One broker per directory: the exclusive lock is taken by the first transaction below and
    // kept (the kernel drops it when the process dies, kill -9 included). The WAL index then
    // lives in this process's memory, which is also faster.
    sqlite3_busy_timeout(m_db, 0);
    if (!Exec("PRAGMA locking_mode=EXCLUSIVE", error))
    {
        return false;
    }
    if (QueryText("PRAGMA journal_mode=WAL") != "wal")
    {
        error = sqlite3_errcode(m_db) == SQLITE_BUSY
                    ? m_path + ": in use by another process (one broker per persistence directory)"
                    : Failure("not a usable database (journal_mode=WAL refused)");
        return false;
    }
    // FULL: the log is fsynced at every commit, so what was acknowledged survives a power
    // loss too, not only kill -9.
    if (!Exec("PRAGMA synchronous=FULL", error))
    {
        return false;
    }
    const std::string check = QueryText("PRAGMA quick_check");
    if (check != "ok")
    {
        error = check.empty() ? Failure("integrity check failed")
                              : m_path + ": integrity check failed: " + check;
        return false;
    }
    if (!Exec("BEGIN EXCLUSIVE", error) || !Exec(SCHEMA, error))
    {
        return false;
    }
    const std::string format = QueryText("SELECT value FROM meta WHERE key='format'");
    if (format.empty())
    {
        std::string insert = std::string("INSERT INTO meta VALUES('format','") + FORMAT + "')";
        if (!Exec(insert.c_str(), error))
        {
            return false;
        }
    }
    else if (format != FORMAT)
    {
        error = m_path + ": stored format '" + format + "', this broker reads '" + FORMAT + "'";
        return false;
    }
    if (!Exec("COMMIT", error) || !Load(state, error))
    {
        return false;
    }
    struct
    {
        sqlite3_stmt** statement;
        const char* sql;
    } prepared[] = {
        {&m_putMessage, "INSERT OR REPLACE INTO message(id, image) VALUES(?1, ?2)"},
        {&m_deleteMessage, "DELETE FROM message WHERE id=?1"},
        {&m_putSession, "INSERT OR REPLACE INTO session(client_id, image) VALUES(?1, ?2)"},
        {&m_deleteSession, "DELETE FROM session WHERE client_id=?1"},
        {&m_putRetained, "INSERT OR REPLACE INTO retained(topic, message_id) VALUES(?1, ?2)"},
        {&m_deleteRetained, "DELETE FROM retained WHERE topic=?1"},
    };
    for (const auto& p : prepared)
    {
        if (sqlite3_prepare_v2(m_db, p.sql, -1, p.statement, nullptr) != SQLITE_OK)
        {
            error = Failure(p.sql);
            return false;
        }
    }
    return true;
}

bool
MqttSqliteStore::Load(MqttDurableState& state, std::string& error)
{
    sqlite3_stmt* statement = nullptr;
    struct
    {
        const char* sql;
        int table;
    } queries[] = {
        {"SELECT id, image FROM message", 0},
        {"SELECT client_id, image FROM session", 1},
        {"SELECT topic, message_id FROM retained", 2},
    };
    for (const auto& q : queries)
    {
        if (sqlite3_prepare_v2(m_db, q.sql, -1, &statement, nullptr) != SQLITE_OK)
        {
            error = Failure(q.sql);
            return false;
        }
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(statement)) == SQLITE_ROW)
        {
            switch (q.table)
            {
            case 0:
                state.messages[static_cast<uint64_t>(sqlite3_column_int64(statement, 0))] =
                    ColumnBlob(statement, 1);
                break;
            case 1:
                state.sessions[ColumnText(statement, 0)] = ColumnBlob(statement, 1);
                break;
            default:
                state.retained[ColumnText(statement, 0)] =
                    static_cast<uint64_t>(sqlite3_column_int64(statement, 1));
                break;
            }
        }
        Finalize(statement);
        if (rc != SQLITE_DONE)
        {
            error = Failure(q.sql);
            return false;
        }
    }
    return true;
}

bool
MqttSqliteStore::Apply(const PersistOp& op)
{
    sqlite3_stmt* statement = nullptr;
    switch (op.kind)
    {
    case PersistOp::Kind::Clear:
        return sqlite3_exec(m_db,
                            "DELETE FROM message; DELETE FROM session; DELETE FROM retained;",
                            nullptr,
                            nullptr,
                            nullptr) == SQLITE_OK;
    case PersistOp::Kind::PutMessage:
        statement = m_putMessage;
        sqlite3_bind_int64(statement, 1, static_cast<sqlite3_int64>(op.messageId));
        sqlite3_bind_blob(statement,
                          2,
                          op.value.data(),
                          static_cast<int>(op.value.size()),
                          SQLITE_STATIC);
        break;
    case PersistOp::Kind::DeleteMessage:
        statement = m_deleteMessage;
        sqlite3_bind_int64(statement, 1, static_cast<sqlite3_int64>(op.messageId));
        break;
    case PersistOp::Kind::PutSession:
    case PersistOp::Kind::DeleteSession:
    case PersistOp::Kind::PutRetained:
    case PersistOp::Kind::DeleteRetained:
        statement = op.kind == PersistOp::Kind::PutSession      ? m_putSession
                    : op.kind == PersistOp::Kind::DeleteSession ? m_deleteSession
                    : op.kind == PersistOp::Kind::PutRetained   ? m_putRetained
                                                                : m_deleteRetained;
        sqlite3_bind_text(statement,
                          1,
                          op.key.data(),
                          static_cast<int>(op.key.size()),
                          SQLITE_STATIC);
        if (op.kind == PersistOp::Kind::PutSession)
        {
            sqlite3_bind_blob(statement,
                              2,
                              op.value.data(),
                              static_cast<int>(op.value.size()),
                              SQLITE_STATIC);
        }
        else if (op.kind == PersistOp::Kind::PutRetained)
        {
            sqlite3_bind_int64(statement, 2, static_cast<sqlite3_int64>(op.messageId));
        }
        break;
    }
    int rc = sqlite3_step(statement);
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    return rc == SQLITE_DONE;
}

namespace
{

/** What an op writes: ops on one target overwrite each other whole. */
std::string
TargetOf(const PersistOp& op)
{
    switch (op.kind)
    {
    case PersistOp::Kind::PutMessage:
    case PersistOp::Kind::DeleteMessage:
        return "m" + std::to_string(op.messageId);
    case PersistOp::Kind::PutSession:
    case PersistOp::Kind::DeleteSession:
        return "s" + op.key;
    case PersistOp::Kind::PutRetained:
    case PersistOp::Kind::DeleteRetained:
        return "r" + op.key;
    case PersistOp::Kind::Clear:
        break;
    }
    return {};
}

/**
 * The ops of a group that decide the outcome: each Put or Delete replaces its target whole, so
 * only the last op per target counts, and nothing before the last Clear. A group thus never
 * writes what it overwrote itself: a message delivered and acknowledged by every subscriber
 * within one group is not written at all, a session touched ten times is written once.
 */
std::vector<const PersistOp*>
LastOps(const std::vector<PersistOp>& ops)
{
    std::size_t from = 0;
    for (std::size_t i = 0; i < ops.size(); ++i)
    {
        if (ops[i].kind == PersistOp::Kind::Clear)
        {
            from = i;
        }
    }
    std::unordered_map<std::string, std::size_t> last;
    for (std::size_t i = from; i < ops.size(); ++i)
    {
        last[TargetOf(ops[i])] = i;
    }
    std::vector<const PersistOp*> kept;
    for (std::size_t i = from; i < ops.size(); ++i)
    {
        if (ops[i].kind == PersistOp::Kind::Clear || last[TargetOf(ops[i])] == i)
        {
            kept.push_back(&ops[i]);
        }
    }
    return kept;
}

} // namespace

bool
MqttSqliteStore::Commit(const std::vector<PersistOp>& ops, std::string& error)
{
    if (!Exec("BEGIN", error))
    {
        return false;
    }
    for (const PersistOp* op : LastOps(ops))
    {
        if (!Apply(*op))
        {
            error = Failure("write");
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
            return false;
        }
    }
    if (sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
    {
        error = Failure("commit");
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        return false;
    }
    return true;
}

} // namespace mqtt
} // namespace ns3
