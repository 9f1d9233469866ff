/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-auth-method.h"

namespace ns3
{
namespace mqtt
{

MqttAuthStep
MqttAuthStep::Continue(std::vector<uint8_t> data)
{
    return MqttAuthStep{MqttAuthOutcome::Continue, std::move(data), ReasonCode::Success, {}};
}

MqttAuthStep
MqttAuthStep::Success(std::vector<uint8_t> finalData)
{
    return MqttAuthStep{MqttAuthOutcome::Success, std::move(finalData), ReasonCode::Success, {}};
}

MqttAuthStep
MqttAuthStep::Failure(ReasonCode reason, std::string detail)
{
    return MqttAuthStep{MqttAuthOutcome::Failure, {}, reason, std::move(detail)};
}

void
MqttAuthMethods::Add(std::shared_ptr<const MqttAuthMethod> method)
{
    std::string name = method->Name();
    m_methods[std::move(name)] = std::move(method);
}

std::shared_ptr<const MqttAuthMethod>
MqttAuthMethods::Find(std::string_view name) const
{
    const auto it = m_methods.find(name);
    return it == m_methods.end() ? nullptr : it->second;
}

bool
MqttAuthMethods::Empty() const
{
    return m_methods.empty();
}

std::vector<std::string>
MqttAuthMethods::Names() const
{
    std::vector<std::string> names;
    names.reserve(m_methods.size());
    for (const auto& [name, method] : m_methods)
    {
        names.push_back(name);
    }
    return names;
}

} // namespace mqtt
} // namespace ns3
