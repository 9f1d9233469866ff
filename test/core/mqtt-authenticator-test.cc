/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The password table: file format (doc/auth.md) and CONNECT authentication (section 3.1.4 step
 * 3; CONNACK return codes 4 and 5 of section 3.2.2.3).
 */
#include "mqtt-auth-test-util.h"
#include "mqtt-authenticator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace ns3::mqtt;

namespace
{

std::vector<uint8_t>
Pw(std::string_view s)
{
    return std::vector<uint8_t>(s.begin(), s.end());
}

/** Parses @p text as "pw.txt" and returns the error text, or "" when it parsed. */
std::string
ParseError(std::string_view text)
{
    MqttAuthenticator auth;
    MqttConfigError error;
    if (auth.Parse(text, "pw.txt", error))
    {
        return "";
    }
    return error.ToString();
}

constexpr auto ACCEPTED = ConnectReturnCode::Accepted;
constexpr auto BAD = ConnectReturnCode::BadUserNameOrPassword;    // CONNACK 4
constexpr auto NOT_AUTHORIZED = ConnectReturnCode::NotAuthorized; // CONNACK 5

} // namespace

TEST(ConfigError, ToStringNamesFileLineAndMessage)
{
    EXPECT_EQ((MqttConfigError{"a.txt", 7, "expected x"}).ToString(), "a.txt:7: expected x");
    // Line 0 means the whole file.
    EXPECT_EQ((MqttConfigError{"a.txt", 0, "cannot open file"}).ToString(),
              "a.txt: cannot open file");
}

TEST(ConfigLines, SplitsLfCrlfAndFinalLineWithoutNewline)
{
    using V = std::vector<std::string_view>;
    EXPECT_EQ(SplitConfigLines(""), V{});
    EXPECT_EQ(SplitConfigLines("a\nb\n"), (V{"a", "b"}));
    EXPECT_EQ(SplitConfigLines("a\r\nb"), (V{"a", "b"}));
    EXPECT_EQ(SplitConfigLines("\n\r\nx\r"), (V{"", "", "x"}));
    // Only a trailing '\r' goes; one inside a line is content.
    EXPECT_EQ(SplitConfigLines("a\rb\r\n"), (V{"a\rb"}));
    // A byte order mark is dropped only at the very start.
    EXPECT_EQ(SplitConfigLines("\xEF\xBB\xBF"
                               "a\n\xEF\xBB\xBF"
                               "b"),
              (V{"a",
                 "\xEF\xBB\xBF"
                 "b"}));
}

TEST(Authenticator, ParsesUsersCommentsAndBlankLines)
{
    MqttAuthenticator auth;
    MqttConfigError error;
    const std::string text = "# users of the test broker\n"
                             "\n"
                             "alice:secret\n"
                             "   \t\n"
                             "#bob:not-a-user\n"
                             "bob:with:colons:\n" // the password is everything after the first ':'
                             "carol:\n"           // an empty password
                             "d\xC3\xA9sir\xC3\xA9:  spaced pw \n" // UTF-8 name; spaces kept
                             "allow_anonymous:x\n";                // a user, not the directive
    ASSERT_TRUE(auth.Parse(text, "pw.txt", error)) << error.ToString();
    EXPECT_EQ(auth.UserCount(), 5u);
    EXPECT_FALSE(auth.AllowAnonymous());

    EXPECT_EQ(auth.Authenticate("alice", Pw("secret")), ACCEPTED);
    EXPECT_EQ(auth.Authenticate("bob", Pw("with:colons:")), ACCEPTED);
    EXPECT_EQ(auth.Authenticate("bob", Pw("with")), BAD);
    EXPECT_EQ(auth.Authenticate("carol", Pw("")), ACCEPTED);
    EXPECT_EQ(auth.Authenticate("d\xC3\xA9sir\xC3\xA9", Pw("  spaced pw ")), ACCEPTED);
    EXPECT_EQ(auth.Authenticate("d\xC3\xA9sir\xC3\xA9", Pw("spaced pw")), BAD);
    EXPECT_EQ(auth.Authenticate("allow_anonymous", Pw("x")), ACCEPTED);
    // Comment lines are not users.
    EXPECT_EQ(auth.Authenticate("#bob", Pw("not-a-user")), BAD);
}

TEST(Authenticator, AllowAnonymousDirective)
{
    MqttAuthenticator auth;
    MqttConfigError error;
    ASSERT_TRUE(auth.Parse("allow_anonymous true\nalice:a\n", "pw.txt", error));
    EXPECT_TRUE(auth.AllowAnonymous());
    ASSERT_TRUE(
        auth.Parse("alice:a\n\tallow_anonymous:no\nallow_anonymous\t false \n", "pw.txt", error))
        << error.ToString();
    EXPECT_FALSE(auth.AllowAnonymous());
    EXPECT_EQ(auth.UserCount(), 2u); // "\tallow_anonymous" is a user name with a leading tab

    // Without the directive the setting stays what it was.
    auth.SetAllowAnonymous(true);
    ASSERT_TRUE(auth.Parse("bob:b\n", "pw.txt", error));
    EXPECT_TRUE(auth.AllowAnonymous());
    EXPECT_EQ(auth.UserCount(), 1u); // and the table was replaced
    EXPECT_EQ(auth.Authenticate("alice", Pw("a")), BAD);
}

TEST(Authenticator, CrlfLineEndings)
{
    MqttAuthenticator auth;
    MqttConfigError error;
    ASSERT_TRUE(auth.Parse(
        "# comment\r\n\r\nalice:secret\r\nallow_anonymous true\r\nbob:b", "pw.txt", error))
        << error.ToString();
    EXPECT_EQ(auth.UserCount(), 2u);
    EXPECT_TRUE(auth.AllowAnonymous());
    EXPECT_EQ(auth.Authenticate("alice", Pw("secret")), ACCEPTED);
    EXPECT_EQ(auth.Authenticate("alice", Pw("secret\r")), BAD);
    EXPECT_EQ(auth.Authenticate("bob", Pw("b")), ACCEPTED);
    // Line numbers count CRLF lines too.
    EXPECT_EQ(ParseError("a:1\r\n\r\nbroken\r\n"),
              "pw.txt:3: expected 'USERNAME:PASSWORD' or 'allow_anonymous true|false'");
}

TEST(Authenticator, ByteOrderMarkIsNotPartOfTheFirstUser)
{
    MqttAuthenticator auth;
    MqttConfigError error;
    ASSERT_TRUE(auth.Parse("\xEF\xBB\xBF"
                           "alice:a\n",
                           "pw.txt",
                           error));
    EXPECT_EQ(auth.Authenticate("alice", Pw("a")), ACCEPTED);
}

TEST(Authenticator, ErrorsNameFileLineAndWhatWasExpected)
{
    EXPECT_EQ(ParseError("alice:a\nbob\n"),
              "pw.txt:2: expected 'USERNAME:PASSWORD' or 'allow_anonymous true|false'");
    EXPECT_EQ(ParseError("# users\n:secret\n"), "pw.txt:2: empty user name before ':'");
    EXPECT_EQ(ParseError("\xC3(:pw\n"), "pw.txt:1: user name is not valid UTF-8");
    EXPECT_EQ(ParseError("a\xED\xA0\x80:pw\n"), "pw.txt:1: user name is not valid UTF-8");
    EXPECT_EQ(ParseError(std::string("a\0b:pw\n", 7)), "pw.txt:1: user name contains U+0000");
    EXPECT_EQ(ParseError(std::string(65536, 'u') + ":pw"),
              "pw.txt:1: user name longer than 65535 bytes");
    EXPECT_EQ(ParseError("u:" + std::string(65536, 'p')),
              "pw.txt:1: password longer than 65535 bytes");
    EXPECT_EQ(ParseError("alice:a\nbob:b\n\nalice:c\n"),
              "pw.txt:4: duplicate user 'alice' (first on line 1)");
    EXPECT_EQ(ParseError("allow_anonymous yes\n"),
              "pw.txt:1: expected 'true' or 'false' after allow_anonymous");
    EXPECT_EQ(ParseError("allow_anonymous\n"),
              "pw.txt:1: expected 'true' or 'false' after allow_anonymous");
    EXPECT_EQ(ParseError("allow_anonymous True\n"),
              "pw.txt:1: expected 'true' or 'false' after allow_anonymous");
    EXPECT_EQ(ParseError("allow_anonymous true false\n"),
              "pw.txt:1: expected 'true' or 'false' after allow_anonymous");
    EXPECT_EQ(ParseError("allow_anonymous true\na:b\nallow_anonymous true\n"),
              "pw.txt:3: duplicate allow_anonymous directive (first on line 1)");
    // Limits are inclusive.
    EXPECT_EQ(ParseError(std::string(65535, 'u') + ":" + std::string(65535, 'p')), "");
}

TEST(Authenticator, FailedParseKeepsTheOldTable)
{
    MqttAuthenticator auth;
    MqttConfigError error;
    ASSERT_TRUE(auth.Parse("alice:a\nallow_anonymous true\n", "pw.txt", error));
    EXPECT_FALSE(auth.Parse("allow_anonymous false\nbob:b\nbroken\n", "other.txt", error));
    EXPECT_EQ(error.file, "other.txt");
    EXPECT_EQ(error.line, 3u);
    EXPECT_EQ(auth.UserCount(), 1u);
    EXPECT_TRUE(auth.AllowAnonymous());
    EXPECT_EQ(auth.Authenticate("alice", Pw("a")), ACCEPTED);
    EXPECT_EQ(auth.Authenticate("bob", Pw("b")), BAD);
}

TEST(Authenticator, LoadReadsAFileAndNamesItInErrors)
{
    mqtt_test::ScratchDir dir;
    MqttAuthenticator auth;
    MqttConfigError error;
    const std::string good = dir.Write("good.txt", "alice:a\r\n");
    ASSERT_TRUE(auth.Load(good, error)) << error.ToString();
    EXPECT_EQ(auth.Authenticate("alice", Pw("a")), ACCEPTED);

    const std::string bad = dir.Write("bad.txt", "alice:a\n\nnocolon\n");
    EXPECT_FALSE(auth.Load(bad, error));
    EXPECT_EQ(error.ToString(),
              bad + ":3: expected 'USERNAME:PASSWORD' or 'allow_anonymous true|false'");

    const std::string missing = dir.Path("missing.txt");
    EXPECT_FALSE(auth.Load(missing, error));
    EXPECT_EQ(error.ToString(), missing + ": cannot open file");
    EXPECT_EQ(error.line, 0u);
    EXPECT_EQ(auth.Authenticate("alice", Pw("a")), ACCEPTED); // still the good table
}

TEST(Authenticator, LoadsTheExampleFile)
{
    MqttAuthenticator auth;
    MqttConfigError error;
    ASSERT_TRUE(auth.Load(mqtt_test::AuthDataFile("passwords.txt"), error)) << error.ToString();
    EXPECT_EQ(auth.UserCount(), 3u);
    EXPECT_FALSE(auth.AllowAnonymous());
    EXPECT_EQ(auth.Authenticate("alice", Pw("alice-secret")), ACCEPTED);
    EXPECT_EQ(auth.Authenticate("bob", Pw("b0b:has:colons")), ACCEPTED);
    EXPECT_EQ(auth.Authenticate("device-1", Pw("d1")), ACCEPTED);
}

// Section 3.1.4 step 3 and CONNACK codes 4/5 (section 3.2.2.3): a user name and password that
// are both presented ([MQTT-3.1.2-19], [MQTT-3.1.2-21]) are accepted only when they match.
TEST(Authenticator, UserNameAndPasswordPresented)
{
    MqttAuthenticator auth;
    auth.SetUser("alice", Pw("secret"));
    EXPECT_EQ(auth.Authenticate("alice", Pw("secret")), ACCEPTED);
    EXPECT_EQ(static_cast<int>(auth.Authenticate("alice", Pw("wrong!"))), 4);
    EXPECT_EQ(auth.Authenticate("alice", Pw("secre")), BAD);        // a prefix
    EXPECT_EQ(auth.Authenticate("alice", Pw("secretx")), BAD);      // longer
    EXPECT_EQ(auth.Authenticate("alice", Pw("Secret")), BAD);       // differs in the first byte
    EXPECT_EQ(auth.Authenticate("alice", Pw("secreT")), BAD);       // differs in the last byte
    EXPECT_EQ(auth.Authenticate("alice", Pw("secretsecret")), BAD); // the stored one twice
    EXPECT_EQ(auth.Authenticate("alice", Pw("")), BAD);
    // Unknown users and names that differ only in case or normalisation.
    EXPECT_EQ(auth.Authenticate("Alice", Pw("secret")), BAD);
    EXPECT_EQ(auth.Authenticate("mallory", Pw("secret")), BAD);
    EXPECT_EQ(auth.Authenticate("mallory", Pw("")), BAD);
    EXPECT_EQ(auth.Authenticate("", Pw("")), BAD);
}

// [MQTT-3.1.2-19] a user name present, [MQTT-3.1.2-20] no password: CONNACK 4.
TEST(Authenticator, UserNameWithoutPasswordIsBadUserNameOrPassword)
{
    MqttAuthenticator auth;
    auth.SetUser("alice", Pw("secret"));
    auth.SetUser("nopw", Pw(""));
    auth.SetAllowAnonymous(true); // anonymous access does not excuse a missing password
    EXPECT_EQ(static_cast<int>(auth.Authenticate("alice", std::nullopt)), 4);
    // An empty password and no password are different things.
    EXPECT_EQ(auth.Authenticate("nopw", std::nullopt), BAD);
    EXPECT_EQ(auth.Authenticate("nopw", Pw("")), ACCEPTED);
    EXPECT_EQ(auth.Authenticate("unknown", std::nullopt), BAD);
}

// [MQTT-3.1.2-18], [MQTT-3.1.2-20]: neither a user name nor a password: anonymous. Refused with
// CONNACK 5 (not authorized) unless anonymous access is on.
TEST(Authenticator, NoUserNameIsAnonymous)
{
    MqttAuthenticator auth;
    auth.SetUser("alice", Pw("secret"));
    EXPECT_FALSE(auth.AllowAnonymous()); // the default
    EXPECT_EQ(static_cast<int>(auth.Authenticate(std::nullopt, std::nullopt)), 5);
    EXPECT_EQ(auth.Authenticate(std::nullopt, std::nullopt), NOT_AUTHORIZED);
    auth.SetAllowAnonymous(true);
    EXPECT_EQ(static_cast<int>(auth.Authenticate(std::nullopt, std::nullopt)), 0);
    // A present user name is checked even though anonymous clients are allowed.
    EXPECT_EQ(auth.Authenticate("alice", Pw("wrong")), BAD);
}

// [MQTT-3.1.2-18] no user name but [MQTT-3.1.2-21] a password: forbidden by [MQTT-3.1.2-22], so
// a decoder refuses it; the authenticator refuses it too (CONNACK 4), anonymous access or not.
TEST(Authenticator, PasswordWithoutUserNameIsRefused)
{
    MqttAuthenticator auth;
    auth.SetUser("alice", Pw("secret"));
    EXPECT_EQ(auth.Authenticate(std::nullopt, Pw("secret")), BAD);
    auth.SetAllowAnonymous(true);
    EXPECT_EQ(auth.Authenticate(std::nullopt, Pw("secret")), BAD);
}

TEST(Authenticator, EmptyTableRefusesEveryUser)
{
    MqttAuthenticator auth;
    EXPECT_EQ(auth.UserCount(), 0u);
    EXPECT_EQ(auth.Authenticate("alice", Pw("")), BAD);
    EXPECT_EQ(auth.Authenticate(std::nullopt, std::nullopt), NOT_AUTHORIZED);
}

TEST(Authenticator, BinaryPasswordsAndSetUserReplaces)
{
    MqttAuthenticator auth;
    const std::vector<uint8_t> binary{0x00, 0xFF, ':', '\n', 0x80};
    auth.SetUser("bin", binary);
    EXPECT_EQ(auth.Authenticate("bin", binary), ACCEPTED);
    EXPECT_EQ(auth.Authenticate("bin", std::vector<uint8_t>{0x00, 0xFF, ':', '\n'}), BAD);
    EXPECT_EQ(auth.Authenticate("bin", std::vector<uint8_t>{0x01, 0xFF, ':', '\n', 0x80}), BAD);
    auth.SetUser("bin", Pw("new"));
    EXPECT_EQ(auth.UserCount(), 1u);
    EXPECT_EQ(auth.Authenticate("bin", binary), BAD);
    EXPECT_EQ(auth.Authenticate("bin", Pw("new")), ACCEPTED);
}
