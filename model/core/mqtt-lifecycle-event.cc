/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-lifecycle-event.h"

namespace ns3
{
namespace mqtt
{

namespace
{

/** Appends @p s as a JSON string: quotes, backslashes and control characters escaped. */
void
AppendJsonString(std::string& out, std::string_view s)
{
    static const char* digits = "0123456789abcdef";
    out.push_back('"');
    for (char c : s)
    {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\')
        {
            out.push_back('\\');
            out.push_back(c);
        }
        else if (u < 0x20)
        {
            out += "\\u00";
            out.push_back(digits[u >> 4]);
            out.push_back(digits[u & 0x0f]);
        }
        else
        {
            out.push_back(c); // UTF-8 passes through: JSON text is UTF-8
        }
    }
    out.push_back('"');
}

void
AppendKey(std::string& out, const char* key)
{
    if (out.size() > 1)
    {
        out.push_back(',');
    }
    out.push_back('"');
    out += key;
    out += "\":";
}

} // namespace

std::string
MqttLifecycleEvent::ToJson() const
{
    std::string out = "{";
    AppendKey(out, "clientId");
    AppendJsonString(out, clientId);
    AppendKey(out, "timestamp");
    out += std::to_string(timestampMs);
    AppendKey(out, "eventType");
    out += connected ? "\"connected\"" : "\"disconnected\"";
    AppendKey(out, "sessionIdentifier");
    AppendJsonString(out, sessionIdentifier);
    if (principalIdentifier)
    {
        AppendKey(out, "principalIdentifier");
        AppendJsonString(out, *principalIdentifier);
    }
    if (!connected)
    {
        AppendKey(out, "clientInitiatedDisconnect");
        out += clientInitiatedDisconnect ? "true" : "false";
        AppendKey(out, "disconnectReason");
        AppendJsonString(out, disconnectReason);
    }
    AppendKey(out, "versionNumber");
    out += std::to_string(versionNumber);
    out.push_back('}');
    return out;
}

std::string
MqttLifecycleEvent::Topic(std::string_view prefix) const
{
    std::string topic(prefix);
    topic += connected ? "connected/" : "disconnected/";
    topic += clientId;
    return topic;
}

const char*
LifecycleDisconnectReason(CloseReason reason)
{
    switch (reason)
    {
    case CloseReason::ClientDisconnect:
        return "CLIENT_INITIATED_DISCONNECT";
    case CloseReason::NetworkClosed:
        return "CONNECTION_LOST";
    case CloseReason::KeepAliveTimeout:
        return "MQTT_KEEP_ALIVE_TIMEOUT";
    case CloseReason::ProtocolError:
    case CloseReason::PolicyViolation:
        // "The client did something wrong": a second CONNECT, a payload over the limit, ...
        return "CLIENT_ERROR";
    case CloseReason::Takeover:
        return "DUPLICATE_CLIENTID";
    case CloseReason::ServerShutdown:
    case CloseReason::MemoryLimit: // the broker ended it to stay within its memory
        return "SERVER_INITIATED_DISCONNECT";
    case CloseReason::Throttled:
    case CloseReason::ThrottledAccountPublishInRate:
    case CloseReason::ThrottledAccountRetainedPublishRate:
        return "THROTTLED";
    case CloseReason::AuthFailure:
        return "AUTH_ERROR";
    case CloseReason::ConnectRefused:
    case CloseReason::ConnectTimeout:
    case CloseReason::AckTimeout:
    case CloseReason::ThrottledAccountConnectRate:
    case CloseReason::ThrottledAccountConnections:
    case CloseReason::ServerDisconnect:
        break; // never the end of a connected client at the broker
    }
    return "UNKNOWN";
}

bool
HasLifecycleEvents(std::string_view clientId)
{
    return clientId.find_first_of("#+") == std::string_view::npos;
}

std::string
LifecycleSessionIdentifier(uint64_t n)
{
    static const char* digits = "0123456789abcdef";
    // 8-4-4-4-12 hex digits; the upper 64 bits are zero.
    std::string hex(32, '0');
    for (int i = 31; i >= 16 && n != 0; --i)
    {
        hex[static_cast<std::size_t>(i)] = digits[n & 0x0f];
        n >>= 4;
    }
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

} // namespace mqtt
} // namespace ns3
