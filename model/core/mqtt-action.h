/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What an I/O-free engine asks its driver to do. Engines append actions to a vector the driver
 * passes in; the driver carries them out in order.
 */
#ifndef MQTT_ACTION_H
#define MQTT_ACTION_H

#include "mqtt-event.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** Time as the engines see it: nanoseconds from an origin the driver chooses. */
using Nanos = std::chrono::nanoseconds;

/** A driver's handle for one transport connection. */
using ConnectionId = uint64_t;

/** An engine's handle for one timer; unique within that engine. */
using TimerId = uint64_t;

/** Write these bytes, in order, to the connection. */
struct SendAction
{
    ConnectionId connection = 0;
    std::vector<uint8_t> bytes;
};

/** Close the connection (after writing what was sent before this action). */
struct CloseAction
{
    ConnectionId connection = 0;
    CloseReason reason = CloseReason::ClientDisconnect;
};

/** Open a transport connection to the peer (a client engine connecting or reconnecting). */
struct OpenConnectionAction
{
    ConnectionId connection = 0;
};

/** Call the engine's OnTimer(timer) at @p at, replacing an earlier start of the same timer. */
struct StartTimerAction
{
    TimerId timer = 0;
    Nanos at{0};
};

struct CancelTimerAction
{
    TimerId timer = 0;
};

/** Something a study may want to observe; drivers turn these into traces and records. */
struct NotifyAction
{
    MqttEvent event;
};

/**
 * One change to a broker's durable state (doc/broker-engine.md, "Durable persistence"). The
 * values are images the core encodes and decodes (mqtt-durable-image.h): a store keeps them as
 * opaque bytes under their key.
 */
struct PersistOp
{
    enum class Kind : uint8_t
    {
        Clear,          //!< forget everything stored (a full image follows in the same batch)
        PutMessage,     //!< message @p messageId is @p value
        DeleteMessage,  //!< message @p messageId is referenced no more
        PutSession,     //!< the session of client id @p key is @p value
        DeleteSession,  //!< the session of client id @p key ended
        PutRetained,    //!< topic @p key retains message @p messageId
        DeleteRetained, //!< topic @p key retains nothing
    };

    Kind kind = Kind::Clear;
    uint64_t messageId = 0;
    std::string key;
    std::vector<uint8_t> value;
};

/**
 * Make these changes durable, atomically, after those of every earlier batch; then call the
 * engine's OnPersisted(batch) (or OnPersistFailed(batch)). A driver may write several batches
 * in one transaction and report only the last: that is its group commit. Until then the engine
 * holds back the output that depends on them (PUBACK, PUBREC, ...).
 */
struct PersistAction
{
    uint64_t batch = 0;
    std::vector<PersistOp> ops;
};

using MqttAction = std::variant<SendAction,
                                CloseAction,
                                OpenConnectionAction,
                                StartTimerAction,
                                CancelTimerAction,
                                NotifyAction,
                                PersistAction>;

using MqttActions = std::vector<MqttAction>;

} // namespace mqtt
} // namespace ns3

#endif // MQTT_ACTION_H
