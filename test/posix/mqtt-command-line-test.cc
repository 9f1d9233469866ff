/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The command-line parser the broker, the runner and the sweep share (utils/mqtt-command-line.h):
 * both value forms, repeatable options, positionals, and the one wording of its errors.
 */
#include "mqtt-command-line.h"

#include <gtest/gtest.h>

using namespace ns3::mqtt;

namespace
{

/** A program with a value option, a flag, a repeatable option and a positional. */
struct Program
{
    MqttCommandLine cli{"prog", "A test program."};
    std::string out;
    bool dryRun = false;
    std::vector<std::string> sets;
    std::string file;

    Program()
    {
        cli.App().add_option("--out", out, "where")->type_name("DIR");
        cli.App().add_flag("--dry-run", dryRun, "nothing");
        cli.AddRepeatable("--set", &sets, "K=V", "a setting");
        cli.App().add_option("file", file, "the file");
    }

    MqttCommandLine::Outcome
    Parse(std::vector<std::string> args)
    {
        args.insert(args.begin(), "prog");
        std::vector<const char*> argv;
        for (const std::string& arg : args)
        {
            argv.push_back(arg.c_str());
        }
        return cli.Parse(static_cast<int>(argv.size()), argv.data());
    }
};

} // namespace

TEST(CommandLine, BothValueFormsRepeatablesAndAPositional)
{
    Program p;
    ASSERT_EQ(p.Parse({"--set", "a=1", "--out=o1", "x.yaml", "--set=b=2", "--out", "o2"}),
              MqttCommandLine::Outcome::Run)
        << p.cli.Message();
    EXPECT_EQ(p.out, "o2"); // the last value counts
    EXPECT_EQ(p.sets, (std::vector<std::string>{"a=1", "b=2"}));
    EXPECT_EQ(p.file, "x.yaml");
    EXPECT_FALSE(p.dryRun);
}

TEST(CommandLine, ErrorsHaveOneWording)
{
    struct Case
    {
        std::vector<std::string> args;
        std::string message;
    };
    const std::vector<Case> cases = {
        {{"--bogus"}, "prog: unknown option '--bogus' (see --help)\n"},
        {{"--out"}, "prog: --out: missing value (see --help)\n"},
        {{"a", "b"}, "prog: unexpected argument 'b' (see --help)\n"},
    };
    for (const Case& c : cases)
    {
        Program p;
        EXPECT_EQ(p.Parse(c.args), MqttCommandLine::Outcome::Error) << c.args[0];
        EXPECT_EQ(p.cli.Message(), c.message);
    }
    Program p;
    p.cli.Fail(MqttCommandLine::Expected("--out", "a directory", "x"));
    EXPECT_EQ(p.cli.Message(), "prog: --out: expected a directory, got 'x'\n");
}

TEST(CommandLine, HelpComesFromTheOptions)
{
    Program p;
    EXPECT_EQ(p.Parse({"--help"}), MqttCommandLine::Outcome::Help);
    for (const char* text : {"A test program.", "--out DIR", "--dry-run", "--set K=V", "file"})
    {
        EXPECT_NE(p.cli.Message().find(text), std::string::npos) << text << p.cli.Message();
    }
}
