/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * One command-line parser for the programs of ns3-mqtt (mqtt-broker, ns3-mqtt-run, mqtt-sweep),
 * on CLI11 (Debian libcli11-dev): `--opt value` and `--opt=value` both work, an option given
 * twice keeps its last value unless it collects them, --help is generated from the options, and
 * errors have one wording, "PROGRAM: MESSAGE", with exit status 2.
 */
#ifndef MQTT_COMMAND_LINE_H
#define MQTT_COMMAND_LINE_H

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** A program's options, what parsing them gave, and its messages. */
class MqttCommandLine
{
  public:
    /** Exit status for a bad command line (and every other error found before running). */
    static constexpr int BAD_USAGE = 2;

    /** @p program names the program in messages; @p description heads the --help text. */
    MqttCommandLine(const std::string& program, const std::string& description);

    /** The CLI11 application, to declare options on (add_option, add_flag). */
    CLI::App& App();

    /** Declares @p name (e.g. "--listen") that may be given again, each value kept in order. */
    CLI::Option* AddRepeatable(const std::string& name,
                               std::vector<std::string>* values,
                               const std::string& typeName,
                               const std::string& help);

    /** Text printed after the options by --help. */
    void SetFooter(const std::string& footer);

    /** What Parse() found. */
    enum class Outcome
    {
        Run,   //!< options read: go on
        Help,  //!< --help: print Message() and stop (status 0)
        Error, //!< print Message() and stop (status BAD_USAGE)
    };

    /** Reads @p argv; unknown options and missing values are errors naming the option. */
    Outcome Parse(int argc, const char* const* argv);

    /** Makes the outcome an error, in the common wording: "PROGRAM: MESSAGE". */
    void Fail(const std::string& message);

    /** The help text or the error line, newline-terminated. */
    const std::string& Message() const;

    /** Prints Message() (help to stdout, an error to stderr); @return the exit status. */
    int Report() const;

    /** "OPTION: expected WHAT, got 'VALUE'": the wording of a bad value. */
    static std::string Expected(const std::string& option,
                                const std::string& what,
                                const std::string& value);

  private:
    std::string m_program;
    CLI::App m_app;
    Outcome m_outcome = Outcome::Run;
    std::string m_message;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_COMMAND_LINE_H
