/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The ns-3 version a study ran on, as results and reports name it.
 */
#ifndef MQTT_NS3_VERSION_H
#define MQTT_NS3_VERSION_H

#include <string>

namespace ns3
{
namespace mqtt
{

/**
 * The version of the linked ns-3 library: its release tag without "ns-" (3.37) when ns-3 was built
 * from a tagged git tree, otherwise the numbered version it reports (3.37, 3.37.1, 3.38-RC1). Debian's
 * package is built outside git, so its tag is a placeholder that names no version at all.
 */
std::string Ns3VersionString();

} // namespace mqtt
} // namespace ns3

#endif // MQTT_NS3_VERSION_H
