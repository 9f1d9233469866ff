/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-broker-setting-attributes.h"

#include "mqtt-broker-settings.h"
#include "mqtt-broker.h"
#include "mqtt-units.h"

#include "ns3/double.h"
#include "ns3/enum.h"
#include "ns3/integer.h"
#include "ns3/nstime.h"
#include "ns3/string.h"

#include <cctype>
#include <iostream>
#include <limits>

namespace ns3
{
namespace mqtt
{

namespace
{

/** What a StringValue setting holds while it keeps the profile's value. */
const char* const KEEP_PROFILE = "profile";

/**
 * Reads and writes one setting of an MqttBroker through its SetSetting / GetSetting, converting
 * between the ns-3 value of the setting's type and the text the table reads.
 */
class MqttBrokerSettingAccessor : public AttributeAccessor
{
  public:
    /** @p alias: an older name, whose initial value must not undo a set under the new one. */
    MqttBrokerSettingAccessor(const MqttBrokerSetting& setting, bool alias)
        : m_key(setting.key)
        , m_type(setting.type)
        , m_alias(alias)
    {
    }

    bool
    Set(ObjectBase* object, const AttributeValue& value) const override
    {
        auto broker = dynamic_cast<MqttBroker*>(object);
        if (!broker)
        {
            return false;
        }
        std::optional<std::string> text = ToText(value);
        if (!text)
        {
            if (!m_alias)
            {
                broker->ClearSetting(m_key);
            }
            return true;
        }
        if (auto error = broker->SetSetting(m_key, *text))
        {
            std::cerr << "MqttBroker: " << error->ToString() << "\n";
            return false;
        }
        return true;
    }

    bool
    Get(const ObjectBase* object, AttributeValue& value) const override
    {
        auto broker = dynamic_cast<const MqttBroker*>(object);
        if (!broker)
        {
            return false;
        }
        return FromText(broker->GetSetting(m_key), value);
    }

    bool
    HasGetter() const override
    {
        return true;
    }

    bool
    HasSetter() const override
    {
        return true;
    }

  private:
    /** The setting's text, or nothing for the "keep the profile's" value. */
    std::optional<std::string> ToText(const AttributeValue& value) const;
    /** Writes @p text (nothing: the "keep the profile's" value) into @p value. */
    bool FromText(const std::optional<std::string>& text, AttributeValue& value) const;

    std::string m_key;
    MqttSettingType m_type;
    bool m_alias;
};

std::optional<std::string>
MqttBrokerSettingAccessor::ToText(const AttributeValue& value) const
{
    std::optional<std::string> text;
    if (auto v = dynamic_cast<const IntegerValue*>(&value); v && v->Get() >= 0)
    {
        text = std::to_string(v->Get());
    }
    else if (auto v = dynamic_cast<const DoubleValue*>(&value); v && v->Get() >= 0)
    {
        text = FormatNumber(v->Get());
    }
    else if (auto v = dynamic_cast<const TimeValue*>(&value); v && !v->Get().IsNegative())
    {
        text = FormatDuration(Nanos(v->Get().GetNanoSeconds()));
    }
    else if (auto v = dynamic_cast<const EnumValue*>(&value); v && v->Get() != MqttBroker::PROFILE)
    {
        text = v->Get() == MqttBroker::ON ? "true" : "false";
    }
    else if (auto v = dynamic_cast<const StringValue*>(&value); v && v->Get() != KEEP_PROFILE)
    {
        text = v->Get();
    }
    return text;
}

bool
MqttBrokerSettingAccessor::FromText(const std::optional<std::string>& text,
                                    AttributeValue& value) const
{
    switch (m_type)
    {
    case MqttSettingType::Integer:
        if (auto v = dynamic_cast<IntegerValue*>(&value))
        {
            v->Set(text ? static_cast<int64_t>(std::stoull(*text)) : -1);
            return true;
        }
        return false;
    case MqttSettingType::Number:
        if (auto v = dynamic_cast<DoubleValue*>(&value))
        {
            v->Set(text ? std::stod(*text) : -1);
            return true;
        }
        return false;
    case MqttSettingType::Duration:
        if (auto v = dynamic_cast<TimeValue*>(&value))
        {
            v->Set(text ? NanoSeconds(ParseDuration(*text)->count()) : Seconds(-1));
            return true;
        }
        return false;
    case MqttSettingType::Boolean:
        if (auto v = dynamic_cast<EnumValue*>(&value))
        {
            v->Set(!text             ? MqttBroker::PROFILE
                   : *text == "true" ? MqttBroker::ON
                                     : MqttBroker::OFF);
            return true;
        }
        return false;
    case MqttSettingType::Choice:
    case MqttSettingType::Text:
    case MqttSettingType::List:
    case MqttSettingType::Quantity:
        if (auto v = dynamic_cast<StringValue*>(&value))
        {
            v->Set(text ? *text : KEEP_PROFILE);
            return true;
        }
        return false;
    }
    return false;
}

/** Adds the Attribute @p name for @p setting to @p tid. */
void
AddSettingAttribute(TypeId& tid,
                    const std::string& name,
                    const MqttBrokerSetting& setting,
                    bool alias)
{
    std::string help = "Broker setting " + setting.key + ": " + setting.doc;
    Ptr<const AttributeAccessor> accessor = Create<MqttBrokerSettingAccessor>(setting, alias);
    switch (setting.type)
    {
    case MqttSettingType::Integer:
    {
        auto max = static_cast<int64_t>(
            std::min<uint64_t>(setting.max, std::numeric_limits<int64_t>::max()));
        tid.AddAttribute(name,
                         help + " (-1: the profile's).",
                         IntegerValue(-1),
                         accessor,
                         MakeIntegerChecker<int64_t>(-1, max));
        return;
    }
    case MqttSettingType::Number:
        tid.AddAttribute(name,
                         help + " (negative: the profile's).",
                         DoubleValue(-1),
                         accessor,
                         MakeDoubleChecker<double>());
        return;
    case MqttSettingType::Duration:
        tid.AddAttribute(name,
                         help + " (negative: the profile's).",
                         TimeValue(Seconds(-1)),
                         accessor,
                         MakeTimeChecker());
        return;
    case MqttSettingType::Boolean:
        tid.AddAttribute(
            name,
            help + " (profile: the profile's).",
            EnumValue(MqttBroker::PROFILE),
            accessor,
            MakeEnumChecker(
                MqttBroker::PROFILE, "profile", MqttBroker::OFF, "false", MqttBroker::ON, "true"));
        return;
    case MqttSettingType::Choice:
    case MqttSettingType::Text:
    case MqttSettingType::List:
    case MqttSettingType::Quantity:
        tid.AddAttribute(name,
                         help + " (profile: the profile's).",
                         StringValue(KEEP_PROFILE),
                         accessor,
                         MakeStringChecker());
        return;
    }
}

} // namespace

std::string
BrokerSettingAttributeName(const std::string& key)
{
    std::string name;
    bool upper = true;
    for (char c : key)
    {
        if (c == '-')
        {
            upper = true;
            continue;
        }
        name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
        upper = false;
    }
    return name;
}

TypeId
AddBrokerSettingAttributes(TypeId tid)
{
    for (const MqttBrokerSetting& setting : MqttBrokerSettings::All())
    {
        AddSettingAttribute(tid, BrokerSettingAttributeName(setting.key), setting, false);
    }
    // Registered after MaxInflightOut: its initial value (-1) leaves that one alone.
    AddSettingAttribute(tid, "MaxInflight", *MqttBrokerSettings::Find("max-inflight-out"), true);
    return tid;
}

} // namespace mqtt
} // namespace ns3
