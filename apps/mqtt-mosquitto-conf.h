/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * mosquitto.conf for the standalone broker (`--config FILE`, doc/real-socket.md): the keys that
 * map onto what this broker does become its own command-line options, so that one parser (the
 * broker's) checks values and the command line given after them overrides the file.
 */
#ifndef MQTT_MOSQUITTO_CONF_H
#define MQTT_MOSQUITTO_CONF_H

#include "mqtt-authenticator.h"

#include <string>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** What a mosquitto.conf says, as broker options. */
struct MosquittoConf
{
    /** Options for the listeners (--listen, --tls-listen, --ws-listen, --wss-listen). */
    std::vector<std::string> listenArgs;
    /** Every other option, in the order of the file. */
    std::vector<std::string> args;
    /** "FILE:LINE: KEY ..." for keys of mosquitto that this broker ignores (printed at start). */
    std::vector<std::string> warnings;
};

/**
 * Translates the text of a mosquitto.conf (@p fileName for messages). Keys this broker has no
 * equivalent for are warnings when ignoring them changes no access decision, errors otherwise
 * (bridges, plugins, per-listener security, ...); a key mosquitto does not have is an error.
 * @return false with @p error ("FILE:LINE: ...") at the first error.
 */
bool TranslateMosquittoConf(std::string_view text,
                            const std::string& fileName,
                            MosquittoConf& conf,
                            MqttConfigError& error);

/** Reads @p path and translates it; a missing file is an error naming it. */
bool LoadMosquittoConf(const std::string& path, MosquittoConf& conf, MqttConfigError& error);

/**
 * The broker's arguments @p args (without the program name) with the options of the
 * `--config FILE` among them (if any) put first, so that the command line, parsed after them,
 * overrides the file: a single-valued option takes its last value, and the file's listeners are
 * dropped when the command line gives any listener option. @p warnings gets the file's.
 * @return false with @p error ("--config: FILE:LINE: ...") when the file cannot be used.
 */
bool ArgsWithConfig(const std::vector<std::string>& args,
                    std::vector<std::string>& out,
                    std::vector<std::string>& warnings,
                    std::string& error);

} // namespace mqtt
} // namespace ns3

#endif // MQTT_MOSQUITTO_CONF_H
