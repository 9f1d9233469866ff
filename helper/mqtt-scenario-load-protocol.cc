/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A client group's MQTT protocol (protocol: 4 or 5) and its 5.0 options (enhanced authentication
 * among them), and its duty cycle
 * (sleep: {awake, asleep}); doc/scenarios.md. Each error names the file, line and field.
 */
#include "mqtt-scenario-yaml.h"

namespace ns3
{
namespace mqtt
{
namespace scenario_yaml
{

namespace
{

/** The longest interval 5.0 can carry: a Four Byte Integer of seconds. */
constexpr int64_t MAX_INTERVAL_SECONDS = 0xFFFFFFFFLL;

/** A 5.0 interval key in whole seconds, 0 to 2^32 - 1. */
void
Interval(Map& m, const std::string& key, ScenarioTime* out)
{
    ScenarioTime d{-1};
    m.Duration(key, &d);
    if (d.count() < 0)
    {
        return; // absent, or the error is recorded
    }
    if (d.count() % 1000000000 != 0 || d.count() / 1000000000 > MAX_INTERVAL_SECONDS)
    {
        m.Fail(key, "expected whole seconds up to 4294967295s (a 5.0 interval)");
        return;
    }
    *out = d;
}

/** auth: {method: SCRAM-SHA-256, user, password}: 5.0 enhanced authentication (doc/auth.md). */
void
ReadGroupAuth(Reader& r, Map& m, MqttClientGroupSpec* g)
{
    if (!m.Has("auth"))
    {
        return;
    }
    Map am(r, m.Get("auth"), m.Path("auth"), {"method", "user", "password"});
    if (!am.Ok())
    {
        return;
    }
    am.Require({"method", "user", "password"});
    am.String("method", &g->authMethod);
    if (am.Has("method") && g->authMethod != "SCRAM-SHA-256")
    {
        am.Fail("method", "expected SCRAM-SHA-256, got " + g->authMethod);
    }
    am.String("user", &g->authUser);
    if (am.Has("user") && g->authUser.empty())
    {
        am.Fail("user", "expected a user name, got nothing");
    }
    am.String("password", &g->authPassword);
}

} // namespace

void
ReadGroupProtocol(Reader& r, Map& m, MqttClientGroupSpec* g)
{
    (void)r;
    m.Enum<uint8_t>("protocol", {{"4", 4}, {"3.1.1", 4}, {"5", 5}, {"5.0", 5}}, &g->protocol);
    Interval(m, "session-expiry", &g->sessionExpiry);
    m.Unsigned("topic-aliases", 0, 65535, &g->topicAliases);
    m.Unsigned("receive-maximum", 1, 65535, &g->receiveMaximum);
    Interval(m, "message-expiry", &g->messageExpiry);
    m.String("share-group", &g->shareGroup);
    if (m.Has("share-group") &&
        (g->shareGroup.empty() || g->shareGroup.find_first_of("/+#") != std::string::npos))
    {
        // [MQTT5-4.8.2-1], [MQTT5-4.8.2-2]: a ShareName is not empty and has no '/', '+', '#'.
        m.Fail("share-group", "expected a name without '/', '+' or '#'");
    }
    ReadGroupAuth(r, m, g);
    if (g->protocol == 5)
    {
        return;
    }
    for (const char* key : {"session-expiry",
                            "topic-aliases",
                            "receive-maximum",
                            "message-expiry",
                            "share-group",
                            "auth"})
    {
        if (m.Has(key))
        {
            m.Fail(key, "an MQTT 5.0 option: needs protocol: 5");
        }
    }
}

void
ReadGroupSleep(Reader& r, Map& m, MqttClientGroupSpec* g)
{
    if (!m.Has("sleep"))
    {
        return;
    }
    YAML::Node node = m.Get("sleep");
    Map sm(r, node, m.Path("sleep"), {"awake", "asleep", "session-expiry"});
    if (!sm.Ok())
    {
        return;
    }
    sm.Require({"awake", "asleep"});
    sm.Duration("awake", &g->awake);
    sm.Duration("asleep", &g->asleep);
    if (sm.Has("awake") && g->awake.count() <= 0)
    {
        sm.Fail("awake", "must be above 0");
    }
    if (sm.Has("asleep") && g->asleep.count() <= 0)
    {
        sm.Fail("asleep", "must be above 0");
    }
    if (!sm.Has("session-expiry"))
    {
        return;
    }
    ScenarioTime expiry{-1};
    Interval(sm, "session-expiry", &expiry);
    if (expiry.count() < 0)
    {
        return; // the error is recorded
    }
    if (g->protocol != 5)
    {
        sm.Fail("session-expiry", "an MQTT 5.0 option: needs protocol: 5");
    }
    else if (g->sessionExpiry.count() == 0 && expiry.count() != 0)
    {
        // 3.14.2.2.2: after a CONNECT with 0 a non-zero interval at DISCONNECT is a Protocol
        // Error.
        sm.Fail("session-expiry", "needs the group's session-expiry above 0s");
    }
    g->sleepSessionExpiry = expiry;
}

} // namespace scenario_yaml
} // namespace mqtt
} // namespace ns3
