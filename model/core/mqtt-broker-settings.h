/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The broker settings: every field of MqttBrokerProfile but its name, by a kebab-case key
 * ("max-inflight-out"), with its type, a doc line, and how to read and print a value. One table
 * serves every way of setting a field (scenario files, the MqttBroker Attributes, the standalone
 * broker's --set), so they accept the same values and report a bad one in the same words.
 */
#ifndef MQTT_BROKER_SETTINGS_H
#define MQTT_BROKER_SETTINGS_H

#include "mqtt-broker-profile.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** How a setting's value is written. */
enum class MqttSettingType : uint8_t
{
    Integer,  //!< a whole number in [0, max] ("20")
    Number,   //!< a decimal number in [min, max] ("1.5")
    Duration, //!< a duration with a unit ("30s", "250ms"; ParseDuration)
    Boolean,  //!< true or false
    Choice,   //!< one of a few names ("drop-oldest")
    Text,     //!< any text, "" included
    List,     //!< comma-separated non-empty items ("$aws/,$sys/")
    Quantity, //!< a number with a unit kept as text ("3.5us" CPU cost, "4MiB" size)
};

/** Why a setting was not applied. */
struct MqttSettingError
{
    std::string key;
    std::string value;
    /** The key names no setting (then problem lists the known keys). */
    bool unknownKey = false;
    /** What is wrong: "expected an integer from 0 to 65535, got 'x'", or "known: a, b, ...". */
    std::string problem;

    /**
     * The one wording used everywhere: "unknown broker setting 'x' (known: a, b, ...)" or
     * "broker setting 'max-keep-alive': expected an integer from 0 to 65535, got '70000'".
     */
    std::string ToString() const;
};

/** One row of the table. */
struct MqttBrokerSetting
{
    /** Kebab-case field name, e.g. "max-inflight-out". */
    std::string key;
    MqttSettingType type;
    /** One line saying what the field does. */
    std::string doc;
    /** A value's form in a help text: "integer", "duration", "close-existing|reject-new". */
    std::string hint;
    /** What a value must be, as in "expected <this>, got 'x'" ("true or false"). */
    std::string expected;
    /** Largest value of an Integer setting. */
    uint64_t max = 0;
    /** Reads @p value into the field of the profile; false (and nothing changed) if invalid. */
    std::function<bool(MqttBrokerProfile*, const std::string&)> parse;
    /** The field's value as parse() reads it back. */
    std::function<std::string(const MqttBrokerProfile&)> format;
};

/** The table of broker settings and the operations every caller shares. */
class MqttBrokerSettings
{
  public:
    /** Every setting, in the order of MqttBrokerProfile's fields. */
    static const std::vector<MqttBrokerSetting>& All();

    /** The setting named @p key, or null. */
    static const MqttBrokerSetting* Find(const std::string& key);

    /** The keys, in table order. */
    static std::vector<std::string> Keys();

    /** Sets field @p key of @p profile from @p value; the error leaves @p profile unchanged. */
    static std::optional<MqttSettingError> Apply(MqttBrokerProfile* profile,
                                                 const std::string& key,
                                                 const std::string& value);

    /**
     * Splits "key=value" (the form of the --set option) and applies it; an argument without
     * '=' is an error naming the form.
     */
    static std::optional<MqttSettingError> ApplyAssignment(MqttBrokerProfile* profile,
                                                           const std::string& assignment);

    /**
     * One line per setting ("  max-inflight-out <integer>  doc (standard: '20')"), with the
     * value it has in @p profile: the reference a --help prints.
     */
    static std::string Describe(const MqttBrokerProfile& profile);
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_BROKER_SETTINGS_H
