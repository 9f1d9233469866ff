/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The standalone broker's durable store: SQLite (from Debian) in WAL mode, one file
 * DIR/broker.db holding the images the engine's PersistActions carry (doc/broker-engine.md,
 * "Durable persistence").
 */
#ifndef MQTT_SQLITE_STORE_H
#define MQTT_SQLITE_STORE_H

#include "mqtt-action.h"
#include "mqtt-durable-image.h"

#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace ns3
{
namespace mqtt
{

class MqttSqliteStore
{
  public:
    MqttSqliteStore() = default;
    ~MqttSqliteStore();
    MqttSqliteStore(const MqttSqliteStore&) = delete;
    MqttSqliteStore& operator=(const MqttSqliteStore&) = delete;

    /**
     * Opens (creating if needed) @p directory and its database, locks it for this process and
     * reads everything into @p state. A file that is not such a database, fails its integrity
     * check or is locked by another broker is refused.
     * @return false with @p error naming the file.
     */
    bool Open(const std::string& directory, MqttDurableState& state, std::string& error);

    /** Applies @p ops in one transaction, durable when this returns true (fsync). */
    bool Commit(const std::vector<PersistOp>& ops, std::string& error);

    /** DIR/broker.db. */
    const std::string& Path() const;

  private:
    bool Exec(const char* sql, std::string& error);
    /** The first column of the first row of @p sql, "" if none or on an error. */
    std::string QueryText(const char* sql);
    bool Load(MqttDurableState& state, std::string& error);
    bool Apply(const PersistOp& op);
    /** "PATH: what SQLite says". */
    std::string Failure(const std::string& what) const;
    void Close();

    std::string m_path;
    sqlite3* m_db = nullptr;
    /** Prepared once: one per PersistOp kind but Clear. */
    sqlite3_stmt* m_putMessage = nullptr;
    sqlite3_stmt* m_deleteMessage = nullptr;
    sqlite3_stmt* m_putSession = nullptr;
    sqlite3_stmt* m_deleteSession = nullptr;
    sqlite3_stmt* m_putRetained = nullptr;
    sqlite3_stmt* m_deleteRetained = nullptr;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SQLITE_STORE_H
