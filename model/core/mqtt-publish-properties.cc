/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-publish-properties.h"

#include <algorithm>

namespace ns3
{
namespace mqtt
{

std::optional<uint32_t>
TakePerHopProperties(Properties& properties)
{
    std::optional<uint32_t> expiry;
    auto& items = properties.items;
    items.erase(std::remove_if(items.begin(),
                               items.end(),
                               [&expiry](const Property& prop)
                               {
                                   if (prop.id == PropertyId::MessageExpiryInterval)
                                   {
                                       expiry = prop.number;
                                       return true;
                                   }
                                   return prop.id == PropertyId::TopicAlias ||
                                          prop.id == PropertyId::SubscriptionIdentifier ||
                                          prop.id == PropertyId::WillDelayInterval;
                               }),
                items.end());
    return expiry;
}

} // namespace mqtt
} // namespace ns3
