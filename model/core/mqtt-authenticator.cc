/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-authenticator.h"

#include "mqtt-config-parse-impl.h"
#include "mqtt-utf8.h"

#include <fstream>
#include <iterator>
#include <sstream>

namespace ns3
{
namespace mqtt
{

namespace
{

constexpr std::string_view ANONYMOUS_DIRECTIVE = "allow_anonymous";

/**
 * Compares @p presented with @p stored; the work done depends on presented.size() only. Every
 * byte is visited and differences are OR-ed together, so there is no early exit to time.
 */
bool
ConstantTimeEqual(const std::vector<uint8_t>& stored, const std::vector<uint8_t>& presented)
{
    uint8_t diff = stored.size() == presented.size() ? 0 : 1;
    const std::size_t n = stored.size();
    std::size_t j = 0;
    for (uint8_t b : presented)
    {
        // Past the end of a shorter stored password, keep comparing against its start (or 0)
        // so a longer guess costs the same per byte; the length check above already failed.
        const uint8_t s = n == 0 ? 0 : stored[j];
        diff |= static_cast<uint8_t>(b ^ s);
        j = (j + 1 == n) ? 0 : j + 1;
    }
    return diff == 0;
}

/** What a password file says, kept apart until every line parsed. */
struct PasswordTable
{
    std::map<std::string, MqttAuthenticator::StoredPassword> users;
    const MqttPasswordVerifier* verifier = nullptr;
    std::map<std::string, std::size_t> userLine; //!< where each user is, for duplicates
    std::optional<bool> allowAnonymous;
    std::size_t anonymousLine = 0;
};

/**
 * Whether @p line is the allow_anonymous directive: the word followed by a blank or the end of
 * the line. A user of that name is written "allow_anonymous:PASSWORD" and never matches.
 */
bool
IsAnonymousDirective(std::string_view line)
{
    return line.substr(0, ANONYMOUS_DIRECTIVE.size()) == ANONYMOUS_DIRECTIVE &&
           (line.size() == ANONYMOUS_DIRECTIVE.size() ||
            IsConfigBlank(line[ANONYMOUS_DIRECTIVE.size()]));
}

/** "allow_anonymous true|false", at most once. */
ConfigLineResult
ParseAnonymousLine(std::string_view line, std::size_t lineNo, PasswordTable& table)
{
    const std::string_view value = TrimConfigBlanks(line.substr(ANONYMOUS_DIRECTIVE.size()));
    if (table.allowAnonymous.has_value())
    {
        return "duplicate allow_anonymous directive (first on line " +
               std::to_string(table.anonymousLine) + ")";
    }
    if (value == "true")
    {
        table.allowAnonymous = true;
    }
    else if (value == "false")
    {
        table.allowAnonymous = false;
    }
    else
    {
        return "expected 'true' or 'false' after allow_anonymous";
    }
    table.anonymousLine = lineNo;
    return std::nullopt;
}

/** Why @p user cannot be a user name, or nothing when it can. */
ConfigLineResult
CheckUserName(std::string_view user)
{
    if (user.empty())
    {
        return "empty user name before ':'";
    }
    if (user.size() > MqttAuthenticator::MAX_FIELD_LENGTH)
    {
        return "user name longer than 65535 bytes";
    }
    switch (CheckUtf8(user))
    {
    case Utf8Status::Valid:
        break;
    case Utf8Status::Malformed:
        return "user name is not valid UTF-8";
    case Utf8Status::NullCharacter:
        return "user name contains U+0000";
    }
    return std::nullopt;
}

/** "USERNAME:PASSWORD", each user once. */
ConfigLineResult
ParseUserLine(std::string_view line, std::size_t lineNo, PasswordTable& table)
{
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos)
    {
        return "expected 'USERNAME:PASSWORD' or 'allow_anonymous true|false'";
    }
    const std::string_view user = line.substr(0, colon);
    const std::string_view password = line.substr(colon + 1);
    ConfigLineResult invalid = CheckUserName(user);
    if (invalid.has_value())
    {
        return invalid;
    }
    if (password.size() > MqttAuthenticator::MAX_FIELD_LENGTH)
    {
        return "password longer than 65535 bytes";
    }
    const bool hashed = MqttAuthenticator::IsHashedPassword(password);
    if (hashed && table.verifier == nullptr)
    {
        return "hashed password ('" + std::string(password.substr(0, 3)) +
               "') but this program reads plain-text passwords only";
    }
    if (hashed)
    {
        if (ConfigLineResult invalid = table.verifier->CheckFormat(password))
        {
            return "user '" + std::string(user) + "': " + *invalid;
        }
    }
    std::string name(user);
    auto [it, inserted] = table.userLine.emplace(name, lineNo);
    if (!inserted)
    {
        return "duplicate user '" + name + "' (first on line " + std::to_string(it->second) + ")";
    }
    table.users.emplace(
        std::move(name),
        MqttAuthenticator::StoredPassword{std::vector<uint8_t>(password.begin(), password.end()),
                                          hashed});
    return std::nullopt;
}

/** One line of a password file into @p table. */
ConfigLineResult
ParsePasswordLine(std::string_view line, std::size_t lineNo, PasswordTable& table)
{
    if (TrimConfigBlanks(line).empty() || line.front() == '#')
    {
        return std::nullopt;
    }
    if (IsAnonymousDirective(line))
    {
        return ParseAnonymousLine(line, lineNo, table);
    }
    return ParseUserLine(line, lineNo, table);
}

} // namespace

std::string
MqttConfigError::ToString() const
{
    std::ostringstream os;
    os << file << ':';
    if (line != 0)
    {
        os << line << ':';
    }
    os << ' ' << message;
    return os.str();
}

std::vector<std::string_view>
SplitConfigLines(std::string_view text)
{
    static constexpr std::string_view BOM = "\xEF\xBB\xBF";
    if (text.substr(0, BOM.size()) == BOM)
    {
        text.remove_prefix(BOM.size());
    }
    std::vector<std::string_view> lines;
    while (!text.empty())
    {
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (!line.empty() && line.back() == '\r')
        {
            line.remove_suffix(1);
        }
        lines.push_back(line);
    }
    return lines;
}

bool
ReadConfigFile(const std::string& path, std::string& text, MqttConfigError& error)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        error = MqttConfigError{path, 0, "cannot open file"};
        return false;
    }
    std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad())
    {
        error = MqttConfigError{path, 0, "cannot read file"};
        return false;
    }
    text = std::move(content);
    return true;
}

bool
MqttAuthenticator::Parse(std::string_view text, const std::string& fileName, MqttConfigError& error)
{
    PasswordTable table;
    table.verifier = m_verifier.get();
    const bool parsed = ParseConfigLines(text,
                                         fileName,
                                         error,
                                         [&table](std::string_view line, std::size_t lineNo)
                                         { return ParsePasswordLine(line, lineNo, table); });
    if (!parsed)
    {
        return false;
    }
    m_users = std::move(table.users);
    m_decoyHash.reset();
    for (const auto& [name, stored] : m_users)
    {
        if (stored.hashed)
        {
            m_decoyHash = std::string(stored.bytes.begin(), stored.bytes.end());
            break;
        }
    }
    if (table.allowAnonymous.has_value())
    {
        m_allowAnonymous = *table.allowAnonymous;
    }
    return true;
}

bool
MqttAuthenticator::Load(const std::string& path, MqttConfigError& error)
{
    std::string text;
    return ReadConfigFile(path, text, error) && Parse(text, path, error);
}

bool
MqttAuthenticator::IsHashedPassword(std::string_view field)
{
    return field.substr(0, 3) == "$6$" || field.substr(0, 3) == "$7$";
}

void
MqttAuthenticator::SetPasswordVerifier(std::shared_ptr<const MqttPasswordVerifier> verifier)
{
    m_verifier = std::move(verifier);
}

void
MqttAuthenticator::SetUser(const std::string& userName, const std::vector<uint8_t>& password)
{
    m_users[userName] = StoredPassword{password, false};
}

ConnectReturnCode
MqttAuthenticator::Authenticate(const std::optional<std::string>& userName,
                                const std::optional<std::vector<uint8_t>>& password) const
{
    if (!userName.has_value())
    {
        if (password.has_value())
        {
            return ConnectReturnCode::BadUserNameOrPassword;
        }
        return m_allowAnonymous ? ConnectReturnCode::Accepted : ConnectReturnCode::NotAuthorized;
    }
    if (!password.has_value())
    {
        return ConnectReturnCode::BadUserNameOrPassword;
    }
    static const std::vector<uint8_t> NO_PASSWORD;
    const auto it = m_users.find(*userName);
    bool equal = false;
    if (it != m_users.end() && it->second.hashed)
    {
        const std::vector<uint8_t>& hash = it->second.bytes;
        equal = m_verifier->Verify(std::string_view(reinterpret_cast<const char*>(hash.data()),
                                                    hash.size()),
                                   *password);
    }
    else if (it == m_users.end() && m_decoyHash)
    {
        m_verifier->Verify(*m_decoyHash, *password); // an unknown user costs a hash too
    }
    else
    {
        // An unknown user costs the same comparison as a known one.
        equal = ConstantTimeEqual(it == m_users.end() ? NO_PASSWORD : it->second.bytes, *password);
    }
    if (it == m_users.end() || !equal)
    {
        return ConnectReturnCode::BadUserNameOrPassword;
    }
    return ConnectReturnCode::Accepted;
}

void
MqttAuthenticator::SetAllowAnonymous(bool allow)
{
    m_allowAnonymous = allow;
}

bool
MqttAuthenticator::AllowAnonymous() const
{
    return m_allowAnonymous;
}

std::size_t
MqttAuthenticator::UserCount() const
{
    return m_users.size();
}

} // namespace mqtt
} // namespace ns3
