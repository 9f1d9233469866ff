/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What the ACL tests share: an anonymous client's user name and an ACL parsed from text.
 */
#ifndef MQTT_ACL_TEST_UTIL_H
#define MQTT_ACL_TEST_UTIL_H

#include "mqtt-acl.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

namespace mqtt_test
{

/** The user name of a client that gave none. */
inline const std::optional<std::string> ANONYMOUS;

/** @p text parsed as "acl.txt" (a parse error fails the test). */
inline ns3::mqtt::MqttAcl
Acl(std::string_view text)
{
    ns3::mqtt::MqttAcl acl;
    ns3::mqtt::MqttConfigError error;
    EXPECT_TRUE(acl.Parse(text, "acl.txt", error)) << error.ToString();
    return acl;
}

} // namespace mqtt_test

#endif // MQTT_ACL_TEST_UTIL_H
