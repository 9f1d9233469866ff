/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The JSON the sweep writes and reads (sweep.json, index.jsonl, jobs and outcomes between MPI
 * ranks) goes through nlohmann-json. Objects keep their keys in insertion order, so the files
 * list fields in the order doc/scaling.md gives; reading checks each field's type, so a row
 * from another version or a torn line is refused rather than half read.
 */
#ifndef MQTT_SWEEP_JSON_H
#define MQTT_SWEEP_JSON_H

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <type_traits>

namespace ns3
{
namespace mqtt
{

using MqttJson = nlohmann::ordered_json;

/** @p value on one line; bytes that are not UTF-8 become U+FFFD instead of an exception. */
inline std::string
MqttJsonLine(const MqttJson& value, int indent = -1)
{
    return value.dump(indent, ' ', false, MqttJson::error_handler_t::replace);
}

/** @p text parsed as one JSON object; nothing and @p error when it is not one. */
inline std::optional<MqttJson>
MqttJsonObject(const std::string& text, std::string* error)
{
    MqttJson value = MqttJson::parse(text, nullptr, false);
    if (value.is_discarded())
    {
        *error = "not JSON";
        return std::nullopt;
    }
    if (!value.is_object())
    {
        *error = "not a JSON object";
        return std::nullopt;
    }
    return value;
}

/** Reads @p key of @p object into @p out; false when it is absent or of another type. */
template<typename T>
bool
MqttJsonField(const MqttJson& object, const char* key, T* out)
{
    auto it = object.find(key);
    if (it == object.end())
    {
        return false;
    }
    bool fits = false;
    if constexpr (std::is_same_v<T, std::string>)
    {
        fits = it->is_string();
    }
    else if constexpr (std::is_same_v<T, bool>)
    {
        fits = it->is_boolean();
    }
    else if constexpr (std::is_floating_point_v<T>)
    {
        fits = it->is_number();
    }
    else if constexpr (std::is_unsigned_v<T>)
    {
        fits = it->is_number_unsigned();
    }
    else
    {
        fits = it->is_number_integer();
    }
    if (fits)
    {
        *out = it->template get<T>();
    }
    return fits;
}

} // namespace mqtt
} // namespace ns3

#endif // MQTT_SWEEP_JSON_H
