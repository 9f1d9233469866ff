/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-stream-layer.h"

namespace ns3
{
namespace mqtt
{

void
MqttStreamStack::Push(std::unique_ptr<MqttStreamLayer> layer)
{
    m_layers.push_back(std::move(layer));
}

bool
MqttStreamStack::Empty() const
{
    return m_layers.empty();
}

MqttStreamStatus
MqttStreamStack::Fail(std::size_t level)
{
    m_error = m_layers[level]->Error();
    return MqttStreamStatus::Failed;
}

MqttStreamStatus
MqttStreamStack::SendBelow(std::size_t level,
                           const uint8_t* data,
                           std::size_t size,
                           std::vector<uint8_t>& wire)
{
    if (level == 0)
    {
        wire.insert(wire.end(), data, data + size);
        return MqttStreamStatus::Ok;
    }
    std::vector<uint8_t> down;
    if (m_layers[level - 1]->Send(data, size, down) == MqttStreamStatus::Failed)
    {
        return Fail(level - 1);
    }
    return SendBelow(level - 1, down.data(), down.size(), wire);
}

MqttStreamStatus
MqttStreamStack::Receive(const uint8_t* data,
                         std::size_t size,
                         std::vector<uint8_t>& app,
                         std::vector<uint8_t>& wire)
{
    if (m_layers.empty())
    {
        app.insert(app.end(), data, data + size);
        return MqttStreamStatus::Ok;
    }
    std::vector<uint8_t> in(data, data + size);
    for (std::size_t level = 0; level < m_layers.size(); ++level)
    {
        std::vector<uint8_t> up;
        std::vector<uint8_t> down;
        MqttStreamStatus status = m_layers[level]->Receive(in.data(), in.size(), up, down);
        // A layer's last words (an alert, a close frame) still go out when it fails.
        if (!down.empty() &&
            SendBelow(level, down.data(), down.size(), wire) == MqttStreamStatus::Failed)
        {
            return MqttStreamStatus::Failed;
        }
        if (status == MqttStreamStatus::Failed)
        {
            return Fail(level);
        }
        if (status == MqttStreamStatus::Closed)
        {
            // What arrived before the end is still delivered.
            app.insert(app.end(), up.begin(), up.end());
            return MqttStreamStatus::Closed;
        }
        in = std::move(up);
        if (in.empty())
        {
            break;
        }
    }
    if (!in.empty())
    {
        app.insert(app.end(), in.begin(), in.end());
    }
    return MqttStreamStatus::Ok;
}

MqttStreamStatus
MqttStreamStack::Send(const uint8_t* data, std::size_t size, std::vector<uint8_t>& wire)
{
    return SendBelow(m_layers.size(), data, size, wire);
}

MqttStreamStatus
MqttStreamStack::Start(std::vector<uint8_t>& wire)
{
    for (std::size_t level = 0; level < m_layers.size(); ++level)
    {
        std::vector<uint8_t> down;
        if (m_layers[level]->Start(down) == MqttStreamStatus::Failed)
        {
            return Fail(level);
        }
        if (SendBelow(level, down.data(), down.size(), wire) == MqttStreamStatus::Failed)
        {
            return MqttStreamStatus::Failed;
        }
    }
    return MqttStreamStatus::Ok;
}

void
MqttStreamStack::Close(std::vector<uint8_t>& wire)
{
    for (std::size_t level = m_layers.size(); level > 0; --level)
    {
        std::vector<uint8_t> down;
        m_layers[level - 1]->Close(down);
        if (SendBelow(level - 1, down.data(), down.size(), wire) == MqttStreamStatus::Failed)
        {
            return;
        }
    }
}

bool
MqttStreamStack::IsOpen() const
{
    for (const auto& layer : m_layers)
    {
        if (!layer->IsOpen())
        {
            return false;
        }
    }
    return true;
}

const std::string&
MqttStreamStack::Error() const
{
    return m_error;
}

std::optional<std::string>
MqttStreamStack::PeerIdentity() const
{
    for (const auto& layer : m_layers)
    {
        if (auto identity = layer->PeerIdentity())
        {
            return identity;
        }
    }
    return std::nullopt;
}

} // namespace mqtt
} // namespace ns3
