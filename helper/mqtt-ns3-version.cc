/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-ns3-version.h"

#include "ns3/version.h"

namespace ns3
{
namespace mqtt
{

std::string
Ns3VersionString()
{
    const std::string tag = Version::VersionTag();
    if (tag.rfind("ns-", 0) == 0)
    {
        return tag.substr(3); // "ns-3.37" -> "3.37"
    }
    std::string v = std::to_string(Version::Major()) + "." + std::to_string(Version::Minor());
    if (Version::Patch() != 0)
    {
        v += "." + std::to_string(Version::Patch());
    }
    const std::string rc = Version::ReleaseCandidate();
    if (!rc.empty())
    {
        v += "-" + rc;
    }
    return v;
}

} // namespace mqtt
} // namespace ns3
