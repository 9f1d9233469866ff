/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-command-line.h"

#include <iostream>

namespace ns3
{
namespace mqtt
{

MqttCommandLine::MqttCommandLine(const std::string& program, const std::string& description)
    : m_program(program)
    , m_app(description, program)
{
    // A value given twice: the last one counts, as with most Unix tools.
    m_app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    // Unknown arguments are collected and reported in our own words by Parse().
    m_app.allow_extras();
    m_app.set_help_flag("-h,--help", "this text");
    m_app.get_formatter()->column_width(30);
}

CLI::App&
MqttCommandLine::App()
{
    return m_app;
}

CLI::Option*
MqttCommandLine::AddRepeatable(const std::string& name,
                               std::vector<std::string>* values,
                               const std::string& typeName,
                               const std::string& help)
{
    // One value per occurrence, so "--listen A FILE" leaves FILE to the positionals.
    return m_app.add_option(name, *values, help)
        ->type_name(typeName)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

void
MqttCommandLine::SetFooter(const std::string& footer)
{
    m_app.footer(footer);
}

MqttCommandLine::Outcome
MqttCommandLine::Parse(int argc, const char* const* argv)
{
    try
    {
        m_app.parse(argc, argv);
    }
    catch (const CLI::CallForHelp&)
    {
        m_outcome = Outcome::Help;
        m_message = m_app.help();
        return m_outcome;
    }
    catch (const CLI::ArgumentMismatch& e)
    {
        // CLI11 says "--listen: 1 required HOST:PORT missing".
        std::string what = e.what();
        Fail(what.substr(0, what.find(':')) + ": missing value (see --help)");
        return m_outcome;
    }
    catch (const CLI::ParseError& e)
    {
        Fail(std::string(e.what()) + " (see --help)");
        return m_outcome;
    }
    std::vector<std::string> extra = m_app.remaining();
    if (!extra.empty())
    {
        const std::string& first = extra.front();
        Fail((first.size() > 1 && first[0] == '-' ? "unknown option '" : "unexpected argument '") +
             first + "' (see --help)");
    }
    return m_outcome;
}

void
MqttCommandLine::Fail(const std::string& message)
{
    m_outcome = Outcome::Error;
    m_message = m_program + ": " + message + "\n";
}

const std::string&
MqttCommandLine::Message() const
{
    return m_message;
}

int
MqttCommandLine::Report() const
{
    if (m_outcome == Outcome::Help)
    {
        std::cout << m_message << std::flush;
        return 0;
    }
    std::cerr << m_message << std::flush;
    return m_outcome == Outcome::Error ? BAD_USAGE : 0;
}

std::string
MqttCommandLine::Expected(const std::string& option,
                          const std::string& what,
                          const std::string& value)
{
    return option + ": expected " + what + ", got '" + value + "'";
}

} // namespace mqtt
} // namespace ns3
